//! `validate` end to end: the fixture corpus under testdata/config and bad-input robustness.
//!
//! Every folder under `testdata/config/valid/` must validate with no error, and with exactly the
//! warnings its `# WARNING: <summary>` comments announce. Every folder under
//! `testdata/config/invalid/` must fail with exactly the errors its `# ERROR: <summary>` comments
//! announce, matched by (file, line, summary): a marker names the line where the diagnostic's range
//! starts. Robustness inputs (garbage, huge files, deep nesting) are generated in temporary folders,
//! never committed. This file runs the built binary as a user would; it must not call library code.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Longest a single `peerform validate` may take before the test calls it hung.
const RUN_LIMIT: Duration = Duration::from_secs(120);

/// Fewest cases each corpus must hold, so a lost folder cannot make the suite pass vacuously.
const MIN_VALID_CASES: usize = 20;
const MIN_INVALID_CASES: usize = 100;

// ---------------------------------------------------------------------------------------------
// Running the binary.

/// What one run of the binary produced.
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    timed_out: bool,
}

impl Run {
    /// A panic, or a stack overflow (which aborts without a panic message of its own).
    fn panicked(&self) -> bool {
        let text = |s: &str| s.contains("panicked") || s.contains("overflowed its stack");
        text(&self.stderr) || text(&self.stdout) || (self.code.is_none() && !self.timed_out)
    }

    fn json(&self) -> Result<serde_json::Value, String> {
        serde_json::from_str(&self.stdout).map_err(|e| format!("stdout is not JSON ({e})"))
    }

    /// A few lines about how the run ended, for failure messages.
    fn describe(&self) -> String {
        let cut = |s: &str| s.chars().take(2000).collect::<String>();
        format!(
            "exit code {:?}{}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code,
            if self.timed_out {
                " (killed: timed out)"
            } else {
                ""
            },
            cut(&self.stdout),
            cut(&self.stderr)
        )
    }
}

use super::support::binary;

/// Run `peerform validate [--json] --chdir DIR`, killing it if it runs past [`RUN_LIMIT`].
fn validate(dir: &Path, json: bool) -> Run {
    let mut command = Command::new(binary());
    command.arg("validate");
    if json {
        command.arg("--json");
    }
    command
        .arg("--chdir")
        .arg(dir)
        .env("NO_COLOR", "1")
        .env_remove("PEERFORM_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // TF_VAR_* from the developer's shell must not leak into fixtures.
    for (key, _) in std::env::vars() {
        if key.starts_with("TF_VAR_") {
            command.env_remove(key);
        }
    }
    let mut child = command.spawn().expect("spawn the peerform binary");
    let pid = child.id();
    let mut stdout = child.stdout.take().expect("stdout is piped");
    let mut stderr = child.stderr.take().expect("stderr is piped");
    let out_reader = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = stdout.read_to_end(&mut buffer);
        buffer
    });
    let err_reader = std::thread::spawn(move || {
        let mut buffer = Vec::new();
        let _ = stderr.read_to_end(&mut buffer);
        buffer
    });
    let (sender, receiver) = mpsc::channel();
    let waiter = std::thread::spawn(move || {
        let _ = sender.send(child.wait());
    });
    let (status, timed_out) = match receiver.recv_timeout(RUN_LIMIT) {
        Ok(status) => (status.ok(), false),
        Err(_) => {
            // Hung: kill exactly the child we started, then collect what it printed.
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            (receiver.recv().ok().and_then(Result::ok), true)
        }
    };
    let _ = waiter.join();
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    Run {
        code: status.and_then(|s| s.code()),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
        timed_out,
    }
}

