//! `Product`: the type, its filter and inputs, queries and mutations.

use async_graphql::{Context, Enum, InputObject, Object, Result, ResultExt, SimpleObject};
use sea_orm::{ColumnTrait, Condition, DatabaseBackend};

use super::category::{Category, CategoryWhere};
use super::connection::{PageArgs, Paged};
use super::filter::{FloatFilter, IntFilter, OrderBy, StringFilter, WhereInput, exists_related};
use super::listing;
use super::loader::CategoryById;
use super::{aggregate_int, count_int, db, list_cost, loader};
use crate::domain::page::Page;
use crate::domain::product::{NewProduct, ProductPatch};
use crate::entity::{category, product};
use crate::store;
use crate::store::query::{Aggregate, Group};

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

/// A column of products, for ordering and grouping.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProductField {
    Id,
    Name,
    Price,
    Stock,
    CategoryId,
}

impl From<ProductField> for product::Column {
    fn from(field: ProductField) -> Self {
        match field {
            ProductField::Id => Self::Id,
            ProductField::Name => Self::Name,
            ProductField::Price => Self::Price,
            ProductField::Stock => Self::Stock,
            ProductField::CategoryId => Self::CategoryId,
        }
    }
}

/// Conditions on products; all given ones must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ProductWhere {
    id: Option<IntFilter>,
    name: Option<StringFilter>,
    price: Option<FloatFilter>,
    stock: Option<IntFilter>,
    category_id: Option<IntFilter>,
    /// Conditions on the category (a product without one never meets them).
    category: Option<Box<CategoryWhere>>,
    /// Every one of these holds.
    and: Option<Vec<ProductWhere>>,
    /// At least one of these holds.
    or: Option<Vec<ProductWhere>>,
    /// This does not hold.
    not: Option<Box<ProductWhere>>,
}

