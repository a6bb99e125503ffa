//! Post inputs: title and content.

use crate::error::AppError;

super::text!(
    /// A post title: 5–100 characters after trimming.
    Title,
    "title",
    5,
    Some(100)
);

super::text!(
    /// A post body: at least 20 characters after trimming.
    Content,
    "content",
    20,
    None
);

/// A post that may be inserted (its author is checked by the database).
#[derive(Debug, Clone)]
pub struct NewPost {
    /// The title.
    pub title: Title,
    /// The body.
    pub content: Content,
    /// The author's id (the database checks that the user exists).
    pub author_id: i32,
}

/// The changes of a post update; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct PostPatch {
    /// A new title.
    pub title: Option<Title>,
    /// A new body.
    pub content: Option<Content>,
}
