//! The provider configurations `apply` acts through: each `provider "azurerm"` block of the root
//! module that sets `subscription_id` reaches that subscription, so a resource with
//! `provider = azurerm.connectivity` is created in the subscription of the block with
//! `alias = "connectivity"` (as azurerm does). A block's `subscription_id` wins over
//! `ARM_SUBSCRIPTION_ID`; a block without one uses the connection's subscription. The expression may
//! use the root module's variables (their values from `--var`, variable files, `TF_VAR_` or their
//! defaults). Data sources read through their provider's subscription too. Objects already in the
//! state are reached through their ARM id, which names their subscription.

use crate::config::{Config, VarSource};
use crate::diag::{Diagnostic, Span};
use crate::lang::{Scope, Step, Value};
use crate::provider::Provider;
use std::collections::HashMap;

/// The providers of a configuration, by alias (`None` for the default block).
pub struct Providers<'a> {
    default: &'a Provider,
    by_alias: HashMap<Option<String>, Provider>,
}

impl<'a> Providers<'a> {
    /// Only the connection made for the command (no configuration at hand).
    #[cfg(test)]
    pub fn single(default: &'a Provider) -> Providers<'a> {
        Providers {
            default,
            by_alias: HashMap::new(),
        }
    }

    /// `default` is the connection made for the command.
    pub fn new(default: &'a Provider, config: &Config) -> anyhow::Result<Providers<'a>> {
        let mut by_alias = HashMap::new();
        for block in config
            .root()
            .providers
            .iter()
            .filter(|p| p.name == "azurerm")
        {
            let Some(attr) = block.body.attribute("subscription_id") else {
                continue;
            };
            let described = match &block.alias {
                Some(alias) => format!("provider \"azurerm\" with alias \"{alias}\""),
                None => "provider \"azurerm\"".to_string(),
            };
            let file = config.sources.get(attr.span.file);
            let at = format!(
                "on {} line {}",
                file.path.display(),
                file.line_col(attr.span.start).line
            );
            let scope = Variables(config);
            let value = crate::lang::eval(&attr.expr.expr, attr.expr.file, &scope)
                .map_err(|d| anyhow::anyhow!("{}: {} ({at}, {described})", d.summary, d.detail))?;
            let value = value.unmark_deep().0;
            let subscription = match &value {
                Value::Null => continue,
                Value::String(s) if !s.trim().is_empty() => s.trim().to_string(),
                _ => anyhow::bail!(
                    "subscription_id of {described} ({at}) must be a subscription id string"
                ),
            };
            if subscription != default.client().subscription() {
                by_alias.insert(
                    block.alias.clone(),
                    default.with_subscription(&subscription),
                );
            }
        }
        Ok(Providers { default, by_alias })
    }

    /// The provider a resource with this `provider` alias acts through.
    pub fn for_alias(&self, alias: Option<&str>) -> &Provider {
        self.by_alias
            .get(&alias.map(str::to_string))
            .unwrap_or(self.default)
    }
}

/// Only the root module's variables: what a provider block may refer to here.
struct Variables<'c>(&'c Config);

/// A root variable's value as the command sets it (the last of `--var`, variable files and
/// `TF_VAR_`), else its default; `None` when it has neither.
fn root_variable(config: &Config, name: &str) -> Option<Result<Value, Diagnostic>> {
    if let Some(set) = config.variable_values.iter().rev().find(|v| v.name == name) {
        return Some(match &set.source {
            VarSource::Literal(text) => Ok(Value::string(text.clone())),
            VarSource::Expr(e) => crate::lang::eval(&e.expr, e.file, &Constants),
        });
    }
    let variable = config.root().variables.iter().find(|v| v.name == name)?;
    let default = variable.default.as_ref()?;
    Some(crate::lang::eval(&default.expr, default.file, &Constants))
}

impl Scope for Variables<'_> {
    fn resolve(
        &self,
        root: &str,
        steps: &[Step],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        let not_here = || {
            Diagnostic::error(
                "Unsupported reference in a provider block",
                format!(
                    "peerform evaluates a provider's subscription_id with the root module's variables only; {root} is not available there. Use a variable or a literal."
                ),
            )
            .with_span(span)
        };
        if root != "var" {
            return Err(not_here());
        }
        match steps.first() {
            Some(Step::Attr(name)) => match root_variable(self.0, name) {
                Some(value) => value.map(|v| (v, 1)),
                None => Err(Diagnostic::error(
                    "No value for variable",
                    format!(
                        "var.{name} has no value and no default; declare it and set it with --var, a .tfvars file or TF_VAR_{name}."
                    ),
                )
                .with_span(span)),
            },
            _ => Err(not_here()),
        }
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        Err(format!(
            "{path}: a provider's subscription_id cannot read files"
        ))
    }
}

/// Values with no references at all (a variable's value or default).
struct Constants;

impl Scope for Constants {
    fn resolve(
        &self,
        root: &str,
        _steps: &[Step],
        span: Span,
    ) -> Result<(Value, usize), Diagnostic> {
        Err(Diagnostic::error(
            "Variables not allowed",
            format!("{root} cannot be used here: a variable's value must be a constant."),
        )
        .with_span(span))
    }

    fn read_file(&self, path: &str) -> Result<String, String> {
        Err(format!("{path}: a variable's value cannot read files"))
    }
}
