//! The walk itself: a coordinator that owns the bookkeeping (remaining dependencies, busy keys,
//! ready steps) and a pool of workers that run steps. Only the coordinator touches the recorder, so
//! each completed step is recorded before its dependents can start.

use super::{Binder, Executor, Hook, Outcome, Recorder};
use crate::plan::{Plan, StepKind};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Clone, Debug)]
pub struct ApplyOptions {
    /// Steps running at once (Terraform's `-parallelism`, default 10).
    pub parallelism: usize,
    /// How often `Hook::still_running` is called for a long step.
    pub still_interval: Duration,
}

impl Default for ApplyOptions {
    fn default() -> Self {
        ApplyOptions {
            parallelism: 10,
            still_interval: Duration::from_secs(10),
        }
    }
}

/// A step that failed, and why.
#[derive(Clone, Debug)]
pub struct StepFailure {
    pub step: usize,
    pub error: String,
}

/// How the walk ended.
#[derive(Clone, Debug, Default)]
pub struct ApplyReport {
    /// Step numbers completed, in completion order.
    pub completed: Vec<usize>,
    pub failed: Vec<StepFailure>,
    /// Steps that could not go ahead until someone outside peerform acts, and why.
    pub blocked: Vec<StepFailure>,
    /// Steps not run because a dependency failed or was blocked.
    pub skipped: Vec<usize>,
    /// Steps not started because the walk was cancelled.
    pub not_started: Vec<usize>,
    pub cancelled: bool,
}

impl ApplyReport {
    pub fn succeeded(&self) -> bool {
        self.failed.is_empty()
            && self.blocked.is_empty()
            && self.skipped.is_empty()
            && self.not_started.is_empty()
    }
}

struct Job {
    step: usize,
    value: Option<crate::lang::Value>,
}

enum Event {
    Done {
        step: usize,
        result: Result<Outcome, String>,
        elapsed: Duration,
    },
}

