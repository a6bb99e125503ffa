//! The one error type of agora and how it reaches clients: a GraphQL error with `extensions.code`.

use std::borrow::Cow;
use std::fmt::Display;
use std::sync::Arc;

use async_graphql::ErrorExtensions;
use chrono::{DateTime, Utc};
use sea_orm::sqlx;
use sea_orm::{DbErr, RuntimeErr, SqlErr};

/// Everything that can go wrong while serving a request.
///
/// The variants map one to one to the `extensions.code` values of SPEC section 4. `Internal`
/// keeps its cause for the log; clients only ever see a generic message.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// An input broke a validation rule; `field` names the GraphQL input field.
    #[error("{message}")]
    BadUserInput {
        /// The input field (or argument) at fault, a path inside a list or nested input
        /// (`inputs.3.email`).
        field: Cow<'static, str>,
        /// What is wrong, for the client.
        message: String,
    },
    /// The targeted or referenced row does not exist (`User not found`, `Author not found`, ...).
    #[error("{0}")]
    NotFound(&'static str),
    /// A unique rule would be broken (`Email already registered`, ...).
    #[error("{0}")]
    Conflict(&'static str),
    /// `expectedUpdatedAt` is not the row's `updatedAt`: someone changed it first. A CONFLICT
    /// with `reason: STALE` and the row's current `updatedAt`.
    #[error("{entity} has changed since expectedUpdatedAt; refetch it and try again")]
    Stale {
        /// The entity (`User`, ...).
        entity: &'static str,
        /// The row's `updatedAt` now.
        updated_at: DateTime<Utc>,
    },
    /// An error about one item of a list or nested input, which `field` names (`inputs.3`).
    #[error("{error}")]
    Item {
        /// The item's path.
        field: String,
        /// What is wrong with it.
        error: Box<AppError>,
    },
    /// The database cannot be reached or written right now (it is down, the pool is
    /// exhausted, the disk is full or read-only); retrying later may succeed.
    #[error("The database is unavailable; try again shortly")]
    Unavailable(Arc<dyn std::error::Error + Send + Sync>),
    /// A subscription's `after` cursor is older than the events kept (`EVENT_RETENTION`): the
    /// client refetches, then subscribes from now.
    #[error(
        "The cursor is older than the events kept (EVENT_RETENTION); refetch, then subscribe again"
    )]
    CursorExpired,
    /// A subscription fell further behind than its buffer (`EVENT_BUFFER`) and was ended; it
    /// resumes from the cursor of the last change it received.
    #[error(
        "The subscriber did not keep up and was ended (EVENT_BUFFER); resume from the last cursor"
    )]
    SlowConsumer,
    /// Anything unexpected.
    #[error("Internal server error")]
    Internal(Arc<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// A `BAD_USER_INPUT` error about `field`.
    pub fn bad_input(field: impl Into<Cow<'static, str>>, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field: field.into(),
            message: message.into(),
        }
    }

    /// This error, about the input at `path` (a list item `inputs.3`, a nested input
    /// `input.posts.1`): a field it names becomes `path.field`. Unexpected errors name no
    /// input and stay as they are.
    #[must_use]
    pub fn at(self, path: impl Display) -> Self {
        match self {
            Self::BadUserInput { field, message } => Self::BadUserInput {
                field: format!("{path}.{field}").into(),
                message,
            },
            Self::Item { field, error } => Self::Item {
                field: format!("{path}.{field}"),
                error,
            },
            unexpected @ (Self::Internal(_) | Self::Unavailable(_)) => unexpected,
            other => Self::Item {
                field: path.to_string(),
                error: Box::new(other),
            },
        }
    }

    /// The input field this error names, if any.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::BadUserInput { field, .. } => Some(field),
            Self::Item { field, .. } => Some(field),
            _ => None,
        }
    }

    /// The GraphQL `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict(_) | Self::Stale { .. } => "CONFLICT",
            Self::Item { error, .. } => error.code(),
            Self::Unavailable(_) => "SERVICE_UNAVAILABLE",
            Self::CursorExpired => "CURSOR_EXPIRED",
            Self::SlowConsumer => "SLOW_CONSUMER",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// SQLite result codes (primary, the low byte) that mean "not now" rather than "wrong":
