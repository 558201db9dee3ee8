//! `plan` end to end over the golden cases in testdata/plan/<case>/: each holds `main.tf` (and any
//! other configuration files or modules), an optional `prior/` configuration whose synthetic apply
//! gives the committed prior `state.json`, an optional `args` file (one extra argument per line), an
//! optional `secrets` file (strings that must appear in no output), and the snapshots `plan.txt`
//! (what a person sees: standard output, then standard error), `plan.json` and `plan.md`.
//! `UPDATE_GOLDEN=1` rewrites the snapshots (and the prior states): review each diff like code.
//! Every case is also planned twice (same bytes), saved with `--out` and shown again with `show`
//! (same output in every format), and checked for `--detailed-exitcode`.

#[path = "../../benches/support/synthetic.rs"]
mod synthetic;

use peerform::config::{LoadOptions, load_config};
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/plan")
}

fn update() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some_and(|v| v == "1")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

/// Run a command in-process, as the binary would (argv normalisation, clap, the command), with the
/// working folder `dir`. In-process rather than through `CARGO_BIN_EXE_peerform`: that path is shared
/// by every worktree building into the same target folder, so another branch's binary may sit there.
fn peerform(dir: &Path, args: &[String]) -> Run {
    use clap::Parser as _;
    let mut argv: Vec<std::ffi::OsString> = vec!["peerform".into()];
    argv.extend(args.iter().map(std::ffi::OsString::from));
    let argv = peerform::cli::normalise_args(argv);
    let cli = match peerform::cli::Cli::try_parse_from(argv) {
        Ok(cli) => cli,
        Err(e) => {
            return Run {
                code: if e.use_stderr() { 1 } else { 0 },
                stdout: String::new(),
                stderr: e.render().to_string(),
            };
        }
    };
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = {
        let mut ctx = peerform::cli::Context {
            dir: cli
                .chdir
                .as_ref()
                .map(|d| dir.join(d))
                .unwrap_or_else(|| dir.to_path_buf()),
            color: false,
            out: &mut out,
            err: &mut err,
            env: Vec::new(),
        };
        match peerform::cli::run(cli.command, &mut ctx) {
            Ok(code) => code,
            Err(e) => {
                let _ = writeln!(ctx.err, "Error: {e:#}");
                1
            }
        }
    };
    Run {
        code,
        stdout: String::from_utf8_lossy(&out).into_owned(),
        stderr: String::from_utf8_lossy(&err).into_owned(),
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "prior" {
                copy_dir(&path, &to.join(&*name));
            }
        } else if name.ends_with(".tf") || name.ends_with(".tfvars") {
            std::fs::copy(&path, to.join(&*name)).unwrap();
        }
    }
}

/// The prior state of a case: built from `prior/` when asked to (or when missing), else the
/// committed `state.json`.
fn prior_state(case: &Path) -> Option<Vec<u8>> {
    let committed = case.join("state.json");
    let prior = case.join("prior");
    if prior.is_dir() && (update() || !committed.exists()) {
        let (config, diagnostics) = load_config(&prior, &LoadOptions::default());
        assert!(
            !diagnostics.has_errors(),
            "{}: prior configuration: {:?}",
            case.display(),
            diagnostics.iter().map(|d| &d.summary).collect::<Vec<_>>()
        );
        let (state, _rounds) = synthetic::apply(&config, synthetic::empty_state(false))
            .unwrap_or_else(|e| panic!("{}: {e:#}", case.display()));
        let bytes = peerform::state::encode(&state).unwrap();
        std::fs::write(&committed, &bytes).unwrap();
    }
    std::fs::read(&committed).ok()
}

fn case_args(case: &Path) -> Vec<String> {
    std::fs::read_to_string(case.join("args"))
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect()
}

fn human_text(run: &Run) -> String {
    let mut text = run.stdout.clone();
    if !run.stderr.is_empty() {
        if !text.is_empty() && !text.ends_with("\n\n") {
            text.push('\n');
        }
        text.push_str(&run.stderr);
    }
    text
}

