//! Reads and writes of `products`.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QueryTrait,
};

use crate::domain::page::Page;
use crate::domain::product::{NewProduct, ProductPatch};
use crate::entity::product::{ActiveModel, Column, Entity, Model};
use crate::error::{AppError, on_constraint};

const NOT_FOUND: AppError = AppError::NotFound("Product not found");
const NO_CATEGORY: AppError = AppError::NotFound("Category not found");

/// The optional conditions of a product list; all given ones must hold.
#[derive(Debug, Clone, Copy, Default)]
pub struct ProductConditions {
    /// Only products of this category.
    pub category_id: Option<i32>,
    /// Only products costing at least this much.
    pub min_price: Option<f64>,
    /// Only products costing at most this much.
    pub max_price: Option<f64>,
    /// `true`: only products with stock > 0; `false`: only those with stock = 0.
    pub in_stock: Option<bool>,
}

/// One page of the products that meet `conditions`, ordered by id.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn list(
    db: &impl ConnectionTrait,
    conditions: ProductConditions,
    page: Page,
) -> Result<Vec<Model>, AppError> {
    let select = Entity::find()
        .apply_if(conditions.category_id, |q, id| {
            q.filter(Column::CategoryId.eq(id))
        })
        .apply_if(conditions.min_price, |q, min| {
            q.filter(Column::Price.gte(min))
        })
        .apply_if(conditions.max_price, |q, max| {
            q.filter(Column::Price.lte(max))
        })
        .apply_if(conditions.in_stock, |q, in_stock| {
            q.filter(if in_stock {
                Column::Stock.gt(0)
            } else {
                Column::Stock.eq(0)
            })
        });
    Ok(super::page(db, select, Column::Id, page).await?)
}

/// The product `id`, if any.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<Option<Model>, AppError> {
    Ok(Entity::find_by_id(id).one(db).await?)
}

/// All products of the given categories, ordered by id.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn of_categories(
    db: &impl ConnectionTrait,
    category_ids: &[i32],
) -> Result<Vec<Model>, AppError> {
    Ok(Entity::find()
        .filter(Column::CategoryId.is_in(category_ids.iter().copied()))
        .order_by_asc(Column::Id)
        .all(db)
        .await?)
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
