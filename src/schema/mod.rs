//! Per-type schemas of the supported azurerm resources and data sources (azurerm 4.x names):
//! attributes with type, required/optional/computed, ForceNew, Sensitive, enums, ranges and defaults,
//! nested blocks with cardinality, and the 3.x names still accepted with a deprecation warning.
//! Pure data plus lookups; it does no I/O.

mod res_circuit;
mod res_data;
mod res_gateway;
mod res_network;
mod resources;

use crate::lang::{Type, Value};

pub use resources::{data_source, data_source_type_names, resource, resource_type_names};

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
    /// Sibling attributes (or blocks) that must be set whenever this one is (azurerm `RequiredWith`).
    pub required_with: &'static [&'static str],
    /// Exactly one of these siblings (this one included) must be set (azurerm `ExactlyOneOf`).
    pub exactly_one_of: &'static [&'static str],
    /// At least one of these siblings (this one included) must be set (azurerm `AtLeastOneOf`).
    pub at_least_one_of: &'static [&'static str],
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
    /// An integer or number in this inclusive range (`max` is infinite for "at least `min`").
    Range { min: f64, max: f64 },
    /// A string whose length (in characters) is in this inclusive range (`usize::MAX`: no upper
    /// bound).
    Length { min: usize, max: usize },
    /// A string matching this regular expression; `message` says what is expected.
    Pattern {
        regex: &'static str,
        message: &'static str,
    },
    /// An IPv4 or IPv6 CIDR prefix.
    Cidr,
    /// Each element of a list or set (or each value of a map) is checked with the inner validation.
    Each(Box<Validation>),
    /// Every validation must pass; the first failure is reported.
    All(Vec<Validation>),
    /// A list, set or map with this many elements (inclusive; `usize::MAX` means no upper bound).
    Items { min: usize, max: usize },
    /// Azure resource tags: at most 50, keys at most 512 characters, values at most 256.
    Tags,
}

/// A nested block (`sku {}`, `ip_configuration {}`, `timeouts {}`…).
#[derive(Debug)]
pub struct NestedBlockSchema {
    pub name: &'static str,
    pub min_items: usize,
    /// 0 means unlimited.
    pub max_items: usize,
    pub force_new: bool,
    /// Azure fills the block when the configuration leaves it out (azurerm Optional+Computed), so
    /// an absent block is not a change.
    pub computed: bool,
    /// The blocks form a set (order does not matter), not a list.
    pub is_set: bool,
    pub block: BlockSchema,
}

impl AttributeSchema {
    /// Check a known value against the attribute's validation. Returns the problem, phrased for a
    /// diagnostic detail, or `None` when the value is acceptable (unknown and null values pass).
    pub fn check(&self, value: &Value) -> Option<String> {
        resources::check_validation(&self.validation, value)
    }
}
