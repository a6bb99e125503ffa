//! Automatic persisted queries (Apollo's APQ): a query sent once with its SHA-256 can then be
//! sent by hash alone, over POST or GET.

use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::{Digest as _, Sha256};

use crate::helpers::TestApp;

on_every_backend!(
    a_query_runs_by_hash_once_registered,
    an_unknown_hash_asks_for_the_query,
    a_wrong_hash_is_refused,
    a_persisted_mutation_still_needs_post,
);

const QUERY: &str = "query Names { users { name } }";

fn hash(query: &str) -> String {
    hex::encode(Sha256::digest(query.as_bytes()))
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn post(app: &TestApp, body: Value) -> (StatusCode, Value) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&body)
        .send()
        .await
        .expect("send");
    (response.status(), response.json().await.expect("json"))
}

async fn get(app: &TestApp, hash: &str) -> (StatusCode, Option<Value>) {
    let response = app
        .client
        .get(format!("{}/graphql", app.address))
        .query(&[("extensions", persisted(hash).to_string())])
        .send()
        .await
        .expect("send");
    (response.status(), response.json().await.ok())
}

async fn a_query_runs_by_hash_once_registered(app: &TestApp) {
    app.create_user("Ada", "ada@example.com", 36).await;
    let (_, first) = post(
        app,
        json!({ "query": QUERY, "extensions": persisted(&hash(QUERY)) }),
    )
    .await;
    assert_eq!(first["data"]["users"], json!([{ "name": "Ada" }]));

    let (status, by_hash) = post(app, json!({ "extensions": persisted(&hash(QUERY)) })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(by_hash["data"]["users"], json!([{ "name": "Ada" }]));

    let (status, over_get) = get(app, &hash(QUERY)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        over_get.expect("json")["data"]["users"],
        json!([{ "name": "Ada" }])
    );
}

async fn an_unknown_hash_asks_for_the_query(app: &TestApp) {
    let (status, response) = post(
        app,
        json!({ "extensions": persisted(&hash("{ posts { id } }")) }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "Apollo clients expect 200 here");
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
    assert_eq!(response["errors"][0]["message"], "PersistedQueryNotFound");
}

async fn a_wrong_hash_is_refused(app: &TestApp) {
    let (status, response) = post(
        app,
        json!({ "query": QUERY, "extensions": persisted(&hash("{ other }")) }),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(response["errors"][0]["message"].is_string());
    // Nothing was remembered under the wrong hash.
    let (_, later) = post(app, json!({ "extensions": persisted(&hash("{ other }")) })).await;
    assert_eq!(
        later["errors"][0]["extensions"]["code"],
        "PERSISTED_QUERY_NOT_FOUND"
    );
}

async fn a_persisted_mutation_still_needs_post(app: &TestApp) {
    let mutation = r#"mutation { createCategory(input: { name: "Books" }) { id } }"#;
    let (_, created) = post(
        app,
        json!({ "query": mutation, "extensions": persisted(&hash(mutation)) }),
    )
    .await;
    assert!(created.get("errors").is_none(), "{created:#}");
    let (status, _) = get(app, &hash(mutation)).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let data = app.data("{ categories { name } }", json!({})).await;
    assert_eq!(data["categories"], json!([{ "name": "Books" }]));
}
