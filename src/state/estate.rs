//! A synthetic ExpressRoute estate as a state, for tests and benchmarks (DESIGN §7's benchmark shape):
//! per site a resource group, VNet, GatewaySubnet, ExpressRoute gateway, circuit, private and Microsoft
//! peerings, route filter, authorization, gateway connection and a Global Reach link to the next site;
//! 11 resources with realistic attributes, ARM ids and direct dependencies, at the addresses the
//! configuration estate of `benches/support/estate.rs` gives them. Secret digests are
//! stand-ins (SHA-256 of the address and path, not argon2id) so generating 11,000 resources stays
//! instant; it must never be used to build a real state.

use crate::config::addr::{ModulePath, ResourceAddr, ResourceInstanceAddr};
use crate::lang::Value;
use sha2::Digest as _;
use std::collections::BTreeMap;

use super::model::{CloudTarget, ResourceState, State};
use super::secret::Digest;

/// Resources per site.
pub const RESOURCES_PER_SITE: usize = 11;

const SUBSCRIPTION: &str = "3f2a9c1e-7b4d-4e8a-9c21-5d6f0a1b2c3d";

/// The name of site `n` (from 0): `s00000`, as the configuration estate of `benches/support/estate.rs`
/// names it, so this state matches that configuration's addresses.
pub fn site_key(n: usize) -> String {
    format!("s{n:05}")
}

/// The address of one of site `n`'s resources, by type and role: the role `this` gives
/// `TYPE.s00000`, any other role `TYPE.s00000_ROLE` (`azurerm_subnet.s00000_gateway`,
/// `azurerm_express_route_circuit_peering.s00000_private`), as in the configuration estate.
pub fn site_address(n: usize, type_name: &str, role: &str) -> ResourceInstanceAddr {
    let name = match role {
        "this" => site_key(n),
        other => format!("{}_{other}", site_key(n)),
    };
    ResourceInstanceAddr {
        resource: ResourceAddr {
            module: ModulePath::root(),
            mode: crate::config::addr::Mode::Managed,
            type_name: type_name.to_string(),
            name,
        },
        key: None,
    }
}

/// A state holding `sites` sites (11 resources each).
pub fn estate_state(sites: usize) -> State {
    let mut state = State::new(CloudTarget {
        target: "azure".into(),
        endpoint: "https://management.azure.com".into(),
        subscription: SUBSCRIPTION.into(),
    });
    state.serial = 42;
    for n in 0..sites {
        for (address, resource) in site_resources(n, sites) {
            state.resources.insert(address, resource);
        }
    }
    state.outputs.insert(
        "sites".into(),
        super::model::OutputState::Plain(Value::int(sites as i64)),
    );
    state
}

fn s(text: impl Into<String>) -> Value {
    Value::String(text.into())
}

fn obj(pairs: Vec<(&str, Value)>) -> Value {
    Value::object(pairs)
}

fn attrs(pairs: Vec<(&str, Value)>) -> BTreeMap<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn fake_digest(address: &ResourceInstanceAddr, path: &str) -> Digest {
    let mut hasher = sha2::Sha256::new();
    hasher.update(address.to_string().as_bytes());
    hasher.update(path.as_bytes());
    Digest(hasher.finalize().into())
}

