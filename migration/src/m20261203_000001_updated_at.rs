//! `updated_at` on the four tables (SPEC section 7): when the row last changed, set by agora
//! on every write (`store::stamp`). Existing users and posts get their `created_at`, existing
//! categories and products (which have no `created_at`) the time of the migration; filling it
//! in is no change, so it records no event. An index on each serves "what changed since".
//!
//! SQLite cannot add a column whose default is the clock, so its default is a constant and
//! agora's inserts set the column themselves; its event triggers list the columns, so they are
//! recreated with the new one (PostgreSQL's copy the whole row and need nothing).

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

use crate::m20261202_000001_events::{TABLES as COLUMNS_BEFORE, sqlite_triggers};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The tables, and whether they have a `created_at` for their existing rows.
const TABLES: &[(&str, bool)] = &[
    ("users", true),
    ("posts", true),
    ("categories", false),
    ("products", false),
];

/// The trigger names of the events migration.
const TRIGGERS: [&str; 3] = ["created", "updated", "deleted"];

fn postgres_up(table: &str, has_created_at: bool) -> Vec<String> {
    let mut statements = vec![format!(
        "ALTER TABLE {table} ADD COLUMN updated_at timestamptz NOT NULL \
         DEFAULT date_trunc('milliseconds', CURRENT_TIMESTAMP)"
    )];
    if has_created_at {
        statements.extend([
            format!("ALTER TABLE {table} DISABLE TRIGGER {table}_updated"),
            format!("UPDATE {table} SET updated_at = created_at"),
            format!("ALTER TABLE {table} ENABLE TRIGGER {table}_updated"),
        ]);
    }
    statements.push(format!(
        "CREATE INDEX idx_{table}_updated_at ON {table} (updated_at)"
    ));
    statements
}

fn sqlite_up(table: &str, has_created_at: bool) -> Vec<String> {
    let mut statements: Vec<String> = TRIGGERS
        .iter()
        .map(|name| format!("DROP TRIGGER IF EXISTS {table}_{name}"))
        .collect();
    let fill = if has_created_at {
        "created_at"
    } else {
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
    };
    statements.extend([
        format!(
            "ALTER TABLE {table} ADD COLUMN updated_at timestamp_with_timezone_text NOT NULL \
             DEFAULT '1970-01-01T00:00:00.000Z'"
        ),
        format!("UPDATE {table} SET updated_at = {fill}"),
        format!("CREATE INDEX idx_{table}_updated_at ON {table} (updated_at)"),
    ]);
    let mut columns: Vec<(&str, bool)> = columns_before(table).to_vec();
    columns.push(("updated_at", false));
    statements.extend(sqlite_triggers(table, &columns));
    statements
}

fn columns_before(table: &str) -> &'static [(&'static str, bool)] {
    COLUMNS_BEFORE
        .iter()
        .find(|(name, _)| *name == table)
        .map_or(&[], |(_, columns)| columns)
}

fn down(backend: DatabaseBackend, table: &str) -> Vec<String> {
    let mut statements = Vec::new();
    if backend == DatabaseBackend::Sqlite {
        statements.extend(
            TRIGGERS
                .iter()
                .map(|name| format!("DROP TRIGGER IF EXISTS {table}_{name}")),
        );
    }
    statements.extend([
        format!("DROP INDEX IF EXISTS idx_{table}_updated_at"),
        format!("ALTER TABLE {table} DROP COLUMN updated_at"),
    ]);
    if backend == DatabaseBackend::Sqlite {
        statements.extend(sqlite_triggers(table, columns_before(table)));
    }
    statements
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        for &(table, has_created_at) in TABLES {
            let statements = match backend {
                DatabaseBackend::Postgres => postgres_up(table, has_created_at),
                _ => sqlite_up(table, has_created_at),
            };
            for statement in statements {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        for &(table, _) in TABLES {
            for statement in down(backend, table) {
                db.execute_unprepared(&statement).await?;
            }
        }
        Ok(())
    }
}
