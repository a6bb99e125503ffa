//! Short SQLite reads run in place: on the request's own thread, through rusqlite, reading each
//! column where SQLite keeps it, instead of a round trip to a sqlx connection's thread and a
//! copy of every value.
//!
//! A read that would take long (more than [`DEFAULT_BUDGET`] progress calls of
//! [`OPS_PER_CALL`] SQLite instructions each, under a millisecond on a cached file) is
//! interrupted and handed back, and so is any read this path cannot do exactly as sqlx would
//! (a value it does not bind, a busy database, no free connection): the caller then runs it on
//! the pool as before. A read that is handed back changes nothing, so running it again is safe.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, OpenFlags};
use sea_orm::{DatabaseConnection, DbBackend, Statement, Value};

use crate::application::StatementObserver;

/// SQLite instructions between two calls of the progress handler.
pub const OPS_PER_CALL: i32 = 1_000;
/// Progress calls a read may take before it is interrupted and handed back to the pool.
pub const DEFAULT_BUDGET: u32 = 200;
/// Prepared statements kept per connection (SQLite compiles each distinct text once).
const STATEMENT_CACHE: usize = 64;

/// The inline readers of one SQLite file.
pub struct InlineReads {
    path: PathBuf,
    cache_kib: u32,
    budget: u32,
    most_open: usize,
    open: AtomicUsize,
    idle: Mutex<Vec<Reader>>,
    on_statement: StatementObserver,
}

