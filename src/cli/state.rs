//! `state …`, `init` and `force-unlock`: thin wrappers over the `state` module. They parse flags, take
//! and release the lock, pick the local state path, and print; every decision is the library's. `init`
//! here only creates `.peerform/` and, with `--git`, registers the merge driver; configuration checks
//! are added by the config work.

use super::Context;
use crate::config::addr::{Target, parse_instance, parse_target};
use crate::lang::Value;
use crate::state::{
    self, Backend, LockRequest, MergeOutcome, RetryOptions, State, Status, WriteOptions,
};
use anyhow::Context as _;
use clap::{ArgAction, Args, Subcommand};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The default local state file name.
pub const DEFAULT_STATE_FILE: &str = "peerform.tfstate";

/// How long to wait between tries for a held lock with `--lock-timeout`.
const LOCK_RETRY_INTERVAL: Duration = Duration::from_millis(250);

#[derive(Subcommand, Debug)]
pub enum StateCommand {
    /// List resources in the state.
    ///
    /// Example: peerform state list 'module.site["ams"]'
    #[command(visible_alias = "ls")]
    List {
        /// Only objects this address covers (a module, a resource or an instance), or whose address
        /// starts with this text.
        prefix: Option<String>,
        #[command(flatten)]
        path: StatePathArgs,
    },
    /// Show the attributes of one resource instance; secrets print as (sensitive value).
    ///
    /// Example: peerform state show azurerm_express_route_circuit.primary
    Show {
        address: String,
        #[command(flatten)]
        path: StatePathArgs,
    },
    /// Move objects to a new address: an instance, a resource with all its instances, or a module.
    ///
    /// Example: peerform state mv azurerm_subnet.gw 'azurerm_subnet.gw[0]'
    #[command(name = "mv", visible_alias = "move")]
    Mv {
        source: String,
        destination: String,
        /// Print what would move without changing the state.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Forget objects: they stay in Azure but peerform no longer manages them.
    ///
    /// Example: peerform state rm 'module.site["old"]'
    #[command(name = "rm", visible_alias = "remove")]
    Rm {
        #[arg(required = true)]
        addresses: Vec<String>,
        /// Print what would be removed without changing the state.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Print the current state (with any journaled steps) to standard output.
    ///
    /// Example: peerform state pull > backup.tfstate
    Pull {
        #[command(flatten)]
        path: StatePathArgs,
    },
    /// Replace the state with a state file; refuses another lineage or a lower serial without --force.
    ///
    /// Example: peerform state push backup.tfstate
    Push {
        file: PathBuf,
        /// Write even over another lineage or a newer serial.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Three-way merge of state files, as a git merge driver: the result is written to OURS; exit 0
    /// when merged, 1 with a report naming each address changed on both sides.
    ///
    /// Example (git config): peerform state merge %O %A %B
    Merge {
        base: PathBuf,
        ours: PathBuf,
        theirs: PathBuf,
    },
    /// Convert a Terraform v4 state (terraform.tfstate) into this directory's peerform state.
    ///
    /// Example: peerform state import-terraform terraform.tfstate
    ImportTerraform {
        file: PathBuf,
        /// Replace an existing peerform state.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        backend: BackendArgs,
    },
    /// Take the state lock, print its id, and hold it until standard input closes (for maintenance
    /// by hand, and for tests of lock contention).
    #[command(hide = true)]
    HoldLock {
        #[command(flatten)]
        backend: BackendArgs,
    },
}

/// Which local state file to use.
#[derive(Args, Debug, Clone)]
pub struct StatePathArgs {
    /// The local state file (default: peerform.tfstate in the working directory).
    #[arg(long = "state", value_name = "PATH")]
    pub state: Option<PathBuf>,
}

/// The state file and how to lock it.
#[derive(Args, Debug, Clone)]
pub struct BackendArgs {
    #[command(flatten)]
    pub path: StatePathArgs,
    #[command(flatten)]
    pub lock: LockArgs,
}

/// `--lock` and `--lock-timeout`, as Terraform spells them.
#[derive(Args, Debug, Clone)]
pub struct LockArgs {
    /// Lock the state while changing it; --lock=false skips the lock (dangerous when others work on
    /// the same state).
    #[arg(long, value_name = "BOOL", action = ArgAction::Set, num_args = 0..=1,
          default_value_t = true, default_missing_value = "true")]
    pub lock: bool,
    /// How long to retry a held lock before giving up, e.g. 30s or 5m.
    #[arg(long, value_name = "DURATION", default_value = "0s", value_parser = parse_duration_arg)]
    pub lock_timeout: Duration,
}

fn parse_duration_arg(text: &str) -> Result<Duration, String> {
    state::parse_duration(text)
}

#[derive(Args, Debug)]
pub struct InitArgs {
    /// Register the state merge driver with git and write .gitignore entries.
    #[arg(long)]
    pub git: bool,
    /// Copy the state from the backend the last init set up to the one the configuration names now,
    /// keeping lineage and serial.
    #[arg(long)]
    pub migrate_state: bool,
    /// Use the configured backend as it is, without copying any state into it.
    #[arg(long, conflicts_with = "migrate_state")]
    pub reconfigure: bool,
    #[command(flatten)]
    pub lock: LockArgs,
}

#[derive(Args, Debug)]
pub struct ForceUnlockArgs {
    /// The lock id printed by the command that found the lock.
    pub lock_id: String,
    /// Accepted for compatibility with Terraform; peerform does not ask for confirmation.
    #[arg(long)]
    pub force: bool,
    #[command(flatten)]
    pub path: StatePathArgs,
}

/// The backend a state command uses: `--state PATH`, or the configuration's backend.
fn open(ctx: &mut Context<'_>, args: &StatePathArgs) -> anyhow::Result<Box<dyn Backend>> {
    Ok(super::backend::for_state_command(ctx, args.state.as_deref())?.backend)
}

pub(super) fn who(ctx: &Context<'_>) -> String {
    let user = ctx
        .env
        .iter()
        .find(|(k, _)| k == "USER" || k == "USERNAME")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| "unknown".to_string());
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .ok()
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_string());
    format!("{user}@{host}")
}

