//! The debug log, Terraform's `TF_LOG` model: `PEERFORM_LOG=trace|debug|info|warn|error` turns it on,
//! lines go to standard error, or appended to the file `PEERFORM_LOG_PATH` names. Every line passes
//! through redaction before it is written: the values given with `--var`, the values of `TF_VAR_*`
//! and of credential-like environment variables are masked wherever they appear, and so is the value
//! in any `key = value` whose key names a secret (`shared_key`, `password`, `token`…). Callers log
//! names, counts and timings, never configuration values; redaction is the second line of defence.
//! Logging never fails a command: a log that cannot be written is dropped.

use regex::Regex;
use std::ffi::OsString;
use std::fmt;
use std::io::Write;
use std::sync::{Mutex, OnceLock};

/// What a masked value is replaced with (Terraform's wording for sensitive values).
pub const REDACTED: &str = "(sensitive value)";

/// Severity of a log line; the log shows lines at or above the configured level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace,
    Debug,
    Info,
    Warn,
    Error,
}

impl Level {
    fn parse(text: &str) -> Option<Level> {
        match text.trim().to_ascii_lowercase().as_str() {
            "trace" | "json" => Some(Level::Trace),
            "debug" => Some(Level::Debug),
            "info" => Some(Level::Info),
            "warn" => Some(Level::Warn),
            "error" => Some(Level::Error),
            _ => None,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => "INFO",
            Level::Warn => "WARN",
            Level::Error => "ERROR",
        }
    }
}

enum Sink {
    Stderr,
    File(std::fs::File),
}

struct Logger {
    level: Level,
    sink: Sink,
    /// Values to mask wherever they appear, longest first.
    secrets: Vec<String>,
}

static LOGGER: Mutex<Option<Logger>> = Mutex::new(None);

/// Environment variables whose values are credentials even though no `--var` names them.
fn is_secret_env_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.starts_with("TF_VAR_")
        || [
            "SECRET",
            "PASSWORD",
            "TOKEN",
            "KEY",
            "CREDENTIAL",
            "CONNECTION_STRING",
        ]
        .iter()
        .any(|word| upper.contains(word))
}

/// Start logging if `PEERFORM_LOG` asks for it. Returns a warning to show when the log file named
/// by `PEERFORM_LOG_PATH` cannot be opened (the log then goes to standard error).
pub fn init(env: &[(String, String)], args: &[OsString]) -> Option<String> {
    let get = |key: &str| env.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str());
    let level = get("PEERFORM_LOG").and_then(Level::parse)?;
    let mut warning = None;
    let sink = match get("PEERFORM_LOG_PATH").filter(|p| !p.is_empty()) {
        Some(path) => match std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
        {
            Ok(file) => Sink::File(file),
            Err(e) => {
                warning = Some(format!(
                    "cannot open the log file {path}: {e}; logging to stderr"
                ));
                Sink::Stderr
            }
        },
        None => Sink::Stderr,
    };
    let mut secrets: Vec<String> = env
        .iter()
        .filter(|(name, _)| is_secret_env_name(name))
        .map(|(_, value)| value.clone())
        .collect();
    secrets.extend(var_values(args));
    secrets.retain(|s| !s.trim().is_empty());
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    secrets.dedup();
    if let Ok(mut slot) = LOGGER.lock() {
        *slot = Some(Logger {
            level,
            sink,
            secrets,
        });
    }
    warning
}

pub fn debug(message: fmt::Arguments<'_>) {
    write(Level::Debug, message);
}

pub fn info(message: fmt::Arguments<'_>) {
    write(Level::Info, message);
}

pub fn write(level: Level, message: fmt::Arguments<'_>) {
    let Ok(mut slot) = LOGGER.lock() else { return };
    let Some(logger) = slot.as_mut() else { return };
    if level < logger.level {
        return;
    }
    let text = redact(&message.to_string(), &logger.secrets);
    let line = format!("{} [{}] {}\n", timestamp(), level.label(), text);
    let _ = match &mut logger.sink {
        Sink::Stderr => std::io::stderr().write_all(line.as_bytes()),
        Sink::File(file) => file.write_all(line.as_bytes()),
    };
}

