//! The HTTP surface: `/graphql` (POST for everything, GET for queries and GraphiQL), `/`,
//! `/health` and `/metrics`, with the transport rules that guard them.

mod media;
mod operation;
mod rejection;
mod socket;
mod sse;

pub use media::MediaType;
pub use rejection::Rejection;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_graphql::parser::types::{DocumentOperations, OperationType};
use axum::body::Bytes;
use axum::error_handling::HandleErrorLayer;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{ConnectInfo, DefaultBodyLimit, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{BoxError, Extension, Json, Router};
use serde_json::json;
use subtle::ConstantTimeEq as _;
use tokio::sync::Semaphore;
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::config::Config;
use crate::db::Pool;
use crate::documents::ParsedDocuments;
use crate::graphql::group_commit::GroupCommit;
use crate::graphql::{self, AgoraSchema, build_schema};
use crate::limits::{self, Limits};
use crate::live::Hub;
use crate::persisted::PersistedQueries;
use crate::playground;
use crate::telemetry;

/// The largest request body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// How long a client may take to send its request body.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// `REQUEST_TIMEOUT_SECS` when not set.
pub const DEFAULT_REQUEST_TIMEOUT_SECS: u64 = 10;
/// `MAX_CONCURRENT_REQUESTS` when not set.
pub const DEFAULT_MAX_CONCURRENT_REQUESTS: usize = 512;

/// How the HTTP layer guards the API.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpSettings {
    /// The bearer token mutations need, if any.
    pub admin_secret: Option<String>,
    /// Browser origins allowed by CORS (none: no cross-origin access).
    pub cors_allowed_origins: Vec<String>,
    /// Longest time one GraphQL request may run.
    pub request_timeout: Duration,
    /// Most GraphQL requests served at once.
    pub max_concurrent_requests: usize,
    /// Limits checked on every document.
    pub limits: Limits,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            admin_secret: None,
            cors_allowed_origins: Vec::new(),
            request_timeout: Duration::from_secs(DEFAULT_REQUEST_TIMEOUT_SECS),
            max_concurrent_requests: DEFAULT_MAX_CONCURRENT_REQUESTS,
            limits: Limits::DEFAULT,
        }
    }
}

impl From<&Config> for HttpSettings {
    fn from(config: &Config) -> Self {
        Self {
            admin_secret: config
                .admin_secret
                .clone()
                .filter(|secret| !secret.is_empty()),
            cors_allowed_origins: config.cors_allowed_origins.clone(),
            request_timeout: Duration::from_secs(config.request_timeout_secs),
            max_concurrent_requests: config.max_concurrent_requests.max(1),
            limits: config.limits,
        }
    }
}

/// What every request handler shares.
#[derive(Clone)]
pub struct AppState {
    /// The GraphQL schema, built once at start-up.
    pub schema: AgoraSchema,
    /// The database connection pool (and its reads in place).
    pub db: Pool,
    /// How requests are guarded.
    pub settings: Arc<HttpSettings>,
    /// Queries clients may send by hash (APQ).
    pub persisted: Arc<PersistedQueries>,
    /// Documents parsed lately, by their text.
    pub documents: Arc<ParsedDocuments>,
    /// The instance's live data: what subscriptions follow.
    pub hub: Arc<Hub>,
    /// One permit per open WebSocket or event stream (`MAX_CONNECTIONS`).
    pub connections: Arc<Semaphore>,
    /// SQLite's commit groups (none on PostgreSQL).
    pub group: Option<Arc<GroupCommit>>,
}

impl AppState {
    /// The state of a service over `db`, its subscriptions fed by `hub`, guarded as
    /// `settings` say; on SQLite up to `group_commit` mutations share a commit.
    pub fn new(db: Pool, hub: Arc<Hub>, settings: HttpSettings, group_commit: usize) -> Self {
        Self {
            schema: build_schema(db.clone(), hub.clone(), &settings.limits),
            group: GroupCommit::new(&db.connection, group_commit),
            db,
            settings: Arc::new(settings),
            persisted: Arc::default(),
            documents: Arc::default(),
            connections: Arc::new(Semaphore::new(hub.settings().max_connections)),
            hub,
        }
    }
}

