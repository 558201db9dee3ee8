//! `state …`, `init` and `force-unlock`: thin wrappers over `state`. (Filled in by the state work.)

use super::Context;
use clap::{Args, Subcommand};

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    /// List resources in the state.
    List {
        /// Only addresses starting with this prefix.
        prefix: Option<String>,
    },
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Register the state merge driver with git and write .gitignore entries.
    #[arg(long)]
    pub git: bool,
}

#[derive(Args, Debug)]
pub struct ForceUnlockArgs {
    /// The lock id printed by the command that found the lock.
    pub lock_id: String,
}

pub fn run(cmd: StateCommand, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let _ = (cmd, ctx);
    anyhow::bail!("state commands are not implemented yet")
}

pub fn run_init(args: InitArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let _ = (args, ctx);
    anyhow::bail!("init is not implemented yet")
}

pub fn run_force_unlock(args: ForceUnlockArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let _ = (args, ctx);
    anyhow::bail!("force-unlock is not implemented yet")
}
