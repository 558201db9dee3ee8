//! `plan`: load configuration and state, make the plan, render it
//! for people (`--markdown` for pull requests) or machines (`--json`), save it with `--out`, and map
//! the result to Terraform's exit codes (`--detailed-exitcode`: 2 when there are changes).

use super::Context;
use super::reader::CloudReader;
use super::state::{DEFAULT_STATE_FILE, LockArgs};
use super::validate::load_options;
use crate::config::{Config, LoadOptions, load_config, read_function_file};
use crate::desired::NoCloud;
use crate::diag::render_human;
use crate::plan::planfile::{self, SavedPlan};
use crate::plan::render_human::{HumanOptions, render};
use crate::plan::render_json::{self, Configuration, JsonContext};
use crate::plan::render_markdown::{self, MarkdownOptions};
use crate::plan::{Mode, Plan, PlanOptions, make_plan};
use crate::provider::Provider;
use crate::state::{Backend, CloudTarget, LockRequest, RetryOptions, State, StateStore};
use anyhow::Context as _;
use clap::{ArgAction, Args};
use std::path::PathBuf;

#[derive(Args, Clone, Debug)]
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
    /// Change a domain rule's severity or switch it off: --rule G1=warning (repeatable).
    #[arg(long = "rule", value_name = "ID=LEVEL")]
    pub rules: Vec<String>,
    #[command(flatten)]
    pub lock: LockArgs,
    /// Where to act: emulator (default), azure, or an ARM endpoint URL such as
    /// http://127.0.0.1:8444 (also: PEERFORM_CLOUD).
    #[arg(long, value_name = "TARGET")]
    pub cloud: Option<String>,
    /// Plan a state recorded against another cloud target anyway.
    #[arg(long)]
    pub allow_cloud_change: bool,
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

/// The peerform version recorded in plans.
pub const PEERFORM_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Where a cut Markdown comment sends the reader for the whole plan (the same words whether the
/// comment comes from `plan` or from `show` of a saved plan).
pub const FULL_PLAN_HINT: &str = "peerform plan --out plan.out && peerform show plan.out";

/// How the plan is printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

impl Format {
    fn of(args: &PlanArgs) -> Format {
        if args.json {
            Format::Json
        } else if args.markdown {
            Format::Markdown
        } else {
            Format::Human
        }
    }
}

/// The configuration summary `print_plan` needs: only the JSON document shows it, and at 11,000
/// resources building it costs more than rendering the human plan.
fn configuration_for(config: &Config, format: Format) -> Configuration {
    if format == Format::Json {
        render_json::configuration(config)
    } else {
        Configuration::default()
    }
}

/// Print a plan in the chosen format.
pub fn print_plan(
    ctx: &mut Context<'_>,
    plan: &Plan,
    configuration: &Configuration,
    cloud: &str,
    format: Format,
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
                    full_plan_hint: FULL_PLAN_HINT,
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

/// The digest a saved plan records of the configuration files.
fn config_digest_of(ctx: &Context<'_>, config: &Config) -> String {
    let files = config_files(ctx, config);
    planfile::config_digest(files.iter().map(|(p, t)| (p.clone(), t.as_str())))
}

/// Save the plan to `path` (`--out`): the plan, the configuration summary, the prior state's lineage
/// and serial, and digests of the configuration files and variable values.
fn save_plan(
    ctx: &Context<'_>,
    prepared: &Prepared<'_>,
    cloud: &str,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let config_digest = config_digest_of(ctx, &prepared.config);
    // Sensitive variables are digested under the state's salt or, with no state yet, under one
    // derived from the configuration; the plan file records which.
    let secrets = if prepared.plan.prior_lineage.is_empty() {
        planfile::fresh_secret_params(&config_digest)
    } else {
        prepared.state.secrets.clone()
    };
    let variables = planfile::variable_records(&prepared.plan.variables, &secrets)?;
    let saved = SavedPlan {
        plan: prepared.plan.clone(),
        configuration: render_json::configuration(&prepared.config),
        peerform_version: PEERFORM_VERSION.to_string(),
        cloud: cloud.to_string(),
        config_digest,
        variables_digest: planfile::variables_digest(&variables),
        variables,
        secret_params: secrets,
        refresh: prepared.refreshed,
    };
    let bytes = planfile::encode(&saved)?;
    let target = if path.is_absolute() {
        path.to_path_buf()
    } else {
        ctx.dir.join(path)
    };
    std::fs::write(&target, bytes)
        .with_context(|| format!("writing the plan to {}", target.display()))
}

/// The domain replacement rules (C6, C7, C12, W6) in the plan's terms.
pub fn domain_rule(
    type_name: &str,
    before: &crate::lang::Value,
    after: &crate::lang::Value,
) -> Option<crate::plan::ReplaceReason> {
    let reason = crate::rules::replacement_reason(type_name, before, after)?;
    // `sku.family` → `sku[0].family`: nested blocks are lists in the plan's paths.
    let parts: Vec<&str> = reason.attribute.split('.').collect();
    let attribute = parts.join("[0].");
    Some(crate::plan::ReplaceReason {
        attribute: Some(attribute),
        rule: Some(reason.rule_id.to_string()),
        message: reason.message,
    })
}

/// The `--cloud` value, or `PEERFORM_CLOUD`.
pub fn cloud_arg(args: &PlanArgs, ctx: &Context<'_>) -> Option<String> {
    args.cloud.clone().or_else(|| {
        ctx.env
            .iter()
            .find(|(k, v)| k == "PEERFORM_CLOUD" && !v.is_empty())
            .map(|(_, v)| v.clone())
    })
}

/// A held state lock, released explicitly (or, failing that, when dropped).
pub struct LockGuard<'b> {
    backend: &'b dyn Backend,
    id: Option<String>,
}

impl LockGuard<'_> {
    pub fn release(mut self) -> anyhow::Result<()> {
        match self.id.take() {
            Some(id) => self.backend.unlock(&id).with_context(|| {
                format!(
                    "releasing the state lock {id}; remove it with `peerform force-unlock {id}`"
                )
            }),
            None => Ok(()),
        }
    }
}

