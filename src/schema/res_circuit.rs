//! Schemas of the ExpressRoute circuit family: `azurerm_express_route_circuit`, its `_peering`,
//! `_authorization` and `_connection` (Global Reach) children, and `azurerm_route_filter`,
//! transcribed from the azurerm 4.x argument tables (reference §2.1–§2.5, min/max from the ARM
//! types). Pure data: it must not hold rules that span several arguments or resources, such as the
//! bandwidth-decrease replacement or the provider-provisioned gate (those live in `rules`/`plan`).

use super::resources::{
    all, at_least_items, block, boolean, each, length, list_of_strings, location, name, network_id,
    not_empty, number, one_of, pattern, range, resource_group_name, resource_schema, string, tags,
    uuid,
};
use super::{ResourceSchema, Validation};
use crate::lang::Value;

/// A 16- or 32-bit ASN as ARM accepts it for a peer (`peerASN` 1…4294967295).
fn peer_asn() -> Validation {
    range(1.0, 4_294_967_295.0)
}

fn customer_asn() -> Validation {
    range(0.0, 4_294_967_295.0)
}

fn route_filter_id() -> Validation {
    network_id!(
        r"(?i:routeFilters)/[^/]+",
        "a route filter ID (/subscriptions/…/providers/Microsoft.Network/routeFilters/NAME)"
    )
}

fn peering_id() -> Validation {
    network_id!(
        r"(?i:expressRouteCircuits)/[^/]+/(?i:peerings)/[^/]+",
        "an ExpressRoute circuit peering ID (/subscriptions/…/providers/Microsoft.Network/expressRouteCircuits/NAME/peerings/AzurePrivatePeering)"
    )
}

/// §2.1 `azurerm_express_route_circuit`.
pub(super) fn express_route_circuit() -> ResourceSchema {
    resource_schema(
        "azurerm_express_route_circuit",
        vec![
            string("name").required().force_new(),
            resource_group_name(),
            location(),
            boolean("allow_classic_operations").default(Value::Bool(false)),
            string("service_provider_name")
                .force_new()
                .conflicts_with(&["bandwidth_in_gbps", "express_route_port_id"])
                .required_with(&["bandwidth_in_mbps", "peering_location"]),
            string("peering_location")
                .force_new()
                .conflicts_with(&["bandwidth_in_gbps", "express_route_port_id"])
                .required_with(&["bandwidth_in_mbps", "service_provider_name"]),
            // Not ForceNew: azurerm replaces only on a decrease, a rule that needs the prior value.
            number("bandwidth_in_mbps")
                .conflicts_with(&["bandwidth_in_gbps", "express_route_port_id"])
                .required_with(&["peering_location", "service_provider_name"]),
            number("bandwidth_in_gbps")
                .conflicts_with(&[
                    "bandwidth_in_mbps",
                    "peering_location",
                    "service_provider_name",
                ])
                .required_with(&["express_route_port_id"]),
            string("express_route_port_id")
                .force_new()
                .conflicts_with(&[
                    "bandwidth_in_mbps",
                    "peering_location",
                    "service_provider_name",
                ])
                .required_with(&["bandwidth_in_gbps"])
                .validate(network_id!(
                    r"(?i:expressRoutePorts)/[^/]+",
                    "an ExpressRoute port ID (/subscriptions/…/providers/Microsoft.Network/expressRoutePorts/NAME)"
                )),
            boolean("rate_limiting_enabled")
                .default(Value::Bool(false))
                .deprecated(&["enable_rate_limiting"]),
            string("service_provider_provisioning_state").computed_only(),
            string("authorization_key").sensitive(),
            string("service_key").computed_only().sensitive(),
            tags(),
        ],
        vec![
            block(
                "sku",
                vec![
                    string("tier")
                        .required()
                        .validate(one_of(&["Basic", "Local", "Standard", "Premium"])),
                    string("family")
                        .required()
                        .validate(one_of(&["MeteredData", "UnlimitedData"])),
                ],
                Vec::new(),
            )
            .required()
            .max(1),
        ],
    )
}

