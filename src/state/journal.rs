//! The journal: an append-only file of completed steps (a resource recorded or removed, a create
//! intent, an output), one JSON line each, fsynced as soon as it is written, so a crash loses at most
//! the step in flight. It owns the line format's framing, the replay rules (a torn last line is
//! ignored, a corrupt line before it is an error) and applying steps to a state; it must not rewrite the
//! state file, which is the backend's job.

use anyhow::Context as _;
use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::model::{CreateIntent, OutputState, ResourceState, State};
use super::wire::{self, JOURNAL_FORMAT, JournalHeader, StepIn};
use crate::config::addr::ResourceInstanceAddr;

/// One completed change to the state.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// A create is about to be sent for this address and ARM id.
    Intent {
        address: ResourceInstanceAddr,
        intent: CreateIntent,
    },
    /// The object at this address is now this (created, updated or read back).
    Put {
        address: ResourceInstanceAddr,
        resource: ResourceState,
    },
    /// The object at this address is gone.
    Remove {
        address: ResourceInstanceAddr,
    },
    Output {
        name: String,
        output: OutputState,
    },
    RemoveOutput {
        name: String,
    },
}

impl Step {
    /// Apply the step to a state in memory (the serial is the caller's business).
    pub fn apply(self, state: &mut State) {
        match self {
            Step::Intent { address, intent } => {
                state.intents.insert(address, intent);
            }
            Step::Put { address, resource } => {
                state.intents.remove(&address);
                state.resources.insert(address, resource);
            }
            Step::Remove { address } => {
                state.intents.remove(&address);
                state.resources.remove(&address);
            }
            Step::Output { name, output } => {
                state.outputs.insert(name, output);
            }
            Step::RemoveOutput { name } => {
                state.outputs.remove(&name);
            }
        }
    }
}

/// Where a journal write should stop short, to test crash recovery.
#[cfg(test)]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum JournalFault {
    /// Write only this many bytes of the next step's line, then fail.
    TornAppend(usize),
}

/// An open journal: each [`JournalWriter::append`] writes one line and fsyncs it.
pub struct JournalWriter {
    file: File,
    path: PathBuf,
    pub(super) base_serial: u64,
    steps: usize,
    bytes_written: u64,
    #[cfg(test)]
    pub(super) fault: Option<JournalFault>,
}

impl JournalWriter {
    /// Start a new journal continuing the state file at `serial` (replaces an old journal file).
    pub(super) fn create(path: &Path, lineage: &str, serial: u64) -> anyhow::Result<Self> {
        let header = JournalHeader {
            format: JOURNAL_FORMAT.to_string(),
            lineage: lineage.to_string(),
            serial,
            version: wire::FORMAT_VERSION,
        };
        let mut line = serde_json::to_vec(&header).context("encoding the journal header")?;
        line.push(b'\n');
        let mut file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(true)
            .open(path)
            .with_context(|| format!("creating journal {}", path.display()))?;
        file.write_all(&line)
            .and_then(|_| file.sync_all())
            .with_context(|| format!("writing journal {}", path.display()))?;
        if let Some(dir) = path.parent() {
            super::backend_local::sync_dir(dir)?;
        }
        Ok(JournalWriter {
            file,
            path: path.to_path_buf(),
            base_serial: serial,
            steps: 0,
            bytes_written: line.len() as u64,
            #[cfg(test)]
            fault: None,
        })
    }

    /// Append one completed step and fsync it before returning.
    pub fn append(&mut self, step: &Step) -> anyhow::Result<()> {
        let line = wire::encode_step(step)?;
        #[cfg(test)]
        if let Some(JournalFault::TornAppend(n)) = self.fault {
            let _ = self.file.write_all(&line[..n.min(line.len())]);
            let _ = self.file.sync_data();
            anyhow::bail!("injected crash in the middle of a journal append");
        }
        self.file
            .write_all(&line)
            .and_then(|_| self.file.sync_data())
            .with_context(|| format!("appending to journal {}", self.path.display()))?;
        self.steps += 1;
        self.bytes_written += line.len() as u64;
        Ok(())
    }

    /// Steps appended so far.
    pub fn steps(&self) -> usize {
        self.steps
    }

    /// Bytes written to the journal so far, header included.
    pub fn bytes_written(&self) -> u64 {
        self.bytes_written
    }
}

/// A journal as read back.
#[derive(Debug)]
pub(super) struct Replay {
    /// None when even the header line was torn.
    pub header: Option<JournalHeader>,
    pub steps: Vec<Step>,
}

/// Read a journal file. `Ok(None)` when there is none.
pub(super) fn read_journal(path: &Path) -> anyhow::Result<Option<Replay>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(e).with_context(|| format!("reading journal {}", path.display()));
        }
    };
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    // The piece after the last newline is a torn append (or empty): never a completed step.
    lines.pop();
    let count = lines.len();
    let mut header = None;
    let mut steps = Vec::new();
    for (i, line) in lines.into_iter().enumerate() {
        let last = i + 1 == count;
        if i == 0 {
            match wire::decode_line::<JournalHeader>(line) {
                Ok(h) => {
                    if h.format != JOURNAL_FORMAT || h.version != wire::FORMAT_VERSION {
                        anyhow::bail!(
                            "journal {} is format {:?} version {}: this peerform reads {JOURNAL_FORMAT:?} version {}",
                            path.display(),
                            h.format,
                            h.version,
                            wire::FORMAT_VERSION
                        );
                    }
                    header = Some(h);
                }
                Err(_) if last => break,
                Err(e) => anyhow::bail!(
                    "journal {} line 1 is not a journal header: {e}; move the journal aside to load the state without it",
                    path.display()
                ),
            }
            continue;
        }
        let step = wire::decode_line::<StepIn>(line).and_then(wire::convert_step);
        match step {
            Ok(step) => steps.push(step),
            // A crash can leave a damaged last line even with its newline; it never completed.
            Err(_) if last => break,
            Err(e) => anyhow::bail!(
                "journal {} line {} is corrupt: {e}; move the journal aside to load the state without its steps",
                path.display(),
                i + 1
            ),
        }
    }
    Ok(Some(Replay { header, steps }))
}
