//! `Post`: the type, its inputs, queries and mutations.

use async_graphql::{
    Context, Enum, ErrorExtensions, InputObject, Object, Result, ResultExt, SimpleObject,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, DatabaseBackend};

use super::connection::{PageArgs, Paged};
use super::filter::{
    BooleanFilter, DateTimeFilter, IntFilter, OrderBy, StringFilter, WhereInput, exists_related,
};
use super::listing;
use super::loader::UserById;
use super::user::{User, UserWhere};
use super::{count_int, db, list_cost, loader};
use crate::domain::page::Page;
use crate::domain::post::{NewPost, PostPatch};
use crate::entity::{post, user};
use crate::error::AppError;
use crate::store;
use crate::store::query::{Aggregate, Group};

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

/// A column of posts, for ordering and grouping.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum PostField {
    Id,
    Title,
    Content,
    Published,
    AuthorId,
    CreatedAt,
}

impl From<PostField> for post::Column {
    fn from(field: PostField) -> Self {
        match field {
            PostField::Id => Self::Id,
            PostField::Title => Self::Title,
            PostField::Content => Self::Content,
            PostField::Published => Self::Published,
            PostField::AuthorId => Self::AuthorId,
            PostField::CreatedAt => Self::CreatedAt,
        }
    }
}

/// Conditions on posts; all given ones must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct PostWhere {
    id: Option<IntFilter>,
    title: Option<StringFilter>,
    content: Option<StringFilter>,
    published: Option<BooleanFilter>,
    author_id: Option<IntFilter>,
    created_at: Option<DateTimeFilter>,
    /// Conditions on the author.
    author: Option<Box<UserWhere>>,
    /// Every one of these holds.
    and: Option<Vec<PostWhere>>,
    /// At least one of these holds.
    or: Option<Vec<PostWhere>>,
    /// This does not hold.
    not: Option<Box<PostWhere>>,
}

impl WhereInput for PostWhere {
    fn fields(&self, backend: DatabaseBackend) -> Condition {
        use post::Column as C;
        let author = self.author.as_ref().map(|author| {
            exists_related::<user::Entity, _>(
                user::Column::Id,
                C::AuthorId,
                author.condition(backend),
            )
        });
        Condition::all()
            .add_option(self.id.as_ref().map(|f| f.condition(backend, C::Id)))
            .add_option(
                self.title
                    .as_ref()
                    .map(|f| f.condition(backend, C::Title, C::TitleFolded)),
            )
            .add_option(
                self.content
                    .as_ref()
                    .map(|f| f.condition(backend, C::Content, C::ContentFolded)),
            )
            .add_option(
                self.published
                    .as_ref()
                    .map(|f| f.condition(backend, C::Published)),
            )
            .add_option(
                self.author_id
                    .as_ref()
                    .map(|f| f.condition(backend, C::AuthorId)),
            )
            .add_option(
                self.created_at
                    .as_ref()
                    .map(|f| f.condition(backend, C::CreatedAt)),
            )
            .add_option(author)
    }

    fn and(&self) -> Option<&[Self]> {
        self.and.as_deref()
    }

    fn or(&self) -> Option<&[Self]> {
        self.or.as_deref()
    }

    fn not(&self) -> Option<&Self> {
        self.not.as_deref()
    }
}

/// The grouped fields of a group of posts (null when not grouped by that field).
#[derive(SimpleObject)]
pub struct PostGroupKey {
    id: Option<i32>,
    title: Option<String>,
    content: Option<String>,
    published: Option<bool>,
    author_id: Option<i32>,
    created_at: Option<DateTime<Utc>>,
}

/// Minima or maxima over a group of posts.
#[derive(SimpleObject)]
pub struct PostMinMax {
    created_at: Option<DateTime<Utc>>,
}

/// Statistics of one group of posts.
pub struct PostAggregate(Group);

#[Object]
impl PostAggregate {
    /// The values of the grouped fields.
    async fn key(&self) -> PostGroupKey {
        use post::Column as C;
        let group = &self.0;
        PostGroupKey {
            id: group.key(C::Id),
            title: group.key(C::Title),
            content: group.key(C::Content),
            published: group.key(C::Published),
            author_id: group.key(C::AuthorId),
            created_at: group.key(C::CreatedAt),
        }
    }

    /// How many posts are in the group.
    async fn count(&self) -> i32 {
        count_int(self.0.count)
    }

    /// Minima (null for an empty group).
    async fn min(&self) -> PostMinMax {
        PostMinMax {
            created_at: self.0.value(Aggregate::Min, post::Column::CreatedAt),
        }
    }

    /// Maxima (null for an empty group).
    async fn max(&self) -> PostMinMax {
        PostMinMax {
            created_at: self.0.value(Aggregate::Max, post::Column::CreatedAt),
        }
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
    /// Posts, one page at a time (`limit` 1–100), by id unless `orderBy` says otherwise;
    /// optionally only (un)published ones or one author's.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "list_cost(limit, child_complexity)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] skip: Option<i32>,
        #[graphql(default = 10)] limit: Option<i32>,
        published: Option<bool>,
        author_id: Option<i32>,
        #[graphql(name = "where")] filter: Option<PostWhere>,
        order_by: Option<Vec<OrderBy<PostField>>>,
    ) -> Result<Vec<Post>> {
        let page = Page::parse(skip, limit).extend()?;
        let old_filters = Condition::all()
            .add_option(published.map(|published| post::Column::Published.eq(published)))
            .add_option(author_id.map(|author_id| post::Column::AuthorId.eq(author_id)));
        let (filter, order_by) = (filter.as_ref(), order_by.as_deref());
        let id = post::Column::Id;
        let posts =
            listing::list::<post::Entity, _, _>(ctx, filter, old_filters, order_by, id, Some(page))
                .await?;
        Ok(posts.into_iter().map(Post).collect())
    }

    /// Posts as a Relay connection: cursors follow `orderBy`; `first`/`last` at most 100.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "list_cost(first.or(last), child_complexity)")]
    async fn post_connection(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        offset: Option<i32>,
        #[graphql(name = "where")] filter: Option<PostWhere>,
        order_by: Option<Vec<OrderBy<PostField>>>,
    ) -> Result<Paged<Post>> {
        let args = PageArgs::new(first, after, last, before, offset);
        let (filter, order_by) = (filter.as_ref(), order_by.as_deref());
        listing::connection_of::<post::Entity, _, _, _>(
            ctx,
            filter,
            order_by,
            post::Column::Id,
            args,
            Post,
        )
        .await
    }

    /// Statistics of the posts that match `where`, per group of `groupBy` (one group without).
    #[graphql(complexity = "list_cost(None, child_complexity)")]
    async fn post_aggregate(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<PostWhere>,
        group_by: Option<Vec<PostField>>,
    ) -> Result<Vec<PostAggregate>> {
        use post::Column as C;
        let aggregates = [
            (Aggregate::Min, C::CreatedAt),
            (Aggregate::Max, C::CreatedAt),
        ];
        let groups =
            listing::groups::<post::Entity, _, _>(ctx, filter.as_ref(), group_by, &aggregates)
                .await?;
        Ok(groups.into_iter().map(PostAggregate).collect())
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
