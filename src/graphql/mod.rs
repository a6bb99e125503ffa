//! The GraphQL schema: one module per entity (type, inputs, queries, mutations), merged here.

mod category;
mod connection;
mod filter;
mod loader;
mod post;
mod product;
mod user;

use std::time::Duration;

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, EmptySubscription, MergedObject, Schema, SchemaBuilder};
use sea_orm::DatabaseConnection;

use loader::Loaders;

/// The root query type: every entity's queries.
#[derive(MergedObject, Default)]
pub struct Query(
    user::UserQuery,
    post::PostQuery,
    category::CategoryQuery,
    product::ProductQuery,
);

/// The root mutation type: every entity's mutations.
#[derive(MergedObject, Default)]
pub struct Mutation(
    user::UserMutation,
    post::PostMutation,
    category::CategoryMutation,
    product::ProductMutation,
);

/// agora's executable schema.
pub type AgoraSchema = Schema<Query, Mutation, EmptySubscription>;

/// Deepest field nesting a query may have (GraphiQL's introspection query needs 13).
pub const MAX_DEPTH: usize = 16;

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    // No "did you mean" hints: they map the schema for whoever probes it.
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
        .limit_depth(MAX_DEPTH)
        .disable_suggestions()
}

/// The schema served over `db`. Build it once and share it: it is cheap to clone.
pub fn build_schema(db: DatabaseConnection) -> AgoraSchema {
    builder().data(db).finish()
}

/// The SDL of the schema, exactly as served (and as checked in as `schema.graphql`).
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// Executes one request with DataLoaders of its own (nothing is cached across requests).
///
/// The loaders' batch tasks run on this request's task instead of the runtime's worker threads:
/// a batch then cannot fire on another thread while this request is still queueing keys, so a
/// nested list level costs one statement even on a busy machine.
pub async fn execute(
    schema: &AgoraSchema,
    request: async_graphql::Request,
    db: &DatabaseConnection,
) -> async_graphql::Response {
    let (spawner, batches) = loader::BatchQueue::new();
    // No extra wait: a batch starts as soon as the request has nothing else to do.
    let loader = DataLoader::new(Loaders::new(db.clone()), spawner).delay(Duration::ZERO);
    batches
        .drive_alongside(schema.execute(request.data(loader)))
        .await
}

/// A row count as a GraphQL `Int` (counts beyond its range are shown as its maximum).
fn count_int(count: i64) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

/// An integer aggregate as a GraphQL `Int`.
///
/// # Errors
/// When the value does not fit a 32-bit `Int`.
fn aggregate_int(value: Option<i64>) -> async_graphql::Result<Option<i32>> {
    value
        .map(|value| {
            i32::try_from(value)
                .map_err(|_| async_graphql::Error::new("The sum exceeds the range of Int"))
        })
        .transpose()
}

/// The database connection of the schema.
fn db<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// The request's DataLoader.
fn loader<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DataLoader<Loaders>> {
    ctx.data::<DataLoader<Loaders>>()
}
