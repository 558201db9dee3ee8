//! `version`: peerform's version and platform, as text (`peerform v0.1.0` / `on linux_amd64`, as
//! `terraform version` prints it) or as JSON shaped like `terraform version -json`, with
//! `peerform_version` in place of `terraform_version`. It reads nothing but build-time constants.

use super::Context;
use clap::Args;
use serde::Serialize;

#[derive(Args, Debug)]
pub struct VersionArgs {
    /// Print a JSON document: {"peerform_version": …, "platform": …}.
    #[arg(long)]
    pub json: bool,
}

/// The `version -json` document (a wire format: its fields are its contract).
#[derive(Serialize)]
struct VersionJson {
    peerform_version: &'static str,
    platform: String,
}

/// The platform in Go's `os_arch` spelling, as Terraform shows it (`linux_amd64`, `darwin_arm64`).
pub fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "x86" => "386",
        "powerpc64" => "ppc64",
        other => other,
    };
    format!("{os}_{arch}")
}

pub fn run(args: VersionArgs, ctx: &mut Context<'_>) -> anyhow::Result<i32> {
    let version = env!("CARGO_PKG_VERSION");
    if args.json {
        let doc = VersionJson {
            peerform_version: version,
            platform: platform(),
        };
        writeln!(ctx.out, "{}", serde_json::to_string_pretty(&doc)?)?;
    } else {
        writeln!(ctx.out, "peerform v{version}\non {}", platform())?;
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    #[test]
    fn platform_is_os_underscore_arch() {
        let platform = super::platform();
        assert!(platform.contains('_'), "{platform}");
        assert!(!platform.contains("x86_64"), "{platform}");
    }
}
