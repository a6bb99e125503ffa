//! Several agora processes on one database form one system: a subscriber on one instance gets
//! every change made through the others, in the record's order, exactly once, and resumes on
//! another instance after its own is killed; subscriptions outlive a database outage.

use std::time::Duration;

use sea_orm::{ConnectionTrait as _, Database, Statement};
use serde_json::{Value, json};
use tokio::task::JoinSet;

use super::resume::change;
use super::socket::Socket;
use crate::faults::Proxy;
use crate::helpers::{Backend, Server, TestApp, TestDatabase};

const CHANGES: &str =
    "subscription($after: String) { userChanges(after: $after) { kind cursor node { id } } }";

/// Creates `count` users through `address`, then changes each one's age.
async fn write(address: String, tag: String, count: usize) {
    let client = reqwest::Client::new();
    let send = |query: String, variables: Value| {
        let request = client
            .post(format!("{address}/graphql"))
            .json(&json!({ "query": query, "variables": variables }));
        async move {
            let response: Value = request
                .send()
                .await
                .expect("send")
                .json()
                .await
                .expect("json");
            assert!(response.get("errors").is_none(), "{response}");
            response
        }
    };
    let mut ids = Vec::new();
    for n in 0..count {
        let created = send(
            "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }".into(),
            json!({ "input": { "name": "Writer", "email": format!("{tag}-{n}@example.com"), "age": 20 } }),
        )
        .await;
        ids.push(created["data"]["createUser"]["id"].clone());
    }
    for id in ids {
        send(
            "mutation($id: Int!) { updateUser(id: $id, input: { age: 21 }) { id } }".into(),
            json!({ "id": id }),
        )
        .await;
    }
}

/// The changes of users in the event record, in the order readers take them.
async fn recorded(url: &str) -> Vec<(String, i64)> {
    let db = Database::connect(url).await.expect("connect");
    let backend = db.get_database_backend();
    let order = match backend {
        sea_orm::DatabaseBackend::Postgres => "position, id",
        _ => "id",
    };
    let rows = db
        .query_all_raw(Statement::from_string(
            backend,
            format!(
                "SELECT kind, row_id FROM agora_events WHERE table_name = 'users' ORDER BY {order}"
            ),
        ))
        .await
        .expect("read the record");
    let _ = db.close().await;
    rows.iter()
        .map(|row| {
            let kind: String = row.try_get_by_index(0).expect("kind");
            let id: i32 = row.try_get_by_index(1).expect("row id");
            (kind, i64::from(id))
        })
        .collect()
}

/// The next `count` changes of operation `id`, with the last cursor.
async fn changes(socket: &mut Socket, id: &str, count: usize) -> (Vec<(String, i64)>, String) {
    let mut got = Vec::with_capacity(count);
    let mut cursor = String::new();
    for _ in 0..count {
        let (kind, row, at) = change(socket, id).await;
        got.push((kind, row));
        cursor = at;
    }
    (got, cursor)
}

async fn writers_on_other_instances_reach_a_subscriber_in_order(
    backend: Backend,
    instances: usize,
) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    // The first one migrates; the others start on the migrated database.
    let servers: Vec<Server> = (0..instances)
        .map(|_| Server::start(&database.url))
        .collect();
    let mut socket = Socket::ready(&servers[0].address).await;
    socket.subscribe("all", CHANGES, json!({})).await;

    let (writers, per_writer) = (8, 15);
    let mut writing = JoinSet::new();
    for w in 0..writers {
        let server = &servers[1 + w % (instances - 1)];
        writing.spawn(write(server.address.clone(), format!("w{w}"), per_writer));
    }
    while let Some(done) = writing.join_next().await {
        done.expect("a writer");
    }
    let expected = writers * per_writer * 2;
    let (delivered, _) = changes(&mut socket, "all", expected).await;
    socket.nothing_for(Duration::from_millis(500)).await;
    assert_eq!(delivered, recorded(&database.url).await, "{backend:?}");
    for server in servers {
        server.stop();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_on_postgresql_are_one_system() {
    writers_on_other_instances_reach_a_subscriber_in_order(Backend::Postgres, 3).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_instances_on_one_sqlite_file_are_one_system() {
    writers_on_other_instances_reach_a_subscriber_in_order(Backend::Sqlite, 2).await;
}

async fn a_subscriber_resumes_on_another_instance_after_kill_9(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let first = Server::start(&database.url);
    let second = Server::start(&database.url);
    let mut socket = Socket::ready(&first.address).await;
    socket.subscribe("all", CHANGES, json!({})).await;
    write(second.address.clone(), "before".into(), 5).await;
    let (before, cursor) = changes(&mut socket, "all", 10).await;
    first.crash();
    // Writes go on while the client has no instance.
    write(second.address.clone(), "after".into(), 5).await;

    let mut socket = Socket::ready(&second.address).await;
    socket
        .subscribe("resumed", CHANGES, json!({ "after": cursor }))
        .await;
    let (after, _) = changes(&mut socket, "resumed", 10).await;
    socket.nothing_for(Duration::from_millis(500)).await;
    let delivered: Vec<(String, i64)> = before.into_iter().chain(after).collect();
    assert_eq!(delivered, recorded(&database.url).await, "{backend:?}");
    second.stop();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_subscriber_resumes_on_another_instance_after_kill_9() {
    a_subscriber_resumes_on_another_instance_after_kill_9(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_subscriber_resumes_on_another_instance_after_kill_9() {
    a_subscriber_resumes_on_another_instance_after_kill_9(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscriptions_resume_by_themselves_after_the_database_comes_back() {
    let Some(upstream) = TestApp::postgres_address() else {
        return;
    };
    let mut proxy = Proxy::start(upstream.clone()).await;
    let Some(app) = TestApp::spawn_postgres_via(proxy.port).await else {
        return;
    };
    let port = upstream.rsplit(':').next().expect("a port");
    let direct = app
        .database_url()
        .replacen(&format!(":{}/", proxy.port), &format!(":{port}/"), 1);
    let other = TestApp::spawn_on_url(direct).await;
    let mut socket = Socket::ready(&app.address).await;
    socket.subscribe("all", CHANGES, json!({})).await;
    other.create_user("Ada", "ada@example.com", 36).await;
    assert_eq!(change(&mut socket, "all").await.0, "CREATED");

    proxy.cut().await;
    let mut written = Vec::new();
    for n in 0..5 {
        let email = format!("during{n}@example.com");
        written.push(other.create_user("During", &email, 30).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    proxy.restore().await;
    for id in written {
        let (kind, got, _) = change(&mut socket, "all").await;
        assert_eq!((kind.as_str(), got), ("CREATED", id));
    }
    socket.nothing_for(Duration::from_millis(300)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_open_sockets_as_going_away() {
    let database = TestDatabase::create(Backend::Sqlite).await.expect("SQLite");
    let mut server = Server::start(&database.url);
    let mut socket = Socket::ready(&server.address).await;
    socket.subscribe("all", CHANGES, json!({})).await;
    server.terminate();
    assert_eq!(
        socket.closed().await,
        (1001, "The server is shutting down".into())
    );
    let exit = server
        .wait_at_most(Duration::from_secs(15))
        .expect("agora exits");
    assert!(exit.success(), "{exit}");
}
