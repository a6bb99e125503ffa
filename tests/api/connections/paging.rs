//! `offset`, page sizes, `totalCount`, and the statements a page costs.

use super::*;

on_every_backend!(
    offset_skips_rows_in_the_paging_direction,
    page_sizes_and_cursor_ranges,
    total_count_counts_every_matching_row,
    connections_cost_one_statement_and_one_more_for_total_count,
);

async fn offset_skips_rows_in_the_paging_direction(app: &TestApp) {
    let ds = seed(app).await;
    let keys = [Key::asc("PRICE")];
    let r = sorted_ids(ds.rows(Entity::Product), &keys);
    let n = r.len();
    let o = order_json(&keys);
    let product = Entity::Product;
    let cursor_of = |i: usize| {
        let o = o.clone();
        async move {
            let connection = page(app, product, &json!({ "first": i + 1, "o": o })).await;
            cursor(&connection, "endCursor")
        }
    };
    let after_1 = cursor_of(1).await;
    let before_last = cursor_of(n - 1).await;
    // (arguments, expected rows, hasPreviousPage, hasNextPage)
    let cases = [
        (
            json!({ "first": 3, "offset": 2 }),
            r[2..5].to_vec(),
            true,
            true,
        ),
        (
            json!({ "first": 3, "offset": 0 }),
            r[..3].to_vec(),
            false,
            true,
        ),
        (
            json!({ "first": 3, "after": after_1, "offset": 2 }),
            r[4..7].to_vec(),
            true,
            true,
        ),
        (
            json!({ "first": 5, "offset": n - 2 }),
            r[n - 2..].to_vec(),
            true,
            false,
        ),
        (json!({ "first": 3, "offset": n }), vec![], true, false),
        (json!({ "offset": 5 }), r[5..15].to_vec(), true, true),
        (
            json!({ "last": 3, "offset": 2 }),
            r[n - 5..n - 2].to_vec(),
            true,
            true,
        ),
        (
            json!({ "last": 3, "offset": 0 }),
            r[n - 3..].to_vec(),
            true,
            false,
        ),
        (
            json!({ "last": 3, "before": before_last, "offset": 1 }),
            r[n - 5..n - 2].to_vec(),
            true,
            true,
        ),
        (
            json!({ "last": 5, "offset": n - 3 }),
            r[..3].to_vec(),
            false,
            true,
        ),
        (json!({ "last": 3, "offset": n + 5 }), vec![], false, true),
    ];
    for (mut args, expected, previous, next) in cases {
        args["o"] = o.clone();
        let connection = page(app, product, &args).await;
        assert_eq!(node_ids(&connection), expected, "{args}");
        assert_eq!(flag(&connection, "hasPreviousPage"), previous, "{args}");
        assert_eq!(flag(&connection, "hasNextPage"), next, "{args}");
    }
    app.expect_error(
        "{ productConnection(first: 3, offset: -1) { nodes { id } } }",
        json!({}),
        "BAD_USER_INPUT",
        Some("offset"),
    )
    .await;
}

async fn page_sizes_and_cursor_ranges(app: &TestApp) {
    let ds = seed(app).await;
    let user = Entity::User;
    let r = sorted_ids(ds.rows(user), &[]);
    let n = r.len();
    assert!(n > 10);
    // (arguments, expected rows, hasPreviousPage, hasNextPage)
    let default = page(app, user, &json!({})).await;
    assert_eq!(node_ids(&default), r[..10], "10 rows by default");
    assert!(flag(&default, "hasNextPage") && !flag(&default, "hasPreviousPage"));

    let zero = page(app, user, &json!({ "first": 0 })).await;
    assert_eq!(zero["edges"], json!([]));
    assert_eq!(
        zero["pageInfo"],
        json!({ "hasNextPage": true, "hasPreviousPage": false, "startCursor": null, "endCursor": null }),
        "first: 0 still tells whether rows follow"
    );
    let zero = page(app, user, &json!({ "last": 0 })).await;
    assert_eq!(
        zero["pageInfo"],
        json!({ "hasNextPage": false, "hasPreviousPage": true, "startCursor": null, "endCursor": null })
    );
    for args in [
        json!({ "first": 100 }),
        json!({ "last": 100 }),
        json!({ "first": n }),
        json!({ "last": n }),
    ] {
        let all = page(app, user, &args).await;
        assert_eq!(node_ids(&all), r, "{args}");
        assert!(
            !flag(&all, "hasNextPage") && !flag(&all, "hasPreviousPage"),
            "{args}"
        );
    }
    let almost = page(app, user, &json!({ "first": n - 1 })).await;
    assert!(flag(&almost, "hasNextPage"));
    let almost = page(app, user, &json!({ "last": n - 1 })).await;
    assert!(flag(&almost, "hasPreviousPage"));

    // `after` and `before` together bound the page on both sides.
    let edges = page(app, user, &json!({ "first": 100 })).await["edges"].clone();
    let at = |i: usize| edges[i]["cursor"].clone();
    let cases = [
        (
            json!({ "first": 10, "after": at(2), "before": at(8) }),
            r[3..8].to_vec(),
            true,
            false,
        ),
        (
            json!({ "first": 2, "after": at(2), "before": at(8) }),
            r[3..5].to_vec(),
            true,
            true,
        ),
        (
            json!({ "last": 2, "after": at(2), "before": at(8) }),
            r[6..8].to_vec(),
            true,
            true,
        ),
        (
            json!({ "last": 10, "after": at(2), "before": at(8) }),
            r[3..8].to_vec(),
            false,
            true,
        ),
        (
            json!({ "first": 5, "after": at(4), "before": at(5) }),
            vec![],
            true,
            false,
        ),
        (
            json!({ "first": 5, "after": at(n - 1) }),
            vec![],
            true,
            false,
        ),
        (json!({ "last": 5, "before": at(0) }), vec![], false, true),
    ];
    for (args, expected, previous, next) in cases {
        let connection = page(app, user, &args).await;
        assert_eq!(node_ids(&connection), expected, "{args}");
        assert_eq!(flag(&connection, "hasPreviousPage"), previous, "{args}");
        assert_eq!(flag(&connection, "hasNextPage"), next, "{args}");
    }
}

