//! peerform: a Terraform-style planner for Azure ExpressRoute connectivity.
//!
//! Data flows one way: `config` → `desired` (using `lang`, `schema`, `graph`) → `plan` (using `rules`,
//! `state`) → `apply` → `provider` → `arm`. `cli` is the only module that prints, reads the environment
//! or parses flags. See ARCHITECTURE.md for the code map and invariants.

pub mod apply;
pub mod arm;
pub mod cli;
pub mod config;
pub mod desired;
pub mod diag;
pub mod emulator;
pub mod fmt;
pub mod graph;
pub mod lang;
pub mod plan;
pub mod provider;
pub mod rules;
pub mod schema;
pub mod state;
