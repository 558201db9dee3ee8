//! The whole benchmark estate in one command: every row of DESIGN §7 (and the Terraform comparison)
//! at every size, printed as one Markdown table with the targets, the growth from 11,000 to 110,000
//! resources and the machine it ran on.
//!
//! Run: `cargo bench --bench suite [-- --sizes 1100,11000,110000 --runs 3 --terraform-cap 300
//! --refresh-cap 900 --rows validate,plan,state,refresh,apply,terraform]`.
//!
//! Every measured command is a child process (the release `peerform` binary, or this benchmark
//! re-run as a child for the state row); its wall time is taken around spawn and exit and its peak
//! memory is the child's own `ru_maxrss` from `wait4`. Each row runs once untimed first (which also
//! checks its output, so a broken command is never timed as a fast one), then `--runs` times; the
//! table gives the median. Setup is untimed and cached under `target/tmp/bench-estates/KEY/`, where
//! KEY hashes the generated configuration and the `peerform` binary, so a changed generator or a
//! rebuilt binary builds everything anew:
//! - the estate (`benches/support/estate.rs`) and its full state, from a synthetic apply
//!   (`benches/support/synthetic.rs`, cheap argon2id parameters for its fake secrets);
//! - for refresh, every object of the estate PUT over HTTP into `peerform emulator serve` through
//!   peerform's own ARM client, and the state recorded from the responses, as apply would;
//! - for Terraform, `terraform apply` of the `terraform_data` twin at 1,100 resources, and at 11,000
//!   the state such an apply would leave, written by the generator (an apply takes too long there).
//!
//! It asserts nothing about speed: a slow machine reports, never fails.

