//! The diff of one resource instance: configuration against its prior object, attribute by
//! attribute with the schema's ForceNew and computed flags, `ignore_changes`, secrets compared
//! through their digests, and the ExpressRoute replace rules. It also produces the planned value
//! dependents see (prior computed values kept unless the object is replaced). Pure.

use super::model::{Action, ActionReason, ReplaceReason};
use crate::config::addr::ResourceInstanceAddr;
use crate::desired::{IgnoreChanges, Instance};
use crate::lang::Value;
use crate::schema::{BlockSchema, ResourceSchema};
use crate::state::{ResourceState, State, Status};
use std::collections::BTreeMap;

/// The decision for one instance.
#[derive(Clone, Debug)]
pub struct Decision {
    pub action: Action,
    /// The value dependents see and the plan shows as "after".
    pub planned: Value,
    pub changed: Vec<String>,
    pub replace_reasons: Vec<ReplaceReason>,
    pub action_reason: Option<ActionReason>,
}

/// Extra inputs of a diff.
pub struct DiffOptions<'a> {
    /// `--replace ADDR`.
    pub force_replace: bool,
    /// The prior state, for secret digests.
    pub state: &'a State,
    /// A domain rule's replacement reason for this type, old and new values.
    pub domain_rule: &'a dyn Fn(&str, &Value, &Value) -> Option<ReplaceReason>,
}

/// Normalise for comparison: no marks, sets and lists compared by content, and an empty list or
/// map equal to null (azurerm reads an unset optional collection back as empty).
pub fn normalise(value: &Value) -> Value {
    match value {
        Value::Sensitive(inner) => normalise(inner),
        Value::Set(items) | Value::List(items) if items.is_empty() => Value::Null,
        Value::Map(map) if map.is_empty() => Value::Null,
        Value::Set(items) => {
            let mut items: Vec<Value> = items.iter().map(normalise).collect();
            items.sort_by(Value::total_cmp);
            Value::List(items)
        }
        Value::List(items) => Value::List(items.iter().map(normalise).collect()),
        Value::Map(map) => Value::Map(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect()),
        other => other.clone(),
    }
}

