//! The ARM emulator: the server side of `arm`. It speaks the protocol on the real paths
//! (api-version required from a listed set, 200/201/202/204, `Azure-AsyncOperation` and `Location`
//! polling, `provisioningState`, ARM-shaped errors, 404 and 409 semantics), stores every resource in
//! an embedded database (`store`), applies Azure's server-side checks (`kinds`), simulates the
//! service provider that provisions circuits, serves the read-only catalogues, and injects faults
//! and latency on request. It is reached in process (it implements [`Transport`]) or over HTTP
//! (`server`). It must not depend on `provider`, `plan` or `config`.

mod catalogue;
mod kinds;
mod net;
pub mod server;
mod store;

use crate::arm::id::percent_decode;
use crate::arm::wire::{
    HEADER_ASYNC_OPERATION, HEADER_CLIENT_REQUEST_ID, HEADER_CORRELATION_ID, HEADER_LOCATION,
    HEADER_REQUEST_ID, HEADER_RETRY_AFTER, new_guid, path_and_query, split_url,
};
use crate::arm::{ArmError, Method, Request, ResourceId, ResourceKind, Response, Transport};
use anyhow::{Context, Result, bail};
use kinds::{Ctx, Fail, Outcome, Prepared, bad};
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;
use store::{Operation, Row, Store};

/// Microsoft.Network api-versions the emulator accepts (ExpressRoute shapes are stable across them).
pub const NETWORK_API_VERSIONS: &[&str] = &[
    "2023-04-01",
    "2023-05-01",
    "2023-06-01",
    "2023-09-01",
    "2023-11-01",
    "2024-01-01",
    "2024-03-01",
    "2024-05-01",
    "2024-07-01",
    "2024-10-01",
    "2025-01-01",
    "2025-03-01",
    "2025-05-01",
    "2025-07-01",
    "2025-09-01",
    "2026-01-01",
    "2026-03-01",
];
/// Microsoft.Resources api-versions accepted for resource groups.
pub const RESOURCES_API_VERSIONS: &[&str] = &[
    "2021-04-01",
    "2022-09-01",
    "2023-07-01",
    "2024-03-01",
    "2024-07-01",
    "2024-11-01",
    "2025-03-01",
    "2025-04-01",
];

/// The database file under a working directory.
pub fn database_path(dir: &Path) -> PathBuf {
    dir.join(".peerform").join("emulator.db")
}

/// How the simulated service provider moves circuits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ProviderMode {
    /// Provisions a circuit once it is created; deprovisions it when it is deleted.
    #[default]
    Auto,
    /// Moves only when told (`peerform emulator provision`).
    Manual,
}

/// The provider-side state `peerform emulator provision` can set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderState {
    Provisioned,
    NotProvisioned,
}

impl ProviderState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderState::Provisioned => "Provisioned",
            ProviderState::NotProvisioned => "NotProvisioned",
        }
    }
}

/// Knobs of the emulator. The defaults make every operation finish at its first poll, with
/// `Retry-After: 0`, no faults and no latency: what tests want.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    pub provider_mode: ProviderMode,
    /// Share of requests answered with an injected 429 or 500 (0.0–1.0).
    pub fault_rate: f64,
    /// Seed of the fault dice, for reproducible runs.
    pub fault_seed: Option<u64>,
    /// Added to every request.
    pub latency: Duration,
    /// `Retry-After` seconds on 202s, async operations and 429s.
    pub retry_after_secs: u64,
    /// How many observations (polls, or GETs of the resource) an operation stays `InProgress`.
    pub operation_polls: u32,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            provider_mode: ProviderMode::Auto,
            fault_rate: 0.0,
            fault_seed: None,
            latency: Duration::ZERO,
            retry_after_secs: 0,
            operation_polls: 1,
        }
    }
}

/// The emulator. Cheap to share behind an `Arc`; requests are serialised on its store.
pub struct Emulator {
    store: Mutex<Store>,
    config: EmulatorConfig,
    dice: Mutex<rand::rngs::StdRng>,
    description: String,
}

/// An injected fault.
enum Fault {
    /// Answer 429 or 500 without doing anything.
    Before(u16),
    /// Do the work, then answer 500 as if the response was lost.
    After,
}

impl Emulator {
    /// Open the emulator stored under `dir/.peerform/`.
    pub fn open(dir: &Path, config: EmulatorConfig) -> Result<Emulator> {
        let path = database_path(dir);
        let store = Store::open(&path)?;
        Ok(Emulator::with_store(
            store,
            config,
            format!("emulator ({})", path.display()),
        ))
    }

    /// An emulator that keeps nothing on disk.
    pub fn in_memory(config: EmulatorConfig) -> Result<Emulator> {
        Ok(Emulator::with_store(
            Store::in_memory()?,
            config,
            "emulator (in memory)".to_string(),
        ))
    }

