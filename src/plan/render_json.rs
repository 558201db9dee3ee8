//! The plan as Terraform's plan JSON document (what `terraform show -json PLANFILE` prints, format
//! 1.2): variables, planned values, resource and output changes, the prior state, the configuration
//! with its expressions' references, and the relevant attributes; then our own schedule, replace
//! reasons, diagnostics and cloud under a top-level `peerform` key. Unlike Terraform it never prints
//! a sensitive value: it is left out of `before`/`after`/`values` and flagged `true` in the
//! `*_sensitive` trees. One line, no timestamp, every map sorted: the same plan gives the same bytes.
//! Pure: it returns a string. It also summarises a loaded configuration ([`configuration`]) into the
//! plain data the `configuration` section needs, so a saved plan can carry it.

use super::model::{Action, Mode, Plan, ResourceChange, StepKind};
use crate::config::addr::{InstanceKey, Mode as AddrMode, ModulePath, ResourceInstanceAddr};
use crate::config::{Body, Config, Expr, Module};
use crate::diag::Severity;
use crate::lang::{RefStep, Value, references};
use crate::state::{AttrPath, PathStep};
use serde_json::{Map, Value as Json, json};
use std::collections::{BTreeMap, BTreeSet};

/// The plan JSON format version we produce.
pub const FORMAT_VERSION: &str = "1.2";
/// The Terraform version whose plan JSON format we follow.
pub const TERRAFORM_VERSION: &str = "1.11.0";
/// The provider every resource belongs to.
pub const PROVIDER_NAME: &str = "registry.terraform.io/hashicorp/azurerm";

// ---------------------------------------------------------------------------------------------------
// The configuration, summarised

