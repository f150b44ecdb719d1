//! `okg completion SHELL` and the hidden `okg man [COMMAND]`: both generated from the clap
//! definitions at run time, so they cannot drift from the flags.
use clap::CommandFactory;

use crate::cli::{Cli, CompletionShell};
use crate::commands::exit;

pub fn completion(shell: CompletionShell) -> u8 {
    let shell = match shell {
        CompletionShell::Bash => clap_complete::Shell::Bash,
        CompletionShell::Zsh => clap_complete::Shell::Zsh,
        CompletionShell::Fish => clap_complete::Shell::Fish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "okg", &mut out);
    crate::commands::print::generated(&out);
    exit::OK
}

/// The man page of okg (section 1), or of one of its commands as `okg-COMMAND(1)`.
pub fn man(command: Option<&str>) -> u8 {
    let mut cli = Cli::command();
    cli.build();
    let page = match command {
        None => clap_mangen::Man::new(cli),
        Some(name) => match cli.find_subcommand(name) {
            Some(sub) => clap_mangen::Man::new(sub.clone()).title(format!("okg-{name}")),
            None => {
                let known: Vec<&str> = cli.get_subcommands().map(|c| c.get_name()).collect();
                crate::errln!(
                    "okg man: no command {name:?}; the commands are: {}",
                    known.join(", ")
                );
                return exit::USAGE;
            }
        },
    };
    let mut out = Vec::new();
    if let Err(e) = page.render(&mut out) {
        crate::errln!("okg man: cannot render the page: {e}");
        return exit::FAILED;
    }
    crate::commands::print::generated(&out);
    exit::OK
}
