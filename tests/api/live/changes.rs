//! What subscriptions deliver: every committed change of every entity to its fields, in order,
//! with cascades, `where` filters and nested fields; nothing for a refused write.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};

use super::socket::Socket;
use super::sse::EventStream;
use crate::helpers::{TestApp, id_of};

on_every_backend!(
    every_change_reaches_the_fields_of_its_entity_and_kind,
    every_change_reaches_the_fields_of_its_entity_and_kind_over_sse,
    cascades_are_events_of_their_own_rows,
    a_refused_write_emits_nothing,
    a_stream_starts_after_every_acknowledged_write,
    where_picks_the_rows_and_relations_are_refused,
    nested_fields_of_a_payload_resolve,
);

const ENTITIES: [&str; 4] = ["user", "post", "category", "product"];

/// Subscribes `socket` to the 16 fields, each operation named after its field.
async fn subscribe_to_everything(socket: &mut Socket) {
    for (field, query) in every_field() {
        socket.subscribe(&field, &query, json!({})).await;
    }
}

/// The next `count` results, by operation: what each one's field returned, in order.
async fn collect(socket: &mut Socket, count: usize) -> BTreeMap<String, Vec<Value>> {
    let mut by_operation: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for _ in 0..count {
        let message = socket.receive().await;
        assert_eq!(message["type"], "next", "{message}");
        let id = message["id"].as_str().expect("an id").to_owned();
        let payload = &message["payload"];
        assert!(payload.get("errors").is_none(), "{payload}");
        by_operation
            .entry(id.clone())
            .or_default()
            .push(payload["data"][&id].clone());
    }
    by_operation
}

