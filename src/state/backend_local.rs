//! The local backend: the state file (`peerform.tfstate` or the `backend "local"` path), its `.backup`,
//! its journal and its lock file `.peerform.tfstate.lock`. Writes are atomic (temporary file, fsync,
//! rename, fsync of the directory); a journal found on load is replayed, and compacted into the state
//! file by the next write or by [`LocalBackend::recover`]; a state that fails to read is never
//! overwritten. It must not decide what changes: callers hand it whole states and journal steps.

use anyhow::Context as _;
use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::backend::{Backend, WriteOptions, check_write};
use super::journal::{self, JournalWriter};
use super::lock::{LockInfo, LockRequest, StateLocked};
use super::model::State;
use super::wire;

/// The files of one local state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalPaths {
    pub state: PathBuf,
    pub backup: PathBuf,
    pub lock: PathBuf,
    pub journal: PathBuf,
    pub temp: PathBuf,
}

impl LocalPaths {
    pub fn for_state(state: &Path) -> Self {
        let dir = state.parent().unwrap_or(Path::new(""));
        let name = state
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "peerform.tfstate".to_string());
        LocalPaths {
            state: state.to_path_buf(),
            backup: dir.join(format!("{name}.backup")),
            lock: dir.join(format!(".{name}.lock")),
            journal: dir.join(format!("{name}.journal")),
            temp: dir.join(format!(".{name}.tmp")),
        }
    }

    fn dir(&self) -> &Path {
        match self.state.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        }
    }
}

/// Where an atomic write should stop short, to test crash recovery.
#[cfg(test)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum WriteFault {
    /// The temporary file is written and fsynced but not renamed.
    AfterTemp,
    /// The new state is in place but the journal has not been removed.
    AfterRename,
}

/// A state kept in a local file.
#[derive(Debug)]
pub struct LocalBackend {
    paths: LocalPaths,
    #[cfg(test)]
    pub(super) fault: std::sync::Mutex<Option<WriteFault>>,
}

/// What is on disk: the state file, and the state once the journal is replayed.
struct Loaded {
    file: Option<(State, Vec<u8>)>,
    state: Option<State>,
    /// Whether a journal file exists (replayed or stale).
    journal_present: bool,
}

impl LocalBackend {
    pub fn new(state_path: &Path) -> Self {
        LocalBackend {
            paths: LocalPaths::for_state(state_path),
            #[cfg(test)]
            fault: std::sync::Mutex::new(None),
        }
    }

    pub fn paths(&self) -> &LocalPaths {
        &self.paths
    }

