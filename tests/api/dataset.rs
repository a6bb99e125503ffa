//! The section 6 tests' data set, seeded through the API, with Rust models of values and orders.

use std::cmp::Ordering;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value, json};

use crate::helpers::{TestApp, id_of};

/// One of agora's four tables, with the names its GraphQL API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    User,
    Post,
    Category,
    Product,
}

impl Entity {
    pub const ALL: [Self; 4] = [Self::User, Self::Post, Self::Category, Self::Product];

    /// The type name: `User`, `Post`, ...
    pub fn name(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Post => "Post",
            Self::Category => "Category",
            Self::Product => "Product",
        }
    }

    /// The list field: `users`, `posts`, ...
    pub fn list(self) -> &'static str {
        match self {
            Self::User => "users",
            Self::Post => "posts",
            Self::Category => "categories",
            Self::Product => "products",
        }
    }

    /// The list field called with `arguments` and, unless it is `categories` (which has no
    /// pages), `limit: 100`.
    pub fn list_call(self, arguments: &str) -> String {
        match self {
            Self::Category => format!("categories({arguments})"),
            _ => format!("{}(limit: 100, {arguments})", self.list()),
        }
    }

    /// `userConnection`, ...
    pub fn connection(self) -> String {
        format!("{}Connection", self.lower())
    }

    /// `userAggregate`, ...
    pub fn aggregate(self) -> String {
        format!("{}Aggregate", self.lower())
    }

    fn lower(self) -> String {
        self.name().to_lowercase()
    }

    /// The `XField` enum values, in schema order.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Self::User => &[
                "ID",
                "NAME",
                "EMAIL",
                "AGE",
                "CITY",
                "IS_ACTIVE",
                "CREATED_AT",
            ],
            Self::Post => &[
                "ID",
                "TITLE",
                "CONTENT",
                "PUBLISHED",
                "AUTHOR_ID",
                "CREATED_AT",
            ],
            Self::Category => &["ID", "NAME"],
            Self::Product => &["ID", "NAME", "PRICE", "STOCK", "CATEGORY_ID"],
        }
    }

    /// The text field that names a row (`name`, or `title` for posts).
    pub fn label(self) -> &'static str {
        match self {
            Self::Post => "title",
            _ => "name",
        }
    }

    /// Every scalar field, as selected in GraphQL.
    pub fn selection(self) -> String {
        self.fields()
            .iter()
            .map(|field| camel(field))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// The GraphQL field named by an `XField` enum value: `IS_ACTIVE` is `isActive`.
pub fn camel(field: &str) -> String {
    let mut out = String::new();
    for (i, part) in field.split('_').enumerate() {
        let lower = part.to_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                out.extend(first.to_uppercase());
                out.push_str(chars.as_str());
            }
        }
    }
    out
}

/// A column value as agora compares and orders it.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Int(i64),
    Float(f64),
    Text(String),
    Bool(bool),
    Time(DateTime<Utc>),
}

impl Val {
    /// agora's order: NULL first, numbers and timestamps by value, text by code point.
    pub fn order(&self, other: &Self) -> Ordering {
        match (self, other) {
            (Self::Null, Self::Null) => Ordering::Equal,
            (Self::Null, _) => Ordering::Less,
            (_, Self::Null) => Ordering::Greater,
            (Self::Int(a), Self::Int(b)) => a.cmp(b),
            (Self::Float(a), Self::Float(b)) => a.total_cmp(b),
            (Self::Text(a), Self::Text(b)) => a.cmp(b),
            (Self::Bool(a), Self::Bool(b)) => a.cmp(b),
            (Self::Time(a), Self::Time(b)) => a.cmp(b),
            _ => panic!("cannot compare {self:?} with {other:?}"),
        }
    }

    /// The value as a GraphQL input.
    pub fn to_json(&self) -> Value {
        match self {
            Self::Null => Value::Null,
            Self::Int(v) => json!(v),
            Self::Float(v) => json!(v),
            Self::Text(v) => json!(v),
            Self::Bool(v) => json!(v),
            Self::Time(v) => json!(v.to_rfc3339_opts(SecondsFormat::Millis, true)),
        }
    }

