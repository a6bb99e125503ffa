//! The subscriptions every entity has, declared once by `subscriptions!`: `xCreated`,
//! `xUpdated`, `xDeleted` and the resumable `xChanges`, all over the instance's [`Hub`],
//! each event's row filtered by the subscription's `where` in memory.

use std::sync::Arc;

use async_graphql::futures_util::{Stream, StreamExt as _};
use async_graphql::{Context, Enum, ErrorExtensions as _, OutputType, SimpleObject};
use chrono::Utc;
use sea_orm::EntityName as _;
use serde::de::DeserializeOwned;

use super::category::Category;
use super::filter::WhereInput as _;
use super::post::Post;
use super::product::Product;
use super::table::{Row, Table};
use super::user::User;
use crate::error::AppError;
use crate::live::{Cursor, Hub, StreamEnd};
use crate::store::events::{Kind, Position};
use crate::telemetry;

/// What happened to a row.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChangeKind {
    /// It was created.
    Created,
    /// It was changed.
    Updated,
    /// It was deleted (the node is the row as it was).
    Deleted,
}

impl From<Kind> for ChangeKind {
    fn from(kind: Kind) -> Self {
        match kind {
            Kind::Created => Self::Created,
            Kind::Updated => Self::Updated,
            Kind::Deleted => Self::Deleted,
        }
    }
}

/// One committed change of a row, with the cursor to resume after it.
#[derive(SimpleObject)]
#[graphql(concrete(name = "UserChange", params(User)))]
#[graphql(concrete(name = "PostChange", params(Post)))]
#[graphql(concrete(name = "CategoryChange", params(Category)))]
#[graphql(concrete(name = "ProductChange", params(Product)))]
pub struct Change<T: OutputType> {
    /// What happened.
    kind: ChangeKind,
    /// Pass it as `after` to resume the stream after this change.
    cursor: String,
    /// The row after the change (before it, for a delete).
    node: T,
}

/// Where a subscription without `after` starts: the instance's "now" when the subscription
/// arrived, the record read up to then (set by the transport: a write acknowledged after that
/// is always delivered, one acknowledged before never).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StartAt {
    /// The instance's place in the record.
    pub cursor: Cursor,
    /// Changes after it that had committed already (sorted): not delivered.
    pub skip: Arc<[Position]>,
}

/// Counts a subscription while it lives.
struct Active;

impl Active {
    fn new() -> Self {
        telemetry::count_subscription(1.0);
        Self
    }
}

impl Drop for Active {
    fn drop(&mut self) {
        telemetry::count_subscription(-1.0);
    }
}

/// The changes of `T`'s rows from `after` (or from now), of the given `kinds` (all when
/// `None`), whose row meets `filter`.
///
/// # Errors
/// `BAD_USER_INPUT` for a relation filter or a malformed cursor, `CURSOR_EXPIRED` for a cursor
/// older than the retention.
pub fn changes<T>(
    ctx: &Context<'_>,
    filter: Option<T::Where>,
    kinds: Option<Vec<ChangeKind>>,
    after: Option<String>,
) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Change<T>>> + Send + use<T>>
where
    T: Table,
    T::Where: Send + Sync,
    Row<T>: DeserializeOwned + Clone + Send + Sync,
{
    if let Some(relation) = filter.as_ref().and_then(|filter| filter.relation_used()) {
        return Err(AppError::bad_input(
            "where",
            format!("Subscriptions filter on a row's own fields; `{relation}` is a relation"),
        )
        .extend());
    }
    let hub = ctx.data::<Arc<Hub>>()?.clone();
    let (start, skip): (Cursor, Arc<[Position]>) = match after {
        Some(text) => {
            let cursor = Cursor::decode(&text).ok_or_else(|| {
                AppError::bad_input("after", "after is not a cursor of a change").extend()
            })?;
            let retention = hub.settings().retention();
            if chrono::Duration::from_std(retention).is_ok_and(|kept| cursor.at < Utc::now() - kept)
            {
                return Err(AppError::CursorExpired.extend());
            }
            (cursor, Arc::new([]))
        }
        None => ctx.data_opt::<StartAt>().map_or_else(
            || (hub.now(), Arc::new([]) as Arc<[Position]>),
            |start| (start.cursor, start.skip.clone()),
        ),
    };
    let table = <T::Entity as Default>::default().table_name();
    let active = Active::new();
    Ok(hub.changes(start).filter_map(move |item| {
        let _alive = &active;
        let change = match item {
            Ok(event) => {
                let kind = ChangeKind::from(event.kind);
                let wanted = skip.binary_search(&event.cursor.position).is_err()
                    && event.table == table
                    && kinds.as_ref().is_none_or(|kinds| kinds.contains(&kind));
                wanted
                    .then(|| event.row::<Row<T>>())
                    .flatten()
                    .filter(|row| filter.as_ref().is_none_or(|filter| filter.matches(row)))
                    .map(|row| {
                        telemetry::record_delivery(event.cursor.at);
                        Ok(Change {
                            kind,
                            cursor: event.cursor.encode(),
                            node: T::from_row(row),
                        })
                    })
            }
            Err(StreamEnd::SlowConsumer) => Some(Err(AppError::SlowConsumer.extend())),
            Err(StreamEnd::Unavailable(err)) => {
                tracing::warn!(error = %err, "a subscription ends: the event record failed");
                Some(Err(AppError::Unavailable(err).extend()))
            }
        };
        async move { change }
    }))
}

