//! The rule table: every implemented rule's id (the reference's, `reference/expressroute.md` §3),
//! kind, default severity, one-line summary and sources. `peerform rules` prints it, diagnostics
//! take their link from it, and settings are checked against it. Pure data; the checks themselves
//! live in the `check_*` files, the replacement rules in `replace.rs`, the ordering rules in
//! `ordering.rs`.

use crate::diag::Severity;

/// What a rule does for the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    /// A check on the desired graph (and the prior state where noted): produces diagnostics.
    Check,
    /// Turns an update into a replacement, with the rule id as the reason (`replace.rs`).
    Replace,
    /// Adds edges, gates or serialisation keys to the plan's schedule (`ordering.rs`).
    Ordering,
}

impl RuleKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RuleKind::Check => "check",
            RuleKind::Replace => "replace",
            RuleKind::Ordering => "ordering",
        }
    }
}

/// One rule of the catalogue.
#[derive(Debug)]
pub struct RuleInfo {
    pub id: &'static str,
    pub kind: RuleKind,
    /// The strongest severity the rule reports (some rules report a milder second finding, e.g.
    /// P8: duplicate VLAN is an error). Replacement rules are errors only when `prevent_destroy`
    /// forbids the replacement; ordering rules report nothing (Info).
    pub severity: Severity,
    pub summary: &'static str,
    /// Source tags of the reference (§0.1), most useful first.
    pub sources: &'static [&'static str],
}

impl RuleInfo {
    /// The link to the rule's first source.
    pub fn source(&self) -> &'static str {
        self.sources
            .first()
            .map(|tag| source_url(tag))
            .unwrap_or(REFERENCE)
    }
}

const REFERENCE: &str = "https://learn.microsoft.com/azure/expressroute/";

/// The public address of a reference source tag.
pub fn source_url(tag: &str) -> &'static str {
    match tag {
        "S1" => {
            "https://github.com/Azure/azure-rest-api-specs/blob/0946241147525627a54fb1b9722ccc5577999317/specification/network/resource-manager/Microsoft.Network/Network/stable/2025-09-01/expressRoute.json"
        }
        "S2" => {
            "https://github.com/Azure/azure-rest-api-specs/blob/28757c10b86ed841fb1106a99a002a277078015f/specification/network/resource-manager/Microsoft.Network/Network/stable/2025-09-01/networkGateway.json"
        }
        "S4" => {
            "https://github.com/Azure/bicep-types-az/blob/1f896de2db966ad91e8f7d7d981e11d32e4f5d8d/generated/network/microsoft.network/2025-09-01/types.md"
        }
        "S5" => "https://registry.terraform.io/providers/hashicorp/azurerm/latest/docs",
        "S6" => {
            "https://learn.microsoft.com/azure/azure-resource-manager/management/azure-subscription-service-limits#azure-expressroute-limits"
        }
        "S7" => "https://learn.microsoft.com/azure/expressroute/expressroute-faqs",
        "S8" => "https://learn.microsoft.com/azure/expressroute/expressroute-routing",
        "S9" => {
            "https://learn.microsoft.com/azure/expressroute/expressroute-about-virtual-network-gateways"
        }
        "S10" => {
            "https://learn.microsoft.com/azure/expressroute/expressroute-howto-coexist-resource-manager"
        }
        "S11" => "https://learn.microsoft.com/azure/expressroute/expressroute-global-reach",
        "S12" => "https://learn.microsoft.com/azure/expressroute/expressroute-howto-circuit-arm",
        "S13" => {
            "https://learn.microsoft.com/azure/expressroute/expressroute-howto-routing-portal-resource-manager"
        }
        "S14" => "https://learn.microsoft.com/azure/expressroute/expressroute-workflows",
        "S15" => "https://learn.microsoft.com/azure/expressroute/how-to-routefilter-portal",
        "S16" => "https://learn.microsoft.com/azure/expressroute/expressroute-howto-linkvnet-arm",
        "S17" => "https://learn.microsoft.com/azure/expressroute/about-fastpath",
        "S18" => "https://learn.microsoft.com/azure/expressroute/expressroute-optimize-routing",
        "S19" => "https://learn.microsoft.com/azure/expressroute/expressroute-erdirect-about",
        "S20" => "https://learn.microsoft.com/azure/expressroute/expressroute-locations-providers",
        "S22" => {
            "https://learn.microsoft.com/azure/azure-resource-manager/management/resource-name-rules"
        }
        "S23" => {
            "https://learn.microsoft.com/powershell/module/az.network/new-azexpressroutecircuitauthorization"
        }
        "S25" => "https://learn.microsoft.com/azure/expressroute/gateway-migration",
        "S26" => "https://github.com/MicrosoftDocs/azure-docs/issues/87309",
        "S27" => "https://github.com/MicrosoftDocs/azure-docs/pull/24134",
        "S28" => "https://learn.microsoft.com/azure/route-server/route-maps",
        _ => REFERENCE,
    }
}

