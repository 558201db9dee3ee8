//! Gateway, connection and coexistence checks (reference §3.5, §3.6): one gateway per type per
//! virtual network (W1), the GatewaySubnet (W2, W3), ExpressRoute SKUs (W5), what an ExpressRoute
//! connection joins (W9), routing weight (W11), FastPath (W12), VPN SKUs (W14), ExpressRoute and
//! VPN gateways side by side (X1–X4), and the on-premises ASN (X8). Reports only; silent on
//! unknown values.

use super::check_peering::{prefixes, reserved_asn};
use super::model::*;
use super::report::Sink;
use crate::diag::Severity;

const ER_SKUS: &[&str] = &[
    "Standard",
    "HighPerformance",
    "UltraPerformance",
    "ErGw1AZ",
    "ErGw2AZ",
    "ErGw3AZ",
    "ErGwScale",
];
const ER_ONLY_SKUS: &[&str] = &[
    "UltraPerformance",
    "ErGw1AZ",
    "ErGw2AZ",
    "ErGw3AZ",
    "ErGwScale",
];
const FASTPATH_SKUS: &[&str] = &["UltraPerformance", "ErGw3AZ"];

pub(super) fn run(model: &Model<'_>, sink: &mut Sink<'_>) {
    for v in model.managed(VNET) {
        vnet_gateways(model, v, sink);
    }
    for g in model.managed(GATEWAY) {
        let node = model.node(g);
        if sink.enabled("W2") {
            w2_gateway_subnet(model, g, sink);
        }
        match node.str("type") {
            Some("ExpressRoute") if sink.enabled("W5") => w5_er_sku(node, sink),
            Some("Vpn") if sink.enabled("W14") => w14_vpn_sku(node, sink),
            _ => {}
        }
    }
    if sink.enabled("W3") {
        for s in model.managed(SUBNET) {
            w3_subnet_size(model, s, sink);
        }
    }
    for c in model.managed(CONNECTION) {
        if sink.enabled("W9") {
            w9_connection(model, c, sink);
        }
        if sink.enabled("W11") {
            w11_routing_weight(model.node(c), sink);
        }
        if sink.enabled("W12") {
            w12_fastpath(model, c, sink);
        }
    }
    if sink.enabled("X8") {
        for l in model.managed(LOCAL_GATEWAY) {
            let node = model.node(l);
            if let Some(asn) = node.int("bgp_settings.asn")
                && reserved_asn(asn)
                && asn != 65516
            {
                sink.emit(
                        "X8",
                        node,
                        &["bgp_settings.asn"],
                        format!("on-premises ASN {asn} is reserved by Azure"),
                        format!(
                            "{} sets bgp_settings.asn = {asn}. Azure reserves 8074, 8075, 12076 and 65515, 65517-65520 for itself; give the on-premises device another ASN.",
                            node.addr
                        ),
                    );
            }
        }
    }
}

/// The smallest IPv4 prefix length among a subnet's address prefixes (its largest range).
fn subnet_length(node: &Node<'_>) -> Option<u8> {
    prefixes(node, "address_prefixes")
        .into_iter()
        .filter(|p| !p.v6)
        .map(|p| p.len)
        .min()
}

