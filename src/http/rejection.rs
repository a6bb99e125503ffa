//! Everything the HTTP layer answers itself, before (or instead of) executing a GraphQL
//! request: one type, one status and code per case, one body shape, each counted in
//! `/metrics`.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::MediaType;
use crate::limits::document::Violation;
use crate::persisted;
use crate::telemetry;

/// Why a request was answered without running it (or without finishing it, for `Timeout`).
#[derive(Debug)]
pub enum Rejection {
    /// `POST /graphql` without a JSON body.
    NotJson,
    /// A JSON body declared in another charset than UTF-8 (the one named).
    NotUtf8(String),
    /// A body or query string that is not a GraphQL request; `detail` says why.
    Malformed {
        /// Where the request was: `body` or `query string`.
        source: &'static str,
        /// The parser's explanation.
        detail: String,
    },
    /// A request without a query (and no persisted query to stand for one).
    NoQuery,
    /// A persisted query (APQ) that cannot be used.
    PersistedQuery(persisted::Refusal),
    /// A document that breaks one of the limits checked before parsing.
    DocumentLimit(Violation),
    /// A mutation without the admin secret, when one is set.
    MutationNeedsSecret,
    /// A mutation sent over GET.
    MutationOverGet,
    /// More requests at once than `MAX_CONCURRENT_REQUESTS`.
    Busy,
    /// The request ran longer than `REQUEST_TIMEOUT_SECS` and was stopped.
    Timeout,
    /// `MAX_CONNECTIONS` WebSockets and event streams are open.
    TooManyConnections(usize),
    /// `MAX_SUBSCRIPTIONS_PER_CONNECTION` operations run on the socket.
    TooManySubscriptions(usize),
    /// An operation with this id runs on the socket already (legacy protocol).
    DuplicateOperation,
    /// A subscription sent as a plain HTTP request (it needs a stream).
    SubscriptionNeedsStream,
}

impl Rejection {
    /// The HTTP status of the answer.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::NotJson | Self::NotUtf8(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Malformed { .. }
            | Self::NoQuery
            | Self::PersistedQuery(
                persisted::Refusal::HashMismatch | persisted::Refusal::Unsupported,
            ) => StatusCode::BAD_REQUEST,
            Self::MutationOverGet => StatusCode::METHOD_NOT_ALLOWED,
            Self::Busy | Self::TooManyConnections(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::PersistedQuery(persisted::Refusal::NotFound)
            | Self::DocumentLimit(_)
            | Self::MutationNeedsSecret
            | Self::Timeout
            | Self::TooManySubscriptions(_)
            | Self::DuplicateOperation
            | Self::SubscriptionNeedsStream => StatusCode::OK,
        }
    }

    /// The `extensions.code` of the error.
    pub fn code(&self) -> &'static str {
        match self {
            Self::PersistedQuery(persisted::Refusal::NotFound) => "PERSISTED_QUERY_NOT_FOUND",
            Self::DocumentLimit(violation) => violation.limit.code(),
            Self::MutationNeedsSecret => "UNAUTHENTICATED",
            Self::Busy => "SERVICE_UNAVAILABLE",
            Self::Timeout => "TIMEOUT",
            Self::TooManyConnections(_) => "TOO_MANY_CONNECTIONS",
            Self::TooManySubscriptions(_) => "TOO_MANY_SUBSCRIPTIONS",
            Self::DuplicateOperation | Self::SubscriptionNeedsStream => "BAD_REQUEST",
            Self::NotJson
            | Self::NotUtf8(_)
            | Self::Malformed { .. }
            | Self::NoQuery
            | Self::PersistedQuery(_)
            | Self::MutationOverGet => "BAD_REQUEST",
        }
    }

    /// What the client is told.
    pub fn message(&self) -> String {
        match self {
            Self::NotJson => {
                "POST /graphql takes a JSON body (Content-Type: application/json)".to_owned()
            }
            Self::NotUtf8(charset) => {
                format!("POST /graphql takes JSON in UTF-8, not {charset}")
            }
            Self::Malformed { source, detail } => {
                format!("The {source} is not a GraphQL request: {detail}")
            }
            Self::NoQuery => "The request has no query".to_owned(),
            Self::PersistedQuery(persisted::Refusal::NotFound) => {
                "PersistedQueryNotFound".to_owned()
            }
            Self::PersistedQuery(persisted::Refusal::HashMismatch) => {
                "provided sha does not match query".to_owned()
            }
            Self::PersistedQuery(persisted::Refusal::Unsupported) => {
                "persistedQuery must be { version: 1, sha256Hash: <64 hex digits> }".to_owned()
            }
            Self::DocumentLimit(violation) => violation.to_string(),
            Self::MutationNeedsSecret => {
                "Mutations need the admin secret (Authorization: Bearer <secret>)".to_owned()
            }
            Self::MutationOverGet => "Mutations are only accepted over POST".to_owned(),
            Self::Busy => "The server is busy; try again shortly".to_owned(),
            Self::TooManyConnections(max) => format!(
                "At most {max} WebSockets and event streams may be open at once (MAX_CONNECTIONS); try again shortly"
            ),
            Self::TooManySubscriptions(max) => format!(
                "At most {max} operations may run on one connection (MAX_SUBSCRIPTIONS_PER_CONNECTION)"
            ),
            Self::DuplicateOperation => "An operation with this id is running on this connection".to_owned(),
            Self::SubscriptionNeedsStream => "Subscriptions stream over a WebSocket (graphql-transport-ws) or Server-Sent Events (Accept: text/event-stream)".to_owned(),
            Self::Timeout => "The request took too long and was stopped; a mutation in it may or may not have been applied".to_owned(),
        }
    }
}

impl Rejection {
    /// The answer in `media`. With `application/graphql-response+json`, a document that breaks
    /// a limit (a validation failure), or a subscription without a stream, is a 400 like any
    /// invalid document.
    pub fn respond(self, media: MediaType) -> Response {
        let invalid_document =
            matches!(self, Self::DocumentLimit(_) | Self::SubscriptionNeedsStream);
        let mut response = self.into_response();
        if media == MediaType::GraphqlResponse && invalid_document {
            *response.status_mut() = StatusCode::BAD_REQUEST;
        }
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, media.content_type());
        response
    }
}

impl Rejection {
    /// The GraphQL errors that say it (one), counted in `/metrics`.
    pub fn errors(&self) -> serde_json::Value {
        let code = self.code();
        telemetry::count_rejection(code);
        let mut extensions = json!({ "code": code });
        match self {
            Self::DocumentLimit(violation) => extensions["limit"] = json!(violation.max),
            Self::TooManyConnections(max) | Self::TooManySubscriptions(max) => {
                extensions["limit"] = json!(max);
            }
            _ => {}
        }
        json!([{ "message": self.message(), "extensions": extensions }])
    }
}

impl IntoResponse for Rejection {
    /// A GraphQL response with one error and no `data` (the request never ran), except for
    /// `Timeout`, whose `data` is `null` (it ran, and what it did is unknown), in
    /// `application/json`.
    fn into_response(self) -> Response {
        let mut body = json!({ "errors": self.errors() });
        if matches!(self, Self::Timeout) {
            body["data"] = serde_json::Value::Null;
        }
        let mut response = (self.status(), Json(body)).into_response();
        if matches!(self, Self::MutationOverGet) {
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
        }
        response
    }
}
