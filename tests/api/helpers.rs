//! `TestApp`: a real agora (router, schema, DataLoaders) on its own database and port, plus
//! helpers named after what a client does.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use agora::HttpSettings;
use agora::application::{Application, Setup};
use agora::db::PoolSettings;
use agora::live::LiveSettings;
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// The variable that points the tests at a PostgreSQL server, e.g.
/// `postgres://postgres@127.0.0.1:5432/test`. Each test creates (and drops) its own database
/// there. Unset or unreachable: the PostgreSQL runs are skipped with a notice.
pub const POSTGRES_URL_VAR: &str = "AGORA_TEST_POSTGRES_URL";
/// Set to `1` to make a missing or unreachable PostgreSQL a test failure (CI does).
pub const REQUIRE_POSTGRES_VAR: &str = "AGORA_TEST_REQUIRE_POSTGRES";

/// The database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One running agora on a database of its own.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// An HTTP client for the app.
    pub client: reqwest::Client,
    /// A connection to the app's database, for looking behind the API.
    pub db: DatabaseConnection,
    statements: Arc<AtomicUsize>,
    /// SQLite's commit groups.
    pub group_commit: Option<Arc<agora::graphql::group_commit::GroupCommit>>,
    server: JoinHandle<()>,
    /// Dropped after the server (fields drop in order), taking the database with it.
    database: TestDatabase,
}

/// A fresh database of its own for one test: a SQLite file in a temporary directory, or a
/// PostgreSQL database that is dropped with this value (also when the test fails).
pub struct TestDatabase {
    /// The URL agora connects to.
    pub url: String,
    sqlite_dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDatabase {
    /// A fresh database of `backend`, or `None` when that backend is skipped.
    pub async fn create(backend: Backend) -> Option<Self> {
        Some(match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                Self {
                    url: format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
                    sqlite_dir: Some(dir),
                    postgres: None,
                }
            }
            Backend::Postgres => {
                let (server_url, name) = create_postgres_database().await?;
                Self {
                    url: with_database(&server_url, &name),
                    sqlite_dir: None,
                    postgres: Some((server_url, name)),
                }
            }
        })
    }

    /// The SQLite file, for SQLite databases.
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        self.sqlite_dir
            .as_ref()
            .map(|dir| dir.path().join("test.db"))
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Some((server_url, name)) = self.postgres.take() {
            // A thread and runtime of its own: this may run inside the test's runtime, unwinding.
            let _ = std::thread::spawn(move || {
                if let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    runtime.block_on(drop_postgres_database(&server_url, &name));
                }
            })
            .join();
        }
    }
}

/// Writes straight to the terminal, past the test harness's output capture, so a skipped
/// backend is visible in every `cargo test` run.
fn shout(message: &str) {
    let _ = writeln!(std::io::stderr(), "{message}");
}

/// Drops a test database, closing whatever connections still use it.
async fn drop_postgres_database(server_url: &str, name: &str) {
    if let Ok(admin) = Database::connect(server_url).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await;
        let _ = admin.close().await;
    }
}

/// Creates a fresh PostgreSQL database for one test; returns (server URL, database name).
async fn create_postgres_database() -> Option<(String, String)> {
    let required = std::env::var(REQUIRE_POSTGRES_VAR).is_ok_and(|v| v == "1");
    let Ok(server_url) = std::env::var(POSTGRES_URL_VAR) else {
        assert!(
            !required,
            "{REQUIRE_POSTGRES_VAR}=1 but {POSTGRES_URL_VAR} is not set"
        );
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            shout(&format!(
                "\n*** SKIPPING every PostgreSQL test: {POSTGRES_URL_VAR} is not set. ***\n"
            ));
        });
        return None;
    };
    let admin = match Database::connect(&server_url).await {
        Ok(admin) => admin,
        Err(err) => {
            assert!(
                !required,
                "PostgreSQL at {POSTGRES_URL_VAR} is unreachable: {err}"
            );
            shout(&format!(
                "*** SKIPPING a PostgreSQL test: {POSTGRES_URL_VAR} is unreachable: {err} ***"
            ));
            return None;
        }
    };
    let name = format!("agora_test_{}", uuid::Uuid::new_v4().simple());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .expect("create the test database");
    let _ = admin.close().await;
    Some((server_url, name))
}

