//! Aggregates of every entity, with and without `where` and `groupBy`, checked against Rust.

use serde_json::{Value, json};

use crate::dataset::{Dataset, Entity, Row, Val, camel, seed};
use crate::helpers::TestApp;

on_every_backend!(
    user_aggregates,
    post_aggregates,
    category_aggregates,
    product_aggregates,
    aggregates_of_nothing,
);

/// The fields each statistic covers for an entity: sum, avg, min/max.
fn statistics(entity: Entity) -> [&'static [&'static str]; 3] {
    match entity {
        Entity::User => [&["age"], &["age"], &["age", "createdAt"]],
        Entity::Post => [&[], &[], &["createdAt"]],
        Entity::Category => [&[], &[], &[]],
        Entity::Product => [
            &["price", "stock"],
            &["price", "stock"],
            &["price", "stock"],
        ],
    }
}

/// Everything an aggregate group of `entity` can tell.
fn selection(entity: Entity) -> String {
    let [sum, avg, min_max] = statistics(entity);
    let mut out = format!("key {{ {} }} count", entity.selection());
    for (name, fields) in [
        ("sum", sum),
        ("avg", avg),
        ("min", min_max),
        ("max", min_max),
    ] {
        if !fields.is_empty() {
            out.push_str(&format!(" {name} {{ {} }}", fields.join(" ")));
        }
    }
    out
}

fn close(actual: &Value, expected: f64) -> bool {
    actual
        .as_f64()
        .is_some_and(|actual| (actual - expected).abs() <= 1e-9 * expected.abs().max(1.0))
}

