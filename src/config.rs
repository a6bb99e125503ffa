//! The command line and its settings, read from flags, the environment and `.env`.

use std::net::IpAddr;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::db::PoolSettings;

/// agora: a typed, validated GraphQL API over users, posts, categories and products.
#[derive(Debug, Parser)]
#[command(name = "agora", version, about)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings shared by every sub-command.
    #[command(flatten)]
    pub config: Config,
}

/// agora's sub-commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the GraphQL API (the default).
    Serve,
    /// Print the GraphQL schema (SDL) that the server serves; `schema.graphql` is its output.
    Schema,
    /// Fill the database with realistic, deterministic data (for trying agora out and for
    /// benchmarks); refuses a database that has rows unless `--append`.
    Seed(crate::seed::SeedPlan),
    /// Check that the database answers and its migrations are current: exit code 0 when
    /// they are, 1 when the database cannot be reached, 2 when migrations are pending.
    Check,
    /// Manage the database schema.
    Migrate {
        /// What to do with the migrations.
        #[arg(value_enum)]
        action: MigrateAction,
    },
}

/// What `agora migrate` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MigrateAction {
    /// Apply every pending migration.
    Up,
    /// Revert the last applied migration.
    Down,
    /// List every migration and whether it is applied.
    Status,
    /// Drop every table, then apply every migration (destroys all data).
    Fresh,
}

/// Settings shared by every sub-command.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Database to use: `sqlite://FILE?mode=rwc` or `postgres://USER:PASS@HOST/DB`.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://app.db?mode=rwc",
        hide_env_values = true,
        global = true
    )]
    pub database_url: String,
    /// Most database connections in the pool (default: two per CPU core, 2 to 8, on SQLite; 10 on PostgreSQL).
    #[arg(long, env = "DATABASE_MAX_CONNECTIONS", global = true)]
    pub database_max_connections: Option<u32>,
    /// How long a request waits for a free database connection, in seconds.
    #[arg(
        long,
        env = "DATABASE_ACQUIRE_TIMEOUT_SECS",
        default_value_t = crate::db::DEFAULT_ACQUIRE_TIMEOUT_SECS,
        global = true
    )]
    pub database_acquire_timeout_secs: u64,
    /// How logs are written: `pretty` for people, `json` for log collectors.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t, global = true)]
    pub log_format: crate::telemetry::LogFormat,
    /// SQLite durability: `full` (a commit is on disk before it is acknowledged, survives a
    /// power cut) or `normal` (survives a crash of the process only; much faster writes).
    #[arg(
        long,
        env = "SQLITE_DURABILITY",
        value_enum,
        default_value_t,
        global = true
    )]
    pub sqlite_durability: crate::db::SqliteDurability,
    /// Most mutations that share one SQLite commit (and fsync); each is still answered only
    /// after it. 1: every mutation commits alone.
    #[arg(
        long,
        env = "SQLITE_GROUP_COMMIT",
        default_value_t = crate::db::DEFAULT_SQLITE_GROUP_COMMIT,
        global = true
    )]
    pub sqlite_group_commit: usize,
    /// SQLite's page cache per pooled connection, in KiB (SQLite's own default is 2,000).
    /// Pages beyond it are read again from the operating system's file cache.
    #[arg(
        long,
        env = "SQLITE_CACHE_KIB",
        default_value_t = crate::db::DEFAULT_SQLITE_CACHE_KIB,
        value_parser = clap::value_parser!(u32).range(64..=1_048_576),
        global = true
    )]
    pub sqlite_cache_kib: u32,
    /// Whether short SQLite reads run in place, on the request's own thread (`false`: every
    /// read goes to a pooled connection's thread, as writes do).
    #[arg(
        long,
        env = "SQLITE_INLINE_READS",
        default_value_t = true,
        action = clap::ArgAction::Set,
        global = true
    )]
    pub sqlite_inline_reads: bool,
    /// Address to listen on.
    #[arg(long, env = "HOST", default_value = "127.0.0.1", global = true)]
    pub host: IpAddr,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PORT", default_value_t = 8000, global = true)]
    pub port: u16,
    /// When set, every mutation needs `Authorization: Bearer <this secret>`; queries stay open.
    #[arg(
        long,
        env = "AGORA_ADMIN_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub admin_secret: Option<String>,
    /// Browser origins allowed to call the API (comma-separated, e.g.
    /// `https://app.example.com`); none by default.
    #[arg(
        long,
        env = "CORS_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_allowed_origins: Vec<String>,
    /// Longest time one GraphQL request may run, in seconds.
    #[arg(
        long,
        env = "REQUEST_TIMEOUT_SECS",
        default_value_t = crate::http::DEFAULT_REQUEST_TIMEOUT_SECS,
        global = true
    )]
    pub request_timeout_secs: u64,
    /// Most GraphQL requests served at once; beyond that, requests get 503 at once (`/health`
    /// is not counted).
    #[arg(
        long,
        env = "MAX_CONCURRENT_REQUESTS",
        default_value_t = crate::http::DEFAULT_MAX_CONCURRENT_REQUESTS,
        global = true
    )]
    pub max_concurrent_requests: usize,
    /// How long a client may take to send a request's headers, in seconds.
    #[arg(
        long,
        env = "HEADER_READ_TIMEOUT_SECS",
        default_value_t = crate::server::DEFAULT_HEADER_READ_TIMEOUT_SECS,
        global = true
    )]
    pub header_read_timeout_secs: u64,
    /// On Ctrl-C or SIGTERM, how long in-flight requests may take to finish before the server
    /// closes what is left and exits, in seconds.
    #[arg(
        long,
        env = "SHUTDOWN_GRACE_SECS",
        default_value_t = crate::server::DEFAULT_SHUTDOWN_GRACE_SECS,
        global = true
    )]
    pub shutdown_grace_secs: u64,
    /// Limits on every GraphQL document.
    #[command(flatten)]
    pub limits: crate::limits::Limits,
    /// How live data (subscriptions) runs.
    #[command(flatten)]
    pub live: crate::live::LiveSettings,
}

