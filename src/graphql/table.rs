//! What the shared list, connection, aggregate, filter, ordering and loader code needs to know
//! of an entity ([`Table`]), and [`entity!`], which declares it once per entity: the column enum
//! for `orderBy` / `groupBy`, the `where` input, the group key, and the `Table` implementation.

use async_graphql::{InputType, OutputType};
use sea_orm::EntityTrait;

use super::aggregate::Statistics;
use super::filter::WhereInput;
use crate::error::AppError;
use crate::store::rows::ByPosition;

/// The column type of an entity's table.
pub type Column<T> = <<T as Table>::Entity as EntityTrait>::Column;
/// A row of an entity's table.
pub type Row<T> = <<T as Table>::Entity as EntityTrait>::Model;

/// An entity of the API (`User`, `Post`, ...) as the shared resolvers see it.
pub trait Table: OutputType + Send + Sync + Sized + 'static {
    /// Its table.
    type Entity: EntityTrait<Model: Sync + ByPosition>;
    /// Its `where` input.
    type Where: WhereInput<Row = Row<Self>> + InputType;
    /// Its column enum, for `orderBy` and `groupBy`.
    type Field: InputType + Copy + Into<Column<Self>>;
    /// Statistics of one group of its rows.
    type Aggregate: OutputType + Statistics<Column = Column<Self>>;
    /// Its id column: the key that makes every order total.
    const ID: Column<Self>;
    /// Its GraphQL type name (in global ids).
    const NAME: &'static str;
    /// The field of its to-one relation, if it has one (`author` of `Post`): a lookup by id
    /// that selects it reads the related row in its own statement.
    const JOINS: Option<&'static str>;

    /// The API object of a row.
    fn from_row(row: Row<Self>) -> Self;

    /// Row `id`, with the row of its to-one relation read by the same statement when `join`.
    fn lookup(
        db: &crate::db::Reader<'_>,
        id: i32,
        join: bool,
    ) -> impl Future<Output = Result<Option<Self>, AppError>> + Send;
}

/// Declares an entity's column enum (`XField`), `where` input (`XWhere`, with `and`, `or` and
/// `not`), group key (`XGroupKey`) and its [`Table`] implementation, from one list of columns:
/// `Variant field: KeyType, FilterType;` (the variant names both the enum value and the table's
/// column), then the relation filters: `field: Type = RelatedColumn => OwnColumn;` for "a row
/// whose `RelatedColumn` equals this row's `OwnColumn` meets the condition".
///
/// `node: Post(post) joins author: user;` names a to-one relation that a lookup joins (see
/// [`Table::JOINS`]); the node's object (declared by [`object!`](super::in_place::object)) has
/// its `row` and that field, a [`Joined`](super::loader::Joined) row of the related table.
macro_rules! entity {
    (
        node: $Node:ident($table:ident) $(joins $joined:ident: $joined_table:ident)?;
        $(#[$field_doc:meta])* field: $Field:ident;
        $(#[$where_doc:meta])* filter: $Where:ident;
        $(#[$key_doc:meta])* key: $Key:ident;
        aggregate: $Aggregate:ident;
        columns {
            $($Column:ident $name:ident: $ty:ty, $Filter:ty;)+
        }
        relations {
            $($(#[$relation_doc:meta])* $relation:ident: $Relation:ty = $related:path => $Own:ident;)*
        }
    ) => {
        $(#[$field_doc])*
        #[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
        #[allow(missing_docs)]
        pub enum $Field {
            $($Column,)+
        }

        impl From<$Field> for $table::Column {
            fn from(field: $Field) -> Self {
                match field {
                    $($Field::$Column => Self::$Column,)+
                }
            }
        }

        $(#[$where_doc])*
        #[derive(async_graphql::InputObject, Clone, Debug, Default)]
        pub struct $Where {
            $($name: Option<$Filter>,)+
            $($(#[$relation_doc])* $relation: Option<$Relation>,)*
            /// Every one of these holds.
            and: Option<Vec<$Where>>,
            /// At least one of these holds.
            or: Option<Vec<$Where>>,
            /// This does not hold.
            not: Option<Box<$Where>>,
        }

        impl $crate::graphql::filter::WhereInput for $Where {
            type Row = $table::Model;

            fn fields_match(&self, row: &$table::Model) -> bool {
                use $crate::graphql::filter::ColumnFilter as _;
                true $(&& self
                    .$name
                    .as_ref()
                    .is_none_or(|filter| filter.matches(row, $table::Column::$Column)))+
            }

            fn relation(&self) -> Option<&'static str> {
                $(if self.$relation.is_some() {
                    return Some(stringify!($relation));
                })*
                None
            }

            fn fields(&self, backend: sea_orm::DatabaseBackend) -> sea_orm::Condition {
                use $crate::graphql::filter::{ColumnFilter as _, RelatedFilter as _};
                sea_orm::Condition::all()
                    $(.add_option(
                        self.$name
                            .as_ref()
                            .map(|filter| filter.condition(backend, $table::Column::$Column)),
                    ))+
                    $(.add_option(self.$relation.as_ref().map(|filter| {
                        filter.related(backend, |condition| {
                            $crate::store::condition::exists_related(
                                $related,
                                $table::Column::$Own,
                                condition,
                            )
                        })
                    })))*
            }

            fn and(&self) -> Option<&[Self]> {
                self.and.as_deref()
            }

            fn or(&self) -> Option<&[Self]> {
                self.or.as_deref()
            }

            fn not(&self) -> Option<&Self> {
                self.not.as_deref()
            }
        }

        $(#[$key_doc])*
        #[derive(async_graphql::SimpleObject)]
        pub struct $Key {
            $($name: Option<$ty>,)+
        }

        impl From<&$crate::store::sql::Group> for $Key {
            fn from(group: &$crate::store::sql::Group) -> Self {
                Self {
                    $($name: group.key($table::Column::$Column),)+
                }
            }
        }

        impl $crate::graphql::table::Table for $Node {
            type Entity = $table::Entity;
            type Where = $Where;
            type Field = $Field;
            type Aggregate = $Aggregate;
            const ID: $table::Column = $table::Column::Id;
            const NAME: &'static str = stringify!($Node);
            const JOINS: Option<&'static str> = [$(Some(stringify!($joined)),)? None][0];

            fn from_row(row: $table::Model) -> Self {
                Self::of(row)
            }

            async fn lookup(
                db: &$crate::db::Reader<'_>,
                id: i32,
                join: bool,
            ) -> Result<Option<Self>, $crate::error::AppError> {
                $(if join {
                    let found = $crate::store::find_joined::<$table::Entity, $joined_table::Entity>(
                        db,
                        Self::ID,
                        id,
                    )
                    .await?;
                    return Ok(found.map(|(row, $joined)| Self::joined(row, Some($joined))));
                })?
                let _ = join;
                let row = $crate::store::find::<$table::Entity>(db, Self::ID, id).await?;
                Ok(row.map(Self::from_row))
            }
        }
    };
}
pub(crate) use entity;
