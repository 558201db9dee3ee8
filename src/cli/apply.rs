//! `apply` and `destroy`: make the plan (or check a saved one), show it, ask for `yes` on a terminal
//! (refuse to run unattended without `--auto-approve`), then walk it against the cloud with the
//! progress Terraform users know (`Creating...`, `Still creating... [10s elapsed]`, `Creation
//! complete after 12s [id=…]`), recording each completed step in the state journal at once. Ctrl-C
//! stops new steps; running ones finish and the state is saved; a second Ctrl-C explains the risk.
//! The provider gate waits for a new circuit's service provider in the emulator's auto mode (or with
//! `--wait-provisioning`), and otherwise stops after the circuit with what to ask the provider; a
//! circuit the provider still has provisioned is not deleted. `timeouts {}` bounds every wait.

use super::Context;
use super::emulator::{connect, emulator_provider_mode};
use super::plan::{PlanArgs, cloud_arg, plan_for_apply};
use super::providers::Providers;
use super::reader::{ClientIdentity, CloudReader};
use crate::apply::{ApplyOptions, Binder, Executor, Hook, Outcome, Recorder, apply};
use crate::config::Config;
use crate::config::addr::ResourceInstanceAddr;
use crate::desired::Reader;
use crate::emulator::ProviderMode;
use crate::lang::Value;
use crate::plan::{Action, Plan, PlanOptions, ResourceChange, Step, StepKind, make_plan};
use crate::provider::{Cloud, Provider};
use crate::state::{
    Backend as _, CreateIntent, JournalWriter, NewObject, OutputState, ResourceState, State, Status,
};
use clap::Args;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct ApplyArgs {
    /// A plan saved with `plan --out`: applied exactly, without asking.
    pub planfile: Option<std::path::PathBuf>,
    /// Apply without asking for confirmation.
    #[arg(long)]
    pub auto_approve: bool,
    /// Wait up to this long (e.g. 2h) for the service provider to provision a new circuit, instead
    /// of stopping after the circuit with what to ask the provider.
    #[arg(long, value_name = "DURATION", value_parser = parse_duration_arg)]
    pub wait_provisioning: Option<Duration>,
    #[command(flatten)]
    pub plan: PlanArgs,
}

fn parse_duration_arg(text: &str) -> Result<Duration, String> {
    crate::state::parse_duration(text)
}

/// Set by the first Ctrl-C; the second one only warns.
static INTERRUPTS: AtomicUsize = AtomicUsize::new(0);

