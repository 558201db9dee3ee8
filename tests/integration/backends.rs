//! The pg and azurerm backends against real servers on loopback (see `servers.rs`): the conformance
//! suite, two processes contending for the lock, a holder killed with SIGKILL, `init --migrate-state`
//! from local to pg to azurerm and back, `plan` and `state pull` giving the same bytes from every
//! backend, and clear errors for an unreachable server, wrong credentials and a missing
//! container. The quick start applies against the built-in emulator with each backend and plans clean
//! after. Every output and every file written is searched for the credentials.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use crate::servers::{self, CONTAINER};
use peerform::state::{
    self, AzureBlobBackend, Backend, PgBackend, PgSettings, WriteOptions, conformance,
};

const QUICKSTART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/quickstart");
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/state/terraform-expressroute.tfstate"
);

use super::support::binary;

/// A name no other test in any run has used: schemas, blob keys.
fn unique(prefix: &str) -> String {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    )
}

/// Every stdout and stderr of the binary in this test process, to search for credentials.
fn outputs() -> &'static Mutex<Vec<String>> {
    static ALL: OnceLock<Mutex<Vec<String>>> = OnceLock::new();
    ALL.get_or_init(|| Mutex::new(Vec::new()))
}

fn record(text: &str) {
    if let Ok(mut all) = outputs().lock() {
        all.push(text.to_string());
    }
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The credentials that must never show: the pg password and the Azurite key, when started.
#[track_caller]
fn assert_no_credentials(what: &str, content: &str) {
    let mut secrets = vec![servers::postgres().password.clone()];
    secrets.push(servers::azurite().key.clone());
    for secret in secrets {
        assert!(
            !content.contains(&secret),
            "{what} holds a credential:\n{content}"
        );
    }
}

/// Search every output recorded so far and every file under `dir`.
#[track_caller]
fn assert_nothing_leaked(dir: &Path) {
    let all = outputs().lock().map(|a| a.clone()).unwrap_or_default();
    for output in &all {
        assert_no_credentials("an output", output);
    }
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else {
            let content = text(&std::fs::read(&path).unwrap());
            assert_no_credentials(&path.display().to_string(), &content);
        }
    }
}

/// The environment a backend needs: pg's connection string, Azurite's key.
#[derive(Clone, Default)]
struct Env(Vec<(String, String)>);

impl Env {
    fn pg() -> Self {
        Env(vec![("PG_CONN_STR".into(), servers::postgres().conn_str())])
    }

    fn azurite() -> Self {
        Env(vec![(
            "ARM_ACCESS_KEY".into(),
            servers::azurite().key.clone(),
        )])
    }

    fn both() -> Self {
        let mut env = Env::pg();
        env.0.extend(Env::azurite().0);
        env
    }

    fn with(mut self, name: &str, value: &str) -> Self {
        self.0.push((name.into(), value.into()));
        self
    }
}

fn command(dir: &Path, args: &[&str], env: &Env) -> Command {
    let mut command = Command::new(binary());
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("USER", "tester");
    for name in [
        "PG_CONN_STR",
        "PGPASSWORD",
        "PG_SCHEMA_NAME",
        "ARM_ACCESS_KEY",
        "ARM_SAS_TOKEN",
    ] {
        command.env_remove(name);
    }
    for (name, value) in &env.0 {
        command.env(name, value);
    }
    command
}

fn peerform(dir: &Path, args: &[&str], env: &Env) -> Output {
    let output = command(dir, args, env).output().expect("running peerform");
    record(&text(&output.stdout));
    record(&text(&output.stderr));
    output
}