/// Walk the plan's schedule. Returns when every step has completed, failed, been skipped, or (after
/// `cancel` was set) every running step has finished.
pub fn apply(
    plan: &Plan,
    options: &ApplyOptions,
    executor: &dyn Executor,
    binder: &dyn Binder,
    recorder: &dyn Recorder,
    hook: &dyn Hook,
    cancel: &AtomicBool,
) -> ApplyReport {
    let steps = &plan.steps;
    let n = steps.len();
    let mut report = ApplyReport::default();
    if n == 0 {
        return report;
    }
    // Step numbers are 1-based and equal to position + 1.
    let mut remaining: Vec<usize> = steps.iter().map(|s| s.depends_on.len()).collect();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, s) in steps.iter().enumerate() {
        for &d in &s.depends_on {
            if d >= 1 && d <= n {
                dependents[d - 1].push(i);
            }
        }
    }
    let mut ready: BTreeSet<usize> = (0..n).filter(|&i| remaining[i] == 0).collect();
    // Values bound for ready steps that have not started yet.
    let mut prebound: HashMap<usize, crate::lang::Value> = HashMap::new();
    let mut busy_keys: HashSet<String> = HashSet::new();
    let mut state: Vec<u8> = vec![0; n]; // 0 pending, 1 running, 2 done, 3 failed, 4 skipped
    let mut running = 0usize;
    let parallelism = options.parallelism.max(1);

    let (job_tx, job_rx) = mpsc::channel::<Job>();
    let job_rx = Arc::new(Mutex::new(job_rx));
    let (event_tx, event_rx) = mpsc::channel::<Event>();

    std::thread::scope(|scope| {
        for _ in 0..parallelism {
            let job_rx = Arc::clone(&job_rx);
            let event_tx = event_tx.clone();
            scope.spawn(move || {
                loop {
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => break,
                    };
                    let Ok(job) = job else { break };
                    let step = &steps[job.step];
                    let change = &plan.changes[step.change];
                    let start = Instant::now();
                    let result = executor.run(step, change, job.value.as_ref());
                    let _ = event_tx.send(Event::Done {
                        step: job.step,
                        result,
                        elapsed: start.elapsed(),
                    });
                }
            });
        }
        drop(event_tx);
        let mut started_at: Vec<Option<Instant>> = vec![None; n];
        let mut last_still: Vec<Option<Instant>> = vec![None; n];

        loop {
            // Start what can start: dependencies done, keys free, a worker free, not cancelled.
            if !cancel.load(Ordering::SeqCst) {
                let mut batch: Vec<usize> = Vec::new();
                let mut batch_keys: HashSet<&str> = HashSet::new();
                for &i in &ready {
                    if running + batch.len() >= parallelism {
                        break;
                    }
                    let keys = &steps[i].keys;
                    if keys
                        .iter()
                        .any(|k| busy_keys.contains(k) || batch_keys.contains(k.as_str()))
                    {
                        continue;
                    }
                    batch_keys.extend(keys.iter().map(String::as_str));
                    batch.push(i);
                }
                // Bind the values of creates, updates and reads that still hold unknowns.
                let takes_value = |i: usize| {
                    matches!(
                        steps[i].kind,
                        StepKind::Create | StepKind::Update | StepKind::Read
                    )
                };
                let needs_value: Vec<usize> =
                    batch.iter().copied().filter(|&i| takes_value(i)).collect();
                let wants =
                    |i: usize| takes_value(i) && binder.wants(&plan.changes[steps[i].change]);
                let to_bind: Vec<usize> = needs_value
                    .iter()
                    .copied()
                    .filter(|&i| !prebound.contains_key(&i) && wants(i))
                    .collect();
                let mut bound: HashMap<usize, Result<crate::lang::Value, String>> = HashMap::new();
                if !to_bind.is_empty() {
                    // Every ready step's dependencies are done, so its value is final now: one
                    // binding serves them all, instead of one per step as workers free up.
                    let mut all = to_bind.clone();
                    all.extend(
                        ready
                            .iter()
                            .copied()
                            .filter(|i| !to_bind.contains(i) && !prebound.contains_key(i))
                            .filter(|&i| wants(i)),
                    );
                    let change_indexes: Vec<usize> = all.iter().map(|&i| steps[i].change).collect();
                    match binder.bind(&change_indexes) {
                        Ok(values) => prebound.extend(all.iter().copied().zip(values)),
                        // Only the steps starting now fail; the others are bound again later.
                        Err(e) => bound.extend(to_bind.iter().map(|&i| (i, Err(e.clone())))),
                    }
                }
                for &i in &needs_value {
                    if let Some(value) = prebound.remove(&i) {
                        bound.insert(i, Ok(value));
                    }
                }
                for i in batch {
                    ready.remove(&i);
                    let step = &steps[i];
                    let change = &plan.changes[step.change];
                    let value = if needs_value.contains(&i) {
                        match bound.remove(&i) {
                            Some(Ok(v)) => Some(v),
                            Some(Err(e)) => {
                                fail(
                                    i,
                                    e,
                                    &mut state,
                                    &mut report,
                                    &dependents,
                                    &mut ready,
                                    plan,
                                    hook,
                                    recorder,
                                );
                                continue;
                            }
                            None => change.after.clone(),
                        }
                    } else {
                        None
                    };
                    if step.kind == StepKind::Create
                        && let Some(v) = &value
                        && let Err(e) = recorder.intent(change, v)
                    {
                        fail(
                            i,
                            e,
                            &mut state,
                            &mut report,
                            &dependents,
                            &mut ready,
                            plan,
                            hook,
                            recorder,
                        );
                        continue;
                    }
                    busy_keys.extend(step.keys.iter().cloned());
                    state[i] = 1;
                    running += 1;
                    started_at[i] = Some(Instant::now());
                    last_still[i] = started_at[i];
                    hook.started(step, change);
                    if job_tx.send(Job { step: i, value }).is_err() {
                        running -= 1;
                        fail(
                            i,
                            "the worker pool stopped".into(),
                            &mut state,
                            &mut report,
                            &dependents,
                            &mut ready,
                            plan,
                            hook,
                            recorder,
                        );
                    }
                }
            }
            if running == 0 {
                break;
            }
            // Wait for a step to finish, telling the hook about long ones meanwhile.
            let event = match event_rx
                .recv_timeout(options.still_interval.min(Duration::from_millis(500)))
            {
                Ok(e) => e,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    hook.tick();
                    let now = Instant::now();
                    for i in 0..n {
                        if state[i] == 1
                            && let (Some(start), Some(last)) = (started_at[i], last_still[i])
                            && now.duration_since(last) >= options.still_interval
                        {
                            last_still[i] = Some(now);
                            hook.still_running(
                                &steps[i],
                                &plan.changes[steps[i].change],
                                now.duration_since(start),
                            );
                        }
                    }
                    continue;
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            };
            let Event::Done {
                step: i,
                result,
                elapsed,
            } = event;
            running -= 1;
            for k in &steps[i].keys {
                busy_keys.remove(k);
            }
            let step = &steps[i];
            let change = &plan.changes[step.change];
            let result = match result {
                Ok(Outcome::Blocked(why)) => {
                    hook.finished(step, change, &Ok(Outcome::Blocked(why.clone())), elapsed);
                    state[i] = 3;
                    report.blocked.push(StepFailure {
                        step: step.number,
                        error: why,
                    });
                    skip_dependents(
                        i,
                        &mut state,
                        &mut report,
                        &dependents,
                        &mut ready,
                        plan,
                        hook,
                    );
                    continue;
                }
                Ok(outcome) => match recorder.completed(step, change, &outcome) {
                    Ok(()) => Ok(outcome),
                    Err(e) => Err(format!("the step succeeded but recording it failed: {e}")),
                },
                Err(e) => Err(e),
            };
            hook.finished(step, change, &result, elapsed);
            match result {
                Ok(_) => {
                    state[i] = 2;
                    report.completed.push(step.number);
                    for &d in &dependents[i] {
                        remaining[d] -= 1;
                        if remaining[d] == 0 && state[d] == 0 {
                            ready.insert(d);
                        }
                    }
                }
                Err(e) => {
                    if step.kind == StepKind::Create {
                        recorder.failed(step, change, &e);
                    }
                    state[i] = 3;
                    report.failed.push(super::StepFailure {
                        step: step.number,
                        error: e,
                    });
                    skip_dependents(
                        i,
                        &mut state,
                        &mut report,
                        &dependents,
                        &mut ready,
                        plan,
                        hook,
                    );
                }
            }
        }
        drop(job_tx);
    });
    if cancel.load(Ordering::SeqCst) {
        report.cancelled = true;
        for (i, s) in state.iter().enumerate() {
            if *s == 0 {
                report.not_started.push(steps[i].number);
            }
        }
    }
    report
}

