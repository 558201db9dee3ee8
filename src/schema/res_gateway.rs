//! Schemas of the gateway side: `azurerm_virtual_network_gateway`, `azurerm_local_network_gateway`
//! and `azurerm_virtual_network_gateway_connection`, transcribed from the azurerm 4.x argument tables
//! (reference §2.6–§2.8, ASN bounds from the ARM types). Pure data: it must not hold rules that
//! span several arguments or resources, such as SKU/type compatibility or the AZ↔non-AZ SKU
//! replacement (those live in `rules`/`plan`).

use super::resources::{
    all, at_least, at_least_items, block, boolean, each, ipv4_address, length, list_of_strings,
    location, name, network_id, not_empty, number, one_of, pattern, range, resource_group_name,
    resource_schema, set_of_strings, string, tags,
};
use super::{NestedBlockSchema, ResourceSchema, Validation};
use crate::lang::Value;

/// Every `sku` azurerm accepts for a gateway, whatever its type (the type-specific subsets are
/// domain rules).
const GATEWAY_SKUS: &[&str] = &[
    "Basic",
    "Standard",
    "HighPerformance",
    "UltraPerformance",
    "VpnGw1",
    "VpnGw2",
    "VpnGw3",
    "VpnGw4",
    "VpnGw5",
    "VpnGw1AZ",
    "VpnGw2AZ",
    "VpnGw3AZ",
    "VpnGw4AZ",
    "VpnGw5AZ",
    "ErGw1AZ",
    "ErGw2AZ",
    "ErGw3AZ",
    "ErGwScale",
];

const DH_GROUPS: &[&str] = &[
    "DHGroup1",
    "DHGroup14",
    "DHGroup2",
    "DHGroup2048",
    "DHGroup24",
    "ECP256",
    "ECP384",
    "None",
];
const IKE_ENCRYPTIONS: &[&str] = &[
    "AES128",
    "AES192",
    "AES256",
    "DES",
    "DES3",
    "GCMAES128",
    "GCMAES256",
];
const IKE_INTEGRITIES: &[&str] = &["GCMAES128", "GCMAES256", "MD5", "SHA1", "SHA256", "SHA384"];
const IPSEC_ENCRYPTIONS: &[&str] = &[
    "AES128",
    "AES192",
    "AES256",
    "DES",
    "DES3",
    "GCMAES128",
    "GCMAES192",
    "GCMAES256",
    "None",
];
const IPSEC_INTEGRITIES: &[&str] = &[
    "GCMAES128",
    "GCMAES192",
    "GCMAES256",
    "MD5",
    "SHA1",
    "SHA256",
];
const PFS_GROUPS: &[&str] = &[
    "ECP256", "ECP384", "None", "PFS1", "PFS14", "PFS2", "PFS2048", "PFS24", "PFSMM",
];

/// A BGP speaker ASN as ARM bounds it (`BgpSettings.asn` 0…4294967295).
fn bgp_asn() -> Validation {
    range(0.0, 4_294_967_295.0)
}

const MAX_INT32: f64 = 2_147_483_647.0;

fn local_network_gateway_id() -> Validation {
    network_id!(
        r"(?i:localNetworkGateways)/[^/]+",
        "a local network gateway ID (/subscriptions/…/providers/Microsoft.Network/localNetworkGateways/NAME)"
    )
}

fn virtual_network_gateway_id() -> Validation {
    network_id!(
        r"(?i:virtualNetworkGateways)/[^/]+",
        "a virtual network gateway ID (/subscriptions/…/providers/Microsoft.Network/virtualNetworkGateways/NAME)"
    )
}

fn nat_rule_id() -> Validation {
    network_id!(
        r"(?i:virtualNetworkGateways)/[^/]+/(?i:natRules)/[^/]+",
        "a virtual network gateway NAT rule ID (/subscriptions/…/providers/Microsoft.Network/virtualNetworkGateways/NAME/natRules/NAME)"
    )
}

