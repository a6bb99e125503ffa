//! Relay's global object identification (SPEC section 9): every object has an opaque `nodeId`
//! that `node` and `nodes` fetch it again by, batched one statement per type.

use serde_json::{Value, json};

use crate::helpers::TestApp;

on_every_backend!(
    every_object_is_fetched_again_by_its_node_id,
    node_ids_are_opaque_distinct_and_stable,
    unknown_and_malformed_ids_are_null,
    nodes_keep_order_and_cost_one_statement_per_type,
    nodes_takes_at_most_100_ids,
);

const FIELDS: &str = "nodeId __typename ... on User { id name } ... on Post { id title } \
                      ... on Category { id name } ... on Product { id name }";

async fn node(app: &TestApp, node_id: &Value) -> Value {
    let query = format!("query($id: ID!) {{ node(nodeId: $id) {{ {FIELDS} }} }}");
    app.data(&query, json!({ "id": node_id })).await["node"].clone()
}

/// One object of each type; returns them as `{ nodeId id name|title }`, with `__typename`.
async fn one_of_each(app: &TestApp) -> Vec<Value> {
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    app.create_post(user, "A first title").await;
    let category = app.create_category("Books").await;
    app.create_product("Novel", 12.0, 2, Some(category)).await;
    let data = app
        .data(
            "{ users { nodeId __typename id name } posts { nodeId __typename id title } \
             categories { nodeId __typename id name } products { nodeId __typename id name } }",
            json!({}),
        )
        .await;
    ["users", "posts", "categories", "products"]
        .iter()
        .map(|list| data[list][0].clone())
        .collect()
}

async fn every_object_is_fetched_again_by_its_node_id(app: &TestApp) {
    for object in one_of_each(app).await {
        assert_eq!(node(app, &object["nodeId"]).await, object);
    }
}

async fn node_ids_are_opaque_distinct_and_stable(app: &TestApp) {
    let objects = one_of_each(app).await;
    let ids: Vec<&str> = objects
        .iter()
        .map(|object| object["nodeId"].as_str().expect("a string id"))
        .collect();
    // Every object here has row id 1: the global ids still differ.
    assert!(objects.iter().all(|object| object["id"] == 1));
    let mut distinct = ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), ids.len(), "{ids:?}");
    assert!(
        ids.iter().all(|id| !id.contains("User") && *id != "1"),
        "{ids:?}"
    );
    let again = one_of_each_again(app).await;
    assert_eq!(again, ids, "the same rows keep their ids");
}

async fn one_of_each_again(app: &TestApp) -> Vec<String> {
    let data = app
        .data(
            "{ users { nodeId } posts { nodeId } categories { nodeId } products { nodeId } }",
            json!({}),
        )
        .await;
    ["users", "posts", "categories", "products"]
        .iter()
        .map(|list| {
            data[list][0]["nodeId"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect()
}

async fn unknown_and_malformed_ids_are_null(app: &TestApp) {
    let objects = one_of_each(app).await;
    let user = objects[0]["nodeId"].as_str().expect("an id");
    let deleted = app.create_user("Gone", "gone@example.com", 20).await;
    let gone = app
        .data(
            "query($id: Int!) { user(id: $id) { nodeId } }",
            json!({ "id": deleted }),
        )
        .await["user"]["nodeId"]
        .clone();
    app.data(
        "mutation($id: Int!) { deleteUser(id: $id) { id } }",
        json!({ "id": deleted }),
    )
    .await;
    for id in [
        gone,
        json!(""),
        json!("not base64!"),
        json!("Tm9wZTox"),     // Nope:1
        json!("VXNlcjp4"),     // User:x
        json!("VXNlcjowMQ=="), // User:01, not the canonical form
        json!(format!("{user}=")),
    ] {
        assert_eq!(node(app, &id).await, Value::Null, "{id}");
    }
}

async fn nodes_keep_order_and_cost_one_statement_per_type(app: &TestApp) {
    let mut users = Vec::new();
    for i in 0..3 {
        users.push(
            app.create_user(&format!("User {i}"), &format!("u{i}@example.com"), 30)
                .await,
        );
    }
    let post = app.create_post(users[0], "A first title").await;
    let second = app.create_post(users[1], "A second title").await;
    let data = app
        .data("{ users { nodeId } posts { nodeId } }", json!({}))
        .await;
    let user_ids: Vec<Value> = (0..3).map(|i| data["users"][i]["nodeId"].clone()).collect();
    let post_ids: Vec<Value> = (0..2).map(|i| data["posts"][i]["nodeId"].clone()).collect();
    let asked = json!([
        post_ids[1],
        user_ids[2],
        "garbage",
        user_ids[0],
        post_ids[0],
        user_ids[1]
    ]);
    app.reset_statements();
    let found = app
        .data(
            &format!("query($ids: [ID!]!) {{ nodes(nodeIds: $ids) {{ {FIELDS} }} }}"),
            json!({ "ids": asked }),
        )
        .await;
    assert_eq!(
        app.statements(),
        2,
        "one statement for the users, one for the posts"
    );
    let found = found["nodes"].as_array().expect("a list").clone();
    let short: Vec<Value> = found
        .iter()
        .map(|node| json!([node["__typename"], node["id"]]))
        .collect();
    assert_eq!(
        short,
        [
            json!(["Post", second]),
            json!(["User", users[2]]),
            json!([null, null]),
            json!(["User", users[0]]),
            json!(["Post", post]),
            json!(["User", users[1]]),
        ]
    );
}

async fn nodes_takes_at_most_100_ids(app: &TestApp) {
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    let id = app
        .data(
            "query($id: Int!) { user(id: $id) { nodeId } }",
            json!({ "id": user }),
        )
        .await["user"]["nodeId"]
        .clone();
    let query = "query($ids: [ID!]!) { nodes(nodeIds: $ids) { nodeId } }";
    let hundred = app
        .data(query, json!({ "ids": vec![id.clone(); 100] }))
        .await;
    assert_eq!(hundred["nodes"].as_array().map(Vec::len), Some(100));
    app.expect_error(
        query,
        json!({ "ids": vec![id; 101] }),
        "BAD_USER_INPUT",
        Some("nodeIds"),
    )
    .await;
}
