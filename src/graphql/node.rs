//! Relay's global object identification (SPEC section 9): the `Node` interface with an opaque
//! `nodeId` (the type and the row id), and `node` / `nodes` to fetch anything by it, batched
//! one statement per type.

use async_graphql::futures_util::future::try_join_all;
use async_graphql::{Context, ID, Interface, Object, Result, ResultExt};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::category::Category;
use super::loader::ById;
use super::post::Post;
use super::product::Product;
use super::table::Table;
use super::user::User;
use super::{list_cost, loader};
use crate::domain::page::MAX_LIMIT;
use crate::error::AppError;

/// An object with a global id, to refetch it with `node(nodeId:)`.
#[derive(Interface)]
#[graphql(field(
    name = "node_id",
    ty = "ID",
    desc = "The global id: opaque, the same for the same row, unlike any other object's."
))]
pub enum Node {
    /// A user.
    User(User),
    /// A post.
    Post(Post),
    /// A category.
    Category(Category),
    /// A product.
    Product(Product),
}

/// The global id of row `id` of `T`: `User:42`, base64-encoded (as graphql-relay writes them).
pub fn global_id<T: Table>(id: i32) -> ID {
    ID(STANDARD.encode(format!("{}:{id}", T::NAME)))
}

/// The type name and row id in a global id, if it is one.
fn parse_global_id(id: &str) -> Option<(String, i32)> {
    let decoded = String::from_utf8(STANDARD.decode(id).ok()?).ok()?;
    let (name, row) = decoded.split_once(':')?;
    // Only the canonical form: `+1` or `01` would name the same row under another id.
    let row: i32 = row.parse().ok()?;
    (format!("{name}:{row}") == decoded).then(|| (name.to_owned(), row))
}

/// Row `id` of `T` as a `Node`, through the request's loader (batched with every other id
/// of the same type).
async fn load<T: Table>(ctx: &Context<'_>, id: i32, node: fn(T) -> Node) -> Result<Option<Node>> {
    let row = loader(ctx)?.load_one(ById::<T>::new(id)).await.extend()?;
    Ok(row.map(|row| node(T::from_row(row))))
}

/// The object a global id names, or `None` for an unknown or malformed id.
async fn resolve(ctx: &Context<'_>, id: &str) -> Result<Option<Node>> {
    let Some((name, row)) = parse_global_id(id) else {
        return Ok(None);
    };
    match name.as_str() {
        name if name == User::NAME => load::<User>(ctx, row, Node::User).await,
        name if name == Post::NAME => load::<Post>(ctx, row, Node::Post).await,
        name if name == Category::NAME => load::<Category>(ctx, row, Node::Category).await,
        name if name == Product::NAME => load::<Product>(ctx, row, Node::Product).await,
        _ => Ok(None),
    }
}

/// The cost of `nodes`: one per id asked for (at most 100), each costing what it selects.
fn nodes_cost(ids: usize, child_complexity: usize) -> usize {
    let size = i32::try_from(ids).unwrap_or(i32::MAX);
    list_cost(Some(size), child_complexity)
}

/// The `node` and `nodes` queries.
#[derive(Default)]
pub struct NodeQuery;

#[Object]
impl NodeQuery {
    /// The object with this global id (any type), or null when there is none or the id is
    /// not one of agora's.
    async fn node(&self, ctx: &Context<'_>, node_id: ID) -> Result<Option<Node>> {
        resolve(ctx, &node_id).await
    }

    /// The objects with these global ids, in order (at most 100): null for an unknown or
    /// malformed id. One statement per type asked for.
    #[graphql(complexity = "nodes_cost(node_ids.len(), child_complexity)")]
    async fn nodes(&self, ctx: &Context<'_>, node_ids: Vec<ID>) -> Result<Vec<Option<Node>>> {
        let max = usize::try_from(MAX_LIMIT).unwrap_or(usize::MAX);
        if node_ids.len() > max {
            return Err(AppError::bad_input(
                "nodeIds",
                format!("nodeIds takes at most {MAX_LIMIT} ids"),
            ))
            .extend();
        }
        try_join_all(node_ids.iter().map(|id| resolve(ctx, id))).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_global_id_names_its_type_and_row() {
        let id = global_id::<Post>(42);
        assert_eq!(id.as_str(), "UG9zdDo0Mg==");
        assert_eq!(parse_global_id(&id), Some(("Post".to_owned(), 42)));
    }

    #[test]
    fn malformed_and_non_canonical_ids_are_no_ids() {
        for id in [
            "",
            "!!!",
            "UG9zdA==",
            "UG9zdDp4",
            "UG9zdDorNDI=",
            "UG9zdDowNDI=",
        ] {
            assert_eq!(parse_global_id(id), None, "{id}");
        }
    }
}
