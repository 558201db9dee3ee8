//! The registry of resource and data-source schemas, built once on first use and looked up by type
//! name, plus the small builder vocabulary the `res_*` files use to write the azurerm argument tables
//! down, the derivation of a data source from its resource, and the checker for [`Validation`]s.
//! The per-type data lives in the `res_*` siblings; this file holds no type-specific facts beyond
//! the list of types and their data-source lookup keys. Pure data: no I/O, no printing, and no panic
//! on any value.

use std::collections::HashMap;
use std::net::{Ipv4Addr, Ipv6Addr};
use std::sync::{Mutex, OnceLock};

use regex::Regex;

use super::{AttributeSchema, BlockSchema, NestedBlockSchema, ResourceSchema, Validation};
use super::{res_circuit, res_data, res_gateway, res_network};
use crate::lang::{ObjectAttr, Type, Value};

/// A supported resource type: its name, the builder of its schema, and the arguments its data
/// source is looked up by (azurerm's data source where one exists; otherwise the resource's identity).
struct TypeEntry {
    type_name: &'static str,
    build: fn() -> ResourceSchema,
    lookup: &'static [&'static str],
}

const TYPES: &[TypeEntry] = &[
    TypeEntry {
        type_name: "azurerm_resource_group",
        build: res_network::resource_group,
        lookup: &["name"],
    },
    TypeEntry {
        type_name: "azurerm_virtual_network",
        build: res_network::virtual_network,
        lookup: &["name", "resource_group_name"],
    },
    TypeEntry {
        type_name: "azurerm_subnet",
        build: res_network::subnet,
        lookup: &["name", "virtual_network_name", "resource_group_name"],
    },
    TypeEntry {
        type_name: "azurerm_public_ip",
        build: res_network::public_ip,
        lookup: &["name", "resource_group_name"],
    },
    TypeEntry {
        type_name: "azurerm_virtual_network_gateway",
        build: res_gateway::virtual_network_gateway,
        lookup: &["name", "resource_group_name"],
    },
    TypeEntry {
        type_name: "azurerm_local_network_gateway",
        build: res_gateway::local_network_gateway,
        lookup: &["name", "resource_group_name"],
    },
    TypeEntry {
        type_name: "azurerm_virtual_network_gateway_connection",
        build: res_gateway::virtual_network_gateway_connection,
        lookup: &["name", "resource_group_name"],
    },
    TypeEntry {
        type_name: "azurerm_express_route_circuit",
        build: res_circuit::express_route_circuit,
        lookup: &["name", "resource_group_name"],
    },
    TypeEntry {
        type_name: "azurerm_express_route_circuit_peering",
        build: res_circuit::express_route_circuit_peering,
        lookup: &[
            "peering_type",
            "express_route_circuit_name",
            "resource_group_name",
        ],
    },
    TypeEntry {
        type_name: "azurerm_express_route_circuit_authorization",
        build: res_circuit::express_route_circuit_authorization,
        lookup: &["name", "express_route_circuit_name", "resource_group_name"],
    },
    TypeEntry {
        type_name: "azurerm_express_route_circuit_connection",
        build: res_circuit::express_route_circuit_connection,
        lookup: &["name", "peering_id"],
    },
    TypeEntry {
        type_name: "azurerm_route_filter",
        build: res_circuit::route_filter,
        lookup: &["name", "resource_group_name"],
    },
];

struct Registry {
    resources: HashMap<&'static str, ResourceSchema>,
    data_sources: HashMap<&'static str, ResourceSchema>,
    resource_names: Vec<&'static str>,
    data_source_names: Vec<&'static str>,
}

fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut resources = HashMap::new();
        let mut data_sources = HashMap::new();
        for entry in TYPES {
            resources.insert(entry.type_name, (entry.build)());
            let mut data_source = derive_data_source((entry.build)(), entry.lookup);
            res_data::add_data_source_extras(&mut data_source);
            data_sources.insert(entry.type_name, data_source);
        }
        for data_source in [res_data::client_config(), res_data::subscription()] {
            data_sources.insert(data_source.type_name, data_source);
        }
        let mut resource_names: Vec<_> = resources.keys().copied().collect();
        resource_names.sort_unstable();
        let mut data_source_names: Vec<_> = data_sources.keys().copied().collect();
        data_source_names.sort_unstable();
        Registry {
            resources,
            data_sources,
            resource_names,
            data_source_names,
        }
    })
}

/// The schema of a managed resource type (`resource "azurerm_subnet" …`).
pub fn resource(type_name: &str) -> Option<&'static ResourceSchema> {
    registry().resources.get(type_name)
}

/// The schema of a data source type (`data "azurerm_subnet" …`).
pub fn data_source(type_name: &str) -> Option<&'static ResourceSchema> {
    registry().data_sources.get(type_name)
}

/// Every supported resource type, sorted.
pub fn resource_type_names() -> Vec<&'static str> {
    registry().resource_names.clone()
}

/// Every supported data source type, sorted.
pub fn data_source_type_names() -> Vec<&'static str> {
    registry().data_source_names.clone()
}

// ---------------------------------------------------------------------------------------------
// Builders used by the res_* files.

/// An optional attribute of the given type; refine it with the methods below.
pub(super) fn attribute(name: &'static str, ty: Type) -> AttributeSchema {
    AttributeSchema {
        name,
        ty,
        required: false,
        optional: true,
        computed: false,
        force_new: false,
        sensitive: false,
        default: None,
        validation: Validation::None,
        deprecated_names: &[],
        conflicts_with: &[],
        required_with: &[],
        exactly_one_of: &[],
        at_least_one_of: &[],
    }
}

pub(super) fn string(name: &'static str) -> AttributeSchema {
    attribute(name, Type::String)
}

