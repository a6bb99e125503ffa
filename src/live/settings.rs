//! The settings of live data: retention, buffers, polling, and the limits of sockets.

use std::time::Duration;

/// How live data runs; each field is set by the environment variable (or flag) of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct LiveSettings {
    /// How long events are kept for `xChanges(after:)`, e.g. `24h`, `90m`; an older cursor is
    /// `CURSOR_EXPIRED`.
    #[arg(long, env = "EVENT_RETENTION", default_value = "24h", value_parser = humantime::parse_duration, global = true)]
    pub event_retention: Duration,
    /// Most events a subscription may fall behind before it is ended with `SLOW_CONSUMER`
    /// (one buffer shared by all subscriptions of an instance).
    #[arg(long, env = "EVENT_BUFFER", default_value_t = LiveSettings::DEFAULT.event_buffer, global = true)]
    pub event_buffer: usize,
    /// How often the event record is read when nothing signals a write, in milliseconds (what
    /// another process on the same SQLite file waits at most).
    #[arg(long, env = "EVENT_POLL_INTERVAL_MS", default_value_t = LiveSettings::DEFAULT.event_poll_interval_ms, global = true)]
    pub event_poll_interval_ms: u64,
    /// Most subscriptions (and operations in flight) on one WebSocket.
    #[arg(long, env = "MAX_SUBSCRIPTIONS_PER_CONNECTION", default_value_t = LiveSettings::DEFAULT.max_subscriptions_per_connection, global = true)]
    pub max_subscriptions_per_connection: usize,
    /// Most WebSockets and event streams (SSE) open at once; beyond that, 503.
    #[arg(long, env = "MAX_CONNECTIONS", default_value_t = LiveSettings::DEFAULT.max_connections, global = true)]
    pub max_connections: usize,
    /// How often the server pings a WebSocket (`ka` on the legacy protocol), in seconds.
    #[arg(long, env = "WS_KEEPALIVE_SECS", default_value_t = LiveSettings::DEFAULT.ws_keepalive_secs, global = true)]
    pub ws_keepalive_secs: u64,
    /// How long a WebSocket may take to send `connection_init`, in seconds (then 4408).
    #[arg(long, env = "WS_INIT_TIMEOUT_SECS", default_value_t = LiveSettings::DEFAULT.ws_init_timeout_secs, global = true)]
    pub ws_init_timeout_secs: u64,
}

impl LiveSettings {
    /// The settings when nothing is set.
    pub const DEFAULT: Self = Self {
        event_retention: Duration::from_secs(24 * 60 * 60),
        event_buffer: 1024,
        event_poll_interval_ms: 250,
        max_subscriptions_per_connection: 100,
        max_connections: 10_000,
        ws_keepalive_secs: 15,
        ws_init_timeout_secs: 3,
    };

    /// `EVENT_RETENTION` as a duration.
    pub fn retention(&self) -> Duration {
        self.event_retention
    }

    /// `EVENT_POLL_INTERVAL_MS` as a duration (at least 10 ms).
    pub fn poll_interval(&self) -> Duration {
        Duration::from_millis(self.event_poll_interval_ms.max(10))
    }
}

impl Default for LiveSettings {
    fn default() -> Self {
        Self::DEFAULT
    }
}