/// Sets become sorted lists, recursively; sensitive marks stay (they decide what is a secret).
pub fn normalise_keep_marks(value: &Value) -> Value {
    match value {
        Value::Sensitive(inner) => normalise_keep_marks(inner).mark_sensitive(),
        Value::Set(items) => {
            let mut items: Vec<Value> = items.iter().map(normalise_keep_marks).collect();
            items.sort_by(Value::total_cmp);
            Value::List(items)
        }
        Value::List(items) => Value::List(items.iter().map(normalise_keep_marks).collect()),
        Value::Map(map) => Value::Map(
            map.iter()
                .map(|(k, v)| (k.clone(), normalise_keep_marks(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn ignored(ignore: &IgnoreChanges, name: &str) -> bool {
    match ignore {
        IgnoreChanges::None => false,
        IgnoreChanges::All => true,
        IgnoreChanges::Attributes(list) => list.iter().any(|a| {
            a == name || a.starts_with(&format!("{name}[")) || a.starts_with(&format!("{name}."))
        }),
    }
}

/// Fill what the configuration leaves to Azure from the prior object: computed values that are
/// unknown or unset in the configuration keep their prior value (recursively in nested blocks).
fn keep_computed(
    schema: &BlockSchema,
    planned: &mut BTreeMap<String, Value>,
    prior: &BTreeMap<String, Value>,
    configured: Option<&[String]>,
) {
    for a in &schema.attributes {
        // Azure may leave a computed attribute out of its answer entirely: that is null.
        let prior_value = prior.get(a.name).cloned().unwrap_or(Value::Null);
        let is_configured = configured.is_none_or(|c| c.iter().any(|n| n == a.name));
        let planned_value = planned.get(a.name).cloned().unwrap_or(Value::Null);
        let take_prior = if !a.required && !a.optional {
            true
        } else if a.computed {
            (!is_configured && (planned_value.is_null() || planned_value.is_unknown()))
                || (configured.is_none() && planned_value.is_unknown())
        } else {
            false
        };
        if take_prior {
            planned.insert(a.name.to_string(), prior_value);
        }
    }
    for b in &schema.blocks {
        // A block Azure left out of its answer is an empty list.
        let prior_items = prior
            .get(b.name)
            .and_then(|v| v.as_list())
            .map(<[Value]>::to_vec)
            .unwrap_or_default();
        let planned_value = planned.get(b.name).cloned().unwrap_or(Value::Null);
        let is_configured = configured.is_some_and(|c| c.iter().any(|n| n == b.name));
        if b.computed && !is_configured && (planned_value.is_unknown() || planned_value.is_null()) {
            planned.insert(b.name.to_string(), Value::List(prior_items));
            continue;
        }
        if let Some(items) = planned_value.as_list() {
            let merged: Vec<Value> = items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    match (item.as_map(), prior_items.get(i).and_then(|p| p.as_map())) {
                        (Some(item), Some(prior_item)) => {
                            let mut item = item.clone();
                            keep_computed(&b.block, &mut item, prior_item, None);
                            Value::Map(item)
                        }
                        _ => item.clone(),
                    }
                })
                .collect();
            let merged = if matches!(planned_value.unmark().0, Value::Set(_)) {
                Value::set(merged)
            } else {
                Value::List(merged)
            };
            planned.insert(b.name.to_string(), merged);
        }
    }
}

/// Whether a secret argument changed: compared with the prior digest, never in plain text.
fn secret_changed(
    state: &State,
    addr: &ResourceInstanceAddr,
    name: &str,
    planned: &Value,
    prior: &ResourceState,
) -> bool {
    if planned.is_unknown() {
        return true;
    }
    match prior.secrets.get(name) {
        Some(_) => planned.is_null() || !state.secret_matches(addr, name, planned),
        None => !planned.is_null(),
    }
}

/// Diff one managed instance against its prior object.
pub fn diff(
    instance: &Instance,
    schema: &ResourceSchema,
    prior: Option<&ResourceState>,
    options: &DiffOptions<'_>,
) -> Decision {
    let config = instance.value.as_map().cloned().unwrap_or_default();
    let Some(prior) = prior else {
        return Decision {
            action: Action::Create,
            planned: instance.value.clone(),
            changed: Vec::new(),
            replace_reasons: Vec::new(),
            action_reason: None,
        };
    };
    let mut prior_attrs = prior.attributes.clone();
    prior_attrs.insert("id".into(), Value::string(prior.id.clone()));
    let mut planned = config.clone();
    keep_computed(
        &schema.block,
        &mut planned,
        &prior_attrs,
        Some(&instance.configured),
    );
    planned.insert("id".into(), Value::string(prior.id.clone()));

    let mut changed = Vec::new();
    let mut reasons = Vec::new();
    // (name, forces replacement, secret, left to Azure when not configured)
    let names: Vec<(&str, bool, bool, bool)> = schema
        .block
        .attributes
        .iter()
        .map(|a| {
            (
                a.name,
                a.force_new,
                a.sensitive || crate::state::ALWAYS_SECRET.contains(&a.name),
                (!a.required && !a.optional) || a.computed,
            )
        })
        .chain(
            schema
                .block
                .blocks
                .iter()
                .map(|b| (b.name, b.force_new, false, b.computed)),
        )
        .collect();
    for (name, force_new, secret, azure_owned) in names {
        if name == "id" || name == "timeouts" {
            continue;
        }
        // What Azure computes, and the configuration does not set, is Azure's: never a change.
        if azure_owned && !instance.configured.iter().any(|c| c == name) {
            continue;
        }
        let planned_value = planned.get(name).cloned().unwrap_or(Value::Null);
        let prior_value = prior_attrs.get(name).cloned().unwrap_or(Value::Null);
        if ignored(&instance.lifecycle.ignore_changes, name) {
            planned.insert(name.to_string(), prior_value);
            continue;
        }
        let differs = if secret || prior.secrets.contains_key(name) {
            secret_changed(options.state, &instance.addr, name, &planned_value, prior)
        } else {
            planned_value.is_unknown()
                || !planned_value.is_wholly_known()
                || normalise(&planned_value) != normalise(&prior_value)
        };
        if !differs {
            // Keep the prior representation so "no change" shows nothing.
            if !secret {
                planned.insert(name.to_string(), prior_value);
            }
            continue;
        }
        changed.push(name.to_string());
        if force_new {
            reasons.push(ReplaceReason {
                attribute: Some(name.to_string()),
                rule: None,
                message: format!("changing {name} forces a new object"),
            });
        }
    }
    let before = Value::Map(prior_attrs.clone());
    let after = Value::Map(planned.clone());
    if let Some(reason) = (options.domain_rule)(schema.type_name, &before, &after) {
        reasons.push(reason);
    }
    let mut action_reason = None;
    if prior.status == Status::Tainted {
        action_reason = Some(ActionReason::ReplaceBecauseTainted);
        reasons.insert(
            0,
            ReplaceReason {
                attribute: None,
                rule: None,
                message: "the object is tainted: its last create failed".into(),
            },
        );
    } else if options.force_replace {
        action_reason = Some(ActionReason::ReplaceByRequest);
        reasons.insert(
            0,
            ReplaceReason {
                attribute: None,
                rule: None,
                message: "replacement requested with --replace".into(),
            },
        );
    } else if !reasons.is_empty() {
        action_reason = Some(ActionReason::ReplaceBecauseCannotUpdate);
    }
    if !reasons.is_empty() {
        let action = if instance.lifecycle.create_before_destroy {
            Action::CreateThenDelete
        } else {
            Action::DeleteThenCreate
        };
        return Decision {
            action,
            planned: replaced_value(instance, schema),
            changed,
            replace_reasons: reasons,
            action_reason,
        };
    }
    let action = if changed.is_empty() {
        Action::NoOp
    } else {
        Action::Update
    };
    Decision {
        action,
        planned: Value::Map(planned),
        changed,
        replace_reasons: reasons,
        action_reason,
    }
}

/// A new object's planned value: the configuration, with everything Azure computes unknown.
pub fn replaced_value(instance: &Instance, schema: &ResourceSchema) -> Value {
    let mut value = instance.value.as_map().cloned().unwrap_or_default();
    for a in &schema.block.attributes {
        if a.computed && !instance.configured.iter().any(|c| c == a.name) {
            value.insert(a.name.to_string(), Value::Unknown);
        }
    }
    value.insert("id".into(), Value::Unknown);
    Value::Map(value)
}
