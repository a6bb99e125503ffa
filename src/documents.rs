//! Parsed GraphQL documents by their text, so a query a client sends again is not parsed again.

use std::sync::{Mutex, MutexGuard, PoisonError};

use async_graphql::parser::{parse_query, types::ExecutableDocument};
use lru::LruCache;

/// Query text kept in all (least recently used go first). The parsed form grows with the
/// text, so this bounds the cache's memory whatever documents clients send.
const BUDGET_BYTES: usize = 256 * 1024;
/// Longer documents are parsed every time: they are rare, and would crowd out the rest.
const MAX_CACHED_BYTES: usize = 16 * 1024;

/// The documents this server parsed most recently, within a budget of query text.
#[derive(Default)]
pub struct ParsedDocuments {
    cache: Mutex<Cache>,
}

struct Cache {
    documents: LruCache<String, ExecutableDocument>,
    /// Bytes of query text in `documents`.
    bytes: usize,
}

impl Default for Cache {
    fn default() -> Self {
        Self {
            documents: LruCache::unbounded(),
            bytes: 0,
        }
    }
}

impl Cache {
    fn insert(&mut self, query: String, document: ExecutableDocument) {
        let size = query.len();
        if self.documents.put(query, document).is_none() {
            self.bytes += size;
        }
        while self.bytes > BUDGET_BYTES {
            let Some((evicted, _)) = self.documents.pop_lru() else {
                break;
            };
            self.bytes -= evicted.len();
        }
    }
}

impl ParsedDocuments {
    /// Gives `request` its parsed document, from the cache or freshly parsed (and then
    /// remembered). A document that does not parse is left to the executor, which reports it
    /// the standard way.
    pub fn attach(&self, request: &mut async_graphql::Request) {
        if let Some(document) = self.lock().documents.get(request.query.as_str()) {
            request.set_parsed_query(document.clone());
            return;
        }
        let Ok(document) = parse_query(&request.query) else {
            return;
        };
        if request.query.len() <= MAX_CACHED_BYTES {
            self.lock().insert(request.query.clone(), document.clone());
        }
        request.set_parsed_query(document);
    }

    fn lock(&self) -> MutexGuard<'_, Cache> {
        // A panic elsewhere cannot leave the cache inconsistent in a way that matters: at worst
        // `bytes` overstates what is kept, and the cache evicts early.
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attach(documents: &ParsedDocuments, query: &str) -> async_graphql::Request {
        let mut request = async_graphql::Request::new(query);
        documents.attach(&mut request);
        request
    }

    #[test]
    fn a_repeated_query_is_served_from_the_cache() {
        let documents = ParsedDocuments::default();
        attach(&documents, "{ users { id } }");
        assert_eq!(documents.lock().documents.len(), 1);
        let mut second = attach(&documents, "{ users { id } }");
        assert_eq!(documents.lock().documents.len(), 1);
        let parsed = second
            .parsed_query()
            .map(|doc| doc.operations.iter().count());
        assert_eq!(parsed.ok(), Some(1));
    }

    #[test]
    fn a_document_that_does_not_parse_is_not_cached() {
        let documents = ParsedDocuments::default();
        let mut request = attach(&documents, "{ users { id }");
        assert_eq!(documents.lock().documents.len(), 0);
        assert!(request.parsed_query().is_err());
    }

    #[test]
    fn long_documents_are_parsed_but_not_kept() {
        let documents = ParsedDocuments::default();
        let padding = " ".repeat(MAX_CACHED_BYTES);
        let mut request = attach(&documents, &format!("{{ users {{ id }} }}{padding}"));
        assert_eq!(documents.lock().documents.len(), 0);
        assert!(request.parsed_query().is_ok());
    }

    #[test]
    fn the_cache_keeps_within_its_budget_dropping_the_least_recently_used() {
        let documents = ParsedDocuments::default();
        let padding = " ".repeat(MAX_CACHED_BYTES - 100);
        let query = |n: usize| format!("{{ a{n}: users {{ id }} }}{padding}");
        let count = 2 * BUDGET_BYTES / MAX_CACHED_BYTES;
        for n in 0..count {
            attach(&documents, &query(n));
            // The first document stays in use, so it is never the least recently used.
            attach(&documents, &query(0));
        }
        let cache = documents.lock();
        let kept: usize = cache.documents.iter().map(|(text, _)| text.len()).sum();
        assert_eq!(cache.bytes, kept);
        assert!(kept <= BUDGET_BYTES, "{kept}");
        assert!(cache.documents.len() < count);
        assert!(cache.documents.contains(&query(0)));
        assert!(!cache.documents.contains(&query(1)));
    }
}
