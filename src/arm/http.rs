//! The HTTP side of [`Transport`]: a small blocking client (ureq) that sends one request and returns
//! whatever status and body came back, and `HttpTransport`, which resolves paths against one ARM
//! endpoint and refuses to send anything (credentials included) to another origin. It must not
//! retry, poll or interpret bodies: that is the ARM client's job.

use super::{Method, Request, Response, Transport};
use anyhow::{Context, Result, bail};
use std::io::Read;
use std::time::Duration;

/// Largest response body accepted (ARM list pages stay far below this).
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// A blocking HTTP client. Loopback endpoints bypass any proxy from the environment.
#[derive(Clone)]
pub struct HttpClient {
    agent: ureq::Agent,
    direct: ureq::Agent,
}

impl HttpClient {
    /// A client with this per-request timeout.
    pub fn new(timeout: Duration) -> HttpClient {
        let build = |proxy_from_env: bool| {
            let mut config = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .max_redirects(0)
                .timeout_global(Some(timeout))
                .user_agent(concat!("peerform/", env!("CARGO_PKG_VERSION")));
            if !proxy_from_env {
                config = config.proxy(None);
            }
            ureq::Agent::new_with_config(config.build())
        };
        HttpClient {
            agent: build(true),
            direct: build(false),
        }
    }

    /// Send a request to an absolute `http://` or `https://` URL.
    pub fn send(&self, request: &Request) -> Result<Response> {
        let url = &request.url;
        let origin = origin_of(url).with_context(|| format!("invalid URL {url:?}"))?;
        let agent = if is_loopback(&origin) {
            &self.direct
        } else {
            &self.agent
        };
        let mut builder = ureq::http::Request::builder()
            .method(request.method.as_str())
            .uri(url.as_str());
        for (name, value) in &request.headers {
            builder = builder.header(name.as_str(), value.as_str());
        }
        let body = request.body.clone().unwrap_or_default();
        let http_request = builder
            .body(body)
            .with_context(|| format!("building {} {url}", request.method))?;
        let mut response = agent
            .run(http_request)
            .with_context(|| format!("{} {url}: no response", request.method))?;
        let status = response.status().as_u16();
        let headers = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let mut body = Vec::new();
        response
            .body_mut()
            .as_reader()
            .take(MAX_BODY)
            .read_to_end(&mut body)
            .with_context(|| format!("{} {url}: reading the response body", request.method))?;
        Ok(Response {
            status,
            headers,
            body,
        })
    }
}

/// `scheme://host[:port]` of an absolute URL, lower-cased.
pub fn origin_of(url: &str) -> Result<String> {
    let Some(scheme_end) = url.find("://") else {
        bail!("not an absolute URL");
    };
    let scheme = url[..scheme_end].to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        bail!("unsupported scheme {scheme:?}");
    }
    let rest = &url[scheme_end + 3..];
    let host_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let host = &rest[..host_end];
    if host.is_empty() || host.contains('@') {
        bail!("missing or unsupported host");
    }
    Ok(format!("{scheme}://{}", host.to_ascii_lowercase()))
}

/// True for `http(s)://127.x.x.x`, `localhost` and `[::1]` origins.
pub fn is_loopback(origin: &str) -> bool {
    let host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    let host = if host.starts_with('[') {
        host.split(']')
            .next()
            .unwrap_or(host)
            .trim_start_matches('[')
    } else {
        host.split(':').next().unwrap_or(host)
    };
    host == "localhost"
        || host == "::1"
        || host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// A transport to one ARM endpoint (`https://management.azure.com`, `http://127.0.0.1:PORT`).
pub struct HttpTransport {
    endpoint: String,
    client: HttpClient,
}

impl HttpTransport {
    /// `endpoint` is the base URL; a trailing slash is ignored.
    pub fn new(endpoint: &str, timeout: Duration) -> Result<HttpTransport> {
        let endpoint = endpoint.trim_end_matches('/').to_string();
        let origin =
            origin_of(&endpoint).with_context(|| format!("invalid ARM endpoint {endpoint:?}"))?;
        if origin != endpoint.to_ascii_lowercase() {
            bail!("the ARM endpoint {endpoint:?} must be scheme://host[:port] with no path");
        }
        Ok(HttpTransport {
            endpoint,
            client: HttpClient::new(timeout),
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }
}

impl Transport for HttpTransport {
    fn send(&self, mut request: Request) -> Result<Response> {
        if request.url.starts_with('/') {
            request.url = format!("{}{}", self.endpoint, request.url);
        } else {
            let origin = origin_of(&request.url)
                .with_context(|| format!("invalid URL {:?} from the server", request.url))?;
            if origin != self.endpoint.to_ascii_lowercase() {
                bail!(
                    "refusing to send a request to {origin}: only {} is trusted with credentials",
                    self.endpoint
                );
            }
        }
        if request.method == Method::Get || request.method == Method::Delete {
            request.body = None;
        }
        self.client.send(&request)
    }

    fn describe(&self) -> String {
        self.endpoint.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_and_loopback() {
        assert_eq!(
            origin_of("HTTP://127.0.0.1:80/x?y").unwrap(),
            "http://127.0.0.1:80"
        );
        assert!(origin_of("ftp://x").is_err());
        assert!(origin_of("/relative").is_err());
        assert!(is_loopback("http://127.0.0.1:9"));
        assert!(is_loopback("http://localhost"));
        assert!(is_loopback("http://[::1]:8080"));
        assert!(!is_loopback("https://management.azure.com"));
        assert!(HttpTransport::new("http://127.0.0.1:1/x", Duration::from_secs(1)).is_err());
    }

    #[test]
    fn refuses_foreign_polling_urls() {
        let t = HttpTransport::new("http://127.0.0.1:1", Duration::from_secs(1)).unwrap();
        let err = t
            .send(Request::new(Method::Get, "http://127.0.0.2:1/x"))
            .unwrap_err();
        assert!(err.to_string().contains("refusing"), "{err}");
    }
}
