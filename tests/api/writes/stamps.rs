//! `updatedAt`: set on create, moved by every change (and only by a change), including
//! `publishPost` and the `SET NULL` of a category delete; filterable, orderable, grouped; and
//! the migration that added it.

use chrono::{DateTime, Utc};
use migration::{Migrator, MigratorTrait as _};
use sea_orm::{ConnectionTrait as _, Database, Statement};
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, TestDatabase, id_of};

on_every_backend!(
    updated_at_starts_at_created_at_and_moves_on_every_change,
    an_update_that_changes_nothing_keeps_the_stamp,
    publishing_stamps_once,
    deleting_a_category_stamps_its_products,
    updated_at_filters_orders_and_aggregates,
);

/// A timestamp of a response.
pub fn at(value: &Value) -> DateTime<Utc> {
    let text = value
        .as_str()
        .unwrap_or_else(|| panic!("no timestamp: {value}"));
    DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|err| panic!("{text}: {err}"))
        .with_timezone(&Utc)
}

async fn updated_at_starts_at_created_at_and_moves_on_every_change(app: &TestApp) {
    let created = app
        .data(
            r#"mutation { createUser(input: { name: "Ada", email: "ada@example.com", age: 36 }) {
                id createdAt updatedAt } }"#,
            json!({}),
        )
        .await;
    let user = &created["createUser"];
    assert_eq!(user["createdAt"], user["updatedAt"], "{user}");
    // Two changes in one request land within a millisecond or two: each still moves it on.
    let changed = app
        .data(
            r#"mutation($id: Int!) {
                a: updateUser(id: $id, input: { age: 37 }) { updatedAt }
                b: updateUser(id: $id, input: { age: 38 }) { updatedAt }
                c: updateUser(id: $id, input: { city: "Paris" }) { updatedAt createdAt } }"#,
            json!({ "id": id_of(user) }),
        )
        .await;
    let stamps = [
        at(&user["updatedAt"]),
        at(&changed["a"]["updatedAt"]),
        at(&changed["b"]["updatedAt"]),
        at(&changed["c"]["updatedAt"]),
    ];
    assert!(stamps.windows(2).all(|w| w[0] < w[1]), "{stamps:?}");
    assert_eq!(changed["c"]["createdAt"], user["createdAt"]);
    for (mutation, input) in [
        (
            "createPost",
            json!({ "title": "A first title", "content": "Twenty characters or more.", "authorId": id_of(user) }),
        ),
        ("createCategory", json!({ "name": "Books" })),
        ("createProduct", json!({ "name": "Atlas", "price": 1.5 })),
    ] {
        let data = app
            .data(
                &format!(
                    "mutation($input: {}Input!) {{ {mutation}(input: $input) {{ updatedAt }} }}",
                    input_type(mutation)
                ),
                json!({ "input": input }),
            )
            .await;
        let stamp = at(&data[mutation]["updatedAt"]);
        assert!(
            stamp >= stamps[3],
            "{mutation}: {stamp} before {}",
            stamps[3]
        );
    }
}

fn input_type(mutation: &str) -> String {
    let mut name = mutation.to_owned();
    name[..1].make_ascii_uppercase();
    name
}

async fn an_update_that_changes_nothing_keeps_the_stamp(app: &TestApp) {
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    let before = app
        .data(
            "query($id: Int!) { user(id: $id) { updatedAt } }",
            json!({ "id": user }),
        )
        .await;
    let same = app
        .data(
            r#"mutation($id: Int!) {
                a: updateUser(id: $id, input: { name: "Ada", age: 36, email: "ADA@example.com" }) { updatedAt }
                b: updateUser(id: $id, input: {}) { updatedAt } }"#,
            json!({ "id": user }),
        )
        .await;
    assert_eq!(same["a"]["updatedAt"], before["user"]["updatedAt"]);
    assert_eq!(same["b"]["updatedAt"], before["user"]["updatedAt"]);
    // One changed column among unchanged ones is a change.
    let changed = app
        .data(
            r#"mutation($id: Int!) { updateUser(id: $id, input: { name: "Ada", isActive: false }) { updatedAt } }"#,
            json!({ "id": user }),
        )
        .await;
    assert!(at(&changed["updateUser"]["updatedAt"]) > at(&before["user"]["updatedAt"]));
}