pub(super) fn now() -> String {
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    state::format_timestamp(seconds)
}

/// Run `body` holding the state lock (unless `--lock=false`), and release it afterwards.
pub(super) fn with_lock<T>(
    backend: &dyn Backend,
    args: &LockArgs,
    operation: &str,
    ctx: &Context<'_>,
    body: impl FnOnce() -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    if !args.lock {
        return body();
    }
    let request = LockRequest {
        who: who(ctx),
        operation: operation.to_string(),
        created: now(),
    };
    let retry = RetryOptions {
        timeout: args.lock_timeout,
        interval: LOCK_RETRY_INTERVAL,
    };
    let info = state::lock_with_retry(backend, &request, retry, &mut std::thread::sleep)
        .context("acquiring the state lock")?;
    let result = body();
    let released = backend.unlock(&info.id);
    match (result, released) {
        (Ok(value), Ok(())) => Ok(value),
        (Err(e), _) => Err(e),
        (Ok(_), Err(e)) => Err(e.context(format!(
            "releasing the state lock {}; remove it with `peerform force-unlock {}`",
            info.id, info.id
        ))),
    }
}

fn no_state(backend: &dyn Backend) -> anyhow::Error {
    anyhow::anyhow!(
        "no state file was found in {}: state commands need a state (run apply first, or convert a Terraform state with `peerform state import-terraform`)",
        backend.describe()
    )
}

fn read_required(backend: &dyn Backend) -> anyhow::Result<State> {
    backend.read()?.ok_or_else(|| no_state(backend))
}

fn target(text: &str) -> anyhow::Result<Target> {
    parse_target(text).map_err(|e| anyhow::anyhow!("invalid address: {e}"))
}

