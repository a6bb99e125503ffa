//! `Product`: the type, its columns, filter and inputs, queries and mutations.

use async_graphql::{
    Context, InputObject, MaybeUndefined, MergedObject, Object, Result, ResultExt,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition};

use super::category::{Category, CategoryWhere};
use super::filter::{DateTimeFilter, FloatFilter, IntFilter, OrderBy, StringFilter};
use super::loader::Joined;
use super::mutation::{FromCreateInput, required, under};
use super::{list_cost, listing, loader};
use crate::domain::category::CategoryName;
use crate::domain::page::Page;
use crate::domain::product::{CategoryRef, NewProduct, Price, ProductName, ProductPatch, Stock};
use crate::entity::{category, product};
use crate::error::AppError;

super::in_place::object! {
    /// A product for sale.
    Product = ProductFields(row: product::Model, category: Joined<category::Model>);
    #[Object(name = "Product")]
    /// The row id.
    "id" id: i32;
    /// The global id (Relay): `node(nodeId:)` finds this product again.
    node_id;
    columns {
        /// Name, 1–100 characters.
        "name" name: String;
        /// Price, a finite number of at least 0.
        "price" price: f64;
        /// Units in stock, at least 0.
        "stock" stock: i32;
        /// The id of the category, if any.
        "categoryId" category_id: Option<i32>;
        /// When it last changed (UTC): its creation, then every write that changed it. Send it
        /// back as `expectedUpdatedAt` to write only if nobody changed it since.
        "updatedAt" updated_at: DateTime<Utc>;
    }

    /// The category, if any.
    async fn category(&self, ctx: &Context<'_>) -> Result<Option<Category>> {
        let Some(id) = self.row.category_id else {
            return Ok(None);
        };
        loader::to_one(ctx, id, &self.category).await
    }
}

super::table::entity! {
    node: Product(product) joins category: category;
    /// A column of products, for ordering and grouping.
    field: ProductField;
    /// Conditions on products; all given ones must hold.
    filter: ProductWhere;
    /// The grouped fields of a group of products (null when not grouped by that field).
    key: ProductGroupKey;
    aggregate: ProductAggregate;
    columns {
        Id id: i32, IntFilter;
        Name name: String, StringFilter;
        Price price: f64, FloatFilter;
        Stock stock: i32, IntFilter;
        CategoryId category_id: i32, IntFilter;
        UpdatedAt updated_at: DateTime<Utc>, DateTimeFilter;
    }
    relations {
        /// Conditions on the category (a product without one never meets them).
        category: Box<CategoryWhere> = category::Column::Id => CategoryId;
    }
}

super::aggregate::aggregate! {
    /// Statistics of one group of products.
    ProductAggregate(product) key ProductGroupKey {
        /// How many products are in the group.
        count;
        sum
            /// Sums over a group of products.
            ProductSum { Price price: f64, Stock stock: i32 }
        avg
            /// Averages over a group of products.
            ProductAvg { Price price, Stock stock }
        min_max
            /// Minima or maxima over a group of products.
            ProductMinMax {
                Price price: f64,
                Stock stock: i32,
                UpdatedAt updated_at: DateTime<Utc>
            }
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
    /// The category of this name, created when there is none (instead of `categoryId`).
    category_name: Option<String>,
}

impl FromCreateInput<CreateProductInput> for NewProduct {
    fn from_input(input: CreateProductInput, at: Option<&str>) -> Result<Self, AppError> {
        let fields = || -> Result<Self, AppError> {
            let category = match (input.category_id, input.category_name.as_deref()) {
                (Some(_), Some(_)) => {
                    let message = "give categoryId or categoryName, not both";
                    return Err(AppError::bad_input("categoryName", message));
                }
                (Some(id), None) => Some(CategoryRef::Id(id)),
                (None, Some(name)) => Some(CategoryRef::Named(
                    CategoryName::parse(name).map_err(|err| rename(err, "categoryName"))?,
                )),
                (None, None) => None,
            };
            Ok(Self {
                name: ProductName::parse(&input.name)?,
                price: Price::parse(input.price)?,
                stock: Stock::parse(input.stock.unwrap_or(0))?,
                category,
            })
        };
        fields().map_err(|err| under(err, at))
    }

    fn rows(&self) -> usize {
        match self.category {
            Some(CategoryRef::Named(_)) => 2,
            _ => 1,
        }
    }
}

/// A category name's error, about the input field `field` instead of `name`.
fn rename(error: AppError, field: &'static str) -> AppError {
    match error {
        AppError::BadUserInput { message, .. } => AppError::BadUserInput {
            field: field.into(),
            message: message.replacen("name", field, 1),
        },
        other => other,
    }
}

/// Changes to a product; omitted fields stay as they are, `categoryId: null` removes the
/// category (the other fields cannot be null).
#[derive(InputObject)]
pub struct UpdateProductInput {
    /// 1–100 characters after trimming.
    name: MaybeUndefined<String>,
    /// A finite number of at least 0.
    price: MaybeUndefined<f64>,
    /// At least 0.
    stock: MaybeUndefined<i32>,
    /// An existing category, or null for none.
    category_id: MaybeUndefined<i32>,
}

impl TryFrom<UpdateProductInput> for ProductPatch {
    type Error = AppError;

    fn try_from(input: UpdateProductInput) -> Result<Self, AppError> {
        Ok(Self {
            name: required("name", input.name)?
                .as_deref()
                .map(ProductName::parse)
                .transpose()?,
            price: required("price", input.price)?
                .map(Price::parse)
                .transpose()?,
            stock: required("stock", input.stock)?
                .map(Stock::parse)
                .transpose()?,
            category_id: input.category_id.into(),
        })
    }
}

/// Queries about products: its lists, then the queries every entity has.
#[derive(MergedObject, Default)]
pub struct ProductQuery(ProductLists, ProductShared);

/// The lists of products.
#[derive(Default)]
pub struct ProductLists;

#[Object]
impl ProductLists {
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
        listing::list(ctx, conditions, old_filter, order_by, Some(page)).await
    }
}

listing::shared_queries! {
    ProductShared for Product;
    /// Products as a Relay connection: cursors follow `orderBy`; `first`/`last` at most 100.
    connection product_connection;
    /// Statistics of the products that match `where`, per group of `groupBy` (one group
    /// without).
    aggregate product_aggregate;
    /// The product with this id, or null.
    lookup product;
}

super::mutation::mutations! {
    /// Changes to products.
    ProductMutation for Product, store::product;
    /// Creates a product, in the category `categoryName` names (created when there is none)
    /// when given. Errors: `BAD_USER_INPUT`, `NOT_FOUND` (`Category not found`).
    create create_product(CreateProductInput => NewProduct);
    /// Creates 1–100 products, all or none, and returns them in the order given. Errors name
    /// the item: `BAD_USER_INPUT` on `inputs.3.price`, `NOT_FOUND` on `inputs.3.categoryId`.
    create_many create_products;
    /// Changes a product. Errors: `BAD_USER_INPUT`, `NOT_FOUND` (the product or the category).
    update update_product(UpdateProductInput => ProductPatch);
    /// Deletes a product; returns it as it was. Errors: `NOT_FOUND`.
    delete delete_product;
}
