//! Secrets in state: argon2id digests, computed in parallel, whose salt is the state's random salt
//! followed by a hash of the secret's place (ARM id and attribute path, or output name) so that equal
//! secrets in different places do not show as equal; and the test a plan uses to tell whether a
//! configured secret changed. It owns the rule of what counts as secret (sensitive marks, the schema's
//! Sensitive attributes, a few names azurerm always treats as secret) and must never keep, return or
//! put in an error message the plaintext it digests.

use crate::config::addr::ResourceInstanceAddr;
use crate::lang::Value;
use crate::schema::BlockSchema;
use anyhow::Context as _;
use base64::Engine as _;
use rand::RngCore as _;
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::model::{AttrPath, PathStep, State};

/// Attribute names that hold a secret wherever they appear, whatever the schema says: the circuit's
/// `service_key`, authorizations' and connections' `authorization_key`, peerings' and connections'
/// `shared_key`.
pub const ALWAYS_SECRET: &[&str] = &["authorization_key", "service_key", "shared_key"];

const DIGEST_PREFIX: &str = "argon2id:";
const DIGEST_LEN: usize = 32;

/// An argon2id digest of one secret value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Digest(pub [u8; DIGEST_LEN]);

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{DIGEST_PREFIX}{}",
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(self.0)
        )
    }
}

impl fmt::Debug for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self}")
    }
}

impl Digest {
    /// Parse `argon2id:<base64>`; the error says what was expected.
    pub fn parse(text: &str) -> Result<Digest, String> {
        let body = text
            .strip_prefix(DIGEST_PREFIX)
            .ok_or_else(|| format!("a secret digest starts with {DIGEST_PREFIX:?}"))?;
        let bytes = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(body)
            .map_err(|e| format!("a secret digest holds base64 after {DIGEST_PREFIX:?}: {e}"))?;
        let bytes: [u8; DIGEST_LEN] = bytes
            .try_into()
            .map_err(|_| format!("a secret digest holds {DIGEST_LEN} bytes"))?;
        Ok(Digest(bytes))
    }
}

/// The salt and argon2id cost parameters shared by every digest of one state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecretParams {
    pub salt: Vec<u8>,
    /// Memory cost in KiB.
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
}

impl SecretParams {
    /// Deliberately slow but practical: 8 MiB, two passes, one lane (a few milliseconds per digest on
    /// the reference machine; see the state benchmark's note).
    pub const MEMORY_KIB: u32 = 8 * 1024;
    pub const ITERATIONS: u32 = 2;
    pub const PARALLELISM: u32 = 1;

    /// The default parameters with a new random 16-byte salt.
    pub fn generate() -> Self {
        let mut salt = vec![0u8; 16];
        rand::thread_rng().fill_bytes(&mut salt);
        SecretParams {
            salt,
            memory_kib: Self::MEMORY_KIB,
            iterations: Self::ITERATIONS,
            parallelism: Self::PARALLELISM,
        }
    }

    fn argon2(&self) -> anyhow::Result<argon2::Argon2<'static>> {
        let params = argon2::Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(DIGEST_LEN),
        )
        .map_err(|e| anyhow::anyhow!("invalid argon2id parameters in state: {e}"))?;
        Ok(argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        ))
    }

    /// Check the parameters without digesting anything (used when reading a state).
    pub fn validate(&self) -> Result<(), String> {
        if self.salt.len() < 8 {
            return Err("the secret salt must be at least 8 bytes".to_string());
        }
        argon2::Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(DIGEST_LEN),
        )
        .map(|_| ())
        .map_err(|e| format!("invalid argon2id parameters: {e}"))
    }
}

/// The bytes digested for a value: strings as themselves, anything else as canonical JSON; a tag keeps
/// the two apart.
pub fn secret_input(value: &Value) -> Vec<u8> {
    let (value, _) = value.clone().unmark_deep();
    match value {
        Value::String(s) => {
            let mut out = b"s:".to_vec();
            out.extend_from_slice(s.as_bytes());
            out
        }
        other => {
            let mut out = b"j:".to_vec();
            out.extend_from_slice(other.to_json().to_string().as_bytes());
            out
        }
    }
}

/// One value to digest, with the object it belongs to.
#[derive(Clone, Debug)]
pub struct SecretJob {
    /// Which object and attribute the secret belongs to (see [`object_context`]); it is mixed into
    /// the salt so equal secrets in different places get different digests.
    pub context: String,
    /// The bytes to digest ([`secret_input`]).
    pub input: Vec<u8>,
}

