//! The `agora` binary: reads the configuration, sets up logging and runs a sub-command.

use std::process::ExitCode;

use agora::config::{Cli, Command};
use clap::Parser as _;

/// mimalloc instead of the system allocator: a GraphQL response is many small, short-lived
/// allocations, where glibc's allocator showed up high in profiles (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // A missing .env is normal; the environment and flags still apply.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    agora::telemetry::init_logging(cli.config.log_format);

    let done = |result: anyhow::Result<()>| result.map(|()| ExitCode::SUCCESS);
    let outcome = match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => done(agora::serve(&cli.config).await),
        Command::Schema => {
            print!("{}", agora::sdl());
            Ok(ExitCode::SUCCESS)
        }
        Command::Migrate { action } => done(agora::migrate(&cli.config, action).await),
        Command::Seed(plan) => done(agora::seed(&cli.config, &plan).await),
        Command::Check => agora::check(&cli.config).await,
    };
    outcome.unwrap_or_else(|err| {
        eprintln!("error: {err:#}");
        ExitCode::FAILURE
    })
}
