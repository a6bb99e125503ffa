//! Data stored as sent (SPEC section 2 as amended): names, titles, e-mail and city in NFC, so
//! text that looks the same is the same; post content byte for byte; an explicit `null`
//! clears a nullable column and is refused for the others.

use serde_json::{Value, json};

use crate::helpers::{TestApp, id_of, ids, rejected_without_writing};

on_every_backend!(
    names_titles_email_and_city_are_stored_in_nfc,
    addresses_that_look_the_same_are_one_address,
    category_names_that_look_the_same_conflict,
    a_search_in_either_form_finds_the_row,
    post_content_is_stored_byte_for_byte,
    null_clears_a_product_category,
    null_is_refused_for_columns_that_cannot_be_null,
);

/// `José` with `e` + combining acute accent (NFD).
const JOSE_NFD: &str = "Jose\u{301}";
/// `José` with the precomposed `é` (NFC).
const JOSE_NFC: &str = "Jos\u{e9}";

const CREATE_USER: &str = "mutation($input: CreateUserInput!) { createUser(input: $input) { \
                           id name email city } }";
const EVERY_USER: &str = "{ users(limit: 100) { id name email city } }";

async fn create_user(app: &TestApp, input: Value) -> Value {
    app.data(CREATE_USER, json!({ "input": input })).await["createUser"].clone()
}

async fn names_titles_email_and_city_are_stored_in_nfc(app: &TestApp) {
    let user = create_user(
        app,
        json!({ "name": JOSE_NFD, "email": format!("{JOSE_NFD}@example.com"), "age": 30,
                "city": format!("Mont{JOSE_NFD}") }),
    )
    .await;
    assert_eq!(user["name"], JOSE_NFC);
    assert_eq!(
        user["email"],
        format!("{}@example.com", JOSE_NFC.to_lowercase())
    );
    assert_eq!(user["city"], format!("Mont{JOSE_NFC}"));

    let title = format!("Caf{}", "e\u{301} notes");
    let post = app
        .data(
            "mutation($input: CreatePostInput!) { createPost(input: $input) { title } }",
            json!({ "input": { "title": title, "content": "Twenty characters or more.",
                               "authorId": id_of(&user) } }),
        )
        .await;
    assert_eq!(post["createPost"]["title"], "Caf\u{e9} notes");

    let product = app
        .data(
            "mutation($input: CreateProductInput!) { createProduct(input: $input) { name } }",
            json!({ "input": { "name": "Cre\u{300}me", "price": 1 } }),
        )
        .await;
    assert_eq!(product["createProduct"]["name"], "Cr\u{e8}me");

    // The length rules count what is stored: four characters, not five.
    let four = create_user(
        app,
        json!({ "name": format!("{JOSE_NFD} "), "email": "four@example.com", "age": 30,
                "city": "e\u{301}".repeat(50) }),
    )
    .await;
    assert_eq!(four["city"].as_str().map(|c| c.chars().count()), Some(50));
}

async fn addresses_that_look_the_same_are_one_address(app: &TestApp) {
    create_user(
        app,
        json!({ "name": "First", "email": format!("{JOSE_NFC}@example.com"), "age": 30 }),
    )
    .await;
    let message = rejected_without_writing(
        app,
        EVERY_USER,
        CREATE_USER,
        json!({ "input": { "name": "Second", "email": format!("{JOSE_NFD}@Example.com"),
                           "age": 30 } }),
        "CONFLICT",
        None,
    )
    .await;
    assert_eq!(message, "Email already registered");
}

async fn category_names_that_look_the_same_conflict(app: &TestApp) {
    app.create_category("Caf\u{e9}").await;
    let message = rejected_without_writing(
        app,
        "{ categories { id name } }",
        "mutation($input: CreateCategoryInput!) { createCategory(input: $input) { id } }",
        json!({ "input": { "name": "Cafe\u{301}" } }),
        "CONFLICT",
        None,
    )
    .await;
    assert_eq!(message, "Category name already exists");
}

async fn a_search_in_either_form_finds_the_row(app: &TestApp) {
    let nfc = create_user(
        app,
        json!({ "name": format!("{JOSE_NFC} Lima"), "email": "a@example.com", "age": 30 }),
    )
    .await;
    create_user(
        app,
        json!({ "name": "Joseph", "email": "b@example.com", "age": 30 }),
    )
    .await;
    for needle in [JOSE_NFD, JOSE_NFC, "JOSE\u{301}", "JOS\u{c9}"] {
        let found = app
            .data(
                "query($name: String) { searchUsers(name: $name) { id } }",
                json!({ "name": needle }),
            )
            .await;
        assert_eq!(ids(&found["searchUsers"]), [id_of(&nfc)], "{needle:?}");
        let filtered = app
            .data(
                "query($name: String) { users(where: { name: { contains: $name, \
                 mode: INSENSITIVE } }) { id } }",
                json!({ "name": needle }),
            )
            .await;
        assert_eq!(ids(&filtered["users"]), [id_of(&nfc)], "{needle:?}");
    }
}

