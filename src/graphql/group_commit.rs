//! Group commit on SQLite: mutation requests that arrive together share one transaction and one
//! fsync. SQLite has one writer at a time anyway; what each write waited for was its own fsync
//! (`synchronous=FULL`). Here each mutation runs alone in the open group's transaction, and the
//! group commits when nobody is queued behind it (or it holds `SQLITE_GROUP_COMMIT` mutations);
//! every member answers only after that commit, so nothing is acknowledged before it is on disk.
//!
//! A mutation's own failures stay its own: SQLite undoes a failed statement by itself, and an
//! `@atomic` mutation's savepoint is rolled back when it has an error. A commit that fails fails
//! every member of the group (none was acknowledged).

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Duration;

use async_graphql::Value;
use sea_orm::TransactionTrait as _;
use sea_orm::{DatabaseBackend, DatabaseConnection, DatabaseTransaction, DbErr};
use tokio::sync::{Mutex, watch};

use super::atomic;
use crate::db::RequestDb;
use crate::error::AppError;
use crate::telemetry;

/// How long a member waits for its group's commit before it commits the group itself (only a
/// committer that vanished, a bug, would make it wait that long).
const STALLED: Duration = Duration::from_secs(2);

/// The open group and what its members wait on.
struct Group {
    /// Which group this is.
    number: u64,
    /// The group's transaction (shared with the member running, while it runs).
    transaction: Arc<DatabaseTransaction>,
    /// Members run so far.
    members: usize,
    /// The outcome of the commit, for the members waiting for it.
    outcome: watch::Sender<Option<Result<(), AppError>>>,
}

/// The mutations of one SQLite database, grouped into shared commits.
pub struct GroupCommit {
    db: DatabaseConnection,
    open: Mutex<Option<Group>>,
    /// Mutations queued for the group (waiting for `open`).
    queued: AtomicUsize,
    /// Groups begun so far.
    begun: AtomicUsize,
    /// Groups committed so far.
    commits: AtomicU64,
    /// Most mutations in one group.
    max_members: usize,
}

impl GroupCommit {
    /// Group commit over `db` with at most `max_members` mutations per commit, on SQLite
    /// (PostgreSQL has its own group commit and concurrent writers; `None` there).
    pub fn new(db: &DatabaseConnection, max_members: usize) -> Option<Arc<Self>> {
        (db.get_database_backend() == DatabaseBackend::Sqlite).then(|| {
            Arc::new(Self {
                db: db.clone(),
                open: Mutex::new(None),
                queued: AtomicUsize::new(0),
                begun: AtomicUsize::new(0),
                commits: AtomicU64::new(0),
                max_members: max_members.max(1),
            })
        })
    }

    /// How many groups have committed so far.
    pub fn commits(&self) -> u64 {
        self.commits.load(Ordering::SeqCst)
    }

    /// Runs the mutation request `work` in the open group and answers once the group has
    /// committed. `atomic`: the request's changes are undone when its response has an error.
    ///
    /// It runs on a task of its own, so a request abandoned midway (a timeout, a client gone)
    /// still ends its savepoint and its group.
    pub async fn run<W, F>(self: &Arc<Self>, atomic: bool, work: W) -> async_graphql::Response
    where
        W: FnOnce(RequestDb) -> F + Send + 'static,
        F: Future<Output = async_graphql::Response> + Send + 'static,
    {
        let this = self.clone();
        let member = tokio::spawn(telemetry::counting_statements(async move {
            this.member(atomic, work).await
        }));
        match member.await {
            Ok((response, statements)) => {
                telemetry::add_statements(statements);
                response
            }
            Err(err) => failed(
                async_graphql::Response::default(),
                &internal(err.to_string()),
            ),
        }
    }

    /// Commits `group` and tells its members.
    async fn commit(&self, group: Option<Group>) -> Result<(), AppError> {
        let Some(group) = group else {
            return Err(internal("no group to commit"));
        };
        self.commits.fetch_add(1, Ordering::SeqCst);
        metrics::counter!("agora_sqlite_commits_total").increment(1);
        metrics::histogram!("agora_sqlite_commit_group_size").record(group.members as f64);
        let result = match Arc::try_unwrap(group.transaction) {
            Ok(transaction) => transaction.commit().await.map_err(AppError::from),
            // Dropping the last handle rolls it back.
            Err(_) => Err(internal("a mutation outlived its group")),
        };
        let _ = group.outcome.send(Some(result.clone()));
        result
    }

