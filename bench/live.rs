//! The live-data load tool of `bench/live.sh` (not a test): commit-to-delivery latency at a
//! given write rate, deliveries per second to many subscribers, and the memory of idle
//! subscribed sockets. Every mode prints one line of `key=value` pairs.
//!
//!   live-bench latency SUBSCRIBE_ADDRESS WRITE_ADDRESS RATE SECONDS
//!   live-bench fanout ADDRESS SUBSCRIBERS EVENTS SERVER_PID
//!   live-bench idle ADDRESS SOCKETS SERVER_PID

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::Message;

/// When each write was requested, and acknowledged, by its e-mail.
type Sent = Arc<Mutex<HashMap<String, (Instant, Option<Instant>)>>>;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens a graphql-transport-ws socket, initialises it and subscribes to `query`.
async fn subscribe(address: &str, query: &str) -> Socket {
    let url = format!("{}/graphql", address.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request().expect("a request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        HeaderValue::from_static("graphql-transport-ws"),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("connect");
    let send = |value: Value| Message::text(value.to_string());
    ws.send(send(json!({ "type": "connection_init" })))
        .await
        .expect("init");
    ws.next().await.expect("ack").expect("ack");
    ws.send(send(
        json!({ "id": "1", "type": "subscribe", "payload": { "query": query } }),
    ))
    .await
    .expect("subscribe");
    // Subscribed once the ping sent after it is answered.
    ws.send(send(json!({ "type": "ping" })))
        .await
        .expect("ping");
    loop {
        let message = ws.next().await.expect("pong").expect("pong");
        if message.to_text().unwrap_or_default().contains("pong") {
            return ws;
        }
    }
}

/// The next `next` payload of a socket (answering pings), or `None` after `wait` of silence.
async fn next(ws: &mut Socket, wait: Duration) -> Option<Value> {
    loop {
        let message = tokio::time::timeout(wait, ws.next()).await.ok()??.ok()?;
        let Message::Text(text) = message else {
            continue;
        };
        let value: Value = serde_json::from_str(&text).ok()?;
        match value["type"].as_str() {
            Some("next") => return Some(value["payload"].clone()),
            Some("ping") => {
                let _ = ws.send(Message::text(r#"{"type":"pong"}"#)).await;
            }
            _ => {}
        }
    }
}

/// Creates a user with `email` through `address`.
async fn create_user(client: &reqwest::Client, address: &str, email: &str) {
    let body = json!({
        "query": "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
        "variables": { "input": { "name": "Bench", "email": email, "age": 30 } },
    });
    let response: Value = client
        .post(format!("{address}/graphql"))
        .json(&body)
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(response.get("errors").is_none(), "{response}");
}

/// The `q` quantile of sorted `values`, in milliseconds.
fn quantile(values: &[Duration], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let index = ((values.len() as f64 * q).ceil() as usize).clamp(1, values.len()) - 1;
    values[index].as_secs_f64() * 1000.0
}

/// CPU seconds (user + system) of process `pid` so far.
fn cpu_seconds(pid: &str) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = fields
        .get(11..13)
        .map(|t| t.iter().filter_map(|v| v.parse::<f64>().ok()).sum())
        .unwrap_or(0.0);
    ticks / 100.0
}

/// Resident memory of process `pid`, in KiB.
fn rss_kib(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.split_whitespace().next()?.parse().ok())
        .unwrap_or(f64::NAN)
}

/// Writes at `rate` per second for `seconds` through `write`, one subscriber on `subscribe`:
/// the time from each write's request to its delivery, and from its acknowledgement.
async fn latency(subscribe_address: &str, write: &str, rate: u64, seconds: u64) {
    let tag = std::process::id();
    let mut ws = subscribe(subscribe_address, "subscription { userCreated { email } }").await;
    let sent: Sent = Arc::default();
    let total = rate * seconds;
    let writer = {
        let sent = sent.clone();
        let write = write.to_owned();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            let in_flight = Arc::new(Semaphore::new(256));
            let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate as f64));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
            let mut tasks = tokio::task::JoinSet::new();
            for n in 0..total {
                tick.tick().await;
                let permit = in_flight.clone().acquire_owned().await.expect("a permit");
                let (client, write, sent) = (client.clone(), write.clone(), sent.clone());
                tasks.spawn(async move {
                    let email = format!("lat-{tag}-{n}@example.com");
                    let started = Instant::now();
                    sent.lock()
                        .expect("lock")
                        .insert(email.clone(), (started, None));
                    create_user(&client, &write, &email).await;
                    if let Some(entry) = sent.lock().expect("lock").get_mut(&email) {
                        entry.1 = Some(Instant::now());
                    }
                    drop(permit);
                });
            }
            while tasks.join_next().await.is_some() {}
        })
    };
    let started = Instant::now();
    let (mut from_request, mut from_ack) = (Vec::new(), Vec::new());
    while (from_request.len() as u64) < total {
        let Some(payload) = next(&mut ws, Duration::from_secs(10)).await else {
            break;
        };
        let delivered = Instant::now();
        let email = payload["data"]["userCreated"]["email"]
            .as_str()
            .unwrap_or_default();
        let Some((requested, acked)) = sent.lock().expect("lock").get(email).copied() else {
            continue;
        };
        from_request.push(delivered - requested);
        // Negative (delivered before the writer read its answer) counts as zero.
        from_ack.push(acked.map_or(Duration::ZERO, |acked| {
            delivered.saturating_duration_since(acked)
        }));
    }
    let elapsed = started.elapsed().as_secs_f64();
    writer.await.expect("the writer");
    from_request.sort();
    from_ack.sort();
    println!(
        "delivered={} of={} rate={:.0} request_p50={:.2} request_p99={:.2} ack_p50={:.2} ack_p99={:.2}",
        from_request.len(),
        total,
        from_request.len() as f64 / elapsed,
        quantile(&from_request, 0.5),
        quantile(&from_request, 0.99),
        quantile(&from_ack, 0.5),
        quantile(&from_ack, 0.99),
    );
}