impl std::fmt::Debug for InlineReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineReads")
            .field("path", &self.path)
            .field("open", &self.open.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// One read-only connection and the budget its progress handler counts down.
struct Reader {
    connection: Connection,
    budget_left: Arc<AtomicU32>,
}

impl InlineReads {
    /// Inline readers beside `db`'s pool (opened on `url`), when `db` is a SQLite file (an
    /// in-memory database is private to the pool's connections): at most one per CPU core, since a read in place
    /// holds its thread; each tells `on_statement` of every statement it runs.
    pub fn beside(
        db: &DatabaseConnection,
        url: &str,
        cache_kib: u32,
        on_statement: StatementObserver,
    ) -> Option<Self> {
        if db.get_database_backend() != DbBackend::Sqlite {
            return None;
        }
        // An in-memory database (whatever file it is named after), or a file opened through
        // another VFS or as immutable, is not what a plain open of the path would read.
        let parameters = url.split_once('?').map_or("", |(_, parameters)| parameters);
        let plain_file = parameters.split('&').all(|pair| {
            match pair.split_once('=').map_or(pair, |(key, _)| key) {
                "mode" => pair != "mode=memory",
                "vfs" | "immutable" => false,
                _ => true,
            }
        });
        let options = db.get_sqlite_connection_pool().connect_options();
        let path = options.get_filename().to_path_buf();
        let name = path.to_string_lossy();
        if !plain_file
            || name.is_empty()
            || name.starts_with(":memory:")
            || name.starts_with("file:")
        {
            return None;
        }
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Some(Self {
            path,
            cache_kib,
            budget: DEFAULT_BUDGET,
            most_open: cores,
            open: AtomicUsize::new(0),
            idle: Mutex::new(Vec::new()),
            on_statement,
        })
    }

    /// The same readers with another budget per read (tests make it tiny).
    #[must_use]
    pub fn with_budget(mut self, budget: u32) -> Self {
        self.budget = budget;
        self
    }

    /// The rows `statement` reads, each decoded by `decode`; `None` when the read is handed
    /// back to the pool (see the module's documentation).
    pub fn read<T>(
        &self,
        statement: &Statement,
        decode: impl Fn(&rusqlite::Row<'_>) -> Result<T, sea_orm::DbErr>,
    ) -> Option<Vec<T>> {
        let Some(bound) = bind_all(statement) else {
            tracing::debug!(sql = %statement.sql, "inline read handed back: a value sqlx binds");
            return None;
        };
        let reader = self.take()?;
        reader.budget_left.store(self.budget, Ordering::Relaxed);
        match run(&reader.connection, &statement.sql, &bound, decode) {
            Ok(rows) => {
                self.put(reader);
                (self.on_statement)();
                Some(rows)
            }
            Err(err) => {
                // A read-only connection is left as it was by a failed read.
                self.put(reader);
                tracing::debug!(error = %err, "inline read handed back to the pool");
                None
            }
        }
    }

    /// An idle reader, or a new one while fewer than the most are open.
    fn take(&self) -> Option<Reader> {
        if let Some(reader) = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
        {
            return Some(reader);
        }
        if self.open.fetch_add(1, Ordering::Relaxed) >= self.most_open {
            self.open.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        match self.connect() {
            Ok(reader) => Some(reader),
            Err(err) => {
                self.open.fetch_sub(1, Ordering::Relaxed);
                tracing::warn!(error = %err, "cannot open an inline SQLite reader");
                None
            }
        }
    }

    /// Closes the idle readers (at shutdown: the last connection to close a WAL database
    /// checkpoints it and removes its `-wal` and `-shm` files, and a reader would keep them).
    pub fn close(&self) {
        let closed = std::mem::take(&mut *self.idle.lock().unwrap_or_else(PoisonError::into_inner));
        self.open.fetch_sub(closed.len(), Ordering::Relaxed);
    }

    fn put(&self, reader: Reader) {
        self.idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(reader);
    }

    fn connect(&self) -> rusqlite::Result<Reader> {
        let connection = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // rusqlite waits 5 s for a busy database by default: here that would hold a runtime
        // thread; a busy read is handed back to the pool instead.
        connection.busy_timeout(std::time::Duration::ZERO)?;
        // A negative `cache_size` is a size in KiB rather than in pages.
        connection.pragma_update(None, "cache_size", -i64::from(self.cache_kib))?;
        connection.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let budget_left = Arc::new(AtomicU32::new(0));
        let left = budget_left.clone();
        connection.progress_handler(
            OPS_PER_CALL,
            Some(move || {
                // `true` interrupts the statement.
                left.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1))
                    .is_err()
            }),
        )?;
        Ok(Reader {
            connection,
            budget_left,
        })
    }
}

/// Why a read was handed back: SQLite's refusal (interrupted, busy, …) or a value that does
/// not decode here.
#[derive(Debug, thiserror::Error)]
enum Handback {
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error(transparent)]
    Decode(#[from] sea_orm::DbErr),
}

fn run<T>(
    connection: &Connection,
    sql: &str,
    bound: &[ToSqlOutput<'_>],
    decode: impl Fn(&rusqlite::Row<'_>) -> Result<T, sea_orm::DbErr>,
) -> Result<Vec<T>, Handback> {
    let mut prepared = connection.prepare_cached(sql)?;
    for (index, value) in bound.iter().enumerate() {
        prepared.raw_bind_parameter(index + 1, value)?;
    }
    let mut rows = prepared.raw_query();
    let mut decoded = Vec::new();
    while let Some(row) = rows.next()? {
        decoded.push(decode(row)?);
    }
    Ok(decoded)
}

/// The statement's values as sqlx would bind them, or `None` when one is of a type this path
/// leaves to sqlx (dates and times: sqlx's text form is what the columns compare against).
fn bind_all(statement: &Statement) -> Option<Vec<ToSqlOutput<'_>>> {
    let Some(values) = &statement.values else {
        return Some(Vec::new());
    };
    values.0.iter().map(bind).collect()
}

fn bind(value: &Value) -> Option<ToSqlOutput<'_>> {
    let value = match value {
        Value::Bool(Some(b)) => ValueRef::Integer(i64::from(*b)),
        Value::TinyInt(Some(n)) => ValueRef::Integer(i64::from(*n)),
        Value::SmallInt(Some(n)) => ValueRef::Integer(i64::from(*n)),
        Value::Int(Some(n)) => ValueRef::Integer(i64::from(*n)),
        Value::BigInt(Some(n)) => ValueRef::Integer(*n),
        Value::TinyUnsigned(Some(n)) => ValueRef::Integer(i64::from(*n)),
        Value::SmallUnsigned(Some(n)) => ValueRef::Integer(i64::from(*n)),
        Value::Unsigned(Some(n)) => ValueRef::Integer(i64::from(*n)),
        Value::BigUnsigned(Some(n)) => ValueRef::Integer(i64::try_from(*n).ok()?),
        Value::Float(Some(x)) => ValueRef::Real(f64::from(*x)),
        Value::Double(Some(x)) => ValueRef::Real(*x),
        Value::String(Some(text)) => ValueRef::Text(text.as_bytes()),
        null if super::sql::is_null(null) => ValueRef::Null,
        _ => return None,
    };
    Some(ToSqlOutput::Borrowed(value))
}

/// A column type read in place, exactly as sqlx decodes it from SQLite.
pub trait InlineColumn: Sized {
    /// The value of `value`.
    ///
    /// # Errors
    /// When it has another type.
    fn from_inline(value: ValueRef<'_>) -> Result<Self, sea_orm::DbErr>;
}

fn mismatch(value: ValueRef<'_>, wanted: &str) -> sea_orm::DbErr {
    sea_orm::DbErr::Type(format!("expected {wanted}, found {:?}", value.data_type()))
}

impl InlineColumn for i64 {
    fn from_inline(value: ValueRef<'_>) -> Result<Self, sea_orm::DbErr> {
        match value {
            ValueRef::Integer(n) => Ok(n),
            _ => Err(mismatch(value, "an integer")),
        }
    }
}

impl InlineColumn for i32 {
    fn from_inline(value: ValueRef<'_>) -> Result<Self, sea_orm::DbErr> {
        i32::try_from(i64::from_inline(value)?).map_err(|err| sea_orm::DbErr::Type(err.to_string()))
    }
}

impl InlineColumn for bool {
    fn from_inline(value: ValueRef<'_>) -> Result<Self, sea_orm::DbErr> {
        Ok(i64::from_inline(value)? != 0)
    }
}

impl InlineColumn for f64 {
    fn from_inline(value: ValueRef<'_>) -> Result<Self, sea_orm::DbErr> {
        match value {
            ValueRef::Real(x) => Ok(x),
            #[expect(clippy::cast_precision_loss, reason = "SQLite converts the same way")]
            ValueRef::Integer(n) => Ok(n as f64),
            _ => Err(mismatch(value, "a number")),
        }
    }
}

impl InlineColumn for String {
    fn from_inline(value: ValueRef<'_>) -> Result<Self, sea_orm::DbErr> {
        match value {
            ValueRef::Text(_) => Ok(value
                .as_str()
                .map_err(|err| sea_orm::DbErr::Type(err.to_string()))?
                .to_owned()),
            _ => Err(mismatch(value, "text")),
        }
    }
}

impl InlineColumn for chrono::DateTime<chrono::Utc> {
    fn from_inline(value: ValueRef<'_>) -> Result<Self, sea_orm::DbErr> {
        let text = match value {
            ValueRef::Text(_) => value
                .as_str()
                .map_err(|err| sea_orm::DbErr::Type(err.to_string()))?,
            // Integer and real timestamps are sqlx's to decode; agora writes text only.
            _ => return Err(mismatch(value, "a date as text")),
        };
        datetime_from_text(text)
            .ok_or_else(|| sea_orm::DbErr::Type(format!("invalid datetime: {text}")))
    }
}

impl<T: InlineColumn> InlineColumn for Option<T> {
    fn from_inline(value: ValueRef<'_>) -> Result<Self, sea_orm::DbErr> {
        match value {
            ValueRef::Null => Ok(None),
            _ => T::from_inline(value).map(Some),
        }
    }
}

/// sqlx's reading of a SQLite date: RFC 3339, or one of SQLite's own forms (a form without an
/// offset is UTC).
fn datetime_from_text(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::{DateTime, NaiveDateTime, Utc};
    // The forms sqlx tries, in its order (after RFC 3339).
    const FORMATS: [&str; 12] = [
        "%F %T%.f",
        "%F %R",
        "%F %RZ",
        "%F %R%:z",
        "%F %T%.fZ",
        "%F %T%.f%:z",
        "%FT%R",
        "%FT%RZ",
        "%FT%R%:z",
        "%FT%T%.f",
        "%FT%T%.fZ",
        "%FT%T%.f%:z",
    ];
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    FORMATS.iter().find_map(|format| {
        DateTime::parse_from_str(text, format)
            .map(|at| at.with_timezone(&Utc))
            .or_else(|_| NaiveDateTime::parse_from_str(text, format).map(|at| at.and_utc()))
            .ok()
    })
}
