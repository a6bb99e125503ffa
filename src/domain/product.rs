//! Product inputs: name, price, stock and category.

use sea_orm::ActiveValue::Set;

use super::{fold, int_in_range, trimmed_text};
use crate::entity::product;
use crate::error::AppError;

fn name(raw: &str) -> Result<String, AppError> {
    trimmed_text("name", raw, 1, Some(100))
}

fn price(raw: f64) -> Result<f64, AppError> {
    if raw.is_finite() && raw >= 0.0 {
        Ok(raw)
    } else {
        Err(AppError::bad_input(
            "price",
            "price must be a finite number of at least 0",
        ))
    }
}

fn stock(raw: i32) -> Result<i32, AppError> {
    int_in_range("stock", raw, 0, i32::MAX)
}

/// A product that may be inserted (its category is checked by the database).
#[derive(Debug, Clone)]
pub struct NewProduct {
    name: String,
    price: f64,
    stock: i32,
    category_id: Option<i32>,
}

impl NewProduct {
    /// Validates a new product; `stock` defaults to 0.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on the first field that breaks a rule.
    pub fn parse(
        name: &str,
        price: f64,
        stock: Option<i32>,
        category_id: Option<i32>,
    ) -> Result<Self, AppError> {
        Ok(Self {
            name: self::name(name)?,
            price: self::price(price)?,
            stock: self::stock(stock.unwrap_or(0))?,
            category_id,
        })
    }
}

impl From<NewProduct> for product::ActiveModel {
    fn from(new: NewProduct) -> Self {
        Self {
            name_folded: Set(fold(&new.name)),
            name: Set(new.name),
            price: Set(new.price),
            stock: Set(new.stock),
            category_id: Set(new.category_id),
            ..Default::default()
        }
    }
}

/// The changes of a product update; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct ProductPatch {
    name: Option<String>,
    price: Option<f64>,
    stock: Option<i32>,
    category_id: Option<i32>,
}

impl ProductPatch {
    /// Validates every field the update carries.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on the first field that breaks a rule.
    pub fn parse(
        name: Option<&str>,
        price: Option<f64>,
        stock: Option<i32>,
        category_id: Option<i32>,
    ) -> Result<Self, AppError> {
        Ok(Self {
            name: name.map(self::name).transpose()?,
            price: price.map(self::price).transpose()?,
            stock: stock.map(self::stock).transpose()?,
            category_id,
        })
    }
}

impl From<ProductPatch> for product::ActiveModel {
    fn from(patch: ProductPatch) -> Self {
        let mut model = Self::default();
        if let Some(name) = patch.name {
            model.name_folded = Set(fold(&name));
            model.name = Set(name);
        }
        if let Some(price) = patch.price {
            model.price = Set(price);
        }
        if let Some(stock) = patch.stock {
            model.stock = Set(stock);
        }
        if let Some(category_id) = patch.category_id {
            model.category_id = Set(Some(category_id));
        }
        model
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever comes in, `parse` either refuses it or returns a product that meets every rule.
        #[test]
        fn parsed_products_meet_every_rule(
            name in "\\PC{0,110}",
            price in any::<f64>(),
            stock in proptest::option::of(any::<i32>()),
        ) {
            if let Ok(product) = NewProduct::parse(&name, price, stock, None) {
                prop_assert!((1..=100).contains(&product.name.chars().count()));
                prop_assert!(product.price.is_finite() && product.price >= 0.0);
                prop_assert!(product.stock >= 0);
            }
        }
    }

    #[test]
    fn price_must_be_finite_and_not_negative() {
        assert!(price(0.0).is_ok());
        assert!(price(-0.01).is_err());
        assert!(price(f64::NAN).is_err());
        assert!(price(f64::INFINITY).is_err());
    }
}
