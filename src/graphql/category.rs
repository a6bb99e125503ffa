//! `Category`: the type, its columns, inputs, queries and mutations.

use async_graphql::{
    Context, InputObject, MaybeUndefined, MergedObject, Object, Result, ResultExt,
};
use chrono::{DateTime, Utc};
use sea_orm::Condition;

use super::filter::{DateTimeFilter, IntFilter, OrderBy, RelationFilter, StringFilter};
use super::mutation::{FromCreateInput, nested, required, under};
use super::product::{Product, ProductField, ProductWhere};
use super::{db, list_cost, listing};
use crate::domain::category::{CategoryName, CategoryPatch, NewCategory, NewProductOfCategory};
use crate::domain::page::ChildPage;
use crate::domain::product::{Price, ProductName, Stock};
use crate::entity::{category, product};
use crate::error::AppError;
use crate::store;

super::in_place::object! {
    /// A product category.
    Category = CategoryFields(row: category::Model);
    #[Object(name = "Category")]
    /// The row id.
    "id" id: i32;
    /// The global id (Relay): `node(nodeId:)` finds this category again.
    node_id;
    columns {
        /// Unique name, 1–50 characters.
        "name" name: String;
        /// When it last changed (UTC): its creation, then every write that changed it. Send it
        /// back as `expectedUpdatedAt` to write only if nobody changed it since.
        "updatedAt" updated_at: DateTime<Utc>;
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
        let (filter, order_by) = (filter.as_ref(), order_by.as_deref());
        let category = product::Column::CategoryId;
        let everything = Condition::all();
        listing::children(ctx, self.row.id, category, filter, everything, order_by, page).await
    }
}

super::table::entity! {
    node: Category(category);
    /// A column of categories, for ordering and grouping.
    field: CategoryField;
    /// Conditions on categories; all given ones must hold.
    filter: CategoryWhere;
    /// The grouped fields of a group of categories (null when not grouped by that field).
    key: CategoryGroupKey;
    aggregate: CategoryAggregate;
    columns {
        Id id: i32, IntFilter;
        Name name: String, StringFilter;
        UpdatedAt updated_at: DateTime<Utc>, DateTimeFilter;
    }
    relations {
        /// Conditions on the category's products.
        products: RelationFilter<ProductWhere> = product::Column::CategoryId => Id;
    }
}

super::aggregate::aggregate! {
    /// Statistics of one group of categories.
    CategoryAggregate(category) key CategoryGroupKey {
        /// How many categories are in the group.
        count;
        min_max
            /// Minima or maxima over a group of categories.
            CategoryMinMax { UpdatedAt updated_at: DateTime<Utc> }
    }
}

/// The fields of a new category.
#[derive(InputObject)]
pub struct CreateCategoryInput {
    /// 1–50 characters after trimming; unique.
    name: String,
    /// Products to create in the category, in the same transaction (at most 100).
    products: Option<Vec<NewProductOfCategoryInput>>,
}

/// A product created with its category.
#[derive(InputObject)]
pub struct NewProductOfCategoryInput {
    /// 1–100 characters after trimming.
    name: String,
    /// A finite number of at least 0.
    price: f64,
    /// At least 0; 0 when omitted.
    stock: Option<i32>,
}

impl FromCreateInput<CreateCategoryInput> for NewCategory {
    fn from_input(input: CreateCategoryInput, at: Option<&str>) -> Result<Self, AppError> {
        let name = CategoryName::parse(&input.name).map_err(|err| under(err, at))?;
        let products = nested(at, "products", input.products, |product| {
            Ok(NewProductOfCategory {
                name: ProductName::parse(&product.name)?,
                price: Price::parse(product.price)?,
                stock: Stock::parse(product.stock.unwrap_or(0))?,
            })
        })?;
        Ok(Self { name, products })
    }

    fn rows(&self) -> usize {
        1 + self.products.len()
    }
}

/// Changes to a category; omitted fields stay as they are (none of them can be null).
#[derive(InputObject)]
pub struct UpdateCategoryInput {
    /// 1–50 characters after trimming; unique.
    name: MaybeUndefined<String>,
}

/// Queries about categories: its lists, then the queries every entity has.
#[derive(MergedObject, Default)]
pub struct CategoryQuery(CategoryLists, CategoryShared);

/// The lists of categories.
#[derive(Default)]
pub struct CategoryLists;

#[Object]
impl CategoryLists {
    /// All categories, by id unless `orderBy` says otherwise.
    #[graphql(complexity = "list_cost(None, child_complexity)")]
    async fn categories(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<CategoryWhere>,
        order_by: Option<Vec<OrderBy<CategoryField>>>,
    ) -> Result<Vec<Category>> {
        let (filter, order_by) = (filter.as_ref(), order_by.as_deref());
        listing::list(ctx, filter, Condition::all(), order_by, None).await
    }
}

impl TryFrom<UpdateCategoryInput> for CategoryPatch {
    type Error = AppError;

    fn try_from(input: UpdateCategoryInput) -> Result<Self, AppError> {
        Ok(Self {
            name: required("name", input.name)?
                .as_deref()
                .map(CategoryName::parse)
                .transpose()?,
        })
    }
}

listing::shared_queries! {
    CategoryShared for Category;
    /// Categories as a Relay connection: cursors follow `orderBy`; `first`/`last` at most 100.
    connection category_connection;
    /// Statistics of the categories that match `where`, per group of `groupBy` (one group
    /// without).
    aggregate category_aggregate;
    /// The category with this id, or null.
    lookup category;
}

super::mutation::mutations! {
    /// Changes to categories.
    CategoryMutation for Category, store::category;
    /// Creates a category, with its first `products` when given (one transaction). Errors:
    /// `BAD_USER_INPUT`, `CONFLICT` (`Category name already exists`).
    create create_category(CreateCategoryInput => NewCategory);
    /// Creates 1–100 categories (with their products), all or none, and returns them in the
    /// order given. Errors name the item: `BAD_USER_INPUT` or `CONFLICT` on `inputs.3.name`.
    create_many create_categories;
    /// Renames a category. Errors: `BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT`.
    update update_category(UpdateCategoryInput => CategoryPatch);
    others {
        /// Creates the category of this name, or returns the one there is: one atomic
        /// statement, safe under concurrent calls. `products` is not taken here. Errors:
        /// `BAD_USER_INPUT`.
        async fn upsert_category(
            &self,
            ctx: &Context<'_>,
            input: CreateCategoryInput,
        ) -> Result<Category> {
            if input.products.is_some() {
                let message =
                    "upsertCategory does not create products; use createCategory or createProduct";
                return Err(async_graphql::ErrorExtensions::extend(&AppError::bad_input("input.products", message)));
            }
            let new = NewCategory::from_input(input, None).extend()?;
            let category = store::category::upsert(&db(ctx)?, new.name).await.extend()?;
            Ok(Category::of(category))
        }
    }
    /// Deletes a category; its products stay, without a category. Returns the category as it
    /// was. Errors: `NOT_FOUND`.
    delete delete_category;
}
