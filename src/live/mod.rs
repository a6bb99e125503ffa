//! Live data: one reader per instance follows the event record and fans each event out in
//! memory to every subscription of the instance ([`Hub`](crate::live::Hub)); subscriptions
//! replay from the record what they missed, then follow the fan-out, with no gap and no
//! duplicate.

mod cursor;
mod settings;

pub use cursor::Cursor;
pub use settings::LiveSettings;

use std::any::Any;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::Duration;

use async_graphql::futures_util::Stream;
use chrono::Utc;
use sea_orm::{DatabaseBackend, DatabaseConnection, DbErr};
use serde::de::DeserializeOwned;
use tokio::sync::{Notify, broadcast, watch};
use tokio::task::JoinHandle;

use crate::store::events::{self, EventRow, Kind, Position};
use crate::telemetry;

/// How many committed but not yet readable events a stream starting now leaves out at most
/// (beyond that, a long-running transaction elsewhere has held the readers back for long).
const SKIPPED_AT_MOST: u64 = 10_000;

/// How many events one read of the record takes at most.
const READ_BATCH: u64 = 256;

/// One committed change of one row, as every subscription of the instance receives it.
#[derive(Debug)]
pub struct Event {
    /// Its place in the record, and when it was written.
    pub cursor: Cursor,
    /// What happened.
    pub kind: Kind,
    /// The row's table.
    pub table: String,
    row: String,
    parsed: OnceLock<Option<Arc<dyn Any + Send + Sync>>>,
}

impl Event {
    fn new(row: EventRow) -> Self {
        Self {
            cursor: Cursor {
                position: row.position,
                at: row.at,
            },
            kind: row.kind,
            table: row.table,
            row: row.row,
            parsed: OnceLock::new(),
        }
    }

    /// The row, read once from its JSON for all the subscriptions that want it (`None` when it
    /// is not a `M`: a bug, logged).
    pub fn row<M: DeserializeOwned + Clone + Send + Sync + 'static>(&self) -> Option<M> {
        let parsed = self
            .parsed
            .get_or_init(|| match serde_json::from_str::<M>(&self.row) {
                Ok(row) => Some(Arc::new(row)),
                Err(err) => {
                    tracing::error!(table = self.table, error = %err, "unreadable event row");
                    None
                }
            });
        parsed.as_ref()?.downcast_ref::<M>().cloned()
    }
}

/// Why a stream of changes ended early.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StreamEnd {
    /// The subscriber fell more events behind than its buffer holds.
    #[error("the subscriber could not keep up")]
    SlowConsumer,
    /// The record could not be read.
    #[error("the event record could not be read: {0}")]
    Unavailable(Arc<DbErr>),
}

