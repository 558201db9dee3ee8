//! The `pg` backend: states kept in a PostgreSQL table, as Terraform's pg backend keeps them. A schema
//! (`terraform_remote_state` unless configured) holds `states (id, name, data)`, one row per state
//! name, and `locks (name, info)`, one lock-info row per state name; both are created on first use.
//! The lock is a session-level advisory lock, so it goes away with the holder's connection when the
//! holder crashes; the lock-info row only tells a waiting user who holds it. Every lock attempt and
//! release runs under a transaction-level advisory lock of its own, so a waiter never reads the row of
//! a holder that is half-way through taking the lock. It must not print or read the environment, and
//! no error it returns may contain the connection string or the password.

use postgres::config::{Host, SslMode};
use postgres::error::SqlState;
use postgres::{Client, NoTls};
use sha2::{Digest as _, Sha256};
use std::sync::Mutex;
use std::time::Duration;

use super::backend::{Backend, WriteOptions, check_write};
use super::lock::{LockInfo, LockRequest, StateLocked};
use super::model::State;
use super::wire;

/// The schema Terraform's pg backend uses when none is configured.
pub const DEFAULT_SCHEMA: &str = "terraform_remote_state";

/// The state name Terraform uses for the default workspace.
pub const DEFAULT_STATE_NAME: &str = "default";

/// How long to wait for the server to accept a connection when the connection string does not say.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// What a `backend "pg"` block says, with the connection string already chosen (block or
/// `PG_CONN_STR`). The connection string is a credential: it is never shown.
#[derive(Clone)]
pub struct PgSettings {
    pub conn_str: String,
    /// A password from elsewhere (`PGPASSWORD`), used when the connection string has none.
    pub password: Option<String>,
    pub schema_name: String,
    /// Which state in the schema: `default` unless a test or a workspace says otherwise.
    pub state_name: String,
    pub skip_schema_creation: bool,
    pub skip_table_creation: bool,
}

impl std::fmt::Debug for PgSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgSettings")
            .field("conn_str", &"(hidden)")
            .field("schema_name", &self.schema_name)
            .field("state_name", &self.state_name)
            .finish_non_exhaustive()
    }
}

/// A state kept in PostgreSQL.
pub struct PgBackend {
    config: postgres::Config,
    schema: String,
    name: String,
    skip_schema_creation: bool,
    skip_table_creation: bool,
    describe: String,
    /// Text that must never appear in a message: the connection string and the password.
    secrets: Vec<String>,
    session: Mutex<Session>,
}

/// The one connection of a backend: the advisory lock belongs to it.
#[derive(Default)]
struct Session {
    client: Option<Client>,
    /// The lock this client holds, if any.
    held: Option<LockInfo>,
}

/// Advisory lock keys of one state.
struct Keys {
    /// Held (session level) by whoever holds the state lock.
    lock: i64,
    /// Held (transaction level) while a lock is taken or released.
    meta: i64,
    /// Held (transaction level) while the state row is written.
    write: i64,
}

/// Held (transaction level) while the schema and tables are created, by every state.
fn creation_key() -> i64 {
    advisory_key(&["peerform", "create"])
}

fn advisory_key(parts: &[&str]) -> i64 {
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part.as_bytes());
        hasher.update([0]);
    }
    let digest = hasher.finalize();
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(bytes)
}

/// Quote an SQL identifier.
fn quote_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Parse a connection string (key=value or URL form) without ever repeating it in an error.
pub fn parse_conn_str(conn_str: &str) -> anyhow::Result<postgres::Config> {
    conn_str.parse::<postgres::Config>().map_err(|e| {
        anyhow::anyhow!(
            "the pg backend's connection string cannot be read ({}); write it as `postgres://user@host:5432/database` or `host=… port=… dbname=… user=…`",
            error_text(&e)
        )
    })
}

