//! GraphQL over Server-Sent Events, the graphql-sse protocol's distinct connections mode: a
//! request that accepts `text/event-stream` (POST, or GET for queries and subscriptions, as
//! `EventSource` sends) gets its results as `next` events, then `complete`; a request refused
//! before execution is one `next` event with the errors, then `complete`.

use std::convert::Infallible;
use std::time::Duration;

use async_graphql::futures_util::stream::{self, BoxStream, StreamExt as _};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use tokio::sync::OwnedSemaphorePermit;

use super::operation::{self, Kind};
use super::{AppState, Rejection};
use crate::telemetry;

/// How the request reached the server, for what it may run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// POST: anything (mutations when allowed).
    Post {
        /// Whether it carries the admin secret (or none is set).
        may_mutate: bool,
    },
    /// GET: queries and subscriptions.
    Get,
}

/// Answers an event-stream request: `admitted` is the request, or why it was refused.
pub async fn answer(
    state: &AppState,
    admitted: Result<async_graphql::Request, Rejection>,
    method: Method,
) -> Response {
    let Ok(permit) = state.connections.clone().try_acquire_owned() else {
        let max = state.hub.settings().max_connections;
        return Rejection::TooManyConnections(max).into_response();
    };
    let results: BoxStream<'static, serde_json::Value> = match admitted {
        Err(rejection) => refused(&rejection),
        Ok(mut request) => {
            let kind = operation::kind_of(state, &mut request).await;
            match (&kind, method) {
                (Kind::Mutation, Method::Get) => refused(&Rejection::MutationOverGet),
                (Kind::Mutation, Method::Post { may_mutate: false }) => {
                    refused(&Rejection::MutationNeedsSecret)
                }
                _ => operation::results(state, request, kind)
                    .map(|response| serde_json::to_value(&response).unwrap_or_default())
                    .boxed(),
            }
        }
    };
    let keepalive = Duration::from_secs(state.hub.settings().ws_keepalive_secs.max(1));
    Sse::new(events(results, permit, state.hub.closed()))
        .keep_alive(KeepAlive::new().interval(keepalive))
        .into_response()
}

/// The one result of a request refused before execution.
fn refused(rejection: &Rejection) -> BoxStream<'static, serde_json::Value> {
    let result = serde_json::json!({ "errors": rejection.errors() });
    stream::once(async move { result }).boxed()
}

/// `next` per result, then `complete`; the stream (and its permit) ends with the results or
/// when the server shuts down.
fn events(
    results: BoxStream<'static, serde_json::Value>,
    permit: OwnedSemaphorePermit,
    closed: impl std::future::Future<Output = ()> + Send + 'static,
) -> impl async_graphql::futures_util::Stream<Item = Result<Event, Infallible>> + Send + 'static {
    let open = Open::new(permit);
    let next = results.map(|result| Event::default().event("next").data(result.to_string()));
    let complete = stream::once(async { Event::default().event("complete").data("") });
    next.chain(complete).take_until(closed).map(move |event| {
        let _open = &open;
        Ok(event)
    })
}

/// An open event stream: counted, and holding its place under `MAX_CONNECTIONS`.
struct Open {
    _permit: OwnedSemaphorePermit,
}

impl Open {
    fn new(permit: OwnedSemaphorePermit) -> Self {
        telemetry::count_socket(1.0);
        Self { _permit: permit }
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        telemetry::count_socket(-1.0);
    }
}