/// The six algorithm choices shared by both `ipsec_policy` blocks.
fn ipsec_algorithms() -> Vec<super::AttributeSchema> {
    vec![
        string("dh_group").required().validate(one_of(DH_GROUPS)),
        string("ike_encryption")
            .required()
            .validate(one_of(IKE_ENCRYPTIONS)),
        string("ike_integrity")
            .required()
            .validate(one_of(IKE_INTEGRITIES)),
        string("ipsec_encryption")
            .required()
            .validate(one_of(IPSEC_ENCRYPTIONS)),
        string("ipsec_integrity")
            .required()
            .validate(one_of(IPSEC_INTEGRITIES)),
        string("pfs_group").required().validate(one_of(PFS_GROUPS)),
    ]
}

fn policy_group_name() -> Validation {
    pattern(
        r"^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_])?$",
        "a policy group name of 1-80 letters, digits, underscores, periods and hyphens, starting with a letter or digit and ending with a letter, digit or underscore",
    )
}

fn vpn_client_configuration() -> NestedBlockSchema {
    let mut ipsec_policy = ipsec_algorithms();
    ipsec_policy.push(
        number("sa_lifetime_in_seconds")
            .required()
            .validate(range(300.0, 172_799.0))
            .deprecated(&["sa_lifetime_seconds"]),
    );
    ipsec_policy.push(
        number("sa_data_size_in_kilobytes")
            .required()
            .validate(range(1024.0, MAX_INT32))
            .deprecated(&["sa_data_size_kilobytes"]),
    );

    block(
        "vpn_client_configuration",
        vec![
            list_of_strings("address_space")
                .required()
                .validate(each(Validation::Cidr)),
            string("aad_tenant").required_with(&["aad_audience", "aad_issuer"]),
            string("aad_audience").required_with(&["aad_issuer", "aad_tenant"]),
            string("aad_issuer").required_with(&["aad_audience", "aad_tenant"]),
            string("radius_server_address")
                .required_with(&["radius_server_secret"])
                .validate(ipv4_address()),
            string("radius_server_secret")
                .sensitive()
                .required_with(&["radius_server_address"]),
            set_of_strings("vpn_auth_types")
                .optional_computed()
                .validate(all(vec![
                    Validation::Items { min: 0, max: 3 },
                    each(one_of(&["Certificate", "AAD", "Radius"])),
                ])),
            set_of_strings("vpn_client_protocols")
                .optional_computed()
                .validate(each(one_of(&["IkeV2", "OpenVPN", "SSTP"]))),
        ],
        vec![
            block(
                "virtual_network_gateway_client_connection",
                vec![
                    string("name").required().validate(not_empty()),
                    list_of_strings("policy_group_names")
                        .required()
                        .validate(each(policy_group_name())),
                    list_of_strings("address_prefixes")
                        .required()
                        .validate(each(not_empty())),
                ],
                Vec::new(),
            ),
            block("ipsec_policy", ipsec_policy, Vec::new()).max(1),
            block(
                "root_certificate",
                vec![
                    string("name").required(),
                    string("public_cert_data").required(),
                ],
                Vec::new(),
            )
            .set(),
            block(
                "revoked_certificate",
                vec![string("name").required(), string("thumbprint").required()],
                Vec::new(),
            )
            .set(),
            block(
                "radius_server",
                vec![
                    string("address").required().validate(ipv4_address()),
                    string("secret")
                        .required()
                        .sensitive()
                        .validate(length(1, 128)),
                    number("score").required().validate(range(1.0, 30.0)),
                ],
                Vec::new(),
            ),
        ],
    )
    .max(1)
}

fn gateway_bgp_settings() -> NestedBlockSchema {
    const ONE_OF: &[&str] = &["asn", "peer_weight", "peering_addresses"];
    let peering_addresses = block(
        "peering_addresses",
        vec![
            string("ip_configuration_name")
                .optional_computed()
                .validate(not_empty()),
            list_of_strings("apipa_addresses").validate(all(vec![
                at_least_items(1),
                each(pattern(
                    r"^169\.254\.(21|22)\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$",
                    "an IP address in the Azure-reserved APIPA range 169.254.21.0 - 169.254.22.255",
                )),
            ])),
            list_of_strings("default_addresses").computed_only(),
            list_of_strings("tunnel_ip_addresses").computed_only(),
        ],
        Vec::new(),
    )
    .max(2)
    .computed();

    block(
        "bgp_settings",
        vec![
            number("asn").validate(bgp_asn()).at_least_one_of(ONE_OF),
            number("peer_weight").at_least_one_of(ONE_OF),
        ],
        vec![peering_addresses],
    )
    .max(1)
    .computed()
}

