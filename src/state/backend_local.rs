//! The local backend: the state file (`peerform.tfstate` or the `backend "local"` path), its `.backup`,
//! its journal and its lock file `.peerform.tfstate.lock`. Writes are atomic (temporary file, fsync,
//! rename, fsync of the directory); a journal found on load is replayed, and compacted into the state
//! file by the next write or by [`LocalBackend::recover`]; a state that fails to read is never
//! overwritten. It must not decide what changes: callers hand it whole states and journal steps.

use anyhow::Context as _;
use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use super::backend::{Backend, WriteOptions, check_write, check_write_parts};
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
    /// The identity of the state file as this client last read or wrote it, with its lineage and
    /// serial: a write whose file is still that one need not decode it again to check the rules.
    /// The bytes are not kept (a plan would hold the whole file for nothing): a write reads them
    /// again, which costs far less than decoding them.
    cache: Mutex<Option<Cache>>,
    #[cfg(test)]
    pub(super) fault: Mutex<Option<WriteFault>>,
}

#[derive(Debug)]
struct Cache {
    identity: FileIdentity,
    lineage: String,
    serial: u64,
}

/// Device, inode, size and modification time: a state file is only ever replaced by a rename, so the
/// same identity means the same bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileIdentity(u64, u64, u64, i64, i64);

#[cfg(unix)]
fn identity(metadata: &fs::Metadata) -> Option<FileIdentity> {
    use std::os::unix::fs::MetadataExt as _;
    Some(FileIdentity(
        metadata.dev(),
        metadata.ino(),
        metadata.size(),
        metadata.mtime(),
        metadata.mtime_nsec(),
    ))
}

#[cfg(not(unix))]
fn identity(_metadata: &fs::Metadata) -> Option<FileIdentity> {
    None
}

/// What is on disk: the state file's bytes, and the state once the journal is replayed.
struct Loaded {
    file_bytes: Option<Vec<u8>>,
    file_identity: Option<FileIdentity>,
    state: Option<State>,
    /// Whether the journal added steps on top of the state file.
    replayed: bool,
    /// Whether a journal file exists (replayed, stale or torn).
    journal_present: bool,
}

impl LocalBackend {
    pub fn new(state_path: &Path) -> Self {
        LocalBackend {
            paths: LocalPaths::for_state(state_path),
            cache: Mutex::new(None),
            #[cfg(test)]
            fault: Mutex::new(None),
        }
    }

    pub fn paths(&self) -> &LocalPaths {
        &self.paths
    }