    fn with_store(store: Store, config: EmulatorConfig, description: String) -> Emulator {
        let dice = match config.fault_seed {
            Some(seed) => rand::rngs::StdRng::seed_from_u64(seed),
            None => rand::rngs::StdRng::from_entropy(),
        };
        Emulator {
            store: Mutex::new(store),
            config,
            dice: Mutex::new(dice),
            description,
        }
    }

    pub fn config(&self) -> &EmulatorConfig {
        &self.config
    }

    /// Set a circuit's `serviceProviderProvisioningState`, as the service provider would.
    pub fn set_provider_state(&self, circuit: &str, state: ProviderState) -> Result<()> {
        let id = ResourceId::parse(circuit)?;
        if id.kind != ResourceKind::ExpressRouteCircuit {
            bail!("{circuit} is not an ExpressRoute circuit id");
        }
        let mut store = self.lock()?;
        store.transaction(|store| {
            let Some(mut row) = store.get(&id)? else {
                bail!("circuit {id} does not exist in the emulator");
            };
            let props = row
                .body
                .get_mut("properties")
                .and_then(Value::as_object_mut);
            let Some(props) = props else {
                bail!("circuit {id} has no properties");
            };
            let provider_circuit = props
                .get("serviceProviderProperties")
                .and_then(Value::as_object)
                .is_some_and(|m| !m.is_empty());
            if !provider_circuit {
                bail!("circuit {id} is an ExpressRoute Direct circuit: it has no service provider");
            }
            props.insert(
                "serviceProviderProvisioningState".into(),
                json!(state.as_str()),
            );
            store.put(&id, &row.body, row.operation.as_deref())
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Store>> {
        self.store
            .lock()
            .map_err(|_| anyhow::anyhow!("the emulator store lock is poisoned"))
    }

    fn roll_fault(&self) -> Option<Fault> {
        if self.config.fault_rate <= 0.0 {
            return None;
        }
        let mut dice = self.dice.lock().ok()?;
        if dice.r#gen::<f64>() >= self.config.fault_rate {
            return None;
        }
        Some(match dice.gen_range(0..3) {
            0 => Fault::Before(429),
            1 => Fault::Before(500),
            _ => Fault::After,
        })
    }

    /// Answer one request. `base` is the scheme and host clients reach us at (for polling URLs).
    pub fn handle(&self, request: &Request, base: &str) -> Response {
        if !self.config.latency.is_zero() {
            std::thread::sleep(self.config.latency);
        }
        let request_id = new_guid();
        let fault = self.roll_fault();
        let mut response = match fault {
            Some(Fault::Before(status)) => self.fault_response(status, &request_id),
            _ => {
                let result = self
                    .lock()
                    .map_err(Fail::Internal)
                    .and_then(|mut store| self.dispatch(&mut store, request, base));
                match result {
                    Ok(response) => response,
                    Err(Fail::Arm(e)) => Response::new(e.status).with_json(&e.body()),
                    Err(Fail::Internal(e)) => Response::new(500).with_json(
                        &ArmError::new(
                            500,
                            "InternalServerError",
                            format!("The emulator failed: {e:#}"),
                        )
                        .body(),
                    ),
                }
            }
        };
        if let Some(Fault::After) = fault {
            response = self.fault_response(500, &request_id);
        }
        let correlation = request
            .header_value(HEADER_CLIENT_REQUEST_ID)
            .map(str::to_string)
            .unwrap_or_else(new_guid);
        response
            .with_header(HEADER_REQUEST_ID, request_id)
            .with_header(HEADER_CORRELATION_ID, correlation)
    }

    fn fault_response(&self, status: u16, request_id: &str) -> Response {
        if status == 429 {
            Response::new(429)
                .with_json(
                    &ArmError::new(
                        429,
                        "TooManyRequests",
                        "The request is being throttled (injected fault).",
                    )
                    .body(),
                )
                .with_header(HEADER_RETRY_AFTER, self.config.retry_after_secs.to_string())
        } else {
            Response::new(500).with_json(
                &ArmError::new(
                    500,
                    "InternalServerError",
                    format!(
                        "Encountered internal server error (injected fault). Diagnostic information: request id {request_id}."
                    ),
                )
                .body(),
            )
        }
    }

    fn dispatch(&self, store: &mut Store, request: &Request, base: &str) -> Outcome<Response> {
        let url = path_and_query(&request.url);
        let (path, query) = split_url(url);
        let api_version = query
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("api-version"))
            .map(|(_, v)| v.clone());
        let segments: Vec<String> = path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(percent_decode)
            .collect();
        let s: Vec<&str> = segments.iter().map(String::as_str).collect();
        let eq = |a: &str, b: &str| a.eq_ignore_ascii_case(b);
        let not_found = || {
            Fail::Arm(ArmError::new(
                404,
                "NotFound",
                format!("No HTTP resource was found that matches the request URI '{path}'."),
            ))
        };
        if s.len() < 3 || !eq(s[0], "subscriptions") {
            return Err(not_found());
        }
        let subscription = s[1];
        let context = RequestContext {
            request,
            base,
            api_version: api_version.clone().unwrap_or_default(),
        };
        // Resource groups (Microsoft.Resources).
        if eq(s[2], "resourcegroups") && s.len() <= 4 {
            check_version(
                api_version.as_deref(),
                RESOURCES_API_VERSIONS,
                "resourceGroups",
            )?;
            if s.len() == 3 {
                only_get(request.method)?;
                return self.list(store, subscription, None, ResourceKind::ResourceGroup);
            }
            let id = ResourceId::resource_group(subscription, s[3]);
            return self.resource(store, &context, &id);
        }
        if eq(s[2], "operationresults") && s.len() == 4 {
            check_version(
                api_version.as_deref(),
                RESOURCES_API_VERSIONS,
                "operationresults",
            )?;
            only_get(request.method)?;
            return self.location_poll(store, &context, s[3], true);
        }
        // Subscription-level Microsoft.Network paths.
        if eq(s[2], "providers") && s.len() >= 5 {
            if !eq(s[3], "Microsoft.Network") {
                return Err(invalid_namespace(s[3]));
            }
            check_version(api_version.as_deref(), NETWORK_API_VERSIONS, s[4])?;
            if s.len() == 5 {
                only_get(request.method)?;
                if eq(s[4], "expressRouteServiceProviders") {
                    return Ok(
                        Response::new(200).with_json(&catalogue::service_providers(subscription))
                    );
                }
                if eq(s[4], "bgpServiceCommunities") {
                    return Ok(Response::new(200)
                        .with_json(&catalogue::bgp_service_communities(subscription)));
                }
                return match ResourceKind::from_segments(&[s[4]]) {
                    Some(kind) => self.list(store, subscription, None, kind),
                    None => Err(invalid_type(s[4], &context.api_version)),
                };
            }
            if s.len() == 8 && eq(s[4], "locations") {
                only_get(request.method)?;
                if eq(s[6], "operations") {
                    return self.async_poll(store, &context, s[7]);
                }
                if eq(s[6], "operationResults") {
                    return self.location_poll(store, &context, s[7], false);
                }
            }
            return Err(not_found());
        }
        // Resource-group-level Microsoft.Network paths.
        if eq(s[2], "resourcegroups") && s.len() >= 6 && eq(s[4], "providers") {
            if !eq(s[5], "Microsoft.Network") {
                return Err(invalid_namespace(s[5]));
            }
            let rest = &s[6..];
            if rest.is_empty() {
                return Err(not_found());
            }
            let types: Vec<&str> = rest.iter().step_by(2).copied().collect();
            let names: Vec<&str> = rest.iter().skip(1).step_by(2).copied().collect();
            let Some(kind) = ResourceKind::from_segments(&types) else {
                return Err(invalid_type(
                    &types.join("/"),
                    api_version.as_deref().unwrap_or(""),
                ));
            };
            check_version(
                api_version.as_deref(),
                NETWORK_API_VERSIONS,
                types[types.len() - 1],
            )?;
            if names.len() < types.len() {
                only_get(request.method)?;
                let parent_names = &names[..];
                return if kind == ResourceKind::PeerConnection {
                    let peering = ResourceId::new(
                        subscription,
                        s[3],
                        ResourceKind::CircuitPeering,
                        parent_names,
                    )
                    .map_err(|e| bad("InvalidRequestUri", format!("{e:#}")))?;
                    let items = self.peer_connections(store, &peering)?;
                    Ok(Response::new(200).with_json(&json!({ "value": items })))
                } else if let Some(parent_kind) = kind.parent() {
                    let parent = ResourceId::new(subscription, s[3], parent_kind, parent_names)
                        .map_err(|e| bad("InvalidRequestUri", format!("{e:#}")))?;
                    if store.get(&parent)?.is_none() {
                        return Err(parent_not_found(&parent));
                    }
                    let rows = store.children(&parent, kind)?;
                    let views = rows
                        .iter()
                        .map(|r| self.view(store, r))
                        .collect::<Result<Vec<_>>>()?;
                    Ok(Response::new(200).with_json(&json!({ "value": views })))
                } else {
                    let rg = ResourceId::resource_group(subscription, s[3]);
                    if store.get(&rg)?.is_none() {
                        return Err(rg_not_found(&rg));
                    }
                    self.list(store, subscription, Some(s[3]), kind)
                };
            }
            let id = ResourceId::new(subscription, s[3], kind, &names)
                .map_err(|e| bad("InvalidResourceName", format!("{e:#}")))?;
            if kind == ResourceKind::PeerConnection {
                only_get(request.method)?;
                let peering = id.parent().ok_or_else(|| anyhow::anyhow!("no parent"))?;
                let items = self.peer_connections(store, &peering)?;
                return items
                    .into_iter()
                    .find(|item| {
                        item.get("name")
                            .and_then(Value::as_str)
                            .is_some_and(|n| n.eq_ignore_ascii_case(id.name()))
                    })
                    .map(|item| Response::new(200).with_json(&item))
                    .ok_or_else(|| resource_not_found(&id));
            }
            return self.resource(store, &context, &id);
        }
        Err(not_found())
    }

    fn list(
        &self,
        store: &Store,
        subscription: &str,
        resource_group: Option<&str>,
        kind: ResourceKind,
    ) -> Outcome<Response> {
        let rows = store.list(subscription, resource_group, kind)?;
        let views = rows
            .iter()
            .map(|r| self.view(store, r))
            .collect::<Result<Vec<_>>>()?;
        Ok(Response::new(200).with_json(&json!({ "value": views })))
    }

    fn resource(
        &self,
        store: &mut Store,
        ctx: &RequestContext,
        id: &ResourceId,
    ) -> Outcome<Response> {
        match ctx.request.method {
            Method::Get => self.get(store, id),
            Method::Put => self.put(store, ctx, id),
            Method::Patch => self.patch(store, ctx, id),
            Method::Delete => self.delete(store, ctx, id),
            Method::Post => Err(method_not_allowed(Method::Post)),
        }
    }

    fn get(&self, store: &mut Store, id: &ResourceId) -> Outcome<Response> {
        let Some(row) = self.observed_row(store, id)? else {
            return Err(self.missing(store, id)?);
        };
        Ok(Response::new(200).with_json(&self.view(store, &row)?))
    }

    /// Read a row, letting its pending operation progress (a GET observes it, as a poll does).
    fn observed_row(&self, store: &mut Store, id: &ResourceId) -> Outcome<Option<Row>> {
        let Some(row) = store.get(id)? else {
            return Ok(None);
        };
        if let Some(op) = &row.operation {
            self.observe(store, op)?;
            return Ok(store.get(id)?);
        }
        Ok(Some(row))
    }

    /// The error for a resource that does not exist: its group, its parent, or itself.
    fn missing(&self, store: &Store, id: &ResourceId) -> Outcome<Fail> {
        let rg = id.resource_group_id();
        if store.get(&rg)?.is_none() {
            return Ok(rg_not_found(&rg));
        }
        if let Some(parent) = id.parent()
            && store.get(&parent)?.is_none()
        {
            return Ok(parent_not_found(&parent));
        }
        Ok(resource_not_found(id))
    }

    fn parse_body(request: &Request) -> Outcome<Value> {
        let bytes = request.body.as_deref().unwrap_or_default();
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(Fail::Arm(ArmError::new(
                400,
                "InvalidRequestContent",
                "The request content was invalid and could not be deserialized: the body is empty.",
            )));
        }
        serde_json::from_slice(bytes).map_err(|e| {
            Fail::Arm(ArmError::new(
                400,
                "InvalidRequestContent",
                format!("The request content was invalid and could not be deserialized: '{e}'."),
            ))
        })
    }