/// §2.6 `azurerm_virtual_network_gateway`.
pub(super) fn virtual_network_gateway() -> ResourceSchema {
    resource_schema(
        "azurerm_virtual_network_gateway",
        vec![
            name(),
            resource_group_name(),
            location(),
            string("type")
                .required()
                .force_new()
                .validate(one_of(&["ExpressRoute", "Vpn"])),
            string("vpn_type")
                .force_new()
                .default(Value::string("RouteBased"))
                .validate(one_of(&["RouteBased", "PolicyBased"])),
            string("edge_zone").force_new().validate(not_empty()),
            boolean("bgp_enabled")
                .default(Value::Bool(false))
                .deprecated(&["enable_bgp"]),
            boolean("private_ip_address_enabled").force_new(),
            boolean("active_active").optional_computed(),
            // In place, except an ExpressRoute AZ↔non-AZ change, which is a plan rule.
            string("sku").required().validate(one_of(GATEWAY_SKUS)),
            string("generation")
                .optional_computed()
                .force_new()
                .validate(one_of(&["Generation1", "Generation2", "None"])),
            string("default_local_network_gateway_id").validate(local_network_gateway_id()),
            boolean("bgp_route_translation_for_nat_enabled").default(Value::Bool(false)),
            boolean("dns_forwarding_enabled"),
            boolean("ip_sec_replay_protection_enabled").default(Value::Bool(true)),
            number("maximum_scale_unit")
                .optional_computed()
                .validate(range(1.0, 40.0)),
            number("minimum_scale_unit")
                .optional_computed()
                .validate(range(1.0, 40.0)),
            boolean("remote_vnet_traffic_enabled").default(Value::Bool(false)),
            boolean("virtual_wan_traffic_enabled").default(Value::Bool(false)),
            tags(),
        ],
        vec![
            block(
                "ip_configuration",
                vec![
                    string("name").default(Value::string("vnetGatewayConfig")),
                    string("private_ip_address_allocation")
                        .default(Value::string("Dynamic"))
                        .validate(one_of(&["Static", "Dynamic"])),
                    string("subnet_id").required().validate(network_id!(
                        r"(?i:virtualNetworks)/[^/]+/(?i:subnets)/GatewaySubnet",
                        "a subnet ID whose subnet is named GatewaySubnet (/subscriptions/…/providers/Microsoft.Network/virtualNetworks/NAME/subnets/GatewaySubnet)"
                    )),
                    string("public_ip_address_id").validate(network_id!(
                        r"(?i:publicIPAddresses)/[^/]+",
                        "a public IP address ID (/subscriptions/…/providers/Microsoft.Network/publicIPAddresses/NAME)"
                    )),
                ],
                Vec::new(),
            )
            .required()
            .max(3)
            .force_new(),
            block(
                "policy_group",
                vec![
                    string("name").required().validate(policy_group_name()),
                    boolean("is_default").default(Value::Bool(false)),
                    number("priority")
                        .default(Value::int(0))
                        .validate(at_least(0.0)),
                ],
                vec![
                    block(
                        "policy_member",
                        vec![
                            string("name").required().validate(not_empty()),
                            string("type").required().validate(one_of(&[
                                "AADGroupId",
                                "CertificateGroupId",
                                "RadiusAzureGroupId",
                            ])),
                            string("value").required().validate(not_empty()),
                        ],
                        Vec::new(),
                    )
                    .required(),
                ],
            ),
            vpn_client_configuration(),
            gateway_bgp_settings(),
            block(
                "custom_route",
                vec![set_of_strings("address_prefixes").validate(each(Validation::Cidr))],
                Vec::new(),
            )
            .max(1),
        ],
    )
}

