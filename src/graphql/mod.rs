//! The GraphQL schema: one module per entity (type, columns, inputs, queries, mutations) over
//! the shared pieces, merged here.

mod aggregate;
mod atomic;
mod batch;
mod category;
mod connection;
mod filter;
pub mod group_commit;
mod in_place;
mod listing;
mod loader;
mod mutation;
mod node;
mod post;
mod product;
pub mod subscription;
mod table;
mod typename;
mod user;

use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use std::sync::Arc;

use async_graphql::futures_util::{Stream, StreamExt as _};
use async_graphql::{Context, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseExecutor;

use crate::db::{Pool, RequestDb};
use crate::error;
use crate::limits::{self, Limits};
use crate::live::Hub;
use loader::Loaders;

/// The root query type: every entity's queries.
#[derive(MergedObject, Default)]
pub struct Query(
    user::UserQuery,
    post::PostQuery,
    category::CategoryQuery,
    product::ProductQuery,
    node::NodeQuery,
);

/// The root mutation type: every entity's mutations.
#[derive(MergedObject, Default)]
pub struct Mutation(
    user::UserMutation,
    post::PostMutation,
    category::CategoryMutation,
    product::ProductMutation,
);

pub use subscription::Subscription;

/// agora's executable schema.
pub type AgoraSchema = Schema<Query, Mutation, Subscription>;

/// How many items a list without a page size is assumed to hold, for its cost.
const UNBOUNDED_LIST_COST: i32 = 10;

/// The cost of a list field of `size` items (at most 100), each costing `child_complexity`.
fn list_cost(size: Option<i32>, child_complexity: usize) -> usize {
    let size = size
        .unwrap_or(UNBOUNDED_LIST_COST)
        .clamp(0, 100)
        .unsigned_abs() as usize;
    1 + size * child_complexity
}

fn builder() -> SchemaBuilder<Query, Mutation, Subscription> {
    // No "did you mean" hints: they map the schema for whoever probes it.
    Schema::build(
        Query::default(),
        Mutation::default(),
        Subscription::default(),
    )
    .disable_suggestions()
    .directive(atomic::Atomic)
}

/// The schema served over `db`, its subscriptions fed by `hub`, enforcing the depth and cost
/// `limits`. Build it once and share it: it is cheap to clone.
pub fn build_schema(db: Pool, hub: Arc<Hub>, limits: &Limits) -> AgoraSchema {
    builder()
        .limit_depth(limits.max_query_depth)
        .limit_complexity(limits.max_query_complexity)
        .data(RequestDb::Pool(db))
        .data(hub)
        .finish()
}

/// The SDL of the schema, exactly as served (and as checked in as `schema.graphql`).
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// Executes one request: a query on the pool; a mutation on SQLite in the open commit group
/// (`group`, see `graphql/group_commit.rs`), on PostgreSQL on the pool, or, marked `@atomic`,
/// in one transaction of its own (see `graphql/atomic.rs`).
///
/// `limits` must be those the schema was built with: they name its refusals. Unexpected errors
/// are logged here, once per response.
pub async fn execute(
    schema: &AgoraSchema,
    mut request: async_graphql::Request,
    db: &Pool,
    group: Option<&Arc<group_commit::GroupCommit>>,
    limits: &Limits,
) -> async_graphql::Response {
    if let Ok(document) = request.parsed_query() {
        let errors = typename::check(document);
        if !errors.is_empty() {
            return async_graphql::Response::from_errors(errors);
        }
    }
    let mut response = match (atomic::mutation(&mut request), group) {
        (Some(atomic), Some(group)) => {
            let schema = schema.clone();
            group
                .run(
                    atomic,
                    move |db| async move { run(&schema, request, db).await },
                )
                .await
        }
        (Some(true), None) => match atomic::begin(&db.connection).await {
            Ok(transaction) => {
                let transaction = Arc::new(transaction);
                let db = RequestDb::Atomic(transaction.clone());
                let response = run(schema, request, db).await;
                atomic::finish(transaction, response).await
            }
            Err(err) => async_graphql::Response::from_errors(vec![atomic::server_error(&err)]),
        },
        _ => run(schema, request, RequestDb::Pool(db.clone())).await,
    };
    limits::name_refusals(&mut response, limits);
    error::log_unexpected(&response.errors);
    response
}

/// Runs `request` on `db` with DataLoaders of its own (nothing is cached across requests).
///
/// The loaders' batch tasks run on this request's task instead of the runtime's worker threads:
/// a batch then cannot fire on another thread while this request is still queueing keys, so a
/// nested list level costs one statement even on a busy machine.
async fn run(
    schema: &AgoraSchema,
    request: async_graphql::Request,
    db: RequestDb,
) -> async_graphql::Response {
    let (spawner, batches) = batch::BatchQueue::new();
    // No extra wait: a batch starts as soon as the request has nothing else to do.
    let loader = DataLoader::new(Loaders::new(db.clone()), spawner).delay(Duration::ZERO);
    let mut request = request.data(loader).data(listing::ChildQueries::default());
    if !matches!(db, RequestDb::Pool(_)) {
        request = request.data(db);
    }
    // Boxed where it is made: async-graphql's execution is a future of several KiB, and every
    // wrapper above (the batch driver, the request's timeout, its statement count) would
    // otherwise copy all of it when it takes it.
    batches
        .drive_alongside(Box::pin(schema.execute(request)))
        .await
}

/// Runs a subscription: one response per event it delivers, each resolved with DataLoaders
/// of the subscription's own (batching within the payload, caching nothing), starting at
/// `start` unless the subscription resumes after a cursor.
pub fn subscribe(
    schema: &AgoraSchema,
    mut request: async_graphql::Request,
    db: &Pool,
    start: subscription::StartAt,
    limits: Limits,
) -> impl Stream<Item = async_graphql::Response> + Send + 'static {
    if let Ok(document) = request.parsed_query() {
        let errors = typename::check(document);
        if !errors.is_empty() {
            let refused = async_graphql::Response::from_errors(errors);
            return async_graphql::futures_util::stream::once(async { refused }).boxed();
        }
    }
    let loader = DataLoader::new(Loaders::new(RequestDb::Pool(db.clone())), tokio::spawn);
    let request = request
        .data(loader)
        .data(listing::ChildQueries::default())
        .data(start);
    schema
        .execute_stream(request)
        .map(move |mut response| {
            limits::name_refusals(&mut response, &limits);
            error::log_unexpected(&response.errors);
            response
        })
        .boxed()
}

/// The database of the request (see [`RequestDb`]).
fn request_db<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a RequestDb> {
    ctx.data::<RequestDb>()
}

/// What the request's statements run on: the pool, or its `@atomic` transaction.
fn db<'a>(ctx: &Context<'a>) -> async_graphql::Result<DatabaseExecutor<'a>> {
    Ok(request_db(ctx)?.executor())
}

/// What the request's reads run on (see [`RequestDb::reads`]).
fn reads<'a>(ctx: &Context<'a>) -> async_graphql::Result<crate::db::Reader<'a>> {
    Ok(request_db(ctx)?.reads())
}

/// The request's DataLoader.
fn loader<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DataLoader<Loaders>> {
    ctx.data::<DataLoader<Loaders>>()
}
