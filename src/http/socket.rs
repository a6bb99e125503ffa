//! GraphQL over WebSocket on `/graphql`: the `graphql-transport-ws` protocol (graphql-ws,
//! Apollo Client, urql, GraphiQL) and the legacy `graphql-ws` one
//! (subscriptions-transport-ws), chosen by `Sec-WebSocket-Protocol`, with their close codes,
//! server keep-alive and the limits of every other request.
//!
//! One task per socket reads the client's messages and writes everything sent; each operation
//! runs in a task of its own and hands its messages to the socket's task through a small
//! bounded channel, so a client that does not read holds back its own operations (which then
//! fall behind and end with `SLOW_CONSUMER`), never the server's memory.

use std::collections::HashMap;
use std::time::Duration;

use async_graphql::futures_util::StreamExt as _;
use async_graphql::futures_util::stream::BoxStream;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use subtle::ConstantTimeEq as _;
use tokio::sync::{OwnedSemaphorePermit, mpsc};
use tokio::task::AbortHandle;

use super::media::failed_before_execution;
use super::operation::{self, Kind};
use super::{AppState, MAX_BODY_BYTES, Rejection, admit, may_mutate};
use crate::telemetry;

/// The protocols, most preferred first, by their `Sec-WebSocket-Protocol` names.
pub const PROTOCOLS: [&str; 2] = ["graphql-transport-ws", "graphql-ws"];

/// How many messages an operation may have waiting for the socket.
const OUTGOING: usize = 16;
/// How long one message may take to be written before the client is deemed gone.
const SEND_TIMEOUT: Duration = Duration::from_secs(30);
/// Each socket's read and write buffers: an idle socket costs a few KiB.
const SOCKET_BUFFER: usize = 4 * 1024;

/// The protocol of a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Protocol {
    /// `graphql-transport-ws`.
    TransportWs,
    /// `graphql-ws`, the legacy subscriptions-transport-ws protocol.
    Legacy,
}

impl Protocol {
    /// The keep-alive message the server sends.
    fn keepalive(self) -> String {
        match self {
            Self::TransportWs => json!({ "type": "ping" }).to_string(),
            Self::Legacy => json!({ "type": "ka" }).to_string(),
        }
    }

    /// The type of a result message.
    fn next(self) -> &'static str {
        match self {
            Self::TransportWs => "next",
            Self::Legacy => "data",
        }
    }
}

/// Upgrades the request to a GraphQL WebSocket, or answers why not: 400 without a known
/// protocol, 503 when `MAX_CONNECTIONS` sockets and streams are open.
pub fn upgrade(state: AppState, upgrade: WebSocketUpgrade, headers: &HeaderMap) -> Response {
    let upgrade = upgrade
        .protocols(PROTOCOLS)
        .read_buffer_size(SOCKET_BUFFER)
        .write_buffer_size(SOCKET_BUFFER)
        .max_write_buffer_size(MAX_BODY_BYTES * 16)
        .max_message_size(MAX_BODY_BYTES)
        .max_frame_size(MAX_BODY_BYTES);
    let protocol = match upgrade.selected_protocol().and_then(|p| p.to_str().ok()) {
        Some("graphql-transport-ws") => Protocol::TransportWs,
        Some("graphql-ws") => Protocol::Legacy,
        _ => {
            return (
                axum::http::StatusCode::BAD_REQUEST,
                "GraphQL over WebSocket needs Sec-WebSocket-Protocol: graphql-transport-ws \
                 (or the legacy graphql-ws)",
            )
                .into_response();
        }
    };
    let Ok(permit) = state.connections.clone().try_acquire_owned() else {
        let max = state.hub.settings().max_connections;
        return Rejection::TooManyConnections(max).into_response();
    };
    let header_may_mutate = may_mutate(&state.settings, headers);
    upgrade.on_upgrade(move |socket| {
        let connection = Connection {
            protocol,
            state,
            initialised: false,
            acknowledged: false,
            may_mutate: header_may_mutate,
            operations: HashMap::new(),
            started: 0,
        };
        connection.serve(socket, permit)
    })
}

/// A message for the socket: its text, and the operation it ends (if it does), by id and
/// serial number (a completed id may be used again at once; the old operation's last message
/// must not end the new one).
struct Outgoing {
    text: String,
    ends: Option<(String, u64)>,
}

/// Why the socket closes: a code of the protocol and its reason.
struct Close(u16, String);

/// One socket's state.
struct Connection {
    protocol: Protocol,
    state: AppState,
    initialised: bool,
    acknowledged: bool,
    may_mutate: bool,
    /// The running operations by id: serial number and task.
    operations: HashMap<String, (u64, AbortHandle)>,
    started: u64,
}