/// Map `f` over `items` on a few threads, keeping order (cases are independent processes).
fn parallel<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get() * 2)
        .unwrap_or(2)
        .clamp(1, 8)
        .min(items.len().max(1));
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: Vec<std::sync::Mutex<Option<R>>> =
        items.iter().map(|_| std::sync::Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let result = f(item);
                    *results[i].lock().expect("result slot") = Some(result);
                }
            });
        }
    });
    results
        .into_iter()
        .map(|slot| {
            slot.into_inner()
                .expect("result slot")
                .expect("every case ran")
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The fixture corpus.

fn corpus(kind: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata/config")
        .join(kind)
}

/// The case folders of a corpus, sorted.
fn cases(kind: &str) -> Vec<PathBuf> {
    let root = corpus(kind);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("read {}: {e}", root.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.is_dir())
        .collect();
    cases.sort();
    cases
}

/// One expected or reported diagnostic: file (relative to the case, `/`-separated), line, summary.
type Key = (String, usize, String);

/// Every `.tf` and `.tfvars` file under `dir`, relative paths with `/`.
fn config_files(dir: &Path) -> Vec<(String, PathBuf)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else if name.ends_with(".tf") || name.ends_with(".tfvars") {
                let relative = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                out.push((relative, path));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// `# ERROR: <summary>` (or `# WARNING: <summary>`) markers of a case; several on one line allowed.
fn markers(dir: &Path, tag: &str) -> BTreeSet<Key> {
    let needle = format!("# {tag}:");
    let mut found = BTreeSet::new();
    for (relative, path) in config_files(dir) {
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("fixture {} must be UTF-8: {e}", path.display()));
        for (index, line) in text.lines().enumerate() {
            for summary in line.split(needle.as_str()).skip(1) {
                // A following marker of the other kind ends this one.
                let summary = summary.split(" # ").next().unwrap_or(summary).trim();
                found.insert((relative.clone(), index + 1, summary.to_string()));
            }
        }
    }
    found
}

/// The diagnostics of a `validate --json` document with the given severity, plus details by key.
fn reported(doc: &serde_json::Value, severity: &str) -> Vec<(Key, String)> {
    let mut out = Vec::new();
    let Some(list) = doc["diagnostics"].as_array() else {
        return out;
    };
    for d in list.iter().filter(|d| d["severity"] == severity) {
        let summary = d["summary"].as_str().unwrap_or("").to_string();
        let detail = d["detail"].as_str().unwrap_or("").to_string();
        let (file, line) = match d.get("range") {
            Some(range) if range.is_object() => (
                range["filename"].as_str().unwrap_or("").replace('\\', "/"),
                range["start"]["line"].as_u64().unwrap_or(0) as usize,
            ),
            _ => ("(no range)".to_string(), 0),
        };
        out.push(((file, line, summary), detail));
    }
    out
}

/// Compare announced with reported diagnostics; the difference, readable, or `None` when equal.
fn diff(tag: &str, expected: &BTreeSet<Key>, reported: &[(Key, String)]) -> Option<String> {
    let got: BTreeSet<Key> = reported.iter().map(|(k, _)| k.clone()).collect();
    if &got == expected {
        return None;
    }
    let mut out = String::new();
    for (file, line, summary) in expected.difference(&got) {
        let _ = writeln!(out, "  missing  {file}:{line}: {tag}: {summary}");
    }
    for key in got.difference(expected) {
        let (file, line, summary) = key;
        let detail = reported
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, d)| d.lines().next().unwrap_or("").to_string())
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "  extra    {file}:{line}: {tag}: {summary}\n             ({detail})"
        );
    }
    Some(out)
}