/// azurerm `TypeInt` and `TypeFloat` alike.
pub(super) fn number(name: &'static str) -> AttributeSchema {
    attribute(name, Type::Number)
}

pub(super) fn boolean(name: &'static str) -> AttributeSchema {
    attribute(name, Type::Bool)
}

pub(super) fn list_of_strings(name: &'static str) -> AttributeSchema {
    attribute(name, Type::List(Box::new(Type::String)))
}

pub(super) fn set_of_strings(name: &'static str) -> AttributeSchema {
    attribute(name, Type::Set(Box::new(Type::String)))
}

pub(super) fn map_of_strings(name: &'static str) -> AttributeSchema {
    attribute(name, Type::Map(Box::new(Type::String)))
}

impl AttributeSchema {
    pub(super) fn required(mut self) -> Self {
        self.required = true;
        self.optional = false;
        self.computed = false;
        self
    }

    /// Set only by Azure: neither required nor optional.
    pub(super) fn computed_only(mut self) -> Self {
        self.required = false;
        self.optional = false;
        self.computed = true;
        self
    }

    /// Optional; Azure fills it when left out.
    pub(super) fn optional_computed(mut self) -> Self {
        self.required = false;
        self.optional = true;
        self.computed = true;
        self
    }

    pub(super) fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }

    pub(super) fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    pub(super) fn default(mut self, value: Value) -> Self {
        self.default = Some(value);
        self
    }

    pub(super) fn validate(mut self, validation: Validation) -> Self {
        self.validation = validation;
        self
    }

    pub(super) fn deprecated(mut self, old_names: &'static [&'static str]) -> Self {
        self.deprecated_names = old_names;
        self
    }

    pub(super) fn conflicts_with(mut self, names: &'static [&'static str]) -> Self {
        self.conflicts_with = names;
        self
    }

    pub(super) fn required_with(mut self, names: &'static [&'static str]) -> Self {
        self.required_with = names;
        self
    }

    pub(super) fn exactly_one_of(mut self, names: &'static [&'static str]) -> Self {
        self.exactly_one_of = names;
        self
    }

    pub(super) fn at_least_one_of(mut self, names: &'static [&'static str]) -> Self {
        self.at_least_one_of = names;
        self
    }
}

/// An optional nested block, any number of times; refine it with the methods below.
pub(super) fn block(
    name: &'static str,
    attributes: Vec<AttributeSchema>,
    blocks: Vec<NestedBlockSchema>,
) -> NestedBlockSchema {
    NestedBlockSchema {
        name,
        min_items: 0,
        max_items: 0,
        force_new: false,
        computed: false,
        is_set: false,
        block: BlockSchema { attributes, blocks },
    }
}

impl NestedBlockSchema {
    /// At least one block must be written (azurerm `Required` on a block: MinItems 1).
    pub(super) fn required(mut self) -> Self {
        self.min_items = self.min_items.max(1);
        self
    }

    pub(super) fn max(mut self, max_items: usize) -> Self {
        self.max_items = max_items;
        self
    }

    pub(super) fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }

    pub(super) fn computed(mut self) -> Self {
        self.computed = true;
        self
    }

    pub(super) fn set(mut self) -> Self {
        self.is_set = true;
        self
    }
}

/// A resource schema: the given arguments plus the computed `id` and the `timeouts` block every
/// resource has.
pub(super) fn resource_schema(
    type_name: &'static str,
    mut attributes: Vec<AttributeSchema>,
    mut blocks: Vec<NestedBlockSchema>,
) -> ResourceSchema {
    attributes.insert(0, string("id").computed_only());
    blocks.push(timeouts(&["create", "read", "update", "delete"]));
    ResourceSchema {
        type_name,
        block: BlockSchema { attributes, blocks },
    }
}

/// `timeouts { create = "30m" … }`: optional Go-style durations.
pub(super) fn timeouts(operations: &[&'static str]) -> NestedBlockSchema {
    let attributes = operations
        .iter()
        .map(|&operation| string(operation).validate(duration()))
        .collect();
    block("timeouts", attributes, Vec::new()).max(1)
}

/// `name`: required, forces a new object, must not be empty.
pub(super) fn name() -> AttributeSchema {
    string("name").required().force_new().validate(not_empty())
}

/// commonschema `ResourceGroupName()`: required, forces a new object, 1–90 characters of
/// `^[-\w._()]+$`, not ending in a period.
pub(super) fn resource_group_name() -> AttributeSchema {
    string("resource_group_name")
        .required()
        .force_new()
        .validate(resource_group_name_validation())
}

pub(super) fn resource_group_name_validation() -> Validation {
    all(vec![
        length(1, 90),
        pattern(
            r"^[-\w._()]+$",
            "only alphanumeric characters, dash, underscores, parentheses and periods",
        ),
        pattern(r"[^.]$", "a name that does not end with a period"),
    ])
}

/// commonschema `Location()`: required, forces a new object (azurerm normalises the spelling).
pub(super) fn location() -> AttributeSchema {
    string("location")
        .required()
        .force_new()
        .validate(not_empty())
}

/// commonschema `Tags()`.
pub(super) fn tags() -> AttributeSchema {
    map_of_strings("tags").validate(Validation::Tags)
}

// Validation shorthands.

pub(super) fn one_of(values: &'static [&'static str]) -> Validation {
    Validation::OneOf {
        values,
        ignore_case: false,
    }
}

pub(super) fn range(min: f64, max: f64) -> Validation {
    Validation::Range { min, max }
}

pub(super) fn at_least(min: f64) -> Validation {
    Validation::Range {
        min,
        max: f64::INFINITY,
    }
}

pub(super) fn length(min: usize, max: usize) -> Validation {
    Validation::Length { min, max }
}

