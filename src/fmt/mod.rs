//! Canonical formatting, byte-identical to `terraform fmt`: source text in, formatted text or located
//! syntax diagnostics out. hcl-edit decides whether the text is valid HCL (a file that does not parse
//! is never rewritten) and the few checks it leaves to later stages that Terraform's parser makes
//! up front are added here; the formatting itself follows Terraform's rules, which are rules about
//! HCL's tokens ([`token`]): its rewrites ([`rewrite`]) and layout ([`layout`]). This module reads no
//! files and prints nothing; `cli::fmt` does that, and renders the [`unified_diff`].
//!
//! Where hcl-edit refuses what Terraform's parser accepts, the file is refused (with a diagnostic)
//! rather than formatted: nesting deeper than 64 levels or more than 128 chained operators, an
//! object constructor that repeats a literal key (Terraform rejects that later, at validation), and,
//! inside an object after a tuple, an item ending in a bare name followed by a line that starts with
//! a parenthesised key (hcl-edit reads a function call). Everything else was checked against
//! Terraform 1.11 on thousands of generated and mutated files.
mod layout;
#[cfg(test)]
mod proptests;
mod rewrite;
mod token;

use crate::diag::{Diagnostic, Diagnostics, FileId, Span};
use token::Kind;

/// Stack for the parser thread: hcl-edit is recursive descent (it refuses nesting past 64 levels,
/// which fits well within this).
const PARSER_STACK_BYTES: usize = 16 * 1024 * 1024;

const BYTE_ORDER_MARK: &str = "\u{feff}";

/// Format one file's text. On a syntax error the diagnostics are returned (located in `file`) and
/// nothing is formatted.
pub fn format_source(source: &str, file: FileId) -> Result<String, Diagnostics> {
    let (bom_len, text) = match source.strip_prefix(BYTE_ORDER_MARK) {
        Some(rest) => (BYTE_ORDER_MARK.len(), rest),
        None => (0, source),
    };
    let scanned = token::scan(text);
    let mut diagnostics = scan_problems(&scanned, text, file, bom_len);
    if diagnostics.is_empty() {
        diagnostics.extend(keyword_problems(&scanned.tokens, text, file, bom_len));
    }
    if diagnostics.is_empty() {
        let parser_view = parser_view(text, &scanned.tokens);
        if let Err(diagnostic) = parse(&parser_view, file, bom_len) {
            diagnostics.push(diagnostic);
        }
    }
    if !diagnostics.is_empty() {
        diagnostics.sort();
        return Err(diagnostics);
    }
    format_tokens(text, &scanned.tokens, bom_len).map_err(|misplaced| {
        let range = scanned
            .tokens
            .get(misplaced.index)
            .map_or(text.len()..text.len(), |t| t.range.clone());
        Diagnostic::error(misplaced.summary, misplaced.detail)
            .with_span(Span::new(file, range.start + bom_len..range.end + bom_len))
            .into()
    })
}

/// Format bytes as read from a file: text that is not UTF-8 is a diagnostic, as Terraform refuses it.
pub fn format_bytes(source: &[u8], file: FileId) -> Result<String, Diagnostics> {
    match std::str::from_utf8(source) {
        Ok(text) => format_source(text, file),
        Err(error) => {
            let at = error.valid_up_to();
            Err(Diagnostic::error(
                "Invalid character encoding",
                "All input files must be UTF-8 encoded. Ensure that UTF-8 encoding is selected in your editor.",
            )
            .with_span(Span::new(file, at..at + 1))
            .into())
        }
    }
}

fn format_tokens(
    text: &str,
    tokens: &[token::Token],
    bom_len: usize,
) -> Result<String, rewrite::Misplaced> {
    let mut previous_end = 0;
    let mut writer_tokens = Vec::with_capacity(tokens.len());
    for (i, token) in tokens.iter().enumerate() {
        // The byte-order mark counts as leading space, as it does for Terraform (whose writer
        // measures gaps in bytes); layout then resets it, except before the end of an empty file.
        let gap = token.range.start.saturating_sub(previous_end) + if i == 0 { bom_len } else { 0 };
        writer_tokens.push(layout::WriterToken {
            kind: token.kind,
            text: std::borrow::Cow::Borrowed(text.get(token.range.clone()).unwrap_or("")),
            spaces_before: gap,
        });
        previous_end = token.range.end;
    }
    let mut writer_tokens = rewrite::rewrite(writer_tokens)?;
    layout::format_tokens(&mut writer_tokens);
    Ok(layout::write_tokens(&writer_tokens))
}