    /// Whether a GraphQL output is this value (timestamps compared as instants).
    pub fn is(&self, output: &Value) -> bool {
        match self {
            Self::Null => output.is_null(),
            Self::Time(at) => output.as_str().and_then(parse_time).as_ref() == Some(at),
            Self::Float(v) => output.as_f64() == Some(*v),
            other => other.to_json() == *output,
        }
    }
}

fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|at| at.with_timezone(&Utc))
}

/// A timestamp output.
pub fn time(output: &Value) -> DateTime<Utc> {
    output
        .as_str()
        .and_then(parse_time)
        .unwrap_or_else(|| panic!("not an RFC 3339 timestamp: {output}"))
}

fn int(output: &Value) -> i64 {
    output
        .as_i64()
        .unwrap_or_else(|| panic!("not an integer: {output}"))
}

fn text(output: &Value) -> String {
    output
        .as_str()
        .unwrap_or_else(|| panic!("not a string: {output}"))
        .to_owned()
}

fn boolean(output: &Value) -> bool {
    output
        .as_bool()
        .unwrap_or_else(|| panic!("not a boolean: {output}"))
}

#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub age: i64,
    pub city: String,
    pub is_active: bool,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: i64,
    pub title: String,
    pub content: String,
    pub published: bool,
    pub author_id: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Category {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    pub id: i64,
    pub name: String,
    pub price: f64,
    pub stock: i64,
    pub category_id: Option<i64>,
}

impl Product {
    /// A product as the API returns it.
    pub fn from_output(output: &Value) -> Self {
        Self {
            id: id_of(output),
            name: text(&output["name"]),
            price: output["price"]
                .as_f64()
                .unwrap_or_else(|| panic!("no price in {output}")),
            stock: int(&output["stock"]),
            category_id: output["categoryId"].as_i64(),
        }
    }
}

impl User {
    /// A user as the API returns it.
    pub fn from_output(u: &Value) -> Self {
        Self {
            id: id_of(u),
            name: text(&u["name"]),
            email: text(&u["email"]),
            age: int(&u["age"]),
            city: text(&u["city"]),
            is_active: boolean(&u["isActive"]),
            created_at: time(&u["createdAt"]),
        }
    }
}

impl Post {
    /// A post as the API returns it.
    pub fn from_output(p: &Value) -> Self {
        Self {
            id: id_of(p),
            title: text(&p["title"]),
            content: text(&p["content"]),
            published: boolean(&p["published"]),
            author_id: int(&p["authorId"]),
            created_at: time(&p["createdAt"]),
        }
    }
}

impl Category {
    /// A category as the API returns it.
    pub fn from_output(c: &Value) -> Self {
        Self {
            id: id_of(c),
            name: text(&c["name"]),
        }
    }
}

/// A row of any table, owned (as a subscription delivers it).
#[derive(Debug, Clone)]
pub enum OwnedRow {
    User(User),
    Post(Post),
    Category(Category),
    Product(Product),
}

impl OwnedRow {
    /// A row of `entity` as the API returns it (with `entity.selection()`).
    pub fn from_output(entity: Entity, output: &Value) -> Self {
        match entity {
            Entity::User => Self::User(User::from_output(output)),
            Entity::Post => Self::Post(Post::from_output(output)),
            Entity::Category => Self::Category(Category::from_output(output)),
            Entity::Product => Self::Product(Product::from_output(output)),
        }
    }

    /// The row, borrowed.
    pub fn row(&self) -> Row<'_> {
        match self {
            Self::User(u) => Row::User(u),
            Self::Post(p) => Row::Post(p),
            Self::Category(c) => Row::Category(c),
            Self::Product(p) => Row::Product(p),
        }
    }
}

