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

mod changes;
mod errors;
mod nested;
mod paging;
mod walks;

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

/// Which rows a filter should select.
type Matches<'a> = Box<dyn Fn(Row<'_>) -> bool + 'a>;

/// Runs `query`, which must succeed with exactly `statements` SQL statements; returns its data.
async fn costs(app: &TestApp, statements: usize, query: &str, variables: Value) -> Value {
    app.reset_statements();
    let data = app.data(query, variables).await;
    assert_eq!(app.statements(), statements, "statements of {query}");
    data
}