pub fn run(args: ApplyArgs, ctx: &mut Context<'_>, destroy: bool) -> anyhow::Result<i32> {
    let mut args = args;
    if destroy {
        args.plan.destroy = true;
    }
    let operation = if destroy { "destroy" } else { "apply" };
    let (cloud, provider) = connect(cloud_arg(&args.plan, ctx).as_deref(), None, ctx)?;
    let emulator_mode = emulator_provider_mode(&cloud, ctx)?;
    let mut backend_slot = None;
    let Some(prepared) = plan_for_apply(
        &args.plan,
        args.planfile.as_deref(),
        ctx,
        operation,
        &cloud.describe(),
        Some(&provider),
        &mut backend_slot,
    )?
    else {
        return Ok(1);
    };
    let super::plan::Prepared {
        config,
        state,
        plan,
        backend,
        lock,
        reader_root,
        ..
    } = prepared;
    // A saved plan carries its own mode (`plan -destroy -out F` then `apply F` destroys).
    let destroy = destroy || plan.mode == crate::plan::Mode::Destroy;
    let refresh_only = plan.mode == crate::plan::Mode::RefreshOnly;
    let root = reader_root.clone();
    let files = move |path: &str| crate::config::read_function_file(&root, path);
    // Each provider block reaches its own subscription: data sources read there, creates go there.
    // (An error releases the lock as the guard drops.)
    let providers = Providers::new(&provider, &config)?;
    let reader = CloudReader::new(
        &providers,
        &files,
        client_identity(ctx),
        cloud == Cloud::Emulator,
    );
    // What the backend holds now (the lock is ours), with a journal left by an interrupted run
    // compacted into it first, so even a run that changes nothing leaves the state file current.
    // Refresh and imports may have changed the state in memory; a changed state is written under
    // the next serial.
    let stored = backend.recover()?;
    let changed_from_stored =
        |state: &State| stored.as_ref().is_none_or(|old| !old.same_content(state));
    let next_serial = stored.as_ref().map(|s| s.serial + 1);

    if refresh_only || !plan.has_changes() {
        // Nothing to do in the cloud: record what refresh (and import blocks) found, and outputs.
        let mut state = state;
        if destroy {
            for step in remove_outputs(&state) {
                step.apply(&mut state);
            }
        } else if !refresh_only {
            let secrets = SecretValues::new(&provider);
            for step in output_steps(&config, &state, &reader, &secrets)? {
                step.apply(&mut state);
            }
        }
        let changed = changed_from_stored(&state);
        if refresh_only && changed && args.planfile.is_none() && !args.auto_approve {
            let question = "Would you like to update the peerform state to reflect these detected changes?\n  peerform will write these changes to the state without modifying any real infrastructure.\n  There is no undo. Only 'yes' will be accepted to confirm.\n\n  Enter a value: ";
            if !confirm(ctx, operation, question)? {
                lock.release()?;
                return Ok(1);
            }
        }
        if changed {
            if let Some(serial) = next_serial {
                state.serial = serial;
            }
            backend.write(&state, crate::state::WriteOptions::default())?;
        }
        lock.release()?;
        if destroy {
            writeln!(ctx.out, "\nDestroy complete! Resources: 0 destroyed.")?;
        } else {
            writeln!(
                ctx.out,
                "\nApply complete! Resources: 0 added, 0 changed, 0 destroyed."
            )?;
            show_outputs(ctx, &state)?;
        }
        return Ok(0);
    }
    // Confirmation: a saved plan applies without asking, as in Terraform.
    if args.planfile.is_none() && !args.auto_approve {
        let question = if destroy {
            "Do you really want to destroy all resources?\n  peerform will destroy all your managed infrastructure, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm.\n\n  Enter a value: "
        } else {
            "Do you want to perform these actions?\n  peerform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
        };
        if !confirm(ctx, operation, question)? {
            lock.release()?;
            return Ok(1);
        }
    }
    writeln!(ctx.out)?;

    let cancel = Arc::new(AtomicBool::new(false));
    {
        let cancel = Arc::clone(&cancel);
        // Installing the handler twice (two applies in one process, as tests do) is harmless.
        let _ = ctrlc::set_handler(move || {
            let n = INTERRUPTS.fetch_add(1, Ordering::SeqCst);
            cancel.store(true, Ordering::SeqCst);
            if n == 0 {
                eprintln!(
                    "\nInterrupt received.\nPlease wait for peerform to exit or data loss may occur.\nGracefully shutting down: no new step starts; running steps finish and the state is saved."
                );
            } else {
                eprintln!(
                    "\nTwo interrupts received. Steps already running in Azure keep running there even if peerform stops now: their objects may exist without being in the state. Let peerform finish; the next apply adopts objects whose create was recorded as an intent."
                );
            }
        });
    }

    let mut state = state;
    if changed_from_stored(&state)
        && let Some(serial) = next_serial
    {
        state.serial = serial;
    }
    let journal = backend.begin(&state)?;
    let intents: HashSet<ResourceInstanceAddr> = state.intents.keys().cloned().collect();
    let secrets = SecretValues::new(&provider);
    let refused = Mutex::new(HashSet::new());
    let recorder = StateRecorder {
        inner: Mutex::new((state, journal)),
        refused: &refused,
        secrets: &secrets,
        plan: &plan,
        providers: &providers,
    };
    let local = cloud == Cloud::Emulator || cloud.describe().starts_with("http://127.");
    let executor = ProviderExecutor {
        providers: &providers,
        intents,
        refused: &refused,
        gate: GateOptions {
            wait: args.wait_provisioning,
            emulator_mode,
            strict_delete: cloud == Cloud::Azure || emulator_mode == Some(ProviderMode::Manual),
            poll: if local {
                Duration::from_millis(20)
            } else {
                Duration::from_secs(30)
            },
            operation,
        },
    };
    let binder = ReplanBinder {
        config: &config,
        recorder: &recorder,
        reader: &reader,
        plan: &plan,
    };
    let hook = Progress::new(plan.steps.len(), std::io::stderr().is_terminal());
    let options = ApplyOptions {
        parallelism: args.plan.parallelism.max(1),
        ..ApplyOptions::default()
    };
    let report = apply(
        &plan, &options, &executor, &binder, &recorder, &hook, &cancel,
    );
    hook.done();
    // Outputs from the state as applied.
    let (mut state, mut journal) = recorder
        .inner
        .into_inner()
        .map_err(|_| anyhow::anyhow!("the state recorder was poisoned"))?;
    let steps = if destroy {
        Ok(remove_outputs(&state))
    } else {
        output_steps(&config, &state, &reader, &secrets)
    };
    let outputs_result = steps.and_then(|steps| {
        for step in steps {
            journal.append(&step)?;
            step.apply(&mut state);
        }
        Ok(())
    });
    backend.finish(journal, &mut state)?;
    lock.release()?;
    outputs_result?;

    if !report.succeeded() || report.cancelled {
        for failure in &report.failed {
            let step = &plan.steps[failure.step - 1];
            let change = &plan.changes[step.change];
            writeln!(
                ctx.err,
                "╷\n│ Error: {} {} failed\n│\n│ {}\n╵",
                step.kind.verb(),
                change.addr,
                failure.error.replace('\n', "\n│ ")
            )?;
        }
        for blocked in &report.blocked {
            let step = &plan.steps[blocked.step - 1];
            let change = &plan.changes[step.change];
            writeln!(
                ctx.err,
                "╷\n│ Waiting for the service provider: {}\n│\n│ {}\n╵",
                change.addr,
                blocked.error.replace('\n', "\n│ ")
            )?;
        }
        if !report.skipped.is_empty() {
            writeln!(
                ctx.err,
                "{} step(s) were not run because a step they depend on did not complete: {}.",
                report.skipped.len(),
                numbers(&report.skipped)
            )?;
        }
        if report.cancelled {
            writeln!(
                ctx.err,
                "Apply interrupted: {} step(s) were not started: {}. The state holds everything that completed; run apply again to continue.",
                report.not_started.len(),
                numbers(&report.not_started)
            )?;
        }
        if report.failed.is_empty() && !report.cancelled && !report.blocked.is_empty() {
            writeln!(
                ctx.err,
                "\n{} incomplete: everything that does not wait for the service provider was done and recorded ({} of {} steps). Run {operation} again once the provider has acted.",
                if destroy { "Destroy" } else { "Apply" },
                report.completed.len(),
                plan.steps.len()
            )?;
        }
        return Ok(1);
    }
    let (add, change, destroyed) = plan.counts();
    if destroy {
        writeln!(
            ctx.out,
            "\nDestroy complete! Resources: {destroyed} destroyed."
        )?;
    } else {
        let imported = plan
            .changes
            .iter()
            .filter(|c| c.importing.is_some())
            .count();
        let imported = if imported > 0 {
            format!("{imported} imported, ")
        } else {
            String::new()
        };
        writeln!(
            ctx.out,
            "\nApply complete! Resources: {imported}{add} added, {change} changed, {destroyed} destroyed."
        )?;
        show_outputs(ctx, &state)?;
    }
    Ok(0)
}

