//! The SQL of reading any table: text matching, total orders, keyset pages, per-parent pages,
//! counts and aggregates, written once and behaving the same on SQLite and PostgreSQL.

use sea_orm::sea_query::{
    Alias, Expr, ExprTrait, Func, NullOrdering, Order, Query, SelectStatement, WindowStatement,
};
use sea_orm::{
    ColumnTrait, ColumnType, Condition, ConnectionTrait, DatabaseBackend, DbErr, EntityTrait,
    IdenStatic, QueryFilter, QueryOrder, QueryResult, QuerySelect, QueryTrait, Select, Statement,
    Value,
};

use super::rows::{self, ByPosition, Reads};

/// Ascending or descending.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    /// Smallest first (NULL is the smallest).
    Asc,
    /// Largest first.
    Desc,
}

/// One key of an order: a column and its direction.
#[derive(Clone, Copy, Debug)]
pub struct Sort<C> {
    /// The column sorted by.
    pub column: C,
    /// Which way.
    pub direction: Direction,
}

/// The requested keys followed by `id` (unless already there), so that every order is total
/// and stable. A key after `id` could never matter and is dropped.
pub fn total_order<C: ColumnTrait>(
    requested: impl IntoIterator<Item = Sort<C>>,
    id: C,
) -> Vec<Sort<C>> {
    let mut keys: Vec<Sort<C>> = Vec::new();
    for sort in requested {
        if keys
            .iter()
            .any(|key| key.column.as_str() == sort.column.as_str())
        {
            continue;
        }
        keys.push(sort);
        if sort.column.as_str() == id.as_str() {
            return keys;
        }
    }
    keys.push(Sort {
        column: id,
        direction: Direction::Asc,
    });
    keys
}

fn is_text<C: ColumnTrait>(column: C) -> bool {
    matches!(
        column.def().get_column_type(),
        ColumnType::String(_) | ColumnType::Text | ColumnType::Char(_)
    )
}

fn is_nullable<C: ColumnTrait>(column: C) -> bool {
    column.def().is_null()
}

/// `column` as a sort key: text compares by code point on both backends (PostgreSQL would
/// otherwise follow the database's locale).
fn sort_key<C: ColumnTrait>(backend: DatabaseBackend, column: C) -> Expr {
    let expr = Expr::col((column.entity_name(), column));
    if backend == DatabaseBackend::Postgres && is_text(column) {
        Expr::cust_with_expr("$1 COLLATE \"C\"", expr)
    } else {
        expr
    }
}

/// A value as the database compares it: SQLite keeps timestamps as RFC 3339 text with
/// milliseconds, so a timestamp is bound as exactly that text there.
pub fn bindable(backend: DatabaseBackend, value: Value) -> Value {
    match value {
        Value::ChronoDateTimeUtc(Some(at)) if backend == DatabaseBackend::Sqlite => {
            Value::String(Some(at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()))
        }
        other => other,
    }
}

/// The rows of `select` from `skip` on, at most `limit` of them.
///
/// The page is written into the SQL as numbers rather than bound: SQLite (3.51) re-compiles a
/// statement whenever a `LIMIT` or `OFFSET` parameter is bound again, which doubled the cost of
/// every paged read; with numbers in its text a statement stays prepared and is reused. They
/// are integers, so nothing can be injected.
///
/// # Errors
/// When the database fails.
pub async fn fetch_page<E: EntityTrait<Model: ByPosition>>(
    db: &impl Reads,
    select: Select<E>,
    skip: u64,
    limit: u64,
) -> Result<Vec<E::Model>, DbErr> {
    let statement = paged_statement(select, db.executor().get_database_backend(), skip, limit);
    rows::read(db, statement).await
}

/// The statement of `select` with its page written in (see `fetch_page`).
pub(crate) fn paged_statement<E: EntityTrait>(
    select: Select<E>,
    backend: DatabaseBackend,
    skip: u64,
    limit: u64,
) -> Statement {
    let mut statement = select.build(backend);
    statement.sql = format!("{} LIMIT {limit} OFFSET {skip}", statement.sql);
    statement
}

