//! Unit tests of the rules on hand-built desired graphs: a clean two-site estate built the way
//! `desired` builds it (computed ids unknown, references as dependency edges), then one change
//! per rule that must trigger it, and a near miss that must not.

use super::*;
use crate::config::addr::{Mode, ModulePath, ResourceAddr, ResourceInstanceAddr};
use crate::desired::{Desired, Instance, InstanceLifecycle};
use crate::diag::{FileId, Span};
use crate::graph::Dag;
use std::collections::BTreeMap;
use std::sync::Arc;

fn s(text: &str) -> Value {
    Value::string(text)
}

fn list(items: &[&str]) -> Value {
    Value::List(items.iter().map(|i| s(i)).collect())
}

fn block(pairs: Vec<(&str, Value)>) -> Value {
    Value::List(vec![Value::object(pairs)])
}

/// Builds a `Desired` the way `desired::build` would.
#[derive(Default)]
struct Build {
    instances: Vec<Instance>,
    deps: Vec<Vec<usize>>,
}

impl Build {
    fn add(
        &mut self,
        type_name: &str,
        name: &str,
        pairs: Vec<(&str, Value)>,
        deps: &[usize],
    ) -> usize {
        let i = self.instances.len();
        let value = Value::object(pairs);
        let base = i * 1000;
        let mut attr_spans = BTreeMap::new();
        if let Some(map) = value.as_map() {
            for (k, key) in map.keys().enumerate() {
                attr_spans.insert(
                    key.clone(),
                    Span::new(FileId(0), base + k + 1..base + k + 2),
                );
            }
        }
        self.instances.push(Instance {
            addr: ResourceInstanceAddr {
                resource: ResourceAddr {
                    module: ModulePath::root(),
                    mode: Mode::Managed,
                    type_name: type_name.to_string(),
                    name: name.to_string(),
                },
                key: None,
            },
            value,
            span: Span::new(FileId(0), base..base),
            configured: attr_spans.keys().cloned().collect(),
            attr_spans: Arc::new(attr_spans),
            provider_alias: None,
            lifecycle: InstanceLifecycle::default(),
        });
        self.deps.push(deps.to_vec());
        i
    }

    fn set(&mut self, i: usize, path: &str, value: Value) {
        set_path(&mut self.instances[i].value, path, value);
    }

    fn desired(&self) -> Desired {
        let mut graph = Dag::new(self.instances.len());
        for (i, deps) in self.deps.iter().enumerate() {
            for &d in deps {
                graph.add_edge(i, d);
            }
        }
        Desired {
            instances: self.instances.clone(),
            graph,
            ..Desired::default()
        }
    }

    fn check(&self) -> Vec<Diagnostic> {
        check(&self.desired(), &|_| None, &RuleSettings::default())
    }

    fn ids(&self) -> Vec<String> {
        ids(&self.check())
    }
}

fn set_path(value: &mut Value, path: &str, new: Value) {
    let (head, rest) = match path.split_once('.') {
        Some((h, r)) => (h, Some(r)),
        None => (path, None),
    };
    let Some(map) = value.map_mut() else {
        panic!("not an object at {path}")
    };
    match rest {
        None => {
            map.insert(head.to_string(), new);
        }
        Some(rest) => match map.get_mut(head) {
            Some(Value::List(items)) => set_path(&mut items[0], rest, new),
            Some(other) => set_path(other, rest, new),
            None => panic!("no {head}"),
        },
    }
}

fn ids(diagnostics: &[Diagnostic]) -> Vec<String> {
    let mut out: Vec<String> = diagnostics
        .iter()
        .filter_map(|d| {
            let rest = d.summary.strip_prefix('[')?;
            Some(rest[..rest.find(']')?].to_string())
        })
        .collect();
    out.sort();
    out
}

/// The instances of one site.
#[derive(Clone, Copy)]
struct Site {
    vnet: usize,
    subnet: usize,
    gateway: usize,
    circuit: usize,
    private: usize,
    microsoft: usize,
    filter: usize,
    authorization: usize,
    connection: usize,
}

