//! Lookups by id (`post(id:)`, `product(id:)`) read their to-one relation in their own
//! statement when the selection asks for it: one statement, and the same answer as the list
//! fields, which go through the loaders (a differential property over random selections).

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{TestApp, proptest_runner};
use crate::selections::{Kind, render, seed, selection};

on_every_backend!(
    a_post_with_its_author_is_one_statement,
    a_product_with_its_category_is_one_statement,
    lookups_answer_as_the_lists_do,
);

async fn a_post_with_its_author_is_one_statement(app: &TestApp) {
    let (posts, _) = seed(app).await;
    let selections = [
        "post(id: $id) { id title author { id name email } }",
        "post(id: $id) { title writer: author { name } }",
        "post(id: $id) { ...on Post { author { name } } }",
        "post(id: $id) { ...Written } } fragment Written on Post { author { name }",
        "post(id: $id) { title }",
    ];
    for selection in selections {
        app.reset_statements();
        let data = app
            .data(
                &format!("query($id: Int!) {{ {selection} }}"),
                json!({ "id": posts[2] }),
            )
            .await;
        assert_eq!(app.statements(), 1, "{selection}");
        assert!(data["post"].is_object(), "{selection}: {data}");
        let author = data["post"]
            .get("author")
            .or_else(|| data["post"].get("writer"));
        if let Some(author) = author {
            assert_eq!(author["name"], "Grace", "{selection}");
        }
    }
    app.reset_statements();
    let data = app
        .data("{ post(id: 999999) { author { name } } }", json!({}))
        .await;
    assert_eq!(data["post"], Value::Null);
    assert_eq!(app.statements(), 1);
}

async fn a_product_with_its_category_is_one_statement(app: &TestApp) {
    let (_, products) = seed(app).await;
    for (id, category) in [
        (products[0], json!({ "name": "Tools" })),
        (products[4], Value::Null),
    ] {
        app.reset_statements();
        let data = app
            .data(
                "query($id: Int!) { product(id: $id) { name category { name } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(app.statements(), 1, "product {id}");
        assert_eq!(data["product"]["category"], category, "product {id}");
    }
}

/// For random selections on posts and products and ids of rows that exist and one that does
/// not: `post(id:)` (joined) answers exactly what `posts(where: { id: { eq } })` (loaders) does.
async fn lookups_answer_as_the_lists_do(app: &TestApp) {
    let (posts, products) = seed(app).await;
    let mut runner = proptest_runner(100);
    let runtime = tokio::runtime::Handle::current();
    let lookups = [
        (Kind::Post, "post", "posts", posts),
        (Kind::Product, "product", "products", products),
    ];
    tokio::task::block_in_place(|| {
        for (kind, one, many, mut existing) in lookups {
            existing.push(999_999);
            let strategy = (selection(kind, 3), prop::sample::select(existing));
            runner
                .run(&strategy, |(selection, id)| {
                    let mut fragments = Vec::new();
                    let body = render(kind, &selection, &mut fragments);
                    let query = format!(
                        "query($id: Int!) {{ {one}(id: $id) {{ {body} }} \
                         {many}(where: {{ id: {{ eq: $id }} }}) {{ {body} }} }} {}",
                        fragments.join(" ")
                    );
                    let data = runtime.block_on(app.data(&query, json!({ "id": id })));
                    let listed = data[many].get(0).cloned().unwrap_or(Value::Null);
                    prop_assert_eq!(&data[one], &listed, "{}", query);
                    Ok(())
                })
                .expect("a lookup answers as the list does");
        }
    });
}