/// busy, locked, I/O error, disk full, read-only, cannot open.
const SQLITE_TRANSIENT: [i64; 6] = [5, 6, 10, 13, 8, 14];

/// Whether a database error says the database is unavailable rather than that the statement is
/// wrong.
fn is_unavailable(err: &DbErr) -> bool {
    let runtime = match err {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => return true,
        DbErr::Exec(runtime) | DbErr::Query(runtime) => runtime,
        _ => return false,
    };
    let RuntimeErr::SqlxError(err) = runtime else {
        return false;
    };
    match err.as_ref() {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => {
            let code = db.code().and_then(|code| code.parse::<i64>().ok());
            let sqlite_transient = db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some()
                && code.is_some_and(|code| SQLITE_TRANSIENT.contains(&(code & 0xff)));
            // PostgreSQL: class 08 (connection), 53 (resources), 57P (operator intervention).
            let postgres_transient = db
                .try_downcast_ref::<sqlx::postgres::PgDatabaseError>()
                .is_some_and(|pg| {
                    let code = pg.code();
                    code.starts_with("08") || code.starts_with("53") || code.starts_with("57P")
                });
            sqlite_transient || postgres_transient
        }
        _ => false,
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        if is_unavailable(&err) {
            Self::Unavailable(Arc::new(err))
        } else {
            Self::Internal(Arc::new(err))
        }
    }
}

/// Maps a constraint violation of the statement that just ran to the client error it means.
///
/// `unique` answers a unique-key violation, `foreign_key` a foreign-key violation; any other
/// database error stays internal. Letting the database decide keeps the rules safe under races.
pub fn on_constraint(
    err: DbErr,
    unique: Option<AppError>,
    foreign_key: Option<AppError>,
) -> AppError {
    let mapped = match err.sql_err() {
        Some(SqlErr::UniqueConstraintViolation(_)) => unique,
        Some(SqlErr::ForeignKeyConstraintViolation(_)) => foreign_key,
        _ => None,
    };
    mapped.unwrap_or_else(|| err.into())
}

/// Whether `err` is a unique-key violation.
pub fn violates_unique(err: &DbErr) -> bool {
    matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_)))
}

/// Whether `err` is a foreign-key violation.
pub fn violates_foreign_key(err: &DbErr) -> bool {
    matches!(
        err.sql_err(),
        Some(SqlErr::ForeignKeyConstraintViolation(_))
    )
}

impl ErrorExtensions for AppError {
    /// The GraphQL error clients see. An unexpected error keeps itself as the error's source,
    /// for [`log_unexpected`] to log once the response is complete.
    fn extend(&self) -> async_graphql::Error {
        let mut error = async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            if let Some(field) = self.field() {
                ext.set("field", field);
            }
            if let Self::Stale { updated_at, .. } = self {
                ext.set("reason", "STALE");
                ext.set("updatedAt", async_graphql::ScalarType::to_value(updated_at));
            }
        });
        if matches!(self, Self::Internal(_) | Self::Unavailable(_)) {
            error.source = Some(Arc::new(self.clone()));
        }
        error
    }
}

/// `error` and each of its sources, outermost first, joined by `: `.
fn cause_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        chain.push_str(": ");
        chain.push_str(&cause.to_string());
        source = cause.source();
    }
    chain
}

/// Logs the unexpected errors among `errors` once for the whole response (a failed batch of 50
/// authors is one line, not 50), with the cause chain of the first; inside the request's span,
/// the line carries its request id.
pub fn log_unexpected(errors: &[async_graphql::ServerError]) {
    let unexpected: Vec<&AppError> = errors
        .iter()
        .filter_map(|error| error.source::<AppError>())
        .collect();
    let Some(first) = unexpected.first() else {
        return;
    };
    let (AppError::Internal(cause) | AppError::Unavailable(cause)) = first else {
        return;
    };
    let cause = cause_chain(cause.as_ref());
    let count = unexpected.len();
    if matches!(first, AppError::Internal(_)) {
        tracing::error!(
            errors = count,
            cause,
            "internal error while serving a request"
        );
    } else {
        tracing::warn!(
            errors = count,
            cause,
            "database unavailable while serving a request"
        );
    }
}