#[track_caller]
fn ok(output: &Output) -> String {
    assert!(
        output.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        output.status.code(),
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

#[track_caller]
fn fails(output: &Output) -> String {
    assert_eq!(
        output.status.code(),
        Some(1),
        "stdout:\n{}\nstderr:\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stderr)
}

fn pg_block(schema: &str) -> String {
    format!("terraform {{\n  backend \"pg\" {{\n    schema_name = \"{schema}\"\n  }}\n}}\n")
}

fn azurerm_block(container: &str, key: &str) -> String {
    let azurite = servers::azurite();
    format!(
        "terraform {{\n  backend \"azurerm\" {{\n    resource_group_name  = \"rg-tfstate\"\n    storage_account_name = \"{}\"\n    container_name       = \"{container}\"\n    key                  = \"{key}\"\n    endpoint             = \"{}\"\n  }}\n}}\n",
        azurite.account,
        azurite.endpoint()
    )
}

/// A copy of the quick-start configuration (and, when given, a `backend.tf`), at
/// `TEMP/examples/quickstart` beside a link to the repository's `modules/`, so its relative module
/// sources resolve as they do in the repository.
struct Folder {
    _root: tempfile::TempDir,
    path: PathBuf,
}

impl Folder {
    fn path(&self) -> &Path {
        &self.path
    }
}

fn quickstart(backend: Option<&str>) -> Folder {
    let root = tempfile::tempdir().unwrap();
    let path = root.path().join("examples/quickstart");
    std::fs::create_dir_all(&path).unwrap();
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("modules"),
        root.path().join("modules"),
    )
    .unwrap();
    for entry in std::fs::read_dir(QUICKSTART).unwrap() {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "tf") {
            std::fs::copy(entry.path(), path.join(entry.file_name())).unwrap();
        }
    }
    if let Some(block) = backend {
        std::fs::write(path.join("backend.tf"), block).unwrap();
    }
    Folder { _root: root, path }
}

/// The Terraform fixture converted into a peerform state file's bytes (with digested secrets),
/// retargeted at the built-in emulator so that commands run against it without `--cloud`.
fn fixture_state() -> Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::copy(FIXTURE, dir.path().join("terraform.tfstate")).unwrap();
            ok(&peerform(
                dir.path(),
                &["state", "import-terraform", "terraform.tfstate"],
                &Env::default(),
            ));
            let bytes = std::fs::read(dir.path().join("peerform.tfstate")).unwrap();
            let mut converted = state::decode(&bytes).unwrap();
            converted.cloud = state::CloudTarget {
                target: "emulator".into(),
                endpoint: String::new(),
                subscription: converted.cloud.subscription.clone(),
            };
            state::encode(&converted).unwrap()
        })
        .clone()
}

fn pg_settings(schema: &str) -> PgSettings {
    PgSettings {
        conn_str: servers::postgres().conn_str(),
        password: None,
        schema_name: schema.to_string(),
        state_name: state::DEFAULT_STATE_NAME.to_string(),
        skip_schema_creation: false,
        skip_table_creation: false,
    }
}

#[test]
fn pg_backend_passes_the_conformance_suite() {
    let factory = || -> (Box<dyn Backend>, Box<dyn Backend>) {
        // A new schema per store: each is created on first use.
        let settings = pg_settings(&unique("conformance"));
        (
            Box::new(PgBackend::new(&settings).unwrap()),
            Box::new(PgBackend::new(&settings).unwrap()),
        )
    };
    conformance::run_all(&factory).unwrap();
    let backend = PgBackend::new(&pg_settings(&unique("force"))).unwrap();
    assert!(!backend.supports_force_unlock());
    let err = backend.force_unlock("any").unwrap_err().to_string();
    assert!(err.contains("holder's session ends"), "{err}");
}

#[test]
fn azurerm_backend_passes_the_conformance_suite() {
    let azurite = servers::azurite();
    let factory = || -> (Box<dyn Backend>, Box<dyn Backend>) {
        let settings = azurite.settings(CONTAINER, &format!("{}.tfstate", unique("conformance")));
        (
            Box::new(AzureBlobBackend::new(&settings).unwrap()),
            Box::new(AzureBlobBackend::new(&settings).unwrap()),
        )
    };
    conformance::run_all(&factory).unwrap();
}