/// The instance's reader of the event record and its fan-out.
pub struct Hub {
    db: DatabaseConnection,
    settings: LiveSettings,
    sender: broadcast::Sender<Arc<Event>>,
    /// The last event sent to the subscriptions; held while sending, so that a new subscription
    /// sees each event either in the record up to here or from the fan-out.
    head: Mutex<Position>,
    /// Held while reading the record, so that two reads never send the same events.
    reading: tokio::sync::Mutex<()>,
    wake: Notify,
    others: Notify,
    closing: watch::Sender<bool>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Hub {
    /// Starts the instance's reader (from the end of the record), its pruner and, on
    /// PostgreSQL, its listener for other instances' writes and its notifier of its own, all
    /// on `db` (give it one connection: they take turns) and, for listening, one more
    /// connection of their own.
    ///
    /// # Errors
    /// When the record cannot be read.
    pub async fn start(db: DatabaseConnection, settings: LiveSettings) -> Result<Arc<Self>, DbErr> {
        let head = events::last(&db).await?;
        let (sender, _) = broadcast::channel(settings.event_buffer.max(1));
        let hub = Arc::new(Self {
            db,
            settings,
            sender,
            head: Mutex::new(head),
            reading: tokio::sync::Mutex::new(()),
            wake: Notify::new(),
            others: Notify::new(),
            closing: watch::channel(false).0,
            tasks: Mutex::new(Vec::new()),
        });
        let mut tasks = vec![
            tokio::spawn(hub.clone().read_forever()),
            tokio::spawn(hub.clone().prune_forever()),
        ];
        if hub.db.get_database_backend() == DatabaseBackend::Postgres {
            tasks.push(tokio::spawn(hub.clone().notify_forever()));
            tasks.push(tokio::spawn(hub.clone().listen_forever()));
        }
        *hub.tasks.lock().unwrap_or_else(PoisonError::into_inner) = tasks;
        Ok(hub)
    }

    /// Stops the hub's tasks (the subscriptions' streams then end).
    pub fn stop(&self) {
        for task in self
            .tasks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .drain(..)
        {
            task.abort();
        }
    }

    /// Tells every socket and event stream to end (the server is shutting down).
    pub fn close(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`close`](Hub::close) was called.
    pub fn closed(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut closing = self.closing.subscribe();
        async move {
            let _ = closing.wait_for(|closing| *closing).await;
        }
    }

    /// The settings it runs with.
    pub fn settings(&self) -> &LiveSettings {
        &self.settings
    }

    /// The cursor of "now": a stream from here delivers the changes read from here on.
    pub fn now(&self) -> Cursor {
        Cursor {
            position: *self.head.lock().unwrap_or_else(PoisonError::into_inner),
            at: Utc::now(),
        }
    }

    /// Where a stream that starts now begins, the record read up to this moment: after the
    /// returned cursor, without the returned positions. It then delivers every change
    /// committed after the call and none committed before it. (On PostgreSQL, changes that
    /// committed while an older transaction still runs are not readable yet: they are the
    /// positions to leave out.)
    pub async fn caught_up(&self) -> (Cursor, Vec<Position>) {
        if let Err(err) = self.read_new().await {
            tracing::warn!(error = %err, "cannot read the event record; starting from the last read");
        }
        let now = self.now();
        let committed = events::committed_after(&self.db, now.position, SKIPPED_AT_MOST)
            .await
            .unwrap_or_else(|err| {
                tracing::warn!(error = %err, "cannot read the event record's newest events");
                Vec::new()
            });
        (now, committed)
    }

    /// Says that this instance has written (a mutation ran): read the record now, and wake
    /// the other instances.
    pub fn written(&self) {
        self.wake.notify_one();
        self.others.notify_one();
    }

    /// Every change after `after`, in order: those in the record first, then each one as it is
    /// read. Ends with [`StreamEnd`] when the subscriber falls behind or the record fails.
    pub fn changes(
        self: &Arc<Self>,
        after: Cursor,
    ) -> impl Stream<Item = Result<Arc<Event>, StreamEnd>> + Send + use<> {
        let hub = self.clone();
        async_stream::stream! {
            let mut last = after.position;
            // Catch up from the record while far behind, without holding a place in the
            // fan-out's buffer.
            loop {
                let head = *hub.head.lock().unwrap_or_else(PoisonError::into_inner);
                match hub.replay(&mut last, head).await {
                    Ok(replayed) => {
                        for event in replayed.0 {
                            yield Ok(event);
                        }
                        if !replayed.1 {
                            break;
                        }
                    }
                    Err(end) => {
                        yield Err(end);
                        return;
                    }
                }
            }
            let (mut receiver, head) = {
                let head = hub.head.lock().unwrap_or_else(PoisonError::into_inner);
                (hub.sender.subscribe(), *head)
            };
            loop {
                match hub.replay(&mut last, head).await {
                    Ok((replayed, more)) => {
                        for event in replayed {
                            yield Ok(event);
                        }
                        if !more {
                            break;
                        }
                    }
                    Err(end) => {
                        yield Err(end);
                        return;
                    }
                }
            }
            loop {
                match receiver.recv().await {
                    Ok(event) if event.cursor.position > last => {
                        last = event.cursor.position;
                        yield Ok(event);
                    }
                    Ok(_) => {}
                    Err(broadcast::error::RecvError::Lagged(_)) => {
                        telemetry::count_slow_consumer();
                        yield Err(StreamEnd::SlowConsumer);
                        return;
                    }
                    Err(broadcast::error::RecvError::Closed) => return,
                }
            }
        }
    }

    /// One page of the record after `last` up to `head`, moving `last`; whether there may be
    /// more.
    async fn replay(
        &self,
        last: &mut Position,
        head: Position,
    ) -> Result<(Vec<Arc<Event>>, bool), StreamEnd> {
        if *last >= head {
            return Ok((Vec::new(), false));
        }
        let rows = events::read(&self.db, *last, Some(head), READ_BATCH)
            .await
            .map_err(|err| StreamEnd::Unavailable(Arc::new(err)))?;
        let more = rows.len() as u64 == READ_BATCH;
        let replayed: Vec<Arc<Event>> = rows
            .into_iter()
            .map(|row| Arc::new(Event::new(row)))
            .collect();
        if let Some(event) = replayed.last() {
            *last = event.cursor.position;
        }
        Ok((replayed, more))
    }

    /// Reads what is new in the record whenever woken, and at least every poll interval.
    async fn read_forever(self: Arc<Self>) {
        loop {
            if let Err(err) = self.read_new().await {
                tracing::warn!(error = %err, "cannot read the event record; retrying");
            }
            let _ = tokio::time::timeout(self.settings.poll_interval(), self.wake.notified()).await;
        }
    }

    /// Sends every new event of the record to the subscriptions.
    async fn read_new(&self) -> Result<(), DbErr> {
        let _reading = self.reading.lock().await;
        // A quarter of the buffer at a time, so that a subscriber that keeps up between reads
        // never falls behind by one read.
        let batch = (self.settings.event_buffer as u64 / 4).clamp(1, READ_BATCH);
        loop {
            let from = *self.head.lock().unwrap_or_else(PoisonError::into_inner);
            let rows = events::read(&self.db, from, None, batch).await?;
            let count = rows.len() as u64;
            if count == 0 {
                return Ok(());
            }
            telemetry::count_events_read(count);
            let mut head = self.head.lock().unwrap_or_else(PoisonError::into_inner);
            for row in rows {
                let event = Arc::new(Event::new(row));
                *head = event.cursor.position;
                // No receiver is not an error: nobody subscribes right now.
                let _ = self.sender.send(event);
            }
            drop(head);
            if count < batch {
                return Ok(());
            }
        }
    }

    /// Deletes events older than the retention, now and then.
    async fn prune_forever(self: Arc<Self>) {
        let every =
            (self.settings.retention() / 10).clamp(Duration::from_secs(1), Duration::from_secs(60));
        loop {
            tokio::time::sleep(every).await;
            // A cursor expires at the retention; its events are kept a while longer (as long
            // again, ten minutes at most), so a transaction that wrote just before a cursor's
            // event cannot lose its own to the pruner while that cursor is still valid.
            let retention = self.settings.retention();
            let keep = retention + retention.min(Duration::from_secs(600));
            let Ok(keep) = chrono::Duration::from_std(keep) else {
                continue;
            };
            match events::prune(&self.db, Utc::now() - keep).await {
                Ok(0) => {}
                Ok(pruned) => tracing::debug!(pruned, "old events pruned"),
                Err(err) => tracing::warn!(error = %err, "cannot prune old events"),
            }
        }
    }

    /// PostgreSQL: after this instance's writes, one `NOTIFY` at a time (writes during one
    /// share the next), outside the writes' own transactions: a `NOTIFY` inside them would
    /// serialise every commit on PostgreSQL's notification lock.
    async fn notify_forever(self: Arc<Self>) {
        loop {
            self.others.notified().await;
            if let Err(err) = events::notify(&self.db).await {
                tracing::warn!(error = %err, "cannot wake the other instances; they poll");
            }
        }
    }

    /// PostgreSQL: wakes the reader on every notification from any instance, and when the
    /// listening connection is lost (notifications may have been missed meanwhile).
    async fn listen_forever(self: Arc<Self>) {
        use sea_orm::sqlx::postgres::{PgListener, PgPoolOptions};
        // A pool of its own (one connection), so that listening takes none from requests.
        let options = self.db.get_postgres_connection_pool().connect_options();
        let pool = PgPoolOptions::new()
            .max_connections(1)
            .connect_lazy_with((*options).clone());
        loop {
            let listener = async {
                let mut listener = PgListener::connect_with(&pool).await?;
                listener.listen(events::CHANNEL).await?;
                loop {
                    // `None`: the connection was lost and is re-established on the next call.
                    let _ = listener.try_recv().await?;
                    self.wake.notify_one();
                }
            };
            let result: Result<(), sea_orm::sqlx::Error> = listener.await;
            if let Err(err) = result {
                tracing::warn!(error = %err, "cannot listen for other instances' writes; polling");
            }
            self.wake.notify_one();
            tokio::time::sleep(self.settings.poll_interval()).await;
        }
    }
}
