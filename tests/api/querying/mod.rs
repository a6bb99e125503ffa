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

mod combinators;
mod operators;
mod ordering;
mod reference;

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
