//! ARM resource ids of the kinds peerform manages: parse (segments compare case-insensitively, as
//! ARM does), format in canonical casing, turn into request paths (percent-encoded), and the table
//! of kinds (ARM type, parent, api-version, namespace). It must not know azurerm names or HCL.

use anyhow::{Result, bail};
use std::fmt;

/// The ARM resource kinds peerform reads or writes, plus the read-only Global Reach mirror.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    ResourceGroup,
    VirtualNetwork,
    Subnet,
    PublicIpAddress,
    VirtualNetworkGateway,
    LocalNetworkGateway,
    Connection,
    ExpressRouteCircuit,
    CircuitPeering,
    CircuitAuthorization,
    CircuitConnection,
    PeerConnection,
    RouteFilter,
    RouteFilterRule,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 14] = [
        ResourceKind::ResourceGroup,
        ResourceKind::VirtualNetwork,
        ResourceKind::Subnet,
        ResourceKind::PublicIpAddress,
        ResourceKind::VirtualNetworkGateway,
        ResourceKind::LocalNetworkGateway,
        ResourceKind::Connection,
        ResourceKind::ExpressRouteCircuit,
        ResourceKind::CircuitPeering,
        ResourceKind::CircuitAuthorization,
        ResourceKind::CircuitConnection,
        ResourceKind::PeerConnection,
        ResourceKind::RouteFilter,
        ResourceKind::RouteFilterRule,
    ];

    /// The type segments under `providers/Microsoft.Network/` (empty for a resource group).
    pub fn segments(self) -> &'static [&'static str] {
        match self {
            ResourceKind::ResourceGroup => &[],
            ResourceKind::VirtualNetwork => &["virtualNetworks"],
            ResourceKind::Subnet => &["virtualNetworks", "subnets"],
            ResourceKind::PublicIpAddress => &["publicIPAddresses"],
            ResourceKind::VirtualNetworkGateway => &["virtualNetworkGateways"],
            ResourceKind::LocalNetworkGateway => &["localNetworkGateways"],
            ResourceKind::Connection => &["connections"],
            ResourceKind::ExpressRouteCircuit => &["expressRouteCircuits"],
            ResourceKind::CircuitPeering => &["expressRouteCircuits", "peerings"],
            ResourceKind::CircuitAuthorization => &["expressRouteCircuits", "authorizations"],
            ResourceKind::CircuitConnection => &["expressRouteCircuits", "peerings", "connections"],
            ResourceKind::PeerConnection => {
                &["expressRouteCircuits", "peerings", "peerConnections"]
            }
            ResourceKind::RouteFilter => &["routeFilters"],
            ResourceKind::RouteFilterRule => &["routeFilters", "routeFilterRules"],
        }
    }

    /// The full ARM type, e.g. `Microsoft.Network/expressRouteCircuits/peerings`.
    pub fn arm_type(self) -> String {
        match self {
            ResourceKind::ResourceGroup => "Microsoft.Resources/resourceGroups".to_string(),
            other => format!("Microsoft.Network/{}", other.segments().join("/")),
        }
    }

    /// The kind whose body embeds this one, if any (`None` for top-level resources).
    pub fn parent(self) -> Option<ResourceKind> {
        match self {
            ResourceKind::Subnet => Some(ResourceKind::VirtualNetwork),
            ResourceKind::CircuitPeering | ResourceKind::CircuitAuthorization => {
                Some(ResourceKind::ExpressRouteCircuit)
            }
            ResourceKind::CircuitConnection | ResourceKind::PeerConnection => {
                Some(ResourceKind::CircuitPeering)
            }
            ResourceKind::RouteFilterRule => Some(ResourceKind::RouteFilter),
            _ => None,
        }
    }

    /// The api-version peerform sends for this kind.
    pub fn api_version(self) -> &'static str {
        match self {
            ResourceKind::ResourceGroup => super::RESOURCES_API_VERSION,
            _ => super::NETWORK_API_VERSION,
        }
    }

    /// Tracked resources carry `location` and `tags`; child resources do not.
    pub fn is_tracked(self) -> bool {
        self.parent().is_none()
    }

    /// The kind whose type segments match these (case-insensitively).
    pub fn from_segments(types: &[&str]) -> Option<ResourceKind> {
        ResourceKind::ALL.into_iter().find(|kind| {
            kind.segments().len() == types.len()
                && !types.is_empty()
                && kind
                    .segments()
                    .iter()
                    .zip(types)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b))
        })
    }

    /// The kind with this ARM type (case-insensitive).
    pub fn from_arm_type(arm_type: &str) -> Option<ResourceKind> {
        ResourceKind::ALL
            .into_iter()
            .find(|kind| kind.arm_type().eq_ignore_ascii_case(arm_type))
    }
}

