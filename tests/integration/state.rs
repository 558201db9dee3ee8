//! State commands and files, end to end through the binary: Terraform import, list/show/mv/rm,
//! pull/push, the git merge driver in a real repository, lock races between processes, force-unlock
//! after SIGKILL, refusal of unreadable states, and a grep for plaintext secrets in every file written.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Output, Stdio};

use peerform::config::addr::parse_instance;
use peerform::lang::Value;
use peerform::state::{self, ResourceState};

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/testdata/state/terraform-expressroute.tfstate"
);

/// Every secret value in the Terraform fixture: none may appear in a file peerform writes.
const SECRETS: &[&str] = &[
    "SECRET-service-key-ams-5f1c9e2a",
    "SECRET-service-key-lon-5f1c9e2a",
    "SECRET-bgp-md5-ams-c0ffee",
    "SECRET-bgp-md5-lon-c0ffee",
    "SECRET-auth-key-ams-8d7e6f50",
    "SECRET-auth-key-lon-8d7e6f50",
    "SECRET-keyvault-value-77aa",
];

fn peerform(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_peerform"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env("USER", "tester")
        .output()
        .expect("running peerform")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
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

/// A directory holding the Terraform fixture converted into `peerform.tfstate`.
fn imported() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(FIXTURE, dir.path().join("terraform.tfstate")).unwrap();
    ok(&peerform(
        dir.path(),
        &["state", "import-terraform", "terraform.tfstate"],
    ));
    dir
}