fn vnet_gateways(model: &Model<'_>, v: usize, sink: &mut Sink<'_>) {
    let gateways = model.gateways_of_vnet(v);
    if gateways.len() < 2 {
        return;
    }
    let vnet = model.node(v);
    if sink.enabled("W1") {
        for kind in ["ExpressRoute", "Vpn"] {
            let same: Vec<usize> = gateways
                .iter()
                .copied()
                .filter(|&g| model.node(g).str("type") == Some(kind))
                .collect();
            for &second in same.iter().skip(1) {
                sink.emit(
                    "W1",
                    model.node(second),
                    &["type"],
                    format!("{} already has a {kind} gateway", vnet.addr),
                    format!(
                        "{} and {} are both {kind} gateways in {}. A virtual network has at most one gateway of each type (one ExpressRoute and one VPN). Connect more circuits to the existing gateway instead.",
                        model.addr(same[0]),
                        model.addr(second),
                        vnet.addr
                    ),
                );
            }
        }
    }
    let er = gateways
        .iter()
        .copied()
        .find(|&g| model.node(g).str("type") == Some("ExpressRoute"));
    let vpn = gateways
        .iter()
        .copied()
        .find(|&g| model.node(g).str("type") == Some("Vpn"));
    let (Some(er), Some(vpn)) = (er, vpn) else {
        return;
    };
    let vpn_node = model.node(vpn);
    if sink.enabled("X1") {
        for s in model.subnets_of_gateway(er) {
            let subnet = model.node(s);
            if let Some(len) = subnet_length(subnet)
                && len > 27
            {
                sink.emit(
                        "X1",
                        subnet,
                        &["address_prefixes"],
                        format!("GatewaySubnet /{len} is too small for ExpressRoute and VPN gateways together"),
                        format!(
                            "{} hosts {} (ExpressRoute) and {} (VPN); coexisting gateways need a GatewaySubnet of /27 or larger. Enlarge address_prefixes (a /28 or /29 in use means deleting the gateway, recreating the subnet, then both gateways).",
                            subnet.addr,
                            model.addr(er),
                            vpn_node.addr
                        ),
                    );
            }
        }
    }
    if sink.enabled("X2") && vpn_node.str("vpn_type") == Some("PolicyBased") {
        sink.emit(
            "X2",
            vpn_node,
            &["vpn_type"],
            "a VPN gateway next to an ExpressRoute gateway must be RouteBased",
            format!(
                "{} is PolicyBased and shares {} with ExpressRoute gateway {}. Coexistence needs vpn_type = \"RouteBased\" (policy-based traffic selectors on connections still work).",
                vpn_node.addr,
                vnet.addr,
                model.addr(er)
            ),
        );
    }
    if sink.enabled("X3") && vpn_node.str("sku") == Some("Basic") {
        sink.emit(
            "X3",
            vpn_node,
            &["sku"],
            "a VPN gateway next to an ExpressRoute gateway cannot be Basic",
            format!(
                "{} uses SKU Basic and shares {} with ExpressRoute gateway {}. Coexistence needs a non-Basic VPN SKU such as VpnGw1AZ.",
                vpn_node.addr,
                vnet.addr,
                model.addr(er)
            ),
        );
    }
    if sink.enabled("X4")
        && let Some(asn) = vpn_node.int("bgp_settings.asn")
        && asn != 65515
    {
        sink.emit(
                    "X4",
                    vpn_node,
                    &["bgp_settings.asn"],
                    format!("the VPN gateway must keep ASN 65515 to coexist with ExpressRoute, not {asn}"),
                    format!(
                        "{} sets bgp_settings.asn = {asn} and shares {} with ExpressRoute gateway {}. ExpressRoute and VPN interoperate only with the default ASN 65515; remove the asn or set it to 65515 (changing it back needs a gateway reset).",
                        vpn_node.addr,
                        vnet.addr,
                        model.addr(er)
                    ),
                );
    }
}

fn w2_gateway_subnet(model: &Model<'_>, g: usize, sink: &mut Sink<'_>) {
    let node = model.node(g);
    if let Rel::Gateway { subnets } = &model.rel[g] {
        for (k, link) in subnets.iter().enumerate() {
            let Some(s) = link.instance() else { continue };
            let Some(name) = model.node(s).name() else {
                continue;
            };
            if name != "GatewaySubnet" {
                sink.emit(
                    "W2",
                    node,
                    &[&format!("ip_configuration[{k}].subnet_id"), "ip_configuration"],
                    format!("a gateway must be deployed into GatewaySubnet, not \"{name}\""),
                    format!(
                        "{} puts its ip_configuration in {} (name \"{name}\"). Virtual network gateways go only into the subnet named exactly GatewaySubnet, which holds nothing else. Create an azurerm_subnet named \"GatewaySubnet\" and reference it.",
                        node.addr,
                        model.addr(s)
                    ),
                );
            }
        }
    }
}

