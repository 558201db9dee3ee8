//! Conversion of a Terraform v4 state (`terraform.tfstate`) into a peerform state: the supported azurerm
//! resources are kept, their secrets (`sensitive_attributes` paths and the attributes azurerm always
//! treats as secret) become digests, Terraform's transitive, resource-level dependency lists become
//! direct instance dependencies, and everything else is listed as not converted. It reads Terraform's
//! format through private serde types only and must not write files.

use crate::config::addr::{
    InstanceKey, Mode, ModulePath, ResourceAddr, ResourceInstanceAddr, Target, parse_target,
};
use crate::lang::Value;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::model::{
    AttrPath, CloudTarget, NewDeposed, NewObject, OutputState, PathStep, State, Status,
};
use super::secret;

/// The resource types `import-terraform` converts.
pub const SUPPORTED_TYPES: &[&str] = &[
    "azurerm_resource_group",
    "azurerm_virtual_network",
    "azurerm_subnet",
    "azurerm_public_ip",
    "azurerm_virtual_network_gateway",
    "azurerm_local_network_gateway",
    "azurerm_virtual_network_gateway_connection",
    "azurerm_express_route_circuit",
    "azurerm_express_route_circuit_peering",
    "azurerm_express_route_circuit_authorization",
    "azurerm_express_route_circuit_connection",
    "azurerm_route_filter",
];

/// Something in the Terraform state that was not converted, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub address: String,
    pub reason: String,
}

/// The converted state and what was left behind.
#[derive(Debug)]
pub struct ImportReport {
    pub state: State,
    pub skipped: Vec<Skipped>,
}

#[derive(Deserialize)]
struct TfState {
    version: u64,
    #[serde(default)]
    outputs: BTreeMap<String, TfOutput>,
    #[serde(default)]
    resources: Vec<TfResource>,
}

#[derive(Deserialize)]
struct TfOutput {
    value: serde_json::Value,
    #[serde(default)]
    sensitive: bool,
}

#[derive(Deserialize)]
struct TfResource {
    #[serde(default)]
    module: Option<String>,
    mode: String,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    #[serde(default)]
    instances: Vec<TfInstance>,
}

#[derive(Deserialize)]
struct TfInstance {
    #[serde(default)]
    index_key: Option<serde_json::Value>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    deposed: Option<String>,
    #[serde(default)]
    attributes: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    sensitive_attributes: Option<serde_json::Value>,
    #[serde(default)]
    dependencies: Vec<String>,
    #[serde(default)]
    create_before_destroy: bool,
}

/// One converted instance before its dependencies are reduced.
struct Pending {
    object: NewObject,
    /// Terraform's dependency addresses, as written.
    tf_dependencies: Vec<String>,
}

