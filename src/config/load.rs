//! Finding and reading files: the `*.tf` files of a module folder, parsed in parallel on threads with
//! room for hcl-edit's recursion, and the local modules they call, recursively. Size and encoding are
//! checked before parsing; every problem is a located diagnostic, never a panic.

use super::decode::decode_file;
use super::vars::load_variable_values;
use super::{Config, Module, ModuleId};
use crate::diag::{Diagnostic, Diagnostics, FileId, SourceMap, Span};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Files larger than this are refused before parsing (the 110,000-resource estate is ~26 MB in total,
/// split over many files).
pub const MAX_FILE_BYTES: usize = 32 * 1024 * 1024;

/// Stack size for parser threads: hcl-edit is recursive descent and refuses nesting past 64 levels;
/// this leaves ample room below that limit.
const PARSER_STACK_BYTES: usize = 16 * 1024 * 1024;

/// What the command line adds to the files on disk.
#[derive(Debug, Default, Clone)]
pub struct LoadOptions {
    /// `--var-file` paths, in order.
    pub var_files: Vec<PathBuf>,
    /// `--var NAME=VALUE`, in order.
    pub vars: Vec<String>,
    /// The process environment (`TF_VAR_*` are taken from it).
    pub env: Vec<(String, String)>,
}

/// Load the root module in `dir`, every local module it calls, and the root variable values. The
/// configuration is returned even when there are errors, so callers can report everything at once.
pub fn load_config(dir: &Path, options: &LoadOptions) -> (Config, Diagnostics) {
    let mut loader = Loader {
        root: dir.to_path_buf(),
        sources: SourceMap::new(),
        modules: Vec::new(),
        diagnostics: Diagnostics::new(),
        stack: Vec::new(),
    };
    let files = match list_tf_files(dir) {
        Ok(files) => files,
        Err(e) => {
            loader.diagnostics.push(Diagnostic::error(
                "Unreadable configuration directory",
                format!("Cannot read the directory {}: {e}.", dir.display()),
            ));
            Vec::new()
        }
    };
    if files.is_empty() && !loader.diagnostics.has_errors() {
        loader.diagnostics.push(Diagnostic::error(
            "No configuration files",
            format!(
                "There are no .tf files in {}. Run peerform in the folder that holds your configuration, or pass --chdir DIR.",
                display_dir(dir)
            ),
        ));
    }
    loader.load_module(dir, files);
    let mut config = Config {
        sources: loader.sources,
        modules: loader.modules,
        variable_values: Vec::new(),
    };
    let mut diagnostics = loader.diagnostics;
    if config.modules.is_empty() {
        config.modules.push(Module {
            dir: dir.to_path_buf(),
            ..Module::default()
        });
    }
    let (values, var_diags) = load_variable_values(dir, options, &mut config);
    config.variable_values = values;
    diagnostics.extend(var_diags);
    diagnostics.sort();
    (config, diagnostics)
}

fn display_dir(dir: &Path) -> String {
    if dir == Path::new(".") || dir.as_os_str().is_empty() {
        "the current directory".to_string()
    } else {
        dir.display().to_string()
    }
}

/// `*.tf` files in a folder, sorted by name (Terraform reads them in lexical order).
fn list_tf_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        // Editor backups and hidden files are skipped, as Terraform does.
        if name.starts_with('.') || name.starts_with('#') || name.ends_with('~') {
            continue;
        }
        if (name.ends_with(".tf") || name.ends_with(".tf.json")) && path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}

/// The path to show for a file: relative to the root module's folder (as Terraform shows paths
/// after -chdir), or as given when outside it.
fn shown_path(root: &Path, path: &Path) -> PathBuf {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .strip_prefix("./")
        .unwrap_or(relative)
        .to_path_buf()
}

struct Loader {
    root: PathBuf,
    sources: SourceMap,
    modules: Vec<Module>,
    diagnostics: Diagnostics,
    /// Canonical folders of the modules being loaded, to catch a module that calls itself.
    stack: Vec<PathBuf>,
}

