//! Category inputs: the name.

use crate::error::AppError;

super::text!(
    /// A valid category name: 1–50 characters after trimming.
    CategoryName,
    "name",
    1,
    Some(50)
);
