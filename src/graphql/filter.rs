//! The shared pieces of `where` and `orderBy`: typed operator inputs per column kind, the
//! `WhereInput` combinator logic and `OrderBy`, turned into SQL conditions and sort keys.

use async_graphql::{Enum, InputObject, InputType};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseBackend, EntityTrait, Value};

use super::category::CategoryField;
use super::post::{PostField, PostWhere};
use super::product::{ProductField, ProductWhere};
use super::user::UserField;
use crate::domain::fold;
use crate::store::query::{self, Direction, Sort, bindable, never};

/// Ascending or descending.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum OrderDirection {
    /// Smallest first (NULL counts as the smallest value).
    #[default]
    Asc,
    /// Largest first.
    Desc,
}

/// How text is compared.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum FilterMode {
    /// Exactly, character by character.
    #[default]
    Default,
    /// Ignoring case, for every letter (`É` matches `é`), the same on SQLite and PostgreSQL.
    Insensitive,
}

/// One key of a list's order; ties are always broken by `id`.
#[derive(InputObject, Clone, Debug)]
#[graphql(concrete(name = "UserOrderBy", params(UserField)))]
#[graphql(concrete(name = "PostOrderBy", params(PostField)))]
#[graphql(concrete(name = "CategoryOrderBy", params(CategoryField)))]
#[graphql(concrete(name = "ProductOrderBy", params(ProductField)))]
pub struct OrderBy<F: InputType> {
    /// The field to sort by.
    pub field: F,
    /// `ASC` when omitted.
    pub direction: Option<OrderDirection>,
}

/// The total order of a list: the requested keys, then `id`.
pub fn sort_keys<F, C>(order_by: Option<&[OrderBy<F>]>, id: C) -> Vec<Sort<C>>
where
    F: InputType + Copy + Into<C>,
    C: ColumnTrait,
{
    let requested = order_by.unwrap_or_default().iter().map(|key| Sort {
        column: key.field.into(),
        direction: match key.direction.unwrap_or_default() {
            OrderDirection::Asc => Direction::Asc,
            OrderDirection::Desc => Direction::Desc,
        },
    });
    query::total_order(requested, id)
}

/// Comparisons of an integer column; all given operators must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct IntFilter {
    /// Equal to.
    eq: Option<i32>,
    /// Not equal to (NULL counts as different).
    ne: Option<i32>,
    /// Greater than.
    gt: Option<i32>,
    /// Greater than or equal to.
    gte: Option<i32>,
    /// Less than.
    lt: Option<i32>,
    /// Less than or equal to.
    lte: Option<i32>,
    /// One of.
    #[graphql(name = "in")]
    in_: Option<Vec<i32>>,
    /// None of (NULL counts as none of them).
    not_in: Option<Vec<i32>>,
    /// `true`: only NULL; `false`: only not NULL.
    is_null: Option<bool>,
}

/// Comparisons of a floating-point column; all given operators must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct FloatFilter {
    /// Equal to.
    eq: Option<f64>,
    /// Not equal to (NULL counts as different).
    ne: Option<f64>,
    /// Greater than.
    gt: Option<f64>,
    /// Greater than or equal to.
    gte: Option<f64>,
    /// Less than.
    lt: Option<f64>,
    /// Less than or equal to.
    lte: Option<f64>,
    /// One of.
    #[graphql(name = "in")]
    in_: Option<Vec<f64>>,
    /// None of (NULL counts as none of them).
    not_in: Option<Vec<f64>>,
    /// `true`: only NULL; `false`: only not NULL.
    is_null: Option<bool>,
}

/// Comparisons of a text column; all given operators must hold. `%`, `_` and `\` are plain
/// characters.
#[derive(InputObject, Clone, Debug, Default)]
pub struct StringFilter {
    /// Equal to.
    eq: Option<String>,
    /// Not equal to.
    ne: Option<String>,
    /// One of.
    #[graphql(name = "in")]
    in_: Option<Vec<String>>,
    /// None of.
    not_in: Option<Vec<String>>,
    /// Contains this text.
    contains: Option<String>,
    /// Starts with this text.
    starts_with: Option<String>,
    /// Ends with this text.
    ends_with: Option<String>,
    /// `INSENSITIVE` ignores case in every operator above.
    mode: Option<FilterMode>,
}

