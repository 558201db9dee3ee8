//! The `peerform` binary: hands argv to `cli::main_with_args` and maps the result to an exit code.
//! It must not contain logic of its own.

// mimalloc: the configuration trees are millions of small allocations; the system allocator spends
// more time freeing them than the parser spends building them (measured in benches/phases.rs).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let code = peerform::cli::main_with_args(std::env::args_os().collect());
    std::process::exit(code);
}