/// Convert the bytes of a Terraform v4 state.
pub fn import_terraform(bytes: &[u8]) -> anyhow::Result<ImportReport> {
    let tf: TfState =
        serde_json::from_slice(bytes).map_err(|e| anyhow::anyhow!("not a Terraform state: {e}"))?;
    if tf.version != 4 {
        anyhow::bail!(
            "Terraform state version {} is not supported: this peerform converts version 4 (Terraform 0.12 and later); upgrade it with a current Terraform first",
            tf.version
        );
    }
    let mut skipped = Vec::new();
    let mut pending: BTreeMap<ResourceInstanceAddr, Pending> = BTreeMap::new();
    let mut deposed: Vec<(ResourceInstanceAddr, NewDeposed)> = Vec::new();

    for resource in &tf.resources {
        let module = match resource.module.as_deref() {
            None | Some("") => ModulePath::root(),
            Some(text) => match parse_target(text) {
                Ok(Target::Module(m)) => m,
                _ => {
                    skipped.push(Skipped {
                        address: format!("{text}.{}.{}", resource.type_name, resource.name),
                        reason: format!("module address {text:?} cannot be read"),
                    });
                    continue;
                }
            },
        };
        let resource_addr = ResourceAddr {
            module,
            mode: if resource.mode == "data" {
                Mode::Data
            } else {
                Mode::Managed
            },
            type_name: resource.type_name.clone(),
            name: resource.name.clone(),
        };
        if resource.mode != "managed" {
            skipped.push(Skipped {
                address: resource_addr.to_string(),
                reason: "data sources are read afresh on every plan, not kept in state".into(),
            });
            continue;
        }
        if !SUPPORTED_TYPES.contains(&resource.type_name.as_str()) {
            skipped.push(Skipped {
                address: resource_addr.to_string(),
                reason: format!("resource type {} is not supported", resource.type_name),
            });
            continue;
        }
        for instance in &resource.instances {
            let key = match &instance.index_key {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(InstanceKey::Str(s.clone())),
                Some(serde_json::Value::Number(n)) if n.as_i64().is_some() => {
                    n.as_i64().map(InstanceKey::Int)
                }
                Some(other) => {
                    skipped.push(Skipped {
                        address: resource_addr.to_string(),
                        reason: format!("instance key {other} is neither a number nor a string"),
                    });
                    continue;
                }
            };
            let address = ResourceInstanceAddr {
                resource: resource_addr.clone(),
                key,
            };
            match convert_instance(instance) {
                Ok((id, values, sensitive_paths)) => {
                    if let Some(key) = &instance.deposed {
                        deposed.push((
                            address,
                            NewDeposed {
                                key: key.clone(),
                                id,
                                values,
                                sensitive_paths,
                            },
                        ));
                        continue;
                    }
                    if pending.contains_key(&address) {
                        skipped.push(Skipped {
                            address: address.to_string(),
                            reason: "the address appears twice; only the first is converted".into(),
                        });
                        continue;
                    }
                    let object = NewObject {
                        type_name: resource.type_name.clone(),
                        id,
                        values,
                        sensitive_paths,
                        dependencies: Vec::new(),
                        status: match instance.status.as_deref() {
                            Some("tainted") => Status::Tainted,
                            _ => Status::Ready,
                        },
                        create_before_destroy: instance.create_before_destroy,
                        deposed: Vec::new(),
                    };
                    pending.insert(
                        address,
                        Pending {
                            object,
                            tf_dependencies: instance.dependencies.clone(),
                        },
                    );
                }
                Err(reason) => skipped.push(Skipped {
                    address: match &instance.deposed {
                        Some(key) => format!("{address} (deposed object {key})"),
                        None => address.to_string(),
                    },
                    reason,
                }),
            }
        }
    }
    for (address, object) in deposed {
        match pending.get_mut(&address) {
            Some(p) => p.object.deposed.push(object),
            None => skipped.push(Skipped {
                address: format!("{address} (deposed object {})", object.key),
                reason: "a deposed object without a current object; finish that replacement with Terraform first".into(),
            }),
        }
    }

    let dependencies = direct_dependencies(&pending);
    let subscription = pending
        .values()
        .find_map(|p| subscription_of(&p.object.id))
        .unwrap_or_default();
    let mut state = State::new(CloudTarget {
        target: "azure".into(),
        endpoint: "https://management.azure.com".into(),
        subscription,
    });
    state.serial = 1;
    let objects: Vec<_> = pending
        .into_iter()
        .map(|(address, mut p)| {
            p.object.dependencies = dependencies.get(&address).cloned().unwrap_or_default();
            (address, p.object)
        })
        .collect();
    state.resources = state.build_resources(objects)?.into_iter().collect();

    let mut secret_outputs = Vec::new();
    for (name, output) in tf.outputs {
        let value = Value::from_json(&output.value);
        if output.sensitive || contains_secret_name(&output.value) {
            secret_outputs.push((name, value));
        } else {
            state.outputs.insert(name, OutputState::Plain(value));
        }
    }
    let contexts: Vec<String> = secret_outputs
        .iter()
        .map(|(name, _)| secret::output_context(name))
        .collect();
    let values: Vec<(&str, &Value)> = contexts
        .iter()
        .zip(&secret_outputs)
        .map(|(context, (_, value))| (context.as_str(), value))
        .collect();
    let digests = secret::digest_secrets(&state.secrets, &values)?;
    for ((name, _), digest) in secret_outputs.into_iter().zip(digests) {
        state.outputs.insert(name, OutputState::Sensitive(digest));
    }
    Ok(ImportReport { state, skipped })
}

