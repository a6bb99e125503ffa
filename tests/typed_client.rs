//! The README's operations, run live through a typed client that `graphql_client` generates from `schema.graphql`.

use std::time::Instant;

use agora::application::{Application, Setup};
use graphql_client::{GraphQLQuery, Response};

/// The SDL's custom scalar: an RFC 3339 timestamp, as a string on the wire.
type DateTime = String;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/typed_client/create_user.graphql",
    response_derives = "Debug",
    variables_derives = "Debug",
    skip_serializing_none
)]
struct CreateUser;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/typed_client/create_post.graphql",
    response_derives = "Debug",
    variables_derives = "Debug",
    skip_serializing_none
)]
struct CreatePost;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/typed_client/publish_post.graphql",
    response_derives = "Debug",
    variables_derives = "Debug"
)]
struct PublishPost;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/typed_client/users_with_posts.graphql",
    response_derives = "Debug",
    variables_derives = "Debug",
    skip_serializing_none
)]
struct UsersWithPosts;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/typed_client/update_user_and_post.graphql",
    response_derives = "Debug",
    variables_derives = "Debug",
    skip_serializing_none
)]
struct UpdateUserAndPost;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/typed_client/delete_user.graphql",
    response_derives = "Debug",
    variables_derives = "Debug"
)]
struct DeleteUser;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/typed_client/create_catalog.graphql",
    response_derives = "Debug",
    variables_derives = "Debug",
    skip_serializing_none
)]
struct CreateCatalog;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/typed_client/products_with_filter.graphql",
    response_derives = "Debug",
    variables_derives = "Debug",
    skip_serializing_none
)]
struct ProductsWithFilter;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/typed_client/update_product_delete_category.graphql",
    response_derives = "Debug",
    variables_derives = "Debug",
    skip_serializing_none
)]
struct UpdateProductDeleteCategory;

#[derive(GraphQLQuery)]
#[graphql(
    schema_path = "schema.graphql",
    query_path = "tests/typed_client/connection_and_aggregate.graphql",
    response_derives = "Debug",
    variables_derives = "Debug",
    skip_serializing_none
)]
struct ConnectionAndAggregate;

/// A client of one agora: posts the generated request bodies, decodes the generated responses.
struct Client {
    http: reqwest::Client,
    endpoint: String,
}

impl Client {
    /// Runs `Q` with `variables`; fails the test on an HTTP or GraphQL error.
    async fn run<Q: GraphQLQuery>(&self, variables: Q::Variables) -> Q::ResponseData {
        let body = Q::build_query(variables);
        let name = body.operation_name;
        let response = self
            .http
            .post(&self.endpoint)
            .json(&body)
            .send()
            .await
            .expect("send the request");
        assert!(
            response.status().is_success(),
            "{name}: HTTP {}",
            response.status()
        );
        let response: Response<Q::ResponseData> =
            response.json().await.expect("a GraphQL response");
        assert!(
            response.errors.as_ref().is_none_or(Vec::is_empty),
            "{name}: errors {:?}",
            response.errors
        );
        response.data.expect("data")
    }
}

/// Starts agora on a fresh SQLite database; the returned directory holds the database.
async fn spawn() -> (Client, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display());
    let application = Application::build(Setup::local(url))
        .await
        .expect("build agora");
    let address = application.address();
    tokio::spawn(application.serve_until(std::future::pending()));
    let client = Client {
        http: reqwest::Client::new(),
        endpoint: format!("http://{address}/graphql"),
    };
    (client, dir)
}

fn assert_rfc3339(value: &str) {
    chrono::DateTime::parse_from_rfc3339(value)
        .unwrap_or_else(|err| panic!("{value:?} is not RFC 3339: {err}"));
}

fn new_user(name: &str, email: &str, age: i64, city: Option<&str>) -> create_user::Variables {
    create_user::Variables {
        input: create_user::CreateUserInput {
            name: name.to_owned(),
            email: email.to_owned(),
            age,
            city: city.map(str::to_owned),
            is_active: None,
            posts: None,
        },
    }
}

/// A `UserWhere` with no conditions, to fill in with struct update syntax.
fn user_where() -> connection_and_aggregate::UserWhere {
    connection_and_aggregate::UserWhere {
        id: None,
        name: None,
        email: None,
        age: None,
        city: None,
        is_active: None,
        created_at: None,
        updated_at: None,
        // Recursive inputs are boxed by the codegen.
        posts: Box::new(None),
        and: Box::new(None),
        or: Box::new(None),
        not: Box::new(None),
    }
}

/// An `IntFilter` with no operators, to fill in with struct update syntax.
fn int_filter() -> connection_and_aggregate::IntFilter {
    connection_and_aggregate::IntFilter {
        eq: None,
        ne: None,
        gt: None,
        gte: None,
        lt: None,
        lte: None,
        in_: None,
        not_in: None,
        is_null: None,
    }
}

