//! Limit checks (reference §3.3): prefixes per Microsoft peering session (L2), links per circuit
//! (L6), circuits per virtual network by peering location and gateway SKU (L7, L8), authorizations
//! (L11), and the Premium→Standard downgrade that must fit those limits (C9, against the prior
//! state). Reports only; silent on unknown values.

use super::check_geo::{circuit_geography, vnet_geography};
use super::data::location_key;
use super::model::*;
use super::report::Sink;
use crate::config::addr::ResourceInstanceAddr;
use crate::diag::Severity;
use crate::lang::Value;
use std::collections::BTreeMap;

pub(super) fn run(
    model: &Model<'_>,
    prior: &dyn Fn(&ResourceInstanceAddr) -> Option<Value>,
    sink: &mut Sink<'_>,
) {
    if sink.enabled("L2") {
        for p in model.managed(PEERING) {
            l2_prefix_count(model.node(p), sink);
        }
    }
    for c in model.managed(CIRCUIT) {
        let downgraded = premium_downgrade(model, c, prior);
        if downgraded && sink.enabled("C9") {
            c9_downgrade(model, c, sink);
        }
        if !downgraded && sink.enabled("L6") {
            l6_links(model, c, sink);
        }
        if sink.enabled("L11") {
            l11_authorizations(model, c, sink);
        }
    }
    if sink.enabled("L7") || sink.enabled("L8") {
        for v in model.managed(VNET) {
            l7_l8_circuits_per_vnet(model, v, sink);
        }
    }
}

/// True when the prior state has the circuit as Premium and the configuration makes it Standard
/// or Local: C9 then explains the limits instead of L6 and G1.
pub(super) fn premium_downgrade(
    model: &Model<'_>,
    c: usize,
    prior: &dyn Fn(&ResourceInstanceAddr) -> Option<Value>,
) -> bool {
    let node = model.node(c);
    let new_tier = node.str("sku.tier");
    if !matches!(new_tier, Some("Standard") | Some("Local")) {
        return false;
    }
    prior(node.addr)
        .is_some_and(|old| get_path(&old, "sku.tier").and_then(Value::as_str) == Some("Premium"))
}

fn l2_prefix_count(node: &Node<'_>, sink: &mut Sink<'_>) {
    if node.str("peering_type") != Some("MicrosoftPeering") {
        return;
    }
    for (path, family) in [
        (
            "microsoft_peering_config.advertised_public_prefixes",
            "IPv4",
        ),
        ("ipv6.microsoft_peering.advertised_public_prefixes", "IPv6"),
    ] {
        let count = node.list(path).len();
        if count > 200 {
            sink.emit(
                "L2",
                node,
                &[path],
                format!("{count} advertised {family} prefixes exceed the 200 per Microsoft peering session"),
                format!(
                    "{} advertises {count} {family} prefixes to Microsoft. Microsoft peering accepts at most 200 per BGP session and drops the session beyond that. Aggregate the prefixes.",
                    node.addr
                ),
            );
        }
    }
}

/// Links (virtual network connections plus Global Reach links) a circuit may have.
pub(super) fn link_limit(node: &Node<'_>) -> Option<usize> {
    match node.str("sku.tier")? {
        "Standard" | "Local" => Some(10),
        "Premium" => {
            let mbps = match node.get("bandwidth_in_mbps").and_then(Value::as_number) {
                Some(m) => m.0,
                None => node.get("bandwidth_in_gbps").and_then(Value::as_number)?.0 * 1000.0,
            };
            Some(match mbps as i64 {
                ..=50 => 20,
                51..=200 => 25,
                201..=500 => 40,
                501..=1000 => 50,
                1001..=2000 => 60,
                2001..=5000 => 75,
                _ => 100,
            })
        }
        _ => None,
    }
}

/// Every link of a circuit: its connections, then its Global Reach links.
pub(super) fn links(model: &Model<'_>, c: usize) -> Vec<usize> {
    let mut out: Vec<usize> = model.connections_of(c).to_vec();
    out.extend(model.global_reach_of_circuit(c));
    out
}

fn l6_links(model: &Model<'_>, c: usize, sink: &mut Sink<'_>) {
    let node = model.node(c);
    let Some(limit) = link_limit(node) else {
        return;
    };
    let all = links(model, c);
    if all.len() <= limit {
        return;
    }
    let tier = node.str("sku.tier").unwrap_or("");
    let first_extra = all.get(limit).map(|&i| model.addr(i)).unwrap_or_default();
    sink.emit(
        "L6",
        node,
        &["sku.tier"],
        format!("{} links exceed the {limit} a {tier} circuit allows", all.len()),
        format!(
            "{} has {} virtual network connections and {} Global Reach links ({} in all; the first over the limit is {first_extra}). A {tier} circuit of this bandwidth allows {limit}. Use Premium (and a larger bandwidth for more), or spread the links over more circuits.",
            node.addr,
            model.connections_of(c).len(),
            all.len() - model.connections_of(c).len(),
            all.len()
        ),
    );
}