/// The first row of `select`, if any (see `fetch_page` for why not `Select::one`).
///
/// # Errors
/// When the database fails.
pub async fn fetch_first<E: EntityTrait<Model: ByPosition>>(
    db: &impl Reads,
    select: Select<E>,
) -> Result<Option<E::Model>, DbErr> {
    Ok(fetch_page(db, select, 0, 1).await?.into_iter().next())
}

/// One page of a keyset-paginated list: the rows of `E` that meet `condition` and come after
/// the key values `after` and before `before` in the total order `keys` (walked backwards when
/// `backward`), `offset` of them skipped, at most `limit`.
///
/// # Errors
/// When the database fails.
#[allow(clippy::too_many_arguments)]
pub async fn keyset_page<E: EntityTrait<Model: ByPosition>>(
    db: &impl Reads,
    condition: Condition,
    keys: &[Sort<E::Column>],
    after: Option<&[Value]>,
    before: Option<&[Value]>,
    backward: bool,
    offset: u64,
    limit: u64,
) -> Result<Vec<E::Model>, DbErr> {
    let backend = db.executor().get_database_backend();
    let mut condition = condition;
    if let Some(after) = after {
        condition = condition.add(beyond(backend, keys, after, true));
    }
    if let Some(before) = before {
        condition = condition.add(beyond(backend, keys, before, false));
    }
    let select = ordered(E::find().filter(condition), backend, keys, backward);
    fetch_page(db, select, offset, limit).await
}

/// A `COUNT(*)` of the rows of a table that meet a condition, to run later (or never).
pub struct CountQuery(SelectStatement);

impl CountQuery {
    /// The count of the rows of `E` that meet `condition`.
    pub fn new<E: EntityTrait>(condition: Condition) -> Self {
        Self(
            E::find()
                .select_only()
                .column_as(Expr::cust("COUNT(*)"), "count")
                .filter(condition)
                .into_query(),
        )
    }

    /// Runs the count.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn run(&self, db: &impl ConnectionTrait) -> Result<i64, DbErr> {
        let row = db.query_one(&self.0).await?;
        Ok(row
            .map(|row| row.try_get::<i64>("", "count"))
            .transpose()?
            .unwrap_or(0))
    }
}

/// Whether a value is SQL NULL (of a type agora binds).
pub(crate) fn is_null(value: &Value) -> bool {
    matches!(
        value,
        Value::Bool(None)
            | Value::Int(None)
            | Value::BigInt(None)
            | Value::Double(None)
            | Value::String(None)
            | Value::ChronoDateTimeUtc(None)
    )
}

/// A condition that no row meets.
pub fn never() -> Condition {
    Condition::all().add(Expr::val(1).eq(0))
}

/// `column` (qualified with its table) compared by code point, for conditions.
pub fn compared<C: ColumnTrait>(backend: DatabaseBackend, column: C) -> Expr {
    sort_key(backend, column)
}

/// `text` contains `needle`, case-sensitively; no character of `needle` is special.
pub fn contains(backend: DatabaseBackend, text: Expr, needle: &str) -> Expr {
    let position = match backend {
        DatabaseBackend::Postgres => Func::cust("strpos").arg(text).arg(needle),
        _ => Func::cust("instr").arg(text).arg(needle),
    };
    Expr::expr(position).gt(0)
}

/// `text` starts with `prefix`, case-sensitively.
pub fn starts_with(text: Expr, prefix: &str) -> Expr {
    let length = Func::cust("length").arg(prefix);
    Expr::expr(Func::cust("substr").arg(text).arg(1).arg(length)).eq(prefix)
}

/// `text` ends with `suffix`, case-sensitively.
pub fn ends_with(text: Expr, suffix: &str) -> Expr {
    let suffix_length = Expr::expr(Func::cust("length").arg(suffix));
    let text_length = Expr::expr(Func::cust("length").arg(text.clone()));
    let start = text_length.clone().sub(suffix_length.clone()).add(1);
    text_length
        .gte(suffix_length)
        .and(Expr::expr(Func::cust("substr").arg(text).arg(start)).eq(suffix))
}

