//! `@atomic` mutation operations (`mutation Checkout @atomic { … }`): every root field runs in
//! one transaction, which commits only if the whole operation succeeded; otherwise nothing of
//! it persists (and so no event is recorded) and `data` is null, the errors naming the field
//! that failed. Without the directive each root field commits on its own, as GraphQL says.
//!
//! async-graphql runs executable directives on fields only; on an operation it validates the
//! location and leaves it be, so the directive is declared here (SDL and introspection) and
//! acted on by [`super::execute`].

use std::borrow::Cow;
use std::sync::Arc;

use async_graphql::parser::types::{Directive, DocumentOperations, OperationType};
use async_graphql::registry::{__DirectiveLocation, MetaDirective, Registry};
use async_graphql::{
    ContextDirective, CustomDirective, CustomDirectiveFactory, ErrorExtensions as _, Positioned,
    ServerError, ServerResult, Value,
};
use sea_orm::{
    DatabaseConnection, DatabaseTransaction, SqliteTransactionMode, TransactionOptions,
    TransactionTrait as _,
};

use crate::error::AppError;

/// The directive's name.
const NAME: &str = "atomic";

/// Declares `directive @atomic on MUTATION`.
pub struct Atomic;

/// What async-graphql would run for the directive on a field, which validation never allows.
struct OnField;

impl CustomDirective for OnField {}

impl CustomDirectiveFactory for Atomic {
    fn name(&self) -> Cow<'static, str> {
        NAME.into()
    }

    fn register(&self, registry: &mut Registry) {
        registry.add_directive(MetaDirective {
            name: NAME.into(),
            description: Some(
                "Runs every root field of this mutation in one transaction: when one fails, none \
                 of the operation's changes persist and `data` is null."
                    .into(),
            ),
            locations: vec![__DirectiveLocation::MUTATION],
            args: Default::default(),
            is_repeatable: false,
            visible: None,
            composable: None,
        });
    }

    fn create(
        &self,
        _ctx: &ContextDirective<'_>,
        _directive: &Directive,
    ) -> ServerResult<Box<dyn CustomDirective>> {
        Ok(Box::new(OnField))
    }
}

/// Whether the operation `request` runs is a mutation, and if so whether it is marked
/// `@atomic` (`None` for a query, a subscription, or a document that does not parse).
pub fn mutation(request: &mut async_graphql::Request) -> Option<bool> {
    let name = request.operation_name.clone();
    let document = request.parsed_query().ok()?;
    let operation = match (&document.operations, name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name.as_str()),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    };
    let operation = operation.filter(|operation| operation.node.ty == OperationType::Mutation)?;
    Some(
        operation
            .node
            .directives
            .iter()
            .any(|directive: &Positioned<Directive>| directive.node.name.node == NAME),
    )
}

/// The transaction of an atomic operation. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a transaction that read first and wrote later would fail, not wait,
/// when another writer came in between.
///
/// # Errors
/// When the database cannot begin one.
pub async fn begin(db: &DatabaseConnection) -> Result<DatabaseTransaction, AppError> {
    let options = TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    };
    Ok(db.begin_with_options(options).await?)
}

/// Ends the operation's transaction: commits it if `response` has no error, rolls it back
/// otherwise (and then no field has a result). Every other handle to it must be gone.
pub async fn finish(
    transaction: Arc<DatabaseTransaction>,
    mut response: async_graphql::Response,
) -> async_graphql::Response {
    let Ok(transaction) = Arc::try_unwrap(transaction) else {
        // Dropping the last handle rolls it back.
        let bug = sea_orm::DbErr::Custom("the atomic transaction outlived its operation".into());
        response.data = Value::Null;
        response.errors.push(server_error(&AppError::from(bug)));
        return response;
    };
    if !response.errors.is_empty() {
        response.data = Value::Null;
        if let Err(err) = transaction.rollback().await {
            response.errors.push(server_error(&AppError::from(err)));
        }
        return response;
    }
    if let Err(err) = transaction.commit().await {
        response.data = Value::Null;
        response.errors.push(server_error(&AppError::from(err)));
    }
    response
}

/// `error` as a response error of the whole operation (no field, no location).
pub fn server_error(error: &AppError) -> ServerError {
    let error = error.extend();
    let mut server = ServerError::new(error.message, None);
    server.source = error.source;
    server.extensions = error.extensions;
    server
}
