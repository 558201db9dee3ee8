//! Evaluating module instances: variables, locals, resources (expanded by `count`/`for_each`), module
//! calls (recursively), outputs and checks, in the order `analyze` found; building the instances and
//! the edges between them.

use super::analyze::{Analysis, Node, analyze, check_refs};
use super::body::{BodyContext, eval_body};
use super::scope::{
    EvalScope, Expansion, ModuleOutputs, ModuleState, ModuleValues, ResourceIndex, Tracked,
    resource_index,
};
use super::{Desired, IgnoreChanges, Instance, InstanceLifecycle, Reader};
use crate::config::addr::{
    InstanceKey, Mode, ModulePath, ResourceAddr, ResourceInstanceAddr, Target, parse_target,
};
use crate::config::{Condition, Config, Expr, ModuleId, Resource, VarSource};
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::graph::Dag;
use crate::lang::{Type, Value, eval, references};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::rc::Rc;
use std::sync::Arc;

/// An instance's key, its `each` (key, value) and its `count.index`.
type InstanceKeys = (Option<InstanceKey>, Option<(Value, Value)>, Option<i64>);

/// The key, `each` and `count.index` of every instance an expansion gives.
fn instance_keys(expansion: &Expansion<Option<Value>>) -> Vec<InstanceKeys> {
    match expansion {
        Expansion::Single(_) => vec![(None, None, None)],
        Expansion::Count(list) => (0..list.len() as i64)
            .map(|n| (Some(InstanceKey::Int(n)), None, Some(n)))
            .collect(),
        Expansion::ForEach(map) => map
            .iter()
            .map(|(k, v)| {
                (
                    Some(InstanceKey::Str(k.clone())),
                    Some((Value::string(k.clone()), v.clone().unwrap_or(Value::Null))),
                    None,
                )
            })
            .collect(),
    }
}

struct Evaluator<'c> {
    config: &'c Config,
    reader: &'c dyn Reader,
    analyses: HashMap<ModuleId, Option<Rc<Analysis>>>,
    indexes: HashMap<ModuleId, Rc<ResourceIndex<'c>>>,
    diags: Diagnostics,
    instances: Vec<Instance>,
    deps: Vec<Vec<usize>>,
    resources: Vec<ResourceAddr>,
    /// Config blocks whose static mistakes were already reported (once per block, not per instance).
    reported: HashSet<(ModuleId, usize)>,
}

/// What a module instance gets from its caller.
struct ModuleInputs {
    values: HashMap<String, Tracked>,
    /// Instances every resource inside depends on (the call's `depends_on`).
    extra_deps: Vec<usize>,
    /// Provider aliases visible inside: local name (`azurerm` or `azurerm.x`) → root alias.
    providers: HashMap<String, Option<String>>,
    /// Where the calling `module` block sets each input (its argument's expression), so a value
    /// the module's variable refuses is reported where it was written.
    origins: HashMap<String, Span>,
}

pub(super) fn evaluate(config: &Config, reader: &dyn Reader) -> (Desired, Diagnostics) {
    let mut ev = Evaluator {
        config,
        reader,
        analyses: HashMap::new(),
        indexes: HashMap::new(),
        diags: Diagnostics::new(),
        instances: Vec::new(),
        deps: Vec::new(),
        resources: Vec::new(),
        reported: HashSet::new(),
    };
    let mut providers: HashMap<String, Option<String>> = HashMap::new();
    providers.insert("azurerm".into(), None);
    for p in &config.root().providers {
        if let Some(alias) = &p.alias {
            providers.insert(format!("azurerm.{alias}"), Some(alias.clone()));
        }
    }
    let inputs = ModuleInputs {
        values: HashMap::new(),
        extra_deps: Vec::new(),
        providers,
        origins: HashMap::new(),
    };
    let state = ev.eval_module(0, ModulePath::root(), inputs);
    let mut desired = Desired::default();
    if let Some(state) = state {
        desired.outputs = state
            .outputs
            .into_iter()
            .map(|(k, t)| (k, t.value))
            .collect();
        desired.variables = state
            .variables
            .into_iter()
            .map(|(k, t)| (k, t.value))
            .collect();
    }
    let mut graph = Dag::new(ev.instances.len());
    for (i, deps) in ev.deps.iter().enumerate() {
        for &d in deps {
            if d != i {
                graph.add_edge(i, d);
            }
        }
    }
    desired.instances = ev.instances;
    desired.graph = graph;
    desired.resources = ev.resources;
    let mut diags = ev.diags;
    diags.sort();
    (desired, diags)
}

fn module_label(path: &ModulePath) -> String {
    if path.is_root() {
        "the root module".to_string()
    } else {
        path.to_string()
    }
}

/// Where a span starts, as `file:line`.
fn at(config: &Config, span: Span) -> String {
    if (span.file.0 as usize) >= config.sources.len() {
        return "(unknown)".into();
    }
    let f = config.sources.get(span.file);
    format!("{}:{}", f.path.display(), f.line_col(span.start).line)
}

