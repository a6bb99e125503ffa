//! The migration CLI (`up`, `down`, `status`, `fresh`, ...), on the same `DATABASE_URL` as agora.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::Database;

/// agora's default database when `DATABASE_URL` is not set: `app.db` in the working directory.
const DEFAULT_DATABASE_URL: &str = "sqlite://app.db?mode=rwc";

#[tokio::main]
async fn main() {
    cli::run_cli_with_custom_connection(migration::Migrator, async || {
        let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| DEFAULT_DATABASE_URL.to_owned());
        Database::connect(url).await
    })
    .await;
}
