//! Per-type schemas of the supported azurerm resources and data sources (azurerm 4.x names):
//! attributes with type, required/optional/computed, ForceNew, Sensitive, enums, ranges and defaults,
//! nested blocks with cardinality, and the 3.x names still accepted with a deprecation warning.
//! Pure data plus lookups; it does no I/O.

mod resources;

use crate::lang::{Type, Value};

pub use resources::{data_source, resource, resource_type_names, data_source_type_names};

/// The schema of one resource type (or data source).
#[derive(Debug)]
pub struct ResourceSchema {
    pub type_name: &'static str,
    pub block: BlockSchema,
}

/// Attributes and nested blocks of a block body.
#[derive(Debug, Default)]
pub struct BlockSchema {
    pub attributes: Vec<AttributeSchema>,
    pub blocks: Vec<NestedBlockSchema>,
}

impl BlockSchema {
    pub fn attribute(&self, name: &str) -> Option<&AttributeSchema> {
        self.attributes.iter().find(|a| a.name == name)
    }

    pub fn block(&self, name: &str) -> Option<&NestedBlockSchema> {
        self.blocks.iter().find(|b| b.name == name)
    }

    /// An attribute still accepted under its azurerm 3.x name: `(attribute, old name)`.
    pub fn deprecated_attribute(&self, old_name: &str) -> Option<&AttributeSchema> {
        self.attributes
            .iter()
            .find(|a| a.deprecated_names.contains(&old_name))
    }

    /// Every argument and block name, for "did you mean" hints.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.attributes
            .iter()
            .map(|a| a.name)
            .chain(self.blocks.iter().map(|b| b.name))
    }
}

#[derive(Debug)]
pub struct AttributeSchema {
    pub name: &'static str,
    pub ty: Type,
    pub required: bool,
    pub optional: bool,
    /// Filled by Azure when not set (or always, when neither required nor optional).
    pub computed: bool,
    /// A change forces a new object.
    pub force_new: bool,
    pub sensitive: bool,
    pub default: Option<Value>,
    pub validation: Validation,
    /// azurerm 3.x names accepted with a deprecation warning (e.g. `enable_bgp` for `bgp_enabled`).
    pub deprecated_names: &'static [&'static str],
    /// Other attributes that may not be set together with this one.
    pub conflicts_with: &'static [&'static str],
}

/// Value constraints checked at validate time when the value is known.
#[derive(Debug, Default)]
pub enum Validation {
    #[default]
    None,
    /// One of these strings (case-sensitive unless `ignore_case`).
    OneOf {
        values: &'static [&'static str],
        ignore_case: bool,
    },
    /// An integer or number in this inclusive range.
    Range { min: f64, max: f64 },
    /// A string whose length (in characters) is in this inclusive range.
    Length { min: usize, max: usize },
    /// A string matching this regular expression; `message` says what is expected.
    Pattern {
        regex: &'static str,
        message: &'static str,
    },
    /// An IPv4 or IPv6 CIDR prefix.
    Cidr,
    /// Each element of a list or set is checked with the inner validation.
    Each(Box<Validation>),
}

/// A nested block (`sku {}`, `ip_configuration {}`, `timeouts {}`…).
#[derive(Debug)]
pub struct NestedBlockSchema {
    pub name: &'static str,
    pub min_items: usize,
    /// 0 means unlimited.
    pub max_items: usize,
    pub force_new: bool,
    pub block: BlockSchema,
}

impl AttributeSchema {
    /// Check a known value against the attribute's validation. Returns the problem, phrased for a
    /// diagnostic detail, or `None` when the value is acceptable (unknown and null values pass).
    pub fn check(&self, value: &Value) -> Option<String> {
        resources::check_validation(&self.validation, value)
    }
}
