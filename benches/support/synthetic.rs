//! A synthetic apply for tests and benchmarks: plan a configuration against a state and record the
//! planned values as if Azure had created them, with deterministic fake ARM ids and fake values for
//! what Azure computes (keys and provisioning states), repeated until the plan is empty so that
//! references between objects settle. It never talks to a cloud and must not be used for a real
//! state: its secrets are fakes.

#![allow(dead_code)]

use peerform::config::Config;
use peerform::config::addr::ResourceInstanceAddr;
use peerform::desired::NoCloud;
use peerform::lang::Value;
use peerform::plan::{Action, Plan, PlanOptions, make_plan, no_domain_rule};
use peerform::state::{
    ALWAYS_SECRET, CloudTarget, NewObject, OutputState, SecretParams, State, digest_secrets,
};
use sha2::Digest as _;
use std::collections::BTreeMap;

pub const SUBSCRIPTION: &str = "00000000-0000-4000-8000-000000000000";

/// An empty state with a fixed lineage and salt, so that what is built on it is reproducible.
/// `cheap` uses the lowest argon2id costs (for benchmarks that build thousands of secrets).
pub fn empty_state(cheap: bool) -> State {
    let mut state = State::new(CloudTarget {
        target: "emulator".into(),
        endpoint: String::new(),
        subscription: SUBSCRIPTION.into(),
    });
    state.lineage = "5e1f0c2a-0000-4000-8000-00000000a11e".into();
    state.secrets = SecretParams {
        salt: b"peerform-golden!".to_vec(),
        memory_kib: if cheap { 8 } else { SecretParams::MEMORY_KIB },
        iterations: if cheap { 1 } else { SecretParams::ITERATIONS },
        parallelism: SecretParams::PARALLELISM,
    };
    state
}

fn text(values: &BTreeMap<String, Value>, key: &str) -> String {
    values
        .get(key)
        .and_then(|v| v.as_str())
        .unwrap_or("unknown")
        .to_string()
}

/// The ARM id Azure would give the object.
pub fn fake_id(type_name: &str, values: &BTreeMap<String, Value>) -> String {
    let rg = format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/{}",
        text(values, "resource_group_name")
    );
    let network = format!("{rg}/providers/Microsoft.Network");
    let name = text(values, "name");
    match type_name {
        "azurerm_resource_group" => format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{name}"),
        "azurerm_virtual_network" => format!("{network}/virtualNetworks/{name}"),
        "azurerm_subnet" => format!(
            "{network}/virtualNetworks/{}/subnets/{name}",
            text(values, "virtual_network_name")
        ),
        "azurerm_virtual_network_gateway" => format!("{network}/virtualNetworkGateways/{name}"),
        "azurerm_local_network_gateway" => format!("{network}/localNetworkGateways/{name}"),
        "azurerm_virtual_network_gateway_connection" => format!("{network}/connections/{name}"),
        "azurerm_public_ip" => format!("{network}/publicIPAddresses/{name}"),
        "azurerm_route_filter" => format!("{network}/routeFilters/{name}"),
        "azurerm_express_route_circuit" => format!("{network}/expressRouteCircuits/{name}"),
        "azurerm_express_route_circuit_peering" => format!(
            "{network}/expressRouteCircuits/{}/peerings/{}",
            text(values, "express_route_circuit_name"),
            text(values, "peering_type")
        ),
        "azurerm_express_route_circuit_authorization" => format!(
            "{network}/expressRouteCircuits/{}/authorizations/{name}",
            text(values, "express_route_circuit_name")
        ),
        "azurerm_express_route_circuit_connection" => {
            format!("{}/connections/{name}", text(values, "peering_id"))
        }
        other => format!("{rg}/providers/Fake.Provider/{other}/{name}"),
    }
}

