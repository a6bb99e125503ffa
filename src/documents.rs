//! Parsed GraphQL documents by their text, so a query a client sends again is not parsed again.

use std::num::NonZeroUsize;
use std::sync::Mutex;

use async_graphql::parser::{parse_query, types::ExecutableDocument};
use lru::LruCache;

/// Documents kept (least recently used go first).
const CAPACITY: usize = 512;
/// Longer documents are parsed every time: they are rare, and would crowd out the rest.
const MAX_CACHED_BYTES: usize = 16 * 1024;

/// The documents this server parsed most recently, bounded.
pub struct ParsedDocuments {
    cache: Mutex<LruCache<String, ExecutableDocument>>,
}

impl Default for ParsedDocuments {
    fn default() -> Self {
        Self {
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }
}

impl ParsedDocuments {
    /// Gives `request` its parsed document, from the cache or freshly parsed (and then
    /// remembered). A document that does not parse is left to the executor, which reports it
    /// the standard way.
    pub fn attach(&self, request: &mut async_graphql::Request) {
        if let Some(document) = self.lock().get(request.query.as_str()) {
            request.set_parsed_query(document.clone());
            return;
        }
        let Ok(document) = parse_query(&request.query) else {
            return;
        };
        if request.query.len() <= MAX_CACHED_BYTES {
            self.lock().put(request.query.clone(), document.clone());
        }
        request.set_parsed_query(document);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, LruCache<String, ExecutableDocument>> {
        // A panic elsewhere cannot leave a half-written entry: every write is one `put`.
        self.cache
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_query_is_served_from_the_cache() {
        let documents = ParsedDocuments::default();
        let mut first = async_graphql::Request::new("{ users { id } }");
        documents.attach(&mut first);
        assert_eq!(documents.lock().len(), 1);
        let mut second = async_graphql::Request::new("{ users { id } }");
        documents.attach(&mut second);
        assert_eq!(documents.lock().len(), 1);
        let parsed = second
            .parsed_query()
            .map(|doc| doc.operations.iter().count());
        assert_eq!(parsed.ok(), Some(1));
    }

    #[test]
    fn a_document_that_does_not_parse_is_not_cached() {
        let documents = ParsedDocuments::default();
        let mut request = async_graphql::Request::new("{ users { id }");
        documents.attach(&mut request);
        assert_eq!(documents.lock().len(), 0);
        assert!(request.parsed_query().is_err());
    }

    #[test]
    fn long_documents_are_parsed_but_not_kept() {
        let documents = ParsedDocuments::default();
        let padding = " ".repeat(MAX_CACHED_BYTES);
        let mut request = async_graphql::Request::new(format!("{{ users {{ id }} }}{padding}"));
        documents.attach(&mut request);
        assert_eq!(documents.lock().len(), 0);
        assert!(request.parsed_query().is_ok());
    }
}
