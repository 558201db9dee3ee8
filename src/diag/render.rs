//! Rendering diagnostics: the human form (Terraform's boxed layout with `file:line:col`, the source
//! line and a caret underline) and the `terraform validate -json` document. Pure: returns strings.

use super::{Diagnostic, Diagnostics, Severity, SourceMap};
use serde::Serialize;

/// Render every diagnostic in Terraform's boxed style. `color` adds ANSI colours (only on a terminal,
/// never with NO_COLOR; the caller decides).
pub fn render_human(diagnostics: &Diagnostics, sources: &SourceMap, color: bool) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics.iter() {
        render_one(&mut out, diagnostic, sources, color);
    }
    out
}

fn render_one(out: &mut String, d: &Diagnostic, sources: &SourceMap, color: bool) {
    let (label, paint) = match d.severity {
        Severity::Error => ("Error", "\x1b[1;31m"),
        Severity::Warning => ("Warning", "\x1b[1;33m"),
        Severity::Info => ("Info", "\x1b[1;36m"),
    };
    let bar = "│";
    out.push_str("╷\n");
    if color {
        out.push_str(&format!(
            "{bar} {paint}{label}: \x1b[0m\x1b[1m{}\x1b[0m\n",
            d.summary
        ));
    } else {
        out.push_str(&format!("{bar} {label}: {}\n", d.summary));
    }
    if let Some(span) = d.span.filter(|s| (s.file.0 as usize) < sources.len()) {
        let file = sources.get(span.file);
        let start = file.line_col(span.start);
        let end = file.line_col(span.end.max(span.start));
        out.push_str(&format!("{bar}\n"));
        let context = d
            .address
            .as_ref()
            .map(|a| format!(", in {a}"))
            .unwrap_or_default();
        out.push_str(&format!(
            "{bar}   on {}:{}:{}{context}:\n",
            file.path.display(),
            start.line,
            start.column
        ));
        let line_text = file.line_text(start.line);
        let shown: String = line_text.chars().take(200).collect();
        let gutter = format!("{:>4}: ", start.line);
        out.push_str(&format!("{bar} {gutter}{shown}\n"));
        let width = if end.line == start.line {
            end.column.saturating_sub(start.column).max(1)
        } else {
            line_text
                .chars()
                .count()
                .saturating_sub(start.column - 1)
                .max(1)
        };
        let pad = " ".repeat(gutter.len() + start.column - 1);
        let carets = "^".repeat(width.min(200));
        out.push_str(&format!("{bar} {pad}{carets}\n"));
    } else if let Some(address) = &d.address {
        out.push_str(&format!("{bar}\n{bar}   with {address}\n"));
    }
    if !d.detail.is_empty() {
        out.push_str(&format!("{bar}\n"));
        for line in d.detail.lines() {
            if line.is_empty() {
                out.push_str(&format!("{bar}\n"));
            } else {
                out.push_str(&format!("{bar} {line}\n"));
            }
        }
    }
    out.push_str("╵\n");
}

#[derive(Serialize)]
struct ValidateJson<'a> {
    format_version: &'static str,
    valid: bool,
    error_count: usize,
    warning_count: usize,
    diagnostics: Vec<DiagnosticJson<'a>>,
}

#[derive(Serialize)]
struct DiagnosticJson<'a> {
    severity: &'static str,
    summary: &'a str,
    detail: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    address: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    range: Option<RangeJson>,
}

#[derive(Serialize)]
struct RangeJson {
    filename: String,
    start: PosJson,
    end: PosJson,
}

#[derive(Serialize)]
struct PosJson {
    line: usize,
    column: usize,
    byte: usize,
}

/// The document `terraform validate -json` prints, for these diagnostics.
pub fn render_json_validate(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let doc = ValidateJson {
        format_version: "1.0",
        valid: !diagnostics.has_errors(),
        error_count: diagnostics.error_count(),
        warning_count: diagnostics.warning_count(),
        diagnostics: diagnostics
            .iter()
            .map(|d| DiagnosticJson {
                severity: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "info",
                },
                summary: &d.summary,
                detail: &d.detail,
                address: d.address.as_deref(),
                range: d
                    .span
                    .filter(|s| (s.file.0 as usize) < sources.len())
                    .map(|span| {
                        let file = sources.get(span.file);
                        let pos = |byte| {
                            let lc = file.line_col(byte);
                            PosJson {
                                line: lc.line,
                                column: lc.column,
                                byte: lc.byte,
                            }
                        };
                        RangeJson {
                            filename: file.path.display().to_string(),
                            start: pos(span.start),
                            end: pos(span.end.max(span.start)),
                        }
                    }),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&doc).expect("validate JSON serialises") + "\n"
}