/// The configuration as the plan JSON's `configuration` section shows it: plain data, so a saved
/// plan can carry it without the source files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Configuration {
    pub providers: Vec<ConfigProvider>,
    pub root: ConfigModule,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigProvider {
    pub name: String,
    pub alias: Option<String>,
    /// The module that declares it (`module.site`), empty for the root module.
    pub module_address: String,
    pub expressions: BTreeMap<String, ConfigExpr>,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConfigModule {
    pub outputs: Vec<ConfigOutput>,
    pub resources: Vec<ConfigResource>,
    pub module_calls: Vec<ConfigModuleCall>,
    pub variables: Vec<ConfigVariable>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConfigOutput {
    pub name: String,
    pub expression: ConfigExpr,
    pub sensitive: bool,
    pub depends_on: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConfigResource {
    /// The address inside its module (`azurerm_subnet.gateway`, `data.azurerm_client_config.me`).
    pub address: String,
    pub mode: AddrMode,
    pub type_name: String,
    pub name: String,
    pub provider_config_key: String,
    pub expressions: BTreeMap<String, ConfigExpr>,
    pub count_expression: Option<ConfigExpr>,
    pub for_each_expression: Option<ConfigExpr>,
    pub depends_on: Vec<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConfigModuleCall {
    pub name: String,
    pub source: String,
    pub expressions: BTreeMap<String, ConfigExpr>,
    pub count_expression: Option<ConfigExpr>,
    pub for_each_expression: Option<ConfigExpr>,
    pub depends_on: Vec<String>,
    pub module: ConfigModule,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ConfigVariable {
    pub name: String,
    /// The default when it is a constant; never kept for a sensitive variable.
    pub default: Option<Value>,
    pub description: Option<String>,
    pub sensitive: bool,
}

/// One expression as Terraform's JSON configuration shows it.
#[derive(Clone, Debug, PartialEq)]
pub enum ConfigExpr {
    /// A literal (`constant_value`).
    Constant(Value),
    /// What it refers to (`references`); empty when it refers to nothing but is not a literal.
    References(Vec<String>),
    /// Nested blocks of the same type, each with its own expressions.
    Blocks(Vec<BTreeMap<String, ConfigExpr>>),
}

/// Names that hold secrets wherever they appear: their literals never reach the JSON.
fn secret_name(type_name: Option<&str>, name: &str) -> bool {
    crate::state::ALWAYS_SECRET.contains(&name)
        || type_name
            .and_then(crate::schema::resource)
            .and_then(|s| s.block.attribute(name))
            .is_some_and(|a| a.sensitive)
}

/// A literal's value, when the expression is one (no references, no function calls).
fn constant(expr: &hcl_edit::expr::Expression) -> Option<Value> {
    use hcl_edit::expr::{Expression, ObjectKey};
    use hcl_edit::template::Element;
    match expr {
        Expression::Null(_) => Some(Value::Null),
        Expression::Bool(b) => Some(Value::Bool(*b.value())),
        Expression::Number(n) => n.value().as_f64().map(Value::number),
        Expression::String(s) => Some(Value::String(s.value().clone())),
        Expression::Array(array) => array
            .iter()
            .map(constant)
            .collect::<Option<Vec<_>>>()
            .map(Value::List),
        Expression::Object(object) => {
            let mut map = BTreeMap::new();
            for (key, value) in object.iter() {
                let key = match key {
                    ObjectKey::Ident(ident) => ident.value().as_str().to_string(),
                    ObjectKey::Expression(Expression::Variable(ident)) => {
                        ident.value().as_str().to_string()
                    }
                    ObjectKey::Expression(Expression::String(s)) => s.value().clone(),
                    ObjectKey::Expression(_) => return None,
                };
                map.insert(key, constant(value.expr())?);
            }
            Some(Value::map(map))
        }
        Expression::StringTemplate(template) => {
            let mut text = String::new();
            for element in template.iter() {
                match element {
                    Element::Literal(literal) => text.push_str(literal.value()),
                    _ => return None,
                }
            }
            Some(Value::String(text))
        }
        Expression::Parenthesis(inner) => constant(inner.inner()),
        _ => None,
    }
}

/// A traversal step as Terraform prints it.
fn step_text(step: &RefStep) -> Option<String> {
    match step {
        RefStep::Attr(name) => Some(format!(".{name}")),
        RefStep::Index(Value::String(key)) => Some(format!("[{}]", Json::String(key.clone()))),
        RefStep::Index(value) => value.as_i64().map(|i| format!("[{i}]")),
        RefStep::Dynamic => None,
    }
}

/// Terraform's `references` for one reference: the longest static form first, then shorter ones
/// down to the referenceable object, then the resource or module call without its key.
fn reference_strings(root: &str, steps: &[RefStep], out: &mut Vec<String>) {
    let static_steps: Vec<String> = steps.iter().map_while(step_text).collect();
    let attr = |i: usize| match steps.get(i) {
        Some(RefStep::Attr(name)) if i < static_steps.len() => Some(name.clone()),
        _ => None,
    };
    let index = |i: usize| match steps.get(i) {
        Some(RefStep::Index(_)) if i < static_steps.len() => Some(static_steps[i].clone()),
        _ => None,
    };
    let mut extra: Vec<String> = Vec::new();
    let (subject, used) = match root {
        "var" | "local" | "each" | "count" | "path" | "terraform" | "self" => match attr(0) {
            Some(name) => (format!("{root}.{name}"), 1),
            None => (root.to_string(), 0),
        },
        "data" => match (attr(0), attr(1)) {
            (Some(t), Some(n)) => {
                let resource = format!("data.{t}.{n}");
                match index(2) {
                    Some(key) => {
                        extra.push(resource.clone());
                        (format!("{resource}{key}"), 3)
                    }
                    None => (resource, 2),
                }
            }
            _ => return,
        },
        "module" => match attr(0) {
            Some(name) => {
                let call = format!("module.{name}");
                let (instance, mut used) = match index(1) {
                    Some(key) => (format!("{call}{key}"), 2),
                    None => (call.clone(), 1),
                };
                match attr(used) {
                    Some(output) => {
                        used += 1;
                        extra.push(call);
                        (format!("{instance}.{output}"), used)
                    }
                    None => {
                        if instance != call {
                            extra.push(call);
                        }
                        (instance, used)
                    }
                }
            }
            None => return,
        },
        type_name => match attr(0) {
            Some(name) => {
                let resource = format!("{type_name}.{name}");
                match index(1) {
                    Some(key) => {
                        extra.push(resource.clone());
                        (format!("{resource}{key}"), 2)
                    }
                    None => (resource, 1),
                }
            }
            None => return,
        },
    };
    let remaining = &static_steps[used.min(static_steps.len())..];
    for end in (1..=remaining.len()).rev() {
        out.push(format!("{subject}{}", remaining[..end].concat()));
    }
    out.push(subject);
    out.extend(extra);
}

fn expression(expr: &Expr, secret: bool) -> ConfigExpr {
    let refs = references(&expr.expr, expr.file);
    // A literal secret is not repeated: it shows as an expression with no references.
    if refs.is_empty()
        && let Some(value) = constant(&expr.expr)
    {
        return if secret {
            ConfigExpr::References(Vec::new())
        } else {
            ConfigExpr::Constant(value)
        };
    }
    let mut out = Vec::new();
    for r in &refs {
        reference_strings(&r.root, &r.steps, &mut out);
    }
    let mut seen = BTreeSet::new();
    out.retain(|s| seen.insert(s.clone()));
    ConfigExpr::References(out)
}

fn body_expressions(body: &Body, type_name: Option<&str>) -> BTreeMap<String, ConfigExpr> {
    let mut out = BTreeMap::new();
    for attr in &body.attributes {
        out.insert(
            attr.name.clone(),
            expression(&attr.expr, secret_name(type_name, &attr.name)),
        );
    }
    let mut blocks: BTreeMap<String, Vec<BTreeMap<String, ConfigExpr>>> = BTreeMap::new();
    for block in &body.blocks {
        if block.kind == "dynamic" {
            let Some(name) = block.labels.first() else {
                continue;
            };
            let content = block
                .body
                .blocks
                .iter()
                .find(|b| b.kind == "content")
                .map(|b| body_expressions(&b.body, None))
                .unwrap_or_default();
            blocks.entry(name.clone()).or_default().push(content);
        } else {
            blocks
                .entry(block.kind.clone())
                .or_default()
                .push(body_expressions(&block.body, None));
        }
    }
    for (name, items) in blocks {
        out.insert(name, ConfigExpr::Blocks(items));
    }
    out
}

fn depends_on(list: &[Expr]) -> Vec<String> {
    list.iter()
        .flat_map(|e| match expression(e, false) {
            ConfigExpr::References(refs) => refs.into_iter().next(),
            _ => None,
        })
        .collect()
}

fn literal_bool(expr: Option<&Expr>) -> bool {
    matches!(expr.map(|e| &e.expr), Some(hcl_edit::expr::Expression::Bool(b)) if *b.value())
}

fn summarise_module(
    config: &Config,
    module: &Module,
    address: &str,
    depth: usize,
    providers: &mut Vec<ConfigProvider>,
) -> ConfigModule {
    for p in &module.providers {
        providers.push(ConfigProvider {
            name: p.name.clone(),
            alias: p.alias.clone(),
            module_address: address.to_string(),
            expressions: body_expressions(&p.body, None),
        });
    }
    let provider_key = |name: &str, alias: Option<&str>| {
        let key = match alias {
            Some(alias) => format!("{name}.{alias}"),
            None => name.to_string(),
        };
        if address.is_empty() {
            key
        } else {
            format!("{address}:{key}")
        }
    };
    let resources = module
        .resources
        .iter()
        .map(|r| {
            let local = match r.mode {
                AddrMode::Managed => format!("{}.{}", r.type_name, r.name),
                AddrMode::Data => format!("data.{}.{}", r.type_name, r.name),
            };
            let provider = r
                .provider
                .as_ref()
                .map(|p| provider_key(&p.name, p.alias.as_deref()))
                .unwrap_or_else(|| provider_key("azurerm", None));
            ConfigResource {
                address: local,
                mode: r.mode,
                type_name: r.type_name.clone(),
                name: r.name.clone(),
                provider_config_key: provider,
                expressions: body_expressions(&r.body, Some(&r.type_name)),
                count_expression: r.count.as_ref().map(|e| expression(e, false)),
                for_each_expression: r.for_each.as_ref().map(|e| expression(e, false)),
                depends_on: depends_on(&r.depends_on),
            }
        })
        .collect();
    let module_calls = module
        .module_calls
        .iter()
        .map(|call| {
            let child = call
                .module
                .and_then(|id| config.modules.get(id))
                .filter(|_| depth < 32);
            let secret_inputs: BTreeSet<&str> = child
                .map(|m| {
                    m.variables
                        .iter()
                        .filter(|v| literal_bool(v.sensitive.as_ref()))
                        .map(|v| v.name.as_str())
                        .collect()
                })
                .unwrap_or_default();
            let child_address = if address.is_empty() {
                format!("module.{}", call.name)
            } else {
                format!("{address}.module.{}", call.name)
            };
            ConfigModuleCall {
                name: call.name.clone(),
                source: call.source.clone(),
                expressions: call
                    .arguments
                    .iter()
                    .map(|a| {
                        (
                            a.name.clone(),
                            expression(&a.expr, secret_inputs.contains(a.name.as_str())),
                        )
                    })
                    .collect(),
                count_expression: call.count.as_ref().map(|e| expression(e, false)),
                for_each_expression: call.for_each.as_ref().map(|e| expression(e, false)),
                depends_on: depends_on(&call.depends_on),
                module: child
                    .map(|m| summarise_module(config, m, &child_address, depth + 1, providers))
                    .unwrap_or_default(),
            }
        })
        .collect();
    let outputs = module
        .outputs
        .iter()
        .map(|o| {
            let sensitive = literal_bool(o.sensitive.as_ref());
            ConfigOutput {
                name: o.name.clone(),
                expression: o
                    .value
                    .as_ref()
                    .map(|e| expression(e, sensitive))
                    .unwrap_or(ConfigExpr::References(Vec::new())),
                sensitive,
                depends_on: depends_on(&o.depends_on),
            }
        })
        .collect();
    let variables = module
        .variables
        .iter()
        .map(|v| {
            let sensitive = literal_bool(v.sensitive.as_ref());
            ConfigVariable {
                name: v.name.clone(),
                default: v
                    .default
                    .as_ref()
                    .filter(|_| !sensitive)
                    .and_then(|e| constant(&e.expr)),
                description: v.description.clone(),
                sensitive,
            }
        })
        .collect();
    ConfigModule {
        outputs,
        resources,
        module_calls,
        variables,
    }
}

/// Summarise a loaded configuration for the plan JSON's `configuration` section.
pub fn configuration(config: &Config) -> Configuration {
    let mut providers = Vec::new();
    let root = match config.modules.first() {
        Some(root) => summarise_module(config, root, "", 0, &mut providers),
        None => ConfigModule::default(),
    };
    Configuration { providers, root }
}

// ---------------------------------------------------------------------------------------------------
// Values

/// A value for `before`/`after`: unknowns as null, sensitive values left out (object keys dropped,
/// list elements null).
fn value_json(value: &Value, omit_unknown: bool) -> Json {
    match value {
        Value::Null | Value::Unknown | Value::Sensitive(_) => Json::Null,
        Value::List(items) | Value::Set(items) => {
            Json::Array(items.iter().map(|v| value_json(v, omit_unknown)).collect())
        }
        Value::Map(map) => Json::Object(
            map.iter()
                .filter(|(_, v)| {
                    !(matches!(v, Value::Sensitive(_)) || (omit_unknown && v.is_unknown()))
                })
                .map(|(k, v)| (k.clone(), value_json(v, omit_unknown)))
                .collect(),
        ),
        other => other.to_json(),
    }
}

/// Terraform's `*_unknown` tree: `true` at each unknown, lists element by element, objects without
/// their `false` entries.
fn unknown_tree(value: &Value) -> Json {
    match value {
        Value::Unknown => Json::Bool(true),
        Value::Sensitive(inner) => unknown_tree(inner),
        Value::List(items) | Value::Set(items) => {
            Json::Array(items.iter().map(unknown_tree).collect())
        }
        Value::Map(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), unknown_tree(v)))
                .filter(|(_, v)| *v != Json::Bool(false))
                .collect(),
        ),
        _ => Json::Bool(false),
    }
}

/// Terraform's `*_sensitive` tree: `true` at each sensitive value.
fn sensitive_tree(value: &Value) -> Json {
    match value {
        Value::Sensitive(_) => Json::Bool(true),
        Value::List(items) | Value::Set(items) => {
            Json::Array(items.iter().map(sensitive_tree).collect())
        }
        Value::Map(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), sensitive_tree(v)))
                .filter(|(_, v)| *v != Json::Bool(false))
                .collect(),
        ),
        _ => Json::Bool(false),
    }
}

