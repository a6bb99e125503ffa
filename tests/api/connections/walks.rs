//! Keyset walks over every order, with `where`, and from every edge's cursor.

use super::*;

on_every_backend!(
    user_connection_walks_every_order,
    post_connection_walks_every_order,
    category_connection_walks_every_order,
    product_connection_walks_every_order,
    walks_follow_where,
    every_edge_cursor_continues_after_its_row,
);

async fn walks_every_order(app: &TestApp, entity: Entity) {
    let ds = seed(app).await;
    for keys in orders(entity) {
        let expected = sorted_ids(ds.rows(entity), &keys);
        walk_forward(app, entity, &Value::Null, &keys, 3, &expected).await;
        walk_backward(app, entity, &Value::Null, &keys, 4, &expected).await;
    }
}

async fn user_connection_walks_every_order(app: &TestApp) {
    walks_every_order(app, Entity::User).await;
}

async fn post_connection_walks_every_order(app: &TestApp) {
    walks_every_order(app, Entity::Post).await;
}

async fn category_connection_walks_every_order(app: &TestApp) {
    walks_every_order(app, Entity::Category).await;
}

async fn product_connection_walks_every_order(app: &TestApp) {
    walks_every_order(app, Entity::Product).await;
}

async fn walks_follow_where(app: &TestApp) {
    let ds = seed(app).await;
    let cases: Vec<(Entity, Value, Vec<Key>, Matches<'_>)> = vec![
        (
            Entity::User,
            json!({ "age": { "gte": 25 } }),
            vec![Key::asc("NAME")],
            Box::new(|r| matches!(r, Row::User(u) if u.age >= 25)),
        ),
        (
            Entity::Post,
            json!({ "author": { "isActive": { "eq": true } } }),
            vec![Key::desc("TITLE")],
            Box::new(|r| match r {
                Row::Post(p) => ds.users.iter().any(|u| u.id == p.author_id && u.is_active),
                _ => false,
            }),
        ),
        (
            Entity::Product,
            json!({ "or": [{ "categoryId": { "isNull": true } }, { "price": { "lt": 20 } }] }),
            vec![Key::desc("CATEGORY_ID"), Key::desc("STOCK")],
            Box::new(|r| matches!(r, Row::Product(p) if p.category_id.is_none() || p.price < 20.0)),
        ),
        // Exactly two pages of three.
        (
            Entity::Product,
            json!({ "stock": { "gt": 3 } }),
            vec![Key::asc("PRICE")],
            Box::new(|r| matches!(r, Row::Product(p) if p.stock > 3)),
        ),
        (
            Entity::Category,
            json!({ "name": { "eq": "nothing" } }),
            vec![Key::asc("NAME")],
            Box::new(|_| false),
        ),
    ];
    for (entity, filter, keys, matches) in cases {
        let rows: Vec<Row<'_>> = ds
            .rows(entity)
            .into_iter()
            .filter(|r| matches(*r))
            .collect();
        let expected = sorted_ids(rows, &keys);
        walk_forward(app, entity, &filter, &keys, 3, &expected).await;
        walk_backward(app, entity, &filter, &keys, 3, &expected).await;
    }
    // An empty connection: no edges, no cursors, no pages either way.
    for args in [json!({ "first": 5 }), json!({ "last": 5 })] {
        let mut args = args;
        args["w"] = json!({ "id": { "in": [] } });
        let connection = page(app, Entity::User, &args).await;
        assert_eq!(connection["edges"], json!([]));
        assert_eq!(
            connection["pageInfo"],
            json!({ "hasNextPage": false, "hasPreviousPage": false, "startCursor": null, "endCursor": null })
        );
    }
}

async fn every_edge_cursor_continues_after_its_row(app: &TestApp) {
    let ds = seed(app).await;
    for (entity, keys) in [
        (Entity::User, vec![Key::desc("AGE"), Key::asc("CITY")]),
        (Entity::Product, vec![Key::asc("CATEGORY_ID")]),
        (Entity::Post, vec![Key::asc("CREATED_AT")]),
    ] {
        let expected = sorted_ids(ds.rows(entity), &keys);
        let all = page(
            app,
            entity,
            &json!({ "first": 100, "o": order_json(&keys) }),
        )
        .await;
        let edges = all["edges"].as_array().expect("edges");
        assert_eq!(edges.len(), expected.len());
        for (i, edge) in edges.iter().enumerate() {
            let after = page(
                app,
                entity,
                &json!({ "first": 2, "after": edge["cursor"], "o": order_json(&keys) }),
            )
            .await;
            let end = (i + 3).min(expected.len());
            assert_eq!(
                node_ids(&after),
                expected[i + 1..end],
                "after edge {i} of {keys:?}"
            );
            let before = page(
                app,
                entity,
                &json!({ "last": 2, "before": edge["cursor"], "o": order_json(&keys) }),
            )
            .await;
            assert_eq!(
                node_ids(&before),
                expected[i.saturating_sub(2)..i],
                "before edge {i} of {keys:?}"
            );
        }
    }
}
