//! How rows are written: every insert and every change stamps `updated_at` from the database's
//! clock, and a change or delete that names the `updatedAt` it expects checks it in the same
//! statement (`… WHERE id = ? AND updated_at = ?`), so two writers with one expectation cannot
//! both win.
//!
//! A stamp is never earlier than the row's previous one plus a millisecond, so every change
//! gives a new `updatedAt` even within one millisecond (or one PostgreSQL transaction, whose
//! clock stands still), and an update that changes no column keeps the stamp (and so records
//! no event).

use chrono::{DateTime, Utc};
use sea_orm::ActiveValue;
use sea_orm::sea_query::{Alias, Expr, InsertStatement, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    Iterable as _, ModelTrait, PrimaryKeyTrait, QueryFilter, TransactionSession as _,
    TransactionTrait, Value,
};

use super::sql;
use crate::entity::{category, post, product, user};
use crate::error::AppError;

/// A table whose rows have an `id` and an `updated_at` that agora maintains.
pub trait Stamped: EntityTrait<Model: super::rows::ByPosition> {
    /// The id column.
    const ID: Self::Column;
    /// The `updated_at` column.
    const UPDATED_AT: Self::Column;
    /// The entity's name in errors (`User`).
    const NAME: &'static str;
}

impl Stamped for user::Entity {
    const ID: user::Column = user::Column::Id;
    const UPDATED_AT: user::Column = user::Column::UpdatedAt;
    const NAME: &'static str = "User";
}

impl Stamped for post::Entity {
    const ID: post::Column = post::Column::Id;
    const UPDATED_AT: post::Column = post::Column::UpdatedAt;
    const NAME: &'static str = "Post";
}

impl Stamped for category::Entity {
    const ID: category::Column = category::Column::Id;
    const UPDATED_AT: category::Column = category::Column::UpdatedAt;
    const NAME: &'static str = "Category";
}

impl Stamped for product::Entity {
    const ID: product::Column = product::Column::Id;
    const UPDATED_AT: product::Column = product::Column::UpdatedAt;
    const NAME: &'static str = "Product";
}

/// What became of a change or delete of one row.
#[derive(Debug)]
pub enum Outcome<M> {
    /// Done: the row as it is now (or, for a delete, as it was).
    Written(M),
    /// There is no such row.
    Missing,
    /// The row's `updated_at` is not the one expected (this is it); nothing was written.
    Stale(&'static str, DateTime<Utc>),
}

impl<M> Outcome<M> {
    /// The row, or the client error: `missing` when there is no row, `Stale` when it changed.
    ///
    /// # Errors
    /// As said.
    pub fn or(self, missing: AppError) -> Result<M, AppError> {
        match self {
            Self::Written(row) => Ok(row),
            Self::Missing => Err(missing),
            Self::Stale(entity, updated_at) => Err(AppError::Stale { entity, updated_at }),
        }
    }
}

/// The database's clock to the millisecond, as the columns store it (the same expression as
/// the `created_at` default, so a new row's two stamps are equal).
pub fn now(backend: DatabaseBackend) -> Expr {
    match backend {
        DatabaseBackend::Postgres => Expr::cust("date_trunc('milliseconds', CURRENT_TIMESTAMP)"),
        _ => Expr::cust("strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"),
    }
}

/// The new stamp of a changed row of `E`: now, but at least a millisecond after the old one.
pub fn bumped<E: Stamped>(backend: DatabaseBackend) -> Expr {
    let old = Expr::col((E::default(), E::UPDATED_AT));
    match backend {
        DatabaseBackend::Postgres => Expr::cust_with_exprs(
            "greatest($1, $2 + interval '1 millisecond')",
            [now(backend), old],
        ),
        // SQLite's custom expressions take `?`, in order.
        _ => Expr::cust_with_exprs(
            "max(?, strftime('%Y-%m-%dT%H:%M:%fZ', ?, '+0.001 seconds'))",
            [now(backend), old],
        ),
    }
}

/// `a` and `b` differ, NULL being a value like any other.
fn distinct(backend: DatabaseBackend, a: Expr, b: Expr) -> Expr {
    match backend {
        DatabaseBackend::Postgres => Expr::cust_with_exprs("$1 IS DISTINCT FROM $2", [a, b]),
        _ => Expr::cust_with_exprs("? IS NOT ?", [a, b]),
    }
}

/// The stamp of a row of `E` that `changes` are applied to: bumped when one of the columns
/// would get a different value, kept otherwise.
fn stamp_for<E: Stamped>(backend: DatabaseBackend, changes: &E::ActiveModel) -> Expr {
    let mut changed = Condition::any();
    for column in E::Column::iter() {
        if let ActiveValue::Set(value) = changes.get(column) {
            changed = changed.add(distinct(
                backend,
                Expr::col((E::default(), column)),
                Expr::val(value),
            ));
        }
    }
    stamp_when::<E>(backend, changed)
}

/// The new stamp of a row of `E`: bumped when `changed` holds, kept otherwise.
fn stamp_when<E: Stamped>(backend: DatabaseBackend, changed: Condition) -> Expr {
    Expr::case(changed, bumped::<E>(backend))
        .finally(Expr::col((E::default(), E::UPDATED_AT)))
        .into()
}

/// The `INSERT` of `rows` (each setting the same columns), stamped now.
///
/// # Errors
/// When `rows` is empty or the rows set different columns (a bug).
pub fn insert_statement<E: Stamped>(
    backend: DatabaseBackend,
    rows: &[E::ActiveModel],
) -> Result<InsertStatement, DbErr> {
    let columns: Vec<E::Column> = E::Column::iter()
        .filter(|&column| rows.first().is_some_and(|row| row.get(column).is_set()))
        .collect();
    let mut insert = Query::insert();
    insert
        .into_table(E::default())
        .columns(columns.iter().copied().chain([E::UPDATED_AT]));
    for row in rows {
        let mut values: Vec<Expr> = Vec::with_capacity(columns.len() + 1);
        for &column in &columns {
            match row.get(column) {
                ActiveValue::Set(value) => values.push(Expr::val(value)),
                _ => return Err(uneven_rows()),
            }
        }
        values.push(now(backend));
        insert
            .values(values)
            .map_err(|err| DbErr::Custom(err.to_string()))?;
    }
    if rows.is_empty() {
        return Err(uneven_rows());
    }
    Ok(insert)
}

fn uneven_rows() -> DbErr {
    DbErr::Custom("an insert needs one or more rows that set the same columns".into())
}

/// Rows in one `INSERT` statement: far below the bound parameters SQLite (32,766) and
/// PostgreSQL (65,535) take, at the widest row's seven.
pub const ROWS_PER_INSERT: usize = 1_000;

/// Inserts `rows`, a statement per [`ROWS_PER_INSERT`] (so only a transaction makes more than
/// that many all or nothing), and returns them as stored, in the order given.
///
/// # Errors
/// When a statement fails (a constraint: the caller maps it).
pub async fn insert<E: Stamped>(
    db: &impl ConnectionTrait,
    rows: &[E::ActiveModel],
) -> Result<Vec<E::Model>, DbErr> {
    let mut inserted = Vec::with_capacity(rows.len());
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        let insert = insert_statement::<E>(db.get_database_backend(), chunk)?;
        inserted.extend(run_insert::<E>(db, insert).await?);
    }
    Ok(inserted)
}

