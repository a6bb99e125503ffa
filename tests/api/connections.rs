//! Relay connections (keyset walks, offset, pageInfo, totalCount, errors) and nested list pages.

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use crate::dataset::{
    Dataset, Entity, Key, Post, Product, Row, compare, create_many, mutate_each, order_json, seed,
    sorted_ids,
};
use crate::helpers::{TestApp, id_of, ids};

on_every_backend!(
    user_connection_walks_every_order,
    post_connection_walks_every_order,
    category_connection_walks_every_order,
    product_connection_walks_every_order,
    walks_follow_where,
    every_edge_cursor_continues_after_its_row,
    forward_walk_survives_inserts_and_deletes,
    backward_walk_survives_inserts_and_deletes,
    offset_skips_rows_in_the_paging_direction,
    page_sizes_and_cursor_ranges,
    total_count_counts_every_matching_row,
    connections_cost_one_statement_and_one_more_for_total_count,
    bad_page_arguments_are_bad_user_input,
    malformed_and_foreign_cursors_are_bad_user_input,
    user_posts_are_paged_per_author,
    category_products_are_paged_per_category,
    nested_lists_cost_one_statement_per_level,
    nested_list_bounds_are_checked,
);

// ---- Pages ----

/// One page of `entity`'s connection; `args` holds any of `first after last before offset`
/// and `where`/`orderBy` as `w`/`o`.
async fn page(app: &TestApp, entity: Entity, args: &Value) -> Value {
    let name = entity.name();
    let document = format!(
        "query($first: Int, $after: String, $last: Int, $before: String, $offset: Int, \
         $w: {name}Where, $o: [{name}OrderBy!]) {{ c: {}(first: $first, after: $after, \
         last: $last, before: $before, offset: $offset, where: $w, orderBy: $o) {{ \
         edges {{ cursor node {{ id }} }} nodes {{ id }} \
         pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }} }} }}",
        entity.connection()
    );
    let data = app.data(&document, args.clone()).await;
    let connection = data["c"].clone();
    check_shape(&connection);
    connection
}

/// `nodes` are the edges' nodes; `startCursor`/`endCursor` are the first/last edge's cursor.
fn check_shape(connection: &Value) {
    let edges = connection["edges"].as_array().expect("edges");
    let nodes: Vec<i64> = edges.iter().map(|edge| id_of(&edge["node"])).collect();
    assert_eq!(
        ids(&connection["nodes"]),
        nodes,
        "nodes and edges differ: {connection:#}"
    );
    let info = &connection["pageInfo"];
    let cursor = |edge: Option<&Value>| edge.map_or(Value::Null, |edge| edge["cursor"].clone());
    assert_eq!(info["startCursor"], cursor(edges.first()), "{connection:#}");
    assert_eq!(info["endCursor"], cursor(edges.last()), "{connection:#}");
}

fn flag(connection: &Value, name: &str) -> bool {
    connection["pageInfo"][name]
        .as_bool()
        .unwrap_or_else(|| panic!("no {name} in {connection:#}"))
}

fn cursor(connection: &Value, name: &str) -> Value {
    connection["pageInfo"][name].clone()
}

fn node_ids(connection: &Value) -> Vec<i64> {
    ids(&connection["nodes"])
}

/// Walks the whole connection forwards, `size` rows at a time, checking every page against
/// `expected` (every matching id in order).
async fn walk_forward(
    app: &TestApp,
    entity: Entity,
    filter: &Value,
    keys: &[Key],
    size: usize,
    expected: &[i64],
) {
    let mut after = Value::Null;
    let mut seen: Vec<i64> = Vec::new();
    let context = format!("{} where {filter} ordered by {keys:?}", entity.connection());
    loop {
        let args = json!({ "first": size, "after": after, "w": filter, "o": order_json(keys) });
        let connection = page(app, entity, &args).await;
        let start = seen.len();
        let end = (start + size).min(expected.len());
        assert_eq!(
            node_ids(&connection),
            expected[start..end],
            "page at {start} of {context}"
        );
        assert_eq!(
            flag(&connection, "hasNextPage"),
            end < expected.len(),
            "{context} at {start}"
        );
        assert_eq!(
            flag(&connection, "hasPreviousPage"),
            start > 0,
            "{context} at {start}"
        );
        seen.extend(node_ids(&connection));
        if !flag(&connection, "hasNextPage") {
            break;
        }
        after = cursor(&connection, "endCursor");
    }
    assert_eq!(seen, expected, "{context}");
}