/// An account SAS for the Azurite account, signed with its key (blob service, all resource types).
fn account_sas(permissions: &str) -> String {
    use hmac::Mac as _;
    let azurite = servers::azurite();
    let version = "2021-08-06";
    let expiry = "2099-01-01T00:00:00Z";
    let to_sign = format!(
        "{}\n{permissions}\nb\nsco\n\n{expiry}\n\nhttps,http\n{version}\n\n",
        azurite.account
    );
    let key =
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, &azurite.key).unwrap();
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(&key).unwrap();
    mac.update(to_sign.as_bytes());
    let signature = base64::Engine::encode(
        &base64::engine::general_purpose::STANDARD,
        mac.finalize().into_bytes(),
    );
    let encode = |text: &str| {
        percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "?sv={version}&ss=b&srt=sco&sp={permissions}&se={}&spr={}&sig={}",
        encode(expiry),
        encode("https,http"),
        encode(&signature)
    )
}

#[test]
fn azurerm_backend_passes_the_conformance_suite_with_a_sas_token() {
    let azurite = servers::azurite();
    let token = account_sas("rwdlacu");
    let factory = || -> (Box<dyn Backend>, Box<dyn Backend>) {
        let mut settings = azurite.settings(CONTAINER, &format!("{}.tfstate", unique("sas")));
        settings.credentials = state::AzureCredentials::SasToken(token.clone());
        (
            Box::new(AzureBlobBackend::new(&settings).unwrap()),
            Box::new(AzureBlobBackend::new(&settings).unwrap()),
        )
    };
    conformance::run_all(&factory).unwrap();

    // Through the command line, from ARM_SAS_TOKEN; a read-only token cannot lock, and says so
    // without showing the token.
    let key = format!("{}.tfstate", unique("sas"));
    let dir = quickstart(Some(&azurerm_block(CONTAINER, &key)));
    let env = Env::default().with("ARM_SAS_TOKEN", &token);
    std::fs::write(dir.path().join("state.tfstate"), fixture_state()).unwrap();
    ok(&peerform(
        dir.path(),
        &["state", "push", "state.tfstate"],
        &env,
    ));
    assert_eq!(
        peerform(dir.path(), &["state", "pull"], &env).stdout,
        fixture_state()
    );
    let read_only = account_sas("rl");
    let env = Env::default().with("ARM_SAS_TOKEN", &read_only);
    let err = fails(&peerform(dir.path(), &["plan"], &env));
    assert!(err.contains("refused the credentials"), "{err}");
    let signature = read_only.rsplit("sig=").next().unwrap();
    assert!(!err.contains(signature) && !err.contains("sig="), "{err}");
    assert_nothing_leaked(dir.path());
}

#[test]
fn pg_keeps_states_in_a_table_keyed_by_name() {
    let schema = unique("table");
    let dir = quickstart(Some(&pg_block(&schema)));
    let env = Env::pg();
    std::fs::write(dir.path().join("state.tfstate"), fixture_state()).unwrap();
    ok(&peerform(
        dir.path(),
        &["state", "push", "state.tfstate"],
        &env,
    ));
    let mut client =
        postgres::Client::connect(&servers::postgres().conn_str(), postgres::NoTls).unwrap();
    let rows = client
        .query(&format!("SELECT name, data FROM \"{schema}\".states"), &[])
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, String>(0), "default");
    assert_eq!(rows[0].get::<_, String>(1).into_bytes(), fixture_state());
    // While a run holds the lock, its lock-info row names it.
    let mut holder = hold_lock(dir.path(), "dana", &env, &[]);
    let (line, out) = first_line(&mut holder);
    let info: String = client
        .query_one(&format!("SELECT info FROM \"{schema}\".locks"), &[])
        .unwrap()
        .get(0);
    assert!(
        info.contains(&line["locked ".len()..]) && info.contains("dana@"),
        "{info}"
    );
    release(holder, out);
}

