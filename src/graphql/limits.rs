//! Depth and cost limits on a parsed query: async-graphql enforces them while it validates (no
//! per-field hook needed); this gives its refusals agora's codes and names the settings.

use async_graphql::{ErrorExtensionValues, Response, ServerError};

use super::SchemaLimits;

/// async-graphql's message when a query exceeds `limit_depth`.
const TOO_DEEP: &str = "Query is nested too deep.";
/// async-graphql's message when a query exceeds `limit_complexity`.
const TOO_COMPLEX: &str = "Query is too complex.";

/// Rewrites async-graphql's depth and complexity refusals in `response` into errors with the
/// codes `QUERY_TOO_DEEP` and `QUERY_TOO_COMPLEX`, the limit, and the setting to change.
pub fn name_refusals(response: &mut Response, limits: SchemaLimits) {
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
                limits.max_depth
            ),
            limits.max_depth,
        ),
        TOO_COMPLEX => refusal(
            "QUERY_TOO_COMPLEX",
            format!(
                "The query costs more than {} (MAX_QUERY_COMPLEXITY). Ask for smaller pages.",
                limits.max_complexity
            ),
            limits.max_complexity,
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
        let limits = SchemaLimits::default();
        for (message, code) in [
            (TOO_DEEP, "QUERY_TOO_DEEP"),
            (TOO_COMPLEX, "QUERY_TOO_COMPLEX"),
        ] {
            let mut response = response_with(ServerError::new(message, None));
            name_refusals(&mut response, limits);
            let error = &response.errors[0];
            let extensions = error.extensions.as_ref().map(|e| e.get("code").cloned());
            assert_eq!(extensions, Some(Some(async_graphql::Value::from(code))));
        }
    }

    #[test]
    fn other_errors_are_left_alone() {
        let limits = SchemaLimits::default();
        let mut in_a_field = ServerError::new(TOO_DEEP, None);
        in_a_field.path = vec![PathSegment::Field("users".into())];
        for error in [in_a_field, ServerError::new("Unknown field \"x\"", None)] {
            let mut response = response_with(error.clone());
            name_refusals(&mut response, limits);
            assert_eq!(response.errors, vec![error]);
        }
    }
}
