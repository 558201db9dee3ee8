//! `peerform emulator serve` (the ARM emulator as a loopback HTTP server) and `peerform emulator
//! provision` (set a circuit's service-provider state, as the provider would), plus the wiring the
//! plan and apply commands use to reach a cloud: `--cloud` parsing, credential settings read from
//! the environment, and the ARM client for each target. The only place here that reads the
//! environment; the emulator and provider get plain structs.

use super::Context;
use crate::arm::Transport;
use crate::arm::http::{HttpTransport, is_loopback, origin_of};
use crate::emulator::server::Server;
use crate::emulator::{Emulator, EmulatorConfig, ProviderMode, ProviderState};
use crate::provider::{
    ArmClient, ClientOptions, Cloud, CredentialSettings, Provider, TokenProvider,
};
use anyhow::{Context as _, Result, bail};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

#[derive(Subcommand, Debug)]
pub enum EmulatorCommand {
    /// Serve the ARM emulator over HTTP on a loopback address.
    ///
    /// Example: peerform emulator serve --listen 127.0.0.1:8444 --fault-rate 0.1
    Serve(ServeArgs),
    /// Set a circuit's serviceProviderProvisioningState, as the service provider would.
    ///
    /// Example: peerform emulator provision /subscriptions/…/expressRouteCircuits/er1 --state Provisioned
    Provision(ProvisionArgs),
    /// Show or set how the in-process emulator's simulated service provider behaves: `auto`
    /// provisions circuits when they are created, `manual` waits for `emulator provision`. The mode
    /// is recorded in .peerform/emulator.db, so plan and apply in this folder use it.
    ///
    /// Example: peerform emulator mode manual
    Mode(ModeArgs),
}

