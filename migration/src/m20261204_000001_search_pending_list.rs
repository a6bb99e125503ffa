//! PostgreSQL: the trigram indexes of `searchUsers` keep a short pending list. A GIN index
//! queues new entries (`fastupdate`) until a vacuum or a full list (4 MB by default) merges
//! them, and every search reads the whole queue: after 20,000 sign-ups a search was 9 times
//! slower until autovacuum came. At 64 kB the queue is merged often and stays cheap to read,
//! and inserts keep the batching (measured: no loss on W3).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [&str; 2] = ["users_name_folded_trgm", "users_city_folded_trgm"];

async fn set(manager: &SchemaManager<'_>, option: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DatabaseBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for index in INDEXES {
        db.execute_unprepared(&format!("ALTER INDEX {index} {option}"))
            .await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set(manager, "SET (gin_pending_list_limit = 64)").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        set(manager, "RESET (gin_pending_list_limit)").await
    }
}
