//! The manners of the WebSocket protocols: close codes, keep-alive, queries and mutations over
//! the socket, the admin secret, the legacy protocol and the limits.

use serde_json::json;

use agora::HttpSettings;
use agora::live::LiveSettings;

use super::socket::{Socket, refused_upgrade};
use crate::helpers::{Backend, TestApp};

#[tokio::test]
async fn an_upgrade_without_a_graphql_protocol_is_refused() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
    assert_eq!(refused_upgrade(&app.address, None).await, 400);
    assert_eq!(refused_upgrade(&app.address, Some("chat")).await, 400);
}

#[tokio::test]
async fn misuse_closes_the_socket_with_the_protocol_code() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
    let subscription = json!({ "query": "subscription { userCreated { id } }" });

    let mut socket = Socket::open(&app.address).await;
    socket
        .send(json!({ "id": "1", "type": "subscribe", "payload": subscription }))
        .await;
    assert_eq!(socket.closed().await, (4401, "Unauthorized".into()));

    let mut socket = Socket::ready(&app.address).await;
    socket.send(json!({ "type": "connection_init" })).await;
    assert_eq!(
        socket.closed().await,
        (4429, "Too many initialisation requests".into())
    );

    let mut socket = Socket::ready(&app.address).await;
    let start = json!({ "id": "1", "type": "subscribe", "payload": subscription });
    socket.send(start.clone()).await;
    socket.send(start).await;
    assert_eq!(
        socket.closed().await,
        (4409, "Subscriber for 1 already exists".into())
    );

    for bad in [
        json!("not an object"),
        json!({ "type": "unknown" }),
        json!({ "type": "subscribe", "payload": subscription }),
        json!({ "id": "1", "type": "subscribe" }),
        json!({ "id": "1", "type": "subscribe", "payload": { "query": 5 } }),
    ] {
        let mut socket = Socket::ready(&app.address).await;
        socket.send(bad.clone()).await;
        let (code, reason) = socket.closed().await;
        assert_eq!(code, 4400, "{bad}: {reason}");
    }
}

/// An app on SQLite with these live-data settings (and HTTP ones).
async fn app_with(live: LiveSettings, http: HttpSettings) -> TestApp {
    TestApp::spawn_live(Backend::Sqlite, http, live)
        .await
        .expect("SQLite")
}

#[tokio::test]
async fn subscription_documents_meet_every_document_limit() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
    let mut socket = Socket::ready(&app.address).await;
    let aliases: Vec<String> = (0..40)
        .map(|n| format!("a{n}: userCreated {{ id }}"))
        .collect();
    let too_many = format!("subscription {{ {} }}", aliases.join(" "));
    socket.subscribe("aliases", &too_many, json!({})).await;
    let refused = socket.receive().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "TOO_MANY_ALIASES"
    );
    // Nine levels of nested lists: the cost limit refuses it (before the depth limit would).
    let deep = format!(
        "subscription {{ postCreated {{ {} id {} }} }}",
        "author { posts { ".repeat(9),
        "} } ".repeat(9)
    );
    socket.subscribe("costly", &deep, json!({})).await;
    let refused = socket.receive().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "QUERY_TOO_COMPLEX",
        "{refused}"
    );
}

#[tokio::test]
async fn a_socket_that_never_initialises_is_closed_with_4408() {
    let live = LiveSettings {
        ws_init_timeout_secs: 1,
        ..LiveSettings::DEFAULT
    };
    let app = app_with(live, HttpSettings::default()).await;
    let mut socket = Socket::open(&app.address).await;
    assert_eq!(
        socket.closed().await,
        (4408, "Connection initialisation timeout".into())
    );
}

#[tokio::test]
async fn the_server_pings_an_idle_socket() {
    let live = LiveSettings {
        ws_keepalive_secs: 1,
        ..LiveSettings::DEFAULT
    };
    let app = app_with(live, HttpSettings::default()).await;
    let mut socket = Socket::ready(&app.address).await;
    assert_eq!(socket.raw().await, json!({ "type": "ping" }));
    socket.send(json!({ "type": "pong" })).await;
    assert_eq!(socket.raw().await, json!({ "type": "ping" }));
}

