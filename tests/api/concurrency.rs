//! Unique rules hold under concurrent requests: the database decides, clients get CONFLICT.

use futures::future::join_all;
use serde_json::json;

use crate::helpers::TestApp;

on_every_backend!(
    racing_registrations_of_one_email_admit_exactly_one,
    racing_category_names_admit_exactly_one
);

const RACERS: usize = 50;

async fn racing_registrations_of_one_email_admit_exactly_one(app: &TestApp) {
    let attempts = (0..RACERS).map(|i| {
        // The same address in different case and spacing.
        let email = if i % 2 == 0 {
            format!(" Race@Example.com{} ", " ".repeat(i % 3))
        } else {
            "RACE@example.COM".to_owned()
        };
        app.graphql(
            "mutation($input: CreateUserInput!) { createUser(input: $input) { id } }",
            json!({ "input": { "name": format!("Racer {i}"), "email": email, "age": 20 } }),
        )
    });
    let responses = join_all(attempts).await;
    let winners = responses
        .iter()
        .filter(|r| r.get("errors").is_none())
        .count();
    assert_eq!(winners, 1, "{responses:#?}");
    for response in responses.iter().filter(|r| r.get("errors").is_some()) {
        assert_eq!(
            response["errors"][0]["extensions"]["code"], "CONFLICT",
            "{response:#}"
        );
        assert_eq!(response["errors"][0]["message"], "Email already registered");
    }
    let users = app.data("{ users(limit: 100) { email } }", json!({})).await;
    assert_eq!(users["users"], json!([{ "email": "race@example.com" }]));
}

async fn racing_category_names_admit_exactly_one(app: &TestApp) {
    let attempts = (0..RACERS).map(|_| {
        app.graphql(
            "mutation { createCategory(input: { name: \"Books\" }) { id } }",
            json!({}),
        )
    });
    let responses = join_all(attempts).await;
    let codes: Vec<_> = responses
        .iter()
        .map(|r| {
            r["errors"][0]["extensions"]["code"]
                .as_str()
                .unwrap_or("OK")
        })
        .collect();
    assert_eq!(codes.iter().filter(|c| **c == "OK").count(), 1, "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| **c == "CONFLICT").count(),
        RACERS - 1,
        "{codes:?}"
    );
    let categories = app.data("{ categories { name } }", json!({})).await;
    assert_eq!(categories["categories"], json!([{ "name": "Books" }]));
}
