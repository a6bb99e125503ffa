//! Per-request DataLoaders for the nested fields: every parent of a list level is loaded with
//! one statement, whatever the page size (no N+1).

use std::collections::HashMap;
use std::future::{Future, poll_fn};
use std::hash::Hash;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use async_graphql::dataloader::Loader;
use async_graphql::futures_util::future::BoxFuture;
use async_graphql::futures_util::stream::{FuturesUnordered, StreamExt as _};
use sea_orm::{Condition, DatabaseConnection, EntityTrait, FromQueryResult};
use tokio::sync::mpsc;

use crate::domain::page::ChildPage;
use crate::entity::{category, post, product, user};
use crate::error::AppError;
use crate::store;
use crate::store::query::Sort;

/// Loads related rows in batches; one per request.
pub struct Loaders {
    db: DatabaseConnection,
}

impl Loaders {
    /// Loaders over `db`.
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }
}

/// The batch tasks of one request's DataLoader, run by the request itself.
pub struct BatchQueue {
    incoming: mpsc::UnboundedReceiver<BoxFuture<'static, ()>>,
}

impl BatchQueue {
    /// A queue and the spawner to hand to `DataLoader::new`.
    pub fn new() -> (
        impl Fn(BoxFuture<'static, ()>) + Send + Sync + 'static,
        Self,
    ) {
        let (sender, incoming) = mpsc::unbounded_channel();
        let spawner = move |batch| {
            // The receiver lives as long as the request that owns this DataLoader.
            let _ = sender.send(batch);
        };
        (spawner, Self { incoming })
    }

    /// Runs `work` and, on the same task, every batch it queues, until `work` is done.
    ///
    /// Batches only run while `work` is idle (waiting on batches or the database, not just
    /// yielding), so every key a list level asks for is in its batch: one statement per level.
    pub async fn drive_alongside<F: Future>(mut self, work: F) -> F::Output {
        let mut work = pin!(work);
        let mut running = FuturesUnordered::new();
        poll_fn(|cx| {
            let yielded = Arc::new(WakeFlag {
                woken: AtomicBool::new(false),
                task: cx.waker().clone(),
            });
            let waker = Waker::from(yielded.clone());
            if let Poll::Ready(output) = work.as_mut().poll(&mut Context::from_waker(&waker)) {
                return Poll::Ready(output);
            }
            while let Poll::Ready(Some(batch)) = self.incoming.poll_recv(cx) {
                running.push(batch);
            }
            if !yielded.woken.load(Ordering::Acquire) {
                while let Poll::Ready(Some(())) = running.poll_next_unpin(cx) {}
            }
            // Either a batch will wake us, or `work` already did.
            Poll::Pending
        })
        .await
    }
}

/// A waker that notes whether it was used, to tell a yield from a real wait.
struct WakeFlag {
    woken: AtomicBool,
    task: Waker,
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        self.task.wake_by_ref();
    }
}

/// A user, by id (for `Post.author`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UserById(pub i32);

/// A category, by id (for `Product.category`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CategoryById(pub i32);

/// One nested list's query, shared by every parent of a list level: the children that meet
/// `condition`, in the order `keys`, one page per parent.
pub struct ChildQuery<C> {
    /// What makes two queries the same (their arguments, printed).
    identity: String,
    condition: Condition,
    keys: Vec<Sort<C>>,
    page: ChildPage,
}

/// The children of one parent under one `ChildQuery`: a DataLoader key.
pub struct ChildrenOf<C> {
    parent: i32,
    query: Arc<ChildQuery<C>>,
}

impl<C> ChildrenOf<C> {
    /// The children of `parent` under the query the arguments describe.
    pub fn new(
        parent: i32,
        identity: String,
        condition: Condition,
        keys: Vec<Sort<C>>,
        page: ChildPage,
    ) -> Self {
        let query = ChildQuery {
            identity,
            condition,
            keys,
            page,
        };
        Self {
            parent,
            query: Arc::new(query),
        }
    }
}

impl<C> Clone for ChildrenOf<C> {
    fn clone(&self) -> Self {
        Self {
            parent: self.parent,
            query: self.query.clone(),
        }
    }
}

