//! State surgery behind `state mv` and `state rm`: which objects an address names, moving resources,
//! instances (count and for_each keys) and whole modules, and removing objects; dependencies and create
//! intents that name a moved or removed object follow. It changes a state in memory only and must not
//! touch files or the serial.

use crate::config::addr::{ModulePath, ResourceAddr, ResourceInstanceAddr, Target};
use std::collections::BTreeMap;

use super::model::State;

/// Whether `address` is covered by `pattern` when listing or removing: a module or resource written
/// without a key covers all its instances (`module.site` covers `module.site["a"]…`).
pub fn address_matches(pattern: &Target, address: &ResourceInstanceAddr) -> bool {
    fn module_covers(pattern: &ModulePath, module: &ModulePath) -> bool {
        pattern.0.len() <= module.0.len()
            && pattern
                .0
                .iter()
                .zip(&module.0)
                .all(|(p, m)| p.name == m.name && (p.key.is_none() || p.key == m.key))
    }
    match pattern {
        Target::Module(m) => module_covers(m, &address.resource.module),
        Target::Resource(r) => {
            module_covers(&r.module, &address.resource.module)
                && r.module.0.len() == address.resource.module.0.len()
                && r.mode == address.resource.mode
                && r.type_name == address.resource.type_name
                && r.name == address.resource.name
        }
        Target::Instance(i) => i == address,
    }
}

/// Remove every object the targets name. Errors, changing nothing, when a target names nothing.
/// Dependencies on removed objects are dropped from the objects that remain.
pub fn remove_objects(
    state: &mut State,
    targets: &[Target],
) -> anyhow::Result<Vec<ResourceInstanceAddr>> {
    let mut removed = Vec::new();
    for target in targets {
        let matched: Vec<_> = state
            .resources
            .keys()
            .filter(|a| address_matches(target, a))
            .cloned()
            .collect();
        if matched.is_empty() {
            anyhow::bail!(
                "no object in the state matches {target}; see `peerform state list` for the addresses it holds"
            );
        }
        removed.extend(matched);
    }
    removed.sort();
    removed.dedup();
    for address in &removed {
        state.resources.remove(address);
        state.intents.remove(address);
    }
    for resource in state.resources.values_mut() {
        resource
            .dependencies
            .retain(|d| removed.binary_search(d).is_err());
    }
    Ok(removed)
}

/// Move objects from `source` to `destination`: an instance to an instance, a resource to a resource
/// (every instance keeps its key; a keyless resource to a keyed instance and back), or a module to a
/// module (everything inside it). Refuses to change a resource's type, to overwrite an existing object,
/// or to move nothing. Returns the moves made, `(from, to)`.
pub fn move_objects(
    state: &mut State,
    source: &Target,
    destination: &Target,
) -> anyhow::Result<Vec<(ResourceInstanceAddr, ResourceInstanceAddr)>> {
    let moves = plan_moves(state, source, destination)?;
    if moves.is_empty() {
        anyhow::bail!(
            "no object in the state matches {source}; see `peerform state list` for the addresses it holds"
        );
    }
    for (from, to) in &moves {
        if from.resource.type_name != to.resource.type_name {
            anyhow::bail!(
                "cannot move {from} to {to}: a resource cannot change type ({} to {}); remove it and import it under the new address instead",
                from.resource.type_name,
                to.resource.type_name
            );
        }
        if from.resource.mode != to.resource.mode {
            anyhow::bail!(
                "cannot move {from} to {to}: a managed resource and a data source are different things"
            );
        }
    }
    let sources: std::collections::BTreeSet<_> = moves.iter().map(|(f, _)| f.clone()).collect();
    for (_, to) in &moves {
        if state.resources.contains_key(to) && !sources.contains(to) {
            anyhow::bail!(
                "cannot move to {to}: the state already holds an object there; remove it first with `peerform state rm`"
            );
        }
    }
    let renames: BTreeMap<ResourceInstanceAddr, ResourceInstanceAddr> =
        moves.iter().cloned().collect();
    let mut taken = Vec::with_capacity(moves.len());
    for (from, to) in &moves {
        if let Some(resource) = state.resources.remove(from) {
            taken.push((to.clone(), resource));
        }
    }
    for (to, resource) in taken {
        state.resources.insert(to, resource);
    }
    let intents: Vec<_> = renames
        .iter()
        .filter_map(|(from, to)| state.intents.remove(from).map(|i| (to.clone(), i)))
        .collect();
    state.intents.extend(intents);
    for resource in state.resources.values_mut() {
        let mut changed = false;
        for dependency in &mut resource.dependencies {
            if let Some(to) = renames.get(dependency) {
                *dependency = to.clone();
                changed = true;
            }
        }
        if changed {
            resource.dependencies.sort();
            resource.dependencies.dedup();
        }
    }
    Ok(moves)
}

