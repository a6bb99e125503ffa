//! Products: creation, validation, filters, pagination, updates and deletion.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, ids, pluck};
use crate::helpers::{assert_page_bounds, assert_pages_by_id, rejected_without_writing, row_count};

on_every_backend!(
    create_product_returns_every_field,
    create_product_without_stock_or_category,
    product_name_is_one_to_one_hundred_characters_after_trimming,
    product_price_and_stock_are_not_negative,
    create_product_in_a_missing_category_is_not_found,
    products_filter_on_each_condition,
    products_filter_on_combined_conditions,
    products_are_paged_by_id_ten_by_default,
    products_page_bounds_are_checked,
    product_is_null_when_absent,
    update_product_changes_only_the_given_fields,
    update_product_validates_every_given_field,
    update_product_to_a_missing_category_is_not_found,
    update_or_delete_a_missing_product_is_not_found,
    delete_product_returns_the_product_as_it_was,
);

const CREATE: &str = "mutation($input: CreateProductInput!) { createProduct(input: $input) { \
                      id name price stock categoryId category { id name } } }";
const UPDATE: &str = "mutation($id: Int!, $input: UpdateProductInput!) { \
                      updateProduct(id: $id, input: $input) { \
                      id name price stock categoryId } }";
const DELETE: &str =
    "mutation($id: Int!) { deleteProduct(id: $id) { id name price stock categoryId } }";
const PRODUCT: &str = "query($id: Int!) { product(id: $id) { id name price stock categoryId } }";
const LIST: &str = "query($filter: ProductFilter, $skip: Int, $limit: Int) { \
                    products(filter: $filter, skip: $skip, limit: $limit) { id } }";
/// Every product and category (the tests stay far below 100), to check that a rejected write
/// changed nothing.
const EVERYTHING: &str = "{ products(limit: 100) { id name price stock categoryId } \
                          categories { id name } }";

/// Creates a product from `input`, which must succeed; returns it.
async fn create(app: &TestApp, input: Value) -> Value {
    app.data(CREATE, json!({ "input": input })).await["createProduct"].clone()
}

/// Creating a product from `input` must fail with `code` (on `field`) and write nothing;
/// returns the message.
async fn create_rejected(app: &TestApp, input: Value, code: &str, field: Option<&str>) -> String {
    rejected_without_writing(
        app,
        EVERYTHING,
        CREATE,
        json!({ "input": input }),
        code,
        field,
    )
    .await
}

/// Updating product `id` with `input` must fail with `code` (on `field`) and write nothing;
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

/// Updates product `id` with `input`, which must succeed; returns it.
async fn update(app: &TestApp, id: i64, input: Value) -> Value {
    app.data(UPDATE, json!({ "id": id, "input": input })).await["updateProduct"].clone()
}

/// The product `id` as `product(id)` returns it.
async fn fetch(app: &TestApp, id: i64) -> Value {
    app.data(PRODUCT, json!({ "id": id })).await["product"].clone()
}

/// The ids `products` returns for `variables`.
async fn list(app: &TestApp, variables: Value) -> Vec<i64> {
    let data = app.data(LIST, variables).await;
    ids(&data["products"])
}

/// The ids of the products that `filter` selects.
async fn filtered(app: &TestApp, filter: Value) -> Vec<i64> {
    list(app, json!({ "filter": filter })).await
}

// ---- Creation ----

async fn create_product_returns_every_field(app: &TestApp) {
    let books = app.create_category("Books").await;
    let product = create(
        app,
        json!({ "name": "  The Art of Computer Programming ", "price": 199.99, "stock": 7,
                "categoryId": books }),
    )
    .await;
    assert!(id_of(&product) > 0);
    assert_eq!(
        product["name"], "The Art of Computer Programming",
        "the name is trimmed"
    );
    assert_eq!(product["price"].as_f64(), Some(199.99));
    assert_eq!(product["stock"], 7);
    assert_eq!(product["categoryId"], books);
    assert_eq!(product["category"], json!({ "id": books, "name": "Books" }));

    let mut stored = product.clone();
    if let Some(object) = stored.as_object_mut() {
        object.remove("category");
    }
    assert_eq!(
        fetch(app, id_of(&product)).await,
        stored,
        "product(id) reads what was created"
    );
    assert_eq!(row_count(app, "products").await, 1);
}

