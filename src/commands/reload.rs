//! `okg reload`.
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: crate::cli::ReloadArgs) -> u8 {
    let _ = (global, args);
    eprintln!("okg reload: not implemented yet");
    crate::commands::exit::USAGE
}
