//! The HTTP server loop: hyper with a header-read timeout (so slow clients cannot hold
//! connections open for free) and a graceful shutdown bounded by a grace period.

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tower::ServiceExt as _;

/// Connection-level timeouts of the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerTimeouts {
    /// How long a client may take to send a request's headers.
    pub header_read: Duration,
    /// After the shutdown signal, how long open connections may take to finish.
    pub grace: Duration,
}

/// `HEADER_READ_TIMEOUT_SECS` when not set.
pub const DEFAULT_HEADER_READ_TIMEOUT_SECS: u64 = 10;
/// `SHUTDOWN_GRACE_SECS` when not set.
pub const DEFAULT_SHUTDOWN_GRACE_SECS: u64 = 10;

impl Default for ServerTimeouts {
    fn default() -> Self {
        Self {
            header_read: Duration::from_secs(DEFAULT_HEADER_READ_TIMEOUT_SECS),
            grace: Duration::from_secs(DEFAULT_SHUTDOWN_GRACE_SECS),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open connections finish
/// for at most the grace period before returning.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()>,
    timeouts: ServerTimeouts,
) {
    let ServerTimeouts { header_read, grace } = timeouts;
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read);
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Some(Duration::from_secs(30)));
    let connections = GracefulShutdown::new();
    let mut shutdown = pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Usually out of file descriptors: wait a little instead of spinning.
                    tracing::warn!(error = %err, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        limit_unsent(&stream);
        // Handlers may ask for the peer address (`ConnectInfo<SocketAddr>`), as with axum::serve.
        let service = TowerToHyperService::new(router.clone().map_request(
            move |request: hyper::Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            },
        ));
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), service)
            .into_owned();
        let connection = connections.watch(connection);
        tokio::spawn(async move {
            if let Err(err) = connection.await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = connections.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!(?grace, "connections still open after the grace period; closing them");
        }
    }
}

/// Most bytes a connection may have queued in the kernel and not yet sent.
#[cfg(any(target_os = "linux", target_os = "android"))]
const UNSENT_BYTES: u32 = 16 * 1024;

/// Keeps the kernel from queueing more than [`UNSENT_BYTES`] unsent on `stream`: a client that
/// stops reading then stops the server's writes (a subscription behind it falls behind and
/// ends with `SLOW_CONSUMER`) instead of filling a send buffer that grows to megabytes. Data
/// in flight is not limited, so fast transfers are as fast.
fn limit_unsent(stream: &tokio::net::TcpStream) {
    #[cfg(any(target_os = "linux", target_os = "android"))]
    if let Err(err) = socket2::SockRef::from(stream).set_tcp_notsent_lowat(UNSENT_BYTES) {
        tracing::debug!(error = %err, "cannot limit a connection's unsent bytes");
    }
    #[cfg(not(any(target_os = "linux", target_os = "android")))]
    let _ = stream;
}
