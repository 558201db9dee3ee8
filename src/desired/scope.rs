//! What expressions inside a module instance can see: variables, locals, resources, data sources,
//! module outputs, `each`, `count`, `path` and `terraform`, each lookup recording the resource
//! instances it depended on so the graph gets precise, linear edges (an instance that reads
//! `azurerm_subnet.gw[each.key]` depends on that one subnet, not on every subnet).

use super::body::traverse;
use super::{Instance, Reader};
use crate::config::Module;
use crate::config::addr::Mode;
use crate::diag::{Diagnostic, Span};
use crate::lang::{Scope, Step, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};

/// A value and the resource instances it was computed from.
#[derive(Clone, Debug, Default)]
pub struct Tracked {
    pub value: Value,
    pub deps: Vec<usize>,
}

/// How a resource or module call was expanded.
#[derive(Clone, Debug)]
pub enum Expansion<T> {
    Single(T),
    Count(Vec<T>),
    ForEach(BTreeMap<String, T>),
}

impl<T> Expansion<T> {
    pub fn items(&self) -> Box<dyn Iterator<Item = &T> + '_> {
        match self {
            Expansion::Single(t) => Box::new(std::iter::once(t)),
            Expansion::Count(v) => Box::new(v.iter()),
            Expansion::ForEach(m) => Box::new(m.values()),
        }
    }
}

/// The outputs of one module instance.
pub type ModuleOutputs = BTreeMap<String, Tracked>;

/// A module call's instances, and every resource instance created inside it (for `depends_on`).
#[derive(Clone, Debug)]
pub struct ModuleValues {
    pub expansion: Expansion<ModuleOutputs>,
    pub all_instances: Vec<usize>,
}

/// Everything evaluated so far in one module instance.
#[derive(Default)]
pub struct ModuleState {
    pub variables: HashMap<String, Tracked>,
    pub locals: HashMap<String, Tracked>,
    /// By index into `Module::resources`: instance indexes.
    pub resources: HashMap<usize, Expansion<usize>>,
    /// By index into `Module::module_calls`.
    pub modules: HashMap<usize, ModuleValues>,
    pub outputs: ModuleOutputs,
    /// `path.module` for this module.
    pub path_module: String,
    /// Variables and locals (`var.x`, `local.y`) whose evaluation failed with a reported error.
    pub failed: std::collections::HashSet<String>,
}

/// Resources of a module by (mode, type, name), built once per module.
pub type ResourceIndex<'m> = HashMap<(Mode, &'m str, &'m str), usize>;

pub fn resource_index(module: &Module) -> ResourceIndex<'_> {
    module
        .resources
        .iter()
        .enumerate()
        .map(|(i, r)| ((r.mode, r.type_name.as_str(), r.name.as_str()), i))
        .collect()
}

pub struct EvalScope<'a> {
    pub module: &'a Module,
    pub resource_index: &'a ResourceIndex<'a>,
    pub state: &'a ModuleState,
    pub instances: &'a [Instance],
    pub reader: &'a dyn Reader,
    pub each: Option<(Value, Value)>,
    pub count_index: Option<i64>,
    /// Names visible besides the module's (a check block's scoped data sources, `self`).
    pub extra: Vec<(String, Value)>,
    /// When false, references to anything but built-ins are refused (variable defaults, tfvars).
    pub allow_references: bool,
    pub deps: RefCell<Vec<usize>>,
}

impl<'a> EvalScope<'a> {
    pub fn new(
        module: &'a Module,
        resource_index: &'a ResourceIndex<'a>,
        state: &'a ModuleState,
        instances: &'a [Instance],
        reader: &'a dyn Reader,
    ) -> Self {
        EvalScope {
            module,
            resource_index,
            state,
            instances,
            reader,
            each: None,
            count_index: None,
            extra: Vec::new(),
            allow_references: true,
            deps: RefCell::new(Vec::new()),
        }
    }

    pub fn take_deps(&self) -> Vec<usize> {
        let mut deps = std::mem::take(&mut *self.deps.borrow_mut());
        deps.sort_unstable();
        deps.dedup();
        deps
    }

    fn record(&self, deps: &[usize]) {
        self.deps.borrow_mut().extend_from_slice(deps);
    }