fn c9_downgrade(model: &Model<'_>, c: usize, sink: &mut Sink<'_>) {
    let node = model.node(c);
    let all = links(model, c);
    let mut problems = Vec::new();
    if all.len() > 10 {
        problems.push(format!(
            "it has {} links and the Standard limit is 10",
            all.len()
        ));
    }
    if let Some(circuit_geo) = circuit_geography(node) {
        for (connection, vnet) in model.linked_vnets(c) {
            if let Some(region) = vnet_geography(model.node(vnet))
                && !region.is_national_cloud()
                && region.geopolitical_region != circuit_geo.geopolitical_region
            {
                problems.push(format!(
                    "{} (linked by {}) is in {}, outside {}",
                    model.addr(vnet),
                    model.addr(connection),
                    region.geopolitical_region,
                    circuit_geo.geopolitical_region
                ));
            }
        }
    }
    if problems.is_empty() {
        return;
    }
    sink.emit(
        "C9",
        node,
        &["sku.tier"],
        "the circuit cannot leave Premium while its links need it",
        format!(
            "{} is Premium today and the configuration makes it {}. Azure rejects the downgrade (and keeps billing Premium) because {}. Remove those links first, or keep tier = \"Premium\".",
            node.addr,
            node.str("sku.tier").unwrap_or(""),
            problems.join("; ")
        ),
    );
}

fn l11_authorizations(model: &Model<'_>, c: usize, sink: &mut Sink<'_>) {
    let authorizations = model
        .authorizations_of
        .get(&c)
        .map(Vec::as_slice)
        .unwrap_or(&[]);
    if authorizations.len() > 10 {
        let extra = authorizations[10];
        sink.emit_as(
            Severity::Warning,
            "L11",
            model.node(extra),
            &["express_route_circuit_name"],
            format!("{} authorizations exceed the 10 a circuit is documented to hold", authorizations.len()),
            format!(
                "{} has {} authorizations; Azure documents \"as many as 10\" per circuit. Reuse is impossible (each key links one virtual network), so share circuits or remove unused authorizations.",
                model.addr(c),
                authorizations.len()
            ),
        );
    }
    for &a in authorizations {
        let users = model
            .connections_of_authorization
            .get(&a)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for &second in users.iter().skip(1) {
            sink.emit(
                "L11",
                model.node(second),
                &["authorization_key"],
                "an authorization key can be redeemed by one connection only",
                format!(
                    "{} and {} both use the key of {}. Each authorization key links exactly one virtual network; create one azurerm_express_route_circuit_authorization per connection.",
                    model.addr(users[0]),
                    model.addr(second),
                    model.addr(a)
                ),
            );
        }
    }
}

/// Circuits per virtual network: L7 (≤ 4 from one peering location) and L8 (≤ 4/8/16 in all,
/// by the ExpressRoute gateway's SKU).
fn l7_l8_circuits_per_vnet(model: &Model<'_>, v: usize, sink: &mut Sink<'_>) {
    let linked = model.linked_circuits(v);
    if linked.len() <= 4 {
        return;
    }
    let vnet = model.node(v);
    if sink.enabled("L7") {
        let mut by_location: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
        for &(connection, circuit) in &linked {
            if let Some(location) = model.node(circuit).str("peering_location") {
                by_location
                    .entry(location_key(location))
                    .or_default()
                    .push((connection, circuit));
            }
        }
        for group in by_location.values().filter(|g| g.len() > 4) {
            let (fifth, _) = group[4];
            let location = model.node(group[0].1).str("peering_location").unwrap_or("");
            sink.emit(
                "L7",
                model.node(fifth),
                &["express_route_circuit_id"],
                format!("{} circuits from {location} are linked to one virtual network; the limit is 4", group.len()),
                format!(
                    "{} is linked to circuits {} at the same peering location {location}. At most 4 circuits from one peering location can be linked to a virtual network, whatever the gateway SKU.",
                    vnet.addr,
                    group.iter().map(|&(_, c)| model.addr(c)).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
    if sink.enabled("L8") {
        let gateway = model
            .gateways_of_vnet(v)
            .into_iter()
            .find(|&g| model.node(g).str("type") == Some("ExpressRoute"));
        let Some(gateway) = gateway else { return };
        let Some(sku) = model.node(gateway).str("sku") else {
            return;
        };
        let limit = match sku {
            "Standard" | "ErGw1AZ" => 4,
            "HighPerformance" | "ErGw2AZ" => 8,
            "UltraPerformance" | "ErGw3AZ" => 16,
            _ => return,
        };
        if linked.len() > limit {
            let (extra, _) = linked[limit];
            sink.emit(
                "L8",
                model.node(extra),
                &["express_route_circuit_id"],
                format!("{} circuits linked to one virtual network exceed the {limit} gateway SKU {sku} allows", linked.len()),
                format!(
                    "{} (gateway {}, SKU {sku}) is linked to {} circuits: {}. a gateway of SKU {sku} connects at most {limit} circuits; use a larger SKU (HighPerformance/ErGw2AZ: 8, UltraPerformance/ErGw3AZ: 16) or fewer circuits.",
                    vnet.addr,
                    model.addr(gateway),
                    linked.len(),
                    linked.iter().map(|&(_, c)| model.addr(c)).collect::<Vec<_>>().join(", ")
                ),
            );
        }
    }
}
