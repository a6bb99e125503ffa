//! Category inputs: the name.

use crate::error::AppError;

super::text!(
    /// A valid category name: 1–50 characters after trimming.
    CategoryName,
    "name",
    1,
    Some(50)
);

/// A category that may be inserted.
#[derive(Debug, Clone)]
pub struct NewCategory {
    /// The name (unique; the database checks).
    pub name: CategoryName,
    /// Products created with it.
    pub products: Vec<NewProductOfCategory>,
}

/// A product created with its category (`CreateCategoryInput.products`).
#[derive(Debug, Clone)]
pub struct NewProductOfCategory {
    /// The name.
    pub name: super::product::ProductName,
    /// The price.
    pub price: super::product::Price,
    /// The units in stock.
    pub stock: super::product::Stock,
}

/// The changes of a category update; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct CategoryPatch {
    /// A new name.
    pub name: Option<CategoryName>,
}
