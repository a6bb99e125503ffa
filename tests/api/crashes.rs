//! The real binary under abuse: `kill -9` during writes, SIGTERM with requests in flight and a
//! stuck client, and a corrupt database file. No acknowledged write may be lost.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use sea_orm::{ConnectionTrait as _, Database, Statement};
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt as _;
use tokio::net::TcpStream;
use tokio::task::JoinSet;

use crate::helpers::{AGORA, Backend, Server, TestDatabase, sqlite_url};

const WRITERS: usize = 8;

/// Registers users as fast as it can until the server stops answering; returns the e-mail
/// addresses whose creation was acknowledged.
async fn write_until_gone(address: String, tag: String) -> Vec<String> {
    let client = reqwest::Client::new();
    let mut acknowledged = Vec::new();
    for i in 0.. {
        let email = format!("{tag}-{i}@example.com");
        let sent = client
            .post(format!("{address}/graphql"))
            .json(&json!({
                "query": "mutation($i: CreateUserInput!) { createUser(input: $i) { id } }",
                "variables": { "i": { "name": "Writer", "email": email, "age": 30 } },
            }))
            .send()
            .await;
        let Ok(response) = sent else { break };
        let Ok(body) = response.json::<Value>().await else {
            break;
        };
        if body["data"]["createUser"]["id"].is_i64() {
            acknowledged.push(email);
        } else if body["errors"][0]["extensions"]["code"] != "SERVICE_UNAVAILABLE" {
            panic!("a write failed: {body:#}");
        }
    }
    acknowledged
}

fn start_writers(server: &Server, round: usize) -> JoinSet<Vec<String>> {
    let mut writers = JoinSet::new();
    for writer in 0..WRITERS {
        writers.spawn(write_until_gone(
            server.address.clone(),
            format!("r{round}w{writer}"),
        ));
    }
    writers
}

/// Every e-mail address stored, read back through the API.
async fn stored_emails(server: &Server) -> HashSet<String> {
    let mut emails = HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let page = reqwest::Client::new()
            .post(format!("{}/graphql", server.address))
            .json(&json!({
                "query": "query($after: String) { userConnection(first: 100, after: $after) { \
                          nodes { email } pageInfo { hasNextPage endCursor } } }",
                "variables": { "after": after },
            }))
            .send()
            .await
            .expect("send")
            .json::<Value>()
            .await
            .expect("json");
        let connection = &page["data"]["userConnection"];
        for node in connection["nodes"].as_array().expect("nodes") {
            emails.insert(node["email"].as_str().expect("an email").to_owned());
        }
        if connection["pageInfo"]["hasNextPage"] != true {
            return emails;
        }
        after = connection["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned);
    }
}

async fn assert_sqlite_intact(database: &TestDatabase) {
    if database.sqlite_path().is_none() {
        return;
    }
    let db = Database::connect(&database.url)
        .await
        .expect("open the file");
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "PRAGMA integrity_check",
        ))
        .await
        .expect("integrity_check")
        .expect("a row");
    assert_eq!(row.try_get_by_index::<String>(0).expect("text"), "ok");
    let _ = db.close().await;
}

