//! The cloud reader plan and apply hand to `desired`: data sources read through the provider before
//! the plan is computed (`azurerm_client_config` from the credentials, `azurerm_subscription`, and
//! one per resource type, looked up by name and resource group), plus the files `file()` names. A
//! data source whose lookup arguments are not known yet, or whose object does not exist yet, stays
//! unknown and is read during apply. Reads are cached per ARM id for one command (only hits: an
//! object missing now may be created by the apply). It must not decide anything about the plan.

use super::providers::Providers;
use crate::arm::ResourceId;
use crate::desired::Reader;
use crate::lang::Value;
use crate::provider::mapping;
use serde_json::Value as Json;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

/// Who the provider is signed in as: what `data "azurerm_client_config"` returns.
#[derive(Clone, Debug, Default)]
pub struct ClientIdentity {
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
}

/// Reads data sources through the provider their `provider` argument names; files through `files`.
pub struct CloudReader<'a> {
    providers: &'a Providers<'a>,
    files: &'a (dyn Fn(&str) -> Result<String, String> + Sync),
    /// From the environment (`ARM_CLIENT_ID`, `ARM_TENANT_ID`); the token's claims fill the rest.
    identity: ClientIdentity,
    /// Whether the target is the emulator (no sign-in, a made-up subscription).
    emulator: bool,
    client_config: OnceLock<Value>,
    cache: Mutex<HashMap<String, Value>>,
    /// Reads that failed for a reason other than "not found", for the caller to report.
    problems: Mutex<Vec<String>>,
}

const ZERO_GUID: &str = "00000000-0000-0000-0000-000000000000";