fn key_json(key: &InstanceKey) -> Json {
    match key {
        InstanceKey::Int(i) => json!(i),
        InstanceKey::Str(s) => json!(s),
    }
}

fn mode_text(mode: AddrMode) -> &'static str {
    match mode {
        AddrMode::Managed => "managed",
        AddrMode::Data => "data",
    }
}

/// `address`, `mode`, `type`, `name`, `index`, `provider_name` of one instance.
fn identity(addr: &ResourceInstanceAddr, object: &mut Map<String, Json>) {
    object.insert("address".into(), json!(addr.to_string()));
    object.insert("mode".into(), json!(mode_text(addr.resource.mode)));
    object.insert("type".into(), json!(addr.resource.type_name));
    object.insert("name".into(), json!(addr.resource.name));
    if let Some(key) = &addr.key {
        object.insert("index".into(), key_json(key));
    }
    object.insert("provider_name".into(), json!(PROVIDER_NAME));
}

/// One resource of a values representation (`planned_values`, `prior_state`).
fn value_resource(addr: &ResourceInstanceAddr, value: &Value) -> Json {
    let mut object = Map::new();
    identity(addr, &mut object);
    object.insert("schema_version".into(), json!(0));
    object.insert("values".into(), value_json(value, true));
    let sensitive = match sensitive_tree(value) {
        Json::Bool(false) => Json::Object(Map::new()),
        other => other,
    };
    object.insert("sensitive_values".into(), sensitive);
    Json::Object(object)
}

