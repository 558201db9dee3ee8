//! The command line: argv normalisation (Terraform's single-dash spellings), clap definitions, and the
//! wiring of library pieces per command. The only module that prints or reads the environment.

use std::ffi::OsString;

/// Run with these arguments (program name first) and return the process exit code.
pub fn main_with_args(args: Vec<OsString>) -> i32 {
    let _ = args;
    0
}