/// Inserts one row and returns it as stored.
///
/// # Errors
/// When the statement fails (a constraint: the caller maps it).
pub async fn insert_one<E: Stamped>(
    db: &impl ConnectionTrait,
    row: E::ActiveModel,
) -> Result<E::Model, DbErr> {
    insert::<E>(db, &[row])
        .await?
        .pop()
        .ok_or_else(|| DbErr::RecordNotInserted)
}

/// Inserts parent rows of `P` and, in the same transaction, the children of each (`child`
/// makes a child's row from its parent's id): a statement per table, parents returned in the
/// order given.
///
/// # Errors
/// When a statement fails (a constraint: the caller maps it).
pub async fn insert_with_children<P, C, N>(
    db: &(impl ConnectionTrait + TransactionTrait),
    parents: Vec<(P::ActiveModel, Vec<N>)>,
    child: impl Fn(i32, N) -> C::ActiveModel,
) -> Result<Vec<P::Model>, DbErr>
where
    P: Stamped,
    C: Stamped,
{
    let (rows, children): (Vec<P::ActiveModel>, Vec<Vec<N>>) = parents.into_iter().unzip();
    let txn = db.begin().await?;
    let inserted = insert::<P>(&txn, &rows).await?;
    let mut child_rows = Vec::new();
    for (parent, children) in inserted.iter().zip(children) {
        let Ok(id) = i32::try_from(id_of::<P>(parent)) else {
            return Err(DbErr::Custom("a parent id out of range".into()));
        };
        child_rows.extend(children.into_iter().map(|new| child(id, new)));
    }
    if !child_rows.is_empty() {
        insert::<C>(&txn, &child_rows).await?;
    }
    txn.commit().await?;
    Ok(inserted)
}

/// Runs an `INSERT` of `E`, returning its rows by id: the order of a multi-row `VALUES` (ids
/// are drawn row by row), which SQLite's `RETURNING` does not promise to keep.
///
/// # Errors
/// When the statement fails.
pub async fn run_insert<E: Stamped>(
    db: &impl ConnectionTrait,
    mut insert: InsertStatement,
) -> Result<Vec<E::Model>, DbErr> {
    let statement = db.get_database_backend().build(insert.returning_all());
    let mut rows = E::find().from_raw_sql(statement).all(db).await?;
    rows.sort_by_key(|row| id_of::<E>(row));
    Ok(rows)
}

