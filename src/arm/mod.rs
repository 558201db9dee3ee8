//! The Azure Resource Manager protocol, both sides of it: resource ids and paths (`id`), api-versions,
//! wire bodies and the error shape (`wire`), long-running-operation headers, the property flags of
//! the Microsoft.Network types (`spec`), and the [`Transport`] trait with its HTTP implementation
//! (`http`); the in-process implementation is the emulator's. It must not know HCL, schemas, plans
//! or state: callers hand it JSON bodies and get JSON back.

pub mod http;
pub mod id;
pub mod spec;
pub mod wire;

pub use id::{ResourceId, ResourceKind};
pub use wire::ArmError;

/// Microsoft.Network api-version every request of ours uses (reference §0.2).
pub const NETWORK_API_VERSION: &str = "2025-09-01";
/// Microsoft.Resources api-version for resource groups (what azurerm uses).
pub const RESOURCES_API_VERSION: &str = "2023-07-01";

/// An HTTP method ARM uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Put,
    Patch,
    Delete,
    Post,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Post => "POST",
        }
    }

    /// Parse a method name (case-insensitive); `None` for one ARM does not use.
    pub fn parse(name: &str) -> Option<Method> {
        match name.to_ascii_uppercase().as_str() {
            "GET" => Some(Method::Get),
            "PUT" => Some(Method::Put),
            "PATCH" => Some(Method::Patch),
            "DELETE" => Some(Method::Delete),
            "POST" => Some(Method::Post),
            _ => None,
        }
    }
}

impl std::fmt::Display for Method {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One request. `url` is either a path with its query (`/subscriptions/…?api-version=…`), resolved
/// against the transport's endpoint, or an absolute URL the server handed out (polling URLs).
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<Vec<u8>>,
}

impl Request {
    pub fn new(method: Method, url: impl Into<String>) -> Request {
        Request {
            method,
            url: url.into(),
            headers: Vec::new(),
            body: None,
        }
    }

    /// Attach a JSON body (and its content type).
    pub fn json(mut self, body: &serde_json::Value) -> Request {
        self.body = Some(body.to_string().into_bytes());
        self.headers
            .push(("Content-Type".into(), "application/json".into()));
        self
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Request {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// A header's value (names compare case-insensitively).
    pub fn header_value(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }
}

/// One response: status, headers and the raw body (which may be anything: callers check).
#[derive(Clone, Debug, Default)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn with_json(mut self, body: &serde_json::Value) -> Response {
        self.body = body.to_string().into_bytes();
        self.headers.push((
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        ));
        self
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        find_header(&self.headers, name)
    }

    /// `x-ms-request-id`, which every ARM error report should show.
    pub fn request_id(&self) -> Option<&str> {
        self.header(wire::HEADER_REQUEST_ID)
    }
}

fn find_header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// Where requests go: Azure or any ARM-compatible endpoint over HTTP, or the in-process emulator.
/// A transport error (`Err`) means no response arrived (connection refused, reset, timeout); any
/// response, whatever its status or body, is `Ok`.
pub trait Transport: Send + Sync {
    fn send(&self, request: Request) -> anyhow::Result<Response>;
    /// What this transport talks to, for the first line of human output (`emulator (…)`, a URL).
    fn describe(&self) -> String;
}

impl<T: Transport + ?Sized> Transport for std::sync::Arc<T> {
    fn send(&self, request: Request) -> anyhow::Result<Response> {
        (**self).send(request)
    }

    fn describe(&self) -> String {
        (**self).describe()
    }
}
