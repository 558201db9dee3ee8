//! The plan: the desired state diffed against the prior state, instance by instance while `desired`
//! evaluates (so dependents see planned values), then orphans, moves, imports and removals, the
//! schedule of numbered steps, and its renderings. Pure: cloud reads come through the reader the
//! caller passes in.

mod diff;
mod model;
pub mod planfile;
pub mod render_human;
pub mod render_json;
pub mod render_markdown;
mod schedule;

pub use diff::{
    Decision, DiffOptions, HELD_SECRET, contains_held_secret, diff, held_secret, normalise,
    normalise_keep_marks,
};
pub use model::{
    Action, ActionReason, Mode, OutputChange, Plan, ReplaceReason, ResourceChange, Step, StepKind,
};
pub use schedule::{propagate_create_before_destroy, schedule};

use crate::config::Config;
use crate::config::addr::{Mode as AddrMode, ResourceInstanceAddr, Target, parse_target};
use crate::desired::{Desired, Instance, Reader, build};
use crate::diag::{Diagnostic, Diagnostics};
use crate::lang::Value;
use crate::state::{OutputState, State};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// What the user asked for.
#[derive(Clone, Debug, Default)]
pub struct PlanOptions {
    pub mode: Mode,
    /// `--target ADDR`, as written.
    pub targets: Vec<String>,
    /// `--replace ADDR`, as written.
    pub replace: Vec<String>,
}

/// Prior objects after `moved` blocks are applied: which prior address (and object) each current
/// address plans against. Without `moved` blocks that is the state itself, looked up directly.
struct PriorAddrs<'a> {
    state: &'a State,
    /// When `moved` blocks renamed anything: current address → prior address, for every object.
    moved: Option<BTreeMap<ResourceInstanceAddr, ResourceInstanceAddr>>,
    /// The inverse of `moved`: prior address → current address.
    current_of: HashMap<ResourceInstanceAddr, ResourceInstanceAddr>,
}

impl<'a> PriorAddrs<'a> {
    fn new(state: &'a State, renames: &[(ResourceInstanceAddr, ResourceInstanceAddr)]) -> Self {
        if renames.is_empty() {
            return PriorAddrs {
                state,
                moved: None,
                current_of: HashMap::new(),
            };
        }
        let mut moved: BTreeMap<ResourceInstanceAddr, ResourceInstanceAddr> = state
            .resources
            .keys()
            .map(|a| (a.clone(), a.clone()))
            .collect();
        for (from, to) in renames {
            if moved.contains_key(to) {
                continue;
            }
            if let Some(old) = moved.remove(from) {
                moved.insert(to.clone(), old);
            }
        }
        let current_of = moved
            .iter()
            .map(|(new, old)| (old.clone(), new.clone()))
            .collect();
        PriorAddrs {
            state,
            moved: Some(moved),
            current_of,
        }
    }

    /// The prior address and object the instance at `addr` plans against.
    fn get(
        &self,
        addr: &ResourceInstanceAddr,
    ) -> Option<(&ResourceInstanceAddr, &'a crate::state::ResourceState)> {
        let old = match &self.moved {
            Some(moved) => moved.get(addr)?,
            None => addr,
        };
        self.state.resources.get_key_value(old)
    }

    /// The current address of the prior object at `addr`.
    fn current<'b>(&'b self, addr: &'b ResourceInstanceAddr) -> &'b ResourceInstanceAddr {
        self.current_of.get(addr).unwrap_or(addr)
    }
}

/// Decides each instance as `desired` evaluates it, and remembers the decisions.
struct Planner<'a> {
    inner: &'a dyn Reader,
    state: &'a State,
    /// Prior objects after `moved` blocks are applied.
    prior: &'a PriorAddrs<'a>,
    replace: &'a [Target],
    domain_rule: &'a dyn Fn(&str, &Value, &Value) -> Option<ReplaceReason>,
    decisions: RefCell<HashMap<ResourceInstanceAddr, Decision>>,
}

