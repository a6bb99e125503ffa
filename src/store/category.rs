//! Reads and writes of `categories`.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect as _,
    TransactionSession as _, TransactionTrait,
};

use super::with_folded;
use super::write;
use crate::domain::category::{CategoryName, CategoryPatch, NewCategory};
use crate::entity::category::{ActiveModel, Column, Entity, Model};
use crate::entity::product;
use crate::error::{AppError, on_constraint, violates_unique};

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

/// Inserts categories with their products (one transaction, a statement per table) and
/// returns them in the order given.
async fn insert_with_products(
    db: &(impl ConnectionTrait + TransactionTrait),
    news: Vec<NewCategory>,
) -> Result<Vec<Model>, DbErr> {
    let categories = news
        .into_iter()
        .map(|new| (named(new.name), new.products))
        .collect();
    write::insert_with_children::<Entity, product::Entity, _>(
        db,
        categories,
        super::product::inserted_of,
    )
    .await
}

/// Inserts a category (with its products) and returns it as stored.
///
/// # Errors
/// `Conflict` when the name is taken.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    new: NewCategory,
) -> Result<Model, AppError> {
    let inserted = if new.products.is_empty() {
        write::insert_one::<Entity>(db, named(new.name)).await
    } else {
        insert_with_products(db, vec![new])
            .await
            .and_then(|mut rows| rows.pop().ok_or(DbErr::RecordNotInserted))
    };
    inserted.map_err(|e| on_constraint(e, Some(NAME_TAKEN), None))
}

/// Inserts categories (with their products), all or none, and returns them in the order
/// given.
///
/// # Errors
/// `Conflict` naming the first item (`3.name`) whose name an earlier item or a category has.
pub async fn create_many(
    db: &(impl ConnectionTrait + TransactionTrait),
    news: Vec<NewCategory>,
) -> Result<Vec<Model>, AppError> {
    let names: Vec<String> = news
        .iter()
        .map(|new| new.name.as_str().to_owned())
        .collect();
    if let Some(repeat) = super::first_repeat(names.iter().map(String::as_str)) {
        return Err(NAME_TAKEN.at("name").at(repeat));
    }
    match insert_with_products(db, news).await {
        Ok(categories) => Ok(categories),
        Err(err) if violates_unique(&err) => {
            let taken: Vec<String> = Entity::find()
                .select_only()
                .column(Column::Name)
                .filter(Column::Name.is_in(names.iter().map(String::as_str)))
                .into_tuple()
                .all(db)
                .await?;
            let item = super::first_present(names.iter().map(String::as_str), &taken);
            Err(item.map_or(NAME_TAKEN, |i| NAME_TAKEN.at("name").at(i)))
        }
        Err(err) => Err(err.into()),
    }
}

/// The categories of these names, created when absent: one `INSERT … ON CONFLICT (name)` that
/// changes no existing row (so records no event for it).
///
/// # Errors
/// When the database fails.
pub async fn connect_named(
    db: &impl ConnectionTrait,
    mut names: Vec<CategoryName>,
) -> Result<Vec<Model>, DbErr> {
    // In one order, so that two transactions taking the same names cannot deadlock.
    names.sort_by(|a, b| a.as_str().cmp(b.as_str()));
    names.dedup();
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let rows: Vec<ActiveModel> = names.into_iter().map(named).collect();
    let mut insert = write::insert_statement::<Entity>(backend, &rows)?;
    insert.on_conflict(write::on_conflict_update::<Entity>(
        backend,
        Column::Name,
        &[],
    ));
    write::run_insert::<Entity>(db, insert).await
}

/// Creates the category of this name, or returns the one there is: one atomic statement.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn upsert(db: &impl ConnectionTrait, name: CategoryName) -> Result<Model, AppError> {
    let category = connect_named(db, vec![name]).await?.pop();
    Ok(category.ok_or(DbErr::RecordNotInserted)?)
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
