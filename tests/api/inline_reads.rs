//! The pool's own reads (in place on SQLite, `store::inline`; straight on sqlx's pool on
//! PostgreSQL, `store::direct`) read exactly what sea-orm reads: the same models from the same
//! rows, whatever form a SQLite date is stored in; and a read in place that runs long, or binds
//! a value only sqlx binds, is handed back to the pool and answers the same.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use agora::db::{Pool, RequestDb};
use agora::entity::{category, post, product, user};
use agora::store::direct::DirectReads;
use agora::store::inline::InlineReads;
use agora::store::sql::{Direction, Sort, total_order};
use agora::store::{self, rows::ByPosition};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryOrder, Statement, Value};
use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::selections::seed;

/// The app's database with reads in place beside it (`budget` progress calls per read), and
/// the count of statements those reads ran.
fn reading_in_place(app: &TestApp, budget: u32) -> (RequestDb, Arc<AtomicUsize>) {
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    let inline = InlineReads::beside(
        &app.db,
        app.database_url(),
        512,
        Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .expect("a SQLite file reads in place")
    .with_budget(budget);
    let db = RequestDb::Pool(Pool {
        connection: app.db.clone(),
        inline: Some(Arc::new(inline)),
        direct: None,
    });
    (db, ran)
}

/// The app's database with its backend's own reads beside it, and the count of statements
/// they ran.
fn reading_fast(app: &TestApp) -> (RequestDb, Arc<AtomicUsize>) {
    if app.db.get_database_backend() == sea_orm::DbBackend::Sqlite {
        return reading_in_place(app, agora::store::inline::DEFAULT_BUDGET);
    }
    let ran = Arc::new(AtomicUsize::new(0));
    let counter = ran.clone();
    let direct = DirectReads::beside(
        &app.db,
        Arc::new(move || {
            counter.fetch_add(1, Ordering::SeqCst);
        }),
    )
    .expect("PostgreSQL reads on its pool");
    let db = RequestDb::Pool(Pool {
        connection: app.db.clone(),
        inline: None,
        direct: Some(Arc::new(direct)),
    });
    (db, ran)
}

/// Rows whose dates are, on SQLite, in every form a file may hold them: agora's own (RFC 3339,
/// milliseconds, `Z`), SQLite's `CURRENT_TIMESTAMP`, and others sqlx also reads.
async fn seed_with_every_date_form(app: &TestApp) {
    seed(app).await;
    app.data(
        r#"mutation { updateUser(id: 2, input: { city: "Paris" }) { id }
                      publishPost(id: 3) { id } }"#,
        json!({}),
    )
    .await;
    if app.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return;
    }
    for (table, column, id, at) in [
        ("users", "created_at", 1, "2026-01-02 03:04:05"),
        ("users", "updated_at", 3, "2026-01-02T03:04:05.123456+02:00"),
        ("posts", "created_at", 1, "2026-01-02 03:04"),
        ("posts", "updated_at", 2, "2026-01-02T03:04:05.5"),
        ("products", "updated_at", 1, "2026-01-02 03:04:05.250Z"),
        ("categories", "updated_at", 1, "2026-01-02T03:04Z"),
    ] {
        app.db
            .execute_unprepared(&format!(
                "UPDATE {table} SET {column} = '{at}' WHERE id = {id}"
            ))
            .await
            .expect("store a date in another form");
    }
}

/// `E`'s rows in place and by sea-orm's own decoding by name, by id.
async fn both_ways<E>(
    db: &RequestDb,
    app: &TestApp,
    id: E::Column,
) -> (Vec<E::Model>, Vec<E::Model>)
where
    E: EntityTrait<Model: ByPosition>,
{
    let keys = total_order([], id);
    let in_place = store::list::<E>(&db.reads(), Condition::all(), &keys, None)
        .await
        .expect("read in place");
    let by_name = E::find()
        .order_by_asc(id)
        .all(&app.db)
        .await
        .expect("read by name");
    (in_place, by_name)
}

on_every_backend!(fast_reads_decode_as_sea_orm_does);

