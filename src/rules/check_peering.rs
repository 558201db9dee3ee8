//! Peering checks (reference §3.2): one peering per type (P1), no public peering (P2), IPv4 /30 and
//! IPv6 /126 peer prefixes (P4, P5), private peering against linked address space (P6), public
//! prefixes on Microsoft peering (P7), VLAN ids (P8), reserved ASNs (P10), the MD5 key (P12), the
//! Microsoft peering configuration (P13), route filters (P14, P15). Reports only; a shared key is
//! never printed; silent on unknown values.

use super::model::*;
use super::net::Prefix;
use super::report::Sink;
use std::collections::HashMap;

pub(super) fn run(model: &Model<'_>, sink: &mut Sink<'_>) {
    let mut seen_types: HashMap<(String, String), usize> = HashMap::new();
    let mut seen_vlans: HashMap<(String, i64), usize> = HashMap::new();
    for p in model.managed(PEERING) {
        let node = model.node(p);
        let kind = node.str("peering_type");
        let group = circuit_group(model, p);
        if sink.enabled("P1")
            && let (Some(group), Some(kind)) = (&group, kind)
        {
            match seen_types.get(&(group.clone(), kind.to_string())) {
                    Some(&first) => sink.emit(
                        "P1",
                        node,
                        &["peering_type"],
                        format!("the circuit already has a {kind}"),
                        format!(
                            "{} and {} are both {kind} of the same circuit. A circuit has one peering of each type (the peering's name is its type), so the second would overwrite the first. Remove one of them.",
                            model.addr(first),
                            node.addr
                        ),
                    ),
                    None => {
                        seen_types.insert((group.clone(), kind.to_string()), p);
                    }
                }
        }
        if sink.enabled("P2") && kind == Some("AzurePublicPeering") {
            sink.emit(
                "P2",
                node,
                &["peering_type"],
                "Azure public peering is retired",
                format!(
                    "{} asks for AzurePublicPeering, which new circuits cannot have (retired 2024-03-31). Reach Azure public services through MicrosoftPeering with a route filter instead.",
                    node.addr
                ),
            );
        }
        if sink.enabled("P4") {
            p4_ipv4_prefixes(node, sink);
        }
        if sink.enabled("P5") {
            p5_ipv6_prefixes(node, sink);
        }
        if sink.enabled("P6") && kind == Some("AzurePrivatePeering") {
            p6_private_overlap(model, p, sink);
        }
        if sink.enabled("P7") && kind == Some("MicrosoftPeering") {
            p7_public_prefixes(node, sink);
        }
        if sink.enabled("P8")
            && let (Some(group), Some(vlan)) = (&group, node.int("vlan_id"))
        {
            match seen_vlans.get(&(group.clone(), vlan)) {
                    Some(&first) => sink.emit(
                        "P8",
                        node,
                        &["vlan_id"],
                        format!("VLAN {vlan} is already used by another peering of the circuit"),
                        format!(
                            "{} and {} both use vlan_id = {vlan} on the same circuit. Each peering of a circuit needs its own VLAN (the same VLAN carries it on the primary and secondary links). Pick another VLAN id.",
                            model.addr(first),
                            node.addr
                        ),
                    ),
                    None => {
                        seen_vlans.insert((group.clone(), vlan), p);
                    }
                }
        }
        if sink.enabled("P10") {
            p10_asn(node, sink);
        }
        if sink.enabled("P12") {
            p12_shared_key(node, sink);
        }
        if sink.enabled("P13") {
            p13_microsoft_config(node, sink);
        }
        if sink.enabled("P14")
            && kind == Some("MicrosoftPeering")
            && node.is_null("route_filter_id")
            && node.is_null("ipv6.route_filter_id")
        {
            sink.emit(
                "P14",
                node,
                &["peering_type"],
                "Microsoft peering without a route filter advertises no routes",
                format!(
                    "{} has no route_filter_id. Microsoft peerings created since 2017-08-01 advertise no prefixes until a route filter selecting the services' BGP communities is attached. Add an azurerm_route_filter and set route_filter_id.",
                    node.addr
                ),
            );
        }
        if sink.enabled("P15") && kind.is_some_and(|k| k != "MicrosoftPeering") {
            for path in ["route_filter_id", "ipv6.route_filter_id"] {
                if !node.is_null(path) {
                    sink.emit(
                        "P15",
                        node,
                        &[path],
                        format!("a route filter cannot be attached to {}", kind.unwrap_or("")),
                        format!(
                            "{} sets {path}, but route filters select Microsoft services' routes and attach only to MicrosoftPeering. Remove {path} here.",
                            node.addr
                        ),
                    );
                }
            }
        }
    }
}

/// A key for "the same circuit": the resolved instance, or the literal name and resource group.
fn circuit_group(model: &Model<'_>, peering: usize) -> Option<String> {
    match &model.rel[peering] {
        Rel::Peering {
            circuit: Link::Instance(c),
            ..
        } => Some(format!("#{c}")),
        Rel::Peering {
            circuit: Link::External(id),
            ..
        } => Some(id.key()),
        _ => None,
    }
}

