//! The shared pieces of `where` and `orderBy`: typed operator inputs per column kind, the
//! `WhereInput` combinator logic and `OrderBy`, mapped onto the store's conditions and sort keys.

use std::str::FromStr;

use async_graphql::{Enum, InputObject, InputType};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Nullable, ValueType};
use sea_orm::{ColumnTrait, Condition, DatabaseBackend, EntityTrait, ModelTrait};

use super::category::CategoryField;
use super::post::{PostField, PostWhere};
use super::product::{ProductField, ProductWhere};
use super::user::UserField;
use crate::domain::fold;
use crate::store::condition::{ColumnCondition, folded_twin};
use crate::store::sql::{self, Direction, Sort, never};

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
    sql::total_order(requested, id)
}

/// Declares an input of comparisons for a numeric column type, and how it becomes a condition.
macro_rules! numeric_filter {
    ($(#[$doc:meta])* $name:ident($number:ty)) => {
        $(#[$doc])*
        #[derive(InputObject, Clone, Debug, Default)]
        pub struct $name {
            /// Equal to.
            eq: Option<$number>,
            /// Not equal to (NULL counts as different).
            ne: Option<$number>,
            /// Greater than.
            gt: Option<$number>,
            /// Greater than or equal to.
            gte: Option<$number>,
            /// Less than.
            lt: Option<$number>,
            /// Less than or equal to.
            lte: Option<$number>,
            /// One of.
            #[graphql(name = "in")]
            in_: Option<Vec<$number>>,
            /// None of (NULL counts as none of them).
            not_in: Option<Vec<$number>>,
            /// `true`: only NULL; `false`: only not NULL.
            is_null: Option<bool>,
        }

        impl ColumnFilter for $name {
            fn condition<C: ColumnTrait + FromStr>(
                &self,
                backend: DatabaseBackend,
                column: C,
            ) -> Condition {
                let f = self.clone();
                ColumnCondition::new(backend, column)
                    .ordered(f.eq, f.gt, f.gte, f.lt, f.lte)
                    .when(f.ne, |c, v| c.distinct_from(v))
                    .when(f.in_, |c, v| c.among(v))
                    .when(f.not_in, |c, v| c.outside(v))
                    .null_check(f.is_null)
                    .finish()
            }

            fn matches<M: ModelTrait>(&self, row: &M, column: ColumnOf<M>) -> bool
            where
                ColumnOf<M>: FromStr,
            {
                let value: Option<$number> = value_of(row, column);
                ordered_match(value, [self.eq, self.gt, self.gte, self.lt, self.lte])
                    && self.ne.is_none_or(|operand| value != Some(operand))
                    && self
                        .in_
                        .as_ref()
                        .is_none_or(|list| value.is_some_and(|v| list.contains(&v)))
                    && self
                        .not_in
                        .as_ref()
                        .is_none_or(|list| value.is_none_or(|v| !list.contains(&v)))
                    && self.is_null.is_none_or(|is_null| is_null == value.is_none())
            }
        }
    };
}

/// Whether `value` meets each of `=`, `>`, `>=`, `<`, `<=` that is given (NULL meets none):
/// the in-memory [`ColumnCondition::ordered`].
fn ordered_match<T: PartialOrd>(value: Option<T>, [eq, gt, gte, lt, lte]: [Option<T>; 5]) -> bool {
    let holds = |operand: Option<T>, compare: fn(&T, &T) -> bool| {
        operand.is_none_or(|operand| value.as_ref().is_some_and(|v| compare(v, &operand)))
    };
    holds(eq, PartialEq::eq)
        && holds(gt, PartialOrd::gt)
        && holds(gte, PartialOrd::ge)
        && holds(lt, PartialOrd::lt)
        && holds(lte, PartialOrd::le)
}

/// The column type of a row type.
pub type ColumnOf<M> = <<M as ModelTrait>::Entity as EntityTrait>::Column;

/// `row`'s value of `column`, `None` when NULL (or, by a bug, not a `T`).
fn value_of<M: ModelTrait, T: ValueType + Nullable>(row: &M, column: ColumnOf<M>) -> Option<T> {
    <Option<T> as ValueType>::try_from(row.get(column))
        .ok()
        .flatten()
}

numeric_filter!(
    /// Comparisons of an integer column; all given operators must hold.
    IntFilter(i32)
);

numeric_filter!(
    /// Comparisons of a floating-point column; all given operators must hold.
    FloatFilter(f64)
);

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

/// An operator input of one column kind (`IntFilter`, `StringFilter`, ...).
pub trait ColumnFilter {
    /// The condition these operators put on `column`.
    fn condition<C: ColumnTrait + FromStr>(&self, backend: DatabaseBackend, column: C)
    -> Condition;

    /// Whether `row` meets these operators on `column`, exactly as [`condition`] decides in
    /// SQL (subscriptions filter the rows of events in memory).
    ///
    /// [`condition`]: ColumnFilter::condition
    fn matches<M: ModelTrait>(&self, row: &M, column: ColumnOf<M>) -> bool
    where
        ColumnOf<M>: FromStr;
}

impl ColumnFilter for BooleanFilter {
    fn condition<C: ColumnTrait + FromStr>(
        &self,
        backend: DatabaseBackend,
        column: C,
    ) -> Condition {
        ColumnCondition::new(backend, column)
            .when(self.eq, |c, v| c.equal(v))
            .when(self.ne, |c, v| c.distinct_from(v))
            .finish()
    }

    fn matches<M: ModelTrait>(&self, row: &M, column: ColumnOf<M>) -> bool
    where
        ColumnOf<M>: FromStr,
    {
        let value: Option<bool> = value_of(row, column);
        self.eq.is_none_or(|eq| value == Some(eq)) && self.ne.is_none_or(|ne| value != Some(ne))
    }
}

impl ColumnFilter for DateTimeFilter {
    fn condition<C: ColumnTrait + FromStr>(
        &self,
        backend: DatabaseBackend,
        column: C,
    ) -> Condition {
        ColumnCondition::new(backend, column)
            .timestamps([self.eq, self.gt, self.gte, self.lt, self.lte])
            .finish()
    }

    /// Stored times are whole milliseconds, so comparing with the exact operand is what the
    /// SQL's rounding achieves.
    fn matches<M: ModelTrait>(&self, row: &M, column: ColumnOf<M>) -> bool
    where
        ColumnOf<M>: FromStr,
    {
        let value: Option<DateTime<Utc>> = value_of(row, column);
        ordered_match(value, [self.eq, self.gt, self.gte, self.lt, self.lte])
    }
}

impl ColumnFilter for StringFilter {
    /// In `INSENSITIVE` mode the operands are folded and compared with the column's folded
    /// twin.
    fn condition<C: ColumnTrait + FromStr>(
        &self,
        backend: DatabaseBackend,
        column: C,
    ) -> Condition {
        let insensitive = self.mode == Some(FilterMode::Insensitive);
        let (column, text): (C, fn(&str) -> String) = if insensitive {
            (folded_twin(column), fold)
        } else {
            (column, str::to_owned)
        };
        let texts = |values: &Option<Vec<String>>| {
            values
                .as_ref()
                .map(|values| values.iter().map(|v| text(v)).collect::<Vec<_>>())
        };
        ColumnCondition::new(backend, column)
            .when(self.eq.as_deref(), |c, v| c.text_equal(&text(v)))
            .when(self.ne.as_deref(), |c, v| c.text_distinct_from(&text(v)))
            .when(texts(&self.in_), |c, v| {
                c.text_among(v.iter().map(String::as_str))
            })
            .when(texts(&self.not_in), |c, v| {
                c.text_outside(v.iter().map(String::as_str))
            })
            .when(self.contains.as_deref(), |c, v| c.text_contains(&text(v)))
            .when(self.starts_with.as_deref(), |c, v| {
                c.text_starts_with(&text(v))
            })
            .when(self.ends_with.as_deref(), |c, v| c.text_ends_with(&text(v)))
            .finish()
    }

    fn matches<M: ModelTrait>(&self, row: &M, column: ColumnOf<M>) -> bool
    where
        ColumnOf<M>: FromStr,
    {
        let insensitive = self.mode == Some(FilterMode::Insensitive);
        let column = if insensitive {
            folded_twin(column)
        } else {
            column
        };
        let Some(value) = value_of::<M, String>(row, column) else {
            return false;
        };
        let text = |operand: &str| {
            if insensitive {
                fold(operand)
            } else {
                operand.to_owned()
            }
        };
        let among = |list: &Vec<String>| list.iter().any(|each| text(each) == value);
        self.eq.as_deref().is_none_or(|eq| text(eq) == value)
            && self.ne.as_deref().is_none_or(|ne| text(ne) != value)
            && self.in_.as_ref().is_none_or(among)
            && self.not_in.as_ref().is_none_or(|list| !among(list))
            && self
                .contains
                .as_deref()
                .is_none_or(|needle| value.contains(&text(needle)))
            && self
                .starts_with
                .as_deref()
                .is_none_or(|prefix| value.starts_with(&text(prefix)))
            && self
                .ends_with
                .as_deref()
                .is_none_or(|suffix| value.ends_with(&text(suffix)))
    }
}

/// The `and` / `or` / `not` combinators every `XWhere` input shares.
pub trait WhereInput: Sized {
    /// A row of the entity.
    type Row;

    /// The conditions on this entity's own columns and relations, all of which must hold.
    fn fields(&self, backend: DatabaseBackend) -> Condition;
    /// Whether `row` meets the conditions on its own columns (relations are not looked at).
    fn fields_match(&self, row: &Self::Row) -> bool;
    /// The name of a relation filter given at this level, if any.
    fn relation(&self) -> Option<&'static str>;
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

    /// Whether `row` meets this input, as [`condition`](WhereInput::condition) would decide
    /// in SQL; only for inputs without relation filters (see
    /// [`relation_used`](WhereInput::relation_used)).
    fn matches(&self, row: &Self::Row) -> bool {
        self.fields_match(row)
            && self
                .and()
                .unwrap_or_default()
                .iter()
                .all(|each| each.matches(row))
            && self
                .or()
                .is_none_or(|alternatives| alternatives.iter().any(|each| each.matches(row)))
            && self.not().is_none_or(|negated| !negated.matches(row))
    }

    /// The name of a relation filter anywhere in this input, if any.
    fn relation_used(&self) -> Option<&'static str> {
        self.relation()
            .or_else(|| {
                self.and()
                    .unwrap_or_default()
                    .iter()
                    .find_map(Self::relation_used)
            })
            .or_else(|| {
                self.or()
                    .unwrap_or_default()
                    .iter()
                    .find_map(Self::relation_used)
            })
            .or_else(|| self.not().and_then(Self::relation_used))
    }
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

/// A `where` field about related rows: `RelationFilter` for a parent's children, the related
/// entity's own `XWhere` for the row a foreign key points at.
pub trait RelatedFilter {
    /// The condition on the row being filtered, given how to say "a related row meets this".
    fn related(
        &self,
        backend: DatabaseBackend,
        exists: impl Fn(Condition) -> Condition,
    ) -> Condition;
}

impl<W: InputType + WhereInput> RelatedFilter for RelationFilter<W> {
    fn related(
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

impl<W: WhereInput> RelatedFilter for Box<W> {
    fn related(
        &self,
        backend: DatabaseBackend,
        exists: impl Fn(Condition) -> Condition,
    ) -> Condition {
        exists(self.condition(backend))
    }
}

/// The condition of an optional `where` argument (no condition when absent).
pub fn condition_of<W: WhereInput>(input: Option<&W>, backend: DatabaseBackend) -> Condition {
    input.map_or_else(Condition::all, |input| input.condition(backend))
}
