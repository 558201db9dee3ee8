//! azurerm ↔ ARM for the plain networking types: `azurerm_resource_group`, `azurerm_virtual_network`
//! (inline `subnet` blocks sent only when the configuration manages them; otherwise the subnets GET
//! returned are kept), `azurerm_subnet` and `azurerm_public_ip` (reference §1.4, §2.9–§2.12). Pure:
//! no I/O.

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

fn edge_zone(a: &Attrs) -> Result<Option<Json>> {
    Ok(a.str("edge_zone")?
        .map(|z| json!({ "name": z, "type": "EdgeZone" })))
}

pub fn resource_group_body(a: &Attrs) -> Result<Json> {
    Ok(object(vec![
        ("location", Some(location(a)?)),
        ("tags", a.j_tags()?),
        ("managedBy", a.j_str("managed_by")?),
    ]))
}

pub fn resource_group_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(&id.resource_group));
    out.set("location", location_value(r));
    out.set("tags", r.tags());
    out.set("managed_by", r.str(&["managedBy"]));
}

fn delegations(a: &Attrs) -> Result<Json> {
    let items = a
        .blocks("delegation")?
        .unwrap_or_default()
        .iter()
        .map(|d| {
            let service = d.block("service_delegation")?;
            let (name, actions) = match &service {
                Some(s) => (s.j_str("name")?, s.j_strings("actions")?),
                None => (None, None),
            };
            Ok(json!({
                "name": d.req_str("name")?,
                "properties": object(vec![("serviceName", name), ("actions", actions)]),
            }))
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Json::Array(items))
}

fn service_endpoints(a: &Attrs) -> Result<Option<Json>> {
    let mut items = Vec::new();
    if let Some(names) = a.strings("service_endpoints")? {
        items.extend(names.into_iter().map(|s| json!({ "service": s })));
    }
    for block in a.blocks("service_endpoint")?.unwrap_or_default() {
        items.push(object(vec![
            ("service", block.j_str("service")?),
            ("networkIdentifier", block.j_ref("network_identifier")?),
        ]));
    }
    Ok(Some(Json::Array(items)))
}

fn policies_enabled(flag: Option<bool>) -> Json {
    json!(if flag.unwrap_or(true) {
        "Enabled"
    } else {
        "Disabled"
    })
}

/// The subnet `properties` shared by `azurerm_subnet` and an inline `subnet` block.
fn subnet_properties(a: &Attrs) -> Result<Json> {
    let policy_ids = a
        .strings("service_endpoint_policy_ids")?
        .map(|ids| Json::Array(ids.into_iter().map(|id| json!({ "id": id })).collect()));
    Ok(object(vec![
        ("addressPrefixes", a.j_strings("address_prefixes")?),
        (
            "defaultOutboundAccess",
            a.j_bool("default_outbound_access_enabled")?,
        ),
        (
            "privateEndpointNetworkPolicies",
            a.j_str("private_endpoint_network_policies")?,
        ),
        (
            "privateLinkServiceNetworkPolicies",
            Some(policies_enabled(
                a.bool("private_link_service_network_policies_enabled")?,
            )),
        ),
        ("serviceEndpoints", service_endpoints(a)?),
        (
            "serviceEndpointPolicies",
            Some(policy_ids.unwrap_or(Json::Null)),
        ),
        ("delegations", Some(delegations(a)?)),
    ]))
}

pub fn virtual_network_body(a: &Attrs, creating: bool) -> Result<Json> {
    a.unsupported(&["ip_address_pool"])?;
    let mut properties = object(vec![
        (
            "addressSpace",
            Some(json!({ "addressPrefixes": a.strings("address_space")?.unwrap_or_default() })),
        ),
        ("flowTimeoutInMinutes", a.j_int("flow_timeout_in_minutes")?),
        (
            "privateEndpointVNetPolicies",
            a.j_str("private_endpoint_vnet_policies")?,
        ),
    ]);
    properties["dhcpOptions"] = match a.strings("dns_servers")? {
        Some(servers) => json!({ "dnsServers": servers }),
        None if a.is_unknown("dns_servers") => json!({}),
        None => Json::Null,
    };
    properties["bgpCommunities"] = match a.str("bgp_community")? {
        Some(c) => json!({ "virtualNetworkCommunity": c }),
        None => Json::Null,
    };
    match a.block("ddos_protection_plan")? {
        Some(plan) => {
            properties["ddosProtectionPlan"] = json!({ "id": plan.req_str("id")? });
            properties["enableDdosProtection"] = json!(plan.bool("enable")?.unwrap_or(false));
        }
        None => {
            properties["ddosProtectionPlan"] = Json::Null;
            properties["enableDdosProtection"] = json!(false);
        }
    }
    properties["encryption"] = match a.block("encryption")? {
        Some(e) => json!({ "enabled": true, "enforcement": e.req_str("enforcement")? }),
        None => Json::Null,
    };
    match a.blocks("subnet")? {
        // Inline subnets not written: keep the subnets Azure has (managed as azurerm_subnet).
        None => {
            if creating {
                properties["subnets"] = json!([]);
            }
        }
        Some(subnets) => {
            let items = subnets
                .iter()
                .map(|s| {
                    let mut props = subnet_properties(s)?;
                    if let Some(rt) = s.str("route_table_id")? {
                        props["routeTable"] = json!({ "id": rt });
                    }
                    if let Some(nsg) = s.str("security_group")? {
                        props["networkSecurityGroup"] = json!({ "id": nsg });
                    }
                    Ok(json!({ "name": s.req_str("name")?, "properties": props }))
                })
                .collect::<Result<Vec<_>>>()?;
            properties["subnets"] = Json::Array(items);
        }
    }
    Ok(object(vec![
        ("location", Some(location(a)?)),
        ("tags", a.j_tags()?),
        ("extendedLocation", edge_zone(a)?),
        ("properties", Some(properties)),
    ]))
}

fn subnet_attrs_common(r: &Body, out: &mut Out) {
    let p = |k: &'static str| ["properties", k];
    let mut prefixes = r.strings(&p("addressPrefixes"));
    if prefixes.as_list().is_none_or(<[Value]>::is_empty)
        && let Some(single) = r.at(&p("addressPrefix")).and_then(Json::as_str)
    {
        prefixes = Value::List(vec![Value::string(single)]);
    }
    out.set("address_prefixes", prefixes);
    let outbound = r.bool(&p("defaultOutboundAccess"));
    out.set(
        "default_outbound_access_enabled",
        if outbound.is_null() {
            Value::Bool(true)
        } else {
            outbound
        },
    );
    let pe = r.str(&p("privateEndpointNetworkPolicies"));
    out.set(
        "private_endpoint_network_policies",
        if pe.is_null() {
            Value::string("Disabled")
        } else {
            pe
        },
    );
    out.set(
        "private_link_service_network_policies_enabled",
        Value::Bool(
            r.at(&p("privateLinkServiceNetworkPolicies"))
                .and_then(Json::as_str)
                != Some("Disabled"),
        ),
    );
    let mut names = Vec::new();
    let mut blocks = Vec::new();
    for endpoint in r.items(&p("serviceEndpoints")) {
        names.push(endpoint.str(&["service"]));
        let mut o = Out::default();
        o.set("service", endpoint.str(&["service"]));
        o.set(
            "network_identifier",
            endpoint.ref_id(&["networkIdentifier"]),
        );
        blocks.push(o);
    }
    out.set("service_endpoints", Value::set(names));
    let _ = blocks;
    out.set(
        "service_endpoint_policy_ids",
        Value::set(
            r.items(&p("serviceEndpointPolicies"))
                .iter()
                .map(|x| x.str(&["id"]))
                .collect(),
        ),
    );
    let delegations = r
        .items(&p("delegations"))
        .into_iter()
        .map(|d| {
            let mut o = Out::default();
            o.set("name", d.str(&["name"]));
            let mut s = Out::default();
            s.set("name", d.str(&["properties", "serviceName"]));
            s.set("actions", d.strings(&["properties", "actions"]));
            o.blocks("service_delegation", vec![s]);
            o
        })
        .collect();
    out.blocks("delegation", delegations);
}

pub fn virtual_network_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(id.name()));
    out.set("resource_group_name", Value::string(&id.resource_group));
    out.set("location", location_value(r));
    out.set("tags", r.tags());
    let p = |k: &'static str| ["properties", k];
    out.set(
        "address_space",
        r.strings(&["properties", "addressSpace", "addressPrefixes"]),
    );
    out.set(
        "bgp_community",
        r.str(&["properties", "bgpCommunities", "virtualNetworkCommunity"]),
    );
    out.set(
        "dns_servers",
        r.strings(&["properties", "dhcpOptions", "dnsServers"]),
    );
    out.set("edge_zone", r.str(&["extendedLocation", "name"]));
    out.set("flow_timeout_in_minutes", r.num(&p("flowTimeoutInMinutes")));
    out.set("guid", r.str(&p("resourceGuid")));
    let vnet_policies = r.str(&p("privateEndpointVNetPolicies"));
    out.set(
        "private_endpoint_vnet_policies",
        if vnet_policies.is_null() {
            Value::string("Disabled")
        } else {
            vnet_policies
        },
    );
    let ddos = match r.at(&p("ddosProtectionPlan")) {
        Some(_) => {
            let mut o = Out::default();
            o.set("id", r.ref_id(&p("ddosProtectionPlan")));
            o.set(
                "enable",
                Value::Bool(
                    r.bool(&p("enableDdosProtection"))
                        .as_bool()
                        .unwrap_or(false),
                ),
            );
            vec![o]
        }
        None => Vec::new(),
    };
    out.blocks("ddos_protection_plan", ddos);
    let encryption = match r.at(&p("encryption")) {
        Some(_) => {
            let mut o = Out::default();
            o.set(
                "enforcement",
                r.str(&["properties", "encryption", "enforcement"]),
            );
            vec![o]
        }
        None => Vec::new(),
    };
    out.blocks("encryption", encryption);
    let subnets = r
        .items(&p("subnets"))
        .into_iter()
        .map(|s| {
            let mut o = Out::default();
            o.set("name", s.str(&["name"]));
            o.set("id", s.str(&["id"]));
            subnet_attrs_common(&s, &mut o);
            o.set("route_table_id", s.ref_id(&["properties", "routeTable"]));
            o.set(
                "security_group",
                s.ref_id(&["properties", "networkSecurityGroup"]),
            );
            o
        })
        .collect();
    out.blocks("subnet", subnets);
}

