//! The ARM client over a [`Transport`]: PUT/GET/PATCH/DELETE with long-running operations followed
//! through `Azure-AsyncOperation` or `Location` (honouring `Retry-After`), retries with exponential
//! backoff and jitter on 429, 5xx, "another operation in progress" and connection errors, bounded
//! in attempts and total time; a token-bucket limit on reads; bearer tokens from a
//! [`TokenProvider`] refreshed when ARM says one expired; and errors that carry ARM's code, message
//! and request id ([`ArmError`]). Every wait is an injectable interval in [`ClientOptions`]. It must
//! not know azurerm attribute names.

use super::auth::TokenProvider;
use crate::arm::wire::{
    HEADER_ASYNC_OPERATION, HEADER_CLIENT_REQUEST_ID, HEADER_LOCATION, HEADER_RETRY_AFTER,
    OperationStatus, new_guid, parse_retry_after, snippet,
};
use crate::arm::{ArmError, Method, Request, ResourceId, Response, Transport};
use anyhow::{Context, Result, anyhow, bail};
use rand::Rng;
use serde_json::Value;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Waits and limits of the client. `new` gives values fit for Azure; `for_emulator` makes every wait
/// near zero (the in-process emulator, and tests).
#[derive(Clone, Debug)]
pub struct ClientOptions {
    pub subscription_id: String,
    /// Poll interval when the server sends no `Retry-After`.
    pub poll_interval: Duration,
    /// Longest `Retry-After` honoured (longer values are cut to this).
    pub max_retry_after: Duration,
    /// First retry delay; doubled per attempt up to `retry_max`, with jitter.
    pub retry_base: Duration,
    pub retry_max: Duration,
    /// Attempts per request (the first included).
    pub max_attempts: u32,
    /// Total time one request may spend retrying.
    pub retry_budget: Duration,
    /// Longest wait for one long-running operation (apply passes `timeouts {}` here).
    pub operation_timeout: Duration,
    /// Client-side read limit: sustained GETs per second and burst (0 disables the limit).
    pub reads_per_second: f64,
    pub read_burst: f64,
    /// GETs tried when a resource just written reads back 404 (eventual consistency).
    pub read_after_write_attempts: u32,
}

impl ClientOptions {
    pub fn new(subscription_id: &str) -> ClientOptions {
        ClientOptions {
            subscription_id: subscription_id.to_string(),
            poll_interval: Duration::from_secs(5),
            max_retry_after: Duration::from_secs(60),
            retry_base: Duration::from_secs(1),
            retry_max: Duration::from_secs(30),
            max_attempts: 12,
            retry_budget: Duration::from_secs(300),
            operation_timeout: Duration::from_secs(90 * 60),
            reads_per_second: 20.0,
            read_burst: 100.0,
            read_after_write_attempts: 10,
        }
    }

    /// Near-zero waits: for the in-process emulator and for tests against `emulator serve`.
    pub fn for_emulator(subscription_id: &str) -> ClientOptions {
        ClientOptions {
            poll_interval: Duration::from_millis(1),
            max_retry_after: Duration::from_millis(5),
            retry_base: Duration::from_millis(1),
            retry_max: Duration::from_millis(10),
            max_attempts: 60,
            retry_budget: Duration::from_secs(60),
            operation_timeout: Duration::from_secs(60),
            reads_per_second: 0.0,
            read_burst: 0.0,
            read_after_write_attempts: 10,
            ..ClientOptions::new(subscription_id)
        }
    }
}

struct Bucket {
    tokens: f64,
    last: Instant,
}

/// Counters a caller (or a test) can read: requests sent and retries made.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ClientStats {
    pub requests: u64,
    pub retries: u64,
}

pub struct ArmClient {
    transport: Arc<dyn Transport>,
    auth: Option<Arc<TokenProvider>>,
    options: ClientOptions,
    bucket: Mutex<Bucket>,
    stats: Mutex<ClientStats>,
}

