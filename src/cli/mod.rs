//! The command line: argv normalisation (Terraform's single-dash spellings), clap definitions, and the
//! wiring of library pieces per command. The only module that prints or reads the environment.

mod apply;
mod argv;
mod backend;
mod completions;
pub mod emulator;
mod fmt;
mod graph;
mod import;
mod log;
mod output;
mod plan;
mod providers;
mod reader;
mod rules;
mod show;
mod state;
mod validate;
mod version;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

pub use argv::{LONG_FLAGS, normalise_args};

/// Terraform-style planner for Azure ExpressRoute connectivity.
#[derive(Parser, Debug)]
#[command(name = "peerform", version, about, long_about = None)]
pub struct Cli {
    /// Switch to this directory before doing anything (Terraform's -chdir).
    #[arg(long, global = true, value_name = "DIR")]
    pub chdir: Option<PathBuf>,
    /// Never colour the output (also: NO_COLOR in the environment).
    #[arg(long, global = true)]
    pub no_color: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check configuration: language, schema and domain rules; needs no state and no cloud.
    ///
    /// Example: peerform validate --json
    Validate(validate::ValidateArgs),
    /// Show what applying the configuration would change, in order.
    ///
    /// Example: peerform plan --out plan.json --detailed-exitcode
    Plan(plan::PlanArgs),
    /// Carry out the plan against the cloud (asks for `yes` unless --auto-approve or a saved plan).
    ///
    /// Example: peerform apply --auto-approve
    Apply(apply::ApplyArgs),
    /// Destroy every object the state manages (apply --destroy).
    ///
    /// Example: peerform destroy --auto-approve
    Destroy(apply::ApplyArgs),
    /// Show a saved plan (as plan prints it, or --json, --markdown), or the state when no file is given.
    ///
    /// Example: peerform show --json plan.out
    Show(show::ShowArgs),
    /// Draw the configuration's instance graph, or a saved plan's steps, as DOT or Mermaid.
    ///
    /// Example: peerform graph --format mermaid --plan plan.out
    Graph(graph::GraphArgs),
    /// Adopt an object that exists in Azure into the state, at an address the configuration declares.
    ///
    /// Example: peerform import azurerm_resource_group.er /subscriptions/…/resourceGroups/rg-er-ams
    Import(import::ImportArgs),
    /// Show the root outputs recorded at the last apply (sensitive ones with --show-sensitive).
    ///
    /// Example: peerform output --show-sensitive service_key
    Output(output::OutputArgs),
    /// Prepare a working directory: check configuration and backend, create .peerform/.
    ///
    /// Example: peerform init --git
    Init(state::InitArgs),
    /// Inspect and change the state: list, show, mv, rm, pull, push, merge, import-terraform.
    ///
    /// Example: peerform state list module.site
    #[command(subcommand)]
    State(state::StateCommand),
    /// Remove a stale state lock left by a crashed run.
    ///
    /// Example: peerform force-unlock 0b7c1a52-…
    ForceUnlock(state::ForceUnlockArgs),
    /// The ARM emulator: serve it over HTTP on loopback, or set a circuit's provider state.
    ///
    /// Example: peerform emulator serve --listen 127.0.0.1:8444
    #[command(subcommand)]
    Emulator(emulator::EmulatorCommand),
    /// List the ExpressRoute domain rules: id, severity, summary and source link.
    ///
    /// Example: peerform rules --json
    Rules(rules::RulesArgs),
    /// Rewrite configuration files in the canonical style, byte-identical to `terraform fmt`.
    ///
    /// Exit codes: 0 done, 2 a file could not be read or parsed (it is left untouched), 3 with
    /// --check when a file would change.
    ///
    /// Example: peerform fmt --check --diff --recursive
    Fmt(fmt::FmtArgs),
    /// Show peerform's version and platform.
    ///
    /// Example: peerform version --json
    Version(version::VersionArgs),
    /// Print a shell completion script.
    ///
    /// Example: peerform completions bash > /etc/bash_completion.d/peerform
    Completions(completions::CompletionsArgs),
}

/// What every command gets from the environment: working directory, colour choice, output streams.
pub struct Context<'a> {
    pub dir: PathBuf,
    pub color: bool,
    pub out: &'a mut dyn Write,
    pub err: &'a mut dyn Write,
    /// `TF_VAR_*` variables and other environment the command may read, captured once here.
    pub env: Vec<(String, String)>,
}

/// Run with these arguments (program name first) and return the process exit code.
pub fn main_with_args(args: Vec<OsString>) -> i32 {
    let args = normalise_args(args);
    let env: Vec<(String, String)> = std::env::vars().collect();
    if let Some(warning) = log::init(&env, &args) {
        eprintln!("Warning: {warning}");
    }
    let started = std::time::Instant::now();
    log::info(format_args!(
        "peerform v{} on {}",
        env!("CARGO_PKG_VERSION"),
        version::platform()
    ));
    log::debug(format_args!("argv: {}", log::redacted_argv(&args)));
    let parsed = Cli::command()
        .try_get_matches_from(&args)
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 1 } else { 0 };
        }
    };
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut out = stdout.lock();
    let mut err = stderr.lock();
    let no_color_env = env.iter().any(|(k, _)| k == "NO_COLOR");
    let is_terminal = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let dir = match &cli.chdir {
        Some(d) => d.clone(),
        None => PathBuf::from("."),
    };
    if !dir.is_dir() {
        let _ = writeln!(
            err,
            "Error: invalid -chdir: {} is not a directory",
            dir.display()
        );
        return 1;
    }
    let env_names: Vec<&str> = env
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| k.starts_with("TF_VAR_") || k.starts_with("PEERFORM_") || *k == "NO_COLOR")
        .collect();
    log::debug(format_args!(
        "command {}; working directory {}; environment sets {}",
        matches.subcommand_name().unwrap_or(""),
        std::path::absolute(&dir)
            .unwrap_or_else(|_| dir.clone())
            .display(),
        env_names.join(", ")
    ));
    let mut ctx = Context {
        dir,
        color: is_terminal && !no_color_env && !cli.no_color,
        out: &mut out,
        err: &mut err,
        env,
    };
    let code = match run(cli.command, &mut ctx) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(ctx.err, "Error: {e:#}");
            1
        }
    };
    log::info(format_args!(
        "exit code {code} after {} ms",
        started.elapsed().as_millis()
    ));
    code
}

/// Dispatch one parsed command.
pub fn run(command: Command, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    match command {
        Command::Validate(args) => validate::run(args, ctx),
        Command::Plan(args) => plan::run(args, ctx),
        Command::Apply(args) => apply::run(args, ctx, false),
        Command::Destroy(args) => apply::run(args, ctx, true),
        Command::Show(args) => show::run(args, ctx),
        Command::Graph(args) => graph::run(args, ctx),
        Command::Import(args) => import::run(args, ctx),
        Command::Output(args) => output::run(args, ctx),
        Command::Init(args) => state::run_init(args, ctx),
        Command::State(cmd) => state::run(cmd, ctx),
        Command::ForceUnlock(args) => state::run_force_unlock(args, ctx),
        Command::Emulator(cmd) => emulator::run(cmd, ctx),
        Command::Rules(args) => rules::run(args, ctx),
        Command::Fmt(args) => fmt::run(args, ctx),
        Command::Version(args) => version::run(args, ctx),
        Command::Completions(args) => completions::run(args, ctx),
    }
}
