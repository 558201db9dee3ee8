//! Choosing the state backend of a command: the configuration's `terraform { backend "…" {} }` block
//! (literal settings only, as in Terraform) plus the credentials in the environment (`PG_CONN_STR`,
//! `PGPASSWORD`, `ARM_ACCESS_KEY`, `ARM_SAS_TOKEN`) become a `Box<dyn Backend>`; without a block the
//! local file. `init` records the chosen backend, credentials left out, in `.peerform/backend.json`,
//! so that a later `init --migrate-state` knows where the state was and can copy it across. Nothing
//! here may print or record a credential: the record keeps a connection string without its password,
//! and errors name the backend by its description, never by its settings.

use super::Context;
use super::state::{DEFAULT_STATE_FILE, LockArgs, with_lock};
use crate::config::{Block, Body, Config, LoadOptions, did_you_mean, load_config};
use crate::diag::{Diagnostic, Diagnostics, render_human};
use crate::state::{
    self, AzureBlobBackend, AzureBlobSettings, AzureCredentials, Backend, LocalBackend, Migration,
    PgBackend, PgSettings, StateStore,
};
use anyhow::Context as _;
use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use std::path::{Path, PathBuf};

/// Where `init` records the backend it set up, inside the working folder.
const RECORD_FILE: &str = ".peerform/backend.json";

/// A backend's settings without credentials: what `init` records and compares.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum BackendRecord {
    Local {
        path: String,
    },
    Pg {
        /// The connection string rebuilt without its password.
        conn_str: String,
        schema_name: String,
        skip_schema_creation: bool,
        skip_table_creation: bool,
    },
    Azurerm {
        storage_account_name: String,
        container_name: String,
        key: String,
        endpoint: Option<String>,
    },
}

impl BackendRecord {
    fn kind(&self) -> &'static str {
        match self {
            BackendRecord::Local { .. } => "local",
            BackendRecord::Pg { .. } => "pg",
            BackendRecord::Azurerm { .. } => "azurerm",
        }
    }
}

/// A backend ready to use, and its record.
pub struct Selected {
    pub backend: Box<dyn Backend>,
    pub record: BackendRecord,
}

fn env<'a>(ctx: &'a Context<'_>, name: &str) -> Option<&'a str> {
    ctx.env
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// The backend of a configuration that loaded without errors (as `plan` has it). Mistakes in the
/// backend block are printed as diagnostics, and the error says so.
pub fn configured(ctx: &mut Context<'_>, config: &Config) -> anyhow::Result<Selected> {
    let block = config.root().backend.as_ref();
    let result = match block {
        None => Ok(local(ctx, None, None)),
        Some(block) => from_block(ctx, &block.kind, &block.body).map(|selected| {
            if block.kind != "local" {
                return selected;
            }
            // The local path as `plan` has always read it.
            let path = super::plan::state_file(ctx, config);
            let relative = path.strip_prefix(&ctx.dir).unwrap_or(&path).to_path_buf();
            local(ctx, None, Some(relative.display().to_string()))
        }),
    };
    match result {
        Ok(selected) => Ok(selected),
        Err(BlockError::Diagnostics(diagnostics)) => {
            write!(
                ctx.err,
                "{}",
                render_human(&diagnostics, &config.sources, ctx.color)
            )?;
            anyhow::bail!(
                "the backend block has errors (shown above); fix it, then run the command again"
            )
        }
        Err(BlockError::Other(e)) => Err(e),
    }
}

/// The configured backend as `plan` and `apply` use it: a local backend journals beside its file; a
/// remote one journals completed steps to `.peerform/<type>-<digest>.journal` until the run ends.
pub fn store(ctx: &mut Context<'_>, config: &Config) -> anyhow::Result<StateStore> {
    let selected = configured(ctx, config)?;
    Ok(match selected.record {
        BackendRecord::Local { path } => StateStore::Local(LocalBackend::new(&ctx.dir.join(path))),
        record => {
            let dot = ctx.dir.join(".peerform");
            std::fs::create_dir_all(&dot).with_context(|| format!("creating {}", dot.display()))?;
            // One journal per backend location, named by a digest of its (credential-free) record.
            let digest = sha2::Sha256::digest(serde_json::to_vec(&record)?);
            let name = format!("{}-{}.journal", record.kind(), hex::encode(&digest[..6]));
            StateStore::remote(selected.backend, &dot.join(name))
        }
    })
}

/// Whether the configuration in `dir` may name a remote backend, judged from the text of its `.tf`
/// files without loading them (so that `plan` knows to reach the cloud for a refresh when no local
/// state file is in sight). A false positive only costs a connection.
pub fn may_be_remote(dir: &Path) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|entry| {
        let path = entry.path();
        path.extension().is_some_and(|e| e == "tf")
            && std::fs::read_to_string(&path).is_ok_and(|text| {
                text.split("backend").skip(1).any(|rest| {
                    let rest = rest.trim_start();
                    rest.starts_with("\"pg\"") || rest.starts_with("\"azurerm\"")
                })
            })
    })
}

