//! Carrying out a plan: walk the schedule with bounded parallelism, starting each step as soon as its
//! own dependencies are done and its serialisation keys are free (waves are not barriers), bind the
//! values that were unknown at plan time just before a step starts, record every completed step at
//! once, skip the dependents of a failed step while independent branches go on, and stop starting
//! new steps when cancelled. It must not print: progress leaves through [`Hook`], and it knows the
//! cloud only through [`Executor`].

mod walk;

pub use walk::{ApplyOptions, ApplyReport, StepFailure, apply};

use crate::lang::Value;
use crate::plan::{ResourceChange, Step};
use std::time::Duration;

/// What a step produced.
#[derive(Clone, Debug)]
pub enum Outcome {
    /// The object now exists with these attributes (create, update, read back).
    Object(Value),
    /// The object is gone (delete), or was forgotten.
    Gone,
    /// A wait finished (the provider gate).
    Waited,
}

/// Acts on the cloud for one step. Implementations retry transient errors themselves; an `Err` is a
/// failure to report.
pub trait Executor: Sync {
    /// Run a step. `value` is the bound value of the change's new object (create, update, read).
    fn run(
        &self,
        step: &Step,
        change: &ResourceChange,
        value: Option<&Value>,
    ) -> Result<Outcome, String>;
}

/// Fills in the values that were unknown at plan time, from what has been applied so far.
pub trait Binder: Sync {
    /// Final values for these changes (by index), in the same order.
    fn bind(&self, changes: &[usize]) -> Result<Vec<Value>, String>;
}

/// Records completed steps durably (the state journal) and create intents before creates.
pub trait Recorder: Sync {
    /// Called before a create is sent, so an object created just before a crash is adopted later.
    fn intent(&self, change: &ResourceChange, value: &Value) -> Result<(), String>;
    /// Called once per completed step, before anything that depends on it starts.
    fn completed(
        &self,
        step: &Step,
        change: &ResourceChange,
        outcome: &Outcome,
    ) -> Result<(), String>;
    /// Called when a create failed: the object is recorded as tainted if it may exist.
    fn failed(&self, step: &Step, change: &ResourceChange, error: &str);
}

/// Progress, in Terraform's words, for whoever shows it.
pub trait Hook: Sync {
    fn started(&self, step: &Step, change: &ResourceChange);
    /// Called while a step runs, about every `still_interval`.
    fn still_running(&self, step: &Step, change: &ResourceChange, elapsed: Duration);
    fn finished(
        &self,
        step: &Step,
        change: &ResourceChange,
        result: &Result<Outcome, String>,
        elapsed: Duration,
    );
    /// A step that will not run because a step it depends on failed.
    fn skipped(&self, step: &Step, change: &ResourceChange, failed_step: usize);
}
