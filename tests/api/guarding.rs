//! The HTTP guards: the admin secret for writes, CORS, load shedding, the request timeout, and
//! partial updates that leave omitted variables alone.

use std::time::Duration;

use agora::HttpSettings;
use reqwest::StatusCode;
use reqwest::header::{
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_REQUEST_METHOD, AUTHORIZATION, ORIGIN,
};
use sea_orm::{ConnectionTrait as _, TransactionTrait as _};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;

use crate::helpers::{Backend, TestApp};

const SECRET: &str = "s3cret-admin-token";
const CREATE_CATEGORY: &str = r#"mutation { createCategory(input: { name: "Books" }) { id } }"#;

async fn post(app: &TestApp, query: &str, token: Option<&str>) -> Value {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query }));
    if let Some(token) = token {
        request = request.header(AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = request.send().await.expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

async fn spawn_with(settings: HttpSettings) -> TestApp {
    TestApp::spawn_with(Backend::Sqlite, settings)
        .await
        .expect("SQLite is always available")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutations_need_the_admin_secret_when_one_is_set() {
    let app = spawn_with(HttpSettings {
        admin_secret: Some(SECRET.to_owned()),
        ..HttpSettings::default()
    })
    .await;
    for token in [None, Some("wrong"), Some("s3cret-admin-tokenX"), Some("")] {
        let response = post(&app, CREATE_CATEGORY, token).await;
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{token:?}"
        );
    }
    let categories = post(&app, "{ categories { name } }", None).await;
    assert_eq!(
        categories["data"]["categories"],
        json!([]),
        "queries stay open; nothing written"
    );

    let created = post(&app, CREATE_CATEGORY, Some(SECRET)).await;
    assert!(created.get("errors").is_none(), "{created:#}");
    let categories = post(&app, "{ categories { name } }", None).await;
    assert_eq!(
        categories["data"]["categories"],
        json!([{ "name": "Books" }])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_origin_calls_are_refused_unless_the_origin_is_allowed() {
    let preflight = |app: &TestApp, origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}/graphql", app.address))
            .header(ORIGIN, origin)
            .header(ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .send()
    };
    let closed = spawn_with(HttpSettings::default()).await;
    let response = preflight(&closed, "https://app.example.com")
        .await
        .expect("send");
    assert!(
        response
            .headers()
            .get(ACCESS_CONTROL_ALLOW_ORIGIN)
            .is_none()
    );

    let open = spawn_with(HttpSettings {
        cors_allowed_origins: vec!["https://app.example.com".to_owned()],
        ..HttpSettings::default()
    })
    .await;
    let allowed = preflight(&open, "https://app.example.com")
        .await
        .expect("send");
    assert_eq!(
        allowed.headers()[ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example.com"
    );
    let other = preflight(&open, "https://evil.example.com")
        .await
        .expect("send");
    assert!(other.headers().get(ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn excess_requests_are_shed_while_health_still_answers() {
    let app = spawn_with(HttpSettings {
        max_concurrent_requests: 1,
        ..HttpSettings::default()
    })
    .await;
    // Occupy the only slot: a request whose body never finishes arriving.
    let mut slow = TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .expect("connect");
    slow.write_all(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"query\"",
    )
    .await
    .expect("write");
    tokio::time::sleep(Duration::from_millis(200)).await;

    let shed = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": "{ __typename }" }))
        .send()
        .await
        .expect("send");
    assert_eq!(shed.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: Value = shed.json().await.expect("json");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "SERVICE_UNAVAILABLE"
    );

    let health = app
        .client
        .get(format!("{}/health", app.address))
        .send()
        .await
        .expect("send");
    assert_eq!(health.status(), StatusCode::OK);

    drop(slow);
    tokio::time::sleep(Duration::from_millis(200)).await;
    let served = post(&app, "{ __typename }", None).await;
    assert_eq!(served["data"]["__typename"], "Query");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_that_runs_too_long_gets_a_timeout_error() {
    let app = spawn_with(HttpSettings {
        request_timeout: Duration::from_millis(300),
        ..HttpSettings::default()
    })
    .await;
    // Another writer holds SQLite's write lock, so the mutation waits (up to the busy timeout,
    // far longer than the request timeout).
    let lock = app.db.begin().await.expect("begin");
    lock.execute_unprepared("INSERT INTO categories (name, name_folded) VALUES ('Lock', 'lock')")
        .await
        .expect("take the write lock");
    let started = std::time::Instant::now();
    let response = post(&app, CREATE_CATEGORY, None).await;
    assert_eq!(
        response["errors"][0]["extensions"]["code"], "TIMEOUT",
        "{response:#}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    lock.rollback().await.expect("rollback");
}

on_every_backend!(omitted_variables_leave_every_field_unchanged);

/// Each update mutation, run with every nullable input field declared as a variable but not
/// sent: nothing may change.
async fn omitted_variables_leave_every_field_unchanged(app: &TestApp) {
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    let post_id = app.create_post(user, "A first title").await;
    let category = app.create_category("Books").await;
    let product = app.create_product("Novel", 12.5, 3, Some(category)).await;
    let snapshot = "{ users { name email age city isActive } posts { title content } \
                    categories { name } products { name price stock categoryId } }";
    let before = app.data(snapshot, json!({})).await;
    let updates = [
        (
            "mutation($id: Int!, $name: String, $email: String, $age: Int, $city: String, $isActive: Boolean) { \
             updateUser(id: $id, input: { name: $name, email: $email, age: $age, city: $city, isActive: $isActive }) { id } }",
            user,
        ),
        (
            "mutation($id: Int!, $title: String, $content: String) { \
             updatePost(id: $id, input: { title: $title, content: $content }) { id } }",
            post_id,
        ),
        (
            "mutation($id: Int!, $name: String) { updateCategory(id: $id, input: { name: $name }) { id } }",
            category,
        ),
        (
            "mutation($id: Int!, $name: String, $price: Float, $stock: Int, $categoryId: Int) { \
             updateProduct(id: $id, input: { name: $name, price: $price, stock: $stock, categoryId: $categoryId }) { id } }",
            product,
        ),
    ];
    for (mutation, id) in updates {
        app.data(mutation, json!({ "id": id })).await;
    }
    assert_eq!(app.data(snapshot, json!({})).await, before);
}
