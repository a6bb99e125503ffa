//! Reads and writes of `products`.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, QueryFilter as _, QuerySelect as _,
    TransactionSession as _, TransactionTrait,
};

use super::with_folded;
use super::write;
use crate::domain::category::{CategoryName, NewProductOfCategory};
use crate::domain::product::{CategoryRef, NewProduct, Price, ProductName, ProductPatch, Stock};
use crate::entity::category;
use crate::entity::product::{ActiveModel, Entity, Model};
use crate::error::{AppError, on_constraint, violates_foreign_key};

const NOT_FOUND: AppError = AppError::NotFound("Product not found");
const NO_CATEGORY: AppError = AppError::NotFound("Category not found");

/// The row of a new product in category `category_id`.
fn row(name: ProductName, price: Price, stock: Stock, category_id: Option<i32>) -> ActiveModel {
    let mut model = ActiveModel {
        price: Set(price.get()),
        stock: Set(stock.get()),
        category_id: Set(category_id),
        ..Default::default()
    };
    (model.name, model.name_folded) = with_folded(name);
    model
}

/// The row of a new product, its category resolved to `category_id`.
pub fn inserted(new: NewProduct, category_id: Option<i32>) -> ActiveModel {
    row(new.name, new.price, new.stock, category_id)
}

/// The row of a product created with its category `category_id`.
pub fn inserted_of(category_id: i32, new: NewProductOfCategory) -> ActiveModel {
    row(new.name, new.price, new.stock, Some(category_id))
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

/// Inserts products, their categories by name first (created when absent), in one
/// transaction, and returns them in the order given.
async fn insert_connected(
    db: &(impl ConnectionTrait + TransactionTrait),
    news: Vec<NewProduct>,
) -> Result<Vec<Model>, DbErr> {
    let names: Vec<CategoryName> = news
        .iter()
        .filter_map(|new| match &new.category {
            Some(CategoryRef::Named(name)) => Some(name.clone()),
            _ => None,
        })
        .collect();
    let txn = db.begin().await?;
    let named = super::category::connect_named(&txn, names).await?;
    let rows: Vec<ActiveModel> = news
        .into_iter()
        .map(|mut new| {
            let category_id = match new.category.take() {
                Some(CategoryRef::Id(id)) => Some(id),
                Some(CategoryRef::Named(name)) => Some(
                    named
                        .iter()
                        .find(|category| category.name == name.as_str())
                        .ok_or_else(|| DbErr::RecordNotFound(format!("category {name:?}")))?
                        .id,
                ),
                None => None,
            };
            Ok(inserted(new, category_id))
        })
        .collect::<Result<_, DbErr>>()?;
    let products = write::insert::<Entity>(&txn, &rows).await?;
    txn.commit().await?;
    Ok(products)
}

/// Inserts a product (in the category it names, created when absent) and returns it as stored.
///
/// # Errors
/// `NotFound` (`Category not found`) when the category id does not exist.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    new: NewProduct,
) -> Result<Model, AppError> {
    let inserted = match new.category {
        Some(CategoryRef::Named(_)) => insert_connected(db, vec![new])
            .await
            .and_then(|mut rows| rows.pop().ok_or(DbErr::RecordNotInserted)),
        Some(CategoryRef::Id(id)) => write::insert_one::<Entity>(db, inserted(new, Some(id))).await,
        None => write::insert_one::<Entity>(db, inserted(new, None)).await,
    };
    inserted.map_err(|e| on_constraint(e, None, Some(NO_CATEGORY)))
}

/// Inserts products (in the categories they name, created when absent), all or none, and
/// returns them in the order given.
///
/// # Errors
/// `NotFound` (`Category not found`) naming the first item (`3.categoryId`) whose category id
/// does not exist.
pub async fn create_many(
    db: &(impl ConnectionTrait + TransactionTrait),
    news: Vec<NewProduct>,
) -> Result<Vec<Model>, AppError> {
    let ids: Vec<Option<i32>> = news
        .iter()
        .map(|new| match new.category {
            Some(CategoryRef::Id(id)) => Some(id),
            _ => None,
        })
        .collect();
    match insert_connected(db, news).await {
        Ok(products) => Ok(products),
        Err(err) if violates_foreign_key(&err) => {
            let existing: Vec<i32> = category::Entity::find()
                .select_only()
                .column(category::Column::Id)
                .filter(category::Column::Id.is_in(ids.iter().flatten().copied()))
                .into_tuple()
                .all(db)
                .await?;
            let missing = ids
                .iter()
                .position(|id| id.is_some_and(|id| !existing.contains(&id)));
            Err(missing.map_or(NO_CATEGORY, |i| NO_CATEGORY.at("categoryId").at(i)))
        }
        Err(err) => Err(err.into()),
    }
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
            category: None,
        };
        assert_twins_set_together(&inserted(new, None));
        let patch = ProductPatch {
            name: Some(name),
            ..ProductPatch::default()
        };
        assert_twins_set_together(&changes(patch));
        Ok(())
    }
}
