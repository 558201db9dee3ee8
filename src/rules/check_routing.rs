//! Routing and BGP community checks (reference §3.8): route filter communities (R4), one rule per
//! route filter (R5), a virtual network's BGP community (R7). Reports only; silent on unknown
//! values.

use super::data::tables;
use super::model::*;
use super::report::Sink;
use crate::diag::Severity;

pub(super) fn run(model: &Model<'_>, sink: &mut Sink<'_>) {
    for f in model.managed(ROUTE_FILTER) {
        let node = model.node(f);
        let rules = node.list("rule");
        if sink.enabled("R5") && rules.len() > 1 {
            sink.emit(
                "R5",
                node,
                &["rule[1]", "rule"],
                format!("a route filter holds one rule, this one has {}", rules.len()),
                format!(
                    "{} has {} rule blocks. A route filter has exactly one rule; put every community in that rule's communities list.",
                    node.addr,
                    rules.len()
                ),
            );
        }
        if sink.enabled("R4") {
            for (k, rule) in rules.iter().enumerate() {
                let Some(list) = rule.get_attr("communities").and_then(|v| v.as_list()) else {
                    continue;
                };
                let path = format!("rule[{k}].communities");
                for community in list.iter().filter_map(|v| v.as_str()) {
                    r4_community(node, &path, community, sink);
                }
            }
        }
    }
    if sink.enabled("R7") {
        for v in model.managed(VNET) {
            let node = model.node(v);
            let Some(community) = node.str("bgp_community") else {
                continue;
            };
            let asn = community.split(':').next().unwrap_or("");
            if asn != "12076" {
                sink.emit(
                    "R7",
                    node,
                    &["bgp_community"],
                    format!("a virtual network BGP community is 12076:<value>, not {community}"),
                    format!(
                        "{} sets bgp_community = \"{community}\". The ASN part of a virtual network's community is always Microsoft's 12076; use \"12076:<1-65534>\".",
                        node.addr
                    ),
                );
            }
        }
    }
}

fn r4_community(node: &Node<'_>, path: &str, community: &str, sink: &mut Sink<'_>) {
    let well_formed = community
        .strip_prefix("12076:")
        .is_some_and(|n| !n.is_empty() && n.len() <= 5 && n.bytes().all(|b| b.is_ascii_digit()));
    if !well_formed {
        sink.emit(
            "R4",
            node,
            &[path, "rule"],
            format!("\"{community}\" is not a Microsoft BGP community value"),
            format!(
                "{} selects \"{community}\". Route filter communities are Microsoft's service and regional values of the form 12076:<n> (Exchange 12076:5010, West Europe 12076:51002, …).",
                node.addr
            ),
        );
        return;
    }
    if tables().community(community).is_none() {
        sink.emit_as(
            Severity::Warning,
            "R4",
            node,
            &[path, "rule"],
            format!("{community} is not a known BGP service community"),
            format!(
                "{} selects {community}, which is not in peerform's table of BGP service communities (Learn, \"ExpressRoute routing requirements\"). Check it against `Get-AzBgpServiceCommunity`; if it is newer than the table, add it to src/rules/data/bgp_communities.psv.",
                node.addr
            ),
        );
    }
}
