//! The `posts` table; each post belongs to a user and goes when the user goes.

use sea_orm::entity::prelude::*;

/// A row of `posts`.
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "posts")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub title: String,
    /// `title` lower-cased by agora, for case-insensitive matching.
    pub title_folded: String,
    #[sea_orm(column_type = "Text")]
    pub content: String,
    /// `content` lower-cased by agora, for case-insensitive matching.
    #[sea_orm(column_type = "Text")]
    pub content_folded: String,
    pub published: bool,
    pub created_at: ChronoDateTimeUtc,
    pub author_id: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
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
