//! The domain rules end to end, on the fixtures under `testdata/rules/`:
//!
//! - `<ID>/trigger/main.tf` must make rule ID fire, and no other rule and no other error;
//!   `<ID>/near_miss/main.tf` must be valid with no diagnostic at all. Checks run through the
//!   built binary (`peerform validate --json --chdir`); the rule id is the `[ID]` prefix of a
//!   diagnostic's summary.
//! - Rules that need the prior state (a `prior.json` beside `main.tf`: attributes by address),
//!   replacement rules and ordering rules have no command of their own yet, so their fixtures go
//!   through the library: `rules::check` with the prior state, `rules::replacement_reasons`,
//!   `rules::ordering`.
//! - An optional `expect.txt` says `also ID` (another rule that necessarily fires with this one)
//!   or `preempted SUMMARY` (the schema reports the mistake first, so validate stops before the
//!   rules run: that summary must appear instead).
//! - `estate/`: a realistic two-site estate; `clean` gets no diagnostic, `mistakes` gets exactly
//!   the ten listed in `expected.txt`, each at a file and line.

use peerform::config::addr::ResourceInstanceAddr;
use peerform::config::{LoadOptions, load_config, read_function_file};
use peerform::desired::{Desired, NoCloud, build};
use peerform::lang::Value;
use peerform::rules::{RULES, RuleKind, RuleSettings};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/rules")
}

use super::support::binary;

