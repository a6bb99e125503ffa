//! Connecting to the database (SQLite or PostgreSQL, chosen by the URL) and migrating it, and
//! the database a request works on (`RequestDb`).

use std::sync::Arc;
use std::time::Duration;

use migration::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseExecutor,
    DatabaseTransaction, DbErr,
};

use crate::store::direct::DirectReads;
use crate::store::inline::InlineReads;
use crate::store::rows::Reads;

/// The database agora serves: sea-orm's connection pool and its backend's own way to read
/// beside it: in place on a SQLite file (`store::inline`), straight on sqlx's pool on
/// PostgreSQL (`store::direct`).
#[derive(Clone, Debug)]
pub struct Pool {
    /// The connection pool.
    pub connection: DatabaseConnection,
    /// Short reads in place, on a SQLite file when `SQLITE_INLINE_READS` is on.
    pub inline: Option<Arc<InlineReads>>,
    /// Reads straight on sqlx's pool, on PostgreSQL.
    pub direct: Option<Arc<DirectReads>>,
}

/// The database a request works on: the pool, or the one transaction of an `@atomic`
/// operation (every field, loader and nested list of the operation reads and writes in it).
#[derive(Clone, Debug)]
pub enum RequestDb {
    /// Each statement on a pooled connection, each write committing on its own.
    Pool(Pool),
    /// The operation's transaction, committed or rolled back when the operation ends.
    Atomic(Arc<DatabaseTransaction>),
}

impl RequestDb {
    /// What statements run on.
    pub fn executor(&self) -> DatabaseExecutor<'_> {
        match self {
            Self::Pool(pool) => DatabaseExecutor::Connection(&pool.connection),
            Self::Atomic(txn) => DatabaseExecutor::Transaction(txn),
        }
    }

    /// What reads run on: the executor, and the pool's own ways to read (never a
    /// transaction's: its reads must see its writes).
    pub fn reads(&self) -> Reader<'_> {
        let pool = match self {
            Self::Pool(pool) => Some(pool),
            Self::Atomic(_) => None,
        };
        Reader {
            executor: self.executor(),
            inline: pool.and_then(|pool| pool.inline.as_deref()),
            direct: pool.and_then(|pool| pool.direct.as_deref()),
        }
    }
}

/// A request's executor for reads (see [`RequestDb::reads`]).
pub struct Reader<'a> {
    executor: DatabaseExecutor<'a>,
    inline: Option<&'a InlineReads>,
    direct: Option<&'a DirectReads>,
}

impl<'a> Reads for Reader<'a> {
    fn executor(&self) -> &impl ConnectionTrait {
        &self.executor
    }

    fn inline_reads(&self) -> Option<&InlineReads> {
        self.inline
    }

    fn direct_reads(&self) -> Option<&DirectReads> {
        self.direct
    }
}

/// Connections of a SQLite pool per CPU core: WAL lets readers run beside the one writer, and
/// a read of a cached file is CPU work, so more connections than this only cost memory (each
/// has its own thread and page cache).
const SQLITE_CONNECTIONS_PER_CORE: u32 = 2;
/// Rows a SQLite connection's thread may send ahead of the request reading them. sqlx's default
/// (50) made the thread stop and be woken again within one page. The request collects every
/// row anyway; the price is up to this many rows held twice (row and model) per connection.
const SQLITE_ROW_BUFFER: usize = 1024;
/// How long a SQLite connection waits for another writer before giving up.
const SQLITE_BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// `SQLITE_CACHE_KIB` when not set: a quarter of SQLite's own default. Random reads of a 100 MB
/// file filled four connections' caches to 8 MiB of the server's memory; at 512 KiB each the
/// peak fell by 6 MiB with no measurable loss (the pages come from the system's file cache).
pub const DEFAULT_SQLITE_CACHE_KIB: u32 = 512;

/// `SQLITE_GROUP_COMMIT` when not set.
pub const DEFAULT_SQLITE_GROUP_COMMIT: usize = 64;

/// `DATABASE_ACQUIRE_TIMEOUT_SECS` when not set.
pub const DEFAULT_ACQUIRE_TIMEOUT_SECS: u64 = 5;

/// How long a pooled server connection may sit idle before it is pinged on checkout.
const IDLE_BEFORE_PING: Duration = Duration::from_secs(10);

/// When SQLite considers a write done.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum SqliteDurability {
    /// `synchronous=FULL`: every commit is on disk before it is acknowledged; survives a
    /// crash of the process and a power cut.
    #[default]
    Full,
    /// `synchronous=NORMAL` (WAL): commits reach the disk at checkpoints; survives a crash of
    /// the process, but a power cut may lose the last acknowledged writes. Much faster writes.
    Normal,
}

