//! Posts: creation, validation, filters, pagination, updates, publishing, deletion and `User.posts`.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, ids, pluck};
use crate::helpers::{
    assert_page_bounds, assert_pages_by_id, assert_recent_utc, rejected_without_writing, row_count,
};

on_every_backend!(
    create_post_returns_every_field,
    create_post_title_is_five_to_one_hundred_characters,
    create_post_content_is_at_least_twenty_characters,
    create_post_for_a_missing_author_is_not_found,
    posts_filter_by_published_and_author,
    posts_are_paged_by_id_ten_by_default,
    posts_page_bounds_are_checked,
    post_is_null_when_absent,
    update_post_changes_only_the_given_fields,
    update_post_validates_every_given_field,
    update_a_missing_post_is_not_found,
    publish_post_publishes_it,
    publish_a_missing_post_is_not_found,
    delete_post_returns_the_post_as_it_was,
    user_posts_lists_their_posts_by_id,
    post_author_resolves_in_lists,
);

const CREATE: &str = "mutation($input: CreatePostInput!) { createPost(input: $input) { \
                      id title content published authorId createdAt author { id name } } }";
const UPDATE: &str = "mutation($id: Int!, $input: UpdatePostInput!) { \
                      updatePost(id: $id, input: $input) { \
                      id title content published authorId createdAt } }";
const PUBLISH: &str = "mutation($id: Int!) { publishPost(id: $id) { \
                       id title content published authorId createdAt } }";
const DELETE: &str = "mutation($id: Int!) { deletePost(id: $id) { \
                      id title content published authorId createdAt } }";
const POST: &str = "query($id: Int!) { post(id: $id) { \
                    id title content published authorId createdAt } }";
const LIST: &str = "query($published: Boolean, $authorId: Int, $skip: Int, $limit: Int) { \
                    posts(published: $published, authorId: $authorId, skip: $skip, limit: $limit) \
                    { id } }";
/// Every post (the tests stay far below 100), to check that a rejected write changed nothing.
const ALL_POSTS: &str = "{ posts(limit: 100) { id title content published authorId createdAt } }";

const CONTENT: &str = "Twenty characters or more of content.";

/// Creates a user to write posts; returns its id.
async fn author(app: &TestApp, name: &str) -> i64 {
    let email = format!("{}@example.com", name.to_lowercase());
    app.create_user(name, &email, 30).await
}

/// Creates a post from `input`, which must succeed; returns it.
async fn create(app: &TestApp, input: Value) -> Value {
    app.data(CREATE, json!({ "input": input })).await["createPost"].clone()
}

/// Creating a post from `input` must fail with `code` (on `field`) and write nothing; returns
/// the message.
async fn create_rejected(app: &TestApp, input: Value, code: &str, field: Option<&str>) -> String {
    rejected_without_writing(
        app,
        ALL_POSTS,
        CREATE,
        json!({ "input": input }),
        code,
        field,
    )
    .await
}

/// Updates post `id` with `input`, which must succeed; returns it.
async fn update(app: &TestApp, id: i64, input: Value) -> Value {
    app.data(UPDATE, json!({ "id": id, "input": input })).await["updatePost"].clone()
}

/// The post `id` as `post(id)` returns it.
async fn fetch(app: &TestApp, id: i64) -> Value {
    app.data(POST, json!({ "id": id })).await["post"].clone()
}

/// The ids `posts` returns for `variables`.
async fn list(app: &TestApp, variables: Value) -> Vec<i64> {
    let data = app.data(LIST, variables).await;
    ids(&data["posts"])
}

// ---- Creation ----

async fn create_post_returns_every_field(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let post = create(
        app,
        json!({ "title": "  Hello, world  ", "content": format!("  {CONTENT}  "), "authorId": ada }),
    )
    .await;
    assert!(id_of(&post) > 0);
    assert_eq!(post["title"], "Hello, world", "the title is trimmed");
    assert_eq!(
        post["content"],
        format!("  {CONTENT}  "),
        "the content is kept as sent"
    );
    assert_eq!(post["published"], false);
    assert_eq!(post["authorId"], ada);
    assert_eq!(post["author"], json!({ "id": ada, "name": "Ada" }));
    assert_recent_utc(&post["createdAt"]);

    let mut stored = post.clone();
    if let Some(object) = stored.as_object_mut() {
        object.remove("author");
    }
    assert_eq!(
        fetch(app, id_of(&post)).await,
        stored,
        "post(id) reads what was created"
    );
    assert_eq!(row_count(app, "posts").await, 1);
}

