//! `Post`: the type, its inputs, queries and mutations.

use async_graphql::{Context, ErrorExtensions, InputObject, Object, Result, ResultExt};
use chrono::{DateTime, Utc};

use super::loader::UserById;
use super::user::User;
use super::{db, loader};
use crate::domain::page::Page;
use crate::domain::post::{NewPost, PostPatch};
use crate::entity::post;
use crate::error::AppError;
use crate::store;

/// A post written by a user.
pub struct Post(pub(super) post::Model);

#[Object]
impl Post {
    /// The row id.
    async fn id(&self) -> i32 {
        self.0.id
    }

    /// Title, 5–100 characters.
    async fn title(&self) -> &str {
        &self.0.title
    }

    /// Body, at least 20 characters.
    async fn content(&self) -> &str {
        &self.0.content
    }

    /// Whether the post is published.
    async fn published(&self) -> bool {
        self.0.published
    }

    /// The id of the author.
    async fn author_id(&self) -> i32 {
        self.0.author_id
    }

    /// When the post was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The author.
    async fn author(&self, ctx: &Context<'_>) -> Result<User> {
        let author = loader(ctx)?
            .load_one(UserById(self.0.author_id))
            .await
            .extend()?;
        // Only a concurrent delete of the author (and so of this post) can make it vanish.
        author
            .map(User)
            .ok_or_else(|| AppError::NotFound("Author not found").extend())
    }
}

/// The fields of a new post.
#[derive(InputObject)]
pub struct CreatePostInput {
    /// 5–100 characters after trimming.
    title: String,
    /// At least 20 characters after trimming.
    content: String,
    /// An existing user.
    author_id: i32,
}

/// Changes to a post; omitted or null fields stay as they are.
#[derive(InputObject)]
pub struct UpdatePostInput {
    /// 5–100 characters after trimming.
    title: Option<String>,
    /// At least 20 characters after trimming.
    content: Option<String>,
}

/// Queries about posts.
#[derive(Default)]
pub struct PostQuery;

#[Object]
impl PostQuery {
    /// Posts ordered by id, one page at a time (`limit` 1–100), optionally only (un)published
    /// ones or one author's.
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] skip: Option<i32>,
        #[graphql(default = 10)] limit: Option<i32>,
        published: Option<bool>,
        author_id: Option<i32>,
    ) -> Result<Vec<Post>> {
        let page = Page::parse(skip, limit).extend()?;
        let posts = store::post::list(db(ctx)?, page, published, author_id)
            .await
            .extend()?;
        Ok(posts.into_iter().map(Post).collect())
    }

    /// The post with this id, or null.
    async fn post(&self, ctx: &Context<'_>, id: i32) -> Result<Option<Post>> {
        let post = store::post::find(db(ctx)?, id).await.extend()?;
        Ok(post.map(Post))
    }
}

/// Changes to posts.
#[derive(Default)]
pub struct PostMutation;

#[Object]
impl PostMutation {
    /// Writes a post (unpublished). Errors: `BAD_USER_INPUT`, `NOT_FOUND` (`Author not found`).
    async fn create_post(&self, ctx: &Context<'_>, input: CreatePostInput) -> Result<Post> {
        let new = NewPost::parse(&input.title, &input.content, input.author_id).extend()?;
        let post = store::post::create(db(ctx)?, new).await.extend()?;
        Ok(Post(post))
    }

    /// Changes a post's title and/or content. Errors: `BAD_USER_INPUT`, `NOT_FOUND`.
    async fn update_post(
        &self,
        ctx: &Context<'_>,
        id: i32,
        input: UpdatePostInput,
    ) -> Result<Post> {
        let patch = PostPatch::parse(input.title.as_deref(), input.content.as_deref()).extend()?;
        let post = store::post::update(db(ctx)?, id, patch).await.extend()?;
        Ok(Post(post))
    }

    /// Publishes a post (publishing twice is harmless). Errors: `NOT_FOUND`.
    async fn publish_post(&self, ctx: &Context<'_>, id: i32) -> Result<Post> {
        let post = store::post::publish(db(ctx)?, id).await.extend()?;
        Ok(Post(post))
    }

    /// Deletes a post; returns it as it was. Errors: `NOT_FOUND`.
    async fn delete_post(&self, ctx: &Context<'_>, id: i32) -> Result<Post> {
        let post = store::post::delete(db(ctx)?, id).await.extend()?;
        Ok(Post(post))
    }
}
