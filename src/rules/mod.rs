//! ExpressRoute domain rules: what Azure would reject (or what will bite later), checked on the
//! desired graph before anything is touched. Each rule has the reference's id (C6, P4, G1…), a
//! severity, a summary, a detail naming the resources and the fix, and a source link
//! (`reference/expressroute.md` §3). Three kinds:
//!
//! - checks ([`check`]): diagnostics on the desired instances (and the prior state where a rule
//!   needs it). A rule that cannot decide because a value is unknown stays silent;
//! - replacements ([`replacement_reasons`]): C6, C7, C12, W6 turn an update into a replacement;
//! - ordering ([`ordering`]): P3, P16, D1–D6 as edges, gates and serialisation keys.
//!
//! Every diagnostic's summary starts with the rule id in brackets (`[G1] …`) and its detail ends
//! with `Rule G1: <link>`, so the id is visible in human and JSON output alike.
//!
//! Pure: values in, diagnostics out. It must not print, read files or the environment; the
//! reference tables are embedded data (`data.rs`).

mod armid;
mod catalogue;
mod check_circuit;
mod check_gateway;
mod check_geo;
mod check_limits;
mod check_peering;
mod check_routing;
mod data;
mod model;
mod net;
mod ordering;
mod replace;
mod report;

#[cfg(test)]
mod tests;

pub use catalogue::{RULES, RuleInfo, RuleKind, rule, source_url};
pub use ordering::{
    Edge, Gate, GateCondition, Ordering, OrderingObject, Phase, ordering, ordering_of,
};
pub use replace::{
    ReplaceReason, prevent_destroy_diagnostic, replacement_reason, replacement_reasons,
};

use crate::config::addr::ResourceInstanceAddr;
use crate::desired::Desired;
use crate::diag::{Diagnostic, Severity, Span};
use crate::lang::Value;
use std::collections::BTreeMap;

/// What the user chose for one rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Off,
    Info,
    Warning,
    Error,
}

impl Level {
    pub fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "off" => Some(Level::Off),
            "info" => Some(Level::Info),
            "warning" | "warn" => Some(Level::Warning),
            "error" => Some(Level::Error),
            _ => None,
        }
    }
}

/// One `ID = "level"` choice, from `--rule ID=LEVEL` (no span) or a `rules {}` block of
/// `peerform.hcl` (with the span of its line).
#[derive(Clone, Debug)]
pub struct RuleChoice {
    pub id: String,
    pub level: String,
    pub span: Option<Span>,
}

/// How the rules run: per-rule levels chosen by the user, and facts the caller knows.
#[derive(Clone, Debug, Default)]
pub struct RuleSettings {
    levels: BTreeMap<&'static str, Level>,
    /// Subscription id of each `azurerm` provider configuration ("" for the default one, else the
    /// alias), where the configuration states it literally. G10 uses it to tell whether a Global
    /// Reach link crosses subscriptions.
    pub subscriptions: BTreeMap<String, String>,
}

impl RuleSettings {
    /// Apply choices in order (later wins). Unknown ids and levels are errors at the choice's
    /// span; a valid choice still applies when another is wrong.
    pub fn apply(&mut self, choices: &[RuleChoice]) -> Vec<Diagnostic> {
        let mut diagnostics = Vec::new();
        for choice in choices {
            let Some(info) = rule(&choice.id) else {
                let known: Vec<&str> = RULES.iter().map(|r| r.id).collect();
                diagnostics.push(
                    Diagnostic::error(
                        "Unknown rule",
                        format!(
                            "There is no rule \"{}\". `peerform rules` lists them: {}.",
                            choice.id,
                            known.join(", ")
                        ),
                    )
                    .with_span(choice.span),
                );
                continue;
            };
            let Some(level) = Level::parse(&choice.level) else {
                diagnostics.push(
                    Diagnostic::error(
                        "Invalid rule level",
                        format!(
                            "Rule {} can be set to \"off\", \"info\", \"warning\" or \"error\", not \"{}\".",
                            info.id, choice.level
                        ),
                    )
                    .with_span(choice.span),
                );
                continue;
            };
            self.levels.insert(info.id, level);
        }
        diagnostics
    }

    /// The user's level for a rule, if they chose one.
    pub fn level(&self, id: &str) -> Option<Level> {
        self.levels.get(id).copied()
    }

    /// False when the user switched the rule off.
    pub fn enabled(&self, id: &str) -> bool {
        self.level(id) != Some(Level::Off)
    }

    /// The severity a finding of this rule is reported with (`None`: switched off).
    pub fn severity(&self, id: &str, found: Severity) -> Option<Severity> {
        match self.level(id) {
            None => Some(found),
            Some(Level::Off) => None,
            Some(Level::Info) => Some(Severity::Info),
            Some(Level::Warning) => Some(Severity::Warning),
            Some(Level::Error) => Some(Severity::Error),
        }
    }
}

/// Run every enabled check on the desired graph. `prior` gives the recorded state of an instance
/// (the same attribute object as [`crate::desired::Instance::value`]); pass `&|_| None` when there
/// is no state (validate). Diagnostics come back in rule order; callers sort them.
pub fn check(
    desired: &Desired,
    prior: &dyn Fn(&ResourceInstanceAddr) -> Option<Value>,
    settings: &RuleSettings,
) -> Vec<Diagnostic> {
    let model = model::Model::from_desired(desired, settings);
    let mut sink = report::Sink::new(settings);
    check_circuit::run(&model, prior, &mut sink);
    check_peering::run(&model, &mut sink);
    check_limits::run(&model, prior, &mut sink);
    check_geo::run(&model, prior, &mut sink);
    check_gateway::run(&model, &mut sink);
    check_routing::run(&model, &mut sink);
    sink.finish()
}
