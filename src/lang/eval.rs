//! Evaluation of hcl-edit expressions and templates against a [`Scope`], with unknown and sensitive
//! propagation, and the static reference finder `desired` uses to order evaluation. (Filled in by the
//! evaluator work.)

use super::{Scope, Value};
use crate::diag::{Diagnostic, FileId, Span};
use hcl_edit::expr::Expression;

/// A reference found in an expression: `var.x`, `local.y`, `azurerm_subnet.gw.id`, `module.m.out`, …
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    pub root: String,
    pub steps: Vec<RefStep>,
    pub span: Span,
}

/// A traversal step known without evaluation.
#[derive(Clone, Debug, PartialEq)]
pub enum RefStep {
    Attr(String),
    /// An index whose key is a literal (`["hub"]`, `[0]`).
    Index(Value),
    /// An index computed by an expression, or a splat.
    Dynamic,
}

pub fn eval(_expr: &Expression, _file: FileId, _scope: &dyn Scope) -> Result<Value, Diagnostic> {
    Ok(Value::Unknown)
}

/// Parse and evaluate a template string (used by `templatefile`).
pub fn eval_template_str(_template: &str, _file: FileId, _scope: &dyn Scope) -> Result<Value, Diagnostic> {
    Ok(Value::Unknown)
}

/// Every reference in the expression, excluding names bound by `for` expressions and template `for`
/// directives.
pub fn references(_expr: &Expression, _file: FileId) -> Vec<Reference> {
    Vec::new()
}
