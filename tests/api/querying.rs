//! `where` and `orderBy`: each operator by example; random filters checked against a Rust model.

use std::cmp::Ordering;
use std::sync::atomic::{AtomicUsize, Ordering as Atomic};

use chrono::{Duration, SecondsFormat};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use serde_json::{Map, Value, json};

use crate::dataset::{Dataset, Entity, Key, Row, Val, order_json, seed, sorted_ids};
use crate::helpers::{TestApp, ids};

on_every_backend!(
    int_filter_operators,
    float_filter_operators,
    string_filter_operators_are_case_sensitive_by_default,
    insensitive_mode_folds_every_letter,
    insensitive_mode_follows_updates,
    text_filters_with_a_nul_character_are_not_internal_errors,
    wildcards_and_backslashes_are_literal,
    boolean_filter_operators,
    datetime_filter_operators,
    datetime_filters_compare_sub_millisecond_inputs_exactly,
    null_category_id_semantics,
    empty_lists_and_empty_combinators,
    and_or_not_combine_conditions,
    relation_filters,
    order_by_code_points_nulls_and_id_ties,
    list_fields_keep_their_old_arguments,
    random_filters_and_orders_match_the_reference,
);

// ---- Running filters ----

/// The rows of `entity` matching `filter` in the order `order` (JSON, may be null): ids and
/// labels (names or titles).
async fn query(
    app: &TestApp,
    entity: Entity,
    filter: Value,
    order: Value,
) -> (Vec<i64>, Vec<String>) {
    let name = entity.name();
    let call = entity.list_call("where: $w, orderBy: $o");
    let document = format!(
        "query($w: {name}Where, $o: [{name}OrderBy!]) {{ {call} {{ id {} }} }}",
        entity.label()
    );
    let data = app
        .data(&document, json!({ "w": filter, "o": order }))
        .await;
    let list = &data[entity.list()];
    let labels = list
        .as_array()
        .expect("a list")
        .iter()
        .map(|row| row[entity.label()].as_str().expect("a label").to_owned())
        .collect();
    (ids(list), labels)
}

/// The labels of the rows of `entity` matching `filter`, by id.
async fn labels(app: &TestApp, entity: Entity, filter: Value) -> Vec<String> {
    query(app, entity, filter, Value::Null).await.1
}

/// Asserts that `filter` selects exactly the rows named `expected` (in id order).
async fn assert_labels(app: &TestApp, entity: Entity, filter: Value, expected: &[&str]) {
    assert_eq!(
        labels(app, entity, filter.clone()).await,
        expected,
        "{} where {filter}",
        entity.list()
    );
}

/// Asserts that `filter` selects exactly the rows of `entity` for which `expected` holds, by id.
async fn assert_filter<'a>(
    app: &TestApp,
    ds: &'a Dataset,
    entity: Entity,
    filter: Value,
    expected: impl Fn(Row<'a>) -> bool,
) {
    let want: Vec<i64> = ds
        .rows(entity)
        .into_iter()
        .filter(|row| expected(*row))
        .map(|row| row.id())
        .collect();
    let (got, _) = query(app, entity, filter.clone(), Value::Null).await;
    assert_eq!(got, want, "{} where {filter}", entity.list());
}

fn int(row: Row<'_>, field: &str) -> i64 {
    match row.get(field) {
        Val::Int(v) => v,
        other => panic!("{field} is {other:?}"),
    }
}

fn float(row: Row<'_>, field: &str) -> f64 {
    match row.get(field) {
        Val::Float(v) => v,
        other => panic!("{field} is {other:?}"),
    }
}

fn category_of(row: Row<'_>) -> Option<i64> {
    match row.get("categoryId") {
        Val::Int(v) => Some(v),
        _ => None,
    }
}

// ---- Examples ----

async fn int_filter_operators(app: &TestApp) {
    let ds = seed(app).await;
    let user = Entity::User;
    let age = |row| int(row, "age");
    assert_filter(app, &ds, user, json!({ "age": { "eq": 30 } }), |r| {
        age(r) == 30
    })
    .await;
    assert_filter(app, &ds, user, json!({ "age": { "ne": 30 } }), |r| {
        age(r) != 30
    })
    .await;
    assert_filter(app, &ds, user, json!({ "age": { "gt": 30 } }), |r| {
        age(r) > 30
    })
    .await;
    assert_filter(app, &ds, user, json!({ "age": { "gte": 30 } }), |r| {
        age(r) >= 30
    })
    .await;
    assert_filter(app, &ds, user, json!({ "age": { "lt": 25 } }), |r| {
        age(r) < 25
    })
    .await;
    assert_filter(app, &ds, user, json!({ "age": { "lte": 25 } }), |r| {
        age(r) <= 25
    })
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "age": { "in": [0, 150, 7] } }),
        |r| [0, 150].contains(&age(r)),
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "age": { "notIn": [25, 30] } }),
        |r| ![25, 30].contains(&age(r)),
    )
    .await;
    assert_filter(app, &ds, user, json!({ "age": { "isNull": true } }), |_| {
        false
    })
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "age": { "isNull": false } }),
        |_| true,
    )
    .await;
    // Every operator given must hold.
    assert_filter(
        app,
        &ds,
        user,
        json!({ "age": { "gte": 19, "lt": 41, "ne": 30, "notIn": [25] } }),
        |r| (19..41).contains(&age(r)) && age(r) != 30 && age(r) != 25,
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "age": { "gt": 30, "lt": 30 } }),
        |_| false,
    )
    .await;

    let (third, sixth) = (ds.users[2].id, ds.users[5].id);
    assert_filter(
        app,
        &ds,
        user,
        json!({ "id": { "in": [third, sixth] } }),
        |r| r.id() == third || r.id() == sixth,
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "id": { "gt": sixth, "lte": sixth + 3 } }),
        |r| r.id() > sixth && r.id() <= sixth + 3,
    )
    .await;

    let product = Entity::Product;
    let stock = |row| int(row, "stock");
    assert_filter(app, &ds, product, json!({ "stock": { "eq": 0 } }), |r| {
        stock(r) == 0
    })
    .await;
    assert_filter(app, &ds, product, json!({ "stock": { "gt": 0 } }), |r| {
        stock(r) > 0
    })
    .await;
    assert_filter(
        app,
        &ds,
        product,
        json!({ "stock": { "in": [7, 100] } }),
        |r| [7, 100].contains(&stock(r)),
    )
    .await;

    let author = ds.users[0].id;
    assert_filter(
        app,
        &ds,
        Entity::Post,
        json!({ "authorId": { "eq": author } }),
        |r| int(r, "authorId") == author,
    )
    .await;
    assert_filter(
        app,
        &ds,
        Entity::Post,
        json!({ "authorId": { "notIn": [author] } }),
        |r| int(r, "authorId") != author,
    )
    .await;
}

async fn float_filter_operators(app: &TestApp) {
    let ds = seed(app).await;
    let product = Entity::Product;
    let price = |row| float(row, "price");
    type Check = Box<dyn Fn(f64) -> bool>;
    let cases: Vec<(Value, Check)> = vec![
        (json!({ "eq": 39.99 }), Box::new(|p| p == 39.99)),
        (json!({ "ne": 9.99 }), Box::new(|p| p != 9.99)),
        (json!({ "gt": 15.0 }), Box::new(|p| p > 15.0)),
        (json!({ "gte": 15 }), Box::new(|p| p >= 15.0)),
        (json!({ "lt": 2.5 }), Box::new(|p| p < 2.5)),
        (json!({ "lte": 2.5 }), Box::new(|p| p <= 2.5)),
        (
            json!({ "in": [0.0, 1000.0, 3.25] }),
            Box::new(|p| p == 0.0 || p == 1000.0),
        ),
        (
            json!({ "notIn": [9.99, 39.99] }),
            Box::new(|p| p != 9.99 && p != 39.99),
        ),
        (json!({ "isNull": false }), Box::new(|_| true)),
        (json!({ "isNull": true }), Box::new(|_| false)),
        (
            json!({ "gt": 9.99, "lt": 49.5 }),
            Box::new(|p| p > 9.99 && p < 49.5),
        ),
        (
            json!({ "gte": 9.99, "lte": 49.5, "ne": 15.0 }),
            Box::new(|p| (9.99..=49.5).contains(&p) && p != 15.0),
        ),
    ];
    for (filter, expected) in cases {
        assert_filter(app, &ds, product, json!({ "price": filter }), |r| {
            expected(price(r))
        })
        .await;
    }
}

