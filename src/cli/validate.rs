//! `validate`: load and evaluate the configuration, run the checks, print diagnostics (human or
//! `terraform validate -json`), exit 0 when valid and 1 otherwise. Needs no state and no cloud.

use super::Context;
use crate::config::{LoadOptions, load_config, read_function_file};
use crate::desired::{NoCloud, build};
use crate::diag::{Diagnostics, render_human, render_json_validate};
use clap::Args;

#[derive(Args, Debug)]
pub struct ValidateArgs {
    /// Print the result as the JSON document `terraform validate -json` prints.
    #[arg(long)]
    pub json: bool,
    /// Set a root variable: --var 'name=value' (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read root variable values from a file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<std::path::PathBuf>,
    /// Change a domain rule's severity or switch it off: --rule G1=warning, --rule C4=off
    /// (repeatable; wins over a rules block in peerform.hcl). `peerform rules` lists the ids.
    #[arg(long = "rule", value_name = "ID=LEVEL")]
    pub rules: Vec<String>,
}

/// Load, evaluate and check the configuration in `ctx.dir`; every diagnostic of every stage.
pub fn check_configuration(
    dir: &std::path::Path,
    options: &LoadOptions,
    rule_flags: &[String],
) -> (crate::config::Config, Diagnostics) {
    let (mut config, mut diagnostics) = load_config(dir, options);
    let (rule_settings, settings_diags) = rule_settings(dir, &mut config, rule_flags);
    if !diagnostics.has_errors() {
        let root = dir.to_path_buf();
        let files = move |path: &str| read_function_file(&root, path);
        let reader = NoCloud { files: &files };
        let (desired, desired_diags) = build(&config, &reader);
        diagnostics.extend(desired_diags);
        // Domain rules run on a configuration that evaluated cleanly; validate has no state.
        if !diagnostics.has_errors() && !settings_diags.has_errors() {
            diagnostics.extend(crate::rules::check(&desired, &|_| None, &rule_settings));
        }
        // The process ends right after: freeing millions of small values would cost more than
        // evaluating them (measured), so leave that to the operating system.
        std::mem::forget(desired);
    }
    diagnostics.extend(settings_diags);
    diagnostics.sort();
    (config, diagnostics)
}

/// The domain rules' settings: `peerform.hcl` beside the configuration, then `--rule ID=LEVEL`
/// flags, plus the provider subscriptions the configuration states.
pub fn rule_settings(
    dir: &std::path::Path,
    config: &mut crate::config::Config,
    flags: &[String],
) -> (crate::rules::RuleSettings, Diagnostics) {
    let (file, mut diagnostics) = crate::config::settings::load_settings(dir, &mut config.sources);
    let mut choices: Vec<crate::rules::RuleChoice> = file
        .rules
        .into_iter()
        .map(|(id, level, span)| crate::rules::RuleChoice {
            id,
            level,
            span: Some(span),
        })
        .collect();
    for flag in flags {
        let (id, level) = flag.split_once('=').unwrap_or((flag.as_str(), ""));
        let (id, level) = (id.trim().to_string(), level.trim().to_string());
        choices.push(crate::rules::RuleChoice {
            id,
            level,
            span: None,
        });
    }
    let mut settings = crate::rules::RuleSettings::default();
    diagnostics.extend(settings.apply(&choices));
    settings.subscriptions = crate::config::settings::provider_subscriptions(config);
    (settings, diagnostics)
}

/// Variable sources from flags and the environment.
pub fn load_options(
    vars: &[String],
    var_files: &[std::path::PathBuf],
    ctx: &Context<'_>,
) -> LoadOptions {
    LoadOptions {
        var_files: var_files.to_vec(),
        vars: vars.to_vec(),
        env: ctx.env.clone(),
    }
}

pub fn run(args: ValidateArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let options = load_options(&args.vars, &args.var_files, ctx);
    let (config, diagnostics) = check_configuration(&ctx.dir, &options, &args.rules);
    if args.json {
        write!(
            ctx.out,
            "{}",
            render_json_validate(&diagnostics, &config.sources)
        )?;
    } else {
        write!(
            ctx.err,
            "{}",
            render_human(&diagnostics, &config.sources, ctx.color)
        )?;
        if !diagnostics.has_errors() {
            if ctx.color {
                writeln!(
                    ctx.out,
                    "\x1b[32m\x1b[1mSuccess!\x1b[0m The configuration is valid."
                )?;
            } else {
                writeln!(ctx.out, "Success! The configuration is valid.")?;
            }
        }
    }
    let code = if diagnostics.has_errors() { 1 } else { 0 };
    // See check_configuration: the process is about to exit.
    std::mem::forget(config);
    Ok(code)
}