impl Drop for TestApp {
    /// Stops the server; the database goes right after.
    fn drop(&mut self) {
        self.server.abort();
    }
}

/// `server_url` with its database name replaced by `name`.
fn with_database(server_url: &str, name: &str) -> String {
    let (base, query) = server_url
        .split_once('?')
        .map_or((server_url, None), |(base, query)| (base, Some(query)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

impl TestApp {
    /// Starts agora on a fresh database of `backend`, or `None` when that backend is skipped.
    pub async fn spawn(backend: Backend) -> Option<Self> {
        Self::spawn_with(backend, HttpSettings::default()).await
    }

    /// Like `spawn`, with the HTTP layer guarded as `settings` say.
    pub async fn spawn_with(backend: Backend, settings: HttpSettings) -> Option<Self> {
        Self::spawn_configured(backend, settings, PoolSettings::default()).await
    }

    /// Like `spawn`, with HTTP and connection-pool settings of the test's choosing.
    pub async fn spawn_configured(
        backend: Backend,
        settings: HttpSettings,
        pool: PoolSettings,
    ) -> Option<Self> {
        let database = TestDatabase::create(backend).await?;
        Some(Self::start(database.url.clone(), settings, pool, database).await)
    }

    /// Starts agora on a fresh PostgreSQL database that it reaches through `port` on this
    /// machine (a proxy the test controls), or `None` when PostgreSQL is skipped.
    pub async fn spawn_postgres_via(port: u16) -> Option<Self> {
        let database = TestDatabase::create(Backend::Postgres).await?;
        let mut url = reqwest::Url::parse(&database.url).expect("a URL");
        url.set_host(Some("127.0.0.1")).expect("set the host");
        url.set_port(Some(port)).expect("set the port");
        let (http, pool) = (HttpSettings::default(), PoolSettings::default());
        Some(Self::start(url.to_string(), http, pool, database).await)
    }

    /// Starts agora on `url`, a database some other test value owns (this app will not drop
    /// it): for example a second, read-only way into another app's SQLite file.
    pub async fn spawn_on_url(url: String) -> Self {
        let database = TestDatabase {
            url: url.clone(),
            sqlite_dir: None,
            postgres: None,
        };
        Self::start(
            url,
            HttpSettings::default(),
            PoolSettings::default(),
            database,
        )
        .await
    }

    /// Builds the application the way `agora serve` does, on `url`, and serves it on a free
    /// port of 127.0.0.1 until this value is dropped.
    async fn start(
        url: String,
        settings: HttpSettings,
        pool: PoolSettings,
        database: TestDatabase,
    ) -> Self {
        Self::start_live(url, settings, pool, LiveSettings::default(), database).await
    }

    /// Like `spawn`, with live-data settings of the test's choosing.
    pub async fn spawn_live(
        backend: Backend,
        settings: HttpSettings,
        live: LiveSettings,
    ) -> Option<Self> {
        let database = TestDatabase::create(backend).await?;
        let url = database.url.clone();
        Some(Self::start_live(url, settings, PoolSettings::default(), live, database).await)
    }

    async fn start_live(
        url: String,
        settings: HttpSettings,
        pool: PoolSettings,
        live: LiveSettings,
        database: TestDatabase,
    ) -> Self {
        let statements = Arc::new(AtomicUsize::new(0));
        let counter = statements.clone();
        let setup = Setup {
            http: settings,
            pool,
            live,
            on_statement: Some(Arc::new(move || {
                counter.fetch_add(1, Ordering::SeqCst);
            })),
            ..Setup::local(url)
        };
        let application = Application::build(setup)
            .await
            .expect("build agora on the test database");
        let address = format!("http://{}", application.address());
        let db = application.db().clone();
        let group_commit = application.group_commit();
        let server = tokio::spawn(async move {
            let _ = application.serve_until(std::future::pending()).await;
        });
        Self {
            address,
            client: reqwest::Client::new(),
            db,
            statements,
            group_commit,
            server,
            database,
        }
    }

    /// The PostgreSQL server the tests use, as `host:port`, when there is one.
    pub fn postgres_address() -> Option<String> {
        let url = reqwest::Url::parse(&std::env::var(POSTGRES_URL_VAR).ok()?).ok()?;
        Some(format!(
            "{}:{}",
            url.host_str()?,
            url.port().unwrap_or(5432)
        ))
    }

    /// Sends a GraphQL request; returns the whole JSON response (`data` and `errors`).
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        let response = self
            .client
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .expect("send the request");
        assert_eq!(response.status(), 200, "GraphQL responses are HTTP 200");
        response.json().await.expect("a JSON response")
    }

    /// Runs an operation that must succeed; returns its `data`.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "expected no errors, got {response:#}"
        );
        response["data"].clone()
    }

    /// Runs an operation that must fail with exactly one error; returns that error.
    pub async fn error(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql(query, variables).await;
        let errors = response["errors"]
            .as_array()
            .unwrap_or_else(|| panic!("expected an error, got {response:#}"));
        assert_eq!(errors.len(), 1, "expected one error, got {response:#}");
        errors[0].clone()
    }

    /// Runs an operation that must fail with `code` (and, for `BAD_USER_INPUT`, name `field`);
    /// returns the error message.
    pub async fn expect_error(
        &self,
        query: &str,
        variables: Value,
        code: &str,
        field: Option<&str>,
    ) -> String {
        let error = self.error(query, variables).await;
        assert_eq!(error["extensions"]["code"], code, "wrong code in {error:#}");
        if let Some(field) = field {
            assert_eq!(
                error["extensions"]["field"], field,
                "wrong field in {error:#}"
            );
        }
        error["message"].as_str().unwrap_or_default().to_owned()
    }

    /// The URL of the app's database.
    pub fn database_url(&self) -> &str {
        &self.database.url
    }

    /// SQL statements the app has run since the last reset.
    pub fn statements(&self) -> usize {
        self.statements.load(Ordering::SeqCst)
    }

    /// Starts counting SQL statements from zero.
    pub fn reset_statements(&self) {
        self.statements.store(0, Ordering::SeqCst);
    }

    /// Registers a user; returns its id.
    pub async fn create_user(&self, name: &str, email: &str, age: i32) -> i64 {
        let data = self
            .data(
                "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
                json!({ "input": { "name": name, "email": email, "age": age } }),
            )
            .await;
        id_of(&data["createUser"])
    }

    /// Writes a post; returns its id.
    pub async fn create_post(&self, author_id: i64, title: &str) -> i64 {
        let data = self
            .data(
                "mutation($input: CreatePostInput!) { createPost(input: $input) { id } }",
                json!({ "input": {
                    "title": title,
                    "content": "Twenty characters or more of content.",
                    "authorId": author_id,
                } }),
            )
            .await;
        id_of(&data["createPost"])
    }

    /// Publishes a post.
    pub async fn publish_post(&self, id: i64) {
        self.data(
            "mutation($id: Int!) { publishPost(id: $id) { id } }",
            json!({ "id": id }),
        )
        .await;
    }

    /// Creates a category; returns its id.
    pub async fn create_category(&self, name: &str) -> i64 {
        let data = self
            .data(
                "mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }",
                json!({ "input": { "name": name } }),
            )
            .await;
        id_of(&data["createCategory"])
    }

    /// Creates a product; returns its id.
    pub async fn create_product(
        &self,
        name: &str,
        price: f64,
        stock: i32,
        category_id: Option<i64>,
    ) -> i64 {
        let data = self
            .data(
                "mutation($input: CreateProductInput!) { createProduct(input: $input) { id } }",
                json!({ "input": {
                    "name": name, "price": price, "stock": stock, "categoryId": category_id,
                } }),
            )
            .await;
        id_of(&data["createProduct"])
    }
}

