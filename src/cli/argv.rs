//! The argv normaliser: Terraform's single-dash flags (`-var=…`, `-chdir=…`, `-json`, `-out=…`,
//! `-auto-approve`…) become their GNU spellings before clap sees them, so muscle memory works. Later
//! commands add their flags to [`LONG_FLAGS`].

use std::ffi::OsString;

/// Every long flag that may be written with one dash, as Terraform documents them.
pub const LONG_FLAGS: &[&str] = &[
    "chdir",
    "no-color",
    "json",
    "var",
    "var-file",
    "out",
    "auto-approve",
    "detailed-exitcode",
    "lock",
    "lock-timeout",
    "parallelism",
    "refresh",
    "refresh-only",
    "target",
    "replace",
    "destroy",
    "check",
    "diff",
    "recursive",
    "write",
    "list",
    "help",
    "version",
    "force",
    "git",
    "migrate-state",
    "reconfigure",
    "raw",
    "markdown",
    "backup",
    "state",
    "state-out",
    "dry-run",
    "rule",
    "cloud",
    "allow-cloud-change",
    "listen",
    "fault-rate",
    "fault-seed",
    "latency",
    "provider-mode",
    "retry-after",
    "operation-polls",
    "threads",
    "format",
    "plan",
    "show-sensitive",
    "wait-provisioning",
];

/// Rewrite `-flag` and `-flag=value` into `--flag` and `--flag=value` for known long flags. Arguments
/// after a bare `--` are left alone, and so are values (a `-1` after `--var` stays a value).
pub fn normalise_args(args: Vec<OsString>) -> Vec<OsString> {
    let mut out = Vec::with_capacity(args.len());
    let mut passthrough = false;
    for (i, arg) in args.into_iter().enumerate() {
        if i == 0 || passthrough {
            out.push(arg);
            continue;
        }
        let Some(text) = arg.to_str() else {
            out.push(arg);
            continue;
        };
        if text == "--" {
            passthrough = true;
            out.push(arg);
            continue;
        }
        if let Some(rest) = text.strip_prefix('-').filter(|r| !r.starts_with('-')) {
            let name = rest.split('=').next().unwrap_or(rest);
            if LONG_FLAGS.contains(&name) {
                out.push(OsString::from(format!("-{text}")));
                continue;
            }
        }
        out.push(arg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norm(args: &[&str]) -> Vec<String> {
        normalise_args(args.iter().map(OsString::from).collect())
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn single_dash_terraform_flags_become_gnu_flags() {
        assert_eq!(
            norm(&[
                "peerform",
                "-chdir=infra",
                "validate",
                "-json",
                "-var",
                "a=1",
                "-var-file=x.tfvars"
            ]),
            vec![
                "peerform",
                "--chdir=infra",
                "validate",
                "--json",
                "--var",
                "a=1",
                "--var-file=x.tfvars"
            ]
        );
    }

    /// Every long flag of every command, as clap defines them.
    fn long_flags(command: &clap::Command, out: &mut Vec<(String, String)>) {
        for arg in command.get_arguments() {
            if let Some(long) = arg.get_long() {
                out.push((command.get_name().to_string(), long.to_string()));
            }
        }
        for sub in command.get_subcommands() {
            long_flags(sub, out);
        }
    }

    #[test]
    fn every_long_flag_has_its_single_dash_spelling() {
        use clap::CommandFactory;
        let mut command = crate::cli::Cli::command();
        command.build();
        let mut flags = Vec::new();
        long_flags(&command, &mut flags);
        assert!(flags.len() > 20, "too few flags found: {flags:?}");
        let missing: Vec<String> = flags
            .iter()
            .filter(|(_, long)| !LONG_FLAGS.contains(&long.as_str()))
            .map(|(command, long)| format!("{command} --{long}"))
            .collect();
        assert!(
            missing.is_empty(),
            "add these to LONG_FLAGS so -flag works too: {missing:?}"
        );
    }

    /// Commands (at any depth) whose long help lacks an example.
    fn without_example(command: &mut clap::Command, path: &str, out: &mut Vec<String>) {
        for sub in command.get_subcommands_mut() {
            if sub.get_name() == "help" || sub.is_hide_set() {
                continue;
            }
            let name = format!("{path} {}", sub.get_name());
            if !sub.render_long_help().to_string().contains("Example") {
                out.push(name.clone());
            }
            without_example(sub, &name, out);
        }
    }

    #[test]
    fn every_command_help_has_an_example() {
        use clap::CommandFactory;
        let mut command = crate::cli::Cli::command();
        command.build();
        let mut missing = Vec::new();
        without_example(&mut command, "peerform", &mut missing);
        assert!(
            missing.is_empty(),
            "commands without an example in --help: {missing:?}"
        );
    }

    #[test]
    fn terraform_fmt_spellings() {
        assert_eq!(
            norm(&[
                "peerform",
                "fmt",
                "-check",
                "-diff",
                "-write=false",
                "-list=false",
                "-recursive",
                "-"
            ]),
            vec![
                "peerform",
                "fmt",
                "--check",
                "--diff",
                "--write=false",
                "--list=false",
                "--recursive",
                "-"
            ]
        );
        assert_eq!(
            norm(&["peerform", "-version"]),
            vec!["peerform", "--version"]
        );
    }

    #[test]
    fn values_and_unknown_flags_are_left_alone() {
        assert_eq!(
            norm(&["peerform", "validate", "-x", "--json", "--", "-json"]),
            vec!["peerform", "validate", "-x", "--json", "--", "-json"]
        );
    }
}
