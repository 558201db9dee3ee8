//! Circuit checks (reference §3.1): bandwidth (C1), provider versus Direct (C3), provider and
//! peering location (C4), SKU (C5, C10), names of every named resource (C16), Microsoft 365 over
//! Microsoft peering (C17), and the notes on in-place changes against the prior state (C8, D7).
//! Replacement rules (C6, C7, C12) are in `replace.rs`; C9 needs link counts and is in
//! `check_limits.rs`. Reports only; silent on unknown values.

use super::data::{CommunityKind, STANDARD_BANDWIDTHS, location_key, tables};
use super::model::*;
use super::report::Sink;
use crate::config::addr::ResourceInstanceAddr;
use crate::diag::Severity;
use crate::lang::Value;

pub(super) fn run(
    model: &Model<'_>,
    prior: &dyn Fn(&ResourceInstanceAddr) -> Option<Value>,
    sink: &mut Sink<'_>,
) {
    for c in model.managed(CIRCUIT) {
        let node = model.node(c);
        if sink.enabled("C1") {
            c1_bandwidth(node, sink);
        }
        if sink.enabled("C3") {
            c3_provider_or_direct(node, sink);
        }
        if sink.enabled("C4") {
            c4_provider_location(node, sink);
        }
        if sink.enabled("C5") {
            c5_sku(node, sink);
        }
        if sink.enabled("C10") {
            c10_local(node, sink);
        }
        if let Some(old) = prior(node.addr) {
            notes_against_prior(node, &old, sink);
        }
    }
    if sink.enabled("C16") {
        c16_names(model, sink);
    }
    if sink.enabled("C17") {
        c17_microsoft_365(model, sink);
    }
}

fn c1_bandwidth(node: &Node<'_>, sink: &mut Sink<'_>) {
    let Some(number) = node.get("bandwidth_in_mbps").and_then(Value::as_number) else {
        return;
    };
    let list = STANDARD_BANDWIDTHS
        .iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(", ");
    let bandwidth = number
        .as_i64()
        .filter(|b| STANDARD_BANDWIDTHS.contains(&(*b as u32)) && *b > 0);
    let Some(bandwidth) = bandwidth else {
        sink.emit(
            "C1",
            node,
            &["bandwidth_in_mbps"],
            format!("{number} Mbps is not an ExpressRoute provider circuit bandwidth"),
            format!(
                "Provider circuits come in {list} Mbps. Set bandwidth_in_mbps of {} to one of them (ExpressRoute Direct circuits use bandwidth_in_gbps on a port instead).",
                node.addr
            ),
        );
        return;
    };
    let Some(provider_name) = node.str("service_provider_name") else {
        return;
    };
    let Some(provider) = tables().provider(provider_name) else {
        return;
    };
    if !provider.bandwidths_mbps.contains(&(bandwidth as u32)) {
        let offered = provider
            .bandwidths_mbps
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", ");
        sink.emit(
            "C1",
            node,
            &["bandwidth_in_mbps"],
            format!("{} does not offer {bandwidth} Mbps circuits", provider.name),
            format!(
                "{} offers {offered} Mbps. Choose one of them for {}, or another provider.",
                provider.name, node.addr
            ),
        );
    }
}

fn c3_provider_or_direct(node: &Node<'_>, sink: &mut Sink<'_>) {
    let provider = [
        "service_provider_name",
        "peering_location",
        "bandwidth_in_mbps",
    ];
    let direct = ["express_route_port_id", "bandwidth_in_gbps"];
    let any_set = |names: &[&str]| names.iter().any(|n| !node.is_null(n));
    // Mixing the two or setting only part of one is the schema's ConflictsWith/RequiredWith.
    if !any_set(&provider) && !any_set(&direct) {
        sink.emit(
            "C3",
            node,
            &["sku"],
            "circuit has neither a connectivity provider nor an ExpressRoute Direct port",
            format!(
                "{} must be either a provider circuit (service_provider_name, peering_location and bandwidth_in_mbps) or an ExpressRoute Direct circuit (express_route_port_id and bandwidth_in_gbps). Add one of the two sets.",
                node.addr
            ),
        );
    }
}

