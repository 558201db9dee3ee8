//! State benchmark (DESIGN §7): an ExpressRoute estate of 1,000 sites (11,000 resources) loaded and
//! saved, in memory and through the local backend (with fsync, backup and the lineage check), plus
//! the cost of one argon2id secret digest. Prints a table of medians; it asserts nothing, so a slow
//! machine reports rather than fails. Run: `cargo bench --bench state [-- SITES]`.

use peerform::lang::Value;
use peerform::state::{self, Backend, LocalBackend, WriteOptions, estate};
use std::time::{Duration, Instant};

const RUNS: usize = 7;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    let sites: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let state = estate::estate_state(sites);
    let resources = state.resources.len();

    // In memory: decode (load) and encode (save).
    let bytes = state::encode(&state).expect("encoding the estate");
    let (mut loads, mut saves, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..RUNS {
        let start = Instant::now();
        let loaded = state::decode(&bytes).expect("decoding the estate");
        let decoded = start.elapsed();
        let saved = state::encode(&loaded).expect("encoding the estate");
        let total = start.elapsed();
        assert_eq!(saved.len(), bytes.len());
        loads.push(decoded);
        saves.push(total - decoded);
        totals.push(total);
    }

    // Through the local backend: read the file, change one resource, write it back (lineage and serial
    // check, backup, temporary file, fsync, rename, fsync of the directory).
    let dir = tempfile::tempdir().expect("a temporary directory");
    let backend = LocalBackend::new(&dir.path().join("peerform.tfstate"));
    backend
        .write(&state, WriteOptions::default())
        .expect("writing the estate");
    let (mut file_loads, mut file_saves, mut file_totals) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..RUNS {
        let start = Instant::now();
        let mut loaded = backend.read().expect("reading").expect("a state");
        let read = start.elapsed();
        let target = estate::site_address(run % sites, "azurerm_virtual_network_gateway", "this");
        if let Some(resource) = loaded.resources.get_mut(&target) {
            resource.attributes.insert(
                "sku".into(),
                Value::string(format!("ErGw{}AZ", run % 3 + 1)),
            );
        }
        loaded.serial += 1;
        let written = Instant::now();
        backend
            .write(&loaded, WriteOptions::default())
            .expect("writing");
        let total = start.elapsed();
        file_loads.push(read);
        file_saves.push(total - (written - start));
        file_totals.push(total);
    }

    // One argon2id digest with the default parameters, and a parallel batch.
    let params = state::SecretParams::generate();
    let secret = Value::string("a-bgp-md5-shared-key");
    let mut singles = Vec::new();
    for _ in 0..RUNS {
        let start = Instant::now();
        state::digest_secrets(&params, &[("/x\u{0}shared_key", &secret)]).expect("digesting");
        singles.push(start.elapsed());
    }
    let batch: Vec<Value> = (0..64)
        .map(|i| Value::string(format!("secret-{i}")))
        .collect();
    let refs: Vec<(&str, &Value)> = batch.iter().map(|v| ("/x\u{0}shared_key", v)).collect();
    let start = Instant::now();
    state::digest_secrets(&params, &refs).expect("digesting");
    let batch_time = start.elapsed();

    println!(
        "peerform state benchmark: {sites} sites, {resources} resources, median of {RUNS} runs"
    );
    println!();
    println!("| work | time | target |");
    println!("|---|---|---|");
    println!("| decode (load, in memory) | {} | |", ms(median(loads)));
    println!("| encode (save, in memory) | {} | |", ms(median(saves)));
    println!(
        "| load + save, in memory | {} | ≤ 150 ms |",
        ms(median(totals))
    );
    println!(
        "| backend read (file + decode) | {} | |",
        ms(median(file_loads))
    );
    println!(
        "| backend write (check, backup, encode, fsync, rename) | {} | |",
        ms(median(file_saves))
    );
    println!(
        "| load + save through the local backend | {} | ≤ 150 ms |",
        ms(median(file_totals))
    );
    println!(
        "| state file size | {:.2} MB ({} bytes) | ≤ 15 MB |",
        bytes.len() as f64 / 1_000_000.0,
        bytes.len()
    );
    println!(
        "| one argon2id digest (m={} KiB, t={}, p={}) | {} | a few ms |",
        params.memory_kib,
        params.iterations,
        params.parallelism,
        ms(median(singles))
    );
    println!(
        "| 64 digests in parallel ({} threads) | {} ({:.2} ms each) | |",
        rayon::current_num_threads(),
        ms(batch_time),
        batch_time.as_secs_f64() * 1000.0 / 64.0
    );
}
