//! The one integration test binary: runs the built `peerform` command as a user would.

mod arm;
mod fmt;
mod modules;
mod plan;
mod rules;
mod state;
mod support;
mod tidy;
mod validate;
