//! Adopting objects that exist in Azure: `peerform import ADDR ID` (read the object, record it in the
//! state at an address the configuration declares, so the next plan compares it with the
//! configuration), and the `import` blocks of the configuration, whose objects plan and apply read
//! before the plan is computed. The reading is the provider's; this file only wires it to the state.

use super::Context;
use super::emulator::connect;
use super::plan::LockGuard;
use super::reader::CloudReader;
use super::validate::load_options;
use crate::arm::ResourceId;
use crate::config::addr::{Mode as AddrMode, ResourceInstanceAddr, parse_instance};
use crate::config::{Config, load_config};
use crate::diag::render_human;
use crate::lang::Value;
use crate::plan::{PlanOptions, make_plan, no_domain_rule};
use crate::provider::Provider;
use crate::state::{Backend as _, CloudTarget, NewObject, State, Status};
use anyhow::{Context as _, bail};
use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// Where to record the object: a resource instance the configuration declares, such as
    /// azurerm_resource_group.hub or 'module.site["ams"].azurerm_express_route_circuit.main'.
    pub address: String,
    /// The object's ARM resource id.
    pub id: String,
    /// Set a root variable: --var 'name=value' (repeatable).
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,
    /// Read root variable values from a file (repeatable).
    #[arg(long = "var-file", value_name = "FILE")]
    pub var_files: Vec<PathBuf>,
    #[command(flatten)]
    pub lock: super::state::LockArgs,
    /// Where the object lives: emulator (default), azure, or an ARM endpoint URL (also:
    /// PEERFORM_CLOUD).
    #[arg(long, value_name = "TARGET")]
    pub cloud: Option<String>,
}

/// Read the object an `id` names as a resource of `type_name`: its attributes as the provider maps
/// them, or an error naming what is wrong (another type, or no such object).
pub fn read_object(
    provider: &Provider,
    address: &ResourceInstanceAddr,
    id: &str,
) -> anyhow::Result<Value> {
    let type_name = &address.resource.type_name;
    let parsed = ResourceId::parse(id)
        .with_context(|| format!("the import id for {address} is not an ARM resource id"))?;
    let expected = crate::provider::mapping::kind_of(type_name)?;
    if parsed.kind != expected {
        bail!(
            "the import id {id} names a {}, but {address} is a {type_name} ({})",
            parsed.kind.arm_type(),
            expected.arm_type()
        );
    }
    provider.read(type_name, &parsed, None)?.ok_or_else(|| {
        anyhow::anyhow!(
            "Cannot import non-existent remote object: while attempting to import {address} from {id}, the object does not exist in {}. Check the id, or remove the import",
            provider.client().describe()
        )
    })
}

/// A state entry for an object read from the cloud.
fn new_object(type_name: &str, id: &str, attributes: &Value) -> NewObject {
    let mut values: BTreeMap<String, Value> = crate::plan::normalise_keep_marks(attributes)
        .as_map()
        .cloned()
        .unwrap_or_default();
    values.remove("id");
    NewObject {
        type_name: type_name.to_string(),
        id: id.to_string(),
        values,
        status: Status::Ready,
        ..NewObject::default()
    }
}

/// The root module's `import` blocks with a literal id: (to, id).
pub fn import_blocks(config: &Config) -> Vec<(ResourceInstanceAddr, String)> {
    let mut out = Vec::new();
    for block in &config.root().imports {
        let span = block.to.span();
        let text = config
            .sources
            .get(span.file)
            .text
            .get(span.start..span.end)
            .unwrap_or("")
            .trim();
        let Ok(to) = parse_instance(text) else {
            continue;
        };
        if let Some(id) = block.id.as_literal_str() {
            out.push((to, id.to_string()));
        }
    }
    out
}

/// Read the objects `import` blocks name that the state does not hold yet and put them in the state
/// (in memory: apply records them). Returns the addresses imported.
pub fn read_import_blocks(
    config: &Config,
    state: &mut State,
    provider: &Provider,
) -> anyhow::Result<Vec<(ResourceInstanceAddr, String)>> {
    let wanted: Vec<(ResourceInstanceAddr, String)> = import_blocks(config)
        .into_iter()
        .filter(|(to, _)| {
            to.resource.mode == AddrMode::Managed && !state.resources.contains_key(to)
        })
        .collect();
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let mut objects = Vec::new();
    for (to, id) in &wanted {
        let attributes = read_object(provider, to, id)?;
        objects.push((
            to.clone(),
            new_object(&to.resource.type_name, id, &attributes),
        ));
    }
    for (address, resource) in state.build_resources(objects)? {
        state.intents.remove(&address);
        state.resources.insert(address, resource);
    }
    Ok(wanted)
}