impl Loader {
    fn load_module(&mut self, dir: &Path, files: Vec<PathBuf>) -> ModuleId {
        let id = self.modules.len();
        self.modules.push(Module {
            dir: dir.to_path_buf(),
            ..Module::default()
        });
        let canonical = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
        self.stack.push(canonical);

        // Read every file first (cheap), then parse them in parallel (the expensive part).
        let mut readable: Vec<(FileId, Arc<str>)> = Vec::new();
        for path in files {
            if path.extension().and_then(|e| e.to_str()) == Some("json") {
                self.diagnostics.push(Diagnostic::error(
                    "JSON configuration syntax is not supported yet",
                    format!(
                        "{} uses Terraform's JSON syntax, which peerform does not read yet. Write it in the native syntax (.tf).",
                        shown_path(&self.root, &path).display()
                    ),
                ));
                continue;
            }
            match read_source(&self.root, &path) {
                Ok(text) => {
                    let text: Arc<str> = Arc::from(text);
                    let file = self
                        .sources
                        .add(shown_path(&self.root, &path), text.clone());
                    readable.push((file, text));
                }
                Err(diagnostic) => self.diagnostics.push(diagnostic),
            }
        }
        let parsed = parallel_map(
            readable,
            |(file, text)| match hcl_edit::parser::parse_body(&text) {
                Ok(body) => {
                    let multi_line = multi_line_strings(&body, file, &text);
                    if multi_line.is_empty() {
                        decode_file(body, file, &text)
                    } else {
                        (Module::default(), multi_line)
                    }
                }
                Err(e) => (Module::default(), vec![parse_error(file, &text, &e)]),
            },
        );
        let mut module = std::mem::take(&mut self.modules[id]);
        for (fragment, diags) in parsed {
            self.diagnostics.extend(diags);
            merge_fragment(&mut module, fragment);
        }
        check_duplicates(&module, &self.sources, &mut self.diagnostics);

        // Load the modules it calls.
        for call_index in 0..module.module_calls.len() {
            let call = &module.module_calls[call_index];
            let source = call.source.clone();
            let span = call.span;
            if source.is_empty() {
                continue;
            }
            if !(source.starts_with("./") || source.starts_with("../")) {
                self.diagnostics.push(
                    Diagnostic::error(
                        "Unsupported module source",
                        format!(
                            "Module \"{}\" has source {source:?}. peerform reads local modules only: vendor the module into a folder of this repository and set source = \"./modules/NAME\".",
                            call.name
                        ),
                    )
                    .with_span(span),
                );
                continue;
            }
            let child_dir = module.dir.join(&source);
            let child_files = match list_tf_files(&child_dir) {
                Ok(files) => files,
                Err(e) => {
                    self.diagnostics.push(
                        Diagnostic::error(
                            "Unreadable module directory",
                            format!(
                                "Module \"{}\" points at {}, which cannot be read: {e}. Check the source path.",
                                call.name,
                                shown_path(&self.root, &child_dir).display()
                            ),
                        )
                        .with_span(span),
                    );
                    continue;
                }
            };
            if child_files.is_empty() {
                self.diagnostics.push(
                    Diagnostic::error(
                        "Unreadable module directory",
                        format!(
                            "Module \"{}\" points at {}, which holds no .tf files. Check the source path.",
                            call.name,
                            shown_path(&self.root, &child_dir).display()
                        ),
                    )
                    .with_span(span),
                );
                continue;
            }
            let canonical = child_dir
                .canonicalize()
                .unwrap_or_else(|_| child_dir.clone());
            if self.stack.contains(&canonical) {
                self.diagnostics.push(
                    Diagnostic::error(
                        "Module calls itself",
                        format!(
                            "Module \"{}\" loads {}, which is already being loaded above it: a module cannot call itself, directly or indirectly.",
                            call.name,
                            shown_path(&self.root, &child_dir).display()
                        ),
                    )
                    .with_span(span),
                );
                continue;
            }
            let child = self.load_module(&child_dir, child_files);
            module.module_calls[call_index].module = Some(child);
        }
        self.modules[id] = module;
        self.stack.pop();
        id
    }
}

