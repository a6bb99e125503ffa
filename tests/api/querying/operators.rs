//! Each column operator by example (`IntFilter` to `DateTimeFilter`), NULL included.

use super::*;

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
);

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
