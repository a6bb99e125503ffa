//! Nested creates: a user with its posts, a category with its products, a product in a
//! category named (connected or created); one transaction each, errors naming their path.

use serde_json::json;

use crate::helpers::{TestApp, row_count};

on_every_backend!(
    a_user_is_created_with_its_posts,
    a_category_is_created_with_its_products,
    a_product_connects_to_or_creates_the_category_it_names,
    a_bad_nested_item_writes_nothing_and_is_named_by_its_path,
);

async fn a_user_is_created_with_its_posts(app: &TestApp) {
    app.reset_statements();
    let data = app
        .data(
            r#"mutation { createUser(input: { name: "Ada", email: "ada@example.com", age: 36, posts: [
                { title: "First title", content: "Twenty characters or more." },
                { title: "Second title", content: "  Kept as sent, spaces and all.  ", published: true } ] }) {
                name posts { title content published authorId author { name } } } }"#,
            json!({}),
        )
        .await;
    // begin, users, posts, commit, then the answer's posts and their author (loaders).
    assert!(app.statements() <= 6, "{} statements", app.statements());
    let user = &data["createUser"];
    assert_eq!(user["posts"][0]["title"], "First title");
    assert_eq!(user["posts"][0]["published"], false);
    assert_eq!(
        user["posts"][1]["content"],
        "  Kept as sent, spaces and all.  "
    );
    assert_eq!(user["posts"][1]["published"], true);
    assert_eq!(user["posts"][1]["author"]["name"], "Ada");
    assert_eq!(row_count(app, "posts").await, 2);
}

async fn a_category_is_created_with_its_products(app: &TestApp) {
    let data = app
        .data(
            r#"mutation { createCategory(input: { name: "Books", products: [
                { name: "Atlas", price: 12.5, stock: 3 }, { name: "Novel", price: 8 } ] }) {
                name products { name price stock category { name } } } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["createCategory"]["products"],
        json!([
            { "name": "Atlas", "price": 12.5, "stock": 3, "category": { "name": "Books" } },
            { "name": "Novel", "price": 8.0, "stock": 0, "category": { "name": "Books" } },
        ])
    );
}

async fn a_product_connects_to_or_creates_the_category_it_names(app: &TestApp) {
    let books = app.create_category("Books").await;
    let create = "mutation($input: CreateProductInput!) { createProduct(input: $input) { categoryId category { name } } }";
    let connected = app
        .data(
            create,
            json!({ "input": { "name": "Atlas", "price": 1.0, "categoryName": " Books " } }),
        )
        .await;
    assert_eq!(connected["createProduct"]["categoryId"], books);
    let created = app
        .data(
            create,
            json!({ "input": { "name": "Chess", "price": 1.0, "categoryName": "Games" } }),
        )
        .await;
    assert_eq!(created["createProduct"]["category"]["name"], "Games");
    assert_eq!(row_count(app, "categories").await, 2);
    // Several products naming one new category make it once.
    let bulk = app
        .data(
            "mutation { createProducts(inputs: [{ name: \"A\", price: 1, categoryName: \"Toys\" }, { name: \"B\", price: 1, categoryName: \"Toys\" }]) { categoryId } }",
            json!({}),
        )
        .await;
    assert_eq!(
        bulk["createProducts"][0]["categoryId"],
        bulk["createProducts"][1]["categoryId"]
    );
    assert_eq!(row_count(app, "categories").await, 3);
    let message = app
        .expect_error(
            create,
            json!({ "input": { "name": "Both", "price": 1.0, "categoryId": books, "categoryName": "Books" } }),
            "BAD_USER_INPUT",
            Some("categoryName"),
        )
        .await;
    assert!(message.contains("not both"), "{message}");
    app.expect_error(
        create,
        json!({ "input": { "name": "Lamp", "price": 1.0, "categoryName": "  " } }),
        "BAD_USER_INPUT",
        Some("categoryName"),
    )
    .await;
}

async fn a_bad_nested_item_writes_nothing_and_is_named_by_its_path(app: &TestApp) {
    let user = |posts: serde_json::Value| json!({ "input": { "name": "Ada", "email": "ada@example.com", "age": 36, "posts": posts } });
    let create_user = "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }";
    let good = json!({ "title": "A good title", "content": "Twenty characters or more." });
    for (posts, field) in [
        (
            json!([good, { "title": "Bad", "content": "Twenty characters or more." }]),
            "input.posts.1.title",
        ),
        (
            json!([{ "title": "A good title", "content": "short" }]),
            "input.posts.0.content",
        ),
        ((0..101).map(|_| good.clone()).collect(), "input.posts"),
    ] {
        app.expect_error(create_user, user(posts), "BAD_USER_INPUT", Some(field))
            .await;
    }
    // The user's own fields are named as always.
    app.expect_error(
        create_user,
        json!({ "input": { "name": "A", "email": "ada@example.com", "age": 36, "posts": [good] } }),
        "BAD_USER_INPUT",
        Some("name"),
    )
    .await;
    app.expect_error(
        "mutation { createCategory(input: { name: \"Books\", products: [{ name: \"Lamp\", price: -1 }] }) { id } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("input.products.0.price"),
    )
    .await;
    // A conflict of the parent takes its nested rows with it.
    app.create_user("Ada", "ada@example.com", 36).await;
    app.expect_error(create_user, user(json!([good])), "CONFLICT", None)
        .await;
    assert_eq!(
        row_count(app, "posts").await
            + row_count(app, "categories").await
            + row_count(app, "products").await,
        0
    );
    assert_eq!(row_count(app, "users").await, 1);
}