/// Ask on the terminal; refuse to run unattended. `true` when the answer is `yes`.
fn confirm(ctx: &mut Context<'_>, operation: &str, question: &str) -> anyhow::Result<bool> {
    if !std::io::stdin().is_terminal() {
        anyhow::bail!(
            "refusing to {operation} unattended: no terminal to ask for confirmation. Pass --auto-approve, or apply a saved plan (plan --out FILE, then apply FILE)"
        );
    }
    write!(ctx.out, "\n{question}")?;
    ctx.out.flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    if answer.trim() != "yes" {
        writeln!(
            ctx.out,
            "\n{} cancelled.",
            if operation == "destroy" {
                "Destroy"
            } else {
                "Apply"
            }
        )?;
        return Ok(false);
    }
    Ok(true)
}

/// Who the provider signs in as, from azurerm's environment variables (the token fills the rest).
pub fn client_identity(ctx: &Context<'_>) -> ClientIdentity {
    let get = |name: &str| {
        ctx.env
            .iter()
            .find(|(k, v)| k == name && !v.is_empty())
            .map(|(_, v)| v.clone())
    };
    ClientIdentity {
        client_id: get("ARM_CLIENT_ID"),
        tenant_id: get("ARM_TENANT_ID"),
    }
}

fn show_outputs(ctx: &mut Context<'_>, state: &State) -> anyhow::Result<()> {
    if state.outputs.is_empty() {
        return Ok(());
    }
    writeln!(ctx.out, "\nOutputs:\n")?;
    for (name, output) in &state.outputs {
        match output {
            OutputState::Plain(v) => writeln!(ctx.out, "{name} = {v}")?,
            OutputState::Sensitive(_) => writeln!(ctx.out, "{name} = <sensitive>")?,
        }
    }
    Ok(())
}

fn numbers(list: &[usize]) -> String {
    list.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// After a destroy no output is left, as in Terraform.
fn remove_outputs(state: &State) -> Vec<crate::state::Step> {
    state
        .outputs
        .keys()
        .map(|name| crate::state::Step::RemoveOutput { name: name.clone() })
        .collect()
}

/// The journal steps that bring the state's root outputs up to date: evaluated against the state as
/// it now is.
fn output_steps(
    config: &Config,
    state: &State,
    reader: &dyn Reader,
    secrets: &SecretValues<'_>,
) -> anyhow::Result<Vec<crate::state::Step>> {
    // A sensitive output may hold a secret Azure computed (a service key): evaluate it against the
    // real values, not the nulls the state keeps in their place.
    let mut live = state.clone();
    if config.root().outputs.iter().any(|o| o.sensitive.is_some()) {
        let all: Vec<ResourceInstanceAddr> = state.resources.keys().cloned().collect();
        secrets
            .overlay(&mut live, all.iter())
            .map_err(|e| anyhow::anyhow!(e))?;
    }
    let (_plan, desired, _diags) = make_plan(
        config,
        &live,
        reader,
        &PlanOptions::default(),
        &super::plan::domain_rule,
    );
    let mut steps = Vec::new();
    for name in state.outputs.keys() {
        if !desired.outputs.contains_key(name) {
            steps.push(crate::state::Step::RemoveOutput { name: name.clone() });
        }
    }
    for (name, value) in &desired.outputs {
        if !value.is_wholly_known() || crate::plan::contains_held_secret(value) {
            continue;
        }
        let output = if value.contains_sensitive() {
            let context = crate::state::output_context(name);
            let digests =
                crate::state::digest_secrets(&state.secrets, &[(context.as_str(), value)])?;
            match digests.into_iter().next() {
                Some(d) => OutputState::Sensitive(d),
                None => continue,
            }
        } else {
            OutputState::Plain(value.clone())
        };
        if state.outputs.get(name) != Some(&output) {
            steps.push(crate::state::Step::Output {
                name: name.clone(),
                output,
            });
        }
    }
    Ok(steps)
}

/// Secret values Azure computed or was given (service keys, authorization keys, shared keys), in
/// memory for this run only: the state keeps their digests, but later steps and outputs need the
/// values. Objects not touched in this run have theirs read from the cloud when first needed.
struct SecretValues<'a> {
    provider: &'a Provider,
    known: Mutex<HashMap<ResourceInstanceAddr, BTreeMap<String, Value>>>,
}

