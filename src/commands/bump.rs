//! `okg bump`.
use crate::cli::GlobalArgs;

pub async fn run(global: &GlobalArgs, args: crate::cli::BumpArgs) -> u8 {
    let _ = (global, args);
    eprintln!("okg bump: not implemented yet");
    crate::commands::exit::USAGE
}