impl From<&Config> for PoolSettings {
    fn from(config: &Config) -> Self {
        Self {
            max_connections: config.database_max_connections,
            acquire_timeout: std::time::Duration::from_secs(config.database_acquire_timeout_secs),
            sqlite_durability: config.sqlite_durability,
            sqlite_group_commit: config.sqlite_group_commit,
            sqlite_cache_kib: config.sqlite_cache_kib,
            sqlite_inline_reads: config.sqlite_inline_reads,
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser as _;

    use super::*;
    use crate::http::HttpSettings;

    /// Every setting the command line can change, by its environment variable.
    fn settings_set_in_the_environment() -> Vec<String> {
        use clap::CommandFactory as _;
        Cli::command()
            .get_arguments()
            .filter_map(|arg| arg.get_env())
            .filter(|name| std::env::var_os(name).is_some())
            .map(|name| name.to_string_lossy().into_owned())
            .collect()
    }

    #[test]
    fn no_flags_give_exactly_the_default_settings() {
        let set = settings_set_in_the_environment();
        assert!(set.is_empty(), "unset these to run this test: {set:?}");
        let cli = Cli::try_parse_from(["agora"]).expect("no flags parse");
        assert_eq!(HttpSettings::from(&cli.config), HttpSettings::default());
        assert_eq!(PoolSettings::from(&cli.config), PoolSettings::default());
        assert_eq!(cli.config.limits, crate::limits::Limits::DEFAULT);
        assert_eq!(cli.config.live, crate::live::LiveSettings::DEFAULT);
        let setup = crate::application::Setup::from(&cli.config);
        assert_eq!(setup.timeouts, crate::server::ServerTimeouts::default());
    }
}