fn plan_moves(
    state: &State,
    source: &Target,
    destination: &Target,
) -> anyhow::Result<Vec<(ResourceInstanceAddr, ResourceInstanceAddr)>> {
    let in_resource = |r: &ResourceAddr| -> Vec<ResourceInstanceAddr> {
        state
            .resources
            .keys()
            .filter(|a| &a.resource == r)
            .cloned()
            .collect()
    };
    Ok(match (source, destination) {
        (Target::Instance(from), Target::Instance(to)) => present(state, from)
            .into_iter()
            .map(|f| (f, to.clone()))
            .collect(),
        (Target::Instance(from), Target::Resource(to)) => present(state, from)
            .into_iter()
            .map(|f| {
                (
                    f,
                    ResourceInstanceAddr {
                        resource: to.clone(),
                        key: None,
                    },
                )
            })
            .collect(),
        (Target::Resource(from), Target::Resource(to)) => in_resource(from)
            .into_iter()
            .map(|f| {
                let key = f.key.clone();
                (
                    f,
                    ResourceInstanceAddr {
                        resource: to.clone(),
                        key,
                    },
                )
            })
            .collect(),
        (Target::Resource(from), Target::Instance(to)) => {
            let instances = in_resource(from);
            match instances.as_slice() {
                [] => Vec::new(),
                [only] if only.key.is_none() => vec![(only.clone(), to.clone())],
                _ => anyhow::bail!(
                    "cannot move {from} to the single instance {to}: {from} has {} instances with keys; move them one at a time",
                    instances.len()
                ),
            }
        }
        (Target::Module(from), Target::Module(to)) => {
            if to.0.starts_with(&from.0) && to.0.len() > from.0.len() {
                anyhow::bail!("cannot move {from} into itself ({to})");
            }
            state
                .resources
                .keys()
                .filter(|a| a.resource.module.0.starts_with(&from.0))
                .map(|a| {
                    let mut steps = to.0.clone();
                    steps.extend_from_slice(&a.resource.module.0[from.0.len()..]);
                    let mut moved = a.clone();
                    moved.resource.module = ModulePath(steps);
                    (a.clone(), moved)
                })
                .collect()
        }
        (Target::Module(_), _) | (_, Target::Module(_)) => anyhow::bail!(
            "cannot move {source} to {destination}: a module moves only to a module, and a resource only to a resource"
        ),
    })
}

fn present(state: &State, address: &ResourceInstanceAddr) -> Option<ResourceInstanceAddr> {
    state
        .resources
        .contains_key(address)
        .then(|| address.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::addr::{parse_instance, parse_target};
    use crate::state::model::{CloudTarget, ResourceState};

    fn state_with(addresses: &[&str]) -> State {
        let mut state = State::new(CloudTarget::default());
        for text in addresses {
            let address = parse_instance(text).unwrap();
            let resource = ResourceState {
                type_name: address.resource.type_name.clone(),
                id: format!("/id/{text}"),
                ..Default::default()
            };
            state.resources.insert(address, resource);
        }
        state
    }

    fn list(state: &State) -> Vec<String> {
        state.resources.keys().map(|a| a.to_string()).collect()
    }

    fn t(text: &str) -> Target {
        parse_target(text).unwrap()
    }

    #[test]
    fn moves_instances_resources_and_modules() {
        let mut state = state_with(&[
            "azurerm_subnet.gw",
            "azurerm_subnet.other[0]",
            "azurerm_subnet.other[1]",
            "module.site[\"a\"].azurerm_virtual_network.this",
            "module.site[\"a\"].module.gw.azurerm_public_ip.this",
        ]);
        let dependent = parse_instance("azurerm_subnet.other[1]").unwrap();
        state.resources.get_mut(&dependent).unwrap().dependencies =
            vec![parse_instance("azurerm_subnet.gw").unwrap()];

        move_objects(
            &mut state,
            &t("azurerm_subnet.gw"),
            &t("azurerm_subnet.gw[0]"),
        )
        .unwrap();
        move_objects(
            &mut state,
            &t("azurerm_subnet.other"),
            &t("azurerm_subnet.spare"),
        )
        .unwrap();
        move_objects(&mut state, &t("module.site[\"a\"]"), &t("module.hub")).unwrap();
        assert_eq!(
            list(&state),
            [
                "azurerm_subnet.gw[0]",
                "azurerm_subnet.spare[0]",
                "azurerm_subnet.spare[1]",
                "module.hub.azurerm_virtual_network.this",
                "module.hub.module.gw.azurerm_public_ip.this",
            ]
        );
        let dependent = parse_instance("azurerm_subnet.spare[1]").unwrap();
        assert_eq!(
            state.resources[&dependent].dependencies,
            [parse_instance("azurerm_subnet.gw[0]").unwrap()]
        );
    }

    #[test]
    fn refuses_bad_moves_without_changing_anything() {
        let mut state = state_with(&[
            "azurerm_subnet.a",
            "azurerm_subnet.b",
            "azurerm_public_ip.c",
        ]);
        let before = state.clone();
        assert!(move_objects(&mut state, &t("azurerm_subnet.a"), &t("azurerm_subnet.b")).is_err());
        assert!(
            move_objects(
                &mut state,
                &t("azurerm_subnet.a"),
                &t("azurerm_public_ip.a")
            )
            .is_err()
        );
        assert!(move_objects(&mut state, &t("azurerm_subnet.x"), &t("azurerm_subnet.y")).is_err());
        assert!(move_objects(&mut state, &t("module.m"), &t("azurerm_subnet.y")).is_err());
        assert_eq!(state, before);
    }

    #[test]
    fn removes_by_instance_resource_and_module() {
        let mut state = state_with(&[
            "azurerm_subnet.a[0]",
            "azurerm_subnet.a[1]",
            "azurerm_subnet.b",
            "module.site[\"x\"].azurerm_subnet.c",
            "module.site[\"y\"].azurerm_subnet.c",
            "module.other.azurerm_subnet.c",
        ]);
        let keep = parse_instance("azurerm_subnet.b").unwrap();
        state.resources.get_mut(&keep).unwrap().dependencies =
            vec![parse_instance("azurerm_subnet.a[0]").unwrap()];
        remove_objects(&mut state, &[t("azurerm_subnet.a"), t("module.site")]).unwrap();
        assert_eq!(
            list(&state),
            ["azurerm_subnet.b", "module.other.azurerm_subnet.c"]
        );
        assert!(state.resources[&keep].dependencies.is_empty());
        assert!(remove_objects(&mut state, &[t("azurerm_subnet.zzz")]).is_err());
    }
}