/// The backend of a state command: `--state PATH` (a local file) or the configuration's backend.
/// A folder without `.tf` files uses the local `peerform.tfstate`.
pub fn for_state_command(
    ctx: &mut Context<'_>,
    state_flag: Option<&Path>,
) -> anyhow::Result<Selected> {
    if !has_configuration(&ctx.dir) {
        return Ok(local(ctx, state_flag, None));
    }
    let options = LoadOptions {
        env: ctx.env.clone(),
        ..LoadOptions::default()
    };
    let (config, diagnostics) = load_config(&ctx.dir, &options);
    match (&config.root().backend, state_flag) {
        (Some(block), Some(_)) if block.kind != "local" => anyhow::bail!(
            "--state names a local state file, but this configuration keeps its state in the {} backend; drop --state",
            block.kind
        ),
        (Some(_), Some(path)) => Ok(local(ctx, Some(path), None)),
        (Some(_), None) => configured(ctx, &config),
        (None, Some(path)) => Ok(local(ctx, Some(path), None)),
        (None, None) if diagnostics.has_errors() => anyhow::bail!(
            "the configuration in {} has errors, so its backend cannot be known; run `peerform validate` and fix them, or pass --state PATH to use a local state file",
            ctx.dir.display()
        ),
        (None, None) => Ok(local(ctx, None, None)),
    }
}

fn has_configuration(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.flatten().any(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            !name.starts_with('.') && (name.ends_with(".tf") || name.ends_with(".tf.json"))
        })
    })
}

fn local(ctx: &Context<'_>, state_flag: Option<&Path>, configured: Option<String>) -> Selected {
    let path = match (state_flag, configured) {
        (Some(flag), _) => flag.to_path_buf(),
        (None, Some(path)) => PathBuf::from(path),
        (None, None) => PathBuf::from(DEFAULT_STATE_FILE),
    };
    Selected {
        backend: Box::new(LocalBackend::new(&ctx.dir.join(&path))),
        record: BackendRecord::Local {
            path: path.display().to_string(),
        },
    }
}

enum BlockError {
    /// Mistakes in the block, with their spans.
    Diagnostics(Diagnostics),
    /// Anything else (missing credentials, an unreadable connection string).
    Other(anyhow::Error),
}

impl From<anyhow::Error> for BlockError {
    fn from(e: anyhow::Error) -> Self {
        BlockError::Other(e)
    }
}

/// Literal settings read from a backend block; every problem becomes a diagnostic.
struct Settings<'a> {
    kind: &'a str,
    body: &'a Body,
    diagnostics: Diagnostics,
}

impl<'a> Settings<'a> {
    fn new(kind: &'a str, body: &'a Body, allowed: &[&str]) -> Self {
        let mut settings = Settings {
            kind,
            body,
            diagnostics: Diagnostics::new(),
        };
        for attr in &body.attributes {
            if allowed.contains(&attr.name.as_str()) {
                continue;
            }
            let detail = if ["access_key", "sas_token", "password"].contains(&attr.name.as_str()) {
                format!(
                    "Credentials do not belong in the configuration, which is committed with the code. Remove {} and set {} in the environment instead.",
                    attr.name,
                    match kind {
                        "pg" => "PG_CONN_STR or PGPASSWORD",
                        _ => "ARM_ACCESS_KEY or ARM_SAS_TOKEN",
                    }
                )
            } else {
                let hint = did_you_mean(&attr.name, allowed.iter().copied())
                    .map(|s| format!(" Did you mean \"{s}\"?"))
                    .unwrap_or_default();
                format!(
                    "The {kind} backend has no setting named \"{}\".{hint} It accepts: {}.",
                    attr.name,
                    allowed.join(", ")
                )
            };
            settings.diagnostics.push(
                Diagnostic::error("Unsupported backend setting", detail).with_span(attr.span),
            );
        }
        for block in &body.blocks {
            settings.unexpected_block(block);
        }
        settings
    }

