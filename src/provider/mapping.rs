//! The azurerm ↔ ARM mapping, shared part: which ARM kind each azurerm type is, the ARM id built
//! from an attribute object, the request body (built fresh from the attributes, then laid over the
//! body GET returned so server-owned fields and embedded children survive: read-modify-write), and
//! the attribute object read back from a response (every schema attribute present, sets as sets,
//! sensitive values marked, write-only values kept from the prior attributes). The per-type facts
//! live in `map_*.rs`. Pure: no I/O.

use super::{map_circuit, map_gateway, map_network};
use crate::arm::spec::strip_read_only;
use crate::arm::{ResourceId, ResourceKind};
use crate::lang::{Type, Value};
use crate::schema::{self, BlockSchema};
use anyhow::{Context, Result, anyhow, bail};
use serde_json::{Map, Value as Json, json};
use std::collections::BTreeMap;
use std::sync::Arc;

/// The ARM kind an azurerm resource type is written as.
pub fn kind_of(type_name: &str) -> Result<ResourceKind> {
    Ok(match type_name {
        "azurerm_resource_group" => ResourceKind::ResourceGroup,
        "azurerm_virtual_network" => ResourceKind::VirtualNetwork,
        "azurerm_subnet" => ResourceKind::Subnet,
        "azurerm_public_ip" => ResourceKind::PublicIpAddress,
        "azurerm_virtual_network_gateway" => ResourceKind::VirtualNetworkGateway,
        "azurerm_local_network_gateway" => ResourceKind::LocalNetworkGateway,
        "azurerm_virtual_network_gateway_connection" => ResourceKind::Connection,
        "azurerm_express_route_circuit" => ResourceKind::ExpressRouteCircuit,
        "azurerm_express_route_circuit_peering" => ResourceKind::CircuitPeering,
        "azurerm_express_route_circuit_authorization" => ResourceKind::CircuitAuthorization,
        "azurerm_express_route_circuit_connection" => ResourceKind::CircuitConnection,
        "azurerm_route_filter" => ResourceKind::RouteFilter,
        other => bail!("resource type {other} is not supported by the ARM provider"),
    })
}

/// The ARM id of the object these attributes describe.
pub fn resource_id(type_name: &str, attributes: &Value, subscription: &str) -> Result<ResourceId> {
    let a = Attrs::new(type_name, attributes)?;
    let kind = kind_of(type_name)?;
    let id = match kind {
        ResourceKind::ResourceGroup => ResourceId::resource_group(subscription, a.req_str("name")?),
        ResourceKind::Subnet => ResourceId::new(
            subscription,
            a.req_str("resource_group_name")?,
            kind,
            &[a.req_str("virtual_network_name")?, a.req_str("name")?],
        )?,
        ResourceKind::CircuitPeering => ResourceId::new(
            subscription,
            a.req_str("resource_group_name")?,
            kind,
            &[
                a.req_str("express_route_circuit_name")?,
                a.req_str("peering_type")?,
            ],
        )?,
        ResourceKind::CircuitAuthorization => ResourceId::new(
            subscription,
            a.req_str("resource_group_name")?,
            kind,
            &[a.req_str("express_route_circuit_name")?, a.req_str("name")?],
        )?,
        ResourceKind::CircuitConnection => {
            let peering = ResourceId::parse(a.req_str("peering_id")?)
                .with_context(|| format!("{type_name}.peering_id"))?;
            peering.child(kind, a.req_str("name")?)?
        }
        _ => ResourceId::new(
            subscription,
            a.req_str("resource_group_name")?,
            kind,
            &[a.req_str("name")?],
        )?,
    };
    Ok(id)
}

