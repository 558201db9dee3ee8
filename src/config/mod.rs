//! Reading configuration: every `*.tf` in a directory, variable files, and local modules, parsed with
//! hcl-edit so every block and expression keeps its source span; the module tree and addresses. It
//! must not evaluate expressions.

pub mod addr;
