//! HTTP behaviour: the endpoints, the transport rules and errors that never leak internals.

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, ALLOW, CONTENT_TYPE, LOCATION};
use reqwest::redirect::Policy;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::helpers::TestApp;

on_every_backend!(
    health_answers_ok_when_the_database_does,
    root_leads_a_browser_to_the_playground,
    graphiql_is_served_to_browsers,
    queries_run_over_get,
    mutations_over_get_are_refused_and_change_nothing,
    post_without_json_content_type_is_unsupported,
    malformed_json_is_a_bad_request_with_a_json_body,
    oversized_bodies_are_rejected,
    syntax_and_validation_errors_keep_the_standard_shape,
    unexpected_failures_never_show_database_text,
    introspection_is_on,
    every_response_carries_a_request_id,
    metrics_count_requests_statements_and_pool_use,
);

async fn health_answers_ok_when_the_database_does(app: &TestApp) {
    let response = app
        .client
        .get(format!("{}/health", app.address))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        response.json::<Value>().await.expect("json"),
        json!({ "status": "ok" })
    );
}

async fn root_leads_a_browser_to_the_playground(app: &TestApp) {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .expect("client");
    let response = client.get(&app.address).send().await.expect("send");
    assert!(response.status().is_redirection(), "{}", response.status());
    assert_eq!(response.headers()[LOCATION], "/graphql");
}

async fn graphiql_is_served_to_browsers(app: &TestApp) {
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .header(ACCEPT, "text/html,application/xhtml+xml")
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()[CONTENT_TYPE]
            .to_str()
            .is_ok_and(|t| t.starts_with("text/html"))
    );
    let page = response.text().await.expect("body");
    assert!(page.to_lowercase().contains("graphiql"), "{page}");
}

async fn queries_run_over_get(app: &TestApp) {
    app.create_user("Ada", "ada@example.com", 36).await;
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", "{ users { name } }")])
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["data"]["users"], json!([{ "name": "Ada" }]));
}

async fn mutations_over_get_are_refused_and_change_nothing(app: &TestApp) {
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    let mutation = format!("mutation {{ deleteUser(id: {user}) {{ id }} }}");
    for (query, operation) in [
        (mutation.as_str(), None),
        (
            "query Q { users { id } } mutation M { deleteUser(id: 1) { id } }",
            Some("M"),
        ),
    ] {
        let mut params = vec![("query", query)];
        if let Some(operation) = operation {
            params.push(("operationName", operation));
        }
        let response = app
            .client
            .get(format!("{}/graphql", app.address))
            .query(&params)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(response.headers()[ALLOW], "POST");
    }
    let data = app.data("{ users { id } }", json!({})).await;
    assert_eq!(data["users"], json!([{ "id": user }]));
}

async fn post_without_json_content_type_is_unsupported(app: &TestApp) {
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header(CONTENT_TYPE, content_type)
            .body(r#"{"query":"mutation { createCategory(input: {name: \"x\"}) { id } }"}"#)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    }
    let data = app.data("{ categories { id } }", json!({})).await;
    assert_eq!(data["categories"], json!([]));
}

async fn malformed_json_is_a_bad_request_with_a_json_body(app: &TestApp) {
    // A batch (a JSON array) is refused too: batching is off.
    for body in [
        "{",
        "not json",
        r#"{"variables": {}}"#,
        r#"[{"query": "{ users { id } }"}]"#,
    ] {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{body}");
        let error: Value = response.json().await.expect("a JSON error body");
        assert!(error["errors"][0]["message"].is_string(), "{error:#}");
    }
}

async fn oversized_bodies_are_rejected(app: &TestApp) {
    let padding = " ".repeat(agora::http::MAX_BODY_BYTES + 1);
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header(CONTENT_TYPE, "application/json")
        .body(format!(r#"{{"query":"{{ users {{ id }} }}"{padding}}}"#))
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

async fn syntax_and_validation_errors_keep_the_standard_shape(app: &TestApp) {
    let syntax = app.error("{ users { id ", json!({})).await;
    assert!(syntax["message"].is_string());
    assert!(syntax["locations"].is_array(), "{syntax:#}");
    let unknown = app.error("{ users { password } }", json!({})).await;
    assert!(
        unknown["message"]
            .as_str()
            .is_some_and(|m| m.contains("password")),
        "{unknown:#}"
    );
    let wrong_type = app
        .graphql("{ users(limit: \"ten\") { id } }", json!({}))
        .await;
    assert!(wrong_type["data"].is_null(), "{wrong_type:#}");
    assert!(
        wrong_type["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("limit")),
        "{wrong_type:#}"
    );
}

async fn unexpected_failures_never_show_database_text(app: &TestApp) {
    app.db
        .execute_unprepared("DROP TABLE products")
        .await
        .expect("drop the table behind the API");
    let message = app
        .expect_error(
            "{ products { id } }",
            json!({}),
            "INTERNAL_SERVER_ERROR",
            None,
        )
        .await;
    assert_eq!(message, "Internal server error");
}

async fn introspection_is_on(app: &TestApp) {
    let data = app
        .data(
            "{ __schema { queryType { name } mutationType { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
    assert_eq!(data["__schema"]["mutationType"]["name"], "Mutation");
}

async fn every_response_carries_a_request_id(app: &TestApp) {
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = app
            .client
            .post(format!("{}/graphql", app.address))
            .json(&json!({ "query": "{ __typename }" }))
            .send()
            .await
            .expect("send");
        let id = response.headers()["x-request-id"]
            .to_str()
            .expect("text")
            .to_owned();
        assert_eq!(id.len(), 36, "a UUID: {id}");
        ids.push(id);
    }
    assert_ne!(ids[0], ids[1]);
    let chosen = app
        .client
        .get(format!("{}/health", app.address))
        .header("x-request-id", "my-trace-42")
        .send()
        .await
        .expect("send");
    assert_eq!(
        chosen.headers()["x-request-id"],
        "my-trace-42",
        "a client's id is kept"
    );
}

async fn metrics_count_requests_statements_and_pool_use(app: &TestApp) {
    let scrape = || async {
        let response = app
            .client
            .get(format!("{}/metrics", app.address))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), StatusCode::OK);
        response.text().await.expect("text")
    };
    scrape().await;
    // A name of its own: the metrics are shared by every test in this process.
    let operation = format!("Metrics{}", uuid::Uuid::new_v4().simple());
    app.data(
        &format!("query {operation} {{ users {{ id }} }}"),
        json!({}),
    )
    .await;
    let text = scrape().await;
    let line =
        format!("agora_graphql_requests_total{{operation=\"{operation}\",outcome=\"ok\"}} 1");
    assert!(text.contains(&line), "{line} not in:\n{text}");
    for name in [
        "agora_sql_statements_total",
        "agora_sql_statements_per_request_bucket",
        "agora_graphql_request_duration_seconds_bucket",
        "agora_db_pool_connections{state=\"in_use\"}",
    ] {
        assert!(text.contains(name), "{name} not in:\n{text}");
    }
}
