//! Breakdown of validate's phases (load+parse, evaluate) at 11,000 resources, for profiling.

#[path = "support/estate.rs"]
mod estate;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use peerform::config::{LoadOptions, load_config};
use peerform::desired::{NoCloud, build};
use std::time::Instant;

fn main() {
    let sites: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1000);
    let dir = tempfile::tempdir().expect("temp dir");
    estate::write_estate(dir.path(), sites).expect("write estate");
    for _ in 0..3 {
        let t = Instant::now();
        let (config, _) = load_config(dir.path(), &LoadOptions::default());
        let load = t.elapsed();
        let read = |_: &str| Err(String::new());
        let reader = NoCloud { files: &read };
        let t = Instant::now();
        let (desired, _) = build(&config, &reader);
        let eval = t.elapsed();
        let t = Instant::now();
        let findings = peerform::rules::check(
            &desired,
            &|_| None,
            &peerform::rules::RuleSettings::default(),
        );
        let rules = t.elapsed();
        let t = Instant::now();
        drop(desired);
        drop(config);
        println!(
            "load {load:?} eval {eval:?} rules {rules:?} ({} findings) drop {:?}",
            findings.len(),
            t.elapsed()
        );
    }
}
