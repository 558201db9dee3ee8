//! What Azure does to a request body per resource kind, server-side: name rules, the generic ARM
//! type check, the validations Network RP enforces (enums, /30 and /29 prefixes, unique VLANs,
//! peerings only on provisioned circuits, catalogue lookups, subnet ranges…), the server-owned
//! properties it fills (service keys, ports, GUIDs, etags), inline child arrays (peerings,
//! authorizations, Global Reach connections, subnets, rules) split into rows of their own, and the
//! preconditions of a delete. It reads the store but never writes it; the protocol lives in `mod`.

use super::ProviderMode;
use super::catalogue;
use super::net::Prefix;
use super::store::{Row, Store};
use crate::arm::spec::{CheckOptions, check_body, strip_read_only};
use crate::arm::wire::new_guid;
use crate::arm::{ArmError, ResourceId, ResourceKind};
use regex::Regex;
use serde_json::{Map, Value, json};
use std::sync::OnceLock;

/// Why a request failed: the client's mistake (an ARM error) or ours (a 500).
#[derive(Debug)]
pub enum Fail {
    Arm(ArmError),
    Internal(anyhow::Error),
}

impl From<ArmError> for Fail {
    fn from(e: ArmError) -> Fail {
        Fail::Arm(e)
    }
}

impl From<anyhow::Error> for Fail {
    fn from(e: anyhow::Error) -> Fail {
        Fail::Internal(e)
    }
}

pub type Outcome<T> = Result<T, Fail>;

pub fn bad(code: &str, message: impl Into<String>) -> Fail {
    Fail::Arm(ArmError::new(400, code, message))
}

/// A validated body ready to store, with its inline children and outgoing references.
#[derive(Debug)]
pub struct Prepared {
    pub id: ResourceId,
    pub body: Value,
    pub refs: Vec<String>,
    pub children: Vec<Prepared>,
    /// Existing children the request's arrays no longer list: they are deleted.
    pub removed: Vec<ResourceId>,
}

/// The inline child arrays of a kind: property name and child kind.
pub fn child_arrays(kind: ResourceKind) -> &'static [(&'static str, ResourceKind)] {
    match kind {
        ResourceKind::ExpressRouteCircuit => &[
            ("peerings", ResourceKind::CircuitPeering),
            ("authorizations", ResourceKind::CircuitAuthorization),
        ],
        ResourceKind::CircuitPeering => &[("connections", ResourceKind::CircuitConnection)],
        ResourceKind::VirtualNetwork => &[("subnets", ResourceKind::Subnet)],
        ResourceKind::RouteFilter => &[("rules", ResourceKind::RouteFilterRule)],
        _ => &[],
    }
}

pub struct Ctx<'a> {
    pub store: &'a Store,
    pub mode: ProviderMode,
}

/// Does `text` match `pattern` (compiled once into `cell`)? A pattern that fails to compile matches
/// nothing, so a bug there rejects rather than panics.
fn matches(cell: &'static OnceLock<Option<Regex>>, pattern: &str, text: &str) -> bool {
    cell.get_or_init(|| Regex::new(pattern).ok())
        .as_ref()
        .is_some_and(|r| r.is_match(text))
}

fn check_name(id: &ResourceId) -> Outcome<()> {
    static GENERAL: OnceLock<Option<Regex>> = OnceLock::new();
    static VNET: OnceLock<Option<Regex>> = OnceLock::new();
    let name = id.name();
    let ok = match id.kind {
        ResourceKind::ResourceGroup => {
            static RG: OnceLock<Option<Regex>> = OnceLock::new();
            matches(&RG, r"^[-\w._()]{1,90}$", name) && !name.ends_with('.')
        }
        ResourceKind::VirtualNetwork => matches(
            &VNET,
            r"^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}[a-zA-Z0-9_]$",
            name,
        ),
        ResourceKind::CircuitPeering => true,
        _ => matches(
            &GENERAL,
            r"^[a-zA-Z0-9]([a-zA-Z0-9_.-]{0,78}[a-zA-Z0-9_])?$",
            name,
        ),
    };
    if ok {
        Ok(())
    } else {
        Err(bad(
            "InvalidResourceName",
            format!(
                "Resource name {name} is invalid. The name can be up to 80 characters long. It must begin with a word character, and it must end with a word character or with '_'. The name may contain word characters or '.', '-', '_'."
            ),
        ))
    }
}

/// `westus`, `West US` and `WESTUS` are one location.
pub fn normalise_location(location: &str) -> String {
    location.replace(' ', "").to_ascii_lowercase()
}

fn etag() -> String {
    format!("W/\"{}\"", new_guid())
}

fn props(body: &Value) -> &Map<String, Value> {
    static EMPTY: OnceLock<Map<String, Value>> = OnceLock::new();
    body.get("properties")
        .and_then(Value::as_object)
        .unwrap_or_else(|| EMPTY.get_or_init(Map::new))
}

fn str_at<'a>(value: &'a Value, path: &[&str]) -> Option<&'a str> {
    let mut v = value;
    for key in path {
        v = v.get(*key)?;
    }
    v.as_str()
}

fn id_at(value: &Value, path: &[&str]) -> Option<String> {
    let mut v = value;
    for key in path {
        v = v.get(*key)?;
    }
    v.get("id").and_then(Value::as_str).map(str::to_string)
}

/// Resolve a `{ "id": … }` reference that must name an existing resource of `kind`.
fn resolve(ctx: &Ctx, text: &str, kind: ResourceKind, what: &str) -> Outcome<Row> {
    let id = ResourceId::parse(text).map_err(|e| {
        bad(
            "InvalidResourceReference",
            format!("{what} {text:?} is not a valid resource id: {e:#}"),
        )
    })?;
    if id.kind != kind {
        return Err(bad(
            "InvalidResourceReference",
            format!("{what} {text:?} must reference a {}", kind.arm_type()),
        ));
    }
    match ctx.store.get(&id)? {
        Some(row) => Ok(row),
        None => Err(bad(
            "InvalidResourceReference",
            format!("Resource {text} referenced by {what} was not found."),
        )),
    }
}

