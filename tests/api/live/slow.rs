//! Back-pressure: a subscriber that does not read is ended with `SLOW_CONSUMER` once it falls
//! a buffer behind, having been sent a bounded number of events, and resumes from its last
//! cursor without losing any.

use agora::HttpSettings;
use agora::live::LiveSettings;
use serde_json::json;

use super::resume::insert_users;
use super::socket::Socket;
use crate::helpers::{Backend, TestApp, id_of};

const EVENTS: usize = 5_000;

#[tokio::test]
async fn a_subscriber_that_does_not_read_is_ended_and_resumes() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let live = LiveSettings {
            event_buffer: 64,
            ..LiveSettings::DEFAULT
        };
        let Some(app) = TestApp::spawn_live(backend, HttpSettings::default(), live).await else {
            continue;
        };
        let mut socket = Socket::ready_with_small_buffer(&app.address).await;
        socket
            .subscribe(
                "all",
                "subscription { userChanges { cursor node { id } } }",
                json!({}),
            )
            .await;
        // Written while the client reads nothing.
        insert_users(&app, EVENTS).await;
        tokio::time::sleep(std::time::Duration::from_secs(2)).await;

        let mut received = Vec::new();
        let mut last_cursor = None;
        let ended = loop {
            let message = socket.receive().await;
            assert_eq!(message["type"], "next", "{message}");
            let payload = &message["payload"];
            if let Some(errors) = payload.get("errors") {
                break errors[0]["extensions"]["code"].clone();
            }
            let change = &payload["data"]["userChanges"];
            received.push(id_of(&change["node"]));
            last_cursor = Some(change["cursor"].clone());
        };
        assert_eq!(ended, "SLOW_CONSUMER", "{backend:?}");
        assert!(
            received.len() < EVENTS / 2,
            "{backend:?}: {} events were queued for a client that did not read",
            received.len()
        );
        assert_eq!(
            socket.receive().await,
            json!({ "id": "all", "type": "complete" })
        );

        // It resumes from its last cursor and gets exactly the rest.
        socket
            .subscribe(
                "rest",
                "subscription($after: String) { userChanges(after: $after) { node { id } } }",
                json!({ "after": last_cursor }),
            )
            .await;
        while received.len() < EVENTS {
            let data = socket.data("rest").await;
            received.push(id_of(&data["userChanges"]["node"]));
        }
        let first = received[0];
        let expected: Vec<i64> = (first..first + EVENTS as i64).collect();
        assert_eq!(received, expected, "{backend:?}");
    }
}
