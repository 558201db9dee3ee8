//! The one integration test binary: runs the built `peerform` command as a user would.

mod plan;
mod state;
mod tidy;
mod validate;
