//! PostgreSQL reads run straight on sea-orm's own sqlx pool: the statement sea-orm built, bound
//! as sea-orm binds it (`sea-query-sqlx`), its rows decoded by position without sqlx checking
//! each column's type against the Rust one on every row (agora's reads select the entity's own
//! columns, whose types the migrations fix, and `tests/api/inline_reads.rs` compares the
//! models with sea-orm's). sea-orm's layers around a statement were about a sixth of a list's
//! instructions.

use std::sync::Arc;

use sea_orm::sqlx::postgres::{PgPool, PgRow};
use sea_orm::sqlx::{self, AssertSqlSafe};
use sea_orm::{
    ConnAcquireErr, DatabaseConnection, DbBackend, DbErr, RuntimeErr, Statement, Values,
};
use sea_query_sqlx::SqlxValues;

use crate::application::StatementObserver;

/// The pool of a PostgreSQL database, for reads.
pub struct DirectReads {
    pool: PgPool,
    on_statement: StatementObserver,
}

impl std::fmt::Debug for DirectReads {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DirectReads").finish_non_exhaustive()
    }
}

impl DirectReads {
    /// Reads on `db`'s pool when it is PostgreSQL's; each tells `on_statement` of its
    /// statement, as sea-orm's metric callback does for the others.
    pub fn beside(db: &DatabaseConnection, on_statement: StatementObserver) -> Option<Self> {
        (db.get_database_backend() == DbBackend::Postgres).then(|| Self {
            pool: db.get_postgres_connection_pool().clone(),
            on_statement,
        })
    }

    /// The rows `statement` reads, each decoded by `decode`.
    ///
    /// # Errors
    /// As sea-orm's would be: `ConnectionAcquire` when no connection comes in time, `Query`
    /// when the statement fails; or the decoding error.
    pub async fn read<T>(
        &self,
        statement: Statement,
        decode: impl Fn(&PgRow) -> Result<T, DbErr>,
    ) -> Result<Vec<T>, DbErr> {
        let values = statement.values.unwrap_or(Values(Vec::new()));
        let mut connection = self.pool.acquire().await.map_err(acquire_error)?;
        let fetched = sqlx::query_with(AssertSqlSafe(statement.sql), SqlxValues(values))
            .fetch_all(&mut *connection)
            .await;
        drop(connection);
        (self.on_statement)();
        let rows = fetched.map_err(|err| DbErr::Query(RuntimeErr::SqlxError(Arc::new(err))))?;
        rows.iter().map(decode).collect()
    }
}

/// sea-orm's reading of a failed checkout.
fn acquire_error(err: sqlx::Error) -> DbErr {
    match err {
        sqlx::Error::PoolTimedOut => DbErr::ConnectionAcquire(ConnAcquireErr::Timeout),
        sqlx::Error::PoolClosed => DbErr::ConnectionAcquire(ConnAcquireErr::ConnectionClosed),
        other => DbErr::Conn(RuntimeErr::SqlxError(Arc::new(other))),
    }
}
