//! Bulk creates: 1–100 inputs, validated first (errors name `inputs.N.field`), written all or
//! nothing in a bounded number of statements, returned in input order, one event per row.

use serde_json::{Value, json};

use crate::helpers::{TestApp, row_count};

on_every_backend!(
    a_bulk_create_returns_every_row_in_input_order,
    a_bulk_create_is_a_bounded_number_of_statements,
    one_bad_item_of_a_hundred_writes_nothing,
    duplicates_inside_the_batch_or_against_the_table_are_conflicts_naming_the_item,
    missing_references_name_the_item,
    the_batch_size_is_bounded,
);

/// `count` users, the `bad`th (if any) with an e-mail that breaks the rules.
fn users(count: usize, bad: Option<usize>) -> Value {
    (0..count)
        .map(|i| {
            let email = if Some(i) == bad {
                "not an address".to_owned()
            } else {
                format!("user{:03}@example.com", 999 - i)
            };
            json!({ "name": format!("User {i}"), "email": email, "age": 20 + i % 50 })
        })
        .collect()
}

const CREATE_USERS: &str =
    "mutation($inputs: [CreateUserInput!]!) { createUsers(inputs: $inputs) { id email age } }";

/// Rows of every table and the events recorded, read straight from the database.
async fn everything(app: &TestApp) -> [i64; 5] {
    let mut counts = [0; 5];
    for (count, table) in
        counts
            .iter_mut()
            .zip(["users", "posts", "categories", "products", "agora_events"])
    {
        *count = row_count(app, table).await;
    }
    counts
}

async fn a_bulk_create_returns_every_row_in_input_order(app: &TestApp) {
    // E-mails descend while ids ascend: the order is the input's, not the table's.
    let data = app
        .data(CREATE_USERS, json!({ "inputs": users(100, None) }))
        .await;
    let created = data["createUsers"].as_array().expect("a list");
    assert_eq!(created.len(), 100);
    for (i, user) in created.iter().enumerate() {
        assert_eq!(
            user["email"],
            format!("user{:03}@example.com", 999 - i),
            "item {i}"
        );
    }
    let ids: Vec<i64> = created
        .iter()
        .map(|u| u["id"].as_i64().expect("id"))
        .collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
    let author = ids[0];
    let posts = app
        .data(
            "mutation($inputs: [CreatePostInput!]!) { createPosts(inputs: $inputs) { title authorId published } }",
            json!({ "inputs": (0..30).map(|i| json!({
                "title": format!("Title number {i}"),
                "content": "Twenty characters or more.",
                "authorId": author,
            })).collect::<Value>() }),
        )
        .await;
    for (i, post) in posts["createPosts"]
        .as_array()
        .expect("a list")
        .iter()
        .enumerate()
    {
        assert_eq!(post["title"], format!("Title number {i}"));
        assert_eq!(
            (post["authorId"].as_i64(), post["published"].as_bool()),
            (Some(author), Some(false))
        );
    }
    let categories = app
        .data(
            "mutation { createCategories(inputs: [{ name: \"Zoo\" }, { name: \"Art\" }]) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        categories["createCategories"],
        json!([{ "name": "Zoo" }, { "name": "Art" }])
    );
    let products = app
        .data(
            "mutation { createProducts(inputs: [{ name: \"B\", price: 2 }, { name: \"A\", price: 1, stock: 4 }]) { name price stock categoryId } }",
            json!({}),
        )
        .await;
    assert_eq!(
        products["createProducts"],
        json!([
            { "name": "B", "price": 2.0, "stock": 0, "categoryId": null },
            { "name": "A", "price": 1.0, "stock": 4, "categoryId": null },
        ])
    );
    // One event per row.
    assert_eq!(everything(app).await, [100, 30, 2, 2, 134]);
}

/// 100 users with two posts each, the posts asked for in the answer: three statements (the
/// users' `INSERT`, their posts' `INSERT`, the answer's posts through the loader, besides the
/// transaction's `BEGIN` and `COMMIT`), whatever the batch size.
async fn a_bulk_create_is_a_bounded_number_of_statements(app: &TestApp) {
    let mut counts = Vec::new();
    for size in [1_usize, 100] {
        let inputs: Vec<Value> = (0..size)
            .map(|i| {
                json!({ "name": "Some user", "email": format!("u{i}-{size}@example.com"), "age": 30,
                        "posts": [
                            { "title": "First title", "content": "Twenty characters or more." },
                            { "title": "Second title", "content": "Twenty characters or more.", "published": true },
                        ] })
            })
            .collect();
        app.reset_statements();
        let data = app
            .data(
                "mutation($inputs: [CreateUserInput!]!) { createUsers(inputs: $inputs) { id posts { title published } } }",
                json!({ "inputs": inputs }),
            )
            .await;
        counts.push(app.statements());
        let created = data["createUsers"].as_array().expect("a list");
        assert_eq!(created.len(), size);
        assert_eq!(
            created[size - 1]["posts"],
            json!([{ "title": "First title", "published": false }, { "title": "Second title", "published": true }])
        );
    }
    assert_eq!(counts, [3, 3], "the statements do not grow with the batch");
}