    fn unexpected_block(&mut self, block: &Block) {
        self.diagnostics.push(
            Diagnostic::error(
                "Unsupported block type",
                format!(
                    "The {} backend takes settings only, not a \"{}\" block.",
                    self.kind, block.kind
                ),
            )
            .with_span(block.span),
        );
    }

    fn string(&mut self, name: &str) -> Option<String> {
        let attr = self.body.attribute(name)?;
        match attr.expr.as_literal_str() {
            Some(text) => Some(text.to_string()),
            None => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "Invalid backend setting",
                        format!(
                            "The {} backend's {name} must be a literal string: backend settings are read before variables exist, so they cannot use variables, references or functions.",
                            self.kind
                        ),
                    )
                    .with_span(attr.expr.span()),
                );
                None
            }
        }
    }

    fn bool(&mut self, name: &str) -> bool {
        let Some(attr) = self.body.attribute(name) else {
            return false;
        };
        match &attr.expr.expr {
            hcl_edit::expr::Expression::Bool(b) => *b.value(),
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        "Invalid backend setting",
                        format!(
                            "The {} backend's {name} must be true or false, written literally.",
                            self.kind
                        ),
                    )
                    .with_span(attr.expr.span()),
                );
                false
            }
        }
    }

    fn required(&mut self, name: &str, what: &str) -> String {
        if let Some(value) = self.string(name) {
            if value.is_empty() {
                self.missing(name, what);
            }
            return value;
        }
        if self.body.attribute(name).is_none() {
            self.missing(name, what);
        }
        String::new()
    }

    fn missing(&mut self, name: &str, what: &str) {
        self.diagnostics.push(Diagnostic::error(
            "Missing backend setting",
            format!("The {} backend needs {name}: {what}.", self.kind),
        ));
    }

    fn finish(self) -> Result<(), BlockError> {
        if self.diagnostics.has_errors() {
            Err(BlockError::Diagnostics(self.diagnostics))
        } else {
            Ok(())
        }
    }
}

/// A backend from its block and the environment.
fn from_block(ctx: &Context<'_>, kind: &str, body: &Body) -> Result<Selected, BlockError> {
    match kind {
        "local" => {
            let mut settings = Settings::new(kind, body, &["path"]);
            let path = settings.string("path");
            settings.finish()?;
            Ok(local(ctx, None, path))
        }
        "pg" => {
            let mut settings = Settings::new(
                kind,
                body,
                &[
                    "conn_str",
                    "schema_name",
                    "skip_schema_creation",
                    "skip_table_creation",
                ],
            );
            let conn_str = settings.string("conn_str");
            let schema_name = settings.string("schema_name");
            let skip_schema_creation = settings.bool("skip_schema_creation");
            let skip_table_creation = settings.bool("skip_table_creation");
            settings.finish()?;
            let conn_str = conn_str
                .filter(|c| !c.is_empty())
                .or_else(|| env(ctx, "PG_CONN_STR").map(str::to_string))
                .ok_or_else(|| {
                    anyhow::anyhow!(
                        "the pg backend needs a connection string: set PG_CONN_STR in the environment (or conn_str in the backend block), such as postgres://user@host:5432/database"
                    )
                })?;
            let schema_name = schema_name
                .or_else(|| env(ctx, "PG_SCHEMA_NAME").map(str::to_string))
                .unwrap_or_else(|| state::DEFAULT_SCHEMA.to_string());
            let pg = PgSettings {
                conn_str,
                password: env(ctx, "PGPASSWORD").map(str::to_string),
                schema_name,
                state_name: state::DEFAULT_STATE_NAME.to_string(),
                skip_schema_creation,
                skip_table_creation,
            };
            Ok(open_pg(pg)?)
        }
        "azurerm" => {
            let mut settings = Settings::new(
                kind,
                body,
                &[
                    "storage_account_name",
                    "container_name",
                    "key",
                    "endpoint",
                    "resource_group_name",
                    "subscription_id",
                    "tenant_id",
                ],
            );
            let storage_account_name = settings.required(
                "storage_account_name",
                "the storage account that holds the state container",
            );
            let container_name =
                settings.required("container_name", "the blob container that holds the state");
            let key = settings.required("key", "the state blob's name, such as prod.tfstate");
            let endpoint = settings.string("endpoint").filter(|e| !e.is_empty());
            let _ = settings.string("resource_group_name");
            let _ = settings.string("subscription_id");
            let _ = settings.string("tenant_id");
            settings.finish()?;
            Ok(open_azurerm(
                ctx,
                storage_account_name,
                container_name,
                key,
                endpoint,
            )?)
        }
        other => Err(BlockError::Other(anyhow::anyhow!(
            "there is no backend type named \"{other}\"; use \"local\", \"pg\" or \"azurerm\""
        ))),
    }
}