async fn string_filter_operators_are_case_sensitive_by_default(app: &TestApp) {
    seed(app).await;
    let user = Entity::User;
    assert_labels(app, user, json!({ "name": { "eq": "bob" } }), &["bob"]).await;
    assert_labels(app, user, json!({ "name": { "eq": "émile" } }), &[]).await;
    assert_labels(
        app,
        user,
        json!({ "name": { "in": ["Bob", "adam", "nobody"] } }),
        &["adam", "Bob"],
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "name": { "contains": "mil" } }),
        &["Émile", "émilie"],
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "name": { "contains": "É", "mode": "DEFAULT" } }),
        &["Émile", "ÉMILE"],
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "name": { "startsWith": "Z" } }),
        &["ZOË", "Zoë", "Zed"],
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "name": { "endsWith": "e" } }),
        &["Émile", "émilie", "100% Pure", "100 Pure", "Straße"],
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "name": { "startsWith": "b", "endsWith": "h" } }),
        &["back\\slash", "backslash"],
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "name": { "startsWith": "b", "endsWith": "h", "contains": "\\" } }),
        &["back\\slash"],
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "city": { "eq": "Paris" } }),
        &["Émile", "ÉMILE"],
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "city": { "eq": "Unknown" } }),
        &["back\\slash", "Zed"],
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "email": { "eq": "emilie@example.com" } }),
        &["émilie"],
    )
    .await;

    let everyone_but = |excluded: &[&str]| -> Vec<&'static str> {
        crate::dataset::USERS
            .iter()
            .map(|(name, ..)| *name)
            .filter(|name| !excluded.contains(name))
            .collect()
    };
    assert_labels(
        app,
        user,
        json!({ "name": { "ne": "bob" } }),
        &everyone_but(&["bob"]),
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "name": { "notIn": ["Bob", "Zed", "zed"] } }),
        &everyone_but(&["Bob", "Zed"]),
    )
    .await;

    assert_labels(
        app,
        Entity::Post,
        json!({ "title": { "contains": "news" } }),
        &["Morning news", "Evening news", "Straße news"],
    )
    .await;
    assert_labels(
        app,
        Entity::Post,
        json!({ "content": { "startsWith": "ALL" } }),
        &["ZOË SHOUTS"],
    )
    .await;
    assert_labels(
        app,
        Entity::Category,
        json!({ "name": { "startsWith": "B" } }),
        &["Books"],
    )
    .await;
    assert_labels(
        app,
        Entity::Product,
        json!({ "name": { "endsWith": "book" } }),
        &["rust book"],
    )
    .await;
    assert_labels(
        app,
        Entity::Product,
        json!({ "name": { "eq": "Écran" } }),
        &["Écran"],
    )
    .await;
}

async fn insensitive_mode_folds_every_letter(app: &TestApp) {
    seed(app).await;
    let user = Entity::User;
    let ci = |op: &str, value: Value| json!({ "name": { op: value, "mode": "INSENSITIVE" } });
    assert_labels(app, user, ci("eq", json!("émile")), &["Émile", "ÉMILE"]).await;
    assert_labels(app, user, ci("eq", json!("ÉMILE")), &["Émile", "ÉMILE"]).await;
    assert_labels(
        app,
        user,
        ci("contains", json!("ÉMIL")),
        &["Émile", "émilie", "ÉMILE"],
    )
    .await;
    assert_labels(
        app,
        user,
        ci("startsWith", json!("é")),
        &["Émile", "émilie", "ÉMILE"],
    )
    .await;
    assert_labels(app, user, ci("endsWith", json!("ILE")), &["Émile", "ÉMILE"]).await;
    assert_labels(app, user, ci("eq", json!("zoë")), &["ZOË", "Zoë"]).await;
    assert_labels(
        app,
        user,
        ci("in", json!(["BOB", "ADAM"])),
        &["adam", "Bob", "bob"],
    )
    .await;
    assert_labels(app, user, ci("contains", json!("ß")), &["Straße"]).await;
    // Lower-case folding, not full case folding: "SS" is not "ß".
    assert_labels(app, user, ci("contains", json!("SS")), &[]).await;
    // "İ" lower-cases to "i̇" (with a combining dot), as Rust does.
    assert_labels(app, user, ci("startsWith", json!("İR")), &["İrem"]).await;
    assert_labels(app, user, ci("startsWith", json!("i\u{307}r")), &["İrem"]).await;
    assert_labels(app, user, ci("startsWith", json!("ir")), &[]).await;
    let all_but = |excluded: &[&str]| -> Vec<&'static str> {
        crate::dataset::USERS
            .iter()
            .map(|(name, ..)| *name)
            .filter(|name| !excluded.contains(name))
            .collect()
    };
    assert_labels(app, user, ci("ne", json!("ZOË")), &all_but(&["ZOË", "Zoë"])).await;
    assert_labels(
        app,
        user,
        ci("notIn", json!(["BOB", "émile"])),
        &all_but(&["Émile", "Bob", "bob", "ÉMILE"]),
    )
    .await;
    // Every operator of the filter follows the mode.
    assert_labels(
        app,
        user,
        json!({ "name": { "startsWith": "É", "endsWith": "E", "mode": "INSENSITIVE" } }),
        &["Émile", "émilie", "ÉMILE"],
    )
    .await;
    let city = |value: &str| json!({ "city": { "eq": value, "mode": "INSENSITIVE" } });
    assert_labels(app, user, city("são paulo"), &["Ana_Maria", "AnaXMaria"]).await;
    assert_labels(app, user, city("BERLIN"), &["adam", "Bob", "bob"]).await;
    assert_labels(app, user, city("ZÜRICH"), &["ZOË", "Zoë"]).await;
    assert_labels(
        app,
        user,
        json!({ "email": { "eq": "EMILIE@EXAMPLE.COM", "mode": "INSENSITIVE" } }),
        &["émilie"],
    )
    .await;

    let post = Entity::Post;
    assert_labels(
        app,
        post,
        json!({ "title": { "contains": "ünïcödé", "mode": "INSENSITIVE" } }),
        &["Ünïcödé Title"],
    )
    .await;
    assert_labels(
        app,
        post,
        json!({ "content": { "contains": "àéîõü", "mode": "INSENSITIVE" } }),
        &["Ünïcödé Title"],
    )
    .await;
    assert_labels(
        app,
        post,
        json!({ "title": { "eq": "HELLO WORLD", "mode": "INSENSITIVE" } }),
        &["Hello World", "hello world"],
    )
    .await;
    assert_labels(
        app,
        Entity::Category,
        json!({ "name": { "startsWith": "ÉLECTR", "mode": "INSENSITIVE" } }),
        &["Électronique", "électro_ménager"],
    )
    .await;
    assert_labels(
        app,
        Entity::Category,
        json!({ "name": { "in": ["BOOKS"], "mode": "INSENSITIVE" } }),
        &["Books", "books"],
    )
    .await;
    assert_labels(
        app,
        Entity::Product,
        json!({ "name": { "eq": "ÉCRAN", "mode": "INSENSITIVE" } }),
        &["Écran", "écran"],
    )
    .await;
    assert_labels(
        app,
        Entity::Product,
        json!({ "name": { "eq": "æon", "mode": "INSENSITIVE" } }),
        &["ÆON"],
    )
    .await;
}

async fn insensitive_mode_follows_updates(app: &TestApp) {
    let ds = seed(app).await;
    let emile = ds.user("Émile").id;
    let post = ds.posts[0].id;
    let books = ds.category("Books").id;
    let product = ds.products[0].id;
    app.data(
        "mutation($u: Int!, $p: Int!, $c: Int!, $r: Int!) { \
         updateUser(id: $u, input: { name: \"Ølaf\", city: \"ÅRHUS\" }) { id } \
         updatePost(id: $p, input: { title: \"Ça marche\", content: \"ÇA MARCHE ENCORE, ET TOUJOURS.\" }) { id } \
         updateCategory(id: $c, input: { name: \"Ørsted\" }) { id } \
         updateProduct(id: $r, input: { name: \"ÜBER\" }) { id } }",
        json!({ "u": emile, "p": post, "c": books, "r": product }),
    )
    .await;
    let ci =
        |field: &str, op: &str, value: &str| json!({ field: { op: value, "mode": "INSENSITIVE" } });
    assert_labels(app, Entity::User, ci("name", "eq", "øLAF"), &["Ølaf"]).await;
    assert_labels(app, Entity::User, ci("name", "eq", "émile"), &["ÉMILE"]).await;
    assert_labels(app, Entity::User, ci("city", "eq", "århus"), &["Ølaf"]).await;
    assert_labels(
        app,
        Entity::Post,
        ci("title", "startsWith", "ça"),
        &["Ça marche"],
    )
    .await;
    assert_labels(
        app,
        Entity::Post,
        ci("content", "contains", "ça marche encore"),
        &["Ça marche"],
    )
    .await;
    assert_labels(
        app,
        Entity::Post,
        ci("title", "eq", "hello world"),
        &["hello world"],
    )
    .await;
    assert_labels(
        app,
        Entity::Category,
        ci("name", "eq", "øRSTED"),
        &["Ørsted"],
    )
    .await;
    assert_labels(app, Entity::Category, ci("name", "eq", "books"), &["books"]).await;
    assert_labels(app, Entity::Product, ci("name", "eq", "über"), &["ÜBER"]).await;
    assert_labels(
        app,
        Entity::Product,
        ci("name", "eq", "rust book"),
        &["rust book"],
    )
    .await;
}