/// The `id` of a returned object.
pub fn id_of(object: &Value) -> i64 {
    object["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("no id in {object:#}"))
}

/// The ids of a list of objects, in order.
pub fn ids(list: &Value) -> Vec<i64> {
    pluck(list, "id")
        .into_iter()
        .map(|id| id.as_i64().expect("an integer id"))
        .collect()
}

/// The `field` of every object in a list, for order and membership checks.
pub fn pluck<'a>(list: &'a Value, field: &str) -> Vec<&'a Value> {
    list.as_array()
        .unwrap_or_else(|| panic!("expected a list, got {list:#}"))
        .iter()
        .map(|item| &item[field])
        .collect()
}

/// Runs `mutation`, which must fail with `code` (and `field`), and checks that `snapshot` (a
/// query over everything the mutation could touch) reads the same before and after. Returns the
/// error message.
pub async fn rejected_without_writing(
    app: &TestApp,
    snapshot: &str,
    mutation: &str,
    variables: Value,
    code: &str,
    field: Option<&str>,
) -> String {
    let before = app.data(snapshot, json!({})).await;
    let message = app
        .expect_error(mutation, variables.clone(), code, field)
        .await;
    let after = app.data(snapshot, json!({})).await;
    assert_eq!(after, before, "{mutation} with {variables} wrote something");
    message
}