/// An ARM resource id: subscription, resource group, kind, and one name per type segment.
/// Equality and hashing ignore case, as ARM does.
#[derive(Clone, Debug)]
pub struct ResourceId {
    pub subscription: String,
    pub resource_group: String,
    pub kind: ResourceKind,
    /// One name per entry of `kind.segments()` (none for a resource group).
    pub names: Vec<String>,
}

impl ResourceId {
    /// A resource group id.
    pub fn resource_group(subscription: &str, resource_group: &str) -> ResourceId {
        ResourceId {
            subscription: subscription.to_string(),
            resource_group: resource_group.to_string(),
            kind: ResourceKind::ResourceGroup,
            names: Vec::new(),
        }
    }

    /// A Microsoft.Network id; `names` must have one entry per type segment of `kind`.
    pub fn new(
        subscription: &str,
        resource_group: &str,
        kind: ResourceKind,
        names: &[&str],
    ) -> Result<ResourceId> {
        if names.len() != kind.segments().len() {
            bail!(
                "a {} id needs {} name(s), got {}",
                kind.arm_type(),
                kind.segments().len(),
                names.len()
            );
        }
        for part in [subscription, resource_group].iter().chain(names) {
            if part.is_empty() || part.contains('/') {
                bail!("invalid name {part:?} in a {} id", kind.arm_type());
            }
        }
        Ok(ResourceId {
            subscription: subscription.to_string(),
            resource_group: resource_group.to_string(),
            kind,
            names: names.iter().map(|n| n.to_string()).collect(),
        })
    }

    /// Parse an id such as `/subscriptions/S/resourceGroups/RG/providers/Microsoft.Network/…`.
    /// Segments compare case-insensitively; names are kept as written (percent-decoded).
    pub fn parse(text: &str) -> Result<ResourceId> {
        let trimmed = text.trim_end_matches('/');
        let Some(rest) = trimmed.strip_prefix('/') else {
            bail!("invalid ARM id {text:?}: it must start with /subscriptions/");
        };
        let parts: Vec<String> = rest.split('/').map(percent_decode).collect();
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        if parts.len() < 4
            || !parts[0].eq_ignore_ascii_case("subscriptions")
            || !parts[2].eq_ignore_ascii_case("resourceGroups")
            || parts.iter().any(|p| p.is_empty())
        {
            bail!(
                "invalid ARM id {text:?}: expected /subscriptions/ID/resourceGroups/NAME[/providers/…]"
            );
        }
        let (subscription, resource_group) = (parts[1], parts[3]);
        if parts.len() == 4 {
            return Ok(ResourceId::resource_group(subscription, resource_group));
        }
        if parts.len() < 8
            || !parts[4].eq_ignore_ascii_case("providers")
            || !parts[5].eq_ignore_ascii_case("Microsoft.Network")
            || !parts.len().is_multiple_of(2)
        {
            bail!(
                "invalid ARM id {text:?}: expected …/providers/Microsoft.Network/TYPE/NAME[/TYPE/NAME]"
            );
        }
        let pairs = &parts[6..];
        let types: Vec<&str> = pairs.iter().step_by(2).copied().collect();
        let names: Vec<&str> = pairs.iter().skip(1).step_by(2).copied().collect();
        let Some(kind) = ResourceKind::from_segments(&types) else {
            bail!(
                "unsupported ARM resource type Microsoft.Network/{} in id {text:?}",
                types.join("/")
            );
        };
        ResourceId::new(subscription, resource_group, kind, &names)
    }

    /// The name of the resource itself (the last name; the group's name for a resource group).
    pub fn name(&self) -> &str {
        self.names
            .last()
            .map(String::as_str)
            .unwrap_or(&self.resource_group)
    }

