//! The schedule: numbered steps for every change, each with the steps it waits for and its
//! serialisation keys. Creates and updates follow dependencies; deletes run in reverse dependency
//! order; a replacement is delete-then-create (or create-then-delete with create_before_destroy);
//! a new circuit's peerings wait for the provider gate (rule P3). Waves are for display only: apply
//! starts each step as soon as its own dependencies are done and its keys are free.

use super::model::{Action, ResourceChange, Step, StepKind};
use crate::graph::Dag;

/// Types whose objects live inside a parent object, with the parent type: writes to one parent are
/// serialised (Azure rejects concurrent writes to one circuit or VNet).
const PARENT_OF: &[(&str, &str, &str)] = &[
    (
        "azurerm_express_route_circuit_peering",
        "azurerm_express_route_circuit",
        "circuit",
    ),
    (
        "azurerm_express_route_circuit_authorization",
        "azurerm_express_route_circuit",
        "circuit",
    ),
    (
        "azurerm_express_route_circuit_connection",
        "azurerm_express_route_circuit_peering",
        "peering",
    ),
    ("azurerm_subnet", "azurerm_virtual_network", "vnet"),
    (
        "azurerm_virtual_network_gateway_connection",
        "azurerm_virtual_network_gateway",
        "gateway",
    ),
];

const OWN_KEY: &[(&str, &str)] = &[
    ("azurerm_express_route_circuit", "circuit"),
    ("azurerm_virtual_network", "vnet"),
    ("azurerm_virtual_network_gateway", "gateway"),
];

fn keys(changes: &[ResourceChange], i: usize) -> Vec<String> {
    let change = &changes[i];
    let mut keys = Vec::new();
    for (t, kind) in OWN_KEY {
        if change.type_name == *t {
            keys.push(format!("{kind}:{}", change.addr));
        }
    }
    for (child, parent, kind) in PARENT_OF {
        if change.type_name != *child {
            continue;
        }
        for &d in &change.dependencies {
            if changes[d].type_name == *parent {
                keys.push(format!("{kind}:{}", changes[d].addr));
                // A Global Reach link writes its peering, inside its circuit.
                if *kind == "peering" {
                    for &dd in &changes[d].dependencies {
                        if changes[dd].type_name == "azurerm_express_route_circuit" {
                            keys.push(format!("circuit:{}", changes[dd].addr));
                        }
                    }
                }
            }
        }
    }
    keys.sort();
    keys.dedup();
    keys
}

/// `create_before_destroy` spreads to what a create-before-destroy replacement depends on, as in
/// Terraform: a dependency replaced delete-first could not be deleted while the new dependent still
/// needs it. Call before [`schedule`].
pub fn propagate_create_before_destroy(changes: &mut [ResourceChange]) {
    // Transitively through every dependency, whatever its own action.
    let mut seen = vec![false; changes.len()];
    let mut stack: Vec<usize> = (0..changes.len())
        .filter(|&i| changes[i].action == Action::CreateThenDelete)
        .collect();
    while let Some(i) = stack.pop() {
        if std::mem::replace(&mut seen[i], true) {
            continue;
        }
        let deps = changes[i].dependencies.clone();
        for d in deps {
            if changes[d].action == Action::DeleteThenCreate {
                changes[d].action = Action::CreateThenDelete;
            }
            if changes[d].action == Action::CreateThenDelete {
                changes[d].create_before_destroy = true;
            }
            stack.push(d);
        }
    }
}

/// Whether an existing provider circuit is not (yet) provisioned by its service provider.
fn awaits_provider(change: &ResourceChange) -> bool {
    let Some(before) = &change.before else {
        return false;
    };
    let provider = before
        .get_attr("service_provider_name")
        .and_then(|v| v.as_str())
        .is_some();
    let state = before
        .get_attr("service_provider_provisioning_state")
        .and_then(|v| v.as_str());
    provider && state.is_some_and(|s| s != "Provisioned")
}

