//! Bulk writes for `agora seed`: many rows per statement, many statements per transaction.

use anyhow::Context as _;
use sea_orm::sea_query::{Expr, Func};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseBackend, DatabaseConnection, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, TransactionTrait,
};

use super::write::{self, Stamped};
use crate::entity::{category, user};
use crate::error::AppError;

/// Rows in one INSERT statement (well under SQLite's and PostgreSQL's parameter limits).
const ROWS_PER_STATEMENT: usize = 1_000;
/// Rows per transaction.
const ROWS_PER_TRANSACTION: usize = 50_000;

/// Inserts `rows` (generated as they go, so a million rows never sit in memory) in multi-row
/// statements, committing every `ROWS_PER_TRANSACTION`; `inserted` hears of every statement's
/// row count.
///
/// # Errors
/// When a row breaks a validation rule (nothing of its transaction is kept) or a statement
/// fails.
pub async fn insert_all<E: Stamped>(
    db: &DatabaseConnection,
    rows: impl Iterator<Item = Result<E::ActiveModel, AppError>>,
    mut inserted: impl FnMut(u64),
) -> anyhow::Result<()> {
    let mut rows = rows.peekable();
    while rows.peek().is_some() {
        let txn = db.begin().await?;
        for _ in 0..ROWS_PER_TRANSACTION / ROWS_PER_STATEMENT {
            let batch: Vec<E::ActiveModel> = rows
                .by_ref()
                .take(ROWS_PER_STATEMENT)
                .collect::<Result<_, _>>()
                .context("generated seed data breaks a validation rule")?;
            if batch.is_empty() {
                break;
            }
            let count = batch.len() as u64;
            let insert = write::insert_statement::<E>(txn.get_database_backend(), &batch)?;
            txn.execute(&insert).await?;
            inserted(count);
        }
        txn.commit().await?;
    }
    Ok(())
}

/// After a bulk load: fresh planner statistics, and on PostgreSQL a vacuum that also merges
/// the pending entries of the trigram GIN indexes (until autovacuum gets there, every search
/// would read them one by one); on SQLite the search table's segments merged.
///
/// # Errors
/// When the database fails.
pub async fn tidy(db: &DatabaseConnection) -> anyhow::Result<()> {
    let statements: &[&str] = match db.get_database_backend() {
        DatabaseBackend::Postgres => &["VACUUM ANALYZE"],
        _ => &[
            "INSERT INTO users_search(users_search) VALUES ('optimize')",
            "ANALYZE",
        ],
    };
    for statement in statements {
        db.execute_unprepared(statement).await?;
    }
    Ok(())
}

/// Whether the database has any user or category.
///
/// # Errors
/// When the database fails.
pub async fn has_rows(db: &impl ConnectionTrait) -> anyhow::Result<bool> {
    let rows = user::Entity::find().count(db).await? + category::Entity::find().count(db).await?;
    Ok(rows > 0)
}

/// The largest id of a table (0 when empty).
///
/// # Errors
/// When the database fails.
pub async fn max_id<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
) -> anyhow::Result<i32> {
    let max: Option<Option<i32>> = E::find()
        .select_only()
        .column_as(Expr::expr(Func::max(Expr::col(id))), "max")
        .into_tuple()
        .one(db)
        .await?;
    Ok(max.flatten().unwrap_or(0))
}

/// The ids above `after`, in order: the rows this run created.
///
/// # Errors
/// When the database fails.
pub async fn ids_after<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    after: i32,
) -> anyhow::Result<Vec<i32>> {
    Ok(E::find()
        .select_only()
        .column(id)
        .filter(id.gt(after))
        .order_by_asc(id)
        .into_tuple()
        .all(db)
        .await?)
}
