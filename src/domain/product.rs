//! Product inputs: name, price, stock and category.

use crate::error::AppError;

super::text!(
    /// A product name: 1–100 characters after trimming.
    ProductName,
    "name",
    1,
    Some(100)
);

super::bounded_int!(
    /// Units in stock: at least 0.
    Stock,
    "stock",
    0,
    i32::MAX
);

/// A price: a finite number of at least 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Price(f64);

impl Price {
    /// Checks a price.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on `price`.
    pub fn parse(raw: f64) -> Result<Self, AppError> {
        if raw.is_finite() && raw >= 0.0 {
            Ok(Self(raw))
        } else {
            Err(AppError::bad_input(
                "price",
                "price must be a finite number of at least 0",
            ))
        }
    }

    /// The amount.
    pub fn get(self) -> f64 {
        self.0
    }
}

/// A product that may be inserted (its category is checked by the database).
#[derive(Debug, Clone)]
pub struct NewProduct {
    /// The name.
    pub name: ProductName,
    /// The price.
    pub price: Price,
    /// The units in stock.
    pub stock: Stock,
    /// The category, if any.
    pub category: Option<CategoryRef>,
}

/// The category a new product goes into.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CategoryRef {
    /// This one (the database checks that it exists).
    Id(i32),
    /// The one of this name, created when there is none.
    Named(super::category::CategoryName),
}

/// The changes of a product update; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct ProductPatch {
    /// A new name.
    pub name: Option<ProductName>,
    /// A new price.
    pub price: Option<Price>,
    /// A new stock.
    pub stock: Option<Stock>,
    /// A new category (`Some(None)`: none).
    pub category_id: Option<Option<i32>>,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A new product from raw values, as the API builds it; `stock` defaults to 0.
    fn parse(name: &str, price: f64, stock: Option<i32>) -> Result<NewProduct, AppError> {
        Ok(NewProduct {
            name: ProductName::parse(name)?,
            price: Price::parse(price)?,
            stock: Stock::parse(stock.unwrap_or(0))?,
            category: None,
        })
    }

    proptest! {
        /// Whatever comes in, `parse` either refuses it or returns a product that meets every rule.
        #[test]
        fn parsed_products_meet_every_rule(
            name in "\\PC{0,110}",
            price in any::<f64>(),
            stock in proptest::option::of(any::<i32>()),
        ) {
            if let Ok(product) = parse(&name, price, stock) {
                prop_assert!((1..=100).contains(&product.name.as_str().chars().count()));
                prop_assert!(product.price.get().is_finite() && product.price.get() >= 0.0);
                prop_assert!(product.stock.get() >= 0);
            }
        }
    }

    #[test]
    fn price_must_be_finite_and_not_negative() {
        assert!(Price::parse(0.0).is_ok());
        assert!(Price::parse(-0.01).is_err());
        assert!(Price::parse(f64::NAN).is_err());
        assert!(Price::parse(f64::INFINITY).is_err());
    }
}
