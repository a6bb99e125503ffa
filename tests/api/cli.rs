//! The `agora` binary itself: `schema`, `migrate`, and data that survives a restart.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::helpers::{AGORA, Server, agora, sqlite_url};

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
