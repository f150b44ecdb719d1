use std::process::ExitCode;

use clap::Parser;
use okg_console::cli::{Cli, Command};
use okg_console::{commands, config, logging, paths, tui};

fn main() -> ExitCode {
    // clap exits 2 on a usage error, which our commands use for "partly failed"; scripts must be
    // able to tell them apart, so usage errors exit 1 (help and --version still exit 0).
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { commands::exit::USAGE } else { 0 });
        }
    };
    // Flags, then the environment (clap), then the config file's defaults.
    let mut cli = cli;
    let generated = matches!(cli.command, Some(Command::Completion { .. } | Command::Man { .. }));
    match if generated { Ok(Default::default()) } else { config::load_from(&config::path()) } {
        Ok(defaults) => {
            let env_read_only = std::env::var_os("OKG_READ_ONLY").is_some();
            cli.global = config::apply(cli.global, defaults, env_read_only);
        }
        Err(e) => {
            okg_console::errln!("okg: {e}");
            return ExitCode::from(commands::exit::USAGE);
        }
    }
    let log_file = cli.global.log_file.clone().unwrap_or_else(paths::default_log_file);
    logging::init(&log_file);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("okg: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let code = runtime.block_on(async move {
        match cli.command.clone() {
            #[cfg(feature = "demo")]
            Some(Command::Demo(args)) => commands::demo::run(args).await,
            Some(Command::Status(args)) => commands::status::run(&cli.global, args).await,
            Some(Command::Bump(args)) => commands::bump::run(&cli.global, args).await,
            Some(Command::Reload(args)) => commands::reload::run(&cli.global, args).await,
            Some(Command::Set(args)) => commands::set::run(&cli.global, args).await,
            Some(Command::Logs(args)) => commands::logs::run(&cli.global, args).await,
            Some(Command::Rollout(args)) => commands::rollout::run(&cli.global, args).await,
            Some(Command::Completion { shell }) => commands::completion::completion(shell),
            Some(Command::Man { command }) => commands::completion::man(command.as_deref()),
            None => tui::run(&cli.global).await,
        }
    });
    // Background tasks (watchers, the in-process demo) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(200));
    ExitCode::from(code)
}