pub fn subnet_body(a: &Attrs) -> Result<Json> {
    a.unsupported(&["ip_address_pool"])?;
    let mut properties = subnet_properties(a)?;
    properties["sharingScope"] = a.j_str("sharing_scope")?.unwrap_or(Json::Null);
    // Write-only associations: sent when given, otherwise what Azure has is kept.
    if let Some(nsg) = a.str("network_security_group_id_wo")? {
        properties["networkSecurityGroup"] = json!({ "id": nsg });
    }
    if let Some(rt) = a.str("route_table_id_wo")? {
        properties["routeTable"] = json!({ "id": rt });
    }
    Ok(json!({ "properties": properties }))
}

pub fn subnet_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(id.name()));
    out.set("resource_group_name", Value::string(&id.resource_group));
    out.set(
        "virtual_network_name",
        Value::string(id.names.first().map(String::as_str).unwrap_or("")),
    );
    subnet_attrs_common(r, out);
    let endpoints = r
        .items(&["properties", "serviceEndpoints"])
        .into_iter()
        .filter(|e| e.at(&["networkIdentifier"]).is_some())
        .map(|e| {
            let mut o = Out::default();
            o.set("service", e.str(&["service"]));
            o.set("network_identifier", e.ref_id(&["networkIdentifier"]));
            o
        })
        .collect();
    out.blocks("service_endpoint", endpoints);
    out.set("sharing_scope", r.str(&["properties", "sharingScope"]));
    out.set(
        "network_security_group_id",
        r.ref_id(&["properties", "networkSecurityGroup"]),
    );
    out.set("route_table_id", r.ref_id(&["properties", "routeTable"]));
}

