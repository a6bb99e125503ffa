//! `orderBy`, and the list fields' own older arguments.

use super::*;

on_every_backend!(
    order_by_code_points_nulls_and_id_ties,
    list_fields_keep_their_old_arguments,
);

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
