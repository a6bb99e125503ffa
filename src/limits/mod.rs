//! Every limit on a GraphQL document, in one place and under one name each (that of the
//! environment variable an operator sets): those checked on the raw text before it is parsed
//! ([`document`](crate::limits::document)), and the depth and cost that async-graphql enforces while it validates the
//! parsed query, whose refusals [`name_refusals`](crate::limits::name_refusals) gives agora's
//! codes.

pub mod document;

use async_graphql::{ErrorExtensionValues, Response, ServerError};

/// The limits on every GraphQL document; each field is set by the environment variable (or
/// flag) of its name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::Args)]
pub struct Limits {
    /// Largest GraphQL document, in bytes.
    #[arg(long, env = "MAX_QUERY_BYTES", default_value_t = Limits::DEFAULT.max_query_bytes, global = true)]
    pub max_query_bytes: usize,
    /// Most lexical tokens in a GraphQL document: names, punctuators (`...` is one), numbers
    /// and strings (a block string is one), variables' default values included; comments and
    /// commas are not tokens.
    #[arg(long, env = "MAX_QUERY_TOKENS", default_value_t = Limits::DEFAULT.max_query_tokens, global = true)]
    pub max_query_tokens: usize,
    /// Deepest nesting of brackets (`{`, `[`, `(`) in a GraphQL document: a guard for the
    /// recursive parser, not the field-depth limit.
    #[arg(long, env = "MAX_QUERY_NESTING", default_value_t = Limits::DEFAULT.max_query_nesting, global = true)]
    pub max_query_nesting: usize,
    /// Most aliases in a GraphQL document.
    #[arg(long, env = "MAX_QUERY_ALIASES", default_value_t = Limits::DEFAULT.max_query_aliases, global = true)]
    pub max_query_aliases: usize,
    /// Most directives in a GraphQL document.
    #[arg(long, env = "MAX_QUERY_DIRECTIVES", default_value_t = Limits::DEFAULT.max_query_directives, global = true)]
    pub max_query_directives: usize,
    /// Deepest field nesting of a query (GraphiQL's introspection query needs 13).
    #[arg(long, env = "MAX_QUERY_DEPTH", default_value_t = Limits::DEFAULT.max_query_depth, global = true)]
    pub max_query_depth: usize,
    /// Highest cost of a query: each field costs 1, and a list field multiplies what it
    /// selects by its page size (`limit`, `first`, `last`; 10 for a list without one).
    #[arg(long, env = "MAX_QUERY_COMPLEXITY", default_value_t = Limits::DEFAULT.max_query_complexity, global = true)]
    pub max_query_complexity: usize,
    /// Most field selections once every fragment spread is expanded, summed over the
    /// operations; each fragment on its own must also stay within it.
    #[arg(long, env = "MAX_FRAGMENT_EXPANSION", default_value_t = Limits::DEFAULT.max_fragment_expansion, global = true)]
    pub max_fragment_expansion: usize,
}

impl Limits {
    /// The limits when nothing is set.
    pub const DEFAULT: Self = Self {
        max_query_bytes: 15_000,
        max_query_tokens: 1_000,
        max_query_nesting: 32,
        max_query_aliases: 30,
        max_query_directives: 50,
        max_query_depth: 16,
        max_query_complexity: 25_000,
        max_fragment_expansion: 2_000,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// async-graphql's message when a query exceeds `limit_depth`.
const TOO_DEEP: &str = "Query is nested too deep.";
/// async-graphql's message when a query exceeds `limit_complexity`.
const TOO_COMPLEX: &str = "Query is too complex.";

/// Rewrites async-graphql's depth and complexity refusals in `response` into errors with the
/// codes `QUERY_TOO_DEEP` and `QUERY_TOO_COMPLEX`, the limit, and the setting to change.
pub fn name_refusals(response: &mut Response, limits: &Limits) {
    // Such a refusal is the only error of a response without data.
    let [error] = response.errors.as_mut_slice() else {
        return;
    };
    if error.extensions.is_some() || !error.path.is_empty() {
        return;
    }
    *error = match error.message.as_str() {
        TOO_DEEP => refusal(
            "QUERY_TOO_DEEP",
            format!(
                "The query nests fields deeper than {} (MAX_QUERY_DEPTH).",
                limits.max_query_depth
            ),
            limits.max_query_depth,
        ),
        TOO_COMPLEX => refusal(
            "QUERY_TOO_COMPLEX",
            format!(
                "The query costs more than {} (MAX_QUERY_COMPLEXITY). Ask for smaller pages.",
                limits.max_query_complexity
            ),
            limits.max_query_complexity,
        ),
        _ => return,
    };
}

/// An error about a limit: its code, a message that names the limit and its setting.
fn refusal(code: &str, message: String, max: usize) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    extensions.set("limit", max);
    error.extensions = Some(extensions);
    error
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::PathSegment;

    fn response_with(error: ServerError) -> Response {
        Response::from_errors(vec![error])
    }

    #[test]
    fn async_graphql_refusals_get_agora_codes() {
        let limits = Limits::default();
        for (message, code) in [
            (TOO_DEEP, "QUERY_TOO_DEEP"),
            (TOO_COMPLEX, "QUERY_TOO_COMPLEX"),
        ] {
            let mut response = response_with(ServerError::new(message, None));
            name_refusals(&mut response, &limits);
            let error = &response.errors[0];
            let extensions = error.extensions.as_ref().map(|e| e.get("code").cloned());
            assert_eq!(extensions, Some(Some(async_graphql::Value::from(code))));
        }
    }

    #[test]
    fn other_errors_are_left_alone() {
        let limits = Limits::default();
        let mut in_a_field = ServerError::new(TOO_DEEP, None);
        in_a_field.path = vec![PathSegment::Field("users".into())];
        for error in [in_a_field, ServerError::new("Unknown field \"x\"", None)] {
            let mut response = response_with(error.clone());
            name_refusals(&mut response, &limits);
            assert_eq!(response.errors, vec![error]);
        }
    }
}
