//! `validate`: load and evaluate the configuration, run the checks, print diagnostics (human or
//! `terraform validate -json`), exit 0 when valid and 1 otherwise. Needs no state and no cloud.

use super::Context;
use crate::config::{LoadOptions, load_config, read_function_file};
use crate::desired::{NoCloud, build};
use crate::diag::{Diagnostics, render_human, render_json_validate};
use clap::Args;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Print the result as the JSON document `terraform validate -json` prints.
    #[arg(long)]
    pub json: bool,
    /// Set a root variable: --var 'name=value' (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read root variable values from a file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<std::path::PathBuf>,
}

/// Load, evaluate and check the configuration in `ctx.dir`; every diagnostic of every stage.
pub fn check_configuration(
    dir: &std::path::Path,
    options: &LoadOptions,
) -> (crate::config::Config, Diagnostics) {
    let (config, mut diagnostics) = load_config(dir, options);
    if !diagnostics.has_errors() {
        let root = dir.to_path_buf();
        let files = move |path: &str| read_function_file(&root, path);
        let reader = NoCloud { files: &files };
        let (desired, desired_diags) = build(&config, &reader);
        diagnostics.extend(desired_diags);
        // The process ends right after: freeing millions of small values would cost more than
        // evaluating them (measured), so leave that to the operating system.
        std::mem::forget(desired);
    }
    diagnostics.sort();
    (config, diagnostics)
}

/// Variable sources from flags and the environment.
pub fn load_options(
    vars: &[String],
    var_files: &[std::path::PathBuf],
    ctx: &Context<'_>,
) -> LoadOptions {
    LoadOptions {
        var_files: var_files.to_vec(),
        vars: vars.to_vec(),
        env: ctx.env.clone(),
    }
}

pub fn run(args: ValidateArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let options = load_options(&args.vars, &args.var_files, ctx);
    let (config, diagnostics) = check_configuration(&ctx.dir, &options);
    if args.json {
        write!(
            ctx.out,
            "{}",
            render_json_validate(&diagnostics, &config.sources)
        )?;
    } else {
        write!(
            ctx.err,
            "{}",
            render_human(&diagnostics, &config.sources, ctx.color)
        )?;
        if !diagnostics.has_errors() {
            if ctx.color {
                writeln!(
                    ctx.out,
                    "\x1b[32m\x1b[1mSuccess!\x1b[0m The configuration is valid."
                )?;
            } else {
                writeln!(ctx.out, "Success! The configuration is valid.")?;
            }
        }
    }
    let code = if diagnostics.has_errors() { 1 } else { 0 };
    // See check_configuration: the process is about to exit.
    std::mem::forget(config);
    Ok(code)
}