/// A clean site: VNet and GatewaySubnet, ExpressRoute gateway, a circuit with private and
/// Microsoft peering and a route filter, an authorization and the connection.
fn site(b: &mut Build, key: &str, n: u8, region: &str, peering_location: &str, tier: &str) -> Site {
    let rg = format!("rg-{key}");
    let rg = rg.as_str();
    let vnet = b.add(
        "azurerm_virtual_network",
        &format!("{key}_hub"),
        vec![
            ("name", s(&format!("vnet-{key}"))),
            ("resource_group_name", s(rg)),
            ("location", s(region)),
            (
                "address_space",
                Value::set(vec![s(&format!("10.{n}.0.0/16"))]),
            ),
            ("bgp_community", Value::Null),
        ],
        &[],
    );
    let subnet = b.add(
        "azurerm_subnet",
        &format!("{key}_gateway"),
        vec![
            ("name", s("GatewaySubnet")),
            ("resource_group_name", s(rg)),
            ("virtual_network_name", s(&format!("vnet-{key}"))),
            ("address_prefixes", list(&[&format!("10.{n}.255.0/27")])),
        ],
        &[vnet],
    );
    let gateway = b.add(
        "azurerm_virtual_network_gateway",
        &format!("{key}_er"),
        vec![
            ("name", s(&format!("ergw-{key}"))),
            ("resource_group_name", s(rg)),
            ("location", s(region)),
            ("type", s("ExpressRoute")),
            ("vpn_type", s("RouteBased")),
            ("sku", s("ErGw1AZ")),
            ("generation", Value::Unknown),
            ("bgp_settings", Value::List(Vec::new())),
            (
                "ip_configuration",
                block(vec![
                    ("name", s("default")),
                    ("subnet_id", Value::Unknown),
                    ("public_ip_address_id", Value::Null),
                ]),
            ),
        ],
        &[subnet],
    );
    let circuit = b.add(
        "azurerm_express_route_circuit",
        &format!("{key}_circuit"),
        vec![
            ("name", s(&format!("er-{key}"))),
            ("resource_group_name", s(rg)),
            ("location", s(region)),
            ("service_provider_name", s("Equinix")),
            ("peering_location", s(peering_location)),
            ("bandwidth_in_mbps", Value::int(1000)),
            ("bandwidth_in_gbps", Value::Null),
            ("express_route_port_id", Value::Null),
            (
                "sku",
                block(vec![("tier", s(tier)), ("family", s("MeteredData"))]),
            ),
        ],
        &[],
    );
    let private = b.add(
        "azurerm_express_route_circuit_peering",
        &format!("{key}_private"),
        vec![
            ("peering_type", s("AzurePrivatePeering")),
            ("express_route_circuit_name", s(&format!("er-{key}"))),
            ("resource_group_name", s(rg)),
            (
                "primary_peer_address_prefix",
                s(&format!("192.168.{n}.0/30")),
            ),
            (
                "secondary_peer_address_prefix",
                s(&format!("192.168.{n}.4/30")),
            ),
            ("ipv4_enabled", Value::Bool(true)),
            ("vlan_id", Value::int(100)),
            ("peer_asn", Value::int(65010)),
            ("shared_key", Value::Null),
            ("route_filter_id", Value::Null),
            ("microsoft_peering_config", Value::List(Vec::new())),
            ("ipv6", Value::List(Vec::new())),
        ],
        &[circuit],
    );
    let filter = b.add(
        "azurerm_route_filter",
        &format!("{key}_filter"),
        vec![
            ("name", s(&format!("rf-{key}"))),
            ("resource_group_name", s(rg)),
            ("location", s(region)),
            (
                "rule",
                block(vec![
                    ("name", s("allow-region")),
                    ("access", s("Allow")),
                    ("rule_type", s("Community")),
                    ("communities", list(&["12076:51002"])),
                ]),
            ),
        ],
        &[],
    );
    let microsoft = b.add(
        "azurerm_express_route_circuit_peering",
        &format!("{key}_microsoft"),
        vec![
            ("peering_type", s("MicrosoftPeering")),
            ("express_route_circuit_name", s(&format!("er-{key}"))),
            ("resource_group_name", s(rg)),
            (
                "primary_peer_address_prefix",
                s(&format!("203.0.113.{}/30", n * 8)),
            ),
            (
                "secondary_peer_address_prefix",
                s(&format!("203.0.113.{}/30", n * 8 + 4)),
            ),
            ("ipv4_enabled", Value::Bool(true)),
            ("vlan_id", Value::int(200)),
            ("peer_asn", Value::int(64496)),
            ("shared_key", Value::Null),
            ("route_filter_id", Value::Unknown),
            (
                "microsoft_peering_config",
                block(vec![
                    (
                        "advertised_public_prefixes",
                        list(&[&format!("198.51.100.{}/29", n * 8)]),
                    ),
                    ("customer_asn", Value::int(0)),
                    ("routing_registry_name", s("RIPENCC")),
                ]),
            ),
            ("ipv6", Value::List(Vec::new())),
        ],
        &[circuit, filter],
    );
    let authorization = b.add(
        "azurerm_express_route_circuit_authorization",
        &format!("{key}_auth"),
        vec![
            ("name", s(&format!("auth-{key}"))),
            ("resource_group_name", s(rg)),
            ("express_route_circuit_name", s(&format!("er-{key}"))),
            ("authorization_key", Value::Unknown),
        ],
        &[circuit],
    );
    let connection = b.add(
        "azurerm_virtual_network_gateway_connection",
        &format!("{key}_link"),
        vec![
            ("name", s(&format!("cn-{key}"))),
            ("resource_group_name", s(rg)),
            ("location", s(region)),
            ("type", s("ExpressRoute")),
            ("virtual_network_gateway_id", Value::Unknown),
            ("express_route_circuit_id", Value::Unknown),
            ("authorization_key", Value::Unknown.mark_sensitive()),
            ("routing_weight", Value::int(10)),
            ("express_route_gateway_bypass", Value::Unknown),
            ("private_link_fast_path_enabled", Value::Bool(false)),
        ],
        &[gateway, circuit, authorization, private],
    );
    Site {
        vnet,
        subnet,
        gateway,
        circuit,
        private,
        microsoft,
        filter,
        authorization,
        connection,
    }
}

fn global_reach(b: &mut Build, a: &Site, z: &Site, prefix: &str) -> usize {
    b.add(
        "azurerm_express_route_circuit_connection",
        "a_to_z",
        vec![
            ("name", s("gr-a-z")),
            ("peering_id", Value::Unknown),
            ("peer_peering_id", Value::Unknown),
            ("address_prefix_ipv4", s(prefix)),
            ("authorization_key", Value::Null),
            ("address_prefix_ipv6", Value::Null),
        ],
        &[a.private, z.private],
    )
}

/// Two sites in two geopolitical regions with Premium circuits and Global Reach between them.
fn estate() -> (Build, Site, Site, usize) {
    let mut b = Build::default();
    let a = site(&mut b, "ams", 1, "westeurope", "Amsterdam", "Premium");
    let z = site(&mut b, "sin", 2, "southeastasia", "Singapore", "Premium");
    let g = global_reach(&mut b, &a, &z, "172.31.0.0/29");
    (b, a, z, g)
}

#[test]
fn clean_estate_has_no_findings() {
    let (b, ..) = estate();
    assert_eq!(b.check(), Vec::new());
}