impl Drop for LockGuard<'_> {
    fn drop(&mut self) {
        if let Some(id) = self.id.take() {
            let _ = self.backend.unlock(&id);
        }
    }
}

pub(super) fn take_lock<'b>(
    backend: &'b dyn Backend,
    args: &LockArgs,
    operation: &str,
    ctx: &Context<'_>,
) -> anyhow::Result<LockGuard<'b>> {
    if !args.lock {
        return Ok(LockGuard { backend, id: None });
    }
    let request = LockRequest {
        who: super::state::who(ctx),
        operation: operation.to_string(),
        created: super::state::now(),
    };
    let retry = RetryOptions {
        timeout: args.lock_timeout,
        interval: std::time::Duration::from_millis(250),
    };
    let info = crate::state::lock_with_retry(backend, &request, retry, &mut std::thread::sleep)
        .context("error acquiring the state lock")?;
    Ok(LockGuard {
        backend,
        id: Some(info.id),
    })
}

/// Everything `apply` needs after the plan was made and shown.
pub struct Prepared<'b> {
    pub config: Config,
    pub state: State,
    pub plan: Plan,
    pub backend: &'b StateStore,
    pub lock: LockGuard<'b>,
    /// The root module's folder, for `file()`.
    pub reader_root: PathBuf,
    /// Whether refresh found objects changed or deleted outside peerform.
    pub drifted: bool,
    /// Whether the plan read the cloud first.
    pub refreshed: bool,
}