/// The router of the whole service, for `main` and for tests alike.
pub fn app(state: AppState) -> Router {
    let settings = state.settings.clone();
    // Excess GraphQL requests are refused at once rather than queued; `/health` stays outside
    // the limit so a flood cannot hide a healthy service.
    let graphql = Router::new()
        .route("/graphql", get(graphql_get).post(graphql_post))
        .layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(|_: BoxError| async {
                    Rejection::Busy
                }))
                .load_shed()
                .concurrency_limit(settings.max_concurrent_requests),
        );
    let mut router = Router::new()
        .route("/", get(|| async { Redirect::temporary("/graphql") }))
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .merge(graphql)
        .merge(playground::routes())
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyTimeoutLayer::new(BODY_TIMEOUT))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid));
    if !settings.cors_allowed_origins.is_empty() {
        let origins: Vec<HeaderValue> = settings
            .cors_allowed_origins
            .iter()
            .filter_map(|origin| HeaderValue::from_str(origin.trim()).ok())
            .collect();
        router = router.layer(
            CorsLayer::new()
                .allow_origin(AllowOrigin::list(origins))
                .allow_methods([Method::GET, Method::POST])
                .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION]),
        );
    }
    router.with_state(state)
}

/// The span of one request: its id (also sent back as `x-request-id`), and for GraphQL the
/// operation name and the SQL statements it ran. Errors logged while serving it carry these.
fn request_span(request: &axum::http::Request<axum::body::Body>) -> tracing::Span {
    let id = request
        .headers()
        .get("x-request-id")
        .and_then(|id| id.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!(
        "request",
        id,
        method = %request.method(),
        path = request.uri().path(),
        operation = tracing::field::Empty,
        sql_statements = tracing::field::Empty,
    )
}

/// Prometheus metrics: GraphQL requests by operation and outcome, their latency, SQL
/// statements (in all and per request) and the connection pool's use.
async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        telemetry::render_metrics(&state.db.connection),
    )
        .into_response()
}

/// Admits a request or says why not: it fills in a persisted query from its hash (APQ), then
/// refuses a request without a query or whose document breaks a limit. This runs before
/// anything parses the document (the parser is recursive, and some documents are exponential
/// to validate); only a document that passes is remembered for its hash, and parsed (once per
/// distinct text).
fn admit(state: &AppState, request: &mut async_graphql::Request) -> Result<(), Rejection> {
    let to_remember = state
        .persisted
        .resolve(request)
        .map_err(Rejection::PersistedQuery)?;
    if request.query.trim().is_empty() {
        return Err(Rejection::NoQuery);
    }
    limits::document::check(&request.query, &state.settings.limits)
        .map_err(Rejection::DocumentLimit)?;
    if let Some(hash) = to_remember {
        state.persisted.remember(hash, &request.query);
    }
    state.documents.attach(request);
    crate::documents::omit_unprovided_variables(request);
    Ok(())
}

/// Whether the request may run mutations: it carries the admin secret (compared in constant
/// time), or no secret is set.
fn may_mutate(settings: &HttpSettings, headers: &HeaderMap) -> bool {
    let Some(secret) = &settings.admin_secret else {
        return true;
    };
    headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .is_some_and(|token| bool::from(token.trim().as_bytes().ct_eq(secret.as_bytes())))
}

/// Checks that a POST body is JSON in UTF-8 (`charset=utf-8`, or no charset: JSON is UTF-8).
fn check_content_type(headers: &HeaderMap) -> Result<(), Rejection> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let mut parts = content_type.split(';');
    let essence = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    if essence != "application/json" && !essence.ends_with("+json") {
        return Err(Rejection::NotJson);
    }
    let charset = parts
        .filter_map(|param| param.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("charset"))
        .map(|(_, value)| value.trim().trim_matches('"').to_owned());
    match charset {
        Some(charset) if !charset.eq_ignore_ascii_case("utf-8") => Err(Rejection::NotUtf8(charset)),
        _ => Ok(()),
    }
}

async fn graphql_post(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    if media::wants_event_stream(&headers) {
        let admitted = check_content_type(&headers).and_then(|()| {
            let mut request = parse_body(&body)?;
            admit(&state, &mut request)?;
            Ok(request)
        });
        let may_mutate = may_mutate(&state.settings, &headers);
        return sse::answer(&state, admitted, sse::Method::Post { may_mutate }).await;
    }
    let media = MediaType::negotiate(&headers);
    answer_post(&state, &headers, &body, media)
        .await
        .unwrap_or_else(|rejection| rejection.respond(media))
}

async fn answer_post(
    state: &AppState,
    headers: &HeaderMap,
    body: &[u8],
    media: MediaType,
) -> Result<Response, Rejection> {
    check_content_type(headers)?;
    let mut request = parse_body(body)?;
    admit(state, &mut request)?;
    if !may_mutate(&state.settings, headers) && is_mutation(&mut request) {
        return Err(Rejection::MutationNeedsSecret);
    }
    if runs(&mut request, OperationType::Subscription) {
        return Err(Rejection::SubscriptionNeedsStream);
    }
    execute(state, request, media).await
}

