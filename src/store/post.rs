//! Reads and writes of `posts`.

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, QuerySelect as _,
    TransactionSession as _, TransactionTrait,
};

use super::with_folded;
use crate::domain::post::{NewPost, NewPostOfUser, PostPatch};
use crate::entity::post::{ActiveModel, Entity, Model};
use crate::entity::user;
use crate::error::{AppError, on_constraint, violates_foreign_key};

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

/// The row of a post created with its author `author_id`.
pub fn inserted_of(author_id: i32, new: NewPostOfUser) -> ActiveModel {
    let published = new.published;
    let post = NewPost {
        title: new.title,
        content: new.content,
        author_id,
    };
    inserted(post, published)
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

/// Inserts posts, all or none, and returns them in the order given.
///
/// # Errors
/// `NotFound` (`Author not found`) naming the first item (`3.authorId`) whose author does not
/// exist.
pub async fn create_many(
    db: &(impl ConnectionTrait + TransactionTrait),
    news: Vec<NewPost>,
) -> Result<Vec<Model>, AppError> {
    let authors: Vec<i32> = news.iter().map(|new| new.author_id).collect();
    let rows: Vec<ActiveModel> = news.into_iter().map(|new| inserted(new, false)).collect();
    // A transaction of its own, so that a failure leaves an enclosing one usable (a savepoint).
    let txn = db.begin().await?;
    match super::write::insert::<Entity>(&txn, &rows).await {
        Ok(posts) => {
            txn.commit().await?;
            Ok(posts)
        }
        Err(err) if violates_foreign_key(&err) => {
            txn.rollback().await?;
            let existing: Vec<i32> = user::Entity::find()
                .select_only()
                .column(user::Column::Id)
                .filter(user::Column::Id.is_in(authors.iter().copied()))
                .into_tuple()
                .all(db)
                .await?;
            let missing = authors.iter().position(|id| !existing.contains(id));
            Err(missing.map_or(NO_AUTHOR, |i| NO_AUTHOR.at("authorId").at(i)))
        }
        Err(err) => Err(err.into()),
    }
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