use RuleKind::{Check, Ordering, Replace};
use Severity::{Error, Info, Warning};

macro_rules! rule {
    ($id:literal, $kind:expr, $severity:expr, $summary:literal, [$($source:literal),*]) => {
        RuleInfo { id: $id, kind: $kind, severity: $severity, summary: $summary, sources: &[$($source),*] }
    };
}

/// Every implemented rule, in the reference's order.
pub static RULES: &[RuleInfo] = &[
    rule!(
        "C1",
        Check,
        Error,
        "provider circuit bandwidth is one the provider offers (50 Mbps to 10 Gbps)",
        ["S7", "S1"]
    ),
    rule!(
        "C3",
        Check,
        Error,
        "a circuit is either a provider circuit (provider, peering location, Mbps) or an ExpressRoute Direct circuit (port, Gbps)",
        ["S5"]
    ),
    rule!(
        "C4",
        Check,
        Warning,
        "the connectivity provider serves the circuit's peering location (per peerform's table of 2026-04-28)",
        ["S20", "S1"]
    ),
    rule!(
        "C5",
        Check,
        Error,
        "circuit SKU tier and family form a SKU Azure accepts for new circuits",
        ["S12", "S5"]
    ),
    rule!(
        "C6",
        Replace,
        Error,
        "decreasing a circuit's bandwidth replaces the circuit",
        ["S7", "S12", "S27", "S5"]
    ),
    rule!(
        "C7",
        Replace,
        Error,
        "changing a circuit from UnlimitedData to MeteredData replaces the circuit",
        ["S12", "S27", "S5"]
    ),
    rule!(
        "C8",
        Check,
        Info,
        "upgrading a circuit to Premium is in place and starts Premium billing at once",
        ["S12", "S7"]
    ),
    rule!(
        "C9",
        Check,
        Error,
        "a Premium circuit can be downgraded only while its links fit the Standard limits",
        ["S12", "S7", "S6"]
    ),
    rule!(
        "C10",
        Check,
        Error,
        "a Local circuit needs a peering location that offers ExpressRoute Local, and UnlimitedData",
        ["S7", "S20", "S26"]
    ),
    rule!(
        "C12",
        Replace,
        Error,
        "changing a circuit's peering location, provider, port, location, name or resource group replaces it",
        ["S5"]
    ),
    rule!(
        "C16",
        Check,
        Error,
        "resource names follow Azure's naming rules",
        ["S22"]
    ),
    rule!(
        "C17",
        Check,
        Warning,
        "Microsoft 365 communities on Microsoft peering need a Premium circuit",
        ["S7", "S15"]
    ),
    rule!(
        "P1",
        Check,
        Error,
        "a circuit has at most one peering of each type",
        ["S13", "S5"]
    ),
    rule!(
        "P2",
        Check,
        Error,
        "Azure public peering is retired: use Microsoft peering",
        ["S7", "S8"]
    ),
    rule!(
        "P3",
        Ordering,
        Info,
        "peerings of a provider circuit wait until the provider has provisioned the circuit",
        ["S14", "S13"]
    ),
    rule!(
        "P4",
        Check,
        Error,
        "IPv4 peer address prefixes are two distinct /30 networks",
        ["S8", "S13", "S14"]
    ),
    rule!(
        "P5",
        Check,
        Error,
        "IPv6 peer address prefixes are two distinct /126 networks",
        ["S8", "S14"]
    ),
    rule!(
        "P6",
        Check,
        Error,
        "private peering prefixes do not overlap the address space of linked virtual networks",
        ["S8", "S13"]
    ),
    rule!(
        "P7",
        Check,
        Error,
        "Microsoft peering prefixes are public addresses",
        ["S8", "S13", "S7"]
    ),
    rule!(
        "P8",
        Check,
        Error,
        "VLAN ids are unique among a circuit's peerings",
        ["S13"]
    ),
    rule!(
        "P10",
        Check,
        Error,
        "peer ASN is not one Azure reserves (8074, 8075, 12076, 65515-65520)",
        ["S8", "S13", "S28"]
    ),
    rule!(
        "P12",
        Check,
        Error,
        "the peering shared key (MD5) is letters and digits only, at most 25",
        ["S13", "S5"]
    ),
    rule!(
        "P13",
        Check,
        Error,
        "Microsoft peering has advertised public prefixes and a known routing registry",
        ["S8", "S13", "S5"]
    ),
    rule!(
        "P14",
        Check,
        Warning,
        "Microsoft peering advertises no routes until a route filter is attached",
        ["S15", "S13", "S7"]
    ),
    rule!(
        "P15",
        Check,
        Error,
        "route filters attach only to Microsoft peering",
        ["S5"]
    ),
    rule!(
        "P16",
        Ordering,
        Info,
        "private peering is deleted after the connections and Global Reach links that use it",
        ["S13"]
    ),
    rule!(
        "L2",
        Check,
        Error,
        "Microsoft peering advertises at most 200 prefixes per BGP session",
        ["S6", "S8"]
    ),
    rule!(
        "L6",
        Check,
        Error,
        "virtual network and Global Reach links per circuit stay within the SKU's limit",
        ["S6"]
    ),
    rule!(
        "L7",
        Check,
        Error,
        "at most 4 circuits from one peering location link to one virtual network",
        ["S6", "S9"]
    ),
    rule!(
        "L8",
        Check,
        Error,
        "circuits from different peering locations linked to one virtual network stay within the gateway SKU's limit",
        ["S6", "S9", "S7"]
    ),
    rule!(
        "L11",
        Check,
        Error,
        "an authorization is redeemed by one connection, and a circuit has at most 10",
        ["S23", "S16"]
    ),
    rule!(
        "G1",
        Check,
        Error,
        "a Standard or Local circuit links only virtual networks in its peering location's geopolitical region",
        ["S16", "S7", "S20"]
    ),
    rule!(
        "G2",
        Check,
        Error,
        "a Local circuit links only virtual networks in its peering location's Local regions",
        ["S7", "S20"]
    ),
    rule!(
        "G5",
        Check,
        Error,
        "Global Reach connects circuits at different peering locations",
        ["S11"]
    ),
    rule!(
        "G6",
        Check,
        Error,
        "a Global Reach address prefix is an unused IPv4 /29 (IPv6 /125)",
        ["S11", "S4", "S5"]
    ),
    rule!(
        "G7",
        Check,
        Error,
        "Global Reach across geopolitical regions needs both circuits Premium",
        ["S11"]
    ),
    rule!(
        "G8",
        Check,
        Error,
        "Global Reach is not available on Local circuits",
        ["S7"]
    ),
    rule!(
        "G10",
        Check,
        Error,
        "Global Reach to a circuit in another subscription needs an authorization key",
        ["S11", "S5"]
    ),
    rule!(
        "W1",
        Check,
        Error,
        "a virtual network has at most one gateway of each type",
        ["S9"]
    ),
    rule!(
        "W2",
        Check,
        Error,
        "gateways are deployed into the subnet named GatewaySubnet",
        ["S9", "S5"]
    ),
    rule!(
        "W3",
        Check,
        Error,
        "GatewaySubnet is /29 or larger; /27 or larger is recommended",
        ["S9", "S10"]
    ),
    rule!(
        "W5",
        Check,
        Error,
        "ExpressRoute gateways use an ExpressRoute SKU and no VPN generation",
        ["S9", "S4", "S5"]
    ),
    rule!(
        "W6",
        Replace,
        Error,
        "an ExpressRoute gateway SKU change outside Azure's resize matrix replaces the gateway",
        ["S9", "S5", "S25"]
    ),
    rule!(
        "W9",
        Check,
        Error,
        "an ExpressRoute connection joins an ExpressRoute gateway to a circuit with private peering",
        ["S16", "S5"]
    ),
    rule!(
        "W11",
        Check,
        Error,
        "connection routing weight is between 0 and 32000",
        ["S16", "S18", "S5"]
    ),
    rule!(
        "W12",
        Check,
        Error,
        "FastPath needs an UltraPerformance or ErGw3AZ gateway",
        ["S17", "S16", "S5", "S4"]
    ),
    rule!(
        "W14",
        Check,
        Error,
        "VPN gateways use a current VPN SKU (PolicyBased only with Basic)",
        ["S25", "S5"]
    ),
    rule!(
        "X1",
        Check,
        Error,
        "ExpressRoute and VPN gateways sharing a GatewaySubnet need /27 or larger",
        ["S10"]
    ),
    rule!(
        "X2",
        Check,
        Error,
        "a VPN gateway coexisting with ExpressRoute is RouteBased",
        ["S10"]
    ),
    rule!(
        "X3",
        Check,
        Error,
        "a VPN gateway coexisting with ExpressRoute is not Basic",
        ["S10"]
    ),
    rule!(
        "X4",
        Check,
        Error,
        "a VPN gateway coexisting with ExpressRoute keeps BGP ASN 65515",
        ["S10"]
    ),
    rule!(
        "X8",
        Check,
        Error,
        "the on-premises BGP ASN is not one Azure reserves",
        ["S28"]
    ),
    rule!(
        "D1",
        Ordering,
        Info,
        "create order: circuit, gate, peerings, authorizations, connections, Global Reach",
        ["S14", "S13", "S5"]
    ),
    rule!(
        "D2",
        Ordering,
        Info,
        "a route filter exists before a Microsoft peering references it",
        ["S15"]
    ),
    rule!(
        "D3",
        Ordering,
        Info,
        "delete order: links, peerings, authorizations, circuit",
        ["S13", "S16", "S12"]
    ),
    rule!(
        "D4",
        Ordering,
        Info,
        "a circuit is deleted only after the provider has deprovisioned it",
        ["S14", "S12"]
    ),
    rule!(
        "D5",
        Ordering,
        Info,
        "every virtual network is unlinked before its circuit is deleted",
        ["S12"]
    ),
    rule!(
        "D6",
        Ordering,
        Info,
        "a gateway is deleted after its connections",
        ["S10"]
    ),
    rule!(
        "D7",
        Check,
        Info,
        "a circuit bandwidth increase also needs the provider's side and bills at once",
        ["S12", "S7"]
    ),
    rule!(
        "R4",
        Check,
        Error,
        "route filter communities are Microsoft BGP community values (12076:n)",
        ["S15", "S5", "S8"]
    ),
    rule!(
        "R5",
        Check,
        Error,
        "a route filter has exactly one rule",
        ["S15", "S5"]
    ),
    rule!(
        "R7",
        Check,
        Error,
        "a virtual network BGP community is 12076:<1-65534>",
        ["S5"]
    ),
];

/// The rule with this id (case-insensitive), if implemented.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id.eq_ignore_ascii_case(id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_and_sources_resolve() {
        let mut ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
        ids.sort();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
        for r in RULES {
            assert!(!r.sources.is_empty(), "{}", r.id);
            for tag in r.sources {
                assert_ne!(source_url(tag), REFERENCE, "{} {}", r.id, tag);
            }
        }
    }

    #[test]
    fn required_rules_are_implemented() {
        for id in [
            "C1", "C3", "C5", "C9", "C10", "C16", "C17", "P1", "P2", "P4", "P5", "P6", "P7", "P8",
            "P10", "P12", "P13", "P14", "P15", "L2", "L6", "L7", "L8", "L11", "G1", "G2", "G5",
            "G6", "G7", "G8", "G10", "W1", "W2", "W3", "W5", "W9", "W11", "W12", "W14", "X1", "X2",
            "X3", "X4", "X8", "R4", "R5", "R7", "C6", "C7", "C12", "W6", "P3", "P16", "D1", "D2",
            "D3", "D4", "D5", "D6",
        ] {
            assert!(rule(id).is_some(), "{id}");
        }
    }
}
