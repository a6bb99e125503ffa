//! One way to build and run agora, for `main` and for every test harness alike: connect,
//! migrate, build the state and the router, bind, then serve until told to stop.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use sea_orm::DatabaseConnection;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::db::{self, Pool, PoolSettings};
use crate::graphql::group_commit::GroupCommit;
use crate::http::{AppState, HttpSettings, app};
use crate::live::{Hub, LiveSettings};
use crate::server::{self, ServerTimeouts};
use crate::store::direct::DirectReads;
use crate::store::inline::InlineReads;
use crate::telemetry;

/// Called once for every SQL statement the application runs.
pub type StatementObserver = Arc<dyn Fn() + Send + Sync>;

/// Everything an application is built from.
#[derive(Clone)]
pub struct Setup {
    /// The database to serve (`DATABASE_URL`).
    pub database_url: String,
    /// How the connection pool is sized and how durable SQLite commits are.
    pub pool: PoolSettings,
    /// How the HTTP layer guards the API.
    pub http: HttpSettings,
    /// Where to listen (port 0 picks a free one).
    pub address: SocketAddr,
    /// Connection-level timeouts.
    pub timeouts: ServerTimeouts,
    /// How live data (subscriptions) runs.
    pub live: LiveSettings,
    /// Also told of every SQL statement, besides the metrics (tests count with it).
    pub on_statement: Option<StatementObserver>,
}

impl Setup {
    /// The defaults on `database_url`, listening on a free port of 127.0.0.1.
    pub fn local(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            pool: PoolSettings::default(),
            http: HttpSettings::default(),
            address: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            timeouts: ServerTimeouts::default(),
            live: LiveSettings::default(),
            on_statement: None,
        }
    }
}

impl From<&Config> for Setup {
    fn from(config: &Config) -> Self {
        Self {
            database_url: config.database_url.clone(),
            pool: PoolSettings::from(config),
            http: HttpSettings::from(config),
            address: SocketAddr::new(config.host, config.port),
            timeouts: ServerTimeouts {
                header_read: Duration::from_secs(config.header_read_timeout_secs.max(1)),
                grace: Duration::from_secs(config.shutdown_grace_secs),
            },
            live: config.live,
            on_statement: None,
        }
    }
}

/// A built agora: migrated, bound to its address, ready to serve.
pub struct Application {
    listener: TcpListener,
    address: SocketAddr,
    db: Pool,
    state: AppState,
    hub: Arc<Hub>,
    timeouts: ServerTimeouts,
    database: String,
}

impl Application {
    /// Connects to the database, applies pending migrations and binds the address.
    ///
    /// # Errors
    /// When the database cannot be opened or migrated, or the address cannot be bound.
    pub async fn build(setup: Setup) -> anyhow::Result<Self> {
        let mut db = db::connect_with(&setup.database_url, &setup.pool)
            .await
            .context("cannot open the database (check DATABASE_URL)")?;
        telemetry::init_metrics();
        let observer = setup.on_statement.clone();
        let on_statement: StatementObserver = Arc::new(move || {
            telemetry::count_statement();
            if let Some(observer) = &observer {
                observer();
            }
        });
        let counted = on_statement.clone();
        db.set_metric_callback(move |_| counted());
        db::migrate(&setup.database_url)
            .await
            .context("cannot apply the database migrations")?;
        let listener = TcpListener::bind(setup.address)
            .await
            .with_context(|| format!("cannot listen on {}", setup.address))?;
        let address = listener.local_addr()?;
        let inline = setup
            .pool
            .sqlite_inline_reads
            .then(|| {
                InlineReads::beside(
                    &db,
                    &setup.database_url,
                    setup.pool.sqlite_cache_kib,
                    on_statement.clone(),
                )
            })
            .flatten()
            .map(Arc::new);
        let direct = DirectReads::beside(&db, on_statement).map(Arc::new);
        let db = Pool {
            connection: db,
            inline,
            direct,
        };
        // Live data reads the event record on a connection of its own, so that it neither
        // waits for one behind requests nor counts among their statements.
        let events_pool = PoolSettings {
            max_connections: Some(1),
            ..setup.pool.clone()
        };
        let events_db = db::connect_with(&setup.database_url, &events_pool)
            .await
            .context("cannot open the database for live data")?;
        let hub = Hub::start(events_db, setup.live)
            .await
            .context("cannot read the event record")?;
        Ok(Self {
            listener,
            address,
            state: AppState::new(
                db.clone(),
                hub.clone(),
                setup.http,
                setup.pool.sqlite_group_commit,
            ),
            hub,
            db,
            timeouts: setup.timeouts,
            database: telemetry::describe_database(&setup.database_url),
        })
    }

    /// The address it listens on.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    /// Its database connection pool (the one it serves with).
    pub fn db(&self) -> &DatabaseConnection {
        &self.db.connection
    }

    /// Its SQLite commit groups (none on PostgreSQL).
    pub fn group_commit(&self) -> Option<Arc<GroupCommit>> {
        self.state.group.clone()
    }

    /// Serves until `shutdown` resolves, lets in-flight requests finish and open sockets and
    /// event streams send their close within the grace period, then closes the database.
    ///
    /// # Errors
    /// When the database cannot be closed cleanly.
    pub async fn serve_until(self, shutdown: impl Future<Output = ()>) -> anyhow::Result<()> {
        let address = self.address;
        tracing::info!(
            "listening on http://{address} with {}; playground at http://{address}/graphql",
            self.database
        );
        let hub = self.hub.clone();
        let began = Arc::new(std::sync::OnceLock::new());
        let began_at = began.clone();
        let shutdown = async move {
            shutdown.await;
            let _ = began_at.set(tokio::time::Instant::now());
            // Open sockets and event streams end now, so that the grace period is for requests.
            hub.close();
        };
        // Each open socket or event stream holds one of these permits until it has closed.
        let streams = self.state.connections.clone();
        let most_streams = u32::try_from(self.hub.settings().max_connections).unwrap_or(u32::MAX);
        server::serve(self.listener, app(self.state), shutdown, self.timeouts).await;
        // An upgraded socket is no longer the HTTP server's connection: without this wait the
        // process could end before a socket had sent its "going away" close.
        let all_closed = streams.acquire_many(most_streams);
        let deadline = began
            .get()
            .copied()
            .unwrap_or_else(tokio::time::Instant::now)
            + self.timeouts.grace;
        if tokio::time::timeout_at(deadline, all_closed).await.is_err() {
            tracing::warn!("sockets still open after the grace period; closing them");
        }
        self.hub.stop();
        if let Some(inline) = &self.db.inline {
            inline.close();
        }
        self.db
            .connection
            .close()
            .await
            .context("cannot close the database")?;
        Ok(())
    }
}
