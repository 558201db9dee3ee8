//! `graph [--format dot|mermaid] [--plan FILE]`: the desired-state graph (one node per resource
//! instance, an edge to each instance it depends on) or, with `--plan`, a saved plan's numbered
//! steps and what each waits for, as Graphviz DOT or a Mermaid flowchart.

use super::Context;
use super::validate::load_options;
use crate::config::{load_config, read_function_file};
use crate::desired::{NoCloud, build};
use crate::diag::render_human;
use crate::plan::planfile;
use crate::plan::render_markdown::mermaid_steps;
use anyhow::Context as _;
use clap::{Args, ValueEnum};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum GraphFormat {
    Dot,
    Mermaid,
}

#[derive(Args, Debug)]
pub struct GraphArgs {
    /// Output format.
    #[arg(long, value_enum, default_value = "dot")]
    pub format: GraphFormat,
    /// Draw a saved plan's steps instead of the configuration's instances.
    #[arg(long, value_name = "FILE")]
    pub plan: Option<PathBuf>,
    /// Set a root variable: --var 'name=value' (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read root variable values from a file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
}

/// A DOT string literal.
fn dot_id(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

/// A Mermaid node label.
fn mermaid_label(text: &str) -> String {
    text.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

/// Nodes and edges (node, dependency) as DOT or Mermaid.
fn draw(format: GraphFormat, nodes: &[String], edges: &[(usize, usize)]) -> String {
    let mut out = String::new();
    match format {
        GraphFormat::Dot => {
            out.push_str("digraph peerform {\n  rankdir = \"BT\";\n  node [shape = \"box\"];\n");
            for node in nodes {
                let _ = writeln!(out, "  {};", dot_id(node));
            }
            for &(from, to) in edges {
                let _ = writeln!(out, "  {} -> {};", dot_id(&nodes[from]), dot_id(&nodes[to]));
            }
            out.push_str("}\n");
        }
        GraphFormat::Mermaid => {
            out.push_str("flowchart BT\n");
            for (i, node) in nodes.iter().enumerate() {
                let _ = writeln!(out, "  n{i}[\"{}\"]", mermaid_label(node));
            }
            for &(from, to) in edges {
                let _ = writeln!(out, "  n{from} --> n{to}");
            }
        }
    }
    out
}

pub fn run(args: GraphArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    if let Some(file) = &args.plan {
        let path = if file.is_absolute() {
            file.clone()
        } else {
            ctx.dir.join(file)
        };
        let bytes = std::fs::read(&path)
            .with_context(|| format!("reading the plan file {}", path.display()))?;
        let saved =
            planfile::decode(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        let plan = &saved.plan;
        let text = match args.format {
            GraphFormat::Mermaid => mermaid_steps(plan),
            GraphFormat::Dot => {
                let nodes: Vec<String> = plan
                    .steps
                    .iter()
                    .map(|s| {
                        let addr = plan.changes[s.change].addr.to_string();
                        format!("{}. {} {addr}", s.number, s.kind.verb())
                    })
                    .collect();
                // Steps point at what they wait for, as instances point at their dependencies.
                let edges: Vec<(usize, usize)> = plan
                    .steps
                    .iter()
                    .flat_map(|s| s.depends_on.iter().map(move |&d| (s.number - 1, d - 1)))
                    .collect();
                draw(GraphFormat::Dot, &nodes, &edges)
            }
        };
        write!(ctx.out, "{text}")?;
        return Ok(0);
    }
    let options = load_options(&args.vars, &args.var_files, ctx);
    let (config, mut diagnostics) = load_config(&ctx.dir, &options);
    if !diagnostics.has_errors() {
        let root = ctx.dir.clone();
        let files = move |path: &str| read_function_file(&root, path);
        let reader = NoCloud { files: &files };
        let (desired, desired_diags) = build(&config, &reader);
        diagnostics.extend(desired_diags);
        if !diagnostics.has_errors() {
            let nodes: Vec<String> = desired
                .instances
                .iter()
                .map(|i| i.addr.to_string())
                .collect();
            let mut edges = Vec::new();
            for i in 0..desired.instances.len() {
                for &d in desired.graph.dependencies(i) {
                    edges.push((i, d));
                }
            }
            write!(ctx.out, "{}", draw(args.format, &nodes, &edges))?;
        }
    }
    diagnostics.sort();
    write!(
        ctx.err,
        "{}",
        render_human(&diagnostics, &config.sources, ctx.color)
    )?;
    Ok(if diagnostics.has_errors() { 1 } else { 0 })
}
