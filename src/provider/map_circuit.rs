//! azurerm ↔ ARM for the ExpressRoute circuit family: `azurerm_express_route_circuit`, `_peering`,
//! `_authorization`, `_connection` (Global Reach) and `azurerm_route_filter` (reference §1.4, §1.5,
//! §2.1–§2.5). Request bodies leave out what the parent's GET keeps (peerings, authorizations,
//! Global Reach connections) so read-modify-write preserves them. Pure: no I/O.

use super::mapping::{Attrs, Body, Out, location_value, object};
use crate::arm::ResourceId;
use crate::lang::Value;
use anyhow::{Result, bail};
use serde_json::{Value as Json, json};

fn location(a: &Attrs) -> Result<Json> {
    Ok(json!(
        a.req_str("location")?.replace(' ', "").to_ascii_lowercase()
    ))
}

pub fn circuit_body(a: &Attrs, creating: bool) -> Result<Json> {
    let sku = a
        .block("sku")?
        .ok_or_else(|| anyhow::anyhow!("azurerm_express_route_circuit.sku is required"))?;
    let tier = sku.req_str("tier")?;
    let family = sku.req_str("family")?;
    let port = a.str("express_route_port_id")?;
    let mut properties = object(vec![
        (
            "allowClassicOperations",
            a.j_bool("allow_classic_operations")?,
        ),
        ("authorizationKey", a.j_str("authorization_key")?),
    ]);
    match port {
        Some(port) => {
            properties["expressRoutePort"] = json!({ "id": port });
            if let Some(gbps) = a.float("bandwidth_in_gbps")? {
                properties["bandwidthInGbps"] = json!(gbps);
            }
            if let Some(limit) = a.bool("rate_limiting_enabled")? {
                properties["enableDirectPortRateLimit"] = json!(limit);
            }
        }
        None => {
            let mbps = a.int("bandwidth_in_mbps")?.ok_or_else(|| {
                anyhow::anyhow!(
                    "azurerm_express_route_circuit.bandwidth_in_mbps is needed for a provider circuit"
                )
            })?;
            properties["serviceProviderProperties"] = json!({
                "serviceProviderName": a.req_str("service_provider_name")?,
                "peeringLocation": a.req_str("peering_location")?,
                "bandwidthInMbps": mbps,
            });
        }
    }
    if creating {
        // Empty only on create: an update keeps what GET returned (reference §1.6 G1).
        properties["peerings"] = json!([]);
        properties["authorizations"] = json!([]);
    }
    Ok(object(vec![
        ("location", Some(location(a)?)),
        ("tags", a.j_tags()?),
        (
            "sku",
            Some(json!({ "name": format!("{tier}_{family}"), "tier": tier, "family": family })),
        ),
        ("properties", Some(properties)),
    ]))
}

pub fn circuit_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(id.name()));
    out.set("resource_group_name", Value::string(&id.resource_group));
    out.set("location", location_value(r));
    out.set("tags", r.tags());
    let mut sku = Out::default();
    sku.set("tier", r.str(&["sku", "tier"]));
    sku.set("family", r.str(&["sku", "family"]));
    out.blocks("sku", vec![sku]);
    let p = ["properties"];
    let at = |k: &'static str| [p[0], k];
    out.set(
        "allow_classic_operations",
        r.bool(&at("allowClassicOperations")),
    );
    out.set(
        "service_provider_name",
        r.str(&[
            "properties",
            "serviceProviderProperties",
            "serviceProviderName",
        ]),
    );
    out.set(
        "peering_location",
        r.str(&["properties", "serviceProviderProperties", "peeringLocation"]),
    );
    out.set(
        "bandwidth_in_mbps",
        r.num(&["properties", "serviceProviderProperties", "bandwidthInMbps"]),
    );
    out.set("bandwidth_in_gbps", r.num(&at("bandwidthInGbps")));
    out.set("express_route_port_id", r.ref_id(&at("expressRoutePort")));
    let rate = r.bool(&at("enableDirectPortRateLimit"));
    out.set(
        "rate_limiting_enabled",
        if rate.is_null() {
            Value::Bool(false)
        } else {
            rate
        },
    );
    out.set(
        "service_provider_provisioning_state",
        r.str(&at("serviceProviderProvisioningState")),
    );
    out.set("service_key", r.str(&at("serviceKey")));
    let key = r.str(&at("authorizationKey"));
    if !key.is_null() {
        out.set("authorization_key", key);
    }
}

const PEERING_TYPES: &[&str] = &[
    "AzurePrivatePeering",
    "AzurePublicPeering",
    "MicrosoftPeering",
];