/// Runs `xAggregate(where: filter, groupBy: group_by)` (one statement) and compares every
/// group with the rows of `ds` for which `matches` holds.
async fn check<'a>(
    app: &TestApp,
    ds: &'a Dataset,
    entity: Entity,
    filter: Value,
    matches: impl Fn(Row<'a>) -> bool,
    group_by: &[&str],
) {
    let name = entity.name();
    let document = format!(
        "query($w: {name}Where, $g: [{name}Field!]) {{ a: {}(where: $w, groupBy: $g) {{ {} }} }}",
        entity.aggregate(),
        selection(entity)
    );
    let context = format!(
        "{} where {filter} grouped by {group_by:?}",
        entity.aggregate()
    );
    app.reset_statements();
    let data = app
        .data(&document, json!({ "w": filter, "g": group_by }))
        .await;
    assert_eq!(app.statements(), 1, "statements of {context}");
    let groups = data["a"].as_array().expect("a list of groups");

    let grouped: Vec<String> = group_by.iter().map(|field| camel(field)).collect();
    let key_of =
        |row: Row<'_>| -> Vec<Val> { grouped.iter().map(|field| row.get(field)).collect() };
    let mut expected: Vec<(Vec<Val>, Vec<Row<'a>>)> = Vec::new();
    for row in ds.rows(entity).into_iter().filter(|row| matches(*row)) {
        let key = key_of(row);
        match expected.iter_mut().find(|(k, _)| *k == key) {
            Some((_, rows)) => rows.push(row),
            None => expected.push((key, vec![row])),
        }
    }
    expected.sort_by(|(a, _), (b, _)| {
        a.iter()
            .zip(b)
            .map(|(a, b)| a.order(b))
            .find(|ordering| ordering.is_ne())
            .unwrap_or(std::cmp::Ordering::Equal)
    });
    if group_by.is_empty() && expected.is_empty() {
        expected.push((Vec::new(), Vec::new()));
    }
    assert_eq!(
        groups.len(),
        expected.len(),
        "groups of {context}: {groups:#?}"
    );

    let [sum, avg, min_max] = statistics(entity);
    for (group, (key, rows)) in groups.iter().zip(&expected) {
        let context = format!("group {key:?} of {context}: {group:#}");
        for &field in entity.fields() {
            let field = camel(field);
            let value = &group["key"][&field];
            match grouped.iter().position(|f| *f == field) {
                Some(i) => assert!(key[i].is(value), "key {field} of {context}"),
                None => assert!(value.is_null(), "{field} is not grouped in {context}"),
            }
        }
        assert_eq!(group["count"], rows.len(), "count of {context}");
        let values = |field: &str| -> Vec<Val> { rows.iter().map(|row| row.get(field)).collect() };
        let numbers = |field: &str| -> Vec<f64> {
            values(field)
                .iter()
                .map(|value| match value {
                    Val::Int(v) => *v as f64,
                    Val::Float(v) => *v,
                    other => panic!("{field} is {other:?}"),
                })
                .collect()
        };
        for &field in sum {
            let actual = &group["sum"][field];
            if rows.is_empty() {
                assert!(actual.is_null(), "sum of {field} in {context}");
            } else if let Val::Int(_) = rows[0].get(field) {
                let total: i64 = values(field)
                    .iter()
                    .map(|value| if let Val::Int(v) = value { *v } else { 0 })
                    .sum();
                assert_eq!(*actual, total, "sum of {field} in {context}");
            } else {
                let total: f64 = numbers(field).iter().sum();
                assert!(close(actual, total), "sum of {field} in {context}: {total}");
            }
        }
        for &field in avg {
            let actual = &group["avg"][field];
            if rows.is_empty() {
                assert!(actual.is_null(), "avg of {field} in {context}");
            } else {
                let numbers = numbers(field);
                let mean = numbers.iter().sum::<f64>() / numbers.len() as f64;
                assert!(close(actual, mean), "avg of {field} in {context}: {mean}");
            }
        }
        for &field in min_max {
            let mut sorted = values(field);
            sorted.sort_by(Val::order);
            let (min, max) = (sorted.first(), sorted.last());
            for (name, expected) in [("min", min), ("max", max)] {
                let actual = &group[name][field];
                let expected = expected.cloned().unwrap_or(Val::Null);
                assert!(
                    expected.is(actual),
                    "{name} of {field} in {context}: {expected:?}"
                );
            }
        }
    }
}

async fn user_aggregates(app: &TestApp) {
    let ds = seed(app).await;
    let user = Entity::User;
    let all = |_: Row<'_>| true;
    let age = |row: Row<'_>| matches!(row.get("age"), Val::Int(age) if age >= 30);
    let old = json!({ "age": { "gte": 30 } });
    for group_by in [
        &[][..],
        &["CITY"],
        &["AGE"],
        &["IS_ACTIVE"],
        &["NAME"],
        &["EMAIL"],
        &["ID"],
        &["CREATED_AT"],
        &["CITY", "IS_ACTIVE"],
        &["IS_ACTIVE", "AGE", "CITY"],
        &["AGE", "CREATED_AT"],
    ] {
        check(app, &ds, user, Value::Null, all, group_by).await;
        check(app, &ds, user, old.clone(), age, group_by).await;
    }
    let writers = json!({ "posts": { "some": { "published": { "eq": true } } } });
    let writes = |row: Row<'_>| {
        ds.related(row, "posts")
            .iter()
            .any(|post| post.get("published") == Val::Bool(true))
    };
    check(app, &ds, user, writers.clone(), writes, &[]).await;
    check(app, &ds, user, writers, writes, &["IS_ACTIVE"]).await;
    let paris = json!({ "city": { "eq": "paris", "mode": "INSENSITIVE" } });
    let in_paris =
        |row: Row<'_>| matches!(row.get("city"), Val::Text(city) if city.to_lowercase() == "paris");
    check(app, &ds, user, paris.clone(), in_paris, &[]).await;
    check(app, &ds, user, paris, in_paris, &["CITY"]).await;
}

async fn post_aggregates(app: &TestApp) {
    let ds = seed(app).await;
    let post = Entity::Post;
    let all = |_: Row<'_>| true;
    let published = json!({ "published": { "eq": true } });
    let is_published = |row: Row<'_>| row.get("published") == Val::Bool(true);
    for group_by in [
        &[][..],
        &["PUBLISHED"],
        &["AUTHOR_ID"],
        &["AUTHOR_ID", "PUBLISHED"],
        &["TITLE"],
        &["CONTENT", "PUBLISHED"],
        &["CREATED_AT"],
        &["ID"],
    ] {
        check(app, &ds, post, Value::Null, all, group_by).await;
        check(app, &ds, post, published.clone(), is_published, group_by).await;
    }
    let inactive = json!({ "author": { "isActive": { "eq": false } } });
    let by_inactive = |row: Row<'_>| {
        ds.related(row, "author")
            .iter()
            .any(|author| author.get("isActive") == Val::Bool(false))
    };
    check(app, &ds, post, inactive.clone(), by_inactive, &[]).await;
    check(app, &ds, post, inactive, by_inactive, &["AUTHOR_ID"]).await;
}