impl<'a> SecretValues<'a> {
    fn new(provider: &'a Provider) -> SecretValues<'a> {
        SecretValues {
            provider,
            known: Mutex::new(HashMap::new()),
        }
    }

    /// Keep the secret attributes of an object as the provider returned it.
    fn remember(&self, addr: &ResourceInstanceAddr, value: &Value) {
        let Some(map) = value.as_map() else { return };
        let found: BTreeMap<String, Value> = map
            .iter()
            .filter(|(_, v)| v.contains_sensitive() && !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        if let Ok(mut known) = self.known.lock() {
            known.insert(addr.clone(), found);
        }
    }

    fn forget(&self, addr: &ResourceInstanceAddr) {
        if let Ok(mut known) = self.known.lock() {
            known.remove(addr);
        }
    }

    /// Put the secret values of these objects into `state` (a copy that is never written),
    /// reading from the cloud the objects whose secrets this run has not seen.
    fn overlay<'b>(
        &self,
        state: &mut State,
        addrs: impl Iterator<Item = &'b ResourceInstanceAddr>,
    ) -> Result<(), String> {
        let wanted: Vec<&ResourceInstanceAddr> = addrs
            .filter(|a| {
                state
                    .resources
                    .get(*a)
                    .is_some_and(|r| !r.secrets.is_empty() && !r.id.is_empty())
            })
            .collect();
        let missing: Vec<&ResourceInstanceAddr> = {
            let known = self.known.lock().map_err(|_| "secret values poisoned")?;
            wanted
                .iter()
                .copied()
                .filter(|a| !known.contains_key(*a))
                .collect()
        };
        {
            use rayon::prelude::*;
            let read: Vec<Result<(ResourceInstanceAddr, Option<Value>), String>> = missing
                .par_iter()
                .map(|addr| {
                    let r = &state.resources[*addr];
                    let id = crate::arm::ResourceId::parse(&r.id).map_err(|e| format!("{e:#}"))?;
                    let prior = Value::map(r.attributes.clone());
                    let value = self
                        .provider
                        .read(&r.type_name, &id, Some(&prior))
                        .map_err(|e| format!("reading the secrets of {addr}: {e:#}"))?;
                    Ok(((*addr).clone(), value))
                })
                .collect();
            for item in read {
                let (addr, value) = item?;
                match value {
                    Some(v) => self.remember(&addr, &v),
                    None => self.remember(&addr, &Value::map(BTreeMap::new())),
                }
            }
        }
        let known = self.known.lock().map_err(|_| "secret values poisoned")?;
        for addr in wanted {
            let (Some(values), Some(entry)) = (known.get(addr), state.resources.get_mut(addr))
            else {
                continue;
            };
            for (k, v) in values {
                if entry.secrets.contains_key(k) {
                    entry.attributes.insert(k.clone(), v.clone());
                }
            }
        }
        Ok(())
    }
}

/// Records completed steps in the state journal (fsynced per step) and the in-memory state.
struct StateRecorder<'a> {
    inner: Mutex<(State, JournalWriter)>,
    /// Creates the executor refused before sending anything (see `ProviderExecutor::refused`).
    refused: &'a Mutex<HashSet<ResourceInstanceAddr>>,
    secrets: &'a SecretValues<'a>,
    plan: &'a Plan,
    /// Where each create goes, for its intent's ARM id.
    providers: &'a Providers<'a>,
}

impl StateRecorder<'_> {
    fn append(&self, step: crate::state::Step) -> Result<(), String> {
        let mut guard = self
            .inner
            .lock()
            .map_err(|_| "the state recorder was poisoned".to_string())?;
        let (state, journal) = &mut *guard;
        journal.append(&step).map_err(|e| format!("{e:#}"))?;
        step.apply(state);
        Ok(())
    }

    fn snapshot(&self) -> Result<State, String> {
        self.inner
            .lock()
            .map(|g| g.0.clone())
            .map_err(|_| "the state recorder was poisoned".to_string())
    }
}

impl Recorder for StateRecorder<'_> {
    fn intent(&self, change: &ResourceChange, value: &Value) -> Result<(), String> {
        let subscription = self
            .providers
            .for_alias(change.provider_alias.as_deref())
            .client()
            .subscription();
        let id = crate::provider::mapping::resource_id(&change.type_name, value, subscription)
            .map_err(|e| format!("{e:#}"))?;
        self.append(crate::state::Step::Intent {
            address: change.addr.clone(),
            intent: CreateIntent {
                type_name: change.type_name.clone(),
                id: id.to_string(),
            },
        })
    }

    fn completed(
        &self,
        step: &Step,
        change: &ResourceChange,
        outcome: &Outcome,
    ) -> Result<(), String> {
        match (step.kind, outcome) {
            // Data sources are read again whenever they are needed; the state keeps managed objects.
            (StepKind::Read, _) => Ok(()),
            (StepKind::Create | StepKind::Update, Outcome::Object(value)) => {
                self.secrets.remember(&change.addr, value);
                // As the state file will hold them: sets as sorted lists (JSON has no sets).
                let mut values: BTreeMap<String, Value> = crate::plan::normalise_keep_marks(value)
                    .as_map()
                    .cloned()
                    .unwrap_or_default();
                let id = values
                    .remove("id")
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                let dependencies: Vec<ResourceInstanceAddr> = change
                    .dependencies
                    .iter()
                    .map(|&d| self.plan.changes[d].addr.clone())
                    .collect();
                let state = self.snapshot()?;
                let built = state
                    .build_resources(vec![(
                        change.addr.clone(),
                        NewObject {
                            type_name: change.type_name.clone(),
                            id,
                            values,
                            sensitive_paths: Vec::new(),
                            dependencies,
                            status: Status::Ready,
                            create_before_destroy: change.create_before_destroy,
                            deposed: Vec::new(),
                        },
                    )])
                    .map_err(|e| format!("{e:#}"))?;
                for (address, resource) in built {
                    self.append(crate::state::Step::Put { address, resource })?;
                }
                Ok(())
            }
            (StepKind::Delete | StepKind::Forget, _) => {
                // A delete-then-create's delete leaves the address for the create that follows.
                self.secrets.forget(&change.addr);
                self.append(crate::state::Step::Remove {
                    address: change.addr.clone(),
                })
            }
            (StepKind::DeleteDeposed, _) | (StepKind::ProviderGate, _) => Ok(()),
            _ => Ok(()),
        }
    }

    fn failed(&self, step: &Step, change: &ResourceChange, _error: &str) {
        // A failed create may have left an object behind: record it tainted so the next plan
        // replaces it, as Terraform does.
        if step.kind != StepKind::Create {
            return;
        }
        // Refused before anything was sent (the object exists and is not ours): never taint
        // someone else's object; just drop the intent.
        if self
            .refused
            .lock()
            .map(|r| r.contains(&change.addr))
            .unwrap_or(false)
        {
            let _ = self.append(crate::state::Step::Remove {
                address: change.addr.clone(),
            });
            return;
        }
        let Ok(state) = self.snapshot() else { return };
        let Some(intent) = state.intents.get(&change.addr).cloned() else {
            return;
        };
        let resource = ResourceState {
            type_name: change.type_name.clone(),
            id: intent.id,
            status: Status::Tainted,
            ..ResourceState::default()
        };
        let _ = self.append(crate::state::Step::Put {
            address: change.addr.clone(),
            resource,
        });
    }
}

