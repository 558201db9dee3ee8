//! ARM side end to end: the provider's mapping and client against the emulator served over HTTP on
//! loopback (CRUD of every type, read-modify-write, server-side rules, every request body checked
//! against the ARM types), the ARM protocol and its errors, 30 % injected faults, garbage responses,
//! each credential source against token endpoints served here, the `emulator` commands, and the
//! official Azure SDK for Python driving `emulator serve`.

use peerform::arm::http::{HttpClient, HttpTransport};
use peerform::arm::spec::{CheckOptions, check_body};
use peerform::arm::wire::path_and_query;
use peerform::arm::{ArmError, Method, Request, ResourceId, ResourceKind, Response, Transport};
use peerform::emulator::server::Server;
use peerform::emulator::{Emulator, EmulatorConfig, ProviderMode, ProviderState};
use peerform::lang::{Type, Value};
use peerform::provider::auth::Clock;
use peerform::provider::{
    ArmClient, ClientOptions, CredentialSettings, CredentialSource, Provider, TokenProvider,
    arm_error_of,
};
use peerform::schema::BlockSchema;
use serde_json::json;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

const SUB: &str = "00000000-0000-0000-0000-0000000000aa";

// ---------------------------------------------------------------------------------------------
// Helpers.

/// Wraps a transport and checks every PUT body against the ARM types (strictly).
struct CheckingTransport {
    inner: HttpTransport,
    checked: AtomicUsize,
    problems: Mutex<Vec<String>>,
}

impl CheckingTransport {
    fn new(url: &str) -> Arc<CheckingTransport> {
        Arc::new(CheckingTransport {
            inner: HttpTransport::new(url, Duration::from_secs(30)).unwrap(),
            checked: AtomicUsize::new(0),
            problems: Mutex::new(Vec::new()),
        })
    }

    fn assert_clean(&self, at_least: usize) {
        let problems = self.problems.lock().unwrap();
        assert!(
            problems.is_empty(),
            "request bodies that break the ARM types:\n{}",
            problems.join("\n")
        );
        let checked = self.checked.load(Ordering::SeqCst);
        assert!(
            checked >= at_least,
            "only {checked} PUT bodies were checked"
        );
    }
}

impl Transport for CheckingTransport {
    fn send(&self, request: Request) -> anyhow::Result<Response> {
        if request.method == Method::Put {
            let path = path_and_query(&request.url)
                .split('?')
                .next()
                .unwrap_or("")
                .to_string();
            let id = ResourceId::parse(&path).unwrap();
            let body: serde_json::Value =
                serde_json::from_slice(request.body.as_deref().unwrap()).unwrap();
            let problems = check_body(id.kind, &body, CheckOptions::STRICT).unwrap();
            self.checked.fetch_add(1, Ordering::SeqCst);
            let mut all = self.problems.lock().unwrap();
            all.extend(
                problems
                    .into_iter()
                    .map(|p| format!("{}: {p}", id.kind.arm_type())),
            );
        }
        self.inner.send(request)
    }

    fn describe(&self) -> String {
        self.inner.describe()
    }
}

fn serve(config: EmulatorConfig) -> (Arc<Emulator>, Server) {
    let emulator = Arc::new(Emulator::in_memory(config).unwrap());
    let server = Server::start(Arc::clone(&emulator), "127.0.0.1:0", 4).unwrap();
    (emulator, server)
}

fn provider_for(transport: Arc<dyn Transport>) -> Provider {
    Provider::new(ArmClient::new(
        transport,
        None,
        ClientOptions::for_emulator(SUB),
    ))
}

/// An attribute object as `desired` builds it: every schema attribute present (default, unknown
/// when computed, else null), blocks as lists, sets as sets.
fn attrs(type_name: &str, given: serde_json::Value) -> Value {
    let schema = peerform::schema::resource(type_name).unwrap();
    fill(&schema.block, Value::from_json(&given))
}

fn fill(block: &BlockSchema, given: Value) -> Value {
    let mut map = given.as_map().cloned().unwrap_or_default();
    for a in &block.attributes {
        match map.remove(a.name) {
            Some(Value::List(items)) if matches!(a.ty, Type::Set(_)) => {
                map.insert(a.name.into(), Value::set(items));
            }
            Some(v) => {
                map.insert(a.name.into(), v);
            }
            None => {
                let v = match (&a.default, a.computed) {
                    (Some(d), _) => d.clone(),
                    (None, true) => Value::Unknown,
                    (None, false) => Value::Null,
                };
                map.insert(a.name.into(), v);
            }
        }
    }
    for b in &block.blocks {
        let value = match map.remove(b.name) {
            Some(Value::List(items)) => {
                let items: Vec<Value> = items.into_iter().map(|i| fill(&b.block, i)).collect();
                if b.is_set {
                    Value::set(items)
                } else {
                    Value::List(items)
                }
            }
            _ if b.computed => Value::Unknown,
            _ => Value::List(Vec::new()),
        };
        map.insert(b.name.into(), value);
    }
    Value::map(map)
}

fn get<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get_attr(key)
        .unwrap_or_else(|| panic!("no attribute {key} in {v}"))
}

fn rg_id(name: &str) -> String {
    format!("/subscriptions/{SUB}/resourceGroups/{name}")
}

fn net_id(rg: &str, rest: &str) -> String {
    format!("{}/providers/Microsoft.Network/{rest}", rg_id(rg))
}

fn code_of(error: &anyhow::Error) -> String {
    arm_error_of(error)
        .map(|e| e.code.clone())
        .unwrap_or_else(|| format!("no ARM error in {error:#}"))
}

fn circuit(name: &str, location: &str, mbps: i64) -> Value {
    attrs(
        "azurerm_express_route_circuit",
        json!({"name": name, "resource_group_name": "rg1", "location": "westus",
               "service_provider_name": "Equinix", "peering_location": location, "bandwidth_in_mbps": mbps,
               "sku": [{"tier": "Standard", "family": "MeteredData"}], "tags": {"env": "test"}}),
    )
}

fn private_peering(circuit: &str, vlan: i64) -> Value {
    attrs(
        "azurerm_express_route_circuit_peering",
        json!({"peering_type": "AzurePrivatePeering", "express_route_circuit_name": circuit,
               "resource_group_name": "rg1", "peer_asn": 65010, "vlan_id": vlan,
               "primary_peer_address_prefix": "192.168.16.0/30", "secondary_peer_address_prefix": "192.168.16.4/30",
               "shared_key": "abc123"}),
    )
}

// ---------------------------------------------------------------------------------------------
// CRUD of every type over HTTP.