/// The context of a resource attribute: its ARM id (which `state mv` does not change; lower-cased,
/// since ARM ids are case-insensitive and Azure may return another casing) and its path.
pub fn object_context(id: &str, path: &str) -> String {
    format!("{}\u{0}{path}", id.to_ascii_lowercase())
}

/// The context of a root module output.
pub fn output_context(name: &str) -> String {
    format!("output\u{0}{name}")
}

/// Digest many secrets in parallel. Each digest's salt is the state's salt followed by SHA-256 of the
/// job's context.
pub fn digest_all(params: &SecretParams, jobs: &[SecretJob]) -> anyhow::Result<Vec<Digest>> {
    use sha2::Digest as _;
    if jobs.is_empty() {
        return Ok(Vec::new());
    }
    let argon2 = params.argon2()?;
    jobs.par_iter()
        .map(|job| {
            let mut salt = params.salt.clone();
            salt.extend_from_slice(&sha2::Sha256::digest(job.context.as_bytes()));
            let mut out = [0u8; DIGEST_LEN];
            argon2
                .hash_password_into(&job.input, &salt, &mut out)
                .map_err(|e| anyhow::anyhow!("computing a secret digest: {e}"))?;
            Ok(Digest(out))
        })
        .collect()
}

/// Digest values, each with its context (sensitive marks are ignored: everything given is secret).
pub fn digest_secrets(
    params: &SecretParams,
    values: &[(&str, &Value)],
) -> anyhow::Result<Vec<Digest>> {
    let jobs: Vec<SecretJob> = values
        .iter()
        .map(|(context, value)| SecretJob {
            context: context.to_string(),
            input: secret_input(value),
        })
        .collect();
    digest_all(params, &jobs).context("digesting secrets")
}

fn matches(params: &SecretParams, context: String, candidate: &Value, digest: &Digest) -> bool {
    let job = SecretJob {
        context,
        input: secret_input(candidate),
    };
    match digest_all(params, &[job]) {
        Ok(computed) => computed.first() == Some(digest),
        Err(_) => false,
    }
}

/// Whether `candidate` is the secret stored at `path` (as [`AttrPath`] prints it) of the resource at
/// `address`. False when there is no such resource or digest.
pub fn secret_matches(
    state: &State,
    address: &ResourceInstanceAddr,
    path: &str,
    candidate: &Value,
) -> bool {
    let Some(resource) = state.resources.get(address) else {
        return false;
    };
    let Some(digest) = resource.secrets.get(path) else {
        return false;
    };
    matches(
        &state.secrets,
        object_context(&resource.id, path),
        candidate,
        digest,
    )
}

/// Whether `candidate` is the value of the sensitive output `name`.
pub fn output_secret_matches(state: &State, name: &str, candidate: &Value) -> bool {
    match state.outputs.get(name) {
        Some(super::model::OutputState::Sensitive(digest)) => {
            matches(&state.secrets, output_context(name), candidate, digest)
        }
        _ => false,
    }
}

/// A secret found in attribute values: its path, and the bytes to digest.
pub type SecretInput = (String, Vec<u8>);

/// Split attribute values into what may be stored and the secrets to digest: each secret's place
/// becomes null, and `(path, input bytes)` is returned for it. Secret nulls stay null (nothing to hide).
pub fn split_secrets(
    type_name: &str,
    values: BTreeMap<String, Value>,
    extra: &[AttrPath],
) -> (BTreeMap<String, Value>, Vec<SecretInput>) {
    let schema = crate::schema::resource(type_name).map(|s| &s.block);
    let mut secrets = Vec::new();
    let attributes = values
        .into_iter()
        .map(|(name, value)| {
            let path = AttrPath::attr(&name);
            let secret = is_schema_secret(schema, &name);
            let child = schema.and_then(|s| s.block(&name)).map(|b| &b.block);
            let value = walk(value, &path, child, secret, extra, &mut secrets);
            (name, value)
        })
        .collect();
    (attributes, secrets)
}

fn is_schema_secret(schema: Option<&BlockSchema>, name: &str) -> bool {
    ALWAYS_SECRET.contains(&name)
        || schema
            .and_then(|s| s.attribute(name))
            .is_some_and(|a| a.sensitive)
}