/// One row of any table.
#[derive(Debug, Clone, Copy)]
pub enum Row<'a> {
    User(&'a User),
    Post(&'a Post),
    Category(&'a Category),
    Product(&'a Product),
}

impl Row<'_> {
    pub fn id(&self) -> i64 {
        match self {
            Self::User(u) => u.id,
            Self::Post(p) => p.id,
            Self::Category(c) => c.id,
            Self::Product(p) => p.id,
        }
    }

    /// The value of a field, by its GraphQL name (`isActive`, `categoryId`, ...).
    pub fn get(&self, field: &str) -> Val {
        let text = |s: &str| Val::Text(s.to_owned());
        match (self, field) {
            (_, "id") => Val::Int(self.id()),
            (Self::User(u), "name") => text(&u.name),
            (Self::User(u), "email") => text(&u.email),
            (Self::User(u), "age") => Val::Int(u.age),
            (Self::User(u), "city") => text(&u.city),
            (Self::User(u), "isActive") => Val::Bool(u.is_active),
            (Self::User(u), "createdAt") => Val::Time(u.created_at),
            (Self::Post(p), "title") => text(&p.title),
            (Self::Post(p), "content") => text(&p.content),
            (Self::Post(p), "published") => Val::Bool(p.published),
            (Self::Post(p), "authorId") => Val::Int(p.author_id),
            (Self::Post(p), "createdAt") => Val::Time(p.created_at),
            (Self::Category(c), "name") => text(&c.name),
            (Self::Product(p), "name") => text(&p.name),
            (Self::Product(p), "price") => Val::Float(p.price),
            (Self::Product(p), "stock") => Val::Int(p.stock),
            (Self::Product(p), "categoryId") => p.category_id.map_or(Val::Null, Val::Int),
            _ => panic!("{self:?} has no field {field}"),
        }
    }
}

/// Every row of every table.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub users: Vec<User>,
    pub posts: Vec<Post>,
    pub categories: Vec<Category>,
    pub products: Vec<Product>,
}

impl Dataset {
    /// Reads every row back through the API.
    pub async fn load(app: &TestApp) -> Self {
        let categories = app
            .data(
                &format!("{{ categories {{ {} }} }}", Entity::Category.selection()),
                json!({}),
            )
            .await;
        Self {
            users: read_all(app, Entity::User)
                .await
                .iter()
                .map(User::from_output)
                .collect(),
            posts: read_all(app, Entity::Post)
                .await
                .iter()
                .map(Post::from_output)
                .collect(),
            categories: categories["categories"]
                .as_array()
                .expect("a list")
                .iter()
                .map(Category::from_output)
                .collect(),
            products: read_all(app, Entity::Product)
                .await
                .iter()
                .map(Product::from_output)
                .collect(),
        }
    }

    /// The rows of a table, by id.
    pub fn rows(&self, entity: Entity) -> Vec<Row<'_>> {
        match entity {
            Entity::User => self.users.iter().map(Row::User).collect(),
            Entity::Post => self.posts.iter().map(Row::Post).collect(),
            Entity::Category => self.categories.iter().map(Row::Category).collect(),
            Entity::Product => self.products.iter().map(Row::Product).collect(),
        }
    }

    /// The rows a relation field leads to: `posts` of a user, `author` of a post, `products`
    /// of a category, `category` of a product (none when it has no category).
    pub fn related<'a>(&'a self, row: Row<'_>, relation: &str) -> Vec<Row<'a>> {
        match (row, relation) {
            (Row::User(u), "posts") => self
                .posts
                .iter()
                .filter(|p| p.author_id == u.id)
                .map(Row::Post)
                .collect(),
            (Row::Post(p), "author") => self
                .users
                .iter()
                .filter(|u| u.id == p.author_id)
                .map(Row::User)
                .collect(),
            (Row::Category(c), "products") => self
                .products
                .iter()
                .filter(|p| p.category_id == Some(c.id))
                .map(Row::Product)
                .collect(),
            (Row::Product(p), "category") => self
                .categories
                .iter()
                .filter(|c| Some(c.id) == p.category_id)
                .map(Row::Category)
                .collect(),
            _ => panic!("{row:?} has no relation {relation}"),
        }
    }

    pub fn user(&self, name: &str) -> &User {
        self.users
            .iter()
            .find(|u| u.name == name)
            .unwrap_or_else(|| panic!("no user {name}"))
    }

    pub fn category(&self, name: &str) -> &Category {
        self.categories
            .iter()
            .find(|c| c.name == name)
            .unwrap_or_else(|| panic!("no category {name}"))
    }
}