fn w3_subnet_size(model: &Model<'_>, s: usize, sink: &mut Sink<'_>) {
    let subnet = model.node(s);
    if subnet.name() != Some("GatewaySubnet") {
        return;
    }
    let Some(len) = subnet_length(subnet) else {
        return;
    };
    let gateways = model
        .gateways_of_subnet
        .get(&s)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if len > 29 {
        sink.emit(
            "W3",
            subnet,
            &["address_prefixes"],
            format!("GatewaySubnet /{len} is smaller than the /29 minimum"),
            format!(
                "{} is a /{len}; a gateway cannot be created in a GatewaySubnet smaller than /29. Use /27 or larger.",
                subnet.addr
            ),
        );
        return;
    }
    let er = gateways
        .iter()
        .copied()
        .find(|&g| model.node(g).str("type") == Some("ExpressRoute"));
    let coexist = gateways
        .iter()
        .any(|&g| model.node(g).str("type") == Some("Vpn"));
    if let (Some(er), false) = (er, coexist)
        && len > 27
    {
        sink.emit_as(
                Severity::Warning,
                "W3",
                subnet,
                &["address_prefixes"],
                format!("GatewaySubnet /{len} works, but /27 or larger is recommended"),
                format!(
                    "{} (hosting ExpressRoute gateway {}) is a /{len}. Azure recommends /27 or larger so the gateway can grow and a VPN gateway can be added later; resizing means deleting the gateway.",
                    subnet.addr,
                    model.addr(er)
                ),
            );
    }
}

fn w5_er_sku(node: &Node<'_>, sink: &mut Sink<'_>) {
    if let Some(sku) = node.str("sku")
        && !ER_SKUS.contains(&sku)
    {
        sink.emit(
                "W5",
                node,
                &["sku"],
                format!("\"{sku}\" is not an ExpressRoute gateway SKU"),
                format!(
                    "{} is an ExpressRoute gateway with SKU {sku}. ExpressRoute gateways use {} (ErGw1AZ-ErGw3AZ are zone-redundant).",
                    node.addr,
                    ER_SKUS.join(", ")
                ),
            );
    }
    if let Some(generation) = node.str("generation")
        && generation != "None"
    {
        sink.emit(
                "W5",
                node,
                &["generation"],
                format!("an ExpressRoute gateway has no VPN generation (got {generation})"),
                format!(
                    "{} sets generation = \"{generation}\"; for ExpressRoute gateways it must be \"None\" (or left out).",
                    node.addr
                ),
            );
    }
}

fn w14_vpn_sku(node: &Node<'_>, sink: &mut Sink<'_>) {
    let Some(sku) = node.str("sku") else { return };
    if sku == "Standard" || sku == "HighPerformance" {
        sink.emit(
            "W14",
            node,
            &["sku"],
            format!("VPN gateways can no longer be created with the legacy SKU {sku}"),
            format!(
                "{} is a VPN gateway with SKU {sku}; the legacy Standard and HighPerformance VPN SKUs cannot be created since 2023-12-01. Use VpnGw1AZ or VpnGw2AZ (or VpnGw1/VpnGw2).",
                node.addr
            ),
        );
    } else if ER_ONLY_SKUS.contains(&sku) {
        sink.emit(
            "W14",
            node,
            &["sku"],
            format!("{sku} is an ExpressRoute SKU, not a VPN SKU"),
            format!(
                "{} is a VPN gateway with SKU {sku}, which only ExpressRoute gateways use. Choose a VpnGw SKU, or set type = \"ExpressRoute\".",
                node.addr
            ),
        );
    }
    if node.str("vpn_type") == Some("PolicyBased") && sku != "Basic" {
        sink.emit(
            "W14",
            node,
            &["vpn_type"],
            format!("PolicyBased VPN gateways exist only with SKU Basic, not {sku}"),
            format!(
                "{} is PolicyBased with SKU {sku}. Use vpn_type = \"RouteBased\" (policy-based traffic selectors are available on route-based connections).",
                node.addr
            ),
        );
    }
}