async fn fast_reads_decode_as_sea_orm_does(app: &TestApp) {
    seed_with_every_date_form(app).await;
    let (db, ran) = reading_fast(app);

    let (users, expected) = both_ways::<user::Entity>(&db, app, user::Column::Id).await;
    assert_eq!(users.len(), 3);
    assert_eq!(users, expected);
    let (posts, expected) = both_ways::<post::Entity>(&db, app, post::Column::Id).await;
    assert_eq!(posts.len(), 6);
    assert!(posts.iter().any(|post| post.published));
    assert_eq!(posts, expected);
    let (categories, expected) =
        both_ways::<category::Entity>(&db, app, category::Column::Id).await;
    assert_eq!(categories, expected);
    let (products, expected) = both_ways::<product::Entity>(&db, app, product::Column::Id).await;
    assert!(products.iter().any(|product| product.category_id.is_none()));
    assert_eq!(products, expected);
    assert_eq!(
        ran.load(Ordering::SeqCst),
        4,
        "each list was read the fast way"
    );

    // A lookup with its to-one relation joined, found and not found.
    for product in &products {
        let joined = store::find_joined::<product::Entity, category::Entity>(
            &db.reads(),
            product::Column::Id,
            product.id,
        )
        .await
        .expect("lookup in place");
        let expected = product::Entity::find_by_id(product.id)
            .find_also_related(category::Entity)
            .one(&app.db)
            .await
            .expect("lookup by name");
        assert_eq!(joined, expected);
    }
    let joined =
        store::find_joined::<post::Entity, user::Entity>(&db.reads(), post::Column::Id, 99)
            .await
            .expect("lookup in place");
    assert_eq!(joined, None);
    assert_eq!(ran.load(Ordering::SeqCst), 4 + products.len() + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_in_place_bind_as_sqlx_does() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
    seed(&app).await;
    let (db, ran) = reading_in_place(&app, agora::store::inline::DEFAULT_BUDGET);
    let keys = [Sort {
        column: product::Column::Price,
        direction: Direction::Desc,
    }];
    let keys = total_order(keys, product::Column::Id);
    let conditions = [
        Condition::all().add(product::Column::Price.gte(7.25)),
        Condition::all().add(product::Column::Stock.gt(0)),
        Condition::all().add(product::Column::Name.eq("Saw")),
        Condition::all().add(product::Column::CategoryId.is_null()),
        Condition::any()
            .add(product::Column::CategoryId.eq(1))
            .add(product::Column::Id.is_in([5, 6])),
    ];
    for condition in conditions {
        let in_place = store::list::<product::Entity>(&db.reads(), condition.clone(), &keys, None)
            .await
            .expect("read in place");
        let on_pool = store::list::<product::Entity>(&app.db, condition, &keys, None)
            .await
            .expect("read on the pool");
        assert!(!in_place.is_empty());
        assert_eq!(in_place, on_pool);
    }
    assert_eq!(ran.load(Ordering::SeqCst), 5);
    let users = store::list::<user::Entity>(
        &db.reads(),
        Condition::all().add(user::Column::IsActive.eq(false)),
        &total_order([], user::Column::Id),
        None,
    )
    .await
    .expect("read in place");
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].name, "Linus");
    assert_eq!(ran.load(Ordering::SeqCst), 6);

    // A date is bound by sqlx alone (its text is what the column compares against).
    let cutoff = chrono::Utc::now() + chrono::Duration::days(1);
    let condition = Condition::all().add(user::Column::CreatedAt.lt(cutoff));
    let keys = total_order([], user::Column::Id);
    let found = store::list::<user::Entity>(&db.reads(), condition.clone(), &keys, None)
        .await
        .expect("handed back to the pool");
    assert_eq!(found.len(), 3);
    assert_eq!(ran.load(Ordering::SeqCst), 6, "the pool ran it");
}

fn first_integer(row: &rusqlite::Row<'_>) -> Result<i64, sea_orm::DbErr> {
    row.get(0)
        .map_err(|err| sea_orm::DbErr::Type(err.to_string()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_read_is_handed_back_to_the_pool() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("SQLite");
    seed(&app).await;
    // One progress call: any read of more than about a thousand SQLite instructions.
    let (db, ran) = reading_in_place(&app, 1);
    let long = format!(
        "SELECT n FROM (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c \
         WHERE n < 100000) SELECT n FROM c) WHERE n = {}",
        100_000
    );
    let inline = match &db {
        RequestDb::Pool(pool) => pool.inline.clone().expect("reads in place"),
        RequestDb::Atomic(_) => unreachable!(),
    };
    let statement = Statement::from_string(sea_orm::DbBackend::Sqlite, long);
    let read = inline.read(&statement, first_integer);
    assert_eq!(read, None, "interrupted and handed back");
    assert_eq!(ran.load(Ordering::SeqCst), 0);

    // The same reader then serves short reads, and the handed-back read answers on the pool.
    let short = Statement::from_sql_and_values(
        sea_orm::DbBackend::Sqlite,
        "SELECT ? + 1",
        [Value::Int(Some(41))],
    );
    let read = inline.read(&short, first_integer);
    assert_eq!(read, Some(vec![42]));
    assert_eq!(ran.load(Ordering::SeqCst), 1);

    // A list longer than the budget: interrupted in place, answered through sea-orm.
    app.db
        .execute_unprepared(
            "INSERT INTO categories (name, name_folded, updated_at) \
             SELECT 'c' || n, 'c' || n, '2026-01-02T03:04:05.000Z' FROM \
             (WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 2000) \
              SELECT n FROM c)",
        )
        .await
        .expect("add 2,000 categories");
    let keys = total_order([], category::Column::Id);
    let listed = store::list::<category::Entity>(&db.reads(), Condition::all(), &keys, None)
        .await
        .expect("handed back to the pool");
    assert_eq!(ran.load(Ordering::SeqCst), 1, "not read in place");
    let on_pool = store::list::<category::Entity>(&app.db, Condition::all(), &keys, None)
        .await
        .expect("read on the pool");
    assert_eq!(listed.len(), 2002);
    assert_eq!(listed, on_pool);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_a_sqlite_file_reads_in_place() {
    let nothing: agora::application::StatementObserver = Arc::new(|| {});
    let memory = agora::db::connect("sqlite::memory:")
        .await
        .expect("an in-memory database");
    assert!(InlineReads::beside(&memory, "sqlite::memory:", 512, nothing.clone()).is_none());
    // A file name with `mode=memory` is an in-memory database too, whatever file has the name.
    let dir = tempfile::tempdir().expect("a directory");
    let file = format!("sqlite://{}", dir.path().join("app.db").display());
    let on_file = agora::db::connect(&format!("{file}?mode=rwc"))
        .await
        .expect("a file");
    let beside_file =
        InlineReads::beside(&on_file, &format!("{file}?mode=rwc"), 512, nothing.clone());
    assert!(beside_file.is_some());
    let named = format!("{file}?mode=memory");
    let in_memory = agora::db::connect(&named)
        .await
        .expect("a named in-memory database");
    assert!(InlineReads::beside(&in_memory, &named, 512, nothing.clone()).is_none());
    if let Some(app) = TestApp::spawn(Backend::Postgres).await {
        assert!(InlineReads::beside(&app.db, app.database_url(), 512, nothing).is_none());
    }
}
