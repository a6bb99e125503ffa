//! The per-request batch executor: a request's DataLoader batches run on the request's own task,
//! and only while the request is idle, so every key a list level asks for is in one batch.

use std::future::{Future, poll_fn};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll, Wake, Waker};

use async_graphql::futures_util::future::BoxFuture;
use async_graphql::futures_util::stream::{FuturesUnordered, StreamExt as _};
use tokio::sync::mpsc;

/// The batch tasks of one request's DataLoader, run by the request itself.
pub struct BatchQueue {
    incoming: mpsc::UnboundedReceiver<BoxFuture<'static, ()>>,
}

impl BatchQueue {
    /// A queue and the spawner to hand to `DataLoader::new`.
    ///
    /// The channel needs no bound of its own: the DataLoader queues at most one batch per
    /// loader and key type at a time, and the queue lives only as long as its request.
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
    /// A yield is a poll that wakes its own task before returning; a wake-up deferred past the
    /// poll (as tokio's `yield_now` does) cannot be told from a wait.
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

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;

    /// What happened, in order.
    type Log = Arc<Mutex<Vec<&'static str>>>;

    /// Gives the executor a turn and asks to be polled again at once: a yield, not a wait.
    /// (tokio's `yield_now` defers its wake-up until after the poll, which looks like a wait.)
    async fn yield_once() {
        let mut yielded = false;
        poll_fn(|cx| {
            if yielded {
                Poll::Ready(())
            } else {
                yielded = true;
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        })
        .await;
    }

    fn note(log: &Log, event: &'static str) {
        log.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(event);
    }

    #[tokio::test]
    async fn a_batch_waits_while_the_request_only_yields_and_runs_once_it_is_idle() {
        let (spawn, queue) = BatchQueue::new();
        let log: Log = Arc::default();
        let (done, finished) = tokio::sync::oneshot::channel::<()>();
        let batch_log = log.clone();
        let work_log = log.clone();
        let work = async move {
            spawn(Box::pin(async move {
                note(&batch_log, "batch");
                let _ = done.send(());
            }));
            // Yielding is not idleness: more keys could still join the batch.
            for _ in 0..3 {
                yield_once().await;
                note(&work_log, "yielded");
            }
            // Waiting for the batch is: it runs now.
            finished.await.ok();
            note(&work_log, "resumed");
        };
        queue.drive_alongside(work).await;
        let events = log.lock().map(|events| events.clone()).unwrap_or_default();
        assert_eq!(
            events,
            ["yielded", "yielded", "yielded", "batch", "resumed"]
        );
    }

    #[tokio::test]
    async fn batches_queued_together_all_run_before_the_request_goes_on() {
        let (spawn, queue) = BatchQueue::new();
        let log: Log = Arc::default();
        let (tx, mut rx) = mpsc::unbounded_channel::<()>();
        for _ in 0..2 {
            let (log, tx) = (log.clone(), tx.clone());
            spawn(Box::pin(async move {
                note(&log, "batch");
                let _ = tx.send(());
            }));
        }
        let work_log = log.clone();
        let work = async move {
            rx.recv().await;
            rx.recv().await;
            note(&work_log, "resumed");
        };
        queue.drive_alongside(work).await;
        let events = log.lock().map(|events| events.clone()).unwrap_or_default();
        assert_eq!(events, ["batch", "batch", "resumed"]);
    }
}