#[path = "support/estate.rs"]
mod estate;
#[path = "support/synthetic.rs"]
mod synthetic;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::{Context as _, Result, bail};
use peerform::config::{LoadOptions, load_config};
use peerform::lang::Value;
use peerform::state::{Backend, CloudTarget, LocalBackend, NewObject, State, WriteOptions};
use sha2::Digest as _;
use std::collections::HashMap;
use std::fs;
use std::io::{BufRead as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bumped when what the cache holds changes meaning.
const CACHE_VERSION: &str = "suite-1";

/// The rows, in table order.
const ROWS: &[&str] = &["validate", "plan", "state", "refresh", "apply", "terraform"];

struct Options {
    sizes: Vec<usize>,
    runs: usize,
    terraform_cap: Duration,
    refresh_cap: Duration,
    rows: Vec<String>,
}

fn parse_options() -> Options {
    let args: Vec<String> = std::env::args().collect();
    let value = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let number = |name: &str, default: u64| {
        value(name)
            .map(|v| {
                v.parse()
                    .unwrap_or_else(|_| panic!("{name} takes a number, got {v}"))
            })
            .unwrap_or(default)
    };
    let sizes = value("--sizes")
        .unwrap_or_else(|| "1100,11000,110000".into())
        .split(',')
        .map(|s| {
            let n: usize = s
                .trim()
                .replace('_', "")
                .parse()
                .unwrap_or_else(|_| panic!("--sizes takes resource counts, got {s}"));
            assert!(
                n >= estate::RESOURCES_PER_SITE && n.is_multiple_of(estate::RESOURCES_PER_SITE),
                "--sizes: {n} is not a whole number of sites ({} resources each)",
                estate::RESOURCES_PER_SITE
            );
            n
        })
        .collect();
    let rows: Vec<String> = value("--rows")
        .map(|r| r.split(',').map(|s| s.trim().to_string()).collect())
        .unwrap_or_else(|| ROWS.iter().map(|s| s.to_string()).collect());
    for row in &rows {
        assert!(
            ROWS.contains(&row.as_str()),
            "--rows: unknown row {row} (rows: {})",
            ROWS.join(",")
        );
    }
    Options {
        sizes,
        runs: number("--runs", 3).max(1) as usize,
        terraform_cap: Duration::from_secs(number("--terraform-cap", 300)),
        refresh_cap: Duration::from_secs(number("--refresh-cap", 900)),
        rows,
    }
}

// ---------------------------------------------------------------------------------------------
// Running a child and measuring it.

/// How a measured child ended.
struct Outcome {
    wall: Duration,
    /// Peak resident set size of the child, in KiB (`ru_maxrss`).
    peak_kib: u64,
    /// Exit code; `None` when a signal ended it.
    code: Option<i32>,
    /// Killed for running past its cap.
    killed: bool,
    stdout: PathBuf,
    stderr: PathBuf,
}

impl Outcome {
    fn stdout(&self) -> String {
        fs::read_to_string(&self.stdout).unwrap_or_default()
    }

    /// The first lines of standard error, for a failure note.
    fn error_excerpt(&self) -> String {
        let text = fs::read_to_string(&self.stderr).unwrap_or_default();
        let text = if text.trim().is_empty() {
            self.stdout()
        } else {
            text
        };
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .take(3)
            .collect::<Vec<_>>()
            .join(" / ")
    }
}

/// Run `command` with its output in files under `logs`, killing it after `cap`; wall time from spawn
/// to exit, peak memory from `wait4`.
///
/// The command is started by a launcher (this benchmark re-run with `--launch`), not by this
/// process: Linux carries the peak RSS of the memory a child was forked from into the child's
/// `ru_maxrss` when it execs, so a child forked from this process (which holds estates and states)
/// would report this process's peak as its own. The launcher is small, so its children's peaks are
/// theirs (give or take the launcher's few MB).
fn run_measured(command: Command, logs: &Path, name: &str, cap: Option<Duration>) -> Outcome {
    let stdout = logs.join(format!("{name}.stdout"));
    let stderr = logs.join(format!("{name}.stderr"));
    let mut launcher = Command::new(std::env::current_exe().expect("own path"));
    launcher
        .arg("--launch")
        .arg(cap.map(|c| c.as_millis()).unwrap_or(0).to_string())
        .arg(&stdout)
        .arg(&stderr)
        .arg(command.get_program())
        .args(command.get_args());
    for (key, value) in command.get_envs() {
        match value {
            Some(value) => launcher.env(key, value),
            None => launcher.env_remove(key),
        };
    }
    if let Some(dir) = command.get_current_dir() {
        launcher.current_dir(dir);
    }
    let output = launcher.output().expect("run the launcher");
    let report = String::from_utf8_lossy(&output.stdout);
    let fields: Vec<&str> = report.split_whitespace().collect();
    let [wall, peak, code, killed] = fields[..] else {
        panic!(
            "the launcher reported {report:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    };
    Outcome {
        wall: Duration::from_nanos(wall.parse().expect("nanoseconds")),
        peak_kib: peak.parse().expect("KiB"),
        code: code.parse().ok(),
        killed: killed == "killed",
        stdout,
        stderr,
    }
}

/// The launcher: `--launch CAP_MS STDOUT STDERR PROGRAM ARGS...` runs the program and prints
/// `WALL_NS PEAK_KIB CODE|signal killed|exited`.
fn launch(args: &[String]) {
    let [cap, stdout, stderr, program, rest @ ..] = args else {
        panic!("--launch CAP_MS STDOUT STDERR PROGRAM ARGS...");
    };
    let cap: u64 = cap.parse().expect("a cap in ms");
    let mut command = Command::new(program);
    command.args(rest);
    let outcome = launch_direct(
        command,
        Path::new(stdout),
        Path::new(stderr),
        (cap > 0).then(|| Duration::from_millis(cap)),
    );
    println!(
        "{} {} {} {}",
        outcome.wall.as_nanos(),
        outcome.peak_kib,
        outcome
            .code
            .map(|c| c.to_string())
            .unwrap_or_else(|| "signal".into()),
        if outcome.killed { "killed" } else { "exited" }
    );
}

fn launch_direct(
    mut command: Command,
    stdout: &Path,
    stderr: &Path,
    cap: Option<Duration>,
) -> Outcome {
    let (stdout, stderr) = (stdout.to_path_buf(), stderr.to_path_buf());
    command
        .stdin(Stdio::null())
        .stdout(fs::File::create(&stdout).expect("a log file"))
        .stderr(fs::File::create(&stderr).expect("a log file"));
    let start = Instant::now();
    let child = command
        .spawn()
        .unwrap_or_else(|e| panic!("starting {command:?}: {e}"));
    let pid = child.id() as libc::pid_t;
    // The watchdog kills the child at the cap unless it has been reaped: the exit is observed with
    // WNOWAIT first and `reaped` set under the lock before `wait4` frees the pid, so the watchdog
    // never signals a pid that has been reused.
    let reaped = Arc::new(Mutex::new(false));
    let killed = Arc::new(Mutex::new(false));
    let (done, stop) = std::sync::mpsc::channel::<()>();
    let watchdog = cap.map(|cap| {
        let (reaped, killed) = (Arc::clone(&reaped), Arc::clone(&killed));
        std::thread::spawn(move || {
            if stop.recv_timeout(cap).is_err() {
                let reaped = reaped.lock().expect("lock");
                if !*reaped {
                    // SAFETY: the child has not been reaped, so `pid` is still ours.
                    unsafe { libc::kill(pid, libc::SIGKILL) };
                    *killed.lock().expect("lock") = true;
                }
            }
        })
    });
    loop {
        // SAFETY: a zeroed siginfo_t is a valid out-parameter.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        // SAFETY: waits for our own child without reaping it.
        let r = unsafe {
            libc::waitid(
                libc::P_PID,
                pid as libc::id_t,
                &mut info,
                libc::WEXITED | libc::WNOWAIT,
            )
        };
        if r == 0 {
            break;
        }
        if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
            panic!("waitid: {}", std::io::Error::last_os_error());
        }
    }
    let wall = start.elapsed();
    let mut status = 0;
    // SAFETY: a zeroed rusage is a valid out-parameter.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    {
        let mut reaped = reaped.lock().expect("lock");
        // SAFETY: reaps our own child, which has exited.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        assert_eq!(r, pid, "wait4: {}", std::io::Error::last_os_error());
        *reaped = true;
    }
    drop(done);
    if let Some(watchdog) = watchdog {
        let _ = watchdog.join();
    }
    drop(child);
    let killed = *killed.lock().expect("lock");
    Outcome {
        wall,
        peak_kib: usage.ru_maxrss.max(0) as u64,
        code: libc::WIFEXITED(status).then(|| libc::WEXITSTATUS(status)),
        killed,
        stdout,
        stderr,
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn show_time(d: Duration) -> String {
    let secs = d.as_secs_f64();
    if secs < 1.0 {
        format!("{:.0} ms", secs * 1000.0)
    } else if secs < 10.0 {
        format!("{secs:.2} s")
    } else {
        format!("{secs:.1} s")
    }
}

fn show_memory(kib: u64) -> String {
    let mb = kib as f64 * 1024.0 / 1e6;
    if mb < 1000.0 {
        format!("{mb:.0} MB")
    } else {
        format!("{:.2} GB", mb / 1000.0)
    }
}

// ---------------------------------------------------------------------------------------------
// Table cells and targets.

/// One measured cell: the median wall time and the largest peak of the runs, plus what the row adds.
#[derive(Clone)]
struct Measured {
    wall: Duration,
    peak_kib: u64,
    runs: usize,
    /// Extra figure shown after time and memory (objects/s, file size).
    extra: Option<String>,
    /// Target verdict, when the row has a target at this size.
    met: Option<bool>,
}

#[derive(Clone)]
enum Cell {
    Measured(Measured),
    Text(String),
}

impl Cell {
    fn render(&self) -> String {
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Measured(m) => {
                let mut text = format!("{}, {}", show_time(m.wall), show_memory(m.peak_kib));
                if let Some(extra) = &m.extra {
                    text.push_str(&format!(", {extra}"));
                }
                if m.runs == 1 {
                    text.push_str(" (1 run)");
                }
                match m.met {
                    Some(true) => text.push_str(" — met"),
                    Some(false) => text.push_str(" — **NOT met**"),
                    None => {}
                }
                text
            }
        }
    }

    fn wall(&self) -> Option<Duration> {
        match self {
            Cell::Measured(m) => Some(m.wall),
            Cell::Text(_) => None,
        }
    }
}

/// Measure `runs` runs of `make()`, after one untimed run when `warm_up`; `check` reads each run's
/// standard output and says what is wrong with it, if anything.
/// How a row's command is run: how many measured runs, whether one untimed run comes first, and the
/// cap on each.
struct Runs {
    count: usize,
    warm_up: bool,
    cap: Option<Duration>,
}

fn measure_runs(
    logs: &Path,
    name: &str,
    Runs {
        count: runs,
        warm_up,
        cap,
    }: Runs,
    mut before_each: impl FnMut(),
    make: impl Fn() -> Command,
    check: impl Fn(&str) -> Option<String>,
) -> Result<Vec<Outcome>, String> {
    let mut outcomes = Vec::new();
    let first = if warm_up { 0 } else { 1 };
    for run in first..=runs {
        before_each();
        let outcome = run_measured(make(), logs, &format!("{name}-{run}"), cap);
        if outcome.killed {
            return Err(format!(
                "killed after {} s",
                cap.unwrap_or_default().as_secs()
            ));
        }
        if outcome.code != Some(0) {
            return Err(format!(
                "failed (exit {:?}): {}",
                outcome.code,
                outcome.error_excerpt()
            ));
        }
        if let Some(problem) = check(&outcome.stdout()) {
            return Err(format!("wrong output: {problem}"));
        }
        if run > 0 {
            outcomes.push(outcome);
        }
    }
    Ok(outcomes)
}

fn summarise(outcomes: &[Outcome]) -> Measured {
    Measured {
        wall: median(outcomes.iter().map(|o| o.wall).collect()),
        peak_kib: outcomes.iter().map(|o| o.peak_kib).max().unwrap_or(0),
        runs: outcomes.len(),
        extra: None,
        met: None,
    }
}

/// Expect the plan summary line (`Plan: 0 to add, N to change, 0 to destroy.`).
fn expect_line(stdout: &str, line: &str) -> Option<String> {
    if stdout.contains(line) {
        return None;
    }
    let summary = stdout
        .lines()
        .rev()
        .find(|l| l.contains("Plan:") || l.contains("No changes") || l.contains("Apply complete"))
        .unwrap_or("no summary line");
    Some(format!("expected \"{line}\", got \"{}\"", summary.trim()))
}

// ---------------------------------------------------------------------------------------------
// Setup: the cached estate per size.

struct Paths {
    /// The `peerform` release binary (a private copy: the target folder is shared).
    peerform: PathBuf,
    /// `target/tmp/bench-estates`.
    root: PathBuf,
    /// This run's logs.
    logs: PathBuf,
}

fn sha_hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A digest of every file in `dir`, in name order.
fn hash_folder(dir: &Path) -> String {
    let mut names: Vec<PathBuf> = fs::read_dir(dir)
        .expect("read the estate folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    names.sort();
    let mut hasher = sha2::Sha256::new();
    for name in names {
        hasher.update(name.file_name().unwrap_or_default().as_encoded_bytes());
        hasher.update(fs::read(&name).expect("read an estate file"));
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Copy the binary under test out of the shared target folder (another build may replace it while
/// the suite runs) and name it by its digest.
fn private_binary(root: &Path) -> (PathBuf, String) {
    let source = Path::new(env!("CARGO_BIN_EXE_peerform"));
    let bytes = fs::read(source).expect("read the peerform binary");
    // The target folder may be shared by several checkouts of peerform, whose builds of the same
    // profile land on the same file; the debug info names the folder a binary was built in.
    let checkout = env!("CARGO_MANIFEST_DIR").as_bytes();
    if !bytes.windows(checkout.len()).any(|w| w == checkout) {
        panic!(
            "{} was not built from {} (another checkout sharing the target folder built it last): \
             touch src/lib.rs and run the benchmark again",
            source.display(),
            env!("CARGO_MANIFEST_DIR")
        );
    }
    let digest = sha_hex(&bytes)[..16].to_string();
    let dir = root.join("bin");
    fs::create_dir_all(&dir).expect("create the binary folder");
    let path = dir.join(format!("peerform-{digest}"));
    if !path.exists() {
        let partial = dir.join(format!("peerform-{digest}.partial"));
        fs::write(&partial, &bytes).expect("copy the peerform binary");
        use std::os::unix::fs::PermissionsExt as _;
        fs::set_permissions(&partial, fs::Permissions::from_mode(0o755)).expect("chmod");
        fs::rename(&partial, &path).expect("place the peerform binary");
    }
    (path, digest)
}

/// Copy the configuration files of `from` into `to` (hard links when possible).
fn copy_config(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create a folder");
    for entry in fs::read_dir(from).expect("read a folder").flatten() {
        let path = entry.path();
        if path.is_file() {
            let target = to.join(entry.file_name());
            let _ = fs::remove_file(&target);
            if fs::hard_link(&path, &target).is_err() {
                fs::copy(&path, &target).expect("copy a file");
            }
        }
    }
}

/// A size's folder in the cache: `estate/` (the configuration), `plan/` (the same with the gateway
/// SKU changed, plus the full state), `refresh/`, `terraform/`. A component is complete when its
/// `.done` marker exists.
struct SizeDir {
    sites: usize,
    dir: PathBuf,
}

impl SizeDir {
    fn estate(&self) -> PathBuf {
        self.dir.join("estate")
    }
    fn plan(&self) -> PathBuf {
        self.dir.join("plan")
    }
    fn resources(&self) -> usize {
        self.sites * estate::RESOURCES_PER_SITE
    }
}

fn done(dir: &Path) -> bool {
    dir.join(".done").exists()
}

fn mark_done(dir: &Path) {
    fs::write(dir.join(".done"), CACHE_VERSION).expect("write a marker");
}

/// The estate of `sites` sites in the cache, generated (and checked against the cache key) now.
fn prepare_size(paths: &Paths, binary_digest: &str, sites: usize) -> SizeDir {
    let scratch = paths.root.join(format!("scratch-{sites}"));
    let _ = fs::remove_dir_all(&scratch);
    fs::create_dir_all(scratch.join("estate")).expect("create scratch");
    fs::create_dir_all(scratch.join("terraform")).expect("create scratch");
    estate::write_estate(&scratch.join("estate"), sites).expect("write the estate");
    estate::write_terraform_data_estate(&scratch.join("terraform"), sites)
        .expect("write the terraform_data estate");
    let key = format!(
        "{CACHE_VERSION}-{}-{}-{binary_digest}",
        hash_folder(&scratch.join("estate")),
        hash_folder(&scratch.join("terraform"))
    );
    let dir = paths.root.join(&key).join(sites.to_string());
    if !done(&dir) {
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create the cache folder");
        fs::rename(scratch.join("estate"), dir.join("estate")).expect("place the estate");
        fs::rename(scratch.join("terraform"), dir.join("terraform-config"))
            .expect("place the terraform estate");
        mark_done(&dir);
    }
    let _ = fs::remove_dir_all(&scratch);
    SizeDir { sites, dir }
}

/// `plan/`: the configuration with the gateway SKU changed and the full state of the unchanged one.
fn prepare_plan(size: &SizeDir) -> Result<()> {
    let plan = size.plan();
    if done(&plan) {
        return Ok(());
    }
    let _ = fs::remove_dir_all(&plan);
    copy_config(&size.estate(), &plan);
    let started = Instant::now();
    let (config, diagnostics) = load_config(&size.estate(), &LoadOptions::default());
    if diagnostics.has_errors() {
        bail!("the estate does not load");
    }
    let (state, rounds) = synthetic::apply(&config, synthetic::empty_state(true))?;
    drop(config);
    let bytes = peerform::state::encode(&state)?;
    fs::write(plan.join("peerform.tfstate"), &bytes)?;
    // The tfvars is a hard link to the estate's: replace it, never write through it.
    fs::remove_file(plan.join("terraform.tfvars"))?;
    fs::write(plan.join("terraform.tfvars"), estate::TFVARS)?;
    estate::change_gateway_sku(&plan)?;
    eprintln!(
        "  setup: full state of {} resources ({:.1} MB) by a synthetic apply in {rounds} rounds, {:.1} s",
        state.resources.len(),
        bytes.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    mark_done(&plan);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Rows.

fn peerform(paths: &Paths, dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(&paths.peerform);
    command.arg("--chdir").arg(dir).args(args);
    for name in ["PEERFORM_CLOUD", "ARM_SUBSCRIPTION_ID", "NO_COLOR"] {
        command.env_remove(name);
    }
    command
}

fn row_validate(paths: &Paths, size: &SizeDir, runs: usize) -> Cell {
    let name = format!("validate-{}", size.sites);
    match measure_runs(
        &paths.logs,
        &name,
        Runs {
            count: runs,
            warm_up: true,
            cap: None,
        },
        || {},
        || peerform(paths, &size.estate(), &["validate"]),
        |out| expect_line(out, "Success! The configuration is valid."),
    ) {
        Ok(outcomes) => {
            let mut m = summarise(&outcomes);
            m.met = match size.resources() {
                11_000 => Some(m.wall <= Duration::from_millis(300)),
                110_000 => Some(m.wall <= Duration::from_secs(4)),
                _ => None,
            };
            Cell::Measured(m)
        }
        Err(e) => Cell::Text(e),
    }
}

fn row_plan(paths: &Paths, size: &SizeDir, runs: usize) -> Cell {
    if let Err(e) = prepare_plan(size) {
        return Cell::Text(format!("not run: setup failed: {e:#}"));
    }
    let expected = format!("Plan: 0 to add, {} to change, 0 to destroy.", size.sites);
    match measure_runs(
        &paths.logs,
        &format!("plan-{}", size.sites),
        Runs {
            count: runs,
            warm_up: true,
            cap: None,
        },
        || {},
        || peerform(paths, &size.plan(), &["plan", "--refresh=false"]),
        |out| expect_line(out, &expected),
    ) {
        Ok(outcomes) => {
            let mut m = summarise(&outcomes);
            let mb = m.peak_kib as f64 * 1024.0 / 1e6;
            m.met = match size.resources() {
                11_000 => Some(m.wall <= Duration::from_millis(500) && mb <= 250.0),
                110_000 => Some(m.wall <= Duration::from_secs(6) && mb <= 2000.0),
                _ => None,
            };
            Cell::Measured(m)
        }
        Err(e) => Cell::Text(e),
    }
}

/// Child: load the state through the local backend, change one gateway, save it; print the time.
fn child_state(dir: &Path) {
    let backend = LocalBackend::new(&dir.join("peerform.tfstate"));
    let start = Instant::now();
    let mut state = backend.read().expect("reading").expect("a state");
    let target =
        peerform::state::estate::site_address(0, "azurerm_virtual_network_gateway", "this");
    if let Some(resource) = state.resources.get_mut(&target) {
        resource
            .attributes
            .insert("sku".into(), Value::string("ErGw3AZ"));
    }
    state.serial += 1;
    backend
        .write(&state, WriteOptions::default())
        .expect("writing");
    println!("load+save {}", start.elapsed().as_nanos());
}

fn row_state(paths: &Paths, size: &SizeDir, runs: usize) -> Cell {
    if let Err(e) = prepare_plan(size) {
        return Cell::Text(format!("not run: setup failed: {e:#}"));
    }
    let source = size.plan().join("peerform.tfstate");
    let bytes = fs::metadata(&source).map(|m| m.len()).unwrap_or(0);
    let work = paths.logs.join(format!("state-{}", size.sites));
    fs::create_dir_all(&work).expect("create a folder");
    let result = measure_runs(
        &paths.logs,
        &format!("state-{}", size.sites),
        Runs {
            count: runs,
            warm_up: true,
            cap: None,
        },
        || {
            let _ = fs::remove_file(work.join("peerform.tfstate.backup"));
            fs::copy(&source, work.join("peerform.tfstate")).expect("copy the state");
        },
        || {
            let mut command = Command::new(std::env::current_exe().expect("own path"));
            command.arg("--child-state").arg(&work);
            command
        },
        |out| (!out.starts_with("load+save ")).then(|| out.to_string()),
    );
    let _ = fs::remove_dir_all(&work);
    match result {
        Ok(outcomes) => {
            // The time the child measured around load + save (without its own start).
            let inner: Vec<Duration> = outcomes
                .iter()
                .map(|o| {
                    let out = o.stdout();
                    let nanos = out
                        .trim()
                        .trim_start_matches("load+save ")
                        .parse()
                        .unwrap_or(0);
                    Duration::from_nanos(nanos)
                })
                .collect();
            let mut m = summarise(&outcomes);
            m.wall = median(inner);
            let mb = bytes as f64 / 1e6;
            m.extra = Some(format!("file {mb:.1} MB"));
            m.met = match size.resources() {
                11_000 => Some(m.wall <= Duration::from_millis(150) && mb <= 15.0),
                // "linear": ten times the 11,000 budget.
                110_000 => Some(m.wall <= Duration::from_millis(1500) && mb <= 150.0),
                _ => None,
            };
            Cell::Measured(m)
        }
        Err(e) => Cell::Text(e),
    }
}

/// A running `peerform emulator serve` (killed on drop).
struct Served {
    child: std::process::Child,
    url: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(paths: &Paths, dir: &Path, extra: &[&str]) -> Result<Served> {
    let mut args = vec!["emulator", "serve", "--listen", "127.0.0.1:0"];
    args.extend_from_slice(extra);
    let mut child = peerform(paths, dir, &args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .context("starting emulator serve")?;
    let mut line = String::new();
    let stdout = child.stdout.take().context("no stdout")?;
    std::io::BufReader::new(stdout).read_line(&mut line)?;
    let Some(url) = line.split_whitespace().find(|w| w.starts_with("http://")) else {
        let _ = child.kill();
        let _ = child.wait();
        bail!("emulator serve printed no URL: {line:?}");
    };
    Ok(Served {
        url: url.to_string(),
        child,
    })
}

/// Object types in the order the estate can be created in: one type (and one peering kind) per
/// wave, so no two writes in a wave touch the same circuit.
const WAVES: &[(&str, &str)] = &[
    ("azurerm_resource_group", ""),
    ("azurerm_virtual_network", ""),
    ("azurerm_express_route_circuit", ""),
    ("azurerm_route_filter", ""),
    ("azurerm_subnet", ""),
    ("azurerm_express_route_circuit_peering", "_private"),
    ("azurerm_express_route_circuit_peering", "_microsoft"),
    ("azurerm_express_route_circuit_authorization", ""),
    ("azurerm_virtual_network_gateway", ""),
    ("azurerm_virtual_network_gateway_connection", ""),
    ("azurerm_express_route_circuit_connection", ""),
];

/// Put every object of `full` into the served emulator at `url` (PUT through peerform's ARM client,
/// 8 at a time) and return the state an apply would record from the responses.
fn seed(url: &str, full: &State, cap: Duration) -> Result<State> {
    use peerform::provider::{ArmClient, ClientOptions, Provider};
    use rayon::prelude::*;
    let started = Instant::now();
    let transport = peerform::arm::http::HttpTransport::new(url, Duration::from_secs(120))?;
    let provider = Provider::new(ArmClient::new(
        Arc::new(transport),
        None,
        ClientOptions::for_emulator(synthetic::SUBSCRIPTION),
    ));
    let pool = rayon::ThreadPoolBuilder::new().num_threads(8).build()?;
    let mut authorization_keys: HashMap<String, Value> = HashMap::new();
    let mut objects = Vec::new();
    for (type_name, suffix) in WAVES {
        let wave: Vec<_> = full
            .resources
            .iter()
            .filter(|(a, r)| r.type_name == *type_name && a.resource.name.ends_with(suffix))
            .collect();
        let keys = &authorization_keys;
        let results: Vec<Result<(_, NewObject)>> = pool.install(|| {
            wave.par_iter()
                .map(|(address, resource)| {
                    let mut attributes = resource.attributes.clone();
                    if *type_name == "azurerm_virtual_network_gateway_connection" {
                        let key = keys
                            .get(&address.resource.name)
                            .context("no authorization key for the connection")?;
                        attributes.insert("authorization_key".into(), key.clone());
                    }
                    let (id, values) = provider
                        .create_or_update(type_name, &Value::map(attributes))
                        .with_context(|| format!("creating {address}"))?;
                    let Value::Map(values) = values else {
                        bail!("{address}: the provider returned no attributes");
                    };
                    let mut values = std::sync::Arc::unwrap_or_clone(values);
                    values.remove("id");
                    Ok((
                        (*address).clone(),
                        NewObject {
                            type_name: type_name.to_string(),
                            id: id.to_string(),
                            values,
                            dependencies: resource.dependencies.clone(),
                            ..NewObject::default()
                        },
                    ))
                })
                .collect()
        });
        for result in results {
            let (address, object) = result?;
            if *type_name == "azurerm_express_route_circuit_authorization" {
                let key = object
                    .values
                    .get("authorization_key")
                    .cloned()
                    .context("an authorization without a key")?;
                authorization_keys.insert(address.resource.name.clone(), key);
            }
            objects.push((address, object));
        }
        if started.elapsed() > cap {
            bail!(
                "putting the estate into the emulator took over {} s (stopped after {} objects)",
                cap.as_secs(),
                objects.len()
            );
        }
    }
    let mut state = synthetic::empty_state(true);
    state.serial = 1;
    for (address, resource) in state.build_resources(objects)? {
        state.resources.insert(address, resource);
    }
    Ok(state)
}

/// `refresh/`: the estate's configuration, the emulator database holding every object and the
/// state recorded from them.
fn prepare_refresh(paths: &Paths, size: &SizeDir, cap: Duration) -> Result<PathBuf> {
    let dir = size.dir.join("refresh");
    if done(&dir) {
        return Ok(dir);
    }
    prepare_plan(size)?;
    let _ = fs::remove_dir_all(&dir);
    copy_config(&size.estate(), &dir);
    let started = Instant::now();
    let full = LocalBackend::new(&size.plan().join("peerform.tfstate"))
        .read()?
        .context("no full state")?;
    // Operations finish at once while seeding: the client still polls each one.
    let served = serve(paths, &dir, &["--operation-polls", "0"])?;
    let state = seed(&served.url, &full, cap)?;
    drop(served);
    fs::write(
        dir.join("peerform.tfstate.seeded"),
        peerform::state::encode(&state)?,
    )?;
    fs::write(
        dir.join("seed-seconds"),
        started.elapsed().as_secs_f64().to_string(),
    )?;
    eprintln!(
        "  setup: {} objects PUT into emulator serve over HTTP in {:.1} s",
        state.resources.len(),
        started.elapsed().as_secs_f64()
    );
    mark_done(&dir);
    Ok(dir)
}

/// Objects per second put into the emulator and read back by refresh at the largest size measured
/// so far, to tell whether a larger size can finish within the cap.
#[derive(Clone, Copy)]
struct RefreshRates {
    resources: usize,
    put_per_second: f64,
    read_per_second: f64,
}

fn row_refresh(
    paths: &Paths,
    size: &SizeDir,
    runs: usize,
    cap: Duration,
    rates: &mut Option<RefreshRates>,
) -> Cell {
    let cached = done(&size.dir.join("refresh"));
    if let Some(r) = *rates {
        let put = if cached {
            0.0
        } else {
            size.resources() as f64 / r.put_per_second
        };
        let run = size.resources() as f64 / r.read_per_second;
        if put + run > cap.as_secs_f64() {
            return Cell::Text(format!(
                "not run: at the rates measured at {} resources ({:.0} objects/s put into the emulator, {:.0} read by refresh) it would take about {:.0} min to load the emulator and {:.0} min per run, past the {} s cap (`--refresh-cap`)",
                size_label(r.resources),
                r.put_per_second,
                r.read_per_second,
                put / 60.0,
                run / 60.0,
                cap.as_secs()
            ));
        }
    }
    let dir = match prepare_refresh(paths, size, cap) {
        Ok(dir) => dir,
        Err(e) => return Cell::Text(format!("not run: {e:#}")),
    };
    let served = match serve(paths, &dir, &[]) {
        Ok(s) => s,
        Err(e) => return Cell::Text(format!("not run: {e:#}")),
    };
    let url = served.url.clone();
    let seeded = match fs::read(dir.join("peerform.tfstate.seeded"))
        .map_err(anyhow::Error::from)
        .and_then(|b| peerform::state::decode(&b))
    {
        Ok(mut state) => {
            // The state records the endpoint it was applied to; this server's port is new.
            state.cloud = CloudTarget {
                target: "http".into(),
                endpoint: url.clone(),
                subscription: synthetic::SUBSCRIPTION.into(),
            };
            peerform::state::encode(&state).expect("encode the state")
        }
        Err(e) => return Cell::Text(format!("not run: {e:#}")),
    };
    let result = measure_runs(
        &paths.logs,
        &format!("refresh-{}", size.sites),
        Runs {
            count: runs,
            // A run reads every object; the first one is measured like the others.
            warm_up: false,
            cap: Some(cap),
        },
        || {
            fs::write(dir.join("peerform.tfstate"), &seeded).expect("write the state");
            let _ = fs::remove_file(dir.join("peerform.tfstate.backup"));
        },
        || {
            let mut command = peerform(
                paths,
                &dir,
                &["plan", "--cloud", &url, "--parallelism", "10"],
            );
            command.env("ARM_SUBSCRIPTION_ID", synthetic::SUBSCRIPTION);
            command
        },
        |out| expect_line(out, "No changes."),
    );
    drop(served);
    match result {
        Ok(outcomes) => {
            let mut m = summarise(&outcomes);
            let per_second = size.resources() as f64 / m.wall.as_secs_f64();
            m.extra = Some(format!("{per_second:.0} objects/s"));
            let seed_seconds: f64 = fs::read_to_string(dir.join("seed-seconds"))
                .ok()
                .and_then(|t| t.trim().parse().ok())
                .unwrap_or(f64::INFINITY);
            *rates = Some(RefreshRates {
                resources: size.resources(),
                put_per_second: size.resources() as f64 / seed_seconds,
                read_per_second: per_second,
            });
            m.met = (size.resources() == 11_000).then_some(per_second >= 2000.0);
            Cell::Measured(m)
        }
        Err(e) => Cell::Text(e),
    }
}

fn row_apply(paths: &Paths, size: &SizeDir, runs: usize) -> Cell {
    let work = paths.logs.join(format!("apply-{}", size.sites));
    let expected = format!(
        "Apply complete! Resources: {} added, 0 changed, 0 destroyed.",
        size.resources()
    );
    let result = measure_runs(
        &paths.logs,
        &format!("apply-{}", size.sites),
        Runs {
            count: runs,
            warm_up: false,
            cap: None,
        },
        || {
            let _ = fs::remove_dir_all(&work);
            copy_config(&size.estate(), &work);
        },
        || peerform(paths, &work, &["apply", "--auto-approve"]),
        |out| expect_line(out, &expected),
    );
    let _ = fs::remove_dir_all(&work);
    match result {
        Ok(outcomes) => Cell::Measured(summarise(&outcomes)),
        Err(e) => Cell::Text(e),
    }
}

/// `terraform version`, or `None` when Terraform is not on PATH.
fn terraform_version() -> Option<String> {
    let output = Command::new("terraform")
        .args(["version", "-json"])
        .output()
        .ok()?;
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    json.get("terraform_version")?.as_str().map(str::to_string)
}

fn terraform(dir: &Path, logs: &Path, args: &[&str]) -> Command {
    let mut command = Command::new("terraform");
    command
        .current_dir(dir)
        .args(args)
        .env("TF_IN_AUTOMATION", "1")
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", logs.join("terraformrc"));
    command
}

/// `terraform/`: the `terraform_data` estate, initialised, with the full state (from `terraform
/// apply` at up to 1,100 resources, else generated) and the gateway SKU changed.
fn prepare_terraform(paths: &Paths, size: &SizeDir, version: &str, cap: Duration) -> Result<()> {
    let dir = size.dir.join("terraform");
    if done(&dir) {
        return Ok(());
    }
    let _ = fs::remove_dir_all(&dir);
    copy_config(&size.dir.join("terraform-config"), &dir);
    fs::remove_file(dir.join("terraform.tfvars"))?;
    fs::write(dir.join("terraform.tfvars"), estate::TFVARS)?;
    let init = run_measured(
        terraform(&dir, &paths.logs, &["init", "-input=false", "-no-color"]),
        &paths.logs,
        &format!("terraform-init-{}", size.sites),
        Some(cap),
    );
    if init.code != Some(0) {
        bail!("terraform init failed: {}", init.error_excerpt());
    }
    if size.resources() <= 1_100 {
        let apply = run_measured(
            terraform(
                &dir,
                &paths.logs,
                &["apply", "-auto-approve", "-input=false", "-no-color"],
            ),
            &paths.logs,
            &format!("terraform-apply-{}", size.sites),
            Some(cap),
        );
        if apply.killed {
            bail!(
                "terraform apply (to build the full state) killed after {} s",
                cap.as_secs()
            );
        }
        if apply.code != Some(0) {
            bail!("terraform apply failed: {}", apply.error_excerpt());
        }
        eprintln!(
            "  setup: terraform apply of {} resources in {:.1} s",
            size.resources(),
            apply.wall.as_secs_f64()
        );
    } else {
        fs::write(
            dir.join("terraform.tfstate"),
            estate::terraform_data_state(size.sites, version),
        )?;
        eprintln!(
            "  setup: terraform state of {} resources generated (an apply would take too long)",
            size.resources()
        );
    }
    estate::change_gateway_sku(&dir)?;
    mark_done(&dir);
    Ok(())
}

fn row_terraform(
    paths: &Paths,
    size: &SizeDir,
    runs: usize,
    cap: Duration,
    version: Option<&str>,
) -> Cell {
    let Some(version) = version else {
        return Cell::Text("not run: terraform is not on PATH".into());
    };
    if size.resources() > 11_000 {
        return Cell::Text("not run (compared at 1,100 and 11,000)".into());
    }
    if let Err(e) = prepare_terraform(paths, size, version, cap) {
        return Cell::Text(format!("not run: {e:#}"));
    }
    let dir = size.dir.join("terraform");
    let expected = format!("Plan: 0 to add, {} to change, 0 to destroy.", size.sites);
    // A long plan is run once, without the untimed first run.
    let long = size.resources() > 1_100;
    let make = || {
        terraform(
            &dir,
            &paths.logs,
            &[
                "plan",
                "-refresh=false",
                "-input=false",
                "-no-color",
                "-lock=false",
            ],
        )
    };
    let result = if long {
        let outcome = run_measured(
            make(),
            &paths.logs,
            &format!("terraform-plan-{}", size.sites),
            Some(cap),
        );
        if outcome.killed {
            Err(format!("killed after {} s", cap.as_secs()))
        } else if outcome.code != Some(0) {
            Err(format!(
                "failed (exit {:?}): {}",
                outcome.code,
                outcome.error_excerpt()
            ))
        } else if let Some(problem) = expect_line(&outcome.stdout(), &expected) {
            Err(format!("wrong output: {problem}"))
        } else {
            Ok(vec![outcome])
        }
    } else {
        measure_runs(
            &paths.logs,
            &format!("terraform-plan-{}", size.sites),
            Runs {
                count: runs,
                warm_up: true,
                cap: Some(cap),
            },
            || {},
            make,
            |out| expect_line(out, &expected),
        )
    };
    match result {
        Ok(outcomes) => Cell::Measured(summarise(&outcomes)),
        Err(e) => Cell::Text(e),
    }
}

// ---------------------------------------------------------------------------------------------
// The machine.

fn load_average() -> String {
    fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "n/a".into())
}

fn machine() -> String {
    let cpus = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(0);
    let model = fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let memory = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
        })
        .map(|kib| format!("{:.1} GB", kib * 1024.0 / 1e9))
        .unwrap_or_else(|| "unknown".into());
    format!("{cpus} CPUs ({model}), {memory} memory")
}

fn size_label(resources: usize) -> String {
    let text = resources.to_string();
    let mut out = String::new();
    for (i, c) in text.chars().enumerate() {
        if i > 0 && (text.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).is_some_and(|a| a == "--launch") {
        return launch(&args[2..]);
    }
    if let Some(i) = args.iter().position(|a| a == "--child-state") {
        return child_state(Path::new(&args[i + 1]));
    }
    let options = parse_options();
    let load_at_start = load_average();
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-estates");
    fs::create_dir_all(&root).expect("create the cache folder");
    let (peerform_binary, binary_digest) = private_binary(&root);
    let logs = root.join(format!("logs-{}", std::process::id()));
    fs::create_dir_all(&logs).expect("create the log folder");
    fs::write(logs.join("terraformrc"), "").expect("write an empty terraform CLI config");
    let paths = Paths {
        peerform: peerform_binary,
        root,
        logs,
    };
    let version = terraform_version();
    let wants = |row: &str| options.rows.iter().any(|r| r == row);

    let mut cells: HashMap<(&str, usize), Cell> = HashMap::new();
    let mut refresh_rates = None;
    for &resources in &options.sizes {
        let sites = resources / estate::RESOURCES_PER_SITE;
        eprintln!(
            "== {} resources ({sites} sites), load average {}",
            size_label(resources),
            load_average()
        );
        let size = prepare_size(&paths, &binary_digest, sites);
        for &row in ROWS {
            if !wants(row) {
                continue;
            }
            let started = Instant::now();
            let cell = match row {
                "validate" => row_validate(&paths, &size, options.runs),
                "plan" => row_plan(&paths, &size, options.runs),
                "state" => row_state(&paths, &size, options.runs),
                "refresh" => row_refresh(
                    &paths,
                    &size,
                    options.runs,
                    options.refresh_cap,
                    &mut refresh_rates,
                ),
                "apply" if resources == 1_100 => row_apply(&paths, &size, options.runs),
                "apply" => Cell::Text("–".into()),
                _ => row_terraform(
                    &paths,
                    &size,
                    options.runs,
                    options.terraform_cap,
                    version.as_deref(),
                ),
            };
            eprintln!(
                "  {row}: {} ({:.1} s with setup)",
                cell.render(),
                started.elapsed().as_secs_f64()
            );
            cells.insert((row, resources), cell);
        }
    }
    let load_at_end = load_average();

    let titles: HashMap<&str, (String, &str)> = HashMap::from([
        (
            "validate",
            ("`peerform validate`".to_string(), "11,000: ≤ 0.3 s; 110,000: ≤ 4 s"),
        ),
        (
            "plan",
            (
                "`peerform plan --refresh=false`, full state, one attribute changed on every gateway"
                    .to_string(),
                "11,000: ≤ 0.5 s, ≤ 250 MB; 110,000: ≤ 6 s, ≤ 2 GB",
            ),
        ),
        (
            "state",
            (
                "state load + save through the local backend (time inside the process), file size"
                    .to_string(),
                "11,000: ≤ 150 ms, ≤ 15 MB; 110,000: linear (≤ 1.5 s, ≤ 150 MB)",
            ),
        ),
        (
            "refresh",
            (
                "`peerform plan` with refresh against `emulator serve`, parallelism 10".to_string(),
                "11,000: ≥ 2,000 objects/s",
            ),
        ),
        (
            "apply",
            (
                "`peerform apply --auto-approve` from empty, in-process emulator".to_string(),
                "",
            ),
        ),
        (
            "terraform",
            (
                format!(
                    "Terraform {} `plan -refresh=false`, `terraform_data` estate, full state, one change per gateway",
                    version.as_deref().unwrap_or("(not installed)")
                ),
                "(comparison)",
            ),
        ),
    ]);

    let mut out = String::new();
    out.push_str("| work |");
    for &resources in &options.sizes {
        out.push_str(&format!(" {} resources |", size_label(resources)));
    }
    out.push_str(" target (DESIGN §7) |\n|---|");
    for _ in &options.sizes {
        out.push_str("---|");
    }
    out.push_str("---|\n");
    for &row in ROWS {
        if !wants(row) {
            continue;
        }
        let (title, target) = &titles[row];
        out.push_str(&format!("| {title} |"));
        for &resources in &options.sizes {
            let cell = cells
                .get(&(row, resources))
                .map(Cell::render)
                .unwrap_or_default();
            out.push_str(&format!(" {cell} |"));
        }
        out.push_str(&format!(" {target} |\n"));
    }
    out.push('\n');
    for &row in ROWS {
        let (Some(small), Some(large)) = (
            cells.get(&(row, 11_000)).and_then(Cell::wall),
            cells.get(&(row, 110_000)).and_then(Cell::wall),
        ) else {
            continue;
        };
        out.push_str(&format!(
            "- t(110,000) / t(11,000), {row}: {:.1}\n",
            large.as_secs_f64() / small.as_secs_f64()
        ));
    }
    out.push_str(&format!(
        "\nMachine: {}; load average (1, 5, 15 min) {load_at_start} at the start, {load_at_end} at the end.\n",
        machine()
    ));
    out.push_str(&format!(
        "Median of {} runs (validate, plan, state and Terraform after one untimed run; a single run where marked); peak memory is the largest of the runs; Terraform capped at {} s, refresh (with its setup) at {} s.\n",
        options.runs,
        options.terraform_cap.as_secs(),
        options.refresh_cap.as_secs()
    ));
    println!("\n{out}");
    let _ = std::io::stdout().flush();
    eprintln!("logs: {}", paths.logs.display());
}
