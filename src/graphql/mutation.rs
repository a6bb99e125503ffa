//! The create, update and delete mutations every entity has, declared once by [`mutations!`]:
//! validate the input into a domain value (`TryFrom`), write it through the entity's store
//! module, answer with the row.

use async_graphql::MaybeUndefined;

use crate::error::AppError;

/// Inputs of a bulk create (`createUsers(inputs:)`), at most.
pub const MAX_BULK_INPUTS: usize = 100;
/// Items of a nested list input (`CreateUserInput.posts`), at most.
pub const MAX_NESTED_ITEMS: usize = 100;
/// Rows one mutation field may create, nested ones included, at most.
pub const MAX_CREATED_ROWS: usize = 1_000;

/// A create input's conversion into its domain value. Errors name the field under `at` (a
/// bulk item, `inputs.3`); without `at` (a single create) a field of the input is named
/// alone, as always, and a field of a nested input by its path from `input`
/// (`input.posts.1.title`).
pub trait FromCreateInput<I>: Sized {
    /// Converts `input`.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` naming the field.
    fn from_input(input: I, at: Option<&str>) -> Result<Self, AppError>;

    /// The rows creating it writes (itself and its nested items).
    fn rows(&self) -> usize;
}

/// `error`, about the input at `at` when given.
pub fn under(error: AppError, at: Option<&str>) -> AppError {
    match at {
        Some(at) => error.at(at),
        None => error,
    }
}

/// The items of the nested list input `field` of the input at `at` (`input` when `None`),
/// each converted: at most [`MAX_NESTED_ITEMS`], errors naming `at.field.N.…`.
///
/// # Errors
/// `BAD_USER_INPUT` naming the list or the item's field.
pub fn nested<I, T>(
    at: Option<&str>,
    field: &str,
    items: Option<Vec<I>>,
    convert: impl Fn(I) -> Result<T, AppError>,
) -> Result<Vec<T>, AppError> {
    let list = format!("{}.{field}", at.unwrap_or("input"));
    let items = items.unwrap_or_default();
    if items.len() > MAX_NESTED_ITEMS {
        return Err(AppError::bad_input(
            list,
            format!("{field} takes at most {MAX_NESTED_ITEMS} items"),
        ));
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| convert(item).map_err(|err| err.at(format!("{list}.{i}"))))
        .collect()
}

/// The inputs of a bulk create, each converted (errors naming `inputs.N.…`): 1 to
/// [`MAX_BULK_INPUTS`] of them, creating at most [`MAX_CREATED_ROWS`] rows in all.
///
/// # Errors
/// `BAD_USER_INPUT` naming `inputs` or the item's field.
pub fn bulk<I, T: FromCreateInput<I>>(inputs: Vec<I>) -> Result<Vec<T>, AppError> {
    if inputs.is_empty() || inputs.len() > MAX_BULK_INPUTS {
        return Err(AppError::bad_input(
            "inputs",
            format!("inputs must hold 1 to {MAX_BULK_INPUTS} items"),
        ));
    }
    let news: Vec<T> = inputs
        .into_iter()
        .enumerate()
        .map(|(i, input)| T::from_input(input, Some(&format!("inputs.{i}"))))
        .collect::<Result<_, _>>()?;
    if news.iter().map(T::rows).sum::<usize>() > MAX_CREATED_ROWS {
        return Err(AppError::bad_input(
            "inputs",
            format!("one mutation creates at most {MAX_CREATED_ROWS} rows, nested ones included"),
        ));
    }
    Ok(news)
}

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

/// Declares an entity's mutation root: `create` (an input validated into `$New`), its bulk
/// twin `create_many` (1–100 inputs, all or nothing), `update` (an id and an input validated
/// into `$Patch`), any `others { .. }` of its own, then `delete`, each with the description
/// given, through `store::$store::{create, create_many, update, delete}`.
macro_rules! mutations {
    (
        $(#[$doc:meta])* $Mutation:ident for $Node:ident, store::$store:ident;
        $(#[$create_doc:meta])* create $create:ident($CreateInput:ty => $New:ty);
        $(#[$bulk_doc:meta])* create_many $create_many:ident;
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
                use $crate::graphql::mutation::FromCreateInput as _;
                use async_graphql::ResultExt as _;
                let new = <$New>::from_input(input, None).extend()?;
                let db = $crate::graphql::db(ctx)?;
                let row = $crate::store::$store::create(&db, new).await.extend()?;
                Ok(<$Node as $crate::graphql::table::Table>::from_row(row))
            }

            $(#[$bulk_doc])*
            #[graphql(complexity = "1 + inputs.len() * child_complexity")]
            async fn $create_many(
                &self,
                ctx: &async_graphql::Context<'_>,
                inputs: Vec<$CreateInput>,
            ) -> async_graphql::Result<Vec<$Node>> {
                use async_graphql::ResultExt as _;
                let news = $crate::graphql::mutation::bulk::<_, $New>(inputs).extend()?;
                let db = $crate::graphql::db(ctx)?;
                let rows = $crate::store::$store::create_many(&db, news)
                    .await
                    .map_err(|err| err.at("inputs"))
                    .extend()?;
                Ok(rows.into_iter().map(<$Node as $crate::graphql::table::Table>::from_row).collect())
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
                let row = $crate::store::$store::update(&db, id, patch, expected_updated_at)
                    .await
                    .extend()?;
                Ok(<$Node as $crate::graphql::table::Table>::from_row(row))
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
                let row = $crate::store::$store::delete(&db, id, expected_updated_at)
                    .await
                    .extend()?;
                Ok(<$Node as $crate::graphql::table::Table>::from_row(row))
            }
        }
    };
}
pub(crate) use mutations;
