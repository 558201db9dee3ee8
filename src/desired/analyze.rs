//! Static analysis of one module: which block refers to which (from the references in its
//! expressions), undeclared references, and the evaluation order; a dependency loop is an error that
//! prints the loop. Computed once per module, however many instances it has.

use crate::config::addr::Mode;
use crate::config::{Block, Body, Expr, Module};
use crate::diag::{Diagnostic, Diagnostics};
use crate::graph::Dag;
use crate::lang::{RefStep, Reference, references};
use std::collections::{HashMap, HashSet};

/// A block of a module that is evaluated as a unit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Node {
    Variable(usize),
    Local(usize),
    Resource(usize),
    ModuleCall(usize),
    Output(usize),
}

/// Roots that name no block.
const BUILTIN_ROOTS: &[&str] = &["each", "count", "path", "terraform", "self"];

pub struct Analysis {
    /// Nodes in an order where each comes after what it refers to.
    pub order: Vec<Node>,
}

/// Names of a module's blocks, for resolving references.
struct Names<'m> {
    variables: HashMap<&'m str, usize>,
    locals: HashMap<&'m str, usize>,
    resources: HashMap<(Mode, &'m str, &'m str), usize>,
    modules: HashMap<&'m str, usize>,
}

impl<'m> Names<'m> {
    /// The declared names of a module, each with its index.
    fn of(module: &'m Module) -> Names<'m> {
        Names {
            variables: module
                .variables
                .iter()
                .enumerate()
                .map(|(i, v)| (v.name.as_str(), i))
                .collect(),
            locals: module
                .locals
                .iter()
                .enumerate()
                .map(|(i, v)| (v.name.as_str(), i))
                .collect(),
            resources: module
                .resources
                .iter()
                .enumerate()
                .map(|(i, r)| ((r.mode, r.type_name.as_str(), r.name.as_str()), i))
                .collect(),
            modules: module
                .module_calls
                .iter()
                .enumerate()
                .map(|(i, m)| (m.name.as_str(), i))
                .collect(),
        }
    }
}

pub fn analyze(module: &Module, module_label: &str) -> (Option<Analysis>, Diagnostics) {
    let names = Names::of(module);
    let mut nodes: Vec<Node> = Vec::new();
    nodes.extend((0..module.variables.len()).map(Node::Variable));
    nodes.extend((0..module.locals.len()).map(Node::Local));
    nodes.extend((0..module.resources.len()).map(Node::Resource));
    nodes.extend((0..module.module_calls.len()).map(Node::ModuleCall));
    nodes.extend((0..module.outputs.len()).map(Node::Output));
    let index: HashMap<Node, usize> = nodes.iter().enumerate().map(|(i, n)| (*n, i)).collect();

    let mut diagnostics = Diagnostics::new();
    let mut dag = Dag::new(nodes.len());
    for (i, node) in nodes.iter().enumerate() {
        let mut refs = Vec::new();
        collect_node_refs(module, *node, &mut refs);
        for reference in refs {
            match resolve(&names, &reference, module_label) {
                Ok(Some(target)) => {
                    if let Some(&j) = index.get(&target) {
                        if j != i {
                            dag.add_edge(i, j);
                        } else if !matches!(node, Node::Variable(_)) {
                            // A block that refers to itself is a loop of one.
                            diagnostics.push(
                                Diagnostic::error(
                                    "Self-referential block".to_string(),
                                    format!(
                                        "Configuration for {} may not refer to itself.",
                                        node_name(module, *node)
                                    ),
                                )
                                .with_span(reference.span),
                            );
                        }
                    }
                }
                Ok(None) => {}
                Err(d) => diagnostics.push(d),
            }
        }
    }
    if diagnostics.has_errors() {
        return (None, diagnostics);
    }
    match dag.topological_order() {
        Ok(order) => (
            Some(Analysis {
                order: order.into_iter().map(|i| nodes[i]).collect(),
            }),
            diagnostics,
        ),
        Err(cycle) => {
            let mut members: Vec<String> = cycle
                .0
                .iter()
                .map(|&i| node_name(module, nodes[i]))
                .collect();
            // Start the loop at its smallest name so the message is stable.
            if let Some(min) = (0..members.len()).min_by(|&a, &b| members[a].cmp(&members[b])) {
                members.rotate_left(min);
            }
            let first = cycle.0.first().map(|&i| nodes[i]);
            let span = first.map(|n| node_span(module, n));
            diagnostics.push(
                Diagnostic::error(
                    format!("Cycle: {}", members.join(", ")),
                    format!(
                        "These blocks refer to each other in a loop: {} → {}. Break the loop by removing one of the references.",
                        members.join(" → "),
                        members.first().cloned().unwrap_or_default()
                    ),
                )
                .with_span(span),
            );
            (None, diagnostics)
        }
    }
}

pub fn node_name(module: &Module, node: Node) -> String {
    match node {
        Node::Variable(i) => format!("var.{}", module.variables[i].name),
        Node::Local(i) => format!("local.{}", module.locals[i].name),
        Node::Resource(i) => {
            let r = &module.resources[i];
            match r.mode {
                Mode::Managed => format!("{}.{}", r.type_name, r.name),
                Mode::Data => format!("data.{}.{}", r.type_name, r.name),
            }
        }
        Node::ModuleCall(i) => format!("module.{}", module.module_calls[i].name),
        Node::Output(i) => format!("output.{}", module.outputs[i].name),
    }
}

fn node_span(module: &Module, node: Node) -> crate::diag::Span {
    match node {
        Node::Variable(i) => module.variables[i].span,
        Node::Local(i) => module.locals[i].span,
        Node::Resource(i) => module.resources[i].span,
        Node::ModuleCall(i) => module.module_calls[i].span,
        Node::Output(i) => module.outputs[i].span,
    }
}

fn attr_name(step: Option<&RefStep>) -> Option<&str> {
    match step {
        Some(RefStep::Attr(name)) => Some(name),
        _ => None,
    }
}

/// The block a reference names, `None` for built-ins, or a diagnostic for an undeclared name.
fn resolve(
    names: &Names<'_>,
    r: &Reference,
    module_label: &str,
) -> Result<Option<Node>, Diagnostic> {
    let first = attr_name(r.steps.first());
    let err =
        |summary: &str, detail: String| Err(Diagnostic::error(summary, detail).with_span(r.span));
    match r.root.as_str() {
        root if BUILTIN_ROOTS.contains(&root) => Ok(None),
        "var" => match first {
            Some(name) => match names.variables.get(name) {
                Some(&i) => Ok(Some(Node::Variable(i))),
                None => err(
                    "Reference to undeclared input variable",
                    format!("An input variable with the name \"{name}\" has not been declared. This variable can be declared with a variable \"{name}\" {{}} block."),
                ),
            },
            None => err("Invalid reference", "The \"var\" object cannot be accessed directly. Instead, access one of its attributes.".into()),
        },
        "local" => match first {
            Some(name) => match names.locals.get(name) {
                Some(&i) => Ok(Some(Node::Local(i))),
                None => err(
                    "Reference to undeclared local value",
                    format!("A local value with the name \"{name}\" has not been declared."),
                ),
            },
            None => err("Invalid reference", "The \"local\" object cannot be accessed directly. Instead, access one of its attributes.".into()),
        },
        "module" => match first {
            Some(name) => match names.modules.get(name) {
                Some(&i) => Ok(Some(Node::ModuleCall(i))),
                None => err(
                    "Reference to undeclared module",
                    format!("No module call named \"{name}\" is declared in {module_label}."),
                ),
            },
            None => err("Invalid reference", "The \"module\" object cannot be accessed directly. Instead, access one of its attributes.".into()),
        },
        "data" => match (first, attr_name(r.steps.get(1))) {
            (Some(type_name), Some(name)) => match names.resources.get(&(Mode::Data, type_name, name)) {
                Some(&i) => Ok(Some(Node::Resource(i))),
                None => err(
                    "Reference to undeclared resource",
                    format!("A data resource \"{type_name}\" \"{name}\" has not been declared in {module_label}."),
                ),
            },
            _ => err("Invalid reference", "A reference to a data source must give its type and name: data.TYPE.NAME.".into()),
        },
        type_name => match first {
            Some(name) => match names.resources.get(&(Mode::Managed, type_name, name)) {
                Some(&i) => Ok(Some(Node::Resource(i))),
                None => err(
                    "Reference to undeclared resource",
                    format!("A managed resource \"{type_name}\" \"{name}\" has not been declared in {module_label}."),
                ),
            },
            None => err(
                "Invalid reference",
                "A reference to a resource type must be followed by at least one attribute access, specifying the resource name.".into(),
            ),
        },
    }
}

fn push_expr(expr: &Expr, bound: &HashSet<String>, out: &mut Vec<Reference>) {
    for r in references(&expr.expr, expr.file) {
        if !bound.contains(&r.root) {
            out.push(r);
        }
    }
}

fn collect_body(body: &Body, bound: &HashSet<String>, out: &mut Vec<Reference>) {
    for attr in &body.attributes {
        push_expr(&attr.expr, bound, out);
    }
    for block in &body.blocks {
        collect_block(block, bound, out);
    }
}

fn collect_block(block: &Block, bound: &HashSet<String>, out: &mut Vec<Reference>) {
    if block.kind == "dynamic" {
        // The iterator (the block label, or `iterator = NAME`) is bound inside `content`.
        let iterator = block
            .body
            .attribute("iterator")
            .and_then(|a| match &a.expr.expr {
                hcl_edit::expr::Expression::Variable(v) => Some(v.as_str().to_string()),
                _ => None,
            })
            .or_else(|| block.labels.first().cloned());
        if let Some(fe) = block.body.attribute("for_each") {
            push_expr(&fe.expr, bound, out);
        }
        let mut inner = bound.clone();
        if let Some(it) = iterator {
            inner.insert(it);
        }
        for b in &block.body.blocks {
            if b.kind == "content" {
                collect_body(&b.body, &inner, out);
            }
        }
        return;
    }
    collect_body(&block.body, bound, out);
}

fn collect_node_refs(module: &Module, node: Node, out: &mut Vec<Reference>) {
    let bound = HashSet::new();
    match node {
        Node::Variable(i) => {
            let v = &module.variables[i];
            for c in &v.validations {
                push_expr(&c.condition, &bound, out);
                push_expr(&c.error_message, &bound, out);
            }
            // A validation may refer to its own variable; that is not an edge.
            out.retain(|r| {
                !(r.root == "var" && attr_name(r.steps.first()) == Some(v.name.as_str()))
            });
        }
        Node::Local(i) => push_expr(&module.locals[i].expr, &bound, out),
        Node::Resource(i) => {
            let r = &module.resources[i];
            for e in r.count.iter().chain(&r.for_each).chain(&r.depends_on) {
                push_expr(e, &bound, out);
            }
            if let Some(e) = &r.lifecycle.replace_triggered_by {
                push_expr(e, &bound, out);
            }
            for c in &r.lifecycle.preconditions {
                push_expr(&c.condition, &bound, out);
                push_expr(&c.error_message, &bound, out);
            }
            collect_body(&r.body, &bound, out);
        }
        Node::ModuleCall(i) => {
            let m = &module.module_calls[i];
            for e in m.count.iter().chain(&m.for_each).chain(&m.depends_on) {
                push_expr(e, &bound, out);
            }
            for a in &m.arguments {
                push_expr(&a.expr, &bound, out);
            }
        }
        Node::Output(i) => {
            let o = &module.outputs[i];
            for e in o.value.iter().chain(&o.depends_on) {
                push_expr(e, &bound, out);
            }
            for c in &o.preconditions {
                push_expr(&c.condition, &bound, out);
                push_expr(&c.error_message, &bound, out);
            }
        }
    }
}

/// References in a check block's asserts and scoped data sources, validated like any other.
pub fn check_refs(module: &Module, module_label: &str) -> Diagnostics {
    let names = Names::of(module);
    let mut diagnostics = Diagnostics::new();
    let bound = HashSet::new();
    for check in &module.checks {
        let mut refs = Vec::new();
        for a in &check.asserts {
            push_expr(&a.condition, &bound, &mut refs);
            push_expr(&a.error_message, &bound, &mut refs);
        }
        let scoped: HashSet<(&str, &str)> = check
            .data
            .iter()
            .map(|d| (d.type_name.as_str(), d.name.as_str()))
            .collect();
        for r in refs {
            if r.root == "data"
                && let (Some(t), Some(n)) = (attr_name(r.steps.first()), attr_name(r.steps.get(1)))
                && scoped.contains(&(t, n))
            {
                continue;
            }
            if let Err(d) = resolve(&names, &r, module_label) {
                diagnostics.push(d);
            }
        }
    }
    diagnostics
}
