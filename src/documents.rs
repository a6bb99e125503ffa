//! Parsed GraphQL documents by their text, so a query a client sends again is not parsed again;
//! and the one change agora makes to a parsed document (unprovided variables).

use std::sync::{Mutex, MutexGuard, PoisonError};

use std::collections::HashSet;

use async_graphql::Name;
use async_graphql::parser::types::{
    Directive, DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::parser::{Positioned, parse_query};
use async_graphql_value::Value;
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

/// Takes out of `request`'s document every input object field whose value is a variable the
/// request does not provide (and that has no default).
///
/// GraphQL says such a field is not provided at all, but async-graphql hands it over as
/// `null`; and for an update, omitted ("leave it as it is") and `null` ("clear it", or refused)
/// differ. So `updateUser(id: 1, input: { name: $name })` without `$name` keeps the name.
pub fn omit_unprovided_variables(request: &mut async_graphql::Request) {
    let wanted = request.operation_name.clone();
    let variables = std::mem::take(&mut request.variables);
    let rewritten = request
        .parsed_query()
        .ok()
        .and_then(|document| without_unprovided(document, wanted.as_deref(), &variables));
    request.variables = variables;
    if let Some(document) = rewritten {
        request.set_parsed_query(document);
    }
}

/// `document` without the input object fields that name an unprovided variable of the
/// operation `wanted`, or `None` when there are none.
fn without_unprovided(
    document: &ExecutableDocument,
    wanted: Option<&str>,
    variables: &async_graphql::Variables,
) -> Option<ExecutableDocument> {
    let is_wanted = |name: Option<&Name>| wanted.is_none_or(|w| name.is_some_and(|n| n == w));
    let (_, operation) = document
        .operations
        .iter()
        .find(|(name, _)| is_wanted(*name))?;
    // A non-null variable that is missing stays an error, as async-graphql reports it.
    let unprovided: HashSet<Name> = operation
        .node
        .variable_definitions
        .iter()
        .map(|definition| &definition.node)
        .filter(|definition| {
            definition.var_type.node.nullable
                && definition.default_value.is_none()
                && !variables.contains_key(&definition.name.node)
        })
        .map(|definition| definition.name.node.clone())
        .collect();
    if unprovided.is_empty() {
        return None;
    }
    let mut document = document.clone();
    for fragment in document.fragments.values_mut() {
        omit_in_selections(&mut fragment.node.selection_set, &unprovided);
    }
    let mut used = HashSet::new();
    for fragment in document.fragments.values() {
        variables_in_selections(&fragment.node.selection_set, &mut used);
    }
    let operation = match &mut document.operations {
        DocumentOperations::Single(operation) => Some(operation),
        DocumentOperations::Multiple(operations) => operations
            .iter_mut()
            .find(|(name, _)| is_wanted(Some(*name)))
            .map(|(_, operation)| operation),
    }?;
    omit_in_selections(&mut operation.node.selection_set, &unprovided);
    variables_in_selections(&operation.node.selection_set, &mut used);
    // A variable no longer used anywhere would be a validation error: it goes too.
    operation.node.variable_definitions.retain(|definition| {
        let name = &definition.node.name.node;
        !unprovided.contains(name) || used.contains(name)
    });
    Some(document)
}

fn omit_in_selections(selections: &mut Positioned<SelectionSet>, unprovided: &HashSet<Name>) {
    for selection in &mut selections.node.items {
        match &mut selection.node {
            Selection::Field(field) => {
                for (_, value) in &mut field.node.arguments {
                    omit_in_value(&mut value.node, unprovided);
                }
                omit_in_selections(&mut field.node.selection_set, unprovided);
            }
            Selection::InlineFragment(fragment) => {
                omit_in_selections(&mut fragment.node.selection_set, unprovided);
            }
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// Adds the variables that `selections` use (in arguments and directives) to `used`.
fn variables_in_selections(selections: &Positioned<SelectionSet>, used: &mut HashSet<Name>) {
    let in_directives = |directives: &[Positioned<Directive>], used: &mut HashSet<Name>| {
        for directive in directives {
            for (_, value) in &directive.node.arguments {
                variables_in_value(&value.node, used);
            }
        }
    };
    for selection in &selections.node.items {
        match &selection.node {
            Selection::Field(field) => {
                for (_, value) in &field.node.arguments {
                    variables_in_value(&value.node, used);
                }
                in_directives(&field.node.directives, used);
                variables_in_selections(&field.node.selection_set, used);
            }
            Selection::InlineFragment(fragment) => {
                in_directives(&fragment.node.directives, used);
                variables_in_selections(&fragment.node.selection_set, used);
            }
            Selection::FragmentSpread(spread) => in_directives(&spread.node.directives, used),
        }
    }
}

fn variables_in_value(value: &Value, used: &mut HashSet<Name>) {
    match value {
        Value::Variable(name) => {
            used.insert(name.clone());
        }
        Value::Object(fields) => fields
            .values()
            .for_each(|field| variables_in_value(field, used)),
        Value::List(items) => items.iter().for_each(|item| variables_in_value(item, used)),
        _ => {}
    }
}

fn omit_in_value(value: &mut Value, unprovided: &HashSet<Name>) {
    match value {
        Value::Object(fields) => {
            fields.retain(
                |_, field| !matches!(field, Value::Variable(name) if unprovided.contains(name)),
            );
            for field in fields.values_mut() {
                omit_in_value(field, unprovided);
            }
        }
        Value::List(items) => {
            for item in items {
                omit_in_value(item, unprovided);
            }
        }
        _ => {}
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

    #[test]
    fn a_field_of_an_unprovided_variable_is_left_out_and_the_rest_kept() {
        let query = "mutation($id: Int!, $name: String, $age: Int = 3, $city: String) { \
                     updateUser(id: $id, input: { name: $name, age: $age, city: $city, \
                     isActive: true }) { id } }";
        let mut request = async_graphql::Request::new(query).variables(
            async_graphql::Variables::from_json(serde_json::json!({ "id": 1, "city": null })),
        );
        omit_unprovided_variables(&mut request);
        let Ok(document) = request.parsed_query() else {
            panic!("the query parses");
        };
        let (_, operation) = document.operations.iter().next().expect("one operation");
        let Some(Selection::Field(field)) = operation
            .node
            .selection_set
            .node
            .items
            .first()
            .map(|s| &s.node)
        else {
            panic!("a field");
        };
        let Some((_, input)) = field.node.arguments.iter().find(|(n, _)| n.node == "input") else {
            panic!("an input argument");
        };
        let Value::Object(fields) = &input.node else {
            panic!("an object");
        };
        let kept: Vec<&str> = fields.keys().map(Name::as_str).collect();
        // `$name` was not sent: left out. `$age` has a default and `$city` was sent as null.
        assert_eq!(kept, ["age", "city", "isActive"]);
        let defined: Vec<&str> = operation
            .node
            .variable_definitions
            .iter()
            .map(|definition| definition.node.name.node.as_str())
            .collect();
        assert_eq!(defined, ["id", "age", "city"], "`$name` is no longer used");
    }
}
