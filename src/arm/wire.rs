//! ARM wire shapes shared by client and emulator: the error body `{"error":{"code","message"}}` and
//! the typed [`ArmError`] callers branch on, the async-operation status body, the header names of
//! long-running operations and request ids, `Retry-After`, query strings and GUIDs. It must not
//! know resource-specific properties.

use std::fmt;
use std::time::Duration;

pub const HEADER_ASYNC_OPERATION: &str = "Azure-AsyncOperation";
pub const HEADER_LOCATION: &str = "Location";
pub const HEADER_RETRY_AFTER: &str = "Retry-After";
pub const HEADER_REQUEST_ID: &str = "x-ms-request-id";
pub const HEADER_CORRELATION_ID: &str = "x-ms-correlation-request-id";
pub const HEADER_CLIENT_REQUEST_ID: &str = "x-ms-client-request-id";

/// An error ARM (or the emulator) answered with: HTTP status, ARM code and message, request id.
/// This is the typed error callers branch on (404 vs 409 vs 429…); it travels inside `anyhow`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArmError {
    pub status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

impl ArmError {
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> ArmError {
        ArmError {
            status,
            code: code.to_string(),
            message: message.into(),
            request_id: None,
        }
    }

    /// The JSON body ARM sends for this error.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": { "code": self.code, "message": self.message } })
    }

    /// Read an error from a non-success response. A body that is not ARM-shaped still gives an
    /// error that names the status and shows the start of what came back.
    pub fn from_response(response: &super::Response) -> ArmError {
        let request_id = response.request_id().map(str::to_string);
        let parsed = serde_json::from_slice::<serde_json::Value>(&response.body).ok();
        let error = parsed.as_ref().and_then(|v| v.get("error"));
        let code = error
            .and_then(|e| e.get("code"))
            .and_then(|c| c.as_str())
            .map(str::to_string);
        let message = error
            .and_then(|e| e.get("message"))
            .and_then(|m| m.as_str())
            .map(str::to_string);
        match (code, message) {
            (Some(code), message) => ArmError {
                status: response.status,
                code,
                message: message.unwrap_or_default(),
                request_id,
            },
            (None, _) => ArmError {
                status: response.status,
                code: format!("HttpStatus{}", response.status),
                message: if response.body.is_empty() {
                    "the response had no body".to_string()
                } else {
                    format!(
                        "the response is not an ARM error body: {}",
                        snippet(&response.body)
                    )
                },
                request_id,
            },
        }
    }
}

impl fmt::Display for ArmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} (HTTP {}", self.code, self.message, self.status)?;
        if let Some(id) = &self.request_id {
            write!(f, ", request id {id}")?;
        }
        write!(f, ")")
    }
}

impl std::error::Error for ArmError {}

/// The first 200 characters of a body, for error messages (lossy UTF-8, control characters shown).
pub fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out: String = text.chars().take(200).collect();
    if text.chars().count() > 200 {
        out.push('…');
    }
    format!("{out:?}")
}

/// Status of an async operation (`Azure-AsyncOperation` polling body).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperationStatus {
    InProgress,
    Succeeded,
    Failed,
    Canceled,
}

impl OperationStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            OperationStatus::InProgress => "InProgress",
            OperationStatus::Succeeded => "Succeeded",
            OperationStatus::Failed => "Failed",
            OperationStatus::Canceled => "Canceled",
        }
    }

    /// Parse a status; ARM documents the four above, anything else non-terminal counts as running.
    pub fn parse(text: &str) -> OperationStatus {
        match text.to_ascii_lowercase().as_str() {
            "succeeded" => OperationStatus::Succeeded,
            "failed" => OperationStatus::Failed,
            "canceled" | "cancelled" => OperationStatus::Canceled,
            _ => OperationStatus::InProgress,
        }
    }

    pub fn is_terminal(&self) -> bool {
        !matches!(self, OperationStatus::InProgress)
    }
}

/// `Retry-After` in seconds (ARM sends integers; an HTTP date is not used by ARM and is ignored).
pub fn parse_retry_after(value: Option<&str>) -> Option<Duration> {
    let seconds: f64 = value?.trim().parse().ok()?;
    if seconds.is_finite() && seconds >= 0.0 {
        Some(Duration::from_secs_f64(seconds.min(86_400.0)))
    } else {
        None
    }
}

/// Split `path?query` into the path and decoded query pairs.
pub fn split_url(url: &str) -> (&str, Vec<(String, String)>) {
    let (path, query) = match url.split_once('?') {
        Some((p, q)) => (p, q),
        None => (url, ""),
    };
    let pairs = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (
                super::id::percent_decode(&k.replace('+', " ")),
                super::id::percent_decode(&v.replace('+', " ")),
            )
        })
        .collect();
    (path, pairs)
}

/// The path and query of an absolute URL (`http://host:port/p?q` → `/p?q`); a path is returned as is.
pub fn path_and_query(url: &str) -> &str {
    match url.find("://") {
        Some(scheme_end) => {
            let after = &url[scheme_end + 3..];
            match after.find('/') {
                Some(slash) => &after[slash..],
                None => "/",
            }
        }
        None => url,
    }
}

/// A random GUID in the usual 8-4-4-4-12 form (version 4).
pub fn new_guid() -> String {
    let bytes: [u8; 16] = rand::random();
    let mut b = bytes;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::arm::Response;

    #[test]
    fn error_from_arm_body_and_from_garbage() {
        let response = Response::new(409)
            .with_json(&serde_json::json!({"error": {"code": "Conflict", "message": "busy"}}))
            .with_header(HEADER_REQUEST_ID, "r-1");
        let e = ArmError::from_response(&response);
        assert_eq!(e.to_string(), "Conflict: busy (HTTP 409, request id r-1)");
        let mut garbage = Response::new(502);
        garbage.body = b"<html>bad gateway".to_vec();
        let e = ArmError::from_response(&garbage);
        assert_eq!(e.code, "HttpStatus502");
        assert!(e.message.contains("bad gateway"));
    }

    #[test]
    fn urls_and_retry_after() {
        let (path, q) = split_url("/a/b?api-version=2025-09-01&x=%20y");
        assert_eq!(path, "/a/b");
        assert_eq!(q[0], ("api-version".into(), "2025-09-01".into()));
        assert_eq!(q[1].1, " y");
        assert_eq!(path_and_query("http://127.0.0.1:9/x?y=1"), "/x?y=1");
        assert_eq!(path_and_query("/x"), "/x");
        assert_eq!(parse_retry_after(Some("3")), Some(Duration::from_secs(3)));
        assert_eq!(parse_retry_after(Some("soon")), None);
        assert_eq!(parse_retry_after(Some("-1")), None);
        assert_eq!(new_guid().len(), 36);
    }
}