/// The text as hcl-edit should see it: the same length and the same line breaks, with two things
/// hcl-edit misreads replaced by equivalents it reads correctly.
/// - A carriage return inside a comment that does not end a line becomes a space (HCL's scanner
///   takes any byte in a comment; hcl-edit refuses a lone carriage return there).
/// - An empty heredoc (`<<X` directly followed by its closing `X`) becomes a parenthesised `0` of the
///   same shape: hcl-edit looks for a line break before the closing marker, so it otherwise runs on
///   to the next line that holds the same marker, and then reports errors that are not there (or
///   misses ones that are).
fn parser_view<'t>(text: &'t str, tokens: &[token::Token]) -> std::borrow::Cow<'t, str> {
    let lone_cr_in_comment = |t: &token::Token| {
        t.kind == Kind::Comment
            && text
                .get(t.range.clone())
                .is_some_and(|c| c.trim_end_matches("\r\n").contains('\r'))
    };
    let empty_heredoc = |i: usize| {
        tokens[i].kind == Kind::OHeredoc
            && tokens.get(i + 1).is_some_and(|t| t.kind == Kind::CHeredoc)
    };
    let needed = tokens
        .iter()
        .enumerate()
        .any(|(i, t)| lone_cr_in_comment(t) || empty_heredoc(i));
    if !needed {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut bytes = text.as_bytes().to_vec();
    for (i, token) in tokens.iter().enumerate() {
        let range = token.range.start.min(bytes.len())..token.range.end.min(bytes.len());
        if lone_cr_in_comment(token) {
            for at in range.clone() {
                let ends_line = bytes.get(at + 1) == Some(&b'\n');
                if bytes[at] == b'\r' && !ends_line {
                    bytes[at] = b' ';
                }
            }
        } else if empty_heredoc(i) {
            // `<<X⏎` becomes `(0  ⏎` (the line break kept) and the closing `X` becomes `)`.
            let line_break = if text[range.clone()].ends_with("\r\n") {
                2
            } else {
                1
            };
            for (n, at) in range.clone().enumerate() {
                if at + line_break >= range.end {
                    break;
                }
                bytes[at] = match n {
                    0 => b'(',
                    1 => b'0',
                    _ => b' ',
                };
            }
            if let Some(close) = tokens.get(i + 1) {
                for (n, at) in close.range.clone().enumerate() {
                    if let Some(byte) = bytes.get_mut(at) {
                        *byte = if n == 0 { b')' } else { b' ' };
                    }
                }
            }
        }
    }
    // Whole tokens were replaced byte for byte by ASCII, so this is still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
}

/// What the scanner alone shows to be invalid, with Terraform's wording.
fn scan_problems(scanned: &token::Scanned, text: &str, file: FileId, offset: usize) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let span =
        |range: std::ops::Range<usize>| Span::new(file, range.start + offset..range.end + offset);
    for token in &scanned.tokens {
        match token.kind {
            Kind::QuotedNewline => diagnostics.push(
                Diagnostic::error(
                    "Invalid multi-line string",
                    "Quoted strings may not be split over multiple lines. To produce a multi-line string, either use the \\n escape to represent a newline character or use the \"heredoc\" multi-line template syntax.",
                )
                .with_span(span(token.range.clone())),
            ),
            Kind::Invalid | Kind::Reserved => {
                let shown = text.get(token.range.clone()).unwrap_or("");
                diagnostics.push(
                    Diagnostic::error(
                        "Invalid character",
                        format!("This character is not used within the language: {shown:?}."),
                    )
                    .with_span(span(token.range.clone())),
                );
            }
            _ => {}
        }
        if !diagnostics.0.is_empty() {
            break;
        }
    }
    if let Some(open) = &scanned.unterminated {
        let detail = if open.heredoc {
            "No closing marker was found for the heredoc. The marker must stand alone on its own line, followed by a line break."
        } else {
            "No closing quote was found for the string."
        };
        diagnostics.push(
            Diagnostic::error("Unterminated template string", detail)
                .with_span(span(open.start..open.start + 1)),
        );
    }
    diagnostics
}

