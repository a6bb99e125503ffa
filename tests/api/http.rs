//! GraphQL over HTTP (SPEC section 10): the answer is in a media type the request accepts;
//! with `application/graphql-response+json`, a request that fails before execution is a 400
//! without `data`; a JSON body in another charset than UTF-8 is a 415. (The audit suite of the
//! `graphql-http` package runs against the binary in `.ci/run`; these keep each rule in
//! `cargo test`.)

use reqwest::StatusCode;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::{Value, json};

use crate::helpers::TestApp;

on_every_backend!(
    the_answer_is_in_the_accepted_media_type,
    request_errors_are_400_without_data_in_graphql_response_json,
    request_errors_stay_200_in_application_json,
    field_errors_keep_200_and_their_data,
    only_utf8_json_bodies_are_read,
    directives_on_typename_are_validated,
);

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// POSTs `body` as JSON with `accept` (when given); returns the status, the media type
/// (without parameters) and the body.
async fn post(app: &TestApp, accept: Option<&str>, body: Value) -> (StatusCode, String, Value) {
    let mut request = app
        .client
        .post(format!("{}/graphql", app.address))
        .json(&body);
    if let Some(accept) = accept {
        request = request.header(ACCEPT, accept);
    }
    let response = request.send().await.expect("send");
    let status = response.status();
    let media = response
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .unwrap_or_default()
        .to_owned();
    (status, media, response.json().await.expect("a JSON body"))
}

async fn the_answer_is_in_the_accepted_media_type(app: &TestApp) {
    let query = json!({ "query": "{ __typename }" });
    for (accept, media) in [
        (None, "application/json"),
        (Some("*/*"), "application/json"),
        (Some("application/json"), "application/json"),
        (Some(GRAPHQL_RESPONSE), GRAPHQL_RESPONSE),
        (
            Some("application/graphql-response+json, application/json;q=0.9"),
            GRAPHQL_RESPONSE,
        ),
        (
            Some("application/json, application/graphql-response+json;q=0.5"),
            "application/json",
        ),
    ] {
        let (status, answered, body) = post(app, accept, query.clone()).await;
        assert_eq!(status, StatusCode::OK, "{accept:?}");
        assert_eq!(answered, media, "{accept:?}");
        assert_eq!(body["data"]["__typename"], "Query");
    }
    let response = app
        .client
        .get(format!("{}/graphql?query=%7B__typename%7D", app.address))
        .header(ACCEPT, GRAPHQL_RESPONSE)
        .send()
        .await
        .expect("send");
    let media = response.headers().get(CONTENT_TYPE).cloned();
    assert!(
        media.is_some_and(|m| m.to_str().unwrap_or_default().starts_with(GRAPHQL_RESPONSE)),
        "GET answers in the accepted type too"
    );
}

/// Requests that fail before execution: unparsable, invalid, badly typed variables, over a
/// document limit.
fn failing_before_execution() -> [(&'static str, Value); 4] {
    [
        ("unparsable", json!({ "query": "{" })),
        ("invalid", json!({ "query": "{ noSuchField }" })),
        (
            "variables",
            json!({ "query": "query($id: Int!) { user(id: $id) { id } }", "variables": { "id": "one" } }),
        ),
        (
            "limit",
            json!({ "query": format!("{{ {} }}", "__typename ".repeat(1_001)) }),
        ),
    ]
}

async fn request_errors_are_400_without_data_in_graphql_response_json(app: &TestApp) {
    for (what, body) in failing_before_execution() {
        let (status, media, body) = post(app, Some(GRAPHQL_RESPONSE), body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{what}: {body:#}");
        assert_eq!(media, GRAPHQL_RESPONSE, "{what}");
        assert!(
            body.get("data").is_none(),
            "{what}: no data entry in {body:#}"
        );
        assert!(body["errors"][0]["message"].is_string(), "{what}: {body:#}");
    }
}

async fn request_errors_stay_200_in_application_json(app: &TestApp) {
    for (what, body) in failing_before_execution() {
        let (status, media, body) = post(app, Some("application/json"), body).await;
        assert_eq!(status, StatusCode::OK, "{what}: {body:#}");
        assert_eq!(media, "application/json", "{what}");
        assert!(body["errors"][0]["message"].is_string(), "{what}: {body:#}");
    }
}

async fn field_errors_keep_200_and_their_data(app: &TestApp) {
    let created = json!({ "query": "mutation { createUser(input: { name: \"A\", email: \"a@example.com\", age: 1 }) { id } }" });
    let (status, media, body) = post(app, Some(GRAPHQL_RESPONSE), created).await;
    assert_eq!(status, StatusCode::OK, "{body:#}");
    assert_eq!(media, GRAPHQL_RESPONSE);
    assert_eq!(
        body["data"],
        Value::Null,
        "the field's null reaches data: {body:#}"
    );
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(body["errors"][0]["path"], json!(["createUser"]));
}

async fn only_utf8_json_bodies_are_read(app: &TestApp) {
    let send = async |content_type: &str| {
        app.client
            .post(format!("{}/graphql", app.address))
            .header(CONTENT_TYPE, content_type)
            .body(r#"{"query":"{ __typename }"}"#)
            .send()
            .await
            .expect("send")
    };
    for refused in [
        "application/json; charset=utf-16",
        "application/json; charset=iso-8859-1",
        "application/json;charset=\"UTF-32\"",
    ] {
        let response = send(refused).await;
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{refused}"
        );
        let body: Value = response.json().await.expect("a JSON body");
        assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
        assert!(body.get("data").is_none());
    }
    for accepted in [
        "application/json",
        "application/json; charset=utf-8",
        "application/json; charset=\"UTF-8\"",
    ] {
        let response = send(accepted).await;
        assert_eq!(response.status(), StatusCode::OK, "{accepted}");
    }
}

/// async-graphql skips the validation of `__typename`'s directives; agora checks them (and then
/// runs nothing), with the messages any other field's get.
async fn directives_on_typename_are_validated(app: &TestApp) {
    let on_a_field = app.error("{ users { id @foo } }", json!({})).await;
    let on_typename = app.error("{ __typename @foo }", json!({})).await;
    assert_eq!(on_typename["message"], on_a_field["message"]);
    assert_eq!(on_typename["message"], "Unknown directive \"foo\"");
    assert!(on_typename["locations"].is_array(), "{on_typename:#}");
    let skipped = app.error("{ __typename @skip }", json!({})).await;
    assert!(
        skipped["message"]
            .as_str()
            .unwrap_or_default()
            .contains("is required but not provided"),
        "{skipped:#}"
    );
    // Nothing of a refused document runs.
    let refused = app
        .graphql(
            r#"mutation { createCategory(input: { name: "Books" }) { id __typename @foo } }"#,
            json!({}),
        )
        .await;
    assert!(refused["errors"].is_array(), "{refused:#}");
    let categories = app.data("{ categories { id } }", json!({})).await;
    assert_eq!(categories["categories"], json!([]));
    let (status, _, body) = post(
        app,
        Some(GRAPHQL_RESPONSE),
        json!({ "query": "{ __typename @foo }" }),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "a validation failure: {body:#}"
    );
    assert!(body.get("data").is_none());
    assert_eq!(
        app.data("{ __typename @include(if: true) }", json!({}))
            .await,
        json!({ "__typename": "Query" })
    );
}