#[test]
fn azurerm_writes_keep_the_lock_and_refuse_a_write_that_ignores_it() {
    let azurite = servers::azurite();
    let settings = azurite.settings(
        CONTAINER,
        &format!("{}/nested key.tfstate", unique("lease")),
    );
    let holder = AzureBlobBackend::new(&settings).unwrap();
    let other = AzureBlobBackend::new(&settings).unwrap();
    let request = state::LockRequest {
        who: "ana@one".into(),
        operation: "apply".into(),
        created: "2027-01-01T00:00:00Z".into(),
    };
    let held = holder.lock(&request).unwrap();
    // Locking an absent state leases an empty blob, which reads as no state.
    assert!(other.read().unwrap().is_none());
    let mut sample = conformance::sample_state();
    holder.write(&sample, WriteOptions::default()).unwrap();
    sample.serial += 1;
    holder.write(&sample, WriteOptions::default()).unwrap();
    // A write without the lease is refused, naming the holder.
    let mut next = sample.clone();
    next.serial += 1;
    let err = other.write(&next, WriteOptions::default()).unwrap_err();
    let locked = err
        .chain()
        .find_map(|e| e.downcast_ref::<state::StateLocked>())
        .expect("a write under another's lease is StateLocked");
    assert_eq!(locked.holder.as_ref().unwrap().id, held.id);
    // The lock info survived the holder's writes.
    let err = other.lock(&request).unwrap_err();
    assert_eq!(
        err.downcast_ref::<state::StateLocked>()
            .and_then(|l| l.holder.as_ref())
            .map(|h| h.id.clone()),
        Some(held.id.clone())
    );
    holder.unlock(&held.id).unwrap();
    other.write(&next, WriteOptions::default()).unwrap();
    assert_eq!(holder.read().unwrap(), Some(next));
}

/// Spawn `peerform state hold-lock` as `user`.
fn hold_lock(dir: &Path, user: &str, env: &Env, extra: &[&str]) -> Child {
    let mut args = vec!["state", "hold-lock"];
    args.extend_from_slice(extra);
    command(dir, &args, env)
        .env("USER", user)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn hold-lock")
}

/// The first line a child prints: `locked ID` from a winner, nothing from a loser (which exits).
fn first_line(child: &mut Child) -> (String, BufReader<ChildStdout>) {
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    let _ = reader.read_line(&mut line);
    (line.trim().to_string(), reader)
}

/// Two processes race for the lock: exactly one wins and the loser names it. Returns the winner
/// (still holding the lock), its lock id and its user.
fn contend(dir: &Path, env: &Env) -> (Child, String, &'static str) {
    let mut ana = hold_lock(dir, "ana", env, &[]);
    let mut bob = hold_lock(dir, "bob", env, &[]);
    let (ana_line, _ana_out) = first_line(&mut ana);
    let (bob_line, _bob_out) = first_line(&mut bob);
    let (mut winner, winner_line, winner_user, loser) = match (
        ana_line.starts_with("locked "),
        bob_line.starts_with("locked "),
    ) {
        (true, false) => (ana, ana_line, "ana", bob),
        (false, true) => (bob, bob_line, "bob", ana),
        other => panic!("exactly one process must win the lock, got {other:?}"),
    };
    let lock_id = winner_line["locked ".len()..].to_string();
    let lost = loser.wait_with_output().unwrap();
    let err = text(&lost.stderr);
    record(&err);
    assert_eq!(lost.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("held by {winner_user}@"))
            && err.contains(&lock_id)
            && err.contains("for state hold-lock since"),
        "the loser must name the holder: {err}"
    );
    assert!(winner.try_wait().unwrap().is_none(), "the winner holds on");
    (winner, lock_id, winner_user)
}

/// Release a hold-lock child cleanly: close its stdin, and return the rest of what it printed.
fn release(mut child: Child, mut stdout: BufReader<ChildStdout>) -> String {
    drop(child.stdin.take());
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut stdout, &mut rest);
    let output = child.wait_with_output().unwrap();
    record(&text(&output.stderr));
    assert!(output.status.success(), "{}", text(&output.stderr));
    rest
}