/// The connection string without its password, rebuilt in key=value form: what may be recorded or
/// compared. Returns the string and whether a password was dropped.
pub fn conn_str_without_password(config: &postgres::Config) -> (String, bool) {
    let mut parts = Vec::new();
    let quote = |value: &str| format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"));
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            Host::Tcp(name) => name.clone(),
            Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    if !hosts.is_empty() {
        parts.push(format!("host={}", quote(&hosts.join(","))));
    }
    let ports: Vec<String> = config.get_ports().iter().map(u16::to_string).collect();
    if !ports.is_empty() {
        parts.push(format!("port={}", quote(&ports.join(","))));
    }
    if let Some(user) = config.get_user() {
        parts.push(format!("user={}", quote(user)));
    }
    if let Some(dbname) = config.get_dbname() {
        parts.push(format!("dbname={}", quote(dbname)));
    }
    if let Some(options) = config.get_options() {
        parts.push(format!("options={}", quote(options)));
    }
    if let Some(name) = config.get_application_name() {
        parts.push(format!("application_name={}", quote(name)));
    }
    match config.get_ssl_mode() {
        SslMode::Disable => parts.push("sslmode=disable".into()),
        SslMode::Require => parts.push("sslmode=require".into()),
        _ => {}
    }
    if let Some(timeout) = config.get_connect_timeout() {
        parts.push(format!("connect_timeout={}", timeout.as_secs()));
    }
    (parts.join(" "), config.get_password().is_some())
}

