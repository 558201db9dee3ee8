//! The `azurerm` backend: the state is one block blob in an Azure Storage container, as in Terraform's
//! azurerm backend. The lock is an infinite blob lease whose lease id is the lock id, with the lock
//! info (id, who, operation, created) as base64 JSON in the blob's metadata; writes carry the lease id
//! while locked and an ETag precondition always, and keep the metadata. `force-unlock` clears the
//! lock info and breaks the lease. The few Blob REST calls needed are made here over a small HTTP
//! client, signed with Shared Key (an account access key) or carrying a SAS token; `endpoint` points
//! the backend at another blob service, such as Azurite on loopback. It must not print or read the
//! environment, and no error it returns may contain the access key or the SAS token.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac as _};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha2::Sha256;
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use super::backend::{Backend, WriteOptions, check_write};
use super::lock::{LockInfo, LockRequest, StateLocked};
use super::model::State;
use super::wire;

/// The Blob service REST version every request asks for.
const API_VERSION: &str = "2021-08-06";

/// The metadata key holding the lock info.
const LOCK_METADATA_KEY: &str = "peerformlockid";

/// How long one request may take in all, and how long connecting may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Largest state blob read back (the 110,000-resource estate is far below this).
const MAX_STATE_BYTES: u64 = 1 << 30;

/// How often a waiter re-reads the lock info of a lease taken an instant ago, whose holder has not
/// written its lock info yet, and how long it waits between reads.
const HOLDER_READS: usize = 40;
const HOLDER_READ_INTERVAL: Duration = Duration::from_millis(50);

/// Characters escaped in a blob path: everything but unreserved characters and `/`.
const PATH_ESCAPES: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

/// How requests prove who they are. Both are secrets: never shown.
#[derive(Clone)]
pub enum AzureCredentials {
    /// A storage account access key (base64), for Shared Key signing.
    AccessKey(String),
    /// A SAS token (the query string, with or without its leading `?`).
    SasToken(String),
}

/// What a `backend "azurerm"` block says, with the credentials taken from the environment.
#[derive(Clone)]
pub struct AzureBlobSettings {
    pub storage_account_name: String,
    pub container_name: String,
    /// The blob name of the state.
    pub key: String,
    /// The blob service URL, `https://ACCOUNT.blob.core.windows.net` unless set (Azurite:
    /// `http://127.0.0.1:10000/ACCOUNT`).
    pub endpoint: Option<String>,
    pub credentials: AzureCredentials,
}

impl std::fmt::Debug for AzureBlobSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AzureBlobSettings")
            .field("storage_account_name", &self.storage_account_name)
            .field("container_name", &self.container_name)
            .field("key", &self.key)
            .field("endpoint", &self.endpoint)
            .field("credentials", &"(hidden)")
            .finish()
    }
}

/// A state kept in an Azure Storage blob.
pub struct AzureBlobBackend {
    account: String,
    container: String,
    key: String,
    /// The blob service URL without a trailing slash.
    endpoint: String,
    /// The decoded access key, for Shared Key signing.
    signing_key: Option<Vec<u8>>,
    /// The SAS token without its leading `?`.
    sas_token: Option<String>,
    /// Text that must never appear in a message.
    secrets: Vec<String>,
    agent: ureq::Agent,
    describe: String,
    /// The lock this client holds, if any.
    held: Mutex<Option<LockInfo>>,
}

/// What to send.
struct Call<'a> {
    method: &'a str,
    /// The state blob (`true`) or its container.
    blob: bool,
    /// Query parameters (`comp`, `restype`).
    query: Vec<(&'a str, &'a str)>,
    /// Request headers: standard ones and `x-ms-*`.
    headers: Vec<(String, String)>,
    body: Option<&'a [u8]>,
}

impl<'a> Call<'a> {
    fn new(method: &'a str) -> Self {
        Call {
            method,
            blob: true,
            query: Vec::new(),
            headers: Vec::new(),
            body: None,
        }
    }

    fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    fn query(mut self, name: &'a str, value: &'a str) -> Self {
        self.query.push((name, value));
        self
    }
}

