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
use std::sync::Arc;

/// The decision for one instance.
#[derive(Clone, Debug)]
pub struct Decision {
    pub action: Action,
    /// The prior object as the plan shows it ("before"), `None` when there is none.
    pub before: Option<Value>,
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

/// What a plan sees in place of a secret the state holds only as a digest (a service key, an
/// authorization key): the value is not known here, but it is the one last recorded, so a dependent
/// whose recorded digest came from it is unchanged. Apply reads the real value before it sends
/// anything that holds this stand-in.
pub const HELD_SECRET: &str = "\u{0}peerform:secret held as a digest";

/// The stand-in value for a secret held only as a digest (sensitive-marked).
pub fn held_secret() -> Value {
    Value::string(HELD_SECRET).mark_sensitive()
}

/// Whether a value holds the stand-in for a secret held only as a digest, anywhere inside.
pub fn contains_held_secret(value: &Value) -> bool {
    match value {
        Value::String(s) => s == HELD_SECRET,
        Value::Sensitive(inner) => contains_held_secret(inner),
        Value::List(items) | Value::Set(items) => items.iter().any(contains_held_secret),
        Value::Map(map) => map.values().any(contains_held_secret),
        _ => false,
    }
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
        Value::Map(map) => Value::map(map.iter().map(|(k, v)| (k.clone(), normalise(v))).collect()),
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
        Value::Map(map) => Value::map(
            map.iter()
                .map(|(k, v)| (k.clone(), normalise_keep_marks(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// A location as azurerm compares them: lower case, without spaces.
fn normalise_location(value: &Value) -> Value {
    match value.as_str() {
        Some(text) => Value::string(text.replace(' ', "").to_ascii_lowercase()),
        None => normalise(value),
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

/// Set `name` in `map`, allocating a key only when it is new.
fn set(map: &mut BTreeMap<String, Value>, name: &str, value: Value) {
    match map.get_mut(name) {
        Some(slot) => *slot = value,
        None => {
            map.insert(name.to_string(), value);
        }
    }
}

/// Whether two values are equal once normalised (see [`normalise`]); equal values are equal
/// normalised too, so the common case of an unchanged attribute allocates nothing.
fn same_normalised(a: &Value, b: &Value) -> bool {
    a == b || normalise(a) == normalise(b)
}

/// Fill what the configuration leaves to Azure from the prior object: computed values that are
/// unknown or unset in the configuration keep their prior value (recursively in nested blocks).
/// `prior` looks an attribute of the prior object up by name.
fn keep_computed<'p>(
    schema: &BlockSchema,
    planned: &mut BTreeMap<String, Value>,
    prior: &dyn Fn(&str) -> Option<&'p Value>,
    configured: Option<&[String]>,
) {
    for a in &schema.attributes {
        let is_configured = configured.is_none_or(|c| c.iter().any(|n| n == a.name));
        let take_prior = if !a.required && !a.optional {
            true
        } else if a.computed {
            let planned_value = planned.get(a.name);
            let unknown = planned_value.is_some_and(Value::is_unknown);
            let unset = planned_value.is_none_or(|v| v.is_null() || v.is_unknown());
            (!is_configured && unset) || (configured.is_none() && unknown)
        } else {
            false
        };
        if take_prior {
            // Azure may leave a computed attribute out of its answer entirely: that is null.
            set(
                planned,
                a.name,
                prior(a.name).cloned().unwrap_or(Value::Null),
            );
        }
    }
    for b in &schema.blocks {
        // A block Azure left out of its answer is an empty list.
        let prior_items = prior(b.name).and_then(Value::as_list).unwrap_or(&[]);
        let is_configured = configured.is_some_and(|c| c.iter().any(|n| n == b.name));
        let planned_value = planned.get(b.name);
        if b.computed
            && !is_configured
            && planned_value.is_none_or(|v| v.is_unknown() || v.is_null())
        {
            set(planned, b.name, Value::List(prior_items.to_vec()));
            continue;
        }
        let Some(slot) = planned.get_mut(b.name) else {
            continue;
        };
        if slot.as_list().is_none() {
            continue;
        }
        // The merged blocks replace the planned ones (without a sensitive mark on the list).
        let (items, is_set) = match std::mem::take(slot).into_unmarked().0 {
            Value::Set(items) => (items, true),
            Value::List(items) => (items, false),
            _ => unreachable!("as_list accepts lists and sets only"),
        };
        let merged: Vec<Value> = items
            .into_iter()
            .enumerate()
            .map(
                |(i, item)| match (item.as_map(), prior_items.get(i).and_then(Value::as_map)) {
                    (Some(_), Some(prior_item)) => {
                        let Value::Map(mut item) = item.into_unmarked().0 else {
                            unreachable!("as_map accepts maps only")
                        };
                        keep_computed(
                            &b.block,
                            Arc::make_mut(&mut item),
                            &|n| prior_item.get(n),
                            None,
                        );
                        Value::Map(item)
                    }
                    _ => item,
                },
            )
            .collect();
        *slot = if is_set {
            Value::set(merged)
        } else {
            Value::List(merged)
        };
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
    if contains_held_secret(planned) {
        // Another object's secret, unchanged since it was recorded (see [`HELD_SECRET`]).
        return !prior.secrets.contains_key(name);
    }
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
    let Some(prior) = prior else {
        return Decision {
            action: Action::Create,
            before: None,
            planned: instance.value.clone(),
            changed: Vec::new(),
            replace_reasons: Vec::new(),
            action_reason: None,
        };
    };
    // The prior object's attributes as the diff sees them: with its `id`, and the stand-in for each
    // secret the state holds as a digest (dependents see the stand-in, not a null).
    let id = Value::string(prior.id.clone());
    let held = held_secret();
    let prior_attr = |name: &str| -> Option<&Value> {
        if name == "id" {
            return Some(&id);
        }
        let value = prior.attributes.get(name);
        if prior.secrets.contains_key(name) && value.is_none_or(Value::is_null) {
            return Some(&held);
        }
        value
    };
    let mut planned = instance.value.as_map().cloned().unwrap_or_default();
    keep_computed(
        &schema.block,
        &mut planned,
        &prior_attr,
        Some(&instance.configured),
    );
    set(&mut planned, "id", id.clone());

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
    let null = Value::Null;
    for (name, force_new, secret, azure_owned) in names {
        if name == "id" || name == "timeouts" {
            continue;
        }
        // What Azure computes, and the configuration does not set, is Azure's: never a change.
        if azure_owned && !instance.configured.iter().any(|c| c == name) {
            continue;
        }
        let planned_value = planned.get(name).unwrap_or(&null);
        let prior_value = prior_attr(name).unwrap_or(&null);
        if ignored(&instance.lifecycle.ignore_changes, name) {
            set(&mut planned, name, prior_value.clone());
            continue;
        }
        let differs = if secret || prior.secrets.contains_key(name) {
            secret_changed(options.state, &instance.addr, name, planned_value, prior)
        } else if name == "location" {
            // azurerm normalises locations: `West Europe` and `westeurope` are one region.
            planned_value.is_unknown()
                || normalise_location(planned_value) != normalise_location(prior_value)
        } else {
            planned_value.is_unknown()
                || !planned_value.is_wholly_known()
                || !same_normalised(planned_value, prior_value)
        };
        if !differs {
            // Keep the prior representation so "no change" shows nothing.
            if !secret {
                set(&mut planned, name, prior_value.clone());
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
    // The plan's "before"; the domain rule reads the same value. An unchanged object's planned
    // value is usually the very same: then the two share one map rather than hold two copies.
    let mut before = super::before_value(prior);
    let after = Value::map(planned);
    if before == after {
        before = after.clone();
    }
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
            before: Some(before),
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
        before: Some(before),
        planned: after,
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
    Value::map(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::addr::parse_instance;
    use crate::desired::InstanceLifecycle;
    use crate::diag::{FileId, Span};
    use crate::state::{CloudTarget, NewObject};

    fn instance(address: &str, value: Value, configured: &[&str]) -> Instance {
        Instance {
            addr: parse_instance(address).unwrap(),
            value,
            span: Span::new(FileId(0), 0..0),
            attr_spans: Default::default(),
            configured: configured.iter().map(|c| c.to_string()).collect(),
            provider_alias: None,
            lifecycle: InstanceLifecycle::default(),
        }
    }

    fn decide(state: &State, instance: &Instance) -> Decision {
        let schema = crate::schema::resource(&instance.addr.resource.type_name).unwrap();
        let options = DiffOptions {
            force_replace: false,
            state,
            domain_rule: &|_, _, _| None,
        };
        diff(
            instance,
            schema,
            state.resources.get(&instance.addr),
            &options,
        )
    }

    /// `West Europe` in the configuration and `westeurope` from Azure are one region.
    #[test]
    fn locations_compare_as_azure_normalises_them() {
        let mut state = State::new(CloudTarget::default());
        let group = instance(
            "azurerm_resource_group.a",
            Value::object([
                ("name", Value::string("rg")),
                ("location", Value::string("West Europe")),
                ("tags", Value::Null),
                ("managed_by", Value::Null),
            ]),
            &["location", "name"],
        );
        let mut values = group.value.as_map().unwrap().clone();
        values.insert("location".into(), Value::string("westeurope"));
        state
            .put_resource(
                group.addr.clone(),
                NewObject {
                    type_name: "azurerm_resource_group".into(),
                    id: "/subscriptions/s/resourceGroups/rg".into(),
                    values,
                    ..NewObject::default()
                },
            )
            .unwrap();
        let decision = decide(&state, &group);
        assert_eq!(decision.action, Action::NoOp, "{:?}", decision.changed);
        assert_eq!(
            decision.planned.get_attr("location").unwrap().as_str(),
            Some("westeurope")
        );
    }

    /// An authorization whose key the state holds as a digest: dependents see the stand-in, and a
    /// connection whose recorded key came from it is unchanged.
    #[test]
    fn secrets_held_as_digests_are_unchanged_for_dependents() {
        let mut state = State::new(CloudTarget::default());
        let auth_addr = parse_instance("azurerm_express_route_circuit_authorization.a").unwrap();
        let values: BTreeMap<String, Value> = [
            ("name", Value::string("auth")),
            ("express_route_circuit_name", Value::string("er")),
            ("resource_group_name", Value::string("rg")),
            (
                "authorization_key",
                Value::string("b3c1-secret").mark_sensitive(),
            ),
            ("authorization_use_status", Value::string("Available")),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        state
            .put_resource(
                auth_addr.clone(),
                NewObject {
                    type_name: "azurerm_express_route_circuit_authorization".into(),
                    id: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/expressRouteCircuits/er/authorizations/auth".into(),
                    values: values.clone(),
                    ..NewObject::default()
                },
            )
            .unwrap();
        let mut config = values.clone();
        config.insert("authorization_key".into(), Value::Unknown.mark_sensitive());
        config.insert("authorization_use_status".into(), Value::Unknown);
        let auth = instance(
            "azurerm_express_route_circuit_authorization.a",
            Value::map(config),
            &["express_route_circuit_name", "name", "resource_group_name"],
        );
        let decision = decide(&state, &auth);
        assert_eq!(decision.action, Action::NoOp);
        let key = decision.planned.get_attr("authorization_key").unwrap();
        assert!(contains_held_secret(key) && key.contains_sensitive());

        // A connection recorded with that key, now configured with the stand-in.
        let prior = ResourceState {
            type_name: "azurerm_virtual_network_gateway_connection".into(),
            secrets: state.resources[&auth_addr].secrets.clone(),
            ..ResourceState::default()
        };
        let addr = parse_instance("azurerm_virtual_network_gateway_connection.c").unwrap();
        assert!(!secret_changed(
            &state,
            &addr,
            "authorization_key",
            key,
            &prior
        ));
        assert!(secret_changed(
            &state,
            &addr,
            "authorization_key",
            &Value::Unknown.mark_sensitive(),
            &prior
        ));
    }
}
