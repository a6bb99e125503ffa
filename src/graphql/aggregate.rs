//! Statistics of groups of rows (`xAggregate`): [`aggregate!`] declares an entity's statistics
//! object and its sums, averages, minima and maxima from one list of columns per kind.

use sea_orm::ColumnTrait;

use crate::store::sql::{Aggregate, Group};

/// An entity's statistics object: built from one group, and saying which aggregates it shows
/// (so that exactly those are computed).
pub trait Statistics: From<Group> {
    /// The columns of the entity's table.
    type Column: ColumnTrait;
    /// The aggregates to compute for every group.
    const COMPUTED: &'static [(Aggregate, Self::Column)];
}

/// A row count as a GraphQL `Int` (counts beyond its range are shown as its maximum).
pub fn count_int(count: i64) -> i32 {
    i32::try_from(count).unwrap_or(i32::MAX)
}

/// A value that a sum can be shown as.
pub trait Summed: Sized {
    /// The sum of `column` over `group` (`None` when there are no values).
    ///
    /// # Errors
    /// When the sum does not fit the type.
    fn sum_of<C: ColumnTrait>(group: &Group, column: C) -> async_graphql::Result<Option<Self>>;
}

impl Summed for i32 {
    /// Integer sums are computed as `BIGINT`, and must fit a 32-bit GraphQL `Int`.
    fn sum_of<C: ColumnTrait>(group: &Group, column: C) -> async_graphql::Result<Option<Self>> {
        group
            .value::<i64, _>(Aggregate::Sum, column)
            .map(|value| {
                i32::try_from(value)
                    .map_err(|_| async_graphql::Error::new("The sum exceeds the range of Int"))
            })
            .transpose()
    }
}

impl Summed for f64 {
    fn sum_of<C: ColumnTrait>(group: &Group, column: C) -> async_graphql::Result<Option<Self>> {
        Ok(group.value(Aggregate::Sum, column))
    }
}

/// Declares the statistics object of an entity (key, count, and the sums, averages and
/// minima/maxima it has, each with its own object), from `Variant field: Type` lists of the
/// table's columns: `sum /// doc XSum { ... }`, `avg /// doc XAvg { ... }`,
/// `min_max /// doc XMinMax { ... }`, each optional.
macro_rules! aggregate {
    (
        $(#[$doc:meta])* $Aggregate:ident($table:ident) key $Key:ident {
            $(#[$count_doc:meta])* count;
            $(sum $(#[$sum_doc:meta])* $Sum:ident { $($SumColumn:ident $sum:ident: $sum_ty:ty),+ })?
            $(avg $(#[$avg_doc:meta])* $Avg:ident { $($AvgColumn:ident $avg:ident),+ })?
            $(min_max $(#[$min_max_doc:meta])* $MinMax:ident {
                $($MinMaxColumn:ident $min_max:ident: $min_max_ty:ty),+
            })?
        }
    ) => {
        $(#[$doc])*
        pub struct $Aggregate($crate::store::sql::Group);

        impl From<$crate::store::sql::Group> for $Aggregate {
            fn from(group: $crate::store::sql::Group) -> Self {
                Self(group)
            }
        }

        impl $crate::graphql::aggregate::Statistics for $Aggregate {
            type Column = $table::Column;
            const COMPUTED: &'static [($crate::store::sql::Aggregate, $table::Column)] = {
                #[allow(unused_imports)]
                use $crate::store::sql::Aggregate::{Avg, Max, Min, Sum};
                &[
                    $($((Sum, $table::Column::$SumColumn),)+)?
                    $($((Avg, $table::Column::$AvgColumn),)+)?
                    $($(
                        (Min, $table::Column::$MinMaxColumn),
                        (Max, $table::Column::$MinMaxColumn),
                    )+)?
                ]
            };
        }

        $(
            $(#[$sum_doc])*
            #[derive(async_graphql::SimpleObject)]
            pub struct $Sum {
                $($sum: Option<$sum_ty>,)+
            }
        )?

        $(
            $(#[$avg_doc])*
            #[derive(async_graphql::SimpleObject)]
            pub struct $Avg {
                $($avg: Option<f64>,)+
            }
        )?

        $(
            $(#[$min_max_doc])*
            #[derive(async_graphql::SimpleObject)]
            pub struct $MinMax {
                $($min_max: Option<$min_max_ty>,)+
            }

            impl $MinMax {
                fn of(group: &$crate::store::sql::Group, aggregate: $crate::store::sql::Aggregate) -> Self {
                    Self {
                        $($min_max: group.value(aggregate, $table::Column::$MinMaxColumn),)+
                    }
                }
            }
        )?

        #[async_graphql::Object]
        impl $Aggregate {
            /// The values of the grouped fields.
            async fn key(&self) -> $Key {
                $Key::from(&self.0)
            }

            $(#[$count_doc])*
            async fn count(&self) -> i32 {
                $crate::graphql::aggregate::count_int(self.0.count)
            }

            $(
                /// Sums (null for an empty group).
                async fn sum(&self) -> async_graphql::Result<$Sum> {
                    use $crate::graphql::aggregate::Summed as _;
                    Ok($Sum {
                        $($sum: <$sum_ty>::sum_of(&self.0, $table::Column::$SumColumn)?,)+
                    })
                }
            )?

            $(
                /// Averages (null for an empty group).
                async fn avg(&self) -> $Avg {
                    $Avg {
                        $($avg: self.0.value(
                            $crate::store::sql::Aggregate::Avg,
                            $table::Column::$AvgColumn,
                        ),)+
                    }
                }
            )?

            $(
                /// Minima (null for an empty group).
                async fn min(&self) -> $MinMax {
                    $MinMax::of(&self.0, $crate::store::sql::Aggregate::Min)
                }

                /// Maxima (null for an empty group).
                async fn max(&self) -> $MinMax {
                    $MinMax::of(&self.0, $crate::store::sql::Aggregate::Max)
                }
            )?
        }
    };
}
pub(crate) use aggregate;