    /// Refuse a write while an operation on the resource, an ancestor or a descendant runs (after
    /// letting that operation progress once).
    fn check_not_busy(&self, store: &mut Store, id: &ResourceId) -> Outcome<()> {
        if let Some(op) = store.busy_operation(&id.key())? {
            let op = self.observe(store, &op)?;
            if op.status == "InProgress" {
                return Err(Fail::Arm(ArmError::new(
                    409,
                    "AnotherOperationInProgress",
                    format!(
                        "Another operation on this or dependent resource is in progress (operation {}). Retry when it has completed.",
                        op.id
                    ),
                )));
            }
        }
        Ok(())
    }

    fn put(&self, store: &mut Store, ctx: &RequestContext, id: &ResourceId) -> Outcome<Response> {
        let body = Self::parse_body(ctx.request)?;
        if id.kind == ResourceKind::ResourceGroup {
            return self.put_resource_group(store, id, &body);
        }
        let rg = id.resource_group_id();
        if store.get(&rg)?.is_none() {
            return Err(rg_not_found(&rg));
        }
        if let Some(parent) = id.parent()
            && store.get(&parent)?.is_none()
        {
            return Err(parent_not_found(&parent));
        }
        self.check_not_busy(store, id)?;
        let existing = store.get(id)?;
        let prepared = {
            let kinds_ctx = Ctx {
                store,
                mode: self.config.provider_mode,
            };
            kinds::prepare_put(
                &kinds_ctx,
                id,
                &body,
                existing.as_ref().map(|r| &r.body),
                &[],
            )?
        };
        let created = existing.is_none();
        let op = self.new_operation(id, "put", created);
        store.transaction(|store| {
            store.put_operation(&op)?;
            write_prepared(store, &prepared, &op.id)
        })?;
        if self.config.operation_polls == 0 {
            self.finish(store, &op)?;
        }
        let row = store
            .get(id)?
            .ok_or_else(|| anyhow::anyhow!("{id} vanished after it was written"))?;
        let view = self.view(store, &row)?;
        let status = if created { 201 } else { 200 };
        Ok(Response::new(status)
            .with_json(&view)
            .with_header(
                HEADER_ASYNC_OPERATION,
                self.operation_url(ctx, id, &op, "operations"),
            )
            .with_header(HEADER_RETRY_AFTER, self.config.retry_after_secs.to_string()))
    }