/// What came back.
struct Reply {
    status: u16,
    /// Header names lower-cased.
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    /// The service's error code (`x-ms-error-code`, or `<Code>` in the XML body).
    fn error_code(&self) -> String {
        if let Some(code) = self.header("x-ms-error-code") {
            return code.to_string();
        }
        let text = String::from_utf8_lossy(&self.body);
        text.split_once("<Code>")
            .and_then(|(_, rest)| rest.split_once("</Code>"))
            .map(|(code, _)| code.to_string())
            .unwrap_or_default()
    }

    /// The blob's metadata: `x-ms-meta-NAME` headers, names lower-cased.
    fn metadata(&self) -> BTreeMap<String, String> {
        self.headers
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("x-ms-meta-")
                    .map(|name| (name.to_string(), v.clone()))
            })
            .collect()
    }

    fn lock_info(&self) -> Option<LockInfo> {
        let encoded = self.metadata().remove(LOCK_METADATA_KEY)?;
        let json = BASE64.decode(encoded.trim()).ok()?;
        LockInfo::from_json(&json).ok()
    }
}

/// The blob as read: its bytes, ETag and metadata.
struct Blob {
    bytes: Vec<u8>,
    etag: String,
    metadata: BTreeMap<String, String>,
}

impl AzureBlobBackend {
    /// A backend for these settings. Nothing is contacted until the first read, write or lock.
    pub fn new(settings: &AzureBlobSettings) -> anyhow::Result<Self> {
        let account = settings.storage_account_name.trim().to_string();
        if account.is_empty() {
            anyhow::bail!("the azurerm backend needs storage_account_name");
        }
        if settings.container_name.is_empty() {
            anyhow::bail!("the azurerm backend needs container_name");
        }
        if settings.key.is_empty() {
            anyhow::bail!(
                "the azurerm backend needs key, the name of the state blob (such as prod.tfstate)"
            );
        }
        let endpoint = settings
            .endpoint
            .clone()
            .unwrap_or_else(|| format!("https://{account}.blob.core.windows.net"))
            .trim_end_matches('/')
            .to_string();
        if endpoint.contains('?') {
            anyhow::bail!(
                "the azurerm backend's endpoint carries a query string; write the bare blob service URL, and put a SAS token in ARM_SAS_TOKEN"
            );
        }
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            anyhow::bail!(
                "the azurerm backend's endpoint {endpoint} is not an http(s) URL; write it as https://ACCOUNT.blob.core.windows.net"
            );
        }
        let (signing_key, sas_token, secret) = match &settings.credentials {
            AzureCredentials::AccessKey(key) => {
                let decoded = BASE64.decode(key.trim()).map_err(|_| {
                    anyhow::anyhow!(
                        "the access key for storage account {account} is not base64; check ARM_ACCESS_KEY"
                    )
                })?;
                (Some(decoded), None, key.clone())
            }
            AzureCredentials::SasToken(token) => {
                let token = token.trim().trim_start_matches('?').to_string();
                (None, Some(token.clone()), token)
            }
        };
        let mut secrets = vec![secret];
        if let Some(token) = &sas_token {
            // The signature alone is the secret part of a SAS token; it may show up decoded.
            for pair in token.split('&') {
                if let Some(sig) = pair.strip_prefix("sig=") {
                    secrets.push(sig.to_string());
                    secrets.push(
                        percent_encoding::percent_decode_str(sig)
                            .decode_utf8_lossy()
                            .into_owned(),
                    );
                }
            }
        }
        secrets.retain(|s| !s.is_empty());
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(REQUEST_TIMEOUT))
            .timeout_connect(Some(CONNECT_TIMEOUT))
            .max_redirects(0)
            .build()
            .into();
        let describe = format!(
            "azurerm backend: blob {} in container {} of storage account {account} at {endpoint}",
            settings.key, settings.container_name
        );
        Ok(AzureBlobBackend {
            account,
            container: settings.container_name.clone(),
            key: settings.key.clone(),
            endpoint,
            signing_key,
            sas_token,
            secrets,
            agent,
            describe,
            held: Mutex::new(None),
        })
    }

    fn redact(&self, text: &str) -> String {
        let mut text = text.to_string();
        for secret in &self.secrets {
            text = text.replace(secret.as_str(), "(hidden)");
        }
        text
    }

    /// The URL path of the container or the blob (without the endpoint's own path).
    fn resource_path(&self, blob: bool) -> String {
        let container = utf8_percent_encode(&self.container, PATH_ESCAPES).to_string();
        if blob {
            let key = utf8_percent_encode(&self.key, PATH_ESCAPES).to_string();
            format!("/{container}/{key}")
        } else {
            format!("/{container}")
        }
    }

    /// Send one request, signed. Transport failures name the endpoint and what to check.
    fn send(&self, call: Call<'_>, what: &str) -> anyhow::Result<Reply> {
        let path = self.resource_path(call.blob);
        let mut url = format!("{}{path}", self.endpoint);
        let mut query: Vec<String> = call
            .query
            .iter()
            .map(|(k, v)| format!("{k}={}", utf8_percent_encode(v, NON_ALPHANUMERIC)))
            .collect();
        if let Some(token) = &self.sas_token {
            query.push(token.clone());
        }
        if !query.is_empty() {
            url.push('?');
            url.push_str(&query.join("&"));
        }
        let mut headers = call.headers;
        headers.push((
            "x-ms-date".to_string(),
            httpdate::fmt_http_date(std::time::SystemTime::now()),
        ));
        headers.push(("x-ms-version".to_string(), API_VERSION.to_string()));
        let body = call.body.unwrap_or(&[]);
        if let Some(key) = &self.signing_key {
            let url_path = url_path(&self.endpoint) + &path;
            let to_sign = string_to_sign(
                call.method,
                &self.account,
                &url_path,
                &call.query,
                &headers,
                body.len(),
            );
            let mut mac = Hmac::<Sha256>::new_from_slice(key)
                .map_err(|_| anyhow::anyhow!("{}: the access key cannot be used", self.describe))?;
            mac.update(to_sign.as_bytes());
            let signature = BASE64.encode(mac.finalize().into_bytes());
            headers.push((
                "authorization".to_string(),
                format!("SharedKey {}:{signature}", self.account),
            ));
        }
        let result = match call.method {
            "GET" | "HEAD" | "DELETE" => {
                let mut request = match call.method {
                    "GET" => self.agent.get(&url),
                    "HEAD" => self.agent.head(&url),
                    _ => self.agent.delete(&url),
                };
                for (name, value) in &headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                request.call()
            }
            _ => {
                let mut request = self.agent.put(&url);
                for (name, value) in &headers {
                    request = request.header(name.as_str(), value.as_str());
                }
                request.send(body)
            }
        };
        let mut response = result.map_err(|e| {
            anyhow::anyhow!(
                "{}: {what}: cannot reach the blob service at {} ({}); check endpoint and storage_account_name, and that the service is running and reachable",
                self.describe,
                self.endpoint,
                self.redact(&e.to_string())
            )
        })?;
        let status = response.status().as_u16();
        let headers: BTreeMap<String, String> = response
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_ascii_lowercase(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let body = if call.method == "HEAD" {
            Vec::new()
        } else {
            response
                .body_mut()
                .with_config()
                .limit(MAX_STATE_BYTES)
                .read_to_vec()
                .map_err(|e| {
                    anyhow::anyhow!(
                        "{}: {what}: reading the reply ({})",
                        self.describe,
                        self.redact(&e.to_string())
                    )
                })?
        };
        Ok(Reply {
            status,
            headers,
            body,
        })
    }

    /// An error for a reply the caller did not expect, saying what to check.
    fn failure(&self, what: &str, reply: &Reply) -> anyhow::Error {
        let code = reply.error_code();
        let status = reply.status;
        let hint = match (status, code.as_str()) {
            (404, "ContainerNotFound") => {
                return anyhow::anyhow!(
                    "{}: {what}: container {} does not exist in storage account {}; create it, or check container_name",
                    self.describe,
                    self.container,
                    self.account
                );
            }
            (403, _) | (401, _) => format!(
                "the blob service refused the credentials; check ARM_ACCESS_KEY (or ARM_SAS_TOKEN, its permissions and expiry) for storage account {}",
                self.account
            ),
            (404, "ResourceNotFound") | (400, "InvalidUri") => format!(
                "check storage_account_name ({}) and endpoint",
                self.account
            ),
            (412, "LeaseIdMissing") | (409, "LeaseAlreadyPresent") => {
                "the state blob is leased by another run (its lock); wait for it, or if it crashed use `peerform force-unlock`".to_string()
            }
            (412, "ConditionNotMet") => {
                "the state changed while this run was writing it; run the command again".to_string()
            }
            _ => "check the storage account and container settings".to_string(),
        };
        let code = if code.is_empty() {
            String::new()
        } else {
            format!(" {code}")
        };
        anyhow::anyhow!("{}: {what}: HTTP {status}{code}; {hint}", self.describe)
    }

    /// The blob, or `None` when it does not exist.
    fn get_blob(&self) -> anyhow::Result<Option<Blob>> {
        let what = "reading the state";
        let reply = self.send(Call::new("GET"), what)?;
        match reply.status {
            200 => Ok(Some(Blob {
                etag: reply.header("etag").unwrap_or_default().to_string(),
                metadata: reply.metadata(),
                bytes: reply.body,
            })),
            404 if reply.error_code() != "ContainerNotFound" => Ok(None),
            _ => Err(self.failure(what, &reply)),
        }
    }

    /// The blob's properties (metadata, lease state), or `None` when it does not exist.
    fn properties(&self, what: &str) -> anyhow::Result<Option<Reply>> {
        let reply = self.send(Call::new("HEAD"), what)?;
        match reply.status {
            200 => Ok(Some(reply)),
            // A HEAD reply has no body: tell a missing container from a missing blob by asking.
            404 if reply.error_code() == "ContainerNotFound" => Err(self.failure(what, &reply)),
            404 => {
                self.check_container(what)?;
                Ok(None)
            }
            _ => Err(self.failure(what, &reply)),
        }
    }

    fn check_container(&self, what: &str) -> anyhow::Result<()> {
        let mut call = Call::new("GET").query("restype", "container");
        call.blob = false;
        let reply = self.send(call, what)?;
        match reply.status {
            200 => Ok(()),
            _ => Err(self.failure(what, &reply)),
        }
    }

    fn lease_header<'a>(call: Call<'a>, lease_id: Option<&str>) -> Call<'a> {
        match lease_id {
            Some(id) => call.header("x-ms-lease-id", id),
            None => call,
        }
    }

    fn with_metadata<'a>(mut call: Call<'a>, metadata: &BTreeMap<String, String>) -> Call<'a> {
        for (name, value) in metadata {
            call = call.header(&format!("x-ms-meta-{name}"), value.clone());
        }
        call
    }

    fn set_metadata(
        &self,
        metadata: &BTreeMap<String, String>,
        lease_id: Option<&str>,
        what: &str,
    ) -> anyhow::Result<Reply> {
        let call = Call::new("PUT").query("comp", "metadata");
        let call = Self::with_metadata(Self::lease_header(call, lease_id), metadata);
        self.send(call, what)
    }

    fn lease(&self, action: &str, lease_id: Option<&str>, what: &str) -> anyhow::Result<Reply> {
        let mut call = Call::new("PUT")
            .query("comp", "lease")
            .header("x-ms-lease-action", action);
        match action {
            "acquire" => {
                call = call
                    .header("x-ms-lease-duration", "-1")
                    .header("x-ms-proposed-lease-id", lease_id.unwrap_or_default());
            }
            "break" => call = call.header("x-ms-lease-break-period", "0"),
            _ => call = Self::lease_header(call, lease_id),
        }
        self.send(call, what)
    }

    /// The lock info of a lease someone else holds, reading again for a moment when the holder has
    /// taken the lease but not yet written its lock info.
    fn holder(&self) -> anyhow::Result<Option<LockInfo>> {
        for attempt in 0..HOLDER_READS {
            if let Some(reply) = self.properties("reading the lock info")? {
                if let Some(info) = reply.lock_info() {
                    return Ok(Some(info));
                }
                if reply.header("x-ms-lease-state") != Some("leased") {
                    return Ok(None);
                }
            }
            if attempt + 1 < HOLDER_READS {
                std::thread::sleep(HOLDER_READ_INTERVAL);
            }
        }
        Ok(None)
    }

    fn held(&self) -> Option<LockInfo> {
        self.held.lock().ok().and_then(|h| h.clone())
    }

    fn set_held(&self, info: Option<LockInfo>) {
        if let Ok(mut held) = self.held.lock() {
            *held = info;
        }
    }

    /// Create the container (for tests and first-time setup; the backend itself never does).
    pub fn create_container(&self) -> anyhow::Result<()> {
        let what = "creating the container";
        let mut call = Call::new("PUT").query("restype", "container");
        call.blob = false;
        let reply = self.send(call, what)?;
        match reply.status {
            201 => Ok(()),
            409 if reply.error_code() == "ContainerAlreadyExists" => Ok(()),
            _ => Err(self.failure(what, &reply)),
        }
    }

    /// Clear the lock info and break the lease: `force-unlock`.
    fn break_lock(&self, lock_id: &str) -> anyhow::Result<()> {
        let what = "force-unlocking the state";
        let Some(reply) = self.properties(what)? else {
            anyhow::bail!(
                "{}: there is no state blob, so nothing is locked",
                self.describe
            );
        };
        let Some(info) = reply.lock_info() else {
            if reply.header("x-ms-lease-state") == Some("leased") {
                anyhow::bail!(
                    "{}: the state blob is leased but carries no lock info peerform can read, so lock id {lock_id} cannot be checked; if no run is active, break the lease with the Azure tools",
                    self.describe
                );
            }
            anyhow::bail!("{}: the state is not locked", self.describe);
        };
        if info.id != lock_id {
            anyhow::bail!(
                "lock id {lock_id} does not match the lock on {}, held by {} for {} since {} with id {}",
                self.describe,
                info.who,
                info.operation,
                info.created,
                info.id
            );
        }
        let mut metadata = reply.metadata();
        metadata.remove(LOCK_METADATA_KEY);
        // The lease id is the lock id, so the lock info can be cleared before the lease is broken,
        // and no newer holder's info is touched.
        let cleared = self.set_metadata(&metadata, Some(lock_id), what)?;
        if cleared.status != 200 {
            let unleased = self.set_metadata(&metadata, None, what)?;
            if unleased.status != 200 {
                return Err(self.failure(what, &cleared));
            }
        }
        let broken = self.lease("break", None, what)?;
        match (broken.status, broken.error_code().as_str()) {
            (202, _) | (409, "LeaseNotPresentWithLeaseOperation") => {}
            _ => return Err(self.failure(what, &broken)),
        }
        if self.held().is_some_and(|h| h.id == lock_id) {
            self.set_held(None);
        }
        Ok(())
    }
}