async fn text_filters_with_a_nul_character_are_not_internal_errors(app: &TestApp) {
    seed(app).await;
    // No stored text holds U+0000: such a filter matches nothing (or is refused as bad input),
    // the same way on both backends, and is never an internal error.
    for op in ["eq", "ne", "contains", "startsWith", "endsWith"] {
        for mode in ["DEFAULT", "INSENSITIVE"] {
            let filter = json!({ "name": { op: "Bob\u{0}", "mode": mode } });
            let response = app
                .graphql(
                    "query($w: UserWhere) { users(limit: 100, where: $w) { name } }",
                    json!({ "w": filter }),
                )
                .await;
            match response.get("errors") {
                None if op == "ne" => {
                    assert_eq!(
                        response["data"]["users"].as_array().map(Vec::len),
                        Some(crate::dataset::USERS.len()),
                        "{filter}"
                    );
                }
                None => assert_eq!(response["data"]["users"], json!([]), "{filter}"),
                Some(errors) => assert_eq!(
                    errors[0]["extensions"]["code"], "BAD_USER_INPUT",
                    "{filter}: {response:#}"
                ),
            }
        }
    }
}

async fn wildcards_and_backslashes_are_literal(app: &TestApp) {
    seed(app).await;
    let user = Entity::User;
    for mode in ["DEFAULT", "INSENSITIVE"] {
        let name = |op: &str, value: &str| json!({ "name": { op: value, "mode": mode } });
        assert_labels(app, user, name("contains", "%"), &["100% Pure"]).await;
        assert_labels(app, user, name("contains", "0% P"), &["100% Pure"]).await;
        assert_labels(app, user, name("contains", "%%"), &[]).await;
        assert_labels(app, user, name("startsWith", "%"), &[]).await;
        assert_labels(app, user, name("endsWith", "%"), &[]).await;
        assert_labels(app, user, name("contains", "_"), &["Ana_Maria"]).await;
        assert_labels(app, user, name("contains", "a_M"), &["Ana_Maria"]).await;
        assert_labels(app, user, name("startsWith", "Ana_"), &["Ana_Maria"]).await;
        assert_labels(app, user, name("endsWith", "_Maria"), &["Ana_Maria"]).await;
        assert_labels(app, user, name("startsWith", "_"), &[]).await;
        assert_labels(app, user, name("contains", "\\"), &["back\\slash"]).await;
        assert_labels(app, user, name("contains", "k\\s"), &["back\\slash"]).await;
        assert_labels(app, user, name("endsWith", "\\slash"), &["back\\slash"]).await;
        assert_labels(app, user, name("contains", "\\%"), &[]).await;
        assert_labels(app, user, name("eq", "100_ Pure"), &[]).await;
        assert_labels(app, user, name("eq", "100% Pure"), &["100% Pure"]).await;
        assert_labels(app, user, name("eq", "Ana%"), &[]).await;
    }
    assert_labels(
        app,
        user,
        json!({ "name": { "in": ["Ana%", "%", "_"] } }),
        &[],
    )
    .await;
    assert_labels(app, user, json!({ "email": { "contains": "%" } }), &["bob"]).await;
    assert_labels(app, user, json!({ "email": { "contains": "_" } }), &["Zoë"]).await;
    assert_labels(
        app,
        user,
        json!({ "email": { "startsWith": "back\\" } }),
        &["back\\slash"],
    )
    .await;
    assert_labels(
        app,
        Entity::Category,
        json!({ "name": { "endsWith": "%" } }),
        &["Garden%"],
    )
    .await;
    assert_labels(
        app,
        Entity::Category,
        json!({ "name": { "contains": "o_m" } }),
        &["électro_ménager"],
    )
    .await;
    assert_labels(
        app,
        Entity::Product,
        json!({ "name": { "contains": "_" } }),
        &["Câble_USB"],
    )
    .await;
    assert_labels(
        app,
        Entity::Product,
        json!({ "name": { "contains": "\\" } }),
        &["Toy\\Car"],
    )
    .await;
    assert_labels(
        app,
        Entity::Product,
        json!({ "name": { "endsWith": "0%" } }),
        &["Seeds 100%"],
    )
    .await;
    assert_labels(
        app,
        Entity::Post,
        json!({ "content": { "contains": "50% water_and" } }),
        &["Ana's recipe", "Ana's recipe"],
    )
    .await;
    assert_labels(
        app,
        Entity::Post,
        json!({ "title": { "contains": "r_s" } }),
        &["under_score"],
    )
    .await;
    assert_labels(
        app,
        Entity::Post,
        json!({ "content": { "contains": "k\\sl" } }),
        &["back\\slash post"],
    )
    .await;
}

async fn boolean_filter_operators(app: &TestApp) {
    let ds = seed(app).await;
    let active = |row: Row<'_>| row.get("isActive") == Val::Bool(true);
    let user = Entity::User;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "isActive": { "eq": true } }),
        active,
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "isActive": { "eq": false } }),
        |r| !active(r),
    )
    .await;
    assert_filter(app, &ds, user, json!({ "isActive": { "ne": true } }), |r| {
        !active(r)
    })
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "isActive": { "ne": false } }),
        active,
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "isActive": { "eq": true, "ne": false } }),
        active,
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "isActive": { "eq": true, "ne": true } }),
        |_| false,
    )
    .await;
    assert_filter(app, &ds, user, json!({ "isActive": {} }), |_| true).await;
    let published = |row: Row<'_>| row.get("published") == Val::Bool(true);
    assert_filter(
        app,
        &ds,
        Entity::Post,
        json!({ "published": { "eq": true } }),
        published,
    )
    .await;
    assert_filter(
        app,
        &ds,
        Entity::Post,
        json!({ "published": { "ne": true } }),
        |r| !published(r),
    )
    .await;
}

async fn datetime_filter_operators(app: &TestApp) {
    let ds = seed(app).await;
    let times: Vec<_> = ds.users.iter().map(|u| u.created_at).collect();
    assert!(
        times.first() < times.last(),
        "the two batches of users should have different timestamps: {times:?}"
    );
    let at = |row: Row<'_>| match row.get("createdAt") {
        Val::Time(at) => at,
        other => panic!("createdAt is {other:?}"),
    };
    let text = |at: chrono::DateTime<chrono::Utc>| at.to_rfc3339_opts(SecondsFormat::Millis, true);
    for entity in [Entity::User, Entity::Post] {
        let rows = ds.rows(entity);
        let t = at(rows[rows.len() / 2]);
        let ms = Duration::milliseconds(1);
        let filter = |op: &str, value: chrono::DateTime<chrono::Utc>| json!({ "createdAt": { op: text(value) } });
        assert_filter(app, &ds, entity, filter("eq", t), |r| at(r) == t).await;
        assert_filter(app, &ds, entity, filter("gt", t), |r| at(r) > t).await;
        assert_filter(app, &ds, entity, filter("gte", t), |r| at(r) >= t).await;
        assert_filter(app, &ds, entity, filter("lt", t), |r| at(r) < t).await;
        assert_filter(app, &ds, entity, filter("lte", t), |r| at(r) <= t).await;
        assert_filter(app, &ds, entity, filter("lt", t + ms), |r| at(r) <= t).await;
        assert_filter(app, &ds, entity, filter("gt", t - ms), |r| at(r) >= t).await;
        assert_filter(app, &ds, entity, filter("eq", t + ms), |r| at(r) == t + ms).await;
        // The same instant written with another offset.
        let paris = t
            .with_timezone(&chrono::FixedOffset::east_opt(2 * 3600).expect("an offset"))
            .to_rfc3339_opts(SecondsFormat::Millis, false);
        assert_filter(
            app,
            &ds,
            entity,
            json!({ "createdAt": { "eq": paris } }),
            |r| at(r) == t,
        )
        .await;
        let (first, last) = (at(rows[0]), at(rows[rows.len() - 1]));
        assert_filter(
            app,
            &ds,
            entity,
            json!({ "createdAt": { "gte": text(first), "lte": text(last) } }),
            |_| true,
        )
        .await;
        assert_filter(
            app,
            &ds,
            entity,
            json!({ "createdAt": { "gt": text(first), "lt": text(last) } }),
            |r| at(r) > first && at(r) < last,
        )
        .await;
    }
}

