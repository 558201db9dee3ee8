//! `apply` and `destroy`: make the plan (or check a saved one), show it, ask for `yes` on a terminal
//! (refuse to run unattended without `--auto-approve`), then walk it against the cloud with the
//! progress Terraform users know (`Creating...`, `Still creating... [10s elapsed]`, `Creation
//! complete after 12s [id=…]`), recording each completed step in the state journal at once. Ctrl-C
//! stops new steps; running ones finish and the state is saved; a second Ctrl-C explains the risk.

use super::Context;
use super::emulator::connect;
use super::plan::{PlanArgs, cloud_arg, plan_for_apply};
use crate::apply::{ApplyOptions, Binder, Executor, Hook, Outcome, Recorder, apply};
use crate::config::Config;
use crate::config::addr::ResourceInstanceAddr;
use crate::desired::Reader;
use crate::lang::Value;
use crate::plan::{Action, Plan, PlanOptions, ResourceChange, Step, StepKind, make_plan};
use crate::provider::Provider;
use crate::state::{
    CreateIntent, JournalWriter, NewObject, OutputState, ResourceState, State, Status,
};
use clap::Args;
use std::collections::{BTreeMap, HashSet};
use std::io::{BufRead as _, IsTerminal as _};
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
    #[command(flatten)]
    pub plan: PlanArgs,
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
    } = prepared;
    if !plan.has_changes() {
        writeln!(
            ctx.out,
            "\nApply complete! Resources: 0 added, 0 changed, 0 destroyed."
        )?;
        lock.release()?;
        return Ok(0);
    }
    // Confirmation: a saved plan applies without asking, as in Terraform.
    if args.planfile.is_none() && !args.auto_approve {
        if !std::io::stdin().is_terminal() {
            lock.release()?;
            anyhow::bail!(
                "refusing to {operation} unattended: no terminal to ask for confirmation. Pass --auto-approve, or apply a saved plan (plan --out FILE, then apply FILE)"
            );
        }
        let question = if destroy {
            "Do you really want to destroy all resources?\n  peerform will destroy all your managed infrastructure, as shown above.\n  There is no undo. Only 'yes' will be accepted to confirm.\n\n  Enter a value: "
        } else {
            "Do you want to perform these actions?\n  peerform will perform the actions described above.\n  Only 'yes' will be accepted to approve.\n\n  Enter a value: "
        };
        write!(ctx.out, "\n{question}")?;
        ctx.out.flush()?;
        let mut answer = String::new();
        std::io::stdin().lock().read_line(&mut answer)?;
        if answer.trim() != "yes" {
            writeln!(
                ctx.out,
                "\n{} cancelled.",
                if destroy { "Destroy" } else { "Apply" }
            )?;
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

    let journal = backend.begin(&state)?;
    let intents: HashSet<ResourceInstanceAddr> = state.intents.keys().cloned().collect();
    let recorder = StateRecorder {
        inner: Mutex::new((state, journal)),
        plan: &plan,
        subscription: provider.client().subscription().to_string(),
    };
    let executor = ProviderExecutor {
        provider: &provider,
        intents,
        gate_poll: if cloud.describe() == "emulator" || cloud.describe().starts_with("http://127.")
        {
            Duration::from_millis(20)
        } else {
            Duration::from_secs(30)
        },
    };
    let root = reader_root.clone();
    let files = move |path: &str| crate::config::read_function_file(&root, path);
    let reader = crate::desired::NoCloud { files: &files };
    let binder = ReplanBinder {
        config: &config,
        recorder: &recorder,
        reader: &reader,
        plan: &plan,
    };
    let hook = Progress {
        out: Mutex::new(()),
    };
    let options = ApplyOptions {
        parallelism: args.plan.parallelism.max(1),
        ..ApplyOptions::default()
    };
    let report = apply(
        &plan, &options, &executor, &binder, &recorder, &hook, &cancel,
    );
    // Outputs from the state as applied.
    let (mut state, mut journal) = recorder
        .inner
        .into_inner()
        .map_err(|_| anyhow::anyhow!("the state recorder was poisoned"))?;
    let outputs_result = record_outputs(&config, &mut state, &mut journal, &reader);
    backend.finish(journal, &mut state)?;
    lock.release()?;
    outputs_result?;

    if !report.failed.is_empty() || report.cancelled || !report.skipped.is_empty() {
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
        if !report.skipped.is_empty() {
            writeln!(
                ctx.err,
                "{} step(s) were not run because a step they depend on failed: {}.",
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
        return Ok(1);
    }
    let (add, change, destroyed) = plan.counts();
    if destroy {
        writeln!(
            ctx.out,
            "\nDestroy complete! Resources: {destroyed} destroyed."
        )?;
    } else {
        writeln!(
            ctx.out,
            "\nApply complete! Resources: {add} added, {change} changed, {destroyed} destroyed."
        )?;
    }
    let shown: Vec<(&String, &OutputState)> = state.outputs.iter().collect();
    if !shown.is_empty() && !destroy {
        writeln!(ctx.out, "\nOutputs:\n")?;
        for (name, output) in shown {
            match output {
                OutputState::Plain(v) => writeln!(ctx.out, "{name} = {v}")?,
                OutputState::Sensitive(_) => writeln!(ctx.out, "{name} = <sensitive>")?,
            }
        }
    }
    Ok(0)
}

fn numbers(list: &[usize]) -> String {
    list.iter()
        .map(|n| n.to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// Root outputs after the apply: evaluated against the state as it now is.
fn record_outputs(
    config: &Config,
    state: &mut State,
    journal: &mut JournalWriter,
    reader: &dyn Reader,
) -> anyhow::Result<()> {
    let (_plan, desired, _diags) = make_plan(
        config,
        state,
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
        if !value.is_wholly_known() {
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
    for step in steps {
        journal.append(&step)?;
        step.apply(state);
    }
    Ok(())
}

/// Records completed steps in the state journal (fsynced per step) and the in-memory state.
struct StateRecorder<'a> {
    inner: Mutex<(State, JournalWriter)>,
    plan: &'a Plan,
    subscription: String,
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
        let id =
            crate::provider::mapping::resource_id(&change.type_name, value, &self.subscription)
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
            (StepKind::Create | StepKind::Update | StepKind::Read, Outcome::Object(value)) => {
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

/// Acts through the azurerm provider.
struct ProviderExecutor<'a> {
    provider: &'a Provider,
    /// Addresses with a create intent from an interrupted run: their objects are adopted.
    intents: HashSet<ResourceInstanceAddr>,
    gate_poll: Duration,
}

fn unmarked(value: &Value) -> Value {
    value.clone().unmark_deep().0
}

impl Executor for ProviderExecutor<'_> {
    fn run(
        &self,
        step: &Step,
        change: &ResourceChange,
        value: Option<&Value>,
    ) -> Result<Outcome, String> {
        let err = |e: anyhow::Error| format!("{e:#}");
        match step.kind {
            StepKind::Create | StepKind::Update => {
                let value = value.ok_or("no value to send")?;
                if let Some(path) = unknown_path(&change.type_name, value) {
                    return Err(format!(
                        "{path} is still unknown after every step it depends on completed; check the expression that sets it"
                    ));
                }
                let plain = unmarked(value);
                if step.kind == StepKind::Create && change.importing.is_none() {
                    let id = self
                        .provider
                        .resource_id(&change.type_name, &plain)
                        .map_err(err)?;
                    let exists = self
                        .provider
                        .read(&change.type_name, &id, None)
                        .map_err(err)?
                        .is_some();
                    if exists
                        && !self.intents.contains(&change.addr)
                        && change.action != Action::CreateThenDelete
                    {
                        return Err(format!(
                            "a resource with the ID \"{id}\" already exists - to be managed via peerform this resource needs to be imported into the state: peerform import {} {id}",
                            change.addr
                        ));
                    }
                }
                let (id, mut attributes) = self
                    .provider
                    .create_or_update(&change.type_name, &plain)
                    .map_err(err)?;
                if let Value::Map(map) = &mut attributes {
                    map.entry("id".to_string())
                        .or_insert_with(|| Value::string(id.to_string()));
                }
                Ok(Outcome::Object(attributes))
            }
            StepKind::Read => {
                let value = value.ok_or("no value to read")?;
                let plain = unmarked(value);
                let id = self
                    .provider
                    .resource_id(&change.type_name, &plain)
                    .map_err(err)?;
                match self
                    .provider
                    .read(&change.type_name, &id, None)
                    .map_err(err)?
                {
                    Some(mut v) => {
                        if let Value::Map(map) = &mut v {
                            map.entry("id".to_string())
                                .or_insert_with(|| Value::string(id.to_string()));
                        }
                        Ok(Outcome::Object(v))
                    }
                    None => Err(format!("{} was not found: {id}", change.addr)),
                }
            }
            StepKind::Delete | StepKind::DeleteDeposed => {
                let id = change
                    .prior_id
                    .as_deref()
                    .ok_or("no ARM id recorded for this object")?;
                let id = crate::arm::ResourceId::parse(id).map_err(err)?;
                self.provider.delete(&change.type_name, &id).map_err(err)?;
                Ok(Outcome::Gone)
            }
            StepKind::Forget => Ok(Outcome::Gone),
            StepKind::ProviderGate => {
                let value = change.after.as_ref().ok_or("no circuit to wait for")?;
                let plain = unmarked(value);
                let id = self
                    .provider
                    .resource_id(&change.type_name, &plain)
                    .map_err(err)?;
                let deadline = Instant::now() + Duration::from_secs(60 * 60);
                loop {
                    let state = self
                        .provider
                        .read(&change.type_name, &id, None)
                        .map_err(err)?
                        .and_then(|v| {
                            v.get_attr("service_provider_provisioning_state")
                                .and_then(|s| s.as_str().map(str::to_string))
                        });
                    if state.as_deref() == Some("Provisioned") {
                        return Ok(Outcome::Waited);
                    }
                    if Instant::now() >= deadline {
                        return Err(format!(
                            "{} is still {} by its service provider after 60 minutes: ask the provider to provision it (give them the circuit's service key), then apply again",
                            change.addr,
                            state.unwrap_or_else(|| "not provisioned".into())
                        ));
                    }
                    std::thread::sleep(self.gate_poll);
                }
            }
        }
    }
}

/// The first attribute path still unknown in a value about to be sent, if any. Attributes Azure
/// computes (at any depth) may stay unknown: the mapping does not send them.
fn unknown_path(type_name: &str, value: &Value) -> Option<String> {
    fn walk(v: &Value, path: &str, schema: Option<&crate::schema::BlockSchema>) -> Option<String> {
        match v.unmark().0 {
            Value::Unknown => Some(path.to_string()),
            Value::List(items) | Value::Set(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, x)| walk(x, &format!("{path}[{i}]"), schema)),
            Value::Map(map) => map.iter().find_map(|(k, x)| {
                let attr = schema.and_then(|s| s.attribute(k));
                if attr.is_some_and(|a| a.computed || (!a.required && !a.optional))
                    && x.is_unknown()
                {
                    return None;
                }
                let nested = schema.and_then(|s| s.block(k));
                if nested.is_some_and(|b| b.computed) && x.is_unknown() {
                    return None;
                }
                let inner = nested
                    .map(|b| &b.block)
                    .or(if attr.is_some() { None } else { schema });
                let child = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                walk(x, &child, if nested.is_some() { inner } else { None })
            }),
            _ => None,
        }
    }
    let schema = crate::schema::resource(type_name).map(|s| &s.block);
    let map = value.as_map()?;
    map.iter()
        .filter(|(k, _)| k.as_str() != "id")
        .find_map(|(k, v)| walk(&Value::object([(k.clone(), v.clone())]), "", schema))
}

/// Binds values unknown at plan time by planning again against the state as applied so far.
struct ReplanBinder<'a> {
    config: &'a Config,
    recorder: &'a StateRecorder<'a>,
    reader: &'a (dyn Reader + Sync),
    plan: &'a Plan,
}

impl Binder for ReplanBinder<'_> {
    fn bind(&self, changes: &[usize]) -> Result<Vec<Value>, String> {
        let state = self.recorder.snapshot()?;
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
        changes
            .iter()
            .map(|&c| {
                let addr = &self.plan.changes[c].addr;
                fresh
                    .changes
                    .iter()
                    .find(|f| &f.addr == addr)
                    .and_then(|f| f.after.clone())
                    .ok_or_else(|| format!("{addr} is no longer in the configuration"))
            })
            .collect()
    }
}

/// Progress on stderr in Terraform's words. Lines from several workers never interleave: each is
/// written whole under the lock.
struct Progress {
    out: Mutex<()>,
}

impl Progress {
    fn line(&self, text: String) {
        let _guard = self.out.lock();
        eprintln!("{text}");
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
        self.line(format!("{}: {}{id}", change.addr, verbs(step.kind).0));
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
        match result {
            Ok(Outcome::Object(v)) => {
                let id = v
                    .get_attr("id")
                    .and_then(|i| i.as_str())
                    .map(|i| format!(" [id={i}]"))
                    .unwrap_or_default();
                self.line(format!(
                    "{}: {} after {}{id}",
                    change.addr,
                    verbs(step.kind).2,
                    seconds(elapsed)
                ));
            }
            Ok(_) => self.line(format!(
                "{}: {} after {}",
                change.addr,
                verbs(step.kind).2,
                seconds(elapsed)
            )),
            Err(_) => self.line(format!(
                "{}: {} failed after {}",
                change.addr,
                step.kind.verb(),
                seconds(elapsed)
            )),
        }
    }

    fn skipped(&self, step: &Step, change: &ResourceChange, failed_step: usize) {
        self.line(format!(
            "{}: not {} because step {failed_step} failed",
            change.addr,
            match step.kind {
                StepKind::Create => "created",
                StepKind::Update => "updated",
                StepKind::Delete | StepKind::DeleteDeposed => "destroyed",
                StepKind::Read => "read",
                StepKind::Forget => "forgotten",
                StepKind::ProviderGate => "waited for",
            }
        ));
    }
}
