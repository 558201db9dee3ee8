//! `plan` (and `show` of a saved plan later): load configuration and state, make the plan, render it
//! for people (`--markdown` for pull requests) or machines (`--json`), save it with `--out`, and map
//! the result to Terraform's exit codes (`--detailed-exitcode`: 2 when there are changes).

use super::Context;
use super::state::{DEFAULT_STATE_FILE, LockArgs, with_lock};
use super::validate::load_options;
use crate::config::{Config, LoadOptions, load_config, read_function_file};
use crate::desired::NoCloud;
use crate::diag::{Diagnostics, render_human};
use crate::plan::render_human::{HumanOptions, render};
use crate::plan::{Mode, Plan, PlanOptions, make_plan, no_domain_rule};
use crate::state::{CloudTarget, State};
use clap::{ArgAction, Args};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// Save the plan to this file, to apply exactly it later.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print Terraform's plan JSON document (as `terraform show -json` prints it).
    #[arg(long)]
    pub json: bool,
    /// Print a pull-request comment in Markdown.
    #[arg(long)]
    pub markdown: bool,
    /// Plan to destroy every object in the state.
    #[arg(long)]
    pub destroy: bool,
    /// Read the real objects first (--refresh=false skips it).
    #[arg(long, value_name = "BOOL", action = ArgAction::Set, num_args = 0..=1,
          default_value_t = true, default_missing_value = "true")]
    pub refresh: bool,
    /// Only update the state to match the real objects; change nothing.
    #[arg(long)]
    pub refresh_only: bool,
    /// Limit the plan to these addresses and what they depend on (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub target: Vec<String>,
    /// Plan to replace this object even if nothing forces it (repeatable).
    #[arg(long, value_name = "ADDR")]
    pub replace: Vec<String>,
    /// Set a root variable: --var 'name=value' (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read root variable values from a file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    /// Exit 2 when the plan has changes, 0 when it has none, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,
    /// How many steps apply runs at once (recorded for apply; plan itself is single-pass).
    #[arg(long, default_value_t = 10)]
    pub parallelism: usize,
    #[command(flatten)]
    pub lock: LockArgs,
}

/// The local state file: `backend "local" { path = … }` or `peerform.tfstate`.
pub fn state_file(ctx: &Context<'_>, config: &Config) -> PathBuf {
    let path = config
        .root()
        .backend
        .as_ref()
        .filter(|b| b.kind == "local")
        .and_then(|b| b.body.attribute("path"))
        .and_then(|a| a.expr.as_literal_str().map(str::to_string));
    ctx.dir
        .join(path.unwrap_or_else(|| DEFAULT_STATE_FILE.to_string()))
}

/// The cloud the command acts on, as its first line names it.
pub fn cloud_name() -> &'static str {
    "emulator (built-in ARM emulator, state of the emulated cloud in .peerform/)"
}

/// Load, plan and print. Returns the plan when it could be made.
pub fn plan_command(
    args: &PlanArgs,
    ctx: &mut Context<'_>,
    operation: &str,
) -> anyhow::Result<(i32, Option<Plan>)> {
    let options: LoadOptions = load_options(&args.vars, &args.var_files, ctx);
    let (config, mut diagnostics) = load_config(&ctx.dir, &options);
    if diagnostics.has_errors() {
        write!(
            ctx.err,
            "{}",
            render_human(&diagnostics, &config.sources, ctx.color)
        )?;
        return Ok((1, None));
    }
    let backend = super::backend::configured(ctx, &config)?.backend;
    let mode = if args.destroy {
        Mode::Destroy
    } else if args.refresh_only {
        Mode::RefreshOnly
    } else {
        Mode::Normal
    };
    let plan_options = PlanOptions {
        mode,
        targets: args.target.clone(),
        replace: args.replace.clone(),
    };
    let root = ctx.dir.clone();
    let result = with_lock(backend.as_ref(), &args.lock, operation, ctx, || {
        let state = backend.read()?.unwrap_or_else(|| {
            State::new(CloudTarget {
                target: "emulator".into(),
                endpoint: String::new(),
                subscription: String::new(),
            })
        });
        let files = move |path: &str| read_function_file(&root, path);
        let reader = NoCloud { files: &files };
        let (plan, _desired, diags) =
            make_plan(&config, &state, &reader, &plan_options, &no_domain_rule);
        Ok((plan, diags))
    })?;
    let (plan, plan_diags) = result;
    diagnostics.extend(plan_diags);
    diagnostics.sort();
    write!(
        ctx.err,
        "{}",
        render_human(&diagnostics, &config.sources, ctx.color)
    )?;
    if diagnostics.has_errors() {
        return Ok((1, None));
    }
    let human = render(
        &plan,
        &HumanOptions {
            cloud: cloud_name(),
            color: ctx.color,
        },
    );
    write!(ctx.out, "{human}")?;
    let code = if args.detailed_exitcode && plan.has_changes() {
        2
    } else {
        0
    };
    Ok((code, Some(plan)))
}

pub fn run(args: PlanArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let _ = Diagnostics::new();
    let (code, _plan) = plan_command(&args, ctx, "plan")?;
    Ok(code)
}