/// Check one case; `Err` holds everything wrong with it.
fn check_case(dir: &Path, expect_valid: bool) -> Result<(), String> {
    let name = dir
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let errors = markers(dir, "ERROR");
    let warnings = markers(dir, "WARNING");
    let mut problems = String::new();
    if expect_valid && !errors.is_empty() {
        let _ = writeln!(problems, "  a valid case must not carry # ERROR: markers");
    }
    if !expect_valid && errors.is_empty() {
        let _ = writeln!(
            problems,
            "  an invalid case needs at least one # ERROR: marker"
        );
    }
    let run = validate(dir, true);
    if run.panicked() || run.timed_out {
        return Err(format!(
            "{name}: the binary crashed or hung\n{}",
            run.describe()
        ));
    }
    let doc = match run.json() {
        Ok(doc) => doc,
        Err(e) => return Err(format!("{name}: {e}\n{}", run.describe())),
    };
    let expected_code = if expect_valid { 0 } else { 1 };
    if run.code != Some(expected_code) {
        let _ = writeln!(
            problems,
            "  exit code {:?}, expected {expected_code}",
            run.code
        );
    }
    if doc["valid"].as_bool() != Some(expect_valid) {
        let _ = writeln!(
            problems,
            "  \"valid\" is {}, expected {expect_valid}",
            doc["valid"]
        );
    }
    let reported_errors = reported(&doc, "error");
    if doc["error_count"].as_u64() != Some(reported_errors.len() as u64) {
        let _ = writeln!(
            problems,
            "  error_count {} does not match the {} error diagnostics",
            doc["error_count"],
            reported_errors.len()
        );
    }
    if let Some(d) = diff("ERROR", &errors, &reported_errors) {
        problems.push_str(&d);
    }
    // Warnings are part of a valid case's contract; in an invalid case only the errors are.
    if expect_valid && let Some(d) = diff("WARNING", &warnings, &reported(&doc, "warning")) {
        problems.push_str(&d);
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("{name}:\n{problems}"))
    }
}

