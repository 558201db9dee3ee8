//! The ordering rules as data for the plan's schedule (reference §3.2 P3, P16; §3.7 D1–D6; §5.1,
//! §5.3): extra dependency edges that references alone do not give (a connection waits for the
//! circuit's private peering, Global Reach for both private peerings, …), gates (a provider
//! circuit must be Provisioned before its peerings are written, and NotProvisioned before it is
//! deleted), and serialisation keys (writes under one circuit, one virtual network, one gateway
//! never run concurrently). An edge `from → to` means `from` depends on `to`: creates and updates
//! run `to` first, deletes run `from` first (so the same edge orders P16/D3/D5/D6 deletes).
//! Computed from the desired graph ([`ordering`]) or from any list of objects such as the prior
//! state ([`ordering_of`]), so deletes of objects no longer configured are ordered too. Pure.

use super::model::*;
use crate::config::addr::ResourceInstanceAddr;
use crate::desired::Desired;
use crate::lang::Value;
use std::collections::BTreeMap;

/// `from` depends on `to` because of rule `rule_id`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edge {
    pub from: usize,
    pub to: usize,
    pub rule_id: &'static str,
}

/// The phases of a step a gate holds back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Before the object is created or updated.
    Write,
    /// Before the object is deleted.
    Delete,
}

/// What a gate waits for, read from Azure (the circuit's `serviceProviderProvisioningState`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GateCondition {
    /// The provider has provisioned the circuit (`Provisioned`).
    CircuitProvisioned { circuit: usize },
    /// The provider has deprovisioned the circuit (`NotProvisioned`).
    CircuitNotProvisioned { circuit: usize },
}

/// A wait the schedule must insert before a step: a step of its own with a long timeout and a
/// "waiting for the provider" status, never a retry loop on the failing request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gate {
    pub rule_id: &'static str,
    /// The object whose step waits.
    pub instance: usize,
    pub phase: Phase,
    pub condition: GateCondition,
}

/// Everything the schedule needs from the domain rules, by object index.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ordering {
    pub extra_edges: Vec<Edge>,
    pub gates: Vec<Gate>,
    /// Per object: the keys its writes hold (`circuit:rg/name`, `vnet:rg/name`, `gateway:rg/name`).
    /// Two steps sharing a key never run at the same time.
    pub serialisation_keys: Vec<Vec<String>>,
}

/// One object of [`ordering_of`]: an address (its type names the resource type), its attributes
/// and the objects it depends on (indices into the same list).
pub struct OrderingObject<'a> {
    pub addr: &'a ResourceInstanceAddr,
    pub value: &'a Value,
    pub dependencies: &'a [usize],
}

static NO_SUBSCRIPTIONS: BTreeMap<String, String> = BTreeMap::new();

/// The ordering of the desired instances (indices are `desired.instances` indices).
pub fn ordering(desired: &Desired) -> Ordering {
    let settings = super::RuleSettings::default();
    let model = Model::from_desired(desired, &settings);
    compute(&model)
}

