//! The HTTP surface: `/graphql` (POST for everything, GET for queries and GraphiQL), `/` and
//! `/health`.

use async_graphql::http::GraphiQLSource;
use async_graphql::parser::types::OperationType;
use async_graphql_axum::GraphQLResponse;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower_http::trace::TraceLayer;

use crate::graphql::{self, AgoraSchema};

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The GraphQL schema, built once at start-up.
    pub schema: AgoraSchema,
    /// The database connection pool.
    pub db: DatabaseConnection,
}

/// The router of the whole service, for `main` and for tests alike.
pub fn app(state: AppState) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::temporary("/graphql") }))
        .route("/graphql", get(graphql_get).post(graphql_post))
        .route("/health", get(health))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A transport-level error in the shape of a GraphQL response, so clients can read it.
fn request_error(status: StatusCode, message: &str) -> Response {
    let body =
        json!({ "errors": [{ "message": message, "extensions": { "code": "BAD_REQUEST" } }] });
    (status, Json(body)).into_response()
}

async fn graphql_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim();
            mime.eq_ignore_ascii_case("application/json") || mime.ends_with("+json")
        });
    if !is_json {
        return request_error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "POST /graphql takes a JSON body (Content-Type: application/json)",
        );
    }
    let request: async_graphql::Request = match serde_json::from_slice(&body) {
        Ok(request) => request,
        Err(err) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                &format!("The body is not a GraphQL request: {err}"),
            );
        }
    };
    execute(&state, request).await
}

async fn graphql_get(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let query = query.unwrap_or_default();
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if query.is_empty() && wants_html {
        return Html(GraphiQLSource::build().endpoint("/graphql").finish()).into_response();
    }
    let mut request = match async_graphql::http::parse_query_string(&query) {
        Ok(request) => request,
        Err(err) => {
            return request_error(
                StatusCode::BAD_REQUEST,
                &format!("The query string is not a GraphQL request: {err}"),
            );
        }
    };
    if is_mutation(&mut request) {
        let mut response = request_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "Mutations are only accepted over POST",
        );
        response
            .headers_mut()
            .insert(header::ALLOW, header::HeaderValue::from_static("POST"));
        return response;
    }
    execute(&state, request).await
}

/// Whether the operation the request would run is a mutation. A document that does not parse
/// is left to the executor, which reports it the standard way.
fn is_mutation(request: &mut async_graphql::Request) -> bool {
    let name = request.operation_name.clone();
    let Ok(document) = request.parsed_query() else {
        return false;
    };
    document.operations.iter().any(|(op_name, op)| {
        let selected = match (&name, op_name) {
            (Some(wanted), Some(op_name)) => wanted.as_str() == op_name.as_str(),
            (Some(_), None) => false,
            (None, _) => true,
        };
        selected && op.node.ty == OperationType::Mutation
    })
}

async fn execute(state: &AppState, request: async_graphql::Request) -> Response {
    if request.query.trim().is_empty() {
        return request_error(StatusCode::BAD_REQUEST, "The request has no query");
    }
    GraphQLResponse::from(graphql::execute(&state.schema, request, &state.db).await).into_response()
}

async fn health(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => Json(json!({ "status": "ok" })).into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check: database unavailable");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({ "status": "unavailable" })),
            )
                .into_response()
        }
    }
}
