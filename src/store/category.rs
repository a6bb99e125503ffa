//! Reads and writes of `categories`.

use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use crate::domain::category::CategoryName;
use crate::entity::category::{ActiveModel, Column, Entity, Model};
use crate::error::{AppError, on_constraint};

const NOT_FOUND: AppError = AppError::NotFound("Category not found");
const NAME_TAKEN: AppError = AppError::Conflict("Category name already exists");

/// The category `id`, if any.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<Option<Model>, AppError> {
    super::find::<Entity>(db, id).await
}

/// The categories among `ids`, in no particular order.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find_many(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<Model>, AppError> {
    Ok(Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Inserts a category and returns it as stored.
///
/// # Errors
/// `Conflict` when the name is taken.
pub async fn create(db: &impl ConnectionTrait, name: CategoryName) -> Result<Model, AppError> {
    ActiveModel::from(name)
        .insert(db)
        .await
        .map_err(|e| on_constraint(e, Some(NAME_TAKEN), None))
}

/// Renames category `id` (no name leaves it as it is) and returns it.
///
/// # Errors
/// `NotFound` when there is no such category, `Conflict` when the name is taken.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i32,
    name: Option<CategoryName>,
) -> Result<Model, AppError> {
    let changes = name.map(ActiveModel::from).unwrap_or_default();
    super::update::<Entity>(db, id, Column::Id, changes)
        .await
        .map_err(|e| on_constraint(e, Some(NAME_TAKEN), None))?
        .ok_or(NOT_FOUND)
}

/// Deletes category `id` (its products stay, without a category) and returns it as it was.
///
/// # Errors
/// `NotFound` when there is no such category.
pub async fn delete(db: &impl ConnectionTrait, id: i32) -> Result<Model, AppError> {
    super::delete::<Entity>(db, id).await?.ok_or(NOT_FOUND)
}