/// A values representation's module tree: resources by module instance, children nested.
fn module_tree(resources: Vec<(&ResourceInstanceAddr, Json)>) -> Json {
    #[derive(Default)]
    struct Node {
        resources: Vec<Json>,
        children: BTreeMap<String, Node>,
    }
    let mut root = Node::default();
    for (addr, json) in resources {
        let mut node = &mut root;
        let mut path = ModulePath::root();
        for step in &addr.resource.module.0 {
            path = path.child(&step.name, step.key.clone());
            node = node.children.entry(path.to_string()).or_default();
        }
        node.resources.push(json);
    }
    fn render(node: Node, address: Option<String>) -> Json {
        let mut object = Map::new();
        if let Some(address) = address {
            object.insert("address".into(), json!(address));
        }
        if !node.resources.is_empty() {
            object.insert("resources".into(), Json::Array(node.resources));
        }
        if !node.children.is_empty() {
            object.insert(
                "child_modules".into(),
                Json::Array(
                    node.children
                        .into_iter()
                        .map(|(address, child)| render(child, Some(address)))
                        .collect(),
                ),
            );
        }
        Json::Object(object)
    }
    render(root, None)
}

fn path_json(path: &str) -> Json {
    match AttrPath::parse(path) {
        Some(path) => Json::Array(
            path.0
                .into_iter()
                .map(|step| match step {
                    PathStep::Key(k) => json!(k),
                    PathStep::Index(i) => json!(i),
                })
                .collect(),
        ),
        None => json!([path]),
    }
}

// ---------------------------------------------------------------------------------------------------
// Sections