/// How the provider gate and the circuit delete precondition behave.
struct GateOptions {
    /// `--wait-provisioning`: wait this long for the provider instead of stopping.
    wait: Option<Duration>,
    /// The in-process emulator's simulated provider mode; `None` for Azure and ARM endpoints.
    emulator_mode: Option<ProviderMode>,
    /// Check a circuit's provider state before deleting it (Azure refuses to delete a provisioned
    /// circuit; the emulator in manual mode too). Elsewhere the delete's own error is explained.
    strict_delete: bool,
    poll: Duration,
    /// `apply` or `destroy`, for messages.
    operation: &'static str,
}

/// How long the in-process emulator in auto mode is given to provision a circuit (it does at once).
const AUTO_PROVISIONING_WAIT: Duration = Duration::from_secs(60);

/// Acts through the azurerm provider.
struct ProviderExecutor<'a> {
    /// The provider of each `provider` alias (each may reach its own subscription).
    providers: &'a Providers<'a>,
    /// Addresses with a create intent from an interrupted run: their objects are adopted.
    intents: HashSet<ResourceInstanceAddr>,
    gate: GateOptions,
    /// Creates refused because the object exists without being ours: nothing was sent, so the
    /// recorder must not taint them.
    refused: &'a Mutex<HashSet<ResourceInstanceAddr>>,
}

fn unmarked(value: &Value) -> Value {
    value.clone().unmark_deep().0
}

/// The `timeouts { create | update | delete | read }` value that bounds this step, if set.
fn step_timeout(change: &ResourceChange, kind: StepKind) -> Result<Option<Duration>, String> {
    let (key, value) = match kind {
        StepKind::Create | StepKind::ProviderGate => ("create", change.after.as_ref()),
        StepKind::Update => ("update", change.after.as_ref()),
        StepKind::Read => ("read", change.after.as_ref()),
        StepKind::Delete | StepKind::DeleteDeposed => ("delete", change.before.as_ref()),
        StepKind::Forget => return Ok(None),
    };
    let Some(text) = value
        .and_then(|v| v.get_attr("timeouts"))
        .and_then(Value::as_list)
        .and_then(<[Value]>::first)
        .and_then(|block| block.get_attr(key))
        .and_then(Value::as_str)
    else {
        return Ok(None);
    };
    crate::state::parse_duration(text)
        .map(Some)
        .map_err(|e| format!("timeouts.{key}: {e}"))
}

/// What a circuit's provider side is: (state, provider name), from attributes read from ARM.
fn provider_side(circuit: &Value) -> (String, Option<String>) {
    let text = |k: &str| {
        circuit
            .get_attr(k)
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    (
        text("service_provider_provisioning_state").unwrap_or_else(|| "NotProvisioned".into()),
        text("service_provider_name"),
    )
}

impl ProviderExecutor<'_> {
    /// The provider `change`'s resource acts through.
    fn provider(&self, change: &ResourceChange) -> &Provider {
        self.providers.for_alias(change.provider_alias.as_deref())
    }

    /// The provider gate: the circuit must be Provisioned before its peerings are created.
    fn gate(&self, change: &ResourceChange, timeout: Option<Duration>) -> Result<Outcome, String> {
        let err = |e: anyhow::Error| format!("{e:#}");
        let value = change
            .after
            .as_ref()
            .or(change.before.as_ref())
            .ok_or("no circuit to wait for")?;
        let plain = unmarked(value);
        let id = self
            .provider(change)
            .resource_id(&change.type_name, &plain)
            .map_err(err)?;
        let mut limit = match (self.gate.wait, self.gate.emulator_mode) {
            (Some(wait), _) => Some(wait),
            (None, Some(ProviderMode::Auto)) => Some(AUTO_PROVISIONING_WAIT),
            (None, _) => None,
        };
        if let (Some(l), Some(t)) = (limit, timeout) {
            limit = Some(l.min(t));
        }
        let started = Instant::now();
        loop {
            let circuit = self
                .provider(change)
                .read(&change.type_name, &id, None)
                .map_err(err)?
                .ok_or_else(|| format!("the circuit {id} no longer exists"))?;
            let (state, provider_name) = provider_side(&circuit);
            // A Direct circuit (on an ExpressRoute port) has no service provider to wait for.
            if state == "Provisioned" || provider_name.is_none() {
                return Ok(Outcome::Waited);
            }
            let waited = started.elapsed();
            if limit.is_none_or(|l| waited >= l) {
                return Ok(Outcome::Blocked(self.provisioning_message(
                    change,
                    &id,
                    &state,
                    provider_name.as_deref(),
                    limit.map(|_| waited),
                )));
            }
            std::thread::sleep(self.gate.poll);
        }
    }

    fn provisioning_message(
        &self,
        change: &ResourceChange,
        id: &crate::arm::ResourceId,
        state: &str,
        provider_name: Option<&str>,
        waited: Option<Duration>,
    ) -> String {
        let provider = provider_name.unwrap_or("your connectivity provider");
        let what = if change.action == Action::NoOp || change.action == Action::Update {
            "exists"
        } else {
            "was created"
        };
        let waited = match waited {
            Some(w) => format!(" after waiting {}", seconds(w)),
            None => String::new(),
        };
        let mut text = format!(
            "{} {what}, but its service provider has not provisioned it yet (service_provider_provisioning_state is {state}{waited}), and Azure configures peerings only on a provisioned circuit.\nGive the circuit's service key to {provider} and ask them to provision the circuit; then run {} again to create what waits for it. To wait instead, run {} with --wait-provisioning DURATION (for example --wait-provisioning 2h).\nThe service key is in the Azure portal, in `az network express-route show --ids {id} --query serviceKey`, and in `peerform output --show-sensitive NAME` for an output that holds the circuit's service_key.",
            change.addr, self.gate.operation, self.gate.operation
        );
        if self.gate.emulator_mode.is_some() {
            text.push_str(&format!(
                "\nIn the emulator, act as the provider with: peerform emulator provision {id} --state Provisioned"
            ));
        }
        text
    }

    fn deprovision_message(
        &self,
        change: &ResourceChange,
        id: &crate::arm::ResourceId,
        state: &str,
        provider_name: Option<&str>,
    ) -> String {
        let provider = provider_name.unwrap_or("your connectivity provider");
        let mut text = format!(
            "{} is still {state} by its service provider, and Azure deletes a circuit only after the provider has deprovisioned it (billing continues until the circuit is deleted).\nAsk {provider} to deprovision the circuit (give them its service key, from the Azure portal or `peerform output --show-sensitive NAME`); once its service_provider_provisioning_state is NotProvisioned, run {} again.",
            change.addr, self.gate.operation
        );
        if self.gate.emulator_mode.is_some() {
            text.push_str(&format!(
                "\nIn the emulator, act as the provider with: peerform emulator provision {id} --state NotProvisioned"
            ));
        }
        text
    }

    fn delete(
        &self,
        change: &ResourceChange,
        timeout: Option<Duration>,
    ) -> Result<Outcome, String> {
        let err = |e: anyhow::Error| format!("{e:#}");
        let id = change
            .prior_id
            .as_deref()
            .ok_or("no ARM id recorded for this object")?;
        let id = crate::arm::ResourceId::parse(id).map_err(err)?;
        let circuit = change.type_name == "azurerm_express_route_circuit";
        if circuit
            && self.gate.strict_delete
            && let Some(current) = self
                .provider(change)
                .read(&change.type_name, &id, None)
                .map_err(err)?
        {
            let (state, provider_name) = provider_side(&current);
            if provider_name.is_some() && matches!(state.as_str(), "Provisioned" | "Provisioning") {
                return Ok(Outcome::Blocked(self.deprovision_message(
                    change,
                    &id,
                    &state,
                    provider_name.as_deref(),
                )));
            }
        }
        match self
            .provider(change)
            .delete_within(&change.type_name, &id, timeout)
        {
            Ok(()) => Ok(Outcome::Gone),
            Err(e)
                if circuit
                    && crate::provider::arm_error_of(&e).is_some_and(|a| {
                        a.code == "CircuitProvisionedByServiceProvider"
                            || a.message.contains("deprovision")
                    }) =>
            {
                let provider_name = change
                    .before
                    .as_ref()
                    .and_then(|b| b.get_attr("service_provider_name"))
                    .and_then(Value::as_str)
                    .map(str::to_string);
                Ok(Outcome::Blocked(self.deprovision_message(
                    change,
                    &id,
                    "Provisioned",
                    provider_name.as_deref(),
                )))
            }
            Err(e) => Err(err(e)),
        }
    }
}