async fn datetime_filters_compare_sub_millisecond_inputs_exactly(app: &TestApp) {
    let ds = seed(app).await;
    let user = &ds.users[0];
    let stored = user.created_at;
    // Half a millisecond after the stored value: later than it, never equal to it.
    let later = stored + Duration::microseconds(500);
    let text = later.to_rfc3339_opts(SecondsFormat::Micros, true);
    for (op, matches) in [
        ("eq", false),
        ("lt", true),
        ("lte", true),
        ("gt", false),
        ("gte", false),
    ] {
        let filter = json!({ "id": { "eq": user.id }, "createdAt": { op: text } });
        let (got, _) = query(app, Entity::User, filter.clone(), Value::Null).await;
        assert_eq!(
            !got.is_empty(),
            matches,
            "stored {stored:?} {op} {text}: where {filter}"
        );
    }
    let earlier =
        (stored - Duration::microseconds(500)).to_rfc3339_opts(SecondsFormat::Micros, true);
    for (op, matches) in [
        ("eq", false),
        ("lt", false),
        ("lte", false),
        ("gt", true),
        ("gte", true),
    ] {
        let filter = json!({ "id": { "eq": user.id }, "createdAt": { op: earlier } });
        let (got, _) = query(app, Entity::User, filter.clone(), Value::Null).await;
        assert_eq!(
            !got.is_empty(),
            matches,
            "stored {stored:?} {op} {earlier}: where {filter}"
        );
    }
}

async fn null_category_id_semantics(app: &TestApp) {
    let ds = seed(app).await;
    let product = Entity::Product;
    let books = ds.category("Books").id;
    let ecran = ds.category("Électronique").id;
    let cat = category_of;
    let has = |row: Row<'_>, ids: &[i64]| cat(row).is_some_and(|c| ids.contains(&c));
    assert!(ds.products.iter().any(|p| p.category_id.is_none()));
    let where_ = |filter: Value| json!({ "categoryId": filter });
    assert_filter(app, &ds, product, where_(json!({ "eq": books })), |r| {
        cat(r) == Some(books)
    })
    .await;
    assert_filter(app, &ds, product, where_(json!({ "ne": books })), |r| {
        cat(r) != Some(books)
    })
    .await;
    assert_filter(app, &ds, product, where_(json!({ "gt": books })), |r| {
        cat(r).is_some_and(|c| c > books)
    })
    .await;
    assert_filter(app, &ds, product, where_(json!({ "gte": books })), |r| {
        cat(r).is_some()
    })
    .await;
    assert_filter(app, &ds, product, where_(json!({ "lt": ecran })), |r| {
        cat(r).is_some_and(|c| c < ecran)
    })
    .await;
    assert_filter(app, &ds, product, where_(json!({ "lte": ecran })), |r| {
        cat(r).is_some_and(|c| c <= ecran)
    })
    .await;
    assert_filter(
        app,
        &ds,
        product,
        where_(json!({ "in": [books, ecran] })),
        |r| has(r, &[books, ecran]),
    )
    .await;
    assert_filter(
        app,
        &ds,
        product,
        where_(json!({ "notIn": [books, ecran] })),
        |r| !has(r, &[books, ecran]),
    )
    .await;
    assert_filter(app, &ds, product, where_(json!({ "isNull": true })), |r| {
        cat(r).is_none()
    })
    .await;
    assert_filter(app, &ds, product, where_(json!({ "isNull": false })), |r| {
        cat(r).is_some()
    })
    .await;
    assert_filter(app, &ds, product, where_(json!({ "in": [] })), |_| false).await;
    assert_filter(app, &ds, product, where_(json!({ "notIn": [] })), |_| true).await;
    assert_filter(
        app,
        &ds,
        product,
        where_(json!({ "ne": books, "isNull": false })),
        |r| cat(r).is_some_and(|c| c != books),
    )
    .await;
    // `not` is a plain negation: products without a category are "not in Books".
    let not = |filter: Value| json!({ "not": { "categoryId": filter } });
    assert_filter(app, &ds, product, not(json!({ "eq": books })), |r| {
        cat(r) != Some(books)
    })
    .await;
    assert_filter(app, &ds, product, not(json!({ "ne": books })), |r| {
        cat(r) == Some(books)
    })
    .await;
    assert_filter(app, &ds, product, not(json!({ "lt": ecran })), |r| {
        cat(r).is_none_or(|c| c >= ecran)
    })
    .await;
    assert_filter(app, &ds, product, not(json!({ "in": [books] })), |r| {
        !has(r, &[books])
    })
    .await;
    assert_filter(app, &ds, product, not(json!({ "notIn": [books] })), |r| {
        has(r, &[books])
    })
    .await;
    assert_filter(app, &ds, product, not(json!({ "isNull": true })), |r| {
        cat(r).is_some()
    })
    .await;
    assert_filter(app, &ds, product, not(json!({ "in": [] })), |_| true).await;
    assert_filter(
        app,
        &ds,
        product,
        json!({ "not": { "not": { "categoryId": { "eq": books } } } }),
        |r| cat(r) == Some(books),
    )
    .await;
    // A product without a category meets no condition on its category, not even an empty one.
    assert_filter(app, &ds, product, json!({ "category": {} }), |r| {
        cat(r).is_some()
    })
    .await;
    assert_filter(
        app,
        &ds,
        product,
        json!({ "category": { "name": { "eq": "Books" } } }),
        |r| cat(r) == Some(books),
    )
    .await;
    assert_filter(
        app,
        &ds,
        product,
        json!({ "category": { "name": { "ne": "Books" } } }),
        |r| cat(r).is_some_and(|c| c != books),
    )
    .await;
    assert_filter(
        app,
        &ds,
        product,
        json!({ "not": { "category": { "name": { "eq": "Books" } } } }),
        |r| cat(r) != Some(books),
    )
    .await;
}

async fn empty_lists_and_empty_combinators(app: &TestApp) {
    let ds = seed(app).await;
    for entity in Entity::ALL {
        let all = |_: Row<'_>| true;
        let none = |_: Row<'_>| false;
        assert_filter(app, &ds, entity, json!({}), all).await;
        assert_filter(app, &ds, entity, json!({ "and": [] }), all).await;
        assert_filter(app, &ds, entity, json!({ "or": [] }), none).await;
        assert_filter(app, &ds, entity, json!({ "or": [{}] }), all).await;
        assert_filter(app, &ds, entity, json!({ "and": [{}, {}] }), all).await;
        assert_filter(app, &ds, entity, json!({ "not": {} }), none).await;
        assert_filter(app, &ds, entity, json!({ "not": { "and": [] } }), none).await;
        assert_filter(app, &ds, entity, json!({ "not": { "or": [] } }), all).await;
        assert_filter(app, &ds, entity, json!({ "not": { "not": {} } }), all).await;
        assert_filter(app, &ds, entity, json!({ "id": {} }), all).await;
        assert_filter(app, &ds, entity, json!({ "id": { "in": [] } }), none).await;
        assert_filter(app, &ds, entity, json!({ "id": { "notIn": [] } }), all).await;
        assert_filter(
            app,
            &ds,
            entity,
            json!({ "not": { "id": { "in": [] } } }),
            all,
        )
        .await;
        assert_filter(
            app,
            &ds,
            entity,
            json!({ "or": [{ "id": { "in": [] } }, { "not": {} }] }),
            none,
        )
        .await;
        let label = entity.label();
        assert_filter(app, &ds, entity, json!({ label: { "in": [] } }), none).await;
        assert_filter(app, &ds, entity, json!({ label: { "notIn": [] } }), all).await;
        assert_filter(
            app,
            &ds,
            entity,
            json!({ label: { "in": [], "mode": "INSENSITIVE" } }),
            none,
        )
        .await;
        assert_filter(app, &ds, entity, json!({ label: { "contains": "" } }), all).await;
        assert_filter(
            app,
            &ds,
            entity,
            json!({ label: { "startsWith": "", "endsWith": "" } }),
            all,
        )
        .await;
    }
}

