//! Reads and writes of `users`.

use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};

use sea_orm::sea_query::Expr;

use super::query;
use crate::domain::fold;
use crate::domain::user::{NewUser, UserPatch};
use crate::entity::user::{ActiveModel, Column, Entity, Model};
use crate::error::{AppError, on_constraint};

const NOT_FOUND: AppError = AppError::NotFound("User not found");
const EMAIL_TAKEN: AppError = AppError::Conflict("Email already registered");

/// The user `id`, if any.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<Option<Model>, AppError> {
    super::find::<Entity>(db, id).await
}

/// The users among `ids`, in no particular order.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find_many(db: &impl ConnectionTrait, ids: &[i32]) -> Result<Vec<Model>, AppError> {
    Ok(Entity::find()
        .filter(Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?)
}

/// Users whose name and city contain the given parts (ignoring case), ordered by id.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn search(
    db: &impl ConnectionTrait,
    name: Option<&str>,
    city: Option<&str>,
) -> Result<Vec<Model>, AppError> {
    // Stored text never holds a NUL character, so such a needle matches nobody.
    if name
        .into_iter()
        .chain(city)
        .any(|needle| needle.contains('\0'))
    {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let folded_contains = |column: Column, needle: &str| {
        query::contains(backend, Expr::col((Entity, column)), &fold(needle))
    };
    let mut select = Entity::find();
    if let Some(name) = name {
        select = select.filter(folded_contains(Column::NameFolded, name));
    }
    if let Some(city) = city {
        select = select.filter(folded_contains(Column::CityFolded, city));
    }
    Ok(select.order_by_asc(Column::Id).all(db).await?)
}

/// Inserts a user and returns it as stored.
///
/// # Errors
/// `Conflict` when the e-mail is already registered.
pub async fn create(db: &impl ConnectionTrait, new: NewUser) -> Result<Model, AppError> {
    ActiveModel::from(new)
        .insert(db)
        .await
        .map_err(|e| on_constraint(e, Some(EMAIL_TAKEN), None))
}

/// Applies `patch` to user `id` and returns the user as it is now.
///
/// # Errors
/// `NotFound` when there is no such user, `Conflict` when the new e-mail is taken.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i32,
    patch: UserPatch,
) -> Result<Model, AppError> {
    super::update::<Entity>(db, id, Column::Id, patch.into())
        .await
        .map_err(|e| on_constraint(e, Some(EMAIL_TAKEN), None))?
        .ok_or(NOT_FOUND)
}

/// Deletes user `id` (its posts go with it) and returns the user as it was.
///
/// # Errors
/// `NotFound` when there is no such user.
pub async fn delete(db: &impl ConnectionTrait, id: i32) -> Result<Model, AppError> {
    super::delete::<Entity>(db, id).await?.ok_or(NOT_FOUND)
}