async fn create_post_title_is_five_to_one_hundred_characters(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let post = |title: String| json!({ "title": title, "content": CONTENT, "authorId": ada });
    for title in [
        String::new(),
        "abcd".to_owned(),
        "  abcd  ".to_owned(),
        "t".repeat(101),
        format!(" {} ", "t".repeat(101)),
    ] {
        create_rejected(app, post(title), "BAD_USER_INPUT", Some("title")).await;
    }
    assert_eq!(row_count(app, "posts").await, 0);

    for (title, stored) in [
        ("abcde".to_owned(), "abcde".to_owned()),
        ("  abcde  ".to_owned(), "abcde".to_owned()),
        ("t".repeat(100), "t".repeat(100)),
        (format!("  {}  ", "t".repeat(100)), "t".repeat(100)),
    ] {
        assert_eq!(create(app, post(title)).await["title"], stored.as_str());
    }
    assert_eq!(row_count(app, "posts").await, 4);
}

async fn create_post_content_is_at_least_twenty_characters(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let post = |content: String| json!({ "title": "A title", "content": content, "authorId": ada });
    for content in [
        String::new(),
        "c".repeat(19),
        format!("   {}   ", "c".repeat(19)),
    ] {
        create_rejected(app, post(content), "BAD_USER_INPUT", Some("content")).await;
    }
    assert_eq!(row_count(app, "posts").await, 0);
    assert_eq!(
        create(app, post("c".repeat(20))).await["content"],
        "c".repeat(20)
    );
    let long = "c".repeat(10_000);
    assert_eq!(
        create(app, post(long.clone())).await["content"],
        long.as_str()
    );
}

async fn create_post_for_a_missing_author_is_not_found(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let input = json!({ "title": "A title", "content": CONTENT, "authorId": ada + 100 });
    let message = create_rejected(app, input, "NOT_FOUND", None).await;
    assert_eq!(message, "Author not found");
    assert_eq!(row_count(app, "posts").await, 0);
    // Validation comes first.
    let input = json!({ "title": "abc", "content": CONTENT, "authorId": ada + 100 });
    create_rejected(app, input, "BAD_USER_INPUT", Some("title")).await;
}

// ---- Reading ----

async fn posts_filter_by_published_and_author(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let bob = author(app, "Bob").await;
    let ids = [
        app.create_post(ada, "Ada draft one").await,
        app.create_post(bob, "Bob published one").await,
        app.create_post(ada, "Ada published one").await,
        app.create_post(bob, "Bob draft one").await,
        app.create_post(ada, "Ada published two").await,
    ];
    for id in [ids[1], ids[2], ids[4]] {
        app.publish_post(id).await;
    }
    // Rewrite the first post so that a list without ORDER BY would show it last.
    update(app, ids[0], json!({ "title": "Ada draft, edited" })).await;

    assert_eq!(list(app, json!({})).await, ids);
    assert_eq!(
        list(app, json!({ "published": true })).await,
        [ids[1], ids[2], ids[4]]
    );
    assert_eq!(
        list(app, json!({ "published": false })).await,
        [ids[0], ids[3]]
    );
    assert_eq!(
        list(app, json!({ "authorId": ada })).await,
        [ids[0], ids[2], ids[4]]
    );
    assert_eq!(
        list(app, json!({ "authorId": bob })).await,
        [ids[1], ids[3]]
    );
    assert_eq!(
        list(app, json!({ "authorId": ada, "published": true })).await,
        [ids[2], ids[4]]
    );
    assert_eq!(
        list(app, json!({ "authorId": ada, "published": false })).await,
        [ids[0]]
    );
    assert_eq!(
        list(app, json!({ "authorId": bob, "published": true })).await,
        [ids[1]]
    );
    assert!(list(app, json!({ "authorId": bob + 100 })).await.is_empty());
    assert_eq!(
        list(app, json!({ "published": null, "authorId": null })).await,
        ids,
        "null filters are no filters"
    );
    // Pagination applies after the filters.
    assert_eq!(
        list(app, json!({ "authorId": ada, "skip": 1, "limit": 1 })).await,
        [ids[2]]
    );
    assert_eq!(
        list(app, json!({ "published": true, "skip": 1 })).await,
        [ids[2], ids[4]]
    );
    assert!(
        list(app, json!({ "published": false, "skip": 2 }))
            .await
            .is_empty()
    );
}