fn check_corpus(kind: &str, expect_valid: bool, minimum: usize) {
    let cases = cases(kind);
    assert!(
        cases.len() >= minimum,
        "testdata/config/{kind} holds {} cases, expected at least {minimum}",
        cases.len()
    );
    let results = parallel(&cases, |dir| check_case(dir, expect_valid));
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(
        failures.is_empty(),
        "{} of {} {kind} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn valid_configurations_validate_cleanly() {
    check_corpus("valid", true, MIN_VALID_CASES);
}

#[test]
fn invalid_configurations_report_exactly_their_markers() {
    check_corpus("invalid", false, MIN_INVALID_CASES);
}

#[test]
fn human_output_of_invalid_cases_names_file_and_line() {
    // The human renderer sees the same diagnostics; each announced error must appear as
    // `Error: <summary>` with `on <file>:<line>` so a user can find it.
    let cases = cases("invalid");
    let results = parallel(&cases, |dir| {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let run = validate(dir, false);
        if run.panicked() || run.timed_out || run.code != Some(1) {
            return Err(format!("{name}: {}", run.describe()));
        }
        let mut missing = String::new();
        for (file, line, summary) in markers(dir, "ERROR") {
            let heading = format!("Error: {summary}");
            let location = format!("on {file}:{line}:");
            if !run.stderr.contains(&heading) || !run.stderr.contains(&location) {
                let _ = writeln!(missing, "  no `{heading}` at `{location}`");
            }
        }
        if missing.is_empty() {
            Ok(())
        } else {
            Err(format!("{name}:\n{missing}"))
        }
    });
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Details that must help the user: (case, summary, text the detail must contain).
const DETAILS: &[(&str, &str, &str)] = &[
    (
        "unknown-argument",
        "Unsupported argument",
        "Did you mean \"allow_classic_operations\"?",
    ),
    (
        "unknown-top-level-block",
        "Unsupported block type",
        "Did you mean \"resource\"?",
    ),
    (
        "unknown-resource-type",
        "Invalid resource type",
        "Did you mean \"azurerm_express_route_circuit\"?",
    ),
    (
        "unknown-data-source",
        "Invalid data source",
        "Did you mean \"azurerm_express_route_circuit\"?",
    ),
    (
        "unknown-nested-block",
        "Unsupported block type",
        "Did you mean \"microsoft_peering_config\"?",
    ),
    (
        "lifecycle-unknown-argument",
        "Unsupported argument",
        "Did you mean \"ignore_changes\"?",
    ),
    (
        "module-unknown-argument",
        "Unsupported argument",
        "Did you mean \"bandwidth_in_mbps\"?",
    ),
    (
        "unknown-function",
        "Call to unknown function",
        "Did you mean \"cidrsubnet\"?",
    ),
    (
        "function-error-cidrsubnet",
        "Error in function call",
        "cidrsubnet",
    ),
    (
        "cycle-locals",
        "Cycle: local.circuit_name, local.site",
        "local.circuit_name \u{2192} local.site",
    ),
    (
        "variable-validation-fails",
        "Invalid value for variable",
        "Choose one of the bandwidths Equinix offers",
    ),
    (
        "for-each-unknown-keys",
        "Invalid for_each argument",
        "cannot be determined until apply",
    ),
    ("for-each-list", "Invalid for_each argument", "toset"),
    (
        "count-unknown",
        "Invalid count argument",
        "cannot be determined until apply",
    ),
    (
        "sensitive-output-variable",
        "Output refers to sensitive values",
        "sensitive = true",
    ),
    (
        "duplicate-resource-across-files",
        "Duplicate resource \"azurerm_express_route_circuit\" configuration",
        "circuits.tf",
    ),
    (
        "registry-module-source",
        "Unsupported module source",
        "./modules/",
    ),
];

#[test]
fn details_tell_the_user_what_to_do() {
    let results = parallel(DETAILS, |(case, summary, text)| {
        let run = validate(&corpus("invalid").join(case), true);
        let doc = run
            .json()
            .map_err(|e| format!("{case}: {e}\n{}", run.describe()))?;
        let details: Vec<String> = reported(&doc, "error")
            .into_iter()
            .filter(|((_, _, s), _)| s == summary)
            .map(|(_, detail)| detail)
            .collect();
        if details.iter().any(|d| d.contains(text)) {
            Ok(())
        } else {
            Err(format!(
                "{case}: no \"{summary}\" detail mentions {text:?}; details: {details:?}"
            ))
        }
    });
    let failures: Vec<String> = results.into_iter().filter_map(Result::err).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Robustness: bad input gets a diagnostic, never a panic, a hang or a stack overflow.

/// A temporary case folder holding the given files.
fn scratch(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("create a temporary folder");
    for (name, bytes) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(&path, bytes).expect("write input");
    }
    dir
}

/// Validate `dir` in both output modes: exit code 1, at least one error diagnostic (whose summary
/// contains `summary_part` when given), no panic, no hang. Returns the JSON document.
fn assert_diagnosed(dir: &Path, what: &str, summary_part: Option<&str>) -> serde_json::Value {
    let run = validate(dir, true);
    assert!(!run.timed_out, "{what}: validate hung\n{}", run.describe());
    assert!(
        !run.panicked(),
        "{what}: validate panicked\n{}",
        run.describe()
    );
    assert_eq!(
        run.code,
        Some(1),
        "{what}: expected exit code 1\n{}",
        run.describe()
    );
    let doc = run
        .json()
        .unwrap_or_else(|e| panic!("{what}: {e}\n{}", run.describe()));
    let errors = reported(&doc, "error");
    assert!(
        !errors.is_empty(),
        "{what}: no error diagnostic\n{}",
        run.describe()
    );
    if let Some(part) = summary_part {
        assert!(
            errors
                .iter()
                .any(|((_, _, summary), detail)| summary.contains(part) || detail.contains(part)),
            "{what}: no diagnostic mentions {part:?}\n{}",
            run.describe()
        );
    }
    let human = validate(dir, false);
    assert!(
        !human.timed_out,
        "{what}: human validate hung\n{}",
        human.describe()
    );
    assert!(
        !human.panicked(),
        "{what}: human validate panicked\n{}",
        human.describe()
    );
    assert_eq!(
        human.code,
        Some(1),
        "{what}: human mode exit code\n{}",
        human.describe()
    );
    assert!(
        human.stderr.contains("Error: "),
        "{what}: human output shows no error\n{}",
        human.describe()
    );
    doc
}

/// Deterministic pseudo-random bytes (xorshift64*), so a failure can be reproduced.
fn pseudo_random(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8
        })
        .collect()
}

