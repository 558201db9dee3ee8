//! The human plan: Terraform's symbols and wording (`+ ~ - -/+ +/-`, `(known after apply)`,
//! `# forces replacement`, `(sensitive value)`, unchanged attributes hidden with a count, Terraform's
//! summary line), then an "Execution order" section listing the waves. Pure: returns a string.

use super::model::{Action, Mode, Plan, ResourceChange, StepKind};
use super::reason_text;
use crate::lang::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Attributes shown even when unchanged, as Terraform shows them for context.
const CONTEXT: &[&str] = &["id", "name", "tags"];

pub struct HumanOptions<'a> {
    /// The first line names where the plan would act.
    pub cloud: &'a str,
    pub color: bool,
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

fn headline(change: &ResourceChange) -> String {
    let addr = &change.addr;
    let mut line = match change.action {
        Action::Create => format!("# {addr} will be created"),
        Action::Update => format!("# {addr} will be updated in-place"),
        Action::DeleteThenCreate | Action::CreateThenDelete => {
            if change
                .replace_reasons
                .iter()
                .any(|r| r.message.contains("tainted"))
            {
                format!("# {addr} is tainted, so must be replaced")
            } else if change.action_reason == Some(super::ActionReason::ReplaceByRequest) {
                format!("# {addr} will be replaced, as requested")
            } else {
                format!("# {addr} must be replaced")
            }
        }
        Action::Delete => format!("# {addr} will be destroyed"),
        Action::Read => format!("# {addr} will be read during apply"),
        Action::Forget => format!("# {addr} will no longer be managed by peerform"),
        Action::NoOp => match (&change.prev_addr, &change.importing) {
            (Some(prev), None) => format!("# {prev} has moved to {addr}"),
            _ => format!("# {addr} will be imported"),
        },
    };
    if let Some(prev) = &change.prev_addr
        && (change.action != Action::NoOp || change.importing.is_some())
    {
        line.push_str(&format!("\n  # (moved from {prev})"));
    }
    if change.action == Action::Delete {
        match change.action_reason {
            Some(super::ActionReason::DeleteBecauseNoModule) => line.push_str(&format!(
                "\n  # (because {} is not in configuration)",
                change.addr.resource.module
            )),
            Some(super::ActionReason::DeleteBecauseCountIndex) => line.push_str(&format!(
                "\n  # (because index {} is out of range for count)",
                change
                    .addr
                    .key
                    .as_ref()
                    .map(|k| k.to_string())
                    .unwrap_or_default()
            )),
            Some(super::ActionReason::DeleteBecauseEachKey) => line.push_str(&format!(
                "\n  # (because key {} is not in for_each map)",
                change
                    .addr
                    .key
                    .as_ref()
                    .map(|k| k.to_string())
                    .unwrap_or_default()
            )),
            Some(_) => line.push_str(&format!(
                "\n  # (because {} is not in configuration)",
                change.addr
            )),
            // A destroy that was asked for (`--destroy`) needs no reason.
            None => {}
        }
    }
    if let Some(id) = &change.importing {
        line.push_str(&format!("\n  # (imports {id})"));
    }
    line
}

