//! The `products` table; a product may belong to a category and outlives it.

use sea_orm::entity::prelude::*;

/// A row of `products`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "products")]
pub struct Model {
    #[sea_orm(primary_key)]
    /// The row id.
    pub id: i32,
    /// Name.
    pub name: String,
    /// `name` lower-cased by agora, for case-insensitive matching.
    pub name_folded: String,
    /// Price.
    pub price: f64,
    /// Units in stock.
    pub stock: i32,
    /// The category (`categories.id`), if any; cleared when the category goes.
    pub category_id: Option<i32>,
    /// When the row last changed (set by agora on every write; the creation time at first).
    pub updated_at: ChronoDateTimeUtc,
}

crate::store::rows::by_position!(id, name, name_folded, price, stock, category_id, updated_at);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// The tables `products` relates to.
pub enum Relation {
    /// The category.
    #[sea_orm(
        belongs_to = "super::category::Entity",
        from = "Column::CategoryId",
        to = "super::category::Column::Id",
        on_delete = "SetNull"
    )]
    Category,
}

impl Related<super::category::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Category.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