/// Every row of a paged list field (`users`, `posts`, `products`), 100 at a time.
async fn read_all(app: &TestApp, entity: Entity) -> Vec<Value> {
    let document = format!(
        "query($skip: Int) {{ {}(skip: $skip, limit: 100) {{ {} }} }}",
        entity.list(),
        entity.selection()
    );
    let mut rows = Vec::new();
    loop {
        let data = app.data(&document, json!({ "skip": rows.len() })).await;
        let page = data[entity.list()].as_array().cloned().unwrap_or_default();
        let done = page.len() < 100;
        rows.extend(page);
        if done {
            return rows;
        }
    }
}

/// One key of an `orderBy`: an `XField` value and its direction (`None`: omitted, so ASC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub field: &'static str,
    pub descending: Option<bool>,
}

impl Key {
    pub fn asc(field: &'static str) -> Self {
        Self {
            field,
            descending: Some(false),
        }
    }

    pub fn desc(field: &'static str) -> Self {
        Self {
            field,
            descending: Some(true),
        }
    }
}

/// An `orderBy` argument.
pub fn order_json(keys: &[Key]) -> Value {
    keys.iter()
        .map(|key| match key.descending {
            None => json!({ "field": key.field }),
            Some(true) => json!({ "field": key.field, "direction": "DESC" }),
            Some(false) => json!({ "field": key.field, "direction": "ASC" }),
        })
        .collect()
}

/// Compares two rows in the total order `keys` then `id` ascending.
pub fn compare(a: Row<'_>, b: Row<'_>, keys: &[Key]) -> Ordering {
    for key in keys {
        let field = camel(key.field);
        let ordering = a.get(&field).order(&b.get(&field));
        let ordering = if key.descending == Some(true) {
            ordering.reverse()
        } else {
            ordering
        };
        if ordering.is_ne() {
            return ordering;
        }
    }
    a.id().cmp(&b.id())
}

/// The ids of `rows` in the total order `keys` then `id`.
pub fn sorted_ids(mut rows: Vec<Row<'_>>, keys: &[Key]) -> Vec<i64> {
    rows.sort_by(|a, b| compare(*a, *b, keys));
    rows.iter().map(Row::id).collect()
}

/// The most mutations sent in one request (documents may hold at most 30 aliases).
const BATCH: usize = 25;

/// Runs one aliased mutation per input, a batch of them per request; returns the created ids
/// in order.
pub async fn create_many(
    app: &TestApp,
    field: &str,
    input_type: &str,
    inputs: &[Value],
) -> Vec<i64> {
    let mut ids = Vec::with_capacity(inputs.len());
    for batch in inputs.chunks(BATCH) {
        let declarations: Vec<String> = (0..batch.len())
            .map(|i| format!("$in{i}: {input_type}!"))
            .collect();
        let selections: Vec<String> = (0..batch.len())
            .map(|i| format!("m{i}: {field}(input: $in{i}) {{ id }}"))
            .collect();
        let query = format!(
            "mutation({}) {{ {} }}",
            declarations.join(", "),
            selections.join(" ")
        );
        let variables: Map<String, Value> = batch
            .iter()
            .enumerate()
            .map(|(i, input)| (format!("in{i}"), input.clone()))
            .collect();
        let data = app.data(&query, Value::Object(variables)).await;
        ids.extend((0..batch.len()).map(|i| id_of(&data[format!("m{i}")])));
    }
    ids
}

/// Runs each mutation call (such as `publishPost(id: 3)`), a batch of them per request.
pub async fn mutate_each(app: &TestApp, calls: &[String]) {
    for batch in calls.chunks(BATCH) {
        let selections: Vec<String> = batch
            .iter()
            .enumerate()
            .map(|(i, call)| format!("m{i}: {call} {{ id }}"))
            .collect();
        app.data(
            &format!("mutation {{ {} }}", selections.join(" ")),
            json!({}),
        )
        .await;
    }
}

