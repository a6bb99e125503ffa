//! The `agora` binary: reads the configuration, sets up logging and runs a sub-command.

use std::io::IsTerminal as _;

use agora::config::{Cli, Command};
use clap::Parser as _;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // A missing .env is normal; the environment and flags still apply.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();

    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => agora::serve(&cli.config).await,
        Command::Schema => {
            print!("{}", agora::sdl());
            Ok(())
        }
        Command::Migrate { action } => agora::migrate(&cli.config, action).await,
        Command::Seed(plan) => agora::seed(&cli.config, &plan).await,
    }
}