/// Walks the whole connection backwards from its end, `size` rows at a time.
async fn walk_backward(
    app: &TestApp,
    entity: Entity,
    filter: &Value,
    keys: &[Key],
    size: usize,
    expected: &[i64],
) {
    let mut before = Value::Null;
    let mut seen: Vec<i64> = Vec::new();
    let context = format!(
        "{} where {filter} ordered by {keys:?}, backwards",
        entity.connection()
    );
    loop {
        let args = json!({ "last": size, "before": before, "w": filter, "o": order_json(keys) });
        let connection = page(app, entity, &args).await;
        let end = expected.len() - seen.len();
        let start = end.saturating_sub(size);
        assert_eq!(
            node_ids(&connection),
            expected[start..end],
            "page ending at {end} of {context}"
        );
        assert_eq!(
            flag(&connection, "hasPreviousPage"),
            start > 0,
            "{context} at {end}"
        );
        assert_eq!(
            flag(&connection, "hasNextPage"),
            !seen.is_empty(),
            "{context} at {end}"
        );
        let mut page_ids = node_ids(&connection);
        page_ids.extend(seen);
        seen = page_ids;
        if !flag(&connection, "hasPreviousPage") {
            break;
        }
        before = cursor(&connection, "startCursor");
    }
    assert_eq!(seen, expected, "{context}");
}

/// Every order worth walking: each field both ways, ASC by omission, several keys, none.
fn orders(entity: Entity) -> Vec<Vec<Key>> {
    let mut orders: Vec<Vec<Key>> = Vec::new();
    for &field in entity.fields() {
        orders.push(vec![Key::asc(field)]);
        orders.push(vec![Key::desc(field)]);
    }
    orders.push(vec![Key {
        field: entity.fields()[1],
        descending: None,
    }]);
    orders.push(Vec::new());
    let more: &[&[Key]] = match entity {
        Entity::User => &[
            &[Key::asc("CITY"), Key::desc("AGE")],
            &[
                Key::desc("IS_ACTIVE"),
                Key::asc("CREATED_AT"),
                Key::desc("NAME"),
            ],
        ],
        Entity::Post => &[
            &[Key::asc("PUBLISHED"), Key::desc("CREATED_AT")],
            &[Key::desc("AUTHOR_ID"), Key::asc("TITLE")],
        ],
        Entity::Category => &[&[Key::desc("NAME"), Key::desc("ID")]],
        Entity::Product => &[
            &[Key::desc("CATEGORY_ID"), Key::asc("PRICE")],
            &[
                Key::asc("STOCK"),
                Key::asc("CATEGORY_ID"),
                Key::desc("NAME"),
            ],
        ],
    };
    orders.extend(more.iter().map(|keys| keys.to_vec()));
    orders
}

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

/// Which rows a filter should select.
type Matches<'a> = Box<dyn Fn(Row<'_>) -> bool + 'a>;

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

// ---- Walking while rows change ----

/// A change made between two pages of a walk.
#[derive(Debug, Clone, Copy)]
enum Change {
    /// Delete the row of the cursor the next page starts from.
    DeleteCursorRow,
    /// Delete the `n`th row not returned yet, in walking order.
    DeleteUnseen(usize),
    /// Delete a row already returned.
    DeleteSeen,
    /// Insert a product.
    Insert {
        price: f64,
        stock: i64,
        category: Option<usize>,
    },
}