    fn resource(
        &self,
        mode: Mode,
        type_name: &str,
        name: &str,
        steps: &[Step],
        consumed: usize,
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        let Some(&index) = self.resource_index.get(&(mode, type_name, name)) else {
            let kind = if mode == Mode::Data {
                "data"
            } else {
                "managed"
            };
            return Err(Diagnostic::error(
                "Reference to undeclared resource",
                format!("A {kind} resource \"{type_name}\" \"{name}\" has not been declared in this module."),
            )
            .with_span(span));
        };
        let Some(expansion) = self.state.resources.get(&index) else {
            // Not evaluated because of an earlier error: stay silent, the error is already reported.
            return Ok((Value::Unknown, steps.len()));
        };
        let pick = |i: usize, rest: &[Step], consumed: usize| -> (Value, usize) {
            self.record(&[i]);
            let value = &self.instances[i].value;
            match rest.first() {
                Some(Step::Attr(attr)) => match value.get_attr(attr) {
                    Some(v) => (v.clone(), consumed + 1),
                    None => (value.clone(), consumed),
                },
                _ => (value.clone(), consumed),
            }
        };
        match expansion {
            Expansion::Single(i) => Ok(pick(*i, steps, consumed)),
            Expansion::Count(list) => match steps.first() {
                Some(Step::Index(key)) => match key
                    .as_i64()
                    .and_then(|k| usize::try_from(k).ok())
                    .and_then(|k| list.get(k))
                {
                    Some(&i) => Ok(pick(i, &steps[1..], consumed + 1)),
                    None => {
                        self.record(list);
                        Ok((
                            Value::List(
                                list.iter()
                                    .map(|&i| self.instances[i].value.clone())
                                    .collect(),
                            ),
                            consumed,
                        ))
                    }
                },
                _ => {
                    self.record(list);
                    Ok((
                        Value::List(
                            list.iter()
                                .map(|&i| self.instances[i].value.clone())
                                .collect(),
                        ),
                        consumed,
                    ))
                }
            },
            Expansion::ForEach(map) => match steps.first() {
                Some(Step::Index(key)) => match key.as_str().and_then(|k| map.get(k)) {
                    Some(&i) => Ok(pick(i, &steps[1..], consumed + 1)),
                    None => {
                        self.record(&map.values().copied().collect::<Vec<_>>());
                        Ok((
                            Value::map(
                                map.iter()
                                    .map(|(k, &i)| (k.clone(), self.instances[i].value.clone()))
                                    .collect(),
                            ),
                            consumed,
                        ))
                    }
                },
                _ => {
                    self.record(&map.values().copied().collect::<Vec<_>>());
                    Ok((
                        Value::map(
                            map.iter()
                                .map(|(k, &i)| (k.clone(), self.instances[i].value.clone()))
                                .collect(),
                        ),
                        consumed,
                    ))
                }
            },
        }
    }

    fn module_output(
        &self,
        name: &str,
        steps: &[Step],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        let Some(index) = self.module.module_calls.iter().position(|m| m.name == name) else {
            return Err(Diagnostic::error(
                "Reference to undeclared module",
                format!("No module call named \"{name}\" is declared in this module."),
            )
            .with_span(span));
        };
        let Some(values) = self.state.modules.get(&index) else {
            return Ok((Value::Unknown, steps.len()));
        };
        let object = |outputs: &ModuleOutputs, rest: &[Step], consumed: usize| -> (Value, usize) {
            if let Some(Step::Attr(attr)) = rest.first()
                && let Some(t) = outputs.get(attr)
            {
                self.record(&t.deps);
                return (t.value.clone(), consumed + 1);
            }
            for t in outputs.values() {
                self.record(&t.deps);
            }
            (
                Value::map(
                    outputs
                        .iter()
                        .map(|(k, t)| (k.clone(), t.value.clone()))
                        .collect(),
                ),
                consumed,
            )
        };
        match &values.expansion {
            Expansion::Single(outputs) => Ok(object(outputs, steps, 1)),
            Expansion::Count(list) => match steps.first() {
                Some(Step::Index(key))
                    if key
                        .as_i64()
                        .and_then(|k| usize::try_from(k).ok())
                        .is_some_and(|k| k < list.len()) =>
                {
                    let k = key
                        .as_i64()
                        .and_then(|k| usize::try_from(k).ok())
                        .unwrap_or(0);
                    Ok(object(&list[k], &steps[1..], 2))
                }
                _ => {
                    let all: Vec<Value> = list.iter().map(|o| object(o, &[], 0).0).collect();
                    Ok((Value::List(all), 1))
                }
            },
            Expansion::ForEach(map) => match steps.first() {
                Some(Step::Index(key)) if key.as_str().is_some_and(|k| map.contains_key(k)) => {
                    let outputs = key.as_str().and_then(|k| map.get(k));
                    match outputs {
                        Some(o) => Ok(object(o, &steps[1..], 2)),
                        None => Ok((Value::Unknown, steps.len())),
                    }
                }
                _ => {
                    let all: BTreeMap<String, Value> = map
                        .iter()
                        .map(|(k, o)| (k.clone(), object(o, &[], 0).0))
                        .collect();
                    Ok((Value::map(all), 1))
                }
            },
        }
    }
}

fn attr(steps: &[Step], index: usize) -> Option<&str> {
    match steps.get(index) {
        Some(Step::Attr(name)) => Some(name),
        _ => None,
    }
}