async fn create_product_without_stock_or_category(app: &TestApp) {
    let product = create(app, json!({ "name": "Widget", "price": 2.5 })).await;
    assert_eq!(product["stock"], 0, "stock defaults to 0");
    assert_eq!(product["categoryId"], Value::Null);
    assert_eq!(product["category"], Value::Null);
    let nulls = create(
        app,
        json!({ "name": "Gadget", "price": 3, "stock": null, "categoryId": null }),
    )
    .await;
    assert_eq!(nulls["stock"], 0, "a null stock is an omitted stock");
    assert_eq!(nulls["categoryId"], Value::Null);
    assert_eq!(
        nulls["price"].as_f64(),
        Some(3.0),
        "an integer literal is a Float"
    );
    assert_eq!(row_count(app, "products").await, 2);
}

async fn product_name_is_one_to_one_hundred_characters_after_trimming(app: &TestApp) {
    let product = |name: String| json!({ "name": name, "price": 1.0 });
    for name in [
        String::new(),
        "   ".to_owned(),
        "p".repeat(101),
        format!(" {} ", "p".repeat(101)),
    ] {
        create_rejected(app, product(name), "BAD_USER_INPUT", Some("name")).await;
    }
    assert_eq!(row_count(app, "products").await, 0);
    for (name, stored) in [
        ("a".to_owned(), "a".to_owned()),
        (" b ".to_owned(), "b".to_owned()),
        ("p".repeat(100), "p".repeat(100)),
        (format!("  {}  ", "q".repeat(100)), "q".repeat(100)),
        ("é".repeat(100), "é".repeat(100)),
    ] {
        assert_eq!(create(app, product(name)).await["name"], stored.as_str());
    }
    assert_eq!(row_count(app, "products").await, 5);
}

async fn product_price_and_stock_are_not_negative(app: &TestApp) {
    for (input, field) in [
        (json!({ "name": "Widget", "price": -0.01 }), "price"),
        (json!({ "name": "Widget", "price": -100 }), "price"),
        (
            json!({ "name": "Widget", "price": 1.0, "stock": -1 }),
            "stock",
        ),
    ] {
        create_rejected(app, input, "BAD_USER_INPUT", Some(field)).await;
    }
    assert_eq!(row_count(app, "products").await, 0);
    let free = create(app, json!({ "name": "Free", "price": 0.0, "stock": 0 })).await;
    assert_eq!(free["price"].as_f64(), Some(0.0));
    assert_eq!(free["stock"], 0);
    let cheap = create(app, json!({ "name": "Cheap", "price": 0.01, "stock": 1 })).await;
    assert_eq!(cheap["price"].as_f64(), Some(0.01));
    assert_eq!(cheap["stock"], 1);
    let big = create(
        app,
        json!({ "name": "Big", "price": 1e9, "stock": i32::MAX }),
    )
    .await;
    assert_eq!(big["price"].as_f64(), Some(1e9));
    assert_eq!(big["stock"], i32::MAX);
}

async fn create_product_in_a_missing_category_is_not_found(app: &TestApp) {
    let books = app.create_category("Books").await;
    let input = json!({ "name": "Widget", "price": 1.0, "stock": 1, "categoryId": books + 100 });
    let message = create_rejected(app, input, "NOT_FOUND", None).await;
    assert_eq!(message, "Category not found");
    assert_eq!(row_count(app, "products").await, 0);
    // Validation comes first.
    let input = json!({ "name": "", "price": 1.0, "categoryId": books + 100 });
    create_rejected(app, input, "BAD_USER_INPUT", Some("name")).await;
}