/// azurerm `StringIsNotEmpty`.
pub(super) fn not_empty() -> Validation {
    Validation::Length {
        min: 1,
        max: usize::MAX,
    }
}

pub(super) fn pattern(regex: &'static str, message: &'static str) -> Validation {
    Validation::Pattern { regex, message }
}

pub(super) fn each(inner: Validation) -> Validation {
    Validation::Each(Box::new(inner))
}

pub(super) fn all(validations: Vec<Validation>) -> Validation {
    Validation::All(validations)
}

pub(super) fn at_least_items(min: usize) -> Validation {
    Validation::Items {
        min,
        max: usize::MAX,
    }
}

pub(super) fn ipv4_address() -> Validation {
    pattern(
        r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$",
        "a valid IPv4 address",
    )
}

pub(super) fn uuid() -> Validation {
    pattern(
        r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        "a valid UUID",
    )
}

/// A Go duration as Terraform's `timeouts` block takes it: `30m`, `1h30m`, `90s`.
fn duration() -> Validation {
    pattern(
        r"^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$",
        r#"a duration such as "30m" or "1h30m""#,
    )
}

/// A Microsoft.Network resource ID whose type path (after `providers/Microsoft.Network/`) matches
/// `$tail`. Static segments compare case-insensitively, as ARM does.
macro_rules! network_id {
    ($tail:literal, $message:literal) => {
        $crate::schema::resources::pattern(
            concat!(
                r"^/(?i:subscriptions)/[^/]+/(?i:resourceGroups)/[^/]+/(?i:providers)/(?i:Microsoft\.Network)/",
                $tail,
                "$"
            ),
            $message,
        )
    };
}
pub(super) use network_id;

// ---------------------------------------------------------------------------------------------
// Data sources.

/// A data source mirroring a resource: the lookup arguments are required, everything else is
/// computed, nested blocks become computed lists of objects, and `timeouts` only has `read`.
fn derive_data_source(resource: ResourceSchema, lookup: &[&str]) -> ResourceSchema {
    let BlockSchema { attributes, blocks } = resource.block;
    let mut attributes: Vec<AttributeSchema> = attributes
        .into_iter()
        .map(|attribute| {
            if lookup.contains(&attribute.name) {
                let AttributeSchema {
                    name,
                    ty,
                    validation,
                    ..
                } = attribute;
                AttributeSchema {
                    validation,
                    ..self::attribute(name, ty).required()
                }
            } else {
                let sensitive = attribute.sensitive;
                AttributeSchema {
                    sensitive,
                    ..self::attribute(attribute.name, attribute.ty).computed_only()
                }
            }
        })
        .collect();
    for nested in blocks {
        if nested.name == "timeouts" {
            continue;
        }
        let sensitive = block_has_sensitive(&nested.block);
        let ty = block_type(&nested);
        let mut converted = attribute(nested.name, ty).computed_only();
        converted.sensitive = sensitive;
        attributes.push(converted);
    }
    ResourceSchema {
        type_name: resource.type_name,
        block: BlockSchema {
            attributes,
            blocks: vec![timeouts(&["read"])],
        },
    }
}

/// The value type of a nested block seen as an attribute: a list (or set) of objects.
pub(super) fn block_type(nested: &NestedBlockSchema) -> Type {
    let mut fields: Vec<ObjectAttr> = nested
        .block
        .attributes
        .iter()
        .map(|attribute| ObjectAttr {
            name: attribute.name.to_string(),
            ty: attribute.ty.clone(),
            optional: false,
            default: None,
        })
        .collect();
    fields.extend(nested.block.blocks.iter().map(|inner| ObjectAttr {
        name: inner.name.to_string(),
        ty: block_type(inner),
        optional: false,
        default: None,
    }));
    let object = Box::new(Type::Object(fields));
    if nested.is_set {
        Type::Set(object)
    } else {
        Type::List(object)
    }
}

fn block_has_sensitive(block: &BlockSchema) -> bool {
    block.attributes.iter().any(|a| a.sensitive)
        || block.blocks.iter().any(|b| block_has_sensitive(&b.block))
}

// ---------------------------------------------------------------------------------------------
// Validation.

/// Check a value against a validation. Unknown and null values pass, as do values of the wrong
/// type (type conversion reports those). A sensitive value is checked but never quoted in the
/// message. The message leaves out the attribute name: the caller adds it.
pub fn check_validation(validation: &Validation, value: &Value) -> Option<String> {
    check(validation, value, false)
}