#[test]
fn relations_resolve_through_dependencies() {
    let (b, a, z, g) = estate();
    let desired = b.desired();
    let settings = RuleSettings::default();
    let m = model::Model::from_desired(&desired, &settings);
    assert_eq!(m.circuit_of_peering(a.private), Some(a.circuit));
    assert_eq!(m.circuit_of_connection(a.connection), Some(a.circuit));
    assert_eq!(m.gateway_of_connection(a.connection), Some(a.gateway));
    assert_eq!(m.vnet_of_gateway(a.gateway), Some(a.vnet));
    assert_eq!(m.linked_vnets(z.circuit), vec![(z.connection, z.vnet)]);
    assert_eq!(
        m.route_filter_of_peering(a.microsoft).instance(),
        Some(a.filter)
    );
    let ends = m.global_reach_ends(g).unwrap();
    assert_eq!(
        (ends[0].instance(), ends[1].instance()),
        (Some(a.private), Some(z.private))
    );
}

#[test]
fn literal_ids_resolve_by_name() {
    let (mut b, a, ..) = estate();
    b.set(a.connection, "express_route_circuit_id", s("/subscriptions/0000/resourceGroups/rg-ams/providers/Microsoft.Network/expressRouteCircuits/ER-AMS"));
    let desired = b.desired();
    let settings = RuleSettings::default();
    let m = model::Model::from_desired(&desired, &settings);
    assert_eq!(m.circuit_of_connection(a.connection), Some(a.circuit));
}

#[test]
fn diagnostics_carry_id_link_span_and_address() {
    let (mut b, a, ..) = estate();
    b.set(a.circuit, "bandwidth_in_mbps", Value::int(300));
    let diagnostics = b.check();
    assert_eq!(diagnostics.len(), 1);
    let d = &diagnostics[0];
    assert!(d.summary.starts_with("[C1] "), "{}", d.summary);
    assert!(
        d.detail
            .ends_with(&format!("Rule C1: {}", rule("C1").unwrap().source()))
    );
    assert_eq!(
        d.address.as_deref(),
        Some("azurerm_express_route_circuit.ams_circuit")
    );
    let expected = b.instances[a.circuit]
        .attr_spans
        .get("bandwidth_in_mbps")
        .copied();
    assert_eq!(d.span, expected);
}

#[test]
fn settings_switch_off_and_change_severity() {
    let (mut b, a, ..) = estate();
    b.set(a.circuit, "bandwidth_in_mbps", Value::int(300));
    let desired = b.desired();
    let mut settings = RuleSettings::default();
    assert!(
        settings
            .apply(&[RuleChoice {
                id: "c1".into(),
                level: "warning".into(),
                span: None
            }])
            .is_empty()
    );
    let d = check(&desired, &|_| None, &settings);
    assert_eq!(d[0].severity, Severity::Warning);
    settings.apply(&[RuleChoice {
        id: "C1".into(),
        level: "off".into(),
        span: None,
    }]);
    assert!(check(&desired, &|_| None, &settings).is_empty());
    let bad = settings.apply(&[
        RuleChoice {
            id: "Z9".into(),
            level: "off".into(),
            span: None,
        },
        RuleChoice {
            id: "C1".into(),
            level: "loud".into(),
            span: None,
        },
    ]);
    assert_eq!(bad.len(), 2);
    assert!(bad.iter().all(Diagnostic::is_error));
}

/// Apply `change` to a fresh estate and return the rule ids found.
fn after(change: impl FnOnce(&mut Build, (Site, Site, usize))) -> Vec<String> {
    let (mut b, a, z, g) = estate();
    change(&mut b, (a, z, g));
    b.ids()
}

fn only(id: &str) -> Vec<String> {
    vec![id.to_string()]
}

#[test]
fn c1_bandwidth() {
    assert_eq!(
        after(|b, (a, ..)| b.set(a.circuit, "bandwidth_in_mbps", Value::int(300))),
        only("C1")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.circuit, "bandwidth_in_mbps", Value::int(2000))),
        Vec::<String>::new()
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.circuit, "bandwidth_in_mbps", Value::Unknown)),
        Vec::<String>::new()
    );
}

#[test]
fn c3_provider_or_direct() {
    let trigger = after(|b, (a, ..)| {
        for k in [
            "service_provider_name",
            "peering_location",
            "bandwidth_in_mbps",
        ] {
            b.set(a.circuit, k, Value::Null);
        }
    });
    assert_eq!(trigger, only("C3"));
    let direct = after(|b, (a, ..)| {
        for k in [
            "service_provider_name",
            "peering_location",
            "bandwidth_in_mbps",
        ] {
            b.set(a.circuit, k, Value::Null);
        }
        b.set(a.circuit, "express_route_port_id", Value::Unknown);
        b.set(a.circuit, "bandwidth_in_gbps", Value::int(10));
    });
    assert!(!direct.contains(&"C3".to_string()), "{direct:?}");
}

#[test]
fn c4_provider_location() {
    assert_eq!(
        after(|b, (a, ..)| b.set(a.circuit, "peering_location", s("Amsterdm"))),
        only("C4")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.circuit, "service_provider_name", s("Ziply Fiber"))),
        only("C4")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.circuit, "service_provider_name", s("Some Local Carrier"))),
        Vec::<String>::new()
    );
}

#[test]
fn c5_and_c10_sku() {
    // Basic is not Premium either, so Global Reach to Singapore breaks too (G7).
    assert_eq!(
        after(|b, (a, ..)| b.set(a.circuit, "sku.tier", s("Basic"))),
        vec!["C5".to_string(), "G7".to_string()]
    );
    // Local at Dallas: no Local region there; MeteredData is a second (warning) finding.
    let local = after(|b, (a, ..)| {
        b.set(a.circuit, "peering_location", s("Dallas"));
        b.set(a.circuit, "sku.tier", s("Local"));
        b.set(a.circuit, "sku.family", s("UnlimitedData"));
        b.set(a.vnet, "location", s("southcentralus"));
        b.set(a.connection, "location", s("southcentralus"));
    });
    assert!(local.contains(&"C10".to_string()), "{local:?}");
    let near = after(|b, (a, ..)| {
        b.set(a.circuit, "sku.tier", s("Local"));
        b.set(a.circuit, "sku.family", s("UnlimitedData"));
        // Amsterdam's Local region is West Europe, where the VNet is; no Global Reach on Local.
    });
    assert_eq!(near, vec!["G7".to_string(), "G8".to_string()]);
}