/// Comparisons of a true/false column.
#[derive(InputObject, Clone, Debug, Default)]
pub struct BooleanFilter {
    /// Equal to.
    eq: Option<bool>,
    /// Not equal to.
    ne: Option<bool>,
}

/// Comparisons of a timestamp column (compared to the millisecond, as stored).
#[derive(InputObject, Clone, Debug, Default)]
pub struct DateTimeFilter {
    /// Equal to.
    eq: Option<DateTime<Utc>>,
    /// Later than.
    gt: Option<DateTime<Utc>>,
    /// At or later than.
    gte: Option<DateTime<Utc>>,
    /// Earlier than.
    lt: Option<DateTime<Utc>>,
    /// At or earlier than.
    lte: Option<DateTime<Utc>>,
}

/// Builds the conditions of one column from its operators.
struct Conditions<C> {
    backend: DatabaseBackend,
    column: C,
    all: Condition,
}

impl<C: ColumnTrait> Conditions<C> {
    fn new(backend: DatabaseBackend, column: C) -> Self {
        Self {
            backend,
            column,
            all: Condition::all(),
        }
    }

    fn value(&self, value: impl Into<Value>) -> Value {
        bindable(self.backend, value.into())
    }

    fn compared(&self) -> Expr {
        query::compared(self.backend, self.column)
    }

    fn plain(&self) -> Expr {
        Expr::col((self.column.entity_name(), self.column))
    }

    fn add(mut self, condition: impl Into<Condition>) -> Self {
        self.all = self.all.add(condition.into());
        self
    }

    /// Adds `build(value)` when the operator was given.
    fn when<V>(self, operand: Option<V>, build: impl FnOnce(&Self, V) -> Condition) -> Self {
        match operand {
            Some(operand) => {
                let condition = build(&self, operand);
                self.add(condition)
            }
            None => self,
        }
    }

    /// Different from `value`, NULL included.
    fn distinct_from(&self, value: Value) -> Condition {
        let differs = self.plain().ne(value);
        if self.column.def().is_null() {
            Condition::any().add(differs).add(self.plain().is_null())
        } else {
            Condition::all().add(differs)
        }
    }

    /// `comparison`, false (never unknown) where the column is NULL, so `not` is a plain
    /// negation.
    fn known(&self, comparison: Expr) -> Condition {
        let all = Condition::all().add(comparison);
        if self.column.def().is_null() {
            all.add(self.plain().is_not_null())
        } else {
            all
        }
    }

    /// Among `values` (an empty list matches nothing).
    fn among(&self, values: Vec<Value>) -> Condition {
        if values.is_empty() {
            never()
        } else {
            self.known(self.plain().is_in(values))
        }
    }

    /// Not among `values`, NULL included (an empty list matches everything).
    fn outside(&self, values: Vec<Value>) -> Condition {
        if values.is_empty() {
            return Condition::all();
        }
        let outside = self.plain().is_not_in(values);
        if self.column.def().is_null() {
            Condition::any().add(outside).add(self.plain().is_null())
        } else {
            Condition::all().add(outside)
        }
    }

    /// The ordered comparisons shared by numbers and timestamps.
    fn ordered<V: Into<Value>>(
        self,
        eq: Option<V>,
        gt: Option<V>,
        gte: Option<V>,
        lt: Option<V>,
        lte: Option<V>,
    ) -> Self {
        self.when(eq, |c, v| c.known(c.compared().eq(c.value(v))))
            .when(gt, |c, v| c.known(c.compared().gt(c.value(v))))
            .when(gte, |c, v| c.known(c.compared().gte(c.value(v))))
            .when(lt, |c, v| c.known(c.compared().lt(c.value(v))))
            .when(lte, |c, v| c.known(c.compared().lte(c.value(v))))
    }

    fn null_check(self, is_null: Option<bool>) -> Self {
        self.when(is_null, |c, is_null| {
            if is_null {
                c.plain().is_null().into()
            } else {
                c.plain().is_not_null().into()
            }
        })
    }
}

