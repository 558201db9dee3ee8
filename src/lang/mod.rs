//! The expression language: values with unknown and sensitive marks, type constraints, evaluation of
//! hcl-edit expressions and templates, and the built-in functions. It must not know resource types and
//! must not read files: references and file contents come through the [`Scope`] the caller passes in.

mod eval;
mod eval_call;
mod eval_ops;
mod eval_refs;
mod eval_template;
#[cfg(test)]
mod eval_tests;
mod eval_traversal;
pub mod functions;
mod types;
mod value;

pub use eval::{RefStep, Reference, eval, eval_template_str, references};
pub use types::{ObjectAttr, Type};
pub use value::{Number, Value};

use crate::diag::{Diagnostic, FileId, Span};

/// One step of a traversal after its root name, with index keys already evaluated.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    Attr(String),
    Index(Value),
}

/// What an expression can see: named values (`var`, `local`, `each`, `count`, `path`, resources, …) and,
/// for `file()` and `templatefile()`, file contents. `desired` implements it; tests use small fixtures.
pub trait Scope {
    /// Resolve a reference: its root identifier (`var`, `local`, `azurerm_subnet`, …) and the traversal
    /// steps that follow it. The scope consumes as many leading steps as it understands and returns the
    /// value reached plus the number of steps consumed; the evaluator applies the remaining steps
    /// generically. An undeclared name is a diagnostic located at `span`.
    fn resolve(&self, root: &str, steps: &[Step], span: Span)
    -> Result<(Value, usize), Diagnostic>;

    /// Contents of a file named by `file()` or `templatefile()`, as the user wrote the path.
    fn read_file(&self, path: &str) -> Result<String, String>;
}

/// Where an expression comes from, so diagnostics point at it.
#[derive(Clone, Copy, Debug)]
pub struct ExprSource {
    pub file: FileId,
}