impl Reader for Planner<'_> {
    fn read_data_source(
        &self,
        type_name: &str,
        arguments: &Value,
        provider_alias: Option<&str>,
    ) -> Option<Value> {
        self.inner
            .read_data_source(type_name, arguments, provider_alias)
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        self.inner.read_file(path)
    }

    fn planned_value(&self, instance: &Instance) -> Option<Value> {
        let schema = crate::schema::resource(&instance.addr.resource.type_name)?;
        let prior = self.prior.get(&instance.addr).map(|(_, object)| object);
        let options = DiffOptions {
            force_replace: self.replace.iter().any(|t| t.contains(&instance.addr)),
            state: self.state,
            domain_rule: self.domain_rule,
        };
        let decision = diff(instance, schema, prior, &options);
        let planned = decision.planned.clone();
        self.decisions
            .borrow_mut()
            .insert(instance.addr.clone(), decision);
        Some(planned)
    }
}

/// No domain replacement rules (until the rules module provides them).
pub fn no_domain_rule(_type_name: &str, _before: &Value, _after: &Value) -> Option<ReplaceReason> {
    None
}

/// Make a plan: evaluate the configuration against the prior state and decide every instance.
pub fn make_plan(
    config: &Config,
    state: &State,
    reader: &dyn Reader,
    options: &PlanOptions,
    domain_rule: &dyn Fn(&str, &Value, &Value) -> Option<ReplaceReason>,
) -> (Plan, Desired, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let parse_all = |list: &[String], what: &str, diagnostics: &mut Diagnostics| -> Vec<Target> {
        list.iter()
            .filter_map(|t| match parse_target(t) {
                Ok(t) => Some(t),
                Err(e) => {
                    diagnostics.push(Diagnostic::error(
                        format!("Invalid {what} address"),
                        format!("{e}."),
                    ));
                    None
                }
            })
            .collect()
    };
    let targets = parse_all(&options.targets, "target", &mut diagnostics);
    let replace = parse_all(&options.replace, "replace", &mut diagnostics);

    // `moved` blocks rename prior objects before anything is compared.
    let (renames, move_diags) = moves(config, state);
    diagnostics.extend(move_diags);
    let prior = PriorAddrs::new(state, &renames);

    let planner = Planner {
        inner: reader,
        state,
        prior: &prior,
        replace: &replace,
        domain_rule,
        decisions: RefCell::new(HashMap::with_capacity(state.resources.len())),
    };
    let (desired, desired_diags) = build(config, &planner);
    diagnostics.extend(desired_diags);
    let mut decisions = planner.decisions.into_inner();

    let mut plan = Plan {
        mode: options.mode,
        targets: options.targets.clone(),
        prior_lineage: state.lineage.clone(),
        prior_serial: state.serial,
        variables: desired.variables.clone(),
        ..Plan::default()
    };

    // Changes for configured instances.
    let mut index_of: HashMap<ResourceInstanceAddr, usize> =
        HashMap::with_capacity(desired.instances.len() + state.resources.len());
    let mut changes: Vec<ResourceChange> = Vec::with_capacity(desired.instances.len());
    // Instance index → its change, so dependency edges need no address lookups.
    let mut change_of_instance: Vec<Option<usize>> = Vec::with_capacity(desired.instances.len());
    for instance in &desired.instances {
        let prior_entry = prior.get(&instance.addr);
        let prior_object = prior_entry.map(|(_, object)| object);
        let change = if instance.addr.resource.mode == AddrMode::Data {
            ResourceChange {
                addr: instance.addr.clone(),
                prev_addr: None,
                type_name: instance.addr.resource.type_name.clone(),
                // Read during the plan when the reader could; otherwise during apply.
                action: if instance.value.is_wholly_known() {
                    Action::NoOp
                } else {
                    Action::Read
                },
                before: None,
                after: Some(instance.value.clone()),
                changed: Vec::new(),
                replace_reasons: Vec::new(),
                action_reason: None,
                importing: None,
                prior_id: None,
                provider_alias: instance.provider_alias.clone(),
                dependencies: Vec::new(),
                create_before_destroy: false,
            }
        } else {
            let Some(decision) = decisions.remove(&instance.addr) else {
                change_of_instance.push(None);
                continue;
            };
            let mut action = decision.action;
            if options.mode == Mode::RefreshOnly {
                action = Action::NoOp;
            }
            ResourceChange {
                addr: instance.addr.clone(),
                prev_addr: prior_entry
                    .map(|(old, _)| old)
                    .filter(|old| *old != &instance.addr)
                    .cloned(),
                type_name: instance.addr.resource.type_name.clone(),
                action,
                before: decision.before,
                after: Some(decision.planned),
                changed: decision.changed,
                replace_reasons: decision.replace_reasons,
                action_reason: decision.action_reason,
                importing: None,
                prior_id: prior_object.map(|r| r.id.clone()),
                provider_alias: instance.provider_alias.clone(),
                dependencies: Vec::new(),
                create_before_destroy: instance.lifecycle.create_before_destroy,
            }
        };
        index_of.insert(instance.addr.clone(), changes.len());
        change_of_instance.push(Some(changes.len()));
        changes.push(change);
    }
    // Instance dependencies from the desired graph.
    for (i, change) in change_of_instance.iter().enumerate() {
        let Some(ci) = *change else {
            continue;
        };
        let mut deps: Vec<usize> = desired
            .graph
            .dependencies(i)
            .iter()
            .filter_map(|&d| change_of_instance[d])
            .collect();
        deps.sort_unstable();
        deps.dedup();
        changes[ci].dependencies = deps;
    }

    // Prior objects with no configuration: delete (or forget, for `removed { destroy = false }`).
    let removed = removed_blocks(config);
    // Decided before any orphan joins `index_of`.
    let orphans: Vec<_> = state
        .resources
        .iter()
        .filter(|(addr, _)| !index_of.contains_key(prior.current(addr)))
        .collect();
    for (addr, object) in orphans {
        let forget = removed
            .iter()
            .any(|(target, destroy)| target.contains(addr) && !destroy);
        let reason = if desired.resources.iter().any(|r| r == &addr.resource) {
            match &addr.key {
                Some(crate::config::addr::InstanceKey::Int(_)) => {
                    ActionReason::DeleteBecauseCountIndex
                }
                Some(_) => ActionReason::DeleteBecauseEachKey,
                None => ActionReason::DeleteBecauseNoResourceConfig,
            }
        } else if !addr.resource.module.is_root()
            && !desired
                .resources
                .iter()
                .any(|r| r.module == addr.resource.module)
        {
            ActionReason::DeleteBecauseNoModule
        } else {
            ActionReason::DeleteBecauseNoResourceConfig
        };
        let action = if options.mode == Mode::RefreshOnly {
            Action::NoOp
        } else if forget || addr.resource.mode == AddrMode::Data {
            // A data source is never destroyed: its object belongs to someone else.
            Action::Forget
        } else {
            Action::Delete
        };
        index_of.insert(addr.clone(), changes.len());
        changes.push(ResourceChange {
            addr: addr.clone(),
            prev_addr: None,
            type_name: object.type_name.clone(),
            action,
            before: Some(before_value(object)),
            after: None,
            changed: Vec::new(),
            replace_reasons: Vec::new(),
            action_reason: if action == Action::Delete {
                Some(reason)
            } else {
                None
            },
            importing: None,
            prior_id: Some(object.id.clone()),
            provider_alias: None,
            dependencies: Vec::new(),
            create_before_destroy: object.create_before_destroy,
        });
    }
    // Prior dependencies, for deletes (reverse order) of objects no longer configured.
    for (addr, object) in &state.resources {
        let Some(&ci) = index_of.get(addr) else {
            continue;
        };
        if changes[ci].after.is_some() {
            continue;
        }
        let mut deps: Vec<usize> = object
            .dependencies
            .iter()
            .filter_map(|d| index_of.get(d).copied())
            .collect();
        deps.sort_unstable();
        deps.dedup();
        changes[ci].dependencies = deps;
    }

    // `import` blocks annotate the change of their target.
    for (to, id) in imports(config, &desired) {
        if let Some(&ci) = index_of.get(&to)
            && changes[ci].before.is_none()
            && changes[ci].action == Action::Create
        {
            changes[ci].importing = Some(id);
            changes[ci].action = Action::NoOp;
        }
    }

    // A replaced parent takes its children with it in Azure: plan them as replaced too.
    propagate_parent_replacement(&mut changes);
    propagate_create_before_destroy(&mut changes);

    // `prevent_destroy`.
    for instance in &desired.instances {
        if !instance.lifecycle.prevent_destroy {
            continue;
        }
        if let Some(&ci) = index_of.get(&instance.addr)
            && changes[ci].action.destroys()
        {
            let reasons: Vec<String> = changes[ci]
                .replace_reasons
                .iter()
                .map(reason_text)
                .collect();
            diagnostics.push(
                    Diagnostic::error(
                        "Instance cannot be destroyed",
                        format!(
                            "Resource {} has lifecycle.prevent_destroy set, but the plan calls for this resource to be destroyed{}. To avoid this error and continue with the plan, either disable lifecycle.prevent_destroy or reduce the scope of the plan using the --target flag.",
                            instance.addr,
                            if reasons.is_empty() { String::new() } else { format!(" ({})", reasons.join("; ")) }
                        ),
                    )
                    .with_span(instance.span)
                    .with_address(instance.addr.to_string()),
                );
        }
    }
    // prevent_destroy on objects removed from configuration protects nothing (as in Terraform).

    // create_before_destroy needs a new ARM id: Azure identifies objects by name.
    for change in &changes {
        if change.action != Action::CreateThenDelete {
            continue;
        }
        let same_name = [
            "name",
            "resource_group_name",
            "express_route_circuit_name",
            "peering_type",
            "virtual_network_name",
            "peering_id",
        ]
        .iter()
        .all(|k| {
            let before = change
                .before
                .as_ref()
                .and_then(|b| b.get_attr(k))
                .map(normalise);
            let after = change
                .after
                .as_ref()
                .and_then(|a| a.get_attr(k))
                .map(normalise);
            before == after && after.as_ref().is_none_or(|v| v.is_wholly_known())
        });
        if same_name {
            let span = desired
                .instances
                .iter()
                .find(|i| i.addr == change.addr)
                .map(|i| i.span);
            diagnostics.push(
                Diagnostic::error(
                    "create_before_destroy would reuse the object's ARM id",
                    format!(
                        "{} is replaced with create_before_destroy, but its name, resource group and parent stay the same, so the new object would have the same ARM id as the old one: Azure identifies objects by name and would update the old object instead of creating a second. Give the new object a different name (for example with a suffix), or remove create_before_destroy.",
                        change.addr
                    ),
                )
                .with_span(span)
                .with_address(change.addr.to_string()),
            );
        }
    }

    // Destroy mode: everything in the state goes, nothing is created.
    if options.mode == Mode::Destroy {
        for change in &mut changes {
            if change.before.is_some() && change.action != Action::Forget {
                change.action = Action::Delete;
                change.after = None;
                change.replace_reasons.clear();
                change.action_reason = None;
            } else if change.before.is_none() {
                change.action = Action::NoOp;
            }
        }
        // Deletes follow prior dependencies.
        for (addr, object) in &state.resources {
            if let Some(&ci) = index_of.get(addr) {
                changes[ci].dependencies = object
                    .dependencies
                    .iter()
                    .filter_map(|d| index_of.get(d).copied())
                    .collect();
            }
        }
    }

    // `--target`: keep the targets and what they depend on; everything else becomes a no-op.
    if !targets.is_empty() {
        let mut keep = vec![false; changes.len()];
        let mut stack: Vec<usize> = changes
            .iter()
            .enumerate()
            .filter(|(_, c)| targets.iter().any(|t| t.contains(&c.addr)))
            .map(|(i, _)| i)
            .collect();
        while let Some(i) = stack.pop() {
            if keep[i] {
                continue;
            }
            keep[i] = true;
            stack.extend(changes[i].dependencies.iter().copied());
        }
        for (i, change) in changes.iter_mut().enumerate() {
            if !keep[i] && change.action != Action::Read {
                change.action = Action::NoOp;
            }
        }
        diagnostics.push(Diagnostic::warning(
            "Resource targeting is in effect",
            "You are creating a plan with the --target option, which means that the result of this plan may not represent all of the changes requested by the current configuration.\n\nThe --target option is not for routine use, and is provided only for exceptional situations such as recovering from errors or mistakes, or when peerform specifically suggests to use it as part of an error message.",
        ));
    }

    // Root outputs.
    for (name, value) in &desired.outputs {
        let before = state.outputs.get(name).map(|o| match o {
            OutputState::Plain(v) => v.clone(),
            // Only a digest is kept: an unchanged secret compares equal through it, and so does a
            // value still made of secrets held as digests (see `diff::HELD_SECRET`).
            OutputState::Sensitive(_)
                if options.mode != Mode::Destroy
                    && (contains_held_secret(value)
                        || (value.is_wholly_known()
                            && crate::state::output_secret_matches(state, name, value))) =>
            {
                value.clone()
            }
            OutputState::Sensitive(_) => Value::Sensitive(Box::new(Value::Null)),
        });
        plan.outputs.push(OutputChange {
            name: name.clone(),
            before,
            after: if options.mode == Mode::Destroy {
                Value::Null
            } else {
                value.clone()
            },
            sensitive: value.contains_sensitive(),
        });
    }

    plan.changes = changes;
    plan.diagnostics = diagnostics.iter().cloned().collect();
    let (steps, waves) = schedule(&plan.changes);
    plan.steps = steps;
    plan.waves = waves;
    (plan, desired, diagnostics)
}