/// Users: name, e-mail, age, city (`None`: the default `Unknown`), active.
pub const USERS: [(&str, &str, i64, Option<&str>, bool); 17] = [
    ("Émile", "emile@example.com", 30, Some("Paris"), true),
    ("émilie", "Emilie@Example.COM", 25, Some("paris"), true),
    ("ZOË", "zoe@example.com", 30, Some("Zürich"), false),
    ("Zoë", "zoe_2@example.com", 41, Some("zürich"), true),
    ("adam", "adam@example.com", 25, Some("Berlin"), true),
    ("Bob", "bob@example.com", 52, Some("BERLIN"), false),
    ("bob", "bob%b@example.com", 25, Some("berlin"), true),
    ("100% Pure", "pure@example.com", 30, Some("Lyon"), true),
    ("100 Pure", "pure2@example.com", 19, Some("Lyon"), true),
    ("Ana_Maria", "ana@example.com", 150, Some("São Paulo"), true),
    ("AnaXMaria", "anax@example.com", 0, Some("SÃO PAULO"), false),
    ("back\\slash", "back\\slash@example.com", 41, None, true),
    ("backslash", "backslash@example.com", 30, Some("Lyon"), true),
    ("ÉMILE", "emile3@example.com", 19, Some("Paris"), true),
    ("İrem", "irem@example.com", 25, Some("İzmir"), true),
    ("Straße", "strasse@example.com", 52, Some("STRASSE"), true),
    ("Zed", "zed@example.com", 30, None, true),
];

/// Posts: author (index into `USERS`), title, content, published.
pub const POSTS: [(usize, &str, &str, bool); 20] = [
    (0, "Hello World", "Bonjour tout le monde, Émile ici.", true),
    (
        0,
        "hello world",
        "A lower-case greeting, long enough.",
        false,
    ),
    (
        0,
        "Ünïcödé Title",
        "ÀÉÎÕÜ accents all over the body text",
        true,
    ),
    (
        1,
        "Émilie's notes",
        "Notes taken by émilie on a Tuesday.",
        true,
    ),
    (
        2,
        "ZOË SHOUTS",
        "ALL CAPS CONTENT FOR THE TEST SUITE",
        false,
    ),
    (
        3,
        "Zoë whispers",
        "all lower-case content for the suite",
        true,
    ),
    (4, "100% sure", "A title with a percent sign in it.", true),
    (
        4,
        "100 sure!",
        "A title without the percent sign here",
        false,
    ),
    (
        5,
        "under_score",
        "Content with an under_score inside it",
        true,
    ),
    (
        5,
        "underXscore",
        "Content with an underXscore inside it",
        false,
    ),
    (
        6,
        "back\\slash post",
        "Content with a back\\slash inside it.",
        true,
    ),
    (
        6,
        "backslash post",
        "Content without that character at all",
        true,
    ),
    (
        7,
        "Morning news",
        "Twenty characters or more of content.",
        false,
    ),
    (
        7,
        "Evening news",
        "Twenty characters or more of content.",
        true,
    ),
    (
        9,
        "Ana's recipe",
        "Recipe: 50% flour, 50% water_and salt",
        true,
    ),
    (
        9,
        "Ana's recipe",
        "Recipe: 50% flour, 50% water_and salt",
        false,
    ),
    (
        13,
        "ÉMILE'S POST",
        "Twenty characters or more of content.",
        false,
    ),
    (
        15,
        "Straße news",
        "STRASSE and straße differ in this text",
        true,
    ),
    (
        16,
        "Zed's post",
        "Twenty characters or more of content.",
        true,
    ),
    (
        16,
        "Zed again!",
        "Twenty characters or more of content.",
        false,
    ),
];

/// Categories; the last one has no products.
pub const CATEGORIES: [&str; 7] = [
    "Books",
    "books",
    "Électronique",
    "électro_ménager",
    "Garden%",
    "Toys",
    "Empty shelf",
];