/// Grep every file under `dir` (but the Terraform input) for the fixture's secrets.
#[track_caller]
fn assert_no_plaintext_secrets(dir: &Path) {
    let mut stack = vec![dir.to_path_buf()];
    let mut checked = 0;
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
            continue;
        }
        if path.file_name().is_some_and(|n| n == "terraform.tfstate") {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let content = String::from_utf8_lossy(&bytes);
        for secret in SECRETS {
            assert!(
                !content.contains(secret),
                "{} holds the plaintext secret {secret}",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked > 0, "no file was checked under {}", dir.display());
}

/// The instance addresses of the supported managed resources in the Terraform fixture.
fn fixture_addresses() -> Vec<String> {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
    let mut out = Vec::new();
    for resource in doc["resources"].as_array().unwrap() {
        let type_name = resource["type"].as_str().unwrap();
        if resource["mode"] != "managed" || !state::SUPPORTED_TYPES.contains(&type_name) {
            continue;
        }
        for instance in resource["instances"].as_array().unwrap() {
            if instance.get("deposed").is_some() {
                continue;
            }
            let mut address = String::new();
            if let Some(module) = resource["module"].as_str() {
                address.push_str(module);
                address.push('.');
            }
            address.push_str(&format!(
                "{type_name}.{}",
                resource["name"].as_str().unwrap()
            ));
            match &instance["index_key"] {
                serde_json::Value::Null => {}
                serde_json::Value::Number(n) => address.push_str(&format!("[{n}]")),
                key => address.push_str(&format!("[{key}]")),
            }
            out.push(address);
        }
    }
    // The order `state list` uses: the address order.
    out.sort_by_key(|a| parse_instance(a).unwrap());
    out
}

#[test]
fn state_import_terraform_converts_an_expressroute_estate_and_lists_the_same_objects() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(FIXTURE, dir.path().join("terraform.tfstate")).unwrap();
    let out = ok(&peerform(
        dir.path(),
        &["state", "import-terraform", "terraform.tfstate"],
    ));
    let expected = fixture_addresses();
    assert!(out.contains(&format!(
        "Converted {} resource instance(s)",
        expected.len()
    )));
    assert!(
        out.contains("data.azurerm_client_config.current: data sources"),
        "{out}"
    );
    assert!(
        out.contains("azurerm_key_vault_secret.er_auth: resource type azurerm_key_vault_secret is not supported"),
        "{out}"
    );

    let listed = ok(&peerform(dir.path(), &["state", "list"]));
    let listed: Vec<&str> = listed.lines().collect();
    assert_eq!(listed, expected);

    let state =
        state::decode(&std::fs::read(dir.path().join("peerform.tfstate")).unwrap()).unwrap();
    let gateway =
        parse_instance("module.site[\"ams\"].azurerm_virtual_network_gateway.this").unwrap();
    assert_eq!(state.resources[&gateway].deposed.len(), 1);
    assert!(state.resources[&gateway].create_before_destroy);
    let pip = parse_instance("module.site[\"lon\"].azurerm_public_ip.gateway").unwrap();
    assert_eq!(state.resources[&pip].status, state::Status::Tainted);
    // Dependencies are direct: the connection depends on neither the resource group nor the VNet.
    let connection =
        parse_instance("module.site[\"ams\"].azurerm_virtual_network_gateway_connection.this")
            .unwrap();
    let deps: Vec<String> = state.resources[&connection]
        .dependencies
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        deps,
        [
            "module.site[\"ams\"].azurerm_express_route_circuit_authorization.this",
            "module.site[\"ams\"].azurerm_express_route_circuit_peering.private",
            "module.site[\"ams\"].azurerm_virtual_network_gateway.this",
        ]
    );
    assert_eq!(
        state.cloud.subscription,
        "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
    );
    // The secrets are digests the plan can check a configured value against.
    let peering =
        parse_instance("module.site[\"lon\"].azurerm_express_route_circuit_peering.private")
            .unwrap();
    assert!(state.secret_matches(
        &peering,
        "shared_key",
        &Value::string("SECRET-bgp-md5-lon-c0ffee")
    ));
    assert!(!state.secret_matches(&peering, "shared_key", &Value::string("changed")));
    let keys = Value::object([
        ("ams", Value::string("SECRET-service-key-ams-5f1c9e2a")),
        ("lon", Value::string("SECRET-service-key-lon-5f1c9e2a")),
    ]);
    assert!(state::output_secret_matches(
        &state,
        "circuit_service_keys",
        &keys
    ));
    assert!(!state::output_secret_matches(
        &state,
        "circuit_service_keys",
        &Value::Null
    ));

    let shown = ok(&peerform(
        dir.path(),
        &[
            "state",
            "show",
            "module.site[\"ams\"].azurerm_express_route_circuit.this",
        ],
    ));
    assert!(shown.starts_with("# module.site[\"ams\"].azurerm_express_route_circuit.this:\n"));
    assert!(
        shown.contains("resource \"azurerm_express_route_circuit\" \"this\" {"),
        "{shown}"
    );
    assert!(
        shown.contains("service_key                         = (sensitive value)"),
        "{shown}"
    );
    assert!(
        shown.contains("peering_location                    = \"Amsterdam\""),
        "{shown}"
    );
    let shown = ok(&peerform(
        dir.path(),
        &[
            "state",
            "show",
            "module.site[\"ams\"].azurerm_virtual_network_gateway.this",
        ],
    ));
    assert!(shown.contains("(deposed object 5b8e2f1a)"), "{shown}");

    // Converting again over an existing state needs --force.
    let err = fails(&peerform(
        dir.path(),
        &["state", "import-terraform", "terraform.tfstate"],
    ));
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    assert_no_plaintext_secrets(dir.path());
}