/// A prior object as a change's "before": its attributes, with each secret it holds as a digest
/// shown by the stand-in dependents see (so an unchanged secret reads the same before and after).
fn before_value(object: &crate::state::ResourceState) -> Value {
    let mut attributes = object.display_attributes();
    for path in object.secrets.keys() {
        if let Some(slot) = attributes.get_mut(path)
            && slot.is_null()
        {
            *slot = held_secret();
        }
    }
    Value::map(attributes)
}

/// One line for a replace reason: `bandwidth_in_mbps` or `[C6] bandwidth decrease`.
pub fn reason_text(reason: &ReplaceReason) -> String {
    match (&reason.rule, &reason.attribute) {
        (Some(rule), _) => format!("[{rule}] {}", reason.message),
        (None, Some(attr)) => format!("{attr} forces replacement"),
        (None, None) => reason.message.clone(),
    }
}

/// Child types Azure deletes with their parent: (child type, parent type).
const PARENTS: &[(&str, &str)] = &[
    (
        "azurerm_express_route_circuit_peering",
        "azurerm_express_route_circuit",
    ),
    (
        "azurerm_express_route_circuit_authorization",
        "azurerm_express_route_circuit",
    ),
    (
        "azurerm_express_route_circuit_connection",
        "azurerm_express_route_circuit_peering",
    ),
    ("azurerm_subnet", "azurerm_virtual_network"),
];

