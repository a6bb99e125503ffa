//! The `posts` table; each post belongs to a user and goes when the user goes.

use sea_orm::entity::prelude::*;

/// A row of `posts`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel, serde::Deserialize)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    /// The row id.
    pub id: i32,
    /// Title.
    pub title: String,
    /// `title` lower-cased by agora, for case-insensitive matching.
    pub title_folded: String,
    /// Body.
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// `content` lower-cased by agora, for case-insensitive matching.
    #[sea_orm(column_type = "Text")]
    pub content_folded: String,
    /// Whether the post is published.
    pub published: bool,
    /// When the row was inserted (set by the database).
    pub created_at: ChronoDateTimeUtc,
    /// When the row last changed (set by agora on every write; the creation time at first).
    pub updated_at: ChronoDateTimeUtc,
    /// The author (`users.id`); the post goes when the user goes.
    pub author_id: i32,
}

crate::store::rows::by_position!(
    id,
    title,
    title_folded,
    content,
    content_folded,
    published,
    created_at,
    updated_at,
    author_id,
);

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
/// The tables `posts` relates to.
pub enum Relation {
    /// The author.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::AuthorId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    Author,
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Author.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
