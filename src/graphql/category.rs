//! `Category`: the type, its inputs, queries and mutations.

use async_graphql::{Context, Enum, InputObject, Object, Result, ResultExt, SimpleObject};
use sea_orm::{Condition, DatabaseBackend};

use super::connection::{PageArgs, Paged};
use super::filter::{
    IntFilter, OrderBy, RelationFilter, StringFilter, WhereInput, condition_of, exists_related,
    sort_keys,
};
use super::listing;
use super::loader::ProductsByCategory;
use super::product::{Product, ProductField, ProductWhere};
use super::{count_int, db, list_cost, loader};
use crate::domain::category::CategoryName;
use crate::domain::page::ChildPage;
use crate::entity::{category, product};
use crate::store;
use crate::store::query::Group;

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

    /// The products of this category (by id unless `orderBy` says otherwise); `skip` and
    /// `limit` (1–100) page each category's products separately.
    #[graphql(complexity = "list_cost(limit, child_complexity)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<ProductWhere>,
        order_by: Option<Vec<OrderBy<ProductField>>>,
        skip: Option<i32>,
        limit: Option<i32>,
    ) -> Result<Vec<Product>> {
        let page = ChildPage::parse(skip, limit).extend()?;
        let backend = db(ctx)?.get_database_backend();
        let identity = format!("{filter:?}|{order_by:?}|{page:?}");
        let condition = condition_of(filter.as_ref(), backend);
        let keys = sort_keys(order_by.as_deref(), product::Column::Id);
        let key = ProductsByCategory::new(self.0.id, identity, condition, keys, page);
        let products = loader(ctx)?.load_one(key).await.extend()?;
        Ok(products
            .unwrap_or_default()
            .into_iter()
            .map(Product)
            .collect())
    }
}

/// A column of categories, for ordering and grouping.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CategoryField {
    Id,
    Name,
}

impl From<CategoryField> for category::Column {
    fn from(field: CategoryField) -> Self {
        match field {
            CategoryField::Id => Self::Id,
            CategoryField::Name => Self::Name,
        }
    }
}

/// Conditions on categories; all given ones must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct CategoryWhere {
    id: Option<IntFilter>,
    name: Option<StringFilter>,
    /// Conditions on the category's products.
    products: Option<RelationFilter<ProductWhere>>,
    /// Every one of these holds.
    and: Option<Vec<CategoryWhere>>,
    /// At least one of these holds.
    or: Option<Vec<CategoryWhere>>,
    /// This does not hold.
    not: Option<Box<CategoryWhere>>,
}

impl WhereInput for CategoryWhere {
    fn fields(&self, backend: DatabaseBackend) -> Condition {
        use category::Column as C;
        let products = self.products.as_ref().map(|products| {
            products.condition(backend, |filter| {
                exists_related::<product::Entity, _>(product::Column::CategoryId, C::Id, filter)
            })
        });
        Condition::all()
            .add_option(self.id.as_ref().map(|f| f.condition(backend, C::Id)))
            .add_option(
                self.name
                    .as_ref()
                    .map(|f| f.condition(backend, C::Name, C::NameFolded)),
            )
            .add_option(products)
    }

    fn and(&self) -> Option<&[Self]> {
        self.and.as_deref()
    }

    fn or(&self) -> Option<&[Self]> {
        self.or.as_deref()
    }

    fn not(&self) -> Option<&Self> {
        self.not.as_deref()
    }
}

/// The grouped fields of a group of categories (null when not grouped by that field).
#[derive(SimpleObject)]
pub struct CategoryGroupKey {
    id: Option<i32>,
    name: Option<String>,
}

/// Statistics of one group of categories.
pub struct CategoryAggregate(Group);

#[Object]
impl CategoryAggregate {
    /// The values of the grouped fields.
    async fn key(&self) -> CategoryGroupKey {
        CategoryGroupKey {
            id: self.0.key(category::Column::Id),
            name: self.0.key(category::Column::Name),
        }
    }

    /// How many categories are in the group.
    async fn count(&self) -> i32 {
        count_int(self.0.count)
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
    /// All categories, by id unless `orderBy` says otherwise.
    #[graphql(complexity = "list_cost(None, child_complexity)")]
    async fn categories(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<CategoryWhere>,
        order_by: Option<Vec<OrderBy<CategoryField>>>,
    ) -> Result<Vec<Category>> {
        let (filter, order_by) = (filter.as_ref(), order_by.as_deref());
        let id = category::Column::Id;
        let categories = listing::list::<category::Entity, _, _>(
            ctx,
            filter,
            Condition::all(),
            order_by,
            id,
            None,
        )
        .await?;
        Ok(categories.into_iter().map(Category).collect())
    }

    /// Categories as a Relay connection: cursors follow `orderBy`; `first`/`last` at most 100.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "list_cost(first.or(last), child_complexity)")]
    async fn category_connection(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        offset: Option<i32>,
        #[graphql(name = "where")] filter: Option<CategoryWhere>,
        order_by: Option<Vec<OrderBy<CategoryField>>>,
    ) -> Result<Paged<Category>> {
        let args = PageArgs::new(first, after, last, before, offset);
        let (filter, order_by) = (filter.as_ref(), order_by.as_deref());
        listing::connection_of::<category::Entity, _, _, _>(
            ctx,
            filter,
            order_by,
            category::Column::Id,
            args,
            Category,
        )
        .await
    }

    /// Statistics of the categories that match `where`, per group of `groupBy` (one group
    /// without).
    #[graphql(complexity = "list_cost(None, child_complexity)")]
    async fn category_aggregate(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<CategoryWhere>,
        group_by: Option<Vec<CategoryField>>,
    ) -> Result<Vec<CategoryAggregate>> {
        let groups =
            listing::groups::<category::Entity, _, _>(ctx, filter.as_ref(), group_by, &[]).await?;
        Ok(groups.into_iter().map(CategoryAggregate).collect())
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
