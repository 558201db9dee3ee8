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

fn peerform(dir: &Path, args: &[String]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_peerform"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("NO_COLOR", "1")
        .output()
        .expect("run peerform");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
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
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/install.sh");
    let status = Command::new("bash")
        .arg(&script)
        .arg(&root)
        .status()
        .expect("run tests/python/install.sh");
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