#[test]
fn two_processes_contend_for_the_pg_lock_and_a_killed_holder_loses_it() {
    let schema = unique("contend");
    let dir = quickstart(Some(&pg_block(&schema)));
    let env = Env::pg();
    let (mut winner, lock_id, _) = contend(dir.path(), &env);

    // The holder dies without unlocking: the server ends its session and the lock with it.
    winner.kill().unwrap();
    winner.wait().unwrap();
    let mut next = hold_lock(dir.path(), "carol", &env, &["--lock-timeout", "20s"]);
    let (line, out) = first_line(&mut next);
    assert!(line.starts_with("locked "), "{line}");
    assert_ne!(line, format!("locked {lock_id}"));
    // A pg lock cannot be forced: it belongs to a live session.
    let err = fails(&peerform(dir.path(), &["force-unlock", &lock_id], &env));
    assert!(err.contains("holder's session ends"), "{err}");
    assert!(release(next, out).contains("unlocked"));
    std::fs::write(dir.path().join("state.tfstate"), fixture_state()).unwrap();
    ok(&peerform(
        dir.path(),
        &["state", "push", "state.tfstate"],
        &env,
    ));
    assert!(!dir.path().join("peerform.tfstate").exists());
    assert_nothing_leaked(dir.path());
}

#[test]
fn two_processes_contend_for_the_azurerm_lease_and_force_unlock_breaks_it() {
    let key = format!("{}.tfstate", unique("contend"));
    let dir = quickstart(Some(&azurerm_block(CONTAINER, &key)));
    let env = Env::azurite();
    std::fs::write(dir.path().join("state.tfstate"), fixture_state()).unwrap();
    ok(&peerform(
        dir.path(),
        &["state", "push", "state.tfstate"],
        &env,
    ));
    let (mut winner, lock_id, winner_user) = contend(dir.path(), &env);

    // The holder dies: its lease outlives it, and the next run is told who holds it.
    winner.kill().unwrap();
    winner.wait().unwrap();
    let err = fails(&peerform(dir.path(), &["plan", "--refresh=false"], &env));
    assert!(
        err.contains(&format!("held by {winner_user}@")) && err.contains(&lock_id),
        "{err}"
    );
    assert!(
        err.contains(&format!("peerform force-unlock {lock_id}")),
        "{err}"
    );
    let err = fails(&peerform(dir.path(), &["force-unlock", "wrong-id"], &env));
    assert!(err.contains("does not match"), "{err}");
    let out = ok(&peerform(dir.path(), &["force-unlock", &lock_id], &env));
    assert!(out.contains("successfully unlocked"), "{out}");
    // The next run proceeds.
    ok(&peerform(dir.path(), &["plan", "--refresh=false"], &env));
    let mut next = hold_lock(dir.path(), "carol", &env, &[]);
    let (line, out) = first_line(&mut next);
    assert!(line.starts_with("locked "), "{line}");
    assert!(release(next, out).contains("unlocked"));
    assert!(!dir.path().join("peerform.tfstate").exists());
    assert_nothing_leaked(dir.path());
}

