//! The one integration test binary: runs the built `peerform` command as a user would.

mod arm;
mod backends;
mod modules;
mod plan;
mod rules;
mod servers;
mod state;
mod tidy;
mod validate;