/// The PUT body for these attributes. With `existing` (what GET returned), the body is that
/// resource with read-only properties removed and ours laid over it (read-modify-write).
pub fn request_body(type_name: &str, attributes: &Value, existing: Option<&Json>) -> Result<Json> {
    let a = Attrs::new(type_name, attributes)?;
    let kind = kind_of(type_name)?;
    let creating = existing.is_none();
    let fresh = match type_name {
        "azurerm_resource_group" => map_network::resource_group_body(&a)?,
        "azurerm_virtual_network" => map_network::virtual_network_body(&a, creating)?,
        "azurerm_subnet" => map_network::subnet_body(&a)?,
        "azurerm_public_ip" => map_network::public_ip_body(&a)?,
        "azurerm_virtual_network_gateway" => map_gateway::gateway_body(&a)?,
        "azurerm_local_network_gateway" => map_gateway::local_gateway_body(&a)?,
        "azurerm_virtual_network_gateway_connection" => map_gateway::connection_body(&a)?,
        "azurerm_express_route_circuit" => map_circuit::circuit_body(&a, creating)?,
        "azurerm_express_route_circuit_peering" => map_circuit::peering_body(&a)?,
        "azurerm_express_route_circuit_authorization" => json!({ "properties": {} }),
        "azurerm_express_route_circuit_connection" => map_circuit::global_reach_body(&a)?,
        "azurerm_route_filter" => map_circuit::route_filter_body(&a, creating)?,
        other => bail!("resource type {other} is not supported by the ARM provider"),
    };
    let mut body = match existing {
        Some(existing) => {
            let mut base = existing.clone();
            strip_read_only(kind, &mut base)?;
            overlay(&mut base, &fresh);
            base
        }
        None => fresh,
    };
    prune_nulls(&mut body);
    Ok(body)
}

/// The attribute object of a resource as ARM returned it. `prior` supplies what ARM never returns
/// (write-only secrets, `timeouts`).
pub fn attributes(
    type_name: &str,
    id: &ResourceId,
    body: &Json,
    prior: Option<&Value>,
) -> Result<Value> {
    if !body.is_object() {
        bail!("expected a JSON object for {id}, got {body}");
    }
    let mut mapped = Out::default();
    mapped.set("id", Value::string(id.to_string()));
    let r = Body(body);
    match type_name {
        "azurerm_resource_group" => map_network::resource_group_attrs(id, &r, &mut mapped),
        "azurerm_virtual_network" => map_network::virtual_network_attrs(id, &r, &mut mapped),
        "azurerm_subnet" => map_network::subnet_attrs(id, &r, &mut mapped),
        "azurerm_public_ip" => map_network::public_ip_attrs(id, &r, &mut mapped),
        "azurerm_virtual_network_gateway" => map_gateway::gateway_attrs(id, &r, &mut mapped),
        "azurerm_local_network_gateway" => map_gateway::local_gateway_attrs(id, &r, &mut mapped),
        "azurerm_virtual_network_gateway_connection" => {
            map_gateway::connection_attrs(id, &r, &mut mapped)
        }
        "azurerm_express_route_circuit" => map_circuit::circuit_attrs(id, &r, &mut mapped),
        "azurerm_express_route_circuit_peering" => map_circuit::peering_attrs(id, &r, &mut mapped),
        "azurerm_express_route_circuit_authorization" => {
            map_circuit::authorization_attrs(id, &r, &mut mapped)
        }
        "azurerm_express_route_circuit_connection" => {
            map_circuit::global_reach_attrs(id, &r, &mut mapped)
        }
        "azurerm_route_filter" => map_circuit::route_filter_attrs(id, &r, &mut mapped),
        other => bail!("resource type {other} is not supported by the ARM provider"),
    }
    let schema = schema::resource(type_name)
        .ok_or_else(|| anyhow!("no schema for resource type {type_name}"))?;
    let prior_map = prior.and_then(Value::as_map);
    Ok(conform(&schema.block, mapped.0, prior_map))
}