/// Run one case; returns its failures.
fn check_case(case: &Path) -> Vec<String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let mut failures = Vec::new();
    let work = tempfile::tempdir().unwrap();
    let dir = work.path();
    copy_dir(case, dir);
    if let Some(state) = prior_state(case) {
        std::fs::write(dir.join("peerform.tfstate"), state).unwrap();
    }
    let extra = case_args(case);
    let args = |more: &[&str]| -> Vec<String> {
        let mut args: Vec<String> = vec!["plan".into(), "--refresh=false".into()];
        args.extend(more.iter().map(|s| s.to_string()));
        args.extend(extra.iter().cloned());
        args
    };
    let human = peerform(dir, &args(&["--detailed-exitcode"]));
    let json = peerform(dir, &args(&["--json"]));
    let markdown = peerform(dir, &args(&["--markdown"]));
    let outputs = [
        ("plan.txt", human_text(&human)),
        ("plan.json", json.stdout.clone()),
        ("plan.md", markdown.stdout.clone()),
    ];
    for (file, text) in &outputs {
        let path = case.join(file);
        if update() {
            std::fs::write(&path, text).unwrap();
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(expected) if expected == *text => {}
            Ok(_) => failures.push(format!(
                "{name}/{file} differs from the snapshot (UPDATE_GOLDEN=1 rewrites it; review the diff)"
            )),
            Err(_) => failures.push(format!("{name}/{file} is missing (UPDATE_GOLDEN=1 writes it)")),
        }
    }

    // The same inputs give the same bytes.
    for (format, first) in [("", &human), ("--json", &json), ("--markdown", &markdown)] {
        let more: Vec<&str> = if format.is_empty() {
            vec!["--detailed-exitcode"]
        } else {
            vec![format]
        };
        let again = peerform(dir, &args(&more));
        if again.stdout != first.stdout || again.stderr != first.stderr {
            failures.push(format!(
                "{name}: planning twice gave different output ({format})"
            ));
        }
    }

    // The JSON document is one line and says what the exit code says.
    let document: serde_json::Value = match serde_json::from_str(&json.stdout) {
        Ok(d) => d,
        Err(e) => {
            failures.push(format!("{name}: --json is not JSON: {e}"));
            return failures;
        }
    };
    if json.stdout.trim_end().contains('\n') {
        failures.push(format!("{name}: --json is not on one line"));
    }
    let errored = document["errored"] == serde_json::Value::Bool(true);
    let applyable = document["applyable"] == serde_json::Value::Bool(true);
    let expected_code = if errored {
        1
    } else if applyable {
        2
    } else {
        0
    };
    if human.code != expected_code {
        failures.push(format!(
            "{name}: --detailed-exitcode gave {}, expected {expected_code}",
            human.code
        ));
    }
    if json.code != if errored { 1 } else { 0 } {
        failures.push(format!("{name}: --json exited {}", json.code));
    }

    // Secrets never reach any output.
    let secrets: Vec<String> = std::fs::read_to_string(case.join("secrets"))
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    for secret in &secrets {
        for (file, text) in &outputs {
            if text.contains(secret.as_str()) {
                failures.push(format!("{name}/{file} shows the secret {secret:?}"));
            }
        }
    }

    // A saved plan shows as the plan did.
    if !errored {
        let saved = peerform(dir, &args(&["--out", "plan.out"]));
        if saved.code != 0 {
            failures.push(format!("{name}: plan --out failed: {}", saved.stderr));
            return failures;
        }
        let bytes = std::fs::read(dir.join("plan.out")).unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes);
        if !text.starts_with("{\"format\":\"peerform-plan\"")
            && !text.contains("\"format\":\"peerform-plan\"")
        {
            failures.push(format!("{name}: plan.out is not a peerform plan file"));
        }
        for secret in &secrets {
            if text.contains(secret.as_str()) {
                failures.push(format!("{name}: plan.out holds the secret {secret:?}"));
            }
        }
        for (format, first) in [("", &human), ("--json", &json), ("--markdown", &markdown)] {
            let mut show: Vec<String> = vec!["show".into()];
            if !format.is_empty() {
                show.push(format.into());
            }
            show.push("plan.out".into());
            let shown = peerform(dir, &show);
            // `plan` prints warnings on standard error; `show` prints only the plan.
            if shown.code != 0 || shown.stdout != first.stdout {
                failures.push(format!(
                    "{name}: show {format} plan.out differs from plan {format} (exit {}): {}",
                    shown.code, shown.stderr
                ));
            }
        }
    }
    failures
}