fn contains_secret_name(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Object(map) => map
            .iter()
            .any(|(k, v)| secret::ALWAYS_SECRET.contains(&k.as_str()) || contains_secret_name(v)),
        serde_json::Value::Array(items) => items.iter().any(contains_secret_name),
        _ => false,
    }
}

type Converted = (String, BTreeMap<String, Value>, Vec<AttrPath>);

fn convert_instance(instance: &TfInstance) -> Result<Converted, String> {
    let Some(attributes) = &instance.attributes else {
        return Err("no attributes (a pre-0.12 attributes_flat instance); refresh it with a current Terraform first".into());
    };
    let id = attributes
        .get("id")
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
        .ok_or("no ARM id in its attributes")?
        .to_string();
    let values: BTreeMap<String, Value> = attributes
        .iter()
        .filter(|(k, _)| k.as_str() != "id")
        .map(|(k, v)| (k.clone(), Value::from_json(v)))
        .collect();
    let sensitive_paths = match &instance.sensitive_attributes {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::Array(paths)) => paths
            .iter()
            .map(sensitive_path)
            .collect::<Result<Vec<_>, _>>()?,
        Some(_) => return Err("its sensitive_attributes cannot be read, so its secrets could not be kept out of the state".into()),
    };
    Ok((id, values, sensitive_paths))
}

/// One `sensitive_attributes` entry: a list of `{"type": "get_attr"|"index", "value": …}` steps.
fn sensitive_path(path: &serde_json::Value) -> Result<AttrPath, String> {
    let unreadable = || {
        format!(
            "its sensitive_attributes entry {path} cannot be read, so its secrets could not be kept out of the state"
        )
    };
    let steps = path.as_array().ok_or_else(unreadable)?;
    let mut out = Vec::with_capacity(steps.len());
    for step in steps {
        let kind = step.get("type").and_then(|t| t.as_str());
        let value = step.get("value");
        out.push(match (kind, value) {
            (Some("get_attr"), Some(serde_json::Value::String(name))) => {
                PathStep::Key(name.clone())
            }
            (Some("index"), Some(index)) => {
                let inner = index.get("value").unwrap_or(index);
                match inner {
                    serde_json::Value::Number(n) => {
                        PathStep::Index(n.as_u64().ok_or_else(unreadable)? as usize)
                    }
                    serde_json::Value::String(s) => PathStep::Key(s.clone()),
                    _ => return Err(unreadable()),
                }
            }
            _ => return Err(unreadable()),
        });
    }
    if out.is_empty() {
        return Err(unreadable());
    }
    Ok(AttrPath(out))
}

fn subscription_of(id: &str) -> Option<String> {
    let mut parts = id.split('/').filter(|p| !p.is_empty());
    while let Some(part) = parts.next() {
        if part.eq_ignore_ascii_case("subscriptions") {
            return parts.next().map(str::to_string);
        }
    }
    None
}

/// Terraform's module path without instance keys, as it writes dependency addresses.
fn config_path(module: &ModulePath) -> Vec<&str> {
    module.0.iter().map(|s| s.name.as_str()).collect()
}