    /// The id of the enclosing resource (a peering's circuit…), if this is a child.
    pub fn parent(&self) -> Option<ResourceId> {
        let parent_kind = self.kind.parent()?;
        Some(ResourceId {
            subscription: self.subscription.clone(),
            resource_group: self.resource_group.clone(),
            kind: parent_kind,
            names: self.names[..self.names.len().saturating_sub(1)].to_vec(),
        })
    }

    /// A child of this resource.
    pub fn child(&self, kind: ResourceKind, name: &str) -> Result<ResourceId> {
        if kind.parent() != Some(self.kind) {
            bail!(
                "{} is not a child type of {}",
                kind.arm_type(),
                self.kind.arm_type()
            );
        }
        let mut names: Vec<&str> = self.names.iter().map(String::as_str).collect();
        names.push(name);
        ResourceId::new(&self.subscription, &self.resource_group, kind, &names)
    }

    /// The resource group this resource lives in.
    pub fn resource_group_id(&self) -> ResourceId {
        ResourceId::resource_group(&self.subscription, &self.resource_group)
    }

    /// The request path, each name percent-encoded (no query).
    pub fn path(&self) -> String {
        self.render(true)
    }

    /// The path with `?api-version=` for this kind.
    pub fn url(&self) -> String {
        format!("{}?api-version={}", self.path(), self.kind.api_version())
    }

    /// A lower-cased form for comparisons and map keys.
    pub fn key(&self) -> String {
        self.to_string().to_ascii_lowercase()
    }

    fn render(&self, encode: bool) -> String {
        let enc = |s: &str| {
            if encode {
                percent_encode(s)
            } else {
                s.to_string()
            }
        };
        let mut out = format!(
            "/subscriptions/{}/resourceGroups/{}",
            enc(&self.subscription),
            enc(&self.resource_group)
        );
        if self.kind != ResourceKind::ResourceGroup {
            out.push_str("/providers/Microsoft.Network");
            for (segment, name) in self.kind.segments().iter().zip(&self.names) {
                out.push('/');
                out.push_str(segment);
                out.push('/');
                out.push_str(&enc(name));
            }
        }
        out
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(false))
    }
}

impl PartialEq for ResourceId {
    fn eq(&self, other: &Self) -> bool {
        self.kind == other.kind && self.key() == other.key()
    }
}

impl Eq for ResourceId {}

impl std::hash::Hash for ResourceId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.key().hash(state);
    }
}

/// Percent-encode a path segment: everything but unreserved characters and `()`.
pub fn percent_encode(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Decode `%XX` escapes; malformed escapes are kept as written, invalid UTF-8 is replaced.
pub fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(value) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(value);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively_and_formats_canonically() {
        let id = ResourceId::parse(
            "/SUBSCRIPTIONS/s1/resourcegroups/rg-1/providers/microsoft.network/EXPRESSROUTECIRCUITS/er1/Peerings/AzurePrivatePeering",
        )
        .unwrap();
        assert_eq!(id.kind, ResourceKind::CircuitPeering);
        assert_eq!(
            id.to_string(),
            "/subscriptions/s1/resourceGroups/rg-1/providers/Microsoft.Network/expressRouteCircuits/er1/peerings/AzurePrivatePeering"
        );
        assert_eq!(id.parent().unwrap().name(), "er1");
        let other = ResourceId::parse(&id.to_string().to_uppercase()).unwrap();
        assert_eq!(id, other);
    }

    #[test]
    fn resource_group_ids_and_errors() {
        let rg = ResourceId::parse("/subscriptions/s/resourceGroups/my(rg).x").unwrap();
        assert_eq!(rg.kind, ResourceKind::ResourceGroup);
        assert_eq!(rg.path(), "/subscriptions/s/resourceGroups/my(rg).x");
        for bad in [
            "",
            "subscriptions/s",
            "/subscriptions/s/resourceGroups",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/unknown/x",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks",
            "/subscriptions//resourceGroups/rg",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/x",
        ] {
            assert!(ResourceId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn percent_round_trip() {
        assert_eq!(percent_decode(&percent_encode("a b/ü%")), "a b/ü%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
    }
}
