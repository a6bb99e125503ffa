//! SQLite-only guarantees: every pooled connection enforces foreign keys, uses WAL and waits
//! for a busy database instead of failing.

use sea_orm::{ConnectionTrait, DatabaseTransaction, Statement, TransactionTrait};

use crate::helpers::{Backend, TestApp};

async fn pragma(txn: &DatabaseTransaction, name: &str) -> String {
    let row = txn
        .query_one_raw(Statement::from_string(
            txn.get_database_backend(),
            format!("PRAGMA {name}"),
        ))
        .await
        .expect("run the pragma")
        .expect("a pragma row");
    row.try_get_by_index::<i64>(0)
        .map(|v| v.to_string())
        .or_else(|_| row.try_get_by_index::<String>(0))
        .expect("a pragma value")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_pooled_connection_has_the_pragmas() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
    // Open transactions side by side so each holds a different pooled connection.
    let mut transactions = Vec::new();
    for _ in 0..4 {
        transactions.push(app.db.begin().await.expect("begin"));
    }
    for txn in &transactions {
        assert_eq!(pragma(txn, "foreign_keys").await, "1");
        assert_eq!(pragma(txn, "journal_mode").await, "wal");
        assert_eq!(pragma(txn, "busy_timeout").await, "5000");
        assert_eq!(pragma(txn, "synchronous").await, "2", "FULL");
        let cache = format!("-{}", agora::db::DEFAULT_SQLITE_CACHE_KIB);
        assert_eq!(pragma(txn, "cache_size").await, cache, "KiB");
    }
    for txn in transactions {
        txn.rollback().await.expect("rollback");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn normal_durability_is_synchronous_normal() {
    use agora::HttpSettings;
    use agora::db::{PoolSettings, SqliteDurability};

    let pool = PoolSettings {
        sqlite_durability: SqliteDurability::Normal,
        ..PoolSettings::default()
    };
    let app = TestApp::spawn_configured(Backend::Sqlite, HttpSettings::default(), pool)
        .await
        .expect("SQLite");
    let txn = app.db.begin().await.expect("begin");
    assert_eq!(pragma(&txn, "synchronous").await, "1", "NORMAL");
    assert_eq!(pragma(&txn, "journal_mode").await, "wal");
    txn.rollback().await.expect("rollback");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_cache_has_the_configured_size() {
    use agora::HttpSettings;
    use agora::db::PoolSettings;

    let pool = PoolSettings {
        sqlite_cache_kib: 256,
        ..PoolSettings::default()
    };
    let app = TestApp::spawn_configured(Backend::Sqlite, HttpSettings::default(), pool)
        .await
        .expect("SQLite");
    let txn = app.db.begin().await.expect("begin");
    assert_eq!(pragma(&txn, "cache_size").await, "-256", "KiB");
    txn.rollback().await.expect("rollback");
}
