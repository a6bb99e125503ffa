//! A GraphQL-over-WebSocket client for the tests, speaking either protocol as a client library
//! would, with every wait bounded.

use std::collections::VecDeque;
use std::time::Duration;

use futures::{SinkExt as _, StreamExt as _};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest as _;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long any one wait for the server may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// One open socket to agora's `/graphql`.
pub struct Socket {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Messages that arrived while waiting for something else.
    early: VecDeque<Value>,
}

/// What the server's handshake answer was, when it refused the upgrade.
pub async fn refused_upgrade(address: &str, protocol: Option<&str>) -> u16 {
    match connect(address, protocol).await {
        Ok(_) => panic!("the upgrade was accepted"),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("unexpected handshake error: {other}"),
    }
}

async fn connect(
    address: &str,
    protocol: Option<&str>,
) -> Result<Socket, tokio_tungstenite::tungstenite::Error> {
    let url = format!("{}/graphql", address.replacen("http://", "ws://", 1));
    let mut request = url.into_client_request()?;
    if let Some(protocol) = protocol {
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_str(protocol).expect("a header value"),
        );
    }
    let (ws, _) = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(request))
        .await
        .expect("connect in time")?;
    Ok(Socket {
        ws,
        early: VecDeque::new(),
    })
}

impl Socket {
    /// Opens a socket with the `graphql-transport-ws` protocol (not yet initialised).
    pub async fn open(address: &str) -> Self {
        Self::open_with(address, "graphql-transport-ws").await
    }

    /// Opens a socket with the given subprotocol.
    pub async fn open_with(address: &str, protocol: &str) -> Self {
        connect(address, Some(protocol)).await.expect("upgrade")
    }

    /// Like `ready`, over a connection whose receive buffer is as small as the system allows,
    /// so that a client that stops reading soon stops the server's writes.
    pub async fn ready_with_small_buffer(address: &str) -> Self {
        let url = format!("{}/graphql", address.replacen("http://", "ws://", 1));
        let host = address.trim_start_matches("http://");
        let tcp = tokio::net::TcpSocket::new_v4().expect("a socket");
        tcp.set_recv_buffer_size(4096)
            .expect("a small receive buffer");
        let stream = tcp
            .connect(host.parse().expect("an address"))
            .await
            .expect("connect");
        let mut request = url.into_client_request().expect("a request");
        request.headers_mut().insert(
            "Sec-WebSocket-Protocol",
            HeaderValue::from_static("graphql-transport-ws"),
        );
        let (ws, _) = tokio_tungstenite::client_async(request, MaybeTlsStream::Plain(stream))
            .await
            .expect("upgrade");
        let mut socket = Self {
            ws,
            early: VecDeque::new(),
        };
        socket.init(json!({})).await;
        socket
    }

    /// Opens a `graphql-transport-ws` socket and initialises it.
    pub async fn ready(address: &str) -> Self {
        let mut socket = Self::open(address).await;
        socket.init(json!({})).await;
        socket
    }

    /// Sends one JSON message.
    pub async fn send(&mut self, message: Value) {
        self.ws
            .send(Message::text(message.to_string()))
            .await
            .expect("send a message");
    }

    /// Sends `connection_init` and expects `connection_ack`.
    pub async fn init(&mut self, payload: Value) {
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = self.receive().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
    }

    /// The next message from the server, answering its pings on the way.
    pub async fn receive(&mut self) -> Value {
        if let Some(early) = self.early.pop_front() {
            return early;
        }
        self.receive_now().await
    }

    /// The next message exactly as sent (pings included).
    pub async fn raw(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("a message in time")
                .expect("the socket is open")
                .expect("a readable message");
            if let Message::Text(text) = message {
                return serde_json::from_str(&text).expect("JSON");
            }
        }
    }

    async fn receive_now(&mut self) -> Value {
        loop {
            let message = self.raw().await;
            if message["type"] != "ping" {
                return message;
            }
            self.send(json!({ "type": "pong" })).await;
        }
    }

    /// Starts operation `id` and waits until the server has taken it (a ping sent after it is
    /// answered only once it is).
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({
            "id": id,
            "type": "subscribe",
            "payload": { "query": query, "variables": variables },
        }))
        .await;
        self.send(json!({ "type": "ping" })).await;
        loop {
            let message = self.receive_now().await;
            if message["type"] == "pong" {
                return;
            }
            self.early.push_back(message);
        }
    }

    /// The payload of the next `next` message, which must be of operation `id`.
    pub async fn next(&mut self, id: &str) -> Value {
        let message = self.receive().await;
        assert_eq!(message["type"], "next", "{message}");
        assert_eq!(message["id"], id, "{message}");
        message["payload"].clone()
    }

    /// The `data` of the next `next` message of `id`, which must have no errors.
    pub async fn data(&mut self, id: &str) -> Value {
        let payload = self.next(id).await;
        assert!(payload.get("errors").is_none(), "{payload}");
        payload["data"].clone()
    }

    /// Asserts that nothing arrives for `quiet` (pings answered).
    pub async fn nothing_for(&mut self, quiet: Duration) {
        assert!(
            self.early.is_empty(),
            "expected nothing, got {:?}",
            self.early
        );
        let deadline = tokio::time::Instant::now() + quiet;
        loop {
            match tokio::time::timeout_at(deadline, self.ws.next()).await {
                Err(_) => return,
                Ok(Some(Ok(Message::Text(text)))) => {
                    let value: Value = serde_json::from_str(&text).expect("JSON");
                    if value["type"] == "ping" {
                        self.send(json!({ "type": "pong" })).await;
                        continue;
                    }
                    panic!("expected nothing, got {value}");
                }
                Ok(Some(Ok(_))) => {}
                Ok(other) => panic!("the socket ended: {other:?}"),
            }
        }
    }

    /// Waits for the server to close the socket; its close code and reason.
    pub async fn closed(&mut self) -> (u16, String) {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("the close in time");
            match message {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return (frame.code.into(), frame.reason.to_string());
                }
                Some(Ok(Message::Close(None))) | None => return (1005, String::new()),
                Some(Ok(_)) => {}
                Some(Err(err)) => panic!("socket error before the close: {err}"),
            }
        }
    }
}
