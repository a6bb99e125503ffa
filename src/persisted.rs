//! Automatic persisted queries (Apollo's APQ protocol): a client sends the SHA-256 of a query
//! instead of the query once the server knows it, so queries fit in a GET URL and HTTP caches.

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use sha2::{Digest as _, Sha256};

/// Queries kept by hash (least recently used go first).
const CAPACITY: usize = 1_000;

/// The persisted queries this server has seen, bounded.
pub struct PersistedQueries {
    cache: Mutex<LruCache<String, Arc<str>>>,
}

impl Default for PersistedQueries {
    fn default() -> Self {
        Self {
            cache: Mutex::new(LruCache::new(
                NonZeroUsize::new(CAPACITY).unwrap_or(NonZeroUsize::MIN),
            )),
        }
    }
}

/// Why a persisted-query request cannot run.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The hash is unknown: the client should send the query with it (`PERSISTED_QUERY_NOT_FOUND`).
    NotFound,
    /// The query's SHA-256 is not the hash sent with it.
    HashMismatch,
    /// The `persistedQuery` extension is not `{ version: 1, sha256Hash: "<hex>" }`.
    Unsupported,
}

impl PersistedQueries {
    /// Applies the `persistedQuery` extension of `request`, if any: fills in the query from
    /// the cache, or checks the query against its hash. Returns the hash to remember once the
    /// query has passed the document limits.
    ///
    /// # Errors
    /// A `Refusal` when the hash is unknown, does not match, or the extension is malformed.
    pub fn resolve(&self, request: &mut async_graphql::Request) -> Result<Option<String>, Refusal> {
        let Some(extension) = request.extensions.get("persistedQuery") else {
            return Ok(None);
        };
        let extension = extension
            .clone()
            .into_json()
            .map_err(|_| Refusal::Unsupported)?;
        let hash = match (
            extension["version"].as_i64(),
            extension["sha256Hash"].as_str(),
        ) {
            (Some(1), Some(hash)) if hash.len() == 64 => hash.to_ascii_lowercase(),
            _ => return Err(Refusal::Unsupported),
        };
        if request.query.is_empty() {
            let cache = self.cache.lock();
            let query = cache.ok().and_then(|mut cache| cache.get(&hash).cloned());
            request.query = query.ok_or(Refusal::NotFound)?.to_string();
            return Ok(None);
        }
        if hex::encode(Sha256::digest(request.query.as_bytes())) != hash {
            return Err(Refusal::HashMismatch);
        }
        Ok(Some(hash))
    }

    /// Remembers `query` under `hash`.
    pub fn remember(&self, hash: String, query: &str) {
        if let Ok(mut cache) = self.cache.lock() {
            cache.put(hash, Arc::from(query));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_extension(query: &str, hash: &str) -> async_graphql::Request {
        let extension = serde_json::json!({ "version": 1, "sha256Hash": hash });
        let mut request = async_graphql::Request::new(query);
        request.extensions.insert(
            "persistedQuery".to_owned(),
            async_graphql::Value::from_json(extension).unwrap_or_default(),
        );
        request
    }

    #[test]
    fn a_query_is_found_by_its_hash_once_remembered() {
        let queries = PersistedQueries::default();
        let query = "{ users { id } }";
        let hash = hex::encode(Sha256::digest(query));
        let mut unknown = with_extension("", &hash);
        assert_eq!(queries.resolve(&mut unknown), Err(Refusal::NotFound));
        let mut first = with_extension(query, &hash);
        assert_eq!(queries.resolve(&mut first), Ok(Some(hash.clone())));
        queries.remember(hash.clone(), query);
        let mut again = with_extension("", &hash);
        assert_eq!(queries.resolve(&mut again), Ok(None));
        assert_eq!(again.query, query);
    }

    #[test]
    fn a_wrong_hash_is_refused() {
        let queries = PersistedQueries::default();
        let mut request = with_extension("{ users { id } }", &"0".repeat(64));
        assert_eq!(queries.resolve(&mut request), Err(Refusal::HashMismatch));
    }
}
