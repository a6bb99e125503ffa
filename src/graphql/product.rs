//! `Product`: the type, its filter and inputs, queries and mutations.

use async_graphql::{Context, InputObject, Object, Result, ResultExt};

use super::category::Category;
use super::loader::CategoryById;
use super::{db, loader};
use crate::domain::page::Page;
use crate::domain::product::{NewProduct, ProductPatch};
use crate::entity::product;
use crate::store;
use crate::store::product::ProductConditions;

/// A product for sale.
pub struct Product(pub(super) product::Model);

#[Object]
impl Product {
    /// The row id.
    async fn id(&self) -> i32 {
        self.0.id
    }

    /// Name, 1–100 characters.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// Price, a finite number of at least 0.
    async fn price(&self) -> f64 {
        self.0.price
    }

    /// Units in stock, at least 0.
    async fn stock(&self) -> i32 {
        self.0.stock
    }

    /// The id of the category, if any.
    async fn category_id(&self) -> Option<i32> {
        self.0.category_id
    }

    /// The category, if any.
    async fn category(&self, ctx: &Context<'_>) -> Result<Option<Category>> {
        let Some(id) = self.0.category_id else {
            return Ok(None);
        };
        let category = loader(ctx)?.load_one(CategoryById(id)).await.extend()?;
        Ok(category.map(Category))
    }
}

/// Conditions on a product list; all given ones must hold.
#[derive(InputObject, Default)]
pub struct ProductFilter {
    /// Only products of this category.
    category_id: Option<i32>,
    /// Only products costing at least this much.
    min_price: Option<f64>,
    /// Only products costing at most this much.
    max_price: Option<f64>,
    /// `true`: only products in stock (stock > 0); `false`: only sold-out ones (stock = 0).
    in_stock: Option<bool>,
}

/// The fields of a new product.
#[derive(InputObject)]
pub struct CreateProductInput {
    /// 1–100 characters after trimming.
    name: String,
    /// A finite number of at least 0.
    price: f64,
    /// At least 0; 0 when omitted.
    stock: Option<i32>,
    /// An existing category, or none.
    category_id: Option<i32>,
}

/// Changes to a product; omitted or null fields stay as they are.
#[derive(InputObject)]
pub struct UpdateProductInput {
    /// 1–100 characters after trimming.
    name: Option<String>,
    /// A finite number of at least 0.
    price: Option<f64>,
    /// At least 0.
    stock: Option<i32>,
    /// An existing category.
    category_id: Option<i32>,
}

/// Queries about products.
#[derive(Default)]
pub struct ProductQuery;

#[Object]
impl ProductQuery {
    /// Products ordered by id, one page at a time (`limit` 1–100), optionally filtered.
    async fn products(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProductFilter>,
        #[graphql(default = 0)] skip: Option<i32>,
        #[graphql(default = 10)] limit: Option<i32>,
    ) -> Result<Vec<Product>> {
        let page = Page::parse(skip, limit).extend()?;
        let filter = filter.unwrap_or_default();
        let conditions = ProductConditions {
            category_id: filter.category_id,
            min_price: filter.min_price,
            max_price: filter.max_price,
            in_stock: filter.in_stock,
        };
        let products = store::product::list(db(ctx)?, conditions, page)
            .await
            .extend()?;
        Ok(products.into_iter().map(Product).collect())
    }

    /// The product with this id, or null.
    async fn product(&self, ctx: &Context<'_>, id: i32) -> Result<Option<Product>> {
        let product = store::product::find(db(ctx)?, id).await.extend()?;
        Ok(product.map(Product))
    }
}

/// Changes to products.
#[derive(Default)]
pub struct ProductMutation;

#[Object]
impl ProductMutation {
    /// Creates a product. Errors: `BAD_USER_INPUT`, `NOT_FOUND` (`Category not found`).
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        input: CreateProductInput,
    ) -> Result<Product> {
        let new =
            NewProduct::parse(&input.name, input.price, input.stock, input.category_id).extend()?;
        let product = store::product::create(db(ctx)?, new).await.extend()?;
        Ok(Product(product))
    }

    /// Changes a product. Errors: `BAD_USER_INPUT`, `NOT_FOUND` (the product or the category).
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        id: i32,
        input: UpdateProductInput,
    ) -> Result<Product> {
        let patch = ProductPatch::parse(
            input.name.as_deref(),
            input.price,
            input.stock,
            input.category_id,
        )
        .extend()?;
        let product = store::product::update(db(ctx)?, id, patch).await.extend()?;
        Ok(Product(product))
    }

    /// Deletes a product; returns it as it was. Errors: `NOT_FOUND`.
    async fn delete_product(&self, ctx: &Context<'_>, id: i32) -> Result<Product> {
        let product = store::product::delete(db(ctx)?, id).await.extend()?;
        Ok(Product(product))
    }
}
