//! Reads and writes of `posts`.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::ConnectionTrait;

use super::with_folded;
use crate::domain::post::{NewPost, PostPatch};
use crate::entity::post::{ActiveModel, Entity, Model};
use crate::error::{AppError, on_constraint};

const NOT_FOUND: AppError = AppError::NotFound("Post not found");
const NO_AUTHOR: AppError = AppError::NotFound("Author not found");

/// The row of a new post (published or not).
pub fn inserted(new: NewPost, published: bool) -> ActiveModel {
    let mut model = ActiveModel {
        author_id: Set(new.author_id),
        published: Set(published),
        ..Default::default()
    };
    (model.title, model.title_folded) = with_folded(new.title);
    (model.content, model.content_folded) = with_folded(new.content);
    model
}

/// The changes `patch` makes to a post's row.
fn changes(patch: PostPatch) -> ActiveModel {
    let mut model = ActiveModel {
        ..Default::default()
    };
    if let Some(title) = patch.title {
        (model.title, model.title_folded) = with_folded(title);
    }
    if let Some(content) = patch.content {
        (model.content, model.content_folded) = with_folded(content);
    }
    model
}

/// Inserts a post and returns it as stored.
///
/// # Errors
/// `NotFound` (`Author not found`) when the author does not exist.
pub async fn create(db: &impl ConnectionTrait, new: NewPost) -> Result<Model, AppError> {
    super::write::insert_one::<Entity>(db, inserted(new, false))
        .await
        .map_err(|e| on_constraint(e, None, Some(NO_AUTHOR)))
}

/// Applies `patch` to post `id`, if it was last changed at `expected` (when given), and
/// returns the post as it is now.
///
/// # Errors
/// `NotFound` when there is no such post, `Stale` when it changed since `expected`.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i32,
    patch: PostPatch,
    expected: Option<DateTime<Utc>>,
) -> Result<Model, AppError> {
    super::write::update::<Entity>(db, id, changes(patch), expected)
        .await?
        .or(NOT_FOUND)
}

/// Marks post `id` as published (publishing twice is harmless, and changes nothing), if it
/// was last changed at `expected` (when given), and returns it.
///
/// # Errors
/// `NotFound` when there is no such post, `Stale` when it changed since `expected`.
pub async fn publish(
    db: &impl ConnectionTrait,
    id: i32,
    expected: Option<DateTime<Utc>>,
) -> Result<Model, AppError> {
    let changes = ActiveModel {
        published: Set(true),
        ..Default::default()
    };
    super::write::update::<Entity>(db, id, changes, expected)
        .await?
        .or(NOT_FOUND)
}

/// Deletes post `id`, if it was last changed at `expected` (when given), and returns it as
/// it was.
///
/// # Errors
/// `NotFound` when there is no such post, `Stale` when it changed since `expected`.
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
    use crate::domain::post::{Content, Title};
    use crate::store::tests::assert_twins_set_together;

    #[test]
    fn every_text_is_stored_with_its_folded_twin() -> Result<(), AppError> {
        let title = Title::parse("A title")?;
        let content = Content::parse("Twenty characters or more.")?;
        let new = NewPost {
            title: title.clone(),
            content: content.clone(),
            author_id: 1,
        };
        assert_twins_set_together(&inserted(new, false));
        let patch = PostPatch {
            title: Some(title),
            content: Some(content),
        };
        assert_twins_set_together(&changes(patch));
        Ok(())
    }
}