// ---- Reading ----

/// The catalogue of the filter tests: two categories and five products; returns the category
/// ids and the product ids.
///
/// | # | price  | stock | category |
/// |---|--------|-------|----------|
/// | 0 | 1.50   | 10    | 0        |
/// | 1 | 10.00  | 0     | 0        |
/// | 2 | 25.00  | 3     | 1        |
/// | 3 | 100.00 | 0     | none     |
/// | 4 | 10.00  | 5     | 1        |
async fn catalogue(app: &TestApp) -> ([i64; 2], [i64; 5]) {
    let categories = [
        app.create_category("Stationery").await,
        app.create_category("Home").await,
    ];
    let products = [
        app.create_product("Pen", 1.5, 10, Some(categories[0]))
            .await,
        app.create_product("Notebook", 10.0, 0, Some(categories[0]))
            .await,
        app.create_product("Lamp", 25.0, 3, Some(categories[1]))
            .await,
        app.create_product("Desk", 100.0, 0, None).await,
        app.create_product("Mug", 10.0, 5, Some(categories[1]))
            .await,
    ];
    // Rewrite the first product so that a list without ORDER BY would show it last.
    update(app, products[0], json!({ "name": "Pen" })).await;
    (categories, products)
}

async fn products_filter_on_each_condition(app: &TestApp) {
    let (c, p) = catalogue(app).await;
    assert_eq!(list(app, json!({})).await, p, "no filter: everything by id");
    assert_eq!(filtered(app, json!({})).await, p, "an empty filter");
    assert_eq!(filtered(app, Value::Null).await, p, "a null filter");
    assert_eq!(
        filtered(app, json!({ "categoryId": c[0] })).await,
        [p[0], p[1]]
    );
    assert_eq!(
        filtered(app, json!({ "categoryId": c[1] })).await,
        [p[2], p[4]]
    );
    assert!(
        filtered(app, json!({ "categoryId": c[1] + 100 }))
            .await
            .is_empty()
    );
    assert_eq!(
        filtered(app, json!({ "minPrice": 10.0 })).await,
        [p[1], p[2], p[3], p[4]],
        "minPrice is inclusive"
    );
    assert_eq!(
        filtered(app, json!({ "minPrice": 10.01 })).await,
        [p[2], p[3]]
    );
    assert_eq!(
        filtered(app, json!({ "maxPrice": 10.0 })).await,
        [p[0], p[1], p[4]],
        "maxPrice is inclusive"
    );
    assert_eq!(filtered(app, json!({ "maxPrice": 9.99 })).await, [p[0]]);
    assert_eq!(
        filtered(app, json!({ "inStock": true })).await,
        [p[0], p[2], p[4]]
    );
    assert_eq!(
        filtered(app, json!({ "inStock": false })).await,
        [p[1], p[3]]
    );
    assert_eq!(
        filtered(
            app,
            json!({ "categoryId": null, "minPrice": null, "maxPrice": null,
                              "inStock": null })
        )
        .await,
        p,
        "null conditions are no conditions"
    );
}