/// The number of rows in `table`, read straight from the database.
pub async fn row_count(app: &TestApp, table: &str) -> i64 {
    let backend = app.db.get_database_backend();
    let sql = format!("SELECT COUNT(*) AS n FROM {table}");
    let row = app
        .db
        .query_one_raw(Statement::from_string(backend, sql))
        .await
        .expect("count the rows")
        .expect("COUNT returns a row");
    row.try_get::<i64>("", "n").expect("an integer count")
}

/// Asserts that `value` is an RFC 3339 timestamp in UTC within a minute of now.
pub fn assert_recent_utc(value: &Value) {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("a timestamp should be a string, got {value}"));
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|err| panic!("{text:?} is not RFC 3339: {err}"));
    assert_eq!(at.offset().local_minus_utc(), 0, "{text} is not in UTC");
    let drift = chrono::Utc::now().signed_duration_since(at).num_seconds();
    assert!(drift.abs() < 60, "{text} is {drift}s away from now");
}

/// Checks `skip`/`limit` of the list query `field`, given `ids`: the ids of every row, in id
/// order (at least 12 of them).
pub async fn assert_pages_by_id(app: &TestApp, field: &str, ids: &[i64]) {
    assert!(ids.len() >= 12, "needs more rows than one default page");
    let paged = format!(
        "query($skip: Int, $limit: Int) {{ {field}(skip: $skip, limit: $limit) {{ id }} }}"
    );
    let page = async |variables: Value| -> Vec<i64> {
        let data = app.data(&paged, variables).await;
        self::ids(&data[field])
    };
    let bare = app
        .data(&format!("{{ {field} {{ id }} }}"), json!({}))
        .await;
    let bare: Vec<i64> = self::ids(&bare[field]);
    assert_eq!(bare, ids[..10], "{field} without arguments: first 10 by id");
    assert_eq!(
        page(json!({})).await,
        ids[..10],
        "{field}: limit defaults to 10"
    );
    assert_eq!(
        page(json!({ "skip": 10 })).await,
        ids[10..],
        "{field}: skip 10"
    );
    assert_eq!(
        page(json!({ "skip": 3, "limit": 4 })).await,
        ids[3..7],
        "{field}: skip 3 limit 4"
    );
    assert_eq!(
        page(json!({ "limit": 1 })).await,
        ids[..1],
        "{field}: limit 1"
    );
    assert_eq!(
        page(json!({ "limit": 100 })).await,
        ids,
        "{field}: limit 100"
    );
    assert_eq!(
        page(json!({ "skip": 0, "limit": 100 })).await,
        ids,
        "{field}: skip 0"
    );
    let past_end = i64::try_from(ids.len()).expect("a small count");
    assert!(
        page(json!({ "skip": past_end })).await.is_empty(),
        "{field}: skip past the end"
    );
}