/// What Terraform's parser refuses and hcl-edit lets through: a `for` whose names are not followed by
/// the `in` keyword, a directive with an unknown keyword, chained legacy indexes (`a.0.1`) and a
/// splat inside an attribute-only splat (`a.*.b.*`).
fn keyword_problems(
    tokens: &[token::Token],
    text: &str,
    file: FileId,
    offset: usize,
) -> Option<Diagnostic> {
    let word = |i: usize| -> Option<&str> {
        let token = tokens.get(i)?;
        (token.kind == Kind::Ident).then(|| text.get(token.range.clone()).unwrap_or(""))
    };
    let at = |i: usize| {
        let range = tokens
            .get(i)
            .map_or(text.len()..text.len(), |t| t.range.clone());
        Span::new(file, range.start + offset..range.end + offset)
    };
    let skip_newlines = |mut i: usize| {
        while tokens.get(i).is_some_and(|t| t.kind == Kind::Newline) {
            i += 1;
        }
        i
    };
    // After `for NAME [, NAME]`: the index where `in` must stand, or None when this is no `for`.
    let in_position = |for_at: usize| -> Option<usize> {
        let mut i = skip_newlines(for_at + 1);
        word(i)?;
        i = skip_newlines(i + 1);
        if tokens.get(i).is_some_and(|t| t.kind == Kind::Comma) {
            i = skip_newlines(i + 1);
            word(i)?;
            i = skip_newlines(i + 1);
        }
        Some(i)
    };
    for (i, token) in tokens.iter().enumerate() {
        match token.kind {
            Kind::Dot => {
                let next = tokens.get(i + 1).map(|t| t.kind);
                if next == Some(Kind::NumberLit) {
                    let number = tokens
                        .get(i + 1)
                        .and_then(|t| text.get(t.range.clone()))
                        .unwrap_or("");
                    if let Some((first, second)) = number.split_once('.') {
                        return Some(
                            Diagnostic::error(
                                "Invalid legacy index syntax",
                                format!("When using the legacy index syntax, chaining two indexes together is not permitted. Use the proper index syntax instead, like [{first}][{second}]."),
                            )
                            .with_span(at(i + 1)),
                        );
                    }
                }
                if next == Some(Kind::Star) {
                    // An attribute-only splat continues with `.name` or `.0` steps only.
                    let mut j = i + 2;
                    while tokens.get(j).is_some_and(|t| t.kind == Kind::Dot)
                        && tokens
                            .get(j + 1)
                            .is_some_and(|t| matches!(t.kind, Kind::Ident | Kind::NumberLit))
                    {
                        j += 2;
                    }
                    if tokens.get(j).is_some_and(|t| t.kind == Kind::Dot)
                        && tokens.get(j + 1).is_some_and(|t| t.kind == Kind::Star)
                    {
                        return Some(
                            Diagnostic::error(
                                "Nested splat expression not allowed",
                                "A splat expression (*) cannot be used inside another attribute-only splat expression.",
                            )
                            .with_span(at(j + 1)),
                        );
                    }
                }
            }
            Kind::OBrack | Kind::OBrace => {
                let for_at = skip_newlines(i + 1);
                if word(for_at) != Some("for") {
                    continue;
                }
                if let Some(in_at) = in_position(for_at)
                    && word(in_at) != Some("in")
                {
                    return Some(
                        Diagnostic::error(
                            "Invalid 'for' expression",
                            "For expression requires the 'in' keyword after its name declarations.",
                        )
                        .with_span(at(in_at)),
                    );
                }
            }
            Kind::TemplateControl => {
                let keyword = word(i + 1);
                match keyword {
                    Some("if" | "else" | "endif" | "endfor") => {}
                    Some("for") => {
                        if let Some(in_at) = in_position(i + 1)
                            && word(in_at) != Some("in")
                        {
                            return Some(
                                Diagnostic::error(
                                    "Invalid 'for' directive",
                                    "For directive requires 'in' keyword after names.",
                                )
                                .with_span(at(in_at)),
                            );
                        }
                    }
                    Some(other) => {
                        return Some(
                            Diagnostic::error(
                                "Invalid template control keyword",
                                format!("\"{other}\" is not a valid template control keyword."),
                            )
                            .with_span(at(i + 1)),
                        );
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }
    None
}

/// Parse with hcl-edit on a thread with room for its recursion.
fn parse(text: &str, file: FileId, offset: usize) -> Result<(), Diagnostic> {
    let run = || -> Result<(), Diagnostic> {
        hcl_edit::parser::parse_body(text)
            .map(|_| ())
            .map_err(|error| syntax_error(file, text, offset, &error))
    };
    std::thread::scope(|scope| {
        match std::thread::Builder::new()
            .stack_size(PARSER_STACK_BYTES)
            .spawn_scoped(scope, run)
        {
            Ok(handle) => handle.join().unwrap_or_else(|_| {
                Err(
                    Diagnostic::error("Invalid HCL syntax", "The file could not be parsed.")
                        .with_span(Span::new(file, offset..offset)),
                )
            }),
            Err(_) => run(),
        }
    })
}

/// hcl-edit's error as a diagnostic at its position: `validate`'s form, except that a repeated
/// argument gets Terraform's own summary.
fn syntax_error(
    file: FileId,
    text: &str,
    offset: usize,
    error: &hcl_edit::parser::Error,
) -> Diagnostic {
    let mut diagnostic = crate::config::parse_error(file, text, error);
    if error.message().contains("redefined attribute") {
        diagnostic.summary = "Attribute redefined".into();
        diagnostic.detail =
            "Each argument may be set only once in a block. Remove or rename the repeated one."
                .into();
    }
    if let Some(span) = &mut diagnostic.span {
        span.start += offset;
        span.end += offset;
    }
    diagnostic
}

/// A unified diff of `old` against `new` as `diff -u` prints it, labelled `old/PATH` and `new/PATH`
/// (what `terraform fmt -diff` shows). Empty when they are equal.
pub fn unified_diff(old: &str, new: &str, path: &str) -> String {
    if old == new {
        return String::new();
    }
    let diff = similar::TextDiff::from_lines(old, new);
    let mut unified = diff.unified_diff();
    unified
        .context_radius(3)
        .header(&format!("old/{path}"), &format!("new/{path}"));
    unified.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fmt(source: &str) -> String {
        format_source(source, FileId(0)).unwrap_or_else(|d| panic!("{:?}", d))
    }

    #[test]
    fn aligns_equals_and_indents() {
        assert_eq!(
            fmt("resource \"a\" \"b\" {\nname = 1\nlonger_name=\"x\"\n}\n"),
            "resource \"a\" \"b\" {\n  name        = 1\n  longer_name = \"x\"\n}\n"
        );
    }

    #[test]
    fn unwraps_lone_interpolations() {
        assert_eq!(fmt("a = \"${var.x}\"\n"), "a = var.x\n");
        assert_eq!(fmt("a = \"${var.x}-y\"\n"), "a = \"${var.x}-y\"\n");
    }

    #[test]
    fn modernises_variable_types() {
        assert_eq!(
            fmt("variable \"v\" {\ntype = \"list\"\n}\n"),
            "variable \"v\" {\n  type = list(string)\n}\n"
        );
        assert_eq!(
            fmt("variable \"v\" {\ntype = map\n}\n"),
            "variable \"v\" {\n  type = map(any)\n}\n"
        );
    }

    #[test]
    fn quotes_identifier_labels() {
        assert_eq!(fmt("resource x y {}\n"), "resource \"x\" \"y\" {}\n");
    }

    #[test]
    fn syntax_errors_are_located() {
        let error = format_source("a = {\n", FileId(0)).unwrap_err();
        assert!(error.has_errors());
        assert!(error.iter().all(|d| d.span.is_some()));
    }

    #[test]
    fn duplicate_arguments_are_refused() {
        let error = format_source("a = 1\na = 2\n", FileId(0)).unwrap_err();
        assert_eq!(error.0[0].summary, "Attribute redefined");
    }
}