fn cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("main.tf").exists())
        .collect();
    cases.sort();
    cases
}

#[test]
fn golden_cases() {
    let cases = cases();
    assert!(cases.len() >= 30, "only {} golden cases", cases.len());
    let failures: Vec<String> = std::thread::scope(|scope| {
        let chunks: Vec<Vec<PathBuf>> = (0..2)
            .map(|i| cases.iter().skip(i).step_by(2).cloned().collect())
            .collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                scope.spawn(move || chunk.iter().flat_map(|c| check_case(c)).collect::<Vec<_>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The Python virtual environments of the plan JSON consumers, installed when missing.
fn venvs() -> PathBuf {
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("venvs");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/plan_consumers.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg(&root)
        .status()
        .expect("run tests/python/plan_consumers.sh");
    assert!(status.success(), "installing the Python consumers failed");
    root
}

fn golden(case: &str) -> PathBuf {
    root().join(case).join("plan.json")
}

/// checkov's `terraform_plan` framework reads our plan JSON without a parsing error, finds every
/// planned resource (root and child modules), and runs its Azure checks over it.
#[test]
fn checkov_reads_the_plan_json() {
    let venvs = venvs();
    let python = venvs.join("checkov/bin/python");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/checkov_parse.py");
    let plans = [
        "create_from_empty",
        "replace_peering_location",
        "module_instance_update",
        "sensitive_changed",
        "removed_site_reverse_order",
        "data_source_read",
    ];
    let output = Command::new(&python)
        .arg(&script)
        .args(plans.iter().map(|c| golden(c)))
        .output()
        .expect("run checkov's parser");
    assert!(
        output.status.success(),
        "checkov's parser: {}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    // The whole CLI too: it parses, counts every resource and runs its checks.
    let output = Command::new(venvs.join("checkov/bin/checkov"))
        .args([
            "--framework",
            "terraform_plan",
            "-o",
            "json",
            "--skip-download",
            "-f",
        ])
        .arg(golden("create_from_empty"))
        .env("BC_SKIP_MAPPING", "TRUE")
        .output()
        .expect("run checkov");
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| {
        panic!(
            "checkov printed no JSON report ({e}): {}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let summary = &report["summary"];
    assert_eq!(summary["parsing_errors"], 0, "{report}");
    assert_eq!(summary["resource_count"], 8, "{summary}");
}

/// A terraform-compliance feature about ExpressRoute circuits runs against our plan JSON and
/// passes.
#[test]
fn terraform_compliance_passes_on_the_plan_json() {
    let venvs = venvs();
    let features = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/features");
    for case in [
        "create_from_empty",
        "replace_peering_location",
        "update_standard_to_premium",
    ] {
        let output = Command::new(venvs.join("compliance/bin/terraform-compliance"))
            .arg("--no-ansi")
            .arg("-f")
            .arg(&features)
            .arg("-p")
            .arg(golden(case))
            .output()
            .expect("run terraform-compliance");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success() && stdout.contains("6 scenarios (6 passed)"),
            "terraform-compliance on {case}:\n{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

/// A working folder holding a golden case's configuration and prior state.
fn workdir(case: &str) -> tempfile::TempDir {
    let work = tempfile::tempdir().unwrap();
    let dir = root().join(case);
    copy_dir(&dir, work.path());
    if let Ok(state) = std::fs::read(dir.join("state.json")) {
        std::fs::write(work.path().join("peerform.tfstate"), state).unwrap();
    }
    work
}

fn run(dir: &Path, args: &[&str]) -> Run {
    peerform(dir, &args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
}

/// `--detailed-exitcode`: 0 with no changes, 2 with changes, 1 on error; without the flag, 0.
#[test]
fn detailed_exitcode_follows_terraform() {
    for (case, code) in [
        ("no_changes", 0),
        ("update_tags", 2),
        ("moved_rename", 2),
        ("output_only", 2),
        ("prevent_destroy_violation", 1),
    ] {
        let work = workdir(case);
        let with = run(
            work.path(),
            &["plan", "--refresh=false", "--detailed-exitcode"],
        );
        assert_eq!(with.code, code, "{case}: {}", with.stderr);
        let without = run(work.path(), &["plan", "--refresh=false"]);
        assert_eq!(without.code, if code == 1 { 1 } else { 0 }, "{case}");
    }
}

/// `show` refuses what is not a plan file of a version it knows, saying what to do.
#[test]
fn show_refuses_other_formats_and_newer_versions() {
    let work = workdir("update_tags");
    let dir = work.path();
    let cases: [(&str, &str, &str); 5] = [
        ("garbage.out", "not a plan", "not a JSON document"),
        (
            "state.out",
            r#"{"format":"peerform-state","version":1}"#,
            "state file",
        ),
        (
            "other.out",
            r#"{"format":"terraform-plan","version":1}"#,
            "its format is",
        ),
        (
            "newer.out",
            r#"{"format":"peerform-plan","version":7,"peerform_version":"9.9.9"}"#,
            "newer than the version 1",
        ),
        (
            "damaged.out",
            r#"{"format":"peerform-plan","version":1,"steps":3}"#,
            "damaged",
        ),
    ];
    for (file, text, expected) in cases {
        std::fs::write(dir.join(file), text).unwrap();
        for format in [None, Some("--json"), Some("--markdown")] {
            let mut args = vec!["show"];
            args.extend(format);
            args.push(file);
            let shown = run(dir, &args);
            assert_eq!(shown.code, 1, "{file}: {}", shown.stdout);
            assert!(shown.stdout.is_empty(), "{file}: printed {}", shown.stdout);
            assert!(shown.stderr.contains(expected), "{file}: {}", shown.stderr);
        }
    }
    // A saved plan whose indexes were tampered with is refused too, never a panic.
    let saved = run(dir, &["plan", "--refresh=false", "--out", "plan.out"]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    let text = std::fs::read_to_string(dir.join("plan.out")).unwrap();
    let tampered = text.replacen("\"change\":0", "\"change\":99", 1);
    assert_ne!(text, tampered);
    std::fs::write(dir.join("tampered.out"), tampered).unwrap();
    let shown = run(dir, &["show", "tampered.out"]);
    assert_eq!(shown.code, 1);
    assert!(shown.stderr.contains("names no change"), "{}", shown.stderr);
}

/// The saved plan records what apply must check, and nothing secret.
#[test]
fn plan_file_records_lineage_serial_digests_and_version() {
    let work = workdir("sensitive_changed");
    let dir = work.path();
    let saved = run(dir, &["plan", "--refresh=false", "--out", "plan.out"]);
    assert_eq!(saved.code, 0, "{}", saved.stderr);
    assert!(saved.stdout.contains("Saved the plan to: plan.out"));
    let text = std::fs::read_to_string(dir.join("plan.out")).unwrap();
    let file: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(file["format"], "peerform-plan");
    assert_eq!(file["version"], 1);
    assert_eq!(file["peerform_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(
        file["prior_state"]["lineage"],
        "5e1f0c2a-0000-4000-8000-00000000a11e"
    );
    assert!(file["prior_state"]["serial"].as_u64().unwrap() > 0);
    assert!(
        file["config_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    assert!(
        file["variables_digest"]
            .as_str()
            .unwrap()
            .starts_with("sha256:")
    );
    let digest = file["variables"]["shared_key"]["secret_digest"]
        .as_str()
        .unwrap();
    assert!(digest.starts_with("argon2id:"), "{digest}");
    assert!(!text.contains("n3wS3cr3tK3y") && !text.contains("0ldS3cr3tK3y"));
    // Another configuration gives another digest; the same one the same.
    let again = run(dir, &["plan", "--refresh=false", "--out", "again.out"]);
    assert_eq!(again.code, 0);
    assert_eq!(
        std::fs::read_to_string(dir.join("again.out")).unwrap(),
        text
    );
    let main = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    std::fs::write(dir.join("main.tf"), format!("{main}\n# a comment\n")).unwrap();
    let changed = run(dir, &["plan", "--refresh=false", "--out", "changed.out"]);
    assert_eq!(changed.code, 0);
    let changed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("changed.out")).unwrap()).unwrap();
    assert_ne!(changed["config_digest"], file["config_digest"]);
    assert_eq!(changed["variables_digest"], file["variables_digest"]);
}

/// `show` with no file shows the state; `--json` as Terraform's values representation.
#[test]
fn show_without_a_file_shows_the_state() {
    let work = workdir("sensitive_changed");
    let dir = work.path();
    let shown = run(dir, &["show"]);
    assert_eq!(shown.code, 0, "{}", shown.stderr);
    assert!(
        shown
            .stdout
            .contains("# azurerm_express_route_circuit_peering.private:")
    );
    assert!(shown.stdout.contains("shared_key"));
    assert!(shown.stdout.contains("(sensitive value)"));
    assert!(!shown.stdout.contains("0ldS3cr3tK3y"));
    let json = run(dir, &["show", "--json"]);
    assert_eq!(json.code, 0);
    let document: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let resources = document["values"]["root_module"]["resources"]
        .as_array()
        .unwrap();
    assert_eq!(resources.len(), 3);
    let peering = resources
        .iter()
        .find(|r| r["type"] == "azurerm_express_route_circuit_peering")
        .unwrap();
    assert_eq!(peering["sensitive_values"]["shared_key"], true);
    assert!(peering["values"].get("shared_key").is_none());
    let empty = tempfile::tempdir().unwrap();
    let none = run(empty.path(), &["show"]);
    assert_eq!(none.code, 0);
    assert_eq!(none.stdout, "No state.\n");
}

/// `graph`: the configuration's instances and edges, or a saved plan's steps, as DOT or Mermaid.
#[test]
fn graph_draws_instances_or_steps() {
    let work = workdir("create_from_empty");
    let dir = work.path();
    let dot = run(dir, &["graph"]);
    assert_eq!(dot.code, 0, "{}", dot.stderr);
    assert!(dot.stdout.starts_with("digraph peerform {"));
    assert!(
        dot.stdout
            .contains("\"azurerm_subnet.gateway\" -> \"azurerm_virtual_network.hub\";")
    );
    let mermaid = run(dir, &["graph", "--format", "mermaid"]);
    assert!(mermaid.stdout.starts_with("flowchart BT\n"));
    assert_eq!(
        mermaid.stdout.matches("[\"").count(),
        8,
        "one node per instance: {}",
        mermaid.stdout
    );
    assert_eq!(
        run(dir, &["plan", "--refresh=false", "--out", "p.out"]).code,
        0
    );
    let steps = run(dir, &["graph", "--format", "mermaid", "--plan", "p.out"]);
    assert_eq!(steps.code, 0, "{}", steps.stderr);
    assert!(
        steps
            .stdout
            .contains("s4[\"4. wait until azurerm_express_route_circuit.primary is Provisioned\"]"),
        "{}",
        steps.stdout
    );
    assert!(steps.stdout.contains("s4 --> s7"), "{}", steps.stdout);
    let dot_steps = run(dir, &["graph", "--plan", "p.out"]);
    assert!(dot_steps.stdout.contains("\"7. create azurerm_express_route_circuit_peering.private\" -> \"4. wait for provider azurerm_express_route_circuit.primary\";"), "{}", dot_steps.stdout);
}

/// A module's configuration, module call and child-module values appear where Terraform puts them.
#[test]
fn json_nests_child_modules() {
    let text = std::fs::read_to_string(golden("module_instance_update")).unwrap();
    let document: serde_json::Value = serde_json::from_str(&text).unwrap();
    let children = document["planned_values"]["root_module"]["child_modules"]
        .as_array()
        .unwrap();
    let addresses: Vec<&str> = children
        .iter()
        .map(|c| c["address"].as_str().unwrap())
        .collect();
    assert_eq!(addresses, ["module.site[\"ams\"]", "module.site[\"lon\"]"]);
    let call = &document["configuration"]["root_module"]["module_calls"]["site"];
    assert_eq!(call["source"], "./modules/site");
    assert_eq!(call["for_each_expression"]["references"][0], "var.sites");
    let resources = call["module"]["resources"].as_array().unwrap();
    assert!(
        resources
            .iter()
            .any(|r| r["address"] == "azurerm_express_route_circuit.this")
    );
    let changed: Vec<&serde_json::Value> = document["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["change"]["actions"][0] != "no-op")
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["module_address"], "module.site[\"ams\"]");
    assert_eq!(
        changed[0]["provider_name"],
        "registry.terraform.io/hashicorp/azurerm"
    );
}
