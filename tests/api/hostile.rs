//! Hostile documents are refused before they are parsed, with a code that names the limit,
//! and the server keeps answering.

use serde_json::json;

use crate::helpers::TestApp;

on_every_backend!(
    deep_nesting_is_refused_without_harm,
    exponential_fragments_are_refused_at_once,
    too_many_aliases_are_refused,
    oversized_documents_are_refused,
    graphiql_introspection_still_works,
    field_depth_is_limited,
    list_sizes_multiply_the_cost,
);

/// The server still answers a trivial query.
async fn assert_alive(app: &TestApp) {
    let data = app.data("{ __typename }", json!({})).await;
    assert_eq!(data["__typename"], "Query");
}

async fn deep_nesting_is_refused_without_harm(app: &TestApp) {
    let depth = 100_000;
    let selections = format!("{}{}", "{a".repeat(depth), "}".repeat(depth));
    let list = format!(
        "{{ users(where: {{ id: {{ in: {}1{} }} }}) {{ id }} }}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let object = format!(
        "{{ users(where: {}{}) {{ id }} }}",
        "{not:".repeat(1_000),
        "{}}".repeat(1_000)
    );
    for (document, code) in [
        (selections, "DOCUMENT_TOO_LARGE"),
        (list, "DOCUMENT_TOO_LARGE"),
        (object, "NESTING_TOO_DEEP"),
    ] {
        app.expect_error(&document, json!({}), code, None).await;
    }
    // Small enough to pass the size limit, too deep for the parser's taste.
    let compact = format!("{}{}", "{a".repeat(2_000), "}".repeat(2_000));
    let error = app.error(&compact, json!({})).await;
    assert!(error["extensions"]["code"].is_string(), "{error:#}");
    assert_alive(app).await;
}

async fn exponential_fragments_are_refused_at_once(app: &TestApp) {
    let mut document = String::from("query { ...F0 }");
    for i in 0..12 {
        document.push_str(&format!(
            " fragment F{i} on Query {{ ...F{n} ...F{n} ...F{n} ...F{n} }}",
            n = i + 1
        ));
    }
    document.push_str(" fragment F12 on Query { __typename }");
    let message = app
        .expect_error(&document, json!({}), "FRAGMENT_EXPANSION_TOO_LARGE", None)
        .await;
    assert!(message.contains("MAX_FRAGMENT_EXPANSION"), "{message}");
    assert_alive(app).await;
}

async fn too_many_aliases_are_refused(app: &TestApp) {
    let aliases = |n: usize| {
        let fields: Vec<String> = (0..n).map(|i| format!("a{i}: __typename")).collect();
        format!("{{ {} }}", fields.join(" "))
    };
    let data = app.data(&aliases(30), json!({})).await;
    assert_eq!(data["a29"], "Query");
    app.expect_error(&aliases(31), json!({}), "TOO_MANY_ALIASES", None)
        .await;
}

async fn oversized_documents_are_refused(app: &TestApp) {
    let document = format!("{{ __typename }} # {}", "x".repeat(15_000));
    let message = app
        .expect_error(&document, json!({}), "DOCUMENT_TOO_LARGE", None)
        .await;
    assert!(message.contains("MAX_QUERY_BYTES"), "{message}");
}

async fn graphiql_introspection_still_works(app: &TestApp) {
    let type_ref = "kind name ofType { kind name ofType { kind name ofType { kind name ofType { \
                    kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } }";
    let query = format!(
        "query IntrospectionQuery {{ __schema {{ queryType {{ name }} mutationType {{ name }} \
         types {{ kind name fields(includeDeprecated: true) {{ name args {{ name type {{ {type_ref} }} }} \
         type {{ {type_ref} }} }} inputFields {{ name type {{ {type_ref} }} }} }} }} }}"
    );
    let data = app.data(&query, json!({})).await;
    assert_eq!(data["__schema"]["queryType"]["name"], "Query");
}

async fn field_depth_is_limited(app: &TestApp) {
    let nested = |levels: usize| {
        let mut query = String::from("{ users { ");
        for _ in 0..levels {
            query.push_str("posts(limit: 1) { author { ");
        }
        query.push_str("id");
        query.push_str(&" } }".repeat(levels));
        query.push_str(" } }");
        query
    };
    app.data(&nested(7), json!({})).await;
    let message = app
        .expect_error(&nested(8), json!({}), "QUERY_TOO_DEEP", None)
        .await;
    assert!(message.contains("MAX_QUERY_DEPTH"), "{message}");
}

async fn list_sizes_multiply_the_cost(app: &TestApp) {
    app.data(
        "{ users(limit: 20) { name posts { title author { name } } } }",
        json!({}),
    )
    .await;
    for costly in [
        "{ users(limit: 100) { posts(limit: 100) { title author { name email } } } }",
        "query($n: Int) { userConnection(first: $n) { nodes { posts(limit: 100) { id title content } } } }",
    ] {
        let message = app
            .expect_error(costly, json!({ "n": 100 }), "QUERY_TOO_COMPLEX", None)
            .await;
        assert!(message.contains("MAX_QUERY_COMPLEXITY"), "{message}");
    }
}