impl WhereInput for ProductWhere {
    fn fields(&self, backend: DatabaseBackend) -> Condition {
        use product::Column as C;
        let category = self.category.as_ref().map(|category| {
            exists_related::<category::Entity, _>(
                category::Column::Id,
                C::CategoryId,
                category.condition(backend),
            )
        });
        Condition::all()
            .add_option(self.id.as_ref().map(|f| f.condition(backend, C::Id)))
            .add_option(
                self.name
                    .as_ref()
                    .map(|f| f.condition(backend, C::Name, C::NameFolded)),
            )
            .add_option(self.price.as_ref().map(|f| f.condition(backend, C::Price)))
            .add_option(self.stock.as_ref().map(|f| f.condition(backend, C::Stock)))
            .add_option(
                self.category_id
                    .as_ref()
                    .map(|f| f.condition(backend, C::CategoryId)),
            )
            .add_option(category)
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

/// The grouped fields of a group of products (null when not grouped by that field).
#[derive(SimpleObject)]
pub struct ProductGroupKey {
    id: Option<i32>,
    name: Option<String>,
    price: Option<f64>,
    stock: Option<i32>,
    category_id: Option<i32>,
}

/// Sums over a group of products.
#[derive(SimpleObject)]
pub struct ProductSum {
    price: Option<f64>,
    stock: Option<i32>,
}

/// Averages over a group of products.
#[derive(SimpleObject)]
pub struct ProductAvg {
    price: Option<f64>,
    stock: Option<f64>,
}

/// Minima or maxima over a group of products.
#[derive(SimpleObject)]
pub struct ProductMinMax {
    price: Option<f64>,
    stock: Option<i32>,
}

/// Statistics of one group of products.
pub struct ProductAggregate(Group);

impl ProductAggregate {
    fn min_max(&self, aggregate: Aggregate) -> ProductMinMax {
        ProductMinMax {
            price: self.0.value(aggregate, product::Column::Price),
            stock: self.0.value(aggregate, product::Column::Stock),
        }
    }
}

#[Object]
impl ProductAggregate {
    /// The values of the grouped fields.
    async fn key(&self) -> ProductGroupKey {
        use product::Column as C;
        let group = &self.0;
        ProductGroupKey {
            id: group.key(C::Id),
            name: group.key(C::Name),
            price: group.key(C::Price),
            stock: group.key(C::Stock),
            category_id: group.key::<Option<i32>, _>(C::CategoryId).flatten(),
        }
    }

    /// How many products are in the group.
    async fn count(&self) -> i32 {
        count_int(self.0.count)
    }

    /// Sums (null for an empty group).
    async fn sum(&self) -> Result<ProductSum> {
        Ok(ProductSum {
            price: self.0.value(Aggregate::Sum, product::Column::Price),
            stock: aggregate_int(self.0.value(Aggregate::Sum, product::Column::Stock))?,
        })
    }

    /// Averages (null for an empty group).
    async fn avg(&self) -> ProductAvg {
        ProductAvg {
            price: self.0.value(Aggregate::Avg, product::Column::Price),
            stock: self.0.value(Aggregate::Avg, product::Column::Stock),
        }
    }

    /// Minima (null for an empty group).
    async fn min(&self) -> ProductMinMax {
        self.min_max(Aggregate::Min)
    }

    /// Maxima (null for an empty group).
    async fn max(&self) -> ProductMinMax {
        self.min_max(Aggregate::Max)
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

impl ProductFilter {
    /// The condition these settings put on products.
    fn condition(&self) -> Condition {
        use product::Column as C;
        Condition::all()
            .add_option(self.category_id.map(|id| C::CategoryId.eq(id)))
            .add_option(self.min_price.map(|min| C::Price.gte(min)))
            .add_option(self.max_price.map(|max| C::Price.lte(max)))
            .add_option(self.in_stock.map(|in_stock| {
                if in_stock {
                    C::Stock.gt(0)
                } else {
                    C::Stock.eq(0)
                }
            }))
    }
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
    /// Products, one page at a time (`limit` 1–100), by id unless `orderBy` says otherwise;
    /// `filter` and `where` both apply when both are given.
    #[graphql(complexity = "list_cost(limit, child_complexity)")]
    async fn products(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProductFilter>,
        #[graphql(default = 0)] skip: Option<i32>,
        #[graphql(default = 10)] limit: Option<i32>,
        #[graphql(name = "where")] conditions: Option<ProductWhere>,
        order_by: Option<Vec<OrderBy<ProductField>>>,
    ) -> Result<Vec<Product>> {
        let page = Page::parse(skip, limit).extend()?;
        let old_filter = filter.unwrap_or_default().condition();
        let (conditions, order_by) = (conditions.as_ref(), order_by.as_deref());
        let id = product::Column::Id;
        let products = listing::list::<product::Entity, _, _>(
            ctx,
            conditions,
            old_filter,
            order_by,
            id,
            Some(page),
        )
        .await?;
        Ok(products.into_iter().map(Product).collect())
    }

    /// Products as a Relay connection: cursors follow `orderBy`; `first`/`last` at most 100.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "list_cost(first.or(last), child_complexity)")]
    async fn product_connection(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        offset: Option<i32>,
        #[graphql(name = "where")] filter: Option<ProductWhere>,
        order_by: Option<Vec<OrderBy<ProductField>>>,
    ) -> Result<Paged<Product>> {
        let args = PageArgs::new(first, after, last, before, offset);
        let (filter, order_by) = (filter.as_ref(), order_by.as_deref());
        listing::connection_of::<product::Entity, _, _, _>(
            ctx,
            filter,
            order_by,
            product::Column::Id,
            args,
            Product,
        )
        .await
    }

    /// Statistics of the products that match `where`, per group of `groupBy` (one group
    /// without).
    #[graphql(complexity = "list_cost(None, child_complexity)")]
    async fn product_aggregate(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<ProductWhere>,
        group_by: Option<Vec<ProductField>>,
    ) -> Result<Vec<ProductAggregate>> {
        use product::Column as C;
        let mut aggregates = Vec::new();
        for aggregate in [
            Aggregate::Sum,
            Aggregate::Avg,
            Aggregate::Min,
            Aggregate::Max,
        ] {
            aggregates.extend([(aggregate, C::Price), (aggregate, C::Stock)]);
        }
        let groups =
            listing::groups::<product::Entity, _, _>(ctx, filter.as_ref(), group_by, &aggregates)
                .await?;
        Ok(groups.into_iter().map(ProductAggregate).collect())
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
