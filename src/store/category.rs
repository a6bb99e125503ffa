//! Reads and writes of `categories`.

use sea_orm::{ActiveModelTrait, ConnectionTrait};

use super::with_folded;
use crate::domain::category::{CategoryName, CategoryPatch, NewCategory};
use crate::entity::category::{ActiveModel, Column, Entity, Model};
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
    named(new.name)
        .insert(db)
        .await
        .map_err(|e| on_constraint(e, Some(NAME_TAKEN), None))
}

/// Applies `patch` to category `id` (renames it, or leaves it as it is) and returns it.
///
/// # Errors
/// `NotFound` when there is no such category, `Conflict` when the name is taken.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i32,
    patch: CategoryPatch,
) -> Result<Model, AppError> {
    let changes = patch.name.map(named).unwrap_or_default();
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