fn walk(
    value: Value,
    path: &AttrPath,
    schema: Option<&BlockSchema>,
    secret: bool,
    extra: &[AttrPath],
    secrets: &mut Vec<SecretInput>,
) -> Value {
    if secret || matches!(value, Value::Sensitive(_)) || extra.contains(path) {
        if !value.is_null() {
            secrets.push((path.to_string(), secret_input(&value)));
        }
        return Value::Null;
    }
    match value {
        Value::Map(map) => Value::map(
            Arc::unwrap_or_clone(map)
                .into_iter()
                .map(|(key, v)| {
                    let child_path = path.push(PathStep::Key(key.clone()));
                    let secret = is_schema_secret(schema, &key);
                    let child = schema.and_then(|s| s.block(&key)).map(|b| &b.block);
                    let v = walk(v, &child_path, child, secret, extra, secrets);
                    (key, v)
                })
                .collect(),
        ),
        Value::List(items) => Value::List(walk_items(items, path, schema, extra, secrets)),
        Value::Set(items) => Value::Set(walk_items(items, path, schema, extra, secrets)),
        other => other,
    }
}

fn walk_items(
    items: Vec<Value>,
    path: &AttrPath,
    schema: Option<&BlockSchema>,
    extra: &[AttrPath],
    secrets: &mut Vec<SecretInput>,
) -> Vec<Value> {
    items
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            walk(
                v,
                &path.push(PathStep::Index(i)),
                schema,
                false,
                extra,
                secrets,
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cheap() -> SecretParams {
        SecretParams {
            salt: b"0123456789abcdef".to_vec(),
            memory_kib: 64,
            iterations: 1,
            parallelism: 1,
        }
    }

    #[test]
    fn digests_are_deterministic_per_salt_and_differ_across_salts() {
        let job = |context: &str| SecretJob {
            context: context.to_string(),
            input: b"s:secret".to_vec(),
        };
        let a = digest_all(&cheap(), &[job("/a\u{0}shared_key")]).unwrap();
        let b = digest_all(&cheap(), &[job("/a\u{0}shared_key")]).unwrap();
        assert_eq!(a, b);
        let mut other = cheap();
        other.salt = b"fedcba9876543210".to_vec();
        assert_ne!(a, digest_all(&other, &[job("/a\u{0}shared_key")]).unwrap());
        // The same secret on another object gets another digest: equal secrets do not show.
        assert_ne!(
            a,
            digest_all(&cheap(), &[job("/b\u{0}shared_key")]).unwrap()
        );
        let text = a[0].to_string();
        assert!(text.starts_with("argon2id:"));
        assert_eq!(Digest::parse(&text).unwrap(), a[0]);
        assert!(Digest::parse("sha256:abc").is_err());
    }

    #[test]
    fn split_hides_marked_and_known_secret_values() {
        let values: BTreeMap<String, Value> = [
            ("name".to_string(), Value::string("conn")),
            ("shared_key".to_string(), Value::string("hunter2")),
            (
                "peering".to_string(),
                Value::List(vec![Value::object([(
                    "password",
                    Value::string("p@ss").mark_sensitive(),
                )])]),
            ),
            ("authorization_key".to_string(), Value::Null),
        ]
        .into_iter()
        .collect();
        let (attributes, secrets) = split_secrets("azurerm_x", values, &[]);
        let paths: Vec<&str> = secrets.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(paths, ["peering[0].password", "shared_key"]);
        assert_eq!(attributes["shared_key"], Value::Null);
        assert_eq!(attributes["name"], Value::string("conn"));
        let rendered = format!("{attributes:?}");
        assert!(!rendered.contains("hunter2") && !rendered.contains("p@ss"));
    }

    #[test]
    fn secret_matches_tells_changed_from_unchanged() {
        let mut state = State::new(Default::default());
        state.secrets = cheap();
        let address = crate::config::addr::parse_instance("azurerm_x.a").unwrap();
        state
            .put_resource(
                address.clone(),
                super::super::model::NewObject {
                    type_name: "azurerm_x".into(),
                    id: "/x".into(),
                    values: [("shared_key".to_string(), Value::string("abc"))]
                        .into_iter()
                        .collect(),
                    ..Default::default()
                },
            )
            .unwrap();
        assert!(secret_matches(
            &state,
            &address,
            "shared_key",
            &Value::string("abc")
        ));
        assert!(!secret_matches(
            &state,
            &address,
            "shared_key",
            &Value::string("abd")
        ));
        assert!(!secret_matches(
            &state,
            &address,
            "other",
            &Value::string("abc")
        ));
    }

    #[test]
    fn attr_paths_print_like_terraform_traversals() {
        let path = AttrPath::attr("tags")
            .push(PathStep::Key("a b".into()))
            .push(PathStep::Index(2))
            .push(PathStep::Key("x".into()));
        assert_eq!(path.to_string(), "tags[\"a b\"][2].x");
    }
}