/// The 11 resources of site `n` of an estate of `sites` sites.
pub fn site_resources(n: usize, sites: usize) -> Vec<(ResourceInstanceAddr, ResourceState)> {
    let key = site_key(n);
    let next = site_key((n + 1) % sites.max(1));
    let locations = [
        "westeurope",
        "northeurope",
        "uksouth",
        "germanywestcentral",
        "francecentral",
    ];
    let peering_locations = ["Amsterdam", "Dublin", "London", "Frankfurt", "Paris"];
    let location = locations[n % locations.len()];
    let rg_name = format!("rg-er-{key}");
    let rg_id = format!("/subscriptions/{SUBSCRIPTION}/resourceGroups/{rg_name}");
    let net = format!("{rg_id}/providers/Microsoft.Network");
    let vnet_name = format!("vnet-{key}");
    let vnet_id = format!("{net}/virtualNetworks/{vnet_name}");
    let subnet_id = format!("{vnet_id}/subnets/GatewaySubnet");
    let gw_name = format!("vgw-er-{key}");
    let gw_id = format!("{net}/virtualNetworkGateways/{gw_name}");
    let circuit_name = format!("erc-{key}");
    let circuit_id = format!("{net}/expressRouteCircuits/{circuit_name}");
    let private_id = format!("{circuit_id}/peerings/AzurePrivatePeering");
    let microsoft_id = format!("{circuit_id}/peerings/MicrosoftPeering");
    let filter_name = format!("rf-{key}");
    let filter_id = format!("{net}/routeFilters/{filter_name}");
    let auth_name = format!("auth-{key}");
    let auth_id = format!("{circuit_id}/authorizations/{auth_name}");
    let conn_name = format!("cn-{key}");
    let conn_id = format!("{net}/connections/{conn_name}");
    let gr_name = format!("gr-{key}-to-{next}");
    let gr_id = format!("{private_id}/connections/{gr_name}");
    let next_private_id = format!(
        "/subscriptions/{SUBSCRIPTION}/resourceGroups/rg-er-{next}/providers/Microsoft.Network/expressRouteCircuits/erc-{next}/peerings/AzurePrivatePeering"
    );
    let octet2 = (n / 250) % 250;
    let octet3 = n % 250;
    let tags = obj(vec![
        ("cost_center", s("net-core")),
        ("environment", s("production")),
        ("site", s(key.clone())),
    ]);
    let a = |t: &str, role: &str| site_address(n, t, role);
    let rg = a("azurerm_resource_group", "this");
    let vnet = a("azurerm_virtual_network", "this");
    let subnet = a("azurerm_subnet", "gateway");
    let gateway = a("azurerm_virtual_network_gateway", "this");
    let circuit = a("azurerm_express_route_circuit", "this");
    let private = a("azurerm_express_route_circuit_peering", "private");
    let microsoft = a("azurerm_express_route_circuit_peering", "microsoft");
    let filter = a("azurerm_route_filter", "this");
    let auth = a("azurerm_express_route_circuit_authorization", "this");
    let conn = a("azurerm_virtual_network_gateway_connection", "this");
    let gr = a("azurerm_express_route_circuit_connection", "global_reach");
    let next_private = site_address(
        (n + 1) % sites.max(1),
        "azurerm_express_route_circuit_peering",
        "private",
    );

    let resource = |address: &ResourceInstanceAddr,
                    id: &str,
                    attributes: BTreeMap<String, Value>,
                    secrets: &[&str],
                    dependencies: Vec<ResourceInstanceAddr>| {
        let mut attributes = attributes;
        for path in secrets {
            attributes.insert(path.to_string(), Value::Null);
        }
        let mut dependencies = dependencies;
        dependencies.sort();
        dependencies.dedup();
        (
            address.clone(),
            ResourceState {
                type_name: address.resource.type_name.clone(),
                id: id.to_string(),
                attributes,
                secrets: secrets
                    .iter()
                    .map(|p| (p.to_string(), fake_digest(address, p)))
                    .collect(),
                dependencies,
                ..Default::default()
            },
        )
    };

    vec![
        resource(
            &rg,
            &rg_id,
            attrs(vec![
                ("location", s(location)),
                ("managed_by", s("")),
                ("name", s(rg_name.clone())),
                ("tags", tags.clone()),
            ]),
            &[],
            vec![],
        ),
        resource(
            &vnet,
            &vnet_id,
            attrs(vec![
                (
                    "address_space",
                    Value::List(vec![s(format!("10.{octet2}.{octet3}.0/24"))]),
                ),
                ("bgp_community", s("")),
                ("ddos_protection_plan", Value::List(vec![])),
                ("dns_servers", Value::List(vec![])),
                ("edge_zone", s("")),
                ("flow_timeout_in_minutes", Value::int(0)),
                (
                    "guid",
                    s(format!("4b0e{n:04x}-2c1d-4f3e-8a9b-0c1d2e3f{n:04x}")),
                ),
                ("location", s(location)),
                ("name", s(vnet_name.clone())),
                ("resource_group_name", s(rg_name.clone())),
                ("subnet", Value::List(vec![])),
                ("tags", tags.clone()),
            ]),
            &[],
            vec![rg.clone()],
        ),
        resource(
            &subnet,
            &subnet_id,
            attrs(vec![
                (
                    "address_prefixes",
                    Value::List(vec![s(format!("10.{octet2}.{octet3}.0/27"))]),
                ),
                ("default_outbound_access_enabled", Value::Bool(true)),
                ("delegation", Value::List(vec![])),
                ("name", s("GatewaySubnet")),
                ("private_endpoint_network_policies", s("Disabled")),
                (
                    "private_link_service_network_policies_enabled",
                    Value::Bool(true),
                ),
                ("resource_group_name", s(rg_name.clone())),
                ("service_endpoint_policy_ids", Value::List(vec![])),
                ("service_endpoints", Value::List(vec![])),
                ("virtual_network_name", s(vnet_name.clone())),
            ]),
            &[],
            vec![vnet.clone()],
        ),
        resource(
            &gateway,
            &gw_id,
            attrs(vec![
                ("active_active", Value::Bool(false)),
                ("bgp_enabled", Value::Bool(false)),
                ("generation", s("None")),
                (
                    "ip_configuration",
                    Value::List(vec![obj(vec![
                        ("name", s("default")),
                        ("private_ip_address_allocation", s("Dynamic")),
                        ("public_ip_address_id", s("")),
                        ("subnet_id", s(subnet_id.clone())),
                    ])]),
                ),
                ("location", s(location)),
                ("name", s(gw_name.clone())),
                ("private_ip_address_enabled", Value::Bool(false)),
                ("resource_group_name", s(rg_name.clone())),
                ("sku", s("ErGw1AZ")),
                ("tags", tags.clone()),
                ("type", s("ExpressRoute")),
            ]),
            &[],
            vec![subnet.clone()],
        ),
        resource(
            &circuit,
            &circuit_id,
            attrs(vec![
                ("allow_classic_operations", Value::Bool(false)),
                ("bandwidth_in_mbps", Value::int(1000)),
                ("location", s(location)),
                ("name", s(circuit_name.clone())),
                (
                    "peering_location",
                    s(peering_locations[n % peering_locations.len()]),
                ),
                ("resource_group_name", s(rg_name.clone())),
                ("service_provider_name", s("Equinix")),
                ("service_provider_provisioning_state", s("Provisioned")),
                (
                    "sku",
                    Value::List(vec![obj(vec![
                        ("family", s("MeteredData")),
                        ("tier", s("Standard")),
                    ])]),
                ),
                ("tags", tags.clone()),
            ]),
            &["service_key"],
            vec![rg.clone()],
        ),
        resource(
            &private,
            &private_id,
            attrs(vec![
                ("azure_asn", Value::int(12076)),
                ("express_route_circuit_name", s(circuit_name.clone())),
                ("gateway_manager_etag", s("")),
                ("ipv4_enabled", Value::Bool(true)),
                ("peer_asn", Value::int(65000 + (n % 500) as i64)),
                ("peering_type", s("AzurePrivatePeering")),
                ("primary_azure_port", s(format!("EQIX-AMS-{n:04}-PRI-A"))),
                (
                    "primary_peer_address_prefix",
                    s(format!("172.{}.{}.0/30", 16 + octet2 % 16, octet3)),
                ),
                ("resource_group_name", s(rg_name.clone())),
                ("route_filter_id", s("")),
                ("secondary_azure_port", s(format!("EQIX-AMS-{n:04}-SEC-A"))),
                (
                    "secondary_peer_address_prefix",
                    s(format!("172.{}.{}.4/30", 16 + octet2 % 16, octet3)),
                ),
                ("vlan_id", Value::int(100 + (n % 3000) as i64)),
            ]),
            &["shared_key"],
            vec![circuit.clone()],
        ),
        resource(
            &microsoft,
            &microsoft_id,
            attrs(vec![
                ("azure_asn", Value::int(12076)),
                ("express_route_circuit_name", s(circuit_name.clone())),
                ("ipv4_enabled", Value::Bool(true)),
                (
                    "microsoft_peering_config",
                    Value::List(vec![obj(vec![
                        ("advertised_communities", Value::List(vec![])),
                        (
                            "advertised_public_prefixes",
                            Value::List(vec![s(format!(
                                "203.0.{}.{}/30",
                                octet2,
                                (octet3 * 4) % 256
                            ))]),
                        ),
                        ("customer_asn", Value::int(64512 + (n % 1000) as i64)),
                        ("routing_registry_name", s("RIPENCC")),
                    ])]),
                ),
                ("peer_asn", Value::int(65000 + (n % 500) as i64)),
                ("peering_type", s("MicrosoftPeering")),
                (
                    "primary_peer_address_prefix",
                    s(format!("198.51.{}.0/30", octet3)),
                ),
                ("resource_group_name", s(rg_name.clone())),
                ("route_filter_id", s(filter_id.clone())),
                (
                    "secondary_peer_address_prefix",
                    s(format!("198.51.{}.4/30", octet3)),
                ),
                ("vlan_id", Value::int(3100 + (n % 900) as i64)),
            ]),
            &[],
            vec![circuit.clone(), filter.clone()],
        ),
        resource(
            &filter,
            &filter_id,
            attrs(vec![
                ("location", s(location)),
                ("name", s(filter_name.clone())),
                ("resource_group_name", s(rg_name.clone())),
                (
                    "rule",
                    Value::List(vec![obj(vec![
                        ("access", s("Allow")),
                        (
                            "communities",
                            Value::List(vec![s("12076:5010"), s("12076:5020"), s("12076:5040")]),
                        ),
                        ("name", s("allow-m365")),
                        ("rule_type", s("Community")),
                    ])]),
                ),
                ("tags", tags.clone()),
            ]),
            &[],
            vec![rg.clone()],
        ),
        resource(
            &auth,
            &auth_id,
            attrs(vec![
                ("authorization_use_status", s("InUse")),
                ("express_route_circuit_name", s(circuit_name.clone())),
                ("name", s(auth_name)),
                ("resource_group_name", s(rg_name.clone())),
            ]),
            &["authorization_key"],
            vec![circuit.clone()],
        ),
        resource(
            &conn,
            &conn_id,
            attrs(vec![
                ("connection_protocol", s("")),
                ("enable_bgp", Value::Bool(false)),
                ("express_route_circuit_id", s(circuit_id.clone())),
                ("express_route_gateway_bypass", Value::Bool(false)),
                ("location", s(location)),
                ("name", s(conn_name)),
                ("resource_group_name", s(rg_name.clone())),
                ("routing_weight", Value::int(10)),
                ("tags", tags),
                ("type", s("ExpressRoute")),
                ("virtual_network_gateway_id", s(gw_id)),
            ]),
            &["authorization_key", "shared_key"],
            vec![gateway, auth, private.clone()],
        ),
        resource(
            &gr,
            &gr_id,
            attrs(vec![
                (
                    "address_prefix_ipv4",
                    s(format!("192.168.{octet3}.{}/29", (octet2 * 8) % 256)),
                ),
                ("address_prefix_ipv6", s("")),
                ("name", s(gr_name)),
                ("peer_peering_id", s(next_private_id)),
                ("peering_id", s(private_id)),
            ]),
            &["authorization_key"],
            vec![private, next_private],
        ),
    ]
}
