//! `fmt`: rewrite configuration files in the canonical style, byte-identical to `terraform fmt`, with
//! its flags, file selection, output and exit codes (0 done, 2 a file could not be read or parsed, 3
//! with `--check` when a file would change). A file that does not parse is reported with a located
//! diagnostic and never rewritten. The formatting itself is `crate::fmt`; this file only walks paths,
//! reads and writes files and prints.

use super::Context;
use super::log;
use crate::diag::{Diagnostic, Diagnostics, SourceMap, render_human};
use clap::{ArgAction, Args, builder::BoolishValueParser};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

/// The file kinds `terraform fmt` formats (JSON variants are left alone).
const SUPPORTED_EXTENSIONS: &[&str] = &[".tf", ".tfvars", ".tftest.hcl", ".tfmock.hcl"];

/// What the path for standard input is called in messages, as Terraform calls it.
const STDIN_NAME: &str = "<stdin>";

/// Exit code when there were errors (Terraform's).
const EXIT_ERRORS: i32 = 2;
/// Exit code with `--check` when some input is not formatted.
const EXIT_UNFORMATTED: i32 = 3;

#[derive(Args, Debug)]
pub struct FmtArgs {
    /// Only check: exit 3 when any file would change, write nothing.
    #[arg(long)]
    pub check: bool,
    /// Show the changes as a unified diff.
    #[arg(long)]
    pub diff: bool,
    /// Also format files in subdirectories (hidden ones excepted).
    #[arg(long)]
    pub recursive: bool,
    /// Write changes back to the files; --write=false leaves them alone (always off for - and --check).
    #[arg(long, value_name = "BOOL", default_value_t = true, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub write: bool,
    /// List the files whose formatting changes; --list=false does not (always off for -).
    #[arg(long, value_name = "BOOL", default_value_t = true, num_args = 0..=1, require_equals = true,
          default_missing_value = "true", action = ArgAction::Set, value_parser = BoolishValueParser::new())]
    pub list: bool,
    /// Files or folders to format (default: the current folder); `-` reads standard input and
    /// writes the result to standard output.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// What to do with each file, after the flags have been reconciled as Terraform reconciles them.
struct Mode {
    list: bool,
    write: bool,
    diff: bool,
    recursive: bool,
}

/// Where results go: straight to the terminal, or (with `--check`) collected first.
struct Run<'c, 'o> {
    ctx: &'c mut Context<'o>,
    mode: Mode,
    buffer: Option<Vec<u8>>,
    sources: SourceMap,
    diagnostics: Diagnostics,
    /// The working directory as an absolute path, to show paths relative to it.
    base: PathBuf,
}

pub fn run(args: FmtArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let from_stdin = args.paths.first().is_some_and(|p| p == Path::new("-"));
    let mut mode = Mode {
        list: args.list && !from_stdin,
        write: args.write && !from_stdin,
        diff: args.diff,
        recursive: args.recursive,
    };
    let show_list = mode.list;
    if args.check {
        // The listing tells whether anything would change; it is shown only if asked for.
        mode.list = true;
        mode.write = false;
    }
    let base = std::path::absolute(&ctx.dir).unwrap_or_else(|_| ctx.dir.clone());
    let mut run = Run {
        ctx,
        mode,
        buffer: args.check.then(Vec::new),
        sources: SourceMap::new(),
        diagnostics: Diagnostics::new(),
        base,
    };
    if from_stdin {
        let mut input = Vec::new();
        match std::io::stdin().read_to_end(&mut input) {
            Ok(_) => run.file(STDIN_NAME, &input, None)?,
            Err(e) => run.diagnostics.push(Diagnostic::error(
                format!("Failed to read {STDIN_NAME}"),
                e.to_string(),
            )),
        }
    } else {
        let paths = if args.paths.is_empty() {
            vec![PathBuf::from(".")]
        } else {
            args.paths.clone()
        };
        run.paths(&paths)?;
    }
    let ctx = run.ctx;
    if run.diagnostics.has_errors() {
        write!(
            ctx.err,
            "{}",
            render_human(&run.diagnostics, &run.sources, ctx.color)
        )?;
        return Ok(EXIT_ERRORS);
    }
    match run.buffer {
        Some(buffer) => {
            if show_list && !buffer.is_empty() {
                write_output(ctx.out, &buffer)?;
            }
            Ok(if buffer.is_empty() {
                0
            } else {
                EXIT_UNFORMATTED
            })
        }
        None => Ok(0),
    }
}

/// Terraform prints through a writer that ends each write with exactly one line break.
fn write_output(out: &mut dyn Write, bytes: &[u8]) -> std::io::Result<()> {
    let trimmed = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    out.write_all(trimmed)?;
    out.write_all(b"\n")
}

impl Run<'_, '_> {
    fn emit(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match &mut self.buffer {
            Some(buffer) => {
                buffer.extend_from_slice(bytes);
                Ok(())
            }
            None => write_output(self.ctx.out, bytes),
        }
    }

    fn paths(&mut self, paths: &[PathBuf]) -> anyhow::Result<()> {
        for given in paths {
            let full = self.ctx.dir.join(given);
            let shown = self.shown(given);
            let Ok(metadata) = std::fs::metadata(&full) else {
                self.diagnostics.push(Diagnostic::error(
                    format!("No file or directory at {shown}"),
                    "Check the path; it is taken relative to the working directory (--chdir).",
                ));
                return Ok(());
            };
            if metadata.is_dir() {
                self.dir(&full, given)?;
            } else if SUPPORTED_EXTENSIONS.iter().any(|ext| shown.ends_with(ext)) {
                self.read_and_format(&full, &shown)?;
            } else {
                self.diagnostics.push(Diagnostic::error(
                    "Only .tf, .tfvars, .tftest.hcl and .tfmock.hcl files can be formatted",
                    format!("{shown} is none of these; JSON configuration is not formatted."),
                ));
            }
        }
        Ok(())
    }