impl Scope for EvalScope<'_> {
    fn resolve(
        &self,
        root: &str,
        steps: &[Step],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        if let Some((_, value)) = self.extra.iter().rev().find(|(name, _)| name == root) {
            return Ok(traverse(value.clone(), steps));
        }
        match root {
            "each" => {
                let Some((key, value)) = &self.each else {
                    return Err(Diagnostic::error(
                        "Reference to \"each\" in context without for_each",
                        "The \"each\" object can be used only in \"module\" or \"resource\" blocks, and only when the \"for_each\" argument is set.",
                    )
                    .with_span(span));
                };
                match attr(steps, 0) {
                    Some("key") => Ok((key.clone(), 1)),
                    Some("value") => Ok((value.clone(), 1)),
                    Some(other) => Err(Diagnostic::error(
                        "Unsupported attribute",
                        format!("The \"each\" object does not have an attribute named \"{other}\". The supported attributes are each.key and each.value, the current key and value pair of the \"for_each\" attribute set."),
                    )
                    .with_span(span)),
                    None => Ok((Value::object([("key", key.clone()), ("value", value.clone())]), 0)),
                }
            }
            "count" => match (self.count_index, attr(steps, 0)) {
                (Some(i), Some("index")) => Ok((Value::int(i), 1)),
                (Some(_), _) => Err(Diagnostic::error(
                    "Invalid \"count\" attribute",
                    "The \"count\" object does not have an attribute with that name. The only supported attribute is count.index, which is the index of each instance of a resource block that has the \"count\" argument set.",
                )
                .with_span(span)),
                (None, _) => Err(Diagnostic::error(
                    "Reference to \"count\" in non-counted context",
                    "The \"count\" object can only be used in \"module\", \"resource\", and \"data\" blocks, and only when the \"count\" argument is set.",
                )
                .with_span(span)),
            },
            "path" => match attr(steps, 0) {
                Some("module") => Ok((Value::string(self.state.path_module.clone()), 1)),
                Some("root") | Some("cwd") => Ok((Value::string("."), 1)),
                _ => Err(Diagnostic::error(
                    "Invalid \"path\" attribute",
                    "The \"path\" object has the attributes path.module, path.root and path.cwd.",
                )
                .with_span(span)),
            },
            "terraform" => match attr(steps, 0) {
                Some("workspace") => Ok((Value::string("default"), 1)),
                _ => Err(Diagnostic::error(
                    "Invalid \"terraform\" attribute",
                    "The \"terraform\" object has only the attribute terraform.workspace.",
                )
                .with_span(span)),
            },
            _ if !self.allow_references => Err(Diagnostic::error(
                "Variables not allowed",
                "Variables may not be used here: this value must be known before anything else is evaluated.",
            )
            .with_span(span)),
            "self" => Err(Diagnostic::error(
                "Invalid \"self\" reference",
                "The \"self\" object is only available in postconditions of a resource.",
            )
            .with_span(span)),
            "var" | "local" => {
                let Some(name) = attr(steps, 0) else {
                    return Err(Diagnostic::error(
                        "Invalid reference",
                        format!("The \"{root}\" object cannot be accessed directly. Instead, access one of its attributes."),
                    )
                    .with_span(span));
                };
                let table = if root == "var" { &self.state.variables } else { &self.state.locals };
                match table.get(name) {
                    Some(t) => {
                        self.record(&t.deps);
                        Ok((t.value.clone(), 1))
                    }
                    // Declared but not evaluated because of an earlier error.
                    None => Ok((Value::Unknown, steps.len())),
                }
            }
            "module" => match attr(steps, 0) {
                Some(name) => self.module_output(name, &steps[1..], span),
                None => Err(Diagnostic::error(
                    "Invalid reference",
                    "The \"module\" object cannot be accessed directly. Instead, access one of its attributes.",
                )
                .with_span(span)),
            },
            "data" => match (attr(steps, 0), attr(steps, 1)) {
                (Some(t), Some(n)) => self.resource(Mode::Data, t, n, &steps[2..], 2, span),
                _ => Err(Diagnostic::error(
                    "Invalid reference",
                    "A reference to a data source must give its type and name: data.TYPE.NAME.",
                )
                .with_span(span)),
            },
            type_name => match attr(steps, 0) {
                Some(name) => self.resource(Mode::Managed, type_name, name, &steps[1..], 1, span),
                None => Err(Diagnostic::error(
                    "Invalid reference",
                    "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.",
                )
                .with_span(span)),
            },
        }
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        self.reader.read_file(path)
    }
}

/// A scope with one more name bound: a `dynamic` block's iterator.
pub struct WithIterator<'a> {
    pub inner: &'a dyn Scope,
    pub name: String,
    pub value: Value,
}

impl Scope for WithIterator<'_> {
    fn resolve(
        &self,
        root: &str,
        steps: &[Step],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        if root == self.name {
            return Ok(traverse(self.value.clone(), steps));
        }
        self.inner.resolve(root, steps, span)
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        self.inner.read_file(path)
    }
}
