//! Depth and cost limits on a parsed query, each refused with an error code of its own.

use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextValidation};
use async_graphql::{ErrorExtensionValues, ServerError, ValidationResult};

use super::SchemaLimits;

/// The extension that enforces `SchemaLimits` after validation has measured the query.
pub struct QueryLimits(pub SchemaLimits);

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(QueryLimitsExtension(self.0))
    }
}

struct QueryLimitsExtension(SchemaLimits);

/// An error about a limit: its code, and a message that names the limit and its setting.
fn refusal(code: &str, message: String, max: usize) -> Vec<ServerError> {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", code);
    extensions.set("limit", max);
    error.extensions = Some(extensions);
    vec![error]
}

#[async_graphql::async_trait::async_trait]
impl Extension for QueryLimitsExtension {
    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let measured = next.run(ctx).await?;
        let SchemaLimits {
            max_depth,
            max_complexity,
        } = self.0;
        if measured.depth > max_depth {
            return Err(refusal(
                "QUERY_TOO_DEEP",
                format!(
                    "The query nests fields {} deep; the limit is {max_depth} (MAX_QUERY_DEPTH).",
                    measured.depth
                ),
                max_depth,
            ));
        }
        if measured.complexity > max_complexity {
            return Err(refusal(
                "QUERY_TOO_COMPLEX",
                format!(
                    "The query costs {}; the limit is {max_complexity} (MAX_QUERY_COMPLEXITY). \
                     Ask for smaller pages.",
                    measured.complexity
                ),
                max_complexity,
            ));
        }
        Ok(measured)
    }
}
