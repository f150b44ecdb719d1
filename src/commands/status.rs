//! `okg status`.
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: crate::cli::StatusArgs) -> u8 {
    let _ = (global, args);
    eprintln!("okg status: not implemented yet");
    crate::commands::exit::USAGE
}