impl Executor for ProviderExecutor<'_> {
    fn run(
        &self,
        step: &Step,
        change: &ResourceChange,
        value: Option<&Value>,
    ) -> Result<Outcome, String> {
        let err = |e: anyhow::Error| format!("{e:#}");
        let timeout = step_timeout(change, step.kind)?;
        let within = |e: String| match timeout {
            Some(t) if e.contains("timed out") => format!(
                "{e} (the resource's timeouts {{ {} = \"{}\" }} was reached)",
                match step.kind {
                    StepKind::Update => "update",
                    StepKind::Delete | StepKind::DeleteDeposed => "delete",
                    StepKind::Read => "read",
                    _ => "create",
                },
                if t < Duration::from_secs(1) {
                    format!("{}ms", t.as_millis())
                } else {
                    seconds(t)
                }
            ),
            _ => e,
        };
        match step.kind {
            StepKind::Create | StepKind::Update => {
                let value = value.ok_or("no value to send")?;
                if let Some(path) = unknown_path(&change.type_name, value) {
                    return Err(format!(
                        "{path} is still unknown after every step it depends on completed; check the expression that sets it"
                    ));
                }
                let value = &without_own_secrets(&change.type_name, value);
                if crate::plan::contains_held_secret(value) {
                    return Err(
                        "a secret of an object this one refers to (such as an authorization key) could not be read from the cloud, so it cannot be sent; run apply again"
                            .to_string(),
                    );
                }
                let plain = unmarked(value);
                if step.kind == StepKind::Create && change.importing.is_none() {
                    let id = self
                        .provider(change)
                        .resource_id(&change.type_name, &plain)
                        .map_err(err)?;
                    let exists = self
                        .provider(change)
                        .read(&change.type_name, &id, None)
                        .map_err(err)?
                        .is_some();
                    if exists
                        && !self.intents.contains(&change.addr)
                        && change.action != Action::CreateThenDelete
                    {
                        if let Ok(mut refused) = self.refused.lock() {
                            refused.insert(change.addr.clone());
                        }
                        return Err(format!(
                            "a resource with the ID \"{id}\" already exists - to be managed via peerform this resource needs to be imported into the state: peerform import {} {id}",
                            change.addr
                        ));
                    }
                }
                let (id, mut attributes) = self
                    .provider(change)
                    .create_or_update_within(&change.type_name, &plain, timeout)
                    .map_err(|e| within(err(e)))?;
                if let Some(map) = attributes.map_mut() {
                    map.entry("id".to_string())
                        .or_insert_with(|| Value::string(id.to_string()));
                }
                Ok(Outcome::Object(attributes))
            }
            StepKind::Read => {
                let value = value.ok_or("no value to read")?;
                let plain = unmarked(value);
                let id = self
                    .provider(change)
                    .resource_id(&change.type_name, &plain)
                    .map_err(err)?;
                match self
                    .provider(change)
                    .read(&change.type_name, &id, None)
                    .map_err(err)?
                {
                    Some(mut v) => {
                        if let Some(map) = v.map_mut() {
                            map.entry("id".to_string())
                                .or_insert_with(|| Value::string(id.to_string()));
                        }
                        Ok(Outcome::Object(v))
                    }
                    None => Err(format!("{} was not found: {id}", change.addr)),
                }
            }
            StepKind::Delete | StepKind::DeleteDeposed => {
                self.delete(change, timeout).map_err(within)
            }
            StepKind::Forget => Ok(Outcome::Gone),
            StepKind::ProviderGate => self.gate(change, timeout),
        }
    }
}

