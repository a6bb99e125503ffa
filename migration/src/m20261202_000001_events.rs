//! The event record of live data (SPEC section 8): `agora_events`, one row per changed row,
//! written by triggers in the same transaction as the change (so cascades and every future write
//! path are recorded too, and a rolled-back change leaves nothing), with the order readers
//! follow.
//!
//! Order: on SQLite writers are serialised, so `id` order is commit order. On PostgreSQL `id`
//! is not (a later id can commit first); each event gets a `position`: its transaction's id,
//! raised to the position of the row's previous event when that is higher (a transaction that
//! began earlier but wrote the row after a later one committed comes after it). Readers take
//! only events below the oldest running transaction (`pg_snapshot_xmin`), where nothing can
//! appear any more, in `(position, id)` order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DatabaseBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The recorded tables and their columns (as the triggers copy them into `row`), with the
/// boolean ones marked: SQLite stores those as 0/1 and the JSON must say true/false.
pub(crate) const TABLES: &[(&str, &[(&str, bool)])] = &[
    (
        "users",
        &[
            ("id", false),
            ("name", false),
            ("name_folded", false),
            ("email", false),
            ("age", false),
            ("city", false),
            ("city_folded", false),
            ("is_active", true),
            ("created_at", false),
        ],
    ),
    (
        "posts",
        &[
            ("id", false),
            ("title", false),
            ("title_folded", false),
            ("content", false),
            ("content_folded", false),
            ("published", true),
            ("created_at", false),
            ("author_id", false),
        ],
    ),
    (
        "categories",
        &[("id", false), ("name", false), ("name_folded", false)],
    ),
    (
        "products",
        &[
            ("id", false),
            ("name", false),
            ("name_folded", false),
            ("price", false),
            ("stock", false),
            ("category_id", false),
        ],
    ),
];

const POSTGRES_TABLE: &[&str] = &[
    "CREATE TABLE agora_events (\
     id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, \
     position bigint NOT NULL, \
     kind text NOT NULL, \
     table_name text NOT NULL, \
     row_id integer NOT NULL, \
     row jsonb NOT NULL, \
     created_at timestamptz NOT NULL DEFAULT clock_timestamp())",
    "CREATE INDEX agora_events_order ON agora_events (position, id)",
    "CREATE INDEX agora_events_row ON agora_events (table_name, row_id, position)",
    "CREATE INDEX agora_events_time ON agora_events (created_at)",
    "CREATE FUNCTION agora_record_event() RETURNS trigger LANGUAGE plpgsql AS $$
     DECLARE
       changed record;
       at bigint := pg_current_xact_id()::text::bigint;
     BEGIN
       IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
       IF TG_OP <> 'INSERT' THEN
         SELECT greatest(at, max(position)) INTO at FROM agora_events
          WHERE table_name = TG_TABLE_NAME AND row_id = changed.id;
       END IF;
       INSERT INTO agora_events (position, kind, table_name, row_id, row)
       VALUES (at,
               CASE TG_OP WHEN 'INSERT' THEN 'CREATED' WHEN 'UPDATE' THEN 'UPDATED'
                          ELSE 'DELETED' END,
               TG_TABLE_NAME, changed.id, to_jsonb(changed));
       RETURN NULL;
     END $$",
];

const SQLITE_TABLE: &str = "CREATE TABLE agora_events (\
     id INTEGER PRIMARY KEY AUTOINCREMENT, \
     kind TEXT NOT NULL, \
     table_name TEXT NOT NULL, \
     row_id INTEGER NOT NULL, \
     row TEXT NOT NULL, \
     created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))";

/// The three triggers of `table` on PostgreSQL; an update that changes nothing is no event.
fn postgres_triggers(table: &str) -> Vec<String> {
    let on = |name: &str, event: &str, when: &str| {
        format!(
            "CREATE TRIGGER {table}_{name} AFTER {event} ON {table} FOR EACH ROW {when} \
             EXECUTE FUNCTION agora_record_event()"
        )
    };
    vec![
        on("created", "INSERT", ""),
        on("updated", "UPDATE", "WHEN (OLD.* IS DISTINCT FROM NEW.*)"),
        on("deleted", "DELETE", ""),
    ]
}

/// The three triggers of `table` on SQLite, each writing the row (`NEW` or `OLD`) as JSON.
pub(crate) fn sqlite_triggers(table: &str, columns: &[(&str, bool)]) -> Vec<String> {
    let json = |row: &str| {
        let fields: Vec<String> = columns
            .iter()
            .map(|&(column, boolean)| {
                if boolean {
                    format!(
                        "'{column}', json(CASE WHEN {row}.{column} THEN 'true' ELSE 'false' END)"
                    )
                } else {
                    format!("'{column}', {row}.{column}")
                }
            })
            .collect();
        format!("json_object({})", fields.join(", "))
    };
    let on = |name: &str, event: &str, when: &str, kind: &str, row: &str| {
        format!(
            "CREATE TRIGGER {table}_{name} AFTER {event} ON {table} {when} BEGIN \
             INSERT INTO agora_events (kind, table_name, row_id, row) \
             VALUES ('{kind}', '{table}', {row}.id, {}); END",
            json(row)
        )
    };
    let changed: Vec<String> = columns
        .iter()
        .map(|(column, _)| format!("OLD.{column} IS NOT NEW.{column}"))
        .collect();
    vec![
        on("created", "INSERT", "", "CREATED", "NEW"),
        on(
            "updated",
            "UPDATE",
            &format!("WHEN {}", changed.join(" OR ")),
            "UPDATED",
            "NEW",
        ),
        on("deleted", "DELETE", "", "DELETED", "OLD"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut statements: Vec<String> = Vec::new();
        match manager.get_database_backend() {
            DatabaseBackend::Postgres => {
                statements.extend(POSTGRES_TABLE.iter().map(|s| (*s).to_owned()));
                for (table, _) in TABLES {
                    statements.extend(postgres_triggers(table));
                }
            }
            DatabaseBackend::Sqlite => {
                statements.push(SQLITE_TABLE.to_owned());
                statements
                    .push("CREATE INDEX agora_events_time ON agora_events (created_at)".into());
                for (table, columns) in TABLES {
                    statements.extend(sqlite_triggers(table, columns));
                }
            }
            _ => {}
        }
        let db = manager.get_connection();
        for statement in statements {
            db.execute_unprepared(&statement).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        let db = manager.get_connection();
        for (table, _) in TABLES {
            for name in ["created", "updated", "deleted"] {
                let drop = match backend {
                    DatabaseBackend::Postgres => {
                        format!("DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
                    }
                    _ => format!("DROP TRIGGER IF EXISTS {table}_{name}"),
                };
                db.execute_unprepared(&drop).await?;
            }
        }
        if backend == DatabaseBackend::Postgres {
            db.execute_unprepared("DROP FUNCTION IF EXISTS agora_record_event()")
                .await?;
        }
        db.execute_unprepared("DROP TABLE IF EXISTS agora_events")
            .await?;
        Ok(())
    }
}