/// `ON CONFLICT (key) DO UPDATE` of `columns` from the proposed row, stamping the row when one
/// of them changes; with no columns, the existing row is returned as it is.
pub fn on_conflict_update<E: Stamped>(
    backend: DatabaseBackend,
    key: E::Column,
    columns: &[E::Column],
) -> OnConflict {
    let mut conflict = OnConflict::column(key);
    let excluded = |column: E::Column| Expr::col((Alias::new("excluded"), column));
    if columns.is_empty() {
        // Setting the key to itself changes nothing (no event) and lets RETURNING see the row.
        conflict.value(key, excluded(key));
        return conflict;
    }
    let mut changed = Condition::any();
    for &column in columns {
        conflict.value(column, excluded(column));
        changed = changed.add(distinct(
            backend,
            Expr::col((E::default(), column)),
            excluded(column),
        ));
    }
    conflict.value(E::UPDATED_AT, stamp_when::<E>(backend, changed));
    conflict
}

/// The id of a row of `E`.
fn id_of<E: Stamped>(row: &E::Model) -> i64 {
    match row.get(E::ID) {
        Value::Int(Some(id)) => i64::from(id),
        Value::BigInt(Some(id)) => id,
        _ => i64::MIN,
    }
}

/// The `updated_at` of a row of `E`.
fn updated_at_of<E: Stamped>(row: &E::Model) -> Option<DateTime<Utc>> {
    match row.get(E::UPDATED_AT) {
        Value::ChronoDateTimeUtc(at) => at,
        _ => None,
    }
}

/// Applies `changes` to row `id` of `E` in one statement, if its `updated_at` is `expected`
/// (when given), and returns the row as it is now. An update without changes just reads the
/// row (and checks the expectation).
///
/// # Errors
/// When the database fails (or a constraint breaks: the caller maps it).
pub async fn update<E>(
    db: &impl ConnectionTrait,
    id: i32,
    changes: E::ActiveModel,
    expected: Option<DateTime<Utc>>,
) -> Result<Outcome<E::Model>, DbErr>
where
    E: Stamped,
    i32: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    let backend = db.get_database_backend();
    if expected.is_some_and(never_stored) {
        return refused::<E>(db, id).await;
    }
    if !changes.is_changed() {
        return current::<E>(db, id, expected).await;
    }
    let stamp = stamp_for::<E>(backend, &changes);
    let mut update = E::update_many()
        .set(changes)
        .col_expr(E::UPDATED_AT, stamp)
        .filter(E::ID.eq(id));
    if let Some(at) = expected {
        update = update.filter(E::UPDATED_AT.eq(sql::bindable(backend, at.into())));
    }
    match update.exec_with_returning(db).await?.pop() {
        Some(row) => Ok(Outcome::Written(row)),
        None if expected.is_some() => refused::<E>(db, id).await,
        None => Ok(Outcome::Missing),
    }
}

/// Deletes row `id` of `E`, if its `updated_at` is `expected` (when given), and returns it as
/// it was.
///
/// # Errors
/// When the database fails.
pub async fn delete<E>(
    db: &impl ConnectionTrait,
    id: i32,
    expected: Option<DateTime<Utc>>,
) -> Result<Outcome<E::Model>, DbErr>
where
    E: Stamped,
    i32: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    let backend = db.get_database_backend();
    if expected.is_some_and(never_stored) {
        return refused::<E>(db, id).await;
    }
    let mut delete = E::delete_many().filter(E::ID.eq(id));
    if let Some(at) = expected {
        delete = delete.filter(E::UPDATED_AT.eq(sql::bindable(backend, at.into())));
    }
    match delete.exec_with_returning(db).await?.pop() {
        Some(row) => Ok(Outcome::Written(row)),
        None if expected.is_some() => refused::<E>(db, id).await,
        None => Ok(Outcome::Missing),
    }
}

/// Whether `at` lies between two milliseconds, where no stamp is: stored stamps are whole
/// milliseconds (and SQLite's text would drop the rest, matching the wrong one).
fn never_stored(at: DateTime<Utc>) -> bool {
    !at.timestamp_subsec_nanos().is_multiple_of(1_000_000)
}

/// Row `id` as it is, if its `updated_at` is `expected` (when given).
async fn current<E>(
    db: &impl ConnectionTrait,
    id: i32,
    expected: Option<DateTime<Utc>>,
) -> Result<Outcome<E::Model>, DbErr>
where
    E: Stamped,
    i32: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    let Some(row) = sql::fetch_first(db, E::find_by_id(id)).await? else {
        return Ok(Outcome::Missing);
    };
    match (expected, updated_at_of::<E>(&row)) {
        (Some(expected), Some(now)) if expected != now => Ok(Outcome::Stale(E::NAME, now)),
        _ => Ok(Outcome::Written(row)),
    }
}

/// Why a write that expected an `updated_at` wrote nothing: the row is gone, or has another
/// stamp (read after the refusal, for the error only; nothing is decided on it).
async fn refused<E>(db: &impl ConnectionTrait, id: i32) -> Result<Outcome<E::Model>, DbErr>
where
    E: Stamped,
    i32: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    let row = sql::fetch_first(db, E::find_by_id(id)).await?;
    Ok(match row.as_ref().and_then(updated_at_of::<E>) {
        Some(now) => Outcome::Stale(E::NAME, now),
        None => Outcome::Missing,
    })
}
