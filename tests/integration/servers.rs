//! Throwaway servers for the backend tests, on loopback: a PostgreSQL 15 cluster (`initdb` and
//! `pg_ctl`, run as the `postgres` user when the tests run as root) and Azurite's blob service (the npm
//! package, installed into `target/azurite` when missing). Each starts once per test process and is
//! reused. Each runs under a small shell watcher that holds the read end of a pipe from this process:
//! when the test process exits, for whatever reason, the pipe closes and the watcher stops the server
//! and removes its folder. Nothing here talks beyond 127.0.0.1.

use std::io::{BufRead, BufReader, Read};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Mutex, OnceLock};

use base64::Engine as _;
use peerform::state::{AzureBlobBackend, AzureBlobSettings, AzureCredentials};

/// The Azurite release the tests and `.ci/run` install.
pub const AZURITE_VERSION: &str = "3.37.0";

/// The container every Azurite test uses (created at start).
pub const CONTAINER: &str = "tfstate";

/// A running server: its watcher, and the pipe whose closing stops it.
struct Watcher {
    _child: Child,
    _stdin: ChildStdin,
}

pub struct Postgres {
    pub port: u16,
    /// The `postgres` superuser's password, random per run.
    pub password: String,
    _watcher: Mutex<Watcher>,
}

impl Postgres {
    /// A URL connection string for the `postgres` database.
    pub fn conn_str(&self) -> String {
        format!(
            "postgres://postgres:{}@127.0.0.1:{}/postgres",
            self.password, self.port
        )
    }
}

pub struct Azurite {
    pub port: u16,
    pub account: String,
    /// The account key, random per run.
    pub key: String,
    _watcher: Mutex<Watcher>,
}

impl Azurite {
    /// The blob endpoint, path style as the emulator wants it.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/{}", self.port, self.account)
    }

    pub fn settings(&self, container: &str, key: &str) -> AzureBlobSettings {
        AzureBlobSettings {
            storage_account_name: self.account.clone(),
            container_name: container.to_string(),
            key: key.to_string(),
            endpoint: Some(self.endpoint()),
            credentials: AzureCredentials::AccessKey(self.key.clone()),
        }
    }
}

/// A port nothing listens on right now.
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
    listener.local_addr().expect("local address").port()
}

fn random_text(bytes: usize) -> String {
    let data: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    hex::encode(data)
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Start `script` under `sh`, as `user` when given, with a pipe on its standard input; wait until it
/// prints a line containing `ready_marker`, then keep draining its output in the background.
fn watch(mut command: Command, ready_marker: &str, logs: &Path) -> Watcher {
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the server watcher");
    let stdin = child.stdin.take().expect("watcher stdin");
    let stdout = child.stdout.take().expect("watcher stdout");
    let mut reader = BufReader::new(stdout);
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let read = reader.read_line(&mut line).unwrap_or(0);
        if read == 0 {
            let mut log_text = String::new();
            if let Ok(entries) = std::fs::read_dir(logs) {
                for entry in entries.flatten() {
                    if entry.path().extension().is_some_and(|e| e == "log") {
                        log_text
                            .push_str(&std::fs::read_to_string(entry.path()).unwrap_or_default());
                    }
                }
            }
            panic!("the server did not start:\n{seen}\n{log_text}");
        }
        seen.push_str(&line);
        if line.contains(ready_marker) {
            break;
        }
    }
    std::thread::spawn(move || {
        let mut sink = Vec::new();
        let _ = reader.read_to_end(&mut sink);
    });
    Watcher {
        _child: child,
        _stdin: stdin,
    }
}

fn postgres_bin() -> PathBuf {
    let candidates = [PathBuf::from("/usr/lib/postgresql/15/bin")];
    for dir in candidates {
        if dir.join("initdb").exists() {
            return dir;
        }
    }
    let from_config = Command::new("pg_config")
        .arg("--bindir")
        .output()
        .ok()
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    match from_config {
        Some(dir) if dir.join("initdb").exists() => dir,
        _ => panic!(
            "PostgreSQL 15 is not installed (no initdb in /usr/lib/postgresql/15/bin); install the postgresql-15 package, as .ci/run does"
        ),
    }
}

