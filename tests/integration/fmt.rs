//! `fmt` end to end, and the command-line comforts that came with it (issue 8): the corpus under
//! `testdata/fmt/` (each `input.tf` must format to its `expected.tf`, which Terraform produced), a
//! live comparison with `terraform fmt` on every valid configuration file in the repository when
//! Terraform is installed, the flags and exit codes Terraform users expect, malformed input left
//! untouched, `version`, `completions`, single-dash spellings, and a debug log without secrets. It
//! runs the built binary as a user would.

use crate::support::{Output, repo, run_in, scratch};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Fewest corpus pairs, so a lost folder cannot make the suite pass vacuously.
const MIN_CORPUS_PAIRS: usize = 40;

fn corpus_cases() -> Vec<PathBuf> {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(repo().join("testdata/fmt"))
        .expect("read testdata/fmt")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("input.tf").is_file() && p.join("expected.tf").is_file())
        .collect();
    cases.sort();
    cases
}

fn run(dir: &Path, args: &[&str]) -> Output {
    run_in(dir, args, b"", &[])
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A scratch tree with every corpus case's `name` file at `<case>/x.tf`.
fn corpus_tree(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("scratch folder");
    for case in corpus_cases() {
        let target = dir.path().join(case.file_name().expect("case name"));
        std::fs::create_dir_all(&target).expect("case folder");
        std::fs::copy(case.join(name), target.join("x.tf")).expect("copy a corpus file");
    }
    dir
}

#[test]
fn corpus_has_enough_pairs() {
    let cases = corpus_cases();
    assert!(
        cases.len() >= MIN_CORPUS_PAIRS,
        "testdata/fmt holds {} pairs, expected at least {MIN_CORPUS_PAIRS}",
        cases.len()
    );
}

#[test]
fn every_corpus_input_formats_to_its_expected_output() {
    let tree = corpus_tree("input.tf");
    let out = run(tree.path(), &["fmt", "--recursive"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let mut wrong = Vec::new();
    for case in corpus_cases() {
        let name = case
            .file_name()
            .expect("case name")
            .to_string_lossy()
            .into_owned();
        let got = read(&tree.path().join(&name).join("x.tf"));
        let expected = read(&case.join("expected.tf"));
        if got != expected {
            wrong.push(format!(
                "{name}:\n--- expected ---\n{}\n--- got ---\n{}",
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&got)
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cases differ:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn expected_outputs_are_already_formatted() {
    let tree = corpus_tree("expected.tf");
    let out = run(tree.path(), &["fmt", "--check", "--recursive"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "", "{}", out.describe());
}

#[test]
fn check_lists_what_would_change_and_exits_3_without_writing() {
    let tree = corpus_tree("input.tf");
    let before: Vec<Vec<u8>> = corpus_cases()
        .iter()
        .map(|c| read(&tree.path().join(c.file_name().unwrap()).join("x.tf")))
        .collect();
    let out = run(tree.path(), &["fmt", "-check", "-recursive"]);
    assert_eq!(out.code, Some(3), "{}", out.describe());
    let listed: BTreeSet<&str> = out.stdout.lines().collect();
    for (case, original) in corpus_cases().iter().zip(&before) {
        let name = case.file_name().unwrap().to_string_lossy();
        let path = format!("{name}/x.tf");
        let changes = read(&case.join("input.tf")) != read(&case.join("expected.tf"));
        assert_eq!(
            listed.contains(path.as_str()),
            changes,
            "{path} listing\n{}",
            out.describe()
        );
        assert_eq!(
            &read(&tree.path().join(&path)),
            original,
            "--check wrote {path}"
        );
    }
}

#[test]
fn diff_shows_the_change_and_write_false_keeps_the_file() {
    let input = b"locals {\na=1\n}\n";
    let dir = scratch(&[("main.tf", input)]);
    let out = run(dir.path(), &["fmt", "-diff", "-write=false"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(
        out.stdout
            .starts_with("main.tf\n--- old/main.tf\n+++ new/main.tf\n"),
        "{}",
        out.describe()
    );
    assert!(
        out.stdout.contains("\n-a=1\n+  a = 1\n"),
        "{}",
        out.describe()
    );
    assert_eq!(read(&dir.path().join("main.tf")), input);
}

#[test]
fn standard_input_goes_to_standard_output() {
    let dir = scratch(&[]);
    let out = run_in(dir.path(), &["fmt", "-"], b"a=1\nbb = \"${x}\"\n", &[]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "a  = 1\nbb = x\n");
    // Like Terraform, the printed result always ends with a line break.
    let out = run_in(dir.path(), &["fmt", "-"], b"a = 1", &[]);
    assert_eq!(out.stdout, "a = 1\n");
    let check = run_in(dir.path(), &["fmt", "--check", "-"], b"a  = 1\n", &[]);
    assert_eq!(
        (check.code, check.stdout.as_str()),
        (Some(3), ""),
        "{}",
        check.describe()
    );
}

#[test]
fn list_false_and_write_false_print_the_formatted_files() {
    let dir = scratch(&[
        ("a.tf", b"x=1\n"),
        ("b.tfvars", b"y =2\n"),
        ("c.tf.json", b"{}"),
    ]);
    let out = run(dir.path(), &["fmt", "-list=false", "-write=false"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "x = 1\ny = 2\n");
    assert_eq!(read(&dir.path().join("a.tf")), b"x=1\n");
}

#[test]
fn writes_and_lists_changed_files_relative_to_chdir() {
    let dir = scratch(&[("infra/main.tf", b"a  =  1\n"), ("infra/ok.tf", b"b = 2\n")]);
    let out = run(dir.path(), &["-chdir=infra", "fmt"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stdout, "main.tf\n");
    assert_eq!(read(&dir.path().join("infra/main.tf")), b"a = 1\n");
}

#[test]
fn recursion_skips_hidden_folders_and_needs_the_flag() {
    let dir = scratch(&[
        ("main.tf", b"a=1\n"),
        ("modules/site/main.tf", b"b=2\n"),
        (".terraform/modules/x/main.tf", b"c=3\n"),
    ]);
    let out = run(dir.path(), &["fmt", "--check"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(3), "main.tf\n"),
        "{}",
        out.describe()
    );
    let out = run(dir.path(), &["fmt", "--recursive"]);
    assert_eq!(
        out.stdout,
        "main.tf\nmodules/site/main.tf\n",
        "{}",
        out.describe()
    );
    assert_eq!(
        read(&dir.path().join(".terraform/modules/x/main.tf")),
        b"c=3\n"
    );
}

#[test]
fn malformed_input_gets_a_located_diagnostic_and_is_left_untouched() {
    let broken = b"locals {\n  a = [1,\n}\n";
    let dir = scratch(&[("bad.tf", broken), ("good.tf", b"b=1\n")]);
    let out = run(dir.path(), &["fmt"]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("Error: "), "{}", out.describe());
    assert!(
        out.stderr.contains("on bad.tf:3:"),
        "no location: {}",
        out.describe()
    );
    assert!(
        !out.stderr.contains("\u{1b}["),
        "colour despite NO_COLOR: {}",
        out.describe()
    );
    assert_eq!(read(&dir.path().join("bad.tf")), broken);
    // The other files are still formatted, as Terraform does.
    assert_eq!(read(&dir.path().join("good.tf")), b"b = 1\n");

    let out = run_in(dir.path(), &["fmt", "-no-color", "-"], b"a = \"open\n", &[]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("on <stdin>:1:"), "{}", out.describe());
    assert_eq!(out.stdout, "");
}

#[test]
fn invalid_encoding_and_missing_paths_are_errors() {
    let dir = scratch(&[("latin1.tf", b"a = \"caf\xe9\"\n")]);
    let out = run(dir.path(), &["fmt", "latin1.tf"]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(
        out.stderr.contains("Invalid character encoding"),
        "{}",
        out.describe()
    );
    let out = run(dir.path(), &["fmt", "nowhere"]);
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(
        out.stderr.contains("No file or directory at nowhere"),
        "{}",
        out.describe()
    );
    let out = run(dir.path(), &["fmt", "--write=maybe"]);
    assert_eq!(
        out.code,
        Some(1),
        "a bad flag value is a usage error: {}",
        out.describe()
    );
}

#[test]
fn version_prints_text_and_json() {
    let dir = scratch(&[]);
    let out = run(dir.path(), &["version"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let version = env!("CARGO_PKG_VERSION");
    assert!(
        out.stdout.starts_with(&format!("peerform v{version}\non ")),
        "{}",
        out.describe()
    );
    let out = run(dir.path(), &["version", "-json"]);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("version -json is JSON");
    assert_eq!(doc["peerform_version"], version);
    assert!(
        doc["platform"].as_str().is_some_and(|p| p.contains('_')),
        "{doc}"
    );
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    let dir = scratch(&[]);
    for shell in ["bash", "zsh", "fish"] {
        let out = run(dir.path(), &["completions", shell]);
        assert_eq!(out.code, Some(0), "{shell}: {}", out.describe());
        assert!(out.stdout.contains("peerform"), "{shell}");
        assert!(out.stdout.contains("fmt"), "{shell}: no fmt subcommand");
        assert!(out.stdout.contains("recursive"), "{shell}: no fmt flags");
    }
    let out = run(dir.path(), &["completions", "tcsh"]);
    assert_eq!(out.code, Some(1), "{}", out.describe());
}

#[test]
fn help_shows_an_example_for_each_command() {
    let dir = scratch(&[]);
    for command in [
        "validate",
        "plan",
        "init",
        "state",
        "force-unlock",
        "fmt",
        "version",
        "completions",
    ] {
        let out = run(dir.path(), &[command, "-help"]);
        assert_eq!(out.code, Some(0), "{command}: {}", out.describe());
        assert!(
            out.stdout.contains("Example"),
            "{command} --help has no example:\n{}",
            out.stdout
        );
    }
}

/// Issue 8: an apply (and a plan) with `PEERFORM_LOG=debug` writes a debug log, and none of the
/// configured secrets reach it: the BGP key given with `--var`, with `TF_VAR_`, in a tfvars file,
/// and as the variable's sensitive default. Apply runs against the built-in emulator.
#[test]
fn debug_log_holds_none_of_the_configured_secrets() {
    let config = read(&repo().join("testdata/config/valid/variables/main.tf"));
    let config = String::from_utf8(config).expect("UTF-8 fixture");
    // The fixture's sensitive default is a configured secret too.
    let block = config
        .split("variable \"bgp_md5_key\"")
        .nth(1)
        .expect("the fixture declares bgp_md5_key");
    let default = block
        .lines()
        .find_map(|line| line.trim().strip_prefix("default"))
        .and_then(|rest| rest.split('"').nth(1))
        .expect("bgp_md5_key has a quoted default");
    let secrets = [
        "cliSecret7f3a9c",
        "envSecret5e1b2d",
        "tfvarsSecret9a8b7c",
        default,
    ];
    // Each run: extra arguments, extra environment, a terraform.tfvars to write.
    type SecretRun<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], Option<&'a str>);
    let runs: [SecretRun; 3] = [
        (&["--var", "bgp_md5_key=cliSecret7f3a9c"], &[], None),
        (&[], &[("TF_VAR_bgp_md5_key", "envSecret5e1b2d")], None),
        (&[], &[], Some("bgp_md5_key = \"tfvarsSecret9a8b7c\"\n")),
    ];
    for (i, (extra_args, extra_env, tfvars)) in runs.iter().enumerate() {
        let mut files: Vec<(&str, &[u8])> = vec![("main.tf", config.as_bytes())];
        if let Some(tfvars) = tfvars {
            files.push(("terraform.tfvars", tfvars.as_bytes()));
        }
        let dir = scratch(&files);
        let log = dir.path().join("debug.log");
        let log_path = log.to_string_lossy().into_owned();
        // The first run plans, the others apply.
        let mut args = if i == 0 {
            vec!["-no-color", "plan"]
        } else {
            vec!["-no-color", "apply", "-auto-approve"]
        };
        args.extend_from_slice(extra_args);
        let mut env: Vec<(&str, &str)> =
            vec![("PEERFORM_LOG", "debug"), ("PEERFORM_LOG_PATH", &log_path)];
        env.extend_from_slice(extra_env);
        let out = run_in(dir.path(), &args, b"", &env);
        assert_eq!(out.code, Some(0), "run {i}: {}", out.describe());
        if i > 0 {
            assert!(
                out.stdout.contains("Apply complete!"),
                "run {i}: {}",
                out.describe()
            );
        }
        let text = String::from_utf8(read(&log)).expect("the log is UTF-8");
        assert!(
            text.contains("[DEBUG]"),
            "run {i}: log has no debug lines:\n{text}"
        );
        assert!(
            text.contains("argv:"),
            "run {i}: log lacks the command line:\n{text}"
        );
        for secret in secrets {
            assert!(
                !text.contains(secret),
                "run {i}: log shows secret {secret}:\n{text}"
            );
            assert!(
                !out.stdout.contains(secret),
                "run {i}: plan shows secret {secret}"
            );
        }
    }
}

#[test]
fn debug_log_goes_to_stderr_without_a_path() {
    let dir = scratch(&[("main.tf", b"a = 1\n")]);
    let out = run_in(
        dir.path(),
        &["fmt", "--check"],
        b"",
        &[("PEERFORM_LOG", "DEBUG")],
    );
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(
        out.stderr.contains("[DEBUG] fmt: formatting main.tf"),
        "{}",
        out.describe()
    );
    let quiet = run(dir.path(), &["fmt", "--check"]);
    assert_eq!(quiet.stderr, "", "no log unless asked for");
}

// ---------------------------------------------------------------------------------------------
// Live comparison with Terraform.

fn terraform() -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("terraform"))
        .find(|candidate| candidate.is_file())
}

/// Every valid configuration file in the repository, relative to the repository root: the valid
/// fixtures, examples, modules, and both sides of the fmt corpus. Never the invalid fixtures.
fn valid_configuration_files() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name().to_string_lossy().into_owned();
            if path.is_dir() {
                walk(&path, out);
            } else if name.ends_with(".tf") || name.ends_with(".tfvars") {
                out.push(path);
            }
        }
    }
    let mut files = Vec::new();
    for root in [
        "testdata/config/valid",
        "examples",
        "modules",
        "testdata/fmt",
    ] {
        walk(&repo().join(root), &mut files);
    }
    files.sort();
    files
        .into_iter()
        .filter_map(|p| p.strip_prefix(repo()).ok().map(Path::to_path_buf))
        .collect()
}

/// Run a formatter over a fresh copy of every valid file; return the exit code, the listing and
/// the resulting files.
fn format_copy(
    tool: &mut Command,
    files: &[PathBuf],
    check: bool,
) -> (Option<i32>, String, Vec<Vec<u8>>) {
    let dir = tempfile::tempdir().expect("scratch folder");
    for file in files {
        let target = dir.path().join(file);
        std::fs::create_dir_all(target.parent().expect("parent")).expect("folders");
        std::fs::copy(repo().join(file), &target).expect("copy");
    }
    tool.current_dir(dir.path())
        .arg("fmt")
        .arg("-no-color")
        .arg("-recursive");
    if check {
        tool.arg("-check");
    }
    let out = tool
        .env("CHECKPOINT_DISABLE", "1")
        .env("NO_COLOR", "1")
        .env_remove("PEERFORM_LOG")
        .output()
        .expect("run the formatter");
    let results = files.iter().map(|f| read(&dir.path().join(f))).collect();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        results,
    )
}

#[test]
fn terraform_and_peerform_agree_on_every_valid_file() {
    let Some(terraform) = terraform() else {
        eprintln!(
            "terraform is not on PATH; the live comparison is skipped (the corpus test still runs)"
        );
        return;
    };
    let files = valid_configuration_files();
    assert!(files.len() > 40, "too few files: {files:?}");
    for check in [true, false] {
        let theirs = format_copy(&mut Command::new(&terraform), &files, check);
        let ours = format_copy(&mut Command::new(crate::support::binary()), &files, check);
        assert_eq!(theirs.0, ours.0, "exit codes differ (check={check})");
        let listing = |s: &str| s.lines().map(str::to_string).collect::<BTreeSet<String>>();
        assert_eq!(
            listing(&theirs.1),
            listing(&ours.1),
            "listings differ (check={check})"
        );
        for (file, (a, b)) in files.iter().zip(theirs.2.iter().zip(&ours.2)) {
            assert!(
                a == b,
                "{} formats differently (check={check}):\n--- terraform ---\n{}\n--- peerform ---\n{}",
                file.display(),
                String::from_utf8_lossy(a),
                String::from_utf8_lossy(b)
            );
        }
    }
}
