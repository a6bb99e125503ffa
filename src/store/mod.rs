//! Database access, one module per table. Constraint violations become client errors here, where
//! the statement runs; everything above works with validated inputs and plain models.

pub mod category;
pub mod post;
pub mod product;
pub mod user;

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    PrimaryKeyTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use crate::domain::page::Page;

/// One page of `select`, ordered by `id`.
async fn page<E: EntityTrait>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id: E::Column,
    page: Page,
) -> Result<Vec<E::Model>, DbErr> {
    select
        .order_by_asc(id)
        .offset(page.skip())
        .limit(page.limit())
        .all(db)
        .await
}

/// Applies `changes` to row `id` in one statement and returns the row as it is now, or `None`
/// when there is no such row. An update without changes just reads the row.
async fn update<E>(
    db: &impl ConnectionTrait,
    id: i32,
    id_column: E::Column,
    changes: E::ActiveModel,
) -> Result<Option<E::Model>, DbErr>
where
    E: EntityTrait,
    i32: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    if !changes.is_changed() {
        return E::find_by_id(id).one(db).await;
    }
    let mut rows = E::update_many()
        .set(changes)
        .filter(id_column.eq(id))
        .exec_with_returning(db)
        .await?;
    Ok(rows.pop())
}

/// Deletes row `id` and returns it as it was, or `None` when there is no such row.
async fn delete<E>(db: &impl ConnectionTrait, id: i32) -> Result<Option<E::Model>, DbErr>
where
    E: EntityTrait,
    i32: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    E::delete_by_id(id).exec_with_returning(db).await
}

/// `column` contains `needle`, ignoring ASCII case, with `%`, `_` and `\` taken literally.
///
/// Both sides are folded with an ASCII-only lower-case so SQLite (whose `lower` knows only ASCII)
/// and PostgreSQL (whose `lower` follows the locale) return exactly the same rows.
fn contains_ignoring_ascii_case(
    backend: DatabaseBackend,
    column: impl ColumnTrait,
    needle: &str,
) -> Expr {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c.to_ascii_lowercase());
    }
    pattern.push('%');
    let folded = match backend {
        DatabaseBackend::Sqlite => Func::lower(Expr::col(column)).into(),
        _ => Func::cust("translate")
            .arg(Expr::col(column))
            .arg("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
            .arg("abcdefghijklmnopqrstuvwxyz")
            .into(),
    };
    Expr::expr::<Expr>(folded).like(LikeExpr::new(pattern).escape('\\'))
}
