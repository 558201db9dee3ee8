//! Credentials for Azure Resource Manager, chosen in azurerm's order (DESIGN §3): a given access
//! token (`ARM_ACCESS_TOKEN`), a service principal with a client secret, OIDC federation (a token
//! file, a literal token, or GitHub Actions' token request), then `az account get-access-token`.
//! Tokens are cached and fetched again shortly before they expire, or at once when ARM says one
//! expired. The token endpoint (authority host) is configurable so tests serve it. Settings arrive as
//! a plain struct: this module never reads the environment (`cli` does).

use crate::arm::http::{HttpClient, is_loopback, origin_of};
use crate::arm::{Method, Request};
use anyhow::{Context, Result, bail};
use serde_json::Value;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

pub const DEFAULT_AUTHORITY: &str = "https://login.microsoftonline.com";
pub const DEFAULT_RESOURCE: &str = "https://management.azure.com/";

/// Everything a credential may need, as plain data (filled by `cli` from the environment and the
/// provider block).
#[derive(Clone, Debug)]
pub struct CredentialSettings {
    /// `ARM_ACCESS_TOKEN`: used as is; it cannot be refreshed.
    pub access_token: Option<String>,
    pub tenant_id: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    /// `ARM_USE_OIDC`.
    pub use_oidc: bool,
    /// `ARM_OIDC_TOKEN`: a federated token given directly.
    pub oidc_token: Option<String>,
    /// `ARM_OIDC_TOKEN_FILE_PATH`.
    pub oidc_token_file: Option<PathBuf>,
    /// GitHub Actions: `ACTIONS_ID_TOKEN_REQUEST_URL` and `…_TOKEN`.
    pub oidc_request_url: Option<String>,
    pub oidc_request_token: Option<String>,
    /// `ARM_USE_CLI` (default true).
    pub use_cli: bool,
    /// The Azure CLI program (`az`).
    pub cli_program: PathBuf,
    /// Token endpoint host: `https://login.microsoftonline.com`, or a test server.
    pub authority_host: String,
    /// The resource the token is for (ARM).
    pub resource: String,
    /// Fetch a new token this long before the current one expires.
    pub refresh_margin: Duration,
    pub http_timeout: Duration,
}

impl Default for CredentialSettings {
    fn default() -> Self {
        CredentialSettings {
            access_token: None,
            tenant_id: None,
            client_id: None,
            client_secret: None,
            use_oidc: false,
            oidc_token: None,
            oidc_token_file: None,
            oidc_request_url: None,
            oidc_request_token: None,
            use_cli: true,
            cli_program: PathBuf::from("az"),
            authority_host: DEFAULT_AUTHORITY.to_string(),
            resource: DEFAULT_RESOURCE.to_string(),
            refresh_margin: Duration::from_secs(300),
            http_timeout: Duration::from_secs(30),
        }
    }
}

/// Which credential was chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialSource {
    AccessToken,
    ClientSecret,
    Oidc,
    AzureCli,
}

impl CredentialSource {
    pub fn describe(self) -> &'static str {
        match self {
            CredentialSource::AccessToken => "access token (ARM_ACCESS_TOKEN)",
            CredentialSource::ClientSecret => "service principal with a client secret",
            CredentialSource::Oidc => "OIDC federation",
            CredentialSource::AzureCli => "Azure CLI",
        }
    }
}

/// Pick the credential azurerm would use with these settings.
pub fn select_source(settings: &CredentialSettings) -> Result<CredentialSource> {
    let set = |v: &Option<String>| v.as_deref().is_some_and(|s| !s.is_empty());
    if set(&settings.access_token) {
        return Ok(CredentialSource::AccessToken);
    }
    let principal = set(&settings.tenant_id) && set(&settings.client_id);
    if principal && set(&settings.client_secret) {
        return Ok(CredentialSource::ClientSecret);
    }
    let has_oidc_token = set(&settings.oidc_token)
        || settings.oidc_token_file.is_some()
        || (set(&settings.oidc_request_url) && set(&settings.oidc_request_token));
    if settings.use_oidc && principal && has_oidc_token {
        return Ok(CredentialSource::Oidc);
    }
    if settings.use_cli {
        return Ok(CredentialSource::AzureCli);
    }
    bail!(
        "no Azure credentials: set ARM_ACCESS_TOKEN, or ARM_TENANT_ID, ARM_CLIENT_ID and ARM_CLIENT_SECRET, or ARM_USE_OIDC with a federated token, or sign in with `az login`"
    )
}

/// A source of the current time, replaceable in tests.
pub type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

#[derive(Clone)]
struct Token {
    value: String,
    expires: Option<SystemTime>,
}

/// Hands out bearer tokens for ARM, fetching and caching them.
pub struct TokenProvider {
    source: CredentialSource,
    settings: CredentialSettings,
    http: HttpClient,
    cache: Mutex<Option<Token>>,
    clock: Clock,
    fetches: Mutex<u64>,
}