/// Orders `select` by `keys` (reversed for backward pages). NULL sorts as the smallest value
/// on both backends.
pub fn ordered<E: EntityTrait>(
    mut select: Select<E>,
    backend: DatabaseBackend,
    keys: &[Sort<E::Column>],
    reversed: bool,
) -> Select<E> {
    for key in keys {
        let ascending = (key.direction == Direction::Asc) != reversed;
        let order = if ascending { Order::Asc } else { Order::Desc };
        let expr = sort_key(backend, key.column);
        select = if is_nullable(key.column) {
            let nulls = if ascending {
                NullOrdering::First
            } else {
                NullOrdering::Last
            };
            select.order_by_with_nulls(expr, order, nulls)
        } else {
            select.order_by(expr, order)
        };
    }
    select
}

/// Rows strictly after (`forward`) or before the row whose values of `keys` are `values`, in
/// the order `keys`: the keyset condition behind cursors.
pub fn beyond<C: ColumnTrait>(
    backend: DatabaseBackend,
    keys: &[Sort<C>],
    values: &[Value],
    forward: bool,
) -> Condition {
    let mut any = Condition::any();
    for (i, (key, value)) in keys.iter().zip(values).enumerate() {
        let mut all = Condition::all();
        for (earlier, earlier_value) in keys.iter().zip(values).take(i) {
            let column = Expr::col((earlier.column.entity_name(), earlier.column));
            all = all.add(if is_null(earlier_value) {
                column.is_null()
            } else {
                column.eq(bindable(backend, earlier_value.clone()))
            });
        }
        any = any.add(all.add(past(backend, *key, value, forward)));
    }
    any
}

/// Values of `key` that come after `value` when walking `forward` (NULL is the smallest).
fn past<C: ColumnTrait>(
    backend: DatabaseBackend,
    key: Sort<C>,
    value: &Value,
    forward: bool,
) -> Condition {
    let towards_larger = (key.direction == Direction::Asc) == forward;
    let column = Expr::col((key.column.entity_name(), key.column));
    match (is_null(value), towards_larger) {
        (true, true) => Condition::all().add(column.is_not_null()),
        (true, false) => never(),
        (false, true) => {
            Condition::all().add(sort_key(backend, key.column).gt(bindable(backend, value.clone())))
        }
        (false, false) => {
            let smaller = sort_key(backend, key.column).lt(bindable(backend, value.clone()));
            if is_nullable(key.column) {
                Condition::any().add(smaller).add(column.is_null())
            } else {
                Condition::all().add(smaller)
            }
        }
    }
}

/// The values of `keys` in `model`, for a cursor.
pub fn key_values<E: EntityTrait>(model: &E::Model, keys: &[Sort<E::Column>]) -> Vec<Value>
where
    E::Model: sea_orm::ModelTrait<Entity = E>,
{
    use sea_orm::ModelTrait as _;
    keys.iter().map(|key| model.get(key.column)).collect()
}

/// One nested list's query, for any set of parents: the rows that meet `condition`, ranked per
/// parent in the order `keys`, `skip` then at most `limit` of them per parent, all parents in
/// one statement (a window function ranks the rows of each parent).
///
/// Two queries are equal when their statements are: the statement itself (without the parents)
/// is what tells them apart, so a DataLoader key built on it can never share a batch with a
/// query that would run differently.
pub struct ChildrenQuery<E: EntityTrait> {
    parent_column: E::Column,
    condition: Condition,
    keys: Vec<Sort<E::Column>>,
    skip: u64,
    limit: Option<u64>,
    /// The statement for no parents, its values written in.
    identity: String,
}

impl<E: EntityTrait> ChildrenQuery<E> {
    /// The query of the children whose `parent_column` names their parent.
    pub fn new(
        backend: DatabaseBackend,
        parent_column: E::Column,
        condition: Condition,
        keys: Vec<Sort<E::Column>>,
        skip: u64,
        limit: Option<u64>,
    ) -> Self {
        let mut query = Self {
            parent_column,
            condition,
            keys,
            skip,
            limit,
            identity: String::new(),
        };
        query.identity = backend.build(&query.statement(backend, &[])).to_string();
        query
    }

