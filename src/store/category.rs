//! Reads and writes of `categories`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession as _,
    TransactionTrait,
};

use super::with_folded;
use crate::domain::category::{CategoryName, CategoryPatch, NewCategory};
use crate::entity::category::{ActiveModel, Entity, Model};
use crate::entity::product;
use crate::error::{AppError, on_constraint};

const NOT_FOUND: AppError = AppError::NotFound("Category not found");
const NAME_TAKEN: AppError = AppError::Conflict("Category name already exists");

/// The row, or the change, that gives a category `name`.
pub fn named(name: CategoryName) -> ActiveModel {
    let mut model = ActiveModel {
        ..Default::default()
    };
    (model.name, model.name_folded) = with_folded(name);
    model
}

/// Inserts a category and returns it as stored.
///
/// # Errors
/// `Conflict` when the name is taken.
pub async fn create(db: &impl ConnectionTrait, new: NewCategory) -> Result<Model, AppError> {
    super::write::insert_one::<Entity>(db, named(new.name))
        .await
        .map_err(|e| on_constraint(e, Some(NAME_TAKEN), None))
}

/// Applies `patch` to category `id` (renames it, or leaves it as it is), if it was last changed
/// at `expected` (when given), and returns it.
///
/// # Errors
/// `NotFound` when there is no such category, `Conflict` when the name is taken, `Stale` when
/// it changed since `expected`.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i32,
    patch: CategoryPatch,
    expected: Option<DateTime<Utc>>,
) -> Result<Model, AppError> {
    let changes = patch.name.map(named).unwrap_or_default();
    super::write::update::<Entity>(db, id, changes, expected)
        .await
        .map_err(|e| on_constraint(e, Some(NAME_TAKEN), None))?
        .or(NOT_FOUND)
}

/// Deletes category `id`, if it was last changed at `expected` (when given), and returns it as
/// it was. Its products stay, without a category: cleared and stamped here, in the same
/// transaction (the foreign key's `SET NULL` would not stamp them).
///
/// # Errors
/// `NotFound` when there is no such category, `Stale` when it changed since `expected`.
pub async fn delete(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: i32,
    expected: Option<DateTime<Utc>>,
) -> Result<Model, AppError> {
    let txn = db.begin().await?;
    let backend = txn.get_database_backend();
    product::Entity::update_many()
        .col_expr(product::Column::CategoryId, Expr::val(None::<i32>))
        .col_expr(
            product::Column::UpdatedAt,
            super::write::bumped::<product::Entity>(backend),
        )
        .filter(product::Column::CategoryId.eq(id))
        .exec(&txn)
        .await?;
    let category = super::write::delete::<Entity>(&txn, id, expected)
        .await?
        .or(NOT_FOUND)?;
    txn.commit().await?;
    Ok(category)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::tests::assert_twins_set_together;

    #[test]
    fn every_text_is_stored_with_its_folded_twin() -> Result<(), AppError> {
        assert_twins_set_together(&named(CategoryName::parse("Books")?));
        Ok(())
    }
}
