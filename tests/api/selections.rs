//! Random selections over the four object types, as GraphQL: for differential properties that
//! run one selection two ways and compare the answers, and the rows they run on.

use proptest::prelude::*;
use serde_json::json;

use crate::helpers::{TestApp, ids};

/// The object types a selection can be on; each has one relation.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    Post,
    User,
    Product,
    Category,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Post => "Post",
            Self::User => "User",
            Self::Product => "Product",
            Self::Category => "Category",
        }
    }

    pub fn scalars(self) -> &'static [&'static str] {
        match self {
            Self::Post => &[
                "id",
                "nodeId",
                "title",
                "content",
                "published",
                "authorId",
                "createdAt",
                "updatedAt",
                "__typename",
            ],
            Self::User => &[
                "id",
                "nodeId",
                "name",
                "email",
                "age",
                "city",
                "isActive",
                "createdAt",
                "updatedAt",
            ],
            Self::Product => &[
                "id",
                "nodeId",
                "name",
                "price",
                "stock",
                "categoryId",
                "updatedAt",
                "__typename",
            ],
            Self::Category => &["id", "nodeId", "name", "updatedAt"],
        }
    }

    /// The relation field (with its arguments) and the type it leads to.
    pub fn relation(self) -> (&'static str, Kind) {
        match self {
            Self::Post => ("author", Self::User),
            Self::User => ("posts(limit: 2)", Self::Post),
            Self::Product => ("category", Self::Category),
            Self::Category => ("products(limit: 2)", Self::Product),
        }
    }
}

/// How a relation is written in the selection.
#[derive(Clone, Copy, Debug)]
pub enum Written {
    Plain,
    Aliased,
    InlineFragment,
    NamedFragment,
    Included,
    Skipped,
}

/// A random selection on one type: some of its scalars, maybe its relation.
#[derive(Clone, Debug)]
pub struct Selection {
    pub scalars: Vec<&'static str>,
    pub relation: Option<(Written, Box<Selection>)>,
}

pub fn selection(kind: Kind, depth: u32) -> BoxedStrategy<Selection> {
    let scalars = prop::sample::subsequence(kind.scalars(), 1..=3);
    let written = prop_oneof![
        Just(Written::Plain),
        Just(Written::Aliased),
        Just(Written::InlineFragment),
        Just(Written::NamedFragment),
        Just(Written::Included),
        Just(Written::Skipped),
    ];
    let relation = if depth == 0 {
        Just(None).boxed()
    } else {
        prop::option::weighted(0.8, (written, selection(kind.relation().1, depth - 1)))
            .prop_map(|relation| relation.map(|(written, inner)| (written, Box::new(inner))))
            .boxed()
    };
    (scalars, relation)
        .prop_map(|(scalars, relation)| Selection { scalars, relation })
        .boxed()
}

/// `selection` on `kind` as GraphQL, named fragments added to `fragments`.
pub fn render(kind: Kind, selection: &Selection, fragments: &mut Vec<String>) -> String {
    let mut text = selection.scalars.join(" ");
    if let Some((written, inner)) = &selection.relation {
        let (field, related) = kind.relation();
        let inner = render(related, inner, fragments);
        let relation = format!("{field} {{ {inner} }}");
        let relation = match written {
            Written::Plain => relation,
            Written::Aliased => format!("linked: {relation}"),
            Written::InlineFragment => format!("... on {} {{ {relation} }}", kind.name()),
            Written::NamedFragment => {
                let name = format!("F{}", fragments.len());
                fragments.push(format!(
                    "fragment {name} on {} {{ {relation} }}",
                    kind.name()
                ));
                format!("...{name}")
            }
            Written::Included => format!("{field} @include(if: true) {{ {inner} }}"),
            Written::Skipped => format!("{field} @skip(if: true) {{ {inner} }}"),
        };
        text = format!("{text} {relation}");
    }
    text
}

/// Three users with two posts each, two categories with two products each and two products
/// without a category; returns the post and product ids.
pub async fn seed(app: &TestApp) -> (Vec<i64>, Vec<i64>) {
    let data = app
        .data(
            r#"mutation {
              createUsers(inputs: [
                { name: "Ada", email: "ada@example.com", age: 36, posts: [
                  { title: "Engines of thought", content: "On the analytical engine, at length." },
                  { title: "Notes, again", content: "A second post that is long enough." } ] },
                { name: "Grace", email: "grace@example.com", age: 85, city: "Arlington", posts: [
                  { title: "Compilers", content: "Why a machine should write the code." },
                  { title: "Nanoseconds", content: "A foot of wire, handed out in class." } ] },
                { name: "Linus", email: "linus@example.com", age: 55, isActive: false, posts: [
                  { title: "Just a hobby", content: "Won't be big and professional like gnu." },
                  { title: "Monoliths", content: "A reply in a long thread about kernels." } ] }
              ]) { posts { id } }
              createCategories(inputs: [
                { name: "Tools", products: [{ name: "Hammer", price: 12.5, stock: 3 },
                                            { name: "Saw", price: 20 }] },
                { name: "Books", products: [{ name: "Notes", price: 7.25, stock: 9 },
                                            { name: "Atlas", price: 30, stock: 1 }] }
              ]) { products { id } }
              createProducts(inputs: [{ name: "Loose", price: 1 }, { name: "Odd", price: 2.5 }]) { id }
            }"#,
            json!({}),
        )
        .await;
    let posts = data["createUsers"]
        .as_array()
        .expect("users")
        .iter()
        .flat_map(|user| ids(&user["posts"]))
        .collect();
    let mut products: Vec<i64> = data["createCategories"]
        .as_array()
        .expect("categories")
        .iter()
        .flat_map(|category| ids(&category["products"]))
        .collect();
    products.extend(ids(&data["createProducts"]));
    (posts, products)
}