/// Read every object in the state through the provider (in parallel) and bring the state's
/// attributes up to date; objects deleted outside peerform leave the state. Secrets keep their
/// digests. Returns a line per object that changed outside peerform.
pub fn refresh(
    state: &mut State,
    provider: &Provider,
    parallelism: usize,
) -> anyhow::Result<Vec<String>> {
    use rayon::prelude::*;
    let entries: Vec<(
        crate::config::addr::ResourceInstanceAddr,
        crate::state::ResourceState,
    )> = state
        .resources
        .iter()
        .filter(|(a, _)| a.resource.mode == crate::config::addr::Mode::Managed)
        .map(|(a, r)| (a.clone(), r.clone()))
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(parallelism.max(1))
        .build()
        .context("starting the refresh workers")?;
    let read: Vec<anyhow::Result<Option<crate::lang::Value>>> = pool.install(|| {
        entries
            .par_iter()
            .map(|(addr, r)| {
                if r.id.is_empty() {
                    return Ok(None);
                }
                let id = crate::arm::ResourceId::parse(&r.id)?;
                let prior = crate::lang::Value::map(r.attributes.clone());
                provider
                    .read(&r.type_name, &id, Some(&prior))
                    .with_context(|| format!("refreshing {addr}"))
            })
            .collect()
    });
    let mut drift = Vec::new();
    for ((addr, r), result) in entries.into_iter().zip(read) {
        match result? {
            None => {
                drift.push(format!("  # {addr} has been deleted outside peerform"));
                state.resources.remove(&addr);
            }
            Some(value) => {
                let Some(map) = value.as_map() else { continue };
                let mut changed = Vec::new();
                let entry = match state.resources.get_mut(&addr) {
                    Some(e) => e,
                    None => continue,
                };
                for (k, v) in map {
                    if k == "id"
                        || r.secrets.contains_key(k)
                        || crate::state::ALWAYS_SECRET.contains(&k.as_str())
                        || v.contains_sensitive()
                    {
                        continue;
                    }
                    let attr_schema =
                        crate::schema::resource(&r.type_name).and_then(|s| s.block.attribute(k));
                    let schema_secret = attr_schema.is_some_and(|a| a.sensitive);
                    // Azure-computed attributes (a VNet's inline subnets filled by subnet objects)
                    // follow other objects: kept up to date, but not reported as drift.
                    let quiet = attr_schema.is_none_or(|a| a.computed)
                        || crate::schema::resource(&r.type_name)
                            .and_then(|s| s.block.block(k))
                            .is_some_and(|b| b.computed);
                    if schema_secret || !v.is_wholly_known() {
                        continue;
                    }
                    let old = entry
                        .attributes
                        .get(k)
                        .cloned()
                        .unwrap_or(crate::lang::Value::Null);
                    if crate::plan::normalise(&old) != crate::plan::normalise(v) {
                        if !quiet {
                            changed.push(k.clone());
                        }
                        // As the state file holds them: sets as sorted lists.
                        entry
                            .attributes
                            .insert(k.clone(), crate::plan::normalise_keep_marks(v));
                    }
                }
                if !changed.is_empty() {
                    drift.push(format!(
                        "  # {addr} has changed outside peerform: {}",
                        changed.join(", ")
                    ));
                }
            }
        }
    }
    Ok(drift)
}

