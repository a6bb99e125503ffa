//! `xChanges(after:)`: a client that went away resumes with its last cursor and gets every
//! change it missed, in order, then the live ones, none twice; cursors expire.

use std::time::Duration;

use agora::HttpSettings;
use agora::live::{Cursor, LiveSettings};
use agora::store::events::Position;
use sea_orm::ConnectionTrait as _;
use serde_json::json;

use super::socket::Socket;
use crate::helpers::{Backend, TestApp, id_of};

on_every_backend!(
    a_resumed_stream_misses_nothing_and_repeats_nothing,
    cursors_are_checked
);

const CHANGES: &str =
    "subscription($after: String) { userChanges(after: $after) { kind cursor node { id } } }";

/// The next change of operation `id`: its kind, the row's id and the cursor.
pub async fn change(socket: &mut Socket, id: &str) -> (String, i64, String) {
    let data = socket.data(id).await;
    let change = &data["userChanges"];
    (
        change["kind"].as_str().expect("a kind").to_owned(),
        id_of(&change["node"]),
        change["cursor"].as_str().expect("a cursor").to_owned(),
    )
}

async fn a_resumed_stream_misses_nothing_and_repeats_nothing(app: &TestApp) {
    let mut socket = Socket::ready(&app.address).await;
    socket.subscribe("live", CHANGES, json!({})).await;
    let first = app.create_user("Ada", "ada@example.com", 36).await;
    let second = app.create_user("Bea", "bea@example.com", 37).await;
    let (_, got, after_first) = change(&mut socket, "live").await;
    assert_eq!(got, first);
    assert_eq!(change(&mut socket, "live").await.1, second);
    drop(socket);

    // Written while the client is away.
    let mut missed = vec![("CREATED".to_owned(), second)];
    for n in 0..3 {
        let email = format!("away{n}@example.com");
        missed.push(("CREATED".into(), app.create_user("Away", &email, 20).await));
    }
    app.data(
        "mutation($id: Int!) { updateUser(id: $id, input: { age: 40 }) { id } }",
        json!({ "id": first }),
    )
    .await;
    missed.push(("UPDATED".into(), first));

    let mut socket = Socket::ready(&app.address).await;
    socket
        .subscribe("resumed", CHANGES, json!({ "after": after_first }))
        .await;
    for (kind, id) in &missed {
        let (got_kind, got_id, _) = change(&mut socket, "resumed").await;
        assert_eq!((&got_kind, got_id), (kind, *id));
    }
    let live = app.create_user("Cy", "cy@example.com", 38).await;
    let (kind, id, _) = change(&mut socket, "resumed").await;
    assert_eq!((kind.as_str(), id), ("CREATED", live));
    socket.nothing_for(Duration::from_millis(300)).await;
}

async fn cursors_are_checked(app: &TestApp) {
    let mut socket = Socket::ready(&app.address).await;
    let expired = Cursor {
        position: Position { order: 1, id: 1 },
        at: chrono::Utc::now() - chrono::Duration::days(2),
    };
    for (id, after, code) in [
        ("expired", expired.encode(), "CURSOR_EXPIRED"),
        ("malformed", "not-a-cursor".to_owned(), "BAD_USER_INPUT"),
    ] {
        socket
            .subscribe(id, CHANGES, json!({ "after": after }))
            .await;
        let refused = socket.next(id).await;
        assert_eq!(
            refused["errors"][0]["extensions"]["code"], code,
            "{refused}"
        );
        assert_eq!(
            socket.receive().await,
            json!({ "id": id, "type": "complete" })
        );
    }
}

/// Inserts `count` users in one statement, straight into the table (as another program
/// would): the triggers record each one.
pub async fn insert_users(app: &TestApp, count: usize) {
    let sql = format!(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {count}) \
         INSERT INTO users (name, name_folded, email, age, city, city_folded, is_active) \
         SELECT 'User ' || i, 'user ' || i, 'user' || i || '@example.com', 30, 'Paris', \
         'paris', 1 = 1 FROM n"
    );
    app.db
        .execute_unprepared(&sql)
        .await
        .expect("insert the users");
}

#[tokio::test]
async fn a_long_replay_catches_up_through_a_small_buffer() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let live = LiveSettings {
            event_buffer: 16,
            ..LiveSettings::DEFAULT
        };
        let Some(app) = TestApp::spawn_live(backend, HttpSettings::default(), live).await else {
            continue;
        };
        let before = app.create_user("Ada", "ada@example.com", 36).await;
        let mut socket = Socket::ready(&app.address).await;
        socket.subscribe("live", CHANGES, json!({})).await;
        let extra = app.create_user("Bea", "bea@example.com", 36).await;
        let (_, got, cursor) = change(&mut socket, "live").await;
        assert_eq!(got, extra);
        drop(socket);
        insert_users(&app, 700).await;

        let mut socket = Socket::ready(&app.address).await;
        socket
            .subscribe("resumed", CHANGES, json!({ "after": cursor }))
            .await;
        let mut previous = extra;
        for _ in 0..700 {
            let (kind, id, _) = change(&mut socket, "resumed").await;
            assert_eq!(kind, "CREATED");
            assert!(id > previous, "{backend:?}: {id} after {previous}");
            previous = id;
        }
        assert_ne!(before, extra);
        socket.nothing_for(Duration::from_millis(300)).await;
    }
}

#[tokio::test]
async fn events_older_than_the_retention_expire_and_are_pruned() {
    let live = LiveSettings {
        event_retention: Duration::from_secs(1),
        ..LiveSettings::DEFAULT
    };
    let app = TestApp::spawn_live(Backend::Sqlite, HttpSettings::default(), live)
        .await
        .expect("SQLite");
    let mut socket = Socket::ready(&app.address).await;
    socket.subscribe("live", CHANGES, json!({})).await;
    app.create_user("Ada", "ada@example.com", 36).await;
    let (_, _, cursor) = change(&mut socket, "live").await;
    // Kept for the retention and as long again, then pruned (checked every second).
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while crate::helpers::row_count(&app, "agora_events").await > 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the event was never pruned"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    socket
        .subscribe("old", CHANGES, json!({ "after": cursor }))
        .await;
    let refused = socket.next("old").await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "CURSOR_EXPIRED",
        "{refused}"
    );
}
