//! Users: creation, validation, e-mail uniqueness, pagination, updates, deletion and search.

use serde_json::{Value, json};

use crate::helpers::{
    TestApp, assert_page_bounds, assert_pages_by_id, assert_recent_utc, id_of, ids, pluck,
    rejected_without_writing, row_count,
};

on_every_backend!(
    create_user_returns_every_field,
    create_user_defaults_city_and_is_active,
    create_user_normalises_email_and_trims_text,
    create_user_name_is_two_to_fifty_characters_after_trimming,
    create_user_email_is_at_most_one_hundred_characters,
    create_user_email_must_be_an_address,
    create_user_age_is_zero_to_one_hundred_fifty,
    create_user_city_is_at_most_fifty_characters,
    create_user_accepts_an_empty_city,
    create_user_with_a_registered_email_conflicts,
    update_user_to_another_users_email_conflicts,
    user_is_null_when_absent,
    users_are_paged_by_id_ten_by_default,
    users_page_bounds_are_checked,
    update_user_changes_only_the_given_fields,
    update_user_with_empty_input_returns_the_user_unchanged,
    update_user_validates_every_given_field,
    update_or_delete_a_missing_user_is_not_found,
    delete_user_returns_the_user_and_deletes_their_posts,
    search_users_by_name_ignores_case,
    search_indexes_are_in_place,
    search_users_by_city_ignores_case,
    search_users_by_name_and_city_needs_both,
    search_users_without_arguments_pages_everyone_by_id,
    search_users_takes_wildcards_literally,
    search_users_follows_every_write_and_takes_any_text,
);

const CREATE: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { \
                      id name email age city isActive createdAt } }";
const UPDATE: &str = "mutation($id: Int!, $input: UpdateUserInput!) { \
                      updateUser(id: $id, input: $input) { \
                      id name email age city isActive createdAt } }";
const DELETE: &str =
    "mutation($id: Int!) { deleteUser(id: $id) { id name email age city isActive createdAt } }";
const USER: &str =
    "query($id: Int!) { user(id: $id) { id name email age city isActive createdAt } }";
/// Every user (the tests stay far below 100), to check that a rejected write changed nothing.
const ALL_USERS: &str = "{ users(limit: 100) { id name email age city isActive createdAt } }";
const SEARCH: &str = "query($name: String, $city: String, $skip: Int, $limit: Int) { \
                      searchUsers(name: $name, city: $city, skip: $skip, limit: $limit) { id name } }";

// ---- Helpers of this file ----

/// An e-mail address of exactly `len` characters.
fn email_of_len(len: usize) -> String {
    let domain = "@example.com";
    format!("{}{domain}", "a".repeat(len - domain.len()))
}

/// Creates a user from `input`, which must succeed; returns the user.
async fn create(app: &TestApp, input: Value) -> Value {
    app.data(CREATE, json!({ "input": input })).await["createUser"].clone()
}

/// Creating a user from `input` must fail on `field` and write nothing.
async fn create_rejected(app: &TestApp, input: Value, field: &str) {
    rejected_without_writing(
        app,
        ALL_USERS,
        CREATE,
        json!({ "input": input }),
        "BAD_USER_INPUT",
        Some(field),
    )
    .await;
}

/// Updates user `id` with `input`, which must succeed; returns the user.
async fn update(app: &TestApp, id: i64, input: Value) -> Value {
    app.data(UPDATE, json!({ "id": id, "input": input })).await["updateUser"].clone()
}

/// The user `id` as `user(id)` returns it.
async fn fetch(app: &TestApp, id: i64) -> Value {
    app.data(USER, json!({ "id": id })).await["user"].clone()
}

/// The ids that `searchUsers` returns for `variables`.
async fn search(app: &TestApp, variables: Value) -> Vec<i64> {
    let data = app.data(SEARCH, variables).await;
    ids(&data["searchUsers"])
}

// ---- Creation ----