fn resource_change(change: &ResourceChange) -> Json {
    let mut object = Map::new();
    identity(&change.addr, &mut object);
    if !change.addr.resource.module.is_root() {
        object.insert(
            "module_address".into(),
            json!(change.addr.resource.module.to_string()),
        );
    }
    if let Some(prev) = &change.prev_addr {
        object.insert("previous_address".into(), json!(prev.to_string()));
    }
    if let Some(reason) = change.action_reason {
        object.insert("action_reason".into(), json!(reason.as_str()));
    }
    if let Some(id) = &change.importing {
        object.insert("importing".into(), json!({ "id": id }));
    }
    let before = change.before.as_ref();
    let after = change.after.as_ref();
    let mut body = Map::new();
    body.insert("actions".into(), json!(change.action.json_actions()));
    body.insert(
        "before".into(),
        before.map_or(Json::Null, |v| value_json(v, false)),
    );
    body.insert(
        "after".into(),
        after.map_or(Json::Null, |v| value_json(v, false)),
    );
    body.insert(
        "after_unknown".into(),
        after.map_or(Json::Object(Map::new()), unknown_tree),
    );
    body.insert(
        "before_sensitive".into(),
        before.map_or(Json::Bool(false), sensitive_tree),
    );
    body.insert(
        "after_sensitive".into(),
        after.map_or(Json::Bool(false), sensitive_tree),
    );
    let replace_paths: Vec<Json> = change
        .replace_reasons
        .iter()
        .filter_map(|r| r.attribute.as_deref())
        .map(path_json)
        .collect();
    if !replace_paths.is_empty() {
        body.insert("replace_paths".into(), Json::Array(replace_paths));
    }
    object.insert("change".into(), Json::Object(body));
    Json::Object(object)
}

fn output_changes(plan: &Plan) -> Json {
    let mut out = Map::new();
    for o in &plan.outputs {
        let after = if o.sensitive {
            o.after.clone().mark_sensitive()
        } else {
            o.after.clone()
        };
        let before = o.before.as_ref();
        let same = before.map(super::normalise) == Some(super::normalise(&after))
            && after.is_wholly_known()
            && !after.contains_sensitive();
        let actions: &[&str] = match (before, plan.mode) {
            (_, Mode::Destroy) if before.is_some() => &["delete"],
            (None, _) => &["create"],
            _ if same => &["no-op"],
            _ => &["update"],
        };
        let after_json = if actions == ["delete"] {
            Json::Null
        } else {
            value_json(&after, false)
        };
        out.insert(
            o.name.clone(),
            json!({
                "actions": actions,
                "before": before.map_or(Json::Null, |v| value_json(v, false)),
                "after": after_json,
                "after_unknown": unknown_tree(&after),
                "before_sensitive": before.map_or(Json::Bool(false), sensitive_tree),
                "after_sensitive": sensitive_tree(&after),
            }),
        );
    }
    Json::Object(out)
}

fn expr_json(expr: &ConfigExpr) -> Json {
    match expr {
        ConfigExpr::Constant(value) => json!({ "constant_value": value_json(value, false) }),
        ConfigExpr::References(refs) if refs.is_empty() => Json::Object(Map::new()),
        ConfigExpr::References(refs) => json!({ "references": refs }),
        ConfigExpr::Blocks(items) => Json::Array(
            items
                .iter()
                .map(|b| Json::Object(b.iter().map(|(k, v)| (k.clone(), expr_json(v))).collect()))
                .collect(),
        ),
    }
}

fn expressions_json(map: &BTreeMap<String, ConfigExpr>) -> Json {
    Json::Object(map.iter().map(|(k, v)| (k.clone(), expr_json(v))).collect())
}

fn config_module_json(module: &ConfigModule) -> Json {
    let mut object = Map::new();
    if !module.outputs.is_empty() {
        let outputs: Map<String, Json> = module
            .outputs
            .iter()
            .map(|o| {
                let mut out = Map::new();
                out.insert("expression".into(), expr_json(&o.expression));
                if o.sensitive {
                    out.insert("sensitive".into(), json!(true));
                }
                if !o.depends_on.is_empty() {
                    out.insert("depends_on".into(), json!(o.depends_on));
                }
                (o.name.clone(), Json::Object(out))
            })
            .collect();
        object.insert("outputs".into(), Json::Object(outputs));
    }
    if !module.resources.is_empty() {
        let resources: Vec<Json> = module
            .resources
            .iter()
            .map(|r| {
                let mut out = Map::new();
                out.insert("address".into(), json!(r.address));
                out.insert("mode".into(), json!(mode_text(r.mode)));
                out.insert("type".into(), json!(r.type_name));
                out.insert("name".into(), json!(r.name));
                out.insert("provider_config_key".into(), json!(r.provider_config_key));
                out.insert("expressions".into(), expressions_json(&r.expressions));
                out.insert("schema_version".into(), json!(0));
                if let Some(e) = &r.count_expression {
                    out.insert("count_expression".into(), expr_json(e));
                }
                if let Some(e) = &r.for_each_expression {
                    out.insert("for_each_expression".into(), expr_json(e));
                }
                if !r.depends_on.is_empty() {
                    out.insert("depends_on".into(), json!(r.depends_on));
                }
                Json::Object(out)
            })
            .collect();
        object.insert("resources".into(), Json::Array(resources));
    }
    if !module.module_calls.is_empty() {
        let calls: Map<String, Json> = module
            .module_calls
            .iter()
            .map(|c| {
                let mut out = Map::new();
                out.insert("source".into(), json!(c.source));
                out.insert("expressions".into(), expressions_json(&c.expressions));
                if let Some(e) = &c.count_expression {
                    out.insert("count_expression".into(), expr_json(e));
                }
                if let Some(e) = &c.for_each_expression {
                    out.insert("for_each_expression".into(), expr_json(e));
                }
                if !c.depends_on.is_empty() {
                    out.insert("depends_on".into(), json!(c.depends_on));
                }
                out.insert("module".into(), config_module_json(&c.module));
                (c.name.clone(), Json::Object(out))
            })
            .collect();
        object.insert("module_calls".into(), Json::Object(calls));
    }
    if !module.variables.is_empty() {
        let variables: Map<String, Json> = module
            .variables
            .iter()
            .map(|v| {
                let mut out = Map::new();
                if let Some(default) = &v.default {
                    out.insert("default".into(), value_json(default, false));
                }
                if let Some(description) = &v.description {
                    out.insert("description".into(), json!(description));
                }
                if v.sensitive {
                    out.insert("sensitive".into(), json!(true));
                }
                (v.name.clone(), Json::Object(out))
            })
            .collect();
        object.insert("variables".into(), Json::Object(variables));
    }
    Json::Object(object)
}

