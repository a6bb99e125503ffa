//! Rows decoded by column position: sea-orm's models find every column of every row by its
//! name (a lookup in the driver's map of names); agora's reads select an entity's columns in the
//! model's order, so [`ByPosition`] reads them in that order instead: from sea-orm's rows, from
//! SQLite's for a read in place (`store::inline`), from sqlx's for a PostgreSQL read on the pool
//! (`store::direct`).

use sea_orm::sqlx::postgres::{PgRow, Postgres};
use sea_orm::sqlx::{self, Row as _};
use sea_orm::{ConnectionTrait, DbErr, QueryResult, Statement, TryGetable};

use super::direct::DirectReads;
use super::inline::{InlineColumn, InlineReads};

/// What reads run on: a connection or transaction, and, for a request on the pool, the pool's
/// own ways to read (`db::Reader`): in place on SQLite, straight on sqlx's pool on PostgreSQL.
/// A transaction has neither: its reads must see its writes.
pub trait Reads: Sync {
    /// What the statements run on through sea-orm.
    fn executor(&self) -> &impl ConnectionTrait;

    /// The reads in place, on a SQLite pool.
    fn inline_reads(&self) -> Option<&InlineReads>;

    /// The reads straight on sqlx's pool, on a PostgreSQL pool.
    fn direct_reads(&self) -> Option<&DirectReads>;
}

impl<C: ConnectionTrait> Reads for C {
    fn executor(&self) -> &impl ConnectionTrait {
        self
    }

    fn inline_reads(&self) -> Option<&InlineReads> {
        None
    }

    fn direct_reads(&self) -> Option<&DirectReads> {
        None
    }
}

/// A column type every row kind decodes.
pub trait Column:
    TryGetable + InlineColumn + for<'v> sqlx::Decode<'v, Postgres> + sqlx::Type<Postgres>
{
}
impl<T> Column for T where
    T: TryGetable + InlineColumn + for<'v> sqlx::Decode<'v, Postgres> + sqlx::Type<Postgres>
{
}

/// A row whose columns are read by position.
pub enum Row<'r, 's> {
    /// A row read through sea-orm.
    Pooled(&'r QueryResult),
    /// A row read in place (SQLite).
    Inline(&'r rusqlite::Row<'s>),
    /// A row read straight on sqlx's pool (PostgreSQL).
    Direct(&'r PgRow),
}

impl Row<'_, '_> {
    /// Column `index`.
    ///
    /// # Errors
    /// When it is missing or has another type.
    pub fn column<T: Column>(&self, index: usize) -> Result<T, DbErr> {
        match self {
            Self::Pooled(row) => row.try_get_by_index(index),
            Self::Inline(row) => {
                let value = row
                    .get_ref(index)
                    .map_err(|err| DbErr::Type(err.to_string()))?;
                T::from_inline(value)
            }
            Self::Direct(row) => row
                .try_get_unchecked(index)
                .map_err(|err| DbErr::Type(err.to_string())),
        }
    }
}

/// A model that decodes from consecutive columns, in the order of its fields (which is the
/// order of its entity's `Column` enum, the order `Entity::find()` selects them in).
pub trait ByPosition: Sized {
    /// How many columns it takes.
    const COLUMNS: usize;

    /// The model of the row whose columns start at `first`.
    ///
    /// # Errors
    /// When a column is missing or has another type.
    fn decode(row: &Row<'_, '_>, first: usize) -> Result<Self, DbErr>;
}

/// The rows `statement` reads, decoded by position: only for statements that select the
/// entity's own columns first.
///
/// # Errors
/// When the database fails or a row does not decode.
pub async fn read<M: ByPosition>(db: &impl Reads, statement: Statement) -> Result<Vec<M>, DbErr> {
    read_with(db, statement, |row| M::decode(row, 0)).await
}

/// The rows of a statement that selects `M`'s columns and then those of the `R` a left join
/// found (all null when it found none).
///
/// # Errors
/// When the database fails or a row does not decode.
pub async fn read_joined<M: ByPosition, R: ByPosition>(
    db: &impl Reads,
    statement: Statement,
) -> Result<Vec<(M, Option<R>)>, DbErr> {
    read_with(db, statement, |row| {
        let joined = match row.column::<Option<i32>>(M::COLUMNS)? {
            Some(_) => Some(R::decode(row, M::COLUMNS)?),
            None => None,
        };
        Ok((M::decode(row, 0)?, joined))
    })
    .await
}

/// The rows `statement` reads, each decoded by `decode`: in place when `db` reads inline and
/// the read is short, straight on sqlx's pool when `db` reads so, otherwise through sea-orm.
async fn read_with<T>(
    db: &impl Reads,
    statement: Statement,
    decode: impl Fn(&Row<'_, '_>) -> Result<T, DbErr>,
) -> Result<Vec<T>, DbErr> {
    if let Some(rows) = db
        .inline_reads()
        .and_then(|inline| inline.read(&statement, |row| decode(&Row::Inline(row))))
    {
        return Ok(rows);
    }
    if let Some(direct) = db.direct_reads() {
        return direct
            .read(statement, |row| decode(&Row::Direct(row)))
            .await;
    }
    let rows = db.executor().query_all_raw(statement).await?;
    rows.iter().map(|row| decode(&Row::Pooled(row))).collect()
}

/// Implements [`ByPosition`] for the `Model` of the calling entity module, whose fields are
/// listed in order; a test checks the list against the entity's columns.
macro_rules! by_position {
    ($($field:ident),+ $(,)?) => {
        impl $crate::store::rows::ByPosition for Model {
            const COLUMNS: usize = [$(stringify!($field)),+].len();

            fn decode(
                row: &$crate::store::rows::Row<'_, '_>,
                first: usize,
            ) -> Result<Self, sea_orm::DbErr> {
                let mut index = first;
                let mut next = || {
                    index += 1;
                    index - 1
                };
                // Fields are initialised in the order written: column `first`, then the next.
                Ok(Self {
                    $($field: row.column(next())?,)+
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