/// Validate a PUT of `id` with `body` and build what to store. `siblings` are the bodies the
/// other children of the same parent will have (for uniqueness checks).
pub fn prepare_put(
    ctx: &Ctx,
    id: &ResourceId,
    body: &Value,
    existing: Option<&Value>,
    siblings: &[Value],
) -> Outcome<Prepared> {
    check_name(id)?;
    if !body.is_object() {
        return Err(bad(
            "InvalidRequestFormat",
            "Cannot parse the request: the body must be a JSON object.",
        ));
    }
    let problems = check_body(id.kind, body, CheckOptions::SERVER)?;
    if let Some(first) = problems.first() {
        return Err(bad(
            "InvalidRequestFormat",
            format!("Cannot parse the request: {first}."),
        ));
    }
    let mut request = body.clone();
    strip_read_only(id.kind, &mut request)?;
    let mut out = Map::new();
    out.insert("name".into(), json!(id.name()));
    out.insert("id".into(), json!(id.to_string()));
    out.insert("etag".into(), json!(etag()));
    out.insert("type".into(), json!(id.kind.arm_type()));
    if id.kind.is_tracked() {
        let Some(location) = request.get("location").and_then(Value::as_str) else {
            return Err(bad(
                "LocationRequired",
                "The location property is required for this definition.",
            ));
        };
        let location = normalise_location(location);
        if let Some(old) = existing
            .and_then(|e| e.get("location"))
            .and_then(Value::as_str)
            && normalise_location(old) != location
        {
            return Err(bad(
                "InvalidResourceLocation",
                format!(
                    "The resource '{}' already exists in location '{old}' in resource group '{}'. A resource with the same name cannot be created in location '{location}'. Please select a new resource name.",
                    id.name(),
                    id.resource_group
                ),
            ));
        }
        out.insert("location".into(), json!(location));
        if let Some(tags) = request.get("tags").filter(|t| !t.is_null()) {
            out.insert("tags".into(), tags.clone());
        }
        if let Some(sku) = request.get("sku").filter(|s| !s.is_null()) {
            out.insert("sku".into(), sku.clone());
        }
        if let Some(zones) = request.get("zones").filter(|z| !z.is_null()) {
            out.insert("zones".into(), zones.clone());
        }
    }
    let mut properties = request
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    // Inline children leave the parent's body and become rows of their own.
    let mut child_bodies: Vec<(ResourceKind, Vec<Value>)> = Vec::new();
    for (array, child_kind) in child_arrays(id.kind) {
        let items = match properties.remove(*array) {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        };
        child_bodies.push((*child_kind, items));
    }
    if id.kind == ResourceKind::ExpressRouteCircuit
        && let Some(old) = existing
    {
        circuit_family_check(old, &request)?;
    }
    let existing_props = existing.map(props).cloned().unwrap_or_default();
    let mut refs = Vec::new();
    let mut body_out = Value::Object(out);
    specific(
        ctx,
        id,
        &mut body_out,
        &mut properties,
        &existing_props,
        existing.is_some(),
        siblings,
        &mut refs,
    )?;
    properties.insert("provisioningState".into(), json!("Updating"));
    if let Some(map) = body_out.as_object_mut() {
        map.insert("properties".into(), Value::Object(properties));
    }

    let mut children = Vec::new();
    let mut removed = Vec::new();
    for (child_kind, items) in child_bodies {
        let mut seen = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let Some(name) = item.get("name").and_then(Value::as_str) else {
                return Err(bad(
                    "InvalidRequestFormat",
                    format!(
                        "Cannot parse the request: item {i} of an inline {} array has no name.",
                        child_kind.arm_type()
                    ),
                ));
            };
            let child_id = id.child(child_kind, name).map_err(|e| {
                bad(
                    "InvalidResourceName",
                    format!("invalid child name {name:?}: {e:#}"),
                )
            })?;
            if seen.contains(&child_id.key()) {
                return Err(bad(
                    "InvalidRequestFormat",
                    format!("Cannot parse the request: {name} appears twice."),
                ));
            }
            seen.push(child_id.key());
            let stored = ctx.store.get(&child_id)?;
            let others: Vec<Value> = items
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, v)| v.clone())
                .collect();
            children.push(prepare_put(
                ctx,
                &child_id,
                item,
                stored.as_ref().map(|r| &r.body),
                &others,
            )?);
        }
        for row in ctx.store.children(id, child_kind)? {
            if !seen.contains(&row.id.key()) {
                check_delete(ctx, &row.id, &row.body)?;
                removed.push(row.id);
            }
        }
    }
    Ok(Prepared {
        id: id.clone(),
        body: body_out,
        refs,
        children,
        removed,
    })
}