#[tokio::test]
async fn the_legacy_protocol_acknowledges_keeps_alive_and_streams() {
    let live = LiveSettings {
        ws_keepalive_secs: 1,
        ..LiveSettings::DEFAULT
    };
    let app = app_with(live, HttpSettings::default()).await;
    let mut socket = Socket::open_with(&app.address, "graphql-ws").await;
    socket
        .send(json!({ "type": "connection_init", "payload": {} }))
        .await;
    assert_eq!(socket.raw().await, json!({ "type": "connection_ack" }));
    assert_eq!(socket.raw().await, json!({ "type": "ka" }));
    socket
        .send(json!({
            "id": "7",
            "type": "start",
            "payload": { "query": "subscription { userCreated { name } }" },
        }))
        .await;
    // Messages are handled in order: once this query is answered, the subscription runs.
    socket
        .send(json!({ "id": "8", "type": "start", "payload": { "query": "{ users { id } }" } }))
        .await;
    let mut answered = false;
    while !answered {
        let message = socket.raw().await;
        answered = message == json!({ "id": "8", "type": "complete" });
    }
    app.create_user("Ada", "ada@example.com", 36).await;
    let data = loop {
        let message = socket.raw().await;
        if message["type"] != "ka" {
            break message;
        }
    };
    assert_eq!(
        data,
        json!({ "id": "7", "type": "data", "payload": { "data": { "userCreated": { "name": "Ada" } } } })
    );
    socket.send(json!({ "id": "7", "type": "stop" })).await;
    socket.send(json!({ "type": "connection_terminate" })).await;
    assert_eq!(socket.closed().await.0, 1000);
}

#[tokio::test]
async fn the_admin_secret_comes_from_connection_init() {
    let http = HttpSettings {
        admin_secret: Some("s3cret".into()),
        ..HttpSettings::default()
    };
    let app = app_with(LiveSettings::DEFAULT, http).await;
    let create = "mutation { createUser(input: { name: \"Ada\", email: \"ada@example.com\", age: 36 }) { name } }";

    let mut socket = Socket::open(&app.address).await;
    socket
        .send(json!({ "type": "connection_init", "payload": { "authorization": "Bearer wrong" } }))
        .await;
    assert_eq!(socket.closed().await, (4403, "Forbidden".into()));

    // Without the secret: subscriptions and queries, but no mutation.
    let mut socket = Socket::ready(&app.address).await;
    socket.subscribe("create", create, json!({})).await;
    let refused = socket.receive().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );

    let mut socket = Socket::open(&app.address).await;
    socket
        .init(json!({ "Authorization": "Bearer s3cret" }))
        .await;
    socket.subscribe("create", create, json!({})).await;
    assert_eq!(
        socket.data("create").await,
        json!({ "createUser": { "name": "Ada" } })
    );
}

#[tokio::test]
async fn sockets_and_their_operations_are_limited() {
    let live = LiveSettings {
        max_connections: 1,
        max_subscriptions_per_connection: 2,
        ..LiveSettings::DEFAULT
    };
    let app = app_with(live, HttpSettings::default()).await;
    let mut socket = Socket::ready(&app.address).await;
    assert_eq!(
        refused_upgrade(&app.address, Some("graphql-transport-ws")).await,
        503
    );
    for id in ["1", "2"] {
        socket
            .subscribe(id, "subscription { userCreated { id } }", json!({}))
            .await;
    }
    socket
        .subscribe("3", "subscription { userCreated { id } }", json!({}))
        .await;
    let refused = socket.receive().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "3");
    assert_eq!(
        refused["payload"][0]["extensions"],
        json!({ "code": "TOO_MANY_SUBSCRIPTIONS", "limit": 2 })
    );
    // Completing one makes room for another.
    socket.send(json!({ "id": "1", "type": "complete" })).await;
    socket
        .subscribe("3", "subscription { userCreated { id } }", json!({}))
        .await;
    socket
        .nothing_for(std::time::Duration::from_millis(200))
        .await;
}

#[tokio::test]
async fn queries_and_mutations_run_over_the_socket() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
    let mut socket = Socket::ready(&app.address).await;
    socket
        .subscribe(
            "create",
            "mutation { createUser(input: { name: \"Ada\", email: \"ada@example.com\", age: 36 }) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        socket.data("create").await,
        json!({ "createUser": { "name": "Ada" } })
    );
    assert_eq!(
        socket.receive().await,
        json!({ "id": "create", "type": "complete" })
    );
    socket
        .subscribe("read", "{ users { email } }", json!({}))
        .await;
    assert_eq!(
        socket.data("read").await,
        json!({ "users": [{ "email": "ada@example.com" }] })
    );
    assert_eq!(
        socket.receive().await,
        json!({ "id": "read", "type": "complete" })
    );
    // A document that fails validation is one `error` message, without `complete`.
    socket
        .subscribe("invalid", "{ users { nope } }", json!({}))
        .await;
    let error = socket.receive().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["id"], "invalid");
    assert!(error["payload"][0]["message"].is_string(), "{error}");
}
