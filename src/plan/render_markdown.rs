//! The plan as a pull-request comment in Markdown: it opens with what is destroyed or replaced and
//! why (replace reasons with their rule ids), then a summary table, a collapsible `<details>` per
//! resource with its diff, and a Mermaid flowchart of the steps. It never exceeds GitHub's 65,536
//! character limit: when the whole plan does not fit it leaves out details (and, if need be, the
//! chart and the longest lists) and says what it left out. Pure: it returns a string.

use super::model::{Action, ActionReason, Mode, Plan, ResourceChange, StepKind};
use super::render_human::render_change;
use crate::diag::Severity;
use std::fmt::Write as _;

/// GitHub's limit on a comment's length.
pub const COMMENT_LIMIT: usize = 65_536;

/// Room kept for the closing note about what was left out.
const NOTE_RESERVE: usize = 1_024;
/// The opening sections (errors, what is destroyed, the summary) take at most this much.
const HEAD_BUDGET: usize = 24_000;
/// The chart is left out beyond this many steps (GitHub's Mermaid also refuses very large charts).
const CHART_MAX_STEPS: usize = 200;
/// The chart is left out beyond this many characters.
const CHART_MAX_CHARS: usize = 16_000;

pub struct MarkdownOptions<'a> {
    /// Where the plan would act.
    pub cloud: &'a str,
    /// How the reader can see the whole plan (`peerform show plan.out`), named when details are cut.
    pub full_plan_hint: &'a str,
    /// The size limit (defaults to [`COMMENT_LIMIT`]; tests use smaller ones).
    pub limit: usize,
}

impl Default for MarkdownOptions<'_> {
    fn default() -> Self {
        MarkdownOptions {
            cloud: "",
            full_plan_hint: "peerform show PLANFILE",
            limit: COMMENT_LIMIT,
        }
    }
}

/// Text safe inside a Markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// An address in inline code (backticks inside are not expected in addresses, but are escaped).
fn code(text: &str) -> String {
    format!("`{}`", text.replace('`', "'"))
}

/// Text safe inside HTML (the `<summary>` line).
fn html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn action_words(action: Action) -> &'static str {
    match action {
        Action::NoOp => "no change",
        Action::Create => "create",
        Action::Update => "update in place",
        Action::DeleteThenCreate => "replace (destroy, then create)",
        Action::CreateThenDelete => "replace (create, then destroy)",
        Action::Delete => "destroy",
        Action::Read => "read",
        Action::Forget => "forget (left in Azure)",
    }
}

/// Why an object goes away, for the opening table.
fn why(change: &ResourceChange, mode: Mode) -> String {
    if change.action == Action::Delete && mode == Mode::Destroy {
        return "destroy requested".into();
    }
    if change.action == Action::Delete {
        let addr = &change.addr;
        return match change.action_reason {
            Some(ActionReason::DeleteBecauseNoModule) => {
                format!("{} is not in configuration", addr.resource.module)
            }
            Some(ActionReason::DeleteBecauseCountIndex) => format!(
                "index {} is out of range for count",
                addr.key.as_ref().map(|k| k.to_string()).unwrap_or_default()
            ),
            Some(ActionReason::DeleteBecauseEachKey) => format!(
                "key {} is not in for_each",
                addr.key.as_ref().map(|k| k.to_string()).unwrap_or_default()
            ),
            _ => format!("{addr} is not in configuration"),
        };
    }
    let reasons: Vec<String> = change
        .replace_reasons
        .iter()
        .map(|r| match (&r.rule, &r.attribute) {
            (Some(rule), _) => format!("**{rule}** {}", r.message),
            (None, Some(attr)) => format!("{} forces replacement", code(attr)),
            (None, None) => r.message.clone(),
        })
        .collect();
    if reasons.is_empty() {
        "replacement".into()
    } else {
        reasons.join("; ")
    }
}

fn counts_line(plan: &Plan) -> String {
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
    let mut line = String::from("Plan: ");
    if imports > 0 {
        let _ = write!(line, "{imports} to import, ");
    }
    let _ = write!(
        line,
        "{add} to add, {change} to change, {destroy} to destroy"
    );
    if forgets > 0 {
        let _ = write!(line, ", {forgets} to forget");
    }
    line.push('.');
    line
}

