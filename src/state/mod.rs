//! State: the model, the versioned file format, the journal, locks, backends, merge and Terraform
//! import. It must not know the cloud: ARM ids and attribute values are opaque data here, and nothing in
//! this module prints or reads the environment; only the pg and azurerm backends talk to the network,
//! to the servers that keep the state.
//!
//! Files by prefix: `model` (domain types, no serde), `wire` (the private file format v1 and its
//! version sniffing), `secret` (argon2id digests), `journal` (append-only step log and replay),
//! `backend` (the `Backend` trait and its conformance suite), `backend_local` (file backend with lock
//! file and backup), `backend_pg` (PostgreSQL table, advisory lock), `backend_azurerm` (Azure Blob,
//! lease lock), `store` (apply's view of any backend, with a local journal for remote ones), `migrate`
//! (copying a state between backends), `lock` (lock info, retry, durations),
//! `merge` (three-way merge for git), `surgery` (`state mv`/`state rm`), `terraform_import` (Terraform
//! v4 state conversion) and `estate` (a synthetic ExpressRoute estate for tests and benchmarks).

mod backend;
mod backend_azurerm;
mod backend_local;
mod backend_pg;
pub mod estate;
mod journal;
mod lock;
mod merge;
mod migrate;
mod model;
mod secret;
mod store;
mod surgery;
mod terraform_import;
mod wire;

pub use backend::{Backend, WriteOptions, check_write, conformance};
pub use backend_azurerm::{AzureBlobBackend, AzureBlobSettings, AzureCredentials};
pub use backend_local::{LocalBackend, LocalPaths};
pub use backend_pg::{
    DEFAULT_SCHEMA, DEFAULT_STATE_NAME, PgBackend, PgSettings, conn_str_without_password,
    parse_conn_str,
};
pub use journal::{JournalWriter, Step};
pub use lock::{
    LockInfo, LockRequest, RetryOptions, StateLocked, format_timestamp, lock_with_retry,
    parse_duration,
};
pub use merge::{MergeConflict, MergeOutcome, merge};
pub use migrate::{Migration, migrate};
pub use model::{
    AttrPath, CloudTarget, CreateIntent, DeposedObject, NewDeposed, NewObject, OutputState,
    PathStep, ResourceState, State, Status,
};
pub use secret::{
    ALWAYS_SECRET, Digest, SecretJob, SecretParams, digest_all, digest_secrets, object_context,
    output_context, output_secret_matches, secret_input, secret_matches,
};
pub use store::StateStore;
pub use surgery::{address_matches, move_objects, remove_objects};
pub use terraform_import::{ImportReport, SUPPORTED_TYPES, Skipped, import_terraform};
pub use wire::{decode, encode};