#[tokio::test]
async fn readme_operations_through_generated_types() {
    let started = Instant::now();
    let (client, _dir) = spawn().await;

    // Users: the e-mail comes back normalised, the city defaults to `Unknown`.
    let ada = client
        .run::<CreateUser>(new_user(
            "Ada Lovelace",
            "  Ada@Example.com ",
            36,
            Some("London"),
        ))
        .await
        .create_user;
    assert_eq!(ada.name, "Ada Lovelace");
    assert_eq!(ada.email, "ada@example.com");
    assert_eq!(ada.city, "London");
    assert!(ada.is_active);
    assert_rfc3339(&ada.created_at);
    let grace = client
        .run::<CreateUser>(new_user(
            "Grace Hopper",
            "grace@example.com",
            85,
            Some("Arlington"),
        ))
        .await
        .create_user;
    let alan = client
        .run::<CreateUser>(new_user("Alan Turing", "alan@example.com", 41, None))
        .await
        .create_user;
    assert_eq!(alan.city, "Unknown");
    client
        .run::<CreateUser>(new_user("Tim Berners-Lee", "tim@example.com", 20, None))
        .await;

    // A post: unpublished, with its author nested; then published.
    let post = client
        .run::<CreatePost>(create_post::Variables {
            input: create_post::CreatePostInput {
                title: "Notes on the Engine".to_owned(),
                content: "The Analytical Engine weaves algebraic patterns.".to_owned(),
                author_id: ada.id,
            },
        })
        .await
        .create_post;
    assert_eq!(post.title, "Notes on the Engine");
    assert!(!post.published);
    assert_eq!(post.author.name, "Ada Lovelace");
    let published = client
        .run::<PublishPost>(publish_post::Variables { id: post.id })
        .await
        .publish_post;
    assert_eq!(published.id, post.id);
    assert!(published.published);

    // Read back, with nested fields, and search.
    let read = client
        .run::<UsersWithPosts>(users_with_posts::Variables {
            author_id: Some(ada.id),
            name: Some("ada".to_owned()),
            city: Some("lon".to_owned()),
        })
        .await;
    assert_eq!(read.users.len(), 4);
    let ada_read = read
        .users
        .iter()
        .find(|user| user.id == ada.id)
        .expect("Ada in users");
    assert_eq!(ada_read.posts.len(), 1);
    assert_eq!(ada_read.posts[0].title, "Notes on the Engine");
    assert_eq!(ada_read.posts[0].author.email, "ada@example.com");
    assert_rfc3339(&ada_read.posts[0].created_at);
    assert!(
        read.users
            .iter()
            .filter(|user| user.id != ada.id)
            .all(|user| user.posts.is_empty())
    );
    assert_eq!(read.posts.len(), 1);
    assert_eq!(read.posts[0].id, post.id);
    assert_eq!(read.search_users.len(), 1);
    assert_eq!(read.search_users[0].id, ada.id);
    assert_eq!(read.search_users[0].city, "London");

    // Change only the fields given.
    let updated = client
        .run::<UpdateUserAndPost>(update_user_and_post::Variables {
            user_id: ada.id,
            user: update_user_and_post::UpdateUserInput {
                city: Some("Marylebone".to_owned()),
                name: None,
                email: None,
                age: None,
                is_active: None,
            },
            post_id: post.id,
            post: update_user_and_post::UpdatePostInput {
                title: Some("Notes on the Analytical Engine".to_owned()),
                content: None,
            },
        })
        .await;
    assert_eq!(updated.update_user.id, ada.id);
    assert_eq!(updated.update_user.city, "Marylebone");
    assert_eq!(updated.update_post.title, "Notes on the Analytical Engine");

    // Delete: the user comes back as it was, and the posts go with it.
    let deleted = client
        .run::<DeleteUser>(delete_user::Variables { id: ada.id })
        .await
        .delete_user;
    assert_eq!(
        (deleted.id, deleted.name.as_str()),
        (ada.id, "Ada Lovelace")
    );
    let after_delete = client
        .run::<UsersWithPosts>(users_with_posts::Variables {
            author_id: Some(ada.id),
            name: Some("ada".to_owned()),
            city: None,
        })
        .await;
    assert_eq!(after_delete.users.len(), 3);
    assert!(after_delete.posts.is_empty());
    assert!(after_delete.search_users.is_empty());

    // The products exercise: a category and two products, aliased in one request. Mutations
    // run in order, so the novel can name the category created just before it: on a fresh
    // database that is category 1, as in the README.
    let catalog = client
        .run::<CreateCatalog>(create_catalog::Variables {
            category: create_catalog::CreateCategoryInput {
                name: "Books".to_owned(),
                products: None,
            },
            novel: create_catalog::CreateProductInput {
                name: "A novel".to_owned(),
                price: 12.5,
                stock: Some(3),
                category_id: Some(1),
                category_name: None,
            },
            pen: create_catalog::CreateProductInput {
                name: "A pen".to_owned(),
                price: 1.2,
                stock: None,
                category_id: None,
                category_name: None,
            },
        })
        .await;
    assert_eq!(
        (catalog.books.id, catalog.books.name.as_str()),
        (1, "Books")
    );
    assert_eq!(catalog.pen.stock, 0);
    let books = catalog.books.id;

    let in_stock = client
        .run::<ProductsWithFilter>(products_with_filter::Variables {
            filter: Some(products_with_filter::ProductFilter {
                min_price: Some(1.0),
                max_price: Some(20.0),
                in_stock: Some(true),
                category_id: None,
            }),
        })
        .await;
    assert_eq!(in_stock.products.len(), 1);
    let novel = &in_stock.products[0];
    assert_eq!(novel.id, catalog.novel.id);
    assert_eq!(novel.name, "A novel");
    assert!((novel.price - 12.5).abs() < f64::EPSILON);
    assert_eq!(novel.stock, 3);
    assert_eq!(
        novel
            .category
            .as_ref()
            .map(|category| category.name.as_str()),
        Some("Books")
    );
    assert_eq!(in_stock.categories.len(), 1);
    assert_eq!(in_stock.categories[0].id, books);
    let names: Vec<&str> = in_stock.categories[0]
        .products
        .iter()
        .map(|product| product.name.as_str())
        .collect();
    assert_eq!(names, ["A novel"]);

    // Section "Querying": a keyset-paged connection and aggregates.
    let page_variables = |after: Option<String>| connection_and_aggregate::Variables {
        first: Some(1),
        after,
        where_: Some(connection_and_aggregate::UserWhere {
            age: Some(connection_and_aggregate::IntFilter {
                gte: Some(40),
                ..int_filter()
            }),
            ..user_where()
        }),
        order_by: Some(vec![connection_and_aggregate::UserOrderBy {
            field: connection_and_aggregate::UserField::AGE,
            direction: Some(connection_and_aggregate::OrderDirection::DESC),
        }]),
    };
    let first = client
        .run::<ConnectionAndAggregate>(page_variables(None))
        .await;
    let connection = &first.user_connection;
    assert_eq!(connection.total_count, 2);
    assert_eq!(connection.edges.len(), 1);
    assert_eq!(connection.edges[0].node.id, grace.id);
    assert!(connection.page_info.has_next_page);
    assert!(!connection.page_info.has_previous_page);
    assert_eq!(
        connection.page_info.end_cursor.as_deref(),
        Some(connection.edges[0].cursor.as_str())
    );

    let groups = &first.product_aggregate;
    assert_eq!(groups.len(), 2, "{groups:?}");
    let uncategorised = groups
        .iter()
        .find(|group| group.key.category_id.is_none())
        .expect("a group without category");
    assert_eq!(uncategorised.count, 1);
    assert_eq!(uncategorised.sum.stock, Some(0));
    let in_books = groups
        .iter()
        .find(|group| group.key.category_id == Some(books))
        .expect("the Books group");
    assert_eq!(in_books.count, 1);
    assert_eq!(in_books.sum.stock, Some(3));
    assert_eq!(in_books.max.price, Some(12.5));
    assert_eq!(in_books.avg.stock, Some(3.0));

    let users = &first.user_aggregate;
    assert_eq!(users.len(), 1);
    assert_eq!(users[0].count, 3);
    assert_eq!(users[0].avg.age, Some((85.0 + 41.0 + 20.0) / 3.0));
    for timestamp in [&users[0].min.created_at, &users[0].max.created_at] {
        assert_rfc3339(timestamp.as_deref().expect("a timestamp"));
    }

    let second = client
        .run::<ConnectionAndAggregate>(page_variables(
            first.user_connection.page_info.end_cursor.clone(),
        ))
        .await
        .user_connection;
    assert_eq!(second.edges.len(), 1);
    assert_eq!(second.edges[0].node.id, alan.id);
    assert_eq!(second.edges[0].node.age, 41);
    assert!(!second.page_info.has_next_page);
    assert!(second.page_info.has_previous_page);

    // Move the pen into the category and restock it, then delete the category: its products
    // stay, without one.
    let changed = client
        .run::<UpdateProductDeleteCategory>(update_product_delete_category::Variables {
            product_id: catalog.pen.id,
            product: update_product_delete_category::UpdateProductInput {
                stock: Some(10),
                category_id: Some(books),
                name: None,
                price: None,
            },
            category_id: books,
        })
        .await;
    assert_eq!(changed.update_product.id, catalog.pen.id);
    assert_eq!(changed.update_product.stock, 10);
    assert_eq!(changed.update_product.category_id, Some(books));
    assert_eq!(changed.delete_category.id, books);
    assert_eq!(changed.delete_category.name, "Books");

    let after = client
        .run::<ProductsWithFilter>(products_with_filter::Variables { filter: None })
        .await;
    assert_eq!(after.products.len(), 2);
    assert!(
        after
            .products
            .iter()
            .all(|product| product.category.is_none())
    );
    assert!(after.categories.is_empty());

    eprintln!("typed client flow took {:?}", started.elapsed());
}
