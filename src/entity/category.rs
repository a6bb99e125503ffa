//! The `categories` table.

use sea_orm::entity::prelude::*;

/// A row of `categories`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "categories")]
pub struct Model {
    #[sea_orm(primary_key)]
    /// The row id.
    pub id: i32,
    /// Name, unique.
    #[sea_orm(unique)]
    pub name: String,
    /// `name` lower-cased by agora, for case-insensitive matching.
    pub name_folded: String,
    /// When the row last changed (set by agora on every write; the creation time at first).
    pub updated_at: ChronoDateTimeUtc,
}

crate::store::rows::by_position!(id, name, name_folded, updated_at);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// The tables `categories` relates to.
pub enum Relation {
    /// The category's products.
    #[sea_orm(has_many = "super::product::Entity")]
    Product,
}

impl Related<super::product::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Product.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