#[test]
fn binary_garbage_is_a_diagnostic() {
    for seed in 1..=6u64 {
        let mut bytes = pseudo_random(seed, 4096 * seed as usize);
        bytes[0] = 0;
        bytes[1] = 0xff;
        let dir = scratch(&[("main.tf", &bytes)]);
        assert_diagnosed(dir.path(), &format!("random bytes, seed {seed}"), None);
    }
}

#[test]
fn text_garbage_with_nul_bytes_reaches_the_parser_and_is_a_diagnostic() {
    // Valid UTF-8, so the parser itself sees it: HCL punctuation, NULs and control characters.
    const ALPHABET: &[u8] = b"{}[]()\"'=$%#/*\\<>!?:.,+-~ \t\n\0\x01\x7fabcXYZ019_";
    for seed in 1..=12u64 {
        let raw = pseudo_random(seed + 100, 2000 + 500 * seed as usize);
        let mut text: Vec<u8> = raw
            .iter()
            .map(|b| ALPHABET[*b as usize % ALPHABET.len()])
            .collect();
        // A NUL outside any string or comment: never valid HCL.
        text[0] = 0;
        let dir = scratch(&[("main.tf", &text)]);
        assert_diagnosed(
            dir.path(),
            &format!("text garbage, seed {seed}"),
            Some("Invalid HCL syntax"),
        );
    }
}

#[test]
fn invalid_utf8_is_a_diagnostic() {
    // A Latin-1 "ü" in an otherwise valid configuration.
    let mut main =
        b"resource \"azurerm_resource_group\" \"muc\" {\n  name     = \"rg-er-m".to_vec();
    main.push(0xfc);
    main.extend_from_slice(b"nchen\"\n  location = \"germanywestcentral\"\n}\n");
    let dir = scratch(&[("main.tf", &main)]);
    assert_diagnosed(
        dir.path(),
        "invalid UTF-8 in main.tf",
        Some("Invalid character encoding"),
    );

    // The same in a variables file and in a called module.
    let config = b"variable \"site\" {\n  type = string\n}\n\nmodule \"site\" {\n  source = \"./modules/site\"\n}\n";
    let mut tfvars = b"site = \"m".to_vec();
    tfvars.extend_from_slice(&[0xfc, b'n', b'c', b'h', b'e', b'n', b'"', b'\n']);
    let dir = scratch(&[
        ("main.tf", config),
        ("terraform.tfvars", &tfvars),
        ("modules/site/main.tf", &main),
    ]);
    assert_diagnosed(
        dir.path(),
        "invalid UTF-8 in tfvars and module",
        Some("Invalid character encoding"),
    );

    // UTF-16 with a byte-order mark, as some Windows editors save.
    let utf16: Vec<u8> = [0xff, 0xfe]
        .into_iter()
        .chain(
            "locals {\n  asn = 65010\n}\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let dir = scratch(&[("main.tf", &utf16)]);
    assert_diagnosed(
        dir.path(),
        "UTF-16 main.tf",
        Some("Invalid character encoding"),
    );
}

#[test]
fn empty_directory_is_a_diagnostic() {
    let dir = scratch(&[]);
    assert_diagnosed(
        dir.path(),
        "empty directory",
        Some("No configuration files"),
    );

    // Only non-configuration files: still nothing to validate.
    let dir = scratch(&[
        ("README.md", b"# ExpressRoute\n"),
        ("main.tf.bak", b"locals {}\n"),
    ]);
    assert_diagnosed(
        dir.path(),
        "directory without .tf files",
        Some("No configuration files"),
    );
}

#[test]
fn empty_and_comment_only_files_are_valid() {
    let dir = scratch(&[
        ("main.tf", b""),
        ("notes.tf", b"# ExpressRoute estate: nothing yet\n"),
    ]);
    let run = validate(dir.path(), true);
    assert!(!run.panicked(), "{}", run.describe());
    assert_eq!(run.code, Some(0), "{}", run.describe());
}

#[test]
fn fifty_megabyte_file_is_refused_with_a_diagnostic() {
    let dir = tempfile::tempdir().expect("temporary folder");
    let path = dir.path().join("main.tf");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&path).expect("create main.tf"));
    let block = "resource \"azurerm_express_route_circuit_authorization\" \"auth_NNNNNNN\" {\n  name                       = \"auth-NNNNNNN\"\n  express_route_circuit_name = \"er-ams-primary\"\n  resource_group_name        = \"rg-er-ams\"\n}\n\n";
    let mut written = 0usize;
    let mut n = 0u64;
    while written < 50 * 1024 * 1024 {
        let text = block.replace("NNNNNNN", &format!("{n:07}"));
        file.write_all(text.as_bytes()).expect("write");
        written += text.len();
        n += 1;
    }
    file.flush().expect("flush");
    drop(file);
    let doc = assert_diagnosed(
        dir.path(),
        "50 MB main.tf",
        Some("Configuration file too large"),
    );
    assert_eq!(doc["error_count"], 1, "only the size is reported: {doc}");

    // One huge comment is refused the same way, as is a huge variables file.
    let dir = tempfile::tempdir().expect("temporary folder");
    let mut file = std::io::BufWriter::new(
        std::fs::File::create(dir.path().join("main.tf")).expect("create main.tf"),
    );
    file.write_all(b"/* ").expect("write");
    let line = [b'x'; 1023];
    for _ in 0..(50 * 1024) {
        file.write_all(&line).expect("write");
        file.write_all(b"\n").expect("write");
    }
    file.write_all(b" */\n").expect("write");
    drop(file);
    assert_diagnosed(
        dir.path(),
        "50 MB comment",
        Some("Configuration file too large"),
    );
}