    /// The column of a child that names its parent.
    pub fn parent_column(&self) -> E::Column {
        self.parent_column
    }

    /// The statement for `parent_ids`.
    fn statement(&self, backend: DatabaseBackend, parent_ids: &[i32]) -> SelectStatement {
        let parent_column = self.parent_column;
        let keys = self.keys.iter().map(|key| {
            let ascending = key.direction == Direction::Asc;
            let order = if ascending { Order::Asc } else { Order::Desc };
            let nulls = if ascending {
                NullOrdering::First
            } else {
                NullOrdering::Last
            };
            (sort_key(backend, key.column), order, nulls)
        });
        let mut children: SelectStatement = E::find()
            .filter(parent_column.is_in(parent_ids.iter().copied()))
            .filter(self.condition.clone())
            .into_query();
        if self.skip == 0 && self.limit.is_none() {
            // Every child of each parent: no rank to page by, so no window (which would sort
            // the children once more).
            children.order_by((parent_column.entity_name(), parent_column), Order::Asc);
            for (key, order, nulls) in keys {
                children.order_by_expr_with_nulls(key, order, nulls);
            }
            return children;
        }
        let mut window =
            WindowStatement::partition_by((parent_column.entity_name(), parent_column));
        for (key, order, nulls) in keys {
            window.order_by_expr_with_nulls(key, order, nulls);
        }
        let rank = Alias::new("agora_rank");
        let mut ranked = children;
        ranked.expr_window_as(Expr::cust("ROW_NUMBER()"), window, rank.clone());

        let mut page = Query::select();
        page.column(sea_orm::sea_query::Asterisk)
            .from_subquery(ranked, Alias::new("ranked"))
            .and_where(Expr::col(rank.clone()).gt(self.skip))
            .order_by(Alias::new(parent_column.as_str()), Order::Asc)
            .order_by(rank.clone(), Order::Asc);
        if let Some(limit) = self.limit {
            page.and_where(Expr::col(rank).lte(self.skip.saturating_add(limit)));
        }
        page
    }

    /// The children of every one of `parent_ids`, by parent, each parent's in order.
    ///
    /// # Errors
    /// When the database fails.
    pub async fn run(&self, db: &impl Reads, parent_ids: &[i32]) -> Result<Vec<E::Model>, DbErr>
    where
        E::Model: ByPosition,
    {
        // The entity's columns come first, its rank after them.
        let backend = db.executor().get_database_backend();
        rows::read(db, backend.build(&self.statement(backend, parent_ids))).await
    }
}

impl<E: EntityTrait> PartialEq for ChildrenQuery<E> {
    fn eq(&self, other: &Self) -> bool {
        self.identity == other.identity
    }
}

impl<E: EntityTrait> Eq for ChildrenQuery<E> {}

impl<E: EntityTrait> std::hash::Hash for ChildrenQuery<E> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.identity.hash(state);
    }
}

/// What an aggregate computes over a column.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Aggregate {
    /// The sum (`BIGINT` for integers, `DOUBLE PRECISION` otherwise).
    Sum,
    /// The average, as `DOUBLE PRECISION`.
    Avg,
    /// The smallest value.
    Min,
    /// The largest value.
    Max,
}

impl Aggregate {
    fn alias<C: ColumnTrait>(self, column: C) -> String {
        let name = match self {
            Self::Sum => "sum",
            Self::Avg => "avg",
            Self::Min => "min",
            Self::Max => "max",
        };
        format!("{name}_{}", column.as_str())
    }
}

/// One group of an aggregate query, as the database returned it.
pub struct Group {
    row: QueryResult,
    /// Rows in the group.
    pub count: i64,
}

impl Group {
    /// The group's value of a grouped column, or `None` when the column is not grouped (or
    /// the group's value is NULL).
    pub fn key<T: sea_orm::TryGetable, C: ColumnTrait>(&self, column: C) -> Option<T> {
        self.row
            .try_get::<Option<T>>("", &format!("key_{}", column.as_str()))
            .ok()
            .flatten()
    }