/// Creates, changes and deletes one row of each entity; their ids, by entity.
async fn write_every_kind(app: &TestApp) -> [(&'static str, i64); 4] {
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    app.data(
        "mutation($id: Int!) { updateUser(id: $id, input: { age: 37 }) { id } }",
        json!({ "id": user }),
    )
    .await;
    let post = app.create_post(user, "A first title").await;
    app.publish_post(post).await;
    let category = app.create_category("Books").await;
    app.data(
        "mutation($id: Int!) { updateCategory(id: $id, input: { name: \"Novels\" }) { id } }",
        json!({ "id": category }),
    )
    .await;
    let product = app.create_product("Atlas", 12.5, 3, None).await;
    app.data(
        "mutation($id: Int!) { updateProduct(id: $id, input: { stock: 4 }) { id } }",
        json!({ "id": product }),
    )
    .await;
    for (mutation, id) in [
        ("deleteProduct", product),
        ("deleteCategory", category),
        ("deletePost", post),
        ("deleteUser", user),
    ] {
        app.data(
            &format!("mutation($id: Int!) {{ {mutation}(id: $id) {{ id }} }}"),
            json!({ "id": id }),
        )
        .await;
    }
    [
        ("user", user),
        ("post", post),
        ("category", category),
        ("product", product),
    ]
}

/// Checks what each of the 16 fields returned (by field name) for `write_every_kind`.
fn assert_every_kind(received: &BTreeMap<String, Vec<Value>>, written: [(&str, i64); 4]) {
    for (entity, id) in written {
        for kind in ["Created", "Updated", "Deleted"] {
            let got = &received[&format!("{entity}{kind}")];
            assert_eq!(got.len(), 1, "{entity}{kind}: {got:?}");
            assert_eq!(id_of(&got[0]), id, "{entity}{kind}");
        }
        let changes = &received[&format!("{entity}Changes")];
        let kinds: Vec<&Value> = changes.iter().map(|change| &change["kind"]).collect();
        assert_eq!(kinds, ["CREATED", "UPDATED", "DELETED"], "{entity}Changes");
        assert!(changes.iter().all(|change| id_of(&change["node"]) == id));
        let cursors: Vec<&str> = changes
            .iter()
            .map(|change| change["cursor"].as_str().expect("a cursor"))
            .collect();
        assert!(
            cursors.windows(2).all(|pair| pair[0] != pair[1]),
            "{cursors:?}"
        );
    }
}

/// The 16 fields, each with its document.
fn every_field() -> Vec<(String, String)> {
    let mut fields = Vec::new();
    for entity in ENTITIES {
        for kind in ["Created", "Updated", "Deleted"] {
            let field = format!("{entity}{kind}");
            let query = format!("subscription {{ {field} {{ id }} }}");
            fields.push((field, query));
        }
        let field = format!("{entity}Changes");
        let query = format!("subscription {{ {field} {{ kind cursor node {{ id }} }} }}");
        fields.push((field, query));
    }
    fields
}

async fn every_change_reaches_the_fields_of_its_entity_and_kind(app: &TestApp) {
    let mut socket = Socket::ready(&app.address).await;
    subscribe_to_everything(&mut socket).await;
    let written = write_every_kind(app).await;
    assert_every_kind(&collect(&mut socket, 24).await, written);
    socket.nothing_for(Duration::from_millis(300)).await;
}

async fn every_change_reaches_the_fields_of_its_entity_and_kind_over_sse(app: &TestApp) {
    let mut streams = Vec::new();
    for (field, query) in every_field() {
        streams.push((
            field,
            EventStream::post(&app.address, json!({ "query": query })).await,
        ));
    }
    let written = write_every_kind(app).await;
    let mut received = BTreeMap::new();
    for (field, stream) in &mut streams {
        let count = if field.ends_with("Changes") { 3 } else { 1 };
        let mut got = Vec::new();
        for _ in 0..count {
            let result = stream.next().await;
            assert!(result.get("errors").is_none(), "{result}");
            got.push(result["data"][field.as_str()].clone());
        }
        received.insert(field.clone(), got);
    }
    assert_every_kind(&received, written);
}

async fn cascades_are_events_of_their_own_rows(app: &TestApp) {
    let mut socket = Socket::ready(&app.address).await;
    socket
        .subscribe(
            "posts",
            "subscription { postDeleted { id title authorId } }",
            json!({}),
        )
        .await;
    socket
        .subscribe(
            "products",
            "subscription { productUpdated { id categoryId } }",
            json!({}),
        )
        .await;
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    let posts = [
        app.create_post(user, "The first post").await,
        app.create_post(user, "The second post").await,
    ];
    let category = app.create_category("Books").await;
    let products = [
        app.create_product("Atlas", 12.5, 3, Some(category)).await,
        app.create_product("Globe", 30.0, 1, Some(category)).await,
    ];
    app.data(
        "mutation($id: Int!) { deleteUser(id: $id) { id } }",
        json!({ "id": user }),
    )
    .await;
    for post in posts {
        let deleted = socket.data("posts").await;
        assert_eq!(
            deleted["postDeleted"],
            json!({ "id": post, "title": deleted["postDeleted"]["title"], "authorId": user })
        );
    }
    app.data(
        "mutation($id: Int!) { deleteCategory(id: $id) { id } }",
        json!({ "id": category }),
    )
    .await;
    let mut updated = Vec::new();
    for _ in products {
        let product = socket.data("products").await;
        assert_eq!(product["productUpdated"]["categoryId"], Value::Null);
        updated.push(id_of(&product["productUpdated"]));
    }
    updated.sort_unstable();
    assert_eq!(updated, products);
    socket.nothing_for(Duration::from_millis(300)).await;
}

async fn a_refused_write_emits_nothing(app: &TestApp) {
    let mut socket = Socket::ready(&app.address).await;
    socket
        .subscribe(
            "changes",
            "subscription { userChanges { kind node { id email } } }",
            json!({}),
        )
        .await;
    let existing = app.create_user("Ada", "ada@example.com", 36).await;
    let change = socket.data("changes").await;
    assert_eq!(id_of(&change["userChanges"]["node"]), existing);
    let create = "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }";
    // Invalid, a conflict, not found: each is an error and no event.
    app.error(
        create,
        json!({ "input": { "name": "", "email": "x@example.com", "age": 20 } }),
    )
    .await;
    app.error(
        create,
        json!({ "input": { "name": "Bea", "email": "ADA@example.com", "age": 20 } }),
    )
    .await;
    app.error(
        "mutation { updateUser(id: 999999, input: { age: 40 }) { id } }",
        json!({}),
    )
    .await;
    app.error("mutation { deleteUser(id: 999999) { id } }", json!({}))
        .await;
    let created = app.create_user("Bea", "bea@example.com", 20).await;
    let change = socket.data("changes").await;
    assert_eq!(change["userChanges"]["kind"], "CREATED");
    assert_eq!(id_of(&change["userChanges"]["node"]), created);
    assert_ne!(created, existing);
    socket.nothing_for(Duration::from_millis(300)).await;
}

async fn a_stream_starts_after_every_acknowledged_write(app: &TestApp) {
    for n in 0..20 {
        app.create_user("Before", &format!("before{n}@example.com"), 20)
            .await;
        let mut socket = Socket::ready(&app.address).await;
        socket
            .subscribe("new", "subscription { userCreated { id } }", json!({}))
            .await;
        let after = app
            .create_user("After", &format!("after{n}@example.com"), 20)
            .await;
        let first = socket.data("new").await;
        assert_eq!(id_of(&first["userCreated"]), after, "round {n}");
    }
}

async fn where_picks_the_rows_and_relations_are_refused(app: &TestApp) {
    let mut socket = Socket::ready(&app.address).await;
    socket
        .subscribe(
            "adults",
            "subscription { userCreated(where: { age: { gte: 30 }, name: { startsWith: \"a\", mode: INSENSITIVE } }) { name } }",
            json!({}),
        )
        .await;
    for (name, email, age) in [
        ("Bea", "bea@example.com", 40),
        ("Ada", "ada@example.com", 29),
        ("Álvaro", "alvaro@example.com", 50),
        ("andrea", "andrea@example.com", 30),
    ] {
        app.create_user(name, email, age).await;
    }
    assert_eq!(socket.data("adults").await["userCreated"]["name"], "andrea");
    socket.nothing_for(Duration::from_millis(300)).await;

    socket
        .subscribe(
            "related",
            "subscription { postCreated(where: { author: { name: { eq: \"Ada\" } } }) { id } }",
            json!({}),
        )
        .await;
    let refused = socket.next("related").await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{refused}"
    );
    let complete = socket.receive().await;
    assert_eq!(complete, json!({ "id": "related", "type": "complete" }));
}

async fn nested_fields_of_a_payload_resolve(app: &TestApp) {
    let mut socket = Socket::ready(&app.address).await;
    socket
        .subscribe(
            "posts",
            "subscription { postCreated { title author { name posts { title } } } }",
            json!({}),
        )
        .await;
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    app.create_post(user, "A first title").await;
    let post = socket.data("posts").await;
    assert_eq!(
        post,
        json!({ "postCreated": {
            "title": "A first title",
            "author": { "name": "Ada", "posts": [{ "title": "A first title" }] },
        } })
    );
}