/// The PostgreSQL cluster of this test process, started on first use.
pub fn postgres() -> &'static Postgres {
    static SERVER: OnceLock<Postgres> = OnceLock::new();
    SERVER.get_or_init(|| {
        let bin = postgres_bin();
        let dir = tempfile::Builder::new()
            .prefix("peerform-pg-")
            .tempdir()
            .expect("temporary folder")
            .keep();
        let password = format!("pg-{}", random_text(12));
        std::fs::write(dir.join("pw"), &password).expect("write the password file");
        let port = free_port();
        let script = format!(
            r#"set -e
D='{dir}'
'{bin}/initdb' -D "$D/data" -U postgres -A scram-sha-256 --pwfile="$D/pw" -E UTF8 --no-locale >"$D/initdb.log" 2>&1
rm -f "$D/pw"
'{bin}/pg_ctl' -D "$D/data" -l "$D/server.log" -w -o "-p {port} -c listen_addresses=127.0.0.1 -k $D -c fsync=off -c full_page_writes=off -c max_connections=60" start >/dev/null
echo ready
read -r _ || true
'{bin}/pg_ctl' -D "$D/data" -m immediate stop >/dev/null 2>&1 || true
rm -rf "$D"
"#,
            dir = dir.display(),
            bin = bin.display(),
        );
        let command = if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir)
                .status()
                .expect("run chown");
            assert!(status.success(), "chown the cluster folder to postgres");
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--", "sh", "-c", &script]);
            command
        } else {
            let mut command = Command::new("sh");
            command.args(["-c", &script]);
            command
        };
        let watcher = watch(command, "ready", &dir);
        Postgres {
            port,
            password,
            _watcher: Mutex::new(watcher),
        }
    })
}

/// Where Azurite is installed: `target/azurite` (beside the test build's own folders).
fn azurite_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("azurite")
}

fn azurite_bin() -> PathBuf {
    let dir = azurite_dir();
    let bin = dir.join("node_modules/.bin/azurite-blob");
    if bin.exists() {
        return bin;
    }
    // Install into a folder of our own, then move it into place, so parallel runs never see half an
    // installation.
    let staging = dir.with_extension(format!("staging-{}", std::process::id()));
    let output = Command::new("npm")
        .args([
            "install",
            "--no-audit",
            "--no-fund",
            "--loglevel=error",
            "--prefix",
        ])
        .arg(&staging)
        .arg(format!("azurite@{AZURITE_VERSION}"))
        .output()
        .expect("run npm (Node.js and npm are needed for the Azurite tests)");
    assert!(
        output.status.success(),
        "npm install azurite failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    if std::fs::rename(&staging, &dir).is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    assert!(bin.exists(), "azurite-blob missing after installation");
    bin
}

/// Azurite's blob service for this test process, started on first use, with a fresh account whose
/// key is random, and the container [`CONTAINER`] created.
pub fn azurite() -> &'static Azurite {
    static SERVER: OnceLock<Azurite> = OnceLock::new();
    SERVER.get_or_init(|| {
        let bin = azurite_bin();
        let dir = tempfile::Builder::new()
            .prefix("peerform-azurite-")
            .tempdir()
            .expect("temporary folder")
            .keep();
        let account = "peerformtest".to_string();
        let key_bytes: Vec<u8> = (0..64).map(|_| rand::random::<u8>()).collect();
        let key = base64::engine::general_purpose::STANDARD.encode(key_bytes);
        let port = free_port();
        let script = format!(
            r#"'{bin}' --blobHost 127.0.0.1 --blobPort {port} --inMemoryPersistence --skipApiVersionCheck --extentMemoryLimit 256 --disableTelemetry --silent --loose &
pid=$!
read -r _ || true
kill -KILL $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
rm -rf '{dir}'
"#,
            bin = bin.display(),
            dir = dir.display(),
        );
        let mut command = Command::new("sh");
        command
            .args(["-c", &script])
            .current_dir(&dir)
            .env("AZURITE_ACCOUNTS", format!("{account}:{key}"));
        let watcher = watch(command, "successfully listens", &dir);
        let azurite = Azurite {
            port,
            account,
            key,
            _watcher: Mutex::new(watcher),
        };
        AzureBlobBackend::new(&azurite.settings(CONTAINER, "unused"))
            .and_then(|b| b.create_container())
            .expect("create the test container");
        azurite
    })
}
