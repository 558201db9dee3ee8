//! Benchmark: `plan --refresh=false` of the DESIGN §7 estate at 11,000 resources (1,000 sites) against
//! a full state, with one attribute changed on every gateway (the gateway SKU variable). The state is
//! built by a synthetic apply of the same configuration. Each measured run is a fresh child process
//! running the `plan` command in-process (output to /dev/null), so its wall time and peak RSS are the
//! command's own (domain rules included, G5 switched off: the shared estate puts every circuit at
//! one peering location); a phase breakdown (load, state, plan, render; no rules) follows.
//! Run: `cargo bench --bench plan [-- --sites N]`. Budget (DESIGN §7): 0.5 s and 250 MB.

#[path = "support/estate.rs"]
mod estate;
#[path = "support/measure.rs"]
mod measure;
#[path = "support/synthetic.rs"]
mod synthetic;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use peerform::config::{LoadOptions, load_config, read_function_file};
use peerform::desired::NoCloud;
use peerform::plan::render_human::{HumanOptions, render};
use peerform::plan::{Action, PlanOptions, make_plan, no_domain_rule};
use peerform::state::{Backend, LocalBackend};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 5;

fn arg_value(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Child: run the `plan` command as the binary would, then report peak RSS on standard error.
fn child_command(dir: &str) {
    let code = peerform::cli::main_with_args(vec![
        "peerform".into(),
        format!("-chdir={dir}").into(),
        "plan".into(),
        "--refresh=false".into(),
        // The shared estate puts every circuit at one peering location, which rule G5 refuses for
        // Global Reach; the rule is switched off so the benchmark measures planning, not that.
        "--rule".into(),
        "G5=off".into(),
    ]);
    eprintln!("exit {code} peak {}", measure::peak_rss());
}

/// Child: the same work phase by phase.
fn child_phases(dir: &str) {
    let dir = Path::new(dir);
    let t = Instant::now();
    let (config, diagnostics) = load_config(dir, &LoadOptions::default());
    assert!(!diagnostics.has_errors());
    let load = t.elapsed();
    let t = Instant::now();
    let state = LocalBackend::new(&dir.join("peerform.tfstate"))
        .read()
        .expect("read state")
        .expect("a state");
    let read_state = t.elapsed();
    let t = Instant::now();
    let root = dir.to_path_buf();
    let files = move |p: &str| read_function_file(&root, p);
    let reader = NoCloud { files: &files };
    let (plan, desired, diagnostics) = make_plan(
        &config,
        &state,
        &reader,
        &PlanOptions::default(),
        &no_domain_rule,
    );
    assert!(!diagnostics.has_errors());
    let planning = t.elapsed();
    let t = Instant::now();
    let text = render(
        &plan,
        &HumanOptions {
            cloud: "emulator",
            color: false,
        },
    );
    let rendering = t.elapsed();
    let updates = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Update)
        .count();
    let other = plan
        .changes
        .iter()
        .filter(|c| !matches!(c.action, Action::Update | Action::NoOp))
        .count();
    let t = Instant::now();
    drop(text);
    drop(plan);
    drop(desired);
    drop(state);
    drop(config);
    let dropping = t.elapsed();
    eprintln!(
        "load+parse {} | read state {} | evaluate+diff+schedule {} | render {} | drop {} | {updates} updates, {other} other changes | peak {}",
        measure::ms(load),
        measure::ms(read_state),
        measure::ms(planning),
        measure::ms(rendering),
        measure::ms(dropping),
        measure::peak_rss()
    );
}

fn spawn(mode: &str, dir: &Path) -> (Duration, String) {
    let start = Instant::now();
    let output = Command::new(std::env::current_exe().expect("own path"))
        .arg(mode)
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("run child");
    let elapsed = start.elapsed();
    let report = String::from_utf8_lossy(&output.stderr).trim().to_string();
    (elapsed, report)
}

/// The full state (a synthetic apply of the same configuration), then one attribute changed on
/// every gateway.
fn build_state(dir: &Path) {
    // The full state: a synthetic apply of the same configuration.
    let t = Instant::now();
    let (config, diagnostics) = load_config(dir, &LoadOptions::default());
    assert!(!diagnostics.has_errors(), "the estate must load");
    let (state, rounds) =
        synthetic::apply(&config, synthetic::empty_state(true)).expect("synthetic apply");
    drop(config);
    let bytes = peerform::state::encode(&state).expect("encode state");
    std::fs::write(dir.join("peerform.tfstate"), &bytes).expect("write state");
    eprintln!(
        "setup: {} resources in state ({} MB), settled in {rounds} rounds, {:.1} s",
        state.resources.len(),
        bytes.len() / 1_000_000,
        t.elapsed().as_secs_f64()
    );
    drop(state);

    // One attribute changed on every gateway.
    let tfvars = std::fs::read_to_string(dir.join("terraform.tfvars")).expect("tfvars");
    std::fs::write(
        dir.join("terraform.tfvars"),
        tfvars.replace(
            "gateway_sku       = \"ErGw1AZ\"",
            "gateway_sku       = \"ErGw2AZ\"",
        ),
    )
    .expect("write tfvars");
}

fn main() {
    if let Some(dir) = arg_value("--child") {
        return child_command(&dir);
    }
    if let Some(dir) = arg_value("--phases") {
        return child_phases(&dir);
    }
    let sites: usize = arg_value("--sites")
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000);
    // `--dir DIR` keeps the estate and its state there (reused when present), for profiling.
    let work = tempfile::tempdir().expect("temp dir");
    let kept = arg_value("--dir").map(std::path::PathBuf::from);
    let dir = kept.as_deref().unwrap_or(work.path());
    let reuse = kept.is_some() && dir.join("peerform.tfstate").exists();
    if !reuse {
        std::fs::create_dir_all(dir).expect("create the estate folder");
        estate::write_estate(dir, sites).expect("write estate");
        build_state(dir);
    }

    let mut times = Vec::new();
    let mut peaks = Vec::new();
    for _ in 0..RUNS {
        let (elapsed, report) = spawn("--child", dir);
        assert!(report.starts_with("exit 0"), "plan failed: {report}");
        times.push(elapsed);
        peaks.push(report.rsplit("peak ").next().unwrap_or("").to_string());
    }
    let (_, phases) = spawn("--phases", dir);
    println!("| resources | plan --refresh=false (median of {RUNS}) | min | peak RSS | budget |");
    println!("|---:|---:|---:|---:|---|");
    println!(
        "| {} | {} | {} | {} | 0.5 s, 250 MB |",
        sites * estate::RESOURCES_PER_SITE,
        measure::ms(measure::median(&times)),
        measure::ms(times.iter().copied().min().unwrap_or_default()),
        peaks.last().cloned().unwrap_or_default()
    );
    println!("\nphases: {phases}");
}
