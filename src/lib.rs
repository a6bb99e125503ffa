//! agora: a typed, validated GraphQL API server over users, posts, categories and products,
//! on SQLite or PostgreSQL.
//!
//! A request travels `http` (transport rules; what it refuses is an `http::Rejection`) →
//! `graphql` (resolvers: inputs become validated `domain` values, `where` and `orderBy` become
//! sea-query conditions and sort keys, built with `store::condition`) → `store` (the only
//! module that runs SQL; constraint violations become client errors there) → `entity` (the tables). `domain`
//! is plain Rust, knowing neither GraphQL nor the database. Errors travel back as one
//! `error::AppError`. `application` builds and serves the whole, for `main` and tests alike.
//! `ARCHITECTURE.md` walks a request through these layers.

/// Building and serving the whole application, for `main` and for tests.
pub mod application;
/// The command line and settings.
pub mod config;
/// Connecting to and migrating the database.
pub mod db;
/// Parsed documents, cached by their text.
pub mod documents;
/// Validated inputs (SPEC section 2).
pub mod domain;
/// SeaORM models of the tables.
pub mod entity;
/// The error type and its GraphQL codes.
pub mod error;
/// The GraphQL schema, resolvers and DataLoaders.
pub mod graphql;
/// The HTTP router.
pub mod http;
/// Every limit on a GraphQL document, under the name of its setting.
pub mod limits;
/// Live data: the event record's reader and fan-out, for subscriptions.
pub mod live;
/// Automatic persisted queries (APQ).
pub mod persisted;
/// The GraphiQL playground, embedded in the binary (works offline).
pub mod playground;
/// The `seed` command: realistic, deterministic data in bulk.
pub mod seed;
/// The HTTP server loop and its connection timeouts.
pub mod server;
/// Database access per table.
pub mod store;
/// Logs, request spans and Prometheus metrics.
pub mod telemetry;

pub use config::Config;
pub use graphql::{AgoraSchema, build_schema, sdl};
pub use http::{AppState, HttpSettings, app};

use anyhow::Context as _;

/// Connects, migrates and serves until Ctrl-C or SIGTERM, then drains in-flight requests.
///
/// # Errors
/// When the database cannot be opened or migrated, or the address cannot be bound.
pub async fn serve(config: &Config) -> anyhow::Result<()> {
    let application = application::Application::build(config.into()).await?;
    let shutdown = shutdown_signal();
    application.serve_until(shutdown).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM. The handlers are installed now, before the server says it
/// listens, so a signal that follows that line at once is a clean shutdown, never a kill.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let signals = {
        use tokio::signal::unix::{SignalKind, signal};
        (
            signal(SignalKind::interrupt()),
            signal(SignalKind::terminate()),
        )
    };
    async move {
        #[cfg(unix)]
        match signals {
            (Ok(mut interrupt), Ok(mut terminate)) => {
                tokio::select! {
                    _ = interrupt.recv() => {},
                    _ = terminate.recv() => {},
                }
            }
            (Err(err), _) | (_, Err(err)) => {
                tracing::error!(error = %err, "cannot listen for Ctrl-C and SIGTERM");
                std::future::pending::<()>().await;
            }
        }
        #[cfg(not(unix))]
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!(error = %err, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
        tracing::info!("shutting down: finishing in-flight requests");
    }
}

/// Runs a `migrate` action against the configured database.
///
/// # Errors
/// When the database cannot be opened or the action fails.
pub async fn migrate(config: &Config, action: config::MigrateAction) -> anyhow::Result<()> {
    use config::MigrateAction;
    use migration::{Migrator, MigratorTrait};

    let db = db::connect_for_migrations(&config.database_url)
        .await
        .context("cannot open the database (check DATABASE_URL)")?;
    match action {
        MigrateAction::Up => Migrator::up(&db, None).await?,
        MigrateAction::Down => Migrator::down(&db, Some(1)).await?,
        MigrateAction::Fresh => Migrator::fresh(&db).await?,
        MigrateAction::Status => {
            for migration in Migrator::get_migration_with_status(&db).await? {
                println!("{}\t{}", migration.status(), migration.name());
            }
        }
    }
    db.close().await?;
    Ok(())
}

/// Migrates the configured database, then fills it as `plan` says.
///
/// # Errors
/// When the database cannot be opened or migrated, or seeding fails.
pub async fn seed(config: &Config, plan: &seed::SeedPlan) -> anyhow::Result<()> {
    let db = db::connect_with(&config.database_url, &config.into())
        .await
        .context("cannot open the database (check DATABASE_URL)")?;
    db::migrate(&config.database_url)
        .await
        .context("cannot apply the database migrations")?;
    let report = seed::seed(&db, plan).await?;
    tracing::info!(
        users = report.users,
        posts = report.posts,
        categories = report.categories,
        products = report.products,
        elapsed = ?report.elapsed,
        "seeded"
    );
    db.close().await?;
    Ok(())
}

/// Exit code of `agora check` when migrations are pending.
const PENDING_MIGRATIONS: u8 = 2;

/// Checks that the configured database answers and has every migration applied, and says so.
///
/// # Errors
/// When the database cannot be reached or read (exit code 1).
pub async fn check(config: &Config) -> anyhow::Result<std::process::ExitCode> {
    use migration::{Migrator, MigratorTrait};

    let where_ = telemetry::describe_database(&config.database_url);
    let db = db::connect_with(&config.database_url, &config.into())
        .await
        .with_context(|| format!("cannot reach the database ({where_})"))?;
    store::ping(&db)
        .await
        .with_context(|| format!("the database does not answer ({where_})"))?;
    let pending = Migrator::get_pending_migrations(&db)
        .await
        .context("cannot read the applied migrations")?;
    db.close().await?;
    if pending.is_empty() {
        println!("ok: {where_} answers and its migrations are current");
        Ok(std::process::ExitCode::SUCCESS)
    } else {
        let names: Vec<&str> = pending.iter().map(|m| m.name()).collect();
        println!(
            "{where_} answers, but {} migration(s) are pending: {}",
            names.len(),
            names.join(", ")
        );
        println!("apply them with `agora migrate up` (or start the server, which applies them)");
        Ok(std::process::ExitCode::from(PENDING_MIGRATIONS))
    }
}