pub fn run(args: ImportArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let address = parse_instance(&args.address)
        .map_err(|e| anyhow::anyhow!("invalid resource address {:?}: {e}", args.address))?;
    if address.resource.mode != AddrMode::Managed {
        bail!(
            "{address} is a data source: only managed resources can be imported (data sources are read on every plan)"
        );
    }
    let options = load_options(&args.vars, &args.var_files, ctx);
    let (config, diagnostics) = load_config(&ctx.dir, &options);
    if diagnostics.has_errors() {
        write!(
            ctx.err,
            "{}",
            render_human(&diagnostics, &config.sources, ctx.color)
        )?;
        return Ok(1);
    }
    let cloud_text = args.cloud.clone().or_else(|| {
        ctx.env
            .iter()
            .find(|(k, v)| k == "PEERFORM_CLOUD" && !v.is_empty())
            .map(|(_, v)| v.clone())
    });
    let (cloud, provider) = connect(cloud_text.as_deref(), None, ctx)?;
    let backend = super::backend::store(ctx, &config)?;
    let lock: LockGuard<'_> = super::plan::take_lock(&backend, &args.lock, "import", ctx)?;
    let stored = backend.read()?;
    let mut state = stored
        .clone()
        .unwrap_or_else(|| State::new(CloudTarget::default()));
    let described = cloud.describe();
    let (target, endpoint) = super::plan::split_cloud(&described);
    if !state.cloud.target.is_empty()
        && !state.resources.is_empty()
        && (state.cloud.target != target || state.cloud.endpoint != endpoint)
    {
        bail!(
            "this state was applied to {} {} but the command targets {}: import from the recorded target with --cloud",
            state.cloud.target,
            state.cloud.endpoint,
            cloud.describe()
        );
    }
    if state.cloud.target.is_empty() {
        state.cloud = CloudTarget {
            target: target.to_string(),
            endpoint: endpoint.to_string(),
            subscription: provider.client().subscription().to_string(),
        };
    }
    if let Some(existing) = state.resources.get(&address) {
        bail!(
            "Resource already managed by peerform: {address} is already in the state with id {}. Remove it with `peerform state rm {address}` first if you mean to import another object there",
            existing.id
        );
    }
    writeln!(ctx.out, "{address}: Importing from ID \"{}\"...", args.id)?;
    let attributes = read_object(&provider, &address, &args.id)?;
    writeln!(
        ctx.out,
        "{address}: Import prepared!\n  Prepared {} for import\n{address}: Refreshing state... [id={}]",
        address.resource.type_name, args.id
    )?;
    // The configuration must declare the address; its dependencies come from the configuration.
    let object = new_object(&address.resource.type_name, &args.id, &attributes);
    let mut trial = state.clone();
    trial.put_resource(address.clone(), object.clone())?;
    let root = ctx.dir.clone();
    let files = move |path: &str| crate::config::read_function_file(&root, path);
    let providers = super::providers::Providers::new(&provider, &config)?;
    let reader = CloudReader::new(
        &providers,
        &files,
        super::apply::client_identity(ctx),
        cloud == crate::provider::Cloud::Emulator,
    );
    let (plan, desired, _diags) = make_plan(
        &config,
        &trial,
        &reader,
        &PlanOptions::default(),
        &no_domain_rule,
    );
    if desired.instance(&address).is_none() {
        bail!(
            "Configuration for import target does not exist: the configuration for the given import target {address} does not exist. All target instances must have an associated configuration to be imported"
        );
    }
    let dependencies = plan
        .changes
        .iter()
        .find(|c| c.addr == address)
        .map(|c| {
            c.dependencies
                .iter()
                .map(|&d| plan.changes[d].addr.clone())
                .collect()
        })
        .unwrap_or_default();
    let object = NewObject {
        dependencies,
        ..object
    };
    let built = state.build_resources(vec![(address.clone(), object)])?;
    if let Some(stored) = &stored
        && !stored.same_content(&state)
    {
        state.serial = stored.serial + 1;
    }
    let mut journal = backend.begin(&state)?;
    for (address, resource) in built {
        let step = crate::state::Step::Put { address, resource };
        journal.append(&step)?;
        step.apply(&mut state);
    }
    backend.finish(journal, &mut state)?;
    lock.release()?;
    writeln!(
        ctx.out,
        "\nImport successful!\n\nThe resources that were imported are shown above. These resources are now in\nyour peerform state and will henceforth be managed by peerform."
    )?;
    Ok(0)
}