/// `depth` nestings of `open`/`close` around `core`, as the value of a local.
fn nested_local(open: &str, core: &str, close: &str, depth: usize) -> String {
    format!(
        "locals {{\n  deep = {}{core}{}\n}}\n",
        open.repeat(depth),
        close.repeat(depth)
    )
}

#[test]
fn expression_nested_ten_thousand_levels_deep_is_refused() {
    const DEPTH: usize = 10_000;
    let inputs = [
        ("parentheses", nested_local("(", "1", ")", DEPTH)),
        ("brackets", nested_local("[", "65010", "]", DEPTH)),
        ("braces", nested_local("{ asn = ", "65010", " }", DEPTH)),
        ("templates", nested_local("\"${", "\"er\"", "}\"", DEPTH)),
        (
            "template directives",
            format!(
                "locals {{\n  deep = \"{}er{}\"\n}}\n",
                "%{ if true }".repeat(DEPTH),
                "%{ endif }".repeat(DEPTH)
            ),
        ),
        ("function calls", nested_local("max(", "1", ")", DEPTH)),
        ("unary operators", nested_local("!", "true", "", DEPTH)),
        ("negation", nested_local("-", "1", "", DEPTH)),
        ("conditionals", nested_local("true ? 1 : ", "0", "", DEPTH)),
        (
            "for expressions",
            nested_local("[for x in ", "[]", " : x]", DEPTH),
        ),
        (
            "blocks",
            format!(
                "resource \"azurerm_virtual_network_gateway\" \"ergw\" {{\n{}{}}}\n",
                "ip_configuration {\n".repeat(DEPTH),
                "}\n".repeat(DEPTH)
            ),
        ),
    ];
    for (what, text) in inputs {
        let dir = scratch(&[("main.tf", text.as_bytes())]);
        let doc = assert_diagnosed(dir.path(), what, Some("nested"));
        let mentions_limit = doc["diagnostics"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|d| d["detail"].as_str().is_some_and(|t| t.contains("64")));
        assert!(
            mentions_limit,
            "{what}: the detail should state the depth limit: {doc}"
        );
    }

    // The same depth in a variables file and in a --var value.
    let dir = scratch(&[
        ("main.tf", b"variable \"sites\" {\n  type = any\n}\n"),
        (
            "terraform.tfvars",
            format!("sites = {}1{}\n", "[".repeat(DEPTH), "]".repeat(DEPTH)).as_bytes(),
        ),
    ]);
    assert_diagnosed(dir.path(), "nested tfvars value", Some("nested"));
}

