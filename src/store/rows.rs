//! Rows decoded by column position: sea-orm's models find every column of every row by its
//! name (a lookup in the driver's map of names); agora's reads select an entity's columns in the
//! model's order, so [`ByPosition`] reads them in that order instead.

use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement};

/// A model that decodes from consecutive columns, in the order of its fields (which is the
/// order of its entity's `Column` enum, the order `Entity::find()` selects them in).
pub trait ByPosition: Sized {
    /// The model of the row whose columns start at `first`.
    ///
    /// # Errors
    /// When a column is missing or has another type.
    fn decode(row: &QueryResult, first: usize) -> Result<Self, DbErr>;
}

/// The rows `statement` reads, decoded by position: only for statements that select the
/// entity's own columns first.
///
/// # Errors
/// When the database fails or a row does not decode.
pub async fn read<M: ByPosition>(
    db: &impl ConnectionTrait,
    statement: Statement,
) -> Result<Vec<M>, DbErr> {
    let rows = db.query_all_raw(statement).await?;
    rows.iter().map(|row| M::decode(row, 0)).collect()
}

/// Implements [`ByPosition`] for the `Model` of the calling entity module, whose fields are
/// listed in order; a test checks the list against the entity's columns.
macro_rules! by_position {
    ($($field:ident),+ $(,)?) => {
        impl $crate::store::rows::ByPosition for Model {
            fn decode(
                row: &sea_orm::QueryResult,
                first: usize,
            ) -> Result<Self, sea_orm::DbErr> {
                let mut index = first;
                let mut next = || {
                    index += 1;
                    index - 1
                };
                // Fields are initialised in the order written: column `first`, then the next.
                Ok(Self {
                    $($field: row.try_get_by_index(next())?,)+
                })
            }
        }

        #[cfg(test)]
        #[test]
        fn fields_by_position_are_the_columns_in_order() {
            use sea_orm::{IdenStatic as _, Iterable as _};
            let columns: Vec<&str> = Column::iter().map(|column| column.as_str()).collect();
            assert_eq!(columns, [$(stringify!($field)),+]);
        }
    };
}
pub(crate) use by_position;
