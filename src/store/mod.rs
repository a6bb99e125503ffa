//! Database access, one module per table. Constraint violations become client errors here, where
//! the statement runs; everything above works with validated inputs and plain models.

pub mod category;
pub mod post;
pub mod product;
pub mod query;
pub mod user;

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PrimaryKeyTrait,
    QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::domain::page::Page;

/// One page of `select`, ordered by `id`.
async fn page<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: E::Column,
    page: Page,
) -> Result<Vec<E::Model>, DbErr> {
    select
        .order_by_asc(id)
        .offset(page.skip())
        .limit(page.limit())
        .all(db)
        .await
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
        return E::find_by_id(id).one(db).await;
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