pub fn public_ip_body(a: &Attrs) -> Result<Json> {
    let dns = object(vec![
        ("domainNameLabel", a.j_str("domain_name_label")?),
        ("domainNameLabelScope", a.j_str("domain_name_label_scope")?),
        ("reverseFqdn", a.j_str("reverse_fqdn")?),
    ]);
    let has_dns = dns
        .as_object()
        .is_some_and(|m| m.values().any(|v| !v.is_null()));
    let ddos = object(vec![
        ("protectionMode", a.j_str("ddos_protection_mode")?),
        ("ddosProtectionPlan", a.j_ref("ddos_protection_plan_id")?),
    ]);
    let ip_tags = a.string_map("ip_tags")?.map(|tags| {
        Json::Array(
            tags.as_object()
                .map(|m| {
                    m.iter()
                        .map(|(k, v)| json!({ "ipTagType": k, "tag": v }))
                        .collect()
                })
                .unwrap_or_default(),
        )
    });
    let mut properties = object(vec![
        ("publicIPAllocationMethod", a.j_str("allocation_method")?),
        ("publicIPAddressVersion", a.j_str("ip_version")?),
        ("idleTimeoutInMinutes", a.j_int("idle_timeout_in_minutes")?),
        ("publicIPPrefix", a.j_ref("public_ip_prefix_id")?),
        ("ddosSettings", Some(ddos)),
        ("ipTags", Some(ip_tags.unwrap_or(Json::Null))),
    ]);
    properties["dnsSettings"] = if has_dns { dns } else { Json::Null };
    let sku = object(vec![
        ("name", a.j_str("sku")?),
        ("tier", a.j_str("sku_tier")?),
    ]);
    Ok(object(vec![
        ("location", Some(location(a)?)),
        ("tags", a.j_tags()?),
        ("zones", a.j_strings("zones")?),
        ("sku", Some(sku)),
        ("extendedLocation", edge_zone(a)?),
        ("properties", Some(properties)),
    ]))
}