/// Build the steps and the display waves (step numbers per wave).
pub fn schedule(changes: &[ResourceChange]) -> (Vec<Step>, Vec<Vec<usize>>) {
    // Provisional steps: (change, kind).
    let mut provisional: Vec<(usize, StepKind)> = Vec::new();
    let mut forward: Vec<Option<usize>> = vec![None; changes.len()];
    let mut backward: Vec<Option<usize>> = vec![None; changes.len()];
    let mut gate: Vec<Option<usize>> = vec![None; changes.len()];
    // Circuits with a peering to create or change: an existing circuit its provider has not
    // provisioned yet gets the gate too (the apply that created it stopped there).
    let mut peering_waits = vec![false; changes.len()];
    for change in changes {
        if change.type_name == "azurerm_express_route_circuit_peering"
            && !matches!(
                change.action,
                Action::NoOp | Action::Delete | Action::Forget | Action::Read
            )
        {
            for &d in &change.dependencies {
                peering_waits[d] = true;
            }
        }
    }
    for (i, change) in changes.iter().enumerate() {
        let mut add = |kind| {
            provisional.push((i, kind));
            provisional.len() - 1
        };
        match change.action {
            Action::NoOp => {}
            Action::Create => forward[i] = Some(add(StepKind::Create)),
            Action::Update => forward[i] = Some(add(StepKind::Update)),
            Action::Read => forward[i] = Some(add(StepKind::Read)),
            Action::Forget => backward[i] = Some(add(StepKind::Forget)),
            Action::Delete => backward[i] = Some(add(StepKind::Delete)),
            Action::DeleteThenCreate => {
                backward[i] = Some(add(StepKind::Delete));
                forward[i] = Some(add(StepKind::Create));
            }
            Action::CreateThenDelete => {
                forward[i] = Some(add(StepKind::Create));
                backward[i] = Some(add(StepKind::DeleteDeposed));
            }
        }
        if change.type_name == "azurerm_express_route_circuit"
            && (matches!(
                change.action,
                Action::Create | Action::DeleteThenCreate | Action::CreateThenDelete
            ) || (peering_waits[i]
                && matches!(change.action, Action::NoOp | Action::Update)
                && awaits_provider(change)))
        {
            gate[i] = Some(add(StepKind::ProviderGate));
        }
    }
    let mut dag = Dag::new(provisional.len());
    for (i, change) in changes.iter().enumerate() {
        if let Some(g) = gate[i]
            && let Some(f) = forward[i]
        {
            dag.add_edge(g, f);
        }
        if let (Some(f), Some(b)) = (forward[i], backward[i]) {
            match change.action {
                Action::DeleteThenCreate => dag.add_edge(f, b),
                Action::CreateThenDelete => dag.add_edge(b, f),
                _ => {}
            }
        }
        for &d in &change.dependencies {
            // Creates and updates wait for what they depend on (through the provider gate for a
            // peering of a new circuit).
            if let Some(f) = forward[i] {
                let peering = change.type_name == "azurerm_express_route_circuit_peering";
                match (gate[d], forward[d]) {
                    (Some(g), _) if peering => dag.add_edge(f, g),
                    (_, Some(fd)) => dag.add_edge(f, fd),
                    _ => {}
                }
            }
            // The dependency's old object goes only after this one is deleted or moved away.
            if let Some(bd) = backward[d] {
                if let Some(b) = backward[i] {
                    dag.add_edge(bd, b);
                }
                if changes[d].action == Action::CreateThenDelete
                    && let Some(f) = forward[i]
                {
                    dag.add_edge(bd, f);
                }
            }
        }
    }
    let waves = match dag.waves() {
        Ok(w) => w,
        // The graph comes from an acyclic desired graph; fall back to index order if that breaks.
        Err(_) => vec![(0..provisional.len()).collect()],
    };
    // Number steps in wave order, by address inside a wave.
    let mut order: Vec<usize> = Vec::with_capacity(provisional.len());
    let mut wave_steps: Vec<Vec<usize>> = Vec::new();
    for wave in &waves {
        let mut wave = wave.clone();
        wave.sort_by(|&a, &b| {
            changes[provisional[a].0]
                .addr
                .cmp(&changes[provisional[b].0].addr)
                .then(a.cmp(&b))
        });
        order.extend_from_slice(&wave);
        wave_steps.push(wave);
    }
    let mut number = vec![0; provisional.len()];
    for (n, &p) in order.iter().enumerate() {
        number[p] = n + 1;
    }
    let steps = order
        .iter()
        .map(|&p| {
            let (change, kind) = provisional[p];
            let mut depends_on: Vec<usize> =
                dag.dependencies(p).iter().map(|&d| number[d]).collect();
            depends_on.sort_unstable();
            Step {
                number: number[p],
                change,
                kind,
                depends_on,
                keys: keys(changes, change),
            }
        })
        .collect();
    let waves = wave_steps
        .into_iter()
        .map(|w| w.into_iter().map(|p| number[p]).collect())
        .collect();
    (steps, waves)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::addr::{Mode as AddrMode, ModulePath, ResourceAddr, ResourceInstanceAddr};
    use proptest::prelude::*;

    fn change(name: &str, action: Action, deps: Vec<usize>) -> ResourceChange {
        ResourceChange {
            addr: ResourceInstanceAddr {
                resource: ResourceAddr {
                    module: ModulePath::root(),
                    mode: AddrMode::Managed,
                    type_name: "azurerm_resource_group".into(),
                    name: name.into(),
                },
                key: None,
            },
            prev_addr: None,
            type_name: "azurerm_resource_group".into(),
            action,
            before: None,
            after: None,
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

    fn actions() -> impl Strategy<Value = Action> {
        prop_oneof![
            Just(Action::NoOp),
            Just(Action::Create),
            Just(Action::Update),
            Just(Action::Delete),
            Just(Action::DeleteThenCreate),
            Just(Action::CreateThenDelete),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// On random DAGs every schedule is a topological order: each step's dependencies come first,
        /// and every change that does something has its steps.
        #[test]
        fn schedule_is_a_topological_order(
            n in 1usize..30,
            acts in proptest::collection::vec(actions(), 30),
            edges in proptest::collection::vec((0usize..30, 0usize..30), 0..80),
        ) {
            let mut changes: Vec<ResourceChange> = (0..n).map(|i| change(&format!("r{i:02}"), acts[i], vec![])).collect();
            for (a, b) in edges {
                let (a, b) = (a % n, b % n);
                if a > b && !changes[a].dependencies.contains(&b) {
                    changes[a].dependencies.push(b);
                }
            }
            propagate_create_before_destroy(&mut changes);
            let (steps, waves) = schedule(&changes);
            for (i, step) in steps.iter().enumerate() {
                prop_assert_eq!(step.number, i + 1);
                for &d in &step.depends_on {
                    prop_assert!(d < step.number, "step {} depends on later step {}", step.number, d);
                }
            }
            let expected: usize = changes.iter().map(|c| match c.action {
                Action::NoOp => 0,
                Action::DeleteThenCreate | Action::CreateThenDelete => 2,
                _ => 1,
            }).sum();
            prop_assert_eq!(steps.len(), expected);
            prop_assert_eq!(waves.iter().map(Vec::len).sum::<usize>(), steps.len());
        }
    }

    #[test]
    fn deletes_run_in_reverse_dependency_order() {
        // 0 ← 1 ← 2 (2 depends on 1 depends on 0), all deleted.
        let changes = vec![
            change("a", Action::Delete, vec![]),
            change("b", Action::Delete, vec![0]),
            change("c", Action::Delete, vec![1]),
        ];
        let (steps, _) = schedule(&changes);
        let order: Vec<usize> = steps.iter().map(|s| s.change).collect();
        assert_eq!(order, vec![2, 1, 0]);
    }

    #[test]
    fn delete_then_create_deletes_first() {
        let changes = vec![change("a", Action::DeleteThenCreate, vec![])];
        let (steps, _) = schedule(&changes);
        assert_eq!(steps[0].kind, StepKind::Delete);
        assert_eq!(steps[1].kind, StepKind::Create);
        assert_eq!(steps[1].depends_on, vec![1]);
    }

    /// The apply that created a circuit stopped at the provider gate: the next plan, with the circuit
    /// unchanged but still NotProvisioned, waits for the provider again before the peering.
    #[test]
    fn a_peering_of_an_unprovisioned_circuit_waits_for_the_provider() {
        let circuit = |state: &str| {
            let mut c = change("c", Action::NoOp, vec![]);
            c.type_name = "azurerm_express_route_circuit".into();
            c.before = Some(crate::lang::Value::object([
                (
                    "service_provider_name",
                    crate::lang::Value::string("Equinix"),
                ),
                (
                    "service_provider_provisioning_state",
                    crate::lang::Value::string(state),
                ),
            ]));
            c
        };
        let mut peering = change("p", Action::Create, vec![0]);
        peering.type_name = "azurerm_express_route_circuit_peering".into();
        let (steps, _) = schedule(&[circuit("NotProvisioned"), peering.clone()]);
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0].kind, StepKind::ProviderGate);
        assert_eq!(steps[1].depends_on, vec![1]);
        let (steps, _) = schedule(&[circuit("Provisioned"), peering]);
        assert_eq!(steps.len(), 1, "a provisioned circuit needs no gate");
    }
}