/// A postgres error with its causes, as one line.
fn error_text(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        return db.message().to_string();
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

impl PgBackend {
    /// A backend for these settings. Nothing is contacted until the first read, write or lock.
    pub fn new(settings: &PgSettings) -> anyhow::Result<Self> {
        let mut config = parse_conn_str(&settings.conn_str)?;
        if config.get_password().is_none()
            && let Some(password) = &settings.password
        {
            config.password(password);
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        if config.get_ssl_mode() == SslMode::Require {
            anyhow::bail!(
                "the pg backend does not support TLS connections yet, and the connection string asks for sslmode=require; use sslmode=prefer or disable on a trusted network"
            );
        }
        if settings.schema_name.is_empty() {
            anyhow::bail!(
                "the pg backend's schema_name is empty; remove it to use {DEFAULT_SCHEMA}"
            );
        }
        let mut secrets = vec![settings.conn_str.clone()];
        if let Some(password) = config.get_password() {
            secrets.push(String::from_utf8_lossy(password).into_owned());
        }
        secrets.retain(|s| !s.is_empty());
        let describe = describe(&config, &settings.schema_name, &settings.state_name);
        Ok(PgBackend {
            config,
            schema: quote_ident(&settings.schema_name),
            name: settings.state_name.clone(),
            skip_schema_creation: settings.skip_schema_creation,
            skip_table_creation: settings.skip_table_creation,
            describe,
            secrets,
            session: Mutex::new(Session::default()),
        })
    }

    fn keys(&self) -> Keys {
        Keys {
            lock: advisory_key(&["peerform", "lock", &self.schema, &self.name]),
            meta: advisory_key(&["peerform", "meta", &self.schema, &self.name]),
            write: advisory_key(&["peerform", "write", &self.schema, &self.name]),
        }
    }

    /// Remove every secret from a message, in case a server or library repeats one.
    fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "(hidden)");
        }
        text
    }

    /// An error of `what`, naming this backend, with the postgres error's own words.
    fn failure(&self, what: &str, error: &postgres::Error) -> anyhow::Error {
        let detail = self.redact(&error_text(error));
        if error.as_db_error().is_none() {
            return anyhow::anyhow!(
                "{}: {what}: {detail}; check that the server is running and reachable",
                self.describe
            );
        }
        anyhow::anyhow!("{}: {what}: {detail}", self.describe)
    }

    fn connect_failure(&self, error: &postgres::Error) -> anyhow::Error {
        let detail = self.redact(&error_text(error));
        let code = error.code();
        let hint = if code == Some(&SqlState::INVALID_PASSWORD)
            || code == Some(&SqlState::INVALID_AUTHORIZATION_SPECIFICATION)
            || detail.contains("password")
        {
            "the server refused the credentials; check the user and password in conn_str, PG_CONN_STR or PGPASSWORD"
        } else if code == Some(&SqlState::INVALID_CATALOG_NAME) {
            "check the database name in conn_str or PG_CONN_STR, or create the database"
        } else if error.as_db_error().is_some() {
            "the server refused the connection; check the connection settings in conn_str or PG_CONN_STR"
        } else {
            "check that the server is running and that the host and port in conn_str or PG_CONN_STR are right"
        };
        anyhow::anyhow!(
            "{}: cannot connect to PostgreSQL ({detail}); {hint}",
            self.describe
        )
    }

    /// Run `body` with this backend's connection, connecting (and creating the tables) first when
    /// needed. A lost connection that held the lock is an error: the lock is gone with it.
    fn with_client<T>(
        &self,
        body: impl FnOnce(&Self, &mut Client, &mut Option<LockInfo>) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        let mut session = self
            .session
            .lock()
            .map_err(|_| anyhow::anyhow!("{}: a previous operation panicked", self.describe))?;
        if session.client.as_ref().is_some_and(Client::is_closed) {
            session.client = None;
            if let Some(held) = session.held.take() {
                anyhow::bail!(
                    "{}: the connection that held the state lock {} was lost, and the lock with it; run the command again",
                    self.describe,
                    held.id
                );
            }
        }
        if session.client.is_none() {
            let mut client = self
                .config
                .connect(NoTls)
                .map_err(|e| self.connect_failure(&e))?;
            self.prepare(&mut client)?;
            session.client = Some(client);
        }
        let Session { client, held } = &mut *session;
        let Some(client) = client.as_mut() else {
            anyhow::bail!("{}: no connection", self.describe);
        };
        body(self, client, held)
    }

    /// Create the schema and tables when they are missing (Terraform's pg backend does this on first
    /// use); concurrent first uses are serialised by an advisory lock.
    fn prepare(&self, client: &mut Client) -> anyhow::Result<()> {
        let schema_name = self.schema_name();
        let mut tx = client
            .transaction()
            .map_err(|e| self.failure("starting a transaction", &e))?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&creation_key()])
            .map_err(|e| self.failure("waiting to create the tables", &e))?;
        let schema_exists = tx
            .query_opt(
                "SELECT 1 FROM pg_namespace WHERE nspname = $1",
                &[&schema_name],
            )
            .map_err(|e| self.failure("looking up the schema", &e))?
            .is_some();
        if !schema_exists {
            if self.skip_schema_creation {
                anyhow::bail!(
                    "{}: schema {schema_name} does not exist, and skip_schema_creation is set; create it, or check schema_name",
                    self.describe
                );
            }
            tx.batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", self.schema))
                .map_err(|e| self.failure(&format!("creating schema {schema_name} (the user needs CREATE on the database, or create the schema and set skip_schema_creation)"), &e))?;
        }
        for (table, ddl) in [
            (
                "states",
                "id bigserial PRIMARY KEY, name text UNIQUE NOT NULL, data text NOT NULL",
            ),
            ("locks", "name text PRIMARY KEY, info text NOT NULL"),
        ] {
            let qualified = format!("{}.{table}", self.schema);
            let exists = tx
                .query_one("SELECT to_regclass($1) IS NOT NULL", &[&qualified])
                .map_err(|e| self.failure("looking up the tables", &e))?
                .get::<_, bool>(0);
            if exists {
                continue;
            }
            if self.skip_table_creation {
                anyhow::bail!(
                    "{}: table {schema_name}.{table} does not exist, and skip_table_creation is set; create it, or check schema_name",
                    self.describe
                );
            }
            tx.batch_execute(&format!("CREATE TABLE IF NOT EXISTS {qualified} ({ddl})"))
                .map_err(|e| self.failure(&format!("creating table {schema_name}.{table}"), &e))?;
        }
        tx.commit()
            .map_err(|e| self.failure("creating the tables", &e))
    }

    fn schema_name(&self) -> String {
        self.schema[1..self.schema.len() - 1].replace("\"\"", "\"")
    }

    /// The holder named by the lock-info row, if it can be read.
    fn read_holder(&self, tx: &mut postgres::Transaction<'_>) -> anyhow::Result<Option<LockInfo>> {
        let row = tx
            .query_opt(
                &format!("SELECT info FROM {}.locks WHERE name = $1", self.schema),
                &[&self.name],
            )
            .map_err(|e| self.failure("reading the lock info", &e))?;
        Ok(row.and_then(|r| LockInfo::from_json(r.get::<_, String>(0).as_bytes()).ok()))
    }

    fn decode(&self, data: &str) -> anyhow::Result<State> {
        wire::decode(data.as_bytes())
            .map_err(|e| anyhow::anyhow!("{}: reading the stored state: {e:#}", self.describe))
    }
}

