//! `show [FILE] [--json|--markdown]`: render a saved plan as `plan` would have printed it, or, with no
//! file, the current state (each object's attributes as `state show` prints them, then the outputs).
//! A plan file is untrusted input: reading it refuses another format or a newer version with a
//! message that says what to do.

use super::Context;
use super::plan::{Format, PEERFORM_VERSION, print_plan, state_file};
use crate::config::{LoadOptions, load_config};
use crate::lang::Value;
use crate::plan::planfile;
use crate::plan::render_json;
use crate::state::{Backend, LocalBackend, OutputState, Status};
use anyhow::Context as _;
use clap::Args;
use std::io::Read as _;
use std::path::PathBuf;

/// Plan files larger than this are refused before they are read.
const MAX_PLAN_BYTES: u64 = 1 << 30;

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// A plan file written by `plan --out`; without it, the current state is shown.
    pub file: Option<PathBuf>,
    /// Print Terraform's JSON document (a plan's, or the state's values).
    #[arg(long, conflicts_with = "markdown")]
    pub json: bool,
    /// Print a saved plan as a pull-request comment in Markdown.
    #[arg(long)]
    pub markdown: bool,
}

pub fn run(args: ShowArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    match &args.file {
        Some(file) => show_plan(&args, file, ctx),
        None => show_state(&args, ctx),
    }
}

fn show_plan(args: &ShowArgs, file: &PathBuf, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let path = if file.is_absolute() {
        file.clone()
    } else {
        ctx.dir.join(file)
    };
    let handle = std::fs::File::open(&path)
        .with_context(|| format!("reading the plan file {}", path.display()))?;
    let mut bytes = Vec::new();
    handle
        .take(MAX_PLAN_BYTES + 1)
        .read_to_end(&mut bytes)
        .with_context(|| format!("reading the plan file {}", path.display()))?;
    if bytes.len() as u64 > MAX_PLAN_BYTES {
        anyhow::bail!(
            "{} is larger than {} bytes: not a plan file this peerform can read",
            path.display(),
            MAX_PLAN_BYTES
        );
    }
    let saved = planfile::decode(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
    if saved.peerform_version != PEERFORM_VERSION && !args.json {
        writeln!(
            ctx.err,
            "Warning: {} was written by peerform {}; this is peerform {PEERFORM_VERSION}",
            file.display(),
            saved.peerform_version
        )?;
    }
    let format = if args.json {
        Format::Json
    } else if args.markdown {
        Format::Markdown
    } else {
        Format::Human
    };
    print_plan(ctx, &saved.plan, &saved.configuration, &saved.cloud, format)?;
    Ok(0)
}

fn show_state(args: &ShowArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    if args.markdown {
        anyhow::bail!(
            "show --markdown renders a saved plan: give the plan file (`peerform show --markdown plan.out`)"
        );
    }
    let (config, _) = load_config(&ctx.dir, &LoadOptions::default());
    let backend = LocalBackend::new(&state_file(ctx, &config));
    let Some(state) = backend.read()? else {
        if args.json {
            writeln!(ctx.out, "{{\"format_version\":\"1.0\"}}")?;
        } else {
            writeln!(ctx.out, "No state.")?;
        }
        return Ok(0);
    };
    if args.json {
        writeln!(ctx.out, "{}", render_json::state_document(&state))?;
        return Ok(0);
    }
    if state.resources.is_empty() && state.outputs.is_empty() {
        writeln!(ctx.out, "The state is empty.")?;
        return Ok(0);
    }
    for (address, resource) in &state.resources {
        let tainted = if resource.status == Status::Tainted {
            " (tainted)"
        } else {
            ""
        };
        writeln!(ctx.out, "# {address}:{tainted}")?;
        writeln!(
            ctx.out,
            "resource \"{}\" \"{}\" {{",
            address.resource.type_name, address.resource.name
        )?;
        write_attributes(ctx, &resource.display_attributes(), 1)?;
        writeln!(ctx.out, "}}\n")?;
    }
    if !state.outputs.is_empty() {
        writeln!(ctx.out, "\nOutputs:\n")?;
        for (name, output) in &state.outputs {
            let value = match output {
                OutputState::Plain(v) if !v.contains_sensitive() => render(v, 0),
                _ => "(sensitive value)".to_string(),
            };
            writeln!(ctx.out, "{name} = {value}")?;
        }
    }
    Ok(0)
}

fn key(name: &str) -> String {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if plain {
        name.to_string()
    } else {
        serde_json::Value::String(name.to_string()).to_string()
    }
}

fn write_attributes(
    ctx: &mut Context<'_>,
    attributes: &std::collections::BTreeMap<String, Value>,
    depth: usize,
) -> anyhow::Result<()> {
    let indent = "    ".repeat(depth);
    let width = attributes.keys().map(|k| key(k).len()).max().unwrap_or(0);
    for (name, value) in attributes {
        let value = render(value, depth);
        writeln!(ctx.out, "{indent}{:<width$} = {value}", key(name))?;
    }
    Ok(())
}

/// A value HCL-style: scalars inline, non-empty lists and maps over several lines.
fn render(value: &Value, depth: usize) -> String {
    let indent = "    ".repeat(depth);
    match value {
        Value::List(items) | Value::Set(items) if !items.is_empty() => {
            let mut text = "[\n".to_string();
            for item in items {
                text.push_str(&format!("{indent}    {},\n", render(item, depth + 1)));
            }
            text.push_str(&format!("{indent}]"));
            text
        }
        Value::Map(map) if !map.is_empty() => {
            let width = map.keys().map(|k| key(k).len()).max().unwrap_or(0);
            let mut text = "{\n".to_string();
            for (name, v) in map.iter() {
                text.push_str(&format!(
                    "{indent}    {:<width$} = {}\n",
                    key(name),
                    render(v, depth + 1)
                ));
            }
            text.push_str(&format!("{indent}}}"));
            text
        }
        other => other.to_string(),
    }
}
