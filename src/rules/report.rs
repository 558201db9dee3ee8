//! Turning a rule's finding into a [`Diagnostic`]: the `[ID]` prefix on the summary, the
//! `Rule ID: <link>` line at the end of the detail, the span of the offending argument, the
//! resource address, and the user's level for the rule (off, info, warning, error). It decides
//! nothing about what is wrong; the `check_*` files do.

use super::RuleSettings;
use super::catalogue::rule;
use super::model::Node;
use crate::diag::{Diagnostic, Severity};

pub(crate) struct Sink<'s> {
    settings: &'s RuleSettings,
    out: Vec<Diagnostic>,
}

impl<'s> Sink<'s> {
    pub fn new(settings: &'s RuleSettings) -> Self {
        Sink {
            settings,
            out: Vec::new(),
        }
    }

    /// False when the user switched the rule off: the check need not run.
    pub fn enabled(&self, id: &str) -> bool {
        self.settings.enabled(id)
    }

    /// Report a finding with the rule's catalogue severity.
    pub fn emit(
        &mut self,
        id: &'static str,
        node: &Node<'_>,
        paths: &[&str],
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        let severity = rule(id).map(|r| r.severity).unwrap_or(Severity::Error);
        self.emit_as(severity, id, node, paths, summary, detail);
    }

    /// Report a finding with its own severity (a rule's milder second case, e.g. a warning).
    pub fn emit_as(
        &mut self,
        severity: Severity,
        id: &'static str,
        node: &Node<'_>,
        paths: &[&str],
        summary: impl Into<String>,
        detail: impl Into<String>,
    ) {
        let Some(severity) = self.settings.severity(id, severity) else {
            return;
        };
        let link = rule(id).map(|r| r.source()).unwrap_or_default();
        let detail = detail.into();
        let detail = if detail.is_empty() {
            format!("Rule {id}: {link}")
        } else {
            format!("{detail}\n\nRule {id}: {link}")
        };
        self.out.push(Diagnostic {
            severity,
            summary: format!("[{id}] {}", summary.into()),
            detail,
            span: Some(node.span_of(paths)),
            address: Some(node.addr.to_string()),
        });
    }

    pub fn finish(self) -> Vec<Diagnostic> {
        self.out
    }
}