#[test]
fn c16_names() {
    assert_eq!(
        after(|b, (a, ..)| b.set(a.circuit, "name", s("er ams")))[..],
        ["C16".to_string()][..]
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.vnet, "name", s("v"))),
        only("C16")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.vnet, "name", s("vnet-ams_"))),
        Vec::<String>::new()
    );
}

#[test]
fn c17_microsoft_365_needs_premium() {
    let trigger = after(|b, (a, ..)| {
        b.set(a.filter, "rule.communities", list(&["12076:5010"]));
        b.set(a.circuit, "sku.tier", s("Standard"));
        b.set(a.circuit, "peering_location", s("Amsterdam"));
    });
    // Standard at Amsterdam also breaks Global Reach to Singapore (G7).
    assert_eq!(trigger, vec!["C17".to_string(), "G7".to_string()]);
    assert_eq!(
        after(|b, (a, ..)| b.set(a.filter, "rule.communities", list(&["12076:5010"]))),
        Vec::<String>::new()
    );
}

#[test]
fn c8_c9_d7_use_the_prior_state() {
    let (mut b, a, z, _) = estate();
    b.set(a.circuit, "sku.tier", s("Standard"));
    let desired = b.desired();
    let prior_premium = b.instances[a.circuit].value.clone();
    let mut was_premium = prior_premium.clone();
    set_path(&mut was_premium, "sku.tier", s("Premium"));
    let addr = b.instances[a.circuit].addr.clone();
    // Premium → Standard with a Global Reach link to Asia counted and no cross-geo VNet: fits.
    let prior = |x: &ResourceInstanceAddr| (x == &addr).then(|| was_premium.clone());
    let found = ids(&check(&desired, &prior, &RuleSettings::default()));
    assert_eq!(found, only("G7"));
    // Link the Amsterdam circuit to the Singapore VNet as well: the downgrade cannot happen.
    let (mut b, a, z2, _) = estate();
    let _ = z;
    b.set(a.circuit, "sku.tier", s("Standard"));
    let extra = b.add(
        "azurerm_virtual_network_gateway_connection",
        "sin_to_ams",
        vec![
            ("name", s("cn-sin-ams")),
            ("resource_group_name", s("rg-sin")),
            ("location", s("southeastasia")),
            ("type", s("ExpressRoute")),
            ("virtual_network_gateway_id", Value::Unknown),
            ("express_route_circuit_id", Value::Unknown),
            ("authorization_key", Value::Null),
            ("routing_weight", Value::int(0)),
            ("express_route_gateway_bypass", Value::Unknown),
            ("private_link_fast_path_enabled", Value::Bool(false)),
        ],
        &[z2.gateway, a.circuit],
    );
    let _ = extra;
    let desired = b.desired();
    let found = ids(&check(&desired, &prior, &RuleSettings::default()));
    assert_eq!(found, vec!["C9".to_string(), "G7".to_string()]);
    // Without the prior state the same configuration is G1 (and G7).
    let found = ids(&check(&desired, &|_| None, &RuleSettings::default()));
    assert_eq!(found, vec!["G1".to_string(), "G7".to_string()]);
    // C8 and D7 are notes on upgrades.
    let (mut b, a, ..) = estate();
    b.set(a.circuit, "bandwidth_in_mbps", Value::int(2000));
    let mut was = b.instances[a.circuit].value.clone();
    set_path(&mut was, "sku.tier", s("Standard"));
    set_path(&mut was, "bandwidth_in_mbps", Value::int(1000));
    let addr = b.instances[a.circuit].addr.clone();
    let diagnostics = check(
        &b.desired(),
        &|x: &ResourceInstanceAddr| (x == &addr).then(|| was.clone()),
        &RuleSettings::default(),
    );
    assert_eq!(ids(&diagnostics), vec!["C8".to_string(), "D7".to_string()]);
    assert!(diagnostics.iter().all(|d| d.severity == Severity::Info));
}

#[test]
fn p1_p2_peering_types() {
    let dup = after(|b, (a, ..)| b.set(a.microsoft, "peering_type", s("AzurePrivatePeering")));
    assert!(dup.contains(&"P1".to_string()), "{dup:?}");
    let public = after(|b, (a, ..)| {
        b.set(a.microsoft, "peering_type", s("AzurePublicPeering"));
        b.set(a.microsoft, "route_filter_id", Value::Null);
        b.set(
            a.microsoft,
            "microsoft_peering_config",
            Value::List(Vec::new()),
        );
    });
    assert_eq!(public, only("P2"));
}

#[test]
fn p4_p5_prefixes() {
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.private,
            "primary_peer_address_prefix",
            s("192.168.1.0/29")
        )),
        only("P4")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.private,
            "primary_peer_address_prefix",
            s("192.168.1.1/30")
        )),
        only("P4")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.private,
            "secondary_peer_address_prefix",
            s("192.168.1.0/30")
        )),
        only("P4")
    );
    let v6 = |p: &str, q: &str| {
        block(vec![
            ("primary_peer_address_prefix", s(p)),
            ("secondary_peer_address_prefix", s(q)),
            ("route_filter_id", Value::Null),
        ])
    };
    assert_eq!(
        after(|b, (a, ..)| b.set(a.private, "ipv6", v6("2001:db8::/125", "2001:db8::8/126"))),
        only("P5")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.private, "ipv6", v6("2001:db8::/126", "2001:db8::4/126"))),
        Vec::<String>::new()
    );
}

