//! Benchmark: `validate` (load + parse + evaluate + schema checks) of the DESIGN §7 estate at 1,100
//! and 11,000 resources (110,000 with `--large`). Prints wall time (median of runs) and peak memory.
//! Run: `cargo bench --bench validate [-- --large]`.

#[path = "support/estate.rs"]
mod estate;
#[path = "support/measure.rs"]
mod measure;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use peerform::config::{LoadOptions, load_config, read_function_file};
use peerform::desired::{NoCloud, build};

fn main() {
    let large = std::env::args().any(|a| a == "--large");
    let mut sizes = vec![100, 1_000];
    if large {
        sizes.push(10_000);
    }
    println!("| resources | files | validate (median) | min | peak RSS |");
    println!("|---:|---:|---:|---:|---:|");
    for sites in sizes {
        let dir = tempfile::tempdir().expect("temp dir");
        estate::write_estate(dir.path(), sites).expect("write estate");
        let files = std::fs::read_dir(dir.path())
            .map(|d| d.count())
            .unwrap_or(0);
        let runs = if sites >= 10_000 { 3 } else { 7 };
        let times = measure::repeat(runs, || {
            let options = LoadOptions::default();
            let (config, diagnostics) = load_config(dir.path(), &options);
            assert!(
                !diagnostics.has_errors(),
                "estate must be valid: {:?}",
                diagnostics.iter().next()
            );
            let root = dir.path().to_path_buf();
            let read = move |p: &str| read_function_file(&root, p);
            let reader = NoCloud { files: &read };
            let (desired, diagnostics) = build(&config, &reader);
            assert!(
                !diagnostics.has_errors(),
                "estate must evaluate: {:?}",
                diagnostics.iter().next()
            );
            assert_eq!(desired.instances.len(), sites * estate::RESOURCES_PER_SITE);
        });
        println!(
            "| {} | {} | {} | {} | {} |",
            sites * estate::RESOURCES_PER_SITE,
            files,
            measure::ms(measure::median(&times)),
            measure::ms(times.iter().copied().min().unwrap_or_default()),
            measure::peak_rss()
        );
    }
}