/// The visible changes, in address order as the human plan lists them.
fn visible(plan: &Plan) -> Vec<&ResourceChange> {
    super::render_human::visible_changes(plan)
}

fn detail_block(change: &ResourceChange) -> String {
    let mut human = String::new();
    render_change(&mut human, change, false);
    let mut body = String::new();
    for line in human.trim_end().lines() {
        // GitHub colours a `diff` block by each line's first character: move the symbol there.
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let moved = ["-/+ ", "+/- ", "+ ", "- ", "~ ", "<= "]
            .iter()
            .find(|p| trimmed.starts_with(*p))
            .map(|p| {
                let symbol = p.trim_end();
                let shown = if symbol == "~" { "!" } else { symbol };
                let rest = &trimmed[p.len()..];
                let pad = (indent + p.len()).saturating_sub(shown.len());
                format!("{shown}{}{rest}", " ".repeat(pad))
            });
        body.push_str(moved.as_deref().unwrap_or(line));
        body.push('\n');
    }
    let summary = format!(
        "<code>{}</code> {}",
        html(&format!(
            "{} {}",
            change.action.symbol().trim(),
            change.addr
        )),
        html(action_words(change.action))
    );
    // A fence longer than any backtick run inside keeps the block closed.
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!("<details><summary>{summary}</summary>\n\n{fence}diff\n{body}{fence}\n\n</details>\n")
}

/// The steps as a Mermaid flowchart (also used by `graph --format mermaid --plan`).
pub fn mermaid_steps(plan: &Plan) -> String {
    let mut out = String::from("flowchart TD\n");
    for step in &plan.steps {
        let Some(change) = plan.changes.get(step.change) else {
            continue;
        };
        let what = match step.kind {
            StepKind::ProviderGate => format!("wait until {} is Provisioned", change.addr),
            kind => format!("{} {}", kind.verb(), change.addr),
        };
        let label = format!("{}. {what}", step.number)
            .replace('"', "#quot;")
            .replace('<', "#lt;")
            .replace('>', "#gt;");
        let class = match step.kind {
            StepKind::Create => "create",
            StepKind::Update => "update",
            StepKind::Delete | StepKind::DeleteDeposed => "delete",
            StepKind::ProviderGate => "gate",
            StepKind::Read | StepKind::Forget => "other",
        };
        let _ = writeln!(out, "  s{}[\"{label}\"]:::{class}", step.number);
    }
    for step in &plan.steps {
        for d in &step.depends_on {
            let _ = writeln!(out, "  s{d} --> s{}", step.number);
        }
    }
    out.push_str("  classDef create fill:#e6ffec,stroke:#1a7f37\n");
    out.push_str("  classDef update fill:#fff8c5,stroke:#9a6700\n");
    out.push_str("  classDef delete fill:#ffebe9,stroke:#cf222e\n");
    out.push_str("  classDef gate fill:#ddf4ff,stroke:#0969da\n");
    out.push_str("  classDef other fill:#f6f8fa,stroke:#57606a\n");
    out
}