impl IntFilter {
    /// The condition these operators put on `column`.
    pub fn condition<C: ColumnTrait>(&self, backend: DatabaseBackend, column: C) -> Condition {
        let f = self.clone();
        Conditions::new(backend, column)
            .ordered(f.eq, f.gt, f.gte, f.lt, f.lte)
            .when(f.ne, |c, v| c.distinct_from(v.into()))
            .when(f.in_, |c, v| {
                c.among(v.into_iter().map(Value::from).collect())
            })
            .when(f.not_in, |c, v| {
                c.outside(v.into_iter().map(Value::from).collect())
            })
            .null_check(f.is_null)
            .all
    }
}

impl FloatFilter {
    /// The condition these operators put on `column`.
    pub fn condition<C: ColumnTrait>(&self, backend: DatabaseBackend, column: C) -> Condition {
        let f = self.clone();
        Conditions::new(backend, column)
            .ordered(f.eq, f.gt, f.gte, f.lt, f.lte)
            .when(f.ne, |c, v| c.distinct_from(v.into()))
            .when(f.in_, |c, v| {
                c.among(v.into_iter().map(Value::from).collect())
            })
            .when(f.not_in, |c, v| {
                c.outside(v.into_iter().map(Value::from).collect())
            })
            .null_check(f.is_null)
            .all
    }
}

impl BooleanFilter {
    /// The condition these operators put on `column`.
    pub fn condition<C: ColumnTrait>(&self, backend: DatabaseBackend, column: C) -> Condition {
        Conditions::new(backend, column)
            .when(self.eq, |c, v| c.plain().eq(v).into())
            .when(self.ne, |c, v| c.distinct_from(v.into()))
            .all
    }
}

impl DateTimeFilter {
    /// The condition these operators put on `column`.
    ///
    /// Stored timestamps are whole milliseconds, so an operand between two milliseconds is
    /// compared exactly by rounding it down and adjusting the operator (`> 1.5` is `> 1`,
    /// `< 1.5` is `<= 1`, `= 1.5` never holds), the same on both backends.
    pub fn condition<C: ColumnTrait>(&self, backend: DatabaseBackend, column: C) -> Condition {
        use BinOper::{Equal, GreaterThan, GreaterThanOrEqual, SmallerThan, SmallerThanOrEqual};
        let operands = [
            (self.eq, Equal),
            (self.gt, GreaterThan),
            (self.gte, GreaterThanOrEqual),
            (self.lt, SmallerThan),
            (self.lte, SmallerThanOrEqual),
        ];
        let mut conditions = Conditions::new(backend, column);
        for (at, operator) in operands {
            let Some(at) = at else { continue };
            let beyond_millisecond = at.timestamp_subsec_nanos() % 1_000_000;
            let (operator, at) = if beyond_millisecond == 0 {
                (operator, at)
            } else {
                let floor = at - chrono::Duration::nanoseconds(i64::from(beyond_millisecond));
                match operator {
                    GreaterThan | GreaterThanOrEqual => (GreaterThan, floor),
                    SmallerThan | SmallerThanOrEqual => (SmallerThanOrEqual, floor),
                    _ => {
                        conditions = conditions.add(never());
                        continue;
                    }
                }
            };
            let comparison = conditions.compared().binary(operator, conditions.value(at));
            conditions = conditions.add(comparison);
        }
        conditions.all
    }
}

