//! Nested lists (`User.posts`, `Category.products`): pages per parent, one statement per level.

use super::*;

on_every_backend!(
    user_posts_are_paged_per_author,
    category_products_are_paged_per_category,
    nested_lists_cost_one_statement_per_level,
    nested_list_bounds_are_checked,
);

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