fn open_pg(pg: PgSettings) -> anyhow::Result<Selected> {
    let parsed = state::parse_conn_str(&pg.conn_str)?;
    let (conn_str, _) = state::conn_str_without_password(&parsed);
    let record = BackendRecord::Pg {
        conn_str,
        schema_name: pg.schema_name.clone(),
        skip_schema_creation: pg.skip_schema_creation,
        skip_table_creation: pg.skip_table_creation,
    };
    Ok(Selected {
        backend: Box::new(PgBackend::new(&pg)?),
        record,
    })
}

fn open_azurerm(
    ctx: &Context<'_>,
    storage_account_name: String,
    container_name: String,
    key: String,
    endpoint: Option<String>,
) -> anyhow::Result<Selected> {
    let credentials = if let Some(access_key) = env(ctx, "ARM_ACCESS_KEY") {
        AzureCredentials::AccessKey(access_key.to_string())
    } else if let Some(token) = env(ctx, "ARM_SAS_TOKEN") {
        AzureCredentials::SasToken(token.to_string())
    } else {
        anyhow::bail!(
            "the azurerm backend (storage account {storage_account_name}) needs credentials: set ARM_ACCESS_KEY to the storage account's access key, or ARM_SAS_TOKEN to a SAS token for the container"
        );
    };
    let settings = AzureBlobSettings {
        storage_account_name: storage_account_name.clone(),
        container_name: container_name.clone(),
        key: key.clone(),
        endpoint: endpoint.clone(),
        credentials,
    };
    Ok(Selected {
        backend: Box::new(AzureBlobBackend::new(&settings)?),
        record: BackendRecord::Azurerm {
            storage_account_name,
            container_name,
            key,
            endpoint,
        },
    })
}

/// Re-open a recorded backend, with the credentials the environment holds now. A recorded pg
/// connection string has no password: it comes from `PGPASSWORD`, or from `PG_CONN_STR` when that
/// names the same server, database and user.
fn from_record(ctx: &Context<'_>, record: &BackendRecord) -> anyhow::Result<Box<dyn Backend>> {
    Ok(match record {
        BackendRecord::Local { path } => Box::new(LocalBackend::new(&ctx.dir.join(path))),
        BackendRecord::Pg {
            conn_str,
            schema_name,
            skip_schema_creation,
            skip_table_creation,
        } => {
            let from_env = env(ctx, "PG_CONN_STR")
                .and_then(|c| state::parse_conn_str(c).ok())
                .filter(|c| state::conn_str_without_password(c).0 == *conn_str)
                .and_then(|c| {
                    c.get_password()
                        .map(|p| String::from_utf8_lossy(p).into_owned())
                });
            let password = env(ctx, "PGPASSWORD").map(str::to_string).or(from_env);
            Box::new(PgBackend::new(&PgSettings {
                conn_str: conn_str.clone(),
                password,
                schema_name: schema_name.clone(),
                state_name: state::DEFAULT_STATE_NAME.to_string(),
                skip_schema_creation: *skip_schema_creation,
                skip_table_creation: *skip_table_creation,
            })?)
        }
        BackendRecord::Azurerm {
            storage_account_name,
            container_name,
            key,
            endpoint,
        } => {
            open_azurerm(
                ctx,
                storage_account_name.clone(),
                container_name.clone(),
                key.clone(),
                endpoint.clone(),
            )?
            .backend
        }
    })
}