#[test]
fn state_mv_and_rm_move_and_forget_objects_with_a_backup() {
    let dir = imported();
    let before = std::fs::read(dir.path().join("peerform.tfstate")).unwrap();
    let out = ok(&peerform(
        dir.path(),
        &[
            "state",
            "mv",
            "module.site[\"lon\"]",
            "module.site[\"london\"]",
        ],
    ));
    assert!(
        out.contains("Move \"module.site[\\\"lon\\\"].azurerm_resource_group.this\" to"),
        "{out}"
    );
    assert!(out.contains("Successfully moved 11 object(s)."), "{out}");
    assert_eq!(
        std::fs::read(dir.path().join("peerform.tfstate.backup")).unwrap(),
        before
    );
    ok(&peerform(
        dir.path(),
        &[
            "state",
            "mv",
            "azurerm_resource_group.hub",
            "azurerm_resource_group.hub[0]",
        ],
    ));
    let listed = ok(&peerform(
        dir.path(),
        &["state", "list", "module.site[\"london\"]"],
    ));
    assert_eq!(listed.lines().count(), 11);
    assert!(
        ok(&peerform(dir.path(), &["state", "list"])).contains("azurerm_resource_group.hub[0]\n")
    );

    let out = ok(&peerform(
        dir.path(),
        &[
            "state",
            "rm",
            "module.site[\"london\"]",
            "azurerm_resource_group.hub[0]",
            "--lock=false",
        ],
    ));
    assert!(
        out.contains("Successfully removed 12 resource instance(s)."),
        "{out}"
    );
    let listed = ok(&peerform(dir.path(), &["state", "list"]));
    assert!(
        !listed.contains("london") && !listed.contains("hub"),
        "{listed}"
    );
    // The Global Reach link no longer depends on the forgotten London peering.
    let state =
        state::decode(&std::fs::read(dir.path().join("peerform.tfstate")).unwrap()).unwrap();
    let link = parse_instance("azurerm_express_route_circuit_connection.global_reach[0]").unwrap();
    assert!(
        state.resources[&link]
            .dependencies
            .iter()
            .all(|d| !d.to_string().contains("london"))
    );
    assert!(state.serial >= 4);

    let err = fails(&peerform(
        dir.path(),
        &["state", "rm", "azurerm_subnet.nothing"],
    ));
    assert!(
        err.contains("no object in the state matches azurerm_subnet.nothing"),
        "{err}"
    );
    let err = fails(&peerform(
        dir.path(),
        &[
            "state",
            "mv",
            "module.site[\"ams\"].azurerm_subnet.gateway",
            "azurerm_public_ip.x",
        ],
    ));
    assert!(err.contains("cannot change type"), "{err}");
    assert!(!dir.path().join(".peerform.tfstate.lock").exists());
    assert_no_plaintext_secrets(dir.path());
}

#[test]
fn state_pull_and_push_follow_lineage_and_serial_rules() {
    let dir = imported();
    let pulled = peerform(dir.path(), &["state", "pull"]);
    let file = std::fs::read(dir.path().join("peerform.tfstate")).unwrap();
    assert_eq!(pulled.stdout, file);

    let mut state = state::decode(&file).unwrap();
    let older = state.clone();
    state.serial += 3;
    std::fs::write(
        dir.path().join("newer.tfstate"),
        state::encode(&state).unwrap(),
    )
    .unwrap();
    ok(&peerform(dir.path(), &["state", "push", "newer.tfstate"]));

    std::fs::write(
        dir.path().join("older.tfstate"),
        state::encode(&older).unwrap(),
    )
    .unwrap();
    let err = fails(&peerform(dir.path(), &["state", "push", "older.tfstate"]));
    assert!(
        err.contains("refusing to write serial 1") && err.contains("--force"),
        "{err}"
    );

    let mut other = older.clone();
    other.lineage = "another-lineage".into();
    other.serial = 100;
    std::fs::write(
        dir.path().join("other.tfstate"),
        state::encode(&other).unwrap(),
    )
    .unwrap();
    let err = fails(&peerform(dir.path(), &["state", "push", "other.tfstate"]));
    assert!(
        err.contains("lineage another-lineage") && err.contains("different states"),
        "{err}"
    );

    ok(&peerform(
        dir.path(),
        &["state", "push", "-force", "older.tfstate"],
    ));
    assert_eq!(
        std::fs::read(dir.path().join("peerform.tfstate")).unwrap(),
        state::encode(&older).unwrap()
    );
    assert_no_plaintext_secrets(dir.path());
}

fn git(dir: &Path, args: &[&str]) -> Output {
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "tester")
        .env("GIT_AUTHOR_EMAIL", "tester@example.com")
        .env("GIT_COMMITTER_NAME", "tester")
        .env("GIT_COMMITTER_EMAIL", "tester@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("running git")
}

#[track_caller]
fn git_ok(dir: &Path, args: &[&str]) -> String {
    let output = git(dir, args);
    assert!(
        output.status.success(),
        "git {args:?}\n{}\n{}",
        text(&output.stdout),
        text(&output.stderr)
    );
    text(&output.stdout)
}

/// Change the state file as an apply would: edit the model and write it one serial up.
fn edit_state(dir: &Path, change: impl FnOnce(&mut state::State)) {
    let path = dir.join("peerform.tfstate");
    let mut state = state::decode(&std::fs::read(&path).unwrap()).unwrap();
    change(&mut state);
    state.serial += 1;
    std::fs::write(&path, state::encode(&state).unwrap()).unwrap();
}