pub fn run(cmd: StateCommand, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    match cmd {
        StateCommand::List { prefix, path } => {
            let backend = open(ctx, &path)?;
            let state = read_required(backend.as_ref())?;
            let pattern = prefix.as_deref().map(|p| (p, parse_target(p).ok()));
            for address in state.resources.keys() {
                let shown = match &pattern {
                    None => true,
                    Some((_, Some(target))) => state::address_matches(target, address),
                    Some((text, None)) => address.to_string().starts_with(text),
                };
                if shown {
                    writeln!(ctx.out, "{address}")?;
                }
            }
            Ok(0)
        }
        StateCommand::Show { address, path } => {
            let backend = open(ctx, &path)?;
            let state = read_required(backend.as_ref())?;
            let address =
                parse_instance(&address).map_err(|e| anyhow::anyhow!("invalid address: {e}"))?;
            let resource = state.resources.get(&address).ok_or_else(|| {
                anyhow::anyhow!(
                    "no object at {address} in the state; see `peerform state list` for the addresses it holds"
                )
            })?;
            let tainted = if resource.status == Status::Tainted {
                " (tainted)"
            } else {
                ""
            };
            writeln!(ctx.out, "# {address}:{tainted}")?;
            write_block(ctx.out, &address, &resource.display_attributes())?;
            for deposed in &resource.deposed {
                writeln!(ctx.out, "\n# {address}: (deposed object {})", deposed.key)?;
                write_block(ctx.out, &address, &deposed.display_attributes())?;
            }
            Ok(0)
        }
        StateCommand::Mv {
            source,
            destination,
            dry_run,
            backend: args,
        } => {
            let backend = open(ctx, &args.path)?;
            let source = target(&source)?;
            let destination = target(&destination)?;
            let moves = with_lock(backend.as_ref(), &args.lock, "state mv", ctx, || {
                let mut state = read_required(backend.as_ref())?;
                let moves = state::move_objects(&mut state, &source, &destination)?;
                if !dry_run {
                    state.serial += 1;
                    backend.write(&state, WriteOptions::default())?;
                }
                Ok(moves)
            })?;
            for (from, to) in &moves {
                let verb = if dry_run { "Would move" } else { "Move" };
                writeln!(ctx.out, "{verb} {} to {}", quoted(from), quoted(to))?;
            }
            if !dry_run {
                writeln!(ctx.out, "Successfully moved {} object(s).", moves.len())?;
            }
            Ok(0)
        }
        StateCommand::Rm {
            addresses,
            dry_run,
            backend: args,
        } => {
            let backend = open(ctx, &args.path)?;
            let targets = addresses
                .iter()
                .map(|a| target(a))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let removed = with_lock(backend.as_ref(), &args.lock, "state rm", ctx, || {
                let mut state = read_required(backend.as_ref())?;
                let removed = state::remove_objects(&mut state, &targets)?;
                if !dry_run {
                    state.serial += 1;
                    backend.write(&state, WriteOptions::default())?;
                }
                Ok(removed)
            })?;
            for address in &removed {
                let verb = if dry_run { "Would remove" } else { "Removed" };
                writeln!(ctx.out, "{verb} {address}")?;
            }
            if !dry_run {
                writeln!(
                    ctx.out,
                    "Successfully removed {} resource instance(s).",
                    removed.len()
                )?;
            }
            Ok(0)
        }
        StateCommand::Pull { path } => {
            let backend = open(ctx, &path)?;
            if let Some(state) = backend.read()? {
                ctx.out.write_all(&state::encode(&state)?)?;
            }
            Ok(0)
        }
        StateCommand::Push {
            file,
            force,
            backend: args,
        } => {
            let backend = open(ctx, &args.path)?;
            let file = ctx.dir.join(file);
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let pushed = state::decode(&bytes)
                .with_context(|| format!("reading state {}", file.display()))?;
            with_lock(backend.as_ref(), &args.lock, "state push", ctx, || {
                backend.write(&pushed, WriteOptions { force })
            })?;
            writeln!(
                ctx.out,
                "Pushed {} (serial {}, lineage {}) to {}.",
                file.display(),
                pushed.serial,
                pushed.lineage,
                backend.describe()
            )?;
            Ok(0)
        }
        StateCommand::Merge { base, ours, theirs } => run_merge(ctx, &base, &ours, &theirs),
        StateCommand::ImportTerraform {
            file,
            force,
            backend: args,
        } => {
            let backend = open(ctx, &args.path)?;
            let file = ctx.dir.join(file);
            let bytes =
                std::fs::read(&file).with_context(|| format!("reading {}", file.display()))?;
            let report = state::import_terraform(&bytes)
                .with_context(|| format!("converting Terraform state {}", file.display()))?;
            with_lock(
                backend.as_ref(),
                &args.lock,
                "state import-terraform",
                ctx,
                || {
                    if !force && backend.read()?.is_some() {
                        anyhow::bail!(
                            "{} already exists; move it aside, or use --force to replace it",
                            backend.describe()
                        );
                    }
                    backend.write(&report.state, WriteOptions { force: true })
                },
            )?;
            writeln!(
                ctx.out,
                "Converted {} resource instance(s) from {} into {}.",
                report.state.resources.len(),
                file.display(),
                backend.describe()
            )?;
            if !report.skipped.is_empty() {
                writeln!(ctx.out, "\nNot converted:")?;
                for skipped in &report.skipped {
                    writeln!(ctx.out, "  {}: {}", skipped.address, skipped.reason)?;
                }
            }
            Ok(0)
        }
        StateCommand::HoldLock { backend: args } => {
            let backend = open(ctx, &args.path)?;
            let request = LockRequest {
                who: who(ctx),
                operation: "state hold-lock".to_string(),
                created: now(),
            };
            let retry = RetryOptions {
                timeout: args.lock.lock_timeout,
                interval: LOCK_RETRY_INTERVAL,
            };
            let info =
                state::lock_with_retry(backend.as_ref(), &request, retry, &mut std::thread::sleep)
                    .context("acquiring the state lock")?;
            writeln!(ctx.out, "locked {}", info.id)?;
            ctx.out.flush()?;
            let mut sink = Vec::new();
            let _ = std::io::Read::read_to_end(&mut std::io::stdin(), &mut sink);
            backend.unlock(&info.id)?;
            writeln!(ctx.out, "unlocked {}", info.id)?;
            Ok(0)
        }
    }
}