/// Kind-specific validation and server-owned properties.
#[allow(clippy::too_many_arguments)]
fn specific(
    ctx: &Ctx,
    id: &ResourceId,
    body: &mut Value,
    p: &mut Map<String, Value>,
    old: &Map<String, Value>,
    updating: bool,
    siblings: &[Value],
    refs: &mut Vec<String>,
) -> Outcome<()> {
    let keep = |p: &mut Map<String, Value>, key: &str, default: Value| {
        let value = old.get(key).cloned().unwrap_or(default);
        p.insert(key.to_string(), value);
    };
    match id.kind {
        ResourceKind::ResourceGroup => {}
        ResourceKind::ExpressRouteCircuit => {
            circuit(ctx, body, p, old, updating)?;
            keep(p, "serviceKey", json!(new_guid()));
            keep(
                p,
                "serviceProviderProvisioningState",
                json!("NotProvisioned"),
            );
            keep(p, "circuitProvisioningState", json!("Enabled"));
            keep(p, "serviceProviderNotes", json!(""));
            keep(p, "gatewayManagerEtag", json!(""));
            keep(p, "globalReachEnabled", json!(false));
            keep(p, "stag", json!(rand::random::<u16>() as u64 % 4000 + 1));
            p.entry("allowClassicOperations").or_insert(json!(false));
        }
        ResourceKind::CircuitPeering => {
            peering(ctx, id, p, siblings, refs)?;
            keep(p, "azureASN", json!(12076));
            keep(p, "primaryAzurePort", json!("EMU-PORT-PRI-A"));
            keep(p, "secondaryAzurePort", json!("EMU-PORT-SEC-A"));
            keep(p, "gatewayManagerEtag", json!(""));
            p.insert("lastModifiedBy".into(), json!("Customer"));
            p.entry("state").or_insert(json!("Enabled"));
            if let Some(cfg) = p
                .get_mut("microsoftPeeringConfig")
                .and_then(Value::as_object_mut)
            {
                cfg.insert("advertisedPublicPrefixesState".into(), json!("Configured"));
            }
        }
        ResourceKind::CircuitAuthorization => {
            if let Some(key) = old.get("authorizationKey") {
                p.insert("authorizationKey".into(), key.clone());
            } else {
                p.entry("authorizationKey").or_insert(json!(new_guid()));
            }
            keep(p, "authorizationUseStatus", json!("Available"));
        }
        ResourceKind::CircuitConnection => {
            global_reach(ctx, id, p, refs)?;
            p.insert("circuitConnectionStatus".into(), json!("Connected"));
        }
        ResourceKind::PeerConnection => {
            return Err(bad(
                "MethodNotAllowed",
                "peerConnections are read-only: create the Global Reach connection on the other circuit",
            ));
        }
        ResourceKind::RouteFilter => {}
        ResourceKind::RouteFilterRule => {
            route_filter_rule(ctx, id, p, siblings)?;
        }
        ResourceKind::VirtualNetwork => {
            virtual_network(p)?;
            keep(p, "resourceGuid", json!(new_guid()));
            p.entry("enableDdosProtection").or_insert(json!(false));
        }
        ResourceKind::Subnet => {
            subnet(ctx, id, p, siblings)?;
            p.entry("privateEndpointNetworkPolicies")
                .or_insert(json!("Disabled"));
            p.entry("privateLinkServiceNetworkPolicies")
                .or_insert(json!("Enabled"));
        }
        ResourceKind::PublicIpAddress => {
            public_ip(ctx, body, p, old)?;
        }
        ResourceKind::VirtualNetworkGateway => {
            gateway(ctx, id, p, refs)?;
            keep(p, "resourceGuid", json!(new_guid()));
        }
        ResourceKind::LocalNetworkGateway => {
            local_gateway(p)?;
            keep(p, "resourceGuid", json!(new_guid()));
        }
        ResourceKind::Connection => {
            connection(ctx, p, refs)?;
            keep(p, "resourceGuid", json!(new_guid()));
            p.insert("connectionStatus".into(), json!("Connected"));
            p.insert("ingressBytesTransferred".into(), json!(0));
            p.insert("egressBytesTransferred".into(), json!(0));
        }
    }
    Ok(())
}