/// How the connection pool is sized, how long a request waits for a connection, and how
/// durable SQLite commits are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolSettings {
    /// Most connections; `None`: two per CPU core (2 to 8) on SQLite, 10 on PostgreSQL.
    pub max_connections: Option<u32>,
    /// How long a request waits for a free connection before it gets `SERVICE_UNAVAILABLE`.
    pub acquire_timeout: Duration,
    /// SQLite's `synchronous` setting (PostgreSQL keeps its own configuration).
    pub sqlite_durability: SqliteDurability,
    /// Most mutations that share one SQLite commit (1: each commits alone).
    pub sqlite_group_commit: usize,
    /// SQLite's page cache per connection, in KiB.
    pub sqlite_cache_kib: u32,
    /// Whether short SQLite reads run in place (`store::inline`).
    pub sqlite_inline_reads: bool,
}

impl Default for PoolSettings {
    fn default() -> Self {
        Self {
            max_connections: None,
            acquire_timeout: Duration::from_secs(DEFAULT_ACQUIRE_TIMEOUT_SECS),
            sqlite_durability: SqliteDurability::Full,
            sqlite_group_commit: DEFAULT_SQLITE_GROUP_COMMIT,
            sqlite_cache_kib: DEFAULT_SQLITE_CACHE_KIB,
            sqlite_inline_reads: true,
        }
    }
}

/// Opens a connection pool on `url` with the default pool settings.
///
/// # Errors
/// When the URL is invalid or the database cannot be reached.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    connect_with(url, &PoolSettings::default()).await
}

/// Opens a connection pool on `url`.
///
/// Every pooled SQLite connection enforces foreign keys, uses WAL journaling with the
/// configured `synchronous` (FULL by default: a write is on disk before it is acknowledged) and
/// waits up to five seconds for a busy database, so constraints and concurrency behave as on
/// PostgreSQL.
///
/// # Errors
/// When the URL is invalid or the database cannot be reached.
pub async fn connect_with(url: &str, pool: &PoolSettings) -> Result<DatabaseConnection, DbErr> {
    let synchronous = match pool.sqlite_durability {
        SqliteDurability::Full => SqliteSynchronous::Full,
        SqliteDurability::Normal => SqliteSynchronous::Normal,
    };
    let is_sqlite = url.starts_with("sqlite:");
    // A negative `cache_size` is a size in KiB rather than in pages.
    let cache_size = format!("-{}", pool.sqlite_cache_kib);
    let mut options = ConnectOptions::new(url);
    if let Some(max) = pool.max_connections {
        options.max_connections(max.max(1));
    } else if is_sqlite {
        // sea-orm would otherwise give SQLite a single connection, serialising every request.
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let connections = u32::try_from(cores)
            .unwrap_or(u32::MAX)
            .saturating_mul(SQLITE_CONNECTIONS_PER_CORE);
        options.max_connections(connections.clamp(2, 8));
    }
    if is_sqlite {
        // A file cannot hang up: a ping would only cost a round trip to the connection's thread.
        options.test_before_acquire(false);
    } else {
        // A connection in use is known to be alive; one that sat idle may have been cut.
        options.test_before_acquire_if_idle_for(IDLE_BEFORE_PING);
    }
    options
        .acquire_timeout(pool.acquire_timeout)
        .connect_timeout(Duration::from_secs(3))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts| {
            opts.foreign_keys(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(synchronous)
                .busy_timeout(SQLITE_BUSY_TIMEOUT)
                .row_buffer_size(SQLITE_ROW_BUFFER)
                .pragma("cache_size", cache_size.clone())
        });
    Database::connect(options).await
}

/// A pool of one connection, for schema changes: every statement of a migration runs on the
/// same connection. On a pool of several, a SQLite connection whose earlier statement was not
/// yet reset keeps its older snapshot, so `DROP TRIGGER IF EXISTS` there could miss a trigger
/// another connection had just created, and the `CREATE TRIGGER` after it fail (seen under
/// load, about once in 500 fresh databases).
///
/// # Errors
/// When the URL is invalid or the database cannot be reached.
pub async fn connect_for_migrations(url: &str) -> Result<DatabaseConnection, DbErr> {
    let one = PoolSettings {
        max_connections: Some(1),
        ..PoolSettings::default()
    };
    connect_with(url, &one).await
}

/// Applies every pending migration to the database at `url`, on a connection of their own.
///
/// # Errors
/// When the database cannot be reached or a migration fails (rolled back where the backend
/// allows).
pub async fn migrate(url: &str) -> Result<(), DbErr> {
    let db = connect_for_migrations(url).await?;
    let migrated = Migrator::up(&db, None).await;
    db.close().await?;
    migrated
}
