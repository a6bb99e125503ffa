//! Categories: creation, listing, name rules and uniqueness, renaming, deletion and products.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, pluck};
use crate::helpers::{rejected_without_writing, row_count};

on_every_backend!(
    create_category_returns_it,
    categories_are_listed_by_id,
    category_is_null_when_absent,
    category_name_is_one_to_fifty_characters_after_trimming,
    create_category_with_a_taken_name_conflicts,
    update_category_renames_it,
    update_category_validates_the_name,
    update_category_to_a_taken_name_conflicts,
    update_or_delete_a_missing_category_is_not_found,
    delete_category_keeps_its_products_without_a_category,
    category_products_lists_its_products_by_id,
);

const CREATE: &str =
    "mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id name } }";
const UPDATE: &str = "mutation($id: Int!, $input: UpdateCategoryInput!) { \
                      updateCategory(id: $id, input: $input) { id name } }";
const DELETE: &str = "mutation($id: Int!) { deleteCategory(id: $id) { id name } }";
const CATEGORY: &str = "query($id: Int!) { category(id: $id) { id name } }";
/// Every category and product, to check that a rejected write changed nothing.
const EVERYTHING: &str = "{ categories { id name products { id } } \
                          products(limit: 100) { id name price stock categoryId } }";

/// Creates a category named `name`, which must succeed; returns it.
async fn create(app: &TestApp, name: &str) -> Value {
    app.data(CREATE, json!({ "input": { "name": name } })).await["createCategory"].clone()
}

/// Creating a category named `name` must fail with `code` (on `field`) and write nothing;
/// returns the message.
async fn create_rejected(app: &TestApp, name: &str, code: &str, field: Option<&str>) -> String {
    let variables = json!({ "input": { "name": name } });
    rejected_without_writing(app, EVERYTHING, CREATE, variables, code, field).await
}

/// Renaming category `id` with `input` must fail with `code` (on `field`) and write nothing;
/// returns the message.
async fn update_rejected(
    app: &TestApp,
    id: i64,
    input: Value,
    code: &str,
    field: Option<&str>,
) -> String {
    let variables = json!({ "id": id, "input": input });
    rejected_without_writing(app, EVERYTHING, UPDATE, variables, code, field).await
}

/// Updates category `id` with `input`, which must succeed; returns it.
async fn update(app: &TestApp, id: i64, input: Value) -> Value {
    app.data(UPDATE, json!({ "id": id, "input": input })).await["updateCategory"].clone()
}

/// The category `id` as `category(id)` returns it.
async fn fetch(app: &TestApp, id: i64) -> Value {
    app.data(CATEGORY, json!({ "id": id })).await["category"].clone()
}

async fn create_category_returns_it(app: &TestApp) {
    let category = create(app, "  Books \t").await;
    assert!(id_of(&category) > 0);
    assert_eq!(category["name"], "Books", "the name is trimmed");
    assert_eq!(fetch(app, id_of(&category)).await, category);
    let data = app
        .data(
            "query($id: Int!) { category(id: $id) { products { id } } }",
            json!({ "id": id_of(&category) }),
        )
        .await;
    assert_eq!(
        data["category"]["products"],
        json!([]),
        "a new category has no products"
    );
    assert_eq!(row_count(app, "categories").await, 1);
}

async fn categories_are_listed_by_id(app: &TestApp) {
    let empty = app.data("{ categories { id } }", json!({})).await;
    assert_eq!(empty["categories"], json!([]));
    // Names out of alphabetical order: the list follows ids, not names.
    let ids = [
        app.create_category("Zebras").await,
        app.create_category("Apples").await,
        app.create_category("Mangoes").await,
    ];
    // Rewrite the first row so that a list without ORDER BY would show it last.
    update(app, ids[0], json!({ "name": "Zebras and more" })).await;
    let data = app.data("{ categories { id name } }", json!({})).await;
    assert_eq!(
        data["categories"],
        json!([
            { "id": ids[0], "name": "Zebras and more" },
            { "id": ids[1], "name": "Apples" },
            { "id": ids[2], "name": "Mangoes" },
        ])
    );
}

