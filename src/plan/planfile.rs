//! The saved plan file (`plan --out FILE`): our own versioned JSON format
//! (`"format": "peerform-plan", "version": 1`) written and read through private wire types. It
//! records the prior state's lineage and serial, a SHA-256 digest of the configuration files, the
//! root variable values (a sensitive one only as its argon2id digest under the state's salt) and
//! their digest, the peerform version, the changes, the schedule, the outputs and the configuration
//! summary the JSON rendering needs. It never holds a plaintext secret: a sensitive value is kept
//! only as whether it is null, unknown or set. Reading treats the file as untrusted: it sniffs the
//! format and version first, refuses another format or a newer version with a clear message, and
//! checks every index and address so that nothing read can make a renderer panic. No file I/O.

use super::model::{
    Action, ActionReason, Mode, OutputChange, Plan, ReplaceReason, ResourceChange, Step, StepKind,
};
use super::render_json::{
    ConfigExpr, ConfigModule, ConfigModuleCall, ConfigOutput, ConfigProvider, ConfigResource,
    ConfigVariable, Configuration,
};
use crate::config::addr::{Mode as AddrMode, ResourceInstanceAddr, parse_instance};
use crate::diag::{Diagnostic, Severity};
use crate::lang::Value;
use crate::state::SecretParams;
use base64::Engine as _;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use std::collections::BTreeMap;

pub const FORMAT_NAME: &str = "peerform-plan";
pub const FORMAT_VERSION: u64 = 1;

/// Placeholder a sensitive value that was set reads back as: never shown, only "(sensitive value)".
const REDACTED: &str = "(sensitive value)";

/// A root variable's value as a saved plan keeps it.
#[derive(Clone, Debug, PartialEq)]
pub enum VariableRecord {
    Plain(Value),
    /// A sensitive value: its argon2id digest under the prior state's salt.
    Secret(String),
}

/// A plan as saved: the plan and what applying it later must check.
#[derive(Clone, Debug)]
pub struct SavedPlan {
    pub plan: Plan,
    pub configuration: Configuration,
    pub peerform_version: String,
    /// Where the plan would act.
    pub cloud: String,
    /// `sha256:<hex>` of the configuration files.
    pub config_digest: String,
    pub variables: BTreeMap<String, VariableRecord>,
    /// `sha256:<hex>` of the variable records.
    pub variables_digest: String,
    /// The salt and argon2id parameters of the sensitive variables' digests.
    pub secret_params: SecretParams,
    /// Whether the plan read the cloud first (`--refresh`): applying it reads it again the same way.
    pub refresh: bool,
}

/// Digest parameters for a plan made with no state yet: the default costs, and a salt derived from
/// the configuration digest (deterministic, and different for every configuration).
pub fn fresh_secret_params(config_digest: &str) -> SecretParams {
    let digest = sha2::Sha256::digest(format!("peerform-plan-salt\n{config_digest}").as_bytes());
    SecretParams {
        salt: digest[..16].to_vec(),
        memory_kib: SecretParams::MEMORY_KIB,
        iterations: SecretParams::ITERATIONS,
        parallelism: SecretParams::PARALLELISM,
    }
}

/// SHA-256 of configuration files given as (path relative to the configuration folder, text): each
/// file's path and length go in before its text, in path order, so no two sets of files collide.
pub fn config_digest<'a>(files: impl IntoIterator<Item = (String, &'a str)>) -> String {
    let mut files: Vec<(String, &str)> = files.into_iter().collect();
    files.sort();
    let mut hasher = sha2::Sha256::new();
    for (path, text) in files {
        hasher.update((path.len() as u64).to_le_bytes());
        hasher.update(path.as_bytes());
        hasher.update((text.len() as u64).to_le_bytes());
        hasher.update(text.as_bytes());
    }
    format!("sha256:{}", hex::encode(hasher.finalize()))
}

