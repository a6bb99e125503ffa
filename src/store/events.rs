//! Reads of the event record, `agora_events`, which triggers fill in the same transaction as
//! every change (see the `events` migration for the order it keeps), and its pruning.

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, FromQueryResult, Statement};

/// An event's place in the record: events are read in this order, and every reader on every
/// instance sees them in the same one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Position {
    /// On PostgreSQL the writing transaction's id (raised after the row's previous event); on
    /// SQLite the event's id.
    pub order: i64,
    /// The event's id, which orders the events of one `order`.
    pub id: i64,
}

/// What happened to the row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// It was inserted.
    Created,
    /// It was changed.
    Updated,
    /// It was deleted.
    Deleted,
}

/// One changed row, as recorded.
#[derive(Clone, Debug)]
pub struct EventRow {
    /// Where it stands in the record.
    pub position: Position,
    /// When it was written (the database's clock).
    pub at: DateTime<Utc>,
    /// What happened.
    pub kind: Kind,
    /// The table of the row (`users`, ...).
    pub table: String,
    /// The row after the change (before it, for a delete), as JSON with the table's columns.
    pub row: String,
}

#[derive(FromQueryResult)]
struct Recorded {
    position: i64,
    id: i64,
    kind: String,
    table_name: String,
    row: String,
    created_at: String,
}

impl TryFrom<Recorded> for EventRow {
    type Error = DbErr;

    fn try_from(recorded: Recorded) -> Result<Self, DbErr> {
        let kind = match recorded.kind.as_str() {
            "CREATED" => Kind::Created,
            "UPDATED" => Kind::Updated,
            "DELETED" => Kind::Deleted,
            other => return Err(DbErr::Type(format!("unknown event kind {other}"))),
        };
        let at = DateTime::parse_from_rfc3339(&recorded.created_at)
            .map_err(|err| DbErr::Type(format!("event time: {err}")))?
            .with_timezone(&Utc);
        Ok(Self {
            position: Position {
                order: recorded.position,
                id: recorded.id,
            },
            at,
            kind,
            table: recorded.table_name,
            row: recorded.row,
        })
    }
}

/// Up to `limit` events after `after` and at most `until` (when given), in order.
///
/// On PostgreSQL only events below the oldest running transaction are read: every transaction
/// that could still add an event before them has ended, so what is read is final and the next
/// read goes on from its last event without a gap.
///
/// # Errors
/// When the database fails.
pub async fn read(
    db: &impl ConnectionTrait,
    after: Position,
    until: Option<Position>,
    limit: u64,
) -> Result<Vec<EventRow>, DbErr> {
    let backend = db.get_database_backend();
    let until = until.unwrap_or(Position {
        order: i64::MAX,
        id: i64::MAX,
    });
    let (sql, values) = match backend {
        DatabaseBackend::Postgres => (
            format!(
                "SELECT position, id, kind, table_name, row::text AS row, \
             to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"') \
             AS created_at FROM agora_events \
             WHERE (position, id) > ($1, $2) AND (position, id) <= ($3, $4) \
             AND position < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \
             ORDER BY position, id LIMIT {limit}"
            ),
            vec![after.order, after.id, until.order, until.id],
        ),
        _ => (
            format!(
                "SELECT id AS position, id, kind, table_name, row, created_at FROM agora_events \
             WHERE id > ? AND id <= ? ORDER BY id LIMIT {limit}"
            ),
            vec![after.id, until.id],
        ),
    };
    let statement =
        Statement::from_sql_and_values(backend, sql, values.into_iter().map(sea_orm::Value::from));
    Recorded::find_by_statement(statement)
        .all(db)
        .await?
        .into_iter()
        .map(EventRow::try_from)
        .collect()
}

/// The position of the last event that [`read`] would return now (the start when there is
/// none).
///
/// # Errors
/// When the database fails.
pub async fn last(db: &impl ConnectionTrait) -> Result<Position, DbErr> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DatabaseBackend::Postgres => {
            "SELECT position, id FROM agora_events \
             WHERE position < pg_snapshot_xmin(pg_current_snapshot())::text::bigint \
             ORDER BY position DESC, id DESC LIMIT 1"
        }
        _ => "SELECT id AS position, id FROM agora_events ORDER BY id DESC LIMIT 1",
    };
    #[derive(FromQueryResult)]
    struct Last {
        position: i64,
        id: i64,
    }
    let last = Last::find_by_statement(Statement::from_string(backend, sql))
        .one(db)
        .await?;
    Ok(last.map_or_else(Position::default, |last| Position {
        order: last.position,
        id: last.id,
    }))
}

/// The positions of up to `limit` events after `after` that have committed, in order, whether
/// or not [`read`] would return them yet (on PostgreSQL it waits for older transactions to
/// end; on SQLite it returns everything committed, so this is empty after a read).
///
/// # Errors
/// When the database fails.
pub async fn committed_after(
    db: &impl ConnectionTrait,
    after: Position,
    limit: u64,
) -> Result<Vec<Position>, DbErr> {
    let backend = db.get_database_backend();
    if backend != DatabaseBackend::Postgres {
        return Ok(Vec::new());
    }
    #[derive(FromQueryResult)]
    struct Committed {
        position: i64,
        id: i64,
    }
    let statement = Statement::from_sql_and_values(
        backend,
        format!(
            "SELECT position, id FROM agora_events WHERE (position, id) > ($1, $2) \
             ORDER BY position, id LIMIT {limit}"
        ),
        [after.order.into(), after.id.into()],
    );
    Ok(Committed::find_by_statement(statement)
        .all(db)
        .await?
        .into_iter()
        .map(|row| Position {
            order: row.position,
            id: row.id,
        })
        .collect())
}

/// Deletes the events written before `before`; returns how many.
///
/// # Errors
/// When the database fails.
pub async fn prune(db: &impl ConnectionTrait, before: DateTime<Utc>) -> Result<u64, DbErr> {
    let backend = db.get_database_backend();
    let (sql, before): (&str, sea_orm::Value) = match backend {
        DatabaseBackend::Postgres => (
            "DELETE FROM agora_events WHERE created_at < $1",
            before.into(),
        ),
        _ => (
            "DELETE FROM agora_events WHERE created_at < ?",
            before.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string().into(),
        ),
    };
    let result = db
        .execute_raw(Statement::from_sql_and_values(backend, sql, [before]))
        .await?;
    Ok(result.rows_affected())
}

/// Wakes the readers of other instances (PostgreSQL `NOTIFY` on the events channel, without a
/// payload: it says only "read again").
///
/// # Errors
/// When the database fails.
pub async fn notify(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    if db.get_database_backend() == DatabaseBackend::Postgres {
        db.execute_unprepared(&format!("NOTIFY {CHANNEL}")).await?;
    }
    Ok(())
}

/// The PostgreSQL channel instances wake each other on.
pub const CHANNEL: &str = "agora_events";
