//! `and`, `or`, `not` and the relation filters.

use super::*;

on_every_backend!(
    empty_lists_and_empty_combinators,
    and_or_not_combine_conditions,
    relation_filters,
);

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