/// The records of root variable values: sensitive ones (marked anywhere inside) as digests.
pub fn variable_records(
    variables: &BTreeMap<String, Value>,
    secrets: &SecretParams,
) -> anyhow::Result<BTreeMap<String, VariableRecord>> {
    let secret_names: Vec<&String> = variables
        .iter()
        .filter(|(_, v)| v.contains_sensitive())
        .map(|(k, _)| k)
        .collect();
    // Each digest is bound to its variable's name, as the state binds one to its attribute.
    let contexts: Vec<String> = secret_names
        .iter()
        .map(|k| format!("plan variable {k}"))
        .collect();
    let jobs: Vec<(&str, &Value)> = secret_names
        .iter()
        .zip(&contexts)
        .map(|(k, context)| (context.as_str(), &variables[*k]))
        .collect();
    let digests = crate::state::digest_secrets(secrets, &jobs)?;
    let mut out: BTreeMap<String, VariableRecord> = variables
        .iter()
        .filter(|(_, v)| !v.contains_sensitive())
        .map(|(k, v)| (k.clone(), VariableRecord::Plain(v.clone())))
        .collect();
    for (name, digest) in secret_names.into_iter().zip(digests) {
        out.insert(name.clone(), VariableRecord::Secret(digest.to_string()));
    }
    Ok(out)
}

/// SHA-256 of the variable records (canonical JSON, names sorted).
pub fn variables_digest(records: &BTreeMap<String, VariableRecord>) -> String {
    let wire: BTreeMap<&String, WireVariable> = records
        .iter()
        .map(|(k, v)| (k, WireVariable::from_record(v)))
        .collect();
    let bytes = serde_json::to_vec(&wire).unwrap_or_default();
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(&bytes)))
}

// ---------------------------------------------------------------------------------------------------
// Wire types

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePlanFile {
    format: String,
    version: u64,
    peerform_version: String,
    cloud: String,
    prior_state: WirePrior,
    config_digest: String,
    variables: BTreeMap<String, WireVariable>,
    variables_digest: String,
    secret_kdf: WireKdf,
    mode: String,
    /// Absent in files written before it was recorded: those plans refreshed (the default).
    #[serde(default = "refreshed")]
    refresh: bool,
    targets: Vec<String>,
    changes: Vec<WireChange>,
    steps: Vec<WireStep>,
    waves: Vec<Vec<usize>>,
    outputs: Vec<WireOutput>,
    diagnostics: Vec<WireDiagnostic>,
    configuration: WireConfiguration,
}