fn circuit(
    _ctx: &Ctx,
    body: &mut Value,
    p: &mut Map<String, Value>,
    old: &Map<String, Value>,
    updating: bool,
) -> Outcome<()> {
    let sku = body.get("sku").cloned().unwrap_or(Value::Null);
    let tier = str_at(&sku, &["tier"]);
    let family = str_at(&sku, &["family"]);
    let (Some(tier), Some(family)) = (tier, family) else {
        return Err(bad(
            "InvalidSku",
            "The circuit sku must name a tier and a family.",
        ));
    };
    let expected = format!("{tier}_{family}");
    match str_at(&sku, &["name"]) {
        Some(name) if !name.eq_ignore_ascii_case(&expected) => {
            return Err(bad(
                "InvalidSkuName",
                format!(
                    "The sku name {name} does not match tier {tier} and family {family}: expected {expected}."
                ),
            ));
        }
        Some(_) => {}
        None => {
            if let Some(sku) = body.get_mut("sku").and_then(Value::as_object_mut) {
                sku.insert("name".into(), json!(expected));
            }
        }
    }
    let provider = p
        .get("serviceProviderProperties")
        .cloned()
        .unwrap_or(Value::Null);
    let port = p.get("expressRoutePort").filter(|v| !v.is_null());
    let has_provider = provider.as_object().is_some_and(|m| !m.is_empty());
    if has_provider == port.is_some() {
        return Err(bad(
            "InvalidCircuitConfiguration",
            "Specify either serviceProviderProperties (provider circuit) or expressRoutePort with bandwidthInGbps (ExpressRoute Direct), not both or neither.",
        ));
    }
    if has_provider {
        let name = str_at(&provider, &["serviceProviderName"]).unwrap_or("");
        let location = str_at(&provider, &["peeringLocation"]).unwrap_or("");
        let bandwidth = provider.get("bandwidthInMbps").and_then(Value::as_i64);
        let Some(locations) = catalogue::provider_locations(name) else {
            return Err(bad(
                "InvalidServiceProviderName",
                format!(
                    "Service provider {name:?} is not available. Use GET expressRouteServiceProviders to list them."
                ),
            ));
        };
        if !locations.iter().any(|l| l.eq_ignore_ascii_case(location)) {
            return Err(bad(
                "InvalidPeeringLocation",
                format!("Peering location {location:?} is not offered by service provider {name}."),
            ));
        }
        let Some(bandwidth) = bandwidth.filter(|b| catalogue::BANDWIDTHS.contains(b)) else {
            return Err(bad(
                "InvalidBandwidth",
                format!(
                    "Bandwidth {} Mbps is not offered by {name}; offered: {:?}.",
                    provider.get("bandwidthInMbps").unwrap_or(&Value::Null),
                    catalogue::BANDWIDTHS
                ),
            ));
        };
        if updating {
            let old_provider = old
                .get("serviceProviderProperties")
                .cloned()
                .unwrap_or(Value::Null);
            let old_name = str_at(&old_provider, &["serviceProviderName"]).unwrap_or("");
            let old_location = str_at(&old_provider, &["peeringLocation"]).unwrap_or("");
            if !old_name.eq_ignore_ascii_case(name) || !old_location.eq_ignore_ascii_case(location)
            {
                return Err(bad(
                    "CannotChangeServiceProviderProperties",
                    "The service provider and peering location of a circuit cannot be changed: create a new circuit.",
                ));
            }
            if let Some(old_bandwidth) = old_provider.get("bandwidthInMbps").and_then(Value::as_i64)
                && bandwidth < old_bandwidth
            {
                return Err(bad(
                    "CircuitBandwidthDecreaseNotSupported",
                    format!(
                        "The bandwidth of a circuit cannot be decreased ({old_bandwidth} to {bandwidth} Mbps): create a new circuit."
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn circuit_family_check(old: &Value, request: &Value) -> Outcome<()> {
    let old_family = str_at(old, &["sku", "family"]).unwrap_or("");
    let new_family = str_at(request, &["sku", "family"]).unwrap_or("");
    if old_family.eq_ignore_ascii_case("UnlimitedData")
        && new_family.eq_ignore_ascii_case("MeteredData")
    {
        return Err(bad(
            "CircuitSkuFamilyDowngradeNotSupported",
            "A circuit cannot move from UnlimitedData to MeteredData: create a new circuit.",
        ));
    }
    Ok(())
}

const PEERING_TYPES: &[&str] = &[
    "AzurePrivatePeering",
    "MicrosoftPeering",
    "AzurePublicPeering",
];

fn peering(
    ctx: &Ctx,
    id: &ResourceId,
    p: &mut Map<String, Value>,
    siblings: &[Value],
    refs: &mut Vec<String>,
) -> Outcome<()> {
    let name = id.name();
    let Some(kind) = PEERING_TYPES.iter().find(|t| t.eq_ignore_ascii_case(name)) else {
        return Err(bad(
            "InvalidPeeringName",
            format!(
                "Peering name {name:?} must be one of {}.",
                PEERING_TYPES.join(", ")
            ),
        ));
    };
    match p.get("peeringType").and_then(Value::as_str) {
        Some(t) if !t.eq_ignore_ascii_case(kind) => {
            return Err(bad(
                "PeeringTypeMismatch",
                format!("peeringType {t} does not match the peering name {name}."),
            ));
        }
        _ => {
            p.insert("peeringType".into(), json!(kind));
        }
    }
    if *kind == "AzurePublicPeering" {
        return Err(bad(
            "AzurePublicPeeringNotSupported",
            "Azure public peering is retired and cannot be created; use Microsoft peering.",
        ));
    }
    let circuit_id = id
        .parent()
        .ok_or_else(|| anyhow::anyhow!("peering without a circuit"))?;
    let circuit = ctx.store.get(&circuit_id)?.ok_or_else(|| {
        Fail::Arm(ArmError::new(
            404,
            "ParentResourceNotFound",
            format!("Parent resource {} not found.", circuit_id.name()),
        ))
    })?;
    let circuit_props = props(&circuit.body);
    let provider_circuit = circuit_props
        .get("serviceProviderProperties")
        .is_some_and(|v| v.as_object().is_some_and(|m| !m.is_empty()));
    let state = circuit_props
        .get("serviceProviderProvisioningState")
        .and_then(Value::as_str)
        .unwrap_or("NotProvisioned");
    if provider_circuit && state != "Provisioned" {
        return Err(bad(
            "CircuitNotProvisioned",
            format!(
                "Peering cannot be configured on circuit {} because its service provider provisioning state is {state}: wait until the provider has provisioned it.",
                circuit_id.name()
            ),
        ));
    }
    let Some(vlan) = p.get("vlanId").and_then(Value::as_i64) else {
        return Err(bad("InvalidVlanId", "vlanId is required."));
    };
    if !(1..=4094).contains(&vlan) {
        return Err(bad(
            "InvalidVlanId",
            format!("vlanId {vlan} must be between 1 and 4094."),
        ));
    }
    let sibling_bodies: Vec<Value> = if siblings.is_empty() {
        ctx.store
            .children(&circuit_id, ResourceKind::CircuitPeering)?
            .into_iter()
            .filter(|r| r.id.key() != id.key())
            .map(|r| r.body)
            .collect()
    } else {
        siblings.to_vec()
    };
    if let Some(other) = sibling_bodies
        .iter()
        .find(|s| props(s).get("vlanId").and_then(Value::as_i64) == Some(vlan))
    {
        return Err(bad(
            "VlanIdInUse",
            format!(
                "VLAN {vlan} is already used by peering {} on this circuit; each peering needs its own VLAN.",
                other.get("name").and_then(Value::as_str).unwrap_or("?")
            ),
        ));
    }
    let Some(asn) = p.get("peerASN").and_then(Value::as_i64) else {
        return Err(bad("InvalidPeerAsn", "peerASN is required."));
    };
    let reserved = [8074, 8075, 12076];
    if reserved.contains(&asn) || (*kind == "AzurePrivatePeering" && (65515..=65520).contains(&asn))
    {
        return Err(bad(
            "InvalidPeerAsn",
            format!("peerASN {asn} is reserved by Azure."),
        ));
    }
    let prefix = |key: &str| -> Outcome<Prefix> {
        let text = p.get(key).and_then(Value::as_str).unwrap_or("");
        match Prefix::parse(text) {
            Some(pre) if !pre.v6 && pre.len == 30 && pre.is_network_address() => Ok(pre),
            _ => Err(bad(
                "InvalidPeeringAddressPrefix",
                format!(
                    "{key} {text:?} must be an IPv4 /30 network address such as 192.168.1.0/30."
                ),
            )),
        }
    };
    let primary = prefix("primaryPeerAddressPrefix")?;
    let secondary = prefix("secondaryPeerAddressPrefix")?;
    if primary.overlaps(&secondary) {
        return Err(bad(
            "InvalidPeeringAddressPrefix",
            "primaryPeerAddressPrefix and secondaryPeerAddressPrefix must not overlap.",
        ));
    }
    if let Some(key) = p.get("sharedKey").and_then(Value::as_str)
        && (key.is_empty() || key.len() > 25 || !key.chars().all(|c| c.is_ascii_alphanumeric()))
    {
        return Err(bad(
            "InvalidSharedKey",
            "sharedKey must be 1 to 25 letters and digits.",
        ));
    }
    if let Some(v6) = p.get("ipv6PeeringConfig").filter(|v| !v.is_null()) {
        for key in ["primaryPeerAddressPrefix", "secondaryPeerAddressPrefix"] {
            let text = str_at(v6, &[key]).unwrap_or("");
            match Prefix::parse(text) {
                Some(pre) if pre.v6 && pre.len == 126 && pre.is_network_address() => {}
                _ => {
                    return Err(bad(
                        "InvalidPeeringAddressPrefix",
                        format!(
                            "ipv6PeeringConfig.{key} {text:?} must be an IPv6 /126 network address."
                        ),
                    ));
                }
            }
        }
    }
    let microsoft = *kind == "MicrosoftPeering";
    if microsoft {
        let advertised = p
            .get("microsoftPeeringConfig")
            .and_then(|c| c.get("advertisedPublicPrefixes"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if advertised.is_empty() {
            return Err(bad(
                "MicrosoftPeeringConfigRequired",
                "Microsoft peering needs microsoftPeeringConfig.advertisedPublicPrefixes.",
            ));
        }
        for item in &advertised {
            let text = item.as_str().unwrap_or("");
            match Prefix::parse(text) {
                Some(pre) if !pre.is_private() => {}
                _ => {
                    return Err(bad(
                        "InvalidAdvertisedPublicPrefix",
                        format!("Advertised prefix {text:?} must be a public IP prefix you own."),
                    ));
                }
            }
        }
    }
    for path in [
        vec!["routeFilter"],
        vec!["ipv6PeeringConfig", "routeFilter"],
    ] {
        let holder = if path.len() == 1 {
            Some(Value::Object(p.clone()))
        } else {
            p.get(path[0]).cloned()
        };
        let Some(filter_id) = holder
            .as_ref()
            .and_then(|h| id_at(h, &[path[path.len() - 1]]))
        else {
            continue;
        };
        if !microsoft {
            return Err(bad(
                "RouteFilterOnlyOnMicrosoftPeering",
                "A route filter can only be attached to Microsoft peering.",
            ));
        }
        let row = resolve(ctx, &filter_id, ResourceKind::RouteFilter, "routeFilter")?;
        refs.push(row.id.key());
    }
    Ok(())
}

fn global_reach(
    ctx: &Ctx,
    id: &ResourceId,
    p: &mut Map<String, Value>,
    refs: &mut Vec<String>,
) -> Outcome<()> {
    let peering_id = id
        .parent()
        .ok_or_else(|| anyhow::anyhow!("connection without a peering"))?;
    if !peering_id
        .name()
        .eq_ignore_ascii_case("AzurePrivatePeering")
    {
        return Err(bad(
            "GlobalReachRequiresPrivatePeering",
            "Global Reach connections can only be created on AzurePrivatePeering.",
        ));
    }
    let own = id_at(&Value::Object(p.clone()), &["expressRouteCircuitPeering"]).unwrap_or_default();
    let own_ok = ResourceId::parse(&own).is_ok_and(|o| o == peering_id);
    if !own_ok {
        return Err(bad(
            "InvalidCircuitPeeringReference",
            format!(
                "expressRouteCircuitPeering.id must be the id of the peering the connection is created on ({peering_id})."
            ),
        ));
    }
    let peer_text = id_at(
        &Value::Object(p.clone()),
        &["peerExpressRouteCircuitPeering"],
    )
    .unwrap_or_default();
    let peer = resolve(
        ctx,
        &peer_text,
        ResourceKind::CircuitPeering,
        "peerExpressRouteCircuitPeering",
    )?;
    if !peer.id.name().eq_ignore_ascii_case("AzurePrivatePeering") {
        return Err(bad(
            "GlobalReachRequiresPrivatePeering",
            "The peer of a Global Reach connection must be an AzurePrivatePeering.",
        ));
    }
    if peer.id.parent() == peering_id.parent() {
        return Err(bad(
            "GlobalReachSameCircuit",
            "A Global Reach connection must join two different circuits.",
        ));
    }
    let text = p.get("addressPrefix").and_then(Value::as_str).unwrap_or("");
    match Prefix::parse(text) {
        Some(pre) if !pre.v6 && pre.len == 29 && pre.is_network_address() => {}
        _ => {
            return Err(bad(
                "InvalidGlobalReachAddressPrefix",
                format!("addressPrefix {text:?} must be an IPv4 /29 network address."),
            ));
        }
    }
    refs.push(peer.id.key());
    Ok(())
}

fn route_filter_rule(
    ctx: &Ctx,
    id: &ResourceId,
    p: &mut Map<String, Value>,
    siblings: &[Value],
) -> Outcome<()> {
    let filter = id
        .parent()
        .ok_or_else(|| anyhow::anyhow!("rule without a filter"))?;
    let others = if siblings.is_empty() {
        ctx.store
            .children(&filter, ResourceKind::RouteFilterRule)?
            .into_iter()
            .filter(|r| r.id.key() != id.key())
            .count()
    } else {
        siblings.len()
    };
    if others > 0 {
        return Err(bad(
            "RouteFilterRuleLimitExceeded",
            "A route filter can have only one rule.",
        ));
    }
    if p.get("access")
        .and_then(Value::as_str)
        .is_some_and(|a| !a.eq_ignore_ascii_case("Allow"))
    {
        return Err(bad(
            "RouteFilterRuleAccessNotSupported",
            "Only Allow rules are supported in route filters.",
        ));
    }
    let communities = p
        .get("communities")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if communities.is_empty() {
        return Err(bad(
            "InvalidBgpCommunity",
            "A route filter rule needs at least one community.",
        ));
    }
    for c in &communities {
        let value = c.as_str().unwrap_or("");
        if !catalogue::is_known_community(value) {
            return Err(bad(
                "InvalidBgpCommunity",
                format!(
                    "BGP community {value:?} is not a known service community (see bgpServiceCommunities)."
                ),
            ));
        }
    }
    Ok(())
}

fn prefixes_of(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn virtual_network(p: &mut Map<String, Value>) -> Outcome<()> {
    let space = prefixes_of(p.get("addressSpace").and_then(|a| a.get("addressPrefixes")));
    if space.is_empty() {
        return Err(bad(
            "InvalidAddressSpace",
            "addressSpace.addressPrefixes must list at least one prefix.",
        ));
    }
    for text in &space {
        if !Prefix::parse(text).is_some_and(|pre| pre.is_network_address()) {
            return Err(bad(
                "InvalidAddressPrefixFormat",
                format!("Address prefix {text} is not a valid CIDR network address."),
            ));
        }
    }
    if let Some(community) = p
        .get("bgpCommunities")
        .and_then(|b| b.get("virtualNetworkCommunity"))
        .and_then(Value::as_str)
    {
        static COMMUNITY: OnceLock<Option<Regex>> = OnceLock::new();
        if !matches(&COMMUNITY, r"^12076:[0-9]{1,5}$", community) {
            return Err(bad(
                "InvalidBgpCommunity",
                format!("Virtual network community {community} must have the form 12076:<number>."),
            ));
        }
    }
    Ok(())
}

fn subnet(
    ctx: &Ctx,
    id: &ResourceId,
    p: &mut Map<String, Value>,
    siblings: &[Value],
) -> Outcome<()> {
    let mut prefixes = prefixes_of(p.get("addressPrefixes"));
    if let Some(single) = p.get("addressPrefix").and_then(Value::as_str) {
        prefixes.push(single.to_string());
    }
    if prefixes.is_empty() {
        return Err(bad(
            "NetcfgInvalidSubnet",
            "A subnet needs addressPrefix or addressPrefixes.",
        ));
    }
    let vnet_id = id
        .parent()
        .ok_or_else(|| anyhow::anyhow!("subnet without a network"))?;
    // The address space being written (inline) or stored (own path).
    let vnet = ctx.store.get(&vnet_id)?;
    let space: Vec<Prefix> = vnet
        .as_ref()
        .map(|v| {
            prefixes_of(
                props(&v.body)
                    .get("addressSpace")
                    .and_then(|a| a.get("addressPrefixes")),
            )
        })
        .unwrap_or_default()
        .iter()
        .filter_map(|t| Prefix::parse(t))
        .collect();
    let sibling_bodies: Vec<Value> = if siblings.is_empty() {
        ctx.store
            .children(&vnet_id, ResourceKind::Subnet)?
            .into_iter()
            .filter(|r| r.id.key() != id.key())
            .map(|r| r.body)
            .collect()
    } else {
        siblings.to_vec()
    };
    for text in &prefixes {
        let Some(pre) = Prefix::parse(text).filter(Prefix::is_network_address) else {
            return Err(bad(
                "NetcfgInvalidSubnet",
                format!("Subnet {} has an invalid address prefix {text}.", id.name()),
            ));
        };
        if !space.is_empty() && !space.iter().any(|s| s.contains(&pre)) {
            return Err(bad(
                "NetcfgSubnetRangeOutsideVnet",
                format!(
                    "Subnet '{}' is not valid because its IP address range {text} is outside the IP address range of virtual network '{}'.",
                    id.name(),
                    vnet_id.name()
                ),
            ));
        }
        if id.name() == "GatewaySubnet" && !pre.v6 && pre.len > 29 {
            return Err(bad(
                "GatewaySubnetTooSmall",
                "GatewaySubnet must be /29 or larger (/27 recommended).",
            ));
        }
        for other in &sibling_bodies {
            let op = props(other);
            let mut theirs = prefixes_of(op.get("addressPrefixes"));
            if let Some(s) = op.get("addressPrefix").and_then(Value::as_str) {
                theirs.push(s.to_string());
            }
            if theirs
                .iter()
                .filter_map(|t| Prefix::parse(t))
                .any(|t| t.overlaps(&pre))
            {
                return Err(bad(
                    "NetcfgSubnetRangesOverlap",
                    format!(
                        "Subnet '{}' is not valid because its IP address range overlaps with that of an existing subnet '{}' in virtual network '{}'.",
                        id.name(),
                        other.get("name").and_then(Value::as_str).unwrap_or("?"),
                        vnet_id.name()
                    ),
                ));
            }
        }
    }
    Ok(())
}

fn public_ip(
    ctx: &Ctx,
    body: &mut Value,
    p: &mut Map<String, Value>,
    old: &Map<String, Value>,
) -> Outcome<()> {
    let sku = str_at(body, &["sku", "name"])
        .unwrap_or("Standard")
        .to_string();
    if sku.eq_ignore_ascii_case("Basic") {
        return Err(bad(
            "BasicSkuPublicIpAddressCreationNotAllowed",
            "Basic SKU public IP addresses were retired on 2025-03-31: use Standard.",
        ));
    }
    let method = p
        .get("publicIPAllocationMethod")
        .and_then(Value::as_str)
        .unwrap_or("Static")
        .to_string();
    if !method.eq_ignore_ascii_case("Static") {
        return Err(bad(
            "StandardSkuPublicIPAddressesMustBeStatic",
            "Standard sku publicIp addresses must be allocated statically.",
        ));
    }
    if let Some(map) = body.as_object_mut() {
        map.entry("sku")
            .or_insert(json!({"name": "Standard", "tier": "Regional"}));
    }
    p.insert("publicIPAllocationMethod".into(), json!("Static"));
    p.entry("publicIPAddressVersion").or_insert(json!("IPv4"));
    p.entry("idleTimeoutInMinutes").or_insert(json!(4));
    let address = match old.get("ipAddress") {
        Some(a) => a.clone(),
        None => {
            let n = ctx.store.next_counter("public-ip")?;
            json!(format!(
                "20.{}.{}.{}",
                64 + (n / 65536) % 64,
                (n / 256) % 256,
                n % 256
            ))
        }
    };
    p.insert("ipAddress".into(), address);
    let guid = old
        .get("resourceGuid")
        .cloned()
        .unwrap_or(json!(new_guid()));
    p.insert("resourceGuid".into(), guid);
    Ok(())
}

const ER_SKUS: &[&str] = &[
    "Standard",
    "HighPerformance",
    "UltraPerformance",
    "ErGw1AZ",
    "ErGw2AZ",
    "ErGw3AZ",
    "ErGwScale",
];

fn gateway(
    ctx: &Ctx,
    id: &ResourceId,
    p: &mut Map<String, Value>,
    refs: &mut Vec<String>,
) -> Outcome<()> {
    let gateway_type = p
        .get("gatewayType")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if gateway_type.is_empty() {
        return Err(bad("InvalidGatewayType", "gatewayType is required."));
    }
    let sku = p.get("sku").cloned().unwrap_or(Value::Null);
    let Some(sku_name) = str_at(&sku, &["name"]) else {
        return Err(bad("InvalidGatewaySku", "sku.name is required."));
    };
    if let Some(tier) = str_at(&sku, &["tier"])
        && !tier.eq_ignore_ascii_case(sku_name)
    {
        return Err(bad(
            "InvalidGatewaySku",
            format!("sku.tier {tier} must equal sku.name {sku_name}."),
        ));
    }
    let express_route = gateway_type.eq_ignore_ascii_case("ExpressRoute");
    if express_route && !ER_SKUS.iter().any(|s| s.eq_ignore_ascii_case(sku_name)) {
        return Err(bad(
            "InvalidGatewaySku",
            format!(
                "{sku_name} is not an ExpressRoute gateway SKU; use one of {}.",
                ER_SKUS.join(", ")
            ),
        ));
    }
    if express_route {
        p.entry("vpnGatewayGeneration").or_insert(json!("None"));
    }
    let configs = p
        .get("ipConfigurations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if configs.is_empty() {
        return Err(bad(
            "VirtualNetworkGatewayMustHaveIpConfiguration",
            "A virtual network gateway needs at least one ipConfiguration.",
        ));
    }
    let mut with_ids = Vec::new();
    for (i, config) in configs.iter().enumerate() {
        let subnet_text = id_at(config, &["properties", "subnet"]).unwrap_or_default();
        let subnet = resolve(
            ctx,
            &subnet_text,
            ResourceKind::Subnet,
            "ipConfigurations.subnet",
        )?;
        if subnet.id.name() != "GatewaySubnet" {
            return Err(bad(
                "GatewaySubnetRequired",
                format!(
                    "The gateway must use the subnet named GatewaySubnet, not {}.",
                    subnet.id.name()
                ),
            ));
        }
        // One gateway of each type per virtual network.
        for other in ctx.store.referrers(&subnet.id.key())? {
            if other == id.key() {
                continue;
            }
            if let Some(row) = ctx.store.get_key(&other)?
                && row.id.kind == ResourceKind::VirtualNetworkGateway
                && props(&row.body)
                    .get("gatewayType")
                    .and_then(Value::as_str)
                    .is_some_and(|t| t.eq_ignore_ascii_case(&gateway_type))
            {
                return Err(bad(
                    "VirtualNetworkAlreadyHasGatewayOfType",
                    format!(
                        "Virtual network {} already has a {gateway_type} gateway ({}).",
                        subnet
                            .id
                            .parent()
                            .map(|v| v.name().to_string())
                            .unwrap_or_default(),
                        row.id.name()
                    ),
                ));
            }
        }
        refs.push(subnet.id.key());
        if let Some(pip_text) = id_at(config, &["properties", "publicIPAddress"]) {
            let pip = resolve(
                ctx,
                &pip_text,
                ResourceKind::PublicIpAddress,
                "ipConfigurations.publicIPAddress",
            )?;
            refs.push(pip.id.key());
        }
        let mut config = config.clone();
        let name = config
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| format!("ipconfig{i}"));
        if let Some(map) = config.as_object_mut() {
            map.insert("name".into(), json!(name));
            map.insert("id".into(), json!(format!("{id}/ipConfigurations/{name}")));
        }
        with_ids.push(config);
    }
    p.insert("ipConfigurations".into(), Value::Array(with_ids));
    p.entry("activeActive").or_insert(json!(false));
    p.entry("enableBgp").or_insert(json!(false));
    p.entry("bgpSettings")
        .or_insert(json!({"asn": 65515, "bgpPeeringAddress": "10.255.255.254", "peerWeight": 0}));
    Ok(())
}

fn local_gateway(p: &mut Map<String, Value>) -> Outcome<()> {
    let address = p
        .get("gatewayIpAddress")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let fqdn = p
        .get("fqdn")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    if address.is_some() == fqdn.is_some() {
        return Err(bad(
            "LocalNetworkGatewayAddressOrFqdnRequired",
            "Specify exactly one of gatewayIpAddress and fqdn.",
        ));
    }
    if let Some(address) = address
        && address.parse::<std::net::IpAddr>().is_err()
    {
        return Err(bad(
            "InvalidGatewayIpAddress",
            format!("{address} is not an IP address."),
        ));
    }
    for text in prefixes_of(
        p.get("localNetworkAddressSpace")
            .and_then(|a| a.get("addressPrefixes")),
    ) {
        if Prefix::parse(&text).is_none() {
            return Err(bad(
                "InvalidAddressPrefixFormat",
                format!("Address prefix {text} is not valid CIDR."),
            ));
        }
    }
    Ok(())
}

fn connection(ctx: &Ctx, p: &mut Map<String, Value>, refs: &mut Vec<String>) -> Outcome<()> {
    let connection_type = p
        .get("connectionType")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let whole = Value::Object(p.clone());
    let gateway_text = id_at(&whole, &["virtualNetworkGateway1"]).unwrap_or_default();
    let gateway = resolve(
        ctx,
        &gateway_text,
        ResourceKind::VirtualNetworkGateway,
        "virtualNetworkGateway1",
    )?;
    refs.push(gateway.id.key());
    let gateway_type = props(&gateway.body)
        .get("gatewayType")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if let Some(weight) = p.get("routingWeight").and_then(Value::as_i64)
        && !(0..=32000).contains(&weight)
    {
        return Err(bad(
            "InvalidRoutingWeight",
            format!("routingWeight {weight} must be between 0 and 32000."),
        ));
    }
    match connection_type.to_ascii_lowercase().as_str() {
        "expressroute" => {
            if !gateway_type.eq_ignore_ascii_case("ExpressRoute") {
                return Err(bad(
                    "GatewayTypeMismatch",
                    "An ExpressRoute connection needs a gateway of type ExpressRoute.",
                ));
            }
            let circuit_text = id_at(&whole, &["peer"]).unwrap_or_default();
            let circuit = resolve(
                ctx,
                &circuit_text,
                ResourceKind::ExpressRouteCircuit,
                "peer",
            )?;
            let private = circuit
                .id
                .child(ResourceKind::CircuitPeering, "AzurePrivatePeering")?;
            if ctx.store.get(&private)?.is_none() {
                return Err(bad(
                    "CircuitPrivatePeeringRequired",
                    format!(
                        "Circuit {} has no AzurePrivatePeering to connect to.",
                        circuit.id.name()
                    ),
                ));
            }
            refs.push(circuit.id.key());
            if let Some(key) = p.get("authorizationKey").and_then(Value::as_str) {
                let known = ctx
                    .store
                    .children(&circuit.id, ResourceKind::CircuitAuthorization)?
                    .iter()
                    .any(|a| {
                        props(&a.body)
                            .get("authorizationKey")
                            .and_then(Value::as_str)
                            == Some(key)
                    });
                if !known {
                    return Err(bad(
                        "InvalidAuthorizationKey",
                        "The authorization key does not match any authorization of the circuit.",
                    ));
                }
            }
            p.entry("routingWeight").or_insert(json!(0));
            p.entry("expressRouteGatewayBypass").or_insert(json!(false));
        }
        "ipsec" => {
            let lng_text = id_at(&whole, &["localNetworkGateway2"]).unwrap_or_default();
            let lng = resolve(
                ctx,
                &lng_text,
                ResourceKind::LocalNetworkGateway,
                "localNetworkGateway2",
            )?;
            refs.push(lng.id.key());
            if !gateway_type.eq_ignore_ascii_case("Vpn") {
                return Err(bad(
                    "GatewayTypeMismatch",
                    "An IPsec connection needs a Vpn gateway.",
                ));
            }
        }
        "vnet2vnet" => {
            let other_text = id_at(&whole, &["virtualNetworkGateway2"]).unwrap_or_default();
            let other = resolve(
                ctx,
                &other_text,
                ResourceKind::VirtualNetworkGateway,
                "virtualNetworkGateway2",
            )?;
            refs.push(other.id.key());
        }
        _ => {
            return Err(bad(
                "InvalidConnectionType",
                format!(
                    "connectionType {connection_type:?} is not supported; use ExpressRoute, IPsec or Vnet2Vnet."
                ),
            ));
        }
    }
    // Keep only the references of the embedded gateway objects.
    for key in [
        "virtualNetworkGateway1",
        "virtualNetworkGateway2",
        "localNetworkGateway2",
    ] {
        if let Some(reference) = whole.get(key).and_then(|g| g.get("id")) {
            p.insert(key.to_string(), json!({ "id": reference }));
        }
    }
    Ok(())
}

/// May this resource be deleted now? Checks children and references from elsewhere.
pub fn check_delete(ctx: &Ctx, id: &ResourceId, body: &Value) -> Outcome<()> {
    let conflict = |code: &str, message: String| Fail::Arm(ArmError::new(400, code, message));
    match id.kind {
        ResourceKind::ExpressRouteCircuit => {
            let peerings = ctx.store.children(id, ResourceKind::CircuitPeering)?;
            if !peerings.is_empty() {
                let names: Vec<&str> = peerings.iter().map(|r| r.id.name()).collect();
                return Err(conflict(
                    "CircuitHasPeerings",
                    format!(
                        "Circuit {} cannot be deleted while it has peerings ({}): delete them first.",
                        id.name(),
                        names.join(", ")
                    ),
                ));
            }
        }
        ResourceKind::CircuitPeering => {
            let links = ctx.store.children(id, ResourceKind::CircuitConnection)?;
            if !links.is_empty() {
                return Err(conflict(
                    "PeeringHasGlobalReachConnections",
                    format!(
                        "Peering {} cannot be deleted while it has Global Reach connections: delete them first.",
                        id.name()
                    ),
                ));
            }
            if id.name().eq_ignore_ascii_case("AzurePrivatePeering")
                && let Some(circuit) = id.parent()
            {
                for referrer in ctx.store.referrers(&circuit.key())? {
                    if let Some(row) = ctx.store.get_key(&referrer)?
                        && row.id.kind == ResourceKind::Connection
                    {
                        return Err(conflict(
                            "PeeringInUseByConnections",
                            format!(
                                "Private peering of {} is used by connection {}: delete the connection first.",
                                circuit.name(),
                                row.id.name()
                            ),
                        ));
                    }
                }
            }
        }
        _ => {}
    }
    let referrers = ctx.store.referrers(&id.key())?;
    // A peering referenced by the Global Reach connections of other circuits is in use; so is
    // anything else referenced from outside its own subtree.
    if let Some(first) = referrers.first() {
        let user = ctx
            .store
            .get_key(first)?
            .map(|r| r.id.to_string())
            .unwrap_or_else(|| first.clone());
        return Err(Fail::Arm(ArmError::new(
            400,
            &format!("InUse{}CannotBeDeleted", singular(id.kind)),
            format!(
                "{} {} is in use by {user} and cannot be deleted until it is no longer in use.",
                id.kind.arm_type(),
                id.name()
            ),
        )));
    }
    if id.kind == ResourceKind::ExpressRouteCircuit {
        let state = props(body)
            .get("serviceProviderProvisioningState")
            .and_then(Value::as_str)
            .unwrap_or("NotProvisioned");
        if matches!(state, "Provisioned" | "Provisioning") && ctx.mode == ProviderMode::Manual {
            return Err(conflict(
                "CircuitProvisionedByServiceProvider",
                format!(
                    "Circuit {} cannot be deleted while its service provider provisioning state is {state}: ask the provider to deprovision it first.",
                    id.name()
                ),
            ));
        }
    }
    Ok(())
}

/// The singular type name Network RP uses in error codes (`InUseSubnetCannotBeDeleted`).
fn singular(kind: ResourceKind) -> &'static str {
    match kind {
        ResourceKind::ResourceGroup => "ResourceGroup",
        ResourceKind::VirtualNetwork => "VirtualNetwork",
        ResourceKind::Subnet => "Subnet",
        ResourceKind::PublicIpAddress => "PublicIPAddress",
        ResourceKind::VirtualNetworkGateway => "VirtualNetworkGateway",
        ResourceKind::LocalNetworkGateway => "LocalNetworkGateway",
        ResourceKind::Connection => "Connection",
        ResourceKind::ExpressRouteCircuit => "ExpressRouteCircuit",
        ResourceKind::CircuitPeering => "ExpressRouteCircuitPeering",
        ResourceKind::CircuitAuthorization => "ExpressRouteCircuitAuthorization",
        ResourceKind::CircuitConnection => "ExpressRouteCircuitConnection",
        ResourceKind::PeerConnection => "PeerExpressRouteCircuitConnection",
        ResourceKind::RouteFilter => "RouteFilter",
        ResourceKind::RouteFilterRule => "RouteFilterRule",
    }
}
