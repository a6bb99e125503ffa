//! Column fields resolve in place (without a future each): in the order of the selection,
//! fragments included, and with the answers of async-graphql's own path, which an object takes
//! when two of its fields under one response key must merge (a differential property over
//! random selections).

use proptest::prelude::*;
use serde_json::{Value, json};

use crate::helpers::{TestApp, proptest_runner};
use crate::selections::{Kind, render, seed, selection};

on_every_backend!(
    fields_come_in_the_order_asked,
    in_place_answers_as_async_graphql_does,
);

/// The response text of `query`, whose object keys keep the server's order.
async fn response_text(app: &TestApp, query: &str) -> String {
    let response = reqwest::Client::new()
        .post(format!("{}/graphql", app.address))
        .json(&json!({ "query": query }))
        .send()
        .await
        .expect("send the request");
    response.text().await.expect("a response body")
}

/// Where each of `keys` first occurs in `text`, which must hold them all.
fn positions(text: &str, keys: &[&str]) -> Vec<usize> {
    keys.iter()
        .map(|key| {
            text.find(&format!("\"{key}\":"))
                .unwrap_or_else(|| panic!("{key} in {text}"))
        })
        .collect()
}

async fn fields_come_in_the_order_asked(app: &TestApp) {
    seed(app).await;
    let query = "{ posts(limit: 1) { author { name } id ...Flags heading: title __typename \
                 ... on Node { nodeId } } } fragment Flags on Post { published authorId }";
    let text = response_text(app, query).await;
    let keys = [
        "author",
        "id",
        "published",
        "authorId",
        "heading",
        "__typename",
        "nodeId",
    ];
    let found = positions(&text, &keys);
    assert!(found.is_sorted(), "{keys:?} in this order: {text}");
    let data: Value = serde_json::from_str(&text).expect("JSON");
    let post = &data["data"]["posts"][0];
    assert_eq!(post["author"]["name"], "Ada", "{text}");
    assert_eq!(post["heading"], "Engines of thought", "{text}");
    assert_eq!(post["__typename"], "Post", "{text}");
    assert!(post["nodeId"].is_string(), "{text}");

    // The same column twice is one entry, in its first place.
    let text = response_text(
        app,
        "{ products(limit: 1) { name ...on Product { price name } stock name } }",
    )
    .await;
    assert!(
        positions(&text, &["name", "price", "stock"]).is_sorted(),
        "{text}"
    );
    assert_eq!(text.matches("\"name\"").count(), 1, "{text}");
    assert_eq!(
        serde_json::from_str::<Value>(&text).expect("JSON")["data"]["products"][0],
        json!({ "name": "Hammer", "price": 12.5, "stock": 3 }),
        "{text}"
    );
}

/// For random selections on each list: the answer with columns in place equals the answer of
/// async-graphql's path, forced by a relation asked twice under one key (and then left out).
async fn in_place_answers_as_async_graphql_does(app: &TestApp) {
    seed(app).await;
    let mut runner = proptest_runner(100);
    let runtime = tokio::runtime::Handle::current();
    let lists = [
        (Kind::Post, "posts(limit: 3)"),
        (Kind::User, "users(limit: 3)"),
        (Kind::Product, "products(limit: 3)"),
        (Kind::Category, "categories"),
    ];
    tokio::task::block_in_place(|| {
        for (kind, list) in lists {
            let (relation, _) = kind.relation();
            let forced = format!("forced: {relation} {{ id }} forced: {relation} {{ id }}");
            runner
                .run(&selection(kind, 2), |selection| {
                    let mut fragments = Vec::new();
                    let body = render(kind, &selection, &mut fragments);
                    let query = format!(
                        "{{ inPlace: {list} {{ {body} }} own: {list} {{ {body} {forced} }} }} {}",
                        fragments.join(" ")
                    );
                    let mut data = runtime.block_on(app.data(&query, json!({})));
                    let mut own = data["own"].take();
                    for object in own.as_array_mut().expect("a list") {
                        object.as_object_mut().expect("an object").remove("forced");
                    }
                    prop_assert_eq!(&data["inPlace"], &own, "{}", query);
                    prop_assert!(!own.as_array().expect("a list").is_empty(), "{}", query);
                    Ok(())
                })
                .expect("columns in place answer as async-graphql does");
        }
    });
}