#[test]
fn every_type_is_created_read_updated_and_deleted_over_http() {
    let (emulator, server) = serve(EmulatorConfig {
        operation_polls: 2,
        ..EmulatorConfig::default()
    });
    let transport = CheckingTransport::new(&server.url());
    let p = provider_for(transport.clone());

    let rg = attrs(
        "azurerm_resource_group",
        json!({"name": "rg1", "location": "West Europe"}),
    );
    let vnet = attrs(
        "azurerm_virtual_network",
        json!({"name": "vnet1", "resource_group_name": "rg1", "location": "westeurope", "address_space": ["10.0.0.0/16"]}),
    );
    let gateway_subnet = attrs(
        "azurerm_subnet",
        json!({"name": "GatewaySubnet", "resource_group_name": "rg1", "virtual_network_name": "vnet1", "address_prefixes": ["10.0.255.0/27"]}),
    );
    let app_subnet = attrs(
        "azurerm_subnet",
        json!({"name": "app", "resource_group_name": "rg1", "virtual_network_name": "vnet1", "address_prefixes": ["10.0.1.0/24"]}),
    );
    let pip = attrs(
        "azurerm_public_ip",
        json!({"name": "pip1", "resource_group_name": "rg1", "location": "westeurope", "allocation_method": "Static"}),
    );
    let gateway = attrs(
        "azurerm_virtual_network_gateway",
        json!({"name": "ergw", "resource_group_name": "rg1", "location": "westeurope", "type": "ExpressRoute", "sku": "ErGw1AZ",
               "ip_configuration": [{"subnet_id": net_id("rg1", "virtualNetworks/vnet1/subnets/GatewaySubnet")}]}),
    );
    let lng = attrs(
        "azurerm_local_network_gateway",
        json!({"name": "onprem", "resource_group_name": "rg1", "location": "westeurope", "gateway_address": "203.0.113.10",
               "address_space": ["192.168.0.0/16"], "bgp_settings": [{"asn": 65050, "bgp_peering_address": "192.168.0.1"}]}),
    );
    let er1 = circuit("er1", "Silicon Valley", 200);
    let er2 = circuit("er2", "London", 100);
    let filter = attrs(
        "azurerm_route_filter",
        json!({"name": "rf1", "resource_group_name": "rg1", "location": "westeurope",
               "rule": [{"name": "allow-exchange", "access": "Allow", "rule_type": "Community", "communities": ["12076:5010"]}]}),
    );
    let microsoft = attrs(
        "azurerm_express_route_circuit_peering",
        json!({"peering_type": "MicrosoftPeering", "express_route_circuit_name": "er1", "resource_group_name": "rg1",
               "peer_asn": 64512, "vlan_id": 300, "primary_peer_address_prefix": "203.0.113.0/30",
               "secondary_peer_address_prefix": "203.0.113.4/30", "route_filter_id": net_id("rg1", "routeFilters/rf1"),
               "microsoft_peering_config": [{"advertised_public_prefixes": ["203.0.113.128/27"]}]}),
    );
    let auth = attrs(
        "azurerm_express_route_circuit_authorization",
        json!({"name": "auth1", "resource_group_name": "rg1", "express_route_circuit_name": "er1"}),
    );
    let global_reach = attrs(
        "azurerm_express_route_circuit_connection",
        json!({"name": "gr1", "peering_id": net_id("rg1", "expressRouteCircuits/er1/peerings/AzurePrivatePeering"),
               "peer_peering_id": net_id("rg1", "expressRouteCircuits/er2/peerings/AzurePrivatePeering"),
               "address_prefix_ipv4": "10.100.0.0/29"}),
    );
    let connection = attrs(
        "azurerm_virtual_network_gateway_connection",
        json!({"name": "er1-link", "resource_group_name": "rg1", "location": "westeurope", "type": "ExpressRoute",
               "virtual_network_gateway_id": net_id("rg1", "virtualNetworkGateways/ergw"),
               "express_route_circuit_id": net_id("rg1", "expressRouteCircuits/er1"), "routing_weight": 10}),
    );

    // Create, in dependency order.
    let order: Vec<(&str, Value)> = vec![
        ("azurerm_resource_group", rg.clone()),
        ("azurerm_virtual_network", vnet.clone()),
        ("azurerm_subnet", gateway_subnet.clone()),
        ("azurerm_subnet", app_subnet.clone()),
        ("azurerm_public_ip", pip.clone()),
        ("azurerm_virtual_network_gateway", gateway.clone()),
        ("azurerm_local_network_gateway", lng.clone()),
        ("azurerm_express_route_circuit", er1.clone()),
        ("azurerm_express_route_circuit", er2.clone()),
        ("azurerm_route_filter", filter.clone()),
        (
            "azurerm_express_route_circuit_peering",
            private_peering("er1", 100),
        ),
        ("azurerm_express_route_circuit_peering", microsoft.clone()),
        (
            "azurerm_express_route_circuit_peering",
            private_peering("er2", 100),
        ),
        ("azurerm_express_route_circuit_authorization", auth.clone()),
        (
            "azurerm_express_route_circuit_connection",
            global_reach.clone(),
        ),
        (
            "azurerm_virtual_network_gateway_connection",
            connection.clone(),
        ),
    ];
    let mut created = Vec::new();
    for (type_name, attributes) in &order {
        let (id, out) = p
            .create_or_update(type_name, attributes)
            .unwrap_or_else(|e| panic!("creating {type_name}: {e:#}"));
        assert_eq!(get(&out, "id").as_str(), Some(id.to_string().as_str()));
        created.push((*type_name, id, out));
    }
    let find = |name: &str| created.iter().find(|(_, id, _)| id.name() == name).unwrap();
    let er1_out = &find("er1").2;
    assert_eq!(
        get(er1_out, "service_provider_provisioning_state").as_str(),
        Some("Provisioned")
    );
    assert!(matches!(get(er1_out, "service_key"), Value::Sensitive(_)));
    assert_eq!(get(er1_out, "bandwidth_in_mbps").as_i64(), Some(200));
    assert!(
        get(&find("auth1").2, "authorization_key")
            .as_str()
            .is_some()
    );
    assert_eq!(
        get(&find("AzurePrivatePeering").2, "azure_asn").as_i64(),
        Some(12076)
    );
    assert_eq!(
        get(&find("pip1").2, "ip_address")
            .as_str()
            .map(|s| s.starts_with("20.")),
        Some(true)
    );
    assert_eq!(get(&find("rg1").2, "location").as_str(), Some("westeurope"));

    // Read every object back.
    for (type_name, id, out) in &created {
        let read = p.read(type_name, id, Some(out)).unwrap().unwrap();
        assert_eq!(get(&read, "id"), get(out, "id"), "{type_name}");
    }

    // Update: parents keep the children they embed (read-modify-write).
    let mut bigger = er1.clone();
    if let Some(m) = bigger.map_mut() {
        m.insert("bandwidth_in_mbps".into(), Value::int(500));
        m.insert(
            "tags".into(),
            Value::object([("env", Value::string("prod"))]),
        );
    }
    let (er1_id, er1_new) = p
        .create_or_update("azurerm_express_route_circuit", &bigger)
        .unwrap();
    assert_eq!(get(&er1_new, "bandwidth_in_mbps").as_i64(), Some(500));
    let peering_id = er1_id
        .child(ResourceKind::CircuitPeering, "AzurePrivatePeering")
        .unwrap();
    assert!(
        p.read("azurerm_express_route_circuit_peering", &peering_id, None)
            .unwrap()
            .is_some()
    );
    let raw = p.client().get(&er1_id).unwrap().unwrap();
    assert_eq!(
        raw["properties"]["peerings"].as_array().map(Vec::len),
        Some(2)
    );
    assert_eq!(
        raw["properties"]["authorizations"].as_array().map(Vec::len),
        Some(1)
    );

    let mut vlan = private_peering("er1", 101);
    if let Some(m) = vlan.map_mut() {
        m.insert("shared_key".into(), Value::string("changed1"));
    }
    let (_, vlan_out) = p
        .create_or_update("azurerm_express_route_circuit_peering", &vlan)
        .unwrap();
    assert_eq!(get(&vlan_out, "vlan_id").as_i64(), Some(101));
    let gr_id = ResourceId::parse(get(&find("gr1").2, "id").as_str().unwrap()).unwrap();
    assert!(
        p.client().get(&gr_id).unwrap().is_some(),
        "the Global Reach link survived the peering update"
    );

    let mut vnet2 = vnet.clone();
    if let Some(m) = vnet2.map_mut() {
        m.insert(
            "dns_servers".into(),
            Value::List(vec![Value::string("10.0.0.4")]),
        );
    }
    let (_, vnet_out) = p
        .create_or_update("azurerm_virtual_network", &vnet2)
        .unwrap();
    let subnets = get(&vnet_out, "subnet").as_list().unwrap().len();
    assert_eq!(subnets, 2, "subnets survive a VNet update");

    let mut filter2 = filter.clone();
    if let Some(m) = filter2.map_mut() {
        m.insert(
            "rule".into(),
            Value::List(vec![fill(
                &peerform::schema::resource("azurerm_route_filter").unwrap().block.block("rule").unwrap().block,
                Value::from_json(&json!({"name": "allow-exchange", "access": "Allow", "rule_type": "Community", "communities": ["12076:5010", "12076:5040"]})),
            )]),
        );
    }
    let (_, filter_out) = p
        .create_or_update("azurerm_route_filter", &filter2)
        .unwrap();
    let rule = &get(&filter_out, "rule").as_list().unwrap()[0];
    assert_eq!(get(rule, "communities").as_list().unwrap().len(), 2);

    let updates: Vec<(&str, Value, &str, Value)> = vec![
        (
            "azurerm_resource_group",
            rg.clone(),
            "tags",
            Value::object([("owner", Value::string("net"))]),
        ),
        (
            "azurerm_subnet",
            app_subnet.clone(),
            "service_endpoints",
            Value::set(vec![Value::string("Microsoft.Storage")]),
        ),
        (
            "azurerm_public_ip",
            pip.clone(),
            "idle_timeout_in_minutes",
            Value::int(10),
        ),
        (
            "azurerm_virtual_network_gateway",
            gateway.clone(),
            "tags",
            Value::object([("tier", Value::string("1"))]),
        ),
        (
            "azurerm_local_network_gateway",
            lng.clone(),
            "address_space",
            Value::set(vec![
                Value::string("192.168.0.0/16"),
                Value::string("172.16.0.0/12"),
            ]),
        ),
        (
            "azurerm_virtual_network_gateway_connection",
            connection.clone(),
            "routing_weight",
            Value::int(20),
        ),
        (
            "azurerm_express_route_circuit_connection",
            global_reach.clone(),
            "address_prefix_ipv6",
            Value::string("2001:db8::/125"),
        ),
        (
            "azurerm_express_route_circuit_authorization",
            auth.clone(),
            "name",
            Value::string("auth1"),
        ),
    ];
    for (type_name, mut value, key, new) in updates {
        if let Some(m) = value.map_mut() {
            m.insert(key.into(), new.clone());
        }
        let (_, out) = p
            .create_or_update(type_name, &value)
            .unwrap_or_else(|e| panic!("updating {type_name}: {e:#}"));
        assert_eq!(get(&out, key), &new, "{type_name}.{key}");
    }

    // Delete in reverse order; each is gone afterwards.
    for (type_name, id, _) in created.iter().rev() {
        p.delete(type_name, id)
            .unwrap_or_else(|e| panic!("deleting {id}: {e:#}"));
        assert!(
            p.read(type_name, id, None).unwrap().is_none(),
            "{id} still exists"
        );
    }
    transport.assert_clean(order.len() + 10);
    drop(emulator);
}

