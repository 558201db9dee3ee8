//! The state's domain model: what peerform remembers about the objects it manages. Plain data with
//! invariants (resources sorted by address, dependencies direct and sorted, no plaintext secret); it
//! must not derive `Serialize` or know the file format, which lives in `wire`.

use crate::config::addr::ResourceInstanceAddr;
use crate::lang::Value;
use std::collections::BTreeMap;
use std::fmt;

use super::secret::{self, Digest, SecretParams};
use std::sync::Arc;

/// Where the state's objects live: the cloud target, its endpoint and the subscription.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CloudTarget {
    /// `emulator`, `azure` or `http`.
    pub target: String,
    pub endpoint: String,
    pub subscription: String,
}

/// The whole state of one configuration.
#[derive(Clone, Debug, PartialEq)]
pub struct State {
    /// Goes up by one on each persisted write whose content changed.
    pub serial: u64,
    /// A UUID fixed when the state is first created; states of different lineages never overwrite each
    /// other.
    pub lineage: String,
    pub cloud: CloudTarget,
    pub outputs: BTreeMap<String, OutputState>,
    pub resources: BTreeMap<ResourceInstanceAddr, ResourceState>,
    /// Creates that were started but not yet recorded as done: apply adopts these objects on the next
    /// run instead of creating them twice.
    pub intents: BTreeMap<ResourceInstanceAddr, CreateIntent>,
    /// Salt and argon2id parameters of every digest in this state.
    pub secrets: SecretParams,
}

/// A root module output.
#[derive(Clone, Debug, PartialEq)]
pub enum OutputState {
    Plain(Value),
    /// A sensitive output: only its digest is kept.
    Sensitive(Digest),
}

/// Whether an object can be used as it is or must be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Status {
    #[default]
    Ready,
    Tainted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Ready => "ready",
            Status::Tainted => "tainted",
        }
    }
}

/// One resource instance's current object.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ResourceState {
    pub type_name: String,
    /// The ARM resource id.
    pub id: String,
    /// Attribute values without secrets: a secret's place holds null and its digest is in `secrets`.
    pub attributes: BTreeMap<String, Value>,
    /// Digests of secret values, keyed by attribute path (`shared_key`, `peering[0].shared_key`).
    pub secrets: BTreeMap<String, Digest>,
    /// Direct dependencies only, sorted and without duplicates.
    pub dependencies: Vec<ResourceInstanceAddr>,
    pub status: Status,
    pub create_before_destroy: bool,
    /// Objects replaced with create-before-destroy whose delete has not completed yet.
    pub deposed: Vec<DeposedObject>,
}

/// An older object of a resource instance still waiting to be deleted.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DeposedObject {
    /// Terraform-style deposed key (eight hex digits).
    pub key: String,
    pub id: String,
    pub attributes: BTreeMap<String, Value>,
    pub secrets: BTreeMap<String, Digest>,
}

/// A create that was about to be sent: the object may exist in the cloud without a state entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateIntent {
    pub type_name: String,
    /// The ARM id the create will use.
    pub id: String,
}

/// One step of an attribute path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathStep {
    /// An object attribute or map key.
    Key(String),
    /// A list element.
    Index(usize),
}

/// A path into a resource's attributes, written as Terraform writes traversals: `shared_key`,
/// `private_peering[0].shared_key`, `tags["a b"]`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AttrPath(pub Vec<PathStep>);

impl AttrPath {
    pub fn attr(name: &str) -> Self {
        AttrPath(vec![PathStep::Key(name.to_string())])
    }

    pub fn push(&self, step: PathStep) -> Self {
        let mut steps = self.0.clone();
        steps.push(step);
        AttrPath(steps)
    }
}

fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