async fn create_user_returns_every_field(app: &TestApp) {
    let user = create(
        app,
        json!({ "name": "Ada Lovelace", "email": "ada@example.com", "age": 36, "city": "London" }),
    )
    .await;
    assert!(id_of(&user) > 0);
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["age"], 36);
    assert_eq!(user["city"], "London");
    assert_eq!(user["isActive"], true);
    assert_recent_utc(&user["createdAt"]);
    assert_eq!(
        fetch(app, id_of(&user)).await,
        user,
        "user(id) reads what was created"
    );
    assert_eq!(row_count(app, "users").await, 1);
}

async fn create_user_defaults_city_and_is_active(app: &TestApp) {
    let user = create(
        app,
        json!({ "name": "Alan Turing", "email": "alan@example.com", "age": 41 }),
    )
    .await;
    assert_eq!(user["city"], "Unknown");
    assert_eq!(user["isActive"], true);
    assert_recent_utc(&user["createdAt"]);
    let explicit_null = create(
        app,
        json!({ "name": "Grace Hopper", "email": "grace@example.com", "age": 85, "city": null }),
    )
    .await;
    assert_eq!(
        explicit_null["city"], "Unknown",
        "a null city is an omitted city"
    );
    assert_eq!(fetch(app, id_of(&user)).await, user);
}

async fn create_user_normalises_email_and_trims_text(app: &TestApp) {
    let user = create(
        app,
        json!({
            "name": "  Ada Lovelace \t",
            "email": "  Ada@Example.COM ",
            "age": 36,
            "city": "  London  ",
        }),
    )
    .await;
    assert_eq!(user["email"], "ada@example.com");
    assert_eq!(user["name"], "Ada Lovelace");
    assert_eq!(user["city"], "London");
    assert_eq!(fetch(app, id_of(&user)).await, user, "stored as returned");
}

async fn create_user_name_is_two_to_fifty_characters_after_trimming(app: &TestApp) {
    let user = |name: String, email: &str| json!({ "name": name, "email": email, "age": 30 });
    create_rejected(app, user(String::new(), "e0@example.com"), "name").await;
    create_rejected(app, user("a".into(), "e1@example.com"), "name").await;
    create_rejected(app, user(" a ".into(), "e2@example.com"), "name").await;
    create_rejected(app, user("   ".into(), "e3@example.com"), "name").await;
    create_rejected(app, user("n".repeat(51), "e4@example.com"), "name").await;
    create_rejected(
        app,
        user(format!(" {} ", "n".repeat(51)), "e5@example.com"),
        "name",
    )
    .await;
    assert_eq!(row_count(app, "users").await, 0);

    let two = create(app, user("ab".into(), "f1@example.com")).await;
    assert_eq!(two["name"], "ab");
    let padded_two = create(app, user("  ab  ".into(), "f2@example.com")).await;
    assert_eq!(padded_two["name"], "ab");
    let fifty = create(app, user("n".repeat(50), "f3@example.com")).await;
    assert_eq!(fifty["name"], "n".repeat(50));
    let padded_fifty = create(
        app,
        user(format!("  {}  ", "n".repeat(50)), "f4@example.com"),
    )
    .await;
    assert_eq!(padded_fifty["name"], "n".repeat(50));
    let accented = create(app, user("é".repeat(50), "f5@example.com")).await;
    assert_eq!(accented["name"], "é".repeat(50), "characters, not bytes");
    assert_eq!(row_count(app, "users").await, 5);
}

async fn create_user_email_is_at_most_one_hundred_characters(app: &TestApp) {
    let user = |email: String| json!({ "name": "Ada", "email": email, "age": 30 });
    create_rejected(app, user(email_of_len(101)), "email").await;
    assert_eq!(row_count(app, "users").await, 0);

    let hundred = email_of_len(100);
    assert_eq!(hundred.chars().count(), 100);
    let created = create(app, user(hundred.clone())).await;
    assert_eq!(created["email"], hundred.as_str());
    // Trimmed before the length is checked.
    let padded = format!(
        "  {}  ",
        email_of_len(100).replacen('a', "b", 1).to_uppercase()
    );
    let created = create(app, user(padded.clone())).await;
    assert_eq!(created["email"], padded.trim().to_lowercase());
}