impl<'c> Evaluator<'c> {
    fn analysis(&mut self, id: ModuleId, path: &ModulePath) -> Option<Rc<Analysis>> {
        if let Some(a) = self.analyses.get(&id) {
            return a.clone();
        }
        let module = &self.config.modules[id];
        let label = module_label(path);
        let (analysis, diags) = analyze(module, &label);
        self.diags.extend(diags);
        self.diags.extend(check_refs(module, &label));
        let analysis = analysis.map(Rc::new);
        self.analyses.insert(id, analysis.clone());
        analysis
    }

    fn index(&mut self, id: ModuleId) -> Rc<ResourceIndex<'c>> {
        let config = self.config;
        self.indexes
            .entry(id)
            .or_insert_with(|| Rc::new(resource_index(&config.modules[id])))
            .clone()
    }

    fn eval_module(
        &mut self,
        id: ModuleId,
        path: ModulePath,
        inputs: ModuleInputs,
    ) -> Option<ModuleState> {
        let analysis = self.analysis(id, &path)?;
        let index = self.index(id);
        let config = self.config;
        let module = &config.modules[id];
        let mut state = ModuleState {
            path_module: if id == 0 {
                ".".to_string()
            } else {
                module
                    .dir
                    .strip_prefix(&config.modules[0].dir)
                    .unwrap_or(&module.dir)
                    .display()
                    .to_string()
            },
            ..ModuleState::default()
        };
        let mut inputs = inputs;
        for &node in &analysis.order {
            match node {
                Node::Variable(i) => {
                    let errors = self.diags.error_count();
                    let value = self.eval_variable(id, i, &path, &mut inputs, &state, &index);
                    if self.diags.error_count() > errors {
                        state
                            .failed
                            .insert(format!("var.{}", module.variables[i].name));
                    }
                    state
                        .variables
                        .insert(module.variables[i].name.clone(), value);
                }
                Node::Local(i) => {
                    let local = &module.locals[i];
                    let scope =
                        EvalScope::new(module, &index, &state, &self.instances, self.reader);
                    let mut failed = false;
                    let value = match eval(&local.expr.expr, local.expr.file, &scope) {
                        Ok(v) => v,
                        Err(d) => {
                            self.diags.push(d);
                            failed = true;
                            Value::Unknown
                        }
                    };
                    let deps = scope.take_deps();
                    if failed {
                        state.failed.insert(format!("local.{}", local.name));
                    }
                    state
                        .locals
                        .insert(local.name.clone(), Tracked { value, deps });
                }
                Node::Resource(i) => {
                    if let Some(expansion) =
                        self.eval_resource(id, i, &path, &state, &index, &inputs)
                    {
                        state.resources.insert(i, expansion);
                    }
                }
                Node::ModuleCall(i) => {
                    if let Some(values) =
                        self.eval_module_call(id, i, &path, &state, &index, &inputs)
                    {
                        state.modules.insert(i, values);
                    }
                }
                Node::Output(i) => {
                    let output = &module.outputs[i];
                    let scope =
                        EvalScope::new(module, &index, &state, &self.instances, self.reader);
                    let mut value = match &output.value {
                        Some(e) => match eval(&e.expr, e.file, &scope) {
                            Ok(v) => v,
                            Err(d) => {
                                self.diags.push(d);
                                Value::Unknown
                            }
                        },
                        None => Value::Null,
                    };
                    for dep in &output.depends_on {
                        let _ = eval(&dep.expr, dep.file, &scope);
                    }
                    let declared_sensitive = output
                        .sensitive
                        .as_ref()
                        .and_then(|e| eval(&e.expr, e.file, &scope).ok())
                        .and_then(|v| v.as_bool())
                        .unwrap_or(false);
                    Self::check_conditions(
                        &mut self.diags,
                        &output.preconditions,
                        &scope,
                        "Module output value precondition failed",
                        None,
                    );
                    if path.is_root() && value.contains_sensitive() && !declared_sensitive {
                        self.diags.push(
                            Diagnostic::error(
                                "Output refers to sensitive values",
                                "To reduce the risk of accidentally exporting sensitive data that was intended to be only internal, peerform requires that any root module output containing sensitive data be explicitly marked as sensitive, to confirm your intent.\n\nIf you do intend to export this data, annotate the output value as sensitive by adding the following argument:\n    sensitive = true",
                            )
                            .with_span(output.span),
                        );
                    }
                    if declared_sensitive {
                        value = value.mark_sensitive();
                    }
                    let deps = scope.take_deps();
                    state
                        .outputs
                        .insert(output.name.clone(), Tracked { value, deps });
                }
            }
        }
        self.check_address_blocks(id, &path);
        // Checks run last; a failed assertion is a warning, as in Terraform.
        for check in &module.checks {
            let mut scope = EvalScope::new(module, &index, &state, &self.instances, self.reader);
            for data in &check.data {
                // Scoped data sources are read at apply time: unknown until a cloud reader exists.
                scope.extra.push((
                    "data".into(),
                    Value::object([(
                        data.type_name.clone(),
                        Value::object([(data.name.clone(), Value::Unknown)]),
                    )]),
                ));
            }
            for assert in &check.asserts {
                match eval(&assert.condition.expr, assert.condition.file, &scope) {
                    Ok(v) if v.as_bool() == Some(false) => {
                        let message = eval(
                            &assert.error_message.expr,
                            assert.error_message.file,
                            &scope,
                        )
                        .ok()
                        .and_then(|m| m.as_str().map(str::to_string))
                        .unwrap_or_default();
                        self.diags.push(
                            Diagnostic::warning("Check block assertion failed", message)
                                .with_span(assert.condition.span())
                                .with_address(format!("check.{}", check.name)),
                        );
                    }
                    Ok(_) => {}
                    Err(d) => self.diags.push(d),
                }
            }
        }
        Some(state)
    }

    /// `moved`, `removed` and `import` name addresses, not values: check they parse and, where they
    /// must, that the configuration declares them. Once per module, not per instance.
    fn check_address_blocks(&mut self, id: ModuleId, path: &ModulePath) {
        if !self.reported.insert((id, usize::MAX / 2)) {
            return;
        }
        let config = self.config;
        let module = &config.modules[id];
        let text = |e: &Expr| -> String {
            let span = e.span();
            config
                .sources
                .get(span.file)
                .text
                .get(span.start..span.end)
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let declared = |target: &Target| match target {
            Target::Module(m) => {
                m.0.len() == 1 && module.module_calls.iter().any(|c| c.name == m.0[0].name)
            }
            Target::Resource(r) => {
                r.module.is_root()
                    && module
                        .resources
                        .iter()
                        .any(|x| x.mode == r.mode && x.type_name == r.type_name && x.name == r.name)
            }
            Target::Instance(i) => {
                i.resource.module.is_root()
                    && module.resources.iter().any(|x| {
                        x.mode == i.resource.mode
                            && x.type_name == i.resource.type_name
                            && x.name == i.resource.name
                    })
            }
        };
        let parse = |e: &Expr, what: &str, diags: &mut Diagnostics| -> Option<Target> {
            match parse_target(&text(e)) {
                Ok(t) => Some(t),
                Err(message) => {
                    diags.push(
                        Diagnostic::error("Invalid address", format!("The {what} must be a resource or module address, such as azurerm_express_route_circuit.primary or module.site[\"ams\"]: {message}."))
                            .with_span(e.span()),
                    );
                    None
                }
            }
        };
        for m in &module.moved {
            let from = parse(&m.from, "\"from\" of a moved block", &mut self.diags);
            let to = parse(&m.to, "\"to\" of a moved block", &mut self.diags);
            if let (Some(from), Some(to)) = (from, to) {
                let kind = |t: &Target| matches!(t, Target::Module(_));
                if kind(&from) != kind(&to) {
                    self.diags.push(
                        Diagnostic::error("Invalid \"moved\" addresses", "A moved block must move a resource to a resource, or a module to a module.")
                            .with_span(m.span),
                    );
                } else if (matches!(&from, Target::Resource(_))
                    || matches!(&from, Target::Module(m) if m.0.iter().all(|s| s.key.is_none())))
                    && declared(&from)
                {
                    self.diags.push(
                            Diagnostic::error(
                                "Moved object still exists",
                                format!("This statement declares a move from {from}, but that object is still declared in the configuration. Change your configuration so that it is declared as {to} only."),
                            )
                            .with_span(m.from.span()),
                        );
                }
            }
        }
        for r in &module.removed {
            if let Some(from) = parse(&r.from, "\"from\" of a removed block", &mut self.diags)
                && declared(&from)
            {
                self.diags.push(
                        Diagnostic::error(
                            "Removed object still exists",
                            format!("This \"removed\" block refers to {from}, which is still declared in the configuration. Remove the block or the resource."),
                        )
                        .with_span(r.from.span()),
                    );
            }
        }
        if !path.is_root() {
            for i in &module.imports {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid import configuration",
                        "An import block is allowed only in the root module.",
                    )
                    .with_span(i.span),
                );
            }
            return;
        }
        for i in &module.imports {
            if let Some(to) = parse(&i.to, "\"to\" of an import block", &mut self.diags) {
                let ok = match &to {
                    Target::Module(_) => false,
                    Target::Resource(r) => {
                        r.mode == Mode::Managed && r.module.is_root() && declared(&to)
                    }
                    Target::Instance(x) => {
                        x.resource.mode == Mode::Managed
                            && (!x.resource.module.is_root() || declared(&to))
                    }
                };
                if !ok && !matches!(&to, Target::Instance(x) if !x.resource.module.is_root()) {
                    self.diags.push(
                        Diagnostic::error(
                            "Configuration for import target does not exist",
                            format!("The configuration for the given import {to} does not exist. All target instances must have an associated configuration to be imported."),
                        )
                        .with_span(i.to.span()),
                    );
                }
            }
        }
    }

    fn eval_variable(
        &mut self,
        id: ModuleId,
        i: usize,
        path: &ModulePath,
        inputs: &mut ModuleInputs,
        state: &ModuleState,
        index: &ResourceIndex<'_>,
    ) -> Tracked {
        let config = self.config;
        let module = &config.modules[id];
        let variable = &module.variables[i];
        let mut constant_scope = EvalScope::new(module, index, state, &self.instances, self.reader);
        constant_scope.allow_references = false;

        let ty = match &variable.type_expr {
            Some(e) => match Type::parse(&e.expr, e.file) {
                Ok(t) => t,
                Err(d) => {
                    self.diags.push(d);
                    Type::Any
                }
            },
            None => Type::Any,
        };
        let declared_at = at(config, variable.span);
        let mut deps = Vec::new();
        let mut origin: Option<(String, Option<Span>)> = None;
        let raw = if path.is_root() {
            match config
                .variable_values
                .iter()
                .rev()
                .find(|v| v.name == variable.name)
            {
                Some(v) => {
                    origin = Some((v.origin.clone(), v.span));
                    match &v.source {
                        VarSource::Literal(s) => Some(Value::string(s.clone())),
                        VarSource::Expr(e) => match eval(&e.expr, e.file, &constant_scope) {
                            Ok(v) => Some(v),
                            Err(d) => {
                                self.diags.push(d);
                                return Tracked {
                                    value: Value::Unknown,
                                    deps,
                                };
                            }
                        },
                    }
                }
                None => None,
            }
        } else {
            if let Some(span) = inputs.origins.get(&variable.name) {
                origin = Some((format!("the argument of {path}"), Some(*span)));
            }
            inputs.values.remove(&variable.name).map(|t| {
                deps = t.deps;
                t.value
            })
        };
        let value = match raw {
            Some(v) => v,
            None => match &variable.default {
                Some(e) => match eval(&e.expr, e.file, &constant_scope) {
                    Ok(v) => v,
                    Err(d) => {
                        self.diags.push(d);
                        return Tracked {
                            value: Value::Unknown,
                            deps,
                        };
                    }
                },
                None => {
                    if path.is_root() {
                        self.diags.push(
                            Diagnostic::error(
                                "No value for required variable",
                                format!(
                                    "The root module input variable \"{}\" is not set, and has no default value. Use a --var or --var-file command line argument, terraform.tfvars, or TF_VAR_{} to provide a value for this variable.",
                                    variable.name, variable.name
                                ),
                            )
                            .with_span(variable.span),
                        );
                    }
                    return Tracked {
                        value: Value::Unknown,
                        deps,
                    };
                }
            },
        };
        let nullable = variable
            .nullable
            .as_ref()
            .and_then(|e| eval(&e.expr, e.file, &constant_scope).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(true);
        let (origin_text, origin_span) =
            origin.unwrap_or_else(|| ("the configuration".into(), None));
        let span = origin_span.unwrap_or(variable.span);
        if value.is_null() && !nullable {
            self.diags.push(
                Diagnostic::error(
                    "Required variable not set",
                    format!("Unsuitable value for var.{} set from {origin_text}: required variable may not be set to null.", variable.name),
                )
                .with_span(span),
            );
            return Tracked {
                value: Value::Unknown,
                deps,
            };
        }
        let mut value = match ty.convert(value) {
            Ok(v) => v,
            Err(message) => {
                self.diags.push(
                    Diagnostic::error(
                        "Invalid value for input variable",
                        format!(
                            "The given value is not suitable for {}var.{} declared at {declared_at}: {message}.",
                            if path.is_root() { String::new() } else { format!("{path}.") },
                            variable.name
                        ),
                    )
                    .with_span(span),
                );
                return Tracked {
                    value: Value::Unknown,
                    deps,
                };
            }
        };
        let sensitive = variable
            .sensitive
            .as_ref()
            .and_then(|e| eval(&e.expr, e.file, &constant_scope).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if sensitive {
            value = value.mark_sensitive();
        }
        if !variable.validations.is_empty() {
            let mut scope = EvalScope::new(module, index, state, &self.instances, self.reader);
            scope.extra.push((
                "var".into(),
                Value::object([(variable.name.clone(), value.clone())]),
            ));
            for rule in &variable.validations {
                match eval(&rule.condition.expr, rule.condition.file, &scope) {
                    Ok(v) if v.as_bool() == Some(false) => {
                        let message =
                            eval(&rule.error_message.expr, rule.error_message.file, &scope)
                                .ok()
                                .and_then(|m| {
                                    if m.contains_sensitive() {
                                        None
                                    } else {
                                        m.as_str().map(str::to_string)
                                    }
                                })
                                .unwrap_or_else(|| "The value is not valid.".into());
                        self.diags.push(
                            Diagnostic::error(
                                "Invalid value for variable",
                                format!(
                                    "{message}\n\nThis was checked by the validation rule at {}.",
                                    at(config, rule.span)
                                ),
                            )
                            .with_span(span),
                        );
                    }
                    Ok(v) if v.is_unknown() || v.as_bool().is_some() => {}
                    Ok(_) => self.diags.push(
                        Diagnostic::error(
                            "Invalid validation result",
                            "The condition of a validation rule must be true or false.",
                        )
                        .with_span(rule.condition.span()),
                    ),
                    Err(d) => self.diags.push(d),
                }
            }
        }
        Tracked { value, deps }
    }

    /// Evaluate `count` or `for_each` into the instance keys (each with its `each.value`).
    fn expand(
        diags: &mut Diagnostics,
        count: Option<&Expr>,
        for_each: Option<&Expr>,
        scope: &EvalScope<'_>,
        what: &str,
        address: &str,
    ) -> Option<Expansion<Option<Value>>> {
        // A value that is unknown only because an earlier error made it so is not a new mistake.
        let from_failed = |e: &Expr| {
            references(&e.expr, e.file).iter().any(|r| {
                matches!(r.steps.first(), Some(crate::lang::RefStep::Attr(n))
                    if scope.state.failed.contains(&format!("{}.{n}", r.root)))
            })
        };
        if let Some(e) = for_each {
            let value = match eval(&e.expr, e.file, scope) {
                Ok(v) => v,
                Err(d) => {
                    diags.push(d);
                    return None;
                }
            };
            if value.is_unknown() && from_failed(e) {
                return None;
            }
            let invalid = |detail: String| {
                Diagnostic::error("Invalid for_each argument", detail)
                    .with_span(e.span())
                    .with_address(address.to_string())
            };
            if value.contains_sensitive() {
                diags.push(invalid("Sensitive values, or values derived from sensitive values, cannot be used as for_each arguments. If used, the sensitive value could be exposed as a resource instance key.".into()));
                return None;
            }
            match value {
                Value::Unknown => {
                    diags.push(invalid(format!("The \"for_each\" value depends on resource attributes that cannot be determined until apply, so peerform cannot predict how many instances will be created.\n\nWhen working with unknown values in for_each, it's better to define the map keys statically in your configuration and place apply-time results only in the map values. The keys identify the instances of this {what}.")));
                    None
                }
                Value::Null => {
                    diags.push(invalid("The given \"for_each\" argument value is null. A map, or set of strings is allowed.".into()));
                    None
                }
                Value::Map(map) => Some(Expansion::ForEach(
                    Arc::unwrap_or_clone(map)
                        .into_iter()
                        .map(|(k, v)| (k, Some(v)))
                        .collect(),
                )),
                Value::Set(items) => {
                    let mut out = BTreeMap::new();
                    for item in items {
                        match item {
                            Value::String(s) => {
                                out.insert(s.clone(), Some(Value::String(s)));
                            }
                            Value::Unknown => {
                                diags.push(invalid("The \"for_each\" set includes values derived from resource attributes that cannot be determined until apply, so peerform cannot determine the full set of keys that will identify the instances of this resource.".into()));
                                return None;
                            }
                            other => {
                                diags.push(invalid(format!("The given \"for_each\" argument value is unsuitable: \"for_each\" supports maps and sets of strings, but you have provided a set containing type {}.", other.type_name())));
                                return None;
                            }
                        }
                    }
                    Some(Expansion::ForEach(out))
                }
                other => {
                    diags.push(invalid(format!("The given \"for_each\" argument value is unsuitable: the \"for_each\" argument must be a map, or set of strings, and you have provided a value of type {}. Convert a list with toset(), or build a map with a for expression.", other.type_name())));
                    None
                }
            }
        } else if let Some(e) = count {
            let value = match eval(&e.expr, e.file, scope) {
                Ok(v) => v,
                Err(d) => {
                    diags.push(d);
                    return None;
                }
            };
            if value.is_unknown() && from_failed(e) {
                return None;
            }
            let invalid = |detail: &str| {
                Diagnostic::error("Invalid count argument", detail.to_string())
                    .with_span(e.span())
                    .with_address(address.to_string())
            };
            let (value, _) = value.into_unmarked();
            match value {
                Value::Unknown => {
                    diags.push(invalid("The \"count\" value depends on resource attributes that cannot be determined until apply, so peerform cannot predict how many instances will be created. Derive count from values known at plan time, such as variables."));
                    None
                }
                Value::Null => {
                    diags.push(invalid(
                        "The given \"count\" argument value is null. An integer is required.",
                    ));
                    None
                }
                other => match Type::Number.convert(other).ok().and_then(|v| v.as_number()) {
                    Some(n) if n.0 < 0.0 => {
                        diags.push(invalid("The given \"count\" argument value is unsuitable: must be greater than or equal to zero."));
                        None
                    }
                    Some(n) if n.as_i64().is_some() => {
                        let n = n.as_i64().unwrap_or(0);
                        Some(Expansion::Count((0..n).map(|_| None).collect()))
                    }
                    _ => {
                        diags.push(invalid("The given \"count\" argument value is unsuitable: a whole number is required."));
                        None
                    }
                },
            }
        } else {
            Some(Expansion::Single(None))
        }
    }

    fn check_conditions(
        diags: &mut Diagnostics,
        conditions: &[Condition],
        scope: &EvalScope<'_>,
        summary: &str,
        address: Option<&str>,
    ) {
        for c in conditions {
            match eval(&c.condition.expr, c.condition.file, scope) {
                Ok(v) if v.as_bool() == Some(false) => {
                    let message = eval(&c.error_message.expr, c.error_message.file, scope)
                        .ok()
                        .and_then(|m| {
                            if m.contains_sensitive() {
                                None
                            } else {
                                m.as_str().map(str::to_string)
                            }
                        })
                        .unwrap_or_default();
                    let mut d = Diagnostic::error(summary, message).with_span(c.condition.span());
                    if let Some(a) = address {
                        d = d.with_address(a.to_string());
                    }
                    diags.push(d);
                }
                Ok(_) => {}
                Err(d) => diags.push(d),
            }
        }
    }

    fn eval_resource(
        &mut self,
        id: ModuleId,
        i: usize,
        path: &ModulePath,
        state: &ModuleState,
        index: &ResourceIndex<'_>,
        inputs: &ModuleInputs,
    ) -> Option<Expansion<usize>> {
        let config = self.config;
        let module = &config.modules[id];
        let resource = &module.resources[i];
        let resource_addr = ResourceAddr {
            module: path.clone(),
            mode: resource.mode,
            type_name: resource.type_name.clone(),
            name: resource.name.clone(),
        };
        let address = resource_addr.to_string();
        self.resources.push(resource_addr.clone());
        let schema = match resource.mode {
            Mode::Managed => crate::schema::resource(&resource.type_name),
            Mode::Data => crate::schema::data_source(&resource.type_name),
        };
        let Some(schema) = schema else {
            if self.reported.insert((id, i)) {
                let known = match resource.mode {
                    Mode::Managed => crate::schema::resource_type_names(),
                    Mode::Data => crate::schema::data_source_type_names(),
                };
                let hint = crate::config::did_you_mean(&resource.type_name, known.iter().copied())
                    .map(|s| format!(" Did you mean \"{s}\"?"))
                    .unwrap_or_default();
                let kind = if resource.mode == Mode::Data {
                    "data source"
                } else {
                    "resource type"
                };
                self.diags.push(
                    Diagnostic::error(
                        format!("Invalid {kind}"),
                        format!("The provider hashicorp/azurerm does not support {kind} \"{}\" in peerform.{hint}", resource.type_name),
                    )
                    .with_span(resource.span)
                    .with_address(address.clone()),
                );
            }
            return None;
        };
        let provider_alias = self.resolve_provider(resource, inputs, &address)?;
        let scope = EvalScope::new(module, index, state, &self.instances, self.reader);
        let expansion = Self::expand(
            &mut self.diags,
            resource.count.as_ref(),
            resource.for_each.as_ref(),
            &scope,
            "resource",
            &address,
        )?;
        let base_deps = {
            let mut d = scope.take_deps();
            d.extend_from_slice(&inputs.extra_deps);
            for dep in &resource.depends_on {
                d.extend(Self::depends_on_instances(dep, &scope, state, index));
            }
            d
        };
        drop(scope);
        let lifecycle = self.lifecycle(resource);
        let configured = configured_names(resource, &schema.block);
        let first_report = self.reported.insert((id, i));
        let mut new_instances: Vec<(Instance, Vec<usize>)> = Vec::new();
        let keys = instance_keys(&expansion);
        let base = self.instances.len();
        let attr_spans = std::sync::Arc::new(super::argument_spans(&resource.body));
        let mut report_static = first_report;
        for (key, each, count_index) in keys {
            let mut scope = EvalScope::new(module, index, state, &self.instances, self.reader);
            scope.each = each;
            scope.count_index = count_index;
            let addr = ResourceInstanceAddr {
                resource: resource_addr.clone(),
                key,
            };
            let mut local_diags = Vec::new();
            let instance_address = addr.to_string();
            let mut ctx = BodyContext {
                address: &instance_address,
                diags: &mut local_diags,
                report_static,
            };
            let mut value = eval_body(
                &resource.body,
                &schema.block,
                &scope,
                resource.span,
                "",
                &mut ctx,
            );
            report_static = false;
            if resource.mode == Mode::Data
                && let Some(read) = self.reader.read_data_source(
                    &resource.type_name,
                    &value,
                    provider_alias.as_deref(),
                )
            {
                value = read;
            }
            self.diags.extend(local_diags);
            Self::check_conditions(
                &mut self.diags,
                &resource.lifecycle.preconditions,
                &scope,
                "Resource precondition failed",
                Some(&instance_address),
            );
            let mut deps = scope.take_deps();
            deps.extend_from_slice(&base_deps);
            deps.sort_unstable();
            deps.dedup();
            let mut instance = Instance {
                addr,
                value,
                span: resource.span,
                attr_spans: attr_spans.clone(),
                configured: configured.clone(),
                provider_alias: provider_alias.clone(),
                lifecycle: lifecycle.clone(),
            };
            if resource.mode == Mode::Managed
                && let Some(planned) = self.reader.planned_value(&instance)
            {
                instance.value = planned;
            }
            new_instances.push((instance, deps));
        }
        for (instance, deps) in new_instances {
            self.instances.push(instance);
            self.deps.push(deps);
        }
        let mut next = base;
        let mut take = || {
            next += 1;
            next - 1
        };
        Some(match expansion {
            Expansion::Single(_) => Expansion::Single(take()),
            Expansion::Count(list) => Expansion::Count(list.iter().map(|_| take()).collect()),
            Expansion::ForEach(map) => {
                Expansion::ForEach(map.into_keys().map(|k| (k, take())).collect())
            }
        })
    }

    /// Instances a `depends_on` entry names: all instances of a resource or module call.
    fn depends_on_instances(
        dep: &Expr,
        scope: &EvalScope<'_>,
        state: &ModuleState,
        index: &ResourceIndex<'_>,
    ) -> Vec<usize> {
        let mut out = Vec::new();
        for r in references(&dep.expr, dep.file) {
            let attr = |k: usize| match r.steps.get(k) {
                Some(crate::lang::RefStep::Attr(a)) => Some(a.as_str()),
                _ => None,
            };
            match r.root.as_str() {
                "module" => {
                    if let Some(i) = attr(0)
                        .and_then(|n| scope.module.module_calls.iter().position(|m| m.name == n))
                        && let Some(values) = state.modules.get(&i)
                    {
                        out.extend_from_slice(&values.all_instances);
                    }
                }
                "var" | "local" => {
                    let table = if r.root == "var" {
                        &state.variables
                    } else {
                        &state.locals
                    };
                    if let Some(t) = attr(0).and_then(|n| table.get(n)) {
                        out.extend_from_slice(&t.deps);
                    }
                }
                "data" => {
                    if let (Some(t), Some(n)) = (attr(0), attr(1))
                        && let Some(e) = index
                            .get(&(Mode::Data, t, n))
                            .and_then(|i| state.resources.get(i))
                    {
                        out.extend(e.items().copied());
                    }
                }
                t => {
                    if let Some(n) = attr(0)
                        && let Some(e) = index
                            .get(&(Mode::Managed, t, n))
                            .and_then(|i| state.resources.get(i))
                    {
                        out.extend(e.items().copied());
                    }
                }
            }
        }
        out
    }

    fn resolve_provider(
        &mut self,
        resource: &Resource,
        inputs: &ModuleInputs,
        address: &str,
    ) -> Option<Option<String>> {
        let Some(p) = &resource.provider else {
            return Some(inputs.providers.get("azurerm").cloned().flatten());
        };
        let local = match &p.alias {
            Some(a) => format!("azurerm.{a}"),
            None => "azurerm".into(),
        };
        match inputs.providers.get(&local) {
            Some(alias) => Some(alias.clone()),
            None => {
                self.diags.push(
                    Diagnostic::error(
                        "Provider configuration not present",
                        format!(
                            "{address} uses provider {local}, but no provider \"azurerm\" block with alias = \"{}\" is declared (in a module, pass it in with providers = {{ {local} = … }}).",
                            p.alias.clone().unwrap_or_default()
                        ),
                    )
                    .with_span(p.span)
                    .with_address(address.to_string()),
                );
                None
            }
        }
    }

    fn lifecycle(&self, resource: &Resource) -> InstanceLifecycle {
        let lit = |e: &Option<Expr>| match e.as_ref().map(|e| &e.expr) {
            Some(hcl_edit::expr::Expression::Bool(b)) => *b.value(),
            _ => false,
        };
        let text = |e: &Expr| -> String {
            let span = e.span();
            if (span.file.0 as usize) >= self.config.sources.len() {
                return String::new();
            }
            self.config
                .sources
                .get(span.file)
                .text
                .get(span.start..span.end)
                .unwrap_or("")
                .trim()
                .to_string()
        };
        let list = |e: &Option<Expr>| -> Vec<String> {
            match e.as_ref().map(|x| (x, &x.expr)) {
                Some((x, hcl_edit::expr::Expression::Array(items))) => items
                    .iter()
                    .map(|item| {
                        text(&Expr {
                            file: x.file,
                            expr: item.clone(),
                        })
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        let ignore_changes = match &resource.lifecycle.ignore_changes {
            None => IgnoreChanges::None,
            Some(e) => match &e.expr {
                hcl_edit::expr::Expression::Variable(v) if v.as_str() == "all" => {
                    IgnoreChanges::All
                }
                _ => IgnoreChanges::Attributes(list(&resource.lifecycle.ignore_changes)),
            },
        };
        InstanceLifecycle {
            create_before_destroy: lit(&resource.lifecycle.create_before_destroy),
            prevent_destroy: lit(&resource.lifecycle.prevent_destroy),
            ignore_changes,
            replace_triggered_by: list(&resource.lifecycle.replace_triggered_by),
        }
    }

    fn eval_module_call(
        &mut self,
        id: ModuleId,
        i: usize,
        path: &ModulePath,
        state: &ModuleState,
        index: &ResourceIndex<'_>,
        inputs: &ModuleInputs,
    ) -> Option<ModuleValues> {
        let config = self.config;
        let module = &config.modules[id];
        let call = &module.module_calls[i];
        let child_id = call.module?;
        let child = &config.modules[child_id];
        let address = path.child(&call.name, None).to_string();

        // Arguments must be the child's variables; required ones must be set (reported once).
        if self.reported.insert((id, usize::MAX - i)) {
            for arg in &call.arguments {
                if !child.variables.iter().any(|v| v.name == arg.name) {
                    let hint = crate::config::did_you_mean(
                        &arg.name,
                        child.variables.iter().map(|v| v.name.as_str()),
                    )
                    .map(|s| format!(" Did you mean \"{s}\"?"))
                    .unwrap_or_default();
                    self.diags.push(
                        Diagnostic::error(
                            "Unsupported argument",
                            format!("An argument named \"{}\" is not expected here: module \"{}\" declares no such variable.{hint}", arg.name, call.name),
                        )
                        .with_span(arg.span),
                    );
                }
            }
            for v in &child.variables {
                if v.default.is_none() && !call.arguments.iter().any(|a| a.name == v.name) {
                    self.diags.push(
                        Diagnostic::error(
                            "Missing required argument",
                            format!(
                                "The argument \"{}\" is required, but no definition was found.",
                                v.name
                            ),
                        )
                        .with_span(call.span),
                    );
                }
            }
        }
        let mut providers: HashMap<String, Option<String>> = HashMap::new();
        providers.insert(
            "azurerm".into(),
            inputs.providers.get("azurerm").cloned().flatten(),
        );
        for (local, reference) in &call.providers {
            let outer = match &reference.alias {
                Some(a) => format!("azurerm.{a}"),
                None => "azurerm".into(),
            };
            match inputs.providers.get(&outer) {
                Some(alias) => {
                    providers.insert(local.clone(), alias.clone());
                }
                None => self.diags.push(
                    Diagnostic::error(
                        "Provider configuration not present",
                        format!("Module \"{}\" is given provider {outer}, which is not declared here. Declare provider \"azurerm\" {{ alias = \"{}\" }}.", call.name, reference.alias.clone().unwrap_or_default()),
                    )
                    .with_span(reference.span),
                ),
            }
        }

        let scope = EvalScope::new(module, index, state, &self.instances, self.reader);
        let expansion = Self::expand(
            &mut self.diags,
            call.count.as_ref(),
            call.for_each.as_ref(),
            &scope,
            "module",
            &address,
        )?;
        let mut extra_deps = scope.take_deps();
        extra_deps.extend_from_slice(&inputs.extra_deps);
        for dep in &call.depends_on {
            extra_deps.extend(Self::depends_on_instances(dep, &scope, state, index));
        }
        drop(scope);
        let first_instance = self.instances.len();

        let keys = instance_keys(&expansion);
        let mut results: Vec<ModuleOutputs> = Vec::new();
        for (key, each, count_index) in keys {
            let mut values = HashMap::new();
            {
                let mut scope = EvalScope::new(module, index, state, &self.instances, self.reader);
                scope.each = each;
                scope.count_index = count_index;
                for arg in &call.arguments {
                    match eval(&arg.expr.expr, arg.expr.file, &scope) {
                        Ok(v) => {
                            let deps = scope.take_deps();
                            values.insert(arg.name.clone(), Tracked { value: v, deps });
                        }
                        Err(d) => self.diags.push(d),
                    }
                }
            }
            let child_inputs = ModuleInputs {
                values,
                extra_deps: extra_deps.clone(),
                providers: providers.clone(),
                origins: call
                    .arguments
                    .iter()
                    .map(|arg| (arg.name.clone(), arg.expr.span()))
                    .collect(),
            };
            let outputs = self
                .eval_module(child_id, path.child(&call.name, key), child_inputs)
                .map(|s| s.outputs)
                .unwrap_or_default();
            results.push(outputs);
        }
        let all_instances: Vec<usize> = (first_instance..self.instances.len()).collect();
        let mut results = results.into_iter();
        let expansion = match expansion {
            Expansion::Single(_) => Expansion::Single(results.next().unwrap_or_default()),
            Expansion::Count(list) => Expansion::Count(
                list.iter()
                    .map(|_| results.next().unwrap_or_default())
                    .collect(),
            ),
            Expansion::ForEach(map) => Expansion::ForEach(
                map.into_keys()
                    .map(|k| (k, results.next().unwrap_or_default()))
                    .collect(),
            ),
        };
        Some(ModuleValues {
            expansion,
            all_instances,
        })
    }
}

/// Top-level arguments and blocks a resource block sets, under their azurerm 4.x names.
fn configured_names(resource: &Resource, schema: &crate::schema::BlockSchema) -> Vec<String> {
    let mut names: Vec<String> = resource
        .body
        .attributes
        .iter()
        .map(|a| match schema.deprecated_attribute(&a.name) {
            Some(new) if schema.attribute(&a.name).is_none() => new.name.to_string(),
            _ => a.name.clone(),
        })
        .chain(resource.body.blocks.iter().map(|b| {
            if b.kind == "dynamic" {
                b.labels.first().cloned().unwrap_or_default()
            } else {
                b.kind.clone()
            }
        }))
        .collect();
    names.sort();
    names.dedup();
    names
}