async fn acknowledged_writes_survive_kill_9(backend: Backend, env: &[(&str, &str)]) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let mut acknowledged = Vec::new();
    for round in 0..3 {
        let server = Server::start_with(&database.url, env);
        let mut writers = start_writers(&server, round);
        tokio::time::sleep(Duration::from_millis(600)).await;
        server.crash();
        while let Some(written) = writers.join_next().await {
            acknowledged.extend(written.expect("a writer"));
        }
    }
    assert!(acknowledged.len() > 50, "too few writes to mean anything");

    let server = Server::start(&database.url);
    let stored = stored_emails(&server).await;
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|e| !stored.contains(*e))
        .collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged writes lost: {lost:?}",
        lost.len()
    );
    server.stop();
    assert_sqlite_intact(&database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_acknowledged_writes_survive_kill_9() {
    acknowledged_writes_survive_kill_9(Backend::Sqlite, &[]).await;
}

/// `synchronous=NORMAL` gives up power-cut safety, not process-crash safety.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_normal_durability_survives_kill_9() {
    acknowledged_writes_survive_kill_9(Backend::Sqlite, &[("SQLITE_DURABILITY", "normal")]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_acknowledged_writes_survive_kill_9() {
    acknowledged_writes_survive_kill_9(Backend::Postgres, &[]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_in_flight_writes_and_exits_despite_a_stuck_client() {
    let database = TestDatabase::create(Backend::Sqlite).await.expect("SQLite");
    let mut server = Server::start_with(&database.url, &[("SHUTDOWN_GRACE_SECS", "2")]);
    // A client that never finishes its request.
    let mut stuck = TcpStream::connect(server.address.trim_start_matches("http://"))
        .await
        .expect("connect");
    stuck
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99\r\n\r\n{")
        .await
        .expect("write");
    let mut writers = start_writers(&server, 0);
    tokio::time::sleep(Duration::from_millis(400)).await;

    let asked = Instant::now();
    server.terminate();
    let exit = tokio::task::block_in_place(|| server.wait_at_most(Duration::from_secs(8)));
    let exit = exit.expect("agora exits within the grace period and a little more");
    assert!(exit.success(), "agora exited with {exit}");
    assert!(
        asked.elapsed() < Duration::from_secs(6),
        "{:?}",
        asked.elapsed()
    );

    let mut acknowledged = Vec::new();
    while let Some(written) = writers.join_next().await {
        acknowledged.extend(written.expect("a writer"));
    }
    drop(stuck);
    let server = Server::start(&database.url);
    let stored = stored_emails(&server).await;
    assert!(!acknowledged.is_empty());
    assert!(acknowledged.iter().all(|email| stored.contains(email)));
    server.stop();
}

#[test]
fn a_corrupt_database_file_is_a_clear_start_up_error() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("app.db"), vec![0x5a_u8; 8192]).expect("write garbage");
    let output = std::process::Command::new(AGORA)
        .args(["migrate", "status"])
        .env("DATABASE_URL", sqlite_url(dir.path()))
        .output()
        .expect("run agora");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot open the database"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    use tokio::io::AsyncReadExt as _;

    let database = TestDatabase::create(Backend::Sqlite).await.expect("SQLite");
    let server = Server::start_with(&database.url, &[("HEADER_READ_TIMEOUT_SECS", "1")]);
    let mut slow = TcpStream::connect(server.address.trim_start_matches("http://"))
        .await
        .expect("connect");
    slow.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n")
        .await
        .expect("write");
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), slow.read_to_end(&mut rest)).await;
    assert!(closed.is_ok(), "the connection is still open");
    server.stop();
}

/// Sends `createUsers` batches of 50 users, each with two posts, until the server stops
/// answering; returns the tags of the acknowledged batches.
async fn bulk_write_until_gone(address: String, writer: usize) -> Vec<String> {
    let client = reqwest::Client::new();
    let mut acknowledged = Vec::new();
    for batch in 0.. {
        let tag = format!("w{writer}b{batch}");
        let inputs: Vec<Value> = (0..50)
            .map(|i| {
                json!({ "name": "Bulk writer", "email": format!("{tag}-{i}@example.com"), "age": 30,
                        "posts": [
                            { "title": "First title", "content": "Twenty characters or more." },
                            { "title": "Second title", "content": "Twenty characters or more." },
                        ] })
            })
            .collect();
        let sent = client
            .post(format!("{address}/graphql"))
            .json(&json!({
                "query": "mutation($inputs: [CreateUserInput!]!) { createUsers(inputs: $inputs) { id } }",
                "variables": { "inputs": inputs },
            }))
            .send()
            .await;
        let Ok(response) = sent else { break };
        let Ok(body) = response.json::<Value>().await else {
            break;
        };
        if body["data"]["createUsers"]
            .as_array()
            .is_some_and(|users| users.len() == 50)
        {
            acknowledged.push(tag);
        } else if body["errors"][0]["extensions"]["code"] != "SERVICE_UNAVAILABLE" {
            panic!("a bulk write failed: {body:#}");
        }
    }
    acknowledged
}

/// `kill -9` while bulk creates run: every batch is all there (its 50 users, 100 posts) or
/// not there at all, and every acknowledged one is there.
async fn bulk_writes_are_whole_or_absent_after_kill_9(backend: Backend) {
    let Some(database) = TestDatabase::create(backend).await else {
        return;
    };
    let mut acknowledged = Vec::new();
    for _ in 0..2 {
        let server = Server::start(&database.url);
        let mut writers = JoinSet::new();
        for writer in 0..4 {
            writers.spawn(bulk_write_until_gone(
                server.address.clone(),
                writer + acknowledged.len() * 10,
            ));
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
        server.crash();
        while let Some(written) = writers.join_next().await {
            acknowledged.extend(written.expect("a writer"));
        }
    }
    assert!(
        acknowledged.len() >= 4,
        "too few batches to mean anything: {acknowledged:?}"
    );

    let server = Server::start(&database.url);
    let mut batches: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for email in stored_emails(&server).await {
        let tag = email.split('-').next().unwrap_or_default().to_owned();
        *batches.entry(tag).or_default() += 1;
    }
    eprintln!(
        "{backend:?}: {} batches acknowledged, {} stored",
        acknowledged.len(),
        batches.len()
    );
    let torn: Vec<_> = batches.iter().filter(|(_, users)| **users != 50).collect();
    assert!(torn.is_empty(), "batches cut in part: {torn:?}");
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|tag| !batches.contains_key(*tag))
        .collect();
    assert!(lost.is_empty(), "acknowledged batches lost: {lost:?}");
    server.stop();
    let db = Database::connect(&database.url).await.expect("connect");
    let row = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM users WHERE (SELECT COUNT(*) FROM posts WHERE posts.author_id = users.id) <> 2",
        ))
        .await
        .expect("count")
        .expect("a row");
    assert_eq!(
        row.try_get::<i64>("", "n").expect("a count"),
        0,
        "a user without both posts"
    );
    let _ = db.close().await;
    assert_sqlite_intact(&database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_bulk_writes_are_whole_or_absent_after_kill_9() {
    bulk_writes_are_whole_or_absent_after_kill_9(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_bulk_writes_are_whole_or_absent_after_kill_9() {
    bulk_writes_are_whole_or_absent_after_kill_9(Backend::Postgres).await;
}