#[test]
fn long_operator_chain_is_refused() {
    let text = format!(
        "locals {{\n  total = {}\n}}\n",
        vec!["1"; 10_000].join(" + ")
    );
    let dir = scratch(&[("main.tf", text.as_bytes())]);
    assert_diagnosed(dir.path(), "10,000 chained additions", Some("binary"));
}

#[test]
fn very_long_line_is_a_located_diagnostic() {
    // A 4 MB line with an unterminated string: one diagnostic, rendered without echoing 4 MB.
    let text = format!(
        "locals {{\n  description = \"{}\n}}\n",
        "ExpressRoute ".repeat(4 * 1024 * 1024 / 13)
    );
    let dir = scratch(&[("main.tf", text.as_bytes())]);
    assert_diagnosed(
        dir.path(),
        "4 MB unterminated string",
        Some("Invalid HCL syntax"),
    );
    let human = validate(dir.path(), false);
    assert!(
        human.stderr.len() < 64 * 1024,
        "the human output echoes the whole line ({} bytes)",
        human.stderr.len()
    );

    // A long but valid line followed by a mistake on the next line: the mistake keeps its line.
    let text = format!(
        "locals {{\n  communities = [{}]\n}}\n\nresource \"azurerm_route_filter\" \"ms\" {{\n  name = \"rf-er-ams\"\n  locaton = \"westeurope\"\n}}\n",
        vec!["\"12076:5010\""; 100_000].join(", ")
    );
    let dir = scratch(&[("main.tf", text.as_bytes())]);
    let doc = assert_diagnosed(
        dir.path(),
        "long list literal",
        Some("Unsupported argument"),
    );
    let line = reported(&doc, "error")
        .into_iter()
        .find(|((_, _, summary), _)| summary == "Unsupported argument")
        .map(|((_, line, _), _)| line);
    assert_eq!(line, Some(7), "the misspelt argument is on line 7: {doc}");
}

#[test]
fn long_traversal_chain_is_a_diagnostic() {
    // 10,000 attribute and index steps are not nesting, but evaluating them must not recurse
    // without bound either; the root is undeclared, so this is an error.
    let attrs = format!(
        "locals {{\n  deep = var.site{}\n}}\n",
        ".peering".repeat(10_000)
    );
    let dir = scratch(&[("main.tf", attrs.as_bytes())]);
    assert_diagnosed(dir.path(), "10,000 attribute steps", Some("undeclared"));
    let index = format!(
        "locals {{\n  deep = var.sites{}\n}}\n",
        "[0]".repeat(10_000)
    );
    let dir = scratch(&[("main.tf", index.as_bytes())]);
    assert_diagnosed(dir.path(), "10,000 index steps", Some("undeclared"));
}

#[test]
fn many_small_problems_are_all_reported_without_blowing_up() {
    // 5,000 misspelt arguments in one file: every one is reported, in one run.
    let mut text = String::new();
    for n in 0..5_000 {
        let _ = write!(
            text,
            "resource \"azurerm_express_route_circuit_authorization\" \"a{n}\" {{\n  name = \"auth-{n}\"\n  express_route_circuit_name = \"er-ams-primary\"\n  resource_group_nam = \"rg-er-ams\"\n}}\n"
        );
    }
    let dir = scratch(&[("main.tf", text.as_bytes())]);
    let doc = assert_diagnosed(
        dir.path(),
        "5,000 misspelt arguments",
        Some("Unsupported argument"),
    );
    let unsupported = reported(&doc, "error")
        .into_iter()
        .filter(|((_, _, summary), _)| summary == "Unsupported argument")
        .count();
    assert_eq!(unsupported, 5_000, "every misspelling is reported once");
}
