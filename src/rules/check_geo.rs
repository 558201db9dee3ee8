//! Geography and Global Reach checks (reference §3.4, tables §4): a Standard or Local circuit
//! links only virtual networks of its geopolitical region (G1) or Local regions (G2); Global Reach
//! links circuits at different locations (G5) with a free /29 (G6), Premium across geopolitical
//! regions (G7), never a Local circuit (G8), and an authorization across subscriptions (G10).
//! A circuit's geopolitical region is its peering location's, not its ARM `location`. Reports
//! only; silent on unknown values and on national clouds.

use super::check_limits::premium_downgrade;
use super::check_peering::{peer_prefixes, prefixes};
use super::data::{PeeringLocation, Region, location_key, region_key, tables};
use super::model::*;
use super::net::Prefix;
use super::report::Sink;
use crate::config::addr::ResourceInstanceAddr;
use crate::lang::Value;

/// The peering location (and so the geopolitical region) of a circuit, when known to the tables.
pub(super) fn circuit_geography(node: &Node<'_>) -> Option<&'static PeeringLocation> {
    tables().peering_location(node.str("peering_location")?)
}

/// The region of a virtual network, when known to the tables.
pub(super) fn vnet_geography(node: &Node<'_>) -> Option<&'static Region> {
    tables().region(node.str("location")?)
}

pub(super) fn run(
    model: &Model<'_>,
    prior: &dyn Fn(&ResourceInstanceAddr) -> Option<Value>,
    sink: &mut Sink<'_>,
) {
    for c in model.managed(CIRCUIT) {
        let node = model.node(c);
        let tier = node.str("sku.tier");
        if !matches!(tier, Some("Standard") | Some("Local")) {
            continue;
        }
        let Some(location) = circuit_geography(node) else {
            continue;
        };
        let local = tier == Some("Local");
        let downgraded = premium_downgrade(model, c, prior);
        for (connection, v) in model.linked_vnets(c) {
            let vnet = model.node(v);
            let Some(region) = vnet_geography(vnet) else {
                continue;
            };
            if region.is_national_cloud() {
                continue;
            }
            if region.geopolitical_region != location.geopolitical_region {
                if sink.enabled("G1") && !downgraded {
                    sink.emit(
                        "G1",
                        model.node(connection),
                        &["express_route_circuit_id"],
                        format!(
                            "{} circuit at {} ({}) cannot reach a virtual network in {}",
                            tier.unwrap_or(""),
                            location.name,
                            location.geopolitical_region,
                            region.geopolitical_region
                        ),
                        format!(
                            "{} links {} (region {}, geopolitical region {}) to {} (tier {}, peering location {}, geopolitical region {}). A Standard or Local circuit reaches only virtual networks in its peering location's geopolitical region; its ARM location does not matter. Set sku.tier = \"Premium\" on {}, or link a virtual network in {}.",
                            model.addr(connection),
                            vnet.addr,
                            tables().region_label(vnet.str("location").unwrap_or("")),
                            region.geopolitical_region,
                            node.addr,
                            tier.unwrap_or(""),
                            location.name,
                            location.geopolitical_region,
                            node.addr,
                            location.geopolitical_region
                        ),
                    );
                }
                continue;
            }
            if local && sink.enabled("G2") {
                let Some(local_regions) = &location.local_regions else {
                    continue;
                };
                if local_regions.is_empty() || local_regions.contains(&region_key(&region.arm_name))
                {
                    continue;
                }
                let names: Vec<String> = local_regions
                    .iter()
                    .map(|r| tables().region_label(r))
                    .collect();
                sink.emit(
                    "G2",
                    model.node(connection),
                    &["express_route_circuit_id"],
                    format!("Local circuit at {} cannot reach {}", location.name, region.display_name),
                    format!(
                        "{} links {} (region {}) to Local circuit {} at {}, which reaches only {}. Link a virtual network in a Local region, or use tier \"Standard\".",
                        model.addr(connection),
                        vnet.addr,
                        tables().region_label(&region.arm_name),
                        node.addr,
                        location.name,
                        names.join(" and ")
                    ),
                );
            }
        }
    }
    for g in model.managed(GLOBAL_REACH) {
        global_reach(model, g, sink);
    }
}

/// The circuit behind one end of a Global Reach link.
fn end_circuit(model: &Model<'_>, end: &Link) -> Option<usize> {
    model.circuit_of_peering(end.instance()?)
}

fn global_reach(model: &Model<'_>, g: usize, sink: &mut Sink<'_>) {
    let node = model.node(g);
    let Some(ends) = model.global_reach_ends(g) else {
        return;
    };
    let circuits = [end_circuit(model, &ends[0]), end_circuit(model, &ends[1])];
    if sink.enabled("G10") {
        g10_authorization(model, g, ends, sink);
    }
    if sink.enabled("G6") {
        g6_address_prefix(model, g, &circuits, sink);
    }
    if sink.enabled("G8") {
        for c in circuits.iter().flatten() {
            if model.node(*c).str("sku.tier") == Some("Local") {
                sink.emit(
                    "G8",
                    node,
                    &["peering_id", "peer_peering_id"],
                    "Global Reach is not available on Local circuits",
                    format!(
                        "{} connects {}, a Local circuit. ExpressRoute Local does not offer Global Reach; use tier \"Standard\" or \"Premium\" on {}.",
                        node.addr,
                        model.addr(*c),
                        model.addr(*c)
                    ),
                );
            }
        }
    }
    let [Some(a), Some(b)] = circuits else { return };
    let (na, nb) = (model.node(a), model.node(b));
    let (Some(la), Some(lb)) = (na.str("peering_location"), nb.str("peering_location")) else {
        return;
    };
    if sink.enabled("G5") && a != b && location_key(la) == location_key(lb) {
        sink.emit(
            "G5",
            node,
            &["peer_peering_id"],
            format!("both circuits are at peering location {la}"),
            format!(
                "{} links {} and {}, both at {la}. Global Reach connects circuits at different peering locations (two locations of one metro, such as Silicon Valley and Silicon Valley2, are fine). Link circuits at different locations.",
                node.addr, na.addr, nb.addr
            ),
        );
    }
    if sink.enabled("G7") {
        let (Some(ga), Some(gb)) = (tables().peering_location(la), tables().peering_location(lb))
        else {
            return;
        };
        if ga.geopolitical_region == gb.geopolitical_region {
            return;
        }
        let not_premium: Vec<String> = [na, nb]
            .iter()
            .filter(|n| n.str("sku.tier").is_some_and(|t| t != "Premium"))
            .map(|n| format!("{} ({})", n.addr, n.str("sku.tier").unwrap_or("")))
            .collect();
        if !not_premium.is_empty() {
            sink.emit(
                "G7",
                node,
                &["peer_peering_id"],
                format!(
                    "Global Reach between {} and {} needs both circuits Premium",
                    ga.geopolitical_region, gb.geopolitical_region
                ),
                format!(
                    "{} links {} at {la} ({}) with {} at {lb} ({}). Across geopolitical regions both circuits must be Premium; not Premium: {}. Set sku.tier = \"Premium\" on them.",
                    node.addr,
                    na.addr,
                    ga.geopolitical_region,
                    nb.addr,
                    gb.geopolitical_region,
                    not_premium.join(", ")
                ),
            );
        }
    }
}

fn g6_address_prefix(
    model: &Model<'_>,
    g: usize,
    circuits: &[Option<usize>; 2],
    sink: &mut Sink<'_>,
) {
    let node = model.node(g);
    if let Some(text) = node.str("address_prefix_ipv4")
        && let Some(prefix) = Prefix::parse(text)
    {
        if prefix.v6 || prefix.len != 29 {
            sink.emit(
                    "G6",
                    node,
                    &["address_prefix_ipv4"],
                    format!("the Global Reach IPv4 prefix must be a /29, not /{}", prefix.len),
                    format!(
                        "{} sets address_prefix_ipv4 = \"{text}\". Global Reach takes an IPv4 /29 that is used nowhere else (not in virtual networks, on premises or the circuits' peerings).",
                        node.addr
                    ),
                );
        } else if !prefix.is_network_address() {
            sink.emit(
                "G6",
                node,
                &["address_prefix_ipv4"],
                "the Global Reach prefix must be written as its network address",
                format!(
                    "{} sets address_prefix_ipv4 = \"{text}\"; write \"{}\".",
                    node.addr,
                    prefix.normalised()
                ),
            );
        } else if let Some((what, other)) = overlap(model, circuits, &prefix) {
            sink.emit(
                    "G6",
                    node,
                    &["address_prefix_ipv4"],
                    format!("Global Reach prefix {prefix} overlaps {other}"),
                    format!(
                        "{} uses {prefix}, which overlaps {other} of {what}. The /29 must not overlap virtual networks or the circuits' peering prefixes; pick an unused /29.",
                        node.addr
                    ),
                );
        }
    }
    if let Some(text) = node.str("address_prefix_ipv6") {
        if let Some(prefix) = Prefix::parse(text)
            && (!prefix.v6 || prefix.len != 125)
        {
            sink.emit(
                    "G6",
                    node,
                    &["address_prefix_ipv6"],
                    format!("the Global Reach IPv6 prefix must be a /125, not /{}", prefix.len),
                    format!("{} sets address_prefix_ipv6 = \"{text}\"; Global Reach over IPv6 takes a /125.", node.addr),
                );
        }
        for c in circuits.iter().flatten() {
            if !model.node(*c).is_null("express_route_port_id") {
                sink.emit(
                    "G6",
                    node,
                    &["address_prefix_ipv6"],
                    "IPv6 Global Reach is not available for circuits on an ExpressRoute port",
                    format!(
                        "{} sets address_prefix_ipv6, but {} is an ExpressRoute Direct circuit. Remove address_prefix_ipv6.",
                        node.addr,
                        model.addr(*c)
                    ),
                );
            }
        }
    }
}

/// What the Global Reach prefix overlaps, if anything: a linked virtual network's address space
/// or a peering prefix of either circuit.
fn overlap(
    model: &Model<'_>,
    circuits: &[Option<usize>; 2],
    prefix: &Prefix,
) -> Option<(String, String)> {
    for c in circuits.iter().flatten() {
        for (_, vnet) in model.linked_vnets(*c) {
            for space in prefixes(model.node(vnet), "address_space") {
                if space.overlaps(prefix) {
                    return Some((model.addr(vnet), format!("address space {space}")));
                }
            }
        }
        for &p in model.peerings_of.get(c).map(Vec::as_slice).unwrap_or(&[]) {
            for (path, peer) in peer_prefixes(model.node(p)) {
                if peer.overlaps(prefix) {
                    return Some((model.addr(p), format!("{path} {peer}")));
                }
            }
        }
    }
    None
}

/// The subscription of one end: from a literal id, or from the provider configuration of the
/// peering instance it names.
fn end_subscription(model: &Model<'_>, raw: Option<&Value>, end: &Link) -> Option<String> {
    if let Some(text) = raw.and_then(Value::as_str)
        && let Some(id) = super::armid::ArmId::parse(text)
    {
        return Some(id.subscription.to_ascii_lowercase());
    }
    match end {
        Link::Instance(p) => model.subscription_of(*p).map(str::to_ascii_lowercase),
        Link::External(id) if !id.subscription.is_empty() => {
            Some(id.subscription.to_ascii_lowercase())
        }
        _ => None,
    }
}

fn g10_authorization(model: &Model<'_>, g: usize, ends: &[Link; 2], sink: &mut Sink<'_>) {
    let node = model.node(g);
    if !node.is_null("authorization_key") {
        return;
    }
    let ours = end_subscription(model, node.get("peering_id"), &ends[0]);
    let theirs = end_subscription(model, node.get("peer_peering_id"), &ends[1]);
    if let (Some(ours), Some(theirs)) = (ours, theirs)
        && ours != theirs
    {
        sink.emit(
                "G10",
                node,
                &["peer_peering_id"],
                "Global Reach to a circuit in another subscription needs an authorization key",
                format!(
                    "{} links a peering in subscription {ours} with one in subscription {theirs} without authorization_key. Create an authorization on the peer circuit (in its subscription) and pass its key as authorization_key.",
                    node.addr
                ),
            );
    }
}