async fn posts_are_paged_by_id_ten_by_default(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let mut ids = Vec::new();
    for i in 0..12 {
        ids.push(app.create_post(ada, &format!("Post number {i}")).await);
    }
    // Rewrite the first posts so that a list without ORDER BY would show them last.
    app.publish_post(ids[0]).await;
    update(app, ids[1], json!({ "title": "Edited title" })).await;
    assert_pages_by_id(app, "posts", &ids).await;
}

async fn posts_page_bounds_are_checked(app: &TestApp) {
    let ada = author(app, "Ada").await;
    app.create_post(ada, "Some post").await;
    assert_page_bounds(app, "posts").await;
}

async fn post_is_null_when_absent(app: &TestApp) {
    assert_eq!(fetch(app, 1).await, Value::Null);
    let ada = author(app, "Ada").await;
    let id = app.create_post(ada, "Some post").await;
    assert_eq!(fetch(app, id).await["title"], "Some post");
    assert_eq!(fetch(app, id + 1).await, Value::Null);
}

// ---- Updates ----

async fn update_post_changes_only_the_given_fields(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let id = app.create_post(ada, "Original title").await;
    let other = app.create_post(ada, "Other post").await;
    let other_before = fetch(app, other).await;
    app.publish_post(id).await;
    let mut expected = fetch(app, id).await;

    assert_eq!(
        update(app, id, json!({})).await,
        expected,
        "an empty update changes nothing"
    );
    expected["title"] = json!("New title");
    assert_eq!(
        update(app, id, json!({ "title": "  New title " })).await,
        expected
    );
    assert_eq!(fetch(app, id).await, expected);

    let content = "Brand new content, long enough.";
    expected["content"] = json!(content);
    assert_eq!(
        update(app, id, json!({ "content": content })).await,
        expected
    );
    assert_eq!(fetch(app, id).await, expected);

    expected["title"] = json!("Both changed");
    expected["content"] = json!("Both fields changed at once.");
    let both = json!({ "title": "Both changed", "content": "Both fields changed at once." });
    assert_eq!(update(app, id, both).await, expected);
    for field in ["title", "content"] {
        rejected_without_writing(
            app,
            ALL_POSTS,
            UPDATE,
            json!({ "id": id, "input": { field: null } }),
            "BAD_USER_INPUT",
            Some(field),
        )
        .await;
    }
    assert_eq!(
        expected["published"], true,
        "an update keeps the post published"
    );
    assert_eq!(
        fetch(app, other).await,
        other_before,
        "other posts are untouched"
    );
}

