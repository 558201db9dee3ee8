//! The `peerform` binary: normalises argv, hands it to `cli::run`, and maps the result to an exit code.
//! It must not contain logic of its own.

fn main() {
    let code = peerform::cli::main_with_args(std::env::args_os().collect());
    std::process::exit(code);
}