impl<'a> CloudReader<'a> {
    pub fn new(
        providers: &'a Providers<'a>,
        files: &'a (dyn Fn(&str) -> Result<String, String> + Sync),
        identity: ClientIdentity,
        emulator: bool,
    ) -> CloudReader<'a> {
        CloudReader {
            providers,
            files,
            identity,
            emulator,
            client_config: OnceLock::new(),
            cache: Mutex::new(HashMap::new()),
            problems: Mutex::new(Vec::new()),
        }
    }

    /// Data source reads that failed (not "not found"): each leaves its data source unknown.
    pub fn problems(&self) -> Vec<String> {
        self.problems.lock().map(|p| p.clone()).unwrap_or_default()
    }

    fn problem(&self, text: String) {
        if let Ok(mut p) = self.problems.lock()
            && !p.contains(&text)
        {
            p.push(text);
        }
    }

    /// The subscription of the default provider, or of the aliased one.
    fn subscription(&self, alias: Option<&str>) -> &str {
        self.providers.for_alias(alias).client().subscription()
    }

    /// What `azurerm_client_config` reads through `alias`: the signed-in identity (read once) in
    /// that provider's subscription.
    fn client_config(&self, alias: Option<&str>) -> Value {
        let mut value = self.default_client_config();
        let default = self.subscription(None);
        let subscription = self.subscription(alias);
        if subscription != default
            && let Some(map) = value.map_mut()
        {
            if let Some(Value::String(id)) = map.get_mut("id") {
                *id = id.replace(
                    &format!("subscriptionId={default};"),
                    &format!("subscriptionId={subscription};"),
                );
            }
            map.insert("subscription_id".into(), Value::string(subscription));
        }
        value
    }

    fn default_client_config(&self) -> Value {
        self.client_config
            .get_or_init(|| {
                let mut identity = self.identity.clone();
                let mut object_id = None;
                if !self.emulator {
                    match self.providers.for_alias(None).client().access_token() {
                        Ok(Some(token)) => {
                            let claims = token_claims(&token);
                            let claim = |k: &str| {
                                claims
                                    .get(k)
                                    .and_then(Json::as_str)
                                    .map(str::to_string)
                            };
                            identity.client_id = identity
                                .client_id
                                .or_else(|| claim("appid"))
                                .or_else(|| claim("azp"));
                            identity.tenant_id = identity.tenant_id.or_else(|| claim("tid"));
                            object_id = claim("oid");
                        }
                        Ok(None) => {}
                        Err(e) => self.problem(format!(
                            "data \"azurerm_client_config\": could not get an access token to read the signed-in identity: {e:#}"
                        )),
                    }
                } else {
                    identity.client_id.get_or_insert_with(|| ZERO_GUID.into());
                    identity.tenant_id.get_or_insert_with(|| ZERO_GUID.into());
                    object_id = Some(ZERO_GUID.to_string());
                }
                let text = |v: Option<String>| v.map(Value::string).unwrap_or(Value::Null);
                let client_id = identity.client_id.unwrap_or_default();
                let tenant_id = identity.tenant_id.unwrap_or_default();
                let object_id_text = object_id.clone().unwrap_or_default();
                Value::object([
                    (
                        "id",
                        Value::string(format!(
                            "clientConfigs/clientId={client_id};objectId={object_id_text};subscriptionId={};tenantId={tenant_id}",
                            self.subscription(None)
                        )),
                    ),
                    ("client_id", text(Some(client_id).filter(|s| !s.is_empty()))),
                    ("tenant_id", text(Some(tenant_id).filter(|s| !s.is_empty()))),
                    ("subscription_id", Value::string(self.subscription(None))),
                    ("object_id", text(object_id)),
                ])
            })
            .clone()
    }

    fn subscription_data(&self, arguments: &Value, alias: Option<&str>) -> Option<Value> {
        // Optional and computed: unset arrives as unknown, and means the provider's subscription.
        let subscription = arguments
            .get_attr("subscription_id")
            .and_then(Value::as_str)
            .unwrap_or(self.subscription(alias))
            .to_string();
        let key = format!("/subscriptions/{}", subscription.to_ascii_lowercase());
        if let Some(hit) = self.cached(&key) {
            return Some(hit);
        }
        let url = format!("/subscriptions/{subscription}?api-version=2022-12-01");
        let body = match self.providers.for_alias(alias).client().execute(
            crate::arm::Method::Get,
            &url,
            None,
        ) {
            Ok(r) if r.status == 200 => serde_json::from_slice::<Json>(&r.body).ok(),
            _ => None,
        };
        let get = |path: &[&str]| -> Value {
            let mut v = body.as_ref();
            for k in path {
                v = v.and_then(|x| x.get(*k));
            }
            match v {
                Some(Json::String(s)) => Value::string(s.clone()),
                _ => Value::Null,
            }
        };
        let emulated = body.is_none();
        let tags = body
            .as_ref()
            .and_then(|b| b.get("tags"))
            .map(Value::from_json)
            .filter(|t| !t.is_null())
            .unwrap_or_else(|| Value::map(BTreeMap::new()));
        let value = Value::object([
            (
                "id",
                Value::string(format!("/subscriptions/{subscription}")),
            ),
            ("subscription_id", Value::string(subscription.clone())),
            (
                "display_name",
                if emulated {
                    Value::string(if self.emulator {
                        "peerform emulator"
                    } else {
                        "unknown"
                    })
                } else {
                    get(&["displayName"])
                },
            ),
            (
                "tenant_id",
                if emulated {
                    self.client_config(alias)
                        .get_attr("tenant_id")
                        .cloned()
                        .unwrap_or(Value::Null)
                } else {
                    get(&["tenantId"])
                },
            ),
            (
                "state",
                if emulated {
                    Value::string("Enabled")
                } else {
                    get(&["state"])
                },
            ),
            (
                "location_placement_id",
                get(&["subscriptionPolicies", "locationPlacementId"]),
            ),
            ("quota_id", get(&["subscriptionPolicies", "quotaId"])),
            (
                "spending_limit",
                get(&["subscriptionPolicies", "spendingLimit"]),
            ),
            ("tags", tags),
            (
                "timeouts",
                arguments
                    .get_attr("timeouts")
                    .cloned()
                    .unwrap_or(Value::List(Vec::new())),
            ),
        ]);
        self.remember(&key, &value);
        Some(value)
    }

    fn cached(&self, key: &str) -> Option<Value> {
        self.cache.lock().ok().and_then(|c| c.get(key).cloned())
    }

    fn remember(&self, key: &str, value: &Value) {
        if let Ok(mut c) = self.cache.lock() {
            c.insert(key.to_string(), value.clone());
        }
    }

    /// A data source mirroring a resource type: find the object by its lookup arguments.
    fn resource_data(
        &self,
        type_name: &str,
        arguments: &Value,
        alias: Option<&str>,
    ) -> Option<Value> {
        let schema = crate::schema::data_source(type_name)?;
        // Lookup arguments not known yet (they depend on something still to be created).
        let id = mapping::resource_id(type_name, arguments, self.subscription(alias)).ok()?;
        let key = id.key();
        if let Some(hit) = self.cached(&key) {
            return Some(hit);
        }
        let body = match self.providers.for_alias(alias).client().get(&id) {
            Ok(Some(body)) => body,
            Ok(None) => return None,
            Err(e) => {
                self.problem(format!(
                    "data \"{type_name}\" {id} could not be read, so it stays unknown until apply: {e:#}"
                ));
                return None;
            }
        };
        let attributes = match mapping::attributes(type_name, &id, &body, None) {
            Ok(v) => v,
            Err(e) => {
                self.problem(format!("data \"{type_name}\" {id}: {e:#}"));
                return None;
            }
        };
        let resource = attributes.as_map().cloned().unwrap_or_default();
        let extras = extras(type_name, &id, &body);
        let mut out = BTreeMap::new();
        for attribute in &schema.block.attributes {
            let value = resource
                .get(attribute.name)
                .or_else(|| extras.get(attribute.name))
                .cloned()
                .unwrap_or(Value::Null);
            let (plain, _) = value.unmark_deep();
            let value = match (&attribute.ty, plain) {
                (crate::lang::Type::Set(_), Value::List(items)) => Value::set(items),
                (_, v) => v,
            };
            let value = if attribute.sensitive && !value.is_null() {
                value.mark_sensitive()
            } else {
                value
            };
            out.insert(attribute.name.to_string(), value);
        }
        out.insert(
            "timeouts".into(),
            arguments
                .get_attr("timeouts")
                .cloned()
                .unwrap_or(Value::List(Vec::new())),
        );
        let value = Value::map(out);
        self.remember(&key, &value);
        Some(value)
    }
}

