//! Three-way merge of states, the heart of the git merge driver: objects, outputs and create intents
//! merge per address; an address changed differently on both sides is a conflict that names it. The
//! merged serial is above both sides. It must not read or write files or resolve a conflict by guessing.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use super::model::State;

/// One thing changed differently on both sides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MergeConflict {
    /// An address, `output NAME`, `intent ADDRESS`, `cloud` or `secret_kdf`.
    pub what: String,
    pub detail: String,
}

impl fmt::Display for MergeConflict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.what, self.detail)
    }
}

/// The result of a merge.
#[derive(Clone, Debug, PartialEq)]
pub enum MergeOutcome {
    Merged(State),
    Conflicts(Vec<MergeConflict>),
}

/// Merge `ours` and `theirs`, both descended from `base` (`None` when the two histories share no
/// state). Both sides must be the same lineage.
pub fn merge(base: Option<&State>, ours: &State, theirs: &State) -> anyhow::Result<MergeOutcome> {
    if ours.lineage != theirs.lineage {
        anyhow::bail!(
            "cannot merge states of different lineages ({} and {}): they are not two versions of one state",
            ours.lineage,
            theirs.lineage
        );
    }
    let base = base.filter(|b| b.lineage == ours.lineage);
    let mut conflicts = Vec::new();

    let cloud = merge_one(
        base.map(|b| &b.cloud),
        Some(&ours.cloud),
        Some(&theirs.cloud),
        "cloud",
        "the cloud target was changed on both sides",
        &mut conflicts,
    )
    .cloned()
    .unwrap_or_default();
    let secrets = merge_one(
        base.map(|b| &b.secrets),
        Some(&ours.secrets),
        Some(&theirs.secrets),
        "secret_kdf",
        "the secret salt or parameters were changed on both sides",
        &mut conflicts,
    )
    .cloned()
    .unwrap_or_else(|| ours.secrets.clone());
    let resources = merge_maps(
        base.map(|b| &b.resources),
        &ours.resources,
        &theirs.resources,
        |a| a.to_string(),
        &mut conflicts,
    );
    let intents = merge_maps(
        base.map(|b| &b.intents),
        &ours.intents,
        &theirs.intents,
        |a| format!("intent {a}"),
        &mut conflicts,
    );
    let outputs = merge_maps(
        base.map(|b| &b.outputs),
        &ours.outputs,
        &theirs.outputs,
        |name| format!("output {name}"),
        &mut conflicts,
    );
    if !conflicts.is_empty() {
        return Ok(MergeOutcome::Conflicts(conflicts));
    }
    Ok(MergeOutcome::Merged(State {
        serial: ours.serial.max(theirs.serial) + 1,
        lineage: ours.lineage.clone(),
        cloud,
        outputs,
        resources,
        intents,
        secrets,
    }))
}

/// The merged value of one item, or `None` when it is deleted; records a conflict when both sides
/// changed it differently.
fn merge_one<'a, T: PartialEq>(
    base: Option<&'a T>,
    ours: Option<&'a T>,
    theirs: Option<&'a T>,
    what: &str,
    detail: &str,
    conflicts: &mut Vec<MergeConflict>,
) -> Option<&'a T> {
    if ours == theirs {
        return ours;
    }
    if ours == base {
        return theirs;
    }
    if theirs == base {
        return ours;
    }
    conflicts.push(MergeConflict {
        what: what.to_string(),
        detail: detail.to_string(),
    });
    ours
}

fn merge_maps<K: Ord + Clone, V: PartialEq + Clone>(
    base: Option<&BTreeMap<K, V>>,
    ours: &BTreeMap<K, V>,
    theirs: &BTreeMap<K, V>,
    name: impl Fn(&K) -> String,
    conflicts: &mut Vec<MergeConflict>,
) -> BTreeMap<K, V> {
    let keys: BTreeSet<&K> = ours.keys().chain(theirs.keys()).collect();
    let mut out = BTreeMap::new();
    for key in keys {
        let base_value = base.and_then(|b| b.get(key));
        let ours_value = ours.get(key);
        let theirs_value = theirs.get(key);
        let detail = match (base_value, ours_value, theirs_value) {
            (None, Some(_), Some(_)) => "added differently on both sides",
            (Some(_), None, Some(_)) => "removed on one side and changed on the other",
            (Some(_), Some(_), None) => "changed on one side and removed on the other",
            _ => "changed differently on both sides",
        };
        if let Some(value) = merge_one(
            base_value,
            ours_value,
            theirs_value,
            &name(key),
            detail,
            conflicts,
        ) {
            out.insert(key.clone(), value.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::addr::parse_instance;
    use crate::lang::Value;
    use crate::state::model::{CloudTarget, ResourceState};

    fn with(state: &State, address: &str, location: &str) -> State {
        let mut state = state.clone();
        let address = parse_instance(address).unwrap();
        state.resources.insert(
            address.clone(),
            ResourceState {
                type_name: address.resource.type_name.clone(),
                id: format!("/id/{address}"),
                attributes: [("location".to_string(), Value::string(location))]
                    .into_iter()
                    .collect(),
                ..Default::default()
            },
        );
        state.serial += 1;
        state
    }

    #[test]
    fn different_resources_merge_and_the_serial_goes_above_both() {
        let base = with(
            &State::new(CloudTarget::default()),
            "azurerm_resource_group.a",
            "x",
        );
        let ours = with(&base, "azurerm_resource_group.b", "x");
        let theirs = with(
            &with(&base, "azurerm_resource_group.c", "x"),
            "azurerm_resource_group.d",
            "y",
        );
        let MergeOutcome::Merged(merged) = merge(Some(&base), &ours, &theirs).unwrap() else {
            panic!("expected a merge");
        };
        assert_eq!(merged.resources.len(), 4);
        assert_eq!(merged.serial, 4);
        // Symmetric, apart from nothing.
        assert_eq!(
            merge(Some(&base), &theirs, &ours).unwrap(),
            MergeOutcome::Merged(merged)
        );
    }

    #[test]
    fn the_same_resource_changed_on_both_sides_is_named() {
        let base = with(
            &State::new(CloudTarget::default()),
            "azurerm_resource_group.a",
            "x",
        );
        let ours = with(&base, "azurerm_resource_group.a", "y");
        let theirs = with(&base, "azurerm_resource_group.a", "z");
        let MergeOutcome::Conflicts(conflicts) = merge(Some(&base), &ours, &theirs).unwrap() else {
            panic!("expected a conflict");
        };
        assert_eq!(conflicts.len(), 1);
        assert_eq!(conflicts[0].what, "azurerm_resource_group.a");
        // The same change on both sides is no conflict; a removal against an unchanged side merges.
        let same = merge(Some(&base), &ours, &ours).unwrap();
        assert!(matches!(same, MergeOutcome::Merged(_)));
        let mut removed = base.clone();
        removed.resources.clear();
        let MergeOutcome::Merged(m) = merge(Some(&base), &removed, &base).unwrap() else {
            panic!("expected a merge");
        };
        assert!(m.resources.is_empty());
    }

    #[test]
    fn different_lineages_do_not_merge() {
        let a = State::new(CloudTarget::default());
        let b = State::new(CloudTarget::default());
        assert!(merge(None, &a, &b).is_err());
    }
}