impl TokenProvider {
    /// Choose the credential (azurerm's order) and prepare to fetch tokens with it.
    pub fn new(settings: CredentialSettings) -> Result<TokenProvider> {
        let source = select_source(&settings)?;
        if matches!(
            source,
            CredentialSource::ClientSecret | CredentialSource::Oidc
        ) {
            let origin = origin_of(&settings.authority_host)
                .with_context(|| format!("invalid authority host {:?}", settings.authority_host))?;
            if origin.starts_with("http://") && !is_loopback(&origin) {
                bail!(
                    "the authority host {origin} must use https (plain http is allowed on loopback only)"
                );
            }
        }
        let http = HttpClient::new(settings.http_timeout);
        Ok(TokenProvider {
            source,
            settings,
            http,
            cache: Mutex::new(None),
            clock: Arc::new(SystemTime::now),
            fetches: Mutex::new(0),
        })
    }

    /// Replace the clock (tests move time forward without sleeping).
    pub fn with_clock(mut self, clock: Clock) -> TokenProvider {
        self.clock = clock;
        self
    }

    pub fn source(&self) -> CredentialSource {
        self.source
    }

    /// How many tokens were fetched so far.
    pub fn fetches(&self) -> u64 {
        self.fetches.lock().map(|f| *f).unwrap_or(0)
    }

    /// Whether a new token can be had (a given access token cannot be renewed).
    pub fn can_refresh(&self) -> bool {
        self.source != CredentialSource::AccessToken
    }

    /// Forget the cached token (ARM said it expired).
    pub fn invalidate(&self) {
        if let Ok(mut cache) = self.cache.lock() {
            *cache = None;
        }
    }

    /// The current token, fetched again when it is missing or about to expire.
    pub fn token(&self) -> Result<String> {
        let now = (self.clock)();
        let mut cache = self
            .cache
            .lock()
            .map_err(|_| anyhow::anyhow!("the token cache lock is poisoned"))?;
        if let Some(token) = cache.as_ref() {
            let fresh = match token.expires {
                None => true,
                Some(expires) => now + self.settings.refresh_margin < expires,
            };
            if fresh {
                return Ok(token.value.clone());
            }
        }
        let token = self
            .fetch(now)
            .with_context(|| format!("getting a token ({})", self.source.describe()))?;
        if let Ok(mut fetches) = self.fetches.lock() {
            *fetches += 1;
        }
        let value = token.value.clone();
        *cache = Some(token);
        Ok(value)
    }

    fn fetch(&self, now: SystemTime) -> Result<Token> {
        match self.source {
            CredentialSource::AccessToken => Ok(Token {
                value: self.settings.access_token.clone().unwrap_or_default(),
                expires: None,
            }),
            CredentialSource::ClientSecret => {
                let secret = self.settings.client_secret.clone().unwrap_or_default();
                self.token_request(now, &[("client_secret", secret.as_str())])
            }
            CredentialSource::Oidc => {
                let assertion = self.federated_token()?;
                self.token_request(
                    now,
                    &[
                        (
                            "client_assertion_type",
                            "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                        ),
                        ("client_assertion", assertion.as_str()),
                    ],
                )
            }
            CredentialSource::AzureCli => self.cli_token(now),
        }
    }

    /// The OAuth2 client-credentials request to `{authority}/{tenant}/oauth2/v2.0/token`.
    fn token_request(&self, now: SystemTime, extra: &[(&str, &str)]) -> Result<Token> {
        let tenant = self.settings.tenant_id.clone().unwrap_or_default();
        let client = self.settings.client_id.clone().unwrap_or_default();
        let url = format!(
            "{}/{}/oauth2/v2.0/token",
            self.settings.authority_host.trim_end_matches('/'),
            crate::arm::id::percent_encode(&tenant)
        );
        let scope = format!("{}.default", self.settings.resource);
        let mut form = vec![
            ("grant_type", "client_credentials"),
            ("client_id", client.as_str()),
            ("scope", scope.as_str()),
        ];
        form.extend_from_slice(extra);
        let body = form
            .iter()
            .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
            .collect::<Vec<_>>()
            .join("&");
        let mut request = Request::new(Method::Post, url.clone())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .header("Accept", "application/json");
        request.body = Some(body.into_bytes());
        let response = self
            .http
            .send(&request)
            .with_context(|| format!("POST {url}"))?;
        let json: Value = serde_json::from_slice(&response.body).with_context(|| {
            format!(
                "the token endpoint {url} answered HTTP {} with a body that is not JSON: {}",
                response.status,
                crate::arm::wire::snippet(&response.body)
            )
        })?;
        if response.status != 200 {
            let error = json
                .get("error")
                .and_then(Value::as_str)
                .unwrap_or("unknown_error");
            let description = json
                .get("error_description")
                .and_then(Value::as_str)
                .unwrap_or("");
            bail!(
                "the token endpoint refused: {error}: {description} (HTTP {})",
                response.status
            );
        }
        let Some(value) = json.get("access_token").and_then(Value::as_str) else {
            bail!("the token endpoint's answer has no access_token");
        };
        let lifetime = json
            .get("expires_in")
            .and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .unwrap_or(3600);
        Ok(Token {
            value: value.to_string(),
            expires: Some(now + Duration::from_secs(lifetime)),
        })
    }

    /// The federated (OIDC) token: given, read from a file, or requested from GitHub Actions.
    fn federated_token(&self) -> Result<String> {
        if let Some(token) = self
            .settings
            .oidc_token
            .as_deref()
            .filter(|t| !t.is_empty())
        {
            return Ok(token.to_string());
        }
        if let Some(path) = &self.settings.oidc_token_file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the OIDC token file {}", path.display()))?;
            return Ok(text.trim().to_string());
        }
        let base = self.settings.oidc_request_url.clone().unwrap_or_default();
        let separator = if base.contains('?') { '&' } else { '?' };
        let url = format!("{base}{separator}audience=api%3A%2F%2FAzureADTokenExchange");
        let request = Request::new(Method::Get, url.clone())
            .header("Accept", "application/json")
            .header(
                "Authorization",
                format!(
                    "Bearer {}",
                    self.settings.oidc_request_token.clone().unwrap_or_default()
                ),
            );
        let response = self
            .http
            .send(&request)
            .with_context(|| "requesting the OIDC token from the CI provider".to_string())?;
        let json: Value = serde_json::from_slice(&response.body).with_context(|| {
            format!(
                "the OIDC token request answered HTTP {} with a body that is not JSON",
                response.status
            )
        })?;
        match json.get("value").and_then(Value::as_str) {
            Some(value) if response.status == 200 => Ok(value.to_string()),
            _ => bail!(
                "the OIDC token request failed (HTTP {}): no `value` in the answer",
                response.status
            ),
        }
    }