/// Quote as Go's `%q` does, which Terraform uses for addresses in messages.
fn quoted(address: &impl std::fmt::Display) -> String {
    serde_json::Value::String(address.to_string()).to_string()
}

fn read_optional_state(path: &Path) -> anyhow::Result<Option<State>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    state::decode(&bytes)
        .map(Some)
        .with_context(|| format!("reading state {}", path.display()))
}

fn run_merge(
    ctx: &mut Context<'_>,
    base: &Path,
    ours: &Path,
    theirs: &Path,
) -> anyhow::Result<i32> {
    let (base, ours, theirs) = (ctx.dir.join(base), ctx.dir.join(ours), ctx.dir.join(theirs));
    let base_state = read_optional_state(&base)?;
    let ours_state = read_optional_state(&ours)?;
    let theirs_state = read_optional_state(&theirs)?;
    let (ours_state, theirs_state) = match (ours_state, theirs_state) {
        (Some(o), Some(t)) => (o, t),
        (Some(_), None) => return Ok(0),
        (None, Some(t)) => {
            write_file(&ours, &state::encode(&t)?)?;
            return Ok(0);
        }
        (None, None) => return Ok(0),
    };
    match state::merge(base_state.as_ref(), &ours_state, &theirs_state)? {
        MergeOutcome::Merged(merged) => {
            write_file(&ours, &state::encode(&merged)?)?;
            writeln!(
                ctx.err,
                "peerform state merge: merged {} resource instance(s) at serial {}",
                merged.resources.len(),
                merged.serial
            )?;
            Ok(0)
        }
        MergeOutcome::Conflicts(conflicts) => {
            writeln!(
                ctx.err,
                "peerform state merge: {} conflict(s); these were changed on both sides:",
                conflicts.len()
            )?;
            for conflict in &conflicts {
                writeln!(ctx.err, "  {conflict}")?;
            }
            writeln!(
                ctx.err,
                "Resolve by keeping one side (git checkout --ours or --theirs), then run plan to reconcile the other side's changes."
            )?;
            Ok(1)
        }
    }
}

