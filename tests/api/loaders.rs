//! Nested fields go through DataLoaders: one SQL statement per list level, whatever the page.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, pluck};

on_every_backend!(
    posts_with_authors_cost_two_statements,
    users_with_posts_and_authors_cost_three_statements,
    products_with_categories_cost_two_statements,
    categories_with_products_cost_two_statements,
    posts_filtered_by_published_stay_batched,
);

const PAGE_SIZES: [usize; 3] = [1, 10, 100];

/// Runs one aliased mutation per input, a few dozen per request (agora allows 30 aliases in
/// a document); returns the created ids in order.
async fn create_many(app: &TestApp, field: &str, input_type: &str, inputs: Vec<Value>) -> Vec<i64> {
    let mut ids = Vec::with_capacity(inputs.len());
    for chunk in inputs.chunks(25) {
        let declarations: Vec<String> = (0..chunk.len())
            .map(|i| format!("$in{i}: {input_type}!"))
            .collect();
        let selections: Vec<String> = (0..chunk.len())
            .map(|i| format!("m{i}: {field}(input: $in{i}) {{ id }}"))
            .collect();
        let query = format!(
            "mutation({}) {{ {} }}",
            declarations.join(", "),
            selections.join(" ")
        );
        let variables: serde_json::Map<String, Value> = chunk
            .iter()
            .enumerate()
            .map(|(i, input)| (format!("in{i}"), input.clone()))
            .collect();
        let data = app.data(&query, Value::Object(variables)).await;
        ids.extend((0..chunk.len()).map(|i| id_of(&data[format!("m{i}")])));
    }
    ids
}

/// 100 users with one post each; returns the user ids.
async fn seed_authors_with_posts(app: &TestApp) -> Vec<i64> {
    let users = (0..100)
        .map(|i| json!({ "name": format!("Author {i}"), "email": format!("a{i}@example.com"), "age": 30 }))
        .collect();
    let user_ids = create_many(app, "createUser", "CreateUserInput", users).await;
    let posts = user_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({ "title": format!("Post number {i}"), "content": "Long enough content for a post.", "authorId": id })
        })
        .collect();
    create_many(app, "createPost", "CreatePostInput", posts).await;
    user_ids
}

/// 100 categories with one product each.
async fn seed_categories_with_products(app: &TestApp) {
    let categories = (0..100)
        .map(|i| json!({ "name": format!("Category {i}") }))
        .collect();
    let category_ids = create_many(app, "createCategory", "CreateCategoryInput", categories).await;
    let products = category_ids
        .iter()
        .enumerate()
        .map(|(i, id)| json!({ "name": format!("Product {i}"), "price": 1.5, "categoryId": id }))
        .collect();
    create_many(app, "createProduct", "CreateProductInput", products).await;
}

async fn posts_with_authors_cost_two_statements(app: &TestApp) {
    seed_authors_with_posts(app).await;
    for size in PAGE_SIZES {
        app.reset_statements();
        let data = app
            .data(
                "query($n: Int) { posts(limit: $n) { title author { name } } }",
                json!({ "n": size }),
            )
            .await;
        assert_eq!(app.statements(), 2, "page size {size}");
        let posts = data["posts"].as_array().expect("a list");
        assert_eq!(posts.len(), size);
        for (i, post) in posts.iter().enumerate() {
            assert_eq!(post["title"], format!("Post number {i}"));
            assert_eq!(post["author"]["name"], format!("Author {i}"));
        }
    }
}

async fn users_with_posts_and_authors_cost_three_statements(app: &TestApp) {
    seed_authors_with_posts(app).await;
    for size in PAGE_SIZES {
        app.reset_statements();
        let data = app
            .data(
                "query($n: Int) { users(limit: $n) { name posts { title author { name } } } }",
                json!({ "n": size }),
            )
            .await;
        assert_eq!(app.statements(), 3, "page size {size}");
        let users = data["users"].as_array().expect("a list");
        assert_eq!(users.len(), size);
        for (i, user) in users.iter().enumerate() {
            assert_eq!(
                pluck(&user["posts"], "title"),
                [&json!(format!("Post number {i}"))]
            );
            assert_eq!(user["posts"][0]["author"]["name"], user["name"]);
        }
    }
}

async fn products_with_categories_cost_two_statements(app: &TestApp) {
    seed_categories_with_products(app).await;
    for size in PAGE_SIZES {
        app.reset_statements();
        let data = app
            .data(
                "query($n: Int) { products(limit: $n) { name category { name } } }",
                json!({ "n": size }),
            )
            .await;
        assert_eq!(app.statements(), 2, "page size {size}");
        let products = data["products"].as_array().expect("a list");
        assert_eq!(products.len(), size);
        for (i, product) in products.iter().enumerate() {
            assert_eq!(product["category"]["name"], format!("Category {i}"));
        }
    }
}

async fn categories_with_products_cost_two_statements(app: &TestApp) {
    seed_categories_with_products(app).await;
    app.reset_statements();
    let data = app
        .data("{ categories { name products { name } } }", json!({}))
        .await;
    assert_eq!(app.statements(), 2);
    let categories = data["categories"].as_array().expect("a list");
    assert_eq!(categories.len(), 100);
    for (i, category) in categories.iter().enumerate() {
        assert_eq!(
            pluck(&category["products"], "name"),
            [&json!(format!("Product {i}"))]
        );
    }
}

async fn posts_filtered_by_published_stay_batched(app: &TestApp) {
    let user_ids = seed_authors_with_posts(app).await;
    let first_post = app
        .data(
            "query($id: Int) { posts(authorId: $id) { id } }",
            json!({ "id": user_ids[0] }),
        )
        .await;
    app.publish_post(id_of(&first_post["posts"][0])).await;
    app.reset_statements();
    let data = app
        .data(
            "{ users(limit: 100) { published: posts(published: true) { id } drafts: posts(published: false) { id } } }",
            json!({}),
        )
        .await;
    // One statement for the users, one per distinct `published` argument.
    assert_eq!(app.statements(), 3);
    let users = data["users"].as_array().expect("a list");
    assert_eq!(users[0]["published"].as_array().map(Vec::len), Some(1));
    assert_eq!(users[0]["drafts"].as_array().map(Vec::len), Some(0));
    assert_eq!(users[1]["published"].as_array().map(Vec::len), Some(0));
    assert_eq!(users[1]["drafts"].as_array().map(Vec::len), Some(1));
}