/// Load configuration and state (locked), refresh, plan, and print the plan. `None` when there were
/// errors (already printed).
pub fn plan_for_apply<'b>(
    args: &PlanArgs,
    planfile: Option<&std::path::Path>,
    ctx: &mut Context<'_>,
    operation: &str,
    cloud: &str,
    provider: Option<&Provider>,
    backend_slot: &'b mut Option<StateStore>,
) -> anyhow::Result<Option<Prepared<'b>>> {
    // A saved plan is made again, the way it was made, and applied only if nothing it was made
    // from has changed and the plan comes out the same: exactly the actions that were reviewed.
    let saved = match planfile {
        Some(path) => Some((read_saved_plan(ctx, path, cloud)?, path)),
        None => None,
    };
    let saved_args;
    let args = match &saved {
        Some((saved, _)) => {
            saved_args = args_of_saved_plan(args, saved);
            &saved_args
        }
        None => args,
    };
    let options: LoadOptions = load_options(&args.vars, &args.var_files, ctx);
    let (mut config, mut diagnostics) = load_config(&ctx.dir, &options);
    let (rule_settings, settings_diags) =
        super::validate::rule_settings(&ctx.dir, &mut config, &args.rules);
    diagnostics.extend(settings_diags);
    if diagnostics.has_errors() {
        write!(
            ctx.err,
            "{}",
            render_human(&diagnostics, &config.sources, ctx.color)
        )?;
        return Ok(None);
    }
    if let Some((saved, path)) = &saved
        && config_digest_of(ctx, &config) != saved.config_digest
    {
        anyhow::bail!(
            "the configuration has changed since the plan {} was saved, so it is not the plan that was reviewed; run `peerform plan --out {}` again",
            path.display(),
            path.display()
        );
    }
    let backend: &'b StateStore = backend_slot.insert(super::backend::store(ctx, &config)?);
    let lock = take_lock(backend, &args.lock, operation, ctx)?;
    let stored = backend.read()?;
    let fresh = stored.is_none();
    if let Some((saved, path)) = &saved {
        check_saved_prior(saved, path, stored.as_ref())?;
    }
    let mut state = stored.unwrap_or_else(|| State::new(CloudTarget::default()));
    // The state remembers where it was applied; another target is a mistake unless asked for.
    let (target, endpoint) = split_cloud(cloud);
    if !state.resources.is_empty()
        && !state.cloud.target.is_empty()
        && !args.allow_cloud_change
        && (state.cloud.target != target || state.cloud.endpoint != endpoint)
    {
        anyhow::bail!(
            "this state was applied to {} {} but the command targets {cloud}: pass --cloud {} to use the recorded target, or --allow-cloud-change if you really mean to move it",
            state.cloud.target,
            state.cloud.endpoint,
            if state.cloud.target == "http" {
                state.cloud.endpoint.clone()
            } else {
                state.cloud.target.clone()
            }
        );
    }
    let mut drifted = false;
    let mut imported = Vec::new();
    if let Some(provider) = provider {
        if state.cloud.target.is_empty() {
            state.cloud = CloudTarget {
                target: target.to_string(),
                endpoint: endpoint.to_string(),
                subscription: provider.client().subscription().to_string(),
            };
        }
        if args.refresh && !state.resources.is_empty() {
            let drift = refresh(&mut state, provider, args.parallelism)?;
            if !drift.is_empty() {
                drifted = true;
                writeln!(
                    ctx.out,
                    "\nNote: Objects have changed outside of peerform\n\n{}\n",
                    drift.join("\n")
                )?;
            }
        }
        if !args.destroy {
            imported = super::import::read_import_blocks(&config, &mut state, provider)?;
        }
    }
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
    let files = move |path: &str| read_function_file(&root, path);
    let no_cloud = NoCloud { files: &files };
    // Data sources are read through the cloud when there is one; otherwise they stay unknown.
    let providers = provider
        .map(|p| super::providers::Providers::new(p, &config))
        .transpose()?;
    let cloud_reader = providers.as_ref().map(|providers| {
        CloudReader::new(
            providers,
            &files,
            super::apply::client_identity(ctx),
            cloud == "emulator",
        )
    });
    let reader: &dyn crate::desired::Reader = match &cloud_reader {
        Some(r) => r,
        None => &no_cloud,
    };
    let (mut plan, desired, mut plan_diags) =
        make_plan(&config, &state, reader, &plan_options, &domain_rule);
    if fresh {
        // No state yet: Terraform's empty lineage at serial 0, not the throwaway state's random one,
        // so that planning twice gives the same bytes.
        plan.prior_lineage = String::new();
        plan.prior_serial = 0;
    }
    // Domain rules on the planned graph, with the prior state (C8, C9, D7 need it).
    if !plan_diags.has_errors() {
        let prior = |addr: &crate::config::addr::ResourceInstanceAddr| {
            let object = state.resources.get(addr)?;
            Some(crate::lang::Value::map(object.attributes.clone()))
        };
        plan_diags.extend(crate::rules::check(&desired, &prior, &rule_settings));
    }
    // The evaluated graph is done with. `plan` exits soon after, and freeing 11,000 instances value
    // by value takes longer than the exit does: that command leaves it to the exit.
    if operation == "plan" {
        std::mem::forget(desired);
    } else {
        drop(desired);
    }
    diagnostics.extend(plan_diags);
    for problem in cloud_reader.iter().flat_map(CloudReader::problems) {
        diagnostics.push(crate::diag::Diagnostic::warning(
            "Data source not read",
            problem,
        ));
    }
    // Objects read for `import` blocks: the plan shows them imported, and the state keeps the
    // dependencies the configuration gives them.
    for (to, id) in &imported {
        let Some(change) = plan.changes.iter_mut().find(|c| &c.addr == to) else {
            continue;
        };
        change.importing = Some(id.clone());
        let dependencies = change.dependencies.clone();
        let addrs: Vec<_> = dependencies
            .iter()
            .map(|&d| plan.changes[d].addr.clone())
            .collect();
        if let Some(object) = state.resources.get_mut(to) {
            let mut addrs = addrs;
            addrs.sort();
            addrs.dedup();
            object.dependencies = addrs;
        }
    }
    diagnostics.sort();
    write!(
        ctx.err,
        "{}",
        render_human(&diagnostics, &config.sources, ctx.color)
    )?;
    let format = Format::of(args);
    if diagnostics.has_errors() {
        // Machines and pull requests still get a document that says the plan failed, and why.
        if format != Format::Human {
            plan.diagnostics = diagnostics.iter().cloned().collect();
            let configuration = configuration_for(&config, format);
            print_plan(ctx, &plan, &configuration, cloud, format)?;
        }
        lock.release()?;
        return Ok(None);
    }
    // The rules' warnings belong to the plan too (JSON and Markdown list them).
    plan.diagnostics = diagnostics.iter().cloned().collect();
    match &saved {
        // Terraform applies a saved plan without showing it again.
        Some((saved, path)) => {
            if let Err(e) = check_saved_plan(saved, &plan, path) {
                lock.release()?;
                return Err(e);
            }
        }
        // Terraform's refresh-only wording: the drift above is all there is to apply.
        _ if mode == Mode::RefreshOnly && format == Format::Human => {
            if drifted {
                writeln!(
                    ctx.out,
                    "Cloud: {cloud}\n\nThis is a refresh-only plan, so peerform will not take any actions to undo these. If you were expecting these changes then you can apply this plan to record the updated values in the peerform state without changing any remote objects."
                )?;
            } else {
                writeln!(
                    ctx.out,
                    "Cloud: {cloud}\n\nNo changes. Your infrastructure still matches the configuration.\n\npeerform has checked that the real remote objects still match the result of your most recent changes, and found no differences."
                )?;
            }
        }
        _ => {
            let configuration = configuration_for(&config, format);
            print_plan(ctx, &plan, &configuration, cloud, format)?;
        }
    }
    Ok(Some(Prepared {
        config,
        state,
        plan,
        backend,
        lock,
        reader_root: ctx.dir.clone(),
        drifted,
        refreshed: args.refresh,
    }))
}

