//! Indexes that serve `searchUsers` (a substring of the folded name or city) on large tables:
//! trigram GIN indexes on PostgreSQL, an FTS5 trigram table kept in sync by triggers on SQLite.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// PostgreSQL: `pg_trgm` (a trusted extension: the database's owner may create it) and one
/// GIN index per searched column, which `LIKE '%…%'` uses.
const POSTGRES_UP: &[&str] = &[
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX users_name_folded_trgm ON users USING gin (name_folded gin_trgm_ops)",
    "CREATE INDEX users_city_folded_trgm ON users USING gin (city_folded gin_trgm_ops)",
];
const POSTGRES_DOWN: &[&str] = &[
    "DROP INDEX IF EXISTS users_city_folded_trgm",
    "DROP INDEX IF EXISTS users_name_folded_trgm",
];

/// SQLite: an external-content FTS5 table over the folded columns (its rowid is the user's
/// id), tokenized in trigrams (already folded, so case-sensitive), and the triggers that keep
/// it equal to `users` in the same transaction as every write.
const SQLITE_UP: &[&str] = &[
    "CREATE VIRTUAL TABLE users_search USING fts5(name_folded, city_folded, \
     content='users', content_rowid='id', tokenize='trigram case_sensitive 1')",
    "CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN \
     INSERT INTO users_search(rowid, name_folded, city_folded) \
     VALUES (new.id, new.name_folded, new.city_folded); END",
    "CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN \
     INSERT INTO users_search(users_search, rowid, name_folded, city_folded) \
     VALUES ('delete', old.id, old.name_folded, old.city_folded); END",
    "CREATE TRIGGER users_search_update AFTER UPDATE OF name_folded, city_folded ON users BEGIN \
     INSERT INTO users_search(users_search, rowid, name_folded, city_folded) \
     VALUES ('delete', old.id, old.name_folded, old.city_folded); \
     INSERT INTO users_search(rowid, name_folded, city_folded) \
     VALUES (new.id, new.name_folded, new.city_folded); END",
    "INSERT INTO users_search(users_search) VALUES ('rebuild')",
];
const SQLITE_DOWN: &[&str] = &[
    "DROP TRIGGER IF EXISTS users_search_update",
    "DROP TRIGGER IF EXISTS users_search_delete",
    "DROP TRIGGER IF EXISTS users_search_insert",
    "DROP TABLE IF EXISTS users_search",
];

async fn run(manager: &SchemaManager<'_>, postgres: &[&str], sqlite: &[&str]) -> Result<(), DbErr> {
    let statements = match manager.get_database_backend() {
        DatabaseBackend::Postgres => postgres,
        DatabaseBackend::Sqlite => sqlite,
        _ => &[],
    };
    let db = manager.get_connection();
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, POSTGRES_UP, SQLITE_UP).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, POSTGRES_DOWN, SQLITE_DOWN).await
    }
}