/// Walks products in the order `keys` (`last` pages when `backward`) while `changes[i]` is
/// applied after page `i`. Each page must be exactly the rows then beyond the cursor's key
/// values; every product that exists during the whole walk comes exactly once, in order.
async fn walk_while_changing(app: &TestApp, keys: &[Key], backward: bool, changes: &[&[Change]]) {
    let ds = seed(app).await;
    let mut current: Vec<Product> = ds.products.clone();
    let mut ever: HashMap<i64, Product> = current.iter().map(|p| (p.id, p.clone())).collect();
    let initial: Vec<i64> = current.iter().map(|p| p.id).collect();
    let mut deleted: Vec<i64> = Vec::new();
    let mut returned: Vec<i64> = Vec::new();
    let mut cursor_row: Option<Product> = None;
    let mut cursor_value = Value::Null;
    let size = 3;
    for step in 0.. {
        assert!(step < 50, "the walk does not end");
        let args = if backward {
            json!({ "last": size, "before": cursor_value, "o": order_json(keys) })
        } else {
            json!({ "first": size, "after": cursor_value, "o": order_json(keys) })
        };
        let connection = page(app, Entity::Product, &args).await;

        // The rows beyond the cursor now, nearest first.
        let mut beyond: Vec<&Product> = current
            .iter()
            .filter(|p| {
                cursor_row.as_ref().is_none_or(|c| {
                    let ordering = compare(Row::Product(p), Row::Product(c), keys);
                    if backward {
                        ordering.is_lt()
                    } else {
                        ordering.is_gt()
                    }
                })
            })
            .collect();
        beyond.sort_by(|a, b| {
            let ordering = compare(Row::Product(a), Row::Product(b), keys);
            if backward {
                ordering.reverse()
            } else {
                ordering
            }
        });
        let mut expected: Vec<i64> = beyond.iter().take(size).map(|p| p.id).collect();
        if backward {
            expected.reverse();
        }
        let got = node_ids(&connection);
        assert_eq!(
            got, expected,
            "page {step} of products by {keys:?}, backward: {backward}"
        );
        let more = beyond.len() > size;
        let (towards, away) = if backward {
            ("hasPreviousPage", "hasNextPage")
        } else {
            ("hasNextPage", "hasPreviousPage")
        };
        assert_eq!(flag(&connection, towards), more, "page {step}");
        assert_eq!(flag(&connection, away), step > 0, "page {step}");
        if backward {
            let mut page_ids = got.clone();
            page_ids.extend(returned);
            returned = page_ids;
        } else {
            returned.extend(&got);
        }
        if !more {
            break;
        }
        let last_id = if backward { got[0] } else { got[got.len() - 1] };
        cursor_row = ever.get(&last_id).cloned();
        cursor_value = cursor(
            &connection,
            if backward { "startCursor" } else { "endCursor" },
        );

        let unseen: Vec<i64> = beyond.iter().skip(size).map(|p| p.id).collect();
        for change in changes.get(step).copied().unwrap_or_default() {
            let victim = match *change {
                Change::DeleteCursorRow => Some(last_id),
                Change::DeleteUnseen(n) => unseen.get(n).copied(),
                Change::DeleteSeen => returned
                    .iter()
                    .copied()
                    .find(|id| *id != last_id && !deleted.contains(id)),
                Change::Insert {
                    price,
                    stock,
                    category,
                } => {
                    let category_id = category.map(|c| ds.categories[c].id);
                    let name = format!("Inserted at step {step}");
                    let id = app
                        .create_product(
                            &name,
                            price,
                            i32::try_from(stock).expect("a stock"),
                            category_id,
                        )
                        .await;
                    let product = Product {
                        id,
                        name,
                        price,
                        stock,
                        category_id,
                    };
                    ever.insert(id, product.clone());
                    current.push(product);
                    None
                }
            };
            if let Some(victim) = victim {
                app.data(
                    "mutation($id: Int!) { deleteProduct(id: $id) { id } }",
                    json!({ "id": victim }),
                )
                .await;
                current.retain(|p| p.id != victim);
                deleted.push(victim);
            }
        }
    }
    let mut unique = returned.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(
        unique.len(),
        returned.len(),
        "a row came twice: {returned:?}"
    );
    for id in initial.iter().filter(|id| !deleted.contains(id)) {
        assert!(
            returned.contains(id),
            "product {id} existed all along but never came"
        );
    }
    for pair in returned.windows(2) {
        assert!(
            compare(
                Row::Product(&ever[&pair[0]]),
                Row::Product(&ever[&pair[1]]),
                keys
            )
            .is_lt(),
            "{pair:?} out of order"
        );
    }
    assert!(
        !deleted.is_empty() && ever.len() > initial.len(),
        "the walk changed nothing"
    );
}

