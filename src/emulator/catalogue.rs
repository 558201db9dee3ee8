//! The emulator's read-only catalogues: `expressRouteServiceProviders` (providers, their peering
//! locations and bandwidths) and `bgpServiceCommunities` (service communities a route filter may
//! allow), as ARM returns them (reference §1.4, §3.8 R4). Fixed data; it must not read the store.

use serde_json::{Value, json};

/// Bandwidths (Mbps) every provider offers here (reference §3.1 C1).
pub const BANDWIDTHS: &[i64] = &[50, 100, 200, 500, 1000, 2000, 5000, 10000];

/// Peering locations in the commercial cloud (reference §4.1).
const LOCATIONS: &[&str] = &[
    "Amsterdam",
    "Amsterdam2",
    "Atlanta",
    "Auckland",
    "Bangkok",
    "Berlin",
    "Busan",
    "Campinas",
    "Canberra",
    "Canberra2",
    "Cape Town",
    "Chennai",
    "Chennai2",
    "Chicago",
    "Chicago2",
    "Copenhagen",
    "Dallas",
    "Denver",
    "Doha",
    "Doha2",
    "Dubai",
    "Dubai2",
    "Dublin",
    "Dublin2",
    "Frankfurt",
    "Frankfurt2",
    "Geneva",
    "Hong Kong",
    "Hong Kong2",
    "Jakarta",
    "Johannesburg",
    "Kuala Lumpur",
    "Las Vegas",
    "London",
    "London2",
    "Los Angeles",
    "Los Angeles2",
    "Madrid",
    "Marseille",
    "Melbourne",
    "Miami",
    "Milan",
    "Minneapolis",
    "Montreal",
    "Mumbai",
    "Mumbai2",
    "Munich",
    "New York",
    "Newport (Wales)",
    "Osaka",
    "Oslo",
    "Paris",
    "Paris2",
    "Perth",
    "Phoenix",
    "Pune",
    "Quebec City",
    "Queretaro (Mexico)",
    "Quincy",
    "Rio de Janeiro",
    "San Antonio",
    "Santiago",
    "Sao Paulo",
    "Sao Paulo2",
    "Seattle",
    "Seoul",
    "Seoul2",
    "Silicon Valley",
    "Silicon Valley2",
    "Singapore",
    "Singapore2",
    "Stavanger",
    "Stockholm",
    "Sydney",
    "Sydney2",
    "Taipei",
    "Tel Aviv",
    "Tokyo",
    "Tokyo2",
    "Tokyo3",
    "Toronto",
    "Toronto2",
    "Vancouver",
    "Warsaw",
    "Washington DC",
    "Washington DC2",
    "Zurich",
    "Zurich2",
];

/// Providers: name and, when limited, the peering locations they serve (`None`: all of them).
const PROVIDERS: &[(&str, Option<&[&str]>)] = &[
    ("Equinix", None),
    ("Megaport", None),
    ("AT&T NetBond", None),
    ("Verizon", None),
    (
        "Colt",
        Some(&[
            "Amsterdam",
            "Frankfurt",
            "London",
            "London2",
            "Paris",
            "Tokyo",
            "Zurich",
        ]),
    ),
    (
        "British Telecom",
        Some(&["Amsterdam", "London", "London2", "Washington DC"]),
    ),
];

/// Service communities (reference §3.8 R4): service name, community name, value, region.
const COMMUNITIES: &[(&str, &str, &str, &str)] = &[
    ("Exchange", "Exchange", "12076:5010", "Global"),
    ("SharePoint", "SharePoint", "12076:5020", "Global"),
    (
        "SkypeForBusiness",
        "Skype For Business",
        "12076:5030",
        "Global",
    ),
    ("CRMOnline", "Dynamics 365", "12076:5040", "Global"),
    (
        "AzureGlobalServices",
        "Azure Global Services",
        "12076:5050",
        "Global",
    ),
    (
        "OtherOffice365Services",
        "Other Office 365 Services",
        "12076:5100",
        "Global",
    ),
    ("AzureEastUS", "Azure East US", "12076:51004", "East US"),
    (
        "AzureEastUS2",
        "Azure East US 2",
        "12076:51005",
        "East US 2",
    ),
    ("AzureWestUS", "Azure West US", "12076:51006", "West US"),
    (
        "AzureWestUS2",
        "Azure West US 2",
        "12076:51026",
        "West US 2",
    ),
    (
        "AzureNorthEurope",
        "Azure North Europe",
        "12076:51003",
        "North Europe",
    ),
    (
        "AzureWestEurope",
        "Azure West Europe",
        "12076:51002",
        "West Europe",
    ),
    ("AzureUKSouth", "Azure UK South", "12076:51024", "UK South"),
];

/// The peering locations a provider serves, or `None` when the provider is unknown. Names compare
/// case-insensitively, as ARM does.
pub fn provider_locations(provider: &str) -> Option<Vec<&'static str>> {
    PROVIDERS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(provider))
        .map(|(_, locations)| {
            locations
                .map(<[_]>::to_vec)
                .unwrap_or_else(|| LOCATIONS.to_vec())
        })
}

pub fn is_known_community(value: &str) -> bool {
    COMMUNITIES.iter().any(|(_, _, v, _)| *v == value)
}

/// `GET …/expressRouteServiceProviders`.
pub fn service_providers(subscription: &str) -> Value {
    let value: Vec<Value> = PROVIDERS
        .iter()
        .map(|(name, _)| {
            let locations = provider_locations(name).unwrap_or_default();
            json!({
                "id": format!("/subscriptions/{subscription}/providers/Microsoft.Network/expressRouteServiceProviders/{name}"),
                "name": name,
                "type": "Microsoft.Network/expressRouteServiceProviders",
                "properties": {
                    "peeringLocations": locations,
                    "bandwidthsOffered": BANDWIDTHS.iter().map(|mbps| json!({
                        "offerName": if *mbps >= 1000 { format!("{}Gbps", mbps / 1000) } else { format!("{mbps}Mbps") },
                        "valueInMbps": mbps,
                    })).collect::<Vec<_>>(),
                    "provisioningState": "Succeeded",
                }
            })
        })
        .collect();
    json!({ "value": value })
}

/// `GET …/bgpServiceCommunities`.
pub fn bgp_service_communities(subscription: &str) -> Value {
    let value: Vec<Value> = COMMUNITIES
        .iter()
        .map(|(service, community, value, region)| {
            json!({
                "id": format!("/subscriptions/{subscription}/providers/Microsoft.Network/bgpServiceCommunities/{service}"),
                "name": service,
                "type": "Microsoft.Network/bgpServiceCommunities",
                "properties": {
                    "serviceName": service,
                    "bgpCommunities": [{
                        "serviceSupportedRegion": region,
                        "communityName": community,
                        "communityValue": value,
                        "communityPrefixes": [],
                        "isAuthorizedToUse": true,
                        "serviceGroup": if *region == "Global" { "O365" } else { "Azure" },
                    }],
                }
            })
        })
        .collect();
    json!({ "value": value })
}
