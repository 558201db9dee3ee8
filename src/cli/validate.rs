//! `validate`: load and evaluate the configuration, run the checks, print diagnostics.

use super::Context;
use clap::Args;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Print the result as the JSON document `terraform validate -json` prints.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: ValidateArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let _ = (args, ctx);
    Ok(0)
}
