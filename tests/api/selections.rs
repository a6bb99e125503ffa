//! Random selections over the four object types, as GraphQL: for differential properties that
//! run one selection two ways and compare the answers.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// A runner of `PROPTEST_CASES` cases (100 unless set) that keeps no failure files.
pub fn runner() -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|cases| cases.parse().ok())
        .unwrap_or(100);
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    })
}

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