fn configuration_json(configuration: &Configuration) -> Json {
    let providers: Map<String, Json> = configuration
        .providers
        .iter()
        .map(|p| {
            let mut key = match &p.alias {
                Some(alias) => format!("{}.{alias}", p.name),
                None => p.name.clone(),
            };
            if !p.module_address.is_empty() {
                key = format!("{}:{key}", p.module_address);
            }
            let mut out = Map::new();
            out.insert("name".into(), json!(p.name));
            out.insert(
                "full_name".into(),
                json!(format!("registry.terraform.io/hashicorp/{}", p.name)),
            );
            if let Some(alias) = &p.alias {
                out.insert("alias".into(), json!(alias));
            }
            if !p.module_address.is_empty() {
                out.insert("module_address".into(), json!(p.module_address));
            }
            if !p.expressions.is_empty() {
                out.insert("expressions".into(), expressions_json(&p.expressions));
            }
            (key, Json::Object(out))
        })
        .collect();
    json!({
        "provider_config": providers,
        "root_module": config_module_json(&configuration.root),
    })
}

/// The configuration's resource (all modules) that an instance comes from.
fn config_resource<'c>(
    configuration: &'c Configuration,
    addr: &ResourceInstanceAddr,
) -> Option<&'c ConfigResource> {
    let mut module = &configuration.root;
    for step in &addr.resource.module.0 {
        module = &module
            .module_calls
            .iter()
            .find(|c| c.name == step.name)?
            .module;
    }
    module.resources.iter().find(|r| {
        r.mode == addr.resource.mode
            && r.type_name == addr.resource.type_name
            && r.name == addr.resource.name
    })
}

/// Which attributes of which resources fed the proposed changes: the resource attributes the
/// changed instances' expressions refer to.
fn relevant_attributes(plan: &Plan, configuration: &Configuration) -> Json {
    let mut found: BTreeSet<(String, Vec<String>)> = BTreeSet::new();
    for change in &plan.changes {
        if matches!(
            change.action,
            Action::NoOp | Action::Delete | Action::Forget
        ) {
            continue;
        }
        let Some(resource) = config_resource(configuration, &change.addr) else {
            continue;
        };
        let prefix = if change.addr.resource.module.is_root() {
            String::new()
        } else {
            format!("{}.", change.addr.resource.module)
        };
        let mut stack: Vec<&ConfigExpr> = resource.expressions.values().collect();
        while let Some(expr) = stack.pop() {
            match expr {
                ConfigExpr::Constant(_) => {}
                ConfigExpr::Blocks(items) => stack.extend(items.iter().flat_map(|b| b.values())),
                ConfigExpr::References(refs) => {
                    for r in refs {
                        let parts: Vec<&str> = r.split('.').collect();
                        let (resource, rest) = match parts.as_slice() {
                            ["var" | "local" | "each" | "count" | "path" | "module", ..] => {
                                continue;
                            }
                            ["data", t, n, rest @ ..] => (format!("data.{t}.{n}"), rest),
                            [t, n, rest @ ..] => (format!("{t}.{n}"), rest),
                            _ => continue,
                        };
                        if rest.is_empty() || resource.contains('[') {
                            continue;
                        }
                        if rest.iter().any(|p| p.contains('[')) {
                            continue;
                        }
                        found.insert((
                            format!("{prefix}{resource}"),
                            rest.iter().map(|s| s.to_string()).collect(),
                        ));
                    }
                }
            }
        }
    }
    Json::Array(
        found
            .into_iter()
            .map(|(resource, attribute)| json!({ "resource": resource, "attribute": attribute }))
            .collect(),
    )
}