#[allow(clippy::too_many_arguments)]
fn fail(
    i: usize,
    error: String,
    state: &mut [u8],
    report: &mut ApplyReport,
    dependents: &[Vec<usize>],
    ready: &mut BTreeSet<usize>,
    plan: &Plan,
    hook: &dyn Hook,
    recorder: &dyn Recorder,
) {
    let step = &plan.steps[i];
    let change = &plan.changes[step.change];
    hook.finished(step, change, &Err(error.clone()), Duration::ZERO);
    if step.kind == StepKind::Create {
        recorder.failed(step, change, &error);
    }
    state[i] = 3;
    report.failed.push(StepFailure {
        step: step.number,
        error,
    });
    skip_dependents(i, state, report, dependents, ready, plan, hook);
}

fn skip_dependents(
    i: usize,
    state: &mut [u8],
    report: &mut ApplyReport,
    dependents: &[Vec<usize>],
    ready: &mut BTreeSet<usize>,
    plan: &Plan,
    hook: &dyn Hook,
) {
    let failed_number = plan.steps[i].number;
    let mut stack = dependents[i].clone();
    while let Some(d) = stack.pop() {
        if state[d] != 0 {
            continue;
        }
        state[d] = 4;
        ready.remove(&d);
        report.skipped.push(plan.steps[d].number);
        hook.skipped(
            &plan.steps[d],
            &plan.changes[plan.steps[d].change],
            failed_number,
        );
        stack.extend(dependents[d].iter().copied());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::addr::{Mode as AddrMode, ModulePath, ResourceAddr, ResourceInstanceAddr};
    use crate::lang::Value;
    use crate::plan::{Action, ResourceChange, Step, schedule};
    use std::sync::atomic::AtomicUsize;

    fn change(type_name: &str, name: &str, action: Action, deps: Vec<usize>) -> ResourceChange {
        ResourceChange {
            addr: ResourceInstanceAddr {
                resource: ResourceAddr {
                    module: ModulePath::root(),
                    mode: AddrMode::Managed,
                    type_name: type_name.into(),
                    name: name.into(),
                },
                key: None,
            },
            prev_addr: None,
            type_name: type_name.into(),
            action,
            before: None,
            after: Some(Value::object([("name", Value::string(name))])),
            changed: vec![],
            replace_reasons: vec![],
            action_reason: None,
            importing: None,
            prior_id: None,
            provider_alias: None,
            dependencies: deps,
            create_before_destroy: false,
        }
    }

    fn plan_of(changes: Vec<ResourceChange>) -> Plan {
        let (steps, waves) = schedule(&changes);
        Plan {
            changes,
            steps,
            waves,
            ..Plan::default()
        }
    }

    /// Records the order steps start and finish in, fails the named changes, and checks that no two
    /// steps sharing a key ever run at once.
    #[derive(Default)]
    struct Recording {
        log: Mutex<Vec<(String, &'static str)>>,
        running_keys: Mutex<HashSet<String>>,
        overlap: AtomicBool,
        fail: Vec<String>,
        concurrent: AtomicUsize,
        max_concurrent: AtomicUsize,
    }

    impl Executor for Recording {
        fn run(
            &self,
            step: &Step,
            change: &ResourceChange,
            _value: Option<&Value>,
        ) -> Result<Outcome, String> {
            {
                let mut keys = self.running_keys.lock().unwrap();
                for k in &step.keys {
                    if !keys.insert(k.clone()) {
                        self.overlap.store(true, Ordering::SeqCst);
                    }
                }
            }
            let now = self.concurrent.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_concurrent.fetch_max(now, Ordering::SeqCst);
            self.log
                .lock()
                .unwrap()
                .push((change.addr.resource.name.clone(), "start"));
            std::thread::yield_now();
            self.log
                .lock()
                .unwrap()
                .push((change.addr.resource.name.clone(), "end"));
            self.concurrent.fetch_sub(1, Ordering::SeqCst);
            let mut keys = self.running_keys.lock().unwrap();
            for k in &step.keys {
                keys.remove(k);
            }
            if self.fail.contains(&change.addr.resource.name) {
                return Err(format!("{} failed", change.addr));
            }
            Ok(Outcome::Object(Value::Null))
        }
    }

    struct NoBind;
    impl Binder for NoBind {
        fn bind(&self, changes: &[usize]) -> Result<Vec<Value>, String> {
            Ok(changes.iter().map(|_| Value::Null).collect())
        }
    }

    #[derive(Default)]
    struct Journal {
        completed: Mutex<Vec<usize>>,
        intents: AtomicUsize,
    }
    impl Recorder for Journal {
        fn intent(&self, _c: &ResourceChange, _v: &Value) -> Result<(), String> {
            self.intents.fetch_add(1, Ordering::SeqCst);
            Ok(())
        }
        fn completed(&self, step: &Step, _c: &ResourceChange, _o: &Outcome) -> Result<(), String> {
            self.completed.lock().unwrap().push(step.number);
            Ok(())
        }
        fn failed(&self, _s: &Step, _c: &ResourceChange, _e: &str) {}
    }

    struct Quiet;
    impl Hook for Quiet {
        fn started(&self, _: &Step, _: &ResourceChange) {}
        fn still_running(&self, _: &Step, _: &ResourceChange, _: Duration) {}
        fn finished(&self, _: &Step, _: &ResourceChange, _: &Result<Outcome, String>, _: Duration) {
        }
        fn skipped(&self, _: &Step, _: &ResourceChange, _: usize) {}
    }

    fn site(prefix: &str, base: usize) -> Vec<ResourceChange> {
        vec![
            change(
                "azurerm_resource_group",
                &format!("{prefix}rg"),
                Action::Create,
                vec![],
            ),
            change(
                "azurerm_express_route_circuit",
                &format!("{prefix}circuit"),
                Action::Create,
                vec![base],
            ),
            change(
                "azurerm_express_route_circuit_peering",
                &format!("{prefix}private"),
                Action::Create,
                vec![base, base + 1],
            ),
            change(
                "azurerm_express_route_circuit_peering",
                &format!("{prefix}microsoft"),
                Action::Create,
                vec![base, base + 1],
            ),
            change(
                "azurerm_express_route_circuit_authorization",
                &format!("{prefix}auth"),
                Action::Create,
                vec![base + 1],
            ),
        ]
    }

    #[test]
    fn dependencies_finish_before_dependents_start_and_keys_never_overlap() {
        let mut changes = site("a_", 0);
        changes.extend(site("b_", 5));
        let plan = plan_of(changes);
        let exec = Recording::default();
        let journal = Journal::default();
        let report = apply(
            &plan,
            &ApplyOptions {
                parallelism: 4,
                still_interval: Duration::from_secs(60),
            },
            &exec,
            &NoBind,
            &journal,
            &Quiet,
            &AtomicBool::new(false),
        );
        assert!(report.succeeded(), "{report:?}");
        assert_eq!(report.completed.len(), plan.steps.len());
        assert!(
            !exec.overlap.load(Ordering::SeqCst),
            "two steps with one serialisation key ran at once"
        );
        let log = exec.log.lock().unwrap().clone();
        let pos = |name: &str, what: &str| {
            log.iter()
                .position(|(n, w)| n == name && *w == what)
                .unwrap()
        };
        for p in ["a_", "b_"] {
            assert!(pos(&format!("{p}circuit"), "end") < pos(&format!("{p}private"), "start"));
            assert!(pos(&format!("{p}rg"), "end") < pos(&format!("{p}circuit"), "start"));
        }
        assert_eq!(
            journal.intents.load(Ordering::SeqCst),
            10,
            "one intent per create"
        );
        assert!(exec.max_concurrent.load(Ordering::SeqCst) <= 4);
    }

    /// Binds every value to "bound", counting calls and the values asked for.
    #[derive(Default)]
    struct CountingBinder {
        calls: AtomicUsize,
        values: AtomicUsize,
    }

    impl Binder for CountingBinder {
        fn bind(&self, changes: &[usize]) -> Result<Vec<Value>, String> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.values.fetch_add(changes.len(), Ordering::SeqCst);
            Ok(changes.iter().map(|_| Value::string("bound")).collect())
        }

        fn wants(&self, _change: &ResourceChange) -> bool {
            true
        }
    }

    #[test]
    fn one_binding_serves_every_ready_step_and_each_value_is_bound_once() {
        // Twenty independent creates, two workers: binding once per started step would take
        // twenty re-plans; the ready ones are all bound at once.
        let changes: Vec<ResourceChange> = (0..20)
            .map(|i| {
                change(
                    "azurerm_resource_group",
                    &format!("rg{i}"),
                    Action::Create,
                    vec![],
                )
            })
            .collect();
        let plan = plan_of(changes);
        let binder = CountingBinder::default();
        let exec = Recording::default();
        let report = apply(
            &plan,
            &ApplyOptions {
                parallelism: 2,
                still_interval: Duration::from_secs(60),
            },
            &exec,
            &binder,
            &Journal::default(),
            &Quiet,
            &AtomicBool::new(false),
        );
        assert!(report.succeeded(), "{report:?}");
        assert_eq!(binder.calls.load(Ordering::SeqCst), 1);
        assert_eq!(binder.values.load(Ordering::SeqCst), 20);
    }

    #[test]
    fn a_failed_step_skips_its_dependents_and_other_branches_go_on() {
        let mut changes = site("a_", 0);
        changes.extend(site("b_", 5));
        let plan = plan_of(changes);
        let exec = Recording {
            fail: vec!["a_circuit".into()],
            ..Recording::default()
        };
        let report = apply(
            &plan,
            &ApplyOptions::default(),
            &exec,
            &NoBind,
            &Journal::default(),
            &Quiet,
            &AtomicBool::new(false),
        );
        assert_eq!(report.failed.len(), 1);
        assert!(report.failed[0].error.contains("a_circuit"));
        let names = |numbers: &[usize]| -> Vec<String> {
            let mut v: Vec<String> = numbers
                .iter()
                .map(|&n| {
                    plan.changes[plan.steps[n - 1].change]
                        .addr
                        .resource
                        .name
                        .clone()
                })
                .collect();
            v.sort();
            v
        };
        // The provider gate, both peerings and the authorization of site a never run.
        assert_eq!(
            names(&report.skipped),
            vec!["a_auth", "a_circuit", "a_microsoft", "a_private"]
        );
        // Site b is untouched by a's failure.
        assert!(
            names(&report.completed)
                .iter()
                .filter(|n| n.starts_with("b_"))
                .count()
                >= 5
        );
    }

    /// Waits for the provider at the gate: blocked, not failed.
    struct HeldAtGate;
    impl Executor for HeldAtGate {
        fn run(
            &self,
            step: &Step,
            _c: &ResourceChange,
            _v: Option<&Value>,
        ) -> Result<Outcome, String> {
            if step.kind == StepKind::ProviderGate {
                Ok(Outcome::Blocked("ask the provider".into()))
            } else {
                Ok(Outcome::Object(Value::Null))
            }
        }
    }

    #[test]
    fn a_blocked_step_holds_its_dependents_and_is_not_recorded() {
        let plan = plan_of(site("a_", 0));
        let journal = Journal::default();
        let report = apply(
            &plan,
            &ApplyOptions::default(),
            &HeldAtGate,
            &NoBind,
            &journal,
            &Quiet,
            &AtomicBool::new(false),
        );
        assert!(!report.succeeded());
        assert!(report.failed.is_empty());
        assert_eq!(report.blocked.len(), 1);
        assert_eq!(report.blocked[0].error, "ask the provider");
        // Both peerings wait; the group, the circuit and the authorization are done and recorded.
        assert_eq!(report.skipped.len(), 2);
        assert_eq!(report.completed.len(), 3);
        assert_eq!(journal.completed.lock().unwrap().len(), 3);
    }

    #[test]
    fn cancelling_starts_nothing_new() {
        let plan = plan_of(site("a_", 0));
        let exec = Recording::default();
        let report = apply(
            &plan,
            &ApplyOptions::default(),
            &exec,
            &NoBind,
            &Journal::default(),
            &Quiet,
            &AtomicBool::new(true),
        );
        assert!(report.cancelled);
        assert!(report.completed.is_empty());
        assert_eq!(report.not_started.len(), plan.steps.len());
    }
}
