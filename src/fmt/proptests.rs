//! Property tests for the formatter: take formatted configuration (the fmt corpus's expected files
//! and the valid config fixtures), disturb only its layout (spaces and tabs between tokens, extra
//! blank lines, CRLF line endings), then check that formatting succeeds, is idempotent, and leaves
//! the syntax tree unchanged (hcl-edit's trees compare without whitespace and comments). Case
//! counts are capped so the suite stays fast.

use super::token::{Kind, scan};
use super::{FileId, format_source};
use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Formatted sources to disturb.
fn sources() -> &'static [String] {
    static SOURCES: OnceLock<Vec<String>> = OnceLock::new();
    SOURCES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files: Vec<PathBuf> = Vec::new();
        collect(&root.join("testdata/fmt"), "expected.tf", &mut files);
        collect(&root.join("testdata/config/valid"), ".tf", &mut files);
        files.sort();
        files
            .iter()
            .filter_map(|f| std::fs::read_to_string(f).ok())
            .filter(|text| format_source(text, FileId(0)).is_ok_and(|f| &f == text))
            .collect()
    })
}

fn collect(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, suffix, out);
        } else if path.to_string_lossy().ends_with(suffix) {
            out.push(path);
        }
    }
}

/// A small deterministic generator, so a failing case is reproduced from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// Whether spaces may go between these two tokens without changing what the text means: both must
/// be in configuration syntax, not inside a string or heredoc.
fn spaces_allowed(left: Kind, right: Kind) -> bool {
    let inside_template_left = matches!(
        left,
        Kind::OQuote | Kind::QuotedLit | Kind::OHeredoc | Kind::StringLit | Kind::TemplateSeqEnd
    );
    let inside_template_right = matches!(
        right,
        Kind::CQuote
            | Kind::QuotedLit
            | Kind::StringLit
            | Kind::CHeredoc
            | Kind::TemplateInterp
            | Kind::TemplateControl
    );
    !inside_template_left && !inside_template_right
}

/// Disturb the layout of `text` without changing its meaning.
fn disturb(text: &str, seed: u64) -> String {
    let mut rng = Rng(seed | 1);
    let tokens = scan(text).tokens;
    let mut out = String::with_capacity(text.len() * 2);
    let mut previous_end = 0;
    let mut previous_kind = Kind::Newline;
    for token in &tokens {
        let gap = &text[previous_end..token.range.start];
        let roll = rng.below(10);
        if spaces_allowed(previous_kind, token.kind) && (roll < 4 || !gap.is_empty()) {
            let width = 1 + rng.below(4) as usize;
            for _ in 0..width {
                out.push(if rng.below(5) == 0 { '\t' } else { ' ' });
            }
        } else {
            out.push_str(gap);
        }
        out.push_str(&text[token.range.clone()]);
        if token.kind == Kind::Newline && rng.below(12) == 0 {
            out.push('\n');
        }
        previous_end = token.range.end;
        previous_kind = token.kind;
    }
    out.push_str(&text[previous_end..]);
    if rng.below(6) == 0 {
        out = out.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    out
}

/// Clears the layout hcl-edit's equality still looks at: the space before a closing bracket of an
/// object, tuple or argument list, and inside template directives. (Heredoc closing indentation is content and
/// is kept.)
struct ClearTrailing;

impl hcl_edit::visit_mut::VisitMut for ClearTrailing {
    fn visit_object_mut(&mut self, node: &mut hcl_edit::expr::Object) {
        node.set_trailing("");
        hcl_edit::visit_mut::visit_object_mut(self, node);
    }

    fn visit_array_mut(&mut self, node: &mut hcl_edit::expr::Array) {
        node.set_trailing("");
        hcl_edit::visit_mut::visit_array_mut(self, node);
    }

    fn visit_func_args_mut(&mut self, node: &mut hcl_edit::expr::FuncArgs) {
        node.set_trailing("");
        hcl_edit::visit_mut::visit_func_args_mut(self, node);
    }

    fn visit_if_directive_mut(&mut self, node: &mut hcl_edit::template::IfDirective) {
        node.if_expr.set_preamble("");
        if let Some(else_expr) = &mut node.else_expr {
            else_expr.set_preamble("");
            else_expr.set_trailing("");
        }
        node.endif_expr.set_preamble("");
        node.endif_expr.set_trailing("");
        hcl_edit::visit_mut::visit_if_directive_mut(self, node);
    }

    fn visit_for_directive_mut(&mut self, node: &mut hcl_edit::template::ForDirective) {
        node.for_expr.set_preamble("");
        node.endfor_expr.set_preamble("");
        node.endfor_expr.set_trailing("");
        hcl_edit::visit_mut::visit_for_directive_mut(self, node);
    }
}

/// The syntax tree, without layout.
fn parse(text: &str) -> hcl_edit::structure::Body {
    let mut body = hcl_edit::parser::parse_body(text.trim_start_matches('\u{feff}'))
        .unwrap_or_else(|e| panic!("does not parse: {e}\n{text}"));
    hcl_edit::visit_mut::VisitMut::visit_body_mut(&mut ClearTrailing, &mut body);
    body
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn formatting_is_idempotent_and_keeps_the_structure(pick in 0usize..10_000, seed in any::<u64>()) {
        let sources = sources();
        prop_assume!(!sources.is_empty());
        let original = &sources[pick % sources.len()];
        let disturbed = disturb(original, seed);
        let once = format_source(&disturbed, FileId(0))
            .unwrap_or_else(|d| panic!("disturbed text does not format: {d:?}\n{disturbed}"));
        let twice = format_source(&once, FileId(0)).expect("formatted text formats");
        prop_assert_eq!(&once, &twice, "not idempotent");
        prop_assert!(parse(&disturbed) == parse(&once), "structure changed:\n{}\n---\n{}", disturbed, once);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Any text at all, HCL punctuation included, is formatted or refused with a diagnostic: never a
    /// panic. What is formatted formats to itself.
    #[test]
    fn any_text_is_formatted_or_refused(text in "[{}\\[\\]()\"'=$%#/*\\\\<>!?:.,+~ \t\r\nabcEOT019_-]{0,200}") {
        if let Ok(once) = format_source(&text, FileId(0)) {
            let twice = format_source(&once, FileId(0));
            prop_assert!(twice.as_ref().is_ok_and(|t| t == &once), "not idempotent: {:?} -> {:?}", text, once);
        }
    }
}

#[test]
fn disturbing_changes_layout_only() {
    let text = "a = {\n  b = \"x ${y}\"\n}\n";
    let disturbed = disturb(text, 7);
    assert_eq!(
        disturbed.split_whitespace().collect::<String>(),
        text.split_whitespace().collect::<String>()
    );
}

#[test]
fn there_are_sources_to_disturb() {
    assert!(sources().len() >= 40, "only {} sources", sources().len());
}