    fn put_resource_group(
        &self,
        store: &mut Store,
        id: &ResourceId,
        body: &Value,
    ) -> Outcome<Response> {
        let problems = crate::arm::spec::check_body(
            ResourceKind::ResourceGroup,
            body,
            crate::arm::spec::CheckOptions::SERVER,
        )?;
        if let Some(first) = problems.first() {
            return Err(bad(
                "InvalidRequestContent",
                format!("The request content was invalid: {first}."),
            ));
        }
        let name = id.resource_group.as_str();
        let valid_name = name.len() <= 90
            && !name.ends_with('.')
            && name
                .chars()
                .all(|c| c.is_alphanumeric() || "-_.()".contains(c));
        if !valid_name {
            return Err(bad(
                "InvalidResourceGroupName",
                format!(
                    "Resource group name '{name}' is invalid: up to 90 letters, digits, '-', '_', '.', '(' and ')', not ending with '.'."
                ),
            ));
        }
        let location = body
            .get("location")
            .and_then(Value::as_str)
            .map(kinds::normalise_location)
            .unwrap_or_default();
        let existing = store.get(id)?;
        if let Some(row) = &existing {
            if row.operation.is_some() {
                return Err(Fail::Arm(ArmError::new(
                    409,
                    "ResourceGroupBeingDeleted",
                    format!(
                        "The resource group '{name}' is in deprovisioning state and cannot perform this operation."
                    ),
                )));
            }
            let old = row
                .body
                .get("location")
                .and_then(Value::as_str)
                .unwrap_or("");
            if old != location {
                return Err(Fail::Arm(ArmError::new(
                    409,
                    "InvalidResourceGroupLocation",
                    format!(
                        "Invalid resource group location '{location}'. The Resource group already exists in location '{old}'."
                    ),
                )));
            }
        }
        let mut out = json!({
            "id": id.to_string(),
            "name": name,
            "type": "Microsoft.Resources/resourceGroups",
            "location": location,
            "properties": { "provisioningState": "Succeeded" },
        });
        if let Some(tags) = body.get("tags").filter(|t| !t.is_null()) {
            out["tags"] = tags.clone();
        }
        if let Some(managed_by) = body.get("managedBy").filter(|t| !t.is_null()) {
            out["managedBy"] = managed_by.clone();
        }
        store.put(id, &out, None)?;
        Ok(Response::new(if existing.is_some() { 200 } else { 201 }).with_json(&out))
    }