impl Connection {
    async fn serve(mut self, mut socket: WebSocket, _permit: OwnedSemaphorePermit) {
        telemetry::count_socket(1.0);
        let settings = *self.state.hub.settings();
        let (sender, mut outgoing) = mpsc::channel::<Outgoing>(OUTGOING);
        let init_deadline = tokio::time::sleep(Duration::from_secs(settings.ws_init_timeout_secs));
        tokio::pin!(init_deadline);
        let keepalive = Duration::from_secs(settings.ws_keepalive_secs.max(1));
        let mut keepalive =
            tokio::time::interval_at(tokio::time::Instant::now() + keepalive, keepalive);
        let closed = self.state.hub.closed();
        tokio::pin!(closed);
        let close = 'serving: loop {
            let sent = tokio::select! {
                () = &mut closed => break Some(Close(1001, "The server is shutting down".into())),
                Some(message) = outgoing.recv() => {
                    if let Some((id, serial)) = &message.ends
                        && self.operations.get(id).is_some_and(|(running, _)| running == serial)
                    {
                        self.operations.remove(id);
                    }
                    vec![message.text]
                }
                received = socket.recv() => match received {
                    Some(Ok(Message::Text(text))) => match self.receive(text.as_str(), &sender).await {
                        Ok(replies) => replies,
                        Err(close) => break Some(close),
                    },
                    Some(Ok(Message::Binary(_))) => {
                        break Some(Close(4400, "Messages are JSON text".into()));
                    }
                    Some(Ok(Message::Ping(_) | Message::Pong(_))) => continue,
                    Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break None,
                },
                () = &mut init_deadline, if !self.initialised => {
                    break Some(Close(4408, "Connection initialisation timeout".into()));
                }
                _ = keepalive.tick(), if self.acknowledged => vec![self.protocol.keepalive()],
            };
            for text in sent {
                let send = socket.send(Message::Text(text.into()));
                if !matches!(tokio::time::timeout(SEND_TIMEOUT, send).await, Ok(Ok(()))) {
                    break 'serving None;
                }
            }
        };
        for (_, operation) in self.operations.values() {
            operation.abort();
        }
        if let Some(Close(code, reason)) = close {
            let frame = CloseFrame {
                code,
                reason: reason.into(),
            };
            let _ =
                tokio::time::timeout(SEND_TIMEOUT, socket.send(Message::Close(Some(frame)))).await;
        }
        telemetry::count_socket(-1.0);
    }

    /// Handles one message of the client: the replies to send at once, or the reason to close
    /// the socket.
    async fn receive(
        &mut self,
        text: &str,
        sender: &mpsc::Sender<Outgoing>,
    ) -> Result<Vec<String>, Close> {
        let invalid = |detail: &str| Close(4400, format!("Invalid message: {detail}"));
        let message: Value = serde_json::from_str(text).map_err(|_| invalid("not JSON"))?;
        let kind = message
            .get("type")
            .and_then(Value::as_str)
            .ok_or_else(|| invalid("no type"))?;
        match (self.protocol, kind) {
            (_, "connection_init") => self.initialise(message.get("payload")),
            (Protocol::TransportWs, "ping") => Ok(vec![json!({ "type": "pong" }).to_string()]),
            (Protocol::TransportWs, "pong") => Ok(Vec::new()),
            (Protocol::TransportWs, "subscribe") | (Protocol::Legacy, "start") => {
                let id = operation_id(&message).ok_or_else(|| invalid("no id"))?;
                let payload = message
                    .get("payload")
                    .cloned()
                    .ok_or_else(|| invalid("no payload"))?;
                let request: async_graphql::Request = serde_json::from_value(payload)
                    .map_err(|err| invalid(&format!("not a GraphQL request: {err}")))?;
                Ok(self.start(id, request, sender).await?.into_iter().collect())
            }
            (Protocol::TransportWs, "complete") | (Protocol::Legacy, "stop") => {
                let id = operation_id(&message).ok_or_else(|| invalid("no id"))?;
                if let Some((_, operation)) = self.operations.remove(&id) {
                    operation.abort();
                }
                Ok(Vec::new())
            }
            (Protocol::Legacy, "connection_terminate") => {
                Err(Close(1000, "Terminated by the client".into()))
            }
            (_, other) => Err(invalid(&format!("unknown type {other}"))),
        }
    }

    /// `connection_init`: checks the admin secret its payload may carry and acknowledges.
    fn initialise(&mut self, payload: Option<&Value>) -> Result<Vec<String>, Close> {
        if self.initialised {
            return Err(Close(4429, "Too many initialisation requests".into()));
        }
        self.initialised = true;
        if let Some(secret) = &self.state.settings.admin_secret
            && let Some(token) = payload.and_then(bearer_token)
        {
            if !bool::from(token.as_bytes().ct_eq(secret.as_bytes())) {
                return Err(Close(4403, "Forbidden".into()));
            }
            self.may_mutate = true;
        }
        self.acknowledged = true;
        let ack = json!({ "type": "connection_ack" }).to_string();
        Ok(match self.protocol {
            Protocol::TransportWs => vec![ack],
            // The legacy protocol's clients expect a keep-alive right after the ack.
            Protocol::Legacy => vec![ack, self.protocol.keepalive()],
        })
    }

    /// `subscribe` (`start`): admits the request as over HTTP and runs it in a task of its
    /// own; a refusal is an `error` message for the operation.
    async fn start(
        &mut self,
        id: String,
        mut request: async_graphql::Request,
        sender: &mpsc::Sender<Outgoing>,
    ) -> Result<Option<String>, Close> {
        if !self.acknowledged {
            return Err(Close(4401, "Unauthorized".into()));
        }
        if self.operations.contains_key(&id) {
            return match self.protocol {
                Protocol::TransportWs => {
                    Err(Close(4409, format!("Subscriber for {id} already exists")))
                }
                Protocol::Legacy => Ok(Some(error_message(
                    &id,
                    &Rejection::DuplicateOperation.errors(),
                ))),
            };
        }
        let max = self.state.hub.settings().max_subscriptions_per_connection;
        if self.operations.len() >= max {
            return Ok(Some(error_message(
                &id,
                &Rejection::TooManySubscriptions(max).errors(),
            )));
        }
        if let Err(rejection) = admit(&self.state, &mut request) {
            return Ok(Some(error_message(&id, &rejection.errors())));
        }
        let kind = operation::kind_of(&self.state, &mut request).await;
        if kind == Kind::Mutation && !self.may_mutate {
            return Ok(Some(error_message(
                &id,
                &Rejection::MutationNeedsSecret.errors(),
            )));
        }
        self.started += 1;
        let operation = Operation {
            id: id.clone(),
            serial: self.started,
            protocol: self.protocol,
            sender: sender.clone(),
        };
        let results = operation::results(&self.state, request, kind);
        let task = tokio::spawn(operation.run(results));
        self.operations
            .insert(id, (self.started, task.abort_handle()));
        Ok(None)
    }
}