/// A value as Terraform prints it inline.
fn show(value: &Value) -> String {
    match value {
        Value::Unknown => "(known after apply)".into(),
        Value::Sensitive(_) => "(sensitive value)".into(),
        Value::Null => "null".into(),
        Value::String(s) => serde_json::Value::String(s.clone()).to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        Value::List(items) | Value::Set(items) => {
            if items.is_empty() {
                "[]".into()
            } else {
                format!(
                    "[{}]",
                    items.iter().map(show).collect::<Vec<_>>().join(", ")
                )
            }
        }
        Value::Map(map) => {
            if map.is_empty() {
                "{}".into()
            } else {
                format!(
                    "{{ {} }}",
                    map.iter()
                        .map(|(k, v)| format!("{} = {}", quote_key(k), show(v)))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }
    }
}

/// A list, set or map Terraform prints one element per line (objects inside stay inline).
enum Collection<'a> {
    Seq { items: &'a [Value], set: bool },
    Map(&'a BTreeMap<String, Value>),
}

fn collection(value: &Value, set: bool) -> Option<Collection<'_>> {
    match value {
        Value::List(items) if !items.is_empty() => Some(Collection::Seq { items, set }),
        Value::Set(items) if !items.is_empty() => Some(Collection::Seq { items, set: true }),
        Value::Map(map) if !map.is_empty() => Some(Collection::Map(map)),
        _ => None,
    }
}

/// One element line of a collection: its symbol (`+`, `-`, `~` or none) and its text.
struct Element {
    symbol: &'static str,
    key: Option<String>,
    text: String,
}

/// The elements of a whole collection, each with `symbol`; `tail` follows a removed map element's
/// value inside an update (`-> null`).
fn elements(collection: &Collection<'_>, symbol: &'static str) -> Vec<Element> {
    match collection {
        Collection::Seq { items, .. } => items
            .iter()
            .map(|v| Element {
                symbol,
                key: None,
                text: show(v),
            })
            .collect(),
        Collection::Map(map) => map
            .iter()
            .map(|(k, v)| Element {
                symbol,
                key: Some(quote_key(k)),
                text: show(v),
            })
            .collect(),
    }
}

/// Element by element changes between two collections of one kind, and how many elements are
/// unchanged. Maps by key; sets by value; lists of one length position by position, other lists by
/// their longest common subsequence.
fn element_changes(old: &Collection<'_>, new: &Collection<'_>) -> Option<(Vec<Element>, usize)> {
    let same = |a: &Value, b: &Value| super::normalise(a) == super::normalise(b);
    let mut out = Vec::new();
    let mut hidden = 0;
    match (old, new) {
        (Collection::Map(o), Collection::Map(n)) => {
            let mut keys: Vec<&String> = o.keys().chain(n.keys()).collect();
            keys.sort();
            keys.dedup();
            for k in keys {
                let key = Some(quote_key(k));
                match (o.get(k), n.get(k)) {
                    (Some(a), Some(b)) if same(a, b) && b.is_wholly_known() => hidden += 1,
                    (Some(a), Some(b)) => out.push(Element {
                        symbol: "~",
                        key,
                        text: format!("{} -> {}", show(a), show(b)),
                    }),
                    (Some(a), None) => out.push(Element {
                        symbol: "-",
                        key,
                        text: format!("{} -> null", show(a)),
                    }),
                    (None, Some(b)) => out.push(Element {
                        symbol: "+",
                        key,
                        text: show(b),
                    }),
                    (None, None) => {}
                }
            }
        }
        (Collection::Seq { items: o, set }, Collection::Seq { items: n, .. }) if *set => {
            let o: Vec<Value> = o.iter().map(super::normalise).collect();
            let n: Vec<Value> = n.iter().map(super::normalise).collect();
            for a in &o {
                if n.contains(a) {
                    hidden += 1;
                } else {
                    out.push(Element {
                        symbol: "-",
                        key: None,
                        text: show(a),
                    });
                }
            }
            for b in n.iter().filter(|b| !o.contains(b)) {
                out.push(Element {
                    symbol: "+",
                    key: None,
                    text: show(b),
                });
            }
        }
        (Collection::Seq { items: o, .. }, Collection::Seq { items: n, .. })
            if o.len() == n.len() =>
        {
            for (a, b) in o.iter().zip(n.iter()) {
                if same(a, b) && b.is_wholly_known() {
                    hidden += 1;
                } else {
                    out.push(Element {
                        symbol: "~",
                        key: None,
                        text: format!("{} -> {}", show(a), show(b)),
                    });
                }
            }
        }
        (Collection::Seq { items: o, .. }, Collection::Seq { items: n, .. }) => {
            let o_text: Vec<String> = o.iter().map(|v| show(&super::normalise(v))).collect();
            let n_text: Vec<String> = n.iter().map(|v| show(&super::normalise(v))).collect();
            for op in similar::capture_diff_slices(similar::Algorithm::Myers, &o_text, &n_text) {
                match op.tag() {
                    similar::DiffTag::Equal => hidden += op.old_range().len(),
                    similar::DiffTag::Delete => {
                        out.extend(op.old_range().map(|i| Element {
                            symbol: "-",
                            key: None,
                            text: show(&o[i]),
                        }));
                    }
                    similar::DiffTag::Insert => {
                        out.extend(op.new_range().map(|i| Element {
                            symbol: "+",
                            key: None,
                            text: show(&n[i]),
                        }));
                    }
                    similar::DiffTag::Replace => {
                        out.extend(op.old_range().map(|i| Element {
                            symbol: "-",
                            key: None,
                            text: show(&o[i]),
                        }));
                        out.extend(op.new_range().map(|i| Element {
                            symbol: "+",
                            key: None,
                            text: show(&n[i]),
                        }));
                    }
                }
            }
        }
        _ => return None,
    }
    Some((out, hidden))
}

/// A collection's lines after `name = `: the opening bracket (with `suffix`, such as
/// `# forces replacement`), one element per line with map keys aligned, the unchanged count, and the
/// closing bracket followed by `tail` (` -> null`, ` -> (known after apply)`).
fn collection_text(
    map: bool,
    elements: &[Element],
    hidden: usize,
    pad: &str,
    suffix: &str,
    tail: &str,
    color: bool,
) -> String {
    let (open, close) = if map { ("{", "}") } else { ("[", "]") };
    let key_width = elements
        .iter()
        .filter_map(|e| e.key.as_ref().map(|k| k.chars().count()))
        .max()
        .unwrap_or(0);
    let mut text = format!("{open}{suffix}\n");
    for e in elements {
        let symbol = painted_symbol(color, e.symbol);
        let _ = match &e.key {
            Some(k) => writeln!(text, "{pad}    {symbol} {k:<key_width$} = {}", e.text),
            None => writeln!(text, "{pad}    {symbol} {},", e.text),
        };
    }
    if hidden > 0 {
        let _ = writeln!(
            text,
            "{pad}      # ({hidden} unchanged element{} hidden)",
            if hidden == 1 { "" } else { "s" }
        );
    }
    let _ = write!(text, "{pad}  {close}{tail}");
    text
}

/// How an attribute's value reads after `name = `, one element per line for a non-empty collection:
/// `symbol` is the attribute's own (`+` created, `-` removed, ` ` unchanged, `~` updated). `None`
/// when the value is printed inline.
fn attribute_text(
    symbol: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    set: bool,
    pad: &str,
    suffix: &str,
    color: bool,
) -> Option<String> {
    let old_c = old.and_then(|v| collection(v, set));
    let new_c = new.and_then(|v| collection(v, set));
    match symbol {
        "+" | " " => {
            let c = new_c?;
            let element_symbol = if symbol == "+" { "+" } else { " " };
            let map = matches!(c, Collection::Map(_));
            let elements = elements(&c, element_symbol);
            Some(collection_text(map, &elements, 0, pad, suffix, "", color))
        }
        "-" => {
            let c = old_c?;
            let map = matches!(c, Collection::Map(_));
            let elements = elements(&c, "-");
            Some(collection_text(
                map, &elements, 0, pad, suffix, " -> null", color,
            ))
        }
        _ => match (old_c, new_c) {
            (Some(o), Some(n)) => {
                let map = matches!(o, Collection::Map(_));
                let (elements, hidden) = element_changes(&o, &n)?;
                Some(collection_text(
                    map, &elements, hidden, pad, suffix, "", color,
                ))
            }
            // A collection becoming unknown: what it held, then what it becomes.
            (Some(o), None) if new.is_some_and(Value::is_unknown) => {
                let map = matches!(o, Collection::Map(_));
                let elements = elements(&o, "-");
                Some(collection_text(
                    map,
                    &elements,
                    0,
                    pad,
                    suffix,
                    " -> (known after apply)",
                    color,
                ))
            }
            _ => None,
        },
    }
}

/// A line's change symbol in its colour: `+` green, `-` red, `~` yellow, anything else a space.
fn painted_symbol(color: bool, symbol: &str) -> String {
    match symbol {
        "+" => paint(color, "32", "+"),
        "-" => paint(color, "31", "-"),
        "~" => paint(color, "33", "~"),
        _ => " ".into(),
    }
}

fn quote_key(k: &str) -> String {
    serde_json::Value::String(k.to_string()).to_string()
}

fn is_block(value: &Value) -> bool {
    matches!(value.unmark().0, Value::List(items) | Value::Set(items) if !items.is_empty() && items.iter().all(|i| matches!(i.unmark().0, Value::Map(_))))
}

/// Render the attributes of one object (or nested block) at `indent`.
#[allow(clippy::too_many_arguments)]
fn render_body(
    out: &mut String,
    before: Option<&BTreeMap<String, Value>>,
    after: Option<&BTreeMap<String, Value>>,
    action: Action,
    forces: &[String],
    indent: usize,
    color: bool,
    schema: Option<&crate::schema::BlockSchema>,
    changed: Option<&[String]>,
) {
    let empty = BTreeMap::new();
    let b = before.unwrap_or(&empty);
    let a = after.unwrap_or(&empty);
    let mut names: Vec<&String> = b.keys().chain(a.keys()).collect();
    names.sort();
    names.dedup();
    let pad = " ".repeat(indent);
    let mut lines: Vec<(String, String, String, String)> = Vec::new(); // (symbol, name, value, suffix)
    let mut blocks: Vec<(&String, Option<&Value>, Option<&Value>)> = Vec::new();
    let mut hidden = 0;
    let mut hidden_blocks = 0;
    for name in names {
        if name == "timeouts" {
            continue;
        }
        // An absent nested block is an empty list: not worth a line, as in Terraform.
        let is_schema_block = schema.is_some_and(|s| s.block(name).is_some());
        // A secret the state keeps only as a digest reads back as a sensitive null: it is set.
        let empty = |v: &&Value| {
            matches!(v, Value::Null)
                || (is_schema_block && v.as_list().is_some_and(|l| l.is_empty()))
        };
        let old = b.get(name).filter(|v| !empty(v));
        let new = a.get(name).filter(|v| !empty(v));
        if old.is_some_and(is_block) || new.is_some_and(is_block) {
            if action == Action::Update && old.map(super::normalise) == new.map(super::normalise) {
                hidden_blocks += 1;
                continue;
            }
            blocks.push((name, old, new));
            continue;
        }
        let suffix = if forces.iter().any(|f| f == name) {
            " # forces replacement".to_string()
        } else {
            String::new()
        };
        let set = schema
            .and_then(|s| s.attribute(name))
            .is_some_and(|a| matches!(a.ty, crate::lang::Type::Set(_)));
        // A non-empty collection goes one element per line, its suffix after the bracket.
        let mut push = |symbol: &str, old: Option<&Value>, new: Option<&Value>, inline: String| {
            match attribute_text(symbol, old, new, set, &pad, &suffix, color) {
                Some(text) => lines.push((symbol.into(), name.clone(), text, String::new())),
                None => lines.push((symbol.into(), name.clone(), inline, suffix.clone())),
            }
        };
        match (old, new) {
            (None, None) => {}
            (None, Some(v)) => push("+", None, Some(v), show(v)),
            (Some(v), None) => push("-", Some(v), None, format!("{} -> null", show(v))),
            (Some(o), Some(n))
                if matches!(o, Value::Sensitive(_)) || matches!(n, Value::Sensitive(_)) =>
            {
                // Secrets are compared by the diff through their digests: trust its verdict.
                let same = match changed {
                    Some(changed) => !changed.iter().any(|c| c == name),
                    None => n.is_wholly_known() && super::normalise(o) == super::normalise(n),
                };
                if same && action != Action::Create {
                    hidden += 1;
                } else if n.is_unknown() {
                    lines.push((
                        "~".into(),
                        name.clone(),
                        format!("{} -> {}", show(o), show(n)),
                        suffix,
                    ));
                } else {
                    lines.push(("~".into(), name.clone(), show(n), suffix));
                }
            }
            (Some(o), Some(n)) => {
                // Unknown on both sides only happens for an import: nothing to show yet.
                let same = (o.is_unknown() && n.is_unknown())
                    || (n.is_wholly_known() && super::normalise(o) == super::normalise(n));
                if same {
                    if CONTEXT.contains(&name.as_str()) || action == Action::Create {
                        push(" ", Some(o), Some(n), show(n));
                    } else {
                        hidden += 1;
                    }
                } else {
                    push("~", Some(o), Some(n), format!("{} -> {}", show(o), show(n)));
                }
            }
        }
    }
    let width = lines.iter().map(|l| l.1.len()).max().unwrap_or(0);
    for (symbol, name, value, suffix) in &lines {
        let symbol_text = painted_symbol(color, symbol);
        let _ = writeln!(out, "{pad}{symbol_text} {name:<width$} = {value}{suffix}");
    }
    if hidden > 0 {
        let _ = writeln!(
            out,
            "{pad}  # ({hidden} unchanged attribute{} hidden)",
            if hidden == 1 { "" } else { "s" }
        );
    }
    for (name, old, new) in blocks {
        let old_items: Vec<&Value> = old
            .and_then(|v| v.as_list())
            .map(|l| l.iter().collect())
            .unwrap_or_default();
        let new_items: Vec<&Value> = new
            .and_then(|v| v.as_list())
            .map(|l| l.iter().collect())
            .unwrap_or_default();
        let count = old_items.len().max(new_items.len());
        for i in 0..count {
            let o = old_items.get(i).and_then(|v| v.as_map());
            let n = new_items.get(i).and_then(|v| v.as_map());
            let (symbol, inner_action) = match (o, n) {
                (None, Some(_)) => ("+", Action::Create),
                (Some(_), None) => ("-", Action::Delete),
                _ => ("~", Action::Update),
            };
            if symbol == "~"
                && o.map(|m| super::normalise(&Value::map(m.clone())))
                    == n.map(|m| super::normalise(&Value::map(m.clone())))
            {
                hidden_blocks += 1;
                continue;
            }
            let shown_symbol = if action == Action::Create {
                "+"
            } else if action == Action::Delete {
                "-"
            } else {
                symbol
            };
            let _ = writeln!(
                out,
                "\n{pad}{} {name} {{",
                painted_symbol(color, shown_symbol)
            );
            let inner = if action == Action::Create || action == Action::Delete {
                action
            } else {
                inner_action
            };
            let nested = schema.and_then(|s| s.block(name)).map(|b| &b.block);
            // `sku[0].family` forces replacement: inside `sku` block 0 that is `family`.
            let prefix = format!("{name}[{i}].");
            let nested_forces: Vec<String> = forces
                .iter()
                .filter_map(|f| f.strip_prefix(&prefix).map(str::to_string))
                .collect();
            render_body(
                out,
                if inner == Action::Create { None } else { o },
                if inner == Action::Delete { None } else { n },
                inner,
                &nested_forces,
                indent + 4,
                color,
                nested,
                None,
            );
            let _ = writeln!(out, "{pad}  }}");
        }
    }
    if hidden_blocks > 0 {
        let _ = writeln!(
            out,
            "\n{pad}  # ({hidden_blocks} unchanged block{} hidden)",
            if hidden_blocks == 1 { "" } else { "s" }
        );
    }
}

pub(crate) fn render_change(out: &mut String, change: &ResourceChange, color: bool) {
    let _ = writeln!(out, "  {}", headline(change));
    let symbol = change.action.symbol();
    let kind = if change.addr.resource.mode == crate::config::addr::Mode::Data {
        "data"
    } else {
        "resource"
    };
    let painted = match change.action {
        Action::Create => paint(color, "32", symbol),
        Action::Delete => paint(color, "31", symbol),
        Action::Update => paint(color, "33", symbol),
        Action::DeleteThenCreate | Action::CreateThenDelete => paint(color, "35", symbol),
        _ => symbol.to_string(),
    };
    let lead = match symbol.len() {
        3 => String::new(),
        2 => " ".into(),
        _ => "  ".into(),
    };
    let _ = writeln!(
        out,
        "{lead}{painted} {kind} \"{}\" \"{}\" {{",
        change.addr.resource.type_name,
        // Terraform names the resource without its key here; the headline has the full address.
        change.addr.resource.name
    );
    let forces: Vec<String> = change
        .replace_reasons
        .iter()
        .filter_map(|r| r.attribute.clone())
        .collect();
    let after = change.after.as_ref().and_then(|v| v.as_map());
    // An imported object has no prior state here: show it as it will be, unchanged.
    let before = match (&change.before, change.importing.is_some()) {
        (None, true) => after,
        (before, _) => before.as_ref().and_then(|v| v.as_map()),
    };
    let action = match change.action {
        Action::NoOp => Action::Update,
        Action::Forget => Action::Update,
        other => other,
    };
    let schema = crate::schema::resource(&change.type_name).map(|s| &s.block);
    render_body(
        out,
        if action == Action::Create || action == Action::Read {
            None
        } else {
            before
        },
        if action == Action::Delete {
            None
        } else {
            after
        },
        action,
        &forces,
        6,
        color,
        schema,
        // A replaced object's secrets are new: only updates compare them.
        (change.action == Action::Update).then_some(change.changed.as_slice()),
    );
    // Reasons no attribute line carries, and every domain rule with its id.
    for reason in change
        .replace_reasons
        .iter()
        .filter(|r| r.attribute.is_none() || r.rule.is_some())
    {
        let _ = writeln!(out, "      # {}", reason_text(reason));
    }
    let _ = writeln!(out, "    }}\n");
}

/// The whole human plan.
/// The changes a plan shows (no-ops only when imported or moved), sorted by address as Terraform
/// lists them, whatever order they were evaluated in.
pub(crate) fn visible_changes(plan: &Plan) -> Vec<&ResourceChange> {
    let mut visible: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.action != Action::NoOp || c.importing.is_some() || c.prev_addr.is_some())
        .collect();
    visible.sort_by_cached_key(|c| c.addr.to_string());
    visible
}

pub fn render(plan: &Plan, options: &HumanOptions<'_>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Cloud: {}\n", options.cloud);
    let visible = visible_changes(plan);
    let has_outputs = plan
        .outputs
        .iter()
        .any(|o| o.before.as_ref().map(super::normalise) != Some(super::normalise(&o.after)));
    if visible.is_empty() && !has_outputs {
        let _ = writeln!(
            out,
            "No changes. Your infrastructure matches the configuration.\n"
        );
        let _ = writeln!(
            out,
            "peerform has compared your real infrastructure against your configuration and found no differences, so no changes are needed."
        );
        return out;
    }
    let used: std::collections::BTreeSet<Action> = visible.iter().map(|c| c.action).collect();
    let _ = writeln!(
        out,
        "peerform used the selected providers to generate the following execution plan. Resource actions are indicated with the following symbols:"
    );
    for (action, text) in [
        (Action::Create, "  + create"),
        (Action::Update, "  ~ update in-place"),
        (Action::Delete, "  - destroy"),
        (
            Action::DeleteThenCreate,
            "-/+ destroy and then create replacement",
        ),
        (
            Action::CreateThenDelete,
            "+/- create replacement and then destroy",
        ),
        (Action::Read, " <= read (data resources)"),
        (Action::Forget, "  . forget"),
    ] {
        if used.contains(&action) {
            let _ = writeln!(out, "{text}");
        }
    }
    let _ = writeln!(out, "\npeerform will perform the following actions:\n");
    for change in &visible {
        render_change(&mut out, change, options.color);
    }
    let (add, change, destroy) = plan.counts();
    let imports = plan
        .changes
        .iter()
        .filter(|c| c.importing.is_some())
        .count();
    let forgets = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Forget)
        .count();
    let mut summary = if imports > 0 {
        format!(
            "Plan: {imports} to import, {add} to add, {change} to change, {destroy} to destroy."
        )
    } else {
        format!("Plan: {add} to add, {change} to change, {destroy} to destroy.")
    };
    if forgets > 0 {
        summary.pop();
        summary.push_str(&format!(", {forgets} to forget."));
    }
    // Moves alone still get the line (they are changes to apply), as in Terraform.
    if plan.mode == Mode::Destroy || !visible.is_empty() {
        let _ = writeln!(out, "{}", paint(options.color, "1", &summary));
    }
    if has_outputs {
        let color = options.color;
        let _ = writeln!(out, "\nChanges to Outputs:");
        let width = plan.outputs.iter().map(|o| o.name.len()).max().unwrap_or(0);
        for o in &plan.outputs {
            let name = format!("{:<width$}", o.name);
            let after = if o.sensitive {
                "(sensitive value)".to_string()
            } else {
                show(&o.after)
            };
            match &o.before {
                None => {
                    let after = match o.sensitive {
                        false => attribute_text("+", None, Some(&o.after), false, "  ", "", color),
                        true => None,
                    }
                    .unwrap_or(after);
                    let _ = writeln!(out, "  + {name} = {after}");
                }
                Some(b) if super::normalise(b) != super::normalise(&o.after) => {
                    let secret = o.sensitive || b.contains_sensitive();
                    let text = match secret {
                        false => {
                            attribute_text("~", Some(b), Some(&o.after), false, "  ", "", color)
                        }
                        true => None,
                    };
                    let text = text.unwrap_or_else(|| {
                        let before = if secret {
                            "(sensitive value)".to_string()
                        } else {
                            show(b)
                        };
                        format!("{before} -> {after}")
                    });
                    let _ = writeln!(out, "  ~ {name} = {text}");
                }
                _ => {}
            }
        }
    }
    if !plan.steps.is_empty() {
        let _ = writeln!(out, "\nExecution order:");
        for (w, wave) in plan.waves.iter().enumerate() {
            let _ = writeln!(out, "  Wave {}:", w + 1);
            for &n in wave {
                let step = &plan.steps[n - 1];
                let change = &plan.changes[step.change];
                let after = if step.depends_on.is_empty() {
                    String::new()
                } else {
                    format!(
                        " (after {})",
                        step.depends_on
                            .iter()
                            .map(|d| d.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    )
                };
                let what = match step.kind {
                    StepKind::ProviderGate => format!(
                        "wait until {} is Provisioned by its service provider",
                        change.addr
                    ),
                    kind => format!("{} {}", kind.verb(), change.addr),
                };
                let _ = writeln!(out, "    {n:>3}. {what}{after}");
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(items: &[&str]) -> Value {
        Value::List(items.iter().map(|s| Value::string(*s)).collect())
    }

    fn text(
        symbol: &str,
        old: Option<&Value>,
        new: Option<&Value>,
        set: bool,
        suffix: &str,
    ) -> String {
        attribute_text(symbol, old, new, set, "      ", suffix, false).expect("a collection")
    }

    #[test]
    fn a_changed_map_shows_only_the_changed_keys() {
        let old = Value::object([
            ("env", Value::string("dev")),
            ("owner", Value::string("net")),
            ("site", Value::string("ams")),
        ]);
        let new = Value::object([
            ("env", Value::string("prod")),
            ("owner", Value::string("net")),
            ("team", Value::string("x")),
        ]);
        assert_eq!(
            text("~", Some(&old), Some(&new), false, ""),
            "{\n          ~ \"env\"  = \"dev\" -> \"prod\"\n          - \"site\" = \"ams\" -> null\n          + \"team\" = \"x\"\n            # (1 unchanged element hidden)\n        }"
        );
    }

    #[test]
    fn lists_of_one_length_change_position_by_position_and_others_by_subsequence() {
        let same_length = text(
            "~",
            Some(&strings(&["a", "b"])),
            Some(&strings(&["a", "c"])),
            false,
            "",
        );
        assert_eq!(
            same_length,
            "[\n          ~ \"b\" -> \"c\",\n            # (1 unchanged element hidden)\n        ]"
        );
        let grown = text(
            "~",
            Some(&strings(&["10.0.0.0/16"])),
            Some(&strings(&["10.0.0.0/16", "10.1.0.0/16"])),
            false,
            " # forces replacement",
        );
        assert_eq!(
            grown,
            "[ # forces replacement\n          + \"10.1.0.0/16\",\n            # (1 unchanged element hidden)\n        ]"
        );
    }

    #[test]
    fn sets_compare_by_value_not_position() {
        let changed = text(
            "~",
            Some(&strings(&["b", "a"])),
            Some(&strings(&["a", "c"])),
            true,
            "",
        );
        assert_eq!(
            changed,
            "[\n          - \"b\",\n          + \"c\",\n            # (1 unchanged element hidden)\n        ]"
        );
    }

    #[test]
    fn removed_and_unknown_collections_close_with_their_fate() {
        let old = strings(&["10.0.0.4"]);
        assert_eq!(
            text("-", Some(&old), None, false, ""),
            "[\n          - \"10.0.0.4\",\n        ] -> null"
        );
        assert_eq!(
            text("~", Some(&old), Some(&Value::Unknown), false, ""),
            "[\n          - \"10.0.0.4\",\n        ] -> (known after apply)"
        );
        // Empty collections and scalars stay inline.
        assert!(attribute_text("+", None, Some(&strings(&[])), false, "", "", false).is_none());
        assert!(
            attribute_text("+", None, Some(&Value::string("x")), false, "", "", false).is_none()
        );
    }
}
