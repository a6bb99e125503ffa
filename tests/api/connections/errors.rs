//! Bad page arguments and cursors are `BAD_USER_INPUT`.

use super::*;

on_every_backend!(
    bad_page_arguments_are_bad_user_input,
    malformed_and_foreign_cursors_are_bad_user_input,
);

async fn bad_page_arguments_are_bad_user_input(app: &TestApp) {
    seed(app).await;
    for entity in Entity::ALL {
        let document = format!(
            "query($first: Int, $last: Int, $offset: Int) {{ {}(first: $first, last: $last, offset: $offset) {{ nodes {{ id }} }} }}",
            entity.connection()
        );
        for (variables, field) in [
            (json!({ "first": 101 }), Some("first")),
            (json!({ "first": -1 }), Some("first")),
            (json!({ "last": 101 }), Some("last")),
            (json!({ "last": -1 }), Some("last")),
            (json!({ "offset": -1 }), Some("offset")),
            (json!({ "first": 5, "last": 5 }), None),
            (json!({ "first": 0, "last": 0 }), None),
        ] {
            app.expect_error(&document, variables, "BAD_USER_INPUT", field)
                .await;
        }
        app.data(&document, json!({ "first": 100 })).await;
        app.data(&document, json!({ "last": 100, "offset": 0 }))
            .await;
    }
}

async fn malformed_and_foreign_cursors_are_bad_user_input(app: &TestApp) {
    seed(app).await;
    let end_cursor = |entity: Entity, keys: Vec<Key>| async move {
        let connection = page(app, entity, &json!({ "first": 2, "o": order_json(&keys) })).await;
        cursor(&connection, "endCursor")
            .as_str()
            .expect("a cursor")
            .to_owned()
    };
    let by_price = end_cursor(Entity::Product, vec![Key::asc("PRICE")]).await;
    let by_id = end_cursor(Entity::Product, vec![]).await;
    let user = end_cursor(Entity::User, vec![]).await;
    let category = end_cursor(Entity::Category, vec![]).await;

    let expect_refused = |entity: Entity, side: &'static str, cursor: String, keys: Vec<Key>| async move {
        let name = entity.name();
        let document = format!(
            "query($c: String, $o: [{name}OrderBy!]) {{ {}({}: $c, orderBy: $o, {}: 2) {{ nodes {{ id }} }} }}",
            entity.connection(),
            side,
            if side == "after" { "first" } else { "last" },
        );
        app.expect_error(
            &document,
            json!({ "c": cursor, "o": order_json(&keys) }),
            "BAD_USER_INPUT",
            Some(side),
        )
        .await;
    };
    let truncated = by_price[..by_price.len() - 4].to_owned();
    for side in ["after", "before"] {
        for malformed in [
            "garbage!!".to_owned(),
            String::new(),
            truncated.clone(),
            format!("{by_price}AAAA"),
            URL_SAFE_NO_PAD.encode("{}"),
            URL_SAFE_NO_PAD.encode("null"),
            URL_SAFE_NO_PAD.encode("[1, 2]"),
            URL_SAFE_NO_PAD.encode("not json"),
        ] {
            expect_refused(Entity::Product, side, malformed, vec![Key::asc("PRICE")]).await;
        }
        // Another entity's cursor, even with the same (default) order.
        expect_refused(Entity::Product, side, user.clone(), vec![]).await;
        expect_refused(Entity::Post, side, user.clone(), vec![]).await;
        expect_refused(Entity::User, side, category.clone(), vec![]).await;
        expect_refused(Entity::Category, side, by_id.clone(), vec![]).await;
        // Another order's cursor.
        expect_refused(
            Entity::Product,
            side,
            by_price.clone(),
            vec![Key::desc("PRICE")],
        )
        .await;
        expect_refused(Entity::Product, side, by_price.clone(), vec![]).await;
        expect_refused(
            Entity::Product,
            side,
            by_price.clone(),
            vec![Key::asc("NAME")],
        )
        .await;
        expect_refused(
            Entity::Product,
            side,
            by_price.clone(),
            vec![Key::asc("PRICE"), Key::asc("STOCK")],
        )
        .await;
        expect_refused(
            Entity::Product,
            side,
            by_id.clone(),
            vec![Key::asc("PRICE")],
        )
        .await;
    }
    // The cursor's own list and order take it.
    let connection = page(
        app,
        Entity::Product,
        &json!({ "first": 2, "after": by_price, "o": order_json(&[Key::asc("PRICE")]) }),
    )
    .await;
    assert_eq!(node_ids(&connection).len(), 2);
}