async fn post_content_is_stored_byte_for_byte(app: &TestApp) {
    let author = app.create_user("Ada", "ada@example.com", 36).await;
    let create = "mutation($input: CreatePostInput!) { createPost(input: $input) { id content } }";
    for content in [
        "A Markdown paragraph with a hard break  \nand a second line.\n",
        "   Indented code block, long enough.",
        "Cafe\u{301} au lait, long enough to pass.",
        "\tTabs\tand\r\nCRLF line endings, kept.\r\n",
    ] {
        let post = app
            .data(
                create,
                json!({ "input": { "title": "A title", "content": content, "authorId": author } }),
            )
            .await;
        assert_eq!(post["createPost"]["content"], content);
        let read = app
            .data(
                "query($id: Int!) { post(id: $id) { content } }",
                json!({ "id": id_of(&post["createPost"]) }),
            )
            .await;
        assert_eq!(read["post"]["content"], content, "stored as sent");
    }
    let post = app.create_post(author, "Updated later").await;
    let update = "mutation($id: Int!, $input: UpdatePostInput!) { updatePost(id: $id, \
                  input: $input) { content } }";
    let content = "  Edited, with trailing spaces and a newline  \n";
    let updated = app
        .data(
            update,
            json!({ "id": post, "input": { "content": content } }),
        )
        .await;
    assert_eq!(updated["updatePost"]["content"], content);
    // The length rule is measured on the trimmed text.
    rejected_without_writing(
        app,
        "{ posts(limit: 100) { id content } }",
        create,
        json!({ "input": { "title": "A title", "content": format!("   {}   ", "c".repeat(19)),
                           "authorId": author } }),
        "BAD_USER_INPUT",
        Some("content"),
    )
    .await;
}

async fn null_clears_a_product_category(app: &TestApp) {
    let category = app.create_category("Music").await;
    let id = app.create_product("Songbook", 9.5, 3, Some(category)).await;
    let update = "mutation($id: Int!, $input: UpdateProductInput!) { updateProduct(id: $id, \
                  input: $input) { name price stock categoryId category { id } } }";
    let kept = app
        .data(update, json!({ "id": id, "input": { "name": "Hymnal" } }))
        .await;
    assert_eq!(
        kept["updateProduct"]["categoryId"], category,
        "omitted: kept"
    );
    let cleared = app
        .data(update, json!({ "id": id, "input": { "categoryId": null } }))
        .await;
    assert_eq!(
        cleared["updateProduct"],
        json!({ "name": "Hymnal", "price": 9.5, "stock": 3, "categoryId": null, "category": null })
    );
    // The same with a literal null in the document.
    let again = app.create_product("Kazoo", 1.0, 1, Some(category)).await;
    let literal = app
        .data(
            "mutation($id: Int!) { updateProduct(id: $id, input: { categoryId: null }) { categoryId } }",
            json!({ "id": again }),
        )
        .await;
    assert_eq!(literal["updateProduct"]["categoryId"], Value::Null);
}

async fn null_is_refused_for_columns_that_cannot_be_null(app: &TestApp) {
    let user = app.create_user("Ada", "ada@example.com", 36).await;
    let post = app.create_post(user, "A title").await;
    let category = app.create_category("Books").await;
    let product = app.create_product("Novel", 12.0, 2, Some(category)).await;
    let snapshot = "{ users { id name email age city isActive } posts { id title content } \
                    categories { id name } products { id name price stock categoryId } }";
    let cases = [
        (
            "updateUser",
            "UpdateUserInput",
            user,
            ["name", "email", "age", "city", "isActive"].as_slice(),
        ),
        (
            "updatePost",
            "UpdatePostInput",
            post,
            ["title", "content"].as_slice(),
        ),
        (
            "updateCategory",
            "UpdateCategoryInput",
            category,
            ["name"].as_slice(),
        ),
        (
            "updateProduct",
            "UpdateProductInput",
            product,
            ["name", "price", "stock"].as_slice(),
        ),
    ];
    for (mutation, input_type, id, fields) in cases {
        let document = format!(
            "mutation($id: Int!, $input: {input_type}!) {{ {mutation}(id: $id, input: $input) {{ id }} }}"
        );
        for field in fields {
            let message = rejected_without_writing(
                app,
                snapshot,
                &document,
                json!({ "id": id, "input": { *field: null } }),
                "BAD_USER_INPUT",
                Some(field),
            )
            .await;
            assert_eq!(
                message,
                format!("{field} cannot be null; leave it out to keep it")
            );
        }
    }
}
