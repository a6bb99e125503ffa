//! Entity objects whose column fields resolve in place: async-graphql gives every field of an
//! object a boxed future of its own, which dominates the cost of a list; [`InPlace`] computes
//! the columns directly, in selection order, and leaves only the other fields (relations) to
//! the object's resolvers. [`object!`] declares such an object and its columns once.
//!
//! agora's schema has no extensions: an extension's `resolve` hook would not see column fields.

use std::borrow::Cow;
use std::ops::Deref;

use async_graphql::futures_util::future::{BoxFuture, join_all};
use async_graphql::indexmap::IndexMap;
use async_graphql::indexmap::map::Entry;
use async_graphql::parser::types::{Field, Selection, SelectionSet};
use async_graphql::registry::Registry;
use async_graphql::resolver_utils::{ContainerType, resolve_container};
use async_graphql::{
    Context, ContextSelectionSet, Name, ObjectType, OutputType, Positioned, ScalarType,
    ServerResult, Value,
};
use chrono::{DateTime, Utc};

/// The fields of an object that are its row's columns (and its global id), answered without a
/// future.
pub trait Columns {
    /// The value of field `name` (its GraphQL name) if it is a column, else `None`: the
    /// object's resolver answers it.
    fn column(&self, name: &str) -> Option<Value>;
}

/// A column's value as its field's resolver would answer it.
pub trait ColumnValue {
    /// The GraphQL value.
    fn value(&self) -> Value;
}

macro_rules! scalar_columns {
    ($($ty:ty),+) => {
        $(impl ColumnValue for $ty {
            fn value(&self) -> Value {
                ScalarType::to_value(self)
            }
        })+
    };
}
scalar_columns!(i32, f64, bool, String, DateTime<Utc>, async_graphql::ID);

impl ColumnValue for Option<i32> {
    fn value(&self) -> Value {
        self.as_ref().map_or(Value::Null, ColumnValue::value)
    }
}

/// An entity object (`T`, an async-graphql object that knows its [`Columns`]) served with its
/// columns resolved in place; the schema sees `T` itself.
pub struct InPlace<T>(pub T);

impl<T> Deref for InPlace<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: ObjectType + Columns> OutputType for InPlace<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        _field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        resolve(ctx, &self.0).await
    }
}

impl<T: ObjectType + Columns> ContainerType for InPlace<T> {
    async fn resolve_field(&self, ctx: &Context<'_>) -> ServerResult<Option<Value>> {
        self.0.resolve_field(ctx).await
    }
}

impl<T: ObjectType + Columns> ObjectType for InPlace<T> {}

/// Resolves `root`'s selection set: columns and `__typename` in place, the other fields through
/// `root`'s resolvers, run concurrently (so a list's loaders still see the whole list at once).
/// Fields keep the order of the selection (fragments included). A selection async-graphql must
/// resolve itself (a field with a directive, or a response key shared by a field that is not a
/// column and another field) takes its path instead.
async fn resolve<'a, T: ObjectType + Columns>(
    ctx: &ContextSelectionSet<'a>,
    root: &'a T,
) -> ServerResult<Value> {
    let mut fields = IndexMap::new();
    let mut others = Vec::new();
    if !collect(ctx, root, &ctx.item.node, &mut fields, &mut others) {
        return resolve_container(ctx, root).await;
    }
    let mut answer = |field: &Positioned<Field>, result: ServerResult<Option<Value>>| {
        let key = &field.node.response_key().node;
        match result {
            Ok(value) => {
                if let Some(slot) = fields.get_mut(key) {
                    *slot = value.unwrap_or_default();
                }
            }
            Err(error) => {
                ctx.add_error(error);
                fields.shift_remove(key);
            }
        }
    };
    // Boxed, as async-graphql boxes every field: a relation's future holds the related object's.
    let resolve_other = |field: &'a Positioned<Field>| -> BoxFuture<'_, _> {
        Box::pin(async move {
            let result = root.resolve_field(&ctx.with_field(field)).await;
            (field, result)
        })
    };
    match others.as_slice() {
        [] => {}
        [field] => {
            let (field, result) = resolve_other(field).await;
            answer(field, result);
        }
        _ => {
            for (field, result) in join_all(others.into_iter().map(resolve_other)).await {
                answer(field, result);
            }
        }
    }
    Ok(if fields.is_empty() {
        Value::Null
    } else {
        Value::Object(fields)
    })
}