async fn create_user_email_must_be_an_address(app: &TestApp) {
    for (email, why) in [
        ("", "empty"),
        ("ada.example.com", "no @"),
        ("@example.com", "empty local part"),
        ("ada@", "empty domain"),
        ("ada@example", "no dot in the domain"),
        ("ada@b@example.com", "two @"),
        ("ada@@example.com", "two @ in a row"),
    ] {
        let input = json!({ "name": "Ada", "email": email, "age": 30 });
        let message = rejected_without_writing(
            app,
            ALL_USERS,
            CREATE,
            json!({ "input": input }),
            "BAD_USER_INPUT",
            Some("email"),
        )
        .await;
        assert!(!message.is_empty(), "{why}: the error says what is wrong");
    }
    assert_eq!(row_count(app, "users").await, 0);
    let shortest = create(app, json!({ "name": "Ada", "email": "a@b.c", "age": 30 })).await;
    assert_eq!(shortest["email"], "a@b.c");
}

async fn create_user_age_is_zero_to_one_hundred_fifty(app: &TestApp) {
    let user = |age: i32, email: &str| json!({ "name": "Ada", "email": email, "age": age });
    create_rejected(app, user(-1, "a1@example.com"), "age").await;
    create_rejected(app, user(151, "a2@example.com"), "age").await;
    assert_eq!(row_count(app, "users").await, 0);
    assert_eq!(create(app, user(0, "b1@example.com")).await["age"], 0);
    assert_eq!(create(app, user(150, "b2@example.com")).await["age"], 150);
}

async fn create_user_city_is_at_most_fifty_characters(app: &TestApp) {
    let user = |city: String, email: &str| json!({ "name": "Ada", "email": email, "age": 30, "city": city });
    create_rejected(app, user("c".repeat(51), "a1@example.com"), "city").await;
    assert_eq!(row_count(app, "users").await, 0);
    let fifty = create(app, user("c".repeat(50), "b1@example.com")).await;
    assert_eq!(fifty["city"], "c".repeat(50));
    let padded = create(app, user(format!(" {} ", "c".repeat(50)), "b2@example.com")).await;
    assert_eq!(
        padded["city"],
        "c".repeat(50),
        "trimmed before the length is checked"
    );
}

/// SPEC section 2: the city is "at most 50 characters", so an empty one is valid (the seed app
/// accepted any string too); only an omitted city becomes `Unknown`.
async fn create_user_accepts_an_empty_city(app: &TestApp) {
    let empty = create(
        app,
        json!({ "name": "Ada", "email": "ada@example.com", "age": 30, "city": "" }),
    )
    .await;
    assert_eq!(empty["city"], "");
    let blank = create(
        app,
        json!({ "name": "Bob", "email": "bob@example.com", "age": 30, "city": "   " }),
    )
    .await;
    assert_eq!(blank["city"], "", "trimmed like every other text");
    assert_eq!(
        update(app, id_of(&blank), json!({ "city": "" })).await["city"],
        ""
    );
}

async fn create_user_with_a_registered_email_conflicts(app: &TestApp) {
    app.create_user("Ada", "ada@example.com", 36).await;
    for email in ["ada@example.com", "ADA@example.com", "  Ada@Example.COM  "] {
        let input = json!({ "name": "Other Ada", "email": email, "age": 20 });
        let message = rejected_without_writing(
            app,
            ALL_USERS,
            CREATE,
            json!({ "input": input }),
            "CONFLICT",
            None,
        )
        .await;
        assert_eq!(message, "Email already registered", "for {email:?}");
    }
    assert_eq!(row_count(app, "users").await, 1);
}

async fn update_user_to_another_users_email_conflicts(app: &TestApp) {
    let ada = app.create_user("Ada", "ada@example.com", 36).await;
    let bob = app.create_user("Bob", "bob@example.com", 40).await;
    let message = rejected_without_writing(
        app,
        ALL_USERS,
        UPDATE,
        json!({ "id": bob, "input": { "email": " ADA@Example.com ", "name": "Bobby" } }),
        "CONFLICT",
        None,
    )
    .await;
    assert_eq!(message, "Email already registered");
    assert_eq!(
        fetch(app, bob).await["name"],
        "Bob",
        "nothing of the update applied"
    );

    // Keeping one's own address is no conflict.
    let same = update(app, ada, json!({ "email": "Ada@Example.com" })).await;
    assert_eq!(same["email"], "ada@example.com");
}

