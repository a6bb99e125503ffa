//! Per-request DataLoaders for the nested fields: every parent of a list level is loaded with
//! one statement, whatever the page size (no N+1).

use std::collections::{BTreeSet, HashMap};
use std::future::{Future, poll_fn};
use std::hash::Hash;
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use async_graphql::dataloader::Loader;
use async_graphql::futures_util::future::BoxFuture;
use async_graphql::futures_util::stream::{FuturesUnordered, StreamExt as _};
use sea_orm::DatabaseConnection;
use tokio::sync::mpsc;

use crate::entity::{category, post, product, user};
use crate::error::AppError;
use crate::store;

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

/// An author's posts, optionally only (un)published ones (for `User.posts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PostsByAuthor {
    pub author_id: i32,
    pub published: Option<bool>,
}

/// A category's products (for `Category.products`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProductsByCategory(pub i32);

/// Groups `rows` under their parent key; every requested key gets a list, empty if need be.
fn group_by_parent<K: Copy + Eq + Hash, V>(
    keys: &[K],
    rows: Vec<V>,
    parent_of: impl Fn(&V) -> Option<K>,
) -> HashMap<K, Vec<V>> {
    let mut groups: HashMap<K, Vec<V>> = keys.iter().map(|key| (*key, Vec::new())).collect();
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

    /// One statement per distinct `published` argument in the batch (usually just one).
    async fn load(
        &self,
        keys: &[PostsByAuthor],
    ) -> Result<HashMap<PostsByAuthor, Vec<post::Model>>, AppError> {
        let mut groups = HashMap::with_capacity(keys.len());
        let filters: BTreeSet<Option<bool>> = keys.iter().map(|key| key.published).collect();
        for published in filters {
            let same_filter: Vec<PostsByAuthor> = keys
                .iter()
                .filter(|key| key.published == published)
                .copied()
                .collect();
            let author_ids: Vec<i32> = same_filter.iter().map(|key| key.author_id).collect();
            let posts = store::post::of_authors(&self.db, &author_ids, published).await?;
            groups.extend(group_by_parent(&same_filter, posts, |post| {
                Some(PostsByAuthor {
                    author_id: post.author_id,
                    published,
                })
            }));
        }
        Ok(groups)
    }
}

impl Loader<ProductsByCategory> for Loaders {
    type Value = Vec<product::Model>;
    type Error = AppError;

    async fn load(
        &self,
        keys: &[ProductsByCategory],
    ) -> Result<HashMap<ProductsByCategory, Vec<product::Model>>, AppError> {
        let ids: Vec<i32> = keys.iter().map(|key| key.0).collect();
        let products = store::product::of_categories(&self.db, &ids).await?;
        Ok(group_by_parent(keys, products, |product| {
            product.category_id.map(ProductsByCategory)
        }))
    }
}