async fn forward_walk_survives_inserts_and_deletes(app: &TestApp) {
    // By price, highest first: ties and the id tie-breaker matter.
    walk_while_changing(
        app,
        &[Key::desc("PRICE")],
        false,
        &[
            &[
                Change::DeleteCursorRow,
                Change::Insert {
                    price: 5000.0,
                    stock: 1,
                    category: None,
                },
                Change::Insert {
                    price: 199.0,
                    stock: 1,
                    category: Some(0),
                },
            ],
            &[
                Change::DeleteUnseen(0),
                Change::DeleteUnseen(2),
                Change::DeleteSeen,
                Change::Insert {
                    price: 0.01,
                    stock: 0,
                    category: None,
                },
            ],
            &[
                Change::Insert {
                    price: 15.0,
                    stock: 2,
                    category: Some(5),
                },
                Change::DeleteCursorRow,
            ],
            &[Change::Insert {
                price: 1000.0,
                stock: 2,
                category: None,
            }],
        ],
    )
    .await;
}

async fn backward_walk_survives_inserts_and_deletes(app: &TestApp) {
    // By the nullable category id, walking from the end towards the NULLs.
    walk_while_changing(
        app,
        &[Key::asc("CATEGORY_ID"), Key::desc("STOCK")],
        true,
        &[
            &[
                Change::DeleteCursorRow,
                Change::Insert {
                    price: 1.0,
                    stock: 0,
                    category: None,
                },
                Change::Insert {
                    price: 1.0,
                    stock: 50,
                    category: Some(6),
                },
            ],
            &[
                Change::DeleteUnseen(0),
                Change::DeleteSeen,
                Change::Insert {
                    price: 2.0,
                    stock: 1,
                    category: Some(2),
                },
            ],
            &[
                Change::Insert {
                    price: 3.0,
                    stock: 999,
                    category: None,
                },
                Change::DeleteUnseen(1),
            ],
            &[Change::DeleteCursorRow],
        ],
    )
    .await;
}

// ---- offset, page sizes, totalCount ----

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