/// The path part of a URL (`http://127.0.0.1:10000/acct` → `/acct`), without a trailing slash.
fn url_path(url: &str) -> String {
    let after_scheme = url.split_once("://").map(|(_, rest)| rest).unwrap_or(url);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].trim_end_matches('/').to_string(),
        None => String::new(),
    }
}

/// The Shared Key string to sign (Blob service, version 2015-02-21 and later).
fn string_to_sign(
    method: &str,
    account: &str,
    url_path: &str,
    query: &[(&str, &str)],
    headers: &[(String, String)],
    content_length: usize,
) -> String {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    let length = if content_length == 0 {
        String::new()
    } else {
        content_length.to_string()
    };
    let mut text = format!(
        "{method}\n{}\n{}\n{length}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n{}\n",
        header("content-encoding"),
        header("content-language"),
        header("content-md5"),
        header("content-type"),
        header("date"),
        header("if-modified-since"),
        header("if-match"),
        header("if-none-match"),
        header("if-unmodified-since"),
        header("range"),
    );
    let mut ms: Vec<(String, String)> = headers
        .iter()
        .filter(|(k, _)| k.starts_with("x-ms-"))
        .map(|(k, v)| (k.to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    ms.sort();
    for (name, value) in ms {
        text.push_str(&format!("{name}:{value}\n"));
    }
    text.push_str(&format!("/{account}{url_path}"));
    let mut params: Vec<(String, &str)> = query
        .iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), *v))
        .collect();
    params.sort();
    for (name, value) in params {
        text.push_str(&format!("\n{name}:{value}"));
    }
    text
}