fn c4_provider_location(node: &Node<'_>, sink: &mut Sink<'_>) {
    let Some(location) = node.str("peering_location") else {
        return;
    };
    let t = tables();
    let Some(known) = t.peering_location(location) else {
        let hint = suggestion(location)
            .map(|s| format!(" Did you mean \"{s}\"?"))
            .unwrap_or_default();
        sink.emit(
            "C4",
            node,
            &["peering_location"],
            format!("\"{location}\" is not a known ExpressRoute peering location"),
            format!(
                "{} names peering location \"{location}\", which is not in peerform's table of peering locations (Learn, 2026-04-28).{hint} If the location is newer than the table, switch this rule off for now (--rule C4=off) and add it to src/rules/data/peering_locations.psv.",
                node.addr
            ),
        );
        return;
    };
    let Some(provider_name) = node.str("service_provider_name") else {
        return;
    };
    let Some(provider) = t.provider(provider_name) else {
        return;
    };
    if !provider.locations.contains(&location_key(location)) {
        sink.emit(
            "C4",
            node,
            &["peering_location", "service_provider_name"],
            format!("{} is not listed at peering location {}", provider.name, known.name),
            format!(
                "{} orders a circuit from {} at {}, but the providers table (Learn, 2026-04-28) does not list {} there. Check the provider's locations (GET expressRouteServiceProviders) and correct service_provider_name or peering_location.",
                node.addr, provider.name, known.name, provider.name
            ),
        );
    }
}

/// The closest known peering location name, for "did you mean".
fn suggestion(location: &str) -> Option<String> {
    let key = location_key(location);
    let text = include_str!("data/peering_locations.psv");
    text.lines()
        .filter(|l| !l.trim_start().starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('|').next().map(str::trim))
        .map(|name| (strsim::jaro_winkler(&key, &location_key(name)), name))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name.to_string())
}

fn c5_sku(node: &Node<'_>, sink: &mut Sink<'_>) {
    let (Some(tier), Some(family)) = (node.str("sku.tier"), node.str("sku.family")) else {
        return;
    };
    if tier == "Basic" {
        sink.emit(
            "C5",
            node,
            &["sku.tier"],
            format!("SKU {tier}_{family} is not offered for new circuits"),
            format!(
                "{} asks for the Basic tier, a legacy tier of classic circuits. Use tier \"Standard\" (or \"Premium\" for cross-geopolitical reach, \"Local\" for a Local circuit).",
                node.addr
            ),
        );
    }
}

fn c10_local(node: &Node<'_>, sink: &mut Sink<'_>) {
    if node.str("sku.tier") != Some("Local") {
        return;
    }
    if let Some(location) = node.str("peering_location")
        && let Some(known) = tables().peering_location(location)
        && known.local_regions.as_ref().is_some_and(Vec::is_empty)
    {
        sink.emit(
                    "C10",
                    node,
                    &["sku.tier", "peering_location"],
                    format!("ExpressRoute Local is not offered at {}", known.name),
                    format!(
                        "{} is a Local circuit at {}, which has no Local Azure region. Choose a peering location that offers ExpressRoute Local (its Local regions are listed by Learn \"ExpressRoute locations and providers\"), or use tier \"Standard\".",
                        node.addr, known.name
                    ),
                );
    }
    if node.str("sku.family") == Some("MeteredData") {
        sink.emit_as(
            Severity::Warning,
            "C10",
            node,
            &["sku.family"],
            "a Local circuit is unlimited: use family UnlimitedData",
            format!(
                "{} is a Local circuit with family MeteredData. Local circuits are billed as unlimited data and the portal no longer offers MeteredData for them; set sku.family = \"UnlimitedData\".",
                node.addr
            ),
        );
    }
}

fn notes_against_prior(node: &Node<'_>, old: &Value, sink: &mut Sink<'_>) {
    let old_tier = super::model::get_path(old, "sku.tier").and_then(Value::as_str);
    if sink.enabled("C8")
        && let (Some(old_tier), Some("Premium")) = (old_tier, node.str("sku.tier"))
        && (old_tier == "Standard" || old_tier == "Local")
    {
        sink.emit(
                    "C8",
                    node,
                    &["sku.tier"],
                    "upgrading to Premium happens in place; Premium billing starts at once",
                    format!(
                        "{} changes tier from {old_tier} to Premium. Azure applies this without downtime and starts charging the Premium add-on immediately.",
                        node.addr
                    ),
                );
    }
    if sink.enabled("D7") {
        let old_bw = super::model::get_path(old, "bandwidth_in_mbps").and_then(Value::as_i64);
        if let (Some(old_bw), Some(new_bw)) = (old_bw, node.int("bandwidth_in_mbps"))
            && new_bw > old_bw
        {
            sink.emit(
                    "D7",
                    node,
                    &["bandwidth_in_mbps"],
                    format!("raising the bandwidth from {old_bw} to {new_bw} Mbps needs the provider's side too"),
                    format!(
                        "{} grows in place; billing for {new_bw} Mbps starts at once, and the connectivity provider must raise its side of the circuit as well (out of band). If the physical port lacks capacity, a new circuit is needed.",
                        node.addr
                    ),
                );
        }
    }
}