// ---------------------------------------------------------------------------------------------
// Server-side rules.

#[test]
fn azure_server_side_rules_are_enforced() {
    let (emulator, server) = serve(EmulatorConfig {
        provider_mode: ProviderMode::Manual,
        ..EmulatorConfig::default()
    });
    let transport = CheckingTransport::new(&server.url());
    let p = provider_for(transport.clone());
    let create = |t: &str, v: &Value| p.create_or_update(t, v);
    create(
        "azurerm_resource_group",
        &attrs(
            "azurerm_resource_group",
            json!({"name": "rg1", "location": "westus"}),
        ),
    )
    .unwrap();
    let (er1, _) = create(
        "azurerm_express_route_circuit",
        &circuit("er1", "Silicon Valley", 200),
    )
    .unwrap();

    // A peering on a circuit the provider has not provisioned is refused.
    let e = create(
        "azurerm_express_route_circuit_peering",
        &private_peering("er1", 100),
    )
    .unwrap_err();
    assert_eq!(code_of(&e), "CircuitNotProvisioned", "{e:#}");
    emulator
        .set_provider_state(&er1.to_string(), ProviderState::Provisioned)
        .unwrap();
    create(
        "azurerm_express_route_circuit_peering",
        &private_peering("er1", 100),
    )
    .unwrap();

    // A second peering on the same VLAN.
    let mut dup = private_peering("er1", 100);
    if let Some(m) = dup.map_mut() {
        m.insert("peering_type".into(), Value::string("MicrosoftPeering"));
        m.insert(
            "microsoft_peering_config".into(),
            Value::List(vec![fill(
                &peerform::schema::resource("azurerm_express_route_circuit_peering")
                    .unwrap()
                    .block
                    .block("microsoft_peering_config")
                    .unwrap()
                    .block,
                Value::from_json(&json!({"advertised_public_prefixes": ["198.51.100.0/24"]})),
            )]),
        );
        m.insert(
            "primary_peer_address_prefix".into(),
            Value::string("198.51.100.0/30"),
        );
        m.insert(
            "secondary_peer_address_prefix".into(),
            Value::string("198.51.100.4/30"),
        );
    }
    assert_eq!(
        code_of(&create("azurerm_express_route_circuit_peering", &dup).unwrap_err()),
        "VlanIdInUse"
    );

    // Not a /30.
    let mut wide = private_peering("er1", 100);
    if let Some(m) = wide.map_mut() {
        m.insert(
            "primary_peer_address_prefix".into(),
            Value::string("192.168.16.0/29"),
        );
    }
    assert_eq!(
        code_of(&create("azurerm_express_route_circuit_peering", &wide).unwrap_err()),
        "InvalidPeeringAddressPrefix"
    );

    // Bandwidth decrease and unknown provider.
    assert_eq!(
        code_of(
            &create(
                "azurerm_express_route_circuit",
                &circuit("er1", "Silicon Valley", 100)
            )
            .unwrap_err()
        ),
        "CircuitBandwidthDecreaseNotSupported"
    );
    let mut unknown = circuit("er9", "Silicon Valley", 200);
    if let Some(m) = unknown.map_mut() {
        m.insert("service_provider_name".into(), Value::string("Nobody"));
    }
    assert_eq!(
        code_of(&create("azurerm_express_route_circuit", &unknown).unwrap_err()),
        "InvalidServiceProviderName"
    );

    // Deleting a circuit that still has peerings, then one the provider still has provisioned.
    let e = p.delete("azurerm_express_route_circuit", &er1).unwrap_err();
    assert_eq!(code_of(&e), "CircuitHasPeerings");
    assert_eq!(arm_error_of(&e).unwrap().status, 400);
    let peering = er1
        .child(ResourceKind::CircuitPeering, "AzurePrivatePeering")
        .unwrap();
    p.delete("azurerm_express_route_circuit_peering", &peering)
        .unwrap();
    assert_eq!(
        code_of(&p.delete("azurerm_express_route_circuit", &er1).unwrap_err()),
        "CircuitProvisionedByServiceProvider"
    );
    emulator
        .set_provider_state(&er1.to_string(), ProviderState::NotProvisioned)
        .unwrap();
    p.delete("azurerm_express_route_circuit", &er1).unwrap();

    // Overlapping subnets, and a subnet in use by a gateway.
    create("azurerm_virtual_network", &attrs("azurerm_virtual_network", json!({"name": "vnet-a", "resource_group_name": "rg1", "location": "westus", "address_space": ["10.1.0.0/16"]}))).unwrap();
    let subnet = |name: &str, prefix: &str| {
        attrs(
            "azurerm_subnet",
            json!({"name": name, "resource_group_name": "rg1", "virtual_network_name": "vnet-a", "address_prefixes": [prefix]}),
        )
    };
    let (gw_subnet, _) = create("azurerm_subnet", &subnet("GatewaySubnet", "10.1.0.0/27")).unwrap();
    assert_eq!(
        code_of(&create("azurerm_subnet", &subnet("other", "10.1.0.16/28")).unwrap_err()),
        "NetcfgSubnetRangesOverlap"
    );
    assert_eq!(
        code_of(&create("azurerm_subnet", &subnet("outside", "10.9.0.0/24")).unwrap_err()),
        "NetcfgSubnetRangeOutsideVnet"
    );
    create("azurerm_virtual_network_gateway", &attrs("azurerm_virtual_network_gateway", json!({"name": "gw", "resource_group_name": "rg1", "location": "westus", "type": "ExpressRoute", "sku": "ErGw1AZ", "ip_configuration": [{"subnet_id": gw_subnet.to_string()}]}))).unwrap();
    let e = p.delete("azurerm_subnet", &gw_subnet).unwrap_err();
    assert_eq!(code_of(&e), "InUseSubnetCannotBeDeleted", "{e:#}");

    // An enum value ARM does not know: the emulator answers, our mapping never sends one.
    let bad = serde_json::json!({"location": "westus", "sku": {"name": "Gold_MeteredData", "tier": "Gold", "family": "MeteredData"},
        "properties": {"serviceProviderProperties": {"serviceProviderName": "Equinix", "peeringLocation": "London", "bandwidthInMbps": 50}}});
    let e = p
        .client()
        .put(
            &ResourceId::parse(&net_id("rg1", "expressRouteCircuits/gold")).unwrap(),
            &bad,
        )
        .unwrap_err();
    assert_eq!(code_of(&e), "InvalidRequestFormat", "{e:#}");
    assert!(format!("{e:#}").contains("sku.tier"), "{e:#}");
}

