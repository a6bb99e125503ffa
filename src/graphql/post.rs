//! `Post`: the type, its columns, inputs, queries and mutations.

use async_graphql::{
    Context, ErrorExtensions, InputObject, MaybeUndefined, MergedObject, Object, Result, ResultExt,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition};

use super::filter::{BooleanFilter, DateTimeFilter, IntFilter, OrderBy, StringFilter};
use super::loader::Joined;
use super::mutation::{FromCreateInput, required, under};
use super::table::Table as _;
use super::user::{User, UserWhere};
use super::{db, list_cost, listing, loader};
use crate::domain::page::Page;
use crate::domain::post::{Content, NewPost, PostPatch, Title};
use crate::entity::{post, user};
use crate::error::AppError;
use crate::store;

super::in_place::object! {
    /// A post written by a user.
    Post = PostFields(row: post::Model, author: Joined<user::Model>);
    #[Object(name = "Post")]
    /// The row id.
    "id" id: i32;
    /// The global id (Relay): `node(nodeId:)` finds this post again.
    node_id;
    columns {
        /// Title, 5–100 characters.
        "title" title: String;
        /// Body, at least 20 characters.
        "content" content: String;
        /// Whether the post is published.
        "published" published: bool;
        /// The id of the author.
        "authorId" author_id: i32;
        /// When the post was created (UTC).
        "createdAt" created_at: DateTime<Utc>;
        /// When it last changed (UTC): its creation, then every write that changed it. Send it
        /// back as `expectedUpdatedAt` to write only if nobody changed it since.
        "updatedAt" updated_at: DateTime<Utc>;
    }

    /// The author.
    async fn author(&self, ctx: &Context<'_>) -> Result<User> {
        let author = loader::to_one(ctx, self.row.author_id, &self.author).await?;
        // Only a concurrent delete of the author (and so of this post) can make it vanish.
        author.ok_or_else(|| AppError::NotFound("Author not found").extend())
    }
}

super::table::entity! {
    node: Post(post) joins author: user;
    /// A column of posts, for ordering and grouping.
    field: PostField;
    /// Conditions on posts; all given ones must hold.
    filter: PostWhere;
    /// The grouped fields of a group of posts (null when not grouped by that field).
    key: PostGroupKey;
    aggregate: PostAggregate;
    columns {
        Id id: i32, IntFilter;
        Title title: String, StringFilter;
        Content content: String, StringFilter;
        Published published: bool, BooleanFilter;
        AuthorId author_id: i32, IntFilter;
        CreatedAt created_at: DateTime<Utc>, DateTimeFilter;
        UpdatedAt updated_at: DateTime<Utc>, DateTimeFilter;
    }
    relations {
        /// Conditions on the author.
        author: Box<UserWhere> = user::Column::Id => AuthorId;
    }
}

super::aggregate::aggregate! {
    /// Statistics of one group of posts.
    PostAggregate(post) key PostGroupKey {
        /// How many posts are in the group.
        count;
        min_max
            /// Minima or maxima over a group of posts.
            PostMinMax {
                CreatedAt created_at: DateTime<Utc>,
                UpdatedAt updated_at: DateTime<Utc>
            }
    }
}

/// The fields of a new post.
#[derive(InputObject)]
pub struct CreatePostInput {
    /// 5–100 characters after trimming.
    title: String,
    /// At least 20 characters once trimmed; stored as sent, byte for byte.
    content: String,
    /// An existing user.
    author_id: i32,
}

impl FromCreateInput<CreatePostInput> for NewPost {
    fn from_input(input: CreatePostInput, at: Option<&str>) -> Result<Self, AppError> {
        let fields = || -> Result<Self, AppError> {
            Ok(Self {
                title: Title::parse(&input.title)?,
                content: Content::parse(&input.content)?,
                author_id: input.author_id,
            })
        };
        fields().map_err(|err| under(err, at))
    }

    fn rows(&self) -> usize {
        1
    }
}

/// Changes to a post; omitted fields stay as they are (none of them can be null).
#[derive(InputObject)]
pub struct UpdatePostInput {
    /// 5–100 characters after trimming.
    title: MaybeUndefined<String>,
    /// At least 20 characters once trimmed; stored as sent.
    content: MaybeUndefined<String>,
}

impl TryFrom<UpdatePostInput> for PostPatch {
    type Error = AppError;

    fn try_from(input: UpdatePostInput) -> Result<Self, AppError> {
        Ok(Self {
            title: required("title", input.title)?
                .as_deref()
                .map(Title::parse)
                .transpose()?,
            content: required("content", input.content)?
                .as_deref()
                .map(Content::parse)
                .transpose()?,
        })
    }
}

/// Queries about posts: its lists, then the queries every entity has.
#[derive(MergedObject, Default)]
pub struct PostQuery(PostLists, PostShared);

/// The lists of posts.
#[derive(Default)]
pub struct PostLists;

#[Object]
impl PostLists {
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
        listing::list(ctx, filter, old_filters, order_by, Some(page)).await
    }
}

listing::shared_queries! {
    PostShared for Post;
    /// Posts as a Relay connection: cursors follow `orderBy`; `first`/`last` at most 100.
    connection post_connection;
    /// Statistics of the posts that match `where`, per group of `groupBy` (one group without).
    aggregate post_aggregate;
    /// The post with this id, or null.
    lookup post;
}

super::mutation::mutations! {
    /// Changes to posts.
    PostMutation for Post, store::post;
    /// Writes a post (unpublished). Errors: `BAD_USER_INPUT`, `NOT_FOUND` (`Author not found`).
    create create_post(CreatePostInput => NewPost);
    /// Writes 1–100 posts (unpublished), all or none, and returns them in the order given.
    /// Errors name the item: `BAD_USER_INPUT` on `inputs.3.title`, `NOT_FOUND` on
    /// `inputs.3.authorId`.
    create_many create_posts;
    /// Changes a post's title and/or content. Errors: `BAD_USER_INPUT`, `NOT_FOUND`.
    update update_post(UpdatePostInput => PostPatch);
    others {
        /// Publishes a post (publishing twice is harmless). Errors: `NOT_FOUND`, `CONFLICT`
        /// (reason `STALE`).
        async fn publish_post(
            &self,
            ctx: &Context<'_>,
            id: i32,
            #[graphql(desc = "Publish only if the post's `updatedAt` is still this (else \
                              `CONFLICT`, reason `STALE`).")]
            expected_updated_at: Option<DateTime<Utc>>,
        ) -> Result<Post> {
            let post = store::post::publish(&db(ctx)?, id, expected_updated_at)
                .await
                .extend()?;
            Ok(Post::from_row(post))
        }
    }
    /// Deletes a post; returns it as it was. Errors: `NOT_FOUND`.
    delete delete_post;
}
