//! The four tables of SPEC section 1 with their unique rules, indexes and foreign keys.

use sea_orm_migration::sea_orm::DatabaseBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Name,
    NameFolded,
    Email,
    Age,
    City,
    CityFolded,
    IsActive,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Posts {
    Table,
    Id,
    Title,
    TitleFolded,
    Content,
    ContentFolded,
    Published,
    CreatedAt,
    AuthorId,
}

#[derive(DeriveIden)]
enum Categories {
    Table,
    Id,
    Name,
    NameFolded,
}

#[derive(DeriveIden)]
enum Products {
    Table,
    Id,
    Name,
    NameFolded,
    Price,
    Stock,
    CategoryId,
}

/// The database's own clock, in UTC, to the millisecond on every backend (so values, filters
/// and cursors behave the same). SQLite stores RFC 3339 text.
fn now(backend: DatabaseBackend) -> Expr {
    match backend {
        DatabaseBackend::Sqlite => Expr::cust("(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))"),
        _ => Expr::cust("date_trunc('milliseconds', CURRENT_TIMESTAMP)"),
    }
}

// `*_folded` columns hold the lower-cased text (folded by agora, in Rust) that case-insensitive
// filters compare, so SQLite and PostgreSQL agree on every letter whatever the locale.

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_auto(Users::Id))
                    .col(string_len(Users::Name, 50))
                    .col(string_len(Users::NameFolded, 200))
                    .col(string_len_uniq(Users::Email, 100))
                    .col(integer(Users::Age))
                    .col(string_len(Users::City, 50).default("Unknown"))
                    .col(string_len(Users::CityFolded, 200).default("unknown"))
                    .col(boolean(Users::IsActive).default(true))
                    .col(timestamp_with_time_zone(Users::CreatedAt).default(now(backend)))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Posts::Table)
                    .col(pk_auto(Posts::Id))
                    .col(string_len(Posts::Title, 100))
                    .col(string_len(Posts::TitleFolded, 400))
                    .col(text(Posts::Content))
                    .col(text(Posts::ContentFolded))
                    .col(boolean(Posts::Published).default(false))
                    .col(timestamp_with_time_zone(Posts::CreatedAt).default(now(backend)))
                    .col(integer(Posts::AuthorId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_posts_author_id")
                            .from(Posts::Table, Posts::AuthorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_posts_author_id")
                    .table(Posts::Table)
                    .col(Posts::AuthorId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Categories::Table)
                    .col(pk_auto(Categories::Id))
                    .col(string_len_uniq(Categories::Name, 50))
                    .col(string_len(Categories::NameFolded, 200))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Products::Table)
                    .col(pk_auto(Products::Id))
                    .col(string_len(Products::Name, 100))
                    .col(string_len(Products::NameFolded, 400))
                    .col(double(Products::Price))
                    .col(integer(Products::Stock).default(0))
                    .col(integer_null(Products::CategoryId))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_products_category_id")
                            .from(Products::Table, Products::CategoryId)
                            .to(Categories::Table, Categories::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_products_category_id")
                    .table(Products::Table)
                    .col(Products::CategoryId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Products::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Categories::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Posts::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Users::Table).to_owned())
            .await
    }
}