fn check(validation: &Validation, value: &Value, outer_sensitive: bool) -> Option<String> {
    let (value, marked) = value.unmark();
    let sensitive = outer_sensitive || marked;
    if matches!(value, Value::Null | Value::Unknown) {
        return None;
    }
    match validation {
        Validation::None => None,
        Validation::OneOf {
            values,
            ignore_case,
        } => {
            let text = scalar_text(value)?;
            let found = values.iter().any(|allowed| {
                if *ignore_case {
                    allowed.eq_ignore_ascii_case(&text)
                } else {
                    *allowed == text
                }
            });
            if found {
                return None;
            }
            let list = values
                .iter()
                .map(|v| quote(v))
                .collect::<Vec<_>>()
                .join(", ");
            Some(format!(
                "expected one of [{list}], got {}",
                shown(&text, sensitive)
            ))
        }
        Validation::Range { min, max } => {
            let number = number_of(value)?;
            if number >= *min && number <= *max {
                return None;
            }
            let got = if sensitive {
                "(sensitive value)".to_string()
            } else {
                format_number(number)
            };
            if max.is_infinite() {
                Some(format!(
                    "expected a value of at least ({}), got {got}",
                    format_number(*min)
                ))
            } else {
                Some(format!(
                    "expected a value in the range ({} - {}), got {got}",
                    format_number(*min),
                    format_number(*max)
                ))
            }
        }
        Validation::Length { min, max } => {
            let text = scalar_text(value)?;
            let count = text.chars().count();
            if count >= *min && count <= *max {
                return None;
            }
            if *min == 1 && *max == usize::MAX {
                return Some("expected a non-empty string".to_string());
            }
            let bounds = if *max == usize::MAX {
                format!("at least {min}")
            } else {
                format!("in the range ({min} - {max})")
            };
            if sensitive {
                Some(format!(
                    "expected a length {bounds}, got a sensitive value of another length"
                ))
            } else {
                Some(format!(
                    "expected a length {bounds}, got {} (length {count})",
                    quote(&text)
                ))
            }
        }
        Validation::Pattern { regex, message } => {
            let text = scalar_text(value)?;
            if regex_matches(regex, &text) {
                return None;
            }
            Some(format!(
                "expected {message}, got {}",
                shown(&text, sensitive)
            ))
        }
        Validation::Cidr => {
            let text = scalar_text(value)?;
            if is_cidr(&text) {
                return None;
            }
            Some(format!(
                "{} is not a valid CIDR prefix",
                if sensitive {
                    "the value".to_string()
                } else {
                    quote(&text)
                }
            ))
        }
        Validation::Each(inner) => match value {
            Value::List(items) => items.iter().enumerate().find_map(|(index, item)| {
                check(inner, item, sensitive).map(|problem| format!("element {index}: {problem}"))
            }),
            Value::Set(items) => items.iter().find_map(|item| check(inner, item, sensitive)),
            Value::Map(map) => map.iter().find_map(|(key, item)| {
                check(inner, item, sensitive)
                    .map(|problem| format!("element {}: {problem}", quote(key)))
            }),
            _ => None,
        },
        Validation::All(validations) => validations
            .iter()
            .find_map(|inner| check(inner, value, sensitive)),
        Validation::Items { min, max } => {
            let count = match value {
                Value::List(items) | Value::Set(items) => items.len(),
                Value::Map(map) => map.len(),
                _ => return None,
            };
            if count < *min {
                Some(format!(
                    "expected at least {min} {}, got {count}",
                    plural(*min)
                ))
            } else if count > *max {
                Some(format!(
                    "expected at most {max} {}, got {count}",
                    plural(*max)
                ))
            } else {
                None
            }
        }
        Validation::Tags => {
            let map = match value {
                Value::Map(map) => map,
                _ => return None,
            };
            if map.len() > 50 {
                return Some(
                    "a maximum of 50 tags can be applied to each ARM resource".to_string(),
                );
            }
            for (key, tag_value) in map.iter() {
                let key_length = key.chars().count();
                if key_length > 512 {
                    return Some(format!(
                        "the maximum length for a tag key is 512 characters: {} is {key_length} characters",
                        quote(key)
                    ));
                }
                let (tag_value, tag_marked) = tag_value.unmark();
                if let Some(text) = scalar_text(tag_value) {
                    let value_length = text.chars().count();
                    if value_length > 256 {
                        return Some(if sensitive || tag_marked {
                            format!(
                                "the maximum length for a tag value is 256 characters: the value for {} is longer",
                                quote(key)
                            )
                        } else {
                            format!(
                                "the maximum length for a tag value is 256 characters: the value for {} is {value_length} characters",
                                quote(key)
                            )
                        });
                    }
                }
            }
            None
        }
    }
}

fn plural(count: usize) -> &'static str {
    if count == 1 { "item" } else { "items" }
}

/// A primitive value as the string Terraform would convert it to; `None` for other kinds.
fn scalar_text(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn number_of(value: &Value) -> Option<f64> {
    match value {
        Value::Number(n) => Some(n.0),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    }
}

fn format_number(number: f64) -> String {
    if number.fract() == 0.0 && number.abs() < 9.007_199_254_740_992e15 {
        format!("{}", number as i64)
    } else {
        format!("{number}")
    }
}

fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_string()).to_string()
}

fn shown(text: &str, sensitive: bool) -> String {
    if sensitive {
        "(sensitive value)".to_string()
    } else {
        quote(text)
    }
}

/// Match against a compiled, cached regex. A pattern that does not compile is a schema bug (a test
/// compiles them all); it lets the value pass rather than panic.
fn regex_matches(pattern: &'static str, text: &str) -> bool {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut cache = cache
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let compiled = cache
        .entry(pattern)
        .or_insert_with(|| Regex::new(pattern).ok());
    compiled.as_ref().is_none_or(|regex| regex.is_match(text))
}