/// Products: name, price, stock, category (index into `CATEGORIES`).
pub const PRODUCTS: [(&str, f64, i64, Option<usize>); 17] = [
    ("Rust Book", 39.99, 10, Some(0)),
    ("rust book", 39.99, 0, Some(1)),
    ("Écran", 199.0, 3, Some(2)),
    ("écran", 199.0, 0, Some(2)),
    ("Câble_USB", 9.99, 100, Some(3)),
    ("CâbleXUSB", 9.99, 0, Some(3)),
    ("Seeds 100%", 2.5, 40, Some(4)),
    ("Seeds 100", 2.5, 0, None),
    ("Toy\\Car", 15.0, 7, Some(5)),
    ("ToyCar", 15.0, 7, None),
    ("Free sample", 0.0, 0, None),
    ("Zebra", 1000.0, 1, Some(0)),
    ("ÆON", 9.99, 5, None),
    ("aeon", 0.5, 2, Some(5)),
    ("Lamp", 49.5, 0, Some(2)),
    ("lamp", 49.5, 12, None),
    ("Émile's pick", 39.99, 3, Some(1)),
];

/// Waits long enough for the next rows to get a later `createdAt` (kept to the millisecond).
async fn tick() {
    tokio::time::sleep(Duration::from_millis(5)).await;
}

/// Seeds `USERS`, `POSTS`, `CATEGORIES` and `PRODUCTS` (each in two batches, so `createdAt`
/// has both ties and distinct values) and returns every row as stored.
pub async fn seed(app: &TestApp) -> Dataset {
    let users: Vec<Value> = USERS
        .iter()
        .map(|(name, email, age, city, _)| {
            let mut input = json!({ "name": name, "email": email, "age": age });
            if let Some(city) = city {
                input["city"] = json!(city);
            }
            input
        })
        .collect();
    let mut user_ids = create_many(app, "createUser", "CreateUserInput", &users[..9]).await;
    tick().await;
    user_ids.extend(create_many(app, "createUser", "CreateUserInput", &users[9..]).await);
    let deactivate: Vec<String> = USERS
        .iter()
        .zip(&user_ids)
        .filter(|((.., active), _)| !active)
        .map(|(_, id)| format!("updateUser(id: {id}, input: {{ isActive: false }})"))
        .collect();
    mutate_each(app, &deactivate).await;

    tick().await;
    let posts: Vec<Value> = POSTS
        .iter()
        .map(|(author, title, content, _)| {
            json!({ "title": title, "content": content, "authorId": user_ids[*author] })
        })
        .collect();
    let mut post_ids = create_many(app, "createPost", "CreatePostInput", &posts[..10]).await;
    tick().await;
    post_ids.extend(create_many(app, "createPost", "CreatePostInput", &posts[10..]).await);
    let publish: Vec<String> = POSTS
        .iter()
        .zip(&post_ids)
        .filter(|((.., published), _)| *published)
        .map(|(_, id)| format!("publishPost(id: {id})"))
        .collect();
    mutate_each(app, &publish).await;

    let categories: Vec<Value> = CATEGORIES
        .iter()
        .map(|name| json!({ "name": name }))
        .collect();
    let category_ids = create_many(app, "createCategory", "CreateCategoryInput", &categories).await;
    let products: Vec<Value> = PRODUCTS
        .iter()
        .map(|(name, price, stock, category)| {
            json!({
                "name": name,
                "price": price,
                "stock": stock,
                "categoryId": category.map(|c| category_ids[c]),
            })
        })
        .collect();
    create_many(app, "createProduct", "CreateProductInput", &products).await;

    let dataset = Dataset::load(app).await;
    assert_eq!(dataset.users.len(), USERS.len());
    assert_eq!(dataset.posts.len(), POSTS.len());
    assert_eq!(dataset.categories.len(), CATEGORIES.len());
    assert_eq!(dataset.products.len(), PRODUCTS.len());
    dataset
}
