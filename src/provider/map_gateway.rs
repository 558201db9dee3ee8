//! azurerm ↔ ARM for the gateway side: `azurerm_virtual_network_gateway`,
//! `azurerm_local_network_gateway` and `azurerm_virtual_network_gateway_connection` (reference
//! §1.4, §1.5, §2.6–§2.8). Arguments peerform cannot send yet (P2S policy groups, RADIUS server
//! lists, custom BGP addresses) are refused with a clear error instead of being dropped. Pure: no I/O.

use super::mapping::{Attrs, Body, Out, location_value, object};
use crate::arm::ResourceId;
use crate::lang::Value;
use anyhow::Result;
use serde_json::{Value as Json, json};

fn location(a: &Attrs) -> Result<Json> {
    Ok(json!(
        a.req_str("location")?.replace(' ', "").to_ascii_lowercase()
    ))
}

fn or(value: Value, default: Value) -> Value {
    if value.is_null() { default } else { value }
}

fn vpn_client_configuration(a: &Attrs) -> Result<Json> {
    let Some(vpn) = a.block("vpn_client_configuration")? else {
        return Ok(Json::Null);
    };
    vpn.unsupported(&[
        "virtual_network_gateway_client_connection",
        "ipsec_policy",
        "radius_server",
    ])?;
    let roots = vpn
        .blocks("root_certificate")?
        .unwrap_or_default()
        .iter()
        .map(|c| {
            Ok(json!({ "name": c.req_str("name")?, "properties": { "publicCertData": c.req_str("public_cert_data")? } }))
        })
        .collect::<Result<Vec<_>>>()?;
    let revoked = vpn
        .blocks("revoked_certificate")?
        .unwrap_or_default()
        .iter()
        .map(|c| {
            Ok(json!({ "name": c.req_str("name")?, "properties": { "thumbprint": c.req_str("thumbprint")? } }))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(object(vec![
        (
            "vpnClientAddressPool",
            Some(json!({ "addressPrefixes": vpn.strings("address_space")?.unwrap_or_default() })),
        ),
        ("aadTenant", vpn.j_str("aad_tenant")?),
        ("aadAudience", vpn.j_str("aad_audience")?),
        ("aadIssuer", vpn.j_str("aad_issuer")?),
        ("radiusServerAddress", vpn.j_str("radius_server_address")?),
        ("radiusServerSecret", vpn.j_str("radius_server_secret")?),
        ("vpnAuthenticationTypes", vpn.j_strings("vpn_auth_types")?),
        ("vpnClientProtocols", vpn.j_strings("vpn_client_protocols")?),
        ("vpnClientRootCertificates", Some(Json::Array(roots))),
        ("vpnClientRevokedCertificates", Some(Json::Array(revoked))),
    ]))
}

pub fn gateway_body(a: &Attrs) -> Result<Json> {
    a.unsupported(&["policy_group"])?;
    let gateway_type = a.req_str("type")?;
    let sku = a.req_str("sku")?;
    let express_route = gateway_type == "ExpressRoute";
    let ip_configurations = a
        .blocks("ip_configuration")?
        .unwrap_or_default()
        .iter()
        .map(|c| {
            let name = c.str("name")?.unwrap_or("vnetGatewayConfig");
            Ok(json!({
                "name": name,
                "properties": object(vec![
                    ("privateIPAllocationMethod", Some(json!(c.str("private_ip_address_allocation")?.unwrap_or("Dynamic")))),
                    ("subnet", Some(json!({ "id": c.req_str("subnet_id")? }))),
                    ("publicIPAddress", c.j_ref("public_ip_address_id")?),
                ]),
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    let mut properties = object(vec![
        ("gatewayType", Some(json!(gateway_type))),
        ("sku", Some(json!({ "name": sku, "tier": sku }))),
        ("enableBgp", a.j_bool("bgp_enabled")?),
        ("activeActive", a.j_bool("active_active")?),
        (
            "enablePrivateIpAddress",
            a.j_bool("private_ip_address_enabled")?,
        ),
        (
            "gatewayDefaultSite",
            a.j_ref("default_local_network_gateway_id")?,
        ),
        (
            "enableBgpRouteTranslationForNat",
            a.j_bool("bgp_route_translation_for_nat_enabled")?,
        ),
        ("enableDnsForwarding", a.j_bool("dns_forwarding_enabled")?),
        (
            "allowRemoteVnetTraffic",
            a.j_bool("remote_vnet_traffic_enabled")?,
        ),
        (
            "allowVirtualWanTraffic",
            a.j_bool("virtual_wan_traffic_enabled")?,
        ),
        ("ipConfigurations", Some(Json::Array(ip_configurations))),
    ]);
    if !express_route {
        properties["vpnType"] = a.j_str("vpn_type")?.unwrap_or(Json::Null);
    }
    properties["vpnGatewayGeneration"] = match a.str("generation")? {
        Some(g) => json!(g),
        None if express_route => json!("None"),
        None => Json::Null,
    };
    if let Some(replay) = a.bool("ip_sec_replay_protection_enabled")?
        && !express_route
    {
        properties["disableIPSecReplayProtection"] = json!(!replay);
    }
    let (min, max) = (a.int("minimum_scale_unit")?, a.int("maximum_scale_unit")?);
    if min.is_some() || max.is_some() {
        properties["autoScaleConfiguration"] = json!({ "bounds": object(vec![
            ("min", min.map(|v| json!(v))),
            ("max", max.map(|v| json!(v))),
        ]) });
    }
    if let Some(bgp) = a.block("bgp_settings")? {
        let mut settings = object(vec![
            ("asn", bgp.j_int("asn")?),
            ("peerWeight", bgp.j_int("peer_weight")?),
        ]);
        if let Some(addresses) = bgp.blocks("peering_addresses")? {
            let items = addresses
                .iter()
                .map(|p| {
                    let config = p
                        .str("ip_configuration_name")?
                        .unwrap_or("vnetGatewayConfig");
                    Ok(object(vec![
                        ("ipconfigurationId", Some(json!(config))),
                        ("customBgpIpAddresses", p.j_strings("apipa_addresses")?),
                    ]))
                })
                .collect::<Result<Vec<_>>>()?;
            if !items.is_empty() {
                settings["bgpPeeringAddresses"] = Json::Array(items);
            }
        }
        properties["bgpSettings"] = settings;
    }
    properties["customRoutes"] = match a.block("custom_route")? {
        Some(c) => json!({ "addressPrefixes": c.strings("address_prefixes")?.unwrap_or_default() }),
        None => Json::Null,
    };
    properties["vpnClientConfiguration"] = vpn_client_configuration(a)?;
    Ok(object(vec![
        ("location", Some(location(a)?)),
        ("tags", a.j_tags()?),
        (
            "extendedLocation",
            a.str("edge_zone")?
                .map(|z| json!({ "name": z, "type": "EdgeZone" })),
        ),
        ("properties", Some(properties)),
    ]))
}

/// The ipConfiguration id a BGP peering address names, back to its configuration name.
fn ip_configuration_name(text: &str) -> String {
    text.rsplit('/').next().unwrap_or(text).to_string()
}

pub fn gateway_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(id.name()));
    out.set("resource_group_name", Value::string(&id.resource_group));
    out.set("location", location_value(r));
    out.set("tags", r.tags());
    let p = |k: &'static str| ["properties", k];
    out.set("type", r.str(&p("gatewayType")));
    out.set(
        "vpn_type",
        or(r.str(&p("vpnType")), Value::string("RouteBased")),
    );
    out.set("edge_zone", r.str(&["extendedLocation", "name"]));
    out.set(
        "bgp_enabled",
        or(r.bool(&p("enableBgp")), Value::Bool(false)),
    );
    out.set(
        "private_ip_address_enabled",
        r.bool(&p("enablePrivateIpAddress")),
    );
    out.set(
        "active_active",
        or(r.bool(&p("activeActive")), Value::Bool(false)),
    );
    out.set("sku", r.str(&["properties", "sku", "name"]));
    out.set("generation", r.str(&p("vpnGatewayGeneration")));
    out.set(
        "default_local_network_gateway_id",
        r.ref_id(&p("gatewayDefaultSite")),
    );
    out.set(
        "bgp_route_translation_for_nat_enabled",
        or(
            r.bool(&p("enableBgpRouteTranslationForNat")),
            Value::Bool(false),
        ),
    );
    out.set("dns_forwarding_enabled", r.bool(&p("enableDnsForwarding")));
    out.set(
        "ip_sec_replay_protection_enabled",
        Value::Bool(
            !r.bool(&p("disableIPSecReplayProtection"))
                .as_bool()
                .unwrap_or(false),
        ),
    );
    out.set(
        "minimum_scale_unit",
        r.num(&["properties", "autoScaleConfiguration", "bounds", "min"]),
    );
    out.set(
        "maximum_scale_unit",
        r.num(&["properties", "autoScaleConfiguration", "bounds", "max"]),
    );
    out.set(
        "remote_vnet_traffic_enabled",
        or(r.bool(&p("allowRemoteVnetTraffic")), Value::Bool(false)),
    );
    out.set(
        "virtual_wan_traffic_enabled",
        or(r.bool(&p("allowVirtualWanTraffic")), Value::Bool(false)),
    );
    let configs = r
        .items(&p("ipConfigurations"))
        .into_iter()
        .map(|c| {
            let mut o = Out::default();
            o.set("name", c.str(&["name"]));
            o.set(
                "private_ip_address_allocation",
                or(
                    c.str(&["properties", "privateIPAllocationMethod"]),
                    Value::string("Dynamic"),
                ),
            );
            o.set("subnet_id", c.ref_id(&["properties", "subnet"]));
            o.set(
                "public_ip_address_id",
                c.ref_id(&["properties", "publicIPAddress"]),
            );
            o
        })
        .collect();
    out.blocks("ip_configuration", configs);
    let bgp = match r.at(&p("bgpSettings")) {
        Some(_) => {
            let q = |k: &'static str| ["properties", "bgpSettings", k];
            let mut o = Out::default();
            o.set("asn", r.num(&q("asn")));
            o.set("peer_weight", r.num(&q("peerWeight")));
            let addresses = r
                .items(&q("bgpPeeringAddresses"))
                .into_iter()
                .map(|a| {
                    let mut x = Out::default();
                    let config = a
                        .at(&["ipconfigurationId"])
                        .and_then(Json::as_str)
                        .unwrap_or("");
                    x.set(
                        "ip_configuration_name",
                        Value::string(ip_configuration_name(config)),
                    );
                    x.set("apipa_addresses", a.strings(&["customBgpIpAddresses"]));
                    x.set("default_addresses", a.strings(&["defaultBgpIpAddresses"]));
                    x.set("tunnel_ip_addresses", a.strings(&["tunnelIpAddresses"]));
                    x
                })
                .collect();
            o.blocks("peering_addresses", addresses);
            vec![o]
        }
        None => Vec::new(),
    };
    out.blocks("bgp_settings", bgp);
    let custom = match r.at(&p("customRoutes")) {
        Some(_) => {
            let mut o = Out::default();
            o.set(
                "address_prefixes",
                r.strings(&["properties", "customRoutes", "addressPrefixes"]),
            );
            vec![o]
        }
        None => Vec::new(),
    };
    out.blocks("custom_route", custom);
    let vpn = match r.at(&p("vpnClientConfiguration")) {
        Some(_) => {
            let q = |k: &'static str| ["properties", "vpnClientConfiguration", k];
            let mut o = Out::default();
            o.set(
                "address_space",
                r.strings(&[
                    "properties",
                    "vpnClientConfiguration",
                    "vpnClientAddressPool",
                    "addressPrefixes",
                ]),
            );
            o.set("aad_tenant", r.str(&q("aadTenant")));
            o.set("aad_audience", r.str(&q("aadAudience")));
            o.set("aad_issuer", r.str(&q("aadIssuer")));
            o.set("radius_server_address", r.str(&q("radiusServerAddress")));
            o.set("vpn_auth_types", r.strings(&q("vpnAuthenticationTypes")));
            o.set("vpn_client_protocols", r.strings(&q("vpnClientProtocols")));
            let certs = |key: &'static str, field: &'static str, attr: &str| -> Vec<Out> {
                r.items(&["properties", "vpnClientConfiguration", key])
                    .into_iter()
                    .map(|c| {
                        let mut x = Out::default();
                        x.set("name", c.str(&["name"]));
                        x.set(attr, c.str(&["properties", field]));
                        x
                    })
                    .collect()
            };
            o.blocks(
                "root_certificate",
                certs(
                    "vpnClientRootCertificates",
                    "publicCertData",
                    "public_cert_data",
                ),
            );
            o.blocks(
                "revoked_certificate",
                certs("vpnClientRevokedCertificates", "thumbprint", "thumbprint"),
            );
            vec![o]
        }
        None => Vec::new(),
    };
    out.blocks("vpn_client_configuration", vpn);
}

pub fn local_gateway_body(a: &Attrs) -> Result<Json> {
    let bgp = match a.block("bgp_settings")? {
        Some(b) => object(vec![
            ("asn", b.j_int("asn")?),
            ("bgpPeeringAddress", b.j_str("bgp_peering_address")?),
            ("peerWeight", b.j_int("peer_weight")?),
        ]),
        None => Json::Null,
    };
    Ok(object(vec![
        ("location", Some(location(a)?)),
        ("tags", a.j_tags()?),
        (
            "properties",
            Some(object(vec![
                ("gatewayIpAddress", a.j_str("gateway_address")?),
                ("fqdn", a.j_str("gateway_fqdn")?),
                (
                    "localNetworkAddressSpace",
                    Some(
                        json!({ "addressPrefixes": a.strings("address_space")?.unwrap_or_default() }),
                    ),
                ),
                ("bgpSettings", Some(bgp)),
            ])),
        ),
    ]))
}

pub fn local_gateway_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(id.name()));
    out.set("resource_group_name", Value::string(&id.resource_group));
    out.set("location", location_value(r));
    out.set("tags", r.tags());
    out.set(
        "gateway_address",
        r.str(&["properties", "gatewayIpAddress"]),
    );
    out.set("gateway_fqdn", r.str(&["properties", "fqdn"]));
    out.set(
        "address_space",
        r.strings(&["properties", "localNetworkAddressSpace", "addressPrefixes"]),
    );
    let bgp = match r.at(&["properties", "bgpSettings"]) {
        Some(_) => {
            let q = |k: &'static str| ["properties", "bgpSettings", k];
            let mut o = Out::default();
            o.set("asn", r.num(&q("asn")));
            o.set("bgp_peering_address", r.str(&q("bgpPeeringAddress")));
            o.set("peer_weight", r.num(&q("peerWeight")));
            vec![o]
        }
        None => Vec::new(),
    };
    out.blocks("bgp_settings", bgp);
}

/// An embedded gateway reference as the connection body wants it (`properties` is required).
fn gateway_ref(id: Option<&str>) -> Option<Json> {
    id.map(|id| json!({ "id": id, "properties": {} }))
}

pub fn connection_body(a: &Attrs) -> Result<Json> {
    a.unsupported(&["custom_bgp_addresses"])?;
    let connection_type = a.req_str("type")?;
    let rules = |key: &str| -> Result<Option<Json>> {
        Ok(Some(match a.strings(key)? {
            Some(ids) => Json::Array(ids.into_iter().map(|id| json!({ "id": id })).collect()),
            None => Json::Null,
        }))
    };
    let selectors = a
        .blocks("traffic_selector_policy")?
        .unwrap_or_default()
        .iter()
        .map(|s| {
            Ok(json!({
                "localAddressRanges": s.strings("local_address_cidrs")?.unwrap_or_default(),
                "remoteAddressRanges": s.strings("remote_address_cidrs")?.unwrap_or_default(),
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    let policies = a
        .blocks("ipsec_policy")?
        .unwrap_or_default()
        .iter()
        .map(|p| {
            Ok(json!({
                "dhGroup": p.req_str("dh_group")?,
                "ikeEncryption": p.req_str("ike_encryption")?,
                "ikeIntegrity": p.req_str("ike_integrity")?,
                "ipsecEncryption": p.req_str("ipsec_encryption")?,
                "ipsecIntegrity": p.req_str("ipsec_integrity")?,
                "pfsGroup": p.req_str("pfs_group")?,
                // Azure's defaults when azurerm leaves them to it.
                "saDataSizeKilobytes": p.int("sa_datasize")?.unwrap_or(102_400_000),
                "saLifeTimeSeconds": p.int("sa_lifetime")?.unwrap_or(27_000),
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    let properties = object(vec![
        ("connectionType", Some(json!(connection_type))),
        (
            "virtualNetworkGateway1",
            gateway_ref(Some(a.req_str("virtual_network_gateway_id")?)),
        ),
        (
            "virtualNetworkGateway2",
            Some(gateway_ref(a.str("peer_virtual_network_gateway_id")?).unwrap_or(Json::Null)),
        ),
        (
            "localNetworkGateway2",
            Some(gateway_ref(a.str("local_network_gateway_id")?).unwrap_or(Json::Null)),
        ),
        ("peer", a.j_ref("express_route_circuit_id")?),
        ("authorizationKey", a.j_str("authorization_key")?),
        ("sharedKey", a.j_str("shared_key")?),
        ("routingWeight", a.j_int("routing_weight")?),
        ("enableBgp", a.j_bool("bgp_enabled")?),
        (
            "usePolicyBasedTrafficSelectors",
            a.j_bool("use_policy_based_traffic_selectors")?,
        ),
        (
            "expressRouteGatewayBypass",
            a.j_bool("express_route_gateway_bypass")?,
        ),
        (
            "enablePrivateLinkFastPath",
            a.j_bool("private_link_fast_path_enabled")?,
        ),
        ("connectionProtocol", a.j_str("connection_protocol")?),
        ("connectionMode", a.j_str("connection_mode")?),
        ("dpdTimeoutSeconds", a.j_int("dpd_timeout_seconds")?),
        (
            "useLocalAzureIpAddress",
            a.j_bool("local_azure_ip_address_enabled")?,
        ),
        ("egressNatRules", rules("egress_nat_rule_ids")?),
        ("ingressNatRules", rules("ingress_nat_rule_ids")?),
        ("trafficSelectorPolicies", Some(Json::Array(selectors))),
        ("ipsecPolicies", Some(Json::Array(policies))),
    ]);
    Ok(object(vec![
        ("location", Some(location(a)?)),
        ("tags", a.j_tags()?),
        ("properties", Some(properties)),
    ]))
}

pub fn connection_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(id.name()));
    out.set("resource_group_name", Value::string(&id.resource_group));
    out.set("location", location_value(r));
    out.set("tags", r.tags());
    let p = |k: &'static str| ["properties", k];
    out.set("type", r.str(&p("connectionType")));
    out.set(
        "virtual_network_gateway_id",
        r.ref_id(&p("virtualNetworkGateway1")),
    );
    out.set(
        "peer_virtual_network_gateway_id",
        r.ref_id(&p("virtualNetworkGateway2")),
    );
    out.set(
        "local_network_gateway_id",
        r.ref_id(&p("localNetworkGateway2")),
    );
    out.set("express_route_circuit_id", r.ref_id(&p("peer")));
    out.set("routing_weight", r.num(&p("routingWeight")));
    out.set(
        "bgp_enabled",
        or(r.bool(&p("enableBgp")), Value::Bool(false)),
    );
    out.set(
        "use_policy_based_traffic_selectors",
        r.bool(&p("usePolicyBasedTrafficSelectors")),
    );
    out.set(
        "express_route_gateway_bypass",
        r.bool(&p("expressRouteGatewayBypass")),
    );
    out.set(
        "private_link_fast_path_enabled",
        or(r.bool(&p("enablePrivateLinkFastPath")), Value::Bool(false)),
    );
    out.set("connection_protocol", r.str(&p("connectionProtocol")));
    out.set(
        "connection_mode",
        or(r.str(&p("connectionMode")), Value::string("Default")),
    );
    out.set("dpd_timeout_seconds", r.num(&p("dpdTimeoutSeconds")));
    out.set(
        "local_azure_ip_address_enabled",
        r.bool(&p("useLocalAzureIpAddress")),
    );
    let ids = |key: &'static str| {
        Value::set(
            r.items(&["properties", key])
                .iter()
                .map(|x| x.str(&["id"]))
                .collect(),
        )
    };
    out.set("egress_nat_rule_ids", ids("egressNatRules"));
    out.set("ingress_nat_rule_ids", ids("ingressNatRules"));
    let selectors = r
        .items(&p("trafficSelectorPolicies"))
        .into_iter()
        .map(|s| {
            let mut o = Out::default();
            o.set("local_address_cidrs", s.strings(&["localAddressRanges"]));
            o.set("remote_address_cidrs", s.strings(&["remoteAddressRanges"]));
            o
        })
        .collect();
    out.blocks("traffic_selector_policy", selectors);
    let policies = r
        .items(&p("ipsecPolicies"))
        .into_iter()
        .map(|s| {
            let mut o = Out::default();
            o.set("dh_group", s.str(&["dhGroup"]));
            o.set("ike_encryption", s.str(&["ikeEncryption"]));
            o.set("ike_integrity", s.str(&["ikeIntegrity"]));
            o.set("ipsec_encryption", s.str(&["ipsecEncryption"]));
            o.set("ipsec_integrity", s.str(&["ipsecIntegrity"]));
            o.set("pfs_group", s.str(&["pfsGroup"]));
            o.set("sa_datasize", s.num(&["saDataSizeKilobytes"]));
            o.set("sa_lifetime", s.num(&["saLifeTimeSeconds"]));
            o
        })
        .collect();
    out.blocks("ipsec_policy", policies);
    let key = r.str(&p("sharedKey"));
    if !key.is_null() {
        out.set("shared_key", key);
    }
    let key = r.str(&p("authorizationKey"));
    if !key.is_null() {
        out.set("authorization_key", key);
    }
}