/// An IPv4 or IPv6 address with a prefix length, as Go's `net.ParseCIDR` accepts it (host bits may
/// be set).
fn is_cidr(text: &str) -> bool {
    let Some((address, prefix)) = text.split_once('/') else {
        return false;
    };
    if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_digit()) || prefix.len() > 3 {
        return false;
    }
    let Ok(prefix) = prefix.parse::<u32>() else {
        return false;
    };
    if address.parse::<Ipv4Addr>().is_ok() {
        prefix <= 32
    } else if address.parse::<Ipv6Addr>().is_ok() {
        prefix <= 128
    } else {
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_schemas() -> Vec<&'static ResourceSchema> {
        resource_type_names()
            .into_iter()
            .filter_map(resource)
            .chain(data_source_type_names().into_iter().filter_map(data_source))
            .collect()
    }

    fn attr(type_name: &str, path: &str) -> &'static AttributeSchema {
        let schema = resource(type_name).unwrap_or_else(|| panic!("no resource {type_name}"));
        let mut block = &schema.block;
        let mut parts: Vec<&str> = path.split('.').collect();
        let last = parts.pop().unwrap();
        for part in parts {
            block = &block
                .block(part)
                .unwrap_or_else(|| panic!("{type_name}: no block {part}"))
                .block;
        }
        block
            .attribute(last)
            .unwrap_or_else(|| panic!("{type_name}: no attribute {path}"))
    }

    fn nested(type_name: &str, path: &str) -> &'static NestedBlockSchema {
        let schema = resource(type_name).unwrap();
        let mut parts = path.split('.');
        let mut current = schema.block.block(parts.next().unwrap()).unwrap();
        for part in parts {
            current = current.block.block(part).unwrap();
        }
        current
    }

    fn enum_values(attribute: &AttributeSchema) -> &'static [&'static str] {
        match &attribute.validation {
            Validation::OneOf { values, .. } => values,
            other => panic!("{}: expected OneOf, got {other:?}", attribute.name),
        }
    }

    const ALL_TYPES: &[&str] = &[
        "azurerm_express_route_circuit",
        "azurerm_express_route_circuit_authorization",
        "azurerm_express_route_circuit_connection",
        "azurerm_express_route_circuit_peering",
        "azurerm_local_network_gateway",
        "azurerm_public_ip",
        "azurerm_resource_group",
        "azurerm_route_filter",
        "azurerm_subnet",
        "azurerm_virtual_network",
        "azurerm_virtual_network_gateway",
        "azurerm_virtual_network_gateway_connection",
    ];

    #[test]
    fn every_type_is_registered_sorted() {
        assert_eq!(resource_type_names(), ALL_TYPES);
        let mut with_extras: Vec<&str> = ALL_TYPES.to_vec();
        with_extras.push("azurerm_client_config");
        with_extras.push("azurerm_subscription");
        with_extras.sort_unstable();
        assert_eq!(data_source_type_names(), with_extras);
        assert!(resource("azurerm_storage_account").is_none());
        assert!(data_source("azurerm_client_config").is_some());
        assert!(resource("azurerm_client_config").is_none());
    }

    #[test]
    fn every_resource_has_id_and_timeouts() {
        for type_name in ALL_TYPES {
            let schema = resource(type_name).unwrap();
            assert_eq!(schema.type_name, *type_name);
            let id = schema.block.attribute("id").unwrap();
            assert!(id.computed && !id.optional && !id.required, "{type_name}");
            let timeouts = schema.block.block("timeouts").unwrap();
            assert_eq!((timeouts.min_items, timeouts.max_items), (0, 1));
            for op in ["create", "read", "update", "delete"] {
                let a = timeouts.block.attribute(op).unwrap();
                assert!(
                    a.optional && a.ty == Type::String,
                    "{type_name}.timeouts.{op}"
                );
            }
        }
    }

    #[test]
    fn names_are_unique_and_flags_consistent() {
        fn walk(owner: &str, block: &BlockSchema) {
            let mut seen = std::collections::HashSet::new();
            for name in block.names() {
                assert!(seen.insert(name), "{owner}: duplicate {name}");
            }
            for a in &block.attributes {
                let flags = (a.required, a.optional, a.computed);
                assert!(
                    matches!(
                        flags,
                        (true, false, false) | (false, true, _) | (false, false, true)
                    ),
                    "{owner}.{}: inconsistent flags {flags:?}",
                    a.name
                );
                assert!(!(a.required && a.default.is_some()), "{owner}.{}", a.name);
                for old in a.deprecated_names {
                    assert!(
                        !seen.contains(old),
                        "{owner}: {old} is both current and old"
                    );
                }
                for other in a
                    .conflicts_with
                    .iter()
                    .chain(a.required_with)
                    .chain(a.exactly_one_of)
                    .chain(a.at_least_one_of)
                {
                    assert!(seen.contains(other), "{owner}.{}: unknown {other}", a.name);
                }
            }
            for b in &block.blocks {
                walk(&format!("{owner}.{}", b.name), &b.block);
            }
        }
        for schema in all_schemas() {
            walk(schema.type_name, &schema.block);
        }
    }

    #[test]
    fn every_pattern_compiles_and_defaults_pass_their_validation() {
        fn patterns(validation: &Validation, out: &mut Vec<&'static str>) {
            match validation {
                Validation::Pattern { regex, .. } => out.push(regex),
                Validation::Each(inner) => patterns(inner, out),
                Validation::All(inner) => inner.iter().for_each(|v| patterns(v, out)),
                _ => {}
            }
        }
        fn walk(owner: &str, block: &BlockSchema) {
            for a in &block.attributes {
                let mut found = Vec::new();
                patterns(&a.validation, &mut found);
                for regex in found {
                    assert!(Regex::new(regex).is_ok(), "{owner}.{}: {regex}", a.name);
                }
                if let Some(default) = &a.default {
                    assert_eq!(a.check(default), None, "{owner}.{} default", a.name);
                }
            }
            for b in &block.blocks {
                walk(&format!("{owner}.{}", b.name), &b.block);
            }
        }
        for schema in all_schemas() {
            walk(schema.type_name, &schema.block);
        }
    }

    #[test]
    fn circuit_matches_reference() {
        let t = "azurerm_express_route_circuit";
        let name = attr(t, "name");
        assert!(name.required && name.force_new);
        for forces in [
            "resource_group_name",
            "location",
            "service_provider_name",
            "peering_location",
            "express_route_port_id",
        ] {
            assert!(attr(t, forces).force_new, "{forces}");
        }
        assert!(!attr(t, "bandwidth_in_mbps").force_new);
        assert_eq!(attr(t, "bandwidth_in_mbps").ty, Type::Number);
        assert_eq!(
            attr(t, "bandwidth_in_mbps").conflicts_with,
            ["bandwidth_in_gbps", "express_route_port_id"]
        );
        let service_key = attr(t, "service_key");
        assert!(service_key.computed && service_key.sensitive && !service_key.optional);
        assert!(attr(t, "authorization_key").sensitive);
        assert!(attr(t, "service_provider_provisioning_state").computed);
        let sku = nested(t, "sku");
        assert_eq!((sku.min_items, sku.max_items), (1, 1));
        assert_eq!(
            enum_values(attr(t, "sku.tier")),
            ["Basic", "Local", "Standard", "Premium"]
        );
        assert_eq!(
            enum_values(attr(t, "sku.family")),
            ["MeteredData", "UnlimitedData"]
        );
        assert_eq!(
            attr(t, "allow_classic_operations").default,
            Some(Value::Bool(false))
        );
        let schema = resource(t).unwrap();
        assert_eq!(
            schema
                .block
                .deprecated_attribute("enable_rate_limiting")
                .map(|a| a.name),
            Some("rate_limiting_enabled")
        );
    }

    #[test]
    fn peering_matches_reference() {
        let t = "azurerm_express_route_circuit_peering";
        let vlan = attr(t, "vlan_id");
        assert!(vlan.required && vlan.ty == Type::Number);
        assert_eq!(vlan.check(&Value::int(100)), None);
        assert_eq!(
            vlan.check(&Value::int(5000)).as_deref(),
            Some("expected a value in the range (1 - 4094), got 5000")
        );
        assert!(vlan.check(&Value::int(0)).is_some());
        let shared_key = attr(t, "shared_key");
        assert!(shared_key.sensitive);
        assert!(matches!(
            shared_key.validation,
            Validation::Length { min: 1, max: 25 }
        ));
        assert_eq!(
            enum_values(attr(t, "peering_type")),
            [
                "AzurePrivatePeering",
                "AzurePublicPeering",
                "MicrosoftPeering"
            ]
        );
        assert!(attr(t, "peer_asn").optional && attr(t, "peer_asn").computed);
        assert!(attr(t, "azure_asn").computed && !attr(t, "azure_asn").optional);
        assert_eq!(attr(t, "ipv4_enabled").default, Some(Value::Bool(true)));
        assert_eq!(nested(t, "microsoft_peering_config").max_items, 1);
        assert_eq!(nested(t, "ipv6.microsoft_peering").max_items, 1);
        assert!(attr(t, "ipv6.primary_peer_address_prefix").required);
        assert_eq!(
            attr(t, "microsoft_peering_config.routing_registry_name").default,
            Some(Value::string("NONE"))
        );
        assert!(
            attr(t, "primary_peer_address_prefix")
                .check(&Value::string("10.0.0.0/33"))
                .is_some()
        );
    }

    #[test]
    fn gateway_matches_reference() {
        let t = "azurerm_virtual_network_gateway";
        let sku = enum_values(attr(t, "sku"));
        for expected in [
            "ErGw1AZ",
            "ErGwScale",
            "VpnGw1",
            "UltraPerformance",
            "VpnGw5AZ",
        ] {
            assert!(sku.contains(&expected), "{expected}");
        }
        assert_eq!(enum_values(attr(t, "type")), ["ExpressRoute", "Vpn"]);
        let schema = resource(t).unwrap();
        let bgp = schema.block.deprecated_attribute("enable_bgp").unwrap();
        assert_eq!(bgp.name, "bgp_enabled");
        assert_eq!(bgp.default, Some(Value::Bool(false)));
        let ip_configuration = nested(t, "ip_configuration");
        assert_eq!(
            (ip_configuration.min_items, ip_configuration.max_items),
            (1, 3)
        );
        assert!(ip_configuration.force_new);
        assert_eq!(
            attr(t, "ip_configuration.name").default,
            Some(Value::string("vnetGatewayConfig"))
        );
        let subnet_id = attr(t, "ip_configuration.subnet_id");
        let gateway_subnet = "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/vnet/subnets/GatewaySubnet";
        assert_eq!(subnet_id.check(&Value::string(gateway_subnet)), None);
        assert!(
            subnet_id
                .check(&Value::string(
                    gateway_subnet.replace("GatewaySubnet", "default")
                ))
                .is_some()
        );
        let bgp_settings = nested(t, "bgp_settings");
        assert!(bgp_settings.computed && bgp_settings.max_items == 1);
        assert!(nested(t, "vpn_client_configuration.root_certificate").is_set);
        assert!(attr(t, "vpn_client_configuration.radius_server.secret").sensitive);
        let apipa = attr(t, "bgp_settings.peering_addresses.apipa_addresses");
        assert_eq!(
            apipa.check(&Value::List(vec![Value::string("169.254.21.5")])),
            None
        );
        assert!(
            apipa
                .check(&Value::List(vec![Value::string("169.254.23.5")]))
                .is_some()
        );
        assert_eq!(
            nested(t, "vpn_client_configuration.ipsec_policy")
                .block
                .deprecated_attribute("sa_lifetime_seconds")
                .map(|a| a.name),
            Some("sa_lifetime_in_seconds")
        );
    }

    #[test]
    fn connection_matches_reference() {
        let t = "azurerm_virtual_network_gateway_connection";
        assert_eq!(
            enum_values(attr(t, "type")),
            ["ExpressRoute", "IPsec", "Vnet2Vnet"]
        );
        let weight = attr(t, "routing_weight");
        assert_eq!(
            weight.check(&Value::int(32001)).as_deref(),
            Some("expected a value in the range (0 - 32000), got 32001")
        );
        assert!(attr(t, "shared_key").sensitive && attr(t, "authorization_key").sensitive);
        assert!(attr(t, "express_route_circuit_id").force_new);
        assert!(!attr(t, "routing_weight").force_new);
        let schema = resource(t).unwrap();
        assert_eq!(
            schema
                .block
                .deprecated_attribute("enable_bgp")
                .map(|a| a.name),
            Some("bgp_enabled")
        );
        assert_eq!(nested(t, "ipsec_policy").max_items, 1);
        assert_eq!(
            attr(t, "connection_mode").default,
            Some(Value::string("Default"))
        );
    }

    #[test]
    fn network_types_match_reference() {
        let rg = attr("azurerm_resource_group", "name");
        assert!(rg.required && rg.force_new);
        assert_eq!(rg.check(&Value::string("rg-er_prod.(1)")), None);
        assert!(rg.check(&Value::string("rg.")).is_some());
        assert!(rg.check(&Value::string("rg/x")).is_some());
        assert!(rg.check(&Value::string("a".repeat(91))).is_some());
        assert_eq!(rg.check(&Value::string("a".repeat(90))), None);

        let vnet = "azurerm_virtual_network";
        let subnet_block = nested(vnet, "subnet");
        assert!(subnet_block.is_set && subnet_block.computed);
        assert!(attr(vnet, "guid").computed);
        assert_eq!(
            attr(vnet, "address_space").check(&Value::set(vec![Value::string("10.0.0.0/33")])),
            Some(r#""10.0.0.0/33" is not a valid CIDR prefix"#.to_string())
        );
        assert_eq!(
            nested(vnet, "subnet")
                .block
                .deprecated_attribute("address_prefix")
                .map(|a| a.name),
            Some("address_prefixes")
        );

        let subnet = resource("azurerm_subnet").unwrap();
        for old in [
            "enforce_private_link_endpoint_network_policies",
            "private_endpoint_network_policies_enabled",
        ] {
            assert_eq!(
                subnet.block.deprecated_attribute(old).map(|a| a.name),
                Some("private_endpoint_network_policies")
            );
        }
        let delegation = nested("azurerm_subnet", "delegation.service_delegation");
        assert_eq!((delegation.min_items, delegation.max_items), (1, 1));

        let pip = "azurerm_public_ip";
        assert!(attr(pip, "ip_address").computed);
        assert_eq!(attr(pip, "sku").default, Some(Value::string("Standard")));
        assert!(attr(pip, "zones").force_new);
        assert_eq!(
            attr(pip, "idle_timeout_in_minutes").default,
            Some(Value::int(4))
        );
    }

    #[test]
    fn data_sources_mirror_resources() {
        let circuit = data_source("azurerm_express_route_circuit").unwrap();
        let name = circuit.block.attribute("name").unwrap();
        assert!(name.required && !name.force_new);
        let key = circuit.block.attribute("service_key").unwrap();
        assert!(key.computed && key.sensitive && !key.optional);
        let sku = circuit.block.attribute("sku").unwrap();
        assert!(sku.computed && matches!(sku.ty, Type::List(_)));
        assert!(circuit.block.attribute("peerings").is_some());
        assert!(circuit.block.attribute("id").unwrap().computed);
        let timeouts = circuit.block.block("timeouts").unwrap();
        assert!(timeouts.block.attribute("read").is_some());
        assert!(timeouts.block.attribute("create").is_none());

        let subnet = data_source("azurerm_subnet").unwrap();
        for lookup in ["name", "virtual_network_name", "resource_group_name"] {
            assert!(subnet.block.attribute(lookup).unwrap().required, "{lookup}");
        }
        assert!(subnet.block.attribute("address_prefixes").unwrap().computed);

        let peering = data_source("azurerm_express_route_circuit_peering").unwrap();
        for lookup in [
            "peering_type",
            "express_route_circuit_name",
            "resource_group_name",
        ] {
            assert!(
                peering.block.attribute(lookup).unwrap().required,
                "{lookup}"
            );
        }
        let vlan = peering.block.attribute("vlan_id").unwrap();
        assert!(vlan.computed && !vlan.required);

        let gateway = data_source("azurerm_virtual_network_gateway").unwrap();
        let radius = gateway.block.attribute("vpn_client_configuration").unwrap();
        assert!(
            radius.sensitive,
            "a block holding a secret is sensitive as a whole"
        );

        let client = data_source("azurerm_client_config").unwrap();
        for output in ["client_id", "tenant_id", "subscription_id", "object_id"] {
            assert!(client.block.attribute(output).unwrap().computed, "{output}");
        }
        let subscription = data_source("azurerm_subscription").unwrap();
        let id = subscription.block.attribute("subscription_id").unwrap();
        assert!(id.optional && id.computed);
        for output in ["display_name", "tenant_id", "id", "state"] {
            assert!(
                subscription.block.attribute(output).unwrap().computed,
                "{output}"
            );
        }
    }

    #[test]
    fn validation_messages() {
        let tiers = one_of(&["Basic", "Local", "Standard", "Premium"]);
        assert_eq!(
            check_validation(&tiers, &Value::string("Gold")).as_deref(),
            Some(r#"expected one of ["Basic", "Local", "Standard", "Premium"], got "Gold""#)
        );
        assert_eq!(check_validation(&tiers, &Value::string("Premium")), None);
        assert!(check_validation(&tiers, &Value::string("premium")).is_some());
        let relaxed = Validation::OneOf {
            values: &["Premium"],
            ignore_case: true,
        };
        assert_eq!(check_validation(&relaxed, &Value::string("premium")), None);
        assert_eq!(check_validation(&tiers, &Value::Unknown), None);
        assert_eq!(check_validation(&tiers, &Value::Null), None);
        assert_eq!(
            check_validation(&tiers, &Value::Unknown.mark_sensitive()),
            None
        );

        assert_eq!(
            check_validation(&at_least(300.0), &Value::int(5)).as_deref(),
            Some("expected a value of at least (300), got 5")
        );
        assert_eq!(
            check_validation(&Validation::Cidr, &Value::string("10.0.0.0/33")).as_deref(),
            Some(r#""10.0.0.0/33" is not a valid CIDR prefix"#)
        );
        for good in [
            "10.0.0.0/8",
            "10.1.2.3/24",
            "0.0.0.0/0",
            "2001:db8::/32",
            "::/0",
        ] {
            assert_eq!(
                check_validation(&Validation::Cidr, &Value::string(good)),
                None
            );
        }
        for bad in [
            "10.0.0.0",
            "10.0.0/8",
            "10.0.0.0/",
            "2001:db8::/129",
            "x/1",
            "10.0.0.0/+8",
        ] {
            assert!(
                check_validation(&Validation::Cidr, &Value::string(bad)).is_some(),
                "{bad}"
            );
        }
        assert_eq!(
            check_validation(&not_empty(), &Value::string("")).as_deref(),
            Some("expected a non-empty string")
        );
        assert_eq!(
            check_validation(
                &each(Validation::Cidr),
                &Value::List(vec![Value::string("10.0.0.0/8"), Value::string("nope")])
            )
            .as_deref(),
            Some(r#"element 1: "nope" is not a valid CIDR prefix"#)
        );
        assert_eq!(
            check_validation(&at_least_items(1), &Value::List(vec![])).as_deref(),
            Some("expected at least 1 item, got 0")
        );
        let many: std::collections::BTreeMap<String, Value> = (0..51)
            .map(|i| (format!("k{i}"), Value::string("v")))
            .collect();
        assert!(check_validation(&Validation::Tags, &Value::map(many)).is_some());
        assert_eq!(
            check_validation(
                &Validation::Tags,
                &Value::object([("env", Value::string("prod"))])
            ),
            None
        );
        // Terraform converts numbers and bools to strings for string validators.
        assert!(check_validation(&tiers, &Value::int(3)).is_some());
        // Wrong kinds are left to type conversion.
        assert_eq!(check_validation(&range(1.0, 2.0), &Value::Bool(true)), None);
        assert_eq!(
            check_validation(&range(1.0, 4094.0), &Value::string("5000")).as_deref(),
            Some("expected a value in the range (1 - 4094), got 5000")
        );
    }

    #[test]
    fn sensitive_values_are_checked_but_never_shown() {
        let secret = Value::string("s3cr3t-that-is-far-too-long-for-bgp").mark_sensitive();
        let problem = check_validation(&length(1, 25), &secret).unwrap();
        assert!(!problem.contains("s3cr3t"), "{problem}");
        let problem =
            check_validation(&uuid(), &Value::string("not-a-uuid").mark_sensitive()).unwrap();
        assert!(!problem.contains("not-a-uuid"), "{problem}");
        assert!(problem.contains("(sensitive value)"));
        let problem =
            check_validation(&one_of(&["A"]), &Value::string("hidden").mark_sensitive()).unwrap();
        assert!(!problem.contains("hidden"));
        let problem = check_validation(
            &each(Validation::Cidr),
            &Value::List(vec![Value::string("hidden").mark_sensitive()]),
        )
        .unwrap();
        assert!(!problem.contains("hidden"), "{problem}");
        let problem =
            check_validation(&range(1.0, 4094.0), &Value::int(5000).mark_sensitive()).unwrap();
        assert!(!problem.contains("5000"), "{problem}");
        assert_eq!(
            check_validation(&length(1, 25), &Value::string("ok").mark_sensitive()),
            None
        );
    }

    #[test]
    fn secrets_are_sensitive_everywhere() {
        const SECRETS: &[&str] = &[
            "authorization_key",
            "service_key",
            "shared_key",
            "secret",
            "radius_server_secret",
        ];
        fn walk(owner: &str, block: &BlockSchema) {
            for a in &block.attributes {
                if SECRETS.contains(&a.name) {
                    assert!(a.sensitive, "{owner}.{} must be sensitive", a.name);
                }
            }
            for b in &block.blocks {
                walk(&format!("{owner}.{}", b.name), &b.block);
            }
        }
        for schema in all_schemas() {
            walk(schema.type_name, &schema.block);
        }
    }

    #[test]
    fn timeouts_take_go_durations() {
        let timeouts = nested("azurerm_virtual_network_gateway", "timeouts");
        let create = timeouts.block.attribute("create").unwrap();
        for good in ["30m", "1h30m", "90s", "1.5h"] {
            assert_eq!(create.check(&Value::string(good)), None, "{good}");
        }
        for bad in ["30", "30 minutes", "m", ""] {
            assert!(create.check(&Value::string(bad)).is_some(), "{bad}");
        }
    }

    #[test]
    fn no_panic_on_odd_values() {
        let odd = [
            Value::Null,
            Value::Unknown,
            Value::Bool(false),
            Value::number(f64::NAN),
            Value::number(f64::INFINITY),
            Value::number(1.5),
            Value::string(""),
            Value::string("\u{0}\u{ffff}💥"),
            Value::List(vec![Value::Unknown, Value::Null, Value::List(vec![])]),
            Value::set(vec![Value::string("a")]),
            Value::object([("a", Value::Unknown)]),
            Value::string("x").mark_sensitive(),
        ];
        fn walk(block: &BlockSchema, odd: &[Value]) {
            for a in &block.attributes {
                for value in odd {
                    let _ = a.check(value);
                }
            }
            for b in &block.blocks {
                walk(&b.block, odd);
            }
        }
        for schema in all_schemas() {
            walk(&schema.block, &odd);
        }
    }
}