async fn total_count_counts_every_matching_row(app: &TestApp) {
    let ds = seed(app).await;
    let document = "query($first: Int, $last: Int, $after: String, $w: ProductWhere) { \
                    productConnection(first: $first, last: $last, after: $after, where: $w) { \
                    totalCount nodes { id } pageInfo { endCursor } } }";
    let in_stock = ds.products.iter().filter(|p| p.stock > 0).count();
    let cases = [
        (json!(null), ds.products.len()),
        (json!({ "stock": { "gt": 0 } }), in_stock),
        (
            json!({ "categoryId": { "isNull": true } }),
            ds.products
                .iter()
                .filter(|p| p.category_id.is_none())
                .count(),
        ),
        (json!({ "name": { "eq": "nothing" } }), 0),
    ];
    for (filter, count) in cases {
        for paging in [
            json!({ "first": 2 }),
            json!({ "last": 1 }),
            json!({ "first": 0 }),
            json!({}),
        ] {
            let mut variables = paging.clone();
            variables["w"] = filter.clone();
            let data = app.data(document, variables.clone()).await;
            assert_eq!(
                data["productConnection"]["totalCount"], count,
                "{variables}"
            );
            // The same on the next page.
            let after = data["productConnection"]["pageInfo"]["endCursor"].clone();
            if !after.is_null() {
                variables["after"] = after;
                variables["last"] = Value::Null;
                variables["first"] = json!(2);
                let next = app.data(document, variables.clone()).await;
                assert_eq!(
                    next["productConnection"]["totalCount"], count,
                    "{variables}"
                );
            }
        }
    }
    for entity in Entity::ALL {
        let data = app
            .data(
                &format!(
                    "{{ c: {}(first: 1) {{ totalCount }} }}",
                    entity.connection()
                ),
                json!({}),
            )
            .await;
        assert_eq!(
            data["c"]["totalCount"],
            ds.rows(entity).len(),
            "{}",
            entity.connection()
        );
    }
}

async fn connections_cost_one_statement_and_one_more_for_total_count(app: &TestApp) {
    let ds = seed(app).await;
    for entity in Entity::ALL {
        let connection = entity.connection();
        costs(
            app,
            1,
            &format!("{{ {connection}(first: 5) {{ nodes {{ id }} }} }}"),
            json!({}),
        )
        .await;
        costs(app, 1, &format!("{{ {connection}(last: 5) {{ edges {{ cursor }} pageInfo {{ hasNextPage endCursor }} }} }}"), json!({})).await;
        costs(
            app,
            2,
            &format!("{{ {connection}(first: 5) {{ totalCount nodes {{ id }} }} }}"),
            json!({}),
        )
        .await;
        costs(
            app,
            2,
            &format!("{{ {connection}(first: 0) {{ totalCount }} }}"),
            json!({}),
        )
        .await;
    }
    costs(
        app,
        3,
        r#"{ productConnection(last: 4, where: { category: { name: { startsWith: "B" } } }) { totalCount edges { node { category { name } } } } }"#,
        json!({}),
    )
    .await;

    // A connection, its users' posts, and the posts' authors: three statements.
    let data = costs(
        app,
        3,
        r#"{ userConnection(first: 50) { nodes { id posts(where: { content: { contains: "e", mode: INSENSITIVE } }, orderBy: [{ field: TITLE, direction: DESC }], limit: 2) { title author { name } } } } }"#,
        json!({}),
    )
    .await;
    let users = data["userConnection"]["nodes"].as_array().expect("nodes");
    assert_eq!(users.len(), ds.users.len());
    for (user, expected) in users.iter().zip(&ds.users) {
        assert_eq!(id_of(user), expected.id);
        let mut posts: Vec<&Post> = ds
            .posts
            .iter()
            .filter(|p| p.author_id == expected.id && p.content.to_lowercase().contains('e'))
            .collect();
        posts.sort_by(|a, b| b.title.cmp(&a.title).then(a.id.cmp(&b.id)));
        let want: Vec<Value> = posts
            .iter()
            .take(2)
            .map(|p| json!({ "title": p.title, "author": { "name": expected.name } }))
            .collect();
        assert_eq!(user["posts"], json!(want), "posts of {}", expected.name);
    }
}