/// What the JSON needs beyond the plan itself.
pub struct JsonContext<'a> {
    pub configuration: &'a Configuration,
    /// Where the plan would act, as the human plan's first line names it.
    pub cloud: &'a str,
    pub peerform_version: &'a str,
}

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Normal => "normal",
        Mode::Destroy => "destroy",
        Mode::RefreshOnly => "refresh-only",
    }
}

fn step_kind(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Create => "create",
        StepKind::Update => "update",
        StepKind::Delete => "delete",
        StepKind::DeleteDeposed => "delete-deposed",
        StepKind::Read => "read",
        StepKind::Forget => "forget",
        StepKind::ProviderGate => "provider-gate",
    }
}

fn peerform_section(plan: &Plan, context: &JsonContext<'_>) -> Json {
    let steps: Vec<Json> = plan
        .steps
        .iter()
        .map(|s| {
            json!({
                "number": s.number,
                "address": plan.changes.get(s.change).map(|c| c.addr.to_string()),
                "kind": step_kind(s.kind),
                "depends_on": s.depends_on,
                "keys": s.keys,
            })
        })
        .collect();
    let mut reasons = Map::new();
    for change in &plan.changes {
        if change.replace_reasons.is_empty() {
            continue;
        }
        let list: Vec<Json> = change
            .replace_reasons
            .iter()
            .map(|r| {
                let mut out = Map::new();
                if let Some(a) = &r.attribute {
                    out.insert("attribute".into(), json!(a));
                }
                if let Some(rule) = &r.rule {
                    out.insert("rule".into(), json!(rule));
                }
                out.insert("message".into(), json!(r.message));
                Json::Object(out)
            })
            .collect();
        reasons.insert(change.addr.to_string(), Json::Array(list));
    }
    let diagnostics: Vec<Json> = plan
        .diagnostics
        .iter()
        .map(|d| {
            let mut out = Map::new();
            out.insert(
                "severity".into(),
                json!(match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                    Severity::Info => "info",
                }),
            );
            out.insert("summary".into(), json!(d.summary));
            out.insert("detail".into(), json!(d.detail));
            if let Some(address) = &d.address {
                out.insert("address".into(), json!(address));
            }
            Json::Object(out)
        })
        .collect();
    let (add, change, destroy) = plan.counts();
    json!({
        "version": context.peerform_version,
        "cloud": context.cloud,
        "mode": mode_name(plan.mode),
        "targets": plan.targets,
        "prior_state": { "lineage": plan.prior_lineage, "serial": plan.prior_serial },
        "summary": { "add": add, "change": change, "destroy": destroy },
        "schedule": { "steps": steps, "waves": plan.waves },
        "replace_reasons": reasons,
        "diagnostics": diagnostics,
    })
}

/// The whole document as a JSON tree (maps sorted).
pub fn document(plan: &Plan, context: &JsonContext<'_>) -> Json {
    let mut changes: Vec<&ResourceChange> = plan.changes.iter().collect();
    changes.sort_by(|a, b| a.addr.cmp(&b.addr));

    let variables: Map<String, Json> = plan
        .variables
        .iter()
        .map(|(name, value)| {
            let entry = if value.contains_sensitive() {
                Json::Object(Map::new())
            } else {
                json!({ "value": value_json(value, false) })
            };
            (name.clone(), entry)
        })
        .collect();

    let planned: Vec<(&ResourceInstanceAddr, Json)> = changes
        .iter()
        .filter(|c| !matches!(c.action, Action::Delete | Action::Forget))
        .filter_map(|c| {
            c.after
                .as_ref()
                .map(|a| (&c.addr, value_resource(&c.addr, a)))
        })
        .collect();
    let mut planned_values = Map::new();
    let planned_outputs: Map<String, Json> = plan
        .outputs
        .iter()
        .filter(|_| plan.mode != Mode::Destroy)
        .map(|o| {
            let sensitive = o.sensitive || o.after.contains_sensitive();
            let mut out = Map::new();
            out.insert("sensitive".into(), json!(sensitive));
            if !sensitive && o.after.is_wholly_known() {
                out.insert("value".into(), value_json(&o.after, false));
            }
            (o.name.clone(), Json::Object(out))
        })
        .collect();
    if !planned_outputs.is_empty() {
        planned_values.insert("outputs".into(), Json::Object(planned_outputs));
    }
    planned_values.insert("root_module".into(), module_tree(planned));

    let prior: Vec<(&ResourceInstanceAddr, Json)> = changes
        .iter()
        .filter(|c| c.addr.resource.mode == AddrMode::Managed)
        .filter_map(|c| {
            let addr = c.prev_addr.as_ref().unwrap_or(&c.addr);
            c.before.as_ref().map(|b| (addr, value_resource(addr, b)))
        })
        .collect();
    let prior_outputs: Map<String, Json> = plan
        .outputs
        .iter()
        .filter_map(|o| {
            let before = o.before.as_ref()?;
            let sensitive = o.sensitive || before.contains_sensitive();
            let mut out = Map::new();
            out.insert("sensitive".into(), json!(sensitive));
            if !sensitive {
                out.insert("value".into(), value_json(before, false));
            }
            Some((o.name.clone(), Json::Object(out)))
        })
        .collect();

    let errored = plan.diagnostics.iter().any(|d| d.is_error());
    let mut document = Map::new();
    document.insert("format_version".into(), json!(FORMAT_VERSION));
    document.insert("terraform_version".into(), json!(TERRAFORM_VERSION));
    document.insert("variables".into(), Json::Object(variables));
    document.insert("planned_values".into(), Json::Object(planned_values));
    document.insert(
        "resource_changes".into(),
        Json::Array(changes.iter().map(|c| resource_change(c)).collect()),
    );
    document.insert("output_changes".into(), output_changes(plan));
    if !prior.is_empty() || !prior_outputs.is_empty() {
        let mut values = Map::new();
        if !prior_outputs.is_empty() {
            values.insert("outputs".into(), Json::Object(prior_outputs));
        }
        values.insert("root_module".into(), module_tree(prior));
        document.insert(
            "prior_state".into(),
            json!({
                "format_version": "1.0",
                "terraform_version": TERRAFORM_VERSION,
                "values": values,
            }),
        );
    }
    document.insert(
        "configuration".into(),
        configuration_json(context.configuration),
    );
    document.insert(
        "relevant_attributes".into(),
        relevant_attributes(plan, context.configuration),
    );
    document.insert("applyable".into(), json!(!errored && plan.has_changes()));
    document.insert("complete".into(), json!(plan.targets.is_empty()));
    document.insert("errored".into(), json!(errored));
    document.insert("peerform".into(), peerform_section(plan, context));
    Json::Object(document)
}

