//! What the people who run agora see: logs (pretty or JSON), a span per request with its id,
//! and Prometheus metrics (requests, latency, SQL statements, pool use) on `/metrics`.

use std::cell::Cell;
use std::collections::HashSet;
use std::future::Future;
use std::sync::{Mutex, OnceLock};

use clap::ValueEnum;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use sea_orm::DatabaseConnection;
use tracing_subscriber::EnvFilter;

/// How logs are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines (colours on a terminal).
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// Sets up logging to stderr, filtered by `RUST_LOG` (default `info`).
pub fn init_logging(format: LogFormat) {
    use std::io::IsTerminal as _;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Pretty => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        LogFormat::Json => builder.json().with_current_span(true).init(),
    }
}

tokio::task_local! {
    /// SQL statements run by the current request (DataLoader batches run on its task too).
    static STATEMENTS: Cell<u64>;
}

/// Counts one SQL statement, for the process and for the request running it. This is the
/// database connection's metric callback.
pub fn count_statement() {
    metrics::counter!("agora_sql_statements_total").increment(1);
    add_statements(1);
}

/// Counts `statements` run for the current request elsewhere (on a task of their own).
pub fn add_statements(statements: u64) {
    let _ = STATEMENTS.try_with(|count| count.set(count.get() + statements));
}

/// Runs `work` and returns its output with the SQL statements it ran.
pub async fn counting_statements<F: Future>(work: F) -> (F::Output, u64) {
    STATEMENTS
        .scope(Cell::new(0), async move {
            let output = work.await;
            (output, STATEMENTS.with(Cell::get))
        })
        .await
}

/// Distinct operation names kept as metric labels; later ones count as `other`, so clients
/// cannot grow the metrics without bound.
const MAX_OPERATION_LABELS: usize = 200;

/// The metrics label for an operation name.
fn operation_label(name: Option<&str>) -> String {
    static SEEN: OnceLock<Mutex<HashSet<String>>> = OnceLock::new();
    let Some(name) = name else {
        return "anonymous".to_owned();
    };
    let well_formed =
        name.len() <= 64 && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    let Ok(mut seen) = SEEN.get_or_init(Mutex::default).lock() else {
        return "other".to_owned();
    };
    if well_formed && (seen.contains(name) || seen.len() < MAX_OPERATION_LABELS) {
        seen.insert(name.to_owned());
        name.to_owned()
    } else {
        "other".to_owned()
    }
}

/// Records one GraphQL request: its operation, outcome (`ok`, `error`), duration and SQL
/// statements.
pub fn record_request(
    operation: Option<&str>,
    outcome: &'static str,
    seconds: f64,
    statements: u64,
) {
    let operation = operation_label(operation);
    metrics::counter!("agora_graphql_requests_total", "operation" => operation.clone(), "outcome" => outcome)
        .increment(1);
    metrics::histogram!("agora_graphql_request_duration_seconds", "operation" => operation)
        .record(seconds);
    metrics::histogram!("agora_sql_statements_per_request").record(statements as f64);
}

/// Counts one request answered by the HTTP layer without running it (or, for `TIMEOUT`,
/// without finishing it), by its error code.
pub fn count_rejection(code: &'static str) {
    metrics::counter!("agora_rejections_total", "code" => code).increment(1);
}

/// Counts events the instance's reader took from the record.
pub fn count_events_read(events: u64) {
    metrics::counter!("agora_live_events_read_total").increment(events);
}

/// Counts one event delivered to one subscription, and how long after its write.
pub fn record_delivery(written: chrono::DateTime<chrono::Utc>) {
    metrics::counter!("agora_live_deliveries_total").increment(1);
    let delay = (chrono::Utc::now() - written).to_std().unwrap_or_default();
    metrics::histogram!("agora_live_delivery_latency_seconds").record(delay.as_secs_f64());
}

/// Counts a subscription ended because it could not keep up.
pub fn count_slow_consumer() {
    metrics::counter!("agora_live_slow_consumers_total").increment(1);
}

