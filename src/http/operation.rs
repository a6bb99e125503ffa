//! An admitted request run for the streaming transports (WebSocket and SSE): a stream of
//! results, one per event for a subscription, one for a query or mutation.

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt as _};
use async_graphql::parser::types::OperationType;
use async_graphql::{ErrorExtensionValues, ServerError};

use super::{AppState, Rejection};
use crate::graphql::{self, subscription::StartAt};

/// What the request is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A query.
    Query,
    /// A mutation: the instance's readers are woken after it.
    Mutation,
    /// A subscription, starting at the given point unless it resumes after a cursor.
    Subscription(StartAt),
}

/// Which operation the request runs, and where a subscription starts: now, once the instance
/// has read every change committed so far (call this when the request arrives, before anything
/// else of its client is handled: a write acknowledged after it is then always delivered, and
/// one acknowledged before it never).
pub async fn kind_of(state: &AppState, request: &mut async_graphql::Request) -> Kind {
    if super::runs(request, OperationType::Mutation) {
        Kind::Mutation
    } else if super::runs(request, OperationType::Subscription) {
        let (cursor, skip) = state.hub.caught_up().await;
        Kind::Subscription(StartAt {
            cursor,
            skip: skip.into(),
        })
    } else {
        Kind::Query
    }
}

/// The results of `request`, as `kind` says.
pub fn results(
    state: &AppState,
    request: async_graphql::Request,
    kind: Kind,
) -> BoxStream<'static, async_graphql::Response> {
    let state = state.clone();
    match kind {
        Kind::Subscription(start) => graphql::subscribe(
            &state.schema,
            request,
            &state.db,
            start,
            state.settings.limits,
        )
        .boxed(),
        Kind::Query | Kind::Mutation => stream::once(async move {
            let running = graphql::execute(
                &state.schema,
                request,
                &state.db,
                state.group.as_ref(),
                &state.settings.limits,
            );
            let finished = tokio::time::timeout(state.settings.request_timeout, running).await;
            if kind == Kind::Mutation {
                state.hub.written();
            }
            finished.unwrap_or_else(|_| timed_out())
        })
        .boxed(),
    }
}

/// The result of a request stopped by `REQUEST_TIMEOUT_SECS`.
fn timed_out() -> async_graphql::Response {
    let rejection = Rejection::Timeout;
    let mut error = ServerError::new(rejection.message(), None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", rejection.code());
    error.extensions = Some(extensions);
    async_graphql::Response::from_errors(vec![error])
}