/// The value without the object's own secrets Azure computes (its service key): they are never
/// sent, and the plan may hold only a stand-in for them.
fn without_own_secrets(type_name: &str, value: &Value) -> Value {
    let (Some(schema), Some(map)) = (crate::schema::resource(type_name), value.as_map()) else {
        return value.clone();
    };
    let mut map = map.clone();
    for attribute in &schema.block.attributes {
        let computed_only = !attribute.required && !attribute.optional;
        if computed_only
            && map
                .get(attribute.name)
                .is_some_and(crate::plan::contains_held_secret)
        {
            map.insert(attribute.name.to_string(), Value::Null);
        }
    }
    Value::map(map)
}

/// The first attribute path still unknown in a value about to be sent, if any. Attributes and
/// blocks Azure computes may stay unknown at any depth: the mapping leaves them to Azure.
fn unknown_path(type_name: &str, value: &Value) -> Option<String> {
    fn any_unknown(v: &Value, path: &str) -> Option<String> {
        match v {
            Value::Unknown => Some(path.to_string()),
            Value::Sensitive(inner) => any_unknown(inner, path),
            Value::List(items) | Value::Set(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, x)| any_unknown(x, &format!("{path}[{i}]"))),
            Value::Map(map) => map
                .iter()
                .find_map(|(k, x)| any_unknown(x, &format!("{path}.{k}"))),
            _ => None,
        }
    }
    fn walk(block: &crate::schema::BlockSchema, value: &Value, prefix: &str) -> Option<String> {
        let map = value.as_map()?;
        map.iter().find_map(|(k, v)| {
            let path = format!("{prefix}{k}");
            if k == "id" {
                return None;
            }
            if let Some(attribute) = block.attribute(k) {
                return if attribute.computed {
                    None
                } else {
                    any_unknown(v, &path)
                };
            }
            if let Some(nested) = block.block(k) {
                if v.is_unknown() {
                    return if nested.computed { None } else { Some(path) };
                }
                return v.as_list()?.iter().enumerate().find_map(|(i, item)| {
                    if item.is_unknown() {
                        return Some(format!("{path}[{i}]"));
                    }
                    walk(&nested.block, item, &format!("{path}[{i}]."))
                });
            }
            // Not in the schema: nothing the mapping sends.
            None
        })
    }
    let schema = crate::schema::resource(type_name)?;
    walk(&schema.block, value, "")
}

/// Binds values unknown at plan time by planning again against the state as applied so far.
struct ReplanBinder<'a> {
    config: &'a Config,
    recorder: &'a StateRecorder<'a>,
    reader: &'a (dyn Reader + Sync),
    plan: &'a Plan,
}

impl Binder for ReplanBinder<'_> {
    /// Also when a dependency holds secrets: the plan saw only the nulls the state keeps in their
    /// place (an existing authorization's key), and the value sent needs the real ones.
    fn wants(&self, change: &ResourceChange) -> bool {
        change.after.as_ref().is_some_and(|v| !v.is_wholly_known())
            || change.dependencies.iter().any(|&d| {
                self.plan.changes[d]
                    .before
                    .as_ref()
                    .is_some_and(Value::contains_sensitive)
            })
    }

    fn bind(&self, changes: &[usize]) -> Result<Vec<Value>, String> {
        let mut state = self.recorder.snapshot()?;
        // References to secrets Azure computed (an authorization key) need the values.
        let dependencies: Vec<ResourceInstanceAddr> = changes
            .iter()
            .flat_map(|&c| self.plan.changes[c].dependencies.iter())
            .map(|&d| self.plan.changes[d].addr.clone())
            .collect();
        self.recorder
            .secrets
            .overlay(&mut state, dependencies.iter())?;
        let (fresh, _desired, diags) = make_plan(
            self.config,
            &state,
            self.reader,
            &PlanOptions::default(),
            &super::plan::domain_rule,
        );
        if diags.has_errors() {
            return Err(diags
                .iter()
                .filter(|d| d.is_error())
                .map(|d| d.summary.clone())
                .collect::<Vec<_>>()
                .join("; "));
        }
        let fresh_after: HashMap<&ResourceInstanceAddr, &Value> = fresh
            .changes
            .iter()
            .filter_map(|f| Some((&f.addr, f.after.as_ref()?)))
            .collect();
        changes
            .iter()
            .map(|&c| {
                let addr = &self.plan.changes[c].addr;
                fresh_after
                    .get(addr)
                    .map(|v| (*v).clone())
                    .ok_or_else(|| format!("{addr} is no longer in the configuration"))
            })
            .collect()
    }
}

/// Progress on stderr in Terraform's words. Lines from several workers never interleave: each is
/// written whole under the lock. On a terminal a status line at the bottom (steps done of all,
/// running, failed, waiting, time) is redrawn under the lines as they come.
struct Progress {
    counts: Mutex<Counts>,
    total: usize,
    terminal: bool,
    started: Instant,
}

#[derive(Default)]
struct Counts {
    done: usize,
    running: usize,
    failed: usize,
    held: usize,
    /// Whether the status line is on screen (to be cleared before the next line).
    shown: bool,
}