async fn and_or_not_combine_conditions(app: &TestApp) {
    let ds = seed(app).await;
    let user = Entity::User;
    let age = |row| int(row, "age");
    let city = |row: Row<'_>| match row.get("city") {
        Val::Text(city) => city,
        other => panic!("city is {other:?}"),
    };
    assert_filter(
        app,
        &ds,
        user,
        json!({ "and": [{ "age": { "gte": 30 } }, { "age": { "lte": 41 } }] }),
        |r| (30..=41).contains(&age(r)),
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "or": [{ "name": { "eq": "Zed" } }, { "age": { "eq": 150 } }] }),
        |r| r.get("name") == Val::Text("Zed".into()) || age(r) == 150,
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "not": { "age": { "gte": 30 } } }),
        |r| age(r) < 30,
    )
    .await;
    // Fields, `and`, `or` and `not` of one input must all hold.
    assert_filter(
        app,
        &ds,
        user,
        json!({
            "city": { "eq": "Lyon" },
            "or": [{ "age": { "eq": 19 } }, { "age": { "eq": 30 } }],
            "and": [{ "isActive": { "eq": true } }],
            "not": { "name": { "startsWith": "back" } },
        }),
        |r| {
            city(r) == "Lyon"
                && (age(r) == 19 || age(r) == 30)
                && !matches!(r.get("name"), Val::Text(n) if n.starts_with("back"))
        },
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "not": { "or": [{ "city": { "eq": "Lyon" } }, { "isActive": { "eq": false } }] } }),
        |r| city(r) != "Lyon" && r.get("isActive") == Val::Bool(true),
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "or": [
            { "and": [{ "age": { "lt": 20 } }, { "city": { "eq": "Paris" } }] },
            { "not": { "or": [{ "age": { "lt": 50 } }, { "city": { "eq": "BERLIN" } }] } },
        ] }),
        |r| (age(r) < 20 && city(r) == "Paris") || !(age(r) < 50 || city(r) == "BERLIN"),
    )
    .await;
    let zed = ds.user("Zed").id;
    assert_filter(
        app,
        &ds,
        Entity::Post,
        json!({ "or": [
            { "published": { "eq": true }, "title": { "contains": "news" } },
            { "not": { "authorId": { "ne": zed } } },
        ] }),
        |r| {
            let title = matches!(r.get("title"), Val::Text(t) if t.contains("news"));
            (r.get("published") == Val::Bool(true) && title) || int(r, "authorId") == zed
        },
    )
    .await;
    assert_filter(
        app,
        &ds,
        Entity::Product,
        json!({ "or": [{ "price": { "gte": 199 } }, { "stock": { "eq": 0 }, "categoryId": { "isNull": true } }] }),
        |r| float(r, "price") >= 199.0 || (int(r, "stock") == 0 && category_of(r).is_none()),
    )
    .await;
}

async fn relation_filters(app: &TestApp) {
    let ds = seed(app).await;
    let user = Entity::User;
    let posts = |row: Row<'_>| ds.related(row, "posts");
    let published = |row: &Row<'_>| row.get("published") == Val::Bool(true);
    assert_labels(
        app,
        user,
        json!({ "posts": { "none": {} } }),
        &["100 Pure", "AnaXMaria", "back\\slash", "backslash", "İrem"],
    )
    .await;
    assert_filter(app, &ds, user, json!({ "posts": { "some": {} } }), |r| {
        !posts(r).is_empty()
    })
    .await;
    assert_filter(app, &ds, user, json!({ "posts": {} }), |_| true).await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "posts": { "some": { "published": { "eq": true } } } }),
        |r| posts(r).iter().any(published),
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "posts": { "none": { "published": { "eq": true } } } }),
        |r| !posts(r).iter().any(published),
    )
    .await;
    assert_labels(
        app,
        user,
        json!({ "posts": { "some": { "published": { "eq": false } }, "none": { "published": { "eq": true } } } }),
        &["ZOË", "ÉMILE"],
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "not": { "posts": { "some": {} } } }),
        |r| posts(r).is_empty(),
    )
    .await;
    assert_filter(
        app,
        &ds,
        user,
        json!({ "posts": { "some": { "title": { "contains": "news" }, "published": { "eq": false } } } }),
        |r| {
            posts(r).iter().any(|p| {
                !published(p) && matches!(p.get("title"), Val::Text(t) if t.contains("news"))
            })
        },
    )
    .await;

    let post = Entity::Post;
    let author = |row: Row<'_>| ds.related(row, "author")[0];
    assert_labels(
        app,
        post,
        json!({ "author": { "name": { "eq": "Émile" } } }),
        &["Hello World", "hello world", "Ünïcödé Title"],
    )
    .await;
    assert_filter(
        app,
        &ds,
        post,
        json!({ "author": { "isActive": { "eq": false } } }),
        |r| author(r).get("isActive") == Val::Bool(false),
    )
    .await;
    assert_filter(app, &ds, post, json!({ "author": {} }), |_| true).await;
    assert_filter(
        app,
        &ds,
        post,
        json!({ "not": { "author": { "age": { "gte": 30 } } } }),
        |r| int(author(r), "age") < 30,
    )
    .await;
    // Two hops: posts whose author wrote a post about news.
    assert_filter(
        app,
        &ds,
        post,
        json!({ "author": { "posts": { "some": { "title": { "contains": "news" } } } } }),
        |r| {
            posts(author(r))
                .iter()
                .any(|p| matches!(p.get("title"), Val::Text(t) if t.contains("news")))
        },
    )
    .await;

    let category = Entity::Category;
    let products = |row: Row<'_>| ds.related(row, "products");
    assert_labels(
        app,
        category,
        json!({ "products": { "none": {} } }),
        &["Empty shelf"],
    )
    .await;
    assert_filter(
        app,
        &ds,
        category,
        json!({ "products": { "some": { "stock": { "eq": 0 } } } }),
        |r| products(r).iter().any(|p| int(*p, "stock") == 0),
    )
    .await;
    assert_filter(
        app,
        &ds,
        category,
        json!({ "products": { "none": { "stock": { "eq": 0 } } } }),
        |r| products(r).iter().all(|p| int(*p, "stock") != 0),
    )
    .await;
    assert_labels(
        app,
        category,
        json!({ "products": { "some": { "price": { "gt": 100 } }, "none": { "price": { "lt": 10 } } } }),
        &["Books", "Électronique"],
    )
    .await;
    assert_labels(
        app,
        Entity::Product,
        json!({ "category": { "products": { "some": { "price": { "gte": 1000 } } } } }),
        &["Rust Book", "Zebra"],
    )
    .await;
    assert_labels(
        app,
        Entity::Product,
        json!({ "category": { "name": { "startsWith": "é", "mode": "INSENSITIVE" } }, "stock": { "gt": 0 } }),
        &["Écran", "Câble_USB"],
    )
    .await;
}

async fn order_by_code_points_nulls_and_id_ties(app: &TestApp) {
    let ds = seed(app).await;
    let by_name = query(app, Entity::User, Value::Null, json!([{ "field": "NAME" }]))
        .await
        .1;
    let expected = [
        "100 Pure",
        "100% Pure",
        "AnaXMaria",
        "Ana_Maria",
        "Bob",
        "Straße",
        "ZOË",
        "Zed",
        "Zoë",
        "adam",
        "back\\slash",
        "backslash",
        "bob",
        "ÉMILE",
        "Émile",
        "émilie",
        "İrem",
    ];
    assert_eq!(by_name, expected, "names by code point");
    let by_name_desc = query(
        app,
        Entity::User,
        Value::Null,
        json!([{ "field": "NAME", "direction": "DESC" }]),
    )
    .await
    .1;
    let reversed: Vec<&str> = expected.iter().rev().copied().collect();
    assert_eq!(by_name_desc, reversed);

    let products_by_category = query(
        app,
        Entity::Product,
        Value::Null,
        json!([{ "field": "CATEGORY_ID" }]),
    )
    .await
    .0;
    let nulls: Vec<i64> = ds
        .products
        .iter()
        .filter(|p| p.category_id.is_none())
        .map(|p| p.id)
        .collect();
    assert_eq!(
        products_by_category[..nulls.len()],
        nulls,
        "NULL first, ties by id"
    );
    let products_by_category_desc = query(
        app,
        Entity::Product,
        Value::Null,
        json!([{ "field": "CATEGORY_ID", "direction": "DESC" }]),
    )
    .await
    .0;
    assert_eq!(
        products_by_category_desc[products_by_category_desc.len() - nulls.len()..],
        nulls,
        "NULL last in DESC, ties still by id ascending"
    );

    let orders: Vec<(Entity, Vec<Key>)> = vec![
        (Entity::User, vec![Key::desc("AGE")]),
        (
            Entity::User,
            vec![Key {
                field: "AGE",
                descending: None,
            }],
        ),
        (Entity::User, vec![Key::asc("CITY"), Key::desc("AGE")]),
        (
            Entity::User,
            vec![Key::desc("IS_ACTIVE"), Key::asc("CREATED_AT")],
        ),
        (Entity::User, vec![Key::desc("ID"), Key::asc("NAME")]),
        (Entity::User, vec![Key::asc("EMAIL")]),
        (Entity::Post, vec![Key::asc("TITLE"), Key::desc("CONTENT")]),
        (
            Entity::Post,
            vec![Key::desc("PUBLISHED"), Key::desc("AUTHOR_ID")],
        ),
        (Entity::Post, vec![Key::desc("CREATED_AT")]),
        (Entity::Category, vec![Key::desc("NAME")]),
        (Entity::Product, vec![Key::desc("PRICE"), Key::asc("STOCK")]),
        (
            Entity::Product,
            vec![Key::asc("CATEGORY_ID"), Key::desc("PRICE")],
        ),
        (
            Entity::Product,
            vec![Key::desc("CATEGORY_ID"), Key::asc("NAME")],
        ),
        (Entity::Product, vec![]),
    ];
    for (entity, keys) in orders {
        let (got, _) = query(app, entity, Value::Null, order_json(&keys)).await;
        assert_eq!(
            got,
            sorted_ids(ds.rows(entity), &keys),
            "{} ordered by {keys:?}",
            entity.list()
        );
    }
}

