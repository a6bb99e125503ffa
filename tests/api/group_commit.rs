//! Group commit on SQLite: concurrent mutations share commits, yet each one's outcome is its
//! own (a refused write or a failed `@atomic` operation takes nothing of its neighbours with
//! it), on both backends alike.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{TestApp, row_count};

on_every_backend!(
    a_refused_write_takes_nothing_of_its_group_with_it,
    a_failed_atomic_operation_undoes_only_itself,
);

const CREATE: &str = "mutation($email: String!) { createUser(input: { name: \"Some user\", email: $email, age: 30 }) { id } }";

/// 64 registrations at once, every fourth a duplicate of an earlier address: the 48 others
/// are written and answered, the 16 are CONFLICT.
async fn a_refused_write_takes_nothing_of_its_group_with_it(app: &TestApp) {
    let emails: Vec<String> = (0..64)
        .map(|i| {
            if i % 4 == 3 {
                format!("user{}@example.com", i - 1)
            } else {
                format!("user{i}@example.com")
            }
        })
        .collect();
    let responses = join_all(
        emails
            .iter()
            .map(|email| app.graphql(CREATE, json!({ "email": email }))),
    )
    .await;
    let written = responses
        .iter()
        .filter(|r| r["data"]["createUser"]["id"].is_i64())
        .count();
    let conflicts = responses
        .iter()
        .filter(|r| r["errors"][0]["extensions"]["code"] == "CONFLICT")
        .count();
    assert_eq!((written, conflicts), (48, 16), "{responses:#?}");
    assert_eq!(row_count(app, "users").await, 48);
    assert_eq!(row_count(app, "agora_events").await, 48);
    // On SQLite they shared commits (PostgreSQL commits each on its own connection).
    if let Some(group) = &app.group_commit {
        let commits = group.commits();
        assert!(
            commits < 64,
            "64 concurrent mutations made {commits} commits"
        );
    }
}

/// Twenty `@atomic` operations at once, each creating a user and then a category; every
/// other one's category is a duplicate, so it fails and takes its own user back.
async fn a_failed_atomic_operation_undoes_only_itself(app: &TestApp) {
    app.create_category("Taken").await;
    let operations = (0..20).map(|i| {
        let category = if i % 2 == 0 {
            format!("Category {i}")
        } else {
            "Taken".to_owned()
        };
        app.graphql(
            "mutation($email: String!, $category: String!) @atomic {
                user: createUser(input: { name: \"Some user\", email: $email, age: 30 }) { id }
                category: createCategory(input: { name: $category }) { id } }",
            json!({ "email": format!("user{i}@example.com"), "category": category }),
        )
    });
    let responses = join_all(operations).await;
    for (i, response) in responses.iter().enumerate() {
        if i % 2 == 0 {
            assert!(response.get("errors").is_none(), "{i}: {response:#}");
        } else {
            assert_eq!(
                response["data"],
                serde_json::Value::Null,
                "{i}: {response:#}"
            );
            assert_eq!(
                response["errors"][0]["path"],
                json!(["category"]),
                "{i}: {response:#}"
            );
        }
    }
    assert_eq!(row_count(app, "users").await, 10);
    assert_eq!(row_count(app, "categories").await, 11);
    let users = app.data("{ users(limit: 100) { email } }", json!({})).await;
    for user in users["users"].as_array().expect("users") {
        let email = user["email"].as_str().unwrap_or_default();
        let i: usize = email
            .trim_start_matches("user")
            .trim_end_matches("@example.com")
            .parse()
            .expect("a number");
        assert_eq!(i % 2, 0, "{email} belongs to a failed operation");
    }
}