impl Backend for AzureBlobBackend {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn read(&self) -> anyhow::Result<Option<State>> {
        let Some(blob) = self.get_blob()? else {
            return Ok(None);
        };
        // Locking an absent state creates an empty blob to lease, as Terraform does.
        if blob.bytes.is_empty() {
            return Ok(None);
        }
        wire::decode(&blob.bytes)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("{}: reading the stored state: {e:#}", self.describe))
    }

    fn write(&self, state: &State, options: WriteOptions) -> anyhow::Result<()> {
        let what = "writing the state";
        let bytes = wire::encode(state)?;
        let blob = self.get_blob()?;
        let current = match &blob {
            Some(b) if !b.bytes.is_empty() => {
                if b.bytes == bytes {
                    return Ok(());
                }
                Some(wire::decode(&b.bytes).map_err(|e| {
                    anyhow::anyhow!(
                        "{}: refusing to overwrite a stored state that cannot be read: {e:#}",
                        self.describe
                    )
                })?)
            }
            _ => None,
        };
        check_write(&self.describe, current.as_ref(), state, options)?;
        let held = self.held();
        let mut call = Call::new("PUT")
            .header("x-ms-blob-type", "BlockBlob")
            .header("content-type", "application/json");
        call = match &blob {
            Some(b) => call.header("if-match", b.etag.clone()),
            None => call.header("if-none-match", "*"),
        };
        call = Self::lease_header(call, held.as_ref().map(|h| h.id.as_str()));
        if let Some(b) = &blob {
            call = Self::with_metadata(call, &b.metadata);
        }
        call.body = Some(&bytes);
        let reply = self.send(call, what)?;
        match reply.status {
            201 => Ok(()),
            412 if reply.error_code() == "LeaseIdMissing" => {
                let holder = self.holder()?;
                Err(anyhow::Error::new(StateLocked {
                    location: self.describe.clone(),
                    holder,
                })
                .context(format!("{}: {what}", self.describe)))
            }
            _ => Err(self.failure(what, &reply)),
        }
    }

    fn lock(&self, request: &LockRequest) -> anyhow::Result<LockInfo> {
        let what = "taking the state lock";
        if let Some(mine) = self.held() {
            return Err(StateLocked {
                location: self.describe.clone(),
                holder: Some(mine),
            }
            .into());
        }
        let info = LockInfo::new(request);
        let mut acquired = self.lease("acquire", Some(&info.id), what)?;
        if acquired.status == 404 && acquired.error_code() == "BlobNotFound" {
            // Lease an empty blob when there is no state yet; never replace one made meanwhile.
            let create = Call::new("PUT")
                .header("x-ms-blob-type", "BlockBlob")
                .header("if-none-match", "*");
            let created = self.send(create, what)?;
            match (created.status, created.error_code().as_str()) {
                (201, _) | (409, "BlobAlreadyExists") | (412, _) => {}
                _ => return Err(self.failure(what, &created)),
            }
            acquired = self.lease("acquire", Some(&info.id), what)?;
        }
        match (acquired.status, acquired.error_code().as_str()) {
            (201, _) => {}
            (409, "LeaseAlreadyPresent") => {
                return Err(StateLocked {
                    location: self.describe.clone(),
                    holder: self.holder()?,
                }
                .into());
            }
            _ => return Err(self.failure(what, &acquired)),
        }
        let recorded = self
            .properties(what)
            .and_then(|props| {
                let mut metadata = props.map(|p| p.metadata()).unwrap_or_default();
                metadata.insert(LOCK_METADATA_KEY.to_string(), BASE64.encode(info.to_json()));
                self.set_metadata(&metadata, Some(&info.id), what)
            })
            .and_then(|reply| match reply.status {
                200 => Ok(()),
                _ => Err(self.failure("recording the lock info", &reply)),
            });
        if let Err(e) = recorded {
            let _ = self.lease("release", Some(&info.id), what);
            return Err(e);
        }
        self.set_held(Some(info.clone()));
        Ok(info)
    }

    fn unlock(&self, lock_id: &str) -> anyhow::Result<()> {
        let what = "releasing the state lock";
        let Some(reply) = self.properties(what)? else {
            anyhow::bail!(
                "{}: there is no state blob, so nothing is locked",
                self.describe
            );
        };
        let info = reply.lock_info();
        if let Some(info) = &info
            && info.id != lock_id
        {
            anyhow::bail!(
                "lock id {lock_id} does not match the lock on {}, held by {} for {} since {} with id {}",
                self.describe,
                info.who,
                info.operation,
                info.created,
                info.id
            );
        }
        if info.is_some() {
            let mut metadata = reply.metadata();
            metadata.remove(LOCK_METADATA_KEY);
            let cleared = self.set_metadata(&metadata, Some(lock_id), what)?;
            if cleared.status != 200 {
                return Err(self.failure(what, &cleared));
            }
        }
        let released = self.lease("release", Some(lock_id), what)?;
        if released.status != 200 {
            return Err(self.failure(what, &released));
        }
        if self.held().is_some_and(|h| h.id == lock_id) {
            self.set_held(None);
        }
        Ok(())
    }

    fn supports_force_unlock(&self) -> bool {
        true
    }

    fn force_unlock(&self, lock_id: &str) -> anyhow::Result<()> {
        self.break_lock(lock_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(credentials: AzureCredentials) -> AzureBlobSettings {
        AzureBlobSettings {
            storage_account_name: "acct".into(),
            container_name: "tfstate".into(),
            key: "prod/site a.tfstate".into(),
            endpoint: Some("http://127.0.0.1:10000/acct/".into()),
            credentials,
        }
    }

    #[test]
    fn the_string_to_sign_follows_the_shared_key_layout() {
        let headers = vec![
            ("x-ms-version".to_string(), API_VERSION.to_string()),
            ("content-type".to_string(), "application/json".to_string()),
            (
                "x-ms-date".to_string(),
                "Fri, 01 Jan 2027 00:00:00 GMT".to_string(),
            ),
            ("if-match".to_string(), "\"0x1\"".to_string()),
            ("x-ms-blob-type".to_string(), "BlockBlob".to_string()),
        ];
        let text = string_to_sign(
            "PUT",
            "acct",
            "/acct/tfstate/prod/site%20a.tfstate",
            &[("comp", "lease"), ("Restype", "x")],
            &headers,
            12,
        );
        assert_eq!(
            text,
            "PUT\n\n\n12\n\napplication/json\n\n\n\"0x1\"\n\n\n\n\
             x-ms-blob-type:BlockBlob\nx-ms-date:Fri, 01 Jan 2027 00:00:00 GMT\nx-ms-version:2021-08-06\n\
             /acct/acct/tfstate/prod/site%20a.tfstate\ncomp:lease\nrestype:x"
        );
        let empty = string_to_sign("GET", "acct", "/c/b", &[], &[], 0);
        assert_eq!(empty, "GET\n\n\n\n\n\n\n\n\n\n\n\n/acct/c/b");
    }

    #[test]
    fn paths_and_descriptions_never_carry_credentials() {
        let backend = AzureBlobBackend::new(&settings(AzureCredentials::AccessKey(
            BASE64.encode(b"very-secret-key"),
        )))
        .unwrap();
        assert_eq!(
            backend.resource_path(true),
            "/tfstate/prod/site%20a.tfstate"
        );
        assert_eq!(url_path(&backend.endpoint), "/acct");
        assert_eq!(url_path("https://acct.blob.core.windows.net"), "");
        assert_eq!(
            backend.describe(),
            "azurerm backend: blob prod/site a.tfstate in container tfstate of storage account acct at http://127.0.0.1:10000/acct"
        );
        let sas = settings(AzureCredentials::SasToken(
            "?sv=2021-08-06&sig=abc%2Bdef".into(),
        ));
        assert!(!format!("{sas:?}").contains("abc"));
        let backend = AzureBlobBackend::new(&sas).unwrap();
        assert_eq!(
            backend.redact("x abc%2Bdef y abc+def"),
            "x (hidden) y (hidden)"
        );
    }

    #[test]
    fn a_key_that_is_not_base64_is_refused_without_repeating_it() {
        let err = AzureBlobBackend::new(&settings(AzureCredentials::AccessKey(
            "not base64 !!".into(),
        )))
        .err()
        .unwrap()
        .to_string();
        assert!(
            err.contains("ARM_ACCESS_KEY") && !err.contains("not base64 !!"),
            "{err}"
        );
    }

    #[test]
    fn lock_info_round_trips_through_metadata() {
        let info = LockInfo::new(&LockRequest {
            who: "ana@host".into(),
            operation: "apply".into(),
            created: "2027-01-01T00:00:00Z".into(),
        });
        let reply = Reply {
            status: 200,
            headers: [(
                format!("x-ms-meta-{LOCK_METADATA_KEY}"),
                BASE64.encode(info.to_json()),
            )]
            .into_iter()
            .collect(),
            body: Vec::new(),
        };
        assert_eq!(reply.lock_info(), Some(info));
        let error = Reply {
            status: 404,
            headers: BTreeMap::new(),
            body: b"<?xml version=\"1.0\"?><Error><Code>ContainerNotFound</Code></Error>".to_vec(),
        };
        assert_eq!(error.error_code(), "ContainerNotFound");
    }
}
