//! Faults: a database that goes away or a pool that runs dry gives clear `SERVICE_UNAVAILABLE`
//! errors (and a failing `/health`), never a hang, and agora recovers by itself.

use std::time::{Duration, Instant};

use agora::HttpSettings;
use agora::db::PoolSettings;
use reqwest::StatusCode;
use sea_orm::TransactionTrait as _;
use serde_json::json;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;

use crate::helpers::{Backend, TestApp};

/// A TCP proxy to the database that the test can cut and restore.
pub struct Proxy {
    /// The port it listens on.
    pub port: u16,
    upstream: String,
    tasks: JoinSet<()>,
}

impl Proxy {
    /// A proxy to `upstream` (`host:port`) on a free port.
    pub async fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("address").port();
        let mut proxy = Self {
            port,
            upstream,
            tasks: JoinSet::new(),
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&mut self, listener: TcpListener) {
        let upstream = self.upstream.clone();
        self.tasks.spawn(async move {
            let mut connections = JoinSet::new();
            while let Ok((mut client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                connections.spawn(async move {
                    if let Ok(mut server) = TcpStream::connect(upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
    }

    /// The database "goes down": open connections break, new ones are refused.
    pub async fn cut(&mut self) {
        self.tasks.shutdown().await;
    }

    /// The database "comes back" on the same port.
    pub async fn restore(&mut self) {
        let listener = TcpListener::bind(("127.0.0.1", self.port))
            .await
            .expect("rebind the proxy port");
        self.serve(listener);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_database_is_reported_as_unavailable_and_recovered_from() {
    let Some(upstream) = TestApp::postgres_address() else {
        return;
    };
    let mut proxy = Proxy::start(upstream).await;
    let Some(app) = TestApp::spawn_postgres_via(proxy.port).await else {
        return;
    };
    app.create_user("Ada", "ada@example.com", 36).await;
    let health = || async {
        app.client
            .get(format!("{}/health", app.address))
            .send()
            .await
            .expect("send")
            .status()
    };
    assert_eq!(health().await, StatusCode::OK);

    proxy.cut().await;
    let started = Instant::now();
    let message = app
        .expect_error("{ users { name } }", json!({}), "SERVICE_UNAVAILABLE", None)
        .await;
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        !message.to_lowercase().contains("connection refused"),
        "{message}"
    );
    assert_eq!(health().await, StatusCode::SERVICE_UNAVAILABLE);

    proxy.restore().await;
    let data = app.data("{ users { name } }", json!({})).await;
    assert_eq!(data["users"], json!([{ "name": "Ada" }]));
    assert_eq!(health().await, StatusCode::OK);
}

/// A DataLoader never waits for a connection its own request holds: with one connection in
/// the pool, a three-level query still completes.
async fn a_single_connection_pool_still_serves_nested_queries(backend: Backend) {
    let pool = PoolSettings {
        max_connections: Some(1),
        acquire_timeout: Duration::from_secs(2),
        ..PoolSettings::default()
    };
    let Some(app) = TestApp::spawn_configured(backend, HttpSettings::default(), pool).await else {
        return;
    };
    let ada = app.create_user("Ada", "ada@example.com", 36).await;
    app.create_post(ada, "A first title").await;
    let data = app
        .data(
            "{ users { name posts { title author { name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["users"][0]["posts"][0]["author"]["name"], "Ada");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_single_connection_pool_still_serves_nested_queries() {
    a_single_connection_pool_still_serves_nested_queries(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_single_connection_pool_still_serves_nested_queries() {
    a_single_connection_pool_still_serves_nested_queries(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exhausted_pool_fails_fast_and_clearly_then_recovers() {
    const CREATE: &str = r#"mutation { createUser(input: { name: "Ada", email: "ada@example.com", age: 36 }) { id } }"#;
    for inline_reads in [false, true] {
        let pool = PoolSettings {
            max_connections: Some(2),
            acquire_timeout: Duration::from_secs(1),
            sqlite_inline_reads: inline_reads,
            ..PoolSettings::default()
        };
        let app = TestApp::spawn_configured(Backend::Sqlite, HttpSettings::default(), pool)
            .await
            .expect("SQLite");
        // The test's own handle shares the app's pool: hold every connection.
        let held = [
            app.db.begin().await.expect("first connection"),
            app.db.begin().await.expect("second connection"),
        ];
        let started = Instant::now();
        if inline_reads {
            // Short reads need no pooled connection: they are still served; a search still
            // runs on the pool.
            let data = app.data("{ users { id } }", json!({})).await;
            assert_eq!(data["users"], json!([]));
            app.expect_error(
                r#"{ searchUsers(name: "ada") { id } }"#,
                json!({}),
                "SERVICE_UNAVAILABLE",
                None,
            )
            .await;
        } else {
            app.expect_error("{ users { id } }", json!({}), "SERVICE_UNAVAILABLE", None)
                .await;
        }
        app.expect_error(CREATE, json!({}), "SERVICE_UNAVAILABLE", None)
            .await;
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{:?}",
            started.elapsed()
        );
        drop(held);
        let data = app.data(CREATE, json!({})).await;
        assert!(data["createUser"]["id"].is_number(), "{data}");
        let data = app.data("{ users { email } }", json!({})).await;
        assert_eq!(data["users"], json!([{ "email": "ada@example.com" }]));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unwritable_sqlite_file_refuses_writes_as_unavailable_and_still_reads() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
    app.create_user("Ada", "ada@example.com", 36).await;
    // The same file, opened read-only: what a server sees when its file stops being writable.
    let read_only = TestApp::spawn_on_url(app.database_url().replace("mode=rwc", "mode=ro")).await;
    let data = read_only.data("{ users { name } }", json!({})).await;
    assert_eq!(data["users"], json!([{ "name": "Ada" }]));
    read_only
        .expect_error(
            r#"mutation { createUser(input: { name: "Bob", email: "bob@example.com", age: 40 }) { id } }"#,
            json!({}),
            "SERVICE_UNAVAILABLE",
            None,
        )
        .await;
}

/// A failed batch is one unexpected error per field in the response, but one log line, with
/// the cause and the request it belongs to.
#[tokio::test]
async fn a_failed_batch_is_logged_once_with_its_cause_and_request_id() {
    use crate::helpers::{Server, sqlite_url};
    use sea_orm::ConnectionTrait as _;

    let dir = tempfile::tempdir().expect("temp dir");
    let url = sqlite_url(dir.path());
    let server = Server::start_with(&url, &[("LOG_FORMAT", "json")]);
    let author = server
        .graphql(r#"mutation { createUser(input: { name: "Ada", email: "ada@example.com", age: 36 }) { id } }"#)
        .await;
    let author = author["data"]["createUser"]["id"].as_i64().expect("an id");
    for i in 0..5 {
        let created = server
            .graphql(&format!(
                r#"mutation {{ createPost(input: {{ title: "Post {i}", content: "Twenty characters or more.", authorId: {author} }}) {{ id }} }}"#
            ))
            .await;
        assert!(created.get("errors").is_none(), "{created:#}");
    }
    // Break what loading the authors reads, behind the server's back: posts still load.
    let db = agora::db::connect(&url).await.expect("connect");
    db.execute_unprepared("ALTER TABLE users RENAME COLUMN name TO renamed")
        .await
        .expect("rename a column");
    db.close().await.expect("close");

    let response = server.graphql("{ posts { id author { name } } }").await;
    let errors = response["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 5, "{response:#}");
    for error in errors {
        assert_eq!(error["extensions"]["code"], "INTERNAL_SERVER_ERROR");
        assert!(
            !error["message"]
                .as_str()
                .unwrap_or_default()
                .contains("renamed")
        );
    }

    let lines = server.stop_and_collect_log();
    let logged: Vec<serde_json::Value> = lines
        .iter()
        .filter(|line| line.contains("internal error while serving a request"))
        .map(|line| serde_json::from_str(line).expect("a JSON log line"))
        .collect();
    assert_eq!(logged.len(), 1, "{lines:#?}");
    let line = &logged[0];
    assert_eq!(line["fields"]["errors"], 5, "{line:#}");
    let cause = line["fields"]["cause"].as_str().unwrap_or_default();
    assert!(
        cause.contains("no such column"),
        "the cause says what failed: {line:#}"
    );
    assert_eq!(line["span"]["name"], "request", "{line:#}");
    let id = line["span"]["id"].as_str().unwrap_or_default();
    assert_eq!(id.len(), 36, "the request id is a UUID: {line:#}");
}