impl ArmClient {
    /// A client; `auth` is `None` for the in-process emulator (which needs no token).
    pub fn new(
        transport: Arc<dyn Transport>,
        auth: Option<Arc<TokenProvider>>,
        options: ClientOptions,
    ) -> ArmClient {
        let burst = options.read_burst.max(1.0);
        ArmClient {
            transport,
            auth,
            options,
            bucket: Mutex::new(Bucket {
                tokens: burst,
                last: Instant::now(),
            }),
            stats: Mutex::new(ClientStats::default()),
        }
    }

    pub fn subscription(&self) -> &str {
        &self.options.subscription_id
    }

    /// A client for another subscription over the same connection and credentials (a provider
    /// block with an `alias` and its own `subscription_id`).
    pub fn with_subscription(&self, subscription_id: &str) -> ArmClient {
        ArmClient::new(
            Arc::clone(&self.transport),
            self.auth.clone(),
            ClientOptions {
                subscription_id: subscription_id.to_string(),
                ..self.options.clone()
            },
        )
    }

    pub fn options(&self) -> &ClientOptions {
        &self.options
    }

    /// What the client talks to, for the first line of human output.
    pub fn describe(&self) -> String {
        self.transport.describe()
    }

    pub fn stats(&self) -> ClientStats {
        self.stats.lock().map(|s| *s).unwrap_or_default()
    }

    /// GET a resource; `None` when it does not exist (404).
    pub fn get(&self, id: &ResourceId) -> Result<Option<Value>> {
        let url = id.url();
        let response = self
            .execute(Method::Get, &url, None)
            .with_context(|| format!("reading {id}"))?;
        if response.status == 404 {
            return Ok(None);
        }
        expect_status(&response, &[200], Method::Get, &url)
            .with_context(|| format!("reading {id}"))?;
        json_body(&response, Method::Get, &url)
            .map(Some)
            .with_context(|| format!("reading {id}"))
    }

    /// GET every item of a list endpoint (`path?api-version=…`), following `nextLink`.
    pub fn list(&self, url: &str) -> Result<Vec<Value>> {
        let mut items = Vec::new();
        let mut next = Some(url.to_string());
        let mut pages = 0;
        while let Some(url) = next.take() {
            pages += 1;
            if pages > 10_000 {
                bail!("listing {url}: more than 10000 pages");
            }
            let response = self.execute(Method::Get, &url, None)?;
            expect_status(&response, &[200], Method::Get, &url)?;
            let body = json_body(&response, Method::Get, &url)?;
            let Some(page) = body.get("value").and_then(Value::as_array) else {
                bail!(
                    "GET {url}: the response has no `value` array (request id {})",
                    response.request_id().unwrap_or("none")
                );
            };
            items.extend(page.iter().cloned());
            next = body
                .get("nextLink")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(str::to_string);
        }
        Ok(items)
    }

    /// PUT a body and wait for the operation to finish; returns the resource as GET then shows it.
    pub fn put(&self, id: &ResourceId, body: &Value) -> Result<Value> {
        self.put_within(id, body, None)
    }

    /// [`ArmClient::put`] with its wait bounded by `timeout` (a resource's `timeouts {}`) instead of
    /// the client's `operation_timeout`.
    pub fn put_within(
        &self,
        id: &ResourceId,
        body: &Value,
        timeout: Option<Duration>,
    ) -> Result<Value> {
        let deadline = Instant::now() + timeout.unwrap_or(self.options.operation_timeout);
        self.put_inner(id, body, deadline)
            .with_context(|| format!("writing {id}"))
    }

    /// The bearer token requests carry, when the client signs in (`None` for the emulator).
    pub fn access_token(&self) -> Result<Option<String>> {
        self.auth.as_ref().map(|a| a.token()).transpose()
    }

