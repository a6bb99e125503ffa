//! `@atomic` operations: all root fields in one transaction, nothing of a failed one persists
//! (read back, and no event recorded); without it each field commits on its own.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{TestApp, row_count};

on_every_backend!(
    an_atomic_operation_whose_third_field_fails_leaves_nothing,
    an_atomic_operation_commits_every_field_and_reads_its_own_writes,
    without_atomic_each_field_commits_on_its_own,
    atomic_is_declared_for_mutations_only,
    concurrent_atomic_operations_all_commit,
);

const CHECKOUT: &str = r#"mutation Checkout @atomic {
    first: createUser(input: { name: "Ada", email: "ada@example.com", age: 36 }) { id }
    second: createCategory(input: { name: "Books" }) { id }
    third: createUser(input: { name: "Bob", email: "ADA@example.com", age: 40 }) { id }
}"#;

async fn written(app: &TestApp) -> [i64; 3] {
    [
        row_count(app, "users").await,
        row_count(app, "categories").await,
        row_count(app, "agora_events").await,
    ]
}

async fn an_atomic_operation_whose_third_field_fails_leaves_nothing(app: &TestApp) {
    let response = app.graphql(CHECKOUT, json!({})).await;
    assert_eq!(response["data"], serde_json::Value::Null, "{response:#}");
    let errors = response["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "{response:#}");
    assert_eq!(errors[0]["path"], json!(["third"]));
    assert_eq!(errors[0]["extensions"]["code"], "CONFLICT");
    assert_eq!(written(app).await, [0, 0, 0], "nothing persists, no event");
    let read = app
        .data("{ users { id } categories { id } }", json!({}))
        .await;
    assert_eq!(read, json!({ "users": [], "categories": [] }));
    // A validation error in a later field's input fails it the same way.
    let response = app
        .graphql(
            r#"mutation @atomic {
                a: createCategory(input: { name: "Books" }) { id }
                b: updateCategory(id: 1, input: { name: "" }) { id } }"#,
            json!({}),
        )
        .await;
    assert_eq!(response["data"], serde_json::Value::Null, "{response:#}");
    assert_eq!(response["errors"][0]["extensions"]["field"], "name");
    assert_eq!(written(app).await, [0, 0, 0]);
}

async fn an_atomic_operation_commits_every_field_and_reads_its_own_writes(app: &TestApp) {
    let data = app
        .data(
            r#"mutation @atomic {
                user: createUser(input: { name: "Ada", email: "ada@example.com", age: 36,
                    posts: [{ title: "First title", content: "Twenty characters or more." }] }) {
                    id posts { title author { email } } }
                post: createPost(input: { title: "Second title", content: "Twenty characters or more.", authorId: 1 }) {
                    author { name posts { title } } }
                renamed: updateUser(id: 1, input: { name: "Ada L." }) { name }
            }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["user"]["posts"],
        json!([{ "title": "First title", "author": { "email": "ada@example.com" } }])
    );
    assert_eq!(
        data["post"]["author"],
        json!({ "name": "Ada", "posts": [{ "title": "First title" }, { "title": "Second title" }] })
    );
    assert_eq!(data["renamed"]["name"], "Ada L.");
    assert_eq!(row_count(app, "posts").await, 2);
    assert_eq!(
        row_count(app, "agora_events").await,
        4,
        "created, created, created, updated"
    );
}

async fn without_atomic_each_field_commits_on_its_own(app: &TestApp) {
    let plain = CHECKOUT.replace(" @atomic", "");
    let response = app.graphql(&plain, json!({})).await;
    assert_eq!(response["errors"][0]["path"], json!(["third"]));
    assert_eq!(
        written(app).await,
        [1, 1, 2],
        "the first two fields committed"
    );
}

async fn atomic_is_declared_for_mutations_only(app: &TestApp) {
    let data = app
        .data(
            "{ __schema { directives { name locations args { name } } } }",
            json!({}),
        )
        .await;
    let atomic = data["__schema"]["directives"]
        .as_array()
        .expect("directives")
        .iter()
        .find(|directive| directive["name"] == "atomic")
        .cloned();
    assert_eq!(
        atomic,
        Some(json!({ "name": "atomic", "locations": ["MUTATION"], "args": [] }))
    );
    let error = app
        .error("query Q @atomic { users { id } }", json!({}))
        .await;
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains("may not be used on \"QUERY\""), "{error}");
}

/// Ten atomic operations at once, each writing two rows: every one commits (on SQLite each
/// waits its turn for the write lock instead of failing).
async fn concurrent_atomic_operations_all_commit(app: &TestApp) {
    let operations = (0..10).map(|i| {
        app.graphql(
            r#"mutation($a: String!, $b: String!) @atomic {
                a: createUser(input: { name: "Some user", email: $a, age: 30 }) { id }
                b: createUser(input: { name: "Some user", email: $b, age: 31 }) { id } }"#,
            json!({ "a": format!("a{i}@example.com"), "b": format!("b{i}@example.com") }),
        )
    });
    for response in join_all(operations).await {
        assert!(response.get("errors").is_none(), "{response:#}");
    }
    assert_eq!(row_count(app, "users").await, 20);
}
