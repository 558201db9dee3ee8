//! The one integration test binary: runs the built `peerform` command as a user would.

mod fmt;
mod state;
mod support;
mod tidy;
mod validate;