    /// `az account get-access-token --resource … --output json`.
    fn cli_token(&self, now: SystemTime) -> Result<Token> {
        let mut command = std::process::Command::new(&self.settings.cli_program);
        command.args([
            "account",
            "get-access-token",
            "--resource",
            self.settings.resource.as_str(),
            "--output",
            "json",
        ]);
        if let Some(tenant) = self.settings.tenant_id.as_deref().filter(|t| !t.is_empty()) {
            command.args(["--tenant", tenant]);
        }
        let output = command.output().with_context(|| {
            format!(
                "running {} (install the Azure CLI and `az login`, or set other credentials)",
                self.settings.cli_program.display()
            )
        })?;
        if !output.status.success() {
            bail!(
                "`az account get-access-token` failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        let json: Value = serde_json::from_slice(&output.stdout)
            .context("`az account get-access-token` printed something that is not JSON")?;
        let Some(value) = json.get("accessToken").and_then(Value::as_str) else {
            bail!("`az account get-access-token` printed no accessToken");
        };
        let expires = json
            .get("expires_on")
            .and_then(|v| {
                v.as_u64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
            .map(|epoch| UNIX_EPOCH + Duration::from_secs(epoch))
            // An answer without a machine-readable expiry is trusted for a few minutes.
            .unwrap_or(now + self.settings.refresh_margin + Duration::from_secs(300));
        Ok(Token {
            value: value.to_string(),
            expires: Some(expires),
        })
    }
}

fn form_encode(text: &str) -> String {
    crate::arm::id::percent_encode(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> CredentialSettings {
        CredentialSettings {
            use_cli: false,
            ..CredentialSettings::default()
        }
    }

    #[test]
    fn azurerm_order() {
        assert!(select_source(&settings()).is_err());
        let mut s = settings();
        s.use_cli = true;
        assert_eq!(select_source(&s).unwrap(), CredentialSource::AzureCli);
        s.tenant_id = Some("t".into());
        s.client_id = Some("c".into());
        s.use_oidc = true;
        s.oidc_token = Some("jwt".into());
        assert_eq!(select_source(&s).unwrap(), CredentialSource::Oidc);
        s.client_secret = Some("x".into());
        assert_eq!(select_source(&s).unwrap(), CredentialSource::ClientSecret);
        s.access_token = Some("a".into());
        assert_eq!(select_source(&s).unwrap(), CredentialSource::AccessToken);
    }

    #[test]
    fn refuses_plain_http_authority_off_loopback() {
        let mut s = settings();
        s.tenant_id = Some("t".into());
        s.client_id = Some("c".into());
        s.client_secret = Some("x".into());
        s.authority_host = "http://login.example".into();
        assert!(TokenProvider::new(s).is_err());
    }
}
