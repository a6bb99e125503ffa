//! `expectedUpdatedAt`: a write that expects a stamp the row no longer has writes nothing and
//! says `CONFLICT`, reason `STALE`, with the current stamp; racing writers with one
//! expectation cannot both win.

use futures::future::join_all;
use serde_json::{Value, json};

use super::stamps::at;
use crate::helpers::{TestApp, rejected_without_writing};

on_every_backend!(
    every_update_and_delete_checks_the_expected_stamp,
    publishing_checks_the_expected_stamp,
    of_two_racing_writers_with_one_expectation_one_wins,
);

/// Per entity: its name, a mutation name stem, a change, and how to make a row; a row's query.
struct Entity {
    name: &'static str,
    change: Value,
    read: &'static str,
}

async fn make(app: &TestApp, entity: &str) -> i64 {
    match entity {
        "User" => app.create_user("Ada", "ada@example.com", 36).await,
        "Post" => {
            let author = app.create_user("Bob", "bob@example.com", 40).await;
            app.create_post(author, "A first title").await
        }
        "Category" => app.create_category("Books").await,
        _ => app.create_product("Atlas", 12.5, 3, None).await,
    }
}

fn entities() -> [Entity; 4] {
    [
        Entity {
            name: "User",
            change: json!({ "age": 50 }),
            read: "{ users { id age updatedAt } }",
        },
        Entity {
            name: "Post",
            change: json!({ "title": "Another title" }),
            read: "{ posts { id title updatedAt } }",
        },
        Entity {
            name: "Category",
            change: json!({ "name": "Novels" }),
            read: "{ categories { id name updatedAt } }",
        },
        Entity {
            name: "Product",
            change: json!({ "stock": 9 }),
            read: "{ products { id stock updatedAt } }",
        },
    ]
}

fn stamp_of(app_data: &Value, field: &str) -> Value {
    app_data[field]["updatedAt"].clone()
}

async fn every_update_and_delete_checks_the_expected_stamp(app: &TestApp) {
    for entity in entities() {
        let name = entity.name;
        let id = make(app, name).await;
        let lower = name.to_lowercase();
        let read = app
            .data(
                &format!("query($id: Int!) {{ {lower}(id: $id) {{ updatedAt }} }}"),
                json!({ "id": id }),
            )
            .await;
        let first = stamp_of(&read, &lower);
        let update = format!(
            "mutation($id: Int!, $input: Update{name}Input!, $at: DateTime) {{ \
             update{name}(id: $id, input: $input, expectedUpdatedAt: $at) {{ updatedAt }} }}"
        );
        let delete = format!(
            "mutation($id: Int!, $at: DateTime) {{ delete{name}(id: $id, expectedUpdatedAt: $at) {{ id updatedAt }} }}"
        );
        // The current stamp: written, and the stamp moves on.
        let changed = app
            .data(
                &update,
                json!({ "id": id, "input": entity.change, "at": first }),
            )
            .await;
        let second = stamp_of(&changed, &format!("update{name}"));
        assert!(at(&second) > at(&first), "{name}");
        // The old stamp: refused, nothing written, the current stamp in the error.
        for (mutation, variables) in [
            (&update, json!({ "id": id, "input": { }, "at": first })),
            (
                &update,
                json!({ "id": id, "input": entity.change, "at": first }),
            ),
            (&delete, json!({ "id": id, "at": first })),
        ] {
            let before = app.data(entity.read, json!({})).await;
            let error = app.error(mutation, variables).await;
            assert_eq!(error["extensions"]["code"], "CONFLICT", "{name}: {error}");
            assert_eq!(error["extensions"]["reason"], "STALE", "{name}: {error}");
            assert_eq!(
                at(&error["extensions"]["updatedAt"]),
                at(&second),
                "{name}: {error}"
            );
            assert_eq!(
                app.data(entity.read, json!({})).await,
                before,
                "{name}: a stale write wrote"
            );
        }
        // A stamp between two milliseconds is no stored stamp: stale too.
        let between = at(&second) + chrono::Duration::microseconds(500);
        let error = app
            .error(&delete, json!({ "id": id, "at": between.to_rfc3339() }))
            .await;
        assert_eq!(error["extensions"]["reason"], "STALE", "{name}: {error}");
        // Without an expectation nothing is checked; with the current one the delete goes.
        let deleted = app.data(&delete, json!({ "id": id, "at": second })).await;
        assert_eq!(
            deleted[format!("delete{name}")]["updatedAt"],
            second,
            "{name}"
        );
        // A missing row is NOT_FOUND, whatever the expectation.
        for mutation in [&update, &delete] {
            let variables = json!({ "id": id, "input": entity.change, "at": second });
            let error = app.error(mutation, variables).await;
            assert_eq!(error["extensions"]["code"], "NOT_FOUND", "{name}: {error}");
        }
    }
}