/// Runs `query`, which must succeed with exactly `statements` SQL statements; returns its data.
async fn costs(app: &TestApp, statements: usize, query: &str, variables: Value) -> Value {
    app.reset_statements();
    let data = app.data(query, variables).await;
    assert_eq!(app.statements(), statements, "statements of {query}");
    data
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

// ---- Errors ----

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

// ---- Nested lists ----

/// 100 users; user `i` has `i % 5` posts with varied titles, every other one published.
async fn seed_authors(app: &TestApp) -> Dataset {
    let users: Vec<Value> = (0..100)
        .map(|i| json!({ "name": format!("Author {i:03}"), "email": format!("author{i}@example.com"), "age": 20 + i % 7 }))
        .collect();
    let user_ids = create_many(app, "createUser", "CreateUserInput", &users).await;
    let words = ["gamma", "alpha", "delta", "beta", "Alpha"];
    let posts: Vec<Value> = user_ids
        .iter()
        .enumerate()
        .flat_map(|(i, id)| {
            (0..i % 5).map(move |j| {
                json!({
                    "title": format!("{} post {i}", words[(i + j) % words.len()]),
                    "content": format!("Content number {j} of author {i}, long enough."),
                    "authorId": id,
                })
            })
        })
        .collect();
    let post_ids = create_many(app, "createPost", "CreatePostInput", &posts).await;
    let publish: Vec<String> = post_ids
        .iter()
        .step_by(2)
        .map(|id| format!("publishPost(id: {id})"))
        .collect();
    mutate_each(app, &publish).await;
    Dataset::load(app).await
}

/// 100 categories; category `i` has `i % 5` products with varied prices and stocks.
async fn seed_shelves(app: &TestApp) -> Dataset {
    let categories: Vec<Value> = (0..100)
        .map(|i| json!({ "name": format!("Shelf {i:03}") }))
        .collect();
    let category_ids = create_many(app, "createCategory", "CreateCategoryInput", &categories).await;
    let products: Vec<Value> = category_ids
        .iter()
        .enumerate()
        .flat_map(|(i, id)| {
            (0..i % 5).map(move |j| {
                let price = [5.0, 1.5, 5.0, 20.0][(i + j) % 4];
                json!({
                    "name": format!("Item {j} of shelf {i}"),
                    "price": price,
                    "stock": (i * 7 + j * 3) % 4,
                    "categoryId": id,
                })
            })
        })
        .collect();
    create_many(app, "createProduct", "CreateProductInput", &products).await;
    Dataset::load(app).await
}

/// A nested list's arguments and what they select from each parent's children.
struct Nested<'a> {
    arguments: &'static str,
    keys: Vec<Key>,
    matches: Matches<'a>,
    skip: usize,
    limit: Option<usize>,
}

impl<'a> Nested<'a> {
    fn new(arguments: &'static str, matches: impl Fn(Row<'_>) -> bool + 'a) -> Self {
        Self {
            arguments,
            keys: Vec::new(),
            matches: Box::new(matches),
            skip: 0,
            limit: None,
        }
    }

    fn ordered(mut self, keys: &[Key]) -> Self {
        self.keys = keys.to_vec();
        self
    }

    fn paged(mut self, skip: usize, limit: Option<usize>) -> Self {
        self.skip = skip;
        self.limit = limit;
        self
    }
}

