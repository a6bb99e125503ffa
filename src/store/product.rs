//! Reads and writes of `products`.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;

use super::with_folded;
use crate::domain::product::{NewProduct, ProductPatch};
use crate::entity::product::{ActiveModel, Entity, Model};
use crate::error::{AppError, on_constraint};

const NOT_FOUND: AppError = AppError::NotFound("Product not found");
const NO_CATEGORY: AppError = AppError::NotFound("Category not found");

/// The row of a new product.
pub fn inserted(new: NewProduct) -> ActiveModel {
    let mut model = ActiveModel {
        price: Set(new.price.get()),
        stock: Set(new.stock.get()),
        category_id: Set(new.category_id),
        ..Default::default()
    };
    (model.name, model.name_folded) = with_folded(new.name);
    model
}

/// The changes `patch` makes to a product's row.
fn changes(patch: ProductPatch) -> ActiveModel {
    let mut model = ActiveModel {
        ..Default::default()
    };
    if let Some(name) = patch.name {
        (model.name, model.name_folded) = with_folded(name);
    }
    if let Some(price) = patch.price {
        model.price = Set(price.get());
    }
    if let Some(stock) = patch.stock {
        model.stock = Set(stock.get());
    }
    if let Some(category_id) = patch.category_id {
        model.category_id = Set(category_id);
    }
    model
}

/// Inserts a product and returns it as stored.
///
/// # Errors
/// `NotFound` (`Category not found`) when the category does not exist.
pub async fn create(db: &impl ConnectionTrait, new: NewProduct) -> Result<Model, AppError> {
    super::write::insert_one::<Entity>(db, inserted(new))
        .await
        .map_err(|e| on_constraint(e, None, Some(NO_CATEGORY)))
}

/// Applies `patch` to product `id`, if it was last changed at `expected` (when given), and
/// returns the product as it is now.
///
/// # Errors
/// `NotFound` when there is no such product or the new category does not exist, `Stale`
/// when it changed since `expected`.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i32,
    patch: ProductPatch,
    expected: Option<DateTime<Utc>>,
) -> Result<Model, AppError> {
    super::write::update::<Entity>(db, id, changes(patch), expected)
        .await
        .map_err(|e| on_constraint(e, None, Some(NO_CATEGORY)))?
        .or(NOT_FOUND)
}

/// Deletes product `id`, if it was last changed at `expected` (when given), and returns it as
/// it was.
///
/// # Errors
/// `NotFound` when there is no such product, `Stale` when it changed since `expected`.
pub async fn delete(
    db: &impl ConnectionTrait,
    id: i32,
    expected: Option<DateTime<Utc>>,
) -> Result<Model, AppError> {
    super::write::delete::<Entity>(db, id, expected)
        .await?
        .or(NOT_FOUND)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::product::{Price, ProductName, Stock};
    use crate::store::tests::assert_twins_set_together;

    #[test]
    fn every_text_is_stored_with_its_folded_twin() -> Result<(), AppError> {
        let name = ProductName::parse("Lamp")?;
        let new = NewProduct {
            name: name.clone(),
            price: Price::parse(1.0)?,
            stock: Stock::parse(2)?,
            category_id: None,
        };
        assert_twins_set_together(&inserted(new));
        let patch = ProductPatch {
            name: Some(name),
            ..ProductPatch::default()
        };
        assert_twins_set_together(&changes(patch));
        Ok(())
    }
}