/// Check a primary/secondary pair: each `/len`, written as its network address, distinct.
fn check_pair(
    node: &Node<'_>,
    sink: &mut Sink<'_>,
    id: &'static str,
    paths: [&str; 2],
    len: u8,
    family: &str,
) {
    let mut parsed: Vec<(usize, Prefix)> = Vec::new();
    for (k, path) in paths.iter().enumerate() {
        let Some(text) = node.str(path) else { continue };
        let Some(prefix) = Prefix::parse(text) else {
            continue;
        };
        if prefix.v6 != (len > 32) {
            continue;
        }
        if prefix.len != len {
            sink.emit(
                id,
                node,
                &[path],
                format!("{path} must be a /{len}, not /{}", prefix.len),
                format!(
                    "{} sets {path} = \"{text}\". Each {family} peer address prefix is a /{len} (reserve a /{} or two /{len}s: the first for the primary link, the second for the secondary).",
                    node.addr,
                    len - 1
                ),
            );
            continue;
        }
        if !prefix.is_network_address() {
            sink.emit(
                id,
                node,
                &[path],
                format!("{path} must be written as its network address"),
                format!(
                    "{} sets {path} = \"{text}\"; Azure expects the prefix's first address: \"{}\". Your router takes the first usable address, Microsoft the second.",
                    node.addr,
                    prefix.normalised()
                ),
            );
            continue;
        }
        parsed.push((k, prefix));
    }
    if let [(_, a), (_, b)] = parsed.as_slice()
        && a.overlaps(b)
    {
        sink.emit(
                id,
                node,
                &[paths[1]],
                "primary and secondary peer address prefixes overlap",
                format!(
                    "{} uses {a} for {} and {b} for {}. The two links need two distinct /{len} networks; use the next /{len} for the secondary.",
                    node.addr, paths[0], paths[1]
                ),
            );
    }
}

fn p4_ipv4_prefixes(node: &Node<'_>, sink: &mut Sink<'_>) {
    check_pair(
        node,
        sink,
        "P4",
        [
            "primary_peer_address_prefix",
            "secondary_peer_address_prefix",
        ],
        30,
        "IPv4",
    );
}

fn p5_ipv6_prefixes(node: &Node<'_>, sink: &mut Sink<'_>) {
    check_pair(
        node,
        sink,
        "P5",
        [
            "ipv6.primary_peer_address_prefix",
            "ipv6.secondary_peer_address_prefix",
        ],
        126,
        "IPv6",
    );
}

/// Known prefixes of a list attribute (unknown or malformed elements skipped).
pub(super) fn prefixes(node: &Node<'_>, path: &str) -> Vec<Prefix> {
    node.list(path)
        .iter()
        .filter_map(|v| v.as_str())
        .filter_map(Prefix::parse)
        .collect()
}

/// The peer address prefixes of a peering (IPv4 and IPv6), with their paths.
pub(super) fn peer_prefixes(node: &Node<'_>) -> Vec<(&'static str, Prefix)> {
    [
        "primary_peer_address_prefix",
        "secondary_peer_address_prefix",
        "ipv6.primary_peer_address_prefix",
        "ipv6.secondary_peer_address_prefix",
    ]
    .into_iter()
    .filter_map(|path| Some((path, Prefix::parse(node.str(path)?)?)))
    .collect()
}

fn p6_private_overlap(model: &Model<'_>, p: usize, sink: &mut Sink<'_>) {
    let node = model.node(p);
    let Some(circuit) = model.circuit_of_peering(p) else {
        return;
    };
    let own = peer_prefixes(node);
    if own.is_empty() {
        return;
    }
    for (connection, vnet) in model.linked_vnets(circuit) {
        for space in prefixes(model.node(vnet), "address_space") {
            for (path, prefix) in &own {
                if prefix.overlaps(&space) {
                    sink.emit(
                        "P6",
                        node,
                        &[path],
                        format!("private peering prefix {prefix} overlaps virtual network address space {space}"),
                        format!(
                            "{} uses {prefix} for {path}, but {} (linked to the circuit by {}) has address space {space}. Peering prefixes must not overlap any address space linked to the circuit; take the /30s from a range used nowhere in Azure.",
                            node.addr,
                            model.addr(vnet),
                            model.addr(connection)
                        ),
                    );
                }
            }
        }
    }
}