async fn category_aggregates(app: &TestApp) {
    let ds = seed(app).await;
    let category = Entity::Category;
    let all = |_: Row<'_>| true;
    let stocked = json!({ "products": { "some": { "stock": { "gt": 0 } } } });
    let has_stock = |row: Row<'_>| {
        ds.related(row, "products")
            .iter()
            .any(|product| matches!(product.get("stock"), Val::Int(stock) if stock > 0))
    };
    for group_by in [&[][..], &["NAME"], &["ID"], &["NAME", "ID"]] {
        check(app, &ds, category, Value::Null, all, group_by).await;
        check(app, &ds, category, stocked.clone(), has_stock, group_by).await;
    }
    let empty = json!({ "products": { "none": {} } });
    check(
        app,
        &ds,
        category,
        empty,
        |row| ds.related(row, "products").is_empty(),
        &[],
    )
    .await;
}

async fn product_aggregates(app: &TestApp) {
    let ds = seed(app).await;
    let product = Entity::Product;
    let all = |_: Row<'_>| true;
    let cheap = json!({ "or": [{ "price": { "lt": 20 } }, { "categoryId": { "isNull": true } }] });
    let is_cheap = |row: Row<'_>| {
        matches!(row.get("price"), Val::Float(price) if price < 20.0)
            || row.get("categoryId") == Val::Null
    };
    for group_by in [
        &[][..],
        &["CATEGORY_ID"],
        &["CATEGORY_ID", "STOCK"],
        &["STOCK", "CATEGORY_ID"],
        &["PRICE"],
        &["STOCK", "PRICE"],
        &["NAME"],
        &["ID"],
    ] {
        check(app, &ds, product, Value::Null, all, group_by).await;
        check(app, &ds, product, cheap.clone(), is_cheap, group_by).await;
    }
    let books = json!({ "category": { "name": { "eq": "books", "mode": "INSENSITIVE" } } });
    let in_books = |row: Row<'_>| {
        ds.related(row, "category")
            .iter()
            .any(|category| matches!(category.get("name"), Val::Text(name) if name.to_lowercase() == "books"))
    };
    check(app, &ds, product, books.clone(), in_books, &[]).await;
    check(app, &ds, product, books, in_books, &["CATEGORY_ID"]).await;
    let sold_out = json!({ "stock": { "eq": 0 } });
    let is_sold_out = |row: Row<'_>| row.get("stock") == Val::Int(0);
    check(app, &ds, product, sold_out, is_sold_out, &["CATEGORY_ID"]).await;
}

async fn aggregates_of_nothing(app: &TestApp) {
    // No rows at all, then rows of which none match.
    for seeded in [false, true] {
        let ds = if seeded {
            seed(app).await
        } else {
            Dataset::default()
        };
        for entity in Entity::ALL {
            let none = |_: Row<'_>| false;
            let nothing = json!({ "id": { "in": [] } });
            check(app, &ds, entity, nothing.clone(), none, &[]).await;
            check(app, &ds, entity, nothing, none, &[entity.fields()[1]]).await;
            if !seeded {
                check(app, &ds, entity, Value::Null, none, &[]).await;
                check(app, &ds, entity, Value::Null, none, &["ID"]).await;
            }
        }
    }
    let data = app
        .data(
            "{ productAggregate(where: { name: { eq: \"none\" } }) { key { id name price stock categoryId } count \
             sum { price stock } avg { price stock } min { price stock } max { price stock } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["productAggregate"],
        json!([{
            "key": { "id": null, "name": null, "price": null, "stock": null, "categoryId": null },
            "count": 0,
            "sum": { "price": null, "stock": null },
            "avg": { "price": null, "stock": null },
            "min": { "price": null, "stock": null },
            "max": { "price": null, "stock": null },
        }])
    );
}