/// Runs `list { id relation<arguments> { id } }` for every case and compares each parent's
/// children with `ds`.
async fn check_nested(
    app: &TestApp,
    ds: &Dataset,
    parent: Entity,
    relation: &str,
    cases: &[Nested<'_>],
) {
    let list = match parent {
        Entity::Category => "categories".to_owned(),
        _ => format!("{}(limit: 100)", parent.list()),
    };
    for case in cases {
        let arguments = case.arguments;
        let data = app
            .data(
                &format!("{{ {list} {{ id {relation}{arguments} {{ id }} }} }}"),
                json!({}),
            )
            .await;
        let parents = data[parent.list()].as_array().expect("parents");
        let expected_parents = ds.rows(parent);
        assert_eq!(parents.len(), expected_parents.len());
        assert_eq!(parents.len(), 100);
        for (got, row) in parents.iter().zip(expected_parents) {
            assert_eq!(id_of(got), row.id());
            let children: Vec<Row<'_>> = ds
                .related(row, relation)
                .into_iter()
                .filter(|child| (case.matches)(*child))
                .collect();
            let expected: Vec<i64> = sorted_ids(children, &case.keys)
                .into_iter()
                .skip(case.skip)
                .take(case.limit.unwrap_or(usize::MAX))
                .collect();
            assert_eq!(
                ids(&got[relation]),
                expected,
                "{relation}{arguments} of {row:?}"
            );
        }
    }
}

async fn user_posts_are_paged_per_author(app: &TestApp) {
    let ds = seed_authors(app).await;
    let post = |row: Row<'_>| match row {
        Row::Post(post) => post.clone(),
        other => panic!("not a post: {other:?}"),
    };
    let cases = [
        Nested::new("", |_| true),
        Nested::new(
            "(where: { published: { eq: true } }, orderBy: [{ field: TITLE, direction: DESC }], skip: 1, limit: 2)",
            move |r| post(r).published,
        )
        .ordered(&[Key::desc("TITLE")])
        .paged(1, Some(2)),
        Nested::new(
            "(published: false, orderBy: [{ field: CREATED_AT, direction: DESC }], limit: 1)",
            move |r| !post(r).published,
        )
        .ordered(&[Key::desc("CREATED_AT")])
        .paged(0, Some(1)),
        Nested::new("(skip: 2)", |_| true).paged(2, None),
        Nested::new("(skip: 3, limit: 100)", |_| true).paged(3, Some(100)),
        Nested::new(
            r#"(where: { title: { startsWith: "alpha", mode: INSENSITIVE } }, orderBy: [{ field: TITLE }])"#,
            move |r| post(r).title.to_lowercase().starts_with("alpha"),
        )
        .ordered(&[Key::asc("TITLE")]),
        Nested::new(
            r#"(where: { or: [{ published: { eq: true } }, { content: { contains: "number 3" } }] }, orderBy: [{ field: PUBLISHED }, { field: TITLE, direction: DESC }], skip: 1)"#,
            move |r| post(r).published || post(r).content.contains("number 3"),
        )
        .ordered(&[Key::asc("PUBLISHED"), Key::desc("TITLE")])
        .paged(1, None),
        Nested::new("(where: { author: { age: { gte: 23 } } }, limit: 3)", |r| {
            let author = post(r).author_id;
            ds.users.iter().any(|u| u.id == author && u.age >= 23)
        })
        .paged(0, Some(3)),
    ];
    check_nested(app, &ds, Entity::User, "posts", &cases).await;
}

async fn category_products_are_paged_per_category(app: &TestApp) {
    let ds = seed_shelves(app).await;
    let product = |row: Row<'_>| match row {
        Row::Product(product) => product.clone(),
        other => panic!("not a product: {other:?}"),
    };
    let cases = [
        Nested::new("", |_| true),
        Nested::new(
            "(orderBy: [{ field: PRICE, direction: DESC }, { field: STOCK }], skip: 1, limit: 2)",
            |_| true,
        )
        .ordered(&[Key::desc("PRICE"), Key::asc("STOCK")])
        .paged(1, Some(2)),
        Nested::new(
            "(where: { stock: { gt: 0 } }, orderBy: [{ field: NAME, direction: DESC }], limit: 1)",
            move |r| product(r).stock > 0,
        )
        .ordered(&[Key::desc("NAME")])
        .paged(0, Some(1)),
        Nested::new("(where: { not: { price: { in: [5.0] } } }, skip: 1)", move |r| {
            product(r).price != 5.0
        })
        .paged(1, None),
        Nested::new(
            r#"(where: { category: { name: { endsWith: "7" } } }, orderBy: [{ field: PRICE }], limit: 100)"#,
            |r| {
                let category = product(r).category_id;
                ds.categories
                    .iter()
                    .any(|c| Some(c.id) == category && c.name.ends_with('7'))
            },
        )
        .ordered(&[Key::asc("PRICE")])
        .paged(0, Some(100)),
    ];
    check_nested(app, &ds, Entity::Category, "products", &cases).await;
}

/// How many objects the nested lists `path` (such as `["users", "posts"]`) hold in all.
fn count_at(data: &Value, path: &[&str]) -> usize {
    match path.split_first() {
        None => 1,
        Some((field, rest)) => match &data[*field] {
            Value::Array(items) => items.iter().map(|item| count_at(item, rest)).sum(),
            Value::Object(_) => count_at(&data[*field], rest),
            _ => 0,
        },
    }
}

