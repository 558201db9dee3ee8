//! `rules [--json]`: print the catalogue of domain rules (id, kind, severity, summary, source link)
//! from the rules module's table. The JSON document is this command's own wire format.

use super::Context;
use crate::diag::Severity;
use crate::rules::RULES;
use clap::Args;
use serde::Serialize;

#[derive(Args, Debug)]
pub struct RulesArgs {
    /// Print the catalogue as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Serialize)]
struct CatalogueJson {
    format_version: &'static str,
    rules: Vec<RuleJson>,
}

#[derive(Serialize)]
struct RuleJson {
    id: &'static str,
    kind: &'static str,
    severity: &'static str,
    summary: &'static str,
    source: &'static str,
    sources: Vec<&'static str>,
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "info",
    }
}

pub fn run(args: RulesArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    if args.json {
        let doc = CatalogueJson {
            format_version: "1.0",
            rules: RULES
                .iter()
                .map(|r| RuleJson {
                    id: r.id,
                    kind: r.kind.as_str(),
                    severity: severity(r.severity),
                    summary: r.summary,
                    source: r.source(),
                    sources: r
                        .sources
                        .iter()
                        .map(|t| crate::rules::source_url(t))
                        .collect(),
                })
                .collect(),
        };
        writeln!(ctx.out, "{}", serde_json::to_string_pretty(&doc)?)?;
        return Ok(0);
    }
    writeln!(
        ctx.out,
        "{:<5} {:<8} {:<8} SUMMARY",
        "ID", "SEVERITY", "KIND"
    )?;
    for r in RULES {
        writeln!(
            ctx.out,
            "{:<5} {:<8} {:<8} {}\n{:24}{}",
            r.id,
            severity(r.severity),
            r.kind.as_str(),
            r.summary,
            "",
            r.source()
        )?;
    }
    writeln!(
        ctx.out,
        "\nChange a rule with --rule ID=off|info|warning|error, or in peerform.hcl: rules {{ ID = \"off\" }}."
    )?;
    Ok(0)
}