/// The ordering of any objects, such as the prior state's (indices are `objects` indices).
pub fn ordering_of(objects: &[OrderingObject<'_>]) -> Ordering {
    let nodes = objects
        .iter()
        .map(|o| Node::new(o.addr, o.value, None, None, None))
        .collect();
    let deps = objects.iter().map(|o| o.dependencies).collect();
    let model = Model::build(nodes, deps, &NO_SUBSCRIPTIONS);
    compute(&model)
}

fn compute(model: &Model<'_>) -> Ordering {
    let mut out = Ordering {
        serialisation_keys: vec![Vec::new(); model.nodes.len()],
        ..Ordering::default()
    };
    let edge = |out: &mut Ordering, from: usize, to: Option<usize>, rule_id: &'static str| {
        let Some(to) = to else { return };
        if from == to || model.depends_directly(from, to) {
            return;
        }
        if !out.extra_edges.iter().any(|e| e.from == from && e.to == to) {
            out.extra_edges.push(Edge { from, to, rule_id });
        }
    };
    let private_peering = |circuit: usize| {
        model.peerings_of.get(&circuit).and_then(|ps| {
            ps.iter()
                .copied()
                .find(|&p| model.node(p).str("peering_type") == Some("AzurePrivatePeering"))
        })
    };
    let is_provider_circuit = |c: usize| {
        let node = model.node(c);
        node.managed && node.is_null("express_route_port_id")
    };

    for i in 0..model.nodes.len() {
        let node = model.node(i);
        if !node.managed {
            continue;
        }
        match node.type_name {
            CIRCUIT => {
                out.serialisation_keys[i].push(circuit_key(model, i));
                if is_provider_circuit(i) {
                    out.gates.push(Gate {
                        rule_id: "D4",
                        instance: i,
                        phase: Phase::Delete,
                        condition: GateCondition::CircuitNotProvisioned { circuit: i },
                    });
                }
            }
            PEERING => {
                let circuit = model.circuit_of_peering(i);
                edge(&mut out, i, circuit, "D1");
                if let Some(c) = circuit {
                    out.serialisation_keys[i].push(circuit_key(model, c));
                    if is_provider_circuit(c) {
                        out.gates.push(Gate {
                            rule_id: "P3",
                            instance: i,
                            phase: Phase::Write,
                            condition: GateCondition::CircuitProvisioned { circuit: c },
                        });
                    }
                }
                if node.str("peering_type") == Some("MicrosoftPeering") {
                    edge(
                        &mut out,
                        i,
                        model.route_filter_of_peering(i).instance(),
                        "D2",
                    );
                }
            }
            AUTHORIZATION => {
                let circuit = model.circuit_of_authorization(i);
                edge(&mut out, i, circuit, "D3");
                if let Some(c) = circuit {
                    out.serialisation_keys[i].push(circuit_key(model, c));
                }
            }
            GLOBAL_REACH => {
                if let Some(ends) = model.global_reach_ends(i) {
                    for end in ends.iter() {
                        let Some(p) = end.instance() else { continue };
                        let Some(c) = model.circuit_of_peering(p) else {
                            continue;
                        };
                        edge(&mut out, i, private_peering(c), "P16");
                        let key = circuit_key(model, c);
                        if !out.serialisation_keys[i].contains(&key) {
                            out.serialisation_keys[i].push(key);
                        }
                        if is_provider_circuit(c) {
                            out.gates.push(Gate {
                                rule_id: "D1",
                                instance: i,
                                phase: Phase::Write,
                                condition: GateCondition::CircuitProvisioned { circuit: c },
                            });
                        }
                    }
                }
            }
            CONNECTION => {
                let gateway = model.gateway_of_connection(i);
                let circuit = model.circuit_of_connection(i);
                edge(&mut out, i, gateway, "D6");
                edge(&mut out, i, circuit, "D5");
                if let Some(c) = circuit {
                    edge(&mut out, i, private_peering(c), "P16");
                    out.serialisation_keys[i].push(circuit_key(model, c));
                }
                if let Some((_, _, _, authorization)) = model.connection(i) {
                    edge(&mut out, i, authorization.instance(), "D3");
                }
                if let Some(g) = gateway {
                    out.serialisation_keys[i].push(keyed(model, g, "gateway"));
                }
            }
            GATEWAY => {
                for s in model.subnets_of_gateway(i) {
                    edge(&mut out, i, Some(s), "D1");
                }
                out.serialisation_keys[i].push(keyed(model, i, "gateway"));
            }
            VNET => out.serialisation_keys[i].push(keyed(model, i, "vnet")),
            SUBNET => {
                let vnet = model.vnet_of_subnet(i);
                edge(&mut out, i, vnet, "D1");
                if let Some(v) = vnet {
                    out.serialisation_keys[i].push(keyed(model, v, "vnet"));
                }
            }
            ROUTE_FILTER => out.serialisation_keys[i].push(keyed(model, i, "route_filter")),
            _ => {}
        }
    }
    out
}

fn circuit_key(model: &Model<'_>, c: usize) -> String {
    keyed(model, c, "circuit")
}

/// `kind:rg/name` (lowercase) when both are known, else `kind:ADDRESS`.
fn keyed(model: &Model<'_>, i: usize, kind: &str) -> String {
    let node = model.node(i);
    match (node.resource_group(), node.name()) {
        (Some(rg), Some(name)) => format!(
            "{kind}:{}/{}",
            rg.to_ascii_lowercase(),
            name.to_ascii_lowercase()
        ),
        _ => format!("{kind}:{}", node.addr),
    }
}