#[derive(Args, Debug)]
pub struct ModeArgs {
    /// The mode to record; without it, the current mode is printed.
    #[arg(value_enum)]
    pub mode: Option<ModeArg>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ModeArg {
    Auto,
    Manual,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum StateArg {
    #[value(name = "Provisioned")]
    Provisioned,
    #[value(name = "NotProvisioned")]
    NotProvisioned,
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Loopback address and port to listen on (port 0 picks a free one).
    #[arg(long, default_value = "127.0.0.1:8444", value_name = "IP:PORT")]
    pub listen: String,
    /// Share of requests answered with an injected 429 or 500 (0 to 1).
    #[arg(long, default_value_t = 0.0, value_name = "F")]
    pub fault_rate: f64,
    /// Seed for the injected faults, for reproducible runs.
    #[arg(long, value_name = "N")]
    pub fault_seed: Option<u64>,
    /// Milliseconds added to every request.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    pub latency: u64,
    /// `auto` provisions circuits after create and deprovisions them before delete; `manual` waits
    /// for `peerform emulator provision` (default: the mode `emulator mode` recorded, else auto).
    #[arg(long, value_enum)]
    pub provider_mode: Option<ModeArg>,
    /// Retry-After seconds sent with long-running operations and throttling.
    #[arg(long, default_value_t = 0, value_name = "SECS")]
    pub retry_after: u64,
    /// Polls a long-running operation stays InProgress.
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub operation_polls: u32,
    /// Worker threads.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub threads: usize,
}

#[derive(Args, Debug)]
pub struct ProvisionArgs {
    /// ARM id of the circuit.
    pub circuit_id: String,
    /// The provider state to set.
    #[arg(long, value_enum)]
    pub state: StateArg,
}

pub fn run(command: EmulatorCommand, ctx: &mut Context<'_>) -> Result<i32> {
    match command {
        EmulatorCommand::Serve(args) => serve(args, ctx),
        EmulatorCommand::Provision(args) => provision(args, ctx),
        EmulatorCommand::Mode(args) => mode(args, ctx),
    }
}

fn provider_mode(arg: ModeArg) -> ProviderMode {
    match arg {
        ModeArg::Auto => ProviderMode::Auto,
        ModeArg::Manual => ProviderMode::Manual,
    }
}

fn mode(args: ModeArgs, ctx: &mut Context<'_>) -> Result<i32> {
    let emulator = Emulator::open(&ctx.dir, EmulatorConfig::default())?;
    match args.mode {
        Some(arg) => {
            let mode = provider_mode(arg);
            emulator.record_provider_mode(mode)?;
            writeln!(
                ctx.out,
                "The emulator's service provider is now in {} mode: {}",
                mode.as_str(),
                mode_meaning(mode)
            )?;
        }
        None => {
            let mode = emulator.recorded_provider_mode()?.unwrap_or_default();
            writeln!(
                ctx.out,
                "The emulator's service provider is in {} mode: {}",
                mode.as_str(),
                mode_meaning(mode)
            )?;
        }
    }
    Ok(0)
}

fn mode_meaning(mode: ProviderMode) -> &'static str {
    match mode {
        ProviderMode::Auto => {
            "circuits are provisioned as soon as they are created and deprovisioned before they are deleted."
        }
        ProviderMode::Manual => {
            "circuits stay NotProvisioned until `peerform emulator provision CIRCUIT_ID --state Provisioned`, and a Provisioned circuit cannot be deleted."
        }
    }
}

/// The simulated provider's mode when `cloud` is the in-process emulator of this folder (`None` for
/// Azure and ARM endpoints, whose provider peerform cannot see).
pub fn emulator_provider_mode(cloud: &Cloud, ctx: &Context<'_>) -> Result<Option<ProviderMode>> {
    if *cloud != Cloud::Emulator {
        return Ok(None);
    }
    let emulator = Emulator::open(&ctx.dir, EmulatorConfig::default())?;
    Ok(Some(emulator.recorded_provider_mode()?.unwrap_or_default()))
}

fn serve(args: ServeArgs, ctx: &mut Context<'_>) -> Result<i32> {
    if !(0.0..=1.0).contains(&args.fault_rate) {
        bail!(
            "--fault-rate must be between 0 and 1, got {}",
            args.fault_rate
        );
    }
    let recorded = match args.provider_mode {
        Some(_) => None,
        None => Emulator::open(&ctx.dir, EmulatorConfig::default())?.recorded_provider_mode()?,
    };
    let config = EmulatorConfig {
        provider_mode: args
            .provider_mode
            .map(provider_mode)
            .or(recorded)
            .unwrap_or_default(),
        fault_rate: args.fault_rate,
        fault_seed: args.fault_seed,
        latency: Duration::from_millis(args.latency),
        retry_after_secs: args.retry_after,
        operation_polls: args.operation_polls,
    };
    let emulator = Arc::new(Emulator::open(&ctx.dir, config)?);
    let server = Server::start(Arc::clone(&emulator), &args.listen, args.threads)?;
    writeln!(
        ctx.out,
        "peerform emulator listening on {} ({})",
        server.url(),
        emulator.describe()
    )?;
    ctx.out.flush().context("writing to stdout")?;
    server.wait();
    Ok(0)
}

fn provision(args: ProvisionArgs, ctx: &mut Context<'_>) -> Result<i32> {
    let emulator = Emulator::open(&ctx.dir, EmulatorConfig::default())?;
    let state = match args.state {
        StateArg::Provisioned => ProviderState::Provisioned,
        StateArg::NotProvisioned => ProviderState::NotProvisioned,
    };
    emulator.set_provider_state(&args.circuit_id, state)?;
    writeln!(
        ctx.out,
        "Circuit {} is now {} by its service provider.",
        args.circuit_id,
        state.as_str()
    )?;
    Ok(0)
}

fn env<'a>(ctx: &'a Context<'_>, name: &str) -> Option<&'a str> {
    ctx.env
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

fn env_bool(ctx: &Context<'_>, name: &str) -> Option<bool> {
    env(ctx, name).map(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
}

/// Credential settings from the environment (azurerm's variable names).
pub fn credential_settings(ctx: &Context<'_>) -> CredentialSettings {
    let owned = |name: &str| env(ctx, name).map(str::to_string);
    let defaults = CredentialSettings::default();
    CredentialSettings {
        access_token: owned("ARM_ACCESS_TOKEN"),
        tenant_id: owned("ARM_TENANT_ID"),
        client_id: owned("ARM_CLIENT_ID"),
        client_secret: owned("ARM_CLIENT_SECRET"),
        use_oidc: env_bool(ctx, "ARM_USE_OIDC").unwrap_or(false),
        oidc_token: owned("ARM_OIDC_TOKEN"),
        oidc_token_file: owned("ARM_OIDC_TOKEN_FILE_PATH").map(PathBuf::from),
        oidc_request_url: owned("ARM_OIDC_REQUEST_URL")
            .or_else(|| owned("ACTIONS_ID_TOKEN_REQUEST_URL")),
        oidc_request_token: owned("ARM_OIDC_REQUEST_TOKEN")
            .or_else(|| owned("ACTIONS_ID_TOKEN_REQUEST_TOKEN")),
        use_cli: env_bool(ctx, "ARM_USE_CLI").unwrap_or(true),
        authority_host: owned("ARM_AUTHORITY_HOST")
            .or_else(|| owned("AZURE_AUTHORITY_HOST"))
            .unwrap_or(defaults.authority_host.clone()),
        ..defaults
    }
}

/// The provider for a `--cloud` value (or `PEERFORM_CLOUD`); `subscription` comes from the
/// provider block, else `ARM_SUBSCRIPTION_ID`.
pub fn connect(
    cloud: Option<&str>,
    subscription: Option<&str>,
    ctx: &Context<'_>,
) -> Result<(Cloud, Provider)> {
    let cloud_text = cloud
        .map(str::to_string)
        .or_else(|| env(ctx, "PEERFORM_CLOUD").map(str::to_string))
        .unwrap_or_else(|| "emulator".to_string());
    let cloud = Cloud::parse(&cloud_text)?;
    let subscription = subscription
        .map(str::to_string)
        .or_else(|| env(ctx, "ARM_SUBSCRIPTION_ID").map(str::to_string));
    let client = match &cloud {
        Cloud::Emulator => {
            let subscription =
                subscription.unwrap_or_else(|| "00000000-0000-0000-0000-000000000000".to_string());
            let emulator = Emulator::open_with_recorded_mode(&ctx.dir, EmulatorConfig::default())?;
            ArmClient::new(
                Arc::new(emulator),
                None,
                ClientOptions::for_emulator(&subscription),
            )
        }
        Cloud::Azure | Cloud::Endpoint(_) => {
            let Some(subscription) = subscription else {
                bail!(
                    "no subscription: set subscription_id in the provider block or ARM_SUBSCRIPTION_ID"
                );
            };
            let endpoint = match &cloud {
                Cloud::Endpoint(url) => url.clone(),
                _ => crate::provider::AZURE_ENDPOINT.to_string(),
            };
            let transport = HttpTransport::new(&endpoint, Duration::from_secs(120))?;
            let settings = credential_settings(ctx);
            let source = crate::provider::auth::select_source(&settings)?;
            // A loopback endpoint (emulator serve) needs no Azure sign-in.
            let local = is_loopback(&origin_of(&endpoint)?);
            let auth = if local && source == crate::provider::CredentialSource::AzureCli {
                None
            } else {
                Some(Arc::new(TokenProvider::new(settings)?))
            };
            let options = if matches!(cloud, Cloud::Azure) {
                ClientOptions::new(&subscription)
            } else {
                ClientOptions {
                    poll_interval: Duration::from_millis(100),
                    // The client-side read limit protects Azure's quota; a loopback endpoint
                    // (`emulator serve`) has none, and the limit would hold refresh to 20 reads/s.
                    reads_per_second: if local {
                        0.0
                    } else {
                        ClientOptions::new(&subscription).reads_per_second
                    },
                    ..ClientOptions::new(&subscription)
                }
            };
            ArmClient::new(Arc::new(transport), auth, options)
        }
    };
    Ok((cloud, Provider::new(client)))
}