    fn patch(&self, store: &mut Store, ctx: &RequestContext, id: &ResourceId) -> Outcome<Response> {
        let body = Self::parse_body(ctx.request)?;
        if !id.kind.is_tracked() {
            return Err(method_not_allowed(Method::Patch));
        }
        let Some(mut row) = store.get(id)? else {
            return Err(self.missing(store, id)?);
        };
        self.check_not_busy(store, id)?;
        let tags = match body.get("tags") {
            Some(Value::Object(tags)) if tags.values().all(Value::is_string) => {
                Value::Object(tags.clone())
            }
            Some(Value::Null) | None => json!({}),
            Some(_) => {
                return Err(bad(
                    "InvalidRequestFormat",
                    "tags must be an object of strings.",
                ));
            }
        };
        if let Some(map) = row.body.as_object_mut() {
            map.insert("tags".into(), tags);
            if id.kind != ResourceKind::ResourceGroup {
                map.insert("etag".into(), json!(format!("W/\"{}\"", new_guid())));
            }
        }
        // Tag updates are synchronous except on gateways and connections (reference §1.1).
        let lro = matches!(
            id.kind,
            ResourceKind::VirtualNetworkGateway | ResourceKind::Connection
        );
        if lro {
            let op = self.new_operation(id, "patch", false);
            set_state(&mut row.body, "Updating");
            store.transaction(|store| {
                store.put_operation(&op)?;
                store.put(id, &row.body, Some(&op.id))
            })?;
            let view = self.view(store, &row)?;
            return Ok(Response::new(202)
                .with_json(&view)
                .with_header(
                    HEADER_ASYNC_OPERATION,
                    self.operation_url(ctx, id, &op, "operations"),
                )
                .with_header(HEADER_RETRY_AFTER, self.config.retry_after_secs.to_string()));
        }
        store.put(id, &row.body, None)?;
        Ok(Response::new(200).with_json(&self.view(store, &row)?))
    }