/// Name rules per type (Learn resource-name-rules): 1–80 characters of letters, digits, `_`, `.`,
/// `-`, starting with a letter or digit and ending with a letter, digit or `_`; virtual networks
/// 2–64. Resource group names are checked by the schema.
fn c16_names(model: &Model<'_>, sink: &mut Sink<'_>) {
    for (type_name, min, max, what) in [
        (CIRCUIT, 1, 80, "an ExpressRoute circuit"),
        (ROUTE_FILTER, 1, 80, "a route filter"),
        (GATEWAY, 1, 80, "a virtual network gateway"),
        (LOCAL_GATEWAY, 1, 80, "a local network gateway"),
        (CONNECTION, 1, 80, "a connection"),
        (PUBLIC_IP, 1, 80, "a public IP address"),
        (SUBNET, 1, 80, "a subnet"),
        (VNET, 2, 64, "a virtual network"),
        (AUTHORIZATION, 1, 80, "a circuit authorization"),
    ] {
        for i in model.managed(type_name) {
            let node = model.node(i);
            let Some(name) = node.name() else { continue };
            if let Some(problem) = name_problem(name, min, max) {
                sink.emit(
                    "C16",
                    node,
                    &["name"],
                    format!("\"{name}\" is not a valid name for {what}"),
                    format!(
                        "{} has name \"{name}\": {problem}. Azure allows {min}-{max} letters, digits, underscores, periods and hyphens, starting with a letter or digit and ending with a letter, digit or underscore.",
                        node.addr
                    ),
                );
            }
        }
    }
}

fn name_problem(name: &str, min: usize, max: usize) -> Option<String> {
    let count = name.chars().count();
    if count < min || count > max {
        return Some(format!("it has {count} characters"));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        return Some(format!("{bad:?} is not allowed"));
    }
    let first = name.chars().next()?;
    if !first.is_ascii_alphanumeric() {
        return Some(format!("it starts with {first:?}"));
    }
    let last = name.chars().last()?;
    if !(last.is_ascii_alphanumeric() || last == '_') {
        return Some(format!("it ends with {last:?}"));
    }
    None
}

fn c17_microsoft_365(model: &Model<'_>, sink: &mut Sink<'_>) {
    for p in model.managed(PEERING) {
        let peering = model.node(p);
        if peering.str("peering_type") != Some("MicrosoftPeering") {
            continue;
        }
        let Some(circuit) = model.circuit_of_peering(p) else {
            continue;
        };
        let Some(tier) = model.node(circuit).str("sku.tier") else {
            continue;
        };
        if tier == "Premium" {
            continue;
        }
        let Some(filter) = model.route_filter_of_peering(p).instance() else {
            continue;
        };
        let Some(communities) = model.node(filter).strings("rule.communities") else {
            continue;
        };
        let m365: Vec<&str> = communities
            .iter()
            .copied()
            .filter(|c| {
                tables()
                    .community(c)
                    .is_some_and(|k| k.kind == CommunityKind::Microsoft365)
            })
            .collect();
        let named: Vec<String> = m365
            .iter()
            .map(|c| {
                format!(
                    "{c} ({})",
                    tables()
                        .community(c)
                        .map(|k| k.description.as_str())
                        .unwrap_or("")
                )
            })
            .collect();
        if m365.is_empty() {
            continue;
        }
        sink.emit(
            "C17",
            peering,
            &["route_filter_id"],
            "Microsoft 365 routes over Microsoft peering need a Premium circuit",
            format!(
                "{} attaches route filter {} (communities {}) to Microsoft peering of {}, whose tier is {tier}. Microsoft 365 over ExpressRoute needs the Premium add-on and Microsoft's authorization of the route filter. Set sku.tier = \"Premium\" on {}, or remove the Microsoft 365 communities.",
                peering.addr,
                model.addr(filter),
                named.join(", "),
                model.addr(circuit),
                model.addr(circuit)
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_rules() {
        assert_eq!(name_problem("er-ams_1", 1, 80), None);
        assert!(name_problem("-er", 1, 80).is_some());
        assert!(name_problem("er-", 1, 80).is_some());
        assert_eq!(name_problem("er_", 1, 80), None);
        assert!(name_problem("er ams", 1, 80).is_some());
        assert!(name_problem("a", 2, 64).is_some());
        assert!(name_problem(&"a".repeat(81), 1, 80).is_some());
        assert!(name_problem("", 1, 80).is_some());
    }

    #[test]
    fn suggests_close_locations() {
        assert_eq!(suggestion("Amsterdm").as_deref(), Some("Amsterdam"));
        assert_eq!(suggestion("zzzzzz"), None);
    }
}