#[test]
fn p6_private_prefix_overlaps_linked_vnet() {
    let trigger = after(|b, (a, ..)| {
        b.set(a.private, "primary_peer_address_prefix", s("10.1.200.0/30"));
        b.set(
            a.private,
            "secondary_peer_address_prefix",
            s("10.1.200.4/30"),
        );
    });
    assert_eq!(trigger, vec!["P6".to_string(), "P6".to_string()]);
    // The other site's VNet is not linked to this circuit.
    let near = after(|b, (a, ..)| {
        b.set(a.private, "primary_peer_address_prefix", s("10.2.200.0/30"));
        b.set(
            a.private,
            "secondary_peer_address_prefix",
            s("10.2.200.4/30"),
        );
    });
    assert_eq!(near, Vec::<String>::new());
}

#[test]
fn p7_p13_microsoft_peering() {
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.microsoft,
            "microsoft_peering_config.advertised_public_prefixes",
            list(&["10.9.0.0/24"])
        )),
        only("P7")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.microsoft,
            "microsoft_peering_config.advertised_public_prefixes",
            list(&[])
        )),
        only("P13")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.microsoft,
            "microsoft_peering_config.routing_registry_name",
            s("RIPE")
        )),
        only("P13")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.microsoft,
            "microsoft_peering_config",
            Value::List(Vec::new())
        )),
        only("P13")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.microsoft,
            "microsoft_peering_config.routing_registry_name",
            s("ARIN")
        )),
        Vec::<String>::new()
    );
}

#[test]
fn p8_p10_p12_values() {
    assert_eq!(
        after(|b, (a, ..)| b.set(a.microsoft, "vlan_id", Value::int(100))),
        only("P8")
    );
    assert_eq!(
        after(|b, (_, z, _)| b.set(z.private, "vlan_id", Value::int(100))),
        Vec::<String>::new()
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.private, "peer_asn", Value::int(65515))),
        only("P10")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.private, "peer_asn", Value::int(65514))),
        Vec::<String>::new()
    );
    let diagnostics = {
        let (mut b, a, ..) = estate();
        b.set(a.private, "shared_key", s("s3cret!").mark_sensitive());
        b.check()
    };
    assert_eq!(ids(&diagnostics), only("P12"));
    assert!(!diagnostics[0].detail.contains("s3cret"));
    assert_eq!(
        after(|b, (a, ..)| b.set(a.private, "shared_key", s("s3cret").mark_sensitive())),
        Vec::<String>::new()
    );
}

#[test]
fn p14_p15_route_filters() {
    assert_eq!(
        after(|b, (a, ..)| b.set(a.microsoft, "route_filter_id", Value::Null)),
        only("P14")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.private, "route_filter_id", Value::Unknown)),
        only("P15")
    );
}

#[test]
fn l2_prefix_count() {
    let many: Vec<String> = (0..201)
        .map(|i| format!("198.51.{}.{}/32", i / 256, i % 256))
        .collect();
    let refs: Vec<&str> = many.iter().map(String::as_str).collect();
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.microsoft,
            "microsoft_peering_config.advertised_public_prefixes",
            list(&refs)
        )),
        only("L2")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.microsoft,
            "microsoft_peering_config.advertised_public_prefixes",
            list(&refs[..200])
        )),
        Vec::<String>::new()
    );
}

fn extra_connections(b: &mut Build, site: &Site, circuit: usize, count: usize) {
    for k in 0..count {
        b.add(
            "azurerm_virtual_network_gateway_connection",
            &format!("extra{k}"),
            vec![
                ("name", s(&format!("cn-extra-{k}"))),
                ("resource_group_name", s("rg-extra")),
                ("location", s("westeurope")),
                ("type", s("ExpressRoute")),
                ("virtual_network_gateway_id", Value::Unknown),
                ("express_route_circuit_id", Value::Unknown),
                ("authorization_key", Value::Null),
                ("routing_weight", Value::int(0)),
                ("express_route_gateway_bypass", Value::Unknown),
                ("private_link_fast_path_enabled", Value::Bool(false)),
            ],
            &[site.gateway, circuit],
        );
    }
}

#[test]
fn l6_links_per_circuit() {
    // Standard: 10 links. One connection + one Global Reach + 9 more = 11.
    let (mut b, a, z, _) = estate();
    b.set(a.circuit, "sku.tier", s("Standard"));
    b.set(z.circuit, "peering_location", s("London"));
    b.set(z.vnet, "location", s("uksouth"));
    extra_connections(&mut b, &a, a.circuit, 9);
    assert_eq!(b.ids(), only("L6"));
    let (mut b, a, z, _) = estate();
    b.set(a.circuit, "sku.tier", s("Standard"));
    b.set(z.circuit, "peering_location", s("London"));
    b.set(z.vnet, "location", s("uksouth"));
    extra_connections(&mut b, &a, a.circuit, 8);
    assert_eq!(b.ids(), Vec::<String>::new());
}