fn w9_connection(model: &Model<'_>, c: usize, sink: &mut Sink<'_>) {
    let node = model.node(c);
    let Some(kind) = node.str("type") else { return };
    let gateway = model.gateway_of_connection(c);
    let gateway_type = gateway.and_then(|g| model.node(g).str("type"));
    if kind == "ExpressRoute" {
        if node.is_null("express_route_circuit_id") {
            sink.emit(
                "W9",
                node,
                &["type"],
                "an ExpressRoute connection needs express_route_circuit_id",
                format!("{} has type ExpressRoute but no express_route_circuit_id. Set it to the circuit's id.", node.addr),
            );
        }
        if let (Some(g), Some(gateway_type)) = (gateway, gateway_type)
            && gateway_type != "ExpressRoute"
        {
            sink.emit(
                    "W9",
                    node,
                    &["virtual_network_gateway_id"],
                    format!("an ExpressRoute connection needs an ExpressRoute gateway, not a {gateway_type} gateway"),
                    format!(
                        "{} links a circuit through {}, whose type is {gateway_type}. Use the virtual network's ExpressRoute gateway.",
                        node.addr,
                        model.addr(g)
                    ),
                );
        }
        if let Some(circuit) = model.circuit_of_connection(c)
            && model.node(circuit).managed
        {
            let has_private = model
                .peerings_of
                .get(&circuit)
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .any(|&p| model.node(p).str("peering_type") == Some("AzurePrivatePeering"));
            let all_known = model
                .peerings_of
                .get(&circuit)
                .map(Vec::as_slice)
                .unwrap_or(&[])
                .iter()
                .all(|&p| model.node(p).str("peering_type").is_some());
            if !has_private && all_known {
                sink.emit(
                        "W9",
                        node,
                        &["express_route_circuit_id"],
                        "the circuit has no private peering to connect to",
                        format!(
                            "{} connects to {}, which has no AzurePrivatePeering in this configuration. Virtual networks reach a circuit through its private peering: add an azurerm_express_route_circuit_peering with peering_type = \"AzurePrivatePeering\".",
                            node.addr,
                            model.addr(circuit)
                        ),
                    );
            }
        }
    } else if let (Some(g), Some("ExpressRoute")) = (gateway, gateway_type) {
        sink.emit(
            "W9",
            node,
            &["type", "virtual_network_gateway_id"],
            format!("a {kind} connection cannot use an ExpressRoute gateway"),
            format!(
                "{} has type {kind} but its gateway {} is an ExpressRoute gateway. Use the virtual network's VPN gateway, or type = \"ExpressRoute\".",
                node.addr,
                model.addr(g)
            ),
        );
    }
}

fn w11_routing_weight(node: &Node<'_>, sink: &mut Sink<'_>) {
    if let Some(weight) = node.int("routing_weight")
        && !(0..=32000).contains(&weight)
    {
        sink.emit(
                "W11",
                node,
                &["routing_weight"],
                format!("routing weight {weight} is outside 0-32000"),
                format!(
                    "{} sets routing_weight = {weight}. Azure accepts 0 to 32000; the connection with the higher weight is preferred from Azure towards on-premises.",
                    node.addr
                ),
            );
    }
}

fn w12_fastpath(model: &Model<'_>, c: usize, sink: &mut Sink<'_>) {
    let node = model.node(c);
    let bypass = node.bool("express_route_gateway_bypass");
    let private_link = node.bool("private_link_fast_path_enabled") == Some(true);
    if bypass == Some(true)
        && let Some(g) = model.gateway_of_connection(c)
        && let Some(sku) = model.node(g).str("sku")
        && !FASTPATH_SKUS.contains(&sku)
        && sku != "ErGwScale"
    {
        sink.emit(
                        "W12",
                        node,
                        &["express_route_gateway_bypass"],
                        format!("FastPath needs an UltraPerformance or ErGw3AZ gateway, not {sku}"),
                        format!(
                            "{} enables express_route_gateway_bypass (FastPath), but {} has SKU {sku}. Use an UltraPerformance or ErGw3AZ gateway, or turn FastPath off.",
                            node.addr,
                            model.addr(g)
                        ),
                    );
    }
    if private_link {
        if bypass == Some(false) || node.is_null("express_route_gateway_bypass") {
            sink.emit(
                "W12",
                node,
                &["private_link_fast_path_enabled"],
                "Private Link FastPath needs express_route_gateway_bypass = true",
                format!(
                    "{} sets private_link_fast_path_enabled without FastPath. Set express_route_gateway_bypass = true as well.",
                    node.addr
                ),
            );
        }
        if let Some(circuit) = model.circuit_of_connection(c) {
            let circuit_node = model.node(circuit);
            if circuit_node.managed && circuit_node.is_null("express_route_port_id") {
                sink.emit_as(
                    Severity::Warning,
                    "W12",
                    node,
                    &["private_link_fast_path_enabled"],
                    "Private Link FastPath is available only on ExpressRoute Direct circuits",
                    format!(
                        "{} enables private_link_fast_path_enabled, but {} is a provider circuit. The feature is limited to ExpressRoute Direct.",
                        node.addr,
                        circuit_node.addr
                    ),
                );
            }
        }
    }
}