/// Map Terraform's dependency lists (resource addresses without instance keys, usually transitive) to
/// direct instance dependencies: every instance the address names, preferring those in the same module
/// instance, then with every dependency implied by another one removed.
fn direct_dependencies(
    pending: &BTreeMap<ResourceInstanceAddr, Pending>,
) -> BTreeMap<ResourceInstanceAddr, Vec<ResourceInstanceAddr>> {
    let addresses: Vec<&ResourceInstanceAddr> = pending.keys().collect();
    // Instances by (module config path, type, name).
    let mut by_config: HashMap<(Vec<&str>, &str, &str), Vec<usize>> = HashMap::new();
    for (i, address) in addresses.iter().enumerate() {
        by_config
            .entry((
                config_path(&address.resource.module),
                address.resource.type_name.as_str(),
                address.resource.name.as_str(),
            ))
            .or_default()
            .push(i);
    }
    let mut edges: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); addresses.len()];
    for (i, (address, p)) in pending.iter().enumerate() {
        for text in &p.tf_dependencies {
            let Ok(target) = parse_target(text) else {
                continue;
            };
            let resource = match target {
                Target::Resource(r) => r,
                Target::Instance(i) => i.resource,
                Target::Module(_) => continue,
            };
            let config = config_path(&resource.module);
            let Some(candidates) =
                by_config.get(&(config, resource.type_name.as_str(), resource.name.as_str()))
            else {
                continue;
            };
            let same_module: Vec<usize> = candidates
                .iter()
                .copied()
                .filter(|&c| addresses[c].resource.module == address.resource.module)
                .collect();
            let chosen = if same_module.is_empty() {
                candidates.clone()
            } else {
                same_module
            };
            edges[i].extend(chosen.into_iter().filter(|&c| c != i));
        }
    }
    // Everything reachable from each node, memoised; a cycle is cut where it is found.
    let mut reach: Vec<Option<BTreeSet<usize>>> = vec![None; addresses.len()];
    fn reachable(
        node: usize,
        edges: &[BTreeSet<usize>],
        reach: &mut Vec<Option<BTreeSet<usize>>>,
        visiting: &mut Vec<bool>,
    ) -> BTreeSet<usize> {
        if let Some(done) = &reach[node] {
            return done.clone();
        }
        if visiting[node] {
            return BTreeSet::new();
        }
        visiting[node] = true;
        let mut out = BTreeSet::new();
        for &next in &edges[node] {
            out.insert(next);
            out.extend(reachable(next, edges, reach, visiting));
        }
        visiting[node] = false;
        reach[node] = Some(out.clone());
        out
    }
    let mut visiting = vec![false; addresses.len()];
    let mut out = BTreeMap::new();
    for (i, address) in addresses.iter().enumerate() {
        let mut implied = BTreeSet::new();
        for &d in &edges[i] {
            implied.extend(reachable(d, &edges, &mut reach, &mut visiting));
        }
        let direct: Vec<ResourceInstanceAddr> = edges[i]
            .iter()
            .filter(|d| !implied.contains(d))
            .map(|&d| addresses[d].clone())
            .collect();
        out.insert((*address).clone(), direct);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitive_dependencies_become_direct() {
        let tf = serde_json::json!({
            "version": 4, "terraform_version": "1.9.5", "serial": 3, "lineage": "x",
            "outputs": {},
            "resources": [
                {"mode": "managed", "type": "azurerm_resource_group", "name": "rg",
                 "provider": "provider[\"registry.terraform.io/hashicorp/azurerm\"]",
                 "instances": [{"schema_version": 0, "attributes": {"id": "/subscriptions/s1/resourceGroups/rg", "name": "rg"}}]},
                {"mode": "managed", "type": "azurerm_virtual_network", "name": "vnet",
                 "provider": "provider[\"registry.terraform.io/hashicorp/azurerm\"]",
                 "instances": [{"schema_version": 0, "attributes": {"id": "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v"},
                   "dependencies": ["azurerm_resource_group.rg"]}]},
                {"mode": "managed", "type": "azurerm_subnet", "name": "gw",
                 "provider": "provider[\"registry.terraform.io/hashicorp/azurerm\"]",
                 "instances": [{"schema_version": 0, "attributes": {"id": "/subscriptions/s1/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/GatewaySubnet"},
                   "dependencies": ["azurerm_resource_group.rg", "azurerm_virtual_network.vnet"]}]}
            ]
        });
        let report = import_terraform(tf.to_string().as_bytes()).unwrap();
        let subnet = crate::config::addr::parse_instance("azurerm_subnet.gw").unwrap();
        assert_eq!(
            report.state.resources[&subnet].dependencies,
            [crate::config::addr::parse_instance("azurerm_virtual_network.vnet").unwrap()]
        );
        assert_eq!(report.state.cloud.subscription, "s1");
        assert!(report.skipped.is_empty());
    }

    #[test]
    fn sensitive_paths_read_both_step_kinds() {
        let path = serde_json::json!([
            {"type": "get_attr", "value": "peering"},
            {"type": "index", "value": {"value": 0, "type": "number"}},
            {"type": "get_attr", "value": "shared_key"}
        ]);
        assert_eq!(
            sensitive_path(&path).unwrap().to_string(),
            "peering[0].shared_key"
        );
        assert!(sensitive_path(&serde_json::json!({"odd": true})).is_err());
    }
}
