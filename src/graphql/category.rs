//! `Category`: the type, its inputs, queries and mutations.

use async_graphql::{Context, InputObject, Object, Result, ResultExt};

use super::loader::ProductsByCategory;
use super::product::Product;
use super::{db, loader};
use crate::domain::category::CategoryName;
use crate::entity::category;
use crate::store;

/// A product category.
pub struct Category(pub(super) category::Model);

#[Object]
impl Category {
    /// The row id.
    async fn id(&self) -> i32 {
        self.0.id
    }

    /// Unique name, 1–50 characters.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The products of this category, ordered by id.
    async fn products(&self, ctx: &Context<'_>) -> Result<Vec<Product>> {
        let products = loader(ctx)?
            .load_one(ProductsByCategory(self.0.id))
            .await
            .extend()?;
        Ok(products
            .unwrap_or_default()
            .into_iter()
            .map(Product)
            .collect())
    }
}

/// The fields of a new category.
#[derive(InputObject)]
pub struct CreateCategoryInput {
    /// 1–50 characters after trimming; unique.
    name: String,
}

/// Changes to a category; omitted or null fields stay as they are.
#[derive(InputObject)]
pub struct UpdateCategoryInput {
    /// 1–50 characters after trimming; unique.
    name: Option<String>,
}

/// Queries about categories.
#[derive(Default)]
pub struct CategoryQuery;

#[Object]
impl CategoryQuery {
    /// All categories, ordered by id.
    async fn categories(&self, ctx: &Context<'_>) -> Result<Vec<Category>> {
        let categories = store::category::list(db(ctx)?).await.extend()?;
        Ok(categories.into_iter().map(Category).collect())
    }

    /// The category with this id, or null.
    async fn category(&self, ctx: &Context<'_>, id: i32) -> Result<Option<Category>> {
        let category = store::category::find(db(ctx)?, id).await.extend()?;
        Ok(category.map(Category))
    }
}

/// Changes to categories.
#[derive(Default)]
pub struct CategoryMutation;

#[Object]
impl CategoryMutation {
    /// Creates a category. Errors: `BAD_USER_INPUT`, `CONFLICT` (`Category name already exists`).
    async fn create_category(
        &self,
        ctx: &Context<'_>,
        input: CreateCategoryInput,
    ) -> Result<Category> {
        let name = CategoryName::parse(&input.name).extend()?;
        let category = store::category::create(db(ctx)?, name).await.extend()?;
        Ok(Category(category))
    }

    /// Renames a category. Errors: `BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT`.
    async fn update_category(
        &self,
        ctx: &Context<'_>,
        id: i32,
        input: UpdateCategoryInput,
    ) -> Result<Category> {
        let name = input
            .name
            .as_deref()
            .map(CategoryName::parse)
            .transpose()
            .extend()?;
        let category = store::category::update(db(ctx)?, id, name).await.extend()?;
        Ok(Category(category))
    }

    /// Deletes a category; its products stay, without a category. Returns the category as it
    /// was. Errors: `NOT_FOUND`.
    async fn delete_category(&self, ctx: &Context<'_>, id: i32) -> Result<Category> {
        let category = store::category::delete(db(ctx)?, id).await.extend()?;
        Ok(Category(category))
    }
}