/// The document on one line (no trailing newline).
pub fn render(plan: &Plan, context: &JsonContext<'_>) -> String {
    document(plan, context).to_string()
}

/// A state as Terraform's `show -json` prints one (the values representation), secrets left out and
/// flagged in `sensitive_values`. One line, maps sorted.
pub fn state_document(state: &crate::state::State) -> String {
    let resources: Vec<(ResourceInstanceAddr, Value)> = state
        .resources
        .iter()
        .map(|(addr, r)| (addr.clone(), Value::map(r.display_attributes())))
        .collect();
    let tree = module_tree(
        resources
            .iter()
            .map(|(addr, value)| (addr, value_resource(addr, value)))
            .collect(),
    );
    let outputs: Map<String, Json> = state
        .outputs
        .iter()
        .map(|(name, o)| {
            let entry = match o {
                crate::state::OutputState::Plain(v) if !v.contains_sensitive() => {
                    json!({ "sensitive": false, "value": value_json(v, false) })
                }
                _ => json!({ "sensitive": true }),
            };
            (name.clone(), entry)
        })
        .collect();
    let mut values = Map::new();
    if !outputs.is_empty() {
        values.insert("outputs".into(), Json::Object(outputs));
    }
    values.insert("root_module".into(), tree);
    json!({
        "format_version": "1.0",
        "terraform_version": TERRAFORM_VERSION,
        "values": values,
    })
    .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refs(root: &str, steps: Vec<RefStep>) -> Vec<String> {
        let mut out = Vec::new();
        reference_strings(root, &steps, &mut out);
        out
    }

    #[test]
    fn references_follow_terraform() {
        use RefStep::*;
        assert_eq!(
            refs(
                "azurerm_resource_group",
                vec![Attr("er".into()), Attr("name".into())]
            ),
            [
                "azurerm_resource_group.er.name",
                "azurerm_resource_group.er"
            ]
        );
        assert_eq!(
            refs(
                "azurerm_subnet",
                vec![Attr("gw".into()), Dynamic, Attr("id".into())]
            ),
            ["azurerm_subnet.gw"]
        );
        assert_eq!(
            refs(
                "azurerm_subnet",
                vec![
                    Attr("gw".into()),
                    Index(Value::string("a")),
                    Attr("id".into())
                ]
            ),
            [
                "azurerm_subnet.gw[\"a\"].id",
                "azurerm_subnet.gw[\"a\"]",
                "azurerm_subnet.gw"
            ]
        );
        assert_eq!(
            refs("var", vec![Attr("tags".into()), Index(Value::string("a"))]),
            ["var.tags[\"a\"]", "var.tags"]
        );
        assert_eq!(
            refs(
                "module",
                vec![
                    Attr("site".into()),
                    Index(Value::string("ams")),
                    Attr("circuit_id".into())
                ]
            ),
            ["module.site[\"ams\"].circuit_id", "module.site"]
        );
        assert_eq!(refs("each", vec![Attr("key".into())]), ["each.key"]);
    }

    #[test]
    fn sensitive_and_unknown_trees() {
        let value = Value::object([
            ("a", Value::Unknown),
            ("b", Value::string("x").mark_sensitive()),
            ("c", Value::List(vec![Value::int(1), Value::Unknown])),
        ]);
        assert_eq!(unknown_tree(&value), json!({"a": true, "c": [false, true]}));
        assert_eq!(
            sensitive_tree(&value),
            json!({"b": true, "c": [false, false]})
        );
        assert_eq!(
            value_json(&value, false),
            json!({"a": null, "c": [1, null]})
        );
    }
}