/// Render the comment.
pub fn render(plan: &Plan, options: &MarkdownOptions<'_>) -> String {
    let limit = options.limit.max(4 * NOTE_RESERVE);
    let mut left_out: Vec<String> = Vec::new();
    let mut head = String::new();
    let errored = plan.diagnostics.iter().any(|d| d.is_error());
    let changes = visible(plan);

    let _ = writeln!(head, "## peerform plan\n");
    if !options.cloud.is_empty() {
        let _ = writeln!(head, "Cloud: {}\n", options.cloud);
    }

    // Errors and warnings first: a failed plan must not look like a harmless one.
    for severity in [Severity::Error, Severity::Warning, Severity::Info] {
        let list: Vec<_> = plan
            .diagnostics
            .iter()
            .filter(|d| d.severity == severity)
            .collect();
        if list.is_empty() {
            continue;
        }
        let (kind, title) = match severity {
            Severity::Error => ("CAUTION", "The plan failed"),
            Severity::Warning => ("WARNING", "Warnings"),
            Severity::Info => ("NOTE", "Notes"),
        };
        let _ = writeln!(head, "> [!{kind}]\n> **{title}**");
        for d in list {
            let address = d
                .address
                .as_deref()
                .map(|a| format!(" ({})", code(a)))
                .unwrap_or_default();
            let _ = writeln!(
                head,
                ">\n> **{}**{address}: {}",
                cell(&d.summary),
                d.detail.replace('\n', "\n> ")
            );
        }
        head.push('\n');
    }

    if changes.is_empty() && !plan.has_changes() {
        let _ = writeln!(
            head,
            "**No changes.** Your infrastructure matches the configuration."
        );
        return finish(head, left_out, options, limit);
    }

    // What goes away, and why.
    let going: Vec<&&ResourceChange> = changes.iter().filter(|c| c.action.destroys()).collect();
    let _ = writeln!(head, "**{}**\n", counts_line(plan));
    if going.is_empty() {
        let _ = writeln!(head, "Nothing is destroyed or replaced.\n");
    } else {
        let destroyed = going.iter().filter(|c| c.action == Action::Delete).count();
        let replaced = going.len() - destroyed;
        let mut title = Vec::new();
        if destroyed > 0 {
            title.push(format!("{destroyed} destroyed"));
        }
        if replaced > 0 {
            title.push(format!("{replaced} replaced"));
        }
        let _ = writeln!(head, "### Destroyed or replaced: {}\n", title.join(", "));
        let _ = writeln!(head, "| Resource | Action | Why |\n|---|---|---|");
        let mut shown = 0;
        for change in &going {
            let row = format!(
                "| {} | {} | {} |\n",
                code(&change.addr.to_string()),
                action_words(change.action),
                cell(&why(change, plan.mode))
            );
            if head.len() + row.len() > HEAD_BUDGET.min(limit / 2) {
                break;
            }
            head.push_str(&row);
            shown += 1;
        }
        if shown < going.len() {
            let _ = writeln!(head, "| … | | {} more not listed |", going.len() - shown);
            left_out.push(format!(
                "{} of the {} destroyed or replaced resources in the table above",
                going.len() - shown,
                going.len()
            ));
        }
        head.push('\n');
    }

    // Summary by action.
    let _ = writeln!(head, "### Summary\n\n| Action | Resources |\n|---|---:|");
    for action in [
        Action::Create,
        Action::Update,
        Action::DeleteThenCreate,
        Action::CreateThenDelete,
        Action::Delete,
        Action::Read,
        Action::Forget,
    ] {
        let n = changes.iter().filter(|c| c.action == action).count();
        if n > 0 {
            let _ = writeln!(
                head,
                "| {} {} | {n} |",
                action.symbol().trim(),
                action_words(action)
            );
        }
    }
    let moved = changes.iter().filter(|c| c.prev_addr.is_some()).count();
    if moved > 0 {
        let _ = writeln!(head, "| moved (address only) | {moved} |");
    }
    let imported = changes.iter().filter(|c| c.importing.is_some()).count();
    if imported > 0 {
        let _ = writeln!(head, "| imported | {imported} |");
    }
    let outputs = plan
        .outputs
        .iter()
        .filter(|o| o.before.as_ref().map(super::normalise) != Some(super::normalise(&o.after)))
        .count();
    if outputs > 0 {
        let _ = writeln!(head, "| outputs changed | {outputs} |");
    }
    head.push('\n');

    // The chart, when it is small enough to be drawn.
    let chart = if plan.steps.is_empty() {
        None
    } else if plan.steps.len() > CHART_MAX_STEPS {
        left_out.push(format!(
            "the execution order chart ({} steps; charts are drawn up to {CHART_MAX_STEPS})",
            plan.steps.len()
        ));
        None
    } else {
        let chart = format!(
            "### Execution order\n\n```mermaid\n{}```\n",
            mermaid_steps(plan)
        );
        if chart.len() > CHART_MAX_CHARS || head.len() + chart.len() + NOTE_RESERVE > limit {
            left_out.push(format!(
                "the execution order chart ({} steps)",
                plan.steps.len()
            ));
            None
        } else {
            Some(chart)
        }
    };

    // Details, as many as fit.
    let mut details = String::new();
    if !changes.is_empty() {
        details.push_str("### Changes\n\n");
    }
    let room = limit
        .saturating_sub(head.len())
        .saturating_sub(chart.as_ref().map_or(0, String::len))
        .saturating_sub(NOTE_RESERVE);
    let mut dropped = 0;
    for change in &changes {
        let block = detail_block(change);
        if details.len() + block.len() + 1 > room {
            dropped += 1;
            continue;
        }
        details.push_str(&block);
        details.push('\n');
    }
    if dropped > 0 {
        left_out.push(format!(
            "the details of {dropped} of {} resources",
            changes.len()
        ));
    }
    let mut text = head;
    text.push_str(&details);
    if let Some(chart) = chart {
        text.push_str(&chart);
    }
    if errored {
        let _ = writeln!(
            text,
            "\n_The plan has errors: it cannot be applied until they are fixed._"
        );
    }
    finish(text, left_out, options, limit)
}