fn refreshed() -> bool {
    true
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireKdf {
    algorithm: String,
    salt: String,
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WirePrior {
    lineage: String,
    serial: u64,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum WireVariable {
    Value(WireValue),
    SecretDigest(String),
}

impl WireVariable {
    fn from_record(record: &VariableRecord) -> WireVariable {
        match record {
            VariableRecord::Plain(v) => WireVariable::Value(WireValue::from_value(v)),
            VariableRecord::Secret(d) => WireVariable::SecretDigest(d.clone()),
        }
    }
}

/// A value: every kind tagged, so unknowns, sets and sensitive marks survive the trip.
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireValue {
    Null,
    Unknown,
    Bool(bool),
    Number(f64),
    String(String),
    List(Vec<WireValue>),
    Set(Vec<WireValue>),
    Map(BTreeMap<String, WireValue>),
    /// A sensitive value: only whether it is null, unknown or set.
    Sensitive(WireSecret),
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum WireSecret {
    Null,
    Unknown,
    Set,
}

impl WireValue {
    fn from_value(value: &Value) -> WireValue {
        match value {
            Value::Null => WireValue::Null,
            Value::Unknown => WireValue::Unknown,
            Value::Bool(b) => WireValue::Bool(*b),
            Value::Number(n) => WireValue::Number(n.0),
            Value::String(s) => WireValue::String(s.clone()),
            Value::List(items) => {
                WireValue::List(items.iter().map(WireValue::from_value).collect())
            }
            Value::Set(items) => WireValue::Set(items.iter().map(WireValue::from_value).collect()),
            Value::Map(map) => WireValue::Map(
                map.iter()
                    .map(|(k, v)| (k.clone(), WireValue::from_value(v)))
                    .collect(),
            ),
            Value::Sensitive(inner) => WireValue::Sensitive(if inner.is_null() {
                WireSecret::Null
            } else if !inner.is_wholly_known() {
                WireSecret::Unknown
            } else {
                WireSecret::Set
            }),
        }
    }

    fn into_value(self) -> Result<Value, String> {
        Ok(match self {
            WireValue::Null => Value::Null,
            WireValue::Unknown => Value::Unknown,
            WireValue::Bool(b) => Value::Bool(b),
            WireValue::Number(n) if n.is_finite() => Value::number(n),
            WireValue::Number(_) => return Err("a number is not finite".into()),
            WireValue::String(s) => Value::String(s),
            WireValue::List(items) => Value::List(
                items
                    .into_iter()
                    .map(WireValue::into_value)
                    .collect::<Result<_, _>>()?,
            ),
            WireValue::Set(items) => Value::Set(
                items
                    .into_iter()
                    .map(WireValue::into_value)
                    .collect::<Result<_, _>>()?,
            ),
            WireValue::Map(map) => Value::map(
                map.into_iter()
                    .map(|(k, v)| v.into_value().map(|v| (k, v)))
                    .collect::<Result<_, _>>()?,
            ),
            WireValue::Sensitive(secret) => Value::Sensitive(Box::new(match secret {
                WireSecret::Null => Value::Null,
                WireSecret::Unknown => Value::Unknown,
                WireSecret::Set => Value::String(REDACTED.into()),
            })),
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireChange {
    address: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    previous_address: Option<String>,
    #[serde(rename = "type")]
    type_name: String,
    action: String,
    before: Option<WireValue>,
    after: Option<WireValue>,
    changed: Vec<String>,
    replace_reasons: Vec<WireReason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    action_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    importing: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    prior_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    provider_alias: Option<String>,
    dependencies: Vec<usize>,
    create_before_destroy: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireReason {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    attribute: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rule: Option<String>,
    message: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireStep {
    number: usize,
    change: usize,
    kind: String,
    depends_on: Vec<usize>,
    keys: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireOutput {
    name: String,
    before: Option<WireValue>,
    after: WireValue,
    sensitive: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireDiagnostic {
    severity: String,
    summary: String,
    detail: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    address: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireConfiguration {
    providers: Vec<WireProvider>,
    root: WireModule,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireProvider {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    alias: Option<String>,
    module_address: String,
    expressions: BTreeMap<String, WireExpr>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct WireModule {
    outputs: Vec<WireConfigOutput>,
    resources: Vec<WireConfigResource>,
    module_calls: Vec<WireModuleCall>,
    variables: Vec<WireConfigVariable>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireConfigOutput {
    name: String,
    expression: WireExpr,
    sensitive: bool,
    depends_on: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireConfigResource {
    address: String,
    mode: String,
    #[serde(rename = "type")]
    type_name: String,
    name: String,
    provider_config_key: String,
    expressions: BTreeMap<String, WireExpr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count_expression: Option<WireExpr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    for_each_expression: Option<WireExpr>,
    depends_on: Vec<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireModuleCall {
    name: String,
    source: String,
    expressions: BTreeMap<String, WireExpr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    count_expression: Option<WireExpr>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    for_each_expression: Option<WireExpr>,
    depends_on: Vec<String>,
    module: WireModule,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct WireConfigVariable {
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    default: Option<WireValue>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    sensitive: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum WireExpr {
    Constant(WireValue),
    References(Vec<String>),
    Blocks(Vec<BTreeMap<String, WireExpr>>),
}

// ---------------------------------------------------------------------------------------------------
// Names of enums on the wire

const ACTIONS: &[(Action, &str)] = &[
    (Action::NoOp, "no-op"),
    (Action::Create, "create"),
    (Action::Update, "update"),
    (Action::DeleteThenCreate, "delete-then-create"),
    (Action::CreateThenDelete, "create-then-delete"),
    (Action::Delete, "delete"),
    (Action::Read, "read"),
    (Action::Forget, "forget"),
];

const STEP_KINDS: &[(StepKind, &str)] = &[
    (StepKind::Create, "create"),
    (StepKind::Update, "update"),
    (StepKind::Delete, "delete"),
    (StepKind::DeleteDeposed, "delete-deposed"),
    (StepKind::Read, "read"),
    (StepKind::Forget, "forget"),
    (StepKind::ProviderGate, "provider-gate"),
];

const ACTION_REASONS: &[ActionReason] = &[
    ActionReason::ReplaceBecauseTainted,
    ActionReason::ReplaceBecauseCannotUpdate,
    ActionReason::ReplaceByRequest,
    ActionReason::ReplaceByTriggers,
    ActionReason::DeleteBecauseNoResourceConfig,
    ActionReason::DeleteBecauseNoModule,
    ActionReason::DeleteBecauseCountIndex,
    ActionReason::DeleteBecauseEachKey,
];

const MODES: &[(Mode, &str)] = &[
    (Mode::Normal, "normal"),
    (Mode::Destroy, "destroy"),
    (Mode::RefreshOnly, "refresh-only"),
];

fn name_of<T: PartialEq + Copy>(table: &[(T, &'static str)], value: T) -> &'static str {
    table
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, n)| *n)
        .unwrap_or("")
}

fn parse_name<T: Copy>(table: &[(T, &'static str)], name: &str, what: &str) -> Result<T, String> {
    table
        .iter()
        .find(|(_, n)| *n == name)
        .map(|(v, _)| *v)
        .ok_or_else(|| format!("unknown {what} {name:?}"))
}

// ---------------------------------------------------------------------------------------------------
// Writing

fn expr_out(expr: &ConfigExpr) -> WireExpr {
    match expr {
        ConfigExpr::Constant(v) => WireExpr::Constant(WireValue::from_value(v)),
        ConfigExpr::References(r) => WireExpr::References(r.clone()),
        ConfigExpr::Blocks(items) => WireExpr::Blocks(items.iter().map(exprs_out).collect()),
    }
}

fn exprs_out(map: &BTreeMap<String, ConfigExpr>) -> BTreeMap<String, WireExpr> {
    map.iter().map(|(k, v)| (k.clone(), expr_out(v))).collect()
}

fn mode_out(mode: AddrMode) -> String {
    match mode {
        AddrMode::Managed => "managed".into(),
        AddrMode::Data => "data".into(),
    }
}

fn module_out(module: &ConfigModule) -> WireModule {
    WireModule {
        outputs: module
            .outputs
            .iter()
            .map(|o| WireConfigOutput {
                name: o.name.clone(),
                expression: expr_out(&o.expression),
                sensitive: o.sensitive,
                depends_on: o.depends_on.clone(),
            })
            .collect(),
        resources: module
            .resources
            .iter()
            .map(|r| WireConfigResource {
                address: r.address.clone(),
                mode: mode_out(r.mode),
                type_name: r.type_name.clone(),
                name: r.name.clone(),
                provider_config_key: r.provider_config_key.clone(),
                expressions: exprs_out(&r.expressions),
                count_expression: r.count_expression.as_ref().map(expr_out),
                for_each_expression: r.for_each_expression.as_ref().map(expr_out),
                depends_on: r.depends_on.clone(),
            })
            .collect(),
        module_calls: module
            .module_calls
            .iter()
            .map(|c| WireModuleCall {
                name: c.name.clone(),
                source: c.source.clone(),
                expressions: exprs_out(&c.expressions),
                count_expression: c.count_expression.as_ref().map(expr_out),
                for_each_expression: c.for_each_expression.as_ref().map(expr_out),
                depends_on: c.depends_on.clone(),
                module: module_out(&c.module),
            })
            .collect(),
        variables: module
            .variables
            .iter()
            .map(|v| WireConfigVariable {
                name: v.name.clone(),
                default: v.default.as_ref().map(WireValue::from_value),
                description: v.description.clone(),
                sensitive: v.sensitive,
            })
            .collect(),
    }
}

/// A change as the plan file holds it.
fn change_out(c: &ResourceChange) -> WireChange {
    WireChange {
        address: c.addr.to_string(),
        previous_address: c.prev_addr.as_ref().map(|a| a.to_string()),
        type_name: c.type_name.clone(),
        action: name_of(ACTIONS, c.action).into(),
        before: c.before.as_ref().map(WireValue::from_value),
        after: c.after.as_ref().map(WireValue::from_value),
        changed: c.changed.clone(),
        replace_reasons: c
            .replace_reasons
            .iter()
            .map(|r| WireReason {
                attribute: r.attribute.clone(),
                rule: r.rule.clone(),
                message: r.message.clone(),
            })
            .collect(),
        action_reason: c.action_reason.map(|r| r.as_str().to_string()),
        importing: c.importing.clone(),
        prior_id: c.prior_id.clone(),
        provider_alias: c.provider_alias.clone(),
        dependencies: c.dependencies.clone(),
        create_before_destroy: c.create_before_destroy,
    }
}

/// An output as the plan file holds it (a sensitive one only as null, unknown or set).
fn output_out(o: &OutputChange) -> WireOutput {
    WireOutput {
        name: o.name.clone(),
        before: o.before.as_ref().map(WireValue::from_value),
        after: WireValue::from_value(&if o.sensitive {
            o.after.clone().mark_sensitive()
        } else {
            o.after.clone()
        }),
        sensitive: o.sensitive,
    }
}

/// How the changes of `remade` (the plan made again when a saved plan is applied) differ from those
/// of `saved`, one line per resource instance or output, empty when they are the same. Values are
/// compared as the plan file holds them (a secret only as null, unknown or set), so a plan read
/// back from its file compares equal to the plan it was made from.
pub fn differences(saved: &Plan, remade: &Plan) -> Vec<String> {
    fn changes(plan: &Plan) -> BTreeMap<String, (String, serde_json::Value)> {
        plan.changes
            .iter()
            .filter(|c| c.action != Action::NoOp)
            .map(|c| {
                let mut wire = change_out(c);
                // Indices into the change list; the schedule is made from the changes anyway.
                wire.dependencies.clear();
                let json = serde_json::to_value(&wire).unwrap_or_default();
                (wire.address, (wire.action, json))
            })
            .collect()
    }
    fn outputs(plan: &Plan) -> BTreeMap<String, serde_json::Value> {
        plan.outputs
            .iter()
            .map(|o| {
                let wire = output_out(o);
                (
                    wire.name.clone(),
                    serde_json::to_value(&wire).unwrap_or_default(),
                )
            })
            .collect()
    }
    let (before, after) = (changes(saved), changes(remade));
    let mut out = Vec::new();
    let addresses: std::collections::BTreeSet<&String> =
        before.keys().chain(after.keys()).collect();
    for address in addresses {
        match (before.get(address), after.get(address)) {
            (Some((a, x)), Some((b, y))) if x != y => out.push(if a == b {
                format!("{address}: {a} with other values")
            } else {
                format!("{address}: {a} in the saved plan, {b} now")
            }),
            (Some((a, _)), None) => {
                out.push(format!("{address}: {a} in the saved plan, no change now"))
            }
            (None, Some((b, _))) => {
                out.push(format!("{address}: no change in the saved plan, {b} now"))
            }
            _ => {}
        }
    }
    let (before, after) = (outputs(saved), outputs(remade));
    let names: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
    for name in names {
        if before.get(name) != after.get(name) {
            out.push(format!("output.{name}: a different value"));
        }
    }
    out
}

/// Encode a saved plan as the bytes of a plan file (deterministic: the same plan, the same bytes).
pub fn encode(saved: &SavedPlan) -> anyhow::Result<Vec<u8>> {
    let plan = &saved.plan;
    let wire = WirePlanFile {
        format: FORMAT_NAME.into(),
        version: FORMAT_VERSION,
        peerform_version: saved.peerform_version.clone(),
        cloud: saved.cloud.clone(),
        prior_state: WirePrior {
            lineage: plan.prior_lineage.clone(),
            serial: plan.prior_serial,
        },
        config_digest: saved.config_digest.clone(),
        variables: saved
            .variables
            .iter()
            .map(|(k, v)| (k.clone(), WireVariable::from_record(v)))
            .collect(),
        variables_digest: saved.variables_digest.clone(),
        secret_kdf: WireKdf {
            algorithm: "argon2id".into(),
            salt: base64::engine::general_purpose::STANDARD.encode(&saved.secret_params.salt),
            memory_kib: saved.secret_params.memory_kib,
            iterations: saved.secret_params.iterations,
            parallelism: saved.secret_params.parallelism,
        },
        mode: name_of(MODES, plan.mode).into(),
        targets: plan.targets.clone(),
        refresh: saved.refresh,
        changes: plan.changes.iter().map(change_out).collect(),
        steps: plan
            .steps
            .iter()
            .map(|s| WireStep {
                number: s.number,
                change: s.change,
                kind: name_of(STEP_KINDS, s.kind).into(),
                depends_on: s.depends_on.clone(),
                keys: s.keys.clone(),
            })
            .collect(),
        waves: plan.waves.clone(),
        outputs: plan.outputs.iter().map(output_out).collect(),
        diagnostics: plan
            .diagnostics
            .iter()
            .map(|d| WireDiagnostic {
                severity: match d.severity {
                    Severity::Error => "error".into(),
                    Severity::Warning => "warning".into(),
                    Severity::Info => "info".into(),
                },
                summary: d.summary.clone(),
                detail: d.detail.clone(),
                address: d.address.clone(),
            })
            .collect(),
        configuration: WireConfiguration {
            providers: saved
                .configuration
                .providers
                .iter()
                .map(|p| WireProvider {
                    name: p.name.clone(),
                    alias: p.alias.clone(),
                    module_address: p.module_address.clone(),
                    expressions: exprs_out(&p.expressions),
                })
                .collect(),
            root: module_out(&saved.configuration.root),
        },
    };
    let mut out =
        serde_json::to_vec(&wire).map_err(|e| anyhow::anyhow!("cannot write plan: {e}"))?;
    out.push(b'\n');
    Ok(out)
}

// ---------------------------------------------------------------------------------------------------
// Reading

/// Only the fields every version has, to decide whether to read on.
#[derive(Deserialize)]
struct Sniff {
    format: Option<serde_json::Value>,
    version: Option<serde_json::Value>,
    peerform_version: Option<serde_json::Value>,
}

fn expr_in(expr: WireExpr) -> Result<ConfigExpr, String> {
    Ok(match expr {
        WireExpr::Constant(v) => ConfigExpr::Constant(v.into_value()?),
        WireExpr::References(r) => ConfigExpr::References(r),
        WireExpr::Blocks(items) => {
            ConfigExpr::Blocks(items.into_iter().map(exprs_in).collect::<Result<_, _>>()?)
        }
    })
}

fn exprs_in(map: BTreeMap<String, WireExpr>) -> Result<BTreeMap<String, ConfigExpr>, String> {
    map.into_iter()
        .map(|(k, v)| expr_in(v).map(|v| (k, v)))
        .collect()
}

fn mode_in(text: &str) -> Result<AddrMode, String> {
    match text {
        "managed" => Ok(AddrMode::Managed),
        "data" => Ok(AddrMode::Data),
        other => Err(format!("unknown resource mode {other:?}")),
    }
}

fn module_in(module: WireModule) -> Result<ConfigModule, String> {
    Ok(ConfigModule {
        outputs: module
            .outputs
            .into_iter()
            .map(|o| {
                Ok(ConfigOutput {
                    name: o.name,
                    expression: expr_in(o.expression)?,
                    sensitive: o.sensitive,
                    depends_on: o.depends_on,
                })
            })
            .collect::<Result<_, String>>()?,
        resources: module
            .resources
            .into_iter()
            .map(|r| {
                Ok(ConfigResource {
                    address: r.address,
                    mode: mode_in(&r.mode)?,
                    type_name: r.type_name,
                    name: r.name,
                    provider_config_key: r.provider_config_key,
                    expressions: exprs_in(r.expressions)?,
                    count_expression: r.count_expression.map(expr_in).transpose()?,
                    for_each_expression: r.for_each_expression.map(expr_in).transpose()?,
                    depends_on: r.depends_on,
                })
            })
            .collect::<Result<_, String>>()?,
        module_calls: module
            .module_calls
            .into_iter()
            .map(|c| {
                Ok(ConfigModuleCall {
                    name: c.name,
                    source: c.source,
                    expressions: exprs_in(c.expressions)?,
                    count_expression: c.count_expression.map(expr_in).transpose()?,
                    for_each_expression: c.for_each_expression.map(expr_in).transpose()?,
                    depends_on: c.depends_on,
                    module: module_in(c.module)?,
                })
            })
            .collect::<Result<_, String>>()?,
        variables: module
            .variables
            .into_iter()
            .map(|v| {
                Ok(ConfigVariable {
                    name: v.name,
                    default: v.default.map(WireValue::into_value).transpose()?,
                    description: v.description,
                    sensitive: v.sensitive,
                })
            })
            .collect::<Result<_, String>>()?,
    })
}

fn address(text: &str) -> Result<ResourceInstanceAddr, String> {
    parse_instance(text).map_err(|e| format!("invalid address {text:?}: {e}"))
}

fn change_in(c: WireChange, count: usize) -> Result<ResourceChange, String> {
    let addr = address(&c.address)?;
    if let Some(&d) = c.dependencies.iter().find(|&&d| d >= count) {
        return Err(format!(
            "{}: dependency {d} is not a change of this plan",
            c.address
        ));
    }
    Ok(ResourceChange {
        prev_addr: c.previous_address.as_deref().map(address).transpose()?,
        type_name: c.type_name,
        action: parse_name(ACTIONS, &c.action, "action")?,
        before: c.before.map(WireValue::into_value).transpose()?,
        after: c.after.map(WireValue::into_value).transpose()?,
        changed: c.changed,
        replace_reasons: c
            .replace_reasons
            .into_iter()
            .map(|r| ReplaceReason {
                attribute: r.attribute,
                rule: r.rule,
                message: r.message,
            })
            .collect(),
        action_reason: c
            .action_reason
            .map(|text| {
                ACTION_REASONS
                    .iter()
                    .copied()
                    .find(|r| r.as_str() == text)
                    .ok_or_else(|| format!("unknown action reason {text:?}"))
            })
            .transpose()?,
        importing: c.importing,
        prior_id: c.prior_id,
        provider_alias: c.provider_alias,
        dependencies: c.dependencies,
        create_before_destroy: c.create_before_destroy,
        addr,
    })
}

fn decode_wire(wire: WirePlanFile) -> Result<SavedPlan, String> {
    let count = wire.changes.len();
    let changes = wire
        .changes
        .into_iter()
        .map(|c| change_in(c, count))
        .collect::<Result<Vec<_>, _>>()?;
    let mut steps = Vec::with_capacity(wire.steps.len());
    for (i, s) in wire.steps.into_iter().enumerate() {
        if s.number != i + 1 {
            return Err(format!("step {} is numbered {}", i + 1, s.number));
        }
        if s.change >= count {
            return Err(format!("step {} names no change of this plan", s.number));
        }
        if let Some(&d) = s.depends_on.iter().find(|&&d| d == 0 || d >= s.number) {
            return Err(format!(
                "step {} depends on step {d}, which does not come before it",
                s.number
            ));
        }
        steps.push(Step {
            number: s.number,
            change: s.change,
            kind: parse_name(STEP_KINDS, &s.kind, "step kind")?,
            depends_on: s.depends_on,
            keys: s.keys,
        });
    }
    for wave in &wire.waves {
        if let Some(&n) = wave.iter().find(|&&n| n == 0 || n > steps.len()) {
            return Err(format!(
                "a wave lists step {n}, which the plan does not have"
            ));
        }
    }
    let outputs = wire
        .outputs
        .into_iter()
        .map(|o| {
            Ok(OutputChange {
                name: o.name,
                before: o.before.map(WireValue::into_value).transpose()?,
                after: o.after.into_value()?,
                sensitive: o.sensitive,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    let diagnostics = wire
        .diagnostics
        .into_iter()
        .map(|d| {
            let mut diagnostic = match d.severity.as_str() {
                "error" => Diagnostic::error(d.summary, d.detail),
                "warning" => Diagnostic::warning(d.summary, d.detail),
                "info" => Diagnostic::info(d.summary, d.detail),
                other => return Err(format!("unknown diagnostic severity {other:?}")),
            };
            diagnostic.address = d.address;
            Ok(diagnostic)
        })
        .collect::<Result<Vec<_>, String>>()?;
    let mut variables = BTreeMap::new();
    let mut records = BTreeMap::new();
    for (name, v) in wire.variables {
        match v {
            WireVariable::Value(value) => {
                let value = value.into_value()?;
                variables.insert(name.clone(), value.clone());
                records.insert(name, VariableRecord::Plain(value));
            }
            WireVariable::SecretDigest(digest) => {
                variables.insert(name.clone(), Value::Sensitive(Box::new(Value::Null)));
                records.insert(name, VariableRecord::Secret(digest));
            }
        }
    }
    let plan = Plan {
        mode: parse_name(MODES, &wire.mode, "plan mode")?,
        changes,
        steps,
        waves: wire.waves,
        outputs,
        variables,
        diagnostics,
        targets: wire.targets,
        prior_lineage: wire.prior_state.lineage,
        prior_serial: wire.prior_state.serial,
    };
    if wire.secret_kdf.algorithm != "argon2id" {
        return Err(format!(
            "unknown secret digest algorithm {:?}",
            wire.secret_kdf.algorithm
        ));
    }
    let secret_params = SecretParams {
        salt: base64::engine::general_purpose::STANDARD
            .decode(&wire.secret_kdf.salt)
            .map_err(|e| format!("the secret salt is not base64: {e}"))?,
        memory_kib: wire.secret_kdf.memory_kib,
        iterations: wire.secret_kdf.iterations,
        parallelism: wire.secret_kdf.parallelism,
    };
    secret_params.validate()?;
    let configuration = Configuration {
        providers: wire
            .configuration
            .providers
            .into_iter()
            .map(|p| {
                Ok(ConfigProvider {
                    name: p.name,
                    alias: p.alias,
                    module_address: p.module_address,
                    expressions: exprs_in(p.expressions)?,
                })
            })
            .collect::<Result<_, String>>()?,
        root: module_in(wire.configuration.root)?,
    };
    Ok(SavedPlan {
        plan,
        configuration,
        peerform_version: wire.peerform_version,
        cloud: wire.cloud,
        config_digest: wire.config_digest,
        variables: records,
        variables_digest: wire.variables_digest,
        secret_params,
        refresh: wire.refresh,
    })
}

/// Read a plan file. The error says what is wrong and what to do.
pub fn decode(bytes: &[u8]) -> Result<SavedPlan, String> {
    let sniff: Sniff = serde_json::from_slice(bytes).map_err(|e| {
        format!("not a peerform plan file (it is not a JSON document: {e}); make one with `peerform plan --out FILE`")
    })?;
    match sniff.format.as_ref().and_then(|f| f.as_str()) {
        Some(FORMAT_NAME) => {}
        Some("peerform-state") => {
            return Err(
                "this is a peerform state file, not a plan file; show it with `peerform show` (no file) or `peerform state show`".into(),
            );
        }
        Some(other) => {
            return Err(format!(
                "not a peerform plan file: its format is {other:?}, expected {FORMAT_NAME:?}"
            ));
        }
        None => {
            return Err(format!(
                "not a peerform plan file: it has no \"format\": {FORMAT_NAME:?} field; make one with `peerform plan --out FILE`"
            ));
        }
    }
    let version = sniff
        .version
        .as_ref()
        .and_then(|v| v.as_u64())
        .ok_or("the plan file has no valid \"version\" number")?;
    if version > FORMAT_VERSION {
        let by = sniff
            .peerform_version
            .as_ref()
            .and_then(|v| v.as_str())
            .map(|v| format!(" (written by peerform {v})"))
            .unwrap_or_default();
        return Err(format!(
            "the plan file has format version {version}{by}, newer than the version {FORMAT_VERSION} this peerform reads; use a newer peerform, or plan again with this one"
        ));
    }
    if version < FORMAT_VERSION {
        return Err(format!(
            "the plan file has format version {version}, which this peerform no longer reads; plan again"
        ));
    }
    let wire: WirePlanFile =
        serde_json::from_slice(bytes).map_err(|e| format!("the plan file is damaged: {e}"))?;
    decode_wire(wire).map_err(|e| format!("the plan file is damaged: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_other_formats_and_newer_versions() {
        assert!(decode(b"{}").unwrap_err().contains("no \"format\""));
        assert!(decode(b"not json").unwrap_err().contains("not a JSON"));
        assert!(
            decode(br#"{"format":"peerform-state","version":1}"#)
                .unwrap_err()
                .contains("state file")
        );
        let newer = decode(br#"{"format":"peerform-plan","version":2,"peerform_version":"9.0.0"}"#)
            .unwrap_err();
        assert!(
            newer.contains("newer") && newer.contains("9.0.0"),
            "{newer}"
        );
        assert!(
            decode(br#"{"format":"peerform-plan","version":1}"#)
                .unwrap_err()
                .contains("damaged")
        );
    }

    #[test]
    fn values_round_trip_without_secrets() {
        let value = Value::object([
            ("a", Value::Unknown),
            ("b", Value::string("top secret").mark_sensitive()),
            ("c", Value::set(vec![Value::int(1), Value::int(2)])),
            ("d", Value::Sensitive(Box::new(Value::Unknown))),
        ]);
        let wire = serde_json::to_string(&WireValue::from_value(&value)).unwrap();
        assert!(!wire.contains("top secret"), "{wire}");
        let back: WireValue = serde_json::from_str(&wire).unwrap();
        let back = back.into_value().unwrap();
        assert_eq!(back.get_attr("a"), Some(&Value::Unknown));
        assert_eq!(back.get_attr("c"), value.get_attr("c"));
        assert!(matches!(back.get_attr("b"), Some(Value::Sensitive(_))));
        assert_eq!(
            back.get_attr("d"),
            Some(&Value::Sensitive(Box::new(Value::Unknown)))
        );
    }

    #[test]
    fn damaged_indexes_are_refused() {
        let saved = SavedPlan {
            plan: Plan::default(),
            configuration: Configuration::default(),
            peerform_version: "0.1.0".into(),
            cloud: "emulator".into(),
            config_digest: config_digest(Vec::new()),
            variables: BTreeMap::new(),
            variables_digest: variables_digest(&BTreeMap::new()),
            secret_params: fresh_secret_params("sha256:00"),
            refresh: true,
        };
        let bytes = encode(&saved).unwrap();
        assert!(decode(&bytes).is_ok());
        let text = String::from_utf8(bytes).unwrap();
        let damaged = text.replace("\"waves\":[]", "\"waves\":[[7]]");
        assert!(decode(damaged.as_bytes()).unwrap_err().contains("step 7"));
    }
}