async fn publishing_stamps_once(app: &TestApp) {
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    let post = app.create_post(user, "A first title").await;
    let publish = "mutation($id: Int!) { publishPost(id: $id) { published createdAt updatedAt } }";
    let first = app.data(publish, json!({ "id": post })).await;
    let first = &first["publishPost"];
    assert_eq!(first["published"], true);
    assert!(at(&first["updatedAt"]) > at(&first["createdAt"]), "{first}");
    let again = app.data(publish, json!({ "id": post })).await;
    assert_eq!(
        again["publishPost"]["updatedAt"], first["updatedAt"],
        "publishing twice changes nothing"
    );
}

async fn deleting_a_category_stamps_its_products(app: &TestApp) {
    let books = app.create_category("Books").await;
    let games = app.create_category("Games").await;
    let atlas = app.create_product("Atlas", 12.5, 3, Some(books)).await;
    let chess = app.create_product("Chess", 20.0, 1, Some(games)).await;
    let loose = app.create_product("Loose", 1.0, 1, None).await;
    let read = "{ products(orderBy: [{ field: ID, direction: ASC }]) { id categoryId updatedAt } }";
    let before = app.data(read, json!({})).await;
    app.data(
        "mutation($id: Int!) { deleteCategory(id: $id) { id } }",
        json!({ "id": books }),
    )
    .await;
    let after = app.data(read, json!({})).await;
    let (before, after) = (&before["products"], &after["products"]);
    assert_eq!(after[0]["id"], atlas);
    assert_eq!(after[0]["categoryId"], Value::Null);
    assert!(
        at(&after[0]["updatedAt"]) > at(&before[0]["updatedAt"]),
        "{after}"
    );
    assert_eq!(
        (after[1]["id"].clone(), after[1]["categoryId"].clone()),
        (json!(chess), json!(games))
    );
    assert_eq!(
        after[1]["updatedAt"], before[1]["updatedAt"],
        "another category's product is untouched"
    );
    assert_eq!(
        (after[2]["id"].clone(), after[2]["updatedAt"].clone()),
        (json!(loose), before[2]["updatedAt"].clone())
    );
}

async fn updated_at_filters_orders_and_aggregates(app: &TestApp) {
    let ada = app.create_user("Ada", "ada@example.com", 36).await;
    let bob = app.create_user("Bob", "bob@example.com", 40).await;
    let cid = app.create_user("Cid", "cid@example.com", 50).await;
    // Ada changes last: she comes last by updatedAt, first by createdAt.
    let changed = app
        .data(
            "mutation($id: Int!) { updateUser(id: $id, input: { age: 37 }) { updatedAt } }",
            json!({ "id": ada }),
        )
        .await;
    let stamp = &changed["updateUser"]["updatedAt"];
    let data = app
        .data(
            r#"query($at: DateTime!) {
                recent: users(where: { updatedAt: { gte: $at } }) { id }
                older: users(where: { updatedAt: { lt: $at } }) { id }
                byStamp: users(orderBy: [{ field: UPDATED_AT, direction: DESC }]) { id }
                userAggregate { max { updatedAt } min { updatedAt } }
                grouped: userAggregate(groupBy: [UPDATED_AT], where: { id: { eq: 1 } }) { key { updatedAt } count }
                postAggregate { max { updatedAt } }
                categoryAggregate { max { updatedAt } }
                productAggregate { max { updatedAt } }
            }"#,
            json!({ "at": stamp }),
        )
        .await;
    assert_eq!(data["recent"], json!([{ "id": ada }]));
    assert_eq!(data["older"], json!([{ "id": bob }, { "id": cid }]));
    assert_eq!(data["byStamp"][0], json!({ "id": ada }));
    assert_eq!(at(&data["userAggregate"][0]["max"]["updatedAt"]), at(stamp));
    assert!(at(&data["userAggregate"][0]["min"]["updatedAt"]) < at(stamp));
    assert_eq!(at(&data["grouped"][0]["key"]["updatedAt"]), at(stamp));
    for aggregate in ["postAggregate", "categoryAggregate", "productAggregate"] {
        assert_eq!(
            data[aggregate][0]["max"]["updatedAt"],
            Value::Null,
            "no rows, no maximum"
        );
    }
}