/// §2.8 `azurerm_local_network_gateway`.
pub(super) fn local_network_gateway() -> ResourceSchema {
    const ADDRESS_OR_FQDN: &[&str] = &["gateway_address", "gateway_fqdn"];
    resource_schema(
        "azurerm_local_network_gateway",
        vec![
            name(),
            location(),
            resource_group_name(),
            string("gateway_address").exactly_one_of(ADDRESS_OR_FQDN),
            string("gateway_fqdn").exactly_one_of(ADDRESS_OR_FQDN),
            set_of_strings("address_space").validate(each(Validation::Cidr)),
            tags(),
        ],
        vec![
            block(
                "bgp_settings",
                vec![
                    number("asn").required().validate(bgp_asn()),
                    string("bgp_peering_address").required(),
                    number("peer_weight"),
                ],
                Vec::new(),
            )
            .max(1),
        ],
    )
}

/// §2.7 `azurerm_virtual_network_gateway_connection`.
pub(super) fn virtual_network_gateway_connection() -> ResourceSchema {
    let mut ipsec_policy = ipsec_algorithms();
    ipsec_policy.push(
        number("sa_datasize")
            .optional_computed()
            .validate(range(0.0, MAX_INT32)),
    );
    ipsec_policy.push(
        number("sa_lifetime")
            .optional_computed()
            .validate(at_least(300.0)),
    );

    resource_schema(
        "azurerm_virtual_network_gateway_connection",
        vec![
            name(),
            resource_group_name(),
            location(),
            string("type")
                .required()
                .force_new()
                .validate(one_of(&["ExpressRoute", "IPsec", "Vnet2Vnet"])),
            string("virtual_network_gateway_id")
                .required()
                .force_new()
                .validate(virtual_network_gateway_id()),
            string("shared_key").optional_computed().sensitive(),
            string("authorization_key")
                .sensitive()
                .validate(not_empty()),
            number("dpd_timeout_seconds").force_new(),
            string("express_route_circuit_id")
                .force_new()
                .validate(network_id!(
                    r"(?i:expressRouteCircuits)/[^/]+",
                    "an ExpressRoute circuit ID (/subscriptions/…/providers/Microsoft.Network/expressRouteCircuits/NAME)"
                )),
            set_of_strings("egress_nat_rule_ids").validate(each(nat_rule_id())),
            set_of_strings("ingress_nat_rule_ids").validate(each(nat_rule_id())),
            string("peer_virtual_network_gateway_id")
                .force_new()
                .validate(virtual_network_gateway_id()),
            boolean("local_azure_ip_address_enabled").force_new(),
            string("local_network_gateway_id").validate(local_network_gateway_id()),
            boolean("bgp_enabled")
                .default(Value::Bool(false))
                .deprecated(&["enable_bgp"]),
            boolean("use_policy_based_traffic_selectors").optional_computed(),
            number("routing_weight")
                .optional_computed()
                .validate(range(0.0, 32000.0)),
            boolean("express_route_gateway_bypass").optional_computed(),
            boolean("private_link_fast_path_enabled").default(Value::Bool(false)),
            string("connection_protocol")
                .optional_computed()
                .force_new()
                .validate(one_of(&["IKEv1", "IKEv2"])),
            string("connection_mode")
                .force_new()
                .default(Value::string("Default"))
                .validate(one_of(&["InitiatorOnly", "ResponderOnly", "Default"])),
            tags(),
        ],
        vec![
            block(
                "traffic_selector_policy",
                vec![
                    list_of_strings("local_address_cidrs")
                        .required()
                        .validate(each(Validation::Cidr)),
                    list_of_strings("remote_address_cidrs")
                        .required()
                        .validate(each(Validation::Cidr)),
                ],
                Vec::new(),
            ),
            block(
                "custom_bgp_addresses",
                vec![
                    string("primary").required().validate(ipv4_address()),
                    string("secondary").validate(ipv4_address()),
                ],
                Vec::new(),
            )
            .max(1),
            block("ipsec_policy", ipsec_policy, Vec::new()).max(1),
        ],
    )
}