    fn read_file(&self) -> anyhow::Result<Option<(State, Vec<u8>)>> {
        let path = &self.paths.state;
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading state {}", path.display())),
        };
        let state =
            wire::decode(&bytes).with_context(|| format!("reading state {}", path.display()))?;
        Ok(Some((state, bytes)))
    }

    fn load(&self) -> anyhow::Result<Loaded> {
        let file = self.read_file()?;
        let Some(replay) = journal::read_journal(&self.paths.journal)? else {
            let state = file.as_ref().map(|(s, _)| s.clone());
            return Ok(Loaded {
                file,
                state,
                journal_present: false,
            });
        };
        let journal_path = self.paths.journal.display();
        let state = match (&file, replay.header) {
            // Even the header was torn: nothing completed.
            (_, None) => file.as_ref().map(|(s, _)| s.clone()),
            (None, Some(header)) => anyhow::bail!(
                "journal {journal_path} continues serial {} of lineage {} but {} does not exist; restore the state file, or move the journal aside",
                header.serial,
                header.lineage,
                self.paths.state.display()
            ),
            (Some((base, _)), Some(header)) => {
                if header.lineage != base.lineage {
                    anyhow::bail!(
                        "journal {journal_path} belongs to lineage {}, but {} is lineage {}; move the journal aside",
                        header.lineage,
                        self.paths.state.display(),
                        base.lineage
                    );
                }
                if base.serial > header.serial {
                    // Already compacted into the state file before the journal was removed.
                    Some(base.clone())
                } else if base.serial < header.serial {
                    anyhow::bail!(
                        "journal {journal_path} continues serial {}, but {} is at serial {}: the state file is older than its journal; restore {} from git or its backup",
                        header.serial,
                        self.paths.state.display(),
                        base.serial,
                        self.paths.state.display()
                    );
                } else {
                    let mut state = base.clone();
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
        Ok(Loaded {
            file,
            state,
            journal_present: true,
        })
    }

    /// Replay and compact a journal left by an interrupted run: the state file is rewritten with every
    /// completed step and the journal removed. Call it while holding the lock.
    pub fn recover(&self) -> anyhow::Result<Option<State>> {
        let loaded = self.load()?;
        if !loaded.journal_present {
            return Ok(loaded.state);
        }
        if let Some(state) = &loaded.state {
            let unchanged = loaded
                .file
                .as_ref()
                .is_some_and(|(file_state, _)| file_state == state);
            if !unchanged {
                self.store(state, loaded.file.as_ref().map(|(_, b)| b.as_slice()))?;
            }
        }
        self.remove_journal()?;
        Ok(loaded.state)
    }

    /// Start journaling steps on top of `state`, which becomes the state file first if it is not
    /// already. Each step is then appended with [`JournalWriter::append`]; [`LocalBackend::finish`]
    /// writes the final state.
    pub fn begin(&self, state: &State) -> anyhow::Result<JournalWriter> {
        self.recover()?;
        self.write(state, WriteOptions::default())?;
        JournalWriter::create(&self.paths.journal, &state.lineage, state.serial)
    }

    /// Write the state the journal's steps produced (one serial above the journal's base when any step
    /// was recorded) and remove the journal.
    pub fn finish(&self, journal: JournalWriter, state: &mut State) -> anyhow::Result<()> {
        if journal.steps() > 0 {
            state.serial = journal.base_serial + 1;
        }
        drop(journal);
        self.write(state, WriteOptions::default())?;
        self.remove_journal()
    }

    /// Write the bytes of `state` atomically, keeping the previous bytes as the backup.
    fn store(&self, state: &State, previous: Option<&[u8]>) -> anyhow::Result<()> {
        let bytes = wire::encode(state)?;
        if previous == Some(bytes.as_slice()) {
            return Ok(());
        }
        if let Some(previous) = previous {
            let backup_temp = self.paths.backup.with_extension("backup.tmp");
            write_synced(&backup_temp, previous)?;
            fs::rename(&backup_temp, &self.paths.backup)
                .with_context(|| format!("writing state backup {}", self.paths.backup.display()))?;
        }
        write_synced(&self.paths.temp, &bytes)?;
        #[cfg(test)]
        if self.fault() == Some(WriteFault::AfterTemp) {
            anyhow::bail!("injected crash after writing the temporary file");
        }
        fs::rename(&self.paths.temp, &self.paths.state).with_context(|| {
            format!(
                "renaming {} to {}",
                self.paths.temp.display(),
                self.paths.state.display()
            )
        })?;
        sync_dir(self.paths.dir())?;
        #[cfg(test)]
        if self.fault() == Some(WriteFault::AfterRename) {
            anyhow::bail!("injected crash after the rename, before the journal was removed");
        }
        Ok(())
    }

    #[cfg(test)]
    fn fault(&self) -> Option<WriteFault> {
        self.fault.lock().map(|f| *f).unwrap_or(None)
    }

    fn remove_journal(&self) -> anyhow::Result<()> {
        match fs::remove_file(&self.paths.journal) {
            Ok(()) => sync_dir(self.paths.dir()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => {
                Err(e).with_context(|| format!("removing journal {}", self.paths.journal.display()))
            }
        }
    }

    fn read_lock(&self) -> Option<LockInfo> {
        fs::read(&self.paths.lock)
            .ok()
            .and_then(|bytes| LockInfo::from_json(&bytes).ok())
    }

    fn release(&self, lock_id: &str) -> anyhow::Result<()> {
        let path = &self.paths.lock;
        let bytes = match fs::read(path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
                "the state is not locked: there is no lock file {}",
                path.display()
            ),
            Err(e) => return Err(e).with_context(|| format!("reading lock {}", path.display())),
        };
        let held = LockInfo::from_json(&bytes).map_err(|e| {
            anyhow::anyhow!(
                "lock file {} cannot be read ({e}); if no run is active, delete it",
                path.display()
            )
        })?;
        if held.id != lock_id {
            anyhow::bail!(
                "lock id {lock_id} does not match the lock on {}, held by {} for {} since {} with id {}",
                self.paths.state.display(),
                held.who,
                held.operation,
                held.created,
                held.id
            );
        }
        fs::remove_file(path).with_context(|| format!("removing lock {}", path.display()))?;
        sync_dir(self.paths.dir())
    }
}

impl Backend for LocalBackend {
    fn describe(&self) -> String {
        format!("local state {}", self.paths.state.display())
    }

    fn read(&self) -> anyhow::Result<Option<State>> {
        Ok(self.load()?.state)
    }

    fn write(&self, state: &State, options: WriteOptions) -> anyhow::Result<()> {
        let loaded = self.load().with_context(|| {
            format!(
                "refusing to overwrite {}, which cannot be read",
                self.paths.state.display()
            )
        })?;
        check_write(&self.describe(), loaded.state.as_ref(), state, options)?;
        self.store(state, loaded.file.as_ref().map(|(_, b)| b.as_slice()))?;
        if loaded.journal_present {
            self.remove_journal()?;
        }
        Ok(())
    }

    fn lock(&self, request: &LockRequest) -> anyhow::Result<LockInfo> {
        let info = LockInfo::new(request);
        let lock = &self.paths.lock;
        // Write the whole lock file under a unique name, then link it into place: the link is created
        // exclusively (like O_EXCL), and no reader ever sees a half-written lock.
        let temp = lock.with_extension(format!("lock.{}", info.id));
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .with_context(|| format!("creating lock {}", temp.display()))?;
        file.write_all(&info.to_json())
            .and_then(|_| file.sync_all())
            .with_context(|| format!("writing lock {}", temp.display()))?;
        drop(file);
        let linked = fs::hard_link(&temp, lock);
        let _ = fs::remove_file(&temp);
        match linked {
            Ok(()) => {
                sync_dir(self.paths.dir())?;
                Ok(info)
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(StateLocked {
                location: lock.display().to_string(),
                holder: self.read_lock(),
            }
            .into()),
            Err(e) => Err(e).with_context(|| format!("creating lock {}", lock.display())),
        }
    }

    fn unlock(&self, lock_id: &str) -> anyhow::Result<()> {
        self.release(lock_id)
    }

    fn supports_force_unlock(&self) -> bool {
        true
    }

    fn force_unlock(&self, lock_id: &str) -> anyhow::Result<()> {
        self.release(lock_id)
    }
}

/// Create or truncate `path`, write `bytes` and fsync.
fn write_synced(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))
}

/// Fsync a directory so a rename or removal in it is durable.
pub(super) fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("syncing directory {}", dir.display()))
}
