//! The one error type of agora and how it reaches clients: a GraphQL error with `extensions.code`.

use std::sync::Arc;

use async_graphql::ErrorExtensions;
use sea_orm::{DbErr, SqlErr};

/// Everything that can go wrong while serving a request.
///
/// The variants map one to one to the `extensions.code` values of SPEC section 4. `Internal`
/// keeps its cause for the log; clients only ever see a generic message.
#[derive(Debug, Clone, thiserror::Error)]
pub enum AppError {
    /// An input broke a validation rule; `field` names the GraphQL input field.
    #[error("{message}")]
    BadUserInput {
        field: &'static str,
        message: String,
    },
    /// The targeted or referenced row does not exist (`User not found`, `Author not found`, ...).
    #[error("{0}")]
    NotFound(&'static str),
    /// A unique rule would be broken (`Email already registered`, ...).
    #[error("{0}")]
    Conflict(&'static str),
    /// Anything unexpected, such as a database failure.
    #[error("Internal server error")]
    Internal(Arc<dyn std::error::Error + Send + Sync>),
}

impl AppError {
    /// A `BAD_USER_INPUT` error about `field`.
    pub fn bad_input(field: &'static str, message: impl Into<String>) -> Self {
        Self::BadUserInput {
            field,
            message: message.into(),
        }
    }

    /// The GraphQL `extensions.code` of this error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadUserInput { .. } => "BAD_USER_INPUT",
            Self::NotFound(_) => "NOT_FOUND",
            Self::Conflict(_) => "CONFLICT",
            Self::Internal(_) => "INTERNAL_SERVER_ERROR",
        }
    }
}

impl From<DbErr> for AppError {
    fn from(err: DbErr) -> Self {
        Self::Internal(Arc::new(err))
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

impl ErrorExtensions for AppError {
    fn extend(&self) -> async_graphql::Error {
        if let Self::Internal(cause) = self {
            tracing::error!(error = %cause, "internal error while serving a request");
        }
        async_graphql::Error::new(self.to_string()).extend_with(|_, ext| {
            ext.set("code", self.code());
            if let Self::BadUserInput { field, .. } = self {
                ext.set("field", *field);
            }
        })
    }
}