async fn category_is_null_when_absent(app: &TestApp) {
    assert_eq!(fetch(app, 1).await, Value::Null);
    let id = app.create_category("Books").await;
    assert_eq!(fetch(app, id).await, json!({ "id": id, "name": "Books" }));
    assert_eq!(fetch(app, id + 1).await, Value::Null);
}

async fn category_name_is_one_to_fifty_characters_after_trimming(app: &TestApp) {
    for name in [
        String::new(),
        "   ".to_owned(),
        "c".repeat(51),
        format!(" {} ", "c".repeat(51)),
    ] {
        create_rejected(app, &name, "BAD_USER_INPUT", Some("name")).await;
    }
    assert_eq!(row_count(app, "categories").await, 0);
    for (name, stored) in [
        ("a".to_owned(), "a".to_owned()),
        ("  b  ".to_owned(), "b".to_owned()),
        ("c".repeat(50), "c".repeat(50)),
        (format!("  {}  ", "d".repeat(50)), "d".repeat(50)),
        ("é".repeat(50), "é".repeat(50)),
    ] {
        assert_eq!(create(app, &name).await["name"], stored.as_str());
    }
    assert_eq!(row_count(app, "categories").await, 5);
}

async fn create_category_with_a_taken_name_conflicts(app: &TestApp) {
    app.create_category("Books").await;
    for name in ["Books", "  Books  ", "Books\t"] {
        let message = create_rejected(app, name, "CONFLICT", None).await;
        assert_eq!(message, "Category name already exists", "for {name:?}");
    }
    assert_eq!(row_count(app, "categories").await, 1);
}

async fn update_category_renames_it(app: &TestApp) {
    let id = app.create_category("Books").await;
    let other = app.create_category("Music").await;
    assert_eq!(
        update(app, id, json!({ "name": "  Novels " })).await,
        json!({ "id": id, "name": "Novels" })
    );
    assert_eq!(fetch(app, id).await, json!({ "id": id, "name": "Novels" }));
    let unchanged = json!({ "id": id, "name": "Novels" });
    assert_eq!(
        update(app, id, json!({})).await,
        unchanged,
        "an empty update"
    );
    let message = update_rejected(
        app,
        id,
        json!({ "name": null }),
        "BAD_USER_INPUT",
        Some("name"),
    )
    .await;
    assert!(message.contains("leave it out"), "{message}");
    assert_eq!(
        update(app, id, json!({ "name": "Novels" })).await,
        unchanged,
        "keeping its own name is no conflict"
    );
    // The old name is free again.
    app.create_category("Books").await;
    assert_eq!(
        fetch(app, other).await,
        json!({ "id": other, "name": "Music" })
    );
}

async fn update_category_validates_the_name(app: &TestApp) {
    let id = app.create_category("Books").await;
    for name in [String::new(), "  ".to_owned(), "c".repeat(51)] {
        update_rejected(
            app,
            id,
            json!({ "name": name }),
            "BAD_USER_INPUT",
            Some("name"),
        )
        .await;
    }
    assert_eq!(
        update(app, id, json!({ "name": "c".repeat(50) })).await["name"],
        "c".repeat(50)
    );
    assert_eq!(update(app, id, json!({ "name": "x" })).await["name"], "x");
}

async fn update_category_to_a_taken_name_conflicts(app: &TestApp) {
    app.create_category("Books").await;
    let music = app.create_category("Music").await;
    for name in ["Books", " Books "] {
        let message = update_rejected(app, music, json!({ "name": name }), "CONFLICT", None).await;
        assert_eq!(message, "Category name already exists");
    }
    assert_eq!(fetch(app, music).await["name"], "Music");
}