fn microsoft_config(block: &Attrs, prefixes_key: &str) -> Result<Json> {
    Ok(object(vec![
        ("advertisedPublicPrefixes", block.j_strings(prefixes_key)?),
        ("customerASN", block.j_int("customer_asn")?),
        ("routingRegistryName", block.j_str("routing_registry_name")?),
        (
            "advertisedCommunities",
            block.j_strings("advertised_communities")?,
        ),
    ]))
}

pub fn peering_body(a: &Attrs) -> Result<Json> {
    let peering_type = a.req_str("peering_type")?;
    if !PEERING_TYPES.contains(&peering_type) {
        bail!(
            "azurerm_express_route_circuit_peering.peering_type {peering_type:?} must be one of {PEERING_TYPES:?}"
        );
    }
    let state = |enabled: Option<bool>| {
        json!(if enabled.unwrap_or(true) {
            "Enabled"
        } else {
            "Disabled"
        })
    };
    let mut properties = object(vec![
        ("peeringType", Some(json!(peering_type))),
        ("peerASN", a.j_int("peer_asn")?),
        ("vlanId", a.j_int("vlan_id")?),
        (
            "primaryPeerAddressPrefix",
            a.j_str("primary_peer_address_prefix")?,
        ),
        (
            "secondaryPeerAddressPrefix",
            a.j_str("secondary_peer_address_prefix")?,
        ),
        ("sharedKey", a.j_str("shared_key")?),
        ("state", Some(state(a.bool("ipv4_enabled")?))),
        ("routeFilter", a.j_ref("route_filter_id")?),
    ]);
    properties["microsoftPeeringConfig"] = match a.block("microsoft_peering_config")? {
        Some(block) => microsoft_config(&block, "advertised_public_prefixes")?,
        None => Json::Null,
    };
    properties["ipv6PeeringConfig"] = match a.block("ipv6")? {
        Some(v6) => {
            let mut config = object(vec![
                (
                    "primaryPeerAddressPrefix",
                    v6.j_str("primary_peer_address_prefix")?,
                ),
                (
                    "secondaryPeerAddressPrefix",
                    v6.j_str("secondary_peer_address_prefix")?,
                ),
                ("state", Some(state(v6.bool("enabled")?))),
                ("routeFilter", v6.j_ref("route_filter_id")?),
            ]);
            if let Some(ms) = v6.block("microsoft_peering")? {
                config["microsoftPeeringConfig"] =
                    microsoft_config(&ms, "advertised_public_prefixes")?;
            }
            config
        }
        None => Json::Null,
    };
    Ok(json!({ "properties": properties }))
}

fn microsoft_attrs(r: &Body, base: &[&str]) -> Vec<Out> {
    if r.at(base).is_none() {
        return Vec::new();
    }
    let path = |k: &'static str| {
        let mut p = base.to_vec();
        p.push(k);
        p
    };
    let prefixes = r.strings(&path("advertisedPublicPrefixes"));
    if prefixes.as_list().is_none_or(<[Value]>::is_empty) {
        return Vec::new();
    }
    let mut m = Out::default();
    m.set("advertised_public_prefixes", prefixes);
    let asn = r.num(&path("customerASN"));
    m.set(
        "customer_asn",
        if asn.is_null() { Value::int(0) } else { asn },
    );
    let registry = r.str(&path("routingRegistryName"));
    m.set(
        "routing_registry_name",
        if registry.is_null() {
            Value::string("NONE")
        } else {
            registry
        },
    );
    m.set(
        "advertised_communities",
        r.strings(&path("advertisedCommunities")),
    );
    vec![m]
}

pub fn peering_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("peering_type", Value::string(id.name()));
    out.set(
        "express_route_circuit_name",
        Value::string(id.names.first().map(String::as_str).unwrap_or("")),
    );
    out.set("resource_group_name", Value::string(&id.resource_group));
    let p = |k: &'static str| ["properties", k];
    out.set(
        "primary_peer_address_prefix",
        r.str(&p("primaryPeerAddressPrefix")),
    );
    out.set(
        "secondary_peer_address_prefix",
        r.str(&p("secondaryPeerAddressPrefix")),
    );
    out.set(
        "ipv4_enabled",
        Value::Bool(r.at(&p("state")).and_then(Json::as_str) != Some("Disabled")),
    );
    out.set("vlan_id", r.num(&p("vlanId")));
    out.set("peer_asn", r.num(&p("peerASN")));
    out.set("azure_asn", r.num(&p("azureASN")));
    out.set("primary_azure_port", r.str(&p("primaryAzurePort")));
    out.set("secondary_azure_port", r.str(&p("secondaryAzurePort")));
    out.set("route_filter_id", r.ref_id(&p("routeFilter")));
    out.set("gateway_manager_etag", r.str(&p("gatewayManagerEtag")));
    let key = r.str(&p("sharedKey"));
    if !key.is_null() {
        out.set("shared_key", key);
    }
    out.blocks(
        "microsoft_peering_config",
        microsoft_attrs(r, &["properties", "microsoftPeeringConfig"]),
    );
    let v6 = ["properties", "ipv6PeeringConfig"];
    let ipv6 = if r.at(&v6).is_some() {
        let q = |k: &'static str| ["properties", "ipv6PeeringConfig", k];
        let mut o = Out::default();
        o.set(
            "primary_peer_address_prefix",
            r.str(&q("primaryPeerAddressPrefix")),
        );
        o.set(
            "secondary_peer_address_prefix",
            r.str(&q("secondaryPeerAddressPrefix")),
        );
        o.set(
            "enabled",
            Value::Bool(r.at(&q("state")).and_then(Json::as_str) != Some("Disabled")),
        );
        o.set("route_filter_id", r.ref_id(&q("routeFilter")));
        o.blocks(
            "microsoft_peering",
            microsoft_attrs(
                r,
                &["properties", "ipv6PeeringConfig", "microsoftPeeringConfig"],
            ),
        );
        vec![o]
    } else {
        Vec::new()
    };
    out.blocks("ipv6", ipv6);
}

