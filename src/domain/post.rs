//! Post inputs: title and content.

use sea_orm::ActiveValue::Set;

use super::{fold, trimmed_text};
use crate::entity::post;
use crate::error::AppError;

fn title(raw: &str) -> Result<String, AppError> {
    trimmed_text("title", raw, 5, Some(100))
}

fn content(raw: &str) -> Result<String, AppError> {
    trimmed_text("content", raw, 20, None)
}

/// A post that may be inserted (its author is checked by the database).
#[derive(Debug, Clone)]
pub struct NewPost {
    title: String,
    content: String,
    author_id: i32,
}

impl NewPost {
    /// Validates a new post.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on the first field that breaks a rule.
    pub fn parse(title: &str, content: &str, author_id: i32) -> Result<Self, AppError> {
        Ok(Self {
            title: self::title(title)?,
            content: self::content(content)?,
            author_id,
        })
    }
}

impl From<NewPost> for post::ActiveModel {
    fn from(new: NewPost) -> Self {
        Self {
            title_folded: Set(fold(&new.title)),
            title: Set(new.title),
            content_folded: Set(fold(&new.content)),
            content: Set(new.content),
            author_id: Set(new.author_id),
            ..Default::default()
        }
    }
}

/// The changes of a post update; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct PostPatch {
    title: Option<String>,
    content: Option<String>,
}

impl PostPatch {
    /// Validates every field the update carries.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on the first field that breaks a rule.
    pub fn parse(title: Option<&str>, content: Option<&str>) -> Result<Self, AppError> {
        Ok(Self {
            title: title.map(self::title).transpose()?,
            content: content.map(self::content).transpose()?,
        })
    }
}

impl From<PostPatch> for post::ActiveModel {
    fn from(patch: PostPatch) -> Self {
        let mut model = Self::default();
        if let Some(title) = patch.title {
            model.title_folded = Set(fold(&title));
            model.title = Set(title);
        }
        if let Some(content) = patch.content {
            model.content_folded = Set(fold(&content));
            model.content = Set(content);
        }
        model
    }
}