async fn products_filter_on_combined_conditions(app: &TestApp) {
    let (c, p) = catalogue(app).await;
    assert_eq!(
        filtered(app, json!({ "categoryId": c[1], "inStock": true })).await,
        [p[2], p[4]]
    );
    assert_eq!(
        filtered(app, json!({ "categoryId": c[0], "inStock": true })).await,
        [p[0]]
    );
    assert_eq!(
        filtered(app, json!({ "categoryId": c[0], "inStock": false })).await,
        [p[1]]
    );
    assert_eq!(
        filtered(app, json!({ "minPrice": 10, "maxPrice": 25 })).await,
        [p[1], p[2], p[4]]
    );
    assert_eq!(
        filtered(app, json!({ "minPrice": 10, "maxPrice": 10 })).await,
        [p[1], p[4]]
    );
    assert!(
        filtered(app, json!({ "minPrice": 30, "maxPrice": 20 }))
            .await
            .is_empty()
    );
    assert_eq!(
        filtered(app, json!({ "minPrice": 5, "inStock": false })).await,
        [p[1], p[3]]
    );
    assert_eq!(
        filtered(
            app,
            json!({ "categoryId": c[0], "minPrice": 5, "inStock": false })
        )
        .await,
        [p[1]]
    );
    assert_eq!(
        filtered(
            app,
            json!({ "categoryId": c[1], "minPrice": 10, "maxPrice": 10, "inStock": true })
        )
        .await,
        [p[4]]
    );
    assert!(
        filtered(app, json!({ "categoryId": c[1], "inStock": false }))
            .await
            .is_empty()
    );
    // Pagination applies after the filters.
    let in_stock = json!({ "inStock": true });
    assert_eq!(
        list(app, json!({ "filter": in_stock, "limit": 2 })).await,
        [p[0], p[2]]
    );
    assert_eq!(
        list(app, json!({ "filter": in_stock, "skip": 1 })).await,
        [p[2], p[4]]
    );
    assert_eq!(
        list(app, json!({ "filter": in_stock, "skip": 1, "limit": 1 })).await,
        [p[2]]
    );
    assert!(
        list(app, json!({ "filter": in_stock, "skip": 3 }))
            .await
            .is_empty()
    );
}

async fn products_are_paged_by_id_ten_by_default(app: &TestApp) {
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            app.create_product(&format!("Product {i}"), f64::from(i), i, None)
                .await,
        );
    }
    // Rewrite the first products so that a list without ORDER BY would show them last.
    update(app, ids[0], json!({ "stock": 50 })).await;
    update(app, ids[1], json!({ "price": 99.5 })).await;
    assert_pages_by_id(app, "products", &ids).await;
}

async fn products_page_bounds_are_checked(app: &TestApp) {
    app.create_product("Widget", 1.0, 1, None).await;
    assert_page_bounds(app, "products").await;
    app.expect_error(
        LIST,
        json!({ "filter": { "inStock": true }, "limit": 101 }),
        "BAD_USER_INPUT",
        Some("limit"),
    )
    .await;
}

async fn product_is_null_when_absent(app: &TestApp) {
    assert_eq!(fetch(app, 1).await, Value::Null);
    let id = app.create_product("Widget", 1.0, 1, None).await;
    assert_eq!(fetch(app, id).await["name"], "Widget");
    assert_eq!(fetch(app, id + 1).await, Value::Null);
}

// ---- Updates ----

