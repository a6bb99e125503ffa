//! The resolvers behind every entity's list, nested list, connection, aggregate and lookup
//! fields, once
//! for all four entities, and [`shared_queries!`], which declares an entity's `xConnection` and
//! `xAggregate` fields.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::{Context, Result, ResultExt};
use sea_orm::{Condition, ConnectionTrait as _, EntityTrait};

use super::connection::{PageArgs, Paged, connection as connection_page};
use super::filter::{OrderBy, condition_of, sort_keys};
use super::loader::ChildrenOf;
use super::table::{Column, Table};
use super::{db, loader, reads, request_db};
use crate::domain::page::{ChildPage, Page};
use crate::store;
use crate::store::rows::Reads as _;
use crate::store::sql::{self, ChildrenQuery};

/// Row `id` of `T`, or `None`; one statement, its to-one relation joined in when the
/// selection asks for it.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find<T: Table>(ctx: &Context<'_>, id: i32) -> Result<Option<T>> {
    let join = T::JOINS.is_some_and(|field| ctx.look_ahead().field(field).exists());
    T::lookup(&reads(ctx)?, id, join).await.extend()
}

/// The rows of `T` that meet `filter` and `extra`, in the order `order_by` then `id`; one page
/// of them when `page` is given.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn list<T: Table>(
    ctx: &Context<'_>,
    filter: Option<&T::Where>,
    extra: Condition,
    order_by: Option<&[OrderBy<T::Field>]>,
    page: Option<Page>,
) -> Result<Vec<T>> {
    let db = reads(ctx)?;
    let condition = condition_of(filter, db.executor().get_database_backend()).add(extra);
    let keys = sort_keys(order_by, T::ID);
    let rows = store::list::<T::Entity>(&db, condition, &keys, page)
        .await
        .extend()?;
    Ok(rows.into_iter().map(T::from_row).collect())
}

/// The children of `parent` (the rows of `T` whose `parent_column` is `parent`) that meet
/// `filter` and `extra`, in the order `order_by` then `id`, one `page` of them: loaded in one
/// batch with every other parent of the list level that asks the same.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn children<T: Table>(
    ctx: &Context<'_>,
    parent: i32,
    parent_column: Column<T>,
    filter: Option<&T::Where>,
    extra: Condition,
    order_by: Option<&[OrderBy<T::Field>]>,
    page: ChildPage,
) -> Result<Vec<T>> {
    let query = ctx.data::<ChildQueries>()?.for_field(ctx, || {
        let backend = db(ctx)?.get_database_backend();
        let condition = condition_of(filter, backend).add(extra);
        let keys = sort_keys(order_by, T::ID);
        Ok(ChildrenQuery::<T::Entity>::new(
            backend,
            parent_column,
            condition,
            keys,
            page.skip(),
            page.limit(),
        ))
    })?;
    let key = ChildrenOf::<T>::new(parent, query);
    let rows = loader(ctx)?.load_one(key).await.extend()?;
    Ok(rows
        .unwrap_or_default()
        .into_iter()
        .map(T::from_row)
        .collect())
}

/// The nested-list queries of one request, by the field selection they answer: every parent of
/// a list level resolves the same selection with the same arguments, so its query (and the
/// statement text that identifies it) is built once per selection, not once per parent.
#[derive(Default)]
pub struct ChildQueries {
    by_selection: Mutex<HashMap<(usize, TypeId), Arc<dyn Any + Send + Sync>>>,
}

impl ChildQueries {
    /// The query of `ctx`'s field selection, built by `build` the first time it is asked for.
    fn for_field<E: EntityTrait>(
        &self,
        ctx: &Context<'_>,
        build: impl FnOnce() -> Result<ChildrenQuery<E>>,
    ) -> Result<Arc<ChildrenQuery<E>>> {
        // The selection's node in the parsed document: the same for every parent of the
        // level, different for another alias or another place in the document.
        let selection = std::ptr::from_ref(ctx.item) as usize;
        let key = (selection, TypeId::of::<E>());
        let lock = || {
            self.by_selection
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
        };
        if let Some(query) = lock()
            .get(&key)
            .and_then(|query| query.clone().downcast().ok())
        {
            return Ok(query);
        }
        let query = Arc::new(build()?);
        lock().insert(key, query.clone());
        Ok(query)
    }
}