fn propagate_parent_replacement(changes: &mut [ResourceChange]) {
    // Parents come before children in dependency order; iterate until nothing changes (bounded by
    // the depth of the parent chain, three levels).
    for _ in 0..3 {
        let mut updates = Vec::new();
        for (i, change) in changes.iter().enumerate() {
            if change.before.is_none() || change.after.is_none() || change.action.is_replace() {
                continue;
            }
            for &(child, parent) in PARENTS {
                if change.type_name != child {
                    continue;
                }
                if let Some(&p) = change
                    .dependencies
                    .iter()
                    .find(|&&d| changes[d].type_name == parent && changes[d].action.is_replace())
                {
                    updates.push((i, p));
                }
            }
        }
        if updates.is_empty() {
            break;
        }
        for (i, p) in updates {
            let parent = changes[p].addr.to_string();
            let change = &mut changes[i];
            change.action = if change.create_before_destroy {
                Action::CreateThenDelete
            } else {
                Action::DeleteThenCreate
            };
            change.action_reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
            change.replace_reasons.push(ReplaceReason {
                attribute: None,
                rule: None,
                message: format!(
                    "its parent {parent} is replaced, and Azure deletes children with their parent"
                ),
            });
            if let Some(after) = change.after.as_mut().and_then(Value::map_mut) {
                after.insert("id".into(), Value::Unknown);
            }
        }
    }
}