async fn update_post_validates_every_given_field(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let id = app.create_post(ada, "Original title").await;
    for (input, field) in [
        (json!({ "title": "abcd" }), "title"),
        (json!({ "title": " abcd " }), "title"),
        (json!({ "title": "t".repeat(101) }), "title"),
        (json!({ "content": "c".repeat(19) }), "content"),
        (json!({ "content": "" }), "content"),
        (
            json!({ "title": "A fine title", "content": "short" }),
            "content",
        ),
    ] {
        rejected_without_writing(
            app,
            ALL_POSTS,
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
        json!({ "title": "t".repeat(100), "content": "c".repeat(20) }),
    )
    .await;
    assert_eq!(edges["title"], "t".repeat(100));
    assert_eq!(edges["content"], "c".repeat(20));
    assert_eq!(
        update(app, id, json!({ "title": "abcde" })).await["title"],
        "abcde"
    );
}

async fn update_a_missing_post_is_not_found(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let id = app.create_post(ada, "Some post").await;
    for input in [json!({ "title": "A new title" }), json!({})] {
        let message = rejected_without_writing(
            app,
            ALL_POSTS,
            UPDATE,
            json!({ "id": id + 100, "input": input }),
            "NOT_FOUND",
            None,
        )
        .await;
        assert_eq!(message, "Post not found");
    }
}

// ---- Publishing ----

async fn publish_post_publishes_it(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let id = app.create_post(ada, "Some post").await;
    let other = app.create_post(ada, "Other post").await;
    let mut expected = fetch(app, id).await;
    assert_eq!(expected["published"], false);
    expected["published"] = json!(true);

    let published = app.data(PUBLISH, json!({ "id": id })).await["publishPost"].clone();
    assert_eq!(published, expected);
    assert_eq!(fetch(app, id).await, expected);
    let again = app.data(PUBLISH, json!({ "id": id })).await["publishPost"].clone();
    assert_eq!(again, expected, "publishing twice is harmless");
    assert_eq!(
        fetch(app, other).await["published"],
        false,
        "only that post"
    );
}

async fn publish_a_missing_post_is_not_found(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let id = app.create_post(ada, "Some post").await;
    let message = rejected_without_writing(
        app,
        ALL_POSTS,
        PUBLISH,
        json!({ "id": id + 100 }),
        "NOT_FOUND",
        None,
    )
    .await;
    assert_eq!(message, "Post not found");
}

// ---- Deletion ----

async fn delete_post_returns_the_post_as_it_was(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let id = app.create_post(ada, "Doomed post").await;
    let kept = app.create_post(ada, "Kept post").await;
    app.publish_post(id).await;
    let before = fetch(app, id).await;

    let deleted = app.data(DELETE, json!({ "id": id })).await["deletePost"].clone();
    assert_eq!(deleted, before);
    assert_eq!(fetch(app, id).await, Value::Null);
    assert_eq!(list(app, json!({})).await, [kept]);
    assert_eq!(row_count(app, "posts").await, 1);
    assert_eq!(row_count(app, "users").await, 1, "the author stays");

    let message = rejected_without_writing(
        app,
        ALL_POSTS,
        DELETE,
        json!({ "id": id }),
        "NOT_FOUND",
        None,
    )
    .await;
    assert_eq!(message, "Post not found");
}

// ---- Nested fields ----

async fn user_posts_lists_their_posts_by_id(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let bob = author(app, "Bob").await;
    let carol = author(app, "Carol").await;
    let a1 = app.create_post(ada, "Ada post one").await;
    let b1 = app.create_post(bob, "Bob post one").await;
    let a2 = app.create_post(ada, "Ada post two").await;
    let a3 = app.create_post(ada, "Ada post three").await;
    app.publish_post(a2).await;
    app.publish_post(b1).await;
    // Rewrite the first post so that a list without ORDER BY would show it last.
    update(app, a1, json!({ "title": "Ada post one, edited" })).await;

    let query = "query($id: Int!) { user(id: $id) { \
                 all: posts { id authorId } \
                 published: posts(published: true) { id } \
                 drafts: posts(published: false) { id } } }";
    let data = app.data(query, json!({ "id": ada })).await;
    let user = &data["user"];
    assert_eq!(
        pluck(&user["all"], "id"),
        [&json!(a1), &json!(a2), &json!(a3)]
    );
    assert!(
        pluck(&user["all"], "authorId")
            .iter()
            .all(|id| **id == json!(ada))
    );
    assert_eq!(pluck(&user["published"], "id"), [&json!(a2)]);
    assert_eq!(pluck(&user["drafts"], "id"), [&json!(a1), &json!(a3)]);

    let data = app.data(query, json!({ "id": carol })).await;
    assert_eq!(data["user"]["all"], json!([]), "a user without posts");
    assert_eq!(data["user"]["published"], json!([]));

    // Several users in one list each get their own posts.
    let data = app
        .data(
            "{ users { id posts { id } published: posts(published: true) { id } } }",
            json!({}),
        )
        .await;
    let users = &data["users"];
    assert_eq!(
        pluck(users, "id"),
        [&json!(ada), &json!(bob), &json!(carol)]
    );
    assert_eq!(
        users[0]["posts"],
        json!([{ "id": a1 }, { "id": a2 }, { "id": a3 }])
    );
    assert_eq!(users[0]["published"], json!([{ "id": a2 }]));
    assert_eq!(users[1]["posts"], json!([{ "id": b1 }]));
    assert_eq!(users[1]["published"], json!([{ "id": b1 }]));
    assert_eq!(users[2]["posts"], json!([]));
    assert_eq!(users[2]["published"], json!([]));
}

async fn post_author_resolves_in_lists(app: &TestApp) {
    let ada = author(app, "Ada").await;
    let bob = author(app, "Bob").await;
    let a1 = app.create_post(ada, "Ada post one").await;
    let b1 = app.create_post(bob, "Bob post one").await;
    let a2 = app.create_post(ada, "Ada post two").await;
    let data = app
        .data("{ posts { id author { id name email } } }", json!({}))
        .await;
    assert_eq!(
        data["posts"],
        json!([
            { "id": a1, "author": { "id": ada, "name": "Ada", "email": "ada@example.com" } },
            { "id": b1, "author": { "id": bob, "name": "Bob", "email": "bob@example.com" } },
            { "id": a2, "author": { "id": ada, "name": "Ada", "email": "ada@example.com" } },
        ])
    );
    let data = app
        .data(
            "query($id: Int!) { post(id: $id) { author { name posts { id } } } }",
            json!({ "id": b1 }),
        )
        .await;
    assert_eq!(
        data["post"]["author"],
        json!({ "name": "Bob", "posts": [{ "id": b1 }] })
    );
}