/// `pg backend: state "default" in schema terraform_remote_state of database D at HOST:PORT as USER`.
fn describe(config: &postgres::Config, schema: &str, name: &str) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, host)| {
            let port = config
                .get_ports()
                .get(i)
                .or_else(|| config.get_ports().first())
                .copied()
                .unwrap_or(5432);
            match host {
                Host::Tcp(name) => format!("{name}:{port}"),
                Host::Unix(path) => format!("{}:{port}", path.display()),
            }
        })
        .collect();
    let at = if hosts.is_empty() {
        "localhost:5432".to_string()
    } else {
        hosts.join(",")
    };
    let database = config
        .get_dbname()
        .or(config.get_user())
        .unwrap_or("postgres");
    let user = config
        .get_user()
        .map(|u| format!(" as {u}"))
        .unwrap_or_default();
    format!("pg backend: state \"{name}\" in schema {schema} of database {database} at {at}{user}")
}

impl Backend for PgBackend {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn read(&self) -> anyhow::Result<Option<State>> {
        self.with_client(|this, client, _| {
            let row = client
                .query_opt(
                    &format!("SELECT data FROM {}.states WHERE name = $1", this.schema),
                    &[&this.name],
                )
                .map_err(|e| this.failure("reading the state", &e))?;
            row.map(|r| this.decode(&r.get::<_, String>(0))).transpose()
        })
    }