/// Read a file as UTF-8 text, refusing huge files and other encodings with a diagnostic.
fn read_source(root: &Path, path: &Path) -> Result<String, Diagnostic> {
    let shown = shown_path(root, path);
    let metadata = std::fs::metadata(path).map_err(|e| {
        Diagnostic::error(
            "Failed to read file",
            format!("Cannot read {}: {e}.", shown.display()),
        )
    })?;
    if metadata.len() as usize > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            "Configuration file too large",
            format!(
                "{} is {} MB; peerform reads configuration files of at most {} MB. Split it into several files.",
                shown.display(),
                metadata.len() / (1024 * 1024),
                MAX_FILE_BYTES / (1024 * 1024)
            ),
        ));
    }
    let bytes = std::fs::read(path).map_err(|e| {
        Diagnostic::error(
            "Failed to read file",
            format!("Cannot read {}: {e}.", shown.display()),
        )
    })?;
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::error(
            "Invalid character encoding",
            format!(
                "{} is not valid UTF-8 (first bad byte at offset {}). All input files must be UTF-8 encoded: check that UTF-8 is selected in your editor, or that this is not a binary file.",
                shown.display(),
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Turn hcl-edit's error into a diagnostic at its position, without echoing the (possibly huge) line.
pub fn parse_error(file: FileId, text: &str, error: &hcl_edit::parser::Error) -> Diagnostic {
    let location = error.location();
    let mut offset = location.offset().min(text.len());
    // Never slice inside a character.
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let end = text[offset..]
        .char_indices()
        .nth(1)
        .map(|(i, _)| offset + i)
        .unwrap_or(text.len());
    let message = error.message();
    let detail = if message.contains("nesting depth") {
        "Expressions and blocks may be nested at most 64 levels deep. Flatten the expression, for example with locals.".to_string()
    } else {
        let mut detail = message.to_string();
        if let Some(first) = detail.get(..1) {
            detail = first.to_uppercase() + &detail[1..];
        }
        if !detail.ends_with('.') {
            detail.push('.');
        }
        detail
    };
    Diagnostic::error("Invalid HCL syntax", detail).with_span(Span::new(file, offset..end))
}

/// Map items in parallel on threads with large stacks, keeping input order.
fn parallel_map<T, R, F>(items: Vec<T>, f: F) -> Vec<R>
where
    T: Send,
    R: Send,
    F: Fn(T) -> R + Sync,
{
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len());
    if workers <= 1 {
        // Still run on a thread with a large stack: the main thread's may be small.
        return std::thread::scope(|scope| {
            let handle = std::thread::Builder::new()
                .stack_size(PARSER_STACK_BYTES)
                .spawn_scoped(scope, || items.into_iter().map(&f).collect::<Vec<R>>());
            match handle {
                Ok(h) => h.join().unwrap_or_default(),
                Err(_) => Vec::new(),
            }
        });
    }
    let slots: Vec<std::sync::Mutex<Option<T>>> = items
        .into_iter()
        .map(|t| std::sync::Mutex::new(Some(t)))
        .collect();
    let results: Vec<std::sync::Mutex<Option<R>>> = (0..slots.len())
        .map(|_| std::sync::Mutex::new(None))
        .collect();
    let next = std::sync::atomic::AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let _ = std::thread::Builder::new()
                .stack_size(PARSER_STACK_BYTES)
                .spawn_scoped(scope, || {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= slots.len() {
                            break;
                        }
                        let item = slots[i].lock().ok().and_then(|mut s| s.take());
                        if let Some(item) = item {
                            let r = f(item);
                            if let Ok(mut slot) = results[i].lock() {
                                *slot = Some(r);
                            }
                        }
                    }
                });
        }
    });
    results
        .into_iter()
        .filter_map(|m| m.into_inner().ok().flatten())
        .collect()
}

fn merge_fragment(module: &mut Module, fragment: Module) {
    if fragment.backend.is_some() {
        module.backend = fragment.backend;
    }
    if fragment.required_version.is_some() {
        module.required_version = fragment.required_version;
    }
    module.providers.extend(fragment.providers);
    module.variables.extend(fragment.variables);
    module.locals.extend(fragment.locals);
    module.outputs.extend(fragment.outputs);
    module.resources.extend(fragment.resources);
    module.module_calls.extend(fragment.module_calls);
    module.moved.extend(fragment.moved);
    module.imports.extend(fragment.imports);
    module.removed.extend(fragment.removed);
    module.checks.extend(fragment.checks);
}

