//! A generic directed acyclic graph: nodes by index, topological order, waves, and a cycle report that
//! names the loop. It knows nothing of resources.

mod dag;

pub use dag::{Cycle, Dag};