    /// The value of `aggregate` over `column` (`None` when there are no values).
    pub fn value<T: sea_orm::TryGetable, C: ColumnTrait>(
        &self,
        aggregate: Aggregate,
        column: C,
    ) -> Option<T> {
        self.row
            .try_get::<Option<T>>("", &aggregate.alias(column))
            .ok()
            .flatten()
    }
}

/// Groups the rows matching `condition` by `group_by` (one group when empty) and computes, in
/// one statement, the row count and each of `aggregates`. Integer results come back as
/// `i64`, averages as `f64`, minima and maxima in the column's own type.
pub async fn aggregate<E: EntityTrait>(
    db: &impl ConnectionTrait,
    condition: Condition,
    group_by: &[E::Column],
    aggregates: &[(Aggregate, E::Column)],
) -> Result<Vec<Group>, DbErr> {
    let backend = db.get_database_backend();
    let mut select = E::find().select_only().filter(condition);
    for column in group_by {
        select = select
            .column_as(*column, format!("key_{}", column.as_str()))
            .group_by(*column);
    }
    select = select.column_as(Expr::cust("COUNT(*)"), "count");
    for (aggregate, column) in aggregates {
        let value = Expr::col((column.entity_name(), *column));
        let integer = matches!(
            column.def().get_column_type(),
            ColumnType::Integer | ColumnType::BigInteger
        );
        let expr: Expr = match aggregate {
            Aggregate::Sum if integer => Func::sum(value).cast_as("BIGINT"),
            Aggregate::Sum => Func::sum(value).cast_as("DOUBLE PRECISION"),
            Aggregate::Avg => Func::avg(value).cast_as("DOUBLE PRECISION"),
            Aggregate::Min => Func::min(value).into(),
            Aggregate::Max => Func::max(value).into(),
        };
        select = select.column_as(expr, aggregate.alias(*column));
    }
    let keys: Vec<Sort<E::Column>> = group_by
        .iter()
        .map(|column| Sort {
            column: *column,
            direction: Direction::Asc,
        })
        .collect();
    let select = ordered(select, backend, &keys, false);
    let rows = db.query_all(&select.into_query()).await?;
    rows.into_iter()
        .map(|row| {
            let count = row.try_get::<i64>("", "count")?;
            Ok(Group { row, count })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entity::post;

    fn posts_of_authors(
        published: bool,
        direction: Direction,
        limit: Option<u64>,
    ) -> ChildrenQuery<post::Entity> {
        let keys = vec![Sort {
            column: post::Column::Title,
            direction,
        }];
        let condition = Condition::all().add(post::Column::Published.eq(published));
        let backend = DatabaseBackend::Sqlite;
        ChildrenQuery::new(backend, post::Column::AuthorId, condition, keys, 0, limit)
    }

    #[test]
    fn children_queries_are_equal_exactly_when_they_would_run_the_same_statement() {
        let query = posts_of_authors(true, Direction::Asc, Some(5));
        assert!(query == posts_of_authors(true, Direction::Asc, Some(5)));
        assert!(query != posts_of_authors(false, Direction::Asc, Some(5)));
        assert!(query != posts_of_authors(true, Direction::Desc, Some(5)));
        assert!(query != posts_of_authors(true, Direction::Asc, Some(6)));
        assert!(query != posts_of_authors(true, Direction::Asc, None));
    }

    #[test]
    fn a_page_is_written_into_the_sql_not_bound() {
        for backend in [DatabaseBackend::Sqlite, DatabaseBackend::Postgres] {
            let select = post::Entity::find().filter(post::Column::AuthorId.eq(7));
            let bound = select
                .clone()
                .build(backend)
                .values
                .map_or(0, |v| v.0.len());
            let statement = paged_statement(select, backend, 40, 20);
            assert!(
                statement.sql.ends_with(" LIMIT 20 OFFSET 40"),
                "{}",
                statement.sql
            );
            assert_eq!(statement.values.map_or(0, |v| v.0.len()), bound);
        }
    }
}