    fn put_inner(&self, id: &ResourceId, body: &Value, deadline: Instant) -> Result<Value> {
        let url = id.url();
        let response = self.execute(Method::Put, &url, Some(body))?;
        expect_status(&response, &[200, 201, 202], Method::Put, &url)?;
        let immediate = if response.body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(json_body(&response, Method::Put, &url)?)
        };
        if let Some(poll) = response.header(HEADER_ASYNC_OPERATION) {
            self.wait_async(poll, &response, deadline)?;
        } else if let Some(poll) = response
            .header(HEADER_LOCATION)
            .filter(|_| response.status == 202)
        {
            self.wait_location(poll, &response, deadline)?;
        } else if let Some(body) = &immediate
            && is_settled(body)?
        {
            return Ok(body.clone());
        }
        self.read_after_write(id, deadline)
    }

    /// GET a resource just written until it exists and its `provisioningState` is terminal.
    fn read_after_write(&self, id: &ResourceId, deadline: Instant) -> Result<Value> {
        let mut misses = 0;
        loop {
            match self.get(id)? {
                None => {
                    misses += 1;
                    if misses >= self.options.read_after_write_attempts.max(1) {
                        bail!("the operation succeeded but {id} still reads as not found");
                    }
                }
                Some(body) => {
                    if is_settled(&body)? {
                        return Ok(body);
                    }
                }
            }
            if Instant::now() >= deadline {
                bail!("timed out waiting for {id} to leave a transitional provisioningState");
            }
            std::thread::sleep(self.options.poll_interval);
        }
    }

    /// PATCH `{"tags": …}` (synchronous for most types, a long-running operation for gateways and
    /// connections).
    pub fn patch_tags(&self, id: &ResourceId, tags: &Value) -> Result<Value> {
        let deadline = Instant::now() + self.options.operation_timeout;
        let url = id.url();
        let body = serde_json::json!({ "tags": tags });
        let result = (|| {
            let response = self.execute(Method::Patch, &url, Some(&body))?;
            expect_status(&response, &[200, 202], Method::Patch, &url)?;
            if let Some(poll) = response.header(HEADER_ASYNC_OPERATION) {
                self.wait_async(poll, &response, deadline)?;
                return self.read_after_write(id, deadline);
            }
            json_body(&response, Method::Patch, &url)
        })();
        result.with_context(|| format!("updating the tags of {id}"))
    }

    /// DELETE a resource and wait until it is gone. A resource that is already gone is fine.
    pub fn delete(&self, id: &ResourceId) -> Result<()> {
        self.delete_within(id, None)
    }

    /// [`ArmClient::delete`] with its wait bounded by `timeout` instead of `operation_timeout`.
    pub fn delete_within(&self, id: &ResourceId, timeout: Option<Duration>) -> Result<()> {
        let deadline = Instant::now() + timeout.unwrap_or(self.options.operation_timeout);
        let url = id.url();
        let result = (|| {
            let response = self.execute(Method::Delete, &url, None)?;
            if response.status == 404 {
                return Ok(());
            }
            expect_status(&response, &[200, 202, 204], Method::Delete, &url)?;
            if response.status == 202 {
                if let Some(poll) = response.header(HEADER_ASYNC_OPERATION) {
                    self.wait_async(poll, &response, deadline)?;
                } else if let Some(poll) = response.header(HEADER_LOCATION) {
                    self.wait_location(poll, &response, deadline)?;
                } else {
                    bail!(
                        "DELETE {url}: 202 Accepted without Azure-AsyncOperation or Location (request id {})",
                        response.request_id().unwrap_or("none")
                    );
                }
            }
            Ok(())
        })();
        result.with_context(|| format!("deleting {id}"))
    }

    fn delay_after(&self, response: &Response) -> Duration {
        parse_retry_after(response.header(HEADER_RETRY_AFTER))
            .map(|d| d.min(self.options.max_retry_after))
            .unwrap_or(self.options.poll_interval)
    }

    /// Poll an `Azure-AsyncOperation` URL until the operation is terminal.
    fn wait_async(&self, url: &str, initial: &Response, deadline: Instant) -> Result<()> {
        let mut delay = self.delay_after(initial);
        loop {
            std::thread::sleep(delay);
            let response = self.execute(Method::Get, url, None)?;
            expect_status(&response, &[200], Method::Get, url)?;
            let body = json_body(&response, Method::Get, url)?;
            let Some(status) = body.get("status").and_then(Value::as_str) else {
                bail!(
                    "GET {url}: the operation status has no `status` field (request id {}): {}",
                    response.request_id().unwrap_or("none"),
                    snippet(&response.body)
                );
            };
            match OperationStatus::parse(status) {
                OperationStatus::Succeeded => return Ok(()),
                OperationStatus::Failed | OperationStatus::Canceled => {
                    let error = body.get("error");
                    let code = error
                        .and_then(|e| e.get("code"))
                        .and_then(Value::as_str)
                        .unwrap_or(if status.eq_ignore_ascii_case("Canceled") {
                            "OperationCanceled"
                        } else {
                            "OperationFailed"
                        });
                    let message = error
                        .and_then(|e| e.get("message"))
                        .and_then(Value::as_str)
                        .unwrap_or("the long-running operation ended without success");
                    return Err(anyhow!(ArmError {
                        status: response.status,
                        code: code.to_string(),
                        message: message.to_string(),
                        request_id: response.request_id().map(str::to_string),
                    }));
                }
                OperationStatus::InProgress => {}
            }
            if Instant::now() >= deadline {
                bail!("timed out waiting for operation {url} (last status {status})");
            }
            delay = self.delay_after(&response);
        }
    }

    /// Poll a `Location` URL: 202 while running, 200/201/204 when done.
    fn wait_location(&self, url: &str, initial: &Response, deadline: Instant) -> Result<()> {
        let mut delay = self.delay_after(initial);
        let mut url = url.to_string();
        loop {
            std::thread::sleep(delay);
            let response = self.execute(Method::Get, &url, None)?;
            match response.status {
                200 | 201 | 204 => return Ok(()),
                202 => {}
                _ => return Err(arm_error(&response, Method::Get, &url)),
            }
            if let Some(next) = response.header(HEADER_LOCATION) {
                url = next.to_string();
            }
            if Instant::now() >= deadline {
                bail!("timed out waiting for operation {url}");
            }
            delay = self.delay_after(&response);
        }
    }

    fn take_read_token(&self) {
        let rate = self.options.reads_per_second;
        if rate <= 0.0 || !rate.is_finite() {
            return;
        }
        loop {
            let wait = {
                let Ok(mut bucket) = self.bucket.lock() else {
                    return;
                };
                let now = Instant::now();
                let elapsed = now.duration_since(bucket.last).as_secs_f64();
                bucket.tokens =
                    (bucket.tokens + elapsed * rate).min(self.options.read_burst.max(1.0));
                bucket.last = now;
                if bucket.tokens >= 1.0 {
                    bucket.tokens -= 1.0;
                    return;
                }
                Duration::from_secs_f64((1.0 - bucket.tokens) / rate)
            };
            std::thread::sleep(wait);
        }
    }

    fn count(&self, retry: bool) {
        if let Ok(mut stats) = self.stats.lock() {
            stats.requests += 1;
            if retry {
                stats.retries += 1;
            }
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exponent = attempt.saturating_sub(1).min(20);
        let base = self.options.retry_base.as_secs_f64() * 2f64.powi(exponent as i32);
        let capped = base.min(self.options.retry_max.as_secs_f64());
        let jitter: f64 = rand::thread_rng().gen_range(0.5..=1.0);
        Duration::from_secs_f64(capped * jitter)
    }

    /// Send one request, retrying what ARM says is transient. Returns the first response that is
    /// not worth retrying, whatever its status.
    pub fn execute(&self, method: Method, url: &str, body: Option<&Value>) -> Result<Response> {
        let started = Instant::now();
        let mut attempt = 0u32;
        let mut refreshed = false;
        loop {
            attempt += 1;
            if method == Method::Get {
                self.take_read_token();
            }
            let mut request = Request::new(method, url)
                .header("Accept", "application/json")
                .header(HEADER_CLIENT_REQUEST_ID, new_guid());
            if let Some(body) = body {
                request = request.json(body);
            }
            if let Some(auth) = &self.auth {
                let token = auth.token().context("getting an access token for ARM")?;
                request = request.header("Authorization", format!("Bearer {token}"));
            }
            self.count(attempt > 1);
            let (failure, delay) = match self.transport.send(request) {
                Err(e) => (format!("{e:#}"), self.backoff(attempt)),
                Ok(response) => {
                    let status = response.status;
                    if status == 401
                        && !refreshed
                        && self.auth.as_ref().is_some_and(|a| a.can_refresh())
                    {
                        let error = ArmError::from_response(&response);
                        if error.code.to_ascii_lowercase().contains("expired") {
                            if let Some(auth) = &self.auth {
                                auth.invalidate();
                            }
                            refreshed = true;
                            continue;
                        }
                    }
                    let retryable = matches!(status, 429 | 500 | 502 | 503 | 504)
                        || (status == 409 && {
                            let code = ArmError::from_response(&response).code;
                            code == "AnotherOperationInProgress" || code == "RetryableError"
                        });
                    if !retryable {
                        return Ok(response);
                    }
                    let delay = match parse_retry_after(response.header(HEADER_RETRY_AFTER)) {
                        Some(after) => after.min(self.options.max_retry_after),
                        None => self.backoff(attempt),
                    };
                    (ArmError::from_response(&response).to_string(), delay)
                }
            };
            let spent = started.elapsed();
            if attempt >= self.options.max_attempts || spent + delay > self.options.retry_budget {
                bail!(
                    "{method} {url}: gave up after {attempt} attempt(s) in {:.1}s; last error: {failure}",
                    spent.as_secs_f64()
                );
            }
            std::thread::sleep(delay);
        }
    }
}

