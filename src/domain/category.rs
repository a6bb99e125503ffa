//! Category inputs: the name.

use sea_orm::ActiveValue::Set;

use super::{fold, trimmed_text};
use crate::entity::category;
use crate::error::AppError;

/// A valid category name: 1–50 characters after trimming.
#[derive(Debug, Clone)]
pub struct CategoryName(String);

impl CategoryName {
    /// Validates a category name.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on `name`.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        trimmed_text("name", raw, 1, Some(50)).map(Self)
    }
}

impl From<CategoryName> for category::ActiveModel {
    fn from(name: CategoryName) -> Self {
        Self {
            name_folded: Set(fold(&name.0)),
            name: Set(name.0),
            ..Default::default()
        }
    }
}
