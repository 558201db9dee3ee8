//! ARM resource ids as they appear in configuration (`/subscriptions/S/resourceGroups/RG/providers/
//! Microsoft.Network/expressRouteCircuits/NAME/peerings/AzurePrivatePeering`): just enough parsing
//! to tell which subscription, resource group and resource an id names, so a literal id can be
//! matched to a resource of the configuration. Names compare case-insensitively, as in ARM.

/// A parsed resource id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArmId {
    pub subscription: String,
    pub resource_group: String,
    /// `(type, name)` pairs after the provider namespace: `[("expressRouteCircuits", "er1"),
    /// ("peerings", "AzurePrivatePeering")]`.
    pub segments: Vec<(String, String)>,
}

impl ArmId {
    /// Parse an id; anything that is not a provider resource id gives `None`.
    pub fn parse(text: &str) -> Option<ArmId> {
        let parts: Vec<&str> = text.trim().trim_matches('/').split('/').collect();
        if parts.len() < 8 {
            return None;
        }
        if !parts[0].eq_ignore_ascii_case("subscriptions")
            || !parts[2].eq_ignore_ascii_case("resourceGroups")
            || !parts[4].eq_ignore_ascii_case("providers")
        {
            return None;
        }
        let rest = &parts[6..];
        if !rest.len().is_multiple_of(2) || rest.iter().any(|p| p.is_empty()) {
            return None;
        }
        Some(ArmId {
            subscription: parts[1].to_string(),
            resource_group: parts[3].to_string(),
            segments: rest
                .chunks(2)
                .map(|c| (c[0].to_string(), c[1].to_string()))
                .collect(),
        })
    }

    /// The key [`resource_key`] builds for the same resource.
    pub fn key(&self) -> String {
        let parts: Vec<(&str, &str)> = self
            .segments
            .iter()
            .map(|(t, n)| (t.as_str(), n.as_str()))
            .collect();
        resource_key(&self.resource_group, &parts)
    }
}

/// A case-insensitive key for a resource from its resource group and `(type, name)` path, used to
/// match ids against configured resources: `rg/expressroutecircuits/er1/peerings/azureprivatepeering`.
pub fn resource_key(resource_group: &str, path: &[(&str, &str)]) -> String {
    let mut key = resource_group.to_ascii_lowercase();
    for (kind, name) in path {
        key.push('/');
        key.push_str(&kind.to_ascii_lowercase());
        key.push('/');
        key.push_str(&name.to_ascii_lowercase());
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_child_ids() {
        let id = ArmId::parse("/subscriptions/0000/resourceGroups/rg-a/providers/Microsoft.Network/expressRouteCircuits/er1/peerings/AzurePrivatePeering").unwrap();
        assert_eq!(id.subscription, "0000");
        assert_eq!(id.segments[1].1, "AzurePrivatePeering");
        assert_eq!(
            id.key(),
            "rg-a/expressroutecircuits/er1/peerings/azureprivatepeering"
        );
        assert_eq!(
            id.key(),
            resource_key(
                "RG-A",
                &[
                    ("expressRouteCircuits", "ER1"),
                    ("peerings", "AzurePrivatePeering")
                ]
            )
        );
    }

    #[test]
    fn rejects_what_is_not_an_id() {
        for bad in [
            "",
            "x",
            "/subscriptions/0/resourceGroups/rg",
            "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits",
            "/a/b/c/d/e/f/g/h",
        ] {
            assert_eq!(ArmId::parse(bad), None, "{bad}");
        }
    }
}
