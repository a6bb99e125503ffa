//! The validation async-graphql leaves out: it never visits a `__typename` field, so its
//! directives go unchecked (`{ __typename @foo }` runs). This checks them as the rules check
//! any other field's, with the same messages.

use async_graphql::parser::Positioned;
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Pos, ServerError};
use async_graphql_value::Value;

/// The directives a field may carry: the executable directives of the schema.
const FIELD_DIRECTIVES: [&str; 2] = ["skip", "include"];
/// The schema's other directives, which belong on type-system definitions.
const SCHEMA_DIRECTIVES: [&str; 3] = ["deprecated", "specifiedBy", "oneOf"];

/// The errors of the directives on `__typename` fields anywhere in `document`.
pub fn check(document: &ExecutableDocument) -> Vec<ServerError> {
    let mut errors = Vec::new();
    let operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(operations) => operations.values().collect(),
    };
    for operation in operations {
        check_selections(&operation.node.selection_set, &mut errors);
    }
    for fragment in document.fragments.values() {
        check_selections(&fragment.node.selection_set, &mut errors);
    }
    errors
}

fn check_selections(selections: &Positioned<SelectionSet>, errors: &mut Vec<ServerError>) {
    for selection in &selections.node.items {
        match &selection.node {
            Selection::Field(field) if field.node.name.node == "__typename" => {
                check_directives(&field.node.directives, errors);
            }
            Selection::Field(field) => check_selections(&field.node.selection_set, errors),
            Selection::InlineFragment(fragment) => {
                check_selections(&fragment.node.selection_set, errors);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

fn error(pos: Pos, message: String) -> ServerError {
    ServerError::new(message, Some(pos))
}

fn check_directives(directives: &[Positioned<Directive>], errors: &mut Vec<ServerError>) {
    for (i, directive) in directives.iter().enumerate() {
        let name = directive.node.name.node.as_str();
        let pos = directive.pos;
        if SCHEMA_DIRECTIVES.contains(&name) {
            errors.push(error(
                pos,
                format!("Directive \"{name}\" may not be used on \"FIELD\""),
            ));
            continue;
        }
        if !FIELD_DIRECTIVES.contains(&name) {
            errors.push(error(pos, format!("Unknown directive \"{name}\"")));
            continue;
        }
        if directives[..i].iter().any(|d| d.node.name.node == name) {
            errors.push(error(pos, format!("Duplicate directive \"{name}\"")));
        }
        let mut given_if = false;
        for (argument, value) in &directive.node.arguments {
            if argument.node != "if" {
                errors.push(error(
                    argument.pos,
                    format!(
                        "Unknown argument \"{}\" on directive \"{name}\".",
                        argument.node
                    ),
                ));
                continue;
            }
            given_if = true;
            if !matches!(value.node, Value::Boolean(_) | Value::Variable(_)) {
                errors.push(error(
                    value.pos,
                    "Invalid value for argument \"if\", expected type \"Boolean!\"".to_owned(),
                ));
            }
        }
        if !given_if {
            errors.push(error(
                pos,
                format!(
                    "Directive \"@{name}\" argument \"if\" of type \"Boolean!\" is required but not provided"
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::parser::parse_query;

    use super::*;

    fn messages(query: &str) -> Vec<String> {
        let document = parse_query(query).expect("the query parses");
        check(&document).into_iter().map(|e| e.message).collect()
    }

    #[test]
    fn directives_on_typename_are_checked_like_on_any_field() {
        assert_eq!(
            messages("{ __typename @foo }"),
            ["Unknown directive \"foo\""]
        );
        assert_eq!(
            messages("{ users { __typename @deprecated } }"),
            ["Directive \"deprecated\" may not be used on \"FIELD\""]
        );
        assert_eq!(
            messages("{ __typename @skip }"),
            [
                "Directive \"@skip\" argument \"if\" of type \"Boolean!\" is required but not provided"
            ]
        );
        assert_eq!(
            messages("query { ...F } fragment F on Query { __typename @include(if: 1) }"),
            ["Invalid value for argument \"if\", expected type \"Boolean!\""]
        );
        assert_eq!(
            messages("{ __typename @skip(if: true) @skip(if: false) }"),
            ["Duplicate directive \"skip\""]
        );
    }

    #[test]
    fn valid_directives_pass() {
        for query in [
            "{ __typename }",
            "{ __typename @skip(if: false) }",
            "query($x: Boolean!) { __typename @include(if: $x) }",
            "{ users { name @foo } }",
        ] {
            assert!(messages(query).is_empty(), "{query}");
        }
    }
}