fn add_resource_group(state: &mut state::State, name: &str) {
    let address = parse_instance(&format!("azurerm_resource_group.{name}")).unwrap();
    state.resources.insert(
        address,
        ResourceState {
            type_name: "azurerm_resource_group".into(),
            id: format!("/subscriptions/s/resourceGroups/{name}"),
            attributes: [("location".to_string(), Value::string("westeurope"))]
                .into_iter()
                .collect(),
            ..Default::default()
        },
    );
}

/// A git repository with peerform's merge driver registered and an imported state committed.
fn repository() -> tempfile::TempDir {
    let dir = imported();
    git_ok(dir.path(), &["init", "-q", "-b", "main"]);
    let out = ok(&peerform(dir.path(), &["init", "--git"]));
    assert!(out.contains("merge driver"), "{out}");
    let attributes = std::fs::read_to_string(dir.path().join(".gitattributes")).unwrap();
    assert!(attributes.contains("peerform.tfstate merge=peerform-state\n"));
    let ignore = std::fs::read_to_string(dir.path().join(".gitignore")).unwrap();
    for entry in [
        ".peerform/",
        ".peerform.tfstate.lock",
        "peerform.tfstate.backup",
    ] {
        assert!(ignore.lines().any(|l| l == entry), "{ignore}");
    }
    let driver = git_ok(dir.path(), &["config", "merge.peerform-state.driver"]);
    assert!(driver.contains("state merge %O %A %B"), "{driver}");
    // Running it twice adds nothing.
    ok(&peerform(dir.path(), &["init", "--git"]));
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
        ignore
    );
    git_ok(dir.path(), &["add", "."]);
    git_ok(dir.path(), &["commit", "-q", "-m", "state"]);
    dir
}

