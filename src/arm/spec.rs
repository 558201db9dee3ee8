//! The property flags of the Microsoft.Network 2025-09-01 types (the reference extraction of the
//! bicep types, embedded): checking a request body against them (required present, read-only absent,
//! enums, integer ranges, JSON types) and removing read-only properties from a body read back with
//! GET before it is sent again. Resource groups (Microsoft.Resources) have a small hand-written
//! shape here. It must not hold azurerm names or per-resource business rules.

use super::ResourceKind;
use anyhow::{Context, Result};
use serde_json::{Map, Value};
use std::sync::OnceLock;

const TYPES_JSON: &str = include_str!("types-microsoft.network-2025-09-01.json");

/// Object types the extraction names by reference only, mapped to an equivalent type it does hold.
const ALIASES: &[(&str, &str)] = &[("Subnet", "Microsoft.Network/virtualNetworks/subnets")];

/// How strict a check is: the emulator, like ARM, tolerates read-only echoes, unknown properties and
/// enum case differences; the tests of our own request bodies tolerate none of them.
#[derive(Clone, Copy, Debug)]
pub struct CheckOptions {
    pub allow_read_only: bool,
    pub allow_unknown: bool,
    pub enum_ignore_case: bool,
}

impl CheckOptions {
    /// What peerform's own request bodies must satisfy.
    pub const STRICT: CheckOptions = CheckOptions {
        allow_read_only: false,
        allow_unknown: false,
        enum_ignore_case: false,
    };
    /// What ARM accepts from any client.
    pub const SERVER: CheckOptions = CheckOptions {
        allow_read_only: true,
        allow_unknown: true,
        enum_ignore_case: true,
    };
}

struct Spec {
    object_types: Map<String, Value>,
}

fn spec() -> Result<&'static Spec> {
    static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();
    let loaded = SPEC.get_or_init(|| {
        let root: Value = serde_json::from_str(TYPES_JSON).map_err(|e| e.to_string())?;
        let object_types = root
            .get("objectTypes")
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| "no objectTypes".to_string())?;
        Ok(Spec { object_types })
    });
    loaded
        .as_ref()
        .map_err(|e| anyhow::anyhow!("the embedded ARM types file is unreadable: {e}"))
}

impl Spec {
    fn object(&self, name: &str) -> Option<&Map<String, Value>> {
        let name = ALIASES
            .iter()
            .find(|(alias, _)| *alias == name)
            .map(|(_, real)| *real)
            .unwrap_or(name);
        self.object_types.get(name).and_then(Value::as_object)
    }
}

