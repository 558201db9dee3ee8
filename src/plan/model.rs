//! The plan's domain model: actions with Terraform's symbols beside them, resource changes with
//! their reasons and annotations (moves, imports), the schedule of numbered steps, and the plan
//! itself. Plain data: rendering and encoding live in their own files.

use crate::config::addr::ResourceInstanceAddr;
use crate::diag::Diagnostic;
use crate::lang::Value;
use std::collections::BTreeMap;

/// What happens to one resource instance.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    NoOp,
    Create,
    Update,
    /// Replace: delete the old object, then create the new one (Terraform's default).
    DeleteThenCreate,
    /// Replace with `create_before_destroy`: create first, then delete the old (deposed) object.
    CreateThenDelete,
    Delete,
    /// A data source read during apply.
    Read,
    /// Dropped from state, the object left alone (`removed` with `destroy = false`).
    Forget,
}

impl Action {
    /// Terraform's symbol in the human plan.
    pub fn symbol(self) -> &'static str {
        match self {
            Action::NoOp => " ",
            Action::Create => "+",
            Action::Update => "~",
            Action::DeleteThenCreate => "-/+",
            Action::CreateThenDelete => "+/-",
            Action::Delete => "-",
            Action::Read => "<=",
            Action::Forget => ".",
        }
    }

    /// Terraform's `actions` array in plan JSON.
    pub fn json_actions(self) -> &'static [&'static str] {
        match self {
            Action::NoOp => &["no-op"],
            Action::Create => &["create"],
            Action::Update => &["update"],
            Action::DeleteThenCreate => &["delete", "create"],
            Action::CreateThenDelete => &["create", "delete"],
            Action::Delete => &["delete"],
            Action::Read => &["read"],
            Action::Forget => &["forget"],
        }
    }

    pub fn is_replace(self) -> bool {
        matches!(self, Action::DeleteThenCreate | Action::CreateThenDelete)
    }

    /// Whether the action destroys an object in Azure.
    pub fn destroys(self) -> bool {
        matches!(self, Action::Delete) || self.is_replace()
    }
}

/// Why an object is replaced: an attribute that forces it, or an ExpressRoute rule.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplaceReason {
    /// The attribute path (`bandwidth_in_mbps`, `sku[0].tier`), when an attribute forces it.
    pub attribute: Option<String>,
    /// The domain rule id (C6, C7, C12, W6), when a rule forces it.
    pub rule: Option<String>,
    /// One sentence for reviewers.
    pub message: String,
}

/// Terraform's `action_reason` values we produce.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionReason {
    ReplaceBecauseTainted,
    ReplaceBecauseCannotUpdate,
    ReplaceByRequest,
    ReplaceByTriggers,
    DeleteBecauseNoResourceConfig,
    DeleteBecauseNoModule,
    DeleteBecauseCountIndex,
    DeleteBecauseEachKey,
}

impl ActionReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ActionReason::ReplaceBecauseTainted => "replace_because_tainted",
            ActionReason::ReplaceBecauseCannotUpdate => "replace_because_cannot_update",
            ActionReason::ReplaceByRequest => "replace_by_request",
            ActionReason::ReplaceByTriggers => "replace_by_triggers",
            ActionReason::DeleteBecauseNoResourceConfig => "delete_because_no_resource_config",
            ActionReason::DeleteBecauseNoModule => "delete_because_no_module",
            ActionReason::DeleteBecauseCountIndex => "delete_because_count_index",
            ActionReason::DeleteBecauseEachKey => "delete_because_each_key",
        }
    }
}