async fn update_or_delete_a_missing_category_is_not_found(app: &TestApp) {
    let id = app.create_category("Books").await;
    for input in [json!({ "name": "Music" }), json!({})] {
        let message = update_rejected(app, id + 100, input, "NOT_FOUND", None).await;
        assert_eq!(message, "Category not found");
    }
    let variables = json!({ "id": id + 100 });
    let message =
        rejected_without_writing(app, EVERYTHING, DELETE, variables, "NOT_FOUND", None).await;
    assert_eq!(message, "Category not found");
}

async fn delete_category_keeps_its_products_without_a_category(app: &TestApp) {
    let books = app.create_category("Books").await;
    let music = app.create_category("Music").await;
    let novel = app.create_product("Novel", 12.5, 3, Some(books)).await;
    let album = app.create_product("Album", 9.99, 0, Some(music)).await;
    let atlas = app.create_product("Atlas", 30.0, 1, Some(books)).await;

    let deleted = app.data(DELETE, json!({ "id": books })).await["deleteCategory"].clone();
    assert_eq!(
        deleted,
        json!({ "id": books, "name": "Books" }),
        "returned as it was"
    );
    assert_eq!(fetch(app, books).await, Value::Null);
    assert_eq!(row_count(app, "categories").await, 1);
    assert_eq!(row_count(app, "products").await, 3, "products stay");

    let data = app
        .data(
            "{ products { id name price stock categoryId category { id name } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["products"],
        json!([
            { "id": novel, "name": "Novel", "price": 12.5, "stock": 3,
              "categoryId": null, "category": null },
            { "id": album, "name": "Album", "price": 9.99, "stock": 0,
              "categoryId": music, "category": { "id": music, "name": "Music" } },
            { "id": atlas, "name": "Atlas", "price": 30.0, "stock": 1,
              "categoryId": null, "category": null },
        ])
    );
    let again = rejected_without_writing(
        app,
        EVERYTHING,
        DELETE,
        json!({ "id": books }),
        "NOT_FOUND",
        None,
    )
    .await;
    assert_eq!(again, "Category not found");
    // The name is free again, and the new category starts empty.
    let reborn = app.create_category("Books").await;
    let data = app
        .data(
            "query($id: Int!) { category(id: $id) { products { id } } }",
            json!({ "id": reborn }),
        )
        .await;
    assert_eq!(data["category"]["products"], json!([]));
}

async fn category_products_lists_its_products_by_id(app: &TestApp) {
    let books = app.create_category("Books").await;
    let music = app.create_category("Music").await;
    let empty = app.create_category("Empty").await;
    let novel = app.create_product("Novel", 12.5, 3, Some(books)).await;
    let album = app.create_product("Album", 9.99, 0, Some(music)).await;
    let atlas = app.create_product("Atlas", 30.0, 1, Some(books)).await;
    app.create_product("Loose", 1.0, 1, None).await;
    // Rewrite the first product so that a list without ORDER BY would show it last.
    app.data(
        "mutation($id: Int!) { updateProduct(id: $id, input: { stock: 4 }) { id } }",
        json!({ "id": novel }),
    )
    .await;

    let data = app
        .data(
            "query($id: Int!) { category(id: $id) { products { id name categoryId } } }",
            json!({ "id": books }),
        )
        .await;
    assert_eq!(
        data["category"]["products"],
        json!([
            { "id": novel, "name": "Novel", "categoryId": books },
            { "id": atlas, "name": "Atlas", "categoryId": books },
        ])
    );

    let data = app
        .data("{ categories { id products { id } } }", json!({}))
        .await;
    let categories = &data["categories"];
    assert_eq!(
        pluck(categories, "id"),
        [&json!(books), &json!(music), &json!(empty)]
    );
    assert_eq!(
        categories[0]["products"],
        json!([{ "id": novel }, { "id": atlas }])
    );
    assert_eq!(categories[1]["products"], json!([{ "id": album }]));
    assert_eq!(categories[2]["products"], json!([]));
}
