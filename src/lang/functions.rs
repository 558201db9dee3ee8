//! The built-in functions (Terraform's names and semantics), except `try`, `can`, `file` and
//! `templatefile`, which need the evaluator or a file reader and live in `eval`. Unknown arguments make
//! the result unknown; sensitive arguments make it sensitive. (Filled in by the functions work.)

use super::Value;

/// Call a built-in function with evaluated arguments. The error is the detail of an
/// "Error in function call" / "Invalid function argument" diagnostic.
pub fn call(name: &str, _args: Vec<Value>) -> Result<Value, String> {
    Err(format!("there is no function named \"{name}\""))
}

/// Whether a function of this name exists (including the ones `eval` handles itself).
pub fn exists(name: &str) -> bool {
    NAMES.contains(&name)
}

/// Every function name, for "did you mean" hints.
pub const NAMES: &[&str] = &[];