/// The `error` message of operation `id` (both protocols).
fn error_message(id: &str, errors: &Value) -> String {
    json!({ "id": id, "type": "error", "payload": errors }).to_string()
}

/// The admin secret a `connection_init` payload carries: `authorization` (any case), as
/// `Bearer <secret>` like the HTTP header, or bare.
fn bearer_token(payload: &Value) -> Option<&str> {
    let object = payload.as_object()?;
    let value = object
        .iter()
        .find(|(key, _)| key.eq_ignore_ascii_case("authorization"))?
        .1
        .as_str()?;
    Some(value.strip_prefix("Bearer ").unwrap_or(value).trim())
}

/// The `id` of an operation message (a non-empty string).
fn operation_id(message: &Value) -> Option<String> {
    message
        .get("id")
        .and_then(Value::as_str)
        .filter(|id| !id.is_empty())
        .map(str::to_owned)
}

/// One running operation of a socket.
struct Operation {
    id: String,
    serial: u64,
    protocol: Protocol,
    sender: mpsc::Sender<Outgoing>,
}

impl Operation {
    /// Sends `text` to the socket (waiting while its queue is full); false when it is gone.
    async fn send(&self, text: String, last: bool) -> bool {
        let ends = last.then(|| (self.id.clone(), self.serial));
        self.sender.send(Outgoing { text, ends }).await.is_ok()
    }

    fn next(&self, response: &async_graphql::Response) -> String {
        json!({ "id": self.id, "type": self.protocol.next(), "payload": response }).to_string()
    }

    fn complete(&self) -> String {
        json!({ "id": self.id, "type": "complete" }).to_string()
    }

    /// One `next` per result, then `complete`; a request that fails before execution is one
    /// `error` instead.
    async fn run(self, mut results: BoxStream<'static, async_graphql::Response>) {
        let mut first = true;
        while let Some(response) = results.next().await {
            if first && failed_before_execution(&response) {
                let errors = serde_json::to_value(&response.errors).unwrap_or_default();
                self.send(error_message(&self.id, &errors), true).await;
                return;
            }
            first = false;
            if !self.send(self.next(&response), false).await {
                return;
            }
        }
        self.send(self.complete(), true).await;
    }
}