async fn one_bad_item_of_a_hundred_writes_nothing(app: &TestApp) {
    app.create_user("Existing", "existing@example.com", 30)
        .await;
    let before = everything(app).await;
    for (bad, field) in [
        (0, "inputs.0.email"),
        (57, "inputs.57.email"),
        (99, "inputs.99.email"),
    ] {
        app.expect_error(
            CREATE_USERS,
            json!({ "inputs": users(100, Some(bad)) }),
            "BAD_USER_INPUT",
            Some(field),
        )
        .await;
    }
    let mut inputs = users(100, None);
    inputs[42]["posts"] = json!([
        { "title": "A good title", "content": "Twenty characters or more." },
        { "title": "Bad", "content": "Twenty characters or more." },
    ]);
    app.expect_error(
        CREATE_USERS,
        json!({ "inputs": inputs }),
        "BAD_USER_INPUT",
        Some("inputs.42.posts.1.title"),
    )
    .await;
    assert_eq!(everything(app).await, before, "nothing written, no event");
}

async fn duplicates_inside_the_batch_or_against_the_table_are_conflicts_naming_the_item(
    app: &TestApp,
) {
    app.create_user("Existing", "existing@example.com", 30)
        .await;
    app.create_category("Books").await;
    let before = everything(app).await;
    let mut inside = users(10, None);
    inside[7]["email"] = json!("  USER999@Example.com ");
    let message = app
        .expect_error(
            CREATE_USERS,
            json!({ "inputs": inside }),
            "CONFLICT",
            Some("inputs.7.email"),
        )
        .await;
    assert_eq!(message, "Email already registered");
    let mut against = users(10, None);
    against[4]["email"] = json!("Existing@example.com");
    app.expect_error(
        CREATE_USERS,
        json!({ "inputs": against }),
        "CONFLICT",
        Some("inputs.4.email"),
    )
    .await;
    let categories =
        "mutation($inputs: [CreateCategoryInput!]!) { createCategories(inputs: $inputs) { id } }";
    for (inputs, field) in [
        (
            json!([{ "name": "Games" }, { "name": "Toys" }, { "name": " Games " }]),
            "inputs.2.name",
        ),
        (
            json!([{ "name": "Games" }, { "name": "Books" }]),
            "inputs.1.name",
        ),
    ] {
        app.expect_error(
            categories,
            json!({ "inputs": inputs }),
            "CONFLICT",
            Some(field),
        )
        .await;
    }
    assert_eq!(everything(app).await, before, "nothing written, no event");
}

async fn missing_references_name_the_item(app: &TestApp) {
    let author = app.create_user("Ada", "ada@example.com", 36).await;
    let category = app.create_category("Books").await;
    let before = everything(app).await;
    let post = |author: i64| json!({ "title": "A good title", "content": "Twenty characters or more.", "authorId": author });
    app.expect_error(
        "mutation($inputs: [CreatePostInput!]!) { createPosts(inputs: $inputs) { id } }",
        json!({ "inputs": [post(author), post(author), post(author + 100)] }),
        "NOT_FOUND",
        Some("inputs.2.authorId"),
    )
    .await;
    let product = |category: i64| json!({ "name": "Lamp", "price": 1.0, "categoryId": category });
    app.expect_error(
        "mutation($inputs: [CreateProductInput!]!) { createProducts(inputs: $inputs) { id } }",
        json!({ "inputs": [product(category), product(category + 100), { "name": "New", "price": 1.0, "categoryName": "Games" }] }),
        "NOT_FOUND",
        Some("inputs.1.categoryId"),
    )
    .await;
    assert_eq!(
        everything(app).await,
        before,
        "nothing written (not even the named category)"
    );
}

async fn the_batch_size_is_bounded(app: &TestApp) {
    for count in [0, 101] {
        app.expect_error(
            CREATE_USERS,
            json!({ "inputs": users(count, None) }),
            "BAD_USER_INPUT",
            Some("inputs"),
        )
        .await;
    }
    // 100 users with 10 posts each would be 1,100 rows: over the limit of one mutation.
    let mut inputs = users(100, None);
    for user in inputs.as_array_mut().expect("a list") {
        user["posts"] = (0..10)
            .map(|i| json!({ "title": format!("Title {i:02}"), "content": "Twenty characters or more." }))
            .collect();
    }
    app.expect_error(
        CREATE_USERS,
        json!({ "inputs": inputs }),
        "BAD_USER_INPUT",
        Some("inputs"),
    )
    .await;
    assert_eq!(row_count(app, "users").await, 0);
}