/// `subscribers` sockets each receive `events` creations: deliveries per second and per
/// server CPU second.
async fn fanout(address: &str, subscribers: usize, events: usize, pid: &str) {
    let tag = std::process::id();
    let mut sockets = Vec::with_capacity(subscribers);
    for _ in 0..subscribers {
        sockets.push(subscribe(address, "subscription { userCreated { id } }").await);
    }
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    let mut readers = tokio::task::JoinSet::new();
    for mut ws in sockets {
        readers.spawn(async move {
            let mut got = 0;
            while got < events {
                if next(&mut ws, Duration::from_secs(20)).await.is_none() {
                    break;
                }
                got += 1;
            }
            (got, Instant::now())
        });
    }
    let client = reqwest::Client::new();
    let writers = 16;
    let mut writing = tokio::task::JoinSet::new();
    for w in 0..writers {
        let (client, address) = (client.clone(), address.to_owned());
        writing.spawn(async move {
            for n in (w..events).step_by(writers) {
                create_user(&client, &address, &format!("fan-{tag}-{n}@example.com")).await;
            }
        });
    }
    while writing.join_next().await.is_some() {}
    let (mut delivered, mut last) = (0, started);
    while let Some(result) = readers.join_next().await {
        let (got, at) = result.expect("a reader");
        delivered += got;
        last = last.max(at);
    }
    let elapsed = (last - started).as_secs_f64();
    let cpu = cpu_seconds(pid) - cpu_before;
    println!(
        "deliveries={delivered} expected={} seconds={elapsed:.2} per_second={:.0} server_cpu_s={cpu:.2} per_cpu_second={:.0}",
        subscribers * events,
        delivered as f64 / elapsed,
        delivered as f64 / cpu.max(f64::EPSILON),
    );
}

/// Opens `count` subscribed sockets and holds them: the server's memory per socket.
async fn idle(address: &str, count: usize, pid: &str) {
    let before = rss_kib(pid);
    let mut sockets = Vec::with_capacity(count);
    let limit = Arc::new(Semaphore::new(64));
    let mut opening = tokio::task::JoinSet::new();
    for _ in 0..count {
        let (address, limit) = (address.to_owned(), limit.clone());
        opening.spawn(async move {
            let _permit = limit.acquire_owned().await.expect("a permit");
            subscribe(&address, "subscription { userCreated { id } }").await
        });
    }
    while let Some(socket) = opening.join_next().await {
        sockets.push(socket.expect("a socket"));
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(pid);
    println!(
        "sockets={} rss_before_mib={:.1} rss_after_mib={:.1} per_socket_kib={:.1}",
        sockets.len(),
        before / 1024.0,
        after / 1024.0,
        (after - before) / sockets.len() as f64,
    );
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let arg = |i: usize| args.get(i).map(String::as_str).unwrap_or_default();
    let number = |i: usize| arg(i).parse::<u64>().expect("a number");
    match arg(0) {
        "latency" => latency(arg(1), arg(2), number(3), number(4)).await,
        "fanout" => fanout(arg(1), number(2) as usize, number(3) as usize, arg(4)).await,
        "idle" => idle(arg(1), number(2) as usize, arg(3)).await,
        _ => {
            eprintln!("usage: see the top of bench/live.rs");
            std::process::exit(2);
        }
    }
}
