//! `StateStore`: the state as `apply` sees it, whatever the backend. A local backend journals next to
//! its state file; a remote one (pg, azurerm) is written whole at the start and the end of a run, and
//! the steps completed in between are journaled to a local file the caller names (inside
//! `.peerform/`), so a crash loses no completed step: the next run replays that journal onto the
//! remote state and writes it back. The journal holds what a state holds (secrets as digests), never
//! a credential. It must not decide what changes: callers hand it whole states and journal steps.

use anyhow::Context as _;
use std::path::{Path, PathBuf};

use super::backend::{Backend, WriteOptions};
use super::backend_local::{LocalBackend, sync_dir};
use super::journal::{JournalWriter, read_journal};
use super::lock::{LockInfo, LockRequest};
use super::model::State;

/// Where `apply` keeps its state.
pub enum StateStore {
    Local(LocalBackend),
    Remote {
        backend: Box<dyn Backend>,
        /// The local journal of steps completed since the run began.
        journal: PathBuf,
    },
}

impl StateStore {
    /// A remote backend with its local journal at `journal`.
    pub fn remote(backend: Box<dyn Backend>, journal: &Path) -> Self {
        StateStore::Remote {
            backend,
            journal: journal.to_path_buf(),
        }
    }

    /// Start journaling steps on top of `state`, which is stored first (after replaying a journal
    /// left by a crashed run).
    pub fn begin(&self, state: &State) -> anyhow::Result<JournalWriter> {
        match self {
            StateStore::Local(local) => local.begin(state),
            StateStore::Remote { backend, journal } => {
                self.recover()?;
                backend.write(state, WriteOptions::default())?;
                JournalWriter::create(journal, &state.lineage, state.serial)
            }
        }
    }

    /// Store the state the journal's steps produced (one serial above the journal's base when any step
    /// was recorded) and remove the journal.
    pub fn finish(&self, journal: JournalWriter, state: &mut State) -> anyhow::Result<()> {
        match self {
            StateStore::Local(local) => local.finish(journal, state),
            StateStore::Remote {
                backend,
                journal: path,
            } => {
                if journal.steps() > 0 {
                    state.serial = journal.base_serial + 1;
                }
                drop(journal);
                backend.write(state, WriteOptions::default())?;
                remove_journal(path)
            }
        }
    }

    /// The remote state with a leftover journal's completed steps on top, and whether a journal was
    /// found.
    fn replayed(backend: &dyn Backend, path: &Path) -> anyhow::Result<(Option<State>, bool)> {
        let stored = backend.read()?;
        let Some(replay) = read_journal(path)? else {
            return Ok((stored, false));
        };
        let shown = path.display();
        let state = match (stored, replay.header) {
            (stored, None) => stored,
            (None, Some(header)) => anyhow::bail!(
                "journal {shown} continues serial {} of lineage {}, but {} holds no state; restore that state, or move the journal aside",
                header.serial,
                header.lineage,
                backend.describe()
            ),
            (Some(base), Some(header)) => {
                if header.lineage != base.lineage {
                    anyhow::bail!(
                        "journal {shown} belongs to lineage {}, but {} holds lineage {}; move the journal aside",
                        header.lineage,
                        backend.describe(),
                        base.lineage
                    );
                }
                if base.serial > header.serial {
                    // Already written before the journal was removed.
                    Some(base)
                } else if base.serial < header.serial {
                    anyhow::bail!(
                        "journal {shown} continues serial {}, but {} is at serial {}: the stored state is older than its journal; restore it, or move the journal aside",
                        header.serial,
                        backend.describe(),
                        base.serial
                    );
                } else {
                    let mut state = base;
                    let any = !replay.steps.is_empty();
                    for step in replay.steps {
                        step.apply(&mut state);
                    }
                    if any {
                        state.serial = header.serial + 1;
                    }
                    Some(state)
                }
            }
        };
        Ok((state, true))
    }

    /// Replay and store a journal left by an interrupted run, then remove it. Call it holding the
    /// lock.
    pub fn recover(&self) -> anyhow::Result<Option<State>> {
        match self {
            StateStore::Local(local) => local.recover(),
            StateStore::Remote { backend, journal } => {
                let (state, present) = Self::replayed(backend.as_ref(), journal)?;
                if present {
                    if let Some(state) = &state {
                        backend.write(state, WriteOptions::default())?;
                    }
                    remove_journal(journal)?;
                }
                Ok(state)
            }
        }
    }