/// The GraphQL request a POST body holds.
fn parse_body(body: &[u8]) -> Result<async_graphql::Request, Rejection> {
    serde_json::from_slice(body).map_err(|err| Rejection::Malformed {
        source: "body",
        detail: err.to_string(),
    })
}

/// The GraphQL request a GET query string holds.
fn parse_query_string(query: &str) -> Result<async_graphql::Request, Rejection> {
    async_graphql::http::parse_query_string(query).map_err(|err| Rejection::Malformed {
        source: "query string",
        detail: err.to_string(),
    })
}

async fn graphql_get(
    State(state): State<AppState>,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    RawQuery(query): RawQuery,
) -> Response {
    if let Ok(upgrade) = upgrade {
        return socket::upgrade(state, upgrade, &headers);
    }
    let media = MediaType::negotiate(&headers);
    answer_get(&state, peer, &headers, query, media)
        .await
        .unwrap_or_else(|rejection| rejection.respond(media))
}

async fn answer_get(
    state: &AppState,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: &HeaderMap,
    query: Option<String>,
    media: MediaType,
) -> Result<Response, Rejection> {
    let query = query.unwrap_or_default();
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    if query.is_empty() && wants_html {
        // The admin secret is pre-filled only for someone using the playground on this machine.
        let peer = peer.map(|Extension(ConnectInfo(peer))| peer);
        let secret = state.settings.admin_secret.as_deref();
        let secret = secret.filter(|_| playground::is_local(peer, headers));
        return Ok(playground::page(secret));
    }
    if media::wants_event_stream(headers) {
        let admitted = parse_query_string(&query).and_then(|mut request| {
            admit(state, &mut request)?;
            Ok(request)
        });
        return Ok(sse::answer(state, admitted, sse::Method::Get).await);
    }
    let mut request = parse_query_string(&query)?;
    admit(state, &mut request)?;
    if is_mutation(&mut request) {
        return Err(Rejection::MutationOverGet);
    }
    if runs(&mut request, OperationType::Subscription) {
        return Err(Rejection::SubscriptionNeedsStream);
    }
    execute(state, request, media).await
}

/// The name of the operation the request runs: the one it asks for, or the only named one in
/// its document. (The parsed document is kept in the request, so it is not parsed twice.)
fn operation_name(request: &mut async_graphql::Request) -> Option<String> {
    if request.operation_name.is_some() {
        return request.operation_name.clone();
    }
    match &request.parsed_query().ok()?.operations {
        DocumentOperations::Multiple(operations) if operations.len() == 1 => {
            operations.keys().next().map(ToString::to_string)
        }
        _ => None,
    }
}

/// Whether the operation the request would run is a mutation.
fn is_mutation(request: &mut async_graphql::Request) -> bool {
    runs(request, OperationType::Mutation)
}

/// Whether the operation the request would run is of type `ty` (any operation of its document
/// that its operation name selects, so a document of several without a name counts if one is).
/// A document that does not parse is left to the executor, which reports it the standard way.
fn runs(request: &mut async_graphql::Request, ty: OperationType) -> bool {
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
        selected && op.node.ty == ty
    })
}

async fn execute(
    state: &AppState,
    mut request: async_graphql::Request,
    media: MediaType,
) -> Result<Response, Rejection> {
    let operation = operation_name(&mut request);
    let mutation = is_mutation(&mut request);
    let started = Instant::now();
    let running = telemetry::counting_statements(graphql::execute(
        &state.schema,
        request,
        &state.db,
        state.group.as_ref(),
        &state.settings.limits,
    ));
    let finished = tokio::time::timeout(state.settings.request_timeout, running).await;
    if mutation {
        state.hub.written();
    }
    let (outcome, statements) = match &finished {
        Ok((response, statements)) if response.is_ok() => ("ok", *statements),
        Ok((_, statements)) => ("error", *statements),
        Err(_) => ("timeout", 0),
    };
    let span = tracing::Span::current();
    span.record("operation", operation.as_deref().unwrap_or("-"));
    span.record("sql_statements", statements);
    let seconds = started.elapsed().as_secs_f64();
    telemetry::record_request(operation.as_deref(), outcome, seconds, statements);
    tracing::debug!(outcome, statements, seconds, "graphql request");
    match finished {
        Ok((response, _)) => Ok(media::answer(response, media)),
        Err(_) => Err(Rejection::Timeout),
    }
}

async fn health(State(state): State<AppState>) -> Response {
    match crate::store::ping(&state.db.connection).await {
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