/// The rows of `T` that meet `filter`, in the order `order_by` then `id`, as a Relay
/// connection.
///
/// # Errors
/// `BAD_USER_INPUT` for bad page arguments or cursors; `Internal` when the database fails.
pub async fn connection<T: Table>(
    ctx: &Context<'_>,
    filter: Option<&T::Where>,
    order_by: Option<&[OrderBy<T::Field>]>,
    args: PageArgs,
) -> Result<Paged<T>> {
    let db = request_db(ctx)?;
    let condition = condition_of(filter, db.executor().get_database_backend());
    let keys = sort_keys(order_by, T::ID);
    connection_page::<T::Entity, T>(db, condition, keys, args, T::from_row)
        .await
        .extend()
}

/// The statistics of the rows of `T` that meet `filter`, per group of `group_by` (one group
/// without).
///
/// # Errors
/// `Internal` when the database fails.
pub async fn groups<T: Table>(
    ctx: &Context<'_>,
    filter: Option<&T::Where>,
    group_by: Option<Vec<T::Field>>,
) -> Result<Vec<T::Aggregate>> {
    use super::aggregate::Statistics as _;
    use sea_orm::IdenStatic as _;
    let db = db(ctx)?;
    let condition = condition_of(filter, db.get_database_backend());
    let mut columns: Vec<Column<T>> = Vec::new();
    for column in group_by.unwrap_or_default().into_iter().map(Into::into) {
        if !columns.iter().any(|c| c.as_str() == column.as_str()) {
            columns.push(column);
        }
    }
    let groups = sql::aggregate::<T::Entity>(&db, condition, &columns, T::Aggregate::COMPUTED)
        .await
        .map_err(crate::error::AppError::from)
        .extend()?;
    Ok(groups.into_iter().map(Into::into).collect())
}

/// Declares the query fields every entity has, `xConnection`, `xAggregate` and the lookup by
/// id (with the descriptions given), as a query root of their own (`$Shared`) for the
/// entity's `MergedObject` to place after its own list fields.
///
/// They cannot share one `#[Object]` block with hand-written fields: a `complexity` written
/// outside the macro would not see async-graphql's `child_complexity` through its hygiene.
macro_rules! shared_queries {
    (
        $Shared:ident for $Node:ty;
        $(#[$connection_doc:meta])* connection $connection:ident;
        $(#[$aggregate_doc:meta])* aggregate $aggregate:ident;
        $(#[$lookup_doc:meta])* lookup $lookup:ident;
    ) => {
        /// The queries every entity has.
        #[derive(Default)]
        pub struct $Shared;

        #[async_graphql::Object]
        impl $Shared {
            $(#[$connection_doc])*
            #[allow(clippy::too_many_arguments)]
            #[graphql(complexity = "list_cost(first.or(last), child_complexity)")]
            async fn $connection(
                &self,
                ctx: &async_graphql::Context<'_>,
                first: Option<i32>,
                after: Option<String>,
                last: Option<i32>,
                before: Option<String>,
                offset: Option<i32>,
                #[graphql(name = "where")] filter: Option<<$Node as $crate::graphql::table::Table>::Where>,
                order_by: Option<Vec<$crate::graphql::filter::OrderBy<<$Node as $crate::graphql::table::Table>::Field>>>,
            ) -> async_graphql::Result<$crate::graphql::connection::Paged<$Node>> {
                let args = $crate::graphql::connection::PageArgs { first, after, last, before, offset };
                $crate::graphql::listing::connection::<$Node>(
                    ctx,
                    filter.as_ref(),
                    order_by.as_deref(),
                    args,
                )
                .await
            }

            $(#[$aggregate_doc])*
            #[graphql(complexity = "list_cost(None, child_complexity)")]
            async fn $aggregate(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(name = "where")] filter: Option<<$Node as $crate::graphql::table::Table>::Where>,
                group_by: Option<Vec<<$Node as $crate::graphql::table::Table>::Field>>,
            ) -> async_graphql::Result<Vec<<$Node as $crate::graphql::table::Table>::Aggregate>> {
                $crate::graphql::listing::groups::<$Node>(ctx, filter.as_ref(), group_by).await
            }

            $(#[$lookup_doc])*
            async fn $lookup(
                &self,
                ctx: &async_graphql::Context<'_>,
                id: i32,
            ) -> async_graphql::Result<Option<$Node>> {
                $crate::graphql::listing::find::<$Node>(ctx, id).await
            }
        }
    };
}
pub(crate) use shared_queries;