    fn delete(
        &self,
        store: &mut Store,
        ctx: &RequestContext,
        id: &ResourceId,
    ) -> Outcome<Response> {
        let Some(row) = store.get(id)? else {
            if id.kind == ResourceKind::ResourceGroup {
                return Err(rg_not_found(id));
            }
            return Ok(Response::new(204));
        };
        // A repeated DELETE while the first is running answers with the same operation.
        if let Some(op_id) = &row.operation
            && let Some(op) = store.get_operation(op_id)?
            && op.action == "delete"
            && op.resource_key == id.key()
        {
            let op = self.observe(store, op_id)?;
            if op.status != "InProgress" {
                return Ok(Response::new(204));
            }
            return Ok(self.delete_accepted(ctx, id, &op));
        }
        if id.kind != ResourceKind::ResourceGroup {
            self.check_not_busy(store, id)?;
            let kinds_ctx = Ctx {
                store,
                mode: self.config.provider_mode,
            };
            kinds::check_delete(&kinds_ctx, id, &row.body)?;
        }
        let mut body = row.body.clone();
        if id.kind == ResourceKind::ExpressRouteCircuit
            && self.config.provider_mode == ProviderMode::Auto
            && let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut)
            && props.contains_key("serviceProviderProvisioningState")
        {
            // The simulated provider deprovisions the circuit before Azure deletes it.
            props.insert(
                "serviceProviderProvisioningState".into(),
                json!("NotProvisioned"),
            );
        }
        set_state(&mut body, "Deleting");
        let op = self.new_operation(id, "delete", false);
        store.transaction(|store| {
            store.put_operation(&op)?;
            store.put(id, &body, Some(&op.id))
        })?;
        if self.config.operation_polls == 0 {
            self.finish(store, &op)?;
        }
        Ok(self.delete_accepted(ctx, id, &op))
    }

    fn delete_accepted(&self, ctx: &RequestContext, id: &ResourceId, op: &Operation) -> Response {
        let retry = self.config.retry_after_secs.to_string();
        if id.kind == ResourceKind::ResourceGroup {
            let url = format!(
                "{}/subscriptions/{}/operationresults/{}?api-version={}",
                ctx.base, id.subscription, op.id, ctx.api_version
            );
            return Response::new(202)
                .with_header(HEADER_LOCATION, url)
                .with_header(HEADER_RETRY_AFTER, retry);
        }
        let mut response = Response::new(202)
            .with_header(
                HEADER_LOCATION,
                self.operation_url(ctx, id, op, "operationResults"),
            )
            .with_header(HEADER_RETRY_AFTER, retry);
        // Circuits, their children and connections answer with Location only (reference §1.1).
        let location_only = matches!(
            id.kind,
            ResourceKind::ExpressRouteCircuit
                | ResourceKind::CircuitPeering
                | ResourceKind::CircuitAuthorization
                | ResourceKind::CircuitConnection
                | ResourceKind::Connection
        );
        if !location_only {
            response = response.with_header(
                HEADER_ASYNC_OPERATION,
                self.operation_url(ctx, id, op, "operations"),
            );
        }
        response
    }

    fn new_operation(&self, id: &ResourceId, action: &str, created: bool) -> Operation {
        Operation {
            id: new_guid(),
            resource_key: id.key(),
            resource_id: id.to_string(),
            action: action.to_string(),
            observations: 0,
            required: self.config.operation_polls,
            status: "InProgress".to_string(),
            error: None,
            created,
        }
    }

    fn operation_url(
        &self,
        ctx: &RequestContext,
        id: &ResourceId,
        op: &Operation,
        which: &str,
    ) -> String {
        let version = if ctx.api_version.is_empty() {
            id.kind.api_version().to_string()
        } else {
            ctx.api_version.clone()
        };
        format!(
            "{}/subscriptions/{}/providers/Microsoft.Network/locations/{}/{which}/{}?api-version={version}",
            ctx.base, id.subscription, "westus", op.id
        )
    }

    /// Count one observation of an operation and finish it when it is due.
    fn observe(&self, store: &mut Store, op_id: &str) -> Outcome<Operation> {
        let Some(mut op) = store.get_operation(op_id)? else {
            return Err(Fail::Arm(ArmError::new(
                404,
                "OperationNotFound",
                format!("Operation {op_id} was not found."),
            )));
        };
        if op.status != "InProgress" {
            return Ok(op);
        }
        op.observations += 1;
        if op.observations >= op.required {
            self.finish(store, &op)?;
            op.status = "Succeeded".into();
        } else {
            store.put_operation(&op)?;
        }
        Ok(op)
    }

    /// Complete an operation: the resource reaches `Succeeded`, or disappears for a delete.
    fn finish(&self, store: &mut Store, op: &Operation) -> Outcome<()> {
        let mode = self.config.provider_mode;
        store.transaction(|store| {
            let mut done = op.clone();
            done.status = "Succeeded".into();
            store.put_operation(&done)?;
            if op.action == "delete" {
                return store.delete_tree(&op.resource_key);
            }
            let mut rows: Vec<Row> = store.get_key(&op.resource_key)?.into_iter().collect();
            rows.extend(store.descendants(&op.resource_key)?);
            for mut row in rows {
                if row.operation.as_deref() != Some(op.id.as_str()) {
                    continue;
                }
                set_state(&mut row.body, "Succeeded");
                let provision = op.created
                    && row.id.key() == op.resource_key
                    && row.id.kind == ResourceKind::ExpressRouteCircuit
                    && mode == ProviderMode::Auto;
                if provision
                    && let Some(props) = row
                        .body
                        .get_mut("properties")
                        .and_then(Value::as_object_mut)
                    && props.contains_key("serviceProviderProvisioningState")
                {
                    props.insert(
                        "serviceProviderProvisioningState".into(),
                        json!("Provisioned"),
                    );
                }
                store.put(&row.id, &row.body, None)?;
            }
            Ok(())
        })?;
        Ok(())
    }

    fn async_poll(
        &self,
        store: &mut Store,
        ctx: &RequestContext,
        op_id: &str,
    ) -> Outcome<Response> {
        let op = self.observe(store, op_id)?;
        let mut body = json!({ "name": op.id, "status": op.status });
        if let Some(error) = &op.error {
            body["error"] = error.clone();
        }
        let _ = ctx;
        let mut response = Response::new(200).with_json(&body);
        if op.status == "InProgress" {
            response =
                response.with_header(HEADER_RETRY_AFTER, self.config.retry_after_secs.to_string());
        }
        Ok(response)
    }

    fn location_poll(
        &self,
        store: &mut Store,
        ctx: &RequestContext,
        op_id: &str,
        resource_group: bool,
    ) -> Outcome<Response> {
        let op = self.observe(store, op_id)?;
        if op.status == "InProgress" {
            let url = format!("{}{}", ctx.base, path_and_query(&ctx.request.url));
            return Ok(Response::new(202)
                .with_header(HEADER_LOCATION, url)
                .with_header(HEADER_RETRY_AFTER, self.config.retry_after_secs.to_string()));
        }
        if op.action == "delete" {
            return Ok(Response::new(if resource_group { 200 } else { 204 }));
        }
        match store.get_key(&op.resource_key)? {
            Some(row) => Ok(Response::new(200).with_json(&self.view(store, &row)?)),
            None => Ok(Response::new(204)),
        }
    }

    /// The body GET returns: the stored body plus embedded children and computed back-references,
    /// with write-only secrets removed.
    fn view(&self, store: &Store, row: &Row) -> Result<Value> {
        let mut body = row.body.clone();
        let id = &row.id;
        let arrays = kinds::child_arrays(id.kind);
        if !arrays.is_empty() || matches!(id.kind, ResourceKind::RouteFilter) {
            let mut additions = Vec::new();
            for (array, child_kind) in arrays {
                let children = store.children(id, *child_kind)?;
                let views = children
                    .iter()
                    .map(|c| self.view(store, c))
                    .collect::<Result<Vec<_>>>()?;
                additions.push((array.to_string(), Value::Array(views)));
            }
            if id.kind == ResourceKind::CircuitPeering {
                additions.push((
                    "peeredConnections".into(),
                    Value::Array(self.peer_connections(store, id)?),
                ));
            }
            if id.kind == ResourceKind::RouteFilter {
                let mut peerings = Vec::new();
                for key in store.referrers(&id.key())? {
                    if let Some(r) = store.get_key(&key)?
                        && r.id.kind == ResourceKind::CircuitPeering
                    {
                        peerings.push(json!({ "id": r.id.to_string() }));
                    }
                }
                additions.push(("peerings".into(), Value::Array(peerings)));
            }
            if let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut) {
                for (k, v) in additions {
                    props.insert(k, v);
                }
            }
        }
        if id.kind == ResourceKind::Connection
            && let Some(props) = body.get_mut("properties").and_then(Value::as_object_mut)
        {
            props.remove("sharedKey");
        }
        Ok(body)
    }

    /// Read-only mirrors of Global Reach connections other circuits made to this peering.
    fn peer_connections(&self, store: &Store, peering: &ResourceId) -> Result<Vec<Value>> {
        let mut out = Vec::new();
        for key in store.referrers(&peering.key())? {
            let Some(row) = store.get_key(&key)? else {
                continue;
            };
            if row.id.kind != ResourceKind::CircuitConnection {
                continue;
            }
            let props = row.body.get("properties").cloned().unwrap_or(json!({}));
            let name = row.id.name().to_string();
            out.push(json!({
                "name": name,
                "id": format!("{peering}/peerConnections/{name}"),
                "type": ResourceKind::PeerConnection.arm_type(),
                "properties": {
                    "addressPrefix": props.get("addressPrefix"),
                    "circuitConnectionStatus": "Connected",
                    "connectionName": name,
                    "expressRouteCircuitPeering": props.get("peerExpressRouteCircuitPeering"),
                    "peerExpressRouteCircuitPeering": props.get("expressRouteCircuitPeering"),
                    "provisioningState": "Succeeded",
                }
            }));
        }
        Ok(out)
    }
}