#[test]
fn init_migrate_state_moves_the_state_local_pg_azurerm_and_back() {
    let env = Env::both();
    let dir = quickstart(None);
    let path = dir.path();
    let out = ok(&peerform(path, &["init"], &env));
    assert!(out.contains("Using local state"), "{out}");
    std::fs::write(path.join("state.tfstate"), fixture_state()).unwrap();
    ok(&peerform(path, &["state", "push", "state.tfstate"], &env));
    let original = ok(&peerform(path, &["state", "pull"], &env));
    let decoded = state::decode(original.as_bytes()).unwrap();

    // Local to pg: a plain init refuses to guess, --migrate-state copies.
    let schema = unique("migrate");
    std::fs::write(path.join("backend.tf"), pg_block(&schema)).unwrap();
    let err = fails(&peerform(path, &["init"], &env));
    assert!(
        err.contains("the backend changed") && err.contains("--migrate-state"),
        "{err}"
    );
    let out = ok(&peerform(path, &["init", "--migrate-state"], &env));
    assert!(
        out.contains(&format!(
            "Migrated the state (lineage {}, serial {})",
            decoded.lineage, decoded.serial
        )) && out.contains("pg backend"),
        "{out}"
    );
    assert_eq!(ok(&peerform(path, &["state", "pull"], &env)), original);

    // pg to azurerm (Terraform's single-dash spelling).
    let key = format!("{}.tfstate", unique("migrate"));
    std::fs::write(path.join("backend.tf"), azurerm_block(CONTAINER, &key)).unwrap();
    let out = ok(&peerform(path, &["init", "-migrate-state"], &env));
    assert!(out.contains("azurerm backend"), "{out}");
    assert_eq!(ok(&peerform(path, &["state", "pull"], &env)), original);

    // azurerm back to a local file.
    std::fs::write(
        path.join("backend.tf"),
        "terraform {\n  backend \"local\" {\n    path = \"back.tfstate\"\n  }\n}\n",
    )
    .unwrap();
    ok(&peerform(path, &["init", "--migrate-state"], &env));
    assert_eq!(
        std::fs::read_to_string(path.join("back.tfstate")).unwrap(),
        original
    );
    assert_eq!(ok(&peerform(path, &["state", "pull"], &env)), original);

    // A destination holding another lineage is refused, and left as it was.
    let taken = format!("{}.tfstate", unique("taken"));
    let other_dir = quickstart(Some(&azurerm_block(CONTAINER, &taken)));
    let mut other = conformance::sample_state();
    other.serial = 3;
    std::fs::write(
        other_dir.path().join("other.tfstate"),
        state::encode(&other).unwrap(),
    )
    .unwrap();
    ok(&peerform(
        other_dir.path(),
        &["state", "push", "other.tfstate"],
        &env,
    ));
    std::fs::write(path.join("backend.tf"), azurerm_block(CONTAINER, &taken)).unwrap();
    let err = fails(&peerform(path, &["init", "--migrate-state"], &env));
    assert!(
        err.contains("already holds another state") && err.contains(&other.lineage),
        "{err}"
    );
    let still = ok(&peerform(other_dir.path(), &["state", "pull"], &env));
    assert_eq!(state::decode(still.as_bytes()).unwrap(), other);
    // --reconfigure takes the new backend as it is.
    ok(&peerform(path, &["init", "--reconfigure"], &env));
    assert_eq!(ok(&peerform(path, &["state", "pull"], &env)), still);
    let record = std::fs::read_to_string(path.join(".peerform/backend.json")).unwrap();
    assert!(record.contains("\"type\": \"azurerm\""), "{record}");
    assert_nothing_leaked(path);
    assert_nothing_leaked(other_dir.path());
}

#[test]
fn quickstart_applies_with_every_backend_and_plans_clean_after() {
    let env = Env::both();
    let backends = [
        None,
        Some(pg_block(&unique("apply"))),
        Some(azurerm_block(
            CONTAINER,
            &format!("{}.tfstate", unique("apply")),
        )),
    ];
    let mut dirs = Vec::new();
    for backend in &backends {
        // Each folder has its own emulated cloud in .peerform/.
        let dir = quickstart(backend.as_deref());
        let out = ok(&peerform(dir.path(), &["apply", "--auto-approve"], &env));
        assert!(out.contains("Apply complete!"), "{out}");
        let plan = peerform(dir.path(), &["plan", "--detailed-exitcode"], &env);
        assert!(
            ok(&plan).contains("No changes."),
            "a plan after apply must be clean:\n{}",
            text(&plan.stdout)
        );
        if backend.is_some() {
            assert!(
                !dir.path().join("peerform.tfstate").exists(),
                "a remote backend wrote a local state"
            );
            let leftovers: Vec<_> = std::fs::read_dir(dir.path().join(".peerform"))
                .unwrap()
                .flatten()
                .filter(|e| e.file_name().to_string_lossy().ends_with(".journal"))
                .collect();
            assert!(
                leftovers.is_empty(),
                "journal left after apply: {leftovers:?}"
            );
        }
        let pulled = ok(&peerform(dir.path(), &["state", "pull"], &env));
        assert!(
            state::decode(pulled.as_bytes()).unwrap().resources.len() >= 7,
            "{pulled}"
        );
        dirs.push(dir);
    }
    for dir in &dirs {
        assert_nothing_leaked(dir.path());
    }
}