fn extra_circuits(b: &mut Build, site: &Site, locations: &[&str]) {
    for (k, location) in locations.iter().enumerate() {
        let c = b.add(
            "azurerm_express_route_circuit",
            &format!("more{k}"),
            vec![
                ("name", s(&format!("er-more-{k}"))),
                ("resource_group_name", s("rg-more")),
                ("location", s("westeurope")),
                ("service_provider_name", s("Megaport")),
                ("peering_location", s(location)),
                ("bandwidth_in_mbps", Value::int(100)),
                ("bandwidth_in_gbps", Value::Null),
                ("express_route_port_id", Value::Null),
                (
                    "sku",
                    block(vec![("tier", s("Premium")), ("family", s("MeteredData"))]),
                ),
            ],
            &[],
        );
        b.add(
            "azurerm_express_route_circuit_peering",
            &format!("more{k}_private"),
            vec![
                ("peering_type", s("AzurePrivatePeering")),
                ("express_route_circuit_name", s(&format!("er-more-{k}"))),
                ("resource_group_name", s("rg-more")),
                (
                    "primary_peer_address_prefix",
                    s(&format!("192.168.{}.0/30", 100 + k)),
                ),
                (
                    "secondary_peer_address_prefix",
                    s(&format!("192.168.{}.4/30", 100 + k)),
                ),
                ("vlan_id", Value::int(100)),
                ("peer_asn", Value::int(65010)),
            ],
            &[c],
        );
        extra_connections(b, site, c, 1);
    }
}

#[test]
fn l7_l8_circuits_per_vnet() {
    let mut b = estate().0;
    let a = site(&mut b, "x", 3, "westeurope", "Amsterdam2", "Premium");
    extra_circuits(
        &mut b,
        &a,
        &["Amsterdam2", "Amsterdam2", "Amsterdam2", "Amsterdam2"],
    );
    let found = b.ids();
    // Five circuits from Amsterdam2 on one VNet (L7); also more than ErGw1AZ's 4 (L8).
    assert_eq!(found, vec!["L7".to_string(), "L8".to_string()]);
    let mut b = estate().0;
    let a = site(&mut b, "x", 3, "westeurope", "Amsterdam2", "Premium");
    b.set(a.gateway, "sku", s("ErGw2AZ"));
    extra_circuits(&mut b, &a, &["Amsterdam", "London", "Frankfurt", "Paris"]);
    assert_eq!(b.ids(), Vec::<String>::new());
}

#[test]
fn l11_authorization_reuse() {
    let (mut b, a, ..) = estate();
    b.add(
        "azurerm_virtual_network_gateway_connection",
        "second",
        vec![
            ("name", s("cn-second")),
            ("resource_group_name", s("rg-ams")),
            ("location", s("westeurope")),
            ("type", s("ExpressRoute")),
            ("virtual_network_gateway_id", Value::Unknown),
            ("express_route_circuit_id", Value::Unknown),
            ("authorization_key", Value::Unknown),
            ("routing_weight", Value::int(0)),
        ],
        &[a.gateway, a.circuit, a.authorization],
    );
    assert_eq!(b.ids(), only("L11"));
}

#[test]
fn g1_g2_geography() {
    // Standard at Amsterdam linked to a VNet in East US.
    let trigger = after(|b, (a, z, _)| {
        b.set(a.circuit, "sku.tier", s("Standard"));
        b.set(a.vnet, "location", s("eastus"));
        b.set(z.circuit, "peering_location", s("London"));
        b.set(z.vnet, "location", s("uksouth"));
    });
    assert_eq!(trigger, only("G1"));
    let near = after(|b, (a, z, _)| {
        b.set(a.circuit, "sku.tier", s("Standard"));
        b.set(a.vnet, "location", s("northeurope"));
        b.set(z.circuit, "peering_location", s("London"));
        b.set(z.vnet, "location", s("uksouth"));
    });
    assert_eq!(near, Vec::<String>::new());
    // Local at Amsterdam reaches West Europe only.
    let (mut b, a, ..) = {
        let mut b = Build::default();
        let a = site(&mut b, "ams", 1, "northeurope", "Amsterdam", "Local");
        (b, a, 0)
    };
    b.set(a.circuit, "sku.family", s("UnlimitedData"));
    assert_eq!(b.ids(), only("G2"));
    b.set(a.vnet, "location", s("westeurope"));
    assert_eq!(b.ids(), Vec::<String>::new());
}

#[test]
fn g5_g6_g7_g8_global_reach() {
    assert_eq!(
        after(|b, (_, z, _)| b.set(z.circuit, "peering_location", s("Amsterdam"))),
        vec!["G5".to_string()]
    );
    assert_eq!(
        after(|b, (_, z, _)| b.set(z.circuit, "peering_location", s("Amsterdam2"))),
        Vec::<String>::new()
    );
    assert_eq!(
        after(|b, (.., g)| b.set(g, "address_prefix_ipv4", s("172.31.0.0/30"))),
        only("G6")
    );
    assert_eq!(
        after(|b, (.., g)| b.set(g, "address_prefix_ipv4", s("10.1.3.0/29"))),
        only("G6")
    );
    assert_eq!(
        after(|b, (.., g)| b.set(g, "address_prefix_ipv4", s("192.168.1.0/29"))),
        only("G6")
    );
    assert_eq!(
        after(|b, (_, z, _)| b.set(z.circuit, "sku.tier", s("Standard"))),
        only("G7")
    );
    let local = after(|b, (a, ..)| {
        b.set(a.circuit, "sku.tier", s("Local"));
        b.set(a.circuit, "sku.family", s("UnlimitedData"));
    });
    assert_eq!(local, vec!["G7".to_string(), "G8".to_string()]);
}

#[test]
fn g10_cross_subscription() {
    let (mut b, _, _, g) = estate();
    b.set(g, "peering_id", s("/subscriptions/aaaa/resourceGroups/rg-ams/providers/Microsoft.Network/expressRouteCircuits/er-ams/peerings/AzurePrivatePeering"));
    b.set(g, "peer_peering_id", s("/subscriptions/bbbb/resourceGroups/rg-x/providers/Microsoft.Network/expressRouteCircuits/er-x/peerings/AzurePrivatePeering"));
    assert_eq!(b.ids(), only("G10"));
    b.set(g, "authorization_key", Value::Unknown.mark_sensitive());
    assert_eq!(b.ids(), Vec::<String>::new());
}