/// Checks that the list query `field` rejects `limit` 0 and 101 and `skip` -1, naming the
/// argument.
pub async fn assert_page_bounds(app: &TestApp, field: &str) {
    let paged = format!(
        "query($skip: Int, $limit: Int) {{ {field}(skip: $skip, limit: $limit) {{ id }} }}"
    );
    for (variables, argument) in [
        (json!({ "limit": 0 }), "limit"),
        (json!({ "limit": -1 }), "limit"),
        (json!({ "limit": 101 }), "limit"),
        (json!({ "skip": -1 }), "skip"),
        (json!({ "skip": -1, "limit": 5 }), "skip"),
    ] {
        app.expect_error(&paged, variables, "BAD_USER_INPUT", Some(argument))
            .await;
    }
    for variables in [
        json!({ "limit": 1 }),
        json!({ "limit": 100 }),
        json!({ "skip": 0 }),
    ] {
        app.data(&paged, variables).await;
    }
}

/// The `agora` binary under test.
pub const AGORA: &str = env!("CARGO_BIN_EXE_agora");

/// `agora` on `database_url`, listening on a free port, logging at `info`.
pub fn agora(database_url: &str) -> Command {
    let mut command = Command::new(AGORA);
    command
        .env("DATABASE_URL", database_url)
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env("RUST_LOG", "info");
    command
}

/// A SQLite URL for `app.db` in `dir`.
pub fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("app.db").display())
}

/// A running `agora serve` and the address it listens on.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    log: Arc<std::sync::Mutex<Vec<String>>>,
    reader: std::thread::JoinHandle<()>,
}

impl Server {
    /// Starts `agora serve` on `database_url` and waits until it listens.
    pub fn start(database_url: &str) -> Self {
        Self::start_with(database_url, &[])
    }

    /// Like `start`, with extra environment variables.
    pub fn start_with(database_url: &str, env: &[(&str, &str)]) -> Self {
        let mut child = agora(database_url)
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start agora");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        let log = Arc::new(std::sync::Mutex::new(Vec::new()));
        let kept = log.clone();
        // Keep draining the log so the server never blocks on a full pipe.
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut kept) = kept.lock() {
                    kept.push(line.clone());
                }
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let address = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = tx.send(address);
                }
            }
        });
        let address = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("agora reports its address");
        Self {
            child,
            address,
            log,
            reader,
        }
    }

    /// Stops the server cleanly and returns every line it logged.
    pub fn stop_and_collect_log(self) -> Vec<String> {
        let log = self.log.clone();
        let reader = self.stop_keeping_reader();
        let _ = reader.join();
        log.lock().map(|lines| lines.clone()).unwrap_or_default()
    }

    /// Sends one GraphQL query; returns the JSON response.
    pub async fn graphql(&self, query: &str) -> Value {
        reqwest::Client::new()
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json")
    }

    /// Sends SIGTERM and waits for a clean exit.
    pub fn stop(self) {
        drop(self.stop_keeping_reader());
    }

    fn stop_keeping_reader(mut self) -> std::thread::JoinHandle<()> {
        self.terminate();
        let exit = self.child.wait().expect("wait for agora");
        assert!(exit.success(), "agora exited with {exit}");
        self.reader
    }

    /// Sends SIGTERM without waiting.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Waits for the process to exit, at most `limit`; returns its status.
    pub fn wait_at_most(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let started = std::time::Instant::now();
        while started.elapsed() < limit {
            if let Some(status) = self.child.try_wait().expect("poll agora") {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// Kills the process outright (SIGKILL), as a crash would.
    pub fn crash(mut self) {
        self.child.kill().expect("kill -9");
        let _ = self.child.wait();
    }
}

/// A property runner of `PROPTEST_CASES` cases (`default_cases` unless set) that keeps no
/// failure files.
pub fn proptest_runner(default_cases: u32) -> proptest::test_runner::TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(default_cases);
    proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    })
}