/// The state a saved plan was made against must be the state now: the same lineage (a first-ever
/// state, empty lineage at serial 0, compares by serial only, as in Terraform) and serial.
fn check_saved_prior(
    saved: &SavedPlan,
    path: &std::path::Path,
    stored: Option<&State>,
) -> anyhow::Result<()> {
    let (lineage, serial) = match stored {
        Some(state) => (state.lineage.as_str(), state.serial),
        None => ("", 0),
    };
    if !saved.plan.prior_lineage.is_empty() && lineage != saved.plan.prior_lineage {
        anyhow::bail!(
            "Saved plan does not match the given state: {} was made against lineage {:?}, but the state is lineage {lineage:?} (another state, or one recreated since); run `peerform plan --out {}` again",
            path.display(),
            saved.plan.prior_lineage,
            path.display()
        );
    }
    if serial != saved.plan.prior_serial
        || (saved.plan.prior_lineage.is_empty() && !lineage.is_empty())
    {
        anyhow::bail!(
            "Saved plan is stale: {} was made against state serial {} of lineage {:?}, but the state is now serial {serial} of lineage {lineage:?}; something was applied since. Run `peerform plan --out {}` again",
            path.display(),
            saved.plan.prior_serial,
            saved.plan.prior_lineage,
            path.display()
        );
    }
    Ok(())
}

/// Read a saved plan for `apply PLANFILE`, checking what can be checked before any work: the file
/// itself, the peerform that wrote it, and the cloud it was made for.
fn read_saved_plan(
    ctx: &Context<'_>,
    path: &std::path::Path,
    cloud: &str,
) -> anyhow::Result<SavedPlan> {
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        ctx.dir.join(path)
    };
    let bytes = std::fs::read(&full)
        .with_context(|| format!("reading the saved plan {}", full.display()))?;
    let saved = planfile::decode(&bytes)
        .map_err(|e| anyhow::anyhow!("reading the saved plan {}: {e}", full.display()))?;
    if saved.peerform_version != PEERFORM_VERSION {
        anyhow::bail!(
            "the saved plan {} was made by peerform {}, and this is peerform {PEERFORM_VERSION}; plan again with this version",
            path.display(),
            saved.peerform_version
        );
    }
    if saved.cloud != cloud {
        anyhow::bail!(
            "the saved plan {} was made for {}, but this apply targets {cloud}; pass --cloud to match, or plan again",
            path.display(),
            saved.cloud
        );
    }
    Ok(saved)
}

/// The plan arguments a saved plan was made with: its mode, targets, replacements and refresh.
/// Variables still come from the command line, files and environment (a plan file holds no secret
/// value), and are checked against the plan's record of them.
fn args_of_saved_plan(args: &PlanArgs, saved: &SavedPlan) -> PlanArgs {
    let mut args = args.clone();
    args.destroy = saved.plan.mode == Mode::Destroy;
    args.refresh_only = saved.plan.mode == Mode::RefreshOnly;
    args.refresh = saved.refresh || args.refresh_only;
    args.target = saved.plan.targets.clone();
    args.replace = saved
        .plan
        .changes
        .iter()
        .filter(|c| c.action_reason == Some(crate::plan::ActionReason::ReplaceByRequest))
        .map(|c| c.addr.to_string())
        .collect();
    args
}