async fn list_fields_keep_their_old_arguments(app: &TestApp) {
    let ds = seed(app).await;
    let data = app
        .data(
            r#"{ posts(published: true, limit: 100, where: { title: { contains: "news" } }) { title } }"#,
            json!({}),
        )
        .await;
    assert_eq!(
        data["posts"],
        json!([{ "title": "Evening news" }, { "title": "Straße news" }])
    );

    let emile = ds.user("Émile").id;
    let data = app
        .data(
            "query($a: Int) { posts(authorId: $a, skip: 1, limit: 1, where: { published: { eq: true } }, \
             orderBy: [{ field: TITLE, direction: DESC }]) { title } }",
            json!({ "a": emile }),
        )
        .await;
    assert_eq!(data["posts"], json!([{ "title": "Hello World" }]));

    let data = app
        .data(
            "{ products(filter: { inStock: true }, limit: 100, where: { categoryId: { isNull: true } }) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["products"],
        json!([{ "name": "ToyCar" }, { "name": "ÆON" }, { "name": "lamp" }])
    );
    let data = app
        .data(
            "{ products(filter: { maxPrice: 10 }, limit: 100, where: { price: { gt: 2.5 } }, \
             orderBy: [{ field: NAME }]) { name } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["products"],
        json!([{ "name": "CâbleXUSB" }, { "name": "Câble_USB" }, { "name": "ÆON" }])
    );

    // skip and limit page the filtered, ordered rows.
    let keys = [Key::asc("CITY"), Key::desc("AGE")];
    let filter = json!({ "age": { "gte": 19 } });
    let rows: Vec<Row<'_>> = ds
        .rows(Entity::User)
        .into_iter()
        .filter(|r| int(*r, "age") >= 19)
        .collect();
    let all = sorted_ids(rows, &keys);
    let data = app
        .data(
            "query($w: UserWhere, $o: [UserOrderBy!]) { page: users(skip: 2, limit: 3, where: $w, orderBy: $o) { id } \
             first: users(where: $w, orderBy: $o) { id } }",
            json!({ "w": filter, "o": order_json(&keys) }),
        )
        .await;
    assert_eq!(ids(&data["page"]), all[2..5]);
    assert_eq!(ids(&data["first"]), all[..10], "limit still defaults to 10");
}

// ---- A Rust model of `where` ----

/// The operators of an `IntFilter`, `FloatFilter`, `BooleanFilter` or `DateTimeFilter`.
#[derive(Debug, Clone, Default)]
struct Ops {
    eq: Option<Val>,
    ne: Option<Val>,
    gt: Option<Val>,
    gte: Option<Val>,
    lt: Option<Val>,
    lte: Option<Val>,
    in_: Option<Vec<Val>>,
    not_in: Option<Vec<Val>>,
    is_null: Option<bool>,
}

impl Ops {
    fn holds(&self, value: &Val) -> bool {
        let null = *value == Val::Null;
        let same = |other: &Val| !null && value.order(other).is_eq();
        let compared = |operand: &Option<Val>, want: fn(Ordering) -> bool| {
            operand
                .as_ref()
                .is_none_or(|other| !null && want(value.order(other)))
        };
        compared(&self.eq, Ordering::is_eq)
            && self.ne.as_ref().is_none_or(|other| !same(other))
            && compared(&self.gt, Ordering::is_gt)
            && compared(&self.gte, Ordering::is_ge)
            && compared(&self.lt, Ordering::is_lt)
            && compared(&self.lte, Ordering::is_le)
            && self.in_.as_ref().is_none_or(|list| list.iter().any(same))
            && self
                .not_in
                .as_ref()
                .is_none_or(|list| !list.iter().any(same))
            && self.is_null.is_none_or(|is_null| is_null == null)
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        let scalars = [
            ("eq", &self.eq),
            ("ne", &self.ne),
            ("gt", &self.gt),
            ("gte", &self.gte),
            ("lt", &self.lt),
            ("lte", &self.lte),
        ];
        for (name, operand) in scalars {
            if let Some(operand) = operand {
                out.insert(name.into(), operand.to_json());
            }
        }
        for (name, list) in [("in", &self.in_), ("notIn", &self.not_in)] {
            if let Some(list) = list {
                out.insert(name.into(), list.iter().map(Val::to_json).collect());
            }
        }
        if let Some(is_null) = self.is_null {
            out.insert("isNull".into(), json!(is_null));
        }
        Value::Object(out)
    }
}

/// The operators of a `StringFilter`; `insensitive` is the mode (`None`: omitted).
#[derive(Debug, Clone, Default)]
struct TextOps {
    eq: Option<String>,
    ne: Option<String>,
    in_: Option<Vec<String>>,
    not_in: Option<Vec<String>>,
    contains: Option<String>,
    starts_with: Option<String>,
    ends_with: Option<String>,
    insensitive: Option<bool>,
}

impl TextOps {
    fn holds(&self, value: &Val) -> bool {
        let Val::Text(value) = value else {
            panic!("not text: {value:?}");
        };
        let fold = |text: &str| {
            if self.insensitive == Some(true) {
                text.to_lowercase()
            } else {
                text.to_owned()
            }
        };
        let value = fold(value);
        let among = |list: &Vec<String>| list.iter().any(|item| fold(item) == value);
        self.eq.as_ref().is_none_or(|x| value == fold(x))
            && self.ne.as_ref().is_none_or(|x| value != fold(x))
            && self.in_.as_ref().is_none_or(among)
            && self.not_in.as_ref().is_none_or(|list| !among(list))
            && self
                .contains
                .as_ref()
                .is_none_or(|x| value.contains(&fold(x)))
            && self
                .starts_with
                .as_ref()
                .is_none_or(|x| value.starts_with(&fold(x)))
            && self
                .ends_with
                .as_ref()
                .is_none_or(|x| value.ends_with(&fold(x)))
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        let scalars = [
            ("eq", &self.eq),
            ("ne", &self.ne),
            ("contains", &self.contains),
            ("startsWith", &self.starts_with),
            ("endsWith", &self.ends_with),
        ];
        for (name, operand) in scalars {
            if let Some(operand) = operand {
                out.insert(name.into(), json!(operand));
            }
        }
        for (name, list) in [("in", &self.in_), ("notIn", &self.not_in)] {
            if let Some(list) = list {
                out.insert(name.into(), json!(list));
            }
        }
        if let Some(insensitive) = self.insensitive {
            let mode = if insensitive {
                "INSENSITIVE"
            } else {
                "DEFAULT"
            };
            out.insert("mode".into(), json!(mode));
        }
        Value::Object(out)
    }
}

/// The filter of one column.
#[derive(Debug, Clone)]
enum Cond {
    Ordered(Ops),
    Text(TextOps),
}

impl Cond {
    fn holds(&self, value: &Val) -> bool {
        match self {
            Self::Ordered(ops) => ops.holds(value),
            Self::Text(ops) => ops.holds(value),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Self::Ordered(ops) => ops.to_json(),
            Self::Text(ops) => ops.to_json(),
        }
    }
}

/// A relation filter: `posts`/`products` (`some`, `none`) or `author`/`category`.
#[derive(Debug, Clone)]
enum Relation {
    Many {
        field: &'static str,
        some: Option<Box<Where>>,
        none: Option<Box<Where>>,
    },
    One {
        field: &'static str,
        filter: Box<Where>,
    },
}