impl Transport for Emulator {
    fn send(&self, request: Request) -> Result<Response> {
        Ok(self.handle(&request, "http://emulator.invalid"))
    }

    fn describe(&self) -> String {
        self.description.clone()
    }
}

struct RequestContext<'a> {
    request: &'a Request,
    base: &'a str,
    api_version: String,
}

fn write_prepared(store: &Store, prepared: &Prepared, op: &str) -> Result<()> {
    for removed in &prepared.removed {
        store.delete_tree(&removed.key())?;
    }
    store.put(&prepared.id, &prepared.body, Some(op))?;
    store.set_refs(&prepared.id.key(), &prepared.refs)?;
    for child in &prepared.children {
        write_prepared(store, child, op).with_context(|| format!("writing child {}", child.id))?;
    }
    Ok(())
}

fn set_state(body: &mut Value, state: &str) {
    if let Some(map) = body.as_object_mut() {
        let props = map.entry("properties").or_insert_with(|| json!({}));
        if let Some(props) = props.as_object_mut() {
            props.insert("provisioningState".into(), json!(state));
        }
    }
}

fn check_version(version: Option<&str>, accepted: &[&str], type_name: &str) -> Outcome<()> {
    let Some(version) = version.filter(|v| !v.is_empty()) else {
        return Err(bad(
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        ));
    };
    let well_formed = version.get(..10).is_some_and(|date| {
        date.char_indices().all(|(i, c)| {
            if i == 4 || i == 7 {
                c == '-'
            } else {
                c.is_ascii_digit()
            }
        })
    });
    if !well_formed {
        return Err(bad(
            "InvalidApiVersionParameter",
            format!(
                "The api-version '{version}' is invalid. The supported versions are '{}'.",
                accepted.join(",")
            ),
        ));
    }
    if !accepted.contains(&version) {
        return Err(bad(
            "NoRegisteredProviderFound",
            format!(
                "No registered resource provider found for API version '{version}' and type '{type_name}'. The supported api-versions are '{}'.",
                accepted.join(", ")
            ),
        ));
    }
    Ok(())
}