pub fn authorization_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(id.name()));
    out.set("resource_group_name", Value::string(&id.resource_group));
    out.set(
        "express_route_circuit_name",
        Value::string(id.names.first().map(String::as_str).unwrap_or("")),
    );
    out.set(
        "authorization_key",
        r.str(&["properties", "authorizationKey"]),
    );
    out.set(
        "authorization_use_status",
        r.str(&["properties", "authorizationUseStatus"]),
    );
}

pub fn global_reach_body(a: &Attrs) -> Result<Json> {
    let mut properties = object(vec![
        ("expressRouteCircuitPeering", a.j_ref("peering_id")?),
        (
            "peerExpressRouteCircuitPeering",
            a.j_ref("peer_peering_id")?,
        ),
        ("addressPrefix", a.j_str("address_prefix_ipv4")?),
        ("authorizationKey", a.j_str("authorization_key")?),
    ]);
    properties["ipv6CircuitConnectionConfig"] = match a.str("address_prefix_ipv6")? {
        Some(prefix) => json!({ "addressPrefix": prefix }),
        None => Json::Null,
    };
    Ok(json!({ "properties": properties }))
}

pub fn global_reach_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(id.name()));
    let p = |k: &'static str| ["properties", k];
    let peering = r.ref_id(&p("expressRouteCircuitPeering"));
    out.set(
        "peering_id",
        if peering.is_null() {
            id.parent()
                .map(|p| Value::string(p.to_string()))
                .unwrap_or(Value::Null)
        } else {
            peering
        },
    );
    out.set(
        "peer_peering_id",
        r.ref_id(&p("peerExpressRouteCircuitPeering")),
    );
    out.set("address_prefix_ipv4", r.str(&p("addressPrefix")));
    out.set(
        "address_prefix_ipv6",
        r.str(&["properties", "ipv6CircuitConnectionConfig", "addressPrefix"]),
    );
    let key = r.str(&p("authorizationKey"));
    if !key.is_null() {
        out.set("authorization_key", key);
    }
}

pub fn route_filter_body(a: &Attrs, creating: bool) -> Result<Json> {
    let mut properties = json!({});
    match a.blocks("rule")? {
        // Unknown: the configuration leaves the rule to whatever exists (Optional+Computed).
        None => {
            if creating {
                properties["rules"] = json!([]);
            }
        }
        Some(rules) => {
            let rules = rules
                .iter()
                .map(|rule| {
                    Ok(json!({
                        "name": rule.req_str("name")?,
                        "properties": {
                            "access": rule.req_str("access")?,
                            "routeFilterRuleType": rule.req_str("rule_type")?,
                            "communities": rule.strings("communities")?.unwrap_or_default(),
                        }
                    }))
                })
                .collect::<Result<Vec<_>>>()?;
            properties["rules"] = Json::Array(rules);
        }
    }
    Ok(object(vec![
        ("location", Some(location(a)?)),
        ("tags", a.j_tags()?),
        ("properties", Some(properties)),
    ]))
}

pub fn route_filter_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(id.name()));
    out.set("resource_group_name", Value::string(&id.resource_group));
    out.set("location", location_value(r));
    out.set("tags", r.tags());
    let rules = r
        .items(&["properties", "rules"])
        .into_iter()
        .map(|rule| {
            let mut o = Out::default();
            o.set("name", rule.str(&["name"]));
            o.set("access", rule.str(&["properties", "access"]));
            o.set(
                "rule_type",
                rule.str(&["properties", "routeFilterRuleType"]),
            );
            o.set("communities", rule.strings(&["properties", "communities"]));
            o
        })
        .collect();
    out.blocks("rule", rules);
}