struct Output {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn peerform(args: &[&str], dir: &Path) -> Output {
    let output = Command::new(binary())
        .args(args)
        .arg("--chdir")
        .arg(dir)
        .env("NO_COLOR", "1")
        .env_remove("PEERFORM_LOG")
        .output()
        .expect("run peerform");
    Output {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// One diagnostic of `validate --json`.
#[derive(Debug)]
struct Found {
    severity: String,
    summary: String,
    rule: Option<String>,
    line: Option<u64>,
    file: Option<String>,
}

fn rule_of(summary: &str) -> Option<String> {
    let rest = summary.strip_prefix('[')?;
    Some(rest[..rest.find(']')?].to_string())
}

fn validate_json(dir: &Path, extra: &[&str]) -> Result<(Option<i32>, Vec<Found>), String> {
    let mut args = vec!["validate", "--json"];
    args.extend_from_slice(extra);
    let out = peerform(&args, dir);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout)
        .map_err(|e| format!("{}: no JSON ({e}); stderr: {}", dir.display(), out.stderr))?;
    let list = doc["diagnostics"].as_array().cloned().unwrap_or_default();
    Ok((
        out.code,
        list.iter()
            .map(|d| {
                let summary = d["summary"].as_str().unwrap_or("").to_string();
                Found {
                    severity: d["severity"].as_str().unwrap_or("").to_string(),
                    rule: rule_of(&summary),
                    summary,
                    line: d["range"]["start"]["line"].as_u64(),
                    file: d["range"]["filename"].as_str().map(str::to_string),
                }
            })
            .collect(),
    ))
}

/// Load and evaluate a fixture through the library.
fn desired(dir: &Path) -> Result<Desired, String> {
    let (config, diagnostics) = load_config(dir, &LoadOptions::default());
    if diagnostics.has_errors() {
        return Err(format!(
            "{}: {:?}",
            dir.display(),
            diagnostics.iter().map(|d| &d.summary).collect::<Vec<_>>()
        ));
    }
    let root = dir.to_path_buf();
    let files = move |path: &str| read_function_file(&root, path);
    let (desired, diagnostics) = build(&config, &NoCloud { files: &files });
    if diagnostics.has_errors() {
        return Err(format!(
            "{}: {:?}",
            dir.display(),
            diagnostics.iter().map(|d| &d.summary).collect::<Vec<_>>()
        ));
    }
    Ok(desired)
}

fn prior(dir: &Path) -> BTreeMap<ResourceInstanceAddr, Value> {
    let Ok(text) = std::fs::read_to_string(dir.join("prior.json")) else {
        return BTreeMap::new();
    };
    let json: serde_json::Value = serde_json::from_str(&text).expect("prior.json is JSON");
    json.as_object()
        .expect("prior.json is an object of addresses")
        .iter()
        .map(|(addr, attrs)| {
            let addr = peerform::config::addr::parse_instance(addr).expect("prior.json address");
            (addr, Value::from_json(attrs))
        })
        .collect()
}

/// What `expect.txt` announces.
#[derive(Default)]
struct Expect {
    also: Vec<String>,
    preempted: Option<String>,
}

fn expect(dir: &Path) -> Expect {
    let mut out = Expect::default();
    for line in std::fs::read_to_string(dir.join("expect.txt"))
        .unwrap_or_default()
        .lines()
    {
        if let Some(id) = line.strip_prefix("also ") {
            out.also.push(id.trim().to_string());
        } else if let Some(summary) = line.strip_prefix("preempted ") {
            out.preempted = Some(summary.trim().to_string());
        }
    }
    out
}

/// The rule ids a fixture produces and the other (non-rule) diagnostics it has.
fn outcome(rule: &str, kind: RuleKind, dir: &Path) -> Result<(Vec<String>, Vec<String>), String> {
    let library = kind != RuleKind::Check || dir.join("prior.json").exists();
    if !library {
        let (_, found) = validate_json(dir, &[])?;
        let ids = found.iter().filter_map(|f| f.rule.clone()).collect();
        let other = found
            .iter()
            .filter(|f| f.rule.is_none())
            .map(|f| format!("{}: {}", f.severity, f.summary))
            .collect();
        return Ok((ids, other));
    }
    let desired = desired(dir)?;
    let prior = prior(dir);
    let ids: Vec<String> = match kind {
        RuleKind::Check => {
            let lookup = |addr: &ResourceInstanceAddr| prior.get(addr).cloned();
            peerform::rules::check(&desired, &lookup, &RuleSettings::default())
                .iter()
                .filter_map(|d| rule_of(&d.summary))
                .collect()
        }
        RuleKind::Replace => desired
            .instances
            .iter()
            .filter_map(|i| Some((i, prior.get(&i.addr)?)))
            .flat_map(|(i, old)| {
                peerform::rules::replacement_reasons(&i.addr.resource.type_name, old, &i.value)
            })
            .map(|r| r.rule_id.to_string())
            .collect(),
        RuleKind::Ordering => {
            let ordering = peerform::rules::ordering(&desired);
            ordering
                .extra_edges
                .iter()
                .map(|e| e.rule_id)
                .chain(ordering.gates.iter().map(|g| g.rule_id))
                .filter(|id| *id == rule)
                .map(str::to_string)
                .collect()
        }
    };
    Ok((ids, Vec::new()))
}

#[test]
fn every_rule_has_a_trigger_and_a_near_miss() {
    let missing: Vec<String> = RULES
        .iter()
        .flat_map(|r| {
            ["trigger", "near_miss"].map(|w| fixtures().join(r.id).join(w).join("main.tf"))
        })
        .filter(|p| !p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    assert!(missing.is_empty(), "missing fixtures: {missing:#?}");
}

#[test]
fn triggers_fire_their_rule_and_near_misses_stay_quiet() {
    let mut failures = Vec::new();
    for rule in RULES {
        let trigger = fixtures().join(rule.id).join("trigger");
        let near = fixtures().join(rule.id).join("near_miss");
        let expected = expect(&trigger);
        match outcome(rule.id, rule.kind, &trigger) {
            Err(e) => failures.push(format!("{} trigger: {e}", rule.id)),
            Ok((ids, other)) => match &expected.preempted {
                Some(summary) => {
                    if !other.iter().any(|o| o.ends_with(summary.as_str())) {
                        failures.push(format!("{} trigger: expected the schema's \"{summary}\", got {ids:?} {other:?}", rule.id));
                    }
                }
                None => {
                    let allowed = |id: &String| id == rule.id || expected.also.contains(id);
                    if !ids.iter().any(|id| id == rule.id)
                        || !ids.iter().all(allowed)
                        || !other.is_empty()
                    {
                        failures.push(format!(
                            "{} trigger: got rules {ids:?}, other {other:?}",
                            rule.id
                        ));
                    }
                }
            },
        }
        match outcome(rule.id, rule.kind, &near) {
            Err(e) => failures.push(format!("{} near miss: {e}", rule.id)),
            Ok((ids, other)) => {
                let quiet = match rule.kind {
                    // Ordering fixtures are whole sites: other ordering rules apply; this one not.
                    RuleKind::Ordering => !ids.iter().any(|id| id == rule.id),
                    _ => ids.is_empty() && other.is_empty(),
                };
                if !quiet {
                    failures.push(format!(
                        "{} near miss: got rules {ids:?}, other {other:?}",
                        rule.id
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} fixture failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn clean_two_site_estate_gets_no_diagnostic() {
    let (code, found) = validate_json(&fixtures().join("estate/clean"), &[]).unwrap();
    assert_eq!(code, Some(0));
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn two_site_estate_with_ten_mistakes_gets_exactly_those_ten() {
    let dir = fixtures().join("estate/mistakes");
    let mut expected: Vec<String> = std::fs::read_to_string(dir.join("expected.txt"))
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect();
    assert_eq!(expected.len(), 10);
    let (code, found) = validate_json(&dir, &[]).unwrap();
    assert_eq!(code, Some(1));
    let mut ids: Vec<String> = found.iter().filter_map(|f| f.rule.clone()).collect();
    ids.sort();
    expected.sort();
    assert_eq!(ids, expected, "{found:#?}");
    assert_eq!(found.len(), 10, "{found:#?}");
    for f in &found {
        assert_eq!(f.file.as_deref(), Some("main.tf"), "{f:?}");
        assert!(f.line.is_some_and(|l| l > 1), "{f:?}");
    }
    // Human output names the argument's line.
    let out = peerform(&["validate"], &dir);
    assert!(
        out.stderr.contains("[G7]") && out.stderr.contains("on main.tf:"),
        "{}",
        out.stderr
    );
}

#[test]
fn rules_json_lists_every_rule() {
    let out = peerform(&["rules", "--json"], &fixtures());
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let listed: Vec<&str> = doc["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            for field in ["severity", "summary", "source", "kind"] {
                assert!(r[field].as_str().is_some_and(|s| !s.is_empty()), "{r}");
            }
            assert!(r["source"].as_str().unwrap().starts_with("https://"), "{r}");
            r["id"].as_str().unwrap()
        })
        .collect();
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(listed, ids);
    let human = peerform(&["rules"], &fixtures());
    assert!(
        human.stdout.contains("G1") && human.stdout.contains("https://"),
        "{}",
        human.stdout
    );
}

#[test]
fn rule_levels_from_flags_and_peerform_hcl() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixtures().join("C1/trigger/main.tf"),
        dir.path().join("main.tf"),
    )
    .unwrap();
    let (code, found) = validate_json(dir.path(), &["--rule", "C1=warning"]).unwrap();
    assert_eq!(code, Some(0));
    assert_eq!(found.len(), 1);
    assert_eq!(
        (found[0].rule.as_deref(), found[0].severity.as_str()),
        (Some("C1"), "warning")
    );

    std::fs::write(
        dir.path().join("peerform.hcl"),
        "rules {\n  C1 = \"off\"\n}\n",
    )
    .unwrap();
    let (code, found) = validate_json(dir.path(), &[]).unwrap();
    assert_eq!((code, found.len()), (Some(0), 0), "{found:#?}");
    // A flag wins over the file.
    let (code, _) = validate_json(dir.path(), &["--rule", "C1=error"]).unwrap();
    assert_eq!(code, Some(1));

    std::fs::write(
        dir.path().join("peerform.hcl"),
        "rules {\n  C1 = \"off\"\n  Z9 = \"off\"\n}\n",
    )
    .unwrap();
    let (code, found) = validate_json(dir.path(), &[]).unwrap();
    assert_eq!(code, Some(1));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].summary, "Unknown rule");
    assert_eq!(
        (found[0].file.as_deref(), found[0].line),
        (Some("peerform.hcl"), Some(3))
    );

    let (code, found) = validate_json(dir.path(), &["--rule", "C1"]).unwrap();
    assert_eq!(code, Some(1));
    assert!(
        found.iter().any(|f| f.summary == "Invalid rule level"),
        "{found:#?}"
    );
}