pub fn public_ip_attrs(id: &ResourceId, r: &Body, out: &mut Out) {
    out.set("name", Value::string(id.name()));
    out.set("resource_group_name", Value::string(&id.resource_group));
    out.set("location", location_value(r));
    out.set("tags", r.tags());
    let p = |k: &'static str| ["properties", k];
    out.set("allocation_method", r.str(&p("publicIPAllocationMethod")));
    let or = |v: Value, d: Value| if v.is_null() { d } else { v };
    out.set(
        "ddos_protection_mode",
        or(
            r.str(&["properties", "ddosSettings", "protectionMode"]),
            Value::string("VirtualNetworkInherited"),
        ),
    );
    out.set(
        "ddos_protection_plan_id",
        r.ref_id(&["properties", "ddosSettings", "ddosProtectionPlan"]),
    );
    out.set("edge_zone", r.str(&["extendedLocation", "name"]));
    out.set(
        "ip_version",
        or(r.str(&p("publicIPAddressVersion")), Value::string("IPv4")),
    );
    out.set(
        "sku",
        or(r.str(&["sku", "name"]), Value::string("Standard")),
    );
    out.set(
        "sku_tier",
        or(r.str(&["sku", "tier"]), Value::string("Regional")),
    );
    out.set(
        "idle_timeout_in_minutes",
        or(r.num(&p("idleTimeoutInMinutes")), Value::int(4)),
    );
    out.set(
        "domain_name_label",
        r.str(&["properties", "dnsSettings", "domainNameLabel"]),
    );
    out.set(
        "domain_name_label_scope",
        r.str(&["properties", "dnsSettings", "domainNameLabelScope"]),
    );
    out.set("fqdn", r.str(&["properties", "dnsSettings", "fqdn"]));
    out.set(
        "reverse_fqdn",
        r.str(&["properties", "dnsSettings", "reverseFqdn"]),
    );
    out.set("ip_address", r.str(&p("ipAddress")));
    out.set("public_ip_prefix_id", r.ref_id(&p("publicIPPrefix")));
    let tags: Vec<(String, Value)> = r
        .items(&p("ipTags"))
        .iter()
        .filter_map(|t| {
            let k = t.at(&["ipTagType"]).and_then(Json::as_str)?;
            Some((k.to_string(), t.str(&["tag"])))
        })
        .collect();
    out.set(
        "ip_tags",
        if tags.is_empty() {
            Value::Null
        } else {
            Value::map(tags.into_iter().collect())
        },
    );
    out.set("zones", r.strings(&["zones"]));
}