/// Adds the fields of `set` (and of its fragments that apply to `root`) to `fields`: a column's
/// value, or a placeholder for a field left to `others`. False when async-graphql must resolve
/// the selection itself.
fn collect<'a, T: ObjectType + Columns>(
    ctx: &ContextSelectionSet<'a>,
    root: &T,
    set: &'a SelectionSet,
    fields: &mut IndexMap<Name, Value>,
    others: &mut Vec<&'a Positioned<Field>>,
) -> bool {
    for selection in &set.items {
        if !selection.node.directives().is_empty() {
            return false;
        }
        let (condition, fragment) = match &selection.node {
            Selection::Field(field) => {
                let key = field.node.response_key().node.clone();
                let name = field.node.name.node.as_str();
                let column = if name == "__typename" {
                    Some(Value::String(root.introspection_type_name().into_owned()))
                } else {
                    root.column(name)
                };
                match column {
                    Some(value) => match fields.entry(key) {
                        Entry::Vacant(entry) => {
                            entry.insert(value);
                        }
                        // A relation under the same key (fragments on different conditions
                        // pass validation): which one answers is async-graphql's to say.
                        Entry::Occupied(entry)
                            if others
                                .iter()
                                .any(|other| other.node.response_key().node == *entry.key()) =>
                        {
                            return false;
                        }
                        // The same column twice under one key: the first place counts.
                        Entry::Occupied(_) => {}
                    },
                    None => {
                        if fields.insert(key, Value::Null).is_some() {
                            return false;
                        }
                        others.push(field);
                    }
                }
                continue;
            }
            Selection::FragmentSpread(spread) => {
                let Some(fragment) = ctx.query_env.fragments.get(&spread.node.fragment_name.node)
                else {
                    return false;
                };
                let definition = &fragment.node;
                (
                    Some(&definition.type_condition.node.on.node),
                    &definition.selection_set,
                )
            }
            Selection::InlineFragment(fragment) => (
                fragment
                    .node
                    .type_condition
                    .as_ref()
                    .map(|c| &c.node.on.node),
                &fragment.node.selection_set,
            ),
        };
        let applies = condition.is_none_or(|condition| {
            condition.as_str() == T::type_name()
                || ctx
                    .schema_env
                    .registry
                    .implements
                    .get(T::type_name().as_ref())
                    .is_some_and(|interfaces| interfaces.contains(condition.as_str()))
        });
        if applies && !collect(ctx, root, &fragment.node, fields, others) {
            return false;
        }
    }
    true
}

/// Declares an entity's object type: `Post = PostFields(row: post::Model, author:
/// Joined<user::Model>);` is the struct `PostFields` of the row and the to-one relation field,
/// served as `Post` (an [`InPlace`] alias); then `#[Object(name = "Post")]`, the attribute of its
/// async-graphql object (written by the caller, so that its resolvers' `complexity` expressions
/// see the names it declares); then `"id" id: i32;` and `node_id;` (the global id), each with
/// its description; then the other columns, one per line, `"createdAt" created_at:
/// DateTime<Utc>;` (GraphQL name, row field, type); then the other fields' resolvers. Every
/// column and the global id are fields of the type and [`Columns`] entries. No `guard` on the
/// object or its columns: a column answered in place would not run it.
macro_rules! object {
    (
        $(#[$doc:meta])*
        $Node:ident = $Fields:ident(row: $Row:ty $(, $joined:ident: $Joined:ty)?);
        $hash:tt $object:tt
        $(#[$id_doc:meta])* "id" id: i32;
        $(#[$node_id_doc:meta])* node_id;
        columns {
            $($(#[$column_doc:meta])* $column:literal $field:ident: $ty:ty;)+
        }
        $($resolvers:tt)*
    ) => {
        $(#[$doc])*
        pub type $Node = $crate::graphql::in_place::InPlace<$Fields>;

        /// The row behind the object, and its joined relation.
        pub struct $Fields {
            row: $Row,
            $($joined: $Joined,)?
        }

        impl $Node {
            /// The object of `row`, its relation not read yet.
            fn of(row: $Row) -> Self {
                $crate::graphql::in_place::InPlace($Fields { row, $($joined: None,)? })
            }

            $(
                /// The object of `row` and of the relation's row its statement read.
                fn joined(row: $Row, $joined: $Joined) -> Self {
                    $crate::graphql::in_place::InPlace($Fields { row, $joined })
                }
            )?
        }

        $hash $object
        impl $Fields {
            $(#[$id_doc])*
            async fn id(&self) -> i32 {
                self.row.id
            }

            $(#[$node_id_doc])*
            pub(super) async fn node_id(&self) -> async_graphql::ID {
                $crate::graphql::node::global_id::<$Node>(self.row.id)
            }

            $(
                $(#[$column_doc])*
                #[graphql(name = $column)]
                async fn $field(&self) -> &$ty {
                    &self.row.$field
                }
            )+

            $($resolvers)*
        }

        impl $crate::graphql::in_place::Columns for $Fields {
            fn column(&self, name: &str) -> Option<async_graphql::Value> {
                use $crate::graphql::in_place::ColumnValue as _;
                Some(match name {
                    "id" => self.row.id.value(),
                    $($column => self.row.$field.value(),)+
                    "nodeId" => $crate::graphql::node::global_id::<$Node>(self.row.id).value(),
                    _ => return None,
                })
            }
        }
    };
}
pub(crate) use object;