/// Lay `top` over `base`: objects merge key by key, anything else replaces; `null` in `top`
/// replaces too (and is pruned later, removing the property).
pub fn overlay(base: &mut Json, top: &Json) {
    match (base, top) {
        (Json::Object(base), Json::Object(top)) => {
            for (key, value) in top {
                match base.get_mut(key) {
                    Some(existing) if existing.is_object() && value.is_object() => {
                        overlay(existing, value)
                    }
                    _ => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, top) => *base = top.clone(),
    }
}

/// Remove `null` members of objects, at any depth.
pub fn prune_nulls(value: &mut Json) {
    match value {
        Json::Object(map) => {
            map.retain(|_, v| !v.is_null());
            for v in map.values_mut() {
                prune_nulls(v);
            }
        }
        Json::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// Fill every schema attribute (null when absent), blocks as empty lists, sets as sets, sensitive
/// values marked; attributes the mapping did not produce come from `prior`.
fn conform(
    schema: &BlockSchema,
    mut mapped: BTreeMap<String, Value>,
    prior: Option<&BTreeMap<String, Value>>,
) -> Value {
    let mut out = BTreeMap::new();
    for attribute in &schema.attributes {
        let value = match mapped.remove(attribute.name) {
            Some(v) => v,
            None => prior
                .and_then(|p| p.get(attribute.name))
                .cloned()
                .filter(|v| !v.is_unknown())
                .unwrap_or(Value::Null),
        };
        let value = match (&attribute.ty, value) {
            (Type::Set(_), Value::List(items)) => Value::set(items),
            (_, v) => v,
        };
        let value = if attribute.sensitive && !value.is_null() {
            value.mark_sensitive()
        } else {
            value
        };
        out.insert(attribute.name.to_string(), value);
    }
    for nested in &schema.blocks {
        let items = match mapped.remove(nested.name) {
            Some(Value::List(items)) => Some(items),
            _ => prior
                .and_then(|p| p.get(nested.name))
                .and_then(|v| v.as_list().map(<[Value]>::to_vec)),
        }
        .unwrap_or_default();
        let prior_items: Vec<&BTreeMap<String, Value>> = prior
            .and_then(|p| p.get(nested.name))
            .and_then(Value::as_list)
            .map(|l| l.iter().filter_map(Value::as_map).collect())
            .unwrap_or_default();
        let items: Vec<Value> = items
            .into_iter()
            .enumerate()
            .map(|(i, item)| match item {
                Value::Map(map) => conform(
                    &nested.block,
                    Arc::unwrap_or_clone(map),
                    prior_items.get(i).copied(),
                ),
                other => other,
            })
            .collect();
        let value = if nested.is_set {
            Value::set(items)
        } else {
            Value::List(items)
        };
        out.insert(nested.name.to_string(), value);
    }
    Value::map(out)
}

// ---------------------------------------------------------------------------------------------
// Reading attribute objects.

/// Read access to an attribute object with the conventions apply needs: `null` and unknown both
/// mean "not set" (unknown is Optional+Computed left to Azure), sensitive marks are looked through.
pub struct Attrs<'a> {
    type_name: &'a str,
    path: String,
    map: &'a BTreeMap<String, Value>,
}

impl<'a> Attrs<'a> {
    pub fn new(type_name: &'a str, value: &'a Value) -> Result<Attrs<'a>> {
        let map = value
            .as_map()
            .ok_or_else(|| anyhow!("the attributes of a {type_name} must be an object"))?;
        Ok(Attrs {
            type_name,
            path: String::new(),
            map,
        })
    }

    fn name(&self, key: &str) -> String {
        format!("{}.{}{key}", self.type_name, self.path)
    }

    /// The value, or `None` when null or unknown.
    pub fn value(&self, key: &str) -> Option<&'a Value> {
        let v = self.map.get(key)?.unmark().0;
        if v.is_null() || v.is_unknown() {
            None
        } else {
            Some(v)
        }
    }

    /// Whether the attribute is unknown (left to Azure).
    pub fn is_unknown(&self, key: &str) -> bool {
        self.map.get(key).is_some_and(Value::is_unknown)
    }

    pub fn str(&self, key: &str) -> Result<Option<&'a str>> {
        match self.value(key) {
            None => Ok(None),
            Some(v) => v.as_str().map(Some).ok_or_else(|| {
                anyhow!("{} must be a string, got {}", self.name(key), v.type_name())
            }),
        }
    }

    pub fn req_str(&self, key: &str) -> Result<&'a str> {
        self.str(key)?.filter(|s| !s.is_empty()).ok_or_else(|| {
            anyhow!(
                "{} is not set or not known yet; it is needed to talk to Azure",
                self.name(key)
            )
        })
    }

    pub fn int(&self, key: &str) -> Result<Option<i64>> {
        match self.value(key) {
            None => Ok(None),
            Some(v) => v
                .as_i64()
                .map(Some)
                .ok_or_else(|| anyhow!("{} must be a whole number, got {v}", self.name(key))),
        }
    }

    pub fn float(&self, key: &str) -> Result<Option<f64>> {
        match self.value(key) {
            None => Ok(None),
            Some(v) => v
                .as_number()
                .map(|n| Some(n.0))
                .ok_or_else(|| anyhow!("{} must be a number, got {v}", self.name(key))),
        }
    }

    pub fn bool(&self, key: &str) -> Result<Option<bool>> {
        match self.value(key) {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| anyhow!("{} must be true or false, got {v}", self.name(key))),
        }
    }

    pub fn strings(&self, key: &str) -> Result<Option<Vec<String>>> {
        match self.value(key) {
            None => Ok(None),
            Some(v) => {
                let items = v
                    .as_list()
                    .ok_or_else(|| anyhow!("{} must be a list of strings", self.name(key)))?;
                items
                    .iter()
                    .map(|i| {
                        i.as_str().map(str::to_string).ok_or_else(|| {
                            anyhow!("{} must hold only known strings", self.name(key))
                        })
                    })
                    .collect::<Result<Vec<_>>>()
                    .map(Some)
            }
        }
    }

    /// A map of strings (tags) as JSON.
    pub fn string_map(&self, key: &str) -> Result<Option<Json>> {
        match self.value(key) {
            None => Ok(None),
            Some(v) => {
                let map = v
                    .as_map()
                    .ok_or_else(|| anyhow!("{} must be a map of strings", self.name(key)))?;
                let mut out = Map::new();
                for (k, item) in map {
                    let s = item.as_str().ok_or_else(|| {
                        anyhow!("{}[{k:?}] must be a known string", self.name(key))
                    })?;
                    out.insert(k.clone(), json!(s));
                }
                Ok(Some(Json::Object(out)))
            }
        }
    }

    /// Nested blocks; `None` when unknown (a computed block left to Azure).
    pub fn blocks(&self, key: &str) -> Result<Option<Vec<Attrs<'a>>>> {
        let Some(raw) = self.map.get(key) else {
            return Ok(Some(Vec::new()));
        };
        let raw = raw.unmark().0;
        if raw.is_unknown() {
            return Ok(None);
        }
        if raw.is_null() {
            return Ok(Some(Vec::new()));
        }
        let items = raw
            .as_list()
            .ok_or_else(|| anyhow!("{} must be a list of blocks", self.name(key)))?;
        items
            .iter()
            .enumerate()
            .map(|(i, item)| {
                let map = item
                    .unmark()
                    .0
                    .as_map()
                    .ok_or_else(|| anyhow!("{}[{i}] must be a block", self.name(key)))?;
                Ok(Attrs {
                    type_name: self.type_name,
                    path: format!("{}{key}[{i}].", self.path),
                    map,
                })
            })
            .collect::<Result<Vec<_>>>()
            .map(Some)
    }

    /// The first block of a single-block attribute (`sku {}`), if written.
    pub fn block(&self, key: &str) -> Result<Option<Attrs<'a>>> {
        Ok(self.blocks(key)?.and_then(|mut b| {
            if b.is_empty() {
                None
            } else {
                Some(b.remove(0))
            }
        }))
    }

    /// Refuse an argument this provider cannot send yet, rather than dropping it silently.
    pub fn unsupported(&self, keys: &[&str]) -> Result<()> {
        for key in keys {
            let set = match self.map.get(*key).map(|v| v.unmark().0) {
                None | Some(Value::Null) | Some(Value::Unknown) => false,
                Some(v) => v.as_list().is_none_or(|l| !l.is_empty()),
            };
            if set {
                bail!(
                    "{} is not supported by peerform's ARM provider yet: remove it, or manage it outside peerform",
                    self.name(key)
                );
            }
        }
        Ok(())
    }
}

