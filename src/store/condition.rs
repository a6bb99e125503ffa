//! SQL conditions on one column, built operator by operator, and on related rows: what the
//! `where` inputs of the API turn into, with the same meaning on SQLite and PostgreSQL.

use std::str::FromStr;

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{BinOper, Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, Condition, DatabaseBackend, Value};

use super::sql::{self, bindable, never};

/// The conditions put on one column, added one operator at a time; all of them must hold.
pub struct ColumnCondition<C> {
    backend: DatabaseBackend,
    column: C,
    all: Condition,
}

impl<C: ColumnTrait> ColumnCondition<C> {
    /// No condition yet on `column`.
    pub fn new(backend: DatabaseBackend, column: C) -> Self {
        Self {
            backend,
            column,
            all: Condition::all(),
        }
    }

    /// The conditions added so far, all of which must hold.
    pub fn finish(self) -> Condition {
        self.all
    }

    fn value(&self, value: impl Into<Value>) -> Value {
        bindable(self.backend, value.into())
    }

    fn compared(&self) -> Expr {
        sql::compared(self.backend, self.column)
    }

    fn plain(&self) -> Expr {
        Expr::col((self.column.entity_name(), self.column))
    }

    fn add(mut self, condition: impl Into<Condition>) -> Self {
        self.all = self.all.add(condition.into());
        self
    }

    /// Adds `build(operand)` when the operator was given.
    #[must_use]
    pub fn when<V>(self, operand: Option<V>, build: impl FnOnce(&Self, V) -> Condition) -> Self {
        match operand {
            Some(operand) => {
                let condition = build(&self, operand);
                self.add(condition)
            }
            None => self,
        }
    }

    /// Equal to `value`.
    pub fn equal(&self, value: impl Into<Value>) -> Condition {
        self.plain().eq(value.into()).into()
    }

    /// Different from `value`, NULL included.
    pub fn distinct_from(&self, value: impl Into<Value>) -> Condition {
        let differs = self.plain().ne(value.into());
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
    pub fn among(&self, values: impl IntoIterator<Item = impl Into<Value>>) -> Condition {
        let values: Vec<Value> = values.into_iter().map(Into::into).collect();
        if values.is_empty() {
            never()
        } else {
            self.known(self.plain().is_in(values))
        }
    }

    /// Not among `values`, NULL included (an empty list matches everything).
    pub fn outside(&self, values: impl IntoIterator<Item = impl Into<Value>>) -> Condition {
        let values: Vec<Value> = values.into_iter().map(Into::into).collect();
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

    /// The ordered comparisons of numbers: `=`, `>`, `>=`, `<`, `<=`, each when given.
    #[must_use]
    pub fn ordered<V: Into<Value>>(
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

    /// `true`: only NULL; `false`: only not NULL.
    #[must_use]
    pub fn null_check(self, is_null: Option<bool>) -> Self {
        self.when(is_null, |c, is_null| {
            if is_null {
                c.plain().is_null().into()
            } else {
                c.plain().is_not_null().into()
            }
        })
    }

    /// The ordered comparisons of a timestamp: `=`, `>`, `>=`, `<`, `<=`, each when given.
    ///
    /// Stored timestamps are whole milliseconds, so an operand between two milliseconds is
    /// compared exactly by rounding it down and adjusting the operator (`> 1.5` is `> 1`,
    /// `< 1.5` is `<= 1`, `= 1.5` never holds), the same on both backends.
    #[must_use]
    pub fn timestamps(self, operands: [Option<DateTime<Utc>>; 5]) -> Self {
        use BinOper::{Equal, GreaterThan, GreaterThanOrEqual, SmallerThan, SmallerThanOrEqual};
        let operators = [
            Equal,
            GreaterThan,
            GreaterThanOrEqual,
            SmallerThan,
            SmallerThanOrEqual,
        ];
        let mut conditions = self;
        for (at, operator) in operands.into_iter().zip(operators) {
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
        conditions
    }

    /// Equal to `text`.
    pub fn text_equal(&self, text: &str) -> Condition {
        storable(text, || self.equal(text))
    }

    /// Different from `text`.
    pub fn text_distinct_from(&self, text: &str) -> Condition {
        if is_storable(text) {
            self.distinct_from(text)
        } else {
            Condition::all()
        }
    }

    /// Among `texts` (an empty list matches nothing).
    pub fn text_among<'t>(&self, texts: impl IntoIterator<Item = &'t str>) -> Condition {
        self.among(texts.into_iter().filter(|text| is_storable(text)))
    }

    /// None of `texts` (an empty list matches everything).
    pub fn text_outside<'t>(&self, texts: impl IntoIterator<Item = &'t str>) -> Condition {
        self.outside(texts.into_iter().filter(|text| is_storable(text)))
    }

    /// Contains `needle`; no character of it is special.
    pub fn text_contains(&self, needle: &str) -> Condition {
        storable(needle, || {
            sql::contains(self.backend, self.plain(), needle).into()
        })
    }

    /// Starts with `prefix`; no character of it is special.
    pub fn text_starts_with(&self, prefix: &str) -> Condition {
        storable(prefix, || sql::starts_with(self.plain(), prefix).into())
    }

    /// Ends with `suffix`; no character of it is special.
    pub fn text_ends_with(&self, suffix: &str) -> Condition {
        storable(suffix, || sql::ends_with(self.plain(), suffix).into())
    }
}

/// Stored text never holds a NUL character (PostgreSQL cannot store one, and inputs with one
/// are refused), so an operand with one matches nothing and is never sent.
fn is_storable(text: &str) -> bool {
    !text.contains('\0')
}

/// `condition()` for a storable operand, a condition that nothing meets otherwise.
fn storable(text: &str, condition: impl FnOnce() -> Condition) -> Condition {
    if is_storable(text) {
        condition()
    } else {
        never()
    }
}

/// The column that holds `column`'s case-folded text (`name_folded` for `name`), or `column`
/// itself when it has no such twin (its text is stored folded already, like `email`).
pub fn folded_twin<C: ColumnTrait + FromStr>(column: C) -> C {
    C::from_str(&format!("{}_folded", column.as_str())).unwrap_or(column)
}

/// Rows for which a row exists whose `column` equals `outer` (a column of the row being
/// filtered) and that meets `condition`: the relation filters (`some`, `none`, `author`,
/// `category`).
pub fn exists_related<R: ColumnTrait, O: ColumnTrait>(
    column: R,
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

#[cfg(test)]
mod tests {
    use sea_orm::IdenStatic as _;

    use super::*;
    use crate::entity::{post, user};

    #[test]
    fn a_text_column_finds_its_folded_twin() {
        assert_eq!(folded_twin(user::Column::Name).as_str(), "name_folded");
        assert_eq!(
            folded_twin(post::Column::Content).as_str(),
            "content_folded"
        );
        assert_eq!(folded_twin(user::Column::Email).as_str(), "email");
    }
}
