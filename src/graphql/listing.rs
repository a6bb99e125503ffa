//! The resolvers behind every entity's list, connection and aggregate fields: `where`,
//! `orderBy` and `groupBy` become SQL here, once for all four entities.

use async_graphql::{Context, InputType, OutputType, Result, ResultExt};
use sea_orm::{Condition, EntityTrait, IdenStatic, ModelTrait};

use super::connection::{PageArgs, Paged, connection};
use super::db;
use super::filter::{OrderBy, WhereInput, condition_of, sort_keys};
use crate::domain::page::Page;
use crate::error::AppError;
use crate::store;
use crate::store::query::{self, Aggregate, Group};

/// The rows of `E` that meet `filter` and `extra`, in the order `order_by` then `id`; one page
/// of them when `page` is given.
pub async fn list<E, W, F>(
    ctx: &Context<'_>,
    filter: Option<&W>,
    extra: Condition,
    order_by: Option<&[OrderBy<F>]>,
    id: E::Column,
    page: Option<Page>,
) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    W: WhereInput,
    F: InputType + Copy + Into<E::Column>,
{
    let db = db(ctx)?;
    let condition = condition_of(filter, db.get_database_backend()).add(extra);
    let keys = sort_keys(order_by, id);
    store::list::<E>(db, condition, &keys, page).await.extend()
}

/// The rows of `E` that meet `filter`, in the order `order_by` then `id`, as a Relay
/// connection of `node(row)`.
pub async fn connection_of<E, W, F, N>(
    ctx: &Context<'_>,
    filter: Option<&W>,
    order_by: Option<&[OrderBy<F>]>,
    id: E::Column,
    args: PageArgs,
    node: impl Fn(E::Model) -> N,
) -> Result<Paged<N>>
where
    E: EntityTrait,
    E::Model: ModelTrait<Entity = E>,
    W: WhereInput,
    F: InputType + Copy + Into<E::Column>,
    N: OutputType,
{
    let db = db(ctx)?;
    let condition = condition_of(filter, db.get_database_backend());
    let keys = sort_keys(order_by, id);
    connection::<E, N>(db, condition, keys, args, node)
        .await
        .extend()
}

/// The groups of the rows of `E` that meet `filter`, by `group_by` (one group without), with
/// their counts and `aggregates`.
pub async fn groups<E, W, F>(
    ctx: &Context<'_>,
    filter: Option<&W>,
    group_by: Option<Vec<F>>,
    aggregates: &[(Aggregate, E::Column)],
) -> Result<Vec<Group>>
where
    E: EntityTrait,
    W: WhereInput,
    F: Into<E::Column>,
{
    let db = db(ctx)?;
    let condition = condition_of(filter, db.get_database_backend());
    let mut columns: Vec<E::Column> = Vec::new();
    for column in group_by.unwrap_or_default().into_iter().map(Into::into) {
        if !columns.iter().any(|c| c.as_str() == column.as_str()) {
            columns.push(column);
        }
    }
    query::aggregate::<E>(db, condition, &columns, aggregates)
        .await
        .map_err(AppError::from)
        .extend()
}