#[test]
fn w1_w2_w3_w5_gateways() {
    let w1 = after(|b, (a, ..)| {
        let second = b.add(
            "azurerm_virtual_network_gateway",
            "second",
            vec![
                ("name", s("ergw-2")),
                ("resource_group_name", s("rg-ams")),
                ("location", s("westeurope")),
                ("type", s("ExpressRoute")),
                ("sku", s("ErGw1AZ")),
                (
                    "ip_configuration",
                    block(vec![("subnet_id", Value::Unknown)]),
                ),
            ],
            &[a.subnet],
        );
        let _ = second;
    });
    assert_eq!(w1, only("W1"));
    assert_eq!(
        after(|b, (a, ..)| b.set(a.subnet, "name", s("gateway"))),
        only("W2")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.subnet, "address_prefixes", list(&["10.1.255.0/30"]))),
        only("W3")
    );
    let warning = {
        let (mut b, a, ..) = estate();
        b.set(a.subnet, "address_prefixes", list(&["10.1.255.0/28"]));
        b.check()
    };
    assert_eq!(ids(&warning), only("W3"));
    assert_eq!(warning[0].severity, Severity::Warning);
    assert_eq!(
        after(|b, (a, ..)| b.set(a.gateway, "sku", s("VpnGw1"))),
        only("W5")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.gateway, "generation", s("Generation1"))),
        only("W5")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.gateway, "generation", s("None"))),
        Vec::<String>::new()
    );
}

fn vpn_gateway(b: &mut Build, site: &Site, sku: &str) -> usize {
    b.add(
        "azurerm_virtual_network_gateway",
        "vpn",
        vec![
            ("name", s("vpngw")),
            ("resource_group_name", s("rg-ams")),
            ("location", s("westeurope")),
            ("type", s("Vpn")),
            ("vpn_type", s("RouteBased")),
            ("sku", s(sku)),
            ("bgp_settings", Value::List(Vec::new())),
            (
                "ip_configuration",
                block(vec![("subnet_id", Value::Unknown)]),
            ),
        ],
        &[site.subnet],
    )
}

#[test]
fn w9_w11_w12_w14_connections_and_vpn() {
    assert_eq!(
        after(|b, (a, ..)| b.set(a.gateway, "type", s("Vpn"))),
        vec!["W14".to_string(), "W9".to_string()]
    );
    let no_private = after(|b, (a, ..)| b.set(a.private, "peering_type", s("MicrosoftPeering")));
    assert!(no_private.contains(&"W9".to_string()), "{no_private:?}");
    assert_eq!(
        after(|b, (a, ..)| b.set(a.connection, "routing_weight", Value::int(40000))),
        only("W11")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(
            a.connection,
            "express_route_gateway_bypass",
            Value::Bool(true)
        )),
        only("W12")
    );
    let ok = after(|b, (a, ..)| {
        b.set(
            a.connection,
            "express_route_gateway_bypass",
            Value::Bool(true),
        );
        b.set(a.gateway, "sku", s("ErGw3AZ"));
    });
    assert_eq!(ok, Vec::<String>::new());
    let (mut b, a, ..) = estate();
    let vpn = vpn_gateway(&mut b, &a, "VpnGw1AZ");
    assert_eq!(b.ids(), Vec::<String>::new());
    b.set(vpn, "sku", s("HighPerformance"));
    assert_eq!(b.ids(), only("W14"));
}

#[test]
fn x1_to_x4_and_x8_coexistence() {
    let (mut b, a, ..) = estate();
    let vpn = vpn_gateway(&mut b, &a, "VpnGw1AZ");
    b.set(a.subnet, "address_prefixes", list(&["10.1.255.0/28"]));
    assert_eq!(b.ids(), only("X1"));
    b.set(a.subnet, "address_prefixes", list(&["10.1.255.0/27"]));
    b.set(vpn, "vpn_type", s("PolicyBased"));
    assert!(b.ids().contains(&"X2".to_string()));
    b.set(vpn, "vpn_type", s("RouteBased"));
    b.set(vpn, "sku", s("Basic"));
    assert_eq!(b.ids(), only("X3"));
    b.set(vpn, "sku", s("VpnGw1AZ"));
    b.set(vpn, "bgp_settings", block(vec![("asn", Value::int(65010))]));
    assert_eq!(b.ids(), only("X4"));
    b.set(vpn, "bgp_settings", block(vec![("asn", Value::int(65515))]));
    assert_eq!(b.ids(), Vec::<String>::new());
    let lng = b.add(
        "azurerm_local_network_gateway",
        "onprem",
        vec![
            ("name", s("lng-onprem")),
            ("resource_group_name", s("rg-ams")),
            ("location", s("westeurope")),
            (
                "bgp_settings",
                block(vec![
                    ("asn", Value::int(12076)),
                    ("bgp_peering_address", s("172.16.0.1")),
                ]),
            ),
        ],
        &[],
    );
    assert_eq!(b.ids(), only("X8"));
    b.set(lng, "bgp_settings.asn", Value::int(65050));
    assert_eq!(b.ids(), Vec::<String>::new());
}

#[test]
fn r4_r5_r7_communities() {
    assert_eq!(
        after(|b, (a, ..)| b.set(a.filter, "rule.communities", list(&["65000:100"]))),
        only("R4")
    );
    let unknown = {
        let (mut b, a, ..) = estate();
        b.set(a.filter, "rule.communities", list(&["12076:59999"]));
        b.check()
    };
    assert_eq!(ids(&unknown), only("R4"));
    assert_eq!(unknown[0].severity, Severity::Warning);
    let two_rules = after(|b, (a, ..)| {
        let rule = b.instances[a.filter]
            .value
            .get_attr("rule")
            .and_then(|r| r.as_list())
            .unwrap()[0]
            .clone();
        b.set(a.filter, "rule", Value::List(vec![rule.clone(), rule]));
    });
    assert_eq!(two_rules, only("R5"));
    assert_eq!(
        after(|b, (a, ..)| b.set(a.vnet, "bgp_community", s("65000:100"))),
        only("R7")
    );
    assert_eq!(
        after(|b, (a, ..)| b.set(a.vnet, "bgp_community", s("12076:20000"))),
        Vec::<String>::new()
    );
}