/// JSON for an optional attribute: `None` when unknown (leave Azure's value), `null` when unset.
pub fn field(value: Result<Option<Json>>, unknown: bool) -> Result<Option<Json>> {
    if unknown {
        return Ok(None);
    }
    Ok(Some(value?.unwrap_or(Json::Null)))
}

/// Build a JSON object from `(key, Option<value>)` pairs, leaving out the `None`s.
pub fn object(pairs: Vec<(&str, Option<Json>)>) -> Json {
    let mut map = Map::new();
    for (key, value) in pairs {
        if let Some(value) = value {
            map.insert(key.to_string(), value);
        }
    }
    Json::Object(map)
}

impl Attrs<'_> {
    pub fn j_str(&self, key: &str) -> Result<Option<Json>> {
        field(
            self.str(key).map(|v| v.map(|s| json!(s))),
            self.is_unknown(key),
        )
    }
    pub fn j_int(&self, key: &str) -> Result<Option<Json>> {
        field(
            self.int(key).map(|v| v.map(|n| json!(n))),
            self.is_unknown(key),
        )
    }
    pub fn j_bool(&self, key: &str) -> Result<Option<Json>> {
        field(
            self.bool(key).map(|v| v.map(|b| json!(b))),
            self.is_unknown(key),
        )
    }
    pub fn j_strings(&self, key: &str) -> Result<Option<Json>> {
        field(
            self.strings(key).map(|v| v.map(|s| json!(s))),
            self.is_unknown(key),
        )
    }
    /// `{ "id": … }` from an id attribute.
    pub fn j_ref(&self, key: &str) -> Result<Option<Json>> {
        field(
            self.str(key).map(|v| v.map(|s| json!({ "id": s }))),
            self.is_unknown(key),
        )
    }
    pub fn j_tags(&self) -> Result<Option<Json>> {
        field(self.string_map("tags"), self.is_unknown("tags"))
    }
}