// ---- Reading ----

async fn user_is_null_when_absent(app: &TestApp) {
    assert_eq!(
        app.data(USER, json!({ "id": 1 })).await["user"],
        Value::Null
    );
    let id = app.create_user("Ada", "ada@example.com", 36).await;
    assert_eq!(fetch(app, id).await["name"], "Ada");
    assert_eq!(fetch(app, id + 1).await, Value::Null);
    assert_eq!(fetch(app, -1).await, Value::Null);
}

async fn users_are_paged_by_id_ten_by_default(app: &TestApp) {
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            app.create_user(
                &format!("User {i:02}"),
                &format!("user{i}@example.com"),
                20 + i,
            )
            .await,
        );
    }
    // Rewrite the first rows so that a list without ORDER BY would show them last.
    update(app, ids[0], json!({ "age": 99 })).await;
    update(app, ids[1], json!({ "name": "Renamed" })).await;
    assert!(ids.windows(2).all(|pair| pair[0] < pair[1]));
    assert_pages_by_id(app, "users", &ids).await;
}

async fn users_page_bounds_are_checked(app: &TestApp) {
    app.create_user("Ada", "ada@example.com", 36).await;
    assert_page_bounds(app, "users").await;
}

// ---- Updates ----

async fn update_user_changes_only_the_given_fields(app: &TestApp) {
    let original = create(
        app,
        json!({ "name": "Ada Lovelace", "email": "ada@example.com", "age": 36, "city": "London" }),
    )
    .await;
    let other = app.create_user("Bob", "bob@example.com", 40).await;
    let other_before = fetch(app, other).await;
    let id = id_of(&original);
    let mut expected = original.clone();

    let steps = [
        (json!({ "name": "  Ada King " }), "name", json!("Ada King")),
        (json!({ "age": 37 }), "age", json!(37)),
        (json!({ "city": " Paris " }), "city", json!("Paris")),
        (
            json!({ "email": " Ada.King@Example.COM " }),
            "email",
            json!("ada.king@example.com"),
        ),
        (json!({ "isActive": false }), "isActive", json!(false)),
        (json!({ "isActive": true }), "isActive", json!(true)),
    ];
    for (input, field, value) in steps {
        expected[field] = value;
        let updated = update(app, id, input.clone()).await;
        assert_eq!(updated, expected, "after {input}");
        assert_eq!(fetch(app, id).await, expected, "stored after {input}");
    }

    // Several fields at once; the omitted ones stay as they are.
    let updated = update(app, id, json!({ "name": "Countess", "isActive": false })).await;
    expected["name"] = json!("Countess");
    expected["isActive"] = json!(false);
    assert_eq!(updated, expected);
    assert_eq!(
        fetch(app, other).await,
        other_before,
        "other users are untouched"
    );
}

async fn update_user_with_empty_input_returns_the_user_unchanged(app: &TestApp) {
    let user = create(
        app,
        json!({ "name": "Ada", "email": "ada@example.com", "age": 36, "city": "London" }),
    )
    .await;
    let id = id_of(&user);
    assert_eq!(update(app, id, json!({})).await, user);
    assert_eq!(fetch(app, id).await, user);
}

