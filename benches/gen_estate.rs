//! Writes the DESIGN §7 benchmark estate to a folder, for timing whole commands by hand:
//! `cargo bench --bench gen_estate -- DIR SITES [--terraform [--terraform-state VERSION]]`.
//! `--terraform` writes the `terraform_data` twin of the estate instead (for Terraform), and
//! `--terraform-state` adds the `terraform.tfstate` an apply of it would leave.

#[path = "support/estate.rs"]
mod estate;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mut positional = Vec::new();
    let mut rest = args.iter().skip(1);
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--terraform-state" => {
                rest.next();
            }
            a if a.starts_with("--") => {}
            _ => positional.push(arg),
        }
    }
    let dir = positional.first().map(|s| s.as_str()).unwrap_or("estate");
    let sites: usize = positional
        .get(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let terraform = args.iter().any(|a| a == "--terraform");
    let state_version = args
        .iter()
        .position(|a| a == "--terraform-state")
        .and_then(|i| args.get(i + 1));
    std::fs::create_dir_all(dir).expect("create the estate folder");
    let path = std::path::Path::new(dir);
    if terraform {
        estate::write_terraform_data_estate(path, sites).expect("write the estate");
        if let Some(version) = state_version {
            std::fs::write(
                path.join("terraform.tfstate"),
                estate::terraform_data_state(sites, version),
            )
            .expect("write the state");
        }
    } else {
        estate::write_estate(path, sites).expect("write the estate");
    }
    println!(
        "wrote {} resources to {dir}",
        sites * estate::RESOURCES_PER_SITE
    );
}