    fn write(&self, state: &State, options: WriteOptions) -> anyhow::Result<()> {
        let bytes = wire::encode(state)?;
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow::anyhow!("{}: the encoded state is not UTF-8", self.describe))?;
        self.with_client(|this, client, _| {
            let mut tx = client
                .transaction()
                .map_err(|e| this.failure("starting a transaction", &e))?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&this.keys().write])
                .map_err(|e| this.failure("waiting for another write", &e))?;
            let row = tx
                .query_opt(
                    &format!(
                        "SELECT data FROM {}.states WHERE name = $1 FOR UPDATE",
                        this.schema
                    ),
                    &[&this.name],
                )
                .map_err(|e| this.failure("reading the state before writing", &e))?;
            let current_text = row.map(|r| r.get::<_, String>(0));
            if current_text.as_deref() == Some(text.as_str()) {
                return Ok(());
            }
            let current = current_text
                .as_deref()
                .map(|t| this.decode(t))
                .transpose()
                .map_err(|e| e.context("refusing to overwrite a stored state that cannot be read"))?;
            check_write(&this.describe, current.as_ref(), state, options)?;
            tx.execute(
                &format!(
                    "INSERT INTO {}.states (name, data) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET data = EXCLUDED.data",
                    this.schema
                ),
                &[&this.name, &text],
            )
            .map_err(|e| this.failure("writing the state", &e))?;
            tx.commit()
                .map_err(|e| this.failure("committing the state", &e))
        })
    }

    fn lock(&self, request: &LockRequest) -> anyhow::Result<LockInfo> {
        self.with_client(|this, client, held| {
            if let Some(mine) = held {
                return Err(StateLocked {
                    location: this.describe.clone(),
                    holder: Some(mine.clone()),
                }
                .into());
            }
            let keys = this.keys();
            let mut tx = client
                .transaction()
                .map_err(|e| this.failure("starting a transaction", &e))?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&keys.meta])
                .map_err(|e| this.failure("waiting for another lock attempt", &e))?;
            let got: bool = tx
                .query_one("SELECT pg_try_advisory_lock($1)", &[&keys.lock])
                .map_err(|e| this.failure("taking the advisory lock", &e))?
                .get(0);
            if !got {
                let holder = this.read_holder(&mut tx)?;
                tx.commit()
                    .map_err(|e| this.failure("reading the lock info", &e))?;
                return Err(StateLocked {
                    location: this.describe.clone(),
                    holder,
                }
                .into());
            }
            let info = LockInfo::new(request);
            let info_json = String::from_utf8_lossy(&info.to_json()).into_owned();
            let recorded = tx
                .execute(
                    &format!(
                        "INSERT INTO {}.locks (name, info) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET info = EXCLUDED.info",
                        this.schema
                    ),
                    &[&this.name, &info_json],
                )
                .map_err(|e| this.failure("recording the lock info", &e))
                .and_then(|_| {
                    tx.commit()
                        .map_err(|e| this.failure("recording the lock info", &e))
                });
            if let Err(e) = recorded {
                // The session-level lock outlives the failed transaction: give it back.
                let _ = client.execute("SELECT pg_advisory_unlock($1)", &[&keys.lock]);
                return Err(e);
            }
            *held = Some(info.clone());
            Ok(info)
        })
    }

    fn unlock(&self, lock_id: &str) -> anyhow::Result<()> {
        self.with_client(|this, client, held| {
            let Some(mine) = held.clone() else {
                anyhow::bail!(
                    "{}: this run holds no lock, so lock {lock_id} cannot be released here; a pg lock goes away when its holder's connection ends",
                    this.describe
                );
            };
            if mine.id != lock_id {
                anyhow::bail!(
                    "lock id {lock_id} does not match the lock on {}, held by {} for {} since {} with id {}",
                    this.describe,
                    mine.who,
                    mine.operation,
                    mine.created,
                    mine.id
                );
            }
            let keys = this.keys();
            let mut tx = client
                .transaction()
                .map_err(|e| this.failure("starting a transaction", &e))?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&keys.meta])
                .map_err(|e| this.failure("waiting for another lock attempt", &e))?;
            tx.execute(
                &format!("DELETE FROM {}.locks WHERE name = $1", this.schema),
                &[&this.name],
            )
            .map_err(|e| this.failure("removing the lock info", &e))?;
            tx.execute("SELECT pg_advisory_unlock($1)", &[&keys.lock])
                .map_err(|e| this.failure("releasing the advisory lock", &e))?;
            tx.commit()
                .map_err(|e| this.failure("releasing the lock", &e))?;
            *held = None;
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(conn_str: &str) -> PgSettings {
        PgSettings {
            conn_str: conn_str.to_string(),
            password: None,
            schema_name: DEFAULT_SCHEMA.to_string(),
            state_name: DEFAULT_STATE_NAME.to_string(),
            skip_schema_creation: false,
            skip_table_creation: false,
        }
    }

    #[test]
    fn describe_names_the_place_but_never_the_password() {
        for conn_str in [
            "postgres://ana:s3cret-pw@db.example:6543/states",
            "host=db.example port=6543 user=ana password=s3cret-pw dbname=states",
        ] {
            let backend = PgBackend::new(&settings(conn_str)).unwrap();
            let text = backend.describe();
            assert_eq!(
                text,
                "pg backend: state \"default\" in schema terraform_remote_state of database states at db.example:6543 as ana"
            );
            let (without, dropped) = conn_str_without_password(&backend.config);
            assert!(dropped);
            assert!(!without.contains("s3cret-pw"), "{without}");
            assert!(without.contains("host='db.example'"), "{without}");
            assert!(!format!("{:?}", settings(conn_str)).contains("s3cret-pw"));
        }
    }

    #[test]
    fn an_unreadable_connection_string_is_not_repeated() {
        let err = PgBackend::new(&settings("host=x password=s3cret-pw bogus"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("connection string cannot be read"), "{err}");
        assert!(!err.contains("s3cret-pw"), "{err}");
    }

    #[test]
    fn a_password_from_elsewhere_fills_a_connection_string_without_one() {
        let mut with_env = settings("host=db user=ana dbname=states");
        with_env.password = Some("from-env".into());
        let backend = PgBackend::new(&with_env).unwrap();
        assert_eq!(backend.config.get_password(), Some(&b"from-env"[..]));
        assert_eq!(backend.redact("x from-env y"), "x (hidden) y");
    }

    #[test]
    fn advisory_keys_differ_per_schema_and_state() {
        let a = PgBackend::new(&settings("host=db")).unwrap();
        let mut other = settings("host=db");
        other.schema_name = "other".into();
        let b = PgBackend::new(&other).unwrap();
        assert_ne!(a.keys().lock, b.keys().lock);
        assert_ne!(a.keys().lock, a.keys().meta);
        assert_eq!(b.schema_name(), "other");
    }
}