/// A deterministic UUID-shaped fake for a computed secret or GUID.
fn fake_uuid(address: &ResourceInstanceAddr, name: &str) -> String {
    let digest = sha2::Sha256::digest(format!("{address}/{name}").as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-4{}-8{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}

/// What Azure fills in for an attribute the plan left unknown.
fn fake_value(address: &ResourceInstanceAddr, name: &str) -> Value {
    if ALWAYS_SECRET.contains(&name) || name == "guid" {
        return Value::string(fake_uuid(address, name));
    }
    // Collections and nested blocks Azure computes come back empty, not null.
    if let Some(schema) = peerform::schema::resource(&address.resource.type_name) {
        if schema.block.block(name).is_some() {
            return Value::List(Vec::new());
        }
        if let Some(attribute) = schema.block.attribute(name) {
            match attribute.ty {
                peerform::lang::Type::List(_) | peerform::lang::Type::Tuple(_) => {
                    return Value::List(Vec::new());
                }
                peerform::lang::Type::Set(_) => return Value::Set(Vec::new()),
                peerform::lang::Type::Map(_) | peerform::lang::Type::Object(_) => {
                    return Value::map(BTreeMap::new());
                }
                _ => {}
            }
        }
    }
    match name {
        "service_provider_provisioning_state" => Value::string("Provisioned"),
        "azure_asn" => Value::int(12076),
        "primary_azure_port" => Value::string("fake-port-primary"),
        "secondary_azure_port" => Value::string("fake-port-secondary"),
        _ => Value::Null,
    }
}

/// Replace unknowns: top-level attributes by [`fake_value`], anything nested by null.
fn fill(address: &ResourceInstanceAddr, name: &str, value: Value) -> Value {
    match value {
        Value::Unknown => fake_value(address, name),
        Value::Sensitive(inner) => Value::Sensitive(Box::new(fill(address, name, *inner))),
        Value::List(items) => {
            Value::List(items.into_iter().map(|v| fill(address, "", v)).collect())
        }
        Value::Set(items) => Value::set(items.into_iter().map(|v| fill(address, "", v)).collect()),
        Value::Map(map) => Value::map(
            std::sync::Arc::unwrap_or_clone(map)
                .into_iter()
                .map(|(k, v)| {
                    let v = fill(address, "", v);
                    (k, v)
                })
                .collect(),
        ),
        other => other,
    }
}

/// Record one plan's outcome in the state, as a successful apply would.
pub fn record(plan: &Plan, state: &mut State) -> anyhow::Result<()> {
    let mut objects = Vec::new();
    for change in &plan.changes {
        match change.action {
            Action::Delete | Action::Forget => {
                state.resources.remove(&change.addr);
            }
            Action::Create
            | Action::Update
            | Action::DeleteThenCreate
            | Action::CreateThenDelete => {
                let Some(Value::Map(after)) = &change.after else {
                    continue;
                };
                if let Some(prev) = &change.prev_addr {
                    state.resources.remove(prev);
                }
                let mut values: BTreeMap<String, Value> = after
                    .iter()
                    .map(|(k, v)| (k.clone(), fill(&change.addr, k, v.clone())))
                    .collect();
                let id = match values.remove("id") {
                    Some(Value::String(id)) => id,
                    _ => fake_id(&change.type_name, &values),
                };
                let dependencies = change
                    .dependencies
                    .iter()
                    .filter_map(|&d| plan.changes.get(d))
                    .filter(|d| d.addr.resource.mode == peerform::config::addr::Mode::Managed)
                    .map(|d| d.addr.clone())
                    .collect();
                objects.push((
                    change.addr.clone(),
                    NewObject {
                        type_name: change.type_name.clone(),
                        id,
                        values,
                        dependencies,
                        create_before_destroy: change.create_before_destroy,
                        ..NewObject::default()
                    },
                ));
            }
            Action::NoOp => {
                // A moved object keeps its object under the new address.
                if let Some(prev) = &change.prev_addr
                    && let Some(object) = state.resources.remove(prev)
                {
                    state.resources.insert(change.addr.clone(), object);
                }
            }
            Action::Read => {}
        }
    }
    for (address, resource) in state.build_resources(objects)? {
        state.resources.insert(address, resource);
    }
    for output in &plan.outputs {
        let value = fill_output(&output.after);
        if output.sensitive || value.contains_sensitive() {
            let context = peerform::state::output_context(&output.name);
            let digest = digest_secrets(&state.secrets, &[(context.as_str(), &value)])?;
            if let Some(digest) = digest.into_iter().next() {
                state
                    .outputs
                    .insert(output.name.clone(), OutputState::Sensitive(digest));
            }
        } else {
            state
                .outputs
                .insert(output.name.clone(), OutputState::Plain(value));
        }
    }
    state.serial += 1;
    Ok(())
}

fn fill_output(value: &Value) -> Value {
    match value {
        Value::Unknown => Value::string("fake-output"),
        Value::Sensitive(inner) => Value::Sensitive(Box::new(fill_output(inner))),
        Value::List(items) => Value::List(items.iter().map(fill_output).collect()),
        Value::Set(items) => Value::set(items.iter().map(fill_output).collect()),
        Value::Map(map) => Value::map(
            map.iter()
                .map(|(k, v)| (k.clone(), fill_output(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Plan and record until the plan is empty (references between new objects settle in a few
/// rounds). Returns the state and how many rounds it took; errors name the diagnostics.
pub fn apply(config: &Config, mut state: State) -> anyhow::Result<(State, usize)> {
    let files = |_: &str| Err("no files in a synthetic apply".to_string());
    let reader = NoCloud { files: &files };
    let mut last = String::new();
    for round in 1..=8 {
        let (plan, _desired, diagnostics) = make_plan(
            config,
            &state,
            &reader,
            &PlanOptions::default(),
            &no_domain_rule,
        );
        if diagnostics.has_errors() {
            let text: Vec<String> = diagnostics
                .iter()
                .map(|d| format!("{}: {}", d.summary, d.detail))
                .collect();
            anyhow::bail!("the prior configuration does not plan: {}", text.join("; "));
        }
        // Outputs are not compared: a sensitive one is only a digest in the state.
        let settled = plan
            .changes
            .iter()
            .all(|c| matches!(c.action, Action::NoOp | Action::Read) && c.prev_addr.is_none());
        if settled && round > 1 {
            // The outputs as the settled objects give them.
            record(&plan, &mut state)?;
            return Ok((state, round));
        }
        last = plan
            .changes
            .iter()
            .filter(|c| !matches!(c.action, Action::NoOp | Action::Read))
            .map(|c| format!("{} {:?} {:?}", c.addr, c.action, c.changed))
            .collect::<Vec<_>>()
            .join(", ");
        record(&plan, &mut state)?;
    }
    anyhow::bail!("the synthetic apply did not settle in 8 rounds: still {last}")
}