    async fn member<W, F>(&self, atomic: bool, work: W) -> async_graphql::Response
    where
        W: FnOnce(RequestDb) -> F,
        F: Future<Output = async_graphql::Response>,
    {
        self.queued.fetch_add(1, Ordering::SeqCst);
        let mut open = self.open.lock().await;
        self.queued.fetch_sub(1, Ordering::SeqCst);
        if open.is_none() {
            match atomic::begin(&self.db).await {
                Ok(transaction) => {
                    let number = self.begun.fetch_add(1, Ordering::SeqCst) as u64;
                    *open = Some(Group {
                        number,
                        transaction: Arc::new(transaction),
                        members: 0,
                        outcome: watch::channel(None).0,
                    });
                }
                Err(err) => return failed(async_graphql::Response::default(), &err),
            }
        }
        let Some(group) = open.as_mut() else {
            return failed(async_graphql::Response::default(), &internal("no group"));
        };
        // An `@atomic` mutation runs in a savepoint, to be undone on its own; any other needs
        // none: a failed statement undoes itself, and writes of several statements take a
        // savepoint of their own (`begin()` on what they are given).
        let (response, ended) = if atomic {
            let savepoint = match group.transaction.begin().await {
                Ok(savepoint) => Arc::new(savepoint),
                Err(err) => {
                    // Whoever ran before waits for this group: it ends here.
                    let _ = self.commit(open.take()).await;
                    return failed(async_graphql::Response::default(), &err.into());
                }
            };
            let mut response = work(RequestDb::Atomic(savepoint.clone())).await;
            let undo = !response.errors.is_empty();
            if undo {
                response.data = Value::Null;
            }
            let ended = match Arc::try_unwrap(savepoint) {
                Ok(savepoint) if undo => savepoint.rollback().await,
                Ok(savepoint) => savepoint.commit().await,
                Err(_) => Err(DbErr::Custom("a savepoint outlived its mutation".into())),
            };
            (response, ended)
        } else {
            let response = work(RequestDb::Atomic(group.transaction.clone())).await;
            (response, Ok(()))
        };
        if let Err(err) = ended {
            // The group's transaction may be unusable now: it ends here, for every member.
            let group = open.take();
            drop(open);
            let err = AppError::from(err);
            if let Some(group) = group {
                let _ = group.outcome.send(Some(Err(err.clone())));
            }
            return failed(response, &err);
        }
        let Some(group) = open.as_mut() else {
            return failed(response, &internal("no group"));
        };
        group.members += 1;
        let mut outcome = group.outcome.subscribe();
        let number = group.number;
        // After a failure of the database itself SQLite may have rolled the transaction back on
        // its own: the group ends here rather than run more members outside of it.
        if self.queued.load(Ordering::SeqCst) == 0
            || group.members >= self.max_members
            || database_failed(&response)
        {
            let result = self.commit(open.take()).await;
            drop(open);
            return answered(response, result);
        }
        drop(open);
        let result = loop {
            if let Some(result) = outcome.borrow_and_update().clone() {
                break result;
            }
            match tokio::time::timeout(STALLED, outcome.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => break Err(internal("the group ended without an outcome")),
                Err(_) => {
                    // Nobody committed the group: this member does, if it is still open.
                    let mut open = self.open.lock().await;
                    if open.as_ref().is_some_and(|group| group.number == number) {
                        let result = self.commit(open.take()).await;
                        break result;
                    }
                }
            }
        };
        answered(response, result)
    }
}

/// Whether `response` has an error of the database rather than of the request.
fn database_failed(response: &async_graphql::Response) -> bool {
    response.errors.iter().any(|error| {
        let code = error.extensions.as_ref().and_then(|ext| ext.get("code"));
        matches!(code, Some(Value::String(code))
            if code == "SERVICE_UNAVAILABLE" || code == "INTERNAL_SERVER_ERROR")
    })
}

/// `response`, or, when its group did not commit, the error that says so.
fn answered(
    response: async_graphql::Response,
    committed: Result<(), AppError>,
) -> async_graphql::Response {
    match committed {
        Ok(()) => response,
        Err(err) => failed(response, &err),
    }
}

/// `response` without data, with `error` added: nothing of it was written.
fn failed(mut response: async_graphql::Response, error: &AppError) -> async_graphql::Response {
    response.data = Value::Null;
    response.errors.push(atomic::server_error(error));
    response
}

fn internal(message: impl Into<String>) -> AppError {
    AppError::from(DbErr::Custom(message.into()))
}