/// Is the resource in a terminal `provisioningState` (absent counts as done)? `Failed` is an error.
fn is_settled(body: &Value) -> Result<bool> {
    let state = body
        .get("properties")
        .and_then(|p| p.get("provisioningState"))
        .and_then(Value::as_str);
    match state {
        None => Ok(true),
        Some(s) if s.eq_ignore_ascii_case("Succeeded") => Ok(true),
        Some(s) if s.eq_ignore_ascii_case("Failed") || s.eq_ignore_ascii_case("Canceled") => {
            bail!("the resource is in provisioningState {s}")
        }
        Some(_) => Ok(false),
    }
}

fn arm_error(response: &Response, method: Method, url: &str) -> anyhow::Error {
    anyhow!(ArmError::from_response(response)).context(format!("{method} {url}"))
}

fn expect_status(response: &Response, ok: &[u16], method: Method, url: &str) -> Result<()> {
    if ok.contains(&response.status) {
        Ok(())
    } else {
        Err(arm_error(response, method, url))
    }
}

/// Parse a response body as a JSON object; garbage gets an error that names the request.
fn json_body(response: &Response, method: Method, url: &str) -> Result<Value> {
    let value: Value = serde_json::from_slice(&response.body).map_err(|e| {
        anyhow!(
            "{method} {url}: the response (HTTP {}, request id {}) is not valid JSON: {e}; it starts with {}",
            response.status,
            response.request_id().unwrap_or("none"),
            snippet(&response.body)
        )
    })?;
    if !value.is_object() {
        bail!(
            "{method} {url}: expected a JSON object in the response (HTTP {}, request id {}), got {}",
            response.status,
            response.request_id().unwrap_or("none"),
            snippet(&response.body)
        );
    }
    Ok(value)
}

/// The ARM error inside an error chain, if the failure was ARM's answer (to branch on status).
pub fn arm_error_of(error: &anyhow::Error) -> Option<&ArmError> {
    error.chain().find_map(|e| e.downcast_ref::<ArmError>())
}