impl Reader for CloudReader<'_> {
    fn read_data_source(
        &self,
        type_name: &str,
        arguments: &Value,
        provider_alias: Option<&str>,
    ) -> Option<Value> {
        match type_name {
            "azurerm_client_config" => {
                let mut value = self.client_config(provider_alias);
                if let (Some(map), Some(t)) = (value.map_mut(), arguments.get_attr("timeouts")) {
                    map.insert("timeouts".into(), t.clone());
                }
                Some(value)
            }
            "azurerm_subscription" => self.subscription_data(arguments, provider_alias),
            other => self.resource_data(other, arguments, provider_alias),
        }
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        (self.files)(path)
    }
}

/// What azurerm's data sources expose beyond the mirrored resource, from the ARM body.
fn extras(type_name: &str, id: &ResourceId, body: &Json) -> BTreeMap<String, Value> {
    let props = body.get("properties").cloned().unwrap_or(Json::Null);
    let text = |v: Option<&Json>| {
        v.and_then(Json::as_str)
            .map(Value::string)
            .unwrap_or(Value::Null)
    };
    let number = |v: Option<&Json>| {
        v.and_then(Json::as_f64)
            .map(Value::number)
            .unwrap_or(Value::Null)
    };
    let items = |key: &str| -> Vec<Json> {
        props
            .get(key)
            .and_then(Json::as_array)
            .cloned()
            .unwrap_or_default()
    };
    let mut out = BTreeMap::new();
    match type_name {
        "azurerm_virtual_network" => {
            let subnets = items("subnets")
                .iter()
                .map(|s| text(s.get("name")))
                .collect();
            out.insert("subnets".into(), Value::List(subnets));
            let mut peerings = BTreeMap::new();
            let mut addresses = Vec::new();
            for p in items("virtualNetworkPeerings") {
                let name = p.get("name").and_then(Json::as_str).unwrap_or("");
                let remote = p.pointer("/properties/remoteVirtualNetwork/id");
                peerings.insert(name.to_string(), text(remote));
                if let Some(prefixes) = p
                    .pointer("/properties/remoteAddressSpace/addressPrefixes")
                    .and_then(Json::as_array)
                {
                    addresses.extend(prefixes.iter().map(|x| text(Some(x))));
                }
            }
            out.insert("vnet_peerings".into(), Value::map(peerings));
            out.insert("vnet_peerings_addresses".into(), Value::List(addresses));
        }
        "azurerm_subnet" => {
            let first = props.get("addressPrefix").or_else(|| {
                props
                    .get("addressPrefixes")
                    .and_then(Json::as_array)
                    .and_then(|a| a.first())
            });
            out.insert("address_prefix".into(), text(first));
        }
        "azurerm_virtual_network_gateway_connection" => {
            out.insert("resource_guid".into(), text(props.get("resourceGuid")));
        }
        "azurerm_express_route_circuit" => {
            let sp = props.get("serviceProviderProperties");
            out.insert(
                "service_provider_properties".into(),
                Value::List(vec![Value::object([
                    (
                        "service_provider_name",
                        text(sp.and_then(|s| s.get("serviceProviderName"))),
                    ),
                    (
                        "peering_location",
                        text(sp.and_then(|s| s.get("peeringLocation"))),
                    ),
                    (
                        "bandwidth_in_mbps",
                        number(sp.and_then(|s| s.get("bandwidthInMbps"))),
                    ),
                ])]),
            );
            let peerings = items("peerings")
                .iter()
                .map(|p| {
                    let pp = p.get("properties");
                    let get = |k: &str| pp.and_then(|x| x.get(k));
                    Value::object([
                        ("peering_type", text(get("peeringType"))),
                        (
                            "primary_peer_address_prefix",
                            text(get("primaryPeerAddressPrefix")),
                        ),
                        (
                            "secondary_peer_address_prefix",
                            text(get("secondaryPeerAddressPrefix")),
                        ),
                        ("azure_asn", number(get("azureASN"))),
                        ("peer_asn", number(get("peerASN"))),
                        ("vlan_id", number(get("vlanId"))),
                        ("shared_key", text(get("sharedKey"))),
                    ])
                })
                .collect();
            out.insert("peerings".into(), Value::List(peerings));
        }
        _ => {}
    }
    let _ = id;
    out
}