impl AttrPath {
    /// Parse a path as [`AttrPath`] prints it.
    pub fn parse(text: &str) -> Option<AttrPath> {
        let mut steps = Vec::new();
        let mut rest = text;
        while !rest.is_empty() {
            if let Some(inner) = rest.strip_prefix('[') {
                if inner.starts_with('"') {
                    let mut end = None;
                    let mut escaped = false;
                    for (i, c) in inner.char_indices().skip(1) {
                        match c {
                            '\\' if !escaped => escaped = true,
                            '"' if !escaped => {
                                end = Some(i);
                                break;
                            }
                            _ => escaped = false,
                        }
                    }
                    let end = end?;
                    let key: String = serde_json::from_str(&inner[..=end]).ok()?;
                    rest = inner[end + 1..].strip_prefix(']')?;
                    steps.push(PathStep::Key(key));
                } else {
                    let close = inner.find(']')?;
                    steps.push(PathStep::Index(inner[..close].parse().ok()?));
                    rest = &inner[close + 1..];
                }
                continue;
            }
            if !steps.is_empty() {
                rest = rest.strip_prefix('.')?;
            }
            let len = rest.find(['.', '[']).unwrap_or(rest.len());
            if len == 0 {
                return None;
            }
            steps.push(PathStep::Key(rest[..len].to_string()));
            rest = &rest[len..];
        }
        if steps.is_empty() {
            None
        } else {
            Some(AttrPath(steps))
        }
    }
}

impl ResourceState {
    /// The attributes with `id` and every secret put back as a sensitive mark (over null): what `state
    /// show` and a plan display.
    pub fn display_attributes(&self) -> BTreeMap<String, Value> {
        display_attributes(&self.id, &self.attributes, &self.secrets)
    }
}

impl DeposedObject {
    pub fn display_attributes(&self) -> BTreeMap<String, Value> {
        display_attributes(&self.id, &self.attributes, &self.secrets)
    }
}

fn display_attributes(
    id: &str,
    attributes: &BTreeMap<String, Value>,
    secrets: &BTreeMap<String, Digest>,
) -> BTreeMap<String, Value> {
    let mut out = attributes.clone();
    out.insert("id".to_string(), Value::string(id));
    let hidden = Value::Sensitive(Box::new(Value::Null));
    for path in secrets.keys() {
        let placed = AttrPath::parse(path).is_some_and(|p| set_at(&mut out, &p.0, hidden.clone()));
        if !placed {
            out.insert(path.clone(), hidden.clone());
        }
    }
    out
}

