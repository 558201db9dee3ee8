//! `peerform output [NAME]`: the root outputs recorded in the state at the last apply, as Terraform
//! prints them (`--json`, `--raw`). A sensitive output is kept only as a digest, so it prints as
//! `(sensitive value)`; `--show-sensitive` reads it afresh from the cloud (the objects the state
//! names, with the secrets ARM returns, such as a circuit's `service_key`) and evaluates the output
//! again, warning when the value no longer matches the recorded digest.

use super::Context;
use super::emulator::connect;
use super::reader::CloudReader;
use super::validate::load_options;
use crate::config::load_config;
use crate::diag::render_human;
use crate::lang::Value;
use crate::plan::{PlanOptions, make_plan, no_domain_rule};
use crate::state::{Backend as _, OutputState, State};
use anyhow::{Context as _, bail};
use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct OutputArgs {
    /// One output to print; all of them when left out.
    pub name: Option<String>,
    /// Print JSON: an object of every output, or the one output's value.
    #[arg(long, conflicts_with = "raw")]
    pub json: bool,
    /// Print a string, number or bool output's value without quotes or a newline-terminated
    /// rendering, for scripts.
    #[arg(long, requires = "name")]
    pub raw: bool,
    /// Read sensitive outputs afresh from the cloud and print them.
    #[arg(long)]
    pub show_sensitive: bool,
    /// Set a root variable (needed with --show-sensitive when outputs use variables).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read root variable values from a file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

/// An output as printed: its value when known here, and whether it is sensitive.
struct Shown {
    value: Option<Value>,
    sensitive: bool,
}

pub fn run(args: OutputArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let options = load_options(&args.vars, &args.var_files, ctx);
    let (config, diagnostics) = load_config(&ctx.dir, &options);
    let backend = super::backend::store(ctx, &config)?;
    let Some(state) = backend.read()? else {
        writeln!(
            ctx.err,
            "╷\n│ Warning: No outputs found\n│\n│ The state file either has no outputs defined, or all the defined outputs are empty. Please define an output in your configuration with the `output` keyword and run `peerform apply` for it to become available.\n╵"
        )?;
        return Ok(if args.name.is_some() { 1 } else { 0 });
    };
    let mut shown: BTreeMap<String, Shown> = state
        .outputs
        .iter()
        .map(|(name, output)| {
            let entry = match output {
                OutputState::Plain(v) => Shown {
                    value: Some(v.clone()),
                    sensitive: false,
                },
                OutputState::Sensitive(_) => Shown {
                    value: None,
                    sensitive: true,
                },
            };
            (name.clone(), entry)
        })
        .collect();
    if let Some(name) = &args.name
        && !shown.contains_key(name)
    {
        bail!(
            "Output \"{name}\" not found: the output variable requested could not be found in the state file. If you recently added this to your configuration, be sure to run `peerform apply`, since the state won't be updated with new output variables until that command is run"
        );
    }
    let wanted_sensitive = shown
        .iter()
        .any(|(n, s)| s.sensitive && args.name.as_ref().is_none_or(|w| w == n));
    if args.show_sensitive && wanted_sensitive {
        if diagnostics.has_errors() {
            write!(
                ctx.err,
                "{}",
                render_human(&diagnostics, &config.sources, ctx.color)
            )?;
            bail!(
                "--show-sensitive evaluates the outputs again, which needs a valid configuration"
            );
        }
        let fresh = fresh_outputs(&config, &state, ctx)?;
        for (name, entry) in shown.iter_mut() {
            if !entry.sensitive || args.name.as_ref().is_some_and(|w| w != name) {
                continue;
            }
            let Some(value) = fresh.get(name) else {
                continue;
            };
            if !crate::state::output_secret_matches(&state, name, value) {
                writeln!(
                    ctx.err,
                    "Warning: output \"{name}\" read now differs from the value recorded at the last apply: run apply to record it"
                )?;
            }
            entry.value = Some(value.clone());
        }
    }
    let hidden = |name: &str| {
        anyhow::anyhow!(
            "output \"{name}\" is sensitive: the state keeps only its digest. Pass --show-sensitive to read it afresh from the cloud"
        )
    };
    match &args.name {
        Some(name) => {
            let entry = &shown[name];
            let Some(value) = &entry.value else {
                if args.json || args.raw {
                    return Err(hidden(name));
                }
                writeln!(ctx.out, "(sensitive value)")?;
                return Ok(0);
            };
            let (plain, _) = value.clone().unmark_deep();
            if args.json {
                writeln!(ctx.out, "{}", plain.to_json())?;
            } else if args.raw {
                match &plain {
                    Value::String(s) => write!(ctx.out, "{s}")?,
                    Value::Number(_) | Value::Bool(_) => write!(ctx.out, "{plain}")?,
                    Value::Null => bail!(
                        "Unsupported value for raw output: the value of output \"{name}\" is null"
                    ),
                    other => bail!(
                        "Unsupported value for raw output: the --raw option only supports strings, numbers, and boolean values, but output value \"{name}\" is {}. Use the --json option for machine-readable output",
                        other.type_name()
                    ),
                }
            } else {
                writeln!(ctx.out, "{plain}")?;
            }
        }
        None if args.json => {
            let mut document = serde_json::Map::new();
            for (name, entry) in &shown {
                let mut item = serde_json::Map::new();
                item.insert("sensitive".into(), serde_json::Value::Bool(entry.sensitive));
                if let Some(value) = &entry.value {
                    let (plain, _) = value.clone().unmark_deep();
                    item.insert("type".into(), type_json(&plain));
                    item.insert("value".into(), plain.to_json());
                }
                document.insert(name.clone(), serde_json::Value::Object(item));
            }
            writeln!(ctx.out, "{}", serde_json::Value::Object(document))?;
        }
        None => {
            if shown.is_empty() {
                writeln!(
                    ctx.err,
                    "╷\n│ Warning: No outputs found\n│\n│ The state file either has no outputs defined, or all the defined outputs are empty. Please define an output in your configuration with the `output` keyword and run `peerform apply` for it to become available.\n╵"
                )?;
            }
            for (name, entry) in &shown {
                match &entry.value {
                    Some(v) => writeln!(ctx.out, "{name} = {}", v.clone().unmark_deep().0)?,
                    None => writeln!(ctx.out, "{name} = (sensitive value)")?,
                }
            }
        }
    }
    Ok(0)
}

/// Terraform's JSON type expression for a value (`"string"`, `["list","string"]`, …).
fn type_json(value: &Value) -> serde_json::Value {
    use serde_json::json;
    match value {
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null | Value::Unknown => json!("dynamic"),
        Value::List(items) => json!(["tuple", items.iter().map(type_json).collect::<Vec<_>>()]),
        Value::Set(items) => json!([
            "set",
            items.first().map(type_json).unwrap_or(json!("dynamic"))
        ]),
        Value::Map(map) => json!([
            "object",
            map.iter()
                .map(|(k, v)| (k.clone(), type_json(v)))
                .collect::<serde_json::Map<_, _>>()
        ]),
        Value::Sensitive(inner) => type_json(inner),
    }
}

/// Root outputs evaluated against the objects as the cloud has them now, secrets included (in
/// memory only: nothing is written).
fn fresh_outputs(
    config: &crate::config::Config,
    state: &State,
    ctx: &Context<'_>,
) -> anyhow::Result<BTreeMap<String, Value>> {
    let cloud = match state.cloud.target.as_str() {
        "http" => state.cloud.endpoint.clone(),
        "" => "emulator".to_string(),
        other => other.to_string(),
    };
    let subscription = Some(state.cloud.subscription.as_str()).filter(|s| !s.is_empty());
    let (cloud, provider) = connect(Some(&cloud), subscription, ctx)?;
    let mut live = state.clone();
    let read = {
        use rayon::prelude::*;
        let entries: Vec<_> = state
            .resources
            .iter()
            .filter(|(a, r)| {
                a.resource.mode == crate::config::addr::Mode::Managed
                    && !r.secrets.is_empty()
                    && !r.id.is_empty()
            })
            .collect();
        entries
            .par_iter()
            .map(|(addr, r)| {
                let id = crate::arm::ResourceId::parse(&r.id)?;
                let prior = Value::map(r.attributes.clone());
                let value = provider
                    .read(&r.type_name, &id, Some(&prior))
                    .with_context(|| format!("reading {addr}"))?;
                Ok(((*addr).clone(), value))
            })
            .collect::<anyhow::Result<Vec<_>>>()?
    };
    for (addr, value) in read {
        let (Some(value), Some(entry)) = (value, live.resources.get_mut(&addr)) else {
            continue;
        };
        let Some(map) = value.as_map() else { continue };
        for path in entry.secrets.keys() {
            if let Some(secret) = map.get(path) {
                entry.attributes.insert(path.clone(), secret.clone());
            }
        }
    }
    let root = ctx.dir.clone();
    let files = move |path: &str| crate::config::read_function_file(&root, path);
    let providers = super::providers::Providers::new(&provider, config)?;
    let reader = CloudReader::new(
        &providers,
        &files,
        super::apply::client_identity(ctx),
        cloud == crate::provider::Cloud::Emulator,
    );
    let (_plan, desired, _diags) = make_plan(
        config,
        &live,
        &reader,
        &PlanOptions::default(),
        &no_domain_rule,
    );
    Ok(desired
        .outputs
        .into_iter()
        .filter(|(_, v)| v.is_wholly_known() && !crate::plan::contains_held_secret(v))
        .collect())
}