/// Rows written before the migration get their `created_at` (users, posts) or the time of the
/// migration (categories, products), without an event; `down` takes the column away again.
#[tokio::test]
async fn the_migration_stamps_existing_rows_without_events() {
    for backend in [Backend::Sqlite, Backend::Postgres] {
        let Some(database) = TestDatabase::create(backend).await else {
            continue;
        };
        let db = Database::connect(&database.url).await.expect("connect");
        let before_migration = Utc::now();
        Migrator::up(&db, Some(3))
            .await
            .expect("the first three migrations");
        for insert in [
            "INSERT INTO users (name, name_folded, email, age) VALUES ('Ada', 'ada', 'ada@example.com', 36)",
            "INSERT INTO posts (title, title_folded, content, content_folded, author_id) \
             VALUES ('A title', 'a title', 'Twenty characters or more.', 'twenty characters or more.', 1)",
            "INSERT INTO categories (name, name_folded) VALUES ('Books', 'books')",
            "INSERT INTO products (name, name_folded, price, category_id) VALUES ('Atlas', 'atlas', 1.5, 1)",
        ] {
            db.execute_unprepared(insert).await.expect(insert);
        }
        let events = || async { count(&db, "SELECT COUNT(*) AS n FROM agora_events").await };
        assert_eq!(events().await, 4);
        Migrator::up(&db, Some(1)).await.expect("the fourth");
        assert_eq!(
            events().await,
            4,
            "{backend:?}: filling the column is no change"
        );
        for table in ["users", "posts"] {
            let differing = count(
                &db,
                &format!("SELECT COUNT(*) AS n FROM {table} WHERE updated_at <> created_at"),
            )
            .await;
            assert_eq!(differing, 0, "{backend:?} {table}");
        }
        for table in ["categories", "products"] {
            let stamped = count(
                &db,
                &format!(
                    "SELECT COUNT(*) AS n FROM {table} WHERE updated_at >= '{}'",
                    before_migration.format("%Y-%m-%d")
                ),
            )
            .await;
            assert_eq!(stamped, 1, "{backend:?} {table}");
        }
        Migrator::down(&db, Some(1)).await.expect("down");
        let columns = count(
            &db,
            match backend {
                Backend::Sqlite => "SELECT COUNT(*) AS n FROM pragma_table_info('users') WHERE name = 'updated_at'",
                Backend::Postgres => "SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_name = 'users' AND column_name = 'updated_at'",
            },
        )
        .await;
        assert_eq!(columns, 0, "{backend:?}: down removes the column");
        // The event triggers of the schema before are back: a write is still recorded.
        db.execute_unprepared("UPDATE users SET age = 37")
            .await
            .expect("update");
        assert_eq!(events().await, 5, "{backend:?}");
        Migrator::up(&db, None).await.expect("up again");
    }
}

async fn count(db: &sea_orm::DatabaseConnection, sql: &str) -> i64 {
    let row = db
        .query_one_raw(Statement::from_string(db.get_database_backend(), sql))
        .await
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
        .expect("a row");
    row.try_get::<i64>("", "n").expect("a count")
}