    /// The state file's bytes and identity, read through one handle so they agree.
    fn read_bytes(&self) -> anyhow::Result<Option<(Vec<u8>, Option<FileIdentity>)>> {
        let path = &self.paths.state;
        let mut file = match File::open(path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("reading state {}", path.display())),
        };
        let metadata = file
            .metadata()
            .with_context(|| format!("reading state {}", path.display()))?;
        let mut bytes = Vec::with_capacity(metadata.len() as usize);
        std::io::Read::read_to_end(&mut file, &mut bytes)
            .with_context(|| format!("reading state {}", path.display()))?;
        Ok(Some((bytes, identity(&metadata))))
    }

    #[cfg(test)]
    fn read_file(&self) -> anyhow::Result<Option<State>> {
        match self.read_bytes()? {
            None => Ok(None),
            Some((bytes, _)) => Ok(Some(self.decode(&bytes)?)),
        }
    }

    fn decode(&self, bytes: &[u8]) -> anyhow::Result<State> {
        wire::decode(bytes).with_context(|| format!("reading state {}", self.paths.state.display()))
    }

    fn load(&self) -> anyhow::Result<Loaded> {
        let (file_bytes, file_identity) = match self.read_bytes()? {
            Some((bytes, identity)) => (Some(bytes), identity),
            None => (None, None),
        };
        let mut state = match &file_bytes {
            Some(bytes) => Some(self.decode(bytes)?),
            None => None,
        };
        let Some(replay) = journal::read_journal(&self.paths.journal)? else {
            return Ok(Loaded {
                file_bytes,
                file_identity,
                state,
                replayed: false,
                journal_present: false,
            });
        };
        let journal_path = self.paths.journal.display();
        let mut replayed = false;
        match (&mut state, replay.header) {
            // Even the header was torn: nothing completed.
            (_, None) => {}
            (None, Some(header)) => anyhow::bail!(
                "journal {journal_path} continues serial {} of lineage {} but {} does not exist; restore the state file, or move the journal aside",
                header.serial,
                header.lineage,
                self.paths.state.display()
            ),
            (Some(base), Some(header)) => {
                if header.lineage != base.lineage {
                    anyhow::bail!(
                        "journal {journal_path} belongs to lineage {}, but {} is lineage {}; move the journal aside",
                        header.lineage,
                        self.paths.state.display(),
                        base.lineage
                    );
                }
                if base.serial < header.serial {
                    anyhow::bail!(
                        "journal {journal_path} continues serial {}, but {} is at serial {}: the state file is older than its journal; restore {} from git or its backup",
                        header.serial,
                        self.paths.state.display(),
                        base.serial,
                        self.paths.state.display()
                    );
                }
                // A state file newer than the journal already holds its steps: it was compacted and
                // the process stopped before removing the journal.
                if base.serial == header.serial && !replay.steps.is_empty() {
                    for step in replay.steps {
                        step.apply(base);
                    }
                    base.serial = header.serial + 1;
                    replayed = true;
                }
            }
        }
        Ok(Loaded {
            file_bytes,
            file_identity,
            state,
            replayed,
            journal_present: true,
        })
    }

    fn remember(&self, identity: Option<FileIdentity>, state: &State) {
        if let (Ok(mut cache), Some(identity)) = (self.cache.lock(), identity) {
            *cache = Some(Cache {
                identity,
                lineage: state.lineage.clone(),
                serial: state.serial,
            });
        } else {
            self.forget();
        }
    }

    fn forget(&self) {
        if let Ok(mut cache) = self.cache.lock() {
            *cache = None;
        }
    }

    /// What this client last read or wrote, with the file's bytes, when the file is still exactly
    /// that.
    fn take_cache_if_current(&self) -> Option<(Cache, Vec<u8>)> {
        let mut cache = self.cache.lock().ok()?;
        let remembered = cache.as_ref()?.identity;
        let (bytes, current) = self.read_bytes().ok()??;
        if current != Some(remembered) {
            return None;
        }
        Some((cache.take()?, bytes))
    }

    /// Replay and compact a journal left by an interrupted run: the state file is rewritten with every
    /// completed step and the journal removed. Call it while holding the lock.
    pub fn recover(&self) -> anyhow::Result<Option<State>> {
        let loaded = self.load()?;
        if !loaded.journal_present {
            return Ok(loaded.state);
        }
        if let (Some(state), true) = (&loaded.state, loaded.replayed) {
            let bytes = wire::encode(state)?;
            let identity = self.store(&bytes, loaded.file_bytes.as_deref())?;
            self.remember(identity, state);
        }
        self.remove_journal()?;
        Ok(loaded.state)
    }

    /// Start journaling steps on top of `state`, which becomes the state file first if it is not
    /// already (so it obeys the write rules: a changed state needs a higher serial). Each step is then
    /// appended with [`JournalWriter::append`] and applied in memory with [`super::Step::apply`];
    /// [`LocalBackend::finish`] writes the final state. Call it while holding the lock.
    pub fn begin(&self, state: &State) -> anyhow::Result<JournalWriter> {
        self.recover()?;
        self.write(state, WriteOptions::default())?;
        self.forget();
        JournalWriter::create(&self.paths.journal, &state.lineage, state.serial)
    }

    /// Write the state the journal's steps produced (one serial above the journal's base when any step
    /// was recorded) and remove the journal. `state` must be the state given to `begin` with exactly
    /// the appended steps applied: anything else is refused as different content under one serial.
    pub fn finish(&self, journal: JournalWriter, state: &mut State) -> anyhow::Result<()> {
        if journal.steps() > 0 {
            state.serial = journal.base_serial + 1;
        }
        drop(journal);
        self.write(state, WriteOptions::default())?;
        self.remove_journal()
    }

    /// Put `bytes` in place atomically. The previous file, when different, becomes the backup: it is
    /// hard-linked there before the rename replaces it, so keeping it costs no copy.
    fn store(&self, bytes: &[u8], previous: Option<&[u8]>) -> anyhow::Result<Option<FileIdentity>> {
        if previous == Some(bytes) {
            return Ok(fs::metadata(&self.paths.state)
                .ok()
                .and_then(|m| identity(&m)));
        }
        if previous.is_some() {
            let backup_temp = self.paths.backup.with_extension("backup.tmp");
            let _ = fs::remove_file(&backup_temp);
            // A file system without hard links gets a copy instead.
            fs::hard_link(&self.paths.state, &backup_temp)
                .or_else(|_| fs::copy(&self.paths.state, &backup_temp).map(|_| ()))
                .and_then(|_| fs::rename(&backup_temp, &self.paths.backup))
                .with_context(|| format!("writing state backup {}", self.paths.backup.display()))?;
        }
        let written = write_synced(&self.paths.temp, bytes)?;
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
        Ok(written)
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
        let loaded = self.load()?;
        match (
            &loaded.state,
            loaded.file_bytes.is_some(),
            loaded.journal_present,
        ) {
            (Some(state), true, false) => self.remember(loaded.file_identity, state),
            _ => self.forget(),
        }
        Ok(loaded.state)
    }

    fn write(&self, state: &State, options: WriteOptions) -> anyhow::Result<()> {
        let bytes = wire::encode(state)?;
        let refuse = || {
            format!(
                "refusing to overwrite {}, which cannot be read",
                self.paths.state.display()
            )
        };
        let cached = match self.paths.journal.exists() {
            false => self.take_cache_if_current(),
            true => None,
        };
        let identity = match cached {
            // The file is what this client last read or wrote: no need to read and decode it again.
            Some((cache, previous)) => {
                let same_content = previous == bytes;
                check_write_parts(
                    &self.describe(),
                    Some((&cache.lineage, cache.serial)),
                    state,
                    || same_content,
                    options,
                )?;
                self.store(&bytes, Some(&previous))?
            }
            None => {
                let loaded = self.load().with_context(refuse)?;
                check_write(&self.describe(), loaded.state.as_ref(), state, options)?;
                let identity = self.store(&bytes, loaded.file_bytes.as_deref())?;
                if loaded.journal_present {
                    self.remove_journal()?;
                }
                identity
            }
        };
        self.remember(identity, state);
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
        let mut linked = fs::hard_link(&temp, lock);
        let _ = fs::remove_file(&temp);
        if let Err(e) = &linked
            && e.kind() != std::io::ErrorKind::AlreadyExists
        {
            // No hard links here: create the lock file itself exclusively (O_EXCL) and fill it.
            linked = OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(lock)
                .and_then(|mut f| f.write_all(&info.to_json()).and_then(|_| f.sync_all()));
        }
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

/// Create or truncate `path`, write `bytes` and fsync; returns the file's identity once written.
fn write_synced(path: &Path, bytes: &[u8]) -> anyhow::Result<Option<FileIdentity>> {
    let mut file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    file.write_all(bytes)
        .and_then(|_| file.sync_all())
        .with_context(|| format!("writing {}", path.display()))?;
    Ok(file.metadata().ok().and_then(|m| identity(&m)))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::backend::conformance;
    use crate::state::estate;
    use crate::state::journal::{JournalFault, Step};
    use crate::state::lock::{RetryOptions, lock_with_retry};
    use crate::state::model::{CreateIntent, ResourceState};
    use std::time::Duration;

    fn temp() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn local_backend_passes_the_conformance_suite() {
        let dirs = std::sync::Mutex::new(Vec::new());
        let factory = || -> (Box<dyn Backend>, Box<dyn Backend>) {
            let dir = temp();
            let path = dir.path().join("peerform.tfstate");
            dirs.lock().unwrap().push(dir);
            (
                Box::new(LocalBackend::new(&path)),
                Box::new(LocalBackend::new(&path)),
            )
        };
        conformance::run_all(&factory).unwrap();
    }

    fn put(state: &State, site: usize, type_name: &str, name: &str, id: &str) -> Step {
        let address = estate::site_address(site, type_name, name);
        let resource = ResourceState {
            type_name: type_name.to_string(),
            id: id.to_string(),
            ..state.resources.get(&address).cloned().unwrap_or_default()
        };
        Step::Put { address, resource }
    }

    /// The steps of a small apply: an intent, then its create, an update and a delete.
    fn steps(state: &State) -> Vec<Step> {
        vec![
            Step::Intent {
                address: estate::site_address(9, "azurerm_resource_group", "this"),
                intent: CreateIntent {
                    type_name: "azurerm_resource_group".into(),
                    id: "/subscriptions/s/resourceGroups/new".into(),
                },
            },
            put(state, 9, "azurerm_resource_group", "this", "/subscriptions/s/resourceGroups/new"),
            put(state, 0, "azurerm_virtual_network", "this", "/changed"),
            Step::Remove {
                address: estate::site_address(1, "azurerm_subnet", "gateway"),
            },
            Step::Intent {
                address: estate::site_address(9, "azurerm_virtual_network", "this"),
                intent: CreateIntent {
                    type_name: "azurerm_virtual_network".into(),
                    id: "/subscriptions/s/resourceGroups/new/providers/Microsoft.Network/virtualNetworks/v".into(),
                },
            },
        ]
    }

    fn expected_after(base: &State, steps: &[Step]) -> State {
        let mut state = base.clone();
        for step in steps {
            step.clone().apply(&mut state);
        }
        state.serial = base.serial + 1;
        state
    }

    #[test]
    fn a_torn_journal_append_loses_only_the_step_in_flight() {
        let base = estate::estate_state(3);
        let all = steps(&base);
        for completed in 0..all.len() {
            let line_len = wire::encode_step(&all[completed]).unwrap().len();
            for torn in [0, 1, line_len / 2, line_len - 1] {
                let dir = temp();
                let backend = LocalBackend::new(&dir.path().join("peerform.tfstate"));
                let mut journal = backend.begin(&base).unwrap();
                for step in &all[..completed] {
                    journal.append(step).unwrap();
                }
                journal.fault = Some(JournalFault::TornAppend(torn));
                assert!(journal.append(&all[completed]).is_err());
                drop(journal);

                let want = if completed == 0 {
                    base.clone()
                } else {
                    expected_after(&base, &all[..completed])
                };
                let fresh = LocalBackend::new(&dir.path().join("peerform.tfstate"));
                assert_eq!(
                    fresh.read().unwrap().unwrap(),
                    want,
                    "{completed} steps, torn at {torn}"
                );
                assert_eq!(fresh.recover().unwrap().unwrap(), want);
                assert!(!fresh.paths().journal.exists());
                assert_eq!(fresh.read_file().unwrap().unwrap(), want);
            }
        }
    }

    #[test]
    fn an_interrupted_final_write_keeps_every_completed_step() {
        let base = estate::estate_state(3);
        let all = steps(&base);
        let want = expected_after(&base, &all);
        for fault in [WriteFault::AfterTemp, WriteFault::AfterRename] {
            let dir = temp();
            let path = dir.path().join("peerform.tfstate");
            let backend = LocalBackend::new(&path);
            let mut journal = backend.begin(&base).unwrap();
            let mut state = base.clone();
            for step in &all {
                journal.append(step).unwrap();
                step.clone().apply(&mut state);
            }
            *backend.fault.lock().unwrap() = Some(fault);
            assert!(backend.finish(journal, &mut state).is_err());
            assert_eq!(state, want);
            match fault {
                WriteFault::AfterTemp => assert!(backend.paths().temp.exists()),
                WriteFault::AfterRename => assert!(backend.paths().journal.exists()),
            }

            let fresh = LocalBackend::new(&path);
            assert_eq!(fresh.read().unwrap().unwrap(), want, "{fault:?}");
            // The create intent recorded last is visible, so apply can adopt that object.
            assert!(
                fresh
                    .read()
                    .unwrap()
                    .unwrap()
                    .intents
                    .contains_key(&estate::site_address(9, "azurerm_virtual_network", "this"))
            );
            assert_eq!(fresh.recover().unwrap().unwrap(), want);
            assert!(!fresh.paths().journal.exists());
            assert_eq!(fresh.read().unwrap().unwrap(), want);
            // The next run journals on top of the recovered state.
            let journal = fresh.begin(&want).unwrap();
            assert_eq!(journal.base_serial, want.serial);
        }
    }

    #[test]
    fn a_finished_journal_is_compacted_with_one_serial_step() {
        let base = estate::estate_state(2);
        let dir = temp();
        let backend = LocalBackend::new(&dir.path().join("peerform.tfstate"));
        let mut journal = backend.begin(&base).unwrap();
        let mut state = base.clone();
        for step in steps(&base) {
            journal.append(&step).unwrap();
            step.apply(&mut state);
        }
        backend.finish(journal, &mut state).unwrap();
        assert_eq!(state.serial, base.serial + 1);
        assert!(!backend.paths().journal.exists());
        assert_eq!(backend.read().unwrap().unwrap(), state);
        // The backup holds the state before the write.
        let backup = wire::decode(&fs::read(&backend.paths().backup).unwrap()).unwrap();
        assert_eq!(backup, base);
    }

    #[test]
    fn journal_bytes_grow_linearly_with_steps() {
        let base = estate::estate_state(100);
        let dir = temp();
        let backend = LocalBackend::new(&dir.path().join("peerform.tfstate"));
        let file_size = fs::metadata(&backend.paths().state)
            .map(|m| m.len())
            .unwrap_or(0);
        let mut journal = backend.begin(&base).unwrap();
        let state_size = fs::metadata(&backend.paths().state).unwrap().len();
        assert!(state_size > file_size);
        let header = journal.bytes_written();
        let mut sizes = Vec::new();
        for (address, resource) in base.resources.iter().take(200) {
            let before = journal.bytes_written();
            journal
                .append(&Step::Put {
                    address: address.clone(),
                    resource: resource.clone(),
                })
                .unwrap();
            sizes.push(journal.bytes_written() - before);
        }
        let largest = *sizes.iter().max().unwrap();
        // Each step costs its own line, never the whole state.
        assert!(largest < 2_000, "{largest}");
        assert_eq!(journal.bytes_written(), header + sizes.iter().sum::<u64>());
        assert!(journal.bytes_written() < state_size / 4);
        assert_eq!(
            fs::metadata(&backend.paths().journal).unwrap().len(),
            journal.bytes_written()
        );
    }

    #[test]
    fn unreadable_states_are_never_overwritten() {
        let good = wire::encode(&estate::estate_state(1)).unwrap();
        let text = String::from_utf8(good.clone()).unwrap();
        let cases = [
            ("truncated", text[..text.len() / 3].to_string()),
            (
                "wrong format",
                text.replace("\"peerform-state\"", "\"something-else\""),
            ),
            (
                "newer version",
                text.replace("\"version\": 1\n", "\"version\": 2\n"),
            ),
            (
                "unknown field",
                text.replace("\"serial\": 42,", "\"serial\": 42,\n  \"x\": 1,"),
            ),
        ];
        for (what, content) in cases {
            let dir = temp();
            let path = dir.path().join("peerform.tfstate");
            fs::write(&path, &content).unwrap();
            let backend = LocalBackend::new(&path);
            let err = format!("{:#}", backend.read().unwrap_err());
            assert!(err.contains(&path.display().to_string()), "{what}: {err}");
            let mut state = estate::estate_state(1);
            state.serial = 1000;
            assert!(
                backend.write(&state, WriteOptions { force: true }).is_err(),
                "{what}"
            );
            assert!(backend.recover().is_err(), "{what}");
            assert!(backend.begin(&state).is_err(), "{what}");
            assert_eq!(fs::read_to_string(&path).unwrap(), content, "{what}");
            assert!(!backend.paths().backup.exists(), "{what}");
        }
    }

    #[test]
    fn a_corrupt_journal_line_before_the_end_is_an_error() {
        let base = estate::estate_state(1);
        let dir = temp();
        let backend = LocalBackend::new(&dir.path().join("peerform.tfstate"));
        let mut journal = backend.begin(&base).unwrap();
        for step in steps(&base).iter().take(2) {
            journal.append(step).unwrap();
        }
        drop(journal);
        let mut bytes = fs::read(&backend.paths().journal).unwrap();
        let second_line = bytes.iter().position(|&b| b == b'\n').unwrap() + 5;
        bytes[second_line] = b'#';
        fs::write(&backend.paths().journal, &bytes).unwrap();
        let err = format!("{:#}", backend.read().unwrap_err());
        assert!(err.contains("line 2") && err.contains("journal"), "{err}");
        let state_before = fs::read(&backend.paths().state).unwrap();
        assert!(backend.recover().is_err());
        assert_eq!(fs::read(&backend.paths().state).unwrap(), state_before);
    }

    #[test]
    fn secrets_reach_no_file_in_plaintext() {
        use crate::lang::Value;
        use crate::state::model::NewObject;
        let dir = temp();
        let backend = LocalBackend::new(&dir.path().join("peerform.tfstate"));
        let mut state = estate::estate_state(1);
        state.secrets.memory_kib = 64;
        state.secrets.iterations = 1;
        let plain = ["hunter2-shared-key", "service-key-0badf00d", "nested-p@ss"];
        let address = estate::site_address(0, "azurerm_express_route_circuit_peering", "private");
        let object = NewObject {
            type_name: "azurerm_express_route_circuit_peering".into(),
            id: "/subscriptions/s/peerings/AzurePrivatePeering".into(),
            values: [
                ("shared_key".to_string(), Value::string(plain[0])),
                ("service_key".to_string(), Value::string(plain[1])),
                (
                    "extra".to_string(),
                    Value::List(vec![Value::object([(
                        "password",
                        Value::string(plain[2]).mark_sensitive(),
                    )])]),
                ),
            ]
            .into_iter()
            .collect(),
            ..Default::default()
        };
        let built = state
            .build_resources(vec![(address.clone(), object)])
            .unwrap();
        let mut journal = backend.begin(&state).unwrap();
        let mut next = state.clone();
        for (address, resource) in built {
            let step = Step::Put { address, resource };
            journal.append(&step).unwrap();
            step.apply(&mut next);
        }
        let journal_bytes = fs::read(&backend.paths().journal).unwrap();
        backend.finish(journal, &mut next).unwrap();
        assert!(next.secret_matches(&address, "shared_key", &Value::string(plain[0])));
        assert!(next.secret_matches(&address, "extra[0].password", &Value::string(plain[2])));
        let mut files = vec![journal_bytes];
        for entry in fs::read_dir(dir.path()).unwrap() {
            files.push(fs::read(entry.unwrap().path()).unwrap());
        }
        assert!(files.len() >= 3);
        for bytes in files {
            let text = String::from_utf8_lossy(&bytes);
            for secret in plain {
                assert!(!text.contains(secret), "{secret} was written");
            }
        }
    }

    #[test]
    fn lock_retry_waits_with_the_injected_interval() {
        let dir = temp();
        let path = dir.path().join("peerform.tfstate");
        let holder = LocalBackend::new(&path);
        let waiter = LocalBackend::new(&path);
        let request = LockRequest {
            who: "ana@one".into(),
            operation: "apply".into(),
            created: "2026-01-01T00:00:00Z".into(),
        };
        let held = holder.lock(&request).unwrap();
        let retry = RetryOptions {
            timeout: Duration::from_secs(1),
            interval: Duration::from_millis(250),
        };
        let mut waits = 0;
        let err = lock_with_retry(&waiter, &request, retry, &mut |_| waits += 1).unwrap_err();
        assert_eq!(waits, 4);
        let locked = err.downcast_ref::<StateLocked>().unwrap();
        assert_eq!(locked.holder.as_ref().unwrap().id, held.id);
        let message = err.to_string();
        assert!(
            message.contains("ana@one")
                && message.contains("apply")
                && message.contains("2026-01-01"),
            "{message}"
        );

        // The holder lets go during the second wait: the waiter gets the lock.
        let mut waits = 0;
        let got = lock_with_retry(&waiter, &request, retry, &mut |_| {
            waits += 1;
            if waits == 2 {
                holder.unlock(&held.id).unwrap();
            }
        })
        .unwrap();
        assert_eq!(waits, 2);
        waiter.unlock(&got.id).unwrap();
        // No stray temporary lock files are left behind.
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(names.is_empty(), "{names:?}");
    }
}