/// Whether the plan made again for `apply PLANFILE` is the saved one: the same variable values
/// (secrets compared by digest) and the same changes.
fn check_saved_plan(
    saved: &SavedPlan,
    remade: &Plan,
    path: &std::path::Path,
) -> anyhow::Result<()> {
    let variables = planfile::variable_records(&remade.variables, &saved.secret_params)?;
    if planfile::variables_digest(&variables) != saved.variables_digest {
        let names: Vec<&String> = variables
            .keys()
            .chain(saved.variables.keys())
            .filter(|k| variables.get(*k) != saved.variables.get(*k))
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        anyhow::bail!(
            "the variable values differ from those {} was made with ({}); give the same values (a sensitive one is not stored in the plan, so pass it again with --var, a .tfvars file or TF_VAR_), or plan again",
            path.display(),
            names
                .iter()
                .map(|n| format!("var.{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let differences = planfile::differences(&saved.plan, remade);
    if !differences.is_empty() {
        const SHOWN: usize = 20;
        let mut lines: Vec<String> = differences
            .iter()
            .take(SHOWN)
            .map(|d| format!("  {d}"))
            .collect();
        if differences.len() > SHOWN {
            lines.push(format!("  ... and {} more", differences.len() - SHOWN));
        }
        anyhow::bail!(
            "Saved plan is stale: the real infrastructure has changed since {} was made, and the plan would now be different:\n{}\nRun `peerform plan --out {}` again and review it",
            path.display(),
            lines.join("\n"),
            path.display()
        );
    }
    Ok(())
}

/// `emulator`, `azure` or `http` plus the endpoint, from a cloud description.
pub(super) fn split_cloud(cloud: &str) -> (&str, &str) {
    if cloud.starts_with("http://") || cloud.starts_with("https://") {
        ("http", cloud)
    } else if cloud.starts_with("azure") {
        ("azure", crate::provider::AZURE_ENDPOINT)
    } else {
        ("emulator", "")
    }
}

pub fn run(args: PlanArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    // The cloud is reached only when there is something to refresh.
    let cloud_text = cloud_arg(&args, ctx);
    let cloud = crate::provider::Cloud::parse(cloud_text.as_deref().unwrap_or("emulator"))?;
    // Refresh, data sources and `import` blocks read the cloud; --refresh=false plans offline.
    let needs_cloud = args.refresh && !args.destroy;
    // An in-process emulator that was never used holds nothing to read: leave its folder alone.
    let unused_emulator = cloud == crate::provider::Cloud::Emulator
        && !crate::emulator::database_path(&ctx.dir).exists();
    let has_state = has_state(ctx)? || super::backend::may_be_remote(&ctx.dir);
    let provider = if needs_cloud && (has_state || !unused_emulator) {
        match super::emulator::connect(cloud_text.as_deref(), None, ctx) {
            Ok((_, provider)) => Some(provider),
            // With no state to refresh, a cloud that cannot be reached only leaves data unknown.
            Err(_) if !has_state => None,
            Err(e) => return Err(e),
        }
    } else {
        None
    };
    let mut slot = None;
    let Some(prepared) = plan_for_apply(
        &args,
        None,
        ctx,
        "plan",
        &cloud.describe(),
        provider.as_ref(),
        &mut slot,
    )?
    else {
        return Ok(1);
    };
    if let Some(path) = &args.out {
        save_plan(ctx, &prepared, &cloud.describe(), path)?;
        if Format::of(&args) == Format::Human {
            writeln!(
                ctx.out,
                "\nSaved the plan to: {}\n\nTo perform exactly these actions, run the following command to apply:\n    peerform apply {}",
                path.display(),
                path.display()
            )?;
        }
    }
    let applyable = if args.refresh_only {
        prepared.drifted
    } else {
        prepared.plan.has_changes()
    };
    let code = if args.detailed_exitcode && applyable {
        2
    } else {
        0
    };
    let Prepared {
        config,
        state,
        plan,
        lock,
        ..
    } = prepared;
    lock.release()?;
    // The process exits next: leave the configuration, state and plan to the exit rather than free
    // them object by object (tens of milliseconds at 11,000 resources).
    std::mem::forget((config, state, plan));
    Ok(code)
}

/// Whether a state file exists where the configuration says (without loading configuration twice:
/// the default path and a literal `backend "local" { path }` are both under the folder).
fn has_state(ctx: &Context<'_>) -> anyhow::Result<bool> {
    Ok(std::fs::read_dir(&ctx.dir)?
        .flatten()
        .any(|e| e.path().extension().is_some_and(|x| x == "tfstate")))
}
