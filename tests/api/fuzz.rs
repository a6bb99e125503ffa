//! Fuzzing the whole request path: arbitrary bodies and documents never crash the server,
//! always get a JSON answer with a proper status, and leave it serving.

use proptest::prelude::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, proptest_runner};

/// Posts `body` as JSON; the answer must be a JSON object with a status a client understands.
async fn assert_answered(app: &TestApp, body: Vec<u8>) {
    let response = app
        .client
        .post(format!("{}/graphql", app.address))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await
        .expect("the server answers");
    let status = response.status();
    assert!(
        [
            StatusCode::OK,
            StatusCode::BAD_REQUEST,
            StatusCode::PAYLOAD_TOO_LARGE
        ]
        .contains(&status),
        "{status}"
    );
    if status != StatusCode::PAYLOAD_TOO_LARGE {
        let body: Value = response.json().await.expect("a JSON body");
        assert!(body.is_object(), "{body}");
        for error in body["errors"].as_array().into_iter().flatten() {
            let message = error["message"].as_str().unwrap_or_default().to_lowercase();
            assert!(!message.contains("sql"), "{message}");
            assert_ne!(
                error["extensions"]["code"], "INTERNAL_SERVER_ERROR",
                "{error}"
            );
        }
    }
}

/// Runs `property` over `strategy` against an app on each backend, then checks it still
/// serves.
fn fuzz<S: Strategy>(strategy: S, body: impl Fn(S::Value) -> Vec<u8>)
where
    S::Value: std::fmt::Debug,
{
    tokio::task::block_in_place(|| {
        let runtime = tokio::runtime::Handle::current();
        for backend in [Backend::Sqlite, Backend::Postgres] {
            let Some(app) = runtime.block_on(TestApp::spawn(backend)) else {
                continue;
            };
            proptest_runner(200)
                .run(&strategy, |value| {
                    runtime.block_on(assert_answered(&app, body(value)));
                    Ok(())
                })
                .expect("every input is answered");
            let alive = runtime.block_on(app.data("{ __typename }", json!({})));
            assert_eq!(alive["__typename"], "Query");
        }
    });
}

/// GraphQL-looking text: the punctuation and words the parser cares about, in any order.
fn document() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("{".to_owned()),
        Just("}".to_owned()),
        Just("[".to_owned()),
        Just("]".to_owned()),
        Just("(".to_owned()),
        Just(")".to_owned()),
        Just("...".to_owned()),
        Just("@skip(if: true)".to_owned()),
        Just("$v".to_owned()),
        Just(":".to_owned()),
        Just("\"s\\u00e9\"".to_owned()),
        Just("\"\"\"block\"\"\"".to_owned()),
        Just("# comment\n".to_owned()),
        Just("query".to_owned()),
        Just("mutation".to_owned()),
        Just("fragment F on Query".to_owned()),
        Just("users".to_owned()),
        Just("posts(limit: 3)".to_owned()),
        Just("createUser(input: {name: \"Ab\", email: \"a@b.co\", age: 1})".to_owned()),
        Just("id".to_owned()),
        Just("where: {or: [{id: {in: [1, -2]}}]}".to_owned()),
        "[a-z_]{1,8}",
        "-?[0-9]{1,6}(\\.[0-9]{1,3})?",
        "\\PC{0,3}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|pieces| pieces.join(" "))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arbitrary_bodies_are_answered() {
    fuzz(prop::collection::vec(any::<u8>(), 0..512), |bytes| bytes);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arbitrary_documents_are_answered() {
    fuzz(
        (document(), prop::option::of(document())),
        |(query, operation)| {
            json!({ "query": query, "operationName": operation, "variables": { "v": 1 } })
                .to_string()
                .into_bytes()
        },
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn arbitrary_inputs_to_mutations_are_answered() {
    // Anything at all, and inputs that are valid but for a control character here and there
    // (NUL included), so that they reach the database.
    let text = "\\PC{0,120}";
    let anything = (text, text, any::<i32>(), prop::option::of(text));
    let nearly_valid = (
        "[a-zA-Zé\\x00\\x01 ]{2,12}",
        "[a-z\\x00]{1,6}@[a-z]{1,6}\\.co",
        0..=150_i32,
        prop::option::of("[a-zA-Z\\x00 ]{0,10}"),
    );
    let input = prop_oneof![anything, nearly_valid];
    fuzz(input, |(name, email, age, city)| {
        json!({
            "query": "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
            "variables": { "i": { "name": name, "email": email, "age": age, "city": city } },
        })
        .to_string()
        .into_bytes()
    });
}