fn write_file(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    std::fs::write(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Print a resource as Terraform's `state show` does: `resource "TYPE" "NAME" { … }`.
fn write_block(
    out: &mut dyn std::io::Write,
    address: &crate::config::addr::ResourceInstanceAddr,
    attributes: &BTreeMap<String, Value>,
) -> anyhow::Result<()> {
    writeln!(
        out,
        "resource \"{}\" \"{}\" {{",
        address.resource.type_name, address.resource.name
    )?;
    write_attributes(out, attributes, 1)?;
    writeln!(out, "}}")?;
    Ok(())
}

fn write_attributes(
    out: &mut dyn std::io::Write,
    attributes: &BTreeMap<String, Value>,
    depth: usize,
) -> anyhow::Result<()> {
    let indent = "    ".repeat(depth);
    let width = attributes
        .keys()
        .map(|k| display_key(k).len())
        .max()
        .unwrap_or(0);
    for (name, value) in attributes {
        let key = display_key(name);
        writeln!(out, "{indent}{key:<width$} = {}", render(value, depth))?;
    }
    Ok(())
}

fn display_key(key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        key.to_string()
    } else {
        serde_json::Value::String(key.to_string()).to_string()
    }
}

/// Render a value HCL-style: scalars inline, non-empty lists and maps over several lines.
fn render(value: &Value, depth: usize) -> String {
    let indent = "    ".repeat(depth);
    match value {
        Value::List(items) | Value::Set(items) if !items.is_empty() => {
            let mut text = "[\n".to_string();
            for item in items {
                text.push_str(&format!("{indent}    {},\n", render(item, depth + 1)));
            }
            text.push_str(&format!("{indent}]"));
            text
        }
        Value::Map(map) if !map.is_empty() => {
            let mut buffer = Vec::new();
            let _ = write_attributes(&mut buffer, map, depth + 1);
            format!("{{\n{}{indent}}}", String::from_utf8_lossy(&buffer))
        }
        other => other.to_string(),
    }
}

pub fn run_init(args: InitArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let dot = ctx.dir.join(".peerform");
    std::fs::create_dir_all(&dot).with_context(|| format!("creating {}", dot.display()))?;
    let backend = super::backend::InitBackend {
        migrate_state: args.migrate_state,
        reconfigure: args.reconfigure,
        lock: &args.lock,
    };
    super::backend::init(ctx, &backend)?;
    if args.git {
        register_git(ctx)?;
        writeln!(
            ctx.out,
            "Registered the peerform-state merge driver with git (.gitattributes, git config) and wrote .gitignore entries."
        )?;
    }
    writeln!(ctx.out, "peerform has been successfully initialized!")?;
    Ok(0)
}

/// The `.gitignore` entries `init --git` ensures: the working folder, the lock, the backup, the
/// journal and the temporary file of an interrupted write.
const GITIGNORE_ENTRIES: &[&str] = &[
    ".peerform/",
    ".peerform.tfstate.lock",
    "peerform.tfstate.backup",
    "peerform.tfstate.journal",
    ".peerform.tfstate.tmp",
];

const GITATTRIBUTES_LINE: &str = "peerform.tfstate merge=peerform-state";

fn register_git(ctx: &mut Context<'_>) -> anyhow::Result<()> {
    let exe = std::env::current_exe().context("finding the peerform executable for git")?;
    let driver = format!(
        "{} state merge %O %A %B",
        shell_quote(&exe.to_string_lossy())
    );
    for (key, value) in [
        ("merge.peerform-state.name", "peerform state merge driver"),
        ("merge.peerform-state.driver", driver.as_str()),
    ] {
        let output = std::process::Command::new("git")
            .arg("-C")
            .arg(&ctx.dir)
            .args(["config", key, value])
            .output()
            .context("running git config (is git installed?)")?;
        if !output.status.success() {
            anyhow::bail!(
                "git config {key} failed in {}: {}; run `init --git` inside a git repository",
                ctx.dir.display(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
    }
    ensure_lines(&ctx.dir.join(".gitattributes"), &[GITATTRIBUTES_LINE])?;
    ensure_lines(&ctx.dir.join(".gitignore"), GITIGNORE_ENTRIES)?;
    Ok(())
}

/// Append each line not already in the file (creating it when missing).
fn ensure_lines(path: &Path, lines: &[&str]) -> anyhow::Result<()> {
    let mut text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    let missing: Vec<&str> = lines
        .iter()
        .copied()
        .filter(|line| !text.lines().any(|l| l.trim() == *line))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    for line in missing {
        text.push_str(line);
        text.push('\n');
    }
    std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))
}

/// Quote for the shell git runs merge drivers with.
fn shell_quote(text: &str) -> String {
    if !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/._-+:@".contains(c))
    {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', "'\\''"))
    }
}

pub fn run_force_unlock(args: ForceUnlockArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let backend = open(ctx, &args.path)?;
    backend
        .force_unlock(&args.lock_id)
        .context("failed to unlock the state")?;
    writeln!(ctx.out, "peerform state has been successfully unlocked!")?;
    writeln!(
        ctx.out,
        "\nThe state has been unlocked, and peerform commands should now be able to obtain a new lock."
    )?;
    Ok(0)
}
