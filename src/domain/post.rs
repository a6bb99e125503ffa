//! Post inputs: title and content.

use crate::error::AppError;

super::text!(
    /// A post title: 5–100 characters after trimming.
    Title,
    "title",
    5,
    Some(100)
);

/// A post body, kept byte for byte as sent (neither trimmed nor normalised): at least 20
/// characters once trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content(String);

impl Content {
    /// Checks a body.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on `content`.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        super::check_length("content", raw, 20, None)?;
        Ok(Self(raw.to_owned()))
    }

    /// The body.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Content> for String {
    fn from(content: Content) -> Self {
        content.0
    }
}

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

/// A post created with its author (`CreateUserInput.posts`).
#[derive(Debug, Clone)]
pub struct NewPostOfUser {
    /// The title.
    pub title: Title,
    /// The body.
    pub content: Content,
    /// Whether it is published at once.
    pub published: bool,
}

/// The changes of a post update; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct PostPatch {
    /// A new title.
    pub title: Option<Title>,
    /// A new body.
    pub content: Option<Content>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_is_kept_as_sent_and_measured_trimmed() {
        let markdown = "  A body that ends in a line break  \n";
        assert_eq!(
            Content::parse(markdown).map(String::from).ok().as_deref(),
            Some(markdown)
        );
        let decomposed = "Cafe\u{301} and more words, long enough.";
        assert_eq!(
            Content::parse(decomposed).map(String::from).ok().as_deref(),
            Some(decomposed)
        );
        assert!(Content::parse(&format!("  {}  ", "c".repeat(19))).is_err());
        assert!(Content::parse(&format!("  {}  ", "c".repeat(20))).is_ok());
    }
}