fn read_record(dir: &Path) -> anyhow::Result<Option<BackendRecord>> {
    let path = dir.join(RECORD_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    };
    serde_json::from_slice(&bytes).map(Some).map_err(|e| {
        anyhow::anyhow!(
            "{} cannot be read ({e}); delete it and run init --reconfigure",
            path.display()
        )
    })
}

fn write_record(dir: &Path, record: &BackendRecord) -> anyhow::Result<()> {
    let path = dir.join(RECORD_FILE);
    let mut bytes = serde_json::to_vec_pretty(record)?;
    bytes.push(b'\n');
    std::fs::write(&path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// What `init` asks of the backend.
pub struct InitBackend<'a> {
    pub migrate_state: bool,
    pub reconfigure: bool,
    pub lock: &'a LockArgs,
}

/// `init`'s backend part: check the configured backend answers (creating pg tables on first use),
/// move the state over from the backend recorded by the last `init` when asked, and record the
/// configured one.
pub fn init(ctx: &mut Context<'_>, options: &InitBackend<'_>) -> anyhow::Result<()> {
    let selected = for_state_command(ctx, None)?;
    let recorded = read_record(&ctx.dir)?;
    // A first init with a remote backend picks up the local state left from before.
    let previous = recorded.clone().or_else(|| {
        let default = ctx.dir.join(DEFAULT_STATE_FILE);
        (selected.record.kind() != "local" && default.exists()).then(|| BackendRecord::Local {
            path: DEFAULT_STATE_FILE.to_string(),
        })
    });
    let changed = previous.as_ref().filter(|p| **p != selected.record);
    match changed {
        Some(_) if options.reconfigure => {}
        Some(previous) if options.migrate_state => {
            let source = from_record(ctx, previous)?;
            migrate_between(
                ctx,
                source.as_ref(),
                selected.backend.as_ref(),
                options.lock,
            )?;
        }
        Some(previous) => {
            let source = from_record(ctx, previous)
                .map(|b| b.describe())
                .unwrap_or_else(|_| format!("the {} backend", previous.kind()));
            anyhow::bail!(
                "the backend changed: the state was in {source}, and the configuration now says {}; run `peerform init --migrate-state` to copy the state across, or `peerform init --reconfigure` to use the new backend as it is",
                selected.backend.describe()
            );
        }
        None => {
            if options.migrate_state {
                writeln!(
                    ctx.out,
                    "The backend has not changed; there is no state to migrate."
                )?;
            }
        }
    }
    selected
        .backend
        .read()
        .with_context(|| format!("checking {}", selected.backend.describe()))?;
    write_record(&ctx.dir, &selected.record)?;
    writeln!(ctx.out, "Using {}.", selected.backend.describe())?;
    Ok(())
}

fn migrate_between(
    ctx: &mut Context<'_>,
    source: &dyn Backend,
    destination: &dyn Backend,
    lock: &LockArgs,
) -> anyhow::Result<()> {
    let operation = "init --migrate-state";
    let outcome = with_lock(source, lock, operation, ctx, || {
        with_lock(destination, lock, operation, ctx, || {
            state::migrate(source, destination)
        })
    })?;
    match outcome {
        Migration::NothingToMigrate => writeln!(
            ctx.out,
            "{} holds no state; there is nothing to migrate.",
            source.describe()
        )?,
        Migration::AlreadyThere { lineage, serial } => writeln!(
            ctx.out,
            "{} already holds this state (lineage {lineage}, serial {serial}).",
            destination.describe()
        )?,
        Migration::Copied { lineage, serial } => writeln!(
            ctx.out,
            "Migrated the state (lineage {lineage}, serial {serial}) from {} to {}. The old copy is left in place; remove it once you no longer need it.",
            source.describe(),
            destination.describe()
        )?,
    }
    Ok(())
}
