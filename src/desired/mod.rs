//! The desired state: expansion of modules, `count` and `for_each`, evaluation of every block in
//! dependency order, and the graph of resource instances with their dependencies. It does no I/O
//! except through the reader it is given (data sources, and files named by `file()`/`templatefile()`).

mod analyze;
mod body;
mod module_eval;
mod scope;

use crate::config::addr::{ResourceAddr, ResourceInstanceAddr};
use crate::config::{Body, Config};
use crate::diag::{Diagnostics, Span};
use crate::graph::Dag;
use crate::lang::Value;
use std::collections::BTreeMap;
use std::sync::Arc;

/// What `desired` needs from outside: data source reads and the files `file()` names.
pub trait Reader {
    /// Read a data source: its type, configured arguments and the root provider alias it reads
    /// through (`None` for the default provider). `None` while no cloud reader is wired in: every
    /// computed attribute is then unknown ("known after apply").
    fn read_data_source(
        &self,
        type_name: &str,
        arguments: &Value,
        provider_alias: Option<&str>,
    ) -> Option<Value>;
    /// The contents of a file named by `file()` or `templatefile()`.
    fn read_file(&self, path: &str) -> Result<String, String>;
    /// Called once per managed instance after its configuration is evaluated and before anything
    /// that refers to it: the value dependents should see instead (the plan fills in what the prior
    /// state already knows, such as the `id` of an object that stays). `None` keeps the value.
    fn planned_value(&self, _instance: &Instance) -> Option<Value> {
        None
    }
}

/// `ignore_changes` of one resource.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum IgnoreChanges {
    #[default]
    None,
    All,
    /// Attribute paths as written (`tags`, `sku[0].tier`).
    Attributes(Vec<String>),
}

/// Lifecycle settings of one instance, evaluated.
#[derive(Clone, Debug, Default)]
pub struct InstanceLifecycle {
    pub create_before_destroy: bool,
    pub prevent_destroy: bool,
    pub ignore_changes: IgnoreChanges,
    /// Addresses (resource or instance, with an optional attribute) that force replacement.
    pub replace_triggered_by: Vec<String>,
}

/// One resource instance of the desired state.
#[derive(Clone, Debug)]
pub struct Instance {
    pub addr: ResourceInstanceAddr,
    /// Every schema attribute: configured values, defaults, null, or unknown for what Azure computes.
    pub value: Value,
    /// The resource block's header.
    pub span: Span,
    /// Where each argument and nested block is written, by path (`name`, `sku`, `sku.tier`,
    /// `ip_configuration[1].subnet_id`; the first of repeated blocks also without its index), so
    /// diagnostics about one argument point at its line. Filled by [`argument_spans`].
    /// Shared by every instance of one resource block.
    pub attr_spans: Arc<BTreeMap<String, Span>>,
    /// Top-level arguments and blocks set in the configuration (azurerm 4.x names), sorted.
    pub configured: Vec<String>,
    /// `provider = azurerm.ALIAS`, resolved through module `providers` maps.
    pub provider_alias: Option<String>,
    pub lifecycle: InstanceLifecycle,
}

/// The evaluated configuration: instances in evaluation order and their dependency graph.
#[derive(Debug, Default)]
pub struct Desired {
    pub instances: Vec<Instance>,
    /// Edges from each instance (by index) to the instances it depends on.
    pub graph: Dag,
    /// Root module outputs; sensitive ones keep their mark.
    pub outputs: BTreeMap<String, Value>,
    /// Root module variables after conversion to their types.
    pub variables: BTreeMap<String, Value>,
    /// Resources declared in configuration (even with zero instances), for the plan's orphan checks.
    pub resources: Vec<ResourceAddr>,
}

impl Desired {
    pub fn instance(&self, addr: &ResourceInstanceAddr) -> Option<&Instance> {
        self.instances.iter().find(|i| &i.addr == addr)
    }
}

/// The span of every argument and nested block of a resource body, keyed as
/// [`Instance::attr_spans`] documents. `dynamic "x"` blocks count as `x` (their `content` body).
pub fn argument_spans(body: &Body) -> BTreeMap<String, Span> {
    fn walk(body: &Body, prefix: &str, out: &mut BTreeMap<String, Span>) {
        for attr in &body.attributes {
            out.entry(format!("{prefix}{}", attr.name))
                .or_insert(attr.span);
        }
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for block in &body.blocks {
            let (kind, inner) = if block.kind == "dynamic" {
                let Some(label) = block.labels.first() else {
                    continue;
                };
                let content = block.body.blocks.iter().find(|b| b.kind == "content");
                (label.as_str(), content.map(|b| &b.body))
            } else {
                (block.kind.as_str(), Some(&block.body))
            };
            let index = counts.entry(kind).or_insert(0);
            let indexed = format!("{prefix}{kind}[{index}]");
            *index += 1;
            out.entry(indexed.clone()).or_insert(block.span);
            out.entry(format!("{prefix}{kind}")).or_insert(block.span);
            if let Some(inner) = inner
                && prefix.matches('.').count() < 3
            {
                walk(inner, &format!("{indexed}."), out);
                walk(inner, &format!("{prefix}{kind}."), out);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(body, "", &mut out);
    out
}

/// Evaluate the whole configuration. Returns what could be evaluated plus every diagnostic.
pub fn build(config: &Config, reader: &dyn Reader) -> (Desired, Diagnostics) {
    module_eval::evaluate(config, reader)
}

/// A reader for when no cloud is wired in: data sources stay unknown; files are read by `config`.
pub struct NoCloud<'a> {
    pub files: &'a (dyn Fn(&str) -> Result<String, String> + Sync),
}

impl Reader for NoCloud<'_> {
    fn read_data_source(
        &self,
        _type_name: &str,
        _arguments: &Value,
        _provider_alias: Option<&str>,
    ) -> Option<Value> {
        None
    }
    fn read_file(&self, path: &str) -> Result<String, String> {
        (self.files)(path)
    }
}