async fn update_user_validates_every_given_field(app: &TestApp) {
    let id = app.create_user("Ada", "ada@example.com", 36).await;
    for (input, field) in [
        (json!({ "name": " a " }), "name"),
        (json!({ "name": "" }), "name"),
        (json!({ "name": "n".repeat(51) }), "name"),
        (json!({ "email": "ada.example.com" }), "email"),
        (json!({ "email": "@example.com" }), "email"),
        (json!({ "email": "ada@" }), "email"),
        (json!({ "email": "ada@example" }), "email"),
        (json!({ "email": "ada@b@example.com" }), "email"),
        (json!({ "email": email_of_len(101) }), "email"),
        (json!({ "age": -1 }), "age"),
        (json!({ "age": 151 }), "age"),
        (json!({ "city": "c".repeat(51) }), "city"),
        // One bad field spoils the whole update.
        (json!({ "name": "Valid Name", "age": 151 }), "age"),
        (json!({ "age": 40, "city": "c".repeat(51) }), "city"),
    ] {
        rejected_without_writing(
            app,
            ALL_USERS,
            UPDATE,
            json!({ "id": id, "input": input }),
            "BAD_USER_INPUT",
            Some(field),
        )
        .await;
    }
    let edges = update(
        app,
        id,
        json!({ "name": "n".repeat(50), "email": email_of_len(100), "age": 150, "city": "c".repeat(50) }),
    )
    .await;
    assert_eq!(edges["name"], "n".repeat(50));
    assert_eq!(edges["email"], email_of_len(100));
    assert_eq!(edges["age"], 150);
    assert_eq!(edges["city"], "c".repeat(50));
    assert_eq!(
        update(app, id, json!({ "name": "ab", "age": 0 })).await["age"],
        0
    );
}

async fn update_or_delete_a_missing_user_is_not_found(app: &TestApp) {
    let id = app.create_user("Ada", "ada@example.com", 36).await;
    let missing = id + 100;
    for input in [json!({ "name": "Bob" }), json!({})] {
        let message = rejected_without_writing(
            app,
            ALL_USERS,
            UPDATE,
            json!({ "id": missing, "input": input }),
            "NOT_FOUND",
            None,
        )
        .await;
        assert_eq!(message, "User not found");
    }
    let message = rejected_without_writing(
        app,
        ALL_USERS,
        DELETE,
        json!({ "id": missing }),
        "NOT_FOUND",
        None,
    )
    .await;
    assert_eq!(message, "User not found");
}

// ---- Deletion ----

async fn delete_user_returns_the_user_and_deletes_their_posts(app: &TestApp) {
    let ada = app.create_user("Ada", "ada@example.com", 36).await;
    let bob = app.create_user("Bob", "bob@example.com", 40).await;
    let ada_posts = [
        app.create_post(ada, "Ada's first post").await,
        app.create_post(ada, "Ada's second post").await,
    ];
    app.publish_post(ada_posts[0]).await;
    let bob_post = app.create_post(bob, "Bob's only post").await;
    let ada_before = update(app, ada, json!({ "isActive": false, "city": "London" })).await;

    let deleted = app.data(DELETE, json!({ "id": ada })).await["deleteUser"].clone();
    assert_eq!(deleted, ada_before, "deleteUser returns the user as it was");
    assert_eq!(fetch(app, ada).await, Value::Null);
    assert_eq!(fetch(app, bob).await["name"], "Bob", "other users stay");

    let posts = app
        .data("{ posts(limit: 100) { id authorId } }", json!({}))
        .await;
    assert_eq!(pluck(&posts["posts"], "id"), [&json!(bob_post)]);
    for post in ada_posts {
        let data = app
            .data(
                "query($id: Int!) { post(id: $id) { id } }",
                json!({ "id": post }),
            )
            .await;
        assert_eq!(
            data["post"],
            Value::Null,
            "post {post} went with its author"
        );
    }
    assert_eq!(row_count(app, "posts").await, 1);
    assert_eq!(row_count(app, "users").await, 1);

    let again = app
        .expect_error(DELETE, json!({ "id": ada }), "NOT_FOUND", None)
        .await;
    assert_eq!(again, "User not found");
    // The e-mail address is free again.
    app.create_user("New Ada", "ada@example.com", 20).await;
}

// ---- Search ----

/// Creates users with these names and cities; returns their ids.
async fn users_named(app: &TestApp, people: &[(&str, &str)]) -> Vec<i64> {
    let mut ids = Vec::new();
    for (i, (name, city)) in people.iter().enumerate() {
        let input = json!({
            "name": name, "email": format!("person{i}@example.com"), "age": 30, "city": city,
        });
        ids.push(id_of(&create(app, input).await));
    }
    ids
}

