//! Per-request DataLoaders for the nested fields: every parent of a list level is loaded with
//! one statement, whatever the page size (no N+1). A key holds the very query that will run,
//! so two selections batch together only when they would run the same statement. A to-one row
//! that the parent's own statement read ([`Joined`]) is used as it is.

use std::collections::HashMap;
use std::hash::Hash;
use std::marker::PhantomData;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ResultExt};
use sea_orm::{ModelTrait, Value};

use super::table::{Row, Table};
use crate::db::RequestDb;
use crate::error::AppError;
use crate::store;
use crate::store::sql::ChildrenQuery;

/// Loads related rows in batches; one per request.
pub struct Loaders {
    db: RequestDb,
}

impl Loaders {
    /// Loaders over `db`.
    pub fn new(db: RequestDb) -> Self {
        Self { db }
    }
}

/// A row of `T` by its id (for `Post.author`, `Product.category`).
pub struct ById<T>(i32, PhantomData<fn() -> T>);

impl<T> ById<T> {
    /// The row whose id is `id`.
    pub fn new(id: i32) -> Self {
        Self(id, PhantomData)
    }
}

impl<T> Clone for ById<T> {
    fn clone(&self) -> Self {
        Self::new(self.0)
    }
}

impl<T> PartialEq for ById<T> {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}

impl<T> Eq for ById<T> {}

impl<T> Hash for ById<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
    }
}

/// The row of a to-one relation as the parent's own statement read it: `None` when that statement
/// did not join it, `Some(None)` when it did and found no row.
pub type Joined<M> = Option<Option<M>>;

/// The row of `T` whose id is `id`: the one in `joined` if the parent's statement read it, else
/// loaded in the request's batch.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn to_one<T: Table>(
    ctx: &Context<'_>,
    id: i32,
    joined: &Joined<Row<T>>,
) -> async_graphql::Result<Option<T>> {
    let row = match joined {
        Some(row) => row.clone(),
        None => super::loader(ctx)?
            .load_one(ById::<T>::new(id))
            .await
            .extend()?,
    };
    Ok(row.map(T::from_row))
}

/// The children of one parent under one query (for `User.posts`, `Category.products`).
pub struct ChildrenOf<T: Table> {
    parent: i32,
    query: Arc<ChildrenQuery<T::Entity>>,
}

impl<T: Table> ChildrenOf<T> {
    /// The children of `parent` that `query` finds.
    pub fn new(parent: i32, query: Arc<ChildrenQuery<T::Entity>>) -> Self {
        Self { parent, query }
    }
}

impl<T: Table> Clone for ChildrenOf<T> {
    fn clone(&self) -> Self {
        Self::new(self.parent, self.query.clone())
    }
}

impl<T: Table> PartialEq for ChildrenOf<T> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.query == other.query
    }
}

impl<T: Table> Eq for ChildrenOf<T> {}

impl<T: Table> Hash for ChildrenOf<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parent.hash(state);
        self.query.hash(state);
    }
}

/// An integer column's value, if it holds one.
fn int_of(value: Value) -> Option<i32> {
    match value {
        Value::Int(value) => value,
        _ => None,
    }
}

impl<T: Table> Loader<ById<T>> for Loaders {
    type Value = Row<T>;
    type Error = AppError;

    async fn load(&self, keys: &[ById<T>]) -> Result<HashMap<ById<T>, Row<T>>, AppError> {
        let ids: Vec<i32> = keys.iter().map(|key| key.0).collect();
        let rows = store::find_many::<T::Entity>(&self.db.reads(), T::ID, &ids).await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| Some((ById::new(int_of(row.get(T::ID))?), row)))
            .collect())
    }
}

impl<T: Table> Loader<ChildrenOf<T>> for Loaders {
    type Value = Vec<Row<T>>;
    type Error = AppError;

    /// One statement per distinct query in the batch (a list level usually has one).
    async fn load(
        &self,
        keys: &[ChildrenOf<T>],
    ) -> Result<HashMap<ChildrenOf<T>, Vec<Row<T>>>, AppError> {
        let mut children: HashMap<ChildrenOf<T>, Vec<Row<T>>> =
            keys.iter().map(|key| (key.clone(), Vec::new())).collect();
        let mut done: Vec<&ChildrenQuery<T::Entity>> = Vec::new();
        for key in keys {
            let query = &key.query;
            if done.contains(&query.as_ref()) {
                continue;
            }
            done.push(query);
            let parents: Vec<i32> = keys
                .iter()
                .filter(|other| other.query == *query)
                .map(|other| other.parent)
                .collect();
            for row in query.run(&self.db.reads(), &parents).await? {
                let Some(parent) = int_of(row.get(query.parent_column())) else {
                    continue;
                };
                let key = ChildrenOf::new(parent, query.clone());
                if let Some(list) = children.get_mut(&key) {
                    list.push(row);
                }
            }
        }
        Ok(children)
    }
}