#[test]
fn state_pull_and_plan_give_the_same_bytes_from_every_backend() {
    let env = Env::both();
    let state_bytes = fixture_state();
    let backends = [
        None,
        Some(pg_block(&unique("same"))),
        Some(azurerm_block(
            CONTAINER,
            &format!("{}.tfstate", unique("same")),
        )),
    ];
    let mut plans = Vec::new();
    let mut pulls = Vec::new();
    let mut dirs = Vec::new();
    for backend in &backends {
        let dir = quickstart(backend.as_deref());
        std::fs::write(dir.path().join("state.tfstate"), &state_bytes).unwrap();
        ok(&peerform(
            dir.path(),
            &["state", "push", "state.tfstate"],
            &env,
        ));
        pulls.push(peerform(dir.path(), &["state", "pull"], &env).stdout);
        let plan = peerform(dir.path(), &["plan", "--refresh=false"], &env);
        plans.push(ok(&plan));
        if backend.is_some() {
            assert!(
                !dir.path().join("peerform.tfstate").exists(),
                "a remote backend wrote a local state"
            );
        }
        dirs.push(dir);
    }
    assert_eq!(pulls[0], state_bytes);
    assert!(pulls.iter().all(|p| *p == pulls[0]), "state pull differs");
    assert!(plans[0].contains("Plan:"), "{}", plans[0]);
    assert!(
        plans.iter().all(|p| *p == plans[0]),
        "plans differ: {plans:#?}"
    );
    for dir in &dirs {
        assert_nothing_leaked(dir.path());
    }
}

/// A command that must fail before any state is written, with a message naming the backend.
#[track_caller]
fn refused(dir: &Path, env: &Env, backend: &str, hint: &str) {
    std::fs::write(dir.join("state.tfstate"), fixture_state()).unwrap();
    for args in [
        &["plan"][..],
        &["state", "push", "state.tfstate"][..],
        &["state", "list"][..],
    ] {
        let err = fails(&peerform(dir, args, env));
        assert!(
            err.contains(backend) && err.contains(hint),
            "{args:?} must name the {backend} and say {hint:?}:\n{err}"
        );
    }
    let _ = std::fs::remove_file(dir.join("state.tfstate"));
    assert!(
        !dir.join("peerform.tfstate").exists(),
        "no local state may be written in place of the {backend}"
    );
    assert_nothing_leaked(dir);
}