async fn search_users_by_name_ignores_case(app: &TestApp) {
    let ids = users_named(
        app,
        &[
            ("Ada Lovelace", "London"),
            ("Alan Turing", "Wilmslow"),
            ("ADAM Smith", "Kirkcaldy"),
            ("Grace Hopper", "Arlington"),
        ],
    )
    .await;
    assert_eq!(
        search(app, json!({ "name": "ada" })).await,
        [ids[0], ids[2]]
    );
    assert_eq!(
        search(app, json!({ "name": "ADA" })).await,
        [ids[0], ids[2]]
    );
    assert_eq!(search(app, json!({ "name": "aDa L" })).await, [ids[0]]);
    assert_eq!(
        search(app, json!({ "name": "ing" })).await,
        [ids[1]],
        "a substring"
    );
    assert_eq!(
        search(app, json!({ "name": "hopper" })).await,
        [ids[3]],
        "at the end"
    );
    assert_eq!(
        search(app, json!({ "name": "a" })).await,
        ids,
        "ordered by id"
    );
    assert!(search(app, json!({ "name": "zebra" })).await.is_empty());
    assert!(
        search(app, json!({ "name": "London" })).await.is_empty(),
        "name only"
    );
}

async fn search_users_by_city_ignores_case(app: &TestApp) {
    let ids = users_named(
        app,
        &[
            ("Ada Lovelace", "London"),
            ("Alan Turing", "Wilmslow"),
            ("Tim Berners-Lee", "LONDONDERRY"),
            ("Grace Hopper", "New York"),
        ],
    )
    .await;
    assert_eq!(
        search(app, json!({ "city": "london" })).await,
        [ids[0], ids[2]]
    );
    assert_eq!(
        search(app, json!({ "city": "NDON" })).await,
        [ids[0], ids[2]]
    );
    assert_eq!(search(app, json!({ "city": "w y" })).await, [ids[3]]);
    assert!(
        search(app, json!({ "city": "Ada" })).await.is_empty(),
        "city only"
    );
    assert!(search(app, json!({ "city": "Paris" })).await.is_empty());
}

async fn search_users_by_name_and_city_needs_both(app: &TestApp) {
    let ids = users_named(
        app,
        &[
            ("Ada Lovelace", "London"),
            ("Ada Byron", "Paris"),
            ("Alan Turing", "London"),
        ],
    )
    .await;
    assert_eq!(
        search(app, json!({ "name": "ADA", "city": "lon" })).await,
        [ids[0]]
    );
    assert_eq!(
        search(app, json!({ "name": "ada", "city": "PARIS" })).await,
        [ids[1]]
    );
    assert_eq!(
        search(app, json!({ "name": "a", "city": "london" })).await,
        [ids[0], ids[2]]
    );
    assert!(
        search(app, json!({ "name": "alan", "city": "paris" }))
            .await
            .is_empty()
    );
    assert_eq!(
        search(app, json!({ "name": null, "city": "London" })).await,
        [ids[0], ids[2]],
        "a null argument is no condition"
    );
}

async fn search_users_without_arguments_pages_everyone_by_id(app: &TestApp) {
    assert!(search(app, json!({})).await.is_empty());
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(
            app.create_user(&format!("User {i}"), &format!("u{i}@example.com"), 30)
                .await,
        );
    }
    // Rewrite the first row so that a result without ORDER BY would show it last.
    update(app, ids[0], json!({ "city": "Elsewhere" })).await;
    assert_eq!(search(app, json!({})).await, ids[..10], "one page of 10");
    let bare = app.data("{ searchUsers { id } }", json!({})).await;
    assert_eq!(pluck(&bare["searchUsers"], "id").len(), 10);
    assert_pages_by_id(app, "searchUsers", &ids).await;
    assert_page_bounds(app, "searchUsers").await;
}

