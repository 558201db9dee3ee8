//! Writes the DESIGN §7 benchmark estate to a folder, for timing whole commands by hand:
//! `cargo bench --bench gen_estate -- DIR SITES`.

#[path = "support/estate.rs"]
mod estate;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = args.get(1).map(String::as_str).unwrap_or("estate");
    let sites: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    std::fs::create_dir_all(dir).expect("create the estate folder");
    estate::write_estate(std::path::Path::new(dir), sites).expect("write the estate");
    println!(
        "wrote {} resources to {dir}",
        sites * estate::RESOURCES_PER_SITE
    );
}
