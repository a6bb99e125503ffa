//! Database access, one module per table. Constraint violations become client errors here, where
//! the statement runs; everything above works with validated inputs and plain models.

pub mod bulk;
pub mod category;
pub mod condition;
pub mod direct;
pub mod events;
pub mod inline;
pub mod post;
pub mod product;
pub mod rows;
pub mod sql;
pub mod user;
pub mod write;

use std::any::TypeId;
use std::sync::{Arc, PoisonError, RwLock};

use sea_orm::ActiveValue::{self, Set};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseBackend, DatabaseConnection, DbErr,
    EntityTrait, IdenStatic as _, QueryFilter, QueryTrait, Related, Statement, Value,
};

use crate::domain::fold;
use crate::domain::page::Page;
use crate::error::AppError;
use rows::{ByPosition, Reads};
use sql::Sort;

/// Whether the database answers (a round trip on a pooled connection).
///
/// # Errors
/// When it does not.
pub async fn ping(db: &DatabaseConnection) -> Result<(), DbErr> {
    db.ping().await
}

/// A text column's value and its case-folded twin's (`name` and `name_folded`), set together
/// so that the twin cannot be forgotten: `(model.name, model.name_folded) = with_folded(name)`.
fn with_folded(text: impl Into<String>) -> (ActiveValue<String>, ActiveValue<String>) {
    let text = text.into();
    let folded = Set(fold(&text));
    (Set(text), folded)
}

/// The index of the first key that an earlier one repeats, if any.
fn first_repeat<'k>(keys: impl IntoIterator<Item = &'k str>) -> Option<usize> {
    let mut seen = std::collections::HashSet::new();
    keys.into_iter().position(|key| !seen.insert(key))
}

/// The index of the first of `keys` that `present` holds, if any.
fn first_present<'k>(keys: impl IntoIterator<Item = &'k str>, present: &[String]) -> Option<usize> {
    keys.into_iter()
        .position(|key| present.iter().any(|p| p == key))
}

/// The rows of `E` that meet `condition`, in the total order `keys`, one page of them when
/// `page` is given (otherwise all).
///
/// # Errors
/// `Internal` when the database fails.
pub async fn list<E: EntityTrait<Model: ByPosition>>(
    db: &impl Reads,
    condition: Condition,
    keys: &[Sort<E::Column>],
    page: Option<Page>,
) -> Result<Vec<E::Model>, AppError> {
    let select = sql::ordered(
        E::find().filter(condition),
        db.executor().get_database_backend(),
        keys,
        false,
    );
    let rows = match page {
        Some(page) => sql::fetch_page(db, select, page.skip(), page.limit()).await?,
        None => rows::read(db, select.build(db.executor().get_database_backend())).await?,
    };
    Ok(rows)
}

/// The row of `E` whose `id_column` is `id`, if any.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find<E: EntityTrait<Model: ByPosition>>(
    db: &impl Reads,
    id_column: E::Column,
    id: i32,
) -> Result<Option<E::Model>, AppError> {
    let backend = db.executor().get_database_backend();
    let statement = by_id::<E>(backend, id_column.as_str(), id, || {
        sql::paged_statement(E::find().filter(id_column.eq(id)), backend, 0, 1)
    });
    Ok(rows::read(db, statement).await?.into_iter().next())
}

/// Row `id` of `E` and the row of `R` it refers to (a to-one relation, `None` when it refers
/// to none), read by one statement: a `LEFT JOIN` on the relation.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find_joined<E, R>(
    db: &impl Reads,
    id_column: E::Column,
    id: i32,
) -> Result<Option<(E::Model, Option<R::Model>)>, AppError>
where
    E: EntityTrait<Model: ByPosition> + Related<R>,
    R: EntityTrait<Model: ByPosition>,
{
    // No `LIMIT`: an id matches one row at most, and a bound limit would make SQLite compile
    // the statement again on every call (see `sql::fetch_page`).
    let backend = db.executor().get_database_backend();
    let statement = by_id::<(E, R)>(backend, id_column.as_str(), id, || {
        E::find()
            .filter(id_column.eq(id))
            .find_also_related(R::default())
            .build(backend)
    });
    let rows = rows::read_joined(db, statement).await?;
    Ok(rows.into_iter().next())
}

/// A lookup whose text depends only on `Key` (the entity, or the pair joined), the `column` it
/// matches and the backend: `build`s it the first time, then reuses its text with `id` as its
/// one value. W1's profile put a tenth of a lookup's instructions in writing the same SQL
/// again. The cache holds one text per entity (pair), column and backend, so it cannot grow
/// past a few dozen.
fn by_id<Key: 'static>(
    backend: DatabaseBackend,
    column: &'static str,
    id: i32,
    build: impl FnOnce() -> Statement,
) -> Statement {
    type Texts = Vec<((TypeId, &'static str), DatabaseBackend, Arc<str>)>;
    static TEXTS: RwLock<Texts> = RwLock::new(Vec::new());
    let key = (TypeId::of::<Key>(), column);
    let known = TEXTS
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .iter()
        .find(|(k, b, _)| *k == key && *b == backend)
        .map(|(_, _, text)| text.clone());
    let text = known.unwrap_or_else(|| {
        let built = build();
        debug_assert_eq!(
            built.values.as_ref().map(|values| values.0.as_slice()),
            Some(&[Value::Int(Some(id))][..]),
            "a lookup binds its id alone"
        );
        let text: Arc<str> = built.sql.into();
        let mut texts = TEXTS.write().unwrap_or_else(PoisonError::into_inner);
        if !texts.iter().any(|(k, b, _)| *k == key && *b == backend) {
            texts.push((key, backend, text.clone()));
        }
        text
    });
    Statement::from_sql_and_values(backend, text.as_ref(), [Value::Int(Some(id))])
}

/// The rows of `E` among `ids`, in no particular order.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn find_many<E>(
    db: &impl Reads,
    id_column: E::Column,
    ids: &[i32],
) -> Result<Vec<E::Model>, AppError>
where
    E: EntityTrait<Model: ByPosition>,
{
    let select = E::find().filter(id_column.is_in(ids.iter().copied()));
    Ok(rows::read(db, select.build(db.executor().get_database_backend())).await?)
}

#[cfg(test)]
pub(crate) mod tests {
    use sea_orm::{ActiveModelTrait, EntityTrait, IdenStatic, Iterable};

    /// Every column of `model` that has a case-folded twin is set exactly when its twin is.
    pub(crate) fn assert_twins_set_together<A: ActiveModelTrait>(model: &A) {
        for column in <A::Entity as EntityTrait>::Column::iter() {
            let twin = super::condition::folded_twin(column);
            if twin.as_str() == column.as_str() {
                continue;
            }
            assert_eq!(
                model.get(column).is_set(),
                model.get(twin).is_set(),
                "{} and {} must be set together",
                column.as_str(),
                twin.as_str()
            );
        }
    }
}