fn p7_public_prefixes(node: &Node<'_>, sink: &mut Sink<'_>) {
    let mut found: Vec<(String, Prefix)> = peer_prefixes(node)
        .into_iter()
        .map(|(path, p)| (path.to_string(), p))
        .collect();
    for path in [
        "microsoft_peering_config.advertised_public_prefixes",
        "ipv6.microsoft_peering.advertised_public_prefixes",
    ] {
        for prefix in prefixes(node, path) {
            found.push((path.to_string(), prefix));
        }
    }
    for (path, prefix) in found {
        if prefix.is_private_use() {
            let kind = if prefix.is_rfc1918() {
                "private (RFC 1918)"
            } else {
                "not publicly routed"
            };
            sink.emit(
                "P7",
                node,
                &[path.as_str()],
                format!("Microsoft peering needs public addresses, not {prefix}"),
                format!(
                    "{} uses {prefix} in {path}, which is {kind}. Microsoft peering accepts only public IPv4/IPv6 prefixes that you own and that are registered in an RIR or IRR. Use your public prefixes.",
                    node.addr
                ),
            );
        }
    }
}

/// ASNs Azure reserves: 8074, 8075, 12076 (public) and 65515–65520 (private).
pub(super) fn reserved_asn(asn: i64) -> bool {
    matches!(asn, 8074 | 8075 | 12076 | 65515..=65520)
}

fn p10_asn(node: &Node<'_>, sink: &mut Sink<'_>) {
    let Some(asn) = node.int("peer_asn") else {
        return;
    };
    if reserved_asn(asn) {
        sink.emit(
            "P10",
            node,
            &["peer_asn"],
            format!("peer ASN {asn} is reserved by Azure"),
            format!(
                "{} sets peer_asn = {asn}. Azure uses 12076 (and 8074, 8075) for itself and reserves 65515-65520 (virtual network gateways use 65515). Use your own public ASN or a private ASN outside 65515-65520.",
                node.addr
            ),
        );
    }
}

fn p12_shared_key(node: &Node<'_>, sink: &mut Sink<'_>) {
    let Some(key) = node.str("shared_key") else {
        return;
    };
    if !key.chars().all(|c| c.is_ascii_alphanumeric()) {
        sink.emit(
            "P12",
            node,
            &["shared_key"],
            "the peering shared key may contain only letters and digits",
            format!(
                "{} sets a shared_key with other characters. The BGP MD5 key of an ExpressRoute peering is at most 25 letters and digits, and must match your router's. (The value is sensitive and not shown.)",
                node.addr
            ),
        );
    }
}

/// Routing registries Azure accepts for Microsoft peering, plus azurerm's default "NONE".
const REGISTRIES: &[&str] = &[
    "ARIN", "APNIC", "AFRINIC", "LACNIC", "RIPENCC", "RADB", "ALTDB", "LEVEL3", "NONE",
];

fn p13_microsoft_config(node: &Node<'_>, sink: &mut Sink<'_>) {
    let kind = node.str("peering_type");
    let has_config = !node.list("microsoft_peering_config").is_empty();
    if kind == Some("MicrosoftPeering") {
        if !has_config {
            if node.bool("ipv4_enabled") != Some(false)
                && !node.is_null("primary_peer_address_prefix")
            {
                sink.emit(
                    "P13",
                    node,
                    &["peering_type"],
                    "Microsoft peering needs a microsoft_peering_config block",
                    format!(
                        "{} is a MicrosoftPeering without microsoft_peering_config. Add the block with advertised_public_prefixes (your public prefixes, registered to your ASN) and routing_registry_name.",
                        node.addr
                    ),
                );
            }
            return;
        }
        if node
            .strings("microsoft_peering_config.advertised_public_prefixes")
            .is_some_and(|p| p.is_empty())
        {
            sink.emit(
                "P13",
                node,
                &["microsoft_peering_config.advertised_public_prefixes", "microsoft_peering_config"],
                "Microsoft peering advertises no public prefixes",
                format!(
                    "{} has an empty advertised_public_prefixes. List the public prefixes you will advertise to Microsoft over this peering.",
                    node.addr
                ),
            );
        }
        for path in [
            "microsoft_peering_config.routing_registry_name",
            "ipv6.microsoft_peering.routing_registry_name",
        ] {
            if let Some(registry) = node.str(path)
                && !REGISTRIES.iter().any(|r| r.eq_ignore_ascii_case(registry))
            {
                sink.emit(
                        "P13",
                        node,
                        &[path],
                        format!("\"{registry}\" is not a routing registry Azure knows"),
                        format!(
                            "{} sets {path} = \"{registry}\". Use the registry your prefixes are registered in: {}.",
                            node.addr,
                            REGISTRIES.join(", ")
                        ),
                    );
            }
        }
        if node.is_null("primary_peer_address_prefix")
            || node.is_null("secondary_peer_address_prefix")
        {
            sink.emit(
                "P13",
                node,
                &["microsoft_peering_config"],
                "Microsoft peering needs its IPv4 peer address prefixes",
                format!(
                    "{} has a microsoft_peering_config but no primary_peer_address_prefix and secondary_peer_address_prefix. Microsoft peering needs two public /30s for its BGP sessions.",
                    node.addr
                ),
            );
        }
    }
}
