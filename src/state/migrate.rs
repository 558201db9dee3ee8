//! Moving a state from one backend to another (`init --migrate-state`): the state is copied as it is,
//! lineage and serial kept, and only into a destination that is empty or holds an older serial of the
//! same lineage. It must not lock (the caller holds both locks) and must not remove the source.

use super::backend::{Backend, WriteOptions};

/// What a migration did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Migration {
    /// The source holds no state.
    NothingToMigrate,
    /// The destination already holds exactly this state.
    AlreadyThere { lineage: String, serial: u64 },
    /// The state was written to the destination.
    Copied { lineage: String, serial: u64 },
}

/// Copy the source's state into the destination, keeping lineage and serial. Refuses a destination
/// that holds another lineage, or a newer or different state under the same lineage.
pub fn migrate(source: &dyn Backend, destination: &dyn Backend) -> anyhow::Result<Migration> {
    let Some(state) = source.read()? else {
        return Ok(Migration::NothingToMigrate);
    };
    let lineage = state.lineage.clone();
    let serial = state.serial;
    if let Some(existing) = destination.read()? {
        if existing.lineage != state.lineage {
            anyhow::bail!(
                "refusing to migrate: {} already holds another state (lineage {}, serial {}), not the state of {} (lineage {lineage}); empty it or point the backend elsewhere, then run init --migrate-state again",
                destination.describe(),
                existing.lineage,
                existing.serial,
                source.describe()
            );
        }
        if existing.serial > serial {
            anyhow::bail!(
                "refusing to migrate: {} already holds serial {} of lineage {lineage}, newer than serial {serial} in {}; it is already in use, so keep it (init --reconfigure), or move the newer state back first",
                destination.describe(),
                existing.serial,
                source.describe()
            );
        }
        if existing == state {
            return Ok(Migration::AlreadyThere { lineage, serial });
        }
    }
    destination.write(&state, WriteOptions::default())?;
    Ok(Migration::Copied { lineage, serial })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::LocalBackend;
    use crate::state::backend::conformance::sample_state;

    #[test]
    fn migration_keeps_lineage_and_serial_and_refuses_another_lineage() {
        let dir = tempfile::tempdir().unwrap();
        let source = LocalBackend::new(&dir.path().join("a.tfstate"));
        let destination = LocalBackend::new(&dir.path().join("b.tfstate"));
        assert_eq!(
            migrate(&source, &destination).unwrap(),
            Migration::NothingToMigrate
        );
        let mut state = sample_state();
        state.serial = 7;
        source.write(&state, WriteOptions::default()).unwrap();
        let copied = migrate(&source, &destination).unwrap();
        assert_eq!(
            copied,
            Migration::Copied {
                lineage: state.lineage.clone(),
                serial: 7
            }
        );
        assert_eq!(destination.read().unwrap(), Some(state.clone()));
        assert!(matches!(
            migrate(&source, &destination).unwrap(),
            Migration::AlreadyThere { serial: 7, .. }
        ));

        let mut newer = state.clone();
        newer.serial = 9;
        newer.resources.clear();
        destination.write(&newer, WriteOptions::default()).unwrap();
        let err = migrate(&source, &destination).unwrap_err().to_string();
        assert!(err.contains("newer than serial 7"), "{err}");

        let other = LocalBackend::new(&dir.path().join("c.tfstate"));
        other
            .write(&sample_state(), WriteOptions::default())
            .unwrap();
        let err = migrate(&source, &other).unwrap_err().to_string();
        assert!(err.contains("already holds another state"), "{err}");
        assert_ne!(other.read().unwrap().unwrap().lineage, state.lineage);
    }
}