/// Open WebSockets and event streams move by `change` (+1 opened, -1 closed).
pub fn count_socket(change: f64) {
    metrics::gauge!("agora_live_connections").increment(change);
}

/// Active subscriptions move by `change`.
pub fn count_subscription(change: f64) {
    metrics::gauge!("agora_live_subscriptions").increment(change);
}

/// The process's Prometheus recorder, installed on first use (`None` if another recorder got
/// there first).
fn prometheus() -> Option<&'static PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| {
            let latency = [
                0.000_25, 0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                2.5, 5.0, 10.0,
            ];
            let statements = [1.0, 2.0, 3.0, 4.0, 5.0, 10.0, 20.0, 50.0];
            PrometheusBuilder::new()
                .set_buckets_for_metric(
                    metrics_exporter_prometheus::Matcher::Full(
                        "agora_graphql_request_duration_seconds".to_owned(),
                    ),
                    &latency,
                )
                .and_then(|builder| {
                    builder.set_buckets_for_metric(
                        metrics_exporter_prometheus::Matcher::Full(
                            "agora_sql_statements_per_request".to_owned(),
                        ),
                        &statements,
                    )
                })
                .and_then(|builder| {
                    builder.set_buckets_for_metric(
                        metrics_exporter_prometheus::Matcher::Full(
                            "agora_live_delivery_latency_seconds".to_owned(),
                        ),
                        &latency,
                    )
                })
                .and_then(PrometheusBuilder::install_recorder)
                .inspect_err(|err| tracing::warn!(error = %err, "metrics are off"))
                .ok()
        })
        .as_ref()
}

/// Installs the metrics recorder now, so counts start with the first request.
pub fn init_metrics() {
    let _ = prometheus();
}

/// The metrics in Prometheus' text format, with the pool's current use.
pub fn render_metrics(db: &DatabaseConnection) -> String {
    let (size, idle) = pool_use(db);
    metrics::gauge!("agora_db_pool_connections", "state" => "in_use")
        .set(f64::from(size) - idle as f64);
    metrics::gauge!("agora_db_pool_connections", "state" => "idle").set(idle as f64);
    prometheus()
        .map(PrometheusHandle::render)
        .unwrap_or_default()
}

/// Connections open in the pool, and how many of them are idle.
fn pool_use(db: &DatabaseConnection) -> (u32, usize) {
    match db.get_database_backend() {
        sea_orm::DatabaseBackend::Sqlite => {
            let pool = db.get_sqlite_connection_pool();
            (pool.size(), pool.num_idle())
        }
        sea_orm::DatabaseBackend::Postgres => {
            let pool = db.get_postgres_connection_pool();
            (pool.size(), pool.num_idle())
        }
        _ => (0, 0),
    }
}

/// Where `url` points, for the start-up log: never the password.
pub fn describe_database(url: &str) -> String {
    if let Some(rest) = url.strip_prefix("sqlite:") {
        let path = rest.trim_start_matches("//");
        let path = path.split('?').next().unwrap_or(path);
        return format!("SQLite file {path}");
    }
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host_and_db = without_scheme
        .rsplit_once('@')
        .map_or(without_scheme, |(_, rest)| rest);
    let host_and_db = host_and_db.split('?').next().unwrap_or(host_and_db);
    format!("PostgreSQL {host_and_db}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_descriptions_never_show_the_password() {
        let described =
            describe_database("postgres://agora:s3cret@db.example:5432/agora?sslmode=require");
        assert_eq!(described, "PostgreSQL db.example:5432/agora");
        assert_eq!(
            describe_database("sqlite://app.db?mode=rwc"),
            "SQLite file app.db"
        );
    }

    #[test]
    fn operation_labels_are_bounded_and_well_formed() {
        assert_eq!(operation_label(None), "anonymous");
        assert_eq!(operation_label(Some("GetUsers")), "GetUsers");
        assert_eq!(operation_label(Some("bad name{}")), "other");
    }
}
