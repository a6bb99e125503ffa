//! Upserts: `upsertUser` by normalised e-mail and `upsertCategory` by name, one atomic
//! statement each, correct under concurrent calls, a CREATED or an UPDATED event.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::{TestApp, row_count};

on_every_backend!(
    upsert_user_creates_then_updates_what_it_was_given,
    twenty_concurrent_upserts_of_one_address_make_one_user,
    upsert_category_creates_or_returns,
    upserts_refuse_nested_creates,
);

const UPSERT_USER: &str = "mutation($input: CreateUserInput!) { upsertUser(input: $input) { id name email age city isActive updatedAt } }";

async fn events(app: &TestApp) -> Vec<String> {
    use sea_orm::{ConnectionTrait as _, Statement};
    let rows = app
        .db
        .query_all_raw(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT kind FROM agora_events ORDER BY id",
        ))
        .await
        .expect("read the record");
    rows.iter()
        .map(|row| row.try_get::<String>("", "kind").expect("kind"))
        .collect()
}

async fn upsert_user_creates_then_updates_what_it_was_given(app: &TestApp) {
    let created = app
        .data(UPSERT_USER, json!({ "input": { "name": "Ada", "email": "ada@example.com", "age": 36, "city": "London" } }))
        .await;
    let created = &created["upsertUser"];
    assert_eq!(
        (created["city"].as_str(), created["isActive"].as_bool()),
        (Some("London"), Some(true))
    );
    // The same address, written differently: the same user, name and age updated, the city
    // and isActive kept (not given).
    let updated = app
        .data(
            UPSERT_USER,
            json!({ "input": { "name": "Ada L.", "email": "  ADA@Example.COM ", "age": 37 } }),
        )
        .await;
    let updated = &updated["upsertUser"];
    assert_eq!(updated["id"], created["id"]);
    assert_eq!(
        (
            updated["name"].as_str(),
            updated["age"].as_i64(),
            updated["city"].as_str(),
            updated["isActive"].as_bool()
        ),
        (Some("Ada L."), Some(37), Some("London"), Some(true))
    );
    assert_ne!(updated["updatedAt"], created["updatedAt"]);
    let given = app
        .data(UPSERT_USER, json!({ "input": { "name": "Ada L.", "email": "ada@example.com", "age": 37, "city": "Paris", "isActive": false } }))
        .await;
    assert_eq!(
        (
            given["upsertUser"]["city"].as_str(),
            given["upsertUser"]["isActive"].as_bool()
        ),
        (Some("Paris"), Some(false))
    );
    // Nothing new: the stamp stays, and no event is recorded.
    let same = app
        .data(
            UPSERT_USER,
            json!({ "input": { "name": "Ada L.", "email": "ada@example.com", "age": 37 } }),
        )
        .await;
    assert_eq!(
        same["upsertUser"]["updatedAt"],
        given["upsertUser"]["updatedAt"]
    );
    assert_eq!(events(app).await, ["CREATED", "UPDATED", "UPDATED"]);
    assert_eq!(row_count(app, "users").await, 1);
    app.expect_error(
        UPSERT_USER,
        json!({ "input": { "name": "A", "email": "ada@example.com", "age": 37 } }),
        "BAD_USER_INPUT",
        Some("name"),
    )
    .await;
}

async fn twenty_concurrent_upserts_of_one_address_make_one_user(app: &TestApp) {
    let spellings = [
        "ada@example.com",
        "ADA@example.com",
        " ada@EXAMPLE.com ",
        "Ada@Example.Com",
    ];
    let requests = (0..20).map(|i| {
        let email = spellings[i % spellings.len()];
        app.graphql(
            UPSERT_USER,
            json!({ "input": { "name": format!("Ada {i}"), "email": email, "age": 20 + i } }),
        )
    });
    let responses = join_all(requests).await;
    for response in &responses {
        assert!(response.get("errors").is_none(), "{response:#}");
    }
    let ids: std::collections::BTreeSet<_> = responses
        .iter()
        .map(|r| r["data"]["upsertUser"]["id"].as_i64())
        .collect();
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(row_count(app, "users").await, 1);
    let kinds = events(app).await;
    assert_eq!(
        kinds.iter().filter(|k| *k == "CREATED").count(),
        1,
        "{kinds:?}"
    );
    // The user is the last write's, and the last event's row.
    let user = app.data("{ users { name age } }", json!({})).await;
    let age = user["users"][0]["age"].as_i64().expect("age");
    assert_eq!(user["users"][0]["name"], format!("Ada {}", age - 20));
}

async fn upsert_category_creates_or_returns(app: &TestApp) {
    let upsert =
        "mutation($name: String!) { upsertCategory(input: { name: $name }) { id name updatedAt } }";
    let first = app.data(upsert, json!({ "name": "Books" })).await;
    let again = app.data(upsert, json!({ "name": " Books " })).await;
    assert_eq!(again, first, "the same category, unchanged");
    let responses =
        join_all((0..20).map(|_| app.graphql(upsert, json!({ "name": "Games" })))).await;
    let ids: std::collections::BTreeSet<_> = responses
        .iter()
        .map(|r| {
            assert!(r.get("errors").is_none(), "{r:#}");
            r["data"]["upsertCategory"]["id"].as_i64()
        })
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(row_count(app, "categories").await, 2);
    assert_eq!(events(app).await, ["CREATED", "CREATED"]);
}

async fn upserts_refuse_nested_creates(app: &TestApp) {
    app.expect_error(
        "mutation { upsertUser(input: { name: \"Ada\", email: \"ada@example.com\", age: 3, posts: [] }) { id } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("input.posts"),
    )
    .await;
    app.expect_error(
        "mutation { upsertCategory(input: { name: \"Books\", products: [] }) { id } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("input.products"),
    )
    .await;
    assert_eq!(
        row_count(app, "users").await + row_count(app, "categories").await,
        0
    );
}