/// §2.2 `azurerm_express_route_circuit_peering`.
pub(super) fn express_route_circuit_peering() -> ResourceSchema {
    let microsoft_peering_config = block(
        "microsoft_peering_config",
        vec![
            list_of_strings("advertised_public_prefixes")
                .required()
                .validate(each(Validation::Cidr)),
            number("customer_asn")
                .default(Value::int(0))
                .validate(customer_asn()),
            string("routing_registry_name").default(Value::string("NONE")),
            list_of_strings("advertised_communities").validate(each(not_empty())),
        ],
        Vec::new(),
    )
    .max(1);

    let ipv6_microsoft_peering = block(
        "microsoft_peering",
        vec![
            list_of_strings("advertised_public_prefixes")
                .validate(all(vec![at_least_items(1), each(Validation::Cidr)])),
            number("customer_asn")
                .default(Value::int(0))
                .validate(customer_asn()),
            string("routing_registry_name")
                .default(Value::string("NONE"))
                .validate(not_empty()),
            list_of_strings("advertised_communities"),
        ],
        Vec::new(),
    )
    .max(1);

    let ipv6 = block(
        "ipv6",
        vec![
            string("primary_peer_address_prefix")
                .required()
                .validate(Validation::Cidr),
            string("secondary_peer_address_prefix")
                .required()
                .validate(Validation::Cidr),
            boolean("enabled").default(Value::Bool(true)),
            string("route_filter_id").validate(route_filter_id()),
        ],
        vec![ipv6_microsoft_peering],
    )
    .max(1);

    resource_schema(
        "azurerm_express_route_circuit_peering",
        vec![
            // Not flagged ForceNew in azurerm, but it is the peering's name (and ARM id), so a
            // change means a different peering: treated as a replacement.
            string("peering_type")
                .required()
                .force_new()
                .validate(one_of(&[
                    "AzurePrivatePeering",
                    "AzurePublicPeering",
                    "MicrosoftPeering",
                ])),
            string("express_route_circuit_name").required().force_new(),
            resource_group_name(),
            string("primary_peer_address_prefix")
                .required_with(&["secondary_peer_address_prefix"])
                .validate(Validation::Cidr),
            string("secondary_peer_address_prefix")
                .required_with(&["primary_peer_address_prefix"])
                .validate(Validation::Cidr),
            boolean("ipv4_enabled").default(Value::Bool(true)),
            // azurerm has no validator; 1–4094 is the 802.1Q range Azure enforces.
            number("vlan_id").required().validate(range(1.0, 4094.0)),
            string("shared_key").sensitive().validate(length(1, 25)),
            number("peer_asn").optional_computed().validate(peer_asn()),
            number("azure_asn").computed_only(),
            string("primary_azure_port").computed_only(),
            string("secondary_azure_port").computed_only(),
            string("route_filter_id").validate(route_filter_id()),
            string("gateway_manager_etag").computed_only(),
        ],
        vec![microsoft_peering_config, ipv6],
    )
}

/// §2.3 `azurerm_express_route_circuit_authorization`.
pub(super) fn express_route_circuit_authorization() -> ResourceSchema {
    resource_schema(
        "azurerm_express_route_circuit_authorization",
        vec![
            string("name").required().force_new(),
            resource_group_name(),
            string("express_route_circuit_name").required().force_new(),
            string("authorization_key").computed_only().sensitive(),
            string("authorization_use_status").computed_only(),
        ],
        Vec::new(),
    )
}

/// §2.4 `azurerm_express_route_circuit_connection` (Global Reach).
pub(super) fn express_route_circuit_connection() -> ResourceSchema {
    resource_schema(
        "azurerm_express_route_circuit_connection",
        vec![
            string("name").required().force_new().validate(pattern(
                r"^(([a-zA-Z0-9])|([a-zA-Z0-9][a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_]))$",
                "a name of 1-80 letters, digits, underscores, periods and hyphens, starting with a letter or digit and ending with a letter, digit or underscore",
            )),
            string("peering_id")
                .required()
                .force_new()
                .validate(peering_id()),
            string("peer_peering_id")
                .required()
                .force_new()
                .validate(peering_id()),
            string("address_prefix_ipv4")
                .required()
                .force_new()
                .validate(Validation::Cidr),
            string("authorization_key").sensitive().validate(uuid()),
            string("address_prefix_ipv6").validate(Validation::Cidr),
        ],
        Vec::new(),
    )
}

/// §2.5 `azurerm_route_filter`.
pub(super) fn route_filter() -> ResourceSchema {
    resource_schema(
        "azurerm_route_filter",
        vec![
            // Not flagged ForceNew in azurerm, but it is part of the ARM id: a rename is a
            // different filter.
            name(),
            location(),
            resource_group_name(),
            tags(),
        ],
        vec![
            block(
                "rule",
                vec![
                    string("name").required().validate(not_empty()),
                    string("access").required().validate(one_of(&["Allow"])),
                    string("rule_type")
                        .required()
                        .validate(one_of(&["Community"])),
                    list_of_strings("communities")
                        .required()
                        .validate(all(vec![at_least_items(1), each(not_empty())])),
                ],
                Vec::new(),
            )
            .max(1)
            .computed(),
        ],
    )
}