/// Names that must be unique in a module: resources per type, variables, locals, outputs, calls.
fn check_duplicates(module: &Module, sources: &SourceMap, diagnostics: &mut Diagnostics) {
    use std::collections::HashMap;
    let mut seen: HashMap<(crate::config::addr::Mode, &str, &str), Span> = HashMap::new();
    for r in &module.resources {
        if let Some(first) = seen.insert((r.mode, &r.type_name, &r.name), r.span) {
            let kind = match r.mode {
                crate::config::addr::Mode::Managed => "resource",
                crate::config::addr::Mode::Data => "data",
            };
            diagnostics.push(
                Diagnostic::error(
                    format!("Duplicate {kind} \"{}\" configuration", r.type_name),
                    format!(
                        "A {} {kind} named \"{}\" was already declared at {}. Resource names must be unique per type in each module.",
                        r.type_name,
                        r.name,
                        location(sources, first)
                    ),
                )
                .with_span(r.span),
            );
        }
    }
    let mut dup = |kind: &str, what: &str, items: Vec<(&str, Span)>| {
        let mut names: HashMap<&str, Span> = HashMap::new();
        for (name, span) in items {
            if let Some(first) = names.insert(name, span) {
                diagnostics.push(
                    Diagnostic::error(
                        kind.to_string(),
                        format!(
                            "A {what} named \"{name}\" was already declared at {}. {what} names must be unique within a module.",
                            location(sources, first)
                        )
                        .replacen(&format!(". {what}"), &format!(". {}", capitalise(what)), 1),
                    )
                    .with_span(span),
                );
            }
        }
    };
    dup(
        "Duplicate variable declaration",
        "variable",
        module
            .variables
            .iter()
            .map(|v| (v.name.as_str(), v.span))
            .collect(),
    );
    dup(
        "Duplicate local value definition",
        "local value",
        module
            .locals
            .iter()
            .map(|v| (v.name.as_str(), v.span))
            .collect(),
    );
    dup(
        "Duplicate output definition",
        "output",
        module
            .outputs
            .iter()
            .map(|v| (v.name.as_str(), v.span))
            .collect(),
    );
    dup(
        "Duplicate module call",
        "module call",
        module
            .module_calls
            .iter()
            .map(|v| (v.name.as_str(), v.span))
            .collect(),
    );
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// `file:line` of a span, for "already declared at" details.
pub(super) fn location(sources: &SourceMap, span: Span) -> String {
    if (span.file.0 as usize) >= sources.len() {
        return "an earlier declaration".to_string();
    }
    let file = sources.get(span.file);
    format!("{}:{}", file.path.display(), file.line_col(span.start).line)
}

/// Read a file named by `file()` or `templatefile()`: relative paths are relative to the root
/// module's folder (Terraform's working directory), as `path.module` values are.
pub fn read_function_file(root: &Path, path: &str) -> Result<String, String> {
    let full = root.join(path);
    let metadata =
        std::fs::metadata(&full).map_err(|e| format!("no file exists at {path:?}: {e}"))?;
    if metadata.len() as usize > MAX_FILE_BYTES {
        return Err(format!(
            "{path:?} is larger than {} MB",
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    let bytes = std::fs::read(&full).map_err(|e| format!("failed to read {path:?}: {e}"))?;
    String::from_utf8(bytes).map_err(|_| format!("contents of {path:?} are not valid UTF-8; use the filebase64 function to obtain the Base64 encoded contents or the other file functions (e.g. filemd5, filesha256) to obtain file hashing results instead"))
}

/// Quoted strings split over several lines: hcl-edit accepts them, Terraform does not.
fn multi_line_strings(
    body: &hcl_edit::structure::Body,
    file: FileId,
    text: &str,
) -> Vec<Diagnostic> {
    use hcl_edit::Span as _;
    use hcl_edit::visit::{Visit, visit_expr};
    struct Finder<'t> {
        text: &'t str,
        found: Vec<std::ops::Range<usize>>,
    }
    impl Visit for Finder<'_> {
        fn visit_expr(&mut self, node: &hcl_edit::expr::Expression) {
            use hcl_edit::expr::Expression;
            if let (Expression::String(_) | Expression::StringTemplate(_), Some(range)) =
                (node, node.span())
            {
                let source = self.text.get(range.clone()).unwrap_or("");
                if source.starts_with('"') && source.contains('\n') {
                    self.found.push(range);
                }
            }
            visit_expr(self, node);
        }
    }
    let mut finder = Finder {
        text,
        found: Vec::new(),
    };
    finder.visit_body(body);
    finder
        .found
        .into_iter()
        .map(|range| {
            Diagnostic::error(
                "Invalid multi-line string",
                "Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.",
            )
            .with_span(Span::new(file, range))
        })
        .collect()
}
