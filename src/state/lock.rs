//! State locks, backend-independent parts: who holds a lock and since when, the typed "state locked"
//! error callers branch on, retrying with an injected wait until a timeout, and Terraform-style
//! durations (`10s`, `5m`). It must not read the clock or the environment: the caller supplies who and
//! when, and the sleeping.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::time::Duration;

use super::backend::Backend;

/// What a caller asks for when it locks the state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockRequest {
    /// `user@host`.
    pub who: String,
    /// The command taking the lock: `apply`, `state mv`…
    pub operation: String,
    /// When, RFC 3339 UTC (see [`format_timestamp`]).
    pub created: String,
}

/// A lock as stored by a backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockInfo {
    pub id: String,
    pub who: String,
    pub operation: String,
    pub created: String,
}

impl LockInfo {
    pub fn new(request: &LockRequest) -> Self {
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            who: request.who.clone(),
            operation: request.operation.clone(),
            created: request.created.clone(),
        }
    }

    /// The JSON a lock file or lock row holds: `{created, id, operation, who}`.
    pub fn to_json(&self) -> Vec<u8> {
        let wire = LockWire {
            created: self.created.clone(),
            id: self.id.clone(),
            operation: self.operation.clone(),
            who: self.who.clone(),
        };
        let mut bytes = serde_json::to_vec_pretty(&wire).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    pub fn from_json(bytes: &[u8]) -> Result<Self, String> {
        let wire: LockWire = serde_json::from_slice(bytes).map_err(|e| e.to_string())?;
        Ok(LockInfo {
            id: wire.id,
            who: wire.who,
            operation: wire.operation,
            created: wire.created,
        })
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct LockWire {
    created: String,
    id: String,
    operation: String,
    who: String,
}

/// The state is locked by someone else. Callers branch on this (retry, report the holder).
#[derive(Clone, Debug)]
pub struct StateLocked {
    /// What is locked, e.g. the lock file's path.
    pub location: String,
    /// The holder, when the lock could be read.
    pub holder: Option<LockInfo>,
}

impl fmt::Display for StateLocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.holder {
            Some(h) => write!(
                f,
                "the state is locked ({}): held by {} for {} since {} with lock id {}; wait for that run to finish, or if it crashed remove the lock with `peerform force-unlock {}`",
                self.location, h.who, h.operation, h.created, h.id, h.id
            ),
            None => write!(
                f,
                "the state is locked ({}) by a holder whose lock cannot be read; if no run is active, delete that lock",
                self.location
            ),
        }
    }
}

impl std::error::Error for StateLocked {}

/// How long to keep trying for a lock, and how long to wait between tries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryOptions {
    pub timeout: Duration,
    pub interval: Duration,
}

/// Take the lock, retrying while someone else holds it until `timeout` has been spent waiting. Time is
/// counted from the waits themselves (`sleep` is called with `interval`), so tests inject a no-op.
pub fn lock_with_retry(
    backend: &dyn Backend,
    request: &LockRequest,
    retry: RetryOptions,
    sleep: &mut dyn FnMut(Duration),
) -> anyhow::Result<LockInfo> {
    let mut waited = Duration::ZERO;
    loop {
        match backend.lock(request) {
            Ok(info) => return Ok(info),
            Err(e) if e.downcast_ref::<StateLocked>().is_some() => {
                if waited >= retry.timeout || retry.interval.is_zero() {
                    return Err(e);
                }
                sleep(retry.interval);
                waited += retry.interval;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Parse a Terraform-style duration: `0`, `500ms`, `10s`, `5m`, `1h`, `1m30s`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad = || {
        format!("invalid duration {text:?}: write a number with a unit, such as 10s, 500ms or 5m")
    };
    if text == "0" {
        return Ok(Duration::ZERO);
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
        if digits == 0 {
            return Err(bad());
        }
        let number: u64 = rest[..digits].parse().map_err(|_| bad())?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let millis = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            _ => return Err(bad()),
        };
        total += Duration::from_millis(number.checked_mul(millis).ok_or_else(bad)?);
    }
    Ok(total)
}

/// Format seconds since the Unix epoch as RFC 3339 UTC (`2026-11-26T09:14:03Z`).
pub fn format_timestamp(unix_seconds: u64) -> String {
    let days = (unix_seconds / 86_400) as i64;
    let rem = unix_seconds % 86_400;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_like_terraform() {
        assert_eq!(parse_duration("0").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("0s").unwrap(), Duration::ZERO);
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("1m30s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("2h").unwrap(), Duration::from_secs(7200));
        for bad in ["", "s", "10", "10x", "-1s", "1.5s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps_are_rfc3339_utc() {
        assert_eq!(format_timestamp(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_timestamp(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(format_timestamp(1_795_000_000), "2026-11-18T11:06:40Z");
    }

    #[test]
    fn lock_info_round_trips_and_rejects_unknown_fields() {
        let info = LockInfo::new(&LockRequest {
            who: "ana@host".into(),
            operation: "state mv".into(),
            created: "2026-01-01T00:00:00Z".into(),
        });
        assert_eq!(LockInfo::from_json(&info.to_json()).unwrap(), info);
        assert!(LockInfo::from_json(b"{\"id\":\"x\"}").is_err());
    }
}
