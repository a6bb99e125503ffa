//! Reads and writes of `posts`.

use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ConnectionTrait};

use crate::domain::post::{NewPost, PostPatch};
use crate::entity::post::{ActiveModel, Column, Entity, Model};
use crate::error::{AppError, on_constraint};

const NOT_FOUND: AppError = AppError::NotFound("Post not found");
const NO_AUTHOR: AppError = AppError::NotFound("Author not found");

/// The post `id`, if any.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find(db: &impl ConnectionTrait, id: i32) -> Result<Option<Model>, AppError> {
    super::find::<Entity>(db, id).await
}

/// Inserts a post and returns it as stored.
///
/// # Errors
/// `NotFound` (`Author not found`) when the author does not exist.
pub async fn create(db: &impl ConnectionTrait, new: NewPost) -> Result<Model, AppError> {
    ActiveModel::from(new)
        .insert(db)
        .await
        .map_err(|e| on_constraint(e, None, Some(NO_AUTHOR)))
}

/// Applies `patch` to post `id` and returns the post as it is now.
///
/// # Errors
/// `NotFound` when there is no such post.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i32,
    patch: PostPatch,
) -> Result<Model, AppError> {
    super::update::<Entity>(db, id, Column::Id, patch.into())
        .await?
        .ok_or(NOT_FOUND)
}

/// Marks post `id` as published (publishing twice is harmless) and returns it.
///
/// # Errors
/// `NotFound` when there is no such post.
pub async fn publish(db: &impl ConnectionTrait, id: i32) -> Result<Model, AppError> {
    let changes = ActiveModel {
        published: Set(true),
        ..Default::default()
    };
    super::update::<Entity>(db, id, Column::Id, changes)
        .await?
        .ok_or(NOT_FOUND)
}

/// Deletes post `id` and returns it as it was.
///
/// # Errors
/// `NotFound` when there is no such post.
pub async fn delete(db: &impl ConnectionTrait, id: i32) -> Result<Model, AppError> {
    super::delete::<Entity>(db, id).await?.ok_or(NOT_FOUND)
}