    fn backend(&self) -> &dyn Backend {
        match self {
            StateStore::Local(local) => local,
            StateStore::Remote { backend, .. } => backend.as_ref(),
        }
    }
}

fn remove_journal(path: &Path) -> anyhow::Result<()> {
    match std::fs::remove_file(path) {
        Ok(()) => sync_dir(path.parent().unwrap_or(Path::new("."))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e).with_context(|| format!("removing journal {}", path.display())),
    }
}

impl Backend for StateStore {
    fn describe(&self) -> String {
        self.backend().describe()
    }

    /// The latest state, including the completed steps of a journal left by a crashed run.
    fn read(&self) -> anyhow::Result<Option<State>> {
        match self {
            StateStore::Local(local) => local.read(),
            StateStore::Remote { backend, journal } => {
                Ok(Self::replayed(backend.as_ref(), journal)?.0)
            }
        }
    }

    fn write(&self, state: &State, options: WriteOptions) -> anyhow::Result<()> {
        self.backend().write(state, options)
    }

    fn lock(&self, request: &LockRequest) -> anyhow::Result<LockInfo> {
        self.backend().lock(request)
    }

    fn unlock(&self, lock_id: &str) -> anyhow::Result<()> {
        self.backend().unlock(lock_id)
    }

    fn supports_force_unlock(&self) -> bool {
        self.backend().supports_force_unlock()
    }

    fn force_unlock(&self, lock_id: &str) -> anyhow::Result<()> {
        self.backend().force_unlock(lock_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::backend::conformance;
    use crate::state::journal::Step;
    use crate::state::model::ResourceState;

    /// A remote backend stand-in: a local file elsewhere.
    fn remote(dir: &Path) -> StateStore {
        StateStore::remote(
            Box::new(LocalBackend::new(&dir.join("remote.tfstate"))),
            &dir.join("work.journal"),
        )
    }

    fn put(state: &State, name: &str) -> Step {
        let (address, resource) = state.resources.iter().next().unwrap();
        let mut address = address.clone();
        address.resource.name = name.to_string();
        Step::Put {
            address,
            resource: ResourceState {
                id: format!("/subscriptions/s/resourceGroups/{name}"),
                ..resource.clone()
            },
        }
    }

    #[test]
    fn a_remote_store_passes_the_conformance_suite() {
        let dirs = std::sync::Mutex::new(Vec::new());
        let factory = || -> (Box<dyn Backend>, Box<dyn Backend>) {
            let dir = tempfile::tempdir().unwrap();
            let store = (remote(dir.path()), remote(dir.path()));
            dirs.lock().unwrap().push(dir);
            (Box::new(store.0), Box::new(store.1))
        };
        conformance::run_all(&factory).unwrap();
    }

    #[test]
    fn a_crashed_remote_run_loses_no_completed_step() {
        let dir = tempfile::tempdir().unwrap();
        let store = remote(dir.path());
        let base = conformance::sample_state();
        let mut journal = store.begin(&base).unwrap();
        let step = put(&base, "second");
        journal.append(&step).unwrap();
        // The run dies here: the journal stays, the remote state is the base.
        drop(journal);
        let mut want = base.clone();
        step.apply(&mut want);
        want.serial = base.serial + 1;
        let fresh = remote(dir.path());
        assert_eq!(fresh.read().unwrap(), Some(want.clone()));
        assert_eq!(fresh.recover().unwrap(), Some(want.clone()));
        assert!(!dir.path().join("work.journal").exists());
        let stored = LocalBackend::new(&dir.path().join("remote.tfstate"));
        assert_eq!(stored.read().unwrap(), Some(want.clone()));

        // A normal run: begin, a step, finish with one serial step.
        let mut state = want.clone();
        let mut journal = fresh.begin(&state).unwrap();
        let step = put(&state, "third");
        journal.append(&step).unwrap();
        step.apply(&mut state);
        fresh.finish(journal, &mut state).unwrap();
        assert_eq!(state.serial, want.serial + 1);
        assert_eq!(stored.read().unwrap(), Some(state));
        assert!(!dir.path().join("work.journal").exists());
    }
}