/// The claims of a JWT access token (its middle part), or an empty object.
fn token_claims(token: &str) -> Json {
    use base64::Engine as _;
    let Some(payload) = token.split('.').nth(1) else {
        return Json::Null;
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(Json::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::{Emulator, EmulatorConfig};
    use crate::provider::Provider;
    use crate::provider::{ArmClient, ClientOptions};
    use std::sync::Arc;

    #[test]
    fn data_sources_read_through_the_emulator() {
        let emulator = Emulator::in_memory(EmulatorConfig::default()).unwrap();
        let client = ArmClient::new(Arc::new(emulator), None, ClientOptions::for_emulator("s1"));
        let provider = Provider::new(client);
        provider
            .create_or_update(
                "azurerm_resource_group",
                &Value::object([
                    ("name", Value::string("rg")),
                    ("location", Value::string("westeurope")),
                ]),
            )
            .unwrap();
        let files = |_: &str| -> Result<String, String> { Err("no files".into()) };
        let providers = Providers::single(&provider);
        let reader = CloudReader::new(&providers, &files, ClientIdentity::default(), true);

        let config = reader
            .read_data_source("azurerm_client_config", &Value::map(BTreeMap::new()), None)
            .unwrap();
        assert_eq!(
            config.get_attr("subscription_id").unwrap().as_str(),
            Some("s1")
        );
        assert_eq!(
            config.get_attr("tenant_id").unwrap().as_str(),
            Some(ZERO_GUID)
        );

        let subscription = reader
            .read_data_source(
                "azurerm_subscription",
                &Value::object([("subscription_id", Value::Null)]),
                None,
            )
            .unwrap();
        assert_eq!(
            subscription.get_attr("id").unwrap().as_str(),
            Some("/subscriptions/s1")
        );

        let args = Value::object([("name", Value::string("rg")), ("location", Value::Unknown)]);
        let group = reader
            .read_data_source("azurerm_resource_group", &args, None)
            .unwrap();
        assert_eq!(
            group.get_attr("location").unwrap().as_str(),
            Some("westeurope")
        );
        assert!(group.is_wholly_known());
        // Not there yet, or not known yet: unknown until apply.
        let missing = Value::object([("name", Value::string("nope"))]);
        assert!(
            reader
                .read_data_source("azurerm_resource_group", &missing, None)
                .is_none()
        );
        let unknown = Value::object([("name", Value::Unknown)]);
        assert!(
            reader
                .read_data_source("azurerm_resource_group", &unknown, None)
                .is_none()
        );
        assert!(reader.problems().is_empty());
        assert_eq!(
            token_claims("x.eyJvaWQiOiJhYmMifQ.y")["oid"].as_str(),
            Some("abc")
        );
    }
}
