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
    // The state of each migration, oldest first.
    let states = || -> Vec<String> {
        let status = run("status");
        [
            "m20261125_000001_create_tables",
            "m20261201_000001_search_indexes",
            "m20261202_000001_events",
            "m20261203_000001_updated_at",
            "m20261204_000001_search_pending_list",
        ]
        .iter()
        .map(|name| {
            let line = status.lines().find(|line| line.ends_with(name));
            line.and_then(|line| line.split('\t').next())
                .unwrap_or("missing")
                .to_owned()
        })
        .collect()
    };
    let (a, p) = ("Applied", "Pending");
    run("up");
    assert_eq!(states(), [a, a, a, a, a]);
    // `down` reverts the newest migration only.
    run("down");
    assert_eq!(states(), [a, a, a, a, p]);
    run("down");
    assert_eq!(states(), [a, a, a, p, p]);
    run("down");
    assert_eq!(states(), [a, a, p, p, p]);
    run("down");
    assert_eq!(states(), [a, p, p, p, p]);
    run("down");
    assert_eq!(states(), [p, p, p, p, p]);
    run("fresh");
    assert_eq!(states(), [a, a, a, a, a]);
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

/// Every user's and product's visible fields, read straight from the file.
async fn dump(url: &str) -> (Vec<(String, String, i32, String)>, Vec<(String, f64, i32)>) {
    use sea_orm::{EntityTrait, QueryOrder};
    let db = agora::db::connect(url).await.expect("open the database");
    let users = agora::entity::user::Entity::find()
        .order_by_asc(agora::entity::user::Column::Id)
        .all(&db)
        .await
        .expect("users")
        .into_iter()
        .map(|u| (u.name, u.email, u.age, u.city))
        .collect();
    let products = agora::entity::product::Entity::find()
        .order_by_asc(agora::entity::product::Column::Id)
        .all(&db)
        .await
        .expect("products")
        .into_iter()
        .map(|p| (p.name, p.price, p.stock))
        .collect();
    let _ = db.close().await;
    (users, products)
}

#[tokio::test]
async fn seed_is_deterministic_refuses_a_full_database_and_can_append() {
    let seed = |url: &str, extra: &[&str]| {
        let mut args = vec![
            "seed",
            "--users",
            "30",
            "--posts-per-user",
            "2",
            "--categories",
            "4",
            "--products",
            "12",
            "--rng-seed",
            "7",
        ];
        args.extend_from_slice(extra);
        agora(url).args(&args).output().expect("run agora seed")
    };
    let (one, two) = (
        tempfile::tempdir().expect("dir"),
        tempfile::tempdir().expect("dir"),
    );
    let (url_one, url_two) = (sqlite_url(one.path()), sqlite_url(two.path()));
    assert!(seed(&url_one, &[]).status.success());
    assert!(seed(&url_two, &[]).status.success());
    let (users, products) = dump(&url_one).await;
    assert_eq!(users.len(), 30);
    assert_eq!(products.len(), 12);
    assert_eq!(
        (users, products),
        dump(&url_two).await,
        "the same seed gives the same data"
    );

    let refused = seed(&url_one, &[]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--append"));
    assert!(seed(&url_one, &["--append"]).status.success());
    assert_eq!(dump(&url_one).await.0.len(), 60);
}

#[test]
fn check_says_whether_the_database_is_reachable_and_current() {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = sqlite_url(dir.path());
    let check = |url: &str| {
        let output = agora(url).arg("check").output().expect("run agora check");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
        )
    };
    let (code, said) = check(&url);
    assert_eq!(
        code,
        Some(2),
        "a fresh database has pending migrations: {said}"
    );
    assert!(said.contains("m20261125_000001_create_tables"), "{said}");
    assert!(
        agora(&url)
            .args(["migrate", "up"])
            .status()
            .expect("migrate")
            .success()
    );
    assert_eq!(check(&url).0, Some(0));
    let (code, _) = check("postgres://nobody:pw@127.0.0.1:1/nowhere");
    assert_eq!(code, Some(1), "an unreachable database");
}

#[test]
fn json_logs_name_the_backend_but_never_the_password() {
    let url = "postgres://postgres:hunter2@127.0.0.1:1/agora";
    let output = agora(url)
        .env("LOG_FORMAT", "json")
        .args(["migrate", "status"])
        .output()
        .expect("run agora");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("hunter2"), "{stderr}");

    let dir = tempfile::tempdir().expect("temp dir");
    let server = Server::start_with(&sqlite_url(dir.path()), &[("LOG_FORMAT", "json")]);
    let lines = server.stop_and_collect_log();
    let first: serde_json::Value =
        serde_json::from_str(lines.first().expect("a log line")).expect("every line is JSON");
    assert!(first.is_object());
    assert!(
        lines
            .iter()
            .any(|line| line.contains("SQLite file") && line.contains("/graphql")),
        "{lines:?}"
    );
}