async fn nested_lists_cost_one_statement_per_level(app: &TestApp) {
    seed_authors(app).await;
    seed_shelves(app).await;
    // Parents with the most children first, so that every level has rows at every page size.
    let users = "users(limit: $n, orderBy: [{ field: NAME, direction: DESC }])";
    let shelves = "categoryConnection(first: $n, orderBy: [{ field: NAME, direction: DESC }])";
    let posts = "posts(where: { published: { eq: true } }, orderBy: [{ field: TITLE, direction: DESC }], skip: 1, limit: 2)";
    let all_posts = "posts(orderBy: [{ field: TITLE, direction: DESC }], skip: 1, limit: 2)";
    let products = "products(where: { stock: { gte: 1 } }, orderBy: [{ field: PRICE, direction: DESC }], limit: 1)";
    let all_products = "products(orderBy: [{ field: PRICE, direction: DESC }], skip: 1, limit: 2)";
    let cases: [(usize, String, &[&str]); 7] = [
        (2, format!("{users} {{ {posts} {{ id }} }}"), &["users"]),
        (
            3,
            format!("{users} {{ {all_posts} {{ title author {{ name }} }} }}"),
            &["users", "posts", "author"],
        ),
        (
            4,
            format!("{users} {{ {all_posts} {{ author {{ posts(limit: 1) {{ id }} }} }} }}"),
            &["users", "posts", "author", "posts"],
        ),
        // Two different nested lists on one level: one statement each.
        (
            3,
            format!("{users} {{ a: {all_posts} {{ id }} b: posts(skip: 1) {{ id }} }}"),
            &["users", "a"],
        ),
        (
            2,
            format!("{shelves} {{ nodes {{ {products} {{ id }} }} }}"),
            &["categoryConnection", "nodes"],
        ),
        (
            3,
            format!("{shelves} {{ nodes {{ {all_products} {{ category {{ name }} }} }} }}"),
            &["categoryConnection", "nodes", "products", "category"],
        ),
        (
            4,
            format!(
                "{shelves} {{ nodes {{ {all_products} {{ category {{ products(limit: 1) {{ id }} }} }} }} }}"
            ),
            &[
                "categoryConnection",
                "nodes",
                "products",
                "category",
                "products",
            ],
        ),
    ];
    for size in [1, 10, 100] {
        for (statements, selection, path) in &cases {
            let data = costs(
                app,
                *statements,
                &format!("query($n: Int) {{ {selection} }}"),
                json!({ "n": size }),
            )
            .await;
            assert!(
                count_at(&data, path) > 0,
                "{selection} with {size} parents: {data:#}"
            );
        }
    }
    costs(
        app,
        2,
        &format!("{{ categories {{ {products} {{ id }} }} }}"),
        json!({}),
    )
    .await;
}

async fn nested_list_bounds_are_checked(app: &TestApp) {
    let user = app
        .create_user("Nested Bounds", "bounds@example.com", 30)
        .await;
    let category = app.create_category("Bounded").await;
    for (list, parent) in [
        ("user", ("posts", user)),
        ("category", ("products", category)),
    ] {
        let (field, id) = parent;
        let document = format!(
            "query($id: Int!, $skip: Int, $limit: Int) {{ {list}(id: $id) {{ {field}(skip: $skip, limit: $limit) {{ id }} }} }}"
        );
        for (variables, argument) in [
            (json!({ "id": id, "limit": 0 }), "limit"),
            (json!({ "id": id, "limit": 101 }), "limit"),
            (json!({ "id": id, "limit": -1 }), "limit"),
            (json!({ "id": id, "skip": -1 }), "skip"),
        ] {
            app.expect_error(&document, variables, "BAD_USER_INPUT", Some(argument))
                .await;
        }
        for variables in [
            json!({ "id": id, "limit": 1 }),
            json!({ "id": id, "limit": 100 }),
            json!({ "id": id, "skip": 0 }),
            json!({ "id": id, "skip": 5 }),
        ] {
            let data = app.data(&document, variables).await;
            assert_eq!(data[list][field], json!([]));
        }
    }
}