/// 65536 → "65,536".
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn finish(
    mut text: String,
    left_out: Vec<String>,
    options: &MarkdownOptions<'_>,
    limit: usize,
) -> String {
    if !left_out.is_empty() {
        let mut note = format!(
            "\n> [!NOTE]\n> **Left out to stay under the {}-character comment limit:** {}. Run `{}` for the whole plan.\n",
            thousands(limit),
            left_out.join("; "),
            options.full_plan_hint
        );
        if note.len() > NOTE_RESERVE {
            note = format!(
                "\n> [!NOTE]\n> Parts of the plan were left out to stay under the {}-character comment limit. Run `{}` for the whole plan.\n",
                thousands(limit),
                options.full_plan_hint
            );
        }
        text.push_str(&note);
    }
    if text.len() > limit {
        // The reserves make this unreachable in practice; cut on a character boundary all the same.
        let mut cut = limit.saturating_sub(64);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        text.push_str("\n\n_(cut at the comment limit)_\n");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::addr::{Mode as AddrMode, ModulePath, ResourceAddr, ResourceInstanceAddr};
    use crate::lang::Value;

    fn change(i: usize, action: Action) -> ResourceChange {
        let addr = ResourceInstanceAddr {
            resource: ResourceAddr {
                module: ModulePath::root(),
                mode: AddrMode::Managed,
                type_name: "azurerm_resource_group".into(),
                name: "many".into(),
            },
            key: Some(crate::config::addr::InstanceKey::Int(i as i64)),
        };
        let value = Value::object([
            (
                "name",
                Value::string(format!("rg-{i:05}-{}", "x".repeat(200))),
            ),
            ("location", Value::string("westeurope")),
        ]);
        ResourceChange {
            addr,
            prev_addr: None,
            type_name: "azurerm_resource_group".into(),
            action,
            before: (action != Action::Create).then(|| value.clone()),
            after: (action != Action::Delete).then_some(value),
            changed: vec![],
            replace_reasons: vec![],
            action_reason: Some(ActionReason::DeleteBecauseCountIndex),
            importing: None,
            prior_id: None,
            provider_alias: None,
            dependencies: vec![],
            create_before_destroy: false,
        }
    }

    fn plan(n: usize, action: Action) -> Plan {
        let mut plan = Plan {
            changes: (0..n).map(|i| change(i, action)).collect(),
            ..Plan::default()
        };
        let (steps, waves) = super::super::schedule(&plan.changes);
        plan.steps = steps;
        plan.waves = waves;
        plan
    }

    #[test]
    fn never_over_the_limit_and_says_what_it_left_out() {
        for (n, action) in [
            (10, Action::Create),
            (3_000, Action::Create),
            (20_000, Action::Delete),
        ] {
            for limit in [COMMENT_LIMIT, 10_000] {
                let options = MarkdownOptions {
                    limit,
                    ..MarkdownOptions::default()
                };
                let text = render(&plan(n, action), &options);
                assert!(text.len() <= limit, "{n} changes: {} > {limit}", text.len());
                if n > 100 {
                    assert!(text.contains("Left out to stay under"), "{n}: no note");
                }
                if action == Action::Delete {
                    assert!(text.starts_with("## peerform plan"));
                    assert!(text.contains("### Destroyed or replaced"), "destroys lead");
                }
            }
        }
    }

    #[test]
    fn small_plans_are_whole() {
        let text = render(&plan(3, Action::Delete), &MarkdownOptions::default());
        assert!(!text.contains("Left out"));
        assert_eq!(text.matches("<details>").count(), 3);
        assert!(text.contains("```mermaid\nflowchart TD\n"));
        assert!(text.contains(
            "| `azurerm_resource_group.many[2]` | destroy | index [2] is out of range for count |"
        ));
    }
}