/// The rows of `T` that changed in the way `kind` says from now on, meeting `filter`.
///
/// # Errors
/// As [`changes`].
pub fn nodes<T>(
    ctx: &Context<'_>,
    filter: Option<T::Where>,
    kind: ChangeKind,
) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<T>> + Send + use<T>>
where
    T: Table,
    T::Where: Send + Sync,
    Row<T>: DeserializeOwned + Clone + Send + Sync,
{
    let changes = changes::<T>(ctx, filter, Some(vec![kind]), None)?;
    Ok(changes.map(|change| change.map(|change| change.node)))
}

/// Declares an entity's subscription root: `created`, `updated`, `deleted` and `changes`
/// fields of `$Node`, named as given, `$noun` in their descriptions.
macro_rules! subscriptions {
    (
        $Subscription:ident for $Node:ident ($noun:literal, $plural:literal):
        $created:ident, $updated:ident, $deleted:ident, $changes:ident;
    ) => {
        #[doc = concat!("The subscriptions to changes of ", $plural, ".")]
        #[derive(Default)]
        pub struct $Subscription;

        #[async_graphql::Subscription]
        impl $Subscription {
            #[doc = concat!("Each ", $noun, " created from now on (meeting `where`).")]
            async fn $created(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(name = "where")] filter: Option<<$Node as $crate::graphql::table::Table>::Where>,
            ) -> async_graphql::Result<impl async_graphql::futures_util::Stream<Item = async_graphql::Result<$Node>> + use<>> {
                $crate::graphql::subscription::nodes::<$Node>(ctx, filter, $crate::graphql::subscription::ChangeKind::Created)
            }

            #[doc = concat!("Each ", $noun, " as it is after a change from now on (meeting `where`).")]
            async fn $updated(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(name = "where")] filter: Option<<$Node as $crate::graphql::table::Table>::Where>,
            ) -> async_graphql::Result<impl async_graphql::futures_util::Stream<Item = async_graphql::Result<$Node>> + use<>> {
                $crate::graphql::subscription::nodes::<$Node>(ctx, filter, $crate::graphql::subscription::ChangeKind::Updated)
            }

            #[doc = concat!("Each ", $noun, " deleted from now on, as it was (meeting `where`).")]
            async fn $deleted(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(name = "where")] filter: Option<<$Node as $crate::graphql::table::Table>::Where>,
            ) -> async_graphql::Result<impl async_graphql::futures_util::Stream<Item = async_graphql::Result<$Node>> + use<>> {
                $crate::graphql::subscription::nodes::<$Node>(ctx, filter, $crate::graphql::subscription::ChangeKind::Deleted)
            }

            #[doc = concat!(
                "Every change of ", $plural, " (of the given `kinds`, meeting `where`) in commit ",
                "order: from now on, or after the change whose `cursor` is `after` (those in ",
                "between first, then live, none missed or twice; a cursor older than ",
                "`EVENT_RETENTION` is `CURSOR_EXPIRED`)."
            )]
            async fn $changes(
                &self,
                ctx: &async_graphql::Context<'_>,
                #[graphql(name = "where")] filter: Option<<$Node as $crate::graphql::table::Table>::Where>,
                kinds: Option<Vec<$crate::graphql::subscription::ChangeKind>>,
                after: Option<String>,
            ) -> async_graphql::Result<impl async_graphql::futures_util::Stream<Item = async_graphql::Result<$crate::graphql::subscription::Change<$Node>>> + use<>> {
                $crate::graphql::subscription::changes::<$Node>(ctx, filter, kinds, after)
            }
        }
    };
}

subscriptions! {
    UserSubscription for User ("user", "users"): user_created, user_updated, user_deleted, user_changes;
}
subscriptions! {
    PostSubscription for Post ("post", "posts"): post_created, post_updated, post_deleted, post_changes;
}
subscriptions! {
    CategorySubscription for Category ("category", "categories"):
        category_created, category_updated, category_deleted, category_changes;
}
subscriptions! {
    ProductSubscription for Product ("product", "products"):
        product_created, product_updated, product_deleted, product_changes;
}

/// The root subscription type: every entity's subscriptions.
#[derive(async_graphql::MergedSubscription, Default)]
pub struct Subscription(
    UserSubscription,
    PostSubscription,
    CategorySubscription,
    ProductSubscription,
);