impl<C> PartialEq for ChildrenOf<C> {
    fn eq(&self, other: &Self) -> bool {
        self.parent == other.parent && self.query.identity == other.query.identity
    }
}

impl<C> Eq for ChildrenOf<C> {}

impl<C> Hash for ChildrenOf<C> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.parent.hash(state);
        self.query.identity.hash(state);
    }
}

/// A user's posts (for `User.posts`).
pub type PostsByAuthor = ChildrenOf<post::Column>;

/// A category's products (for `Category.products`).
pub type ProductsByCategory = ChildrenOf<product::Column>;

/// Loads the children of every key with one statement per distinct query in the batch (a
/// list level usually has one).
async fn load_children<E>(
    db: &DatabaseConnection,
    keys: &[ChildrenOf<E::Column>],
    parent_column: E::Column,
    parent_of: impl Fn(&E::Model) -> Option<i32>,
) -> Result<HashMap<ChildrenOf<E::Column>, Vec<E::Model>>, AppError>
where
    E: EntityTrait,
    E::Model: FromQueryResult,
{
    let mut groups = HashMap::with_capacity(keys.len());
    let mut done: Vec<&str> = Vec::new();
    for key in keys {
        let query = &key.query;
        if done.contains(&query.identity.as_str()) {
            continue;
        }
        done.push(&query.identity);
        let same_query: Vec<ChildrenOf<E::Column>> = keys
            .iter()
            .filter(|other| other.query.identity == query.identity)
            .cloned()
            .collect();
        let parents: Vec<i32> = same_query.iter().map(|key| key.parent).collect();
        let rows = store::query::children_pages::<E>(
            db,
            parent_column,
            &parents,
            query.condition.clone(),
            &query.keys,
            query.page.skip(),
            query.page.limit(),
        )
        .await?;
        groups.extend(group_by_parent(&same_query, rows, |row| {
            parent_of(row).map(|parent| ChildrenOf {
                parent,
                query: query.clone(),
            })
        }));
    }
    Ok(groups)
}

/// Groups `rows` under their parent key; every requested key gets a list, empty if need be.
fn group_by_parent<K: Clone + Eq + Hash, V>(
    keys: &[K],
    rows: Vec<V>,
    parent_of: impl Fn(&V) -> Option<K>,
) -> HashMap<K, Vec<V>> {
    let mut groups: HashMap<K, Vec<V>> = keys.iter().map(|key| (key.clone(), Vec::new())).collect();
    for row in rows {
        if let Some(children) = parent_of(&row).and_then(|key| groups.get_mut(&key)) {
            children.push(row);
        }
    }
    groups
}

impl Loader<UserById> for Loaders {
    type Value = user::Model;
    type Error = AppError;

    async fn load(&self, keys: &[UserById]) -> Result<HashMap<UserById, user::Model>, AppError> {
        let ids: Vec<i32> = keys.iter().map(|key| key.0).collect();
        let users = store::user::find_many(&self.db, &ids).await?;
        Ok(users.into_iter().map(|u| (UserById(u.id), u)).collect())
    }
}

impl Loader<CategoryById> for Loaders {
    type Value = category::Model;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[CategoryById],
    ) -> Result<HashMap<CategoryById, category::Model>, AppError> {
        let ids: Vec<i32> = keys.iter().map(|key| key.0).collect();
        let categories = store::category::find_many(&self.db, &ids).await?;
        Ok(categories
            .into_iter()
            .map(|c| (CategoryById(c.id), c))
            .collect())
    }
}

impl Loader<PostsByAuthor> for Loaders {
    type Value = Vec<post::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[PostsByAuthor],
    ) -> Result<HashMap<PostsByAuthor, Vec<post::Model>>, AppError> {
        load_children::<post::Entity>(&self.db, keys, post::Column::AuthorId, |post| {
            Some(post.author_id)
        })
        .await
    }
}

impl Loader<ProductsByCategory> for Loaders {
    type Value = Vec<product::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ProductsByCategory],
    ) -> Result<HashMap<ProductsByCategory, Vec<product::Model>>, AppError> {
        load_children::<product::Entity>(&self.db, keys, product::Column::CategoryId, |product| {
            product.category_id
        })
        .await
    }
}