fn only_get(method: Method) -> Outcome<()> {
    if method == Method::Get {
        Ok(())
    } else {
        Err(method_not_allowed(method))
    }
}

fn method_not_allowed(method: Method) -> Fail {
    Fail::Arm(ArmError::new(
        405,
        "MethodNotAllowed",
        format!("The requested resource does not support http method '{method}'."),
    ))
}

fn invalid_namespace(namespace: &str) -> Fail {
    Fail::Arm(ArmError::new(
        404,
        "InvalidResourceNamespace",
        format!(
            "The resource namespace '{namespace}' is invalid or not served by this emulator (only Microsoft.Network)."
        ),
    ))
}

fn invalid_type(type_name: &str, api_version: &str) -> Fail {
    Fail::Arm(ArmError::new(
        404,
        "InvalidResourceType",
        format!(
            "The resource type '{type_name}' could not be found in the namespace 'Microsoft.Network' for api version '{api_version}'."
        ),
    ))
}

fn rg_not_found(rg: &ResourceId) -> Fail {
    Fail::Arm(ArmError::new(
        404,
        "ResourceGroupNotFound",
        format!("Resource group '{}' could not be found.", rg.resource_group),
    ))
}

fn parent_not_found(parent: &ResourceId) -> Fail {
    Fail::Arm(ArmError::new(
        404,
        "ParentResourceNotFound",
        format!(
            "Can not perform requested operation on nested resource. Parent resource '{}' not found.",
            parent.name()
        ),
    ))
}

fn resource_not_found(id: &ResourceId) -> Fail {
    Fail::Arm(ArmError::new(
        404,
        "ResourceNotFound",
        format!(
            "The Resource '{}/{}' under resource group '{}' was not found.",
            id.kind.arm_type(),
            id.names.join("/"),
            id.resource_group
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn odd_requests_get_arm_errors_not_panics() {
        let emulator = Emulator::in_memory(EmulatorConfig::default()).unwrap();
        let urls = [
            "",
            "/",
            "?",
            "/subscriptions",
            "/subscriptions/s/resourcegroups/rg?api-version=2025-09-0\u{e9}x",
            "/subscriptions/s/resourcegroups/rg?api-version=\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/%ZZ/peerings?api-version=2025-09-01",
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/a/b/c/d/e/f/g?api-version=2025-09-01",
            "/subscriptions/s/providers/Microsoft.Network/locations/x/operations/nope?api-version=2025-09-01",
            "http://host",
            "/subscriptions/s/resourcegroups/rg/providers/Microsoft.Network/virtualNetworks/%2F?api-version=2025-09-01",
        ];
        for url in urls {
            for method in [
                Method::Get,
                Method::Put,
                Method::Patch,
                Method::Delete,
                Method::Post,
            ] {
                let mut request = Request::new(method, url);
                request.body = Some(vec![0xff, 0xfe, b'{']);
                let response = emulator.handle(&request, "http://x");
                if response.status >= 400 {
                    let body: Value = serde_json::from_slice(&response.body).unwrap();
                    assert!(body["error"]["code"].is_string(), "{url}: {body}");
                }
            }
        }
    }
}
