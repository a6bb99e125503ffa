//! GraphQL over Server-Sent Events (graphql-sse, distinct connections mode).

use serde_json::{Value, json};

use super::socket::WAIT;
use crate::helpers::{TestApp, id_of};

on_every_backend!(
    a_subscription_streams_its_changes,
    queries_mutations_and_refusals_are_one_result_then_complete,
);

/// One open event stream.
pub struct EventStream {
    response: reqwest::Response,
    buffer: String,
}

impl EventStream {
    /// POSTs `body` asking for an event stream.
    pub async fn post(address: &str, body: Value) -> Self {
        let response = reqwest::Client::new()
            .post(format!("{address}/graphql"))
            .header("accept", "text/event-stream")
            .json(&body)
            .send()
            .await
            .expect("send");
        Self::accepted(response)
    }

    /// GETs `query` (the query string's `query`) asking for an event stream.
    pub async fn get(address: &str, query: &str) -> Self {
        let response = reqwest::Client::new()
            .get(format!("{address}/graphql"))
            .query(&[("query", query)])
            .header("accept", "text/event-stream")
            .send()
            .await
            .expect("send");
        Self::accepted(response)
    }

    fn accepted(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200);
        let content_type = response.headers()["content-type"].to_str().expect("text");
        assert!(
            content_type.starts_with("text/event-stream"),
            "{content_type}"
        );
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event (comments, the keep-alive, skipped): its name and data.
    pub async fn event(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let (mut event, mut data) = (String::new(), Vec::new());
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event = name.trim().to_owned();
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
                    }
                }
                if event.is_empty() && data.is_empty() {
                    continue;
                }
                return (event, data.join("\n"));
            }
            let chunk = tokio::time::timeout(WAIT, self.response.chunk())
                .await
                .expect("an event in time")
                .expect("a readable stream")
                .expect("the stream is open");
            self.buffer
                .push_str(std::str::from_utf8(&chunk).expect("UTF-8"));
        }
    }

    /// The data of the next event, which must be `next`.
    pub async fn next(&mut self) -> Value {
        let (event, data) = self.event().await;
        assert_eq!(event, "next", "{data}");
        serde_json::from_str(&data).expect("JSON")
    }

    /// The next event must be `complete`.
    pub async fn complete(&mut self) {
        assert_eq!(self.event().await.0, "complete");
    }
}

async fn a_subscription_streams_its_changes(app: &TestApp) {
    let mut posted = EventStream::post(
        &app.address,
        json!({ "query": "subscription { postChanges { kind node { title author { name } } } }" }),
    )
    .await;
    let mut got = EventStream::get(&app.address, "subscription { userCreated { name } }").await;
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    let post = app.create_post(user, "A first title").await;
    app.data(
        "mutation($id: Int!) { deletePost(id: $id) { id } }",
        json!({ "id": post }),
    )
    .await;
    assert_eq!(
        got.next().await,
        json!({ "data": { "userCreated": { "name": "Ada" } } })
    );
    for kind in ["CREATED", "DELETED"] {
        assert_eq!(
            posted.next().await,
            json!({ "data": { "postChanges": {
                "kind": kind,
                "node": { "title": "A first title", "author": { "name": "Ada" } },
            } } })
        );
    }
}

async fn queries_mutations_and_refusals_are_one_result_then_complete(app: &TestApp) {
    let mut created = EventStream::post(
        &app.address,
        json!({ "query": "mutation { createUser(input: { name: \"Ada\", email: \"ada@example.com\", age: 36 }) { id } }" }),
    )
    .await;
    let user = id_of(&created.next().await["data"]["createUser"]);
    created.complete().await;

    let mut read = EventStream::get(&app.address, "{ users { id } }").await;
    assert_eq!(read.next().await["data"]["users"][0]["id"], user);
    read.complete().await;

    let mut invalid =
        EventStream::post(&app.address, json!({ "query": "{ users { nope } }" })).await;
    let result = invalid.next().await;
    assert!(result["errors"][0]["message"].is_string(), "{result}");
    invalid.complete().await;

    let mut over_get =
        EventStream::get(&app.address, "mutation { deleteUser(id: 1) { id } }").await;
    let result = over_get.next().await;
    assert_eq!(
        result["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{result}"
    );
    over_get.complete().await;
    // The refused mutation changed nothing.
    assert_eq!(
        app.data("{ users { id } }", json!({})).await["users"][0]["id"],
        user
    );
}

#[tokio::test]
async fn a_subscription_over_plain_http_is_told_where_to_go() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite)
        .await
        .expect("SQLite");
    let client = reqwest::Client::new();
    let query = "subscription { userCreated { id } }";
    for (accept, status) in [
        ("application/json", 200),
        ("application/graphql-response+json", 400),
    ] {
        let response = client
            .post(format!("{}/graphql", app.address))
            .header("accept", accept)
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), status, "{accept}");
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
            "{body}"
        );
        assert!(body.get("data").is_none(), "{body}");
    }
    let response = client
        .get(format!("{}/graphql", app.address))
        .query(&[("query", query)])
        .send()
        .await
        .expect("send");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_REQUEST",
        "{body}"
    );
}
