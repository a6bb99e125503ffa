//! The events of the new write paths, as a subscriber sees them: a bulk create is one CREATED
//! per row, an upsert a CREATED or an UPDATED with its new `updatedAt`, a nested create one
//! event per row, and an `@atomic` operation its events only if it committed.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::live::socket::Socket;

on_every_backend!(subscribers_see_exactly_the_committed_rows_of_every_new_write_path);

const FIELDS: [(&str, &str); 3] = [
    (
        "users",
        "subscription { userChanges { kind node { email updatedAt } } }",
    ),
    (
        "posts",
        "subscription { postChanges { kind node { title } } }",
    ),
    (
        "categories",
        "subscription { categoryChanges { kind node { name } } }",
    ),
];

async fn subscribers_see_exactly_the_committed_rows_of_every_new_write_path(app: &TestApp) {
    let mut socket = Socket::ready(&app.address).await;
    for (id, query) in FIELDS {
        socket.subscribe(id, query, json!({})).await;
    }
    app.data(
        r#"mutation { createUsers(inputs: [
            { name: "Ada", email: "ada@example.com", age: 36, posts: [{ title: "First title", content: "Twenty characters or more." }] },
            { name: "Bob", email: "bob@example.com", age: 40 } ]) { id } }"#,
        json!({}),
    )
    .await;
    let delivered = collect(&mut socket, 3).await;
    let emails: Vec<&Value> = delivered["users"]
        .iter()
        .map(|change| {
            assert_eq!(change["userChanges"]["kind"], "CREATED");
            &change["userChanges"]["node"]["email"]
        })
        .collect();
    assert_eq!(emails, ["ada@example.com", "bob@example.com"]);
    assert_eq!(
        delivered["posts"][0]["postChanges"],
        json!({ "kind": "CREATED", "node": { "title": "First title" } })
    );
    // Upserts: an existing address is an UPDATED carrying the new stamp, a new one a CREATED.
    let upserted = app
        .data(
            r#"mutation { upsertUser(input: { name: "Ada L.", email: "ADA@example.com", age: 37 }) { updatedAt } }"#,
            json!({}),
        )
        .await;
    let change = socket.data("users").await;
    assert_eq!(change["userChanges"]["kind"], "UPDATED");
    assert_eq!(
        change["userChanges"]["node"]["updatedAt"],
        upserted["upsertUser"]["updatedAt"]
    );
    // A failed atomic operation: nothing; then a committed one: all of it.
    let failed = app
        .graphql(
            r#"mutation @atomic { a: createCategory(input: { name: "Books" }) { id }
                b: createUser(input: { name: "Cid", email: "bob@example.com", age: 3 }) { id } }"#,
            json!({}),
        )
        .await;
    assert!(failed.get("errors").is_some(), "{failed:#}");
    app.data(
        r#"mutation @atomic { a: createCategory(input: { name: "Games" }) { id }
            b: upsertUser(input: { name: "Cid", email: "cid@example.com", age: 3 }) { id } }"#,
        json!({}),
    )
    .await;
    let delivered = collect(&mut socket, 2).await;
    assert_eq!(
        delivered["categories"][0]["categoryChanges"],
        json!({ "kind": "CREATED", "node": { "name": "Games" } })
    );
    assert_eq!(delivered["users"][0]["userChanges"]["kind"], "CREATED");
    assert_eq!(
        delivered["users"][0]["userChanges"]["node"]["email"],
        "cid@example.com"
    );
    socket
        .nothing_for(std::time::Duration::from_millis(300))
        .await;
}

/// The next `count` changes, by subscription: each subscription's are in order, but the
/// subscriptions are not in order with each other.
async fn collect(socket: &mut Socket, count: usize) -> BTreeMap<String, Vec<Value>> {
    let mut delivered: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for _ in 0..count {
        let message = socket.receive().await;
        assert_eq!(message["type"], "next", "{message}");
        let id = message["id"].as_str().unwrap_or_default().to_owned();
        delivered
            .entry(id)
            .or_default()
            .push(message["payload"]["data"].clone());
    }
    delivered
}