// ---------------------------------------------------------------------------------------------
// Reading ARM bodies.

/// Read access to a response body by path, giving attribute values (`null` when absent).
pub struct Body<'a>(pub &'a Json);

impl<'a> Body<'a> {
    pub fn at(&self, path: &[&str]) -> Option<&'a Json> {
        let mut v = self.0;
        for key in path {
            v = v.get(*key)?;
        }
        if v.is_null() { None } else { Some(v) }
    }

    pub fn str(&self, path: &[&str]) -> Value {
        self.at(path)
            .and_then(Json::as_str)
            .map(Value::string)
            .unwrap_or(Value::Null)
    }

    pub fn num(&self, path: &[&str]) -> Value {
        self.at(path)
            .and_then(Json::as_f64)
            .map(Value::number)
            .unwrap_or(Value::Null)
    }

    pub fn bool(&self, path: &[&str]) -> Value {
        self.at(path)
            .and_then(Json::as_bool)
            .map(Value::Bool)
            .unwrap_or(Value::Null)
    }

    /// A list of strings; absent is an empty list.
    pub fn strings(&self, path: &[&str]) -> Value {
        Value::List(
            self.at(path)
                .and_then(Json::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(Json::as_str)
                        .map(Value::string)
                        .collect()
                })
                .unwrap_or_default(),
        )
    }

    /// The `id` inside a `{ "id": … }` reference.
    pub fn ref_id(&self, path: &[&str]) -> Value {
        let mut full: Vec<&str> = path.to_vec();
        full.push("id");
        self.str(&full)
    }

    pub fn tags(&self) -> Value {
        match self.at(&["tags"]).and_then(Json::as_object) {
            Some(map) => Value::map(
                map.iter()
                    .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), Value::string(s))))
                    .collect(),
            ),
            None => Value::Null,
        }
    }

    pub fn items(&self, path: &[&str]) -> Vec<Body<'a>> {
        self.at(path)
            .and_then(Json::as_array)
            .map(|a| a.iter().map(Body).collect())
            .unwrap_or_default()
    }
}

/// The attribute object being built from a response.
#[derive(Default)]
pub struct Out(pub BTreeMap<String, Value>);

impl Out {
    pub fn set(&mut self, key: &str, value: Value) {
        self.0.insert(key.to_string(), value);
    }

    /// A nested block list.
    pub fn blocks(&mut self, key: &str, items: Vec<Out>) {
        self.0.insert(
            key.to_string(),
            Value::List(items.into_iter().map(|o| Value::map(o.0)).collect()),
        );
    }
}

/// `westus` from `West US`: how azurerm normalises locations.
pub fn location_value(body: &Body) -> Value {
    match body.at(&["location"]).and_then(Json::as_str) {
        Some(l) => Value::string(l.replace(' ', "").to_ascii_lowercase()),
        None => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_and_prune() {
        let mut base = json!({"a": 1, "p": {"x": 1, "y": 2, "kids": [1]}});
        overlay(&mut base, &json!({"p": {"y": null, "z": 3}, "b": [1]}));
        prune_nulls(&mut base);
        assert_eq!(
            base,
            json!({"a": 1, "b": [1], "p": {"x": 1, "z": 3, "kids": [1]}})
        );
    }
}
