//! Reads and writes of `products`.

use sea_orm::{ActiveModelTrait, ConnectionTrait};

use crate::domain::product::{NewProduct, ProductPatch};
use crate::entity::product::{ActiveModel, Column, Entity, Model};
use crate::error::{AppError, on_constraint};

const NOT_FOUND: AppError = AppError::NotFound("Product not found");
const NO_CATEGORY: AppError = AppError::NotFound("Category not found");

/// The product `id`, if any.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<Option<Model>, AppError> {
    super::find::<Entity>(db, id).await
}

/// Inserts a product and returns it as stored.
///
/// # Errors
/// `NotFound` (`Category not found`) when the category does not exist.
pub async fn create(db: &impl ConnectionTrait, new: NewProduct) -> Result<Model, AppError> {
    ActiveModel::from(new)
        .insert(db)
        .await
        .map_err(|e| on_constraint(e, None, Some(NO_CATEGORY)))
}

/// Applies `patch` to product `id` and returns the product as it is now.
///
/// # Errors
/// `NotFound` when there is no such product or the new category does not exist.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i32,
    patch: ProductPatch,
) -> Result<Model, AppError> {
    super::update::<Entity>(db, id, Column::Id, patch.into())
        .await
        .map_err(|e| on_constraint(e, None, Some(NO_CATEGORY)))?
        .ok_or(NOT_FOUND)
}

/// Deletes product `id` and returns it as it was.
///
/// # Errors
/// `NotFound` when there is no such product.
pub async fn delete(db: &impl ConnectionTrait, id: i32) -> Result<Model, AppError> {
    super::delete::<Entity>(db, id).await?.ok_or(NOT_FOUND)
}