async fn publishing_checks_the_expected_stamp(app: &TestApp) {
    let author = app.create_user("Ada", "ada@example.com", 36).await;
    let post = app.create_post(author, "A first title").await;
    let read = app
        .data(
            "query($id: Int!) { post(id: $id) { updatedAt } }",
            json!({ "id": post }),
        )
        .await;
    let created = stamp_of(&read, "post");
    app.data(
        "mutation($id: Int!) { updatePost(id: $id, input: { title: \"Changed title\" }) { id } }",
        json!({ "id": post }),
    )
    .await;
    let publish = "mutation($id: Int!, $at: DateTime) { publishPost(id: $id, expectedUpdatedAt: $at) { published updatedAt } }";
    let message = rejected_without_writing(
        app,
        "{ posts { id published updatedAt } }",
        publish,
        json!({ "id": post, "at": created }),
        "CONFLICT",
        None,
    )
    .await;
    assert!(message.contains("Post has changed"), "{message}");
    let read = app
        .data(
            "query($id: Int!) { post(id: $id) { updatedAt } }",
            json!({ "id": post }),
        )
        .await;
    let published = app
        .data(
            publish,
            json!({ "id": post, "at": stamp_of(&read, "post") }),
        )
        .await;
    assert_eq!(published["publishPost"]["published"], true);
}

/// Twenty rounds: two updates (then an update and a delete) sent at once with the same
/// expectation; exactly one of them succeeds, the other is STALE.
async fn of_two_racing_writers_with_one_expectation_one_wins(app: &TestApp) {
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    let update = "mutation($id: Int!, $age: Int!, $at: DateTime) { updateUser(id: $id, input: { age: $age }, expectedUpdatedAt: $at) { age updatedAt } }";
    let delete =
        "mutation($id: Int!, $at: DateTime) { deleteUser(id: $id, expectedUpdatedAt: $at) { id } }";
    for round in 0..20 {
        let read = app
            .data(
                "query($id: Int!) { user(id: $id) { updatedAt } }",
                json!({ "id": user }),
            )
            .await;
        let stamp = stamp_of(&read, "user");
        let last_round = round == 19;
        let requests = [
            (
                update,
                json!({ "id": user, "age": 40 + round, "at": stamp }),
            ),
            if last_round {
                (delete, json!({ "id": user, "at": stamp }))
            } else {
                (
                    update,
                    json!({ "id": user, "age": 80 + round, "at": stamp }),
                )
            },
        ];
        let responses = join_all(
            requests
                .iter()
                .map(|(query, variables)| app.graphql(query, variables.clone())),
        )
        .await;
        let won: Vec<&Value> = responses
            .iter()
            .filter(|r| r.get("errors").is_none())
            .collect();
        // The loser is STALE; an update that lost to the delete finds no user at all.
        let deleted = last_round
            && won
                .first()
                .is_some_and(|r| r["data"].get("deleteUser").is_some());
        let lost: Vec<&Value> = responses
            .iter()
            .filter(|r| {
                let extensions = &r["errors"][0]["extensions"];
                extensions["reason"] == "STALE" || (deleted && extensions["code"] == "NOT_FOUND")
            })
            .collect();
        assert_eq!(
            (won.len(), lost.len()),
            (1, 1),
            "round {round}: {responses:#?}"
        );
        if !last_round {
            let now = app
                .data(
                    "query($id: Int!) { user(id: $id) { age } }",
                    json!({ "id": user }),
                )
                .await;
            assert_eq!(
                now["user"]["age"], won[0]["data"]["updateUser"]["age"],
                "round {round}"
            );
        }
    }
}
