//! Terminal setup, teardown and the event loop.
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs) -> u8 {
    let _ = global;
    eprintln!("okg: the console is not implemented yet");
    1
}