impl Progress {
    fn new(total: usize, terminal: bool) -> Progress {
        Progress {
            counts: Mutex::new(Counts::default()),
            total,
            terminal,
            started: Instant::now(),
        }
    }

    /// Print a line (when given) after updating the counts, and redraw the status line.
    fn update(&self, text: Option<String>, change: impl FnOnce(&mut Counts)) {
        let Ok(mut counts) = self.counts.lock() else {
            return;
        };
        change(&mut counts);
        let mut err = std::io::stderr().lock();
        if self.terminal && counts.shown {
            let _ = write!(err, "\r\x1b[K");
            counts.shown = false;
        }
        if let Some(text) = text {
            let _ = writeln!(err, "{text}");
        }
        if self.terminal {
            let width = 30;
            let filled = (counts.done + counts.failed + counts.held) * width / self.total.max(1);
            let mut status = format!(
                "[{}{}] {}/{} steps, {} running",
                "#".repeat(filled),
                "-".repeat(width - filled.min(width)),
                counts.done,
                self.total,
                counts.running
            );
            if counts.failed > 0 {
                status.push_str(&format!(", {} failed", counts.failed));
            }
            if counts.held > 0 {
                status.push_str(&format!(", {} waiting or skipped", counts.held));
            }
            status.push_str(&format!(", {} elapsed", seconds(self.started.elapsed())));
            let _ = write!(err, "{status}");
            counts.shown = true;
        }
        let _ = err.flush();
    }

    fn line(&self, text: String) {
        self.update(Some(text), |_| {});
    }

    /// Clear the status line at the end of the walk.
    fn done(&self) {
        if let Ok(mut counts) = self.counts.lock()
            && counts.shown
        {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[K");
            let _ = err.flush();
            counts.shown = false;
        }
    }
}

fn verbs(kind: StepKind) -> (&'static str, &'static str, &'static str) {
    match kind {
        StepKind::Create => ("Creating...", "Still creating...", "Creation complete"),
        StepKind::Update => (
            "Modifying...",
            "Still modifying...",
            "Modifications complete",
        ),
        StepKind::Delete | StepKind::DeleteDeposed => (
            "Destroying...",
            "Still destroying...",
            "Destruction complete",
        ),
        StepKind::Read => ("Reading...", "Still reading...", "Read complete"),
        StepKind::Forget => ("Forgetting...", "Still forgetting...", "Forgotten"),
        StepKind::ProviderGate => (
            "Waiting for the service provider to provision the circuit...",
            "Still waiting for the service provider...",
            "Provisioned by the service provider",
        ),
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs();
    if s >= 60 {
        format!("{}m{}s", s / 60, s % 60)
    } else {
        format!("{s}s")
    }
}

impl Hook for Progress {
    fn started(&self, step: &Step, change: &ResourceChange) {
        let id = match step.kind {
            StepKind::Update | StepKind::Delete | StepKind::DeleteDeposed => change
                .prior_id
                .as_ref()
                .map(|i| format!(" [id={i}]"))
                .unwrap_or_default(),
            _ => String::new(),
        };
        self.update(
            Some(format!("{}: {}{id}", change.addr, verbs(step.kind).0)),
            |c| c.running += 1,
        );
    }

    fn still_running(&self, step: &Step, change: &ResourceChange, elapsed: Duration) {
        self.line(format!(
            "{}: {} [{} elapsed]",
            change.addr,
            verbs(step.kind).1,
            seconds(elapsed)
        ));
    }

    fn finished(
        &self,
        step: &Step,
        change: &ResourceChange,
        result: &Result<Outcome, String>,
        elapsed: Duration,
    ) {
        let text = match result {
            Ok(Outcome::Object(v)) => {
                let id = v
                    .get_attr("id")
                    .and_then(|i| i.as_str())
                    .map(|i| format!(" [id={i}]"))
                    .unwrap_or_default();
                format!(
                    "{}: {} after {}{id}",
                    change.addr,
                    verbs(step.kind).2,
                    seconds(elapsed)
                )
            }
            Ok(Outcome::Blocked(_)) => format!(
                "{}: {} after {}",
                change.addr,
                if step.kind == StepKind::ProviderGate {
                    "Not provisioned by the service provider yet; stopping here"
                } else {
                    "Still provisioned by the service provider; not destroyed"
                },
                seconds(elapsed)
            ),
            Ok(_) => format!(
                "{}: {} after {}",
                change.addr,
                verbs(step.kind).2,
                seconds(elapsed)
            ),
            Err(_) => format!(
                "{}: {} failed after {}",
                change.addr,
                step.kind.verb(),
                seconds(elapsed)
            ),
        };
        // A step that failed before it started (binding, intent) was never counted as running.
        let was_running = !(elapsed.is_zero() && result.is_err());
        self.update(Some(text), |c| {
            if was_running {
                c.running = c.running.saturating_sub(1);
            }
            match result {
                Ok(Outcome::Blocked(_)) => c.held += 1,
                Ok(_) => c.done += 1,
                Err(_) => c.failed += 1,
            }
        });
    }

    fn skipped(&self, step: &Step, change: &ResourceChange, failed_step: usize) {
        self.update(
            Some(format!(
                "{}: not {} because step {failed_step} did not complete",
                change.addr,
                match step.kind {
                    StepKind::Create => "created",
                    StepKind::Update => "updated",
                    StepKind::Delete | StepKind::DeleteDeposed => "destroyed",
                    StepKind::Read => "read",
                    StepKind::Forget => "forgotten",
                    StepKind::ProviderGate => "waited for",
                }
            )),
            |c| c.held += 1,
        );
    }

    fn tick(&self) {
        if self.terminal {
            self.update(None, |_| {});
        }
    }
}