#[test]
fn git_merge_with_the_driver_keeps_resources_added_on_both_branches() {
    let repo = repository();
    let dir = repo.path();
    git_ok(dir, &["checkout", "-q", "-b", "feature"]);
    edit_state(dir, |s| add_resource_group(s, "feature"));
    git_ok(dir, &["commit", "-q", "-am", "feature"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    edit_state(dir, |s| add_resource_group(s, "mainline"));
    git_ok(dir, &["commit", "-q", "-am", "mainline"]);
    let serial_main = state::decode(&std::fs::read(dir.join("peerform.tfstate")).unwrap())
        .unwrap()
        .serial;

    git_ok(dir, &["merge", "-q", "--no-edit", "feature"]);
    let listed = ok(&peerform(dir, &["state", "list"]));
    assert!(
        listed.contains("azurerm_resource_group.feature\n"),
        "{listed}"
    );
    assert!(
        listed.contains("azurerm_resource_group.mainline\n"),
        "{listed}"
    );
    let merged = state::decode(&std::fs::read(dir.join("peerform.tfstate")).unwrap()).unwrap();
    assert!(merged.serial > serial_main);
    assert!(git_ok(dir, &["status", "--porcelain"]).trim().is_empty());
}

#[test]
fn git_merge_with_the_driver_names_a_resource_changed_on_both_branches() {
    let repo = repository();
    let dir = repo.path();
    let address = "module.site[\"ams\"].azurerm_express_route_circuit.this";
    let set_bandwidth = |mbps: i64| {
        move |s: &mut state::State| {
            let a = parse_instance(address).unwrap();
            s.resources
                .get_mut(&a)
                .unwrap()
                .attributes
                .insert("bandwidth_in_mbps".into(), Value::int(mbps));
        }
    };
    git_ok(dir, &["checkout", "-q", "-b", "feature"]);
    edit_state(dir, set_bandwidth(2000));
    git_ok(dir, &["commit", "-q", "-am", "feature"]);
    git_ok(dir, &["checkout", "-q", "main"]);
    edit_state(dir, set_bandwidth(5000));
    git_ok(dir, &["commit", "-q", "-am", "mainline"]);

    let merge = git(dir, &["merge", "--no-edit", "feature"]);
    assert!(!merge.status.success());
    let report = format!("{}{}", text(&merge.stdout), text(&merge.stderr));
    assert!(report.contains(address), "{report}");
    assert!(
        report.contains("changed differently on both sides"),
        "{report}"
    );
    assert!(report.contains("CONFLICT"), "{report}");
}

#[test]
fn state_merge_as_a_command_writes_ours_and_exits_by_outcome() {
    let dir = imported();
    let path = dir.path().join("peerform.tfstate");
    let base = std::fs::read(&path).unwrap();
    std::fs::write(dir.path().join("base"), &base).unwrap();
    edit_state(dir.path(), |s| add_resource_group(s, "ours"));
    std::fs::copy(&path, dir.path().join("ours")).unwrap();
    std::fs::write(&path, &base).unwrap();
    edit_state(dir.path(), |s| add_resource_group(s, "theirs"));
    std::fs::copy(&path, dir.path().join("theirs")).unwrap();
    let output = peerform(dir.path(), &["state", "merge", "base", "ours", "theirs"]);
    ok(&output);
    let merged = state::decode(&std::fs::read(dir.path().join("ours")).unwrap()).unwrap();
    assert_eq!(merged.serial, 3);
    assert_eq!(merged.resources.len(), fixture_addresses().len() + 2);

    std::fs::write(dir.path().join("broken"), b"{\"format\": ").unwrap();
    let err = fails(&peerform(
        dir.path(),
        &["state", "merge", "base", "broken", "theirs"],
    ));
    assert!(err.contains("broken") && err.contains("truncated"), "{err}");
}

/// Spawn `peerform state hold-lock`, which prints `locked ID` and holds the lock until stdin closes.
fn spawn_holder(dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_peerform"))
        .args(["state", "hold-lock"])
        .current_dir(dir)
        .env("USER", "holder")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

fn first_line(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap())
        .read_line(&mut line)
        .unwrap();
    line.trim().to_string()
}

#[test]
fn two_processes_race_for_the_lock_and_exactly_one_wins() {
    let dir = imported();
    for _round in 0..3 {
        let mut racers = [spawn_holder(dir.path()), spawn_holder(dir.path())];
        let lines: Vec<String> = racers.iter_mut().map(first_line).collect();
        let winners: Vec<usize> = (0..2)
            .filter(|&i| lines[i].starts_with("locked "))
            .collect();
        assert_eq!(winners.len(), 1, "{lines:?}");
        let winner = winners[0];
        let loser = 1 - winner;
        let lock_id = lines[winner].trim_start_matches("locked ").to_string();
        let lost = racers[loser].wait_with_output_ref();
        assert_eq!(lost.0.code(), Some(1));
        assert!(lost.1.contains("held by holder@"), "{}", lost.1);
        assert!(lost.1.contains("for state hold-lock since"), "{}", lost.1);
        assert!(lost.1.contains(&lock_id), "{}", lost.1);
        // Closing the winner's stdin lets go of the lock.
        drop(racers[winner].stdin.take());
        assert!(racers[winner].wait().unwrap().success());
        assert!(!dir.path().join(".peerform.tfstate.lock").exists());
    }
}

trait WaitRef {
    fn wait_with_output_ref(&mut self) -> (std::process::ExitStatus, String);
}

impl WaitRef for Child {
    fn wait_with_output_ref(&mut self) -> (std::process::ExitStatus, String) {
        drop(self.stdin.take());
        let mut err = String::new();
        std::io::Read::read_to_string(self.stderr.as_mut().unwrap(), &mut err).unwrap();
        (self.wait().unwrap(), err)
    }
}

#[test]
fn a_lock_left_by_a_killed_holder_is_removed_by_force_unlock() {
    let dir = imported();
    let mut holder = spawn_holder(dir.path());
    let line = first_line(&mut holder);
    let lock_id = line.trim_start_matches("locked ").to_string();
    holder.kill().unwrap(); // SIGKILL
    holder.wait().unwrap();
    let lock = dir.path().join(".peerform.tfstate.lock");
    assert!(lock.exists());

    let err = fails(&peerform(
        dir.path(),
        &["state", "rm", "azurerm_resource_group.hub"],
    ));
    assert!(err.contains("the state is locked"), "{err}");
    assert!(
        err.contains("held by holder@") && err.contains(&lock_id),
        "{err}"
    );
    assert!(
        err.contains(&format!("peerform force-unlock {lock_id}")),
        "{err}"
    );
    let err = fails(&peerform(
        dir.path(),
        &[
            "state",
            "rm",
            "azurerm_resource_group.hub",
            "--lock-timeout=0s",
        ],
    ));
    assert!(err.contains("the state is locked"), "{err}");

    let err = fails(&peerform(dir.path(), &["force-unlock", "not-the-id"]));
    assert!(
        err.contains("does not match") && err.contains(&lock_id),
        "{err}"
    );
    assert!(lock.exists());
    let out = ok(&peerform(dir.path(), &["force-unlock", &lock_id]));
    assert!(out.contains("successfully unlocked"), "{out}");
    assert!(!lock.exists());
    ok(&peerform(
        dir.path(),
        &["state", "rm", "azurerm_resource_group.hub"],
    ));
}

#[test]
fn unreadable_state_files_get_clear_errors_and_stay_byte_identical() {
    let good = {
        let dir = imported();
        std::fs::read_to_string(dir.path().join("peerform.tfstate")).unwrap()
    };
    let first = "\"module.site[\\\"ams\\\"].azurerm_express_route_circuit.this\": {";
    let start = good.find(first).unwrap() - 4;
    let end = start + good[start..].find("\n    },\n").unwrap() + "\n    },\n".len();
    let duplicated = format!("{}{}{}", &good[..end], &good[start..end], &good[end..]);
    let cases: Vec<(&str, String, &str)> = vec![
        ("truncated", good[..good.len() / 2].to_string(), "truncated"),
        (
            "wrong format",
            good.replace(
                "\"format\": \"peerform-state\"",
                "\"format\": \"terraform\"",
            ),
            "unknown format \"terraform\"",
        ),
        (
            "newer version",
            good.replace("\"version\": 1\n", "\"version\": 2\n"),
            "format version 2, newer than version 1",
        ),
        ("duplicate address", duplicated, "duplicate address"),
        (
            "unknown field",
            good.replace("\"lineage\":", "\"colour\": \"blue\",\n  \"lineage\":"),
            "unknown field `colour`",
        ),
    ];
    for (what, content, message) in cases {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("peerform.tfstate");
        std::fs::write(&path, &content).unwrap();
        std::fs::write(dir.path().join("good.tfstate"), &good).unwrap();
        std::fs::copy(FIXTURE, dir.path().join("terraform.tfstate")).unwrap();
        for args in [
            vec!["state", "list"],
            vec!["state", "rm", "azurerm_resource_group.hub"],
            vec![
                "state",
                "mv",
                "azurerm_resource_group.hub",
                "azurerm_resource_group.x",
            ],
            vec!["state", "push", "--force", "good.tfstate"],
            vec!["state", "import-terraform", "--force", "terraform.tfstate"],
        ] {
            let err = fails(&peerform(dir.path(), &args));
            assert!(err.contains("peerform.tfstate"), "{what} {args:?}: {err}");
            assert!(err.contains(message), "{what} {args:?}: {err}");
            assert_eq!(
                std::fs::read_to_string(&path).unwrap(),
                content,
                "{what} {args:?} changed the file"
            );
        }
        assert!(!dir.path().join("peerform.tfstate.backup").exists());
        assert!(!dir.path().join(".peerform.tfstate.lock").exists());
    }
}

#[test]
fn init_creates_the_working_folder_and_git_registration_needs_a_repository() {
    let dir = tempfile::tempdir().unwrap();
    ok(&peerform(dir.path(), &["init"]));
    assert!(dir.path().join(".peerform").is_dir());
    let outside = tempfile::tempdir().unwrap();
    // A directory with a .git file that is not a repository, so no parent repository is found.
    std::fs::write(outside.path().join(".git"), "gitdir: /nonexistent\n").unwrap();
    let err = fails(&peerform(outside.path(), &["init", "--git"]));
    assert!(err.contains("git repository"), "{err}");
}

#[test]
fn state_commands_without_a_state_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let err = fails(&peerform(dir.path(), &["state", "list"]));
    assert!(err.contains("no state file was found"), "{err}");
    assert!(ok(&peerform(dir.path(), &["state", "pull"])).is_empty());
    let err = fails(&peerform(
        dir.path(),
        &["state", "rm", "a.b", "--lock-timeout", "soon"],
    ));
    assert!(err.contains("invalid duration"), "{err}");
}