// ---------------------------------------------------------------------------------------------
// Protocol: errors are ARM-shaped, long-running operations poll.

fn raw(url: &str, method: Method, body: Option<&str>) -> (u16, serde_json::Value, Response) {
    let client = HttpClient::new(Duration::from_secs(10));
    let mut request = Request::new(method, url);
    request.body = body.map(|b| b.as_bytes().to_vec());
    let response = client.send(&request).unwrap();
    let json = if response.body.is_empty() {
        json!(null)
    } else {
        serde_json::from_slice(&response.body).unwrap()
    };
    (response.status, json, response)
}

fn assert_arm_error(url: &str, method: Method, body: Option<&str>, status: u16, code: &str) {
    let (got, json, _) = raw(url, method, body);
    assert_eq!(got, status, "{method} {url}: {json}");
    assert_eq!(json["error"]["code"], code, "{method} {url}: {json}");
    assert!(
        json["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()),
        "{json}"
    );
}

#[test]
fn protocol_errors_are_arm_shaped_and_operations_poll() {
    let (_emulator, server) = serve(EmulatorConfig {
        operation_polls: 3,
        ..EmulatorConfig::default()
    });
    let base = server.url();
    let rg = format!("{base}{}", rg_id("rg1"));
    let circuit = format!("{base}{}", net_id("rg1", "expressRouteCircuits/er1"));
    let body = r#"{"location":"westus","sku":{"name":"Standard_MeteredData","tier":"Standard","family":"MeteredData"},"properties":{"serviceProviderProperties":{"serviceProviderName":"Equinix","peeringLocation":"Silicon Valley","bandwidthInMbps":50}}}"#;
    let v = "api-version=2025-09-01";

    assert_arm_error(
        &format!("{circuit}?{v}"),
        Method::Put,
        Some(body),
        404,
        "ResourceGroupNotFound",
    );
    let (status, _, _) = raw(
        &format!("{rg}?api-version=2023-07-01"),
        Method::Put,
        Some(r#"{"location":"westus"}"#),
    );
    assert_eq!(status, 201);
    assert_arm_error(
        &format!("{circuit}?{v}"),
        Method::Put,
        Some("{not json"),
        400,
        "InvalidRequestContent",
    );
    assert_arm_error(
        &format!("{circuit}?{v}"),
        Method::Put,
        Some("{\"location\": "),
        400,
        "InvalidRequestContent",
    );
    assert_arm_error(
        &format!("{circuit}?{v}"),
        Method::Put,
        Some("[1,2]"),
        400,
        "InvalidRequestFormat",
    );
    assert_arm_error(
        &circuit,
        Method::Get,
        None,
        400,
        "MissingApiVersionParameter",
    );
    assert_arm_error(
        &format!("{circuit}?api-version=2099-01-01"),
        Method::Get,
        None,
        400,
        "NoRegisteredProviderFound",
    );
    assert_arm_error(
        &format!("{circuit}?api-version=latest"),
        Method::Get,
        None,
        400,
        "InvalidApiVersionParameter",
    );
    assert_arm_error(
        &format!("{base}/nothing/here?{v}"),
        Method::Get,
        None,
        404,
        "NotFound",
    );
    assert_arm_error(
        &format!("{rg}/providers/Microsoft.Network/teleporters/t1?{v}"),
        Method::Get,
        None,
        404,
        "InvalidResourceType",
    );
    assert_arm_error(
        &format!("{rg}/providers/Microsoft.Compute/virtualMachines/x?{v}"),
        Method::Get,
        None,
        404,
        "InvalidResourceNamespace",
    );
    assert_arm_error(
        &format!("{circuit}?{v}"),
        Method::Get,
        None,
        404,
        "ResourceNotFound",
    );
    assert_arm_error(
        &format!("{circuit}/peerings/AzurePrivatePeering?{v}"),
        Method::Get,
        None,
        404,
        "ParentResourceNotFound",
    );

    // PUT: 201 with Azure-AsyncOperation; the operation is InProgress, then Succeeded.
    let (status, json, response) = raw(&format!("{circuit}?{v}"), Method::Put, Some(body));
    assert_eq!(status, 201, "{json}");
    assert_eq!(json["properties"]["provisioningState"], "Updating");
    assert!(response.header("x-ms-request-id").is_some());
    let poll = response.header("Azure-AsyncOperation").unwrap().to_string();
    assert!(poll.starts_with(&base), "{poll}");
    let (_, first, _) = raw(&poll, Method::Get, None);
    assert_eq!(first["status"], "InProgress");
    assert_arm_error(
        &format!("{circuit}?{v}"),
        Method::Put,
        Some(body),
        409,
        "AnotherOperationInProgress",
    );
    let (_, after, _) = raw(&format!("{circuit}?{v}"), Method::Get, None);
    assert_eq!(after["properties"]["provisioningState"], "Succeeded");
    let (_, done, _) = raw(&poll, Method::Get, None);
    assert_eq!(done["status"], "Succeeded");
    // A second PUT is an update: 200.
    let (status, _, _) = raw(&format!("{circuit}?{v}"), Method::Put, Some(body));
    assert_eq!(status, 200);

    // DELETE: 202 with Location; 202 while running, 204 when done; DELETE again: 204.
    let mut deleted = false;
    for _ in 0..5 {
        let (status, json, response) = raw(&format!("{circuit}?{v}"), Method::Delete, None);
        if status == 409 {
            continue;
        }
        assert_eq!(status, 202, "{json}");
        let location = response.header("Location").unwrap().to_string();
        let mut codes = Vec::new();
        for _ in 0..4 {
            let (code, _, _) = raw(&location, Method::Get, None);
            codes.push(code);
            if code == 204 {
                break;
            }
        }
        assert_eq!(codes.last(), Some(&204), "{codes:?}");
        deleted = true;
        break;
    }
    assert!(deleted);
    let (status, _, _) = raw(&format!("{circuit}?{v}"), Method::Delete, None);
    assert_eq!(status, 204);

    // Catalogues.
    let (_, providers, _) = raw(
        &format!(
            "{base}/subscriptions/{SUB}/providers/Microsoft.Network/expressRouteServiceProviders?{v}"
        ),
        Method::Get,
        None,
    );
    assert!(
        providers["value"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["name"] == "Equinix")
    );
    let (_, communities, _) = raw(
        &format!(
            "{base}/subscriptions/{SUB}/providers/Microsoft.Network/bgpServiceCommunities?{v}"
        ),
        Method::Get,
        None,
    );
    assert!(communities.to_string().contains("12076:5010"));
}

// ---------------------------------------------------------------------------------------------
// Faults.

#[test]
fn thirty_percent_faults_lose_and_duplicate_nothing() {
    let (emulator, server) = serve(EmulatorConfig {
        fault_rate: 0.3,
        fault_seed: Some(7),
        ..EmulatorConfig::default()
    });
    let transport = CheckingTransport::new(&server.url());
    let client = ArmClient::new(transport.clone(), None, ClientOptions::for_emulator(SUB));
    let p = Provider::new(client);
    let rg = attrs(
        "azurerm_resource_group",
        json!({"name": "rg-faults", "location": "westus"}),
    );
    let (rg_id_value, _) = p.create_or_update("azurerm_resource_group", &rg).unwrap();
    // 99 more resources across three kinds, created by four threads at once.
    let mut specs = Vec::new();
    for i in 0..33 {
        specs.push(("azurerm_route_filter", attrs("azurerm_route_filter", json!({"name": format!("rf{i}"), "resource_group_name": "rg-faults", "location": "westus"}))));
        specs.push(("azurerm_virtual_network", attrs("azurerm_virtual_network", json!({"name": format!("vnet{i}"), "resource_group_name": "rg-faults", "location": "westus", "address_space": [format!("10.{i}.0.0/16")]}))));
        specs.push(("azurerm_local_network_gateway", attrs("azurerm_local_network_gateway", json!({"name": format!("lng{i}"), "resource_group_name": "rg-faults", "location": "westus", "gateway_address": format!("198.51.100.{i}")}))));
    }
    let ids: Vec<ResourceId> = std::thread::scope(|scope| {
        let handles: Vec<_> = specs
            .chunks(25)
            .map(|chunk| {
                let p = &p;
                scope.spawn(move || {
                    chunk
                        .iter()
                        .map(|(t, v)| {
                            p.create_or_update(t, v)
                                .unwrap_or_else(|e| panic!("{t}: {e:#}"))
                                .0
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(ids.len() + 1, 100);
    let list = |kind: &str| -> Vec<String> {
        p.client()
            .list(&format!(
                "{}/providers/Microsoft.Network/{kind}?api-version=2025-09-01",
                rg_id("rg-faults")
            ))
            .unwrap()
            .iter()
            .map(|v| v["name"].as_str().unwrap().to_string())
            .collect()
    };
    let mut seen = Vec::new();
    for kind in ["routeFilters", "virtualNetworks", "localNetworkGateways"] {
        seen.extend(list(kind));
    }
    let unique: BTreeSet<&String> = seen.iter().collect();
    assert_eq!(seen.len(), 99, "every object exists exactly once");
    assert_eq!(unique.len(), 99);
    std::thread::scope(|scope| {
        for chunk in ids.chunks(25) {
            let p = &p;
            scope.spawn(move || {
                for id in chunk {
                    p.client()
                        .delete(id)
                        .unwrap_or_else(|e| panic!("{id}: {e:#}"));
                }
            });
        }
    });
    for kind in ["routeFilters", "virtualNetworks", "localNetworkGateways"] {
        assert!(list(kind).is_empty(), "{kind} left behind");
    }
    p.client().delete(&rg_id_value).unwrap();
    assert!(p.client().get(&rg_id_value).unwrap().is_none());
    let stats = p.client().stats();
    assert!(
        stats.retries > 30,
        "faults were injected and retried: {stats:?}"
    );
    transport.assert_clean(100);
    drop(emulator);
}

// ---------------------------------------------------------------------------------------------
// Garbage responses.

/// A server that answers every request with the same raw bytes (then closes the connection).
fn raw_server(reply: &'static [u8]) -> (String, Arc<AtomicUsize>, std::thread::JoinHandle<()>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let count = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&count);
    listener.set_nonblocking(false).unwrap();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(40) {
            let Ok(mut stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
            let mut buf = [0u8; 65536];
            let _ = stream.read(&mut buf);
            let n = seen.fetch_add(1, Ordering::SeqCst);
            if n == usize::MAX {
                break;
            }
            let _ = stream.write_all(reply);
        }
    });
    (url, count, handle)
}

#[test]
fn garbage_responses_give_clear_errors() {
    let id = ResourceId::parse(&net_id("rg1", "expressRouteCircuits/er1")).unwrap();
    let cases: &[(&[u8], &str)] = &[
        (b"HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\nnot json!", "not valid JSON"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\n[1,2]", "expected a JSON object"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nConnection: close\r\n\r\n{\"id\": \"x\", ", "not valid JSON"),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 400\r\nConnection: close\r\n\r\n{\"id\":", "gave up"),
        (b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 11\r\nConnection: close\r\n\r\n<html>down<", "gave up"),
        (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops", "HttpStatus400"),
        (b"garbage that is not HTTP at all\r\n\r\n", "gave up"),
    ];
    for (reply, expected) in cases {
        let (url, _count, _handle) = raw_server(reply);
        let transport = Arc::new(HttpTransport::new(&url, Duration::from_secs(2)).unwrap());
        let options = ClientOptions {
            max_attempts: 3,
            ..ClientOptions::for_emulator(SUB)
        };
        let client = ArmClient::new(transport, None, options);
        let error = client.get(&id).expect_err("garbage must be an error");
        let text = format!("{error:#}");
        assert!(text.contains(expected), "expected {expected:?} in: {text}");
        let provider = Provider::new(client);
        let e = provider
            .read("azurerm_express_route_circuit", &id, None)
            .expect_err("garbage must be an error");
        assert!(!format!("{e:#}").is_empty());
    }

    // Long-running operations with wrong shapes.
    let (url, _c, _h) =
        raw_server(b"HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let client = ArmClient::new(
        Arc::new(HttpTransport::new(&url, Duration::from_secs(2)).unwrap()),
        None,
        ClientOptions::for_emulator(SUB),
    );
    let e = client.delete(&id).unwrap_err();
    assert!(
        format!("{e:#}").contains("without Azure-AsyncOperation or Location"),
        "{e:#}"
    );

    // A mapping fed a body of the wrong shape errors, never panics.
    for body in [
        json!([]),
        json!("x"),
        json!({"properties": "nope", "sku": 3, "tags": [1]}),
    ] {
        for type_name in peerform::schema::resource_type_names() {
            let _ = peerform::provider::mapping::attributes(type_name, &id, &body, None);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Credentials.

/// A token endpoint (client secret and OIDC assertions), a GitHub-style OIDC request endpoint, and
/// an ARM front that accepts only tokens this endpoint issued and not yet revoked.
struct AuthWorld {
    issued: Mutex<Vec<String>>,
    revoked: Mutex<Vec<String>>,
    /// ARM requests after which the token in use is revoked (0: never).
    revoke_after: AtomicUsize,
    arm_requests: AtomicUsize,
    token_requests: AtomicUsize,
    last_form: Mutex<String>,
}

/// The token server's world, its URL, the emulator, the server threads and the server.
type AuthSetup = (
    Arc<AuthWorld>,
    String,
    Arc<Emulator>,
    Vec<std::thread::JoinHandle<()>>,
    Arc<tiny_http::Server>,
);

fn auth_world() -> AuthSetup {
    let world = Arc::new(AuthWorld {
        issued: Mutex::new(Vec::new()),
        revoked: Mutex::new(Vec::new()),
        revoke_after: AtomicUsize::new(0),
        arm_requests: AtomicUsize::new(0),
        token_requests: AtomicUsize::new(0),
        last_form: Mutex::new(String::new()),
    });
    let emulator = Arc::new(
        Emulator::in_memory(EmulatorConfig {
            operation_polls: 3,
            ..EmulatorConfig::default()
        })
        .unwrap(),
    );
    let http = Arc::new(tiny_http::Server::http("127.0.0.1:0").unwrap());
    let url = format!("http://{}", http.server_addr().to_ip().unwrap());
    let mut handles = Vec::new();
    for _ in 0..2 {
        let (http, world, emulator, base) = (
            Arc::clone(&http),
            Arc::clone(&world),
            Arc::clone(&emulator),
            url.clone(),
        );
        handles.push(std::thread::spawn(move || {
            while let Ok(mut request) = http.recv() {
                let path = request.url().to_string();
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                let header = |name: &str| {
                    request.headers().iter().find(|h| h.field.as_str().as_str().eq_ignore_ascii_case(name)).map(|h| h.value.as_str().to_string())
                };
                let reply = |status: u16, body: String| tiny_http::Response::from_string(body).with_status_code(status);
                if path.contains("/oauth2/v2.0/token") {
                    world.token_requests.fetch_add(1, Ordering::SeqCst);
                    *world.last_form.lock().unwrap() = body.clone();
                    let ok = body.contains("grant_type=client_credentials")
                        && (body.contains("client_secret=s3cret") || body.contains("client_assertion=federated-jwt"));
                    if !ok {
                        let _ = request.respond(reply(401, json!({"error": "invalid_client", "error_description": "bad credentials"}).to_string()));
                        continue;
                    }
                    let token = format!("token-{}", world.issued.lock().unwrap().len() + 1);
                    world.issued.lock().unwrap().push(token.clone());
                    let _ = request.respond(reply(200, json!({"token_type": "Bearer", "expires_in": 3600, "access_token": token}).to_string()));
                    continue;
                }
                if path.starts_with("/oidc") {
                    let authorized = header("Authorization").as_deref() == Some("Bearer gh-request-token");
                    let audience = path.contains("audience=api%3A%2F%2FAzureADTokenExchange");
                    let (status, body) = if authorized && audience { (200, json!({"value": "federated-jwt"})) } else { (401, json!({"message": "no"})) };
                    let _ = request.respond(reply(status, body.to_string()));
                    continue;
                }
                // The ARM front.
                let n = world.arm_requests.fetch_add(1, Ordering::SeqCst) + 1;
                let token = header("Authorization").and_then(|h| h.strip_prefix("Bearer ").map(str::to_string)).unwrap_or_default();
                let valid = world.issued.lock().unwrap().contains(&token) || token == "static-token";
                let revoke_after = world.revoke_after.load(Ordering::SeqCst);
                if revoke_after != 0 && n == revoke_after {
                    world.revoked.lock().unwrap().push(token.clone());
                }
                if !valid || world.revoked.lock().unwrap().contains(&token) {
                    let error = ArmError::new(401, "ExpiredAuthenticationToken", "The access token expiry UTC time is earlier than current UTC time.");
                    let _ = request.respond(reply(401, error.body().to_string()));
                    continue;
                }
                let arm_request = Request {
                    method: Method::parse(request.method().as_str()).unwrap_or(Method::Get),
                    url: path,
                    headers: Vec::new(),
                    body: if body.is_empty() { None } else { Some(body.into_bytes()) },
                };
                let response = emulator.handle(&arm_request, &base);
                let mut out = tiny_http::Response::from_data(response.body).with_status_code(response.status);
                for (k, v) in &response.headers {
                    out.add_header(tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).unwrap());
                }
                let _ = request.respond(out);
            }
        }));
    }
    (world, url, emulator, handles, http)
}

fn stop(http: Arc<tiny_http::Server>, handles: Vec<std::thread::JoinHandle<()>>) {
    for _ in &handles {
        http.unblock();
    }
    for h in handles {
        h.join().unwrap();
    }
}

fn exercise(url: &str, auth: Arc<TokenProvider>) -> anyhow::Result<()> {
    let transport = Arc::new(HttpTransport::new(url, Duration::from_secs(10))?);
    let p = Provider::new(ArmClient::new(
        transport,
        Some(auth),
        ClientOptions::for_emulator(SUB),
    ));
    p.create_or_update(
        "azurerm_resource_group",
        &attrs(
            "azurerm_resource_group",
            json!({"name": "rg1", "location": "westus"}),
        ),
    )?;
    p.create_or_update(
        "azurerm_express_route_circuit",
        &circuit("er1", "Silicon Valley", 50),
    )?;
    Ok(())
}

#[test]
fn every_credential_source_gets_and_refreshes_tokens() {
    let (world, url, _emulator, handles, http) = auth_world();
    let base = CredentialSettings {
        use_cli: false,
        authority_host: url.clone(),
        ..CredentialSettings::default()
    };

    // Service principal with a client secret; the token is revoked in the middle of the circuit's
    // long-running operation and the client fetches a new one and carries on.
    let secret = CredentialSettings {
        tenant_id: Some("tenant-1".into()),
        client_id: Some("app-1".into()),
        client_secret: Some("s3cret".into()),
        ..base.clone()
    };
    world.revoke_after.store(5, Ordering::SeqCst);
    let provider = Arc::new(TokenProvider::new(secret.clone()).unwrap());
    assert_eq!(provider.source(), CredentialSource::ClientSecret);
    exercise(&url, Arc::clone(&provider)).unwrap();
    assert_eq!(
        provider.fetches(),
        2,
        "a fresh token after the first one expired mid-operation"
    );
    assert!(
        world
            .last_form
            .lock()
            .unwrap()
            .contains("scope=https%3A%2F%2Fmanagement.azure.com%2F.default")
    );
    world.revoke_after.store(0, Ordering::SeqCst);

    // Refresh before expiry: move the clock past the token's lifetime (minus the margin).
    let offset = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&offset);
    let clock: Clock =
        Arc::new(move || SystemTime::now() + Duration::from_secs(seen.load(Ordering::SeqCst)));
    let timed = TokenProvider::new(secret).unwrap().with_clock(clock);
    let first = timed.token().unwrap();
    assert_eq!(timed.token().unwrap(), first, "cached while fresh");
    offset.store(3600 - 200, Ordering::SeqCst);
    let second = timed.token().unwrap();
    assert_ne!(first, second, "refreshed inside the five-minute margin");
    assert_eq!(timed.fetches(), 2);

    // A wrong secret: the token endpoint's error is shown.
    let wrong = CredentialSettings {
        tenant_id: Some("t".into()),
        client_id: Some("c".into()),
        client_secret: Some("nope".into()),
        ..base.clone()
    };
    let e = TokenProvider::new(wrong).unwrap().token().unwrap_err();
    assert!(format!("{e:#}").contains("invalid_client"), "{e:#}");

    // OIDC through the CI provider's token request, then with a token file.
    let oidc = CredentialSettings {
        tenant_id: Some("tenant-1".into()),
        client_id: Some("app-1".into()),
        use_oidc: true,
        oidc_request_url: Some(format!("{url}/oidc?api=1")),
        oidc_request_token: Some("gh-request-token".into()),
        ..base.clone()
    };
    let provider = Arc::new(TokenProvider::new(oidc.clone()).unwrap());
    assert_eq!(provider.source(), CredentialSource::Oidc);
    world.revoke_after.store(
        world.arm_requests.load(Ordering::SeqCst) + 3,
        Ordering::SeqCst,
    );
    exercise(&url, Arc::clone(&provider)).unwrap();
    assert_eq!(provider.fetches(), 2);
    assert!(
        world
            .last_form
            .lock()
            .unwrap()
            .contains("client_assertion=federated-jwt")
    );
    world.revoke_after.store(0, Ordering::SeqCst);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("oidc.jwt");
    std::fs::write(&file, "federated-jwt\n").unwrap();
    let from_file = CredentialSettings {
        oidc_request_url: None,
        oidc_request_token: None,
        oidc_token_file: Some(file),
        ..oidc
    };
    let provider = Arc::new(TokenProvider::new(from_file).unwrap());
    exercise(&url, provider).unwrap();

    // Azure CLI: a stand-in `az` that hands out tokens the ARM front accepts.
    let az = dir.path().join("az");
    let calls = dir.path().join("calls");
    let issued_file = dir.path().join("issued");
    std::fs::write(
        &az,
        format!(
            "#!/bin/sh\necho call >> {calls}\nn=$(wc -l < {calls} | tr -d ' ')\nexp=$(( $(date +%s) + 3600 ))\necho \"{{\\\"accessToken\\\": \\\"cli-token-$n\\\", \\\"expires_on\\\": $exp, \\\"tokenType\\\": \\\"Bearer\\\"}}\"\n",
            calls = calls.display()
        ),
    )
    .unwrap();
    let _ = issued_file;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&az, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    world
        .issued
        .lock()
        .unwrap()
        .extend(["cli-token-1".to_string(), "cli-token-2".to_string()]);
    let cli = CredentialSettings {
        use_cli: true,
        cli_program: az,
        ..base.clone()
    };
    let provider = Arc::new(TokenProvider::new(cli).unwrap());
    assert_eq!(provider.source(), CredentialSource::AzureCli);
    world.revoke_after.store(
        world.arm_requests.load(Ordering::SeqCst) + 4,
        Ordering::SeqCst,
    );
    exercise(&url, Arc::clone(&provider)).unwrap();
    assert_eq!(
        provider.fetches(),
        2,
        "az was asked again after the token expired"
    );
    assert_eq!(std::fs::read_to_string(&calls).unwrap().lines().count(), 2);
    world.revoke_after.store(0, Ordering::SeqCst);

    // ARM_ACCESS_TOKEN: used as is; once it expires there is nothing to refresh, and the error says so.
    let fixed = CredentialSettings {
        access_token: Some("static-token".into()),
        ..base.clone()
    };
    let provider = Arc::new(TokenProvider::new(fixed).unwrap());
    assert_eq!(provider.source(), CredentialSource::AccessToken);
    exercise(&url, Arc::clone(&provider)).unwrap();
    world.revoked.lock().unwrap().push("static-token".into());
    let e = exercise(&url, provider).unwrap_err();
    assert_eq!(code_of(&e), "ExpiredAuthenticationToken", "{e:#}");

    stop(http, handles);
}

// ---------------------------------------------------------------------------------------------
// The `emulator` commands.

#[test]
fn emulator_serve_and_provision_commands() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_peerform"))
        .args([
            "--chdir",
            dir.path().to_str().unwrap(),
            "emulator",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--provider-mode",
            "manual",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no URL in {line:?}"))
        .to_string();
    let result = std::panic::catch_unwind(|| {
        let p = provider_for(Arc::new(
            HttpTransport::new(&url, Duration::from_secs(10)).unwrap(),
        ));
        p.create_or_update(
            "azurerm_resource_group",
            &attrs(
                "azurerm_resource_group",
                json!({"name": "rg1", "location": "westus"}),
            ),
        )
        .unwrap();
        let (id, out) = p
            .create_or_update(
                "azurerm_express_route_circuit",
                &circuit("er1", "Silicon Valley", 50),
            )
            .unwrap();
        assert_eq!(
            get(&out, "service_provider_provisioning_state").as_str(),
            Some("NotProvisioned")
        );
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_peerform"))
            .args([
                "--chdir",
                dir.path().to_str().unwrap(),
                "emulator",
                "provision",
                &id.to_string(),
                "--state",
                "Provisioned",
            ])
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
        let read = p
            .read("azurerm_express_route_circuit", &id, None)
            .unwrap()
            .unwrap();
        assert_eq!(
            get(&read, "service_provider_provisioning_state").as_str(),
            Some("Provisioned")
        );
        let bad = std::process::Command::new(env!("CARGO_BIN_EXE_peerform"))
            .args([
                "--chdir",
                dir.path().to_str().unwrap(),
                "emulator",
                "provision",
                &net_id("rg1", "expressRouteCircuits/none"),
                "--state",
                "Provisioned",
            ])
            .output()
            .unwrap();
        assert_eq!(bad.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&bad.stderr).contains("does not exist"));
    });
    let _ = child.kill();
    let _ = child.wait();
    if let Err(panic) = result {
        std::panic::resume_unwind(panic);
    }
    assert!(dir.path().join(".peerform/emulator.db").exists());
}

// ---------------------------------------------------------------------------------------------
// The official Azure SDK for Python.

/// The virtual environment with the pinned SDK, created (and the SDK installed) when missing.
fn python_venv() -> std::path::PathBuf {
    let venv = std::env::var_os("PEERFORM_PYTHON_VENV")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("peerform-python-venv")
        });
    let python = venv.join("bin/python");
    let ready = python.exists()
        && std::process::Command::new(&python)
            .args(["-c", "import azure.mgmt.network"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !ready {
        let setup =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/setup_venv.sh");
        let status = std::process::Command::new("bash")
            .arg(&setup)
            .arg(&venv)
            .status()
            .unwrap();
        assert!(
            status.success(),
            "creating the Python venv with {} failed",
            setup.display()
        );
    }
    python
}

#[test]
fn the_azure_sdk_for_python_drives_the_served_emulator() {
    let python = python_venv();
    let (_emulator, server) = serve(EmulatorConfig::default());
    let p = provider_for(Arc::new(
        HttpTransport::new(&server.url(), Duration::from_secs(10)).unwrap(),
    ));
    p.create_or_update(
        "azurerm_resource_group",
        &attrs(
            "azurerm_resource_group",
            json!({"name": "sdk-rg", "location": "westus"}),
        ),
    )
    .unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/sdk_roundtrip.py");
    let output = std::process::Command::new(python)
        .arg(script)
        .env("PEERFORM_ARM_ENDPOINT", server.url())
        .env("PEERFORM_SUBSCRIPTION", SUB)
        .env("PEERFORM_RESOURCE_GROUP", "sdk-rg")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the SDK script failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(stdout.contains("sdk roundtrip ok"), "{stdout}");
    // The SDK deleted everything it made.
    let left = p
        .client()
        .list(&format!(
            "{}/providers/Microsoft.Network/expressRouteCircuits?api-version=2025-09-01",
            rg_id("sdk-rg")
        ))
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
}
