//! The `users` table.

use sea_orm::entity::prelude::*;

/// A row of `users`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "users")]
pub struct Model {
    #[sea_orm(primary_key)]
    /// The row id.
    pub id: i32,
    /// Display name.
    pub name: String,
    /// `name` lower-cased by agora, for case-insensitive matching.
    pub name_folded: String,
    /// E-mail address, unique, stored trimmed, lower-case and in NFC.
    #[sea_orm(unique)]
    pub email: String,
    /// Age in years.
    pub age: i32,
    /// City (`Unknown` when not given).
    pub city: String,
    /// `city` lower-cased by agora, for case-insensitive matching.
    pub city_folded: String,
    /// Whether the account is active.
    pub is_active: bool,
    /// When the row was inserted (set by the database).
    pub created_at: ChronoDateTimeUtc,
    /// When the row last changed (set by agora on every write; the creation time at first).
    pub updated_at: ChronoDateTimeUtc,
}

crate::store::rows::by_position!(
    id,
    name,
    name_folded,
    email,
    age,
    city,
    city_folded,
    is_active,
    created_at,
    updated_at,
);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// The tables `users` relates to.
pub enum Relation {
    /// The user's posts.
    #[sea_orm(has_many = "super::post::Entity")]
    Post,
}

impl Related<super::post::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Post.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
