//! Values of the expression language. `Unknown` is "known after apply"; `Sensitive` wraps a value that
//! must never be shown or stored in plain text. Both marks propagate through operators and functions.
//! Maps and objects share one representation (sorted keys, as Terraform iterates them); lists and
//! tuples share another; sets are kept sorted and deduplicated.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// A number. Terraform uses arbitrary precision; ExpressRoute values (ASNs, VLANs, bandwidths, prefix
/// lengths) are integers far inside f64's exact range.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Number(pub f64);

impl Number {
    pub fn as_i64(self) -> Option<i64> {
        if self.0.fract() == 0.0 && self.0.abs() < 9.007_199_254_740_992e15 {
            Some(self.0 as i64)
        } else {
            None
        }
    }
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.as_i64() {
            Some(i) => write!(f, "{i}"),
            None => write!(f, "{}", self.0),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq)]
pub enum Value {
    #[default]
    Null,
    /// Known after apply.
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    /// A list or tuple.
    List(Vec<Value>),
    /// A set: sorted by [`Value::total_cmp`] and without duplicates.
    Set(Vec<Value>),
    /// A map or object, keys sorted. Shared: the desired graph, the plan and the renderers hold the
    /// same objects, so a clone is a reference count; [`Value::map_mut`] copies on write.
    Map(Arc<BTreeMap<String, Value>>),
    /// A sensitive value. Never nested directly inside another `Sensitive`.
    Sensitive(Box<Value>),
}