#[test]
fn unknown_values_keep_rules_silent() {
    let (mut b, a, z, g) = estate();
    for (i, path) in [
        (a.circuit, "sku.tier"),
        (a.circuit, "peering_location"),
        (a.vnet, "location"),
        (a.private, "primary_peer_address_prefix"),
        (a.private, "vlan_id"),
        (z.circuit, "sku"),
        (g, "address_prefix_ipv4"),
        (a.subnet, "address_prefixes"),
        (a.filter, "rule"),
    ] {
        b.set(i, path, Value::Unknown);
    }
    assert_eq!(b.check(), Vec::new());
}

#[test]
fn ordering_edges_gates_and_keys() {
    let (b, a, z, g) = estate();
    let o = ordering(&b.desired());
    let has = |from: usize, to: usize, id: &str| {
        o.extra_edges
            .iter()
            .any(|e| e.from == from && e.to == to && e.rule_id == id)
    };
    // Global Reach waits for (and is deleted before) both private peerings: already references.
    assert!(!has(g, a.private, "P16"));
    // The connection references the circuit, not its private peering: P16 adds that edge
    // (depends_on in the estate already has it, so build one without).
    let mut b2 = Build::default();
    let s2 = site(&mut b2, "ams", 1, "westeurope", "Amsterdam", "Premium");
    b2.deps[s2.connection].retain(|&d| d != s2.private);
    let o2 = ordering(&b2.desired());
    assert!(
        o2.extra_edges
            .iter()
            .any(|e| e.from == s2.connection && e.to == s2.private && e.rule_id == "P16")
    );
    // Provider gate before peerings (P3), deprovisioned before delete (D4).
    assert!(o.gates.iter().any(|gt| gt.rule_id == "P3"
        && gt.instance == a.private
        && gt.phase == Phase::Write
        && gt.condition == GateCondition::CircuitProvisioned { circuit: a.circuit }));
    assert!(
        o.gates
            .iter()
            .any(|gt| gt.rule_id == "D4" && gt.instance == z.circuit && gt.phase == Phase::Delete)
    );
    // Writes under one circuit share its key; the connection holds circuit and gateway keys.
    assert_eq!(
        o.serialisation_keys[a.private],
        vec!["circuit:rg-ams/er-ams".to_string()]
    );
    assert_eq!(
        o.serialisation_keys[a.microsoft],
        o.serialisation_keys[a.circuit]
    );
    assert_eq!(
        o.serialisation_keys[a.connection],
        vec![
            "circuit:rg-ams/er-ams".to_string(),
            "gateway:rg-ams/ergw-ams".to_string()
        ]
    );
    assert_eq!(
        o.serialisation_keys[a.subnet],
        vec!["vnet:rg-ams/vnet-ams".to_string()]
    );
    assert_eq!(o.serialisation_keys[g].len(), 2);
    // Direct circuits have no provider gate.
    let mut b3 = Build::default();
    let s3 = site(&mut b3, "ams", 1, "westeurope", "Amsterdam", "Premium");
    b3.set(s3.circuit, "express_route_port_id", Value::Unknown);
    assert!(
        ordering(&b3.desired())
            .gates
            .iter()
            .all(|gt| gt.instance != s3.private)
    );
}

#[test]
fn ordering_of_prior_objects_orders_deletes() {
    // The prior state knows every id and records dependencies only as written; deleting must
    // still remove the connection before the private peering (P16), circuit (D5) and gateway (D6).
    let mut b = Build::default();
    let a = site(&mut b, "ams", 1, "westeurope", "Amsterdam", "Premium");
    let base = "/subscriptions/0000/resourceGroups/rg-ams/providers/Microsoft.Network";
    b.set(
        a.connection,
        "express_route_circuit_id",
        s(&format!("{base}/expressRouteCircuits/er-ams")),
    );
    b.set(
        a.connection,
        "virtual_network_gateway_id",
        s(&format!("{base}/virtualNetworkGateways/ergw-ams")),
    );
    b.set(
        a.gateway,
        "ip_configuration.subnet_id",
        s(&format!(
            "{base}/virtualNetworks/vnet-ams/subnets/GatewaySubnet"
        )),
    );
    let none: Vec<usize> = Vec::new();
    let objects: Vec<OrderingObject<'_>> = b
        .instances
        .iter()
        .map(|inst| OrderingObject {
            addr: &inst.addr,
            value: &inst.value,
            dependencies: &none,
        })
        .collect();
    let o = ordering_of(&objects);
    let has = |from: usize, to: usize, id: &str| {
        o.extra_edges
            .iter()
            .any(|e| e.from == from && e.to == to && e.rule_id == id)
    };
    assert!(has(a.connection, a.private, "P16"));
    assert!(has(a.connection, a.circuit, "D5"));
    assert!(has(a.connection, a.gateway, "D6"));
    assert!(has(a.private, a.circuit, "D1"));
    assert!(has(a.authorization, a.circuit, "D3"));
    assert!(has(a.gateway, a.subnet, "D1"));
    assert!(has(a.microsoft, a.circuit, "D1"));
}

#[test]
fn catalogue_lists_checks_replacements_and_ordering() {
    assert!(
        RULES
            .iter()
            .any(|r| r.kind == RuleKind::Replace && r.id == "W6")
    );
    assert!(
        RULES
            .iter()
            .any(|r| r.kind == RuleKind::Ordering && r.id == "D4")
    );
    assert!(RULES.iter().all(|r| r.source().starts_with("https://")));
}
