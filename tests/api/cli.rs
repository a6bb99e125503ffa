//! The `agora` binary itself: `schema`, `migrate`, and data that survives a restart.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use serde_json::{Value, json};

const AGORA: &str = env!("CARGO_BIN_EXE_agora");

fn agora(database_url: &str) -> Command {
    let mut command = Command::new(AGORA);
    command
        .env("DATABASE_URL", database_url)
        .env("HOST", "127.0.0.1")
        .env("PORT", "0")
        .env("RUST_LOG", "info");
    command
}

fn sqlite_url(dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("app.db").display())
}

/// A running `agora serve` and the address it listens on.
struct Server {
    child: Child,
    address: String,
}

impl Server {
    fn start(database_url: &str) -> Self {
        let mut child = agora(database_url)
            .stderr(Stdio::piped())
            .spawn()
            .expect("start agora");
        let stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        // Keep draining the log so the server never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("listening on ").nth(1) {
                    let address = rest
                        .split_whitespace()
                        .next()
                        .unwrap_or_default()
                        .to_owned();
                    let _ = tx.send(address);
                }
            }
        });
        let address = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("agora reports its address");
        Self { child, address }
    }

    async fn graphql(&self, query: &str) -> Value {
        reqwest::Client::new()
            .post(format!("{}/graphql", self.address))
            .json(&json!({ "query": query }))
            .send()
            .await
            .expect("send")
            .json()
            .await
            .expect("json")
    }

    /// Sends SIGTERM and waits for a clean exit.
    fn stop(mut self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let exit = self.child.wait().expect("wait for agora");
        assert!(exit.success(), "agora exited with {exit}");
    }
}

#[tokio::test]
async fn data_survives_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = sqlite_url(dir.path());

    let server = Server::start(&url);
    let created = server
        .graphql(r#"mutation { createUser(input: { name: "Ada", email: "ada@example.com", age: 36 }) { id } }"#)
        .await;
    assert!(created.get("errors").is_none(), "{created:#}");
    server.stop();

    let server = Server::start(&url);
    let read = server.graphql("{ users { name email } }").await;
    assert_eq!(
        read["data"]["users"],
        json!([{ "name": "Ada", "email": "ada@example.com" }])
    );
    server.stop();
}

#[test]
fn schema_command_prints_the_checked_in_schema() {
    let output = Command::new(AGORA)
        .arg("schema")
        .output()
        .expect("run agora schema");
    assert!(output.status.success());
    let checked_in =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema.graphql"))
            .expect("read schema.graphql");
    let printed = String::from_utf8(output.stdout).expect("utf-8");
    assert_eq!(printed, agora::sdl());
    assert!(
        printed == checked_in,
        "schema.graphql is stale: run `cargo run -- schema > schema.graphql`"
    );
}

#[test]
fn migrate_commands_work_on_their_own() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = sqlite_url(dir.path());
    let run = |action: &str| {
        let output = agora(&url)
            .args(["migrate", action])
            .output()
            .expect("run agora migrate");
        assert!(output.status.success(), "migrate {action}: {output:?}");
        String::from_utf8(output.stdout).expect("utf-8")
    };
    run("up");
    assert!(run("status").contains("Applied\tm20261125_000001_create_tables"));
    run("down");
    assert!(run("status").contains("Pending\tm20261125_000001_create_tables"));
    run("fresh");
    assert!(run("status").contains("Applied\tm20261125_000001_create_tables"));
}

#[test]
fn settings_come_from_dot_env_and_default_to_app_db() {
    let dir = tempfile::tempdir().expect("temp dir");
    let migrate_up = || {
        let output = Command::new(AGORA)
            .args(["migrate", "up"])
            .current_dir(dir.path())
            .env_remove("DATABASE_URL")
            .output()
            .expect("run agora migrate up");
        assert!(output.status.success(), "{output:?}");
    };

    migrate_up();
    assert!(
        dir.path().join("app.db").exists(),
        "the default database is ./app.db"
    );

    std::fs::write(
        dir.path().join(".env"),
        "DATABASE_URL=sqlite://from-dot-env.db?mode=rwc\n",
    )
    .expect("write .env");
    migrate_up();
    assert!(
        dir.path().join("from-dot-env.db").exists(),
        ".env sets DATABASE_URL"
    );
}