/// The planned change of one resource instance.
#[derive(Clone, Debug)]
pub struct ResourceChange {
    pub addr: ResourceInstanceAddr,
    /// The address in the prior state, when a `moved` block renamed it.
    pub prev_addr: Option<ResourceInstanceAddr>,
    pub type_name: String,
    pub action: Action,
    /// Prior attributes (secrets as sensitive-marked null), `None` when there is no prior object.
    pub before: Option<Value>,
    /// Planned attributes (unknowns for what Azure computes), `None` when the object goes away.
    pub after: Option<Value>,
    /// Attribute names whose values differ (top level), sorted.
    pub changed: Vec<String>,
    pub replace_reasons: Vec<ReplaceReason>,
    pub action_reason: Option<ActionReason>,
    /// `import` block: the ARM id adopted.
    pub importing: Option<String>,
    /// The ARM id of the prior object.
    pub prior_id: Option<String>,
    pub provider_alias: Option<String>,
    /// Indexes of the changes this one depends on (desired graph, or prior dependencies for deletes).
    pub dependencies: Vec<usize>,
    pub create_before_destroy: bool,
}

/// What a step does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepKind {
    Create,
    Update,
    Delete,
    /// Delete the deposed object of a create-before-destroy replacement.
    DeleteDeposed,
    Read,
    Forget,
    /// Wait until a circuit's service provider reports Provisioned (the provider gate, rule P3).
    ProviderGate,
}

impl StepKind {
    pub fn verb(self) -> &'static str {
        match self {
            StepKind::Create => "create",
            StepKind::Update => "update",
            StepKind::Delete => "delete",
            StepKind::DeleteDeposed => "delete (deposed)",
            StepKind::Read => "read",
            StepKind::Forget => "forget",
            StepKind::ProviderGate => "wait for provider",
        }
    }
}

/// One numbered step of the schedule.
#[derive(Clone, Debug)]
pub struct Step {
    /// 1-based, in schedule order.
    pub number: usize,
    /// Index of the change it belongs to.
    pub change: usize,
    pub kind: StepKind,
    /// Step numbers that must be done first.
    pub depends_on: Vec<usize>,
    /// Serialisation keys: steps sharing a key never run at the same time (one parent, one gateway).
    pub keys: Vec<String>,
}

/// A root output's change.
#[derive(Clone, Debug)]
pub struct OutputChange {
    pub name: String,
    pub before: Option<Value>,
    pub after: Value,
    pub sensitive: bool,
}

/// Which plan was asked for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Normal,
    Destroy,
    RefreshOnly,
}

/// A whole plan.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub mode: Mode,
    /// Every resource instance, in address order (no-ops included, for JSON consumers).
    pub changes: Vec<ResourceChange>,
    pub steps: Vec<Step>,
    /// Step numbers per wave, for display only.
    pub waves: Vec<Vec<usize>>,
    pub outputs: Vec<OutputChange>,
    pub variables: BTreeMap<String, Value>,
    pub diagnostics: Vec<Diagnostic>,
    /// `--target` addresses, when the plan was restricted.
    pub targets: Vec<String>,
    /// Lineage and serial of the state the plan was made against.
    pub prior_lineage: String,
    pub prior_serial: u64,
}

impl Plan {
    /// (add, change, destroy) as Terraform counts them.
    pub fn counts(&self) -> (usize, usize, usize) {
        let mut add = 0;
        let mut change = 0;
        let mut destroy = 0;
        for c in &self.changes {
            match c.action {
                Action::Create => add += 1,
                Action::Update => change += 1,
                Action::Delete => destroy += 1,
                Action::DeleteThenCreate | Action::CreateThenDelete => {
                    add += 1;
                    destroy += 1;
                }
                _ => {}
            }
        }
        (add, change, destroy)
    }

    /// Whether applying would change anything (Terraform's `-detailed-exitcode` 2). A move or an
    /// import alone counts: applying it changes the state.
    pub fn has_changes(&self) -> bool {
        self.changes.iter().any(|c| {
            !matches!(c.action, Action::NoOp | Action::Read)
                || c.prev_addr.is_some()
                || c.importing.is_some()
        }) || self
            .outputs
            .iter()
            .any(|o| o.before.as_ref() != Some(&o.after))
    }
}