/// An `XWhere` input.
#[derive(Debug, Clone, Default)]
struct Where {
    columns: Vec<(&'static str, Cond)>,
    relation: Option<Relation>,
    and: Option<Vec<Where>>,
    or: Option<Vec<Where>>,
    not: Option<Box<Where>>,
}

impl Where {
    fn holds(&self, ds: &Dataset, row: Row<'_>) -> bool {
        let relation = |relation: &Relation| match relation {
            Relation::Many { field, some, none } => {
                let related = ds.related(row, field);
                let any = |filter: &Where| related.iter().any(|r| filter.holds(ds, *r));
                some.as_deref().is_none_or(any) && none.as_deref().is_none_or(|f| !any(f))
            }
            Relation::One { field, filter } => {
                ds.related(row, field).iter().any(|r| filter.holds(ds, *r))
            }
        };
        self.columns
            .iter()
            .all(|(field, cond)| cond.holds(&row.get(field)))
            && self.relation.as_ref().is_none_or(relation)
            && self
                .and
                .as_ref()
                .is_none_or(|all| all.iter().all(|w| w.holds(ds, row)))
            && self
                .or
                .as_ref()
                .is_none_or(|any| any.iter().any(|w| w.holds(ds, row)))
            && self.not.as_ref().is_none_or(|w| !w.holds(ds, row))
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (field, cond) in &self.columns {
            out.insert((*field).into(), cond.to_json());
        }
        match &self.relation {
            Some(Relation::Many { field, some, none }) => {
                let mut relation = Map::new();
                if let Some(some) = some {
                    relation.insert("some".into(), some.to_json());
                }
                if let Some(none) = none {
                    relation.insert("none".into(), none.to_json());
                }
                out.insert((*field).into(), Value::Object(relation));
            }
            Some(Relation::One { field, filter }) => {
                out.insert((*field).into(), filter.to_json());
            }
            None => {}
        }
        for (name, list) in [("and", &self.and), ("or", &self.or)] {
            if let Some(list) = list {
                out.insert(name.into(), list.iter().map(Where::to_json).collect());
            }
        }
        if let Some(not) = &self.not {
            out.insert("not".into(), not.to_json());
        }
        Value::Object(out)
    }
}

// ---- Random filters ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Text,
    Bool,
    Time,
}

/// The filterable columns of an entity.
fn columns(entity: Entity) -> &'static [(&'static str, Kind)] {
    match entity {
        Entity::User => &[
            ("id", Kind::Int),
            ("name", Kind::Text),
            ("email", Kind::Text),
            ("age", Kind::Int),
            ("city", Kind::Text),
            ("isActive", Kind::Bool),
            ("createdAt", Kind::Time),
        ],
        Entity::Post => &[
            ("id", Kind::Int),
            ("title", Kind::Text),
            ("content", Kind::Text),
            ("published", Kind::Bool),
            ("authorId", Kind::Int),
            ("createdAt", Kind::Time),
        ],
        Entity::Category => &[("id", Kind::Int), ("name", Kind::Text)],
        Entity::Product => &[
            ("id", Kind::Int),
            ("name", Kind::Text),
            ("price", Kind::Float),
            ("stock", Kind::Int),
            ("categoryId", Kind::Int),
        ],
    }
}

/// The relation filter of an entity: its field, the related entity, and whether it is a list.
fn relation_of(entity: Entity) -> (&'static str, Entity, bool) {
    match entity {
        Entity::User => ("posts", Entity::Post, true),
        Entity::Post => ("author", Entity::User, false),
        Entity::Category => ("products", Entity::Product, true),
        Entity::Product => ("category", Entity::Category, false),
    }
}

/// Operands for a non-text column: its values and their neighbours.
fn ordered_pool(ds: &Dataset, entity: Entity, field: &str, kind: Kind) -> Vec<Val> {
    let mut pool: Vec<Val> = Vec::new();
    let mut push = |value: Val| {
        if value != Val::Null && !pool.contains(&value) {
            pool.push(value);
        }
    };
    for row in ds.rows(entity) {
        match row.get(field) {
            Val::Int(v) => [v - 1, v, v + 1]
                .into_iter()
                .for_each(|v| push(Val::Int(v))),
            Val::Float(v) => [v - 0.5, v, v + 0.25]
                .into_iter()
                .for_each(|v| push(Val::Float(v))),
            Val::Time(at) => {
                let ms = Duration::milliseconds(1);
                [at - ms, at, at + ms]
                    .into_iter()
                    .for_each(|at| push(Val::Time(at)));
            }
            other => push(other),
        }
    }
    assert!(kind != Kind::Text && !pool.is_empty());
    pool
}