/// The entry `key` of a map taken out: moved when this is the map's only holder, else cloned (a
/// shared map is not copied to take one entry).
pub fn take_entry(map: Arc<BTreeMap<String, Value>>, key: &str) -> Option<Value> {
    match Arc::try_unwrap(map) {
        Ok(mut map) => map.remove(key),
        Err(shared) => shared.get(key).cloned(),
    }
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn number(n: impl Into<f64>) -> Value {
        Value::Number(Number(n.into()))
    }

    pub fn int(n: i64) -> Value {
        Value::Number(Number(n as f64))
    }

    /// Build a set: sorts and removes duplicates.
    pub fn set(mut items: Vec<Value>) -> Value {
        items.sort_by(Value::total_cmp);
        items.dedup();
        Value::Set(items)
    }

    pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Value)>) -> Value {
        Value::map(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// A map or object value.
    pub fn map(map: BTreeMap<String, Value>) -> Value {
        Value::Map(Arc::new(map))
    }

    /// Mark as sensitive (idempotent).
    pub fn mark_sensitive(self) -> Value {
        match self {
            Value::Sensitive(_) => self,
            other => Value::Sensitive(Box::new(other)),
        }
    }

    /// The value without its top-level sensitive mark, and whether it had one.
    pub fn unmark(&self) -> (&Value, bool) {
        match self {
            Value::Sensitive(inner) => (inner, true),
            other => (other, false),
        }
    }

    /// The value without its top-level sensitive mark, by value.
    pub fn into_unmarked(self) -> (Value, bool) {
        match self {
            Value::Sensitive(inner) => (*inner, true),
            other => (other, false),
        }
    }

    /// Remove every sensitive mark at any depth, reporting whether there was one.
    pub fn unmark_deep(self) -> (Value, bool) {
        match self {
            Value::Sensitive(inner) => (inner.unmark_deep().0, true),
            Value::List(items) => {
                let mut any = false;
                let items = items
                    .into_iter()
                    .map(|v| {
                        let (v, m) = v.unmark_deep();
                        any |= m;
                        v
                    })
                    .collect();
                (Value::List(items), any)
            }
            Value::Set(items) => {
                let mut any = false;
                let items = items
                    .into_iter()
                    .map(|v| {
                        let (v, m) = v.unmark_deep();
                        any |= m;
                        v
                    })
                    .collect();
                (Value::set(items), any)
            }
            Value::Map(map) => {
                let mut any = false;
                let map = Arc::unwrap_or_clone(map)
                    .into_iter()
                    .map(|(k, v)| {
                        let (v, m) = v.unmark_deep();
                        any |= m;
                        (k, v)
                    })
                    .collect();
                (Value::map(map), any)
            }
            other => (other, false),
        }
    }

    /// True when this value or anything inside it is sensitive.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(items) | Value::Set(items) => items.iter().any(Value::contains_sensitive),
            Value::Map(map) => map.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    /// True when the value is unknown at the top level (ignoring a sensitive mark).
    pub fn is_unknown(&self) -> bool {
        matches!(self.unmark().0, Value::Unknown)
    }

    /// True when the value is known all the way down.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::Sensitive(inner) => inner.is_wholly_known(),
            Value::List(items) | Value::Set(items) => items.iter().all(Value::is_wholly_known),
            Value::Map(map) => map.values().all(Value::is_wholly_known),
            _ => true,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.unmark().0, Value::Null)
    }

    /// Terraform's name for the value's type, for messages ("string", "number", "list", …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Unknown => "unknown",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "tuple",
            Value::Set(_) => "set",
            Value::Map(_) => "object",
            Value::Sensitive(inner) => inner.type_name(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unmark().0 {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.unmark().0 {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_number(&self) -> Option<Number> {
        match self.unmark().0 {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        self.as_number().and_then(Number::as_i64)
    }

    pub fn as_map(&self) -> Option<&BTreeMap<String, Value>> {
        match self.unmark().0 {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The entries of a map or object (not under a sensitive mark) to change in place, copied first
    /// when the map is shared.
    pub fn map_mut(&mut self) -> Option<&mut BTreeMap<String, Value>> {
        match self {
            Value::Map(m) => Some(Arc::make_mut(m)),
            _ => None,
        }
    }

    /// Elements of a list, tuple or set.
    pub fn as_list(&self) -> Option<&[Value]> {
        match self.unmark().0 {
            Value::List(items) | Value::Set(items) => Some(items),
            _ => None,
        }
    }

    /// An attribute of an object, or `None`.
    pub fn get_attr(&self, name: &str) -> Option<&Value> {
        self.as_map().and_then(|m| m.get(name))
    }

    /// A total order used to keep sets sorted: by kind, then by content.
    pub fn total_cmp(a: &Value, b: &Value) -> Ordering {
        fn rank(v: &Value) -> u8 {
            match v {
                Value::Null => 0,
                Value::Unknown => 1,
                Value::Bool(_) => 2,
                Value::Number(_) => 3,
                Value::String(_) => 4,
                Value::List(_) => 5,
                Value::Set(_) => 6,
                Value::Map(_) => 7,
                Value::Sensitive(_) => 8,
            }
        }
        match (a, b) {
            (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
            (Value::Number(x), Value::Number(y)) => x.0.total_cmp(&y.0),
            (Value::String(x), Value::String(y)) => x.cmp(y),
            (Value::List(x), Value::List(y)) | (Value::Set(x), Value::Set(y)) => {
                for (l, r) in x.iter().zip(y.iter()) {
                    let o = Value::total_cmp(l, r);
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            (Value::Map(x), Value::Map(y)) => {
                for ((lk, lv), (rk, rv)) in x.iter().zip(y.iter()) {
                    let o = lk.cmp(rk).then_with(|| Value::total_cmp(lv, rv));
                    if o != Ordering::Equal {
                        return o;
                    }
                }
                x.len().cmp(&y.len())
            }
            (Value::Sensitive(x), Value::Sensitive(y)) => Value::total_cmp(x, y),
            _ => rank(a).cmp(&rank(b)),
        }
    }

    /// Convert a known, unmarked JSON document into a value (for `jsondecode`, state and plan files).
    pub fn from_json(json: &serde_json::Value) -> Value {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::number(n.as_f64().unwrap_or(f64::NAN)),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::map(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// Convert to JSON. Unknown becomes null and sensitive marks are dropped: callers that must not leak
    /// secrets check [`Value::contains_sensitive`] first.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => match n.as_i64() {
                Some(i) => serde_json::Value::from(i),
                None => serde_json::Number::from_f64(n.0)
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null),
            },
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) | Value::Set(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect())
            }
            Value::Map(map) => serde_json::Value::Object(
                map.iter().map(|(k, v)| (k.clone(), v.to_json())).collect(),
            ),
            Value::Sensitive(inner) => inner.to_json(),
        }
    }
}

/// HCL-like rendering for messages and plans: strings quoted, unknown as `(known after apply)`,
/// sensitive as `(sensitive value)`.
impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => write!(f, "null"),
            Value::Unknown => write!(f, "(known after apply)"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Number(n) => write!(f, "{n}"),
            Value::String(s) => write!(f, "{}", serde_json::Value::String(s.clone())),
            Value::List(items) | Value::Set(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
            Value::Map(map) => {
                write!(f, "{{")?;
                for (i, (k, v)) in map.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                write!(f, "}}")
            }
            Value::Sensitive(_) => write!(f, "(sensitive value)"),
        }
    }
}