async fn search_users_takes_wildcards_literally(app: &TestApp) {
    let ids = users_named(
        app,
        &[
            ("100% Real", "50% Off"),
            ("100 Real", "50 Off"),
            ("a_b", "Under_score"),
            ("axb", "Underscore"),
            ("back\\slash", "C:\\Temp"),
            ("backslash", "C:Temp"),
        ],
    )
    .await;
    assert_eq!(search(app, json!({ "name": "%" })).await, [ids[0]]);
    assert_eq!(search(app, json!({ "name": "100%" })).await, [ids[0]]);
    assert_eq!(search(app, json!({ "name": "0% r" })).await, [ids[0]]);
    assert_eq!(search(app, json!({ "name": "_" })).await, [ids[2]]);
    assert_eq!(search(app, json!({ "name": "a_b" })).await, [ids[2]]);
    assert_eq!(search(app, json!({ "name": "A_B" })).await, [ids[2]]);
    assert_eq!(search(app, json!({ "name": "\\" })).await, [ids[4]]);
    assert_eq!(search(app, json!({ "name": "k\\s" })).await, [ids[4]]);
    assert_eq!(
        search(app, json!({ "name": "\\%" })).await,
        Vec::<i64>::new()
    );
    assert_eq!(
        search(app, json!({ "name": "%%" })).await,
        Vec::<i64>::new()
    );
    assert_eq!(search(app, json!({ "city": "%" })).await, [ids[0]]);
    assert_eq!(search(app, json!({ "city": "_" })).await, [ids[2]]);
    assert_eq!(search(app, json!({ "city": "\\" })).await, [ids[4]]);
    assert_eq!(
        search(app, json!({ "name": "Real", "city": "%" })).await,
        [ids[0]]
    );
}

async fn search_users_follows_every_write_and_takes_any_text(app: &TestApp) {
    let ada = app.create_user("Ada Lovelace", "ada@example.com", 36).await;
    update(app, ada, json!({ "city": "London" })).await;
    let grace = app
        .create_user("Grace Hopper", "grace@example.com", 85)
        .await;
    update(app, grace, json!({ "city": "Arlington" })).await;
    let odd = app
        .create_user(r#"Bob "Quote" (NEAR) x* AND y:z"#, "bob@example.com", 40)
        .await;
    let by_name = |name: &str| search(app, json!({ "name": name }));
    assert_eq!(by_name("lov").await, [ada], "three characters");
    assert_eq!(by_name("LOVELACE").await, [ada]);
    assert_eq!(by_name("lo").await, [ada], "shorter than a trigram");
    assert_eq!(by_name("r").await, [grace, odd]);
    assert_eq!(search(app, json!({ "city": "ARLING" })).await, [grace]);
    for needle in [r#""quote""#, "(near)", "x*", "and y:z", r#"" ("#] {
        assert_eq!(by_name(needle).await, [odd], "{needle:?}");
    }
    // Renames and deletes are seen at once.
    update(app, ada, json!({ "name": "Ada King" })).await;
    assert!(by_name("lovelace").await.is_empty());
    assert_eq!(by_name("king").await, [ada]);
    app.data(
        "mutation($id: Int!) { deleteUser(id: $id) { id } }",
        json!({ "id": grace }),
    )
    .await;
    assert!(by_name("hopper").await.is_empty());
    assert!(search(app, json!({ "city": "arlington" })).await.is_empty());
    // Pages through the index as through a scan.
    let mut pagers = Vec::new();
    for i in 0..12 {
        let name = format!("Pager {i}");
        pagers.push(
            app.create_user(&name, &format!("p{i}@example.com"), 30)
                .await,
        );
    }
    let page = search(app, json!({ "name": "PAGER", "skip": 3, "limit": 4 })).await;
    assert_eq!(page, pagers[3..7]);
    assert_eq!(by_name("pager").await, pagers[..10]);
}

/// `searchUsers`' indexes: the FTS5 table on SQLite; on PostgreSQL the two trigram indexes, each
/// with a short pending list (a long one makes every search read the queued entries).
async fn search_indexes_are_in_place(app: &TestApp) {
    if app.db.get_database_backend() == sea_orm::DatabaseBackend::Sqlite {
        let tables = row_count(app, "sqlite_master WHERE name = 'users_search'").await;
        assert_eq!(tables, 1);
    } else {
        let indexes = row_count(
            app,
            "pg_class WHERE relname IN ('users_name_folded_trgm', 'users_city_folded_trgm') \
             AND 'gin_pending_list_limit=64' = ANY(reloptions)",
        )
        .await;
        assert_eq!(indexes, 2);
    }
}