/// Operands for a text column: its values, their case variants and pieces, and characters that
/// would be special to LIKE or to case folding.
fn text_pool(ds: &Dataset, entity: Entity, field: &str) -> Vec<String> {
    let mut pool: Vec<String> = [
        "%", "_", "\\", "É", "é", "Ë", "ë", "İ", "i", "ß", "SS", "", "0%", "a_m", "e", "zzz",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for row in ds.rows(entity) {
        let Val::Text(value) = row.get(field) else {
            panic!("{field} is not text");
        };
        let chars: Vec<char> = value.chars().collect();
        let piece = |from: usize, to: usize| {
            chars[from.min(chars.len())..to.min(chars.len())]
                .iter()
                .collect::<String>()
        };
        let middle = chars.len() / 2;
        for candidate in [
            value.clone(),
            value.to_uppercase(),
            value.to_lowercase(),
            piece(0, 1),
            piece(0, 3),
            piece(chars.len().saturating_sub(2), chars.len()),
            piece(middle.saturating_sub(1), middle + 2),
        ] {
            if !pool.contains(&candidate) {
                pool.push(candidate);
            }
        }
    }
    pool
}

/// One operator of a non-text filter.
#[derive(Debug, Clone)]
enum Op {
    Eq(Val),
    Ne(Val),
    Gt(Val),
    Gte(Val),
    Lt(Val),
    Lte(Val),
    In(Vec<Val>),
    NotIn(Vec<Val>),
    IsNull(bool),
}

/// One operator, sometimes two (a repeated kind keeps the last), on a column of `kind`.
fn ordered_ops(pool: Vec<Val>, kind: Kind) -> BoxedStrategy<Ops> {
    let value = || select(pool.clone());
    let list = || vec(select(pool.clone()), 0..4);
    let op = match kind {
        Kind::Bool => prop_oneof![
            any::<bool>().prop_map(|b| Op::Eq(Val::Bool(b))),
            any::<bool>().prop_map(|b| Op::Ne(Val::Bool(b))),
        ]
        .boxed(),
        // DateTimeFilter has only eq, gt, gte, lt and lte.
        Kind::Time => prop_oneof![
            value().prop_map(Op::Eq),
            value().prop_map(Op::Gt),
            value().prop_map(Op::Gte),
            value().prop_map(Op::Lt),
            value().prop_map(Op::Lte),
        ]
        .boxed(),
        _ => prop_oneof![
            2 => value().prop_map(Op::Eq),
            2 => value().prop_map(Op::Ne),
            3 => value().prop_map(Op::Gt),
            2 => value().prop_map(Op::Gte),
            3 => value().prop_map(Op::Lt),
            2 => value().prop_map(Op::Lte),
            2 => list().prop_map(Op::In),
            2 => list().prop_map(Op::NotIn),
            1 => any::<bool>().prop_map(Op::IsNull),
        ]
        .boxed(),
    };
    prop_oneof![3 => vec(op.clone(), 1), 1 => vec(op, 2)]
        .prop_map(|ops| {
            let mut out = Ops::default();
            for op in ops {
                match op {
                    Op::Eq(v) => out.eq = Some(v),
                    Op::Ne(v) => out.ne = Some(v),
                    Op::Gt(v) => out.gt = Some(v),
                    Op::Gte(v) => out.gte = Some(v),
                    Op::Lt(v) => out.lt = Some(v),
                    Op::Lte(v) => out.lte = Some(v),
                    Op::In(v) => out.in_ = Some(v),
                    Op::NotIn(v) => out.not_in = Some(v),
                    Op::IsNull(v) => out.is_null = Some(v),
                }
            }
            out
        })
        .boxed()
}

/// One operator of a `StringFilter`, sometimes two, in a random mode.
fn text_ops(pool: Vec<String>) -> BoxedStrategy<TextOps> {
    let value = || select(pool.clone()).prop_map(Some);
    let list = || vec(select(pool.clone()), 0..4).prop_map(Some);
    let op = prop_oneof![
        1 => value().prop_map(|eq| TextOps { eq, ..TextOps::default() }),
        2 => value().prop_map(|ne| TextOps { ne, ..TextOps::default() }),
        1 => list().prop_map(|in_| TextOps { in_, ..TextOps::default() }),
        1 => list().prop_map(|not_in| TextOps { not_in, ..TextOps::default() }),
        4 => value().prop_map(|contains| TextOps { contains, ..TextOps::default() }),
        2 => value().prop_map(|starts_with| TextOps { starts_with, ..TextOps::default() }),
        2 => value().prop_map(|ends_with| TextOps { ends_with, ..TextOps::default() }),
    ];
    let mode = prop_oneof![
        1 => Just(None),
        1 => Just(Some(false)),
        2 => Just(Some(true)),
    ];
    (prop_oneof![3 => vec(op.clone(), 1), 1 => vec(op, 2)], mode)
        .prop_map(|(ops, insensitive)| {
            ops.into_iter().fold(
                TextOps {
                    insensitive,
                    ..TextOps::default()
                },
                |all, op| TextOps {
                    eq: op.eq.or(all.eq),
                    ne: op.ne.or(all.ne),
                    in_: op.in_.or(all.in_),
                    not_in: op.not_in.or(all.not_in),
                    contains: op.contains.or(all.contains),
                    starts_with: op.starts_with.or(all.starts_with),
                    ends_with: op.ends_with.or(all.ends_with),
                    insensitive: all.insensitive,
                },
            )
        })
        .boxed()
}

/// Filters on one of the entity's columns, sometimes two.
fn column_filters(ds: &Dataset, entity: Entity) -> BoxedStrategy<Vec<(&'static str, Cond)>> {
    let filters: Vec<BoxedStrategy<(&'static str, Cond)>> = columns(entity)
        .iter()
        .map(|&(field, kind)| {
            let cond = if kind == Kind::Text {
                text_ops(text_pool(ds, entity, field))
                    .prop_map(Cond::Text)
                    .boxed()
            } else {
                ordered_ops(ordered_pool(ds, entity, field, kind), kind)
                    .prop_map(Cond::Ordered)
                    .boxed()
            };
            cond.prop_map(move |cond| (field, cond)).boxed()
        })
        .collect();
    let indices: Vec<usize> = (0..filters.len()).collect();
    prop_oneof![3 => subsequence(indices.clone(), 1), 1 => subsequence(indices, 2)]
        .prop_flat_map(move |chosen| {
            chosen
                .iter()
                .map(|&i| filters[i].clone())
                .collect::<Vec<_>>()
        })
        .boxed()
}

/// A random `XWhere` of `depth` nested levels below this one at most.
fn where_tree(ds: &Dataset, entity: Entity, depth: u32) -> BoxedStrategy<Where> {
    let columns = column_filters(ds, entity);
    if depth == 0 {
        return columns
            .prop_map(|columns| Where {
                columns,
                ..Where::default()
            })
            .boxed();
    }
    let child = where_tree(ds, entity, depth - 1);
    let (field, target, many) = relation_of(entity);
    let related = where_tree(ds, target, depth - 1);
    let relation = if many {
        (
            option::weighted(0.5, related.clone()),
            option::weighted(0.4, related),
        )
            .prop_map(move |(some, none)| Relation::Many {
                field,
                some: some.map(Box::new),
                none: none.map(Box::new),
            })
            .boxed()
    } else {
        related
            .prop_map(move |filter| Relation::One {
                field,
                filter: Box::new(filter),
            })
            .boxed()
    };
    (
        option::weighted(0.6, columns),
        option::weighted(0.3, relation),
        option::weighted(0.15, vec(child.clone(), 0..3)),
        option::weighted(
            0.3,
            prop_oneof![9 => vec(child.clone(), 1..4), 1 => Just(Vec::new())],
        ),
        option::weighted(0.2, child),
    )
        .prop_map(|(columns, relation, and, or, not)| Where {
            columns: columns.unwrap_or_default(),
            relation,
            and,
            or,
            not: not.map(Box::new),
        })
        .boxed()
}

/// A random `orderBy`: absent, or up to three keys (repeats allowed).
fn order_keys(entity: Entity) -> BoxedStrategy<Option<Vec<Key>>> {
    let key = (select(entity.fields()), option::of(any::<bool>()))
        .prop_map(|(field, descending)| Key { field, descending });
    option::weighted(0.85, vec(key, 0..=3)).boxed()
}

/// One entity's random query.
#[derive(Debug, Clone)]
struct Case {
    entity: Entity,
    filter: Where,
    order: Option<Vec<Key>>,
}

/// How many cases gave each entity a result that was neither empty nor everything.
#[derive(Default)]
struct Spread([AtomicUsize; 4]);

/// Runs one random query per entity through the list field, both connection directions and
/// the aggregate, and compares with the model.
async fn check(
    app: &TestApp,
    ds: &Dataset,
    cases: &[Case],
    spread: &Spread,
) -> Result<(), TestCaseError> {
    let mut declarations = Vec::new();
    let mut selections = Vec::new();
    let mut variables = Map::new();
    for case in cases {
        let (e, name) = (case.entity.list(), case.entity.name());
        declarations.push(format!("$w_{e}: {name}Where, $o_{e}: [{name}OrderBy!]"));
        let args = format!("where: $w_{e}, orderBy: $o_{e}");
        let connection = case.entity.connection();
        selections.push(format!(
            "{e}: {list} {{ id }} \
             {e}_first: {connection}(first: 3, {args}) {{ totalCount nodes {{ id }} pageInfo {{ hasNextPage hasPreviousPage }} }} \
             {e}_last: {connection}(last: 3, {args}) {{ totalCount nodes {{ id }} pageInfo {{ hasNextPage hasPreviousPage }} }} \
             {e}_count: {aggregate}(where: $w_{e}) {{ count }}",
            list = case.entity.list_call(&args),
            aggregate = case.entity.aggregate(),
        ));
        variables.insert(format!("w_{e}"), case.filter.to_json());
        variables.insert(
            format!("o_{e}"),
            case.order.as_deref().map_or(Value::Null, order_json),
        );
    }
    let document = format!(
        "query({}) {{ {} }}",
        declarations.join(", "),
        selections.join(" ")
    );
    let variables = Value::Object(variables);
    let response = app.graphql(&document, variables.clone()).await;
    if let Some(errors) = response.get("errors") {
        return Err(TestCaseError::fail(format!("{errors} for {variables:#}")));
    }
    let data = &response["data"];
    for (i, case) in cases.iter().enumerate() {
        let e = case.entity.list();
        let rows = ds.rows(case.entity);
        let total = rows.len();
        let matching: Vec<Row<'_>> = rows
            .into_iter()
            .filter(|row| case.filter.holds(ds, *row))
            .collect();
        let expected = sorted_ids(matching, case.order.as_deref().unwrap_or_default());
        let n = expected.len();
        if n > 0 && n < total {
            spread.0[i].fetch_add(1, Atomic::Relaxed);
        }
        let context = format!("{e} with {}", variables);
        prop_assert_eq!(ids(&data[e]), expected.clone(), "list of {}", context);
        let first = &data[format!("{e}_first")];
        prop_assert_eq!(
            ids(&first["nodes"]),
            expected[..n.min(3)].to_vec(),
            "first 3 of {}",
            context
        );
        prop_assert_eq!(&first["totalCount"], &json!(n), "totalCount of {}", context);
        prop_assert_eq!(
            &first["pageInfo"],
            &json!({ "hasNextPage": n > 3, "hasPreviousPage": false }),
            "first 3 of {}",
            context
        );
        let last = &data[format!("{e}_last")];
        prop_assert_eq!(
            ids(&last["nodes"]),
            expected[n.saturating_sub(3)..].to_vec(),
            "last 3 of {}",
            context
        );
        prop_assert_eq!(&last["totalCount"], &json!(n), "totalCount of {}", context);
        prop_assert_eq!(
            &last["pageInfo"],
            &json!({ "hasNextPage": false, "hasPreviousPage": n > 3 }),
            "last 3 of {}",
            context
        );
        prop_assert_eq!(
            &data[format!("{e}_count")],
            &json!([{ "count": n }]),
            "aggregate of {}",
            context
        );
    }
    Ok(())
}

async fn random_filters_and_orders_match_the_reference(app: &TestApp) {
    const CASES: u32 = 64;
    let ds = seed(app).await;
    let strategy: Vec<BoxedStrategy<Case>> = Entity::ALL
        .iter()
        .map(|&entity| {
            (where_tree(&ds, entity, 2), order_keys(entity))
                .prop_map(move |(filter, order)| Case {
                    entity,
                    filter,
                    order,
                })
                .boxed()
        })
        .collect();
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        max_shrink_iters: 300,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]));
    let spread = Spread::default();
    let handle = tokio::runtime::Handle::current();
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |cases| {
            handle.block_on(check(app, &ds, &cases, &spread))
        })
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // The generator must keep producing filters that select some rows but not all.
    for (entity, partial) in Entity::ALL.iter().zip(&spread.0) {
        let partial = partial.load(Atomic::Relaxed);
        assert!(
            partial * 6 >= CASES as usize,
            "only {partial} of {CASES} {} filters selected some but not all rows",
            entity.list()
        );
    }
}