fn flags(property: &Value) -> Vec<&str> {
    property
        .get("flags")
        .and_then(Value::as_array)
        .map(|f| f.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// Check a request body for `kind`. Returns one line per problem, each naming the JSON path.
pub fn check_body(kind: ResourceKind, body: &Value, options: CheckOptions) -> Result<Vec<String>> {
    let mut problems = Vec::new();
    if kind == ResourceKind::ResourceGroup {
        check_resource_group(body, options, &mut problems);
        return Ok(problems);
    }
    let spec = spec().context("checking a request body")?;
    let type_name = kind.arm_type();
    let Some(object) = spec.object(&type_name) else {
        problems.push(format!("no type {type_name} in the ARM types"));
        return Ok(problems);
    };
    check_object(spec, object, body, "", true, options, &mut problems);
    Ok(problems)
}

fn check_resource_group(body: &Value, options: CheckOptions, problems: &mut Vec<String>) {
    let Some(map) = body.as_object() else {
        problems.push("body: expected an object".into());
        return;
    };
    match map.get("location") {
        Some(Value::String(_)) => {}
        Some(_) => problems.push("location: expected a string".into()),
        None => problems.push("location: required property missing".into()),
    }
    if let Some(tags) = map.get("tags") {
        check_tags(tags, "tags", problems);
    }
    for key in map.keys() {
        match key.as_str() {
            "location" | "tags" | "managedBy" => {}
            "id" | "name" | "type" | "properties" if options.allow_read_only => {}
            other if !options.allow_unknown => problems.push(format!("{other}: unknown property")),
            _ => {}
        }
    }
}

fn check_tags(tags: &Value, path: &str, problems: &mut Vec<String>) {
    match tags.as_object() {
        Some(map) => {
            for (k, v) in map {
                if !v.is_string() {
                    problems.push(format!("{path}.{k}: expected a string"));
                }
            }
        }
        None => problems.push(format!("{path}: expected an object of strings")),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn check_object(
    spec: &Spec,
    object: &Map<String, Value>,
    value: &Value,
    path: &str,
    top_level: bool,
    options: CheckOptions,
    problems: &mut Vec<String>,
) {
    let Some(map) = value.as_object() else {
        problems.push(format!("{}: expected an object", display(path)));
        return;
    };
    let empty = Map::new();
    let properties = object
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    if let Some(additional) = object.get("additionalProperties")
        && properties.is_empty()
    {
        for (key, item) in map {
            check_value(spec, additional, item, &join(path, key), options, problems);
        }
        return;
    }
    for (name, property) in properties {
        let f = flags(property);
        if f.contains(&"Required") && !map.contains_key(name) {
            // The resource name of a PUT travels in the URL, not the body.
            let from_url = top_level && name == "name" && f.contains(&"DeployTimeConstant");
            if !from_url {
                problems.push(format!("{}: required property missing", join(path, name)));
            }
        }
    }
    for (key, item) in map {
        let here = join(path, key);
        let Some(property) = properties.get(key) else {
            if !options.allow_unknown {
                problems.push(format!("{here}: unknown property"));
            }
            continue;
        };
        if flags(property).contains(&"ReadOnly") {
            if !options.allow_read_only {
                problems.push(format!("{here}: read-only property sent"));
            }
            continue;
        }
        check_value(spec, property, item, &here, options, problems);
    }
}

fn display(path: &str) -> &str {
    if path.is_empty() { "body" } else { path }
}

fn check_value(
    spec: &Spec,
    property: &Value,
    value: &Value,
    path: &str,
    options: CheckOptions,
    problems: &mut Vec<String>,
) {
    if value.is_null() {
        // ARM treats an explicit null as "not set".
        return;
    }
    let ty = property.get("type").and_then(Value::as_str).unwrap_or("");
    match ty {
        "string" if !value.is_string() => {
            problems.push(format!("{path}: expected a string, got {value}"));
        }
        "boolean" if !value.is_boolean() => {
            problems.push(format!("{path}: expected a boolean, got {value}"));
        }
        "integer" => match value
            .as_i64()
            .map(|i| i as f64)
            .or(value.as_u64().map(|u| u as f64))
        {
            None => problems.push(format!("{path}: expected an integer, got {value}")),
            Some(n) => {
                if let Some(min) = property.get("minValue").and_then(Value::as_f64)
                    && n < min
                {
                    problems.push(format!("{path}: {n} is below the minimum {min}"));
                }
                if let Some(max) = property.get("maxValue").and_then(Value::as_f64)
                    && n > max
                {
                    problems.push(format!("{path}: {n} is above the maximum {max}"));
                }
            }
        },
        "enum" => {
            let allowed: Vec<&str> = property
                .get("values")
                .and_then(Value::as_array)
                .map(|v| v.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            match value.as_str() {
                None => problems.push(format!("{path}: expected a string, got {value}")),
                Some(s) => {
                    let ok = allowed.iter().any(|a| {
                        *a == s || (options.enum_ignore_case && a.eq_ignore_ascii_case(s))
                    });
                    if !ok {
                        problems.push(format!(
                            "{path}: {s:?} is not one of {}",
                            allowed.join(", ")
                        ));
                    }
                }
            }
        }
        "array" => match value.as_array() {
            None => problems.push(format!("{path}: expected an array, got {value}")),
            Some(items) => {
                if let Some(item_type) = property.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        check_value(
                            spec,
                            item_type,
                            item,
                            &format!("{path}[{i}]"),
                            options,
                            problems,
                        );
                    }
                }
            }
        },
        "object" => match property.get("ref").and_then(Value::as_str) {
            Some("ResourceTags") => check_tags(value, path, problems),
            Some(name) => match spec.object(name) {
                Some(object) => check_object(spec, object, value, path, false, options, problems),
                // Types the extraction keeps by name only are opaque: just require an object.
                None => {
                    if !value.is_object() {
                        problems.push(format!("{path}: expected an object, got {value}"));
                    }
                }
            },
            None => {
                if !value.is_object() {
                    problems.push(format!("{path}: expected an object, got {value}"));
                }
            }
        },
        _ => {}
    }
}

/// Remove every read-only property (at any depth) from a body about to be sent again.
pub fn strip_read_only(kind: ResourceKind, body: &mut Value) -> Result<()> {
    if kind == ResourceKind::ResourceGroup {
        if let Some(map) = body.as_object_mut() {
            map.retain(|k, _| matches!(k.as_str(), "location" | "tags" | "managedBy"));
        }
        return Ok(());
    }
    let spec = spec().context("stripping read-only properties")?;
    if let Some(object) = spec.object(&kind.arm_type()) {
        strip_object(spec, object, body);
    }
    Ok(())
}

fn strip_object(spec: &Spec, object: &Map<String, Value>, value: &mut Value) {
    let Some(map) = value.as_object_mut() else {
        return;
    };
    let Some(properties) = object.get("properties").and_then(Value::as_object) else {
        return;
    };
    map.retain(|key, _| {
        properties
            .get(key)
            .is_none_or(|p| !flags(p).contains(&"ReadOnly"))
    });
    for (key, item) in map.iter_mut() {
        if let Some(property) = properties.get(key) {
            strip_value(spec, property, item);
        }
    }
}

fn strip_value(spec: &Spec, property: &Value, value: &mut Value) {
    match property.get("type").and_then(Value::as_str) {
        Some("object") => {
            if let Some(object) = property
                .get("ref")
                .and_then(Value::as_str)
                .and_then(|name| spec.object(name))
            {
                strip_object(spec, object, value);
            }
        }
        Some("array") => {
            if let (Some(item_type), Some(items)) = (property.get("items"), value.as_array_mut()) {
                for item in items {
                    strip_value(spec, item_type, item);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn strict_check_finds_each_kind_of_problem() {
        let body = json!({
            "location": "westus",
            "etag": "x",
            "bogus": 1,
            "properties": {
                "peerings": [{"name": "AzurePrivatePeering", "properties": {"peerASN": 0, "peeringType": "Nope"}}],
                "serviceProviderProperties": {"bandwidthInMbps": "fifty"}
            }
        });
        let problems = check_body(
            ResourceKind::ExpressRouteCircuit,
            &body,
            CheckOptions::STRICT,
        )
        .unwrap();
        let text = problems.join("\n");
        assert!(text.contains("etag: read-only property sent"), "{text}");
        assert!(text.contains("bogus: unknown property"), "{text}");
        assert!(text.contains("peerASN: 0 is below the minimum 1"), "{text}");
        assert!(
            text.contains("peeringType: \"Nope\" is not one of"),
            "{text}"
        );
        assert!(
            text.contains("bandwidthInMbps: expected an integer"),
            "{text}"
        );
        let rule = json!({"properties": {"access": "Allow"}});
        let problems =
            check_body(ResourceKind::RouteFilterRule, &rule, CheckOptions::STRICT).unwrap();
        assert!(
            problems.iter().any(|p| p.contains("communities: required")),
            "{problems:?}"
        );
    }

    #[test]
    fn strip_removes_read_only_at_depth() {
        let mut body = json!({
            "id": "x", "etag": "e", "location": "westus",
            "properties": {"provisioningState": "Succeeded", "serviceKey": "k",
                "peerings": [{"name": "p", "etag": "e2", "type": "t", "properties": {"provisioningState": "Succeeded", "vlanId": 1}}]}
        });
        strip_read_only(ResourceKind::ExpressRouteCircuit, &mut body).unwrap();
        assert_eq!(
            body,
            json!({"location": "westus", "properties": {"serviceKey": "k",
                "peerings": [{"name": "p", "properties": {"vlanId": 1}}]}})
        );
    }
}