    fn dir(&mut self, full: &Path, given: &Path) -> anyhow::Result<()> {
        log::debug(format_args!("fmt: looking for files in {}", full.display()));
        let entries = match std::fs::read_dir(full) {
            Ok(entries) => entries,
            Err(e) => {
                let shown = self.shown(given);
                let summary = if e.kind() == std::io::ErrorKind::NotFound {
                    format!("There is no configuration directory at {shown}")
                } else {
                    format!("Cannot read directory {shown}")
                };
                self.diagnostics
                    .push(Diagnostic::error(summary, e.to_string()));
                return Ok(());
            }
        };
        let mut entries: Vec<(std::ffi::OsString, bool)> = entries
            .filter_map(Result::ok)
            .map(|entry| {
                let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
                (entry.file_name(), is_dir)
            })
            .collect();
        entries.sort();
        for (name, is_dir) in entries {
            let text = name.to_string_lossy();
            if is_ignored(&text) {
                continue;
            }
            let child_given = given.join(&name);
            let child_full = full.join(&name);
            if is_dir {
                // Like Terraform, one module at a time unless asked to recurse.
                if self.mode.recursive {
                    self.dir(&child_full, &child_given)?;
                }
                continue;
            }
            if SUPPORTED_EXTENSIONS.iter().any(|ext| text.ends_with(ext)) {
                let shown = self.shown(&child_given);
                self.read_and_format(&child_full, &shown)?;
            }
        }
        Ok(())
    }

    fn read_and_format(&mut self, full: &Path, shown: &str) -> anyhow::Result<()> {
        match std::fs::read(full) {
            Ok(bytes) => self.file(shown, &bytes, Some(full)),
            Err(e) => {
                self.diagnostics.push(Diagnostic::error(
                    format!("Failed to read file {shown}"),
                    e.to_string(),
                ));
                Ok(())
            }
        }
    }

    /// Format one input; `full` is where to write it back (None for standard input).
    fn file(&mut self, shown: &str, bytes: &[u8], full: Option<&Path>) -> anyhow::Result<()> {
        log::debug(format_args!("fmt: formatting {shown}"));
        let text: Arc<str> = Arc::from(String::from_utf8_lossy(bytes).as_ref());
        let file = self.sources.add(PathBuf::from(shown), text);
        let formatted = match crate::fmt::format_bytes(bytes, file) {
            Ok(formatted) => formatted,
            Err(diagnostics) => {
                log::debug(format_args!("fmt: {shown} does not parse; left untouched"));
                self.diagnostics.extend(diagnostics);
                return Ok(());
            }
        };
        let changed = formatted.as_bytes() != bytes;
        if changed {
            log::debug(format_args!("fmt: {shown} changes"));
            if self.mode.list {
                self.emit(format!("{shown}\n").as_bytes())?;
            }
            if self.mode.write
                && let Some(full) = full
                && let Err(e) = std::fs::write(full, formatted.as_bytes())
            {
                self.diagnostics.push(Diagnostic::error(
                    format!("Failed to write {shown}"),
                    e.to_string(),
                ));
                return Ok(());
            }
            if self.mode.diff {
                let old = String::from_utf8_lossy(bytes);
                let diff = crate::fmt::unified_diff(&old, &formatted, shown);
                self.emit(diff.as_bytes())?;
            }
        }
        if !self.mode.list && !self.mode.write && !self.mode.diff {
            self.emit(formatted.as_bytes())?;
        }
        Ok(())
    }

    /// A path as the user should see it: relative to the working directory where possible.
    fn shown(&self, given: &Path) -> String {
        let joined = if given.is_absolute() {
            clean(given)
        } else {
            clean(&self.base.join(given))
        };
        let shown = relative_to(&joined, &clean(&self.base)).unwrap_or(joined);
        shown.to_string_lossy().into_owned()
    }
}

/// Files and folders Terraform skips: hidden, editor backups (`x~`) and lock files (`#x#`).
fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.len() > 1 && name.starts_with('#') && name.ends_with('#'))
}

/// Lexically clean a path: drop `.` components and resolve `..` against earlier components.
fn clean(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    out
}

/// `path` relative to `base` (both absolute and clean), with `..` where needed.
fn relative_to(path: &Path, base: &Path) -> Option<PathBuf> {
    let path_parts: Vec<Component> = path.components().collect();
    let base_parts: Vec<Component> = base.components().collect();
    if path_parts.first() != base_parts.first() {
        return None;
    }
    let common = path_parts
        .iter()
        .zip(&base_parts)
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in common..base_parts.len() {
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part.as_os_str());
    }
    if out.as_os_str().is_empty() {
        out.push(".");
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_shown_relative_to_the_working_directory() {
        let base = Path::new("/work/infra");
        assert_eq!(
            relative_to(&clean(&base.join("./a/../b.tf")), base).unwrap(),
            PathBuf::from("b.tf")
        );
        assert_eq!(
            relative_to(Path::new("/work/other/c.tf"), base).unwrap(),
            PathBuf::from("../other/c.tf")
        );
        assert_eq!(relative_to(base, base).unwrap(), PathBuf::from("."));
    }

    #[test]
    fn hidden_and_backup_files_are_ignored() {
        assert!(is_ignored(".terraform"));
        assert!(is_ignored("main.tf~"));
        assert!(is_ignored("#main.tf#"));
        assert!(!is_ignored("main.tf"));
    }
}