#[test]
fn unreachable_servers_wrong_credentials_and_missing_containers_are_named() {
    let postgres = servers::postgres();
    let azurite = servers::azurite();
    let closed = servers::free_port();
    let block = pg_block(&unique("errors"));

    let dir = quickstart(Some(&block));
    let unreachable = format!(
        "postgres://postgres:{}@127.0.0.1:{closed}/postgres",
        postgres.password
    );
    let env = Env::default().with("PG_CONN_STR", &unreachable);
    refused(
        dir.path(),
        &env,
        "pg backend",
        "check that the server is running",
    );

    let wrong = Env::default().with(
        "PG_CONN_STR",
        &format!(
            "host=127.0.0.1 port={} user=postgres password=wrong-{} dbname=postgres",
            postgres.port, postgres.password
        ),
    );
    refused(dir.path(), &wrong, "pg backend", "refused the credentials");
    let err = fails(&peerform(dir.path(), &["plan"], &wrong));
    assert!(!err.contains("wrong-"), "{err}");

    let missing_db = Env::default().with(
        "PG_CONN_STR",
        &format!(
            "postgres://postgres:{}@127.0.0.1:{}/nosuchdb",
            postgres.password, postgres.port
        ),
    );
    refused(dir.path(), &missing_db, "pg backend", "create the database");
    refused(dir.path(), &Env::default(), "pg backend", "PG_CONN_STR");

    let key = format!("{}.tfstate", unique("errors"));
    let dir = quickstart(Some(&azurerm_block(CONTAINER, &key)));
    refused(
        dir.path(),
        &Env::default(),
        "azurerm backend",
        "ARM_ACCESS_KEY",
    );
    let wrong_key = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, [7u8; 64]);
    let env = Env::default().with("ARM_ACCESS_KEY", &wrong_key);
    refused(
        dir.path(),
        &env,
        "azurerm backend",
        "refused the credentials",
    );

    let dir = quickstart(Some(&azurerm_block("no-such-container", &key)));
    refused(
        dir.path(),
        &Env::azurite(),
        "azurerm backend",
        "container no-such-container does not exist",
    );

    let unreachable = azurerm_block(CONTAINER, &key).replace(
        &azurite.endpoint(),
        &format!("http://127.0.0.1:{closed}/{}", azurite.account),
    );
    let dir = quickstart(Some(&unreachable));
    refused(
        dir.path(),
        &Env::azurite(),
        "azurerm backend",
        "cannot reach the blob service",
    );

    // Credentials written into the block are refused with a pointer to the environment.
    let dir = quickstart(Some(
        &azurerm_block(CONTAINER, &key)
            .replace("    key ", "    access_key = \"in-the-file\"\n    key "),
    ));
    let err = fails(&peerform(dir.path(), &["plan"], &Env::azurite()));
    assert!(
        err.contains("Credentials do not belong in the configuration")
            && err.contains("backend.tf"),
        "{err}"
    );
}

/// `init` checks the backend answers: a missing container is reported at init, not at first use.
#[test]
fn init_reports_a_backend_that_does_not_answer() {
    let key = format!("{}.tfstate", unique("init"));
    let dir = quickstart(Some(&azurerm_block("absent-container", &key)));
    for args in [&["init"][..], &["init", "-reconfigure"][..]] {
        let err = fails(&peerform(dir.path(), args, &Env::azurite()));
        assert!(
            err.contains("container absent-container does not exist"),
            "{err}"
        );
    }
    assert!(!dir.path().join(".peerform/backend.json").exists());
}

#[test]
fn mistakes_in_a_backend_block_are_shown_on_their_line() {
    let dir = quickstart(Some(
        "terraform {\n  backend \"pg\" {\n    schema_nam = \"x\"\n    conn_str   = var.conn\n    skip_table_creation = \"yes\"\n  }\n}\n",
    ));
    let err = fails(&peerform(dir.path(), &["plan"], &Env::pg()));
    for expected in [
        "on backend.tf:3:5",
        "Did you mean \"schema_name\"?",
        "on backend.tf:4:18",
        "must be a literal string",
        "skip_table_creation must be true or false",
        "the backend block has errors",
    ] {
        assert!(err.contains(expected), "{expected:?} missing from:\n{err}");
    }
    let err = fails(&peerform(dir.path(), &["state", "list"], &Env::pg()));
    assert!(err.contains("Did you mean \"schema_name\"?"), "{err}");
    // --state names a local file, which a pg configuration does not use.
    let dir = quickstart(Some(&pg_block("unused")));
    let err = fails(&peerform(
        dir.path(),
        &["state", "list", "--state", "x.tfstate"],
        &Env::pg(),
    ));
    assert!(err.contains("drop --state"), "{err}");
    assert!(!dir.path().join("peerform.tfstate").exists());
}
