//! Database access, one module per table. Constraint violations become client errors here, where
//! the statement runs; everything above works with validated inputs and plain models.

pub mod category;
pub mod post;
pub mod product;
pub mod query;
pub mod user;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PrimaryKeyTrait,
    QueryFilter,
};

use crate::domain::page::Page;
use crate::error::AppError;
use query::Sort;

/// The rows of `E` that meet `condition`, in the total order `keys`, one page of them when
/// `page` is given (otherwise all).
///
/// # Errors
/// `Internal` when the database fails.
pub async fn list<E: EntityTrait>(
    db: &impl ConnectionTrait,
    condition: Condition,
    keys: &[Sort<E::Column>],
    page: Option<Page>,
) -> Result<Vec<E::Model>, AppError> {
    let select = query::ordered(
        E::find().filter(condition),
        db.get_database_backend(),
        keys,
        false,
    );
    let rows = match page {
        Some(page) => query::fetch_page(db, select, page.skip(), page.limit()).await?,
        None => select.all(db).await?,
    };
    Ok(rows)
}

/// Row `id` of `E`, if any.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find<E>(db: &impl ConnectionTrait, id: i32) -> Result<Option<E::Model>, AppError>
where
    E: EntityTrait,
    i32: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    Ok(query::fetch_first(db, E::find_by_id(id)).await?)
}

/// Applies `changes` to row `id` in one statement and returns the row as it is now, or `None`
/// when there is no such row. An update without changes just reads the row.
async fn update<E>(
    db: &impl ConnectionTrait,
    id: i32,
    id_column: E::Column,
    changes: E::ActiveModel,
) -> Result<Option<E::Model>, DbErr>
where
    E: EntityTrait,
    i32: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    if !changes.is_changed() {
        return query::fetch_first(db, E::find_by_id(id)).await;
    }
    let mut rows = E::update_many()
        .set(changes)
        .filter(id_column.eq(id))
        .exec_with_returning(db)
        .await?;
    Ok(rows.pop())
}

/// Deletes row `id` and returns it as it was, or `None` when there is no such row.
async fn delete<E>(db: &impl ConnectionTrait, id: i32) -> Result<Option<E::Model>, DbErr>
where
    E: EntityTrait,
    i32: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    E::delete_by_id(id).exec_with_returning(db).await
}
