//! Helpers shared by the integration tests: a private copy of the binary under test (the build
//! folder may be shared with other checkouts, whose builds would otherwise replace the binary in
//! the middle of a run), a way to run it with chosen arguments, environment and standard input,
//! and scratch folders. It holds no assertions of its own.

#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The binary under test, copied once per test process under a name of its own per checkout, and
/// moved into place atomically so concurrent test processes never see a half-written copy.
pub fn binary() -> &'static Path {
    static COPY: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    COPY.get_or_init(|| {
        let checkout: String = env!("CARGO_MANIFEST_DIR")
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let path =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("peerform-support{checkout}"));
        let staging = path.with_extension(format!("{}.support", std::process::id()));
        std::fs::copy(env!("CARGO_BIN_EXE_peerform"), &staging).expect("copy the peerform binary");
        std::fs::rename(&staging, &path).expect("move the binary copy into place");
        path
    })
}

/// What one run of the binary produced.
#[derive(Debug)]
pub struct Output {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Output {
    pub fn describe(&self) -> String {
        format!(
            "exit code {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Run `peerform ARGS` in `dir` with standard input `stdin`, colour off and no debug log unless
/// `env` sets one. `TF_VAR_*` from the developer's shell never leaks in.
pub fn run_in(dir: &Path, args: &[&str], stdin: &[u8], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(binary());
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("PEERFORM_LOG")
        .env_remove("PEERFORM_LOG_PATH")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, _) in std::env::vars() {
        if key.starts_with("TF_VAR_") {
            command.env_remove(key);
        }
    }
    for (key, value) in env {
        command.env(key, value);
    }
    let mut child = command.spawn().expect("start peerform");
    if let Some(mut input) = child.stdin.take() {
        let _ = input.write_all(stdin);
    }
    let out = child.wait_with_output().expect("wait for peerform");
    Output {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A scratch folder holding these files (paths may have folders).
pub fn scratch(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("create a scratch folder");
    for (name, contents) in files {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folders");
        }
        std::fs::write(&path, contents).expect("write a scratch file");
    }
    dir
}

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