/// The values given with `--var NAME=VALUE` / `--var=NAME=VALUE` (after argv normalisation).
fn var_values(args: &[OsString]) -> Vec<String> {
    let mut values = Vec::new();
    let mut next_is_var = false;
    for arg in args.iter().map(|a| a.to_string_lossy()) {
        let assignment = if next_is_var {
            next_is_var = false;
            Some(arg.to_string())
        } else if arg == "--var" {
            next_is_var = true;
            None
        } else {
            arg.strip_prefix("--var=").map(str::to_string)
        };
        if let Some(assignment) = assignment
            && let Some((_, value)) = assignment.split_once('=')
        {
            values.push(value.to_string());
            let unquoted = value.trim().trim_matches('"');
            if unquoted != value {
                values.push(unquoted.to_string());
            }
        }
    }
    values
}

/// The command line with every `--var` value masked.
pub fn redacted_argv(args: &[OsString]) -> String {
    let mut out = Vec::with_capacity(args.len());
    let mut next_is_var = false;
    for arg in args.iter().map(|a| a.to_string_lossy()) {
        let mask = |assignment: &str| match assignment.split_once('=') {
            Some((name, _)) => format!("{name}={REDACTED}"),
            None => assignment.to_string(),
        };
        if next_is_var {
            next_is_var = false;
            out.push(mask(&arg));
        } else if arg == "--var" {
            next_is_var = true;
            out.push(arg.to_string());
        } else if let Some(assignment) = arg.strip_prefix("--var=") {
            out.push(format!("--var={}", mask(assignment)));
        } else {
            out.push(arg.to_string());
        }
    }
    out.join(" ")
}

fn secret_assignment() -> &'static Regex {
    static PATTERN: OnceLock<Regex> = OnceLock::new();
    PATTERN.get_or_init(|| {
        Regex::new(
            r#"(?i)\b([a-z0-9_]*(?:shared_key|authorization_key|password|secret|token|access_key|private_key))(\s*[=:]\s*)("(?:[^"\\]|\\.)*"|[^\s,}\]]+)"#,
        )
        .expect("the secret assignment pattern compiles")
    })
}

/// Mask every known secret value, and the value of every secret-named assignment, in `text`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut out = text.to_string();
    for secret in secrets {
        if !secret.is_empty() && out.contains(secret.as_str()) {
            out = out.replace(secret.as_str(), REDACTED);
        }
    }
    secret_assignment()
        .replace_all(&out, |caps: &regex::Captures<'_>| {
            format!("{}{}{REDACTED}", &caps[1], &caps[2])
        })
        .into_owned()
}

/// Now, as RFC 3339 UTC with milliseconds (`2025-01-31T12:00:00.000Z`).
fn timestamp() -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let secs = now.as_secs();
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60,
        now.subsec_millis()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn var_values_are_masked_on_the_command_line() {
        let args = os(&[
            "peerform",
            "plan",
            "--var",
            "shared_key=abc123",
            "--var=pw=\"x y\"",
        ]);
        let shown = redacted_argv(&args);
        assert!(!shown.contains("abc123"), "{shown}");
        assert!(!shown.contains("x y"), "{shown}");
        assert!(shown.contains("shared_key=(sensitive value)"), "{shown}");
        assert_eq!(var_values(&args), vec!["abc123", "\"x y\"", "x y"]);
    }

    #[test]
    fn known_secrets_and_secret_assignments_are_masked() {
        let secrets = vec!["hunter22".to_string()];
        let text = redact(
            "got hunter22 and shared_key = \"s3cr3t\" and token: abc",
            &secrets,
        );
        assert!(!text.contains("hunter22"));
        assert!(!text.contains("s3cr3t"));
        assert!(!text.contains("abc"));
        assert!(text.contains("shared_key = (sensitive value)"), "{text}");
    }

    #[test]
    fn levels_parse_like_tf_log() {
        assert_eq!(Level::parse("DEBUG"), Some(Level::Debug));
        assert_eq!(Level::parse("trace"), Some(Level::Trace));
        assert_eq!(Level::parse("off"), None);
    }

    #[test]
    fn timestamps_are_rfc3339() {
        let t = timestamp();
        assert_eq!(t.len(), 24, "{t}");
        assert!(t.ends_with('Z'));
    }
}
