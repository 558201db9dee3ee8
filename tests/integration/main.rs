//! The one integration test binary: runs the built `peerform` command as a user would.

mod apply;
mod arm;
mod backends;
mod fmt;
mod modules;
mod plan;
mod rules;
mod servers;
mod state;
mod support;
mod tidy;
mod validate;
