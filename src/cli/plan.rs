//! `plan`: load configuration and state, make the plan, render it
//! for people (`--markdown` for pull requests) or machines (`--json`), save it with `--out`, and map
//! the result to Terraform's exit codes (`--detailed-exitcode`: 2 when there are changes).

use super::Context;
use super::state::{DEFAULT_STATE_FILE, LockArgs, with_lock};
use super::validate::load_options;
use crate::config::{Config, LoadOptions, load_config, read_function_file};
use crate::desired::NoCloud;
use crate::diag::render_human;
use crate::plan::planfile::{self, SavedPlan};
use crate::plan::render_human::{HumanOptions, render};
use crate::plan::render_json::{self, Configuration, JsonContext};
use crate::plan::render_markdown::{self, MarkdownOptions};
use crate::plan::{Mode, Plan, PlanOptions, make_plan, no_domain_rule};
use crate::state::{Backend, CloudTarget, LocalBackend, State};
use anyhow::Context as _;
use clap::{ArgAction, Args};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct PlanArgs {
    /// Save the plan to this file, to apply exactly it later.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Print Terraform's plan JSON document (as `terraform show -json` prints it).
    #[arg(long, conflicts_with = "markdown")]
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

/// The peerform version recorded in plans.
pub const PEERFORM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where a cut Markdown comment sends the reader for the whole plan.
pub const FULL_PLAN_HINT: &str = "peerform plan --out plan.out && peerform show plan.out";

/// How the plan is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

/// Print a plan in the chosen format.
pub fn print_plan(
    ctx: &mut Context<'_>,
    plan: &Plan,
    configuration: &Configuration,
    cloud: &str,
    format: Format,
    full_plan_hint: &str,
) -> anyhow::Result<()> {
    match format {
        Format::Human => {
            let human = render(
                plan,
                &HumanOptions {
                    cloud,
                    color: ctx.color,
                },
            );
            write!(ctx.out, "{human}")?;
        }
        Format::Json => {
            let json = render_json::render(
                plan,
                &JsonContext {
                    configuration,
                    cloud,
                    peerform_version: PEERFORM_VERSION,
                },
            );
            writeln!(ctx.out, "{json}")?;
        }
        Format::Markdown => {
            let markdown = render_markdown::render(
                plan,
                &MarkdownOptions {
                    cloud,
                    full_plan_hint,
                    ..MarkdownOptions::default()
                },
            );
            write!(ctx.out, "{markdown}")?;
        }
    }
    Ok(())
}

/// The configuration files as (path relative to the working directory, text), for the plan's digest.
fn config_files(ctx: &Context<'_>, config: &Config) -> Vec<(String, String)> {
    (0..config.sources.len())
        .map(|i| {
            let id = crate::diag::FileId(i as u32);
            let path = config.sources.path(id);
            let relative = path.strip_prefix(&ctx.dir).unwrap_or(path);
            (
                relative.to_string_lossy().replace('\\', "/"),
                config.sources.get(id).text.to_string(),
            )
        })
        .collect()
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
    let backend = LocalBackend::new(&state_file(ctx, &config));
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
    let result = with_lock(&backend, &args.lock, operation, ctx, || {
        let stored = backend.read()?;
        let fresh = stored.is_none();
        let state = stored.unwrap_or_else(|| {
            State::new(CloudTarget {
                target: "emulator".into(),
                endpoint: String::new(),
                subscription: String::new(),
            })
        });
        let files = move |path: &str| read_function_file(&root, path);
        let reader = NoCloud { files: &files };
        let (mut plan, _desired, diags) =
            make_plan(&config, &state, &reader, &plan_options, &no_domain_rule);
        if fresh {
            // No state yet: Terraform's empty lineage at serial 0, not the throwaway state's random
            // one, so that planning twice gives the same bytes.
            plan.prior_lineage = String::new();
            plan.prior_serial = 0;
        }
        Ok((plan, diags, (!fresh).then_some(state.secrets)))
    })?;
    let (plan, plan_diags, secrets) = result;
    diagnostics.extend(plan_diags);
    diagnostics.sort();
    write!(
        ctx.err,
        "{}",
        render_human(&diagnostics, &config.sources, ctx.color)
    )?;
    let format = if args.json {
        Format::Json
    } else if args.markdown {
        Format::Markdown
    } else {
        Format::Human
    };
    let configuration = render_json::configuration(&config);
    // The same words whether the comment comes from `plan` or from `show` of a saved plan.
    let hint = FULL_PLAN_HINT;
    if diagnostics.has_errors() {
        // Machines and pull requests still get a document that says the plan failed, and why.
        if format != Format::Human {
            print_plan(ctx, &plan, &configuration, cloud_name(), format, hint)?;
        }
        return Ok((1, None));
    }
    if let Some(path) = &args.out {
        let files = config_files(ctx, &config);
        let config_digest =
            planfile::config_digest(files.iter().map(|(p, t)| (p.clone(), t.as_str())));
        // Sensitive variables are digested under the state's salt, or (no state yet) under one
        // derived from the configuration; the plan file records which.
        let secrets = secrets.unwrap_or_else(|| planfile::fresh_secret_params(&config_digest));
        let variables = planfile::variable_records(&plan.variables, &secrets)?;
        let saved = SavedPlan {
            plan: plan.clone(),
            configuration: configuration.clone(),
            peerform_version: PEERFORM_VERSION.to_string(),
            cloud: cloud_name().to_string(),
            config_digest,
            variables_digest: planfile::variables_digest(&variables),
            variables,
            secret_params: secrets,
        };
        let bytes = planfile::encode(&saved)?;
        let target = if path.is_absolute() {
            path.clone()
        } else {
            ctx.dir.join(path)
        };
        std::fs::write(&target, bytes)
            .with_context(|| format!("writing the plan to {}", target.display()))?;
    }
    print_plan(ctx, &plan, &configuration, cloud_name(), format, hint)?;
    if format == Format::Human
        && let Some(path) = &args.out
    {
        writeln!(
            ctx.out,
            "\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    peerform apply {}",
            path.display(),
            path.display()
        )?;
    }
    let code = if args.detailed_exitcode && plan.has_changes() {
        2
    } else {
        0
    };
    Ok((code, Some(plan)))
}

pub fn run(args: PlanArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let (code, _plan) = plan_command(&args, ctx, "plan")?;
    Ok(code)
}