async fn update_product_changes_only_the_given_fields(app: &TestApp) {
    let books = app.create_category("Books").await;
    let music = app.create_category("Music").await;
    let id = app.create_product("Novel", 12.5, 3, Some(books)).await;
    let other = app.create_product("Album", 9.99, 2, Some(music)).await;
    let other_before = fetch(app, other).await;
    let mut expected = fetch(app, id).await;

    assert_eq!(
        update(app, id, json!({})).await,
        expected,
        "an empty update changes nothing"
    );
    let steps = [
        (
            json!({ "name": "  Big Novel " }),
            "name",
            json!("Big Novel"),
        ),
        (json!({ "price": 15.25 }), "price", json!(15.25)),
        (json!({ "price": 0 }), "price", json!(0.0)),
        (json!({ "stock": 0 }), "stock", json!(0)),
        (json!({ "stock": 8 }), "stock", json!(8)),
        (json!({ "categoryId": music }), "categoryId", json!(music)),
    ];
    for (input, field, value) in steps {
        expected[field] = value;
        let updated = update(app, id, input.clone()).await;
        assert_eq!(updated, expected, "after {input}");
        assert_eq!(fetch(app, id).await, expected, "stored after {input}");
    }
    let data = app
        .data(
            "query($id: Int!) { product(id: $id) { category { name } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data["product"]["category"], json!({ "name": "Music" }));

    // Several fields at once; the omitted ones stay as they are.
    let updated = update(app, id, json!({ "name": "Songbook", "stock": 1 })).await;
    expected["name"] = json!("Songbook");
    expected["stock"] = json!(1);
    assert_eq!(updated, expected);
    assert_eq!(
        fetch(app, other).await,
        other_before,
        "other products are untouched"
    );
}

async fn update_product_validates_every_given_field(app: &TestApp) {
    let id = app.create_product("Widget", 1.0, 1, None).await;
    for (input, field) in [
        (json!({ "name": "" }), "name"),
        (json!({ "name": "   " }), "name"),
        (json!({ "name": "p".repeat(101) }), "name"),
        (json!({ "price": -0.01 }), "price"),
        (json!({ "stock": -1 }), "stock"),
        (json!({ "name": "Fine", "stock": -1 }), "stock"),
    ] {
        update_rejected(app, id, input, "BAD_USER_INPUT", Some(field)).await;
    }
    let edges = update(
        app,
        id,
        json!({ "name": "p".repeat(100), "price": 0, "stock": 0 }),
    )
    .await;
    assert_eq!(edges["name"], "p".repeat(100));
    assert_eq!(edges["price"].as_f64(), Some(0.0));
    assert_eq!(edges["stock"], 0);
    assert_eq!(update(app, id, json!({ "name": "x" })).await["name"], "x");
}

async fn update_product_to_a_missing_category_is_not_found(app: &TestApp) {
    let books = app.create_category("Books").await;
    let id = app.create_product("Novel", 12.5, 3, Some(books)).await;
    let loose = app.create_product("Loose", 1.0, 1, None).await;
    for (product, input) in [
        (id, json!({ "categoryId": books + 100 })),
        (id, json!({ "name": "Renamed", "categoryId": books + 100 })),
        (loose, json!({ "categoryId": books + 100 })),
    ] {
        let message = update_rejected(app, product, input, "NOT_FOUND", None).await;
        assert_eq!(message, "Category not found");
    }
    assert_eq!(fetch(app, id).await["categoryId"], books);
    assert_eq!(fetch(app, loose).await["categoryId"], Value::Null);
}

async fn update_or_delete_a_missing_product_is_not_found(app: &TestApp) {
    let id = app.create_product("Widget", 1.0, 1, None).await;
    for input in [json!({ "name": "Gadget" }), json!({})] {
        let message = update_rejected(app, id + 100, input, "NOT_FOUND", None).await;
        assert_eq!(message, "Product not found");
    }
    let variables = json!({ "id": id + 100 });
    let message =
        rejected_without_writing(app, EVERYTHING, DELETE, variables, "NOT_FOUND", None).await;
    assert_eq!(message, "Product not found");
}

// ---- Deletion ----

async fn delete_product_returns_the_product_as_it_was(app: &TestApp) {
    let books = app.create_category("Books").await;
    let id = app.create_product("Novel", 12.5, 3, Some(books)).await;
    let kept = app.create_product("Atlas", 30.0, 1, Some(books)).await;
    let before = fetch(app, id).await;

    let deleted = app.data(DELETE, json!({ "id": id })).await["deleteProduct"].clone();
    assert_eq!(deleted, before);
    assert_eq!(fetch(app, id).await, Value::Null);
    assert_eq!(list(app, json!({})).await, [kept]);
    assert_eq!(row_count(app, "categories").await, 1, "the category stays");
    let data = app
        .data(
            "query($id: Int!) { category(id: $id) { products { id } } }",
            json!({ "id": books }),
        )
        .await;
    assert_eq!(pluck(&data["category"]["products"], "id"), [&json!(kept)]);

    let message = rejected_without_writing(
        app,
        EVERYTHING,
        DELETE,
        json!({ "id": id }),
        "NOT_FOUND",
        None,
    )
    .await;
    assert_eq!(message, "Product not found");
}
