//! The GraphQL schema: one module per entity (type, inputs, queries, mutations), merged here.

mod category;
mod loader;
mod post;
mod product;
mod user;

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

fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query::default(), Mutation::default(), EmptySubscription)
}

/// The schema served over `db`. Build it once and share it: it is cheap to clone.
pub fn build_schema(db: DatabaseConnection) -> AgoraSchema {
    builder().data(db).finish()
}

/// The SDL of the schema, exactly as served (and as checked in as `schema.graphql`).
pub fn sdl() -> String {
    builder().finish().sdl()
}

/// Attaches what one request needs of its own: fresh DataLoaders, so nothing is cached across
/// requests and each nested list level costs one statement.
pub fn with_request_data(
    request: async_graphql::Request,
    db: &DatabaseConnection,
) -> async_graphql::Request {
    request.data(DataLoader::new(Loaders::new(db.clone()), tokio::spawn))
}

/// The database connection of the schema.
fn db<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
}

/// The request's DataLoader.
fn loader<'a>(ctx: &Context<'a>) -> async_graphql::Result<&'a DataLoader<Loaders>> {
    ctx.data::<DataLoader<Loaders>>()
}
