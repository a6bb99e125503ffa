//! The create, update and delete mutations every entity has, declared once by [`mutations!`]:
//! validate the input into a domain value (`TryFrom`), write it through the entity's store
//! module, answer with the row.

use async_graphql::MaybeUndefined;

use crate::error::AppError;

/// An update's value for a column that cannot be NULL: omitted (`None`) keeps the column, a
/// value changes it, an explicit `null` is refused.
///
/// # Errors
/// `BAD_USER_INPUT` on `field` for an explicit `null`.
pub fn required<T>(field: &'static str, value: MaybeUndefined<T>) -> Result<Option<T>, AppError> {
    match value {
        MaybeUndefined::Undefined => Ok(None),
        MaybeUndefined::Null => Err(AppError::bad_input(
            field,
            format!("{field} cannot be null; leave it out to keep it"),
        )),
        MaybeUndefined::Value(value) => Ok(Some(value)),
    }
}

/// Declares an entity's mutation root: `create` (an input validated into `$New`), `update`
/// (an id and an input validated into `$Patch`), any `others { .. }` of its own, then
/// `delete`, each with the description given, through `store::$store::{create, update,
/// delete}`.
macro_rules! mutations {
    (
        $(#[$doc:meta])* $Mutation:ident for $Node:ident, store::$store:ident;
        $(#[$create_doc:meta])* create $create:ident($CreateInput:ty => $New:ty);
        $(#[$update_doc:meta])* update $update:ident($UpdateInput:ty => $Patch:ty);
        $(others { $($others:tt)* })?
        $(#[$delete_doc:meta])* delete $delete:ident;
    ) => {
        $(#[$doc])*
        #[derive(Default)]
        pub struct $Mutation;

        #[async_graphql::Object]
        impl $Mutation {
            $(#[$create_doc])*
            async fn $create(
                &self,
                ctx: &async_graphql::Context<'_>,
                input: $CreateInput,
            ) -> async_graphql::Result<$Node> {
                use async_graphql::ResultExt as _;
                let new = <$New>::try_from(input).extend()?;
                let db = $crate::graphql::db(ctx)?;
                let row = $crate::store::$store::create(db, new).await.extend()?;
                Ok($Node(row))
            }

            $(#[$update_doc])*
            async fn $update(
                &self,
                ctx: &async_graphql::Context<'_>,
                id: i32,
                input: $UpdateInput,
                #[graphql(desc = "Write only if the row's `updatedAt` is still this (else \
                                  `CONFLICT`, reason `STALE`).")]
                expected_updated_at: Option<chrono::DateTime<chrono::Utc>>,
            ) -> async_graphql::Result<$Node> {
                use async_graphql::ResultExt as _;
                let patch = <$Patch>::try_from(input).extend()?;
                let db = $crate::graphql::db(ctx)?;
                let row = $crate::store::$store::update(db, id, patch, expected_updated_at)
                    .await
                    .extend()?;
                Ok($Node(row))
            }

            $($($others)*)?

            $(#[$delete_doc])*
            async fn $delete(
                &self,
                ctx: &async_graphql::Context<'_>,
                id: i32,
                #[graphql(desc = "Delete only if the row's `updatedAt` is still this (else \
                                  `CONFLICT`, reason `STALE`).")]
                expected_updated_at: Option<chrono::DateTime<chrono::Utc>>,
            ) -> async_graphql::Result<$Node> {
                use async_graphql::ResultExt as _;
                let db = $crate::graphql::db(ctx)?;
                let row = $crate::store::$store::delete(db, id, expected_updated_at)
                    .await
                    .extend()?;
                Ok($Node(row))
            }
        }
    };
}
pub(crate) use mutations;