fn set_at(map: &mut BTreeMap<String, Value>, path: &[PathStep], value: Value) -> bool {
    let Some((PathStep::Key(first), rest)) = path.split_first() else {
        return false;
    };
    if rest.is_empty() {
        map.insert(first.clone(), value);
        return true;
    }
    let Some(mut node) = map.get_mut(first) else {
        return false;
    };
    for (i, step) in rest.iter().enumerate() {
        let last = i + 1 == rest.len();
        let next = match (step, node) {
            (PathStep::Key(k), Value::Map(m)) => {
                let m = Arc::make_mut(m);
                if last {
                    m.insert(k.clone(), value);
                    return true;
                }
                m.get_mut(k)
            }
            (PathStep::Index(n), Value::List(items) | Value::Set(items)) => {
                if last {
                    if let Some(slot) = items.get_mut(*n) {
                        *slot = value;
                        return true;
                    }
                    return false;
                }
                items.get_mut(*n)
            }
            _ => None,
        };
        match next {
            Some(n) => node = n,
            None => return false,
        }
    }
    false
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, step) in self.0.iter().enumerate() {
            match step {
                PathStep::Key(k) if is_identifier(k) => {
                    if i > 0 {
                        write!(f, ".")?;
                    }
                    write!(f, "{k}")?;
                }
                PathStep::Key(k) => write!(f, "[{}]", serde_json::Value::String(k.clone()))?,
                PathStep::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl State {
    /// An empty state with a new random lineage and secret salt, at serial 0.
    pub fn new(cloud: CloudTarget) -> Self {
        State {
            serial: 0,
            lineage: uuid::Uuid::new_v4().to_string(),
            cloud,
            outputs: BTreeMap::new(),
            resources: BTreeMap::new(),
            intents: BTreeMap::new(),
            secrets: SecretParams::generate(),
        }
    }

    /// Same content, ignoring the serial: what decides whether a write changes anything.
    pub fn same_content(&self, other: &State) -> bool {
        self.lineage == other.lineage
            && self.cloud == other.cloud
            && self.outputs == other.outputs
            && self.resources == other.resources
            && self.intents == other.intents
            && self.secrets == other.secrets
    }

    /// Whether a configured value equals the secret stored at `path` of the resource at `address`:
    /// how a plan tells that a sensitive argument changed without the state holding it.
    pub fn secret_matches(
        &self,
        address: &ResourceInstanceAddr,
        path: &str,
        candidate: &Value,
    ) -> bool {
        secret::secret_matches(self, address, path, candidate)
    }

    /// Record a resource from its attribute values: sensitive-marked values and the schema's Sensitive
    /// attributes become digests (computed in parallel); everything else is kept as it is.
    pub fn put_resource(
        &mut self,
        address: ResourceInstanceAddr,
        object: NewObject,
    ) -> anyhow::Result<()> {
        let mut done = self.build_resources(vec![(address, object)])?;
        if let Some((address, resource)) = done.pop() {
            self.intents.remove(&address);
            self.resources.insert(address, resource);
        }
        Ok(())
    }

    /// Build many resources at once, digesting all their secrets in one parallel batch.
    pub fn build_resources(
        &self,
        objects: Vec<(ResourceInstanceAddr, NewObject)>,
    ) -> anyhow::Result<Vec<(ResourceInstanceAddr, ResourceState)>> {
        let mut jobs: Vec<secret::SecretJob> = Vec::new();
        let mut staged = Vec::with_capacity(objects.len());
        let mut split = |type_name: &str, id: &str, values, extra: &[AttrPath]| {
            let (attributes, secrets) = secret::split_secrets(type_name, values, extra);
            let mut paths = Vec::with_capacity(secrets.len());
            for (path, input) in secrets {
                paths.push((path.clone(), jobs.len()));
                jobs.push(secret::SecretJob {
                    context: secret::object_context(id, &path),
                    input,
                });
            }
            (attributes, paths)
        };
        for (address, object) in objects {
            let current = split(
                &object.type_name,
                &object.id,
                object.values,
                &object.sensitive_paths,
            );
            let deposed: Vec<_> = object
                .deposed
                .into_iter()
                .map(|d| {
                    let parts = split(&object.type_name, &d.id, d.values, &d.sensitive_paths);
                    (d.key, d.id, parts)
                })
                .collect();
            staged.push((
                address,
                object.type_name,
                object.id,
                current,
                deposed,
                object.dependencies,
                object.status,
                object.create_before_destroy,
            ));
        }
        let digests = secret::digest_all(&self.secrets, &jobs)?;
        let collect = |paths: Vec<(String, usize)>| -> BTreeMap<String, Digest> {
            paths
                .into_iter()
                .map(|(path, i)| (path, digests[i].clone()))
                .collect()
        };
        let mut out = Vec::with_capacity(staged.len());
        for (address, type_name, id, (attributes, paths), deposed, dependencies, status, cbd) in
            staged
        {
            let deposed = deposed
                .into_iter()
                .map(|(key, id, (attributes, paths))| DeposedObject {
                    key,
                    id,
                    attributes,
                    secrets: collect(paths),
                })
                .collect();
            out.push((
                address,
                ResourceState {
                    type_name,
                    id,
                    attributes,
                    secrets: collect(paths),
                    dependencies: normalise_dependencies(dependencies),
                    status,
                    create_before_destroy: cbd,
                    deposed,
                },
            ));
        }
        Ok(out)
    }
}

/// A resource object as apply or import knows it: values may carry sensitive marks.
#[derive(Clone, Debug, Default)]
pub struct NewObject {
    pub type_name: String,
    pub id: String,
    pub values: BTreeMap<String, Value>,
    /// Paths to keep secret beyond sensitive marks and the schema's Sensitive attributes.
    pub sensitive_paths: Vec<AttrPath>,
    pub dependencies: Vec<ResourceInstanceAddr>,
    pub status: Status,
    pub create_before_destroy: bool,
    pub deposed: Vec<NewDeposed>,
}

/// A deposed object as apply or import knows it.
#[derive(Clone, Debug, Default)]
pub struct NewDeposed {
    pub key: String,
    pub id: String,
    pub values: BTreeMap<String, Value>,
    pub sensitive_paths: Vec<AttrPath>,
}

/// Sort and deduplicate a dependency list.
pub fn normalise_dependencies(
    mut dependencies: Vec<ResourceInstanceAddr>,
) -> Vec<ResourceInstanceAddr> {
    dependencies.sort();
    dependencies.dedup();
    dependencies
}