/// `moved` statements as (from, to) instance pairs against the prior state.
fn moves(
    config: &Config,
    state: &State,
) -> (
    Vec<(ResourceInstanceAddr, ResourceInstanceAddr)>,
    Diagnostics,
) {
    let mut out = Vec::new();
    let diagnostics = Diagnostics::new();
    for module in config.modules.iter().take(1) {
        for m in &module.moved {
            let text = |e: &crate::config::Expr| {
                let span = e.span();
                config
                    .sources
                    .get(span.file)
                    .text
                    .get(span.start..span.end)
                    .unwrap_or("")
                    .trim()
                    .to_string()
            };
            let (Ok(from), Ok(to)) = (parse_target(&text(&m.from)), parse_target(&text(&m.to)))
            else {
                continue;
            };
            for addr in state.resources.keys() {
                let new = match (&from, &to) {
                    (Target::Instance(f), Target::Instance(t)) if f == addr => Some(t.clone()),
                    (Target::Resource(f), Target::Resource(t)) if &addr.resource == f => {
                        Some(ResourceInstanceAddr {
                            resource: t.clone(),
                            key: addr.key.clone(),
                        })
                    }
                    (Target::Resource(f), Target::Instance(t))
                        if &addr.resource == f && addr.key.is_none() =>
                    {
                        Some(t.clone())
                    }
                    (Target::Instance(f), Target::Resource(t)) if f == addr => {
                        Some(ResourceInstanceAddr {
                            resource: t.clone(),
                            key: None,
                        })
                    }
                    (Target::Module(f), Target::Module(t))
                        if addr.resource.module.0.starts_with(&f.0) =>
                    {
                        let mut module = t.clone();
                        module
                            .0
                            .extend_from_slice(&addr.resource.module.0[f.0.len()..]);
                        let mut resource = addr.resource.clone();
                        resource.module = module;
                        Some(ResourceInstanceAddr {
                            resource,
                            key: addr.key.clone(),
                        })
                    }
                    _ => None,
                };
                if let Some(new) = new {
                    out.push((addr.clone(), new));
                }
            }
        }
    }
    (out, diagnostics)
}

/// `removed` blocks: (from, destroy).
fn removed_blocks(config: &Config) -> Vec<(Target, bool)> {
    let mut out = Vec::new();
    for module in &config.modules {
        for r in &module.removed {
            let span = r.from.span();
            let text = config
                .sources
                .get(span.file)
                .text
                .get(span.start..span.end)
                .unwrap_or("")
                .trim();
            if let Ok(target) = parse_target(text) {
                let destroy = !matches!(r.destroy.as_ref().map(|e| &e.expr), Some(hcl_edit::expr::Expression::Bool(b)) if !*b.value());
                out.push((target, destroy));
            }
        }
    }
    out
}

/// `import` blocks of the root module: (to, id) where the id is a literal or known.
fn imports(config: &Config, _desired: &Desired) -> Vec<(ResourceInstanceAddr, String)> {
    let mut out = Vec::new();
    for i in &config.root().imports {
        let span = i.to.span();
        let text = config
            .sources
            .get(span.file)
            .text
            .get(span.start..span.end)
            .unwrap_or("")
            .trim();
        let Ok(to) = crate::config::addr::parse_instance(text) else {
            continue;
        };
        if let Some(id) = i.id.as_literal_str() {
            out.push((to, id.to_string()));
        }
    }
    out
}