impl StringFilter {
    /// The condition these operators put on `column`; `folded` is the column holding its
    /// lower-cased text, compared in `INSENSITIVE` mode.
    pub fn condition<C: ColumnTrait>(
        &self,
        backend: DatabaseBackend,
        column: C,
        folded: C,
    ) -> Condition {
        let insensitive = self.mode == Some(FilterMode::Insensitive);
        let (column, text): (C, fn(&str) -> String) = if insensitive {
            (folded, fold)
        } else {
            (column, str::to_owned)
        };
        // Stored text never holds a NUL character (PostgreSQL cannot store one, and inputs with
        // one are refused), so an operand with one matches nothing and is never sent.
        let storable = |v: &&str| !v.contains('\0');
        let texts = |values: &Option<Vec<String>>| {
            values.as_ref().map(|values| {
                values
                    .iter()
                    .map(String::as_str)
                    .filter(storable)
                    .map(|v| Value::from(text(v)))
                    .collect::<Vec<_>>()
            })
        };
        let matches_nothing = [&self.eq, &self.contains, &self.starts_with, &self.ends_with]
            .into_iter()
            .any(|operand| operand.as_deref().is_some_and(|v| !storable(&v)));
        let conditions = Conditions::new(backend, column)
            .when(self.eq.as_deref().filter(storable), |c, v| {
                c.plain().eq(text(v)).into()
            })
            .when(self.ne.as_deref().filter(storable), |c, v| {
                c.distinct_from(text(v).into())
            })
            .when(texts(&self.in_), |c, v| c.among(v))
            .when(texts(&self.not_in), |c, v| c.outside(v))
            .when(self.contains.as_deref().filter(storable), |c, v| {
                query::contains(backend, c.plain(), &text(v)).into()
            })
            .when(self.starts_with.as_deref().filter(storable), |c, v| {
                query::starts_with(c.plain(), &text(v)).into()
            })
            .when(self.ends_with.as_deref().filter(storable), |c, v| {
                query::ends_with(c.plain(), &text(v)).into()
            });
        if matches_nothing {
            conditions.add(never()).all
        } else {
            conditions.all
        }
    }
}

/// The `and` / `or` / `not` combinators every `XWhere` input shares.
pub trait WhereInput: Sized {
    /// The conditions on this entity's own columns and relations, all of which must hold.
    fn fields(&self, backend: DatabaseBackend) -> Condition;
    /// Every one of these must hold too.
    fn and(&self) -> Option<&[Self]>;
    /// At least one of these must hold, when given.
    fn or(&self) -> Option<&[Self]>;
    /// This must not hold, when given.
    fn not(&self) -> Option<&Self>;

    /// The whole condition of this input.
    fn condition(&self, backend: DatabaseBackend) -> Condition {
        let mut all = self.fields(backend);
        for each in self.and().unwrap_or_default() {
            all = all.add(each.condition(backend));
        }
        if let Some(alternatives) = self.or() {
            let any = alternatives.iter().fold(Condition::any(), |any, each| {
                any.add(each.condition(backend))
            });
            // `or: []` has no alternative that could hold.
            all = all.add(if alternatives.is_empty() {
                never()
            } else {
                any
            });
        }
        if let Some(negated) = self.not() {
            all = all.add(negated.condition(backend).not());
        }
        all
    }
}

/// Rows for which a row of `E` exists whose `column` equals `outer` (a column of the row being
/// filtered) and that meets `condition`: the relation filters (`some`, `none`, `author`,
/// `category`).
pub fn exists_related<E: EntityTrait, O: ColumnTrait>(
    column: E::Column,
    outer: O,
    condition: Condition,
) -> Condition {
    let mut related = Query::select();
    related
        .expr(Expr::val(1))
        .from(column.entity_name())
        .and_where(Expr::col((column.entity_name(), column)).equals((outer.entity_name(), outer)))
        .cond_where(condition);
    Condition::all().add(Expr::exists(related))
}

/// Conditions on a parent's related rows (a user's posts, a category's products).
#[derive(InputObject, Clone, Debug, Default)]
#[graphql(concrete(name = "PostRelationFilter", params(PostWhere)))]
#[graphql(concrete(name = "ProductRelationFilter", params(ProductWhere)))]
pub struct RelationFilter<W: InputType> {
    /// At least one related row meets this.
    some: Option<Box<W>>,
    /// No related row meets this.
    none: Option<Box<W>>,
}

impl<W: InputType + WhereInput> RelationFilter<W> {
    /// The condition on the parent, given how to say "a related row meets this".
    pub fn condition(
        &self,
        backend: DatabaseBackend,
        exists: impl Fn(Condition) -> Condition,
    ) -> Condition {
        Condition::all()
            .add_option(self.some.as_ref().map(|w| exists(w.condition(backend))))
            .add_option(
                self.none
                    .as_ref()
                    .map(|w| exists(w.condition(backend)).not()),
            )
    }
}

/// The condition of an optional `where` argument (no condition when absent).
pub fn condition_of<W: WhereInput>(input: Option<&W>, backend: DatabaseBackend) -> Condition {
    input.map_or_else(Condition::all, |input| input.condition(backend))
}
