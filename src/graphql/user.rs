//! `User`: the type, its columns, inputs, queries and mutations.

use async_graphql::{
    Context, InputObject, MaybeUndefined, MergedObject, Object, Result, ResultExt,
};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition};

use super::filter::{
    BooleanFilter, DateTimeFilter, IntFilter, OrderBy, RelationFilter, StringFilter,
};
use super::mutation::{FromCreateInput, nested, required, under};
use super::post::{Post, PostField, PostWhere};
use super::{db, list_cost, listing};
use crate::domain::page::{ChildPage, Page};
use crate::domain::post::{Content, NewPostOfUser, Title};
use crate::domain::user::{Age, City, Email, NewUser, UserName, UserPatch};
use crate::entity::{post, user};
use crate::error::AppError;
use crate::store;

super::in_place::object! {
    /// A registered user.
    User = UserFields(row: user::Model);
    #[Object(name = "User")]
    /// The row id.
    "id" id: i32;
    /// The global id (Relay): `node(nodeId:)` finds this user again.
    node_id;
    columns {
        /// Display name, 2–50 characters.
        "name" name: String;
        /// E-mail address, unique, stored trimmed, lower-case and in NFC.
        "email" email: String;
        /// Age in years, 0–150.
        "age" age: i32;
        /// City, `Unknown` when not given.
        "city" city: String;
        /// Whether the account is active.
        "isActive" is_active: bool;
        /// When the user was created (UTC).
        "createdAt" created_at: DateTime<Utc>;
        /// When it last changed (UTC): its creation, then every write that changed it. Send it
        /// back as `expectedUpdatedAt` to write only if nobody changed it since.
        "updatedAt" updated_at: DateTime<Utc>;
    }

    /// The user's posts (by id unless `orderBy` says otherwise); `published` keeps only
    /// (un)published ones; `skip` and `limit` (1–100) page each user's posts separately.
    #[graphql(complexity = "list_cost(limit, child_complexity)")]
    async fn posts(
        &self,
        ctx: &Context<'_>,
        published: Option<bool>,
        #[graphql(name = "where")] filter: Option<PostWhere>,
        order_by: Option<Vec<OrderBy<PostField>>>,
        skip: Option<i32>,
        limit: Option<i32>,
    ) -> Result<Vec<Post>> {
        let page = ChildPage::parse(skip, limit).extend()?;
        let published =
            Condition::all().add_option(published.map(|p| post::Column::Published.eq(p)));
        let (filter, order_by) = (filter.as_ref(), order_by.as_deref());
        let author = post::Column::AuthorId;
        listing::children(ctx, self.row.id, author, filter, published, order_by, page).await
    }
}

super::table::entity! {
    node: User(user);
    /// A column of users, for ordering and grouping.
    field: UserField;
    /// Conditions on users; all given ones must hold.
    filter: UserWhere;
    /// The grouped fields of a group of users (null when not grouped by that field).
    key: UserGroupKey;
    aggregate: UserAggregate;
    columns {
        Id id: i32, IntFilter;
        Name name: String, StringFilter;
        Email email: String, StringFilter;
        Age age: i32, IntFilter;
        City city: String, StringFilter;
        IsActive is_active: bool, BooleanFilter;
        CreatedAt created_at: DateTime<Utc>, DateTimeFilter;
        UpdatedAt updated_at: DateTime<Utc>, DateTimeFilter;
    }
    relations {
        /// Conditions on the user's posts.
        posts: RelationFilter<PostWhere> = post::Column::AuthorId => Id;
    }
}

super::aggregate::aggregate! {
    /// Statistics of one group of users.
    UserAggregate(user) key UserGroupKey {
        /// How many users are in the group.
        count;
        sum
            /// Sums over a group of users.
            UserSum { Age age: i32 }
        avg
            /// Averages over a group of users.
            UserAvg { Age age }
        min_max
            /// Minima or maxima over a group of users.
            UserMinMax {
                Age age: i32,
                CreatedAt created_at: DateTime<Utc>,
                UpdatedAt updated_at: DateTime<Utc>
            }
    }
}

/// The fields of a new user.
#[derive(InputObject)]
pub struct CreateUserInput {
    /// 2–50 characters after trimming.
    name: String,
    /// Trimmed and lower-cased, then checked: at most 100 characters, `local@domain.tld`, unique.
    email: String,
    /// 0–150.
    age: i32,
    /// At most 50 characters; `Unknown` when omitted (an upsert keeps the user's city).
    city: Option<String>,
    /// Whether the account is active; active when omitted (an upsert keeps the user's).
    is_active: Option<bool>,
    /// Posts to create with the user, in the same transaction (at most 100).
    posts: Option<Vec<NewPostOfUserInput>>,
}

/// A post created with its author.
#[derive(InputObject)]
pub struct NewPostOfUserInput {
    /// 5–100 characters after trimming.
    title: String,
    /// At least 20 characters once trimmed; stored as sent.
    content: String,
    /// Published at once; not when omitted.
    published: Option<bool>,
}

impl FromCreateInput<CreateUserInput> for NewUser {
    fn from_input(input: CreateUserInput, at: Option<&str>) -> Result<Self, AppError> {
        let fields = || -> Result<Self, AppError> {
            Ok(Self {
                name: UserName::parse(&input.name)?,
                email: Email::parse(&input.email)?,
                age: Age::parse(input.age)?,
                city: input.city.as_deref().map(City::parse).transpose()?,
                is_active: input.is_active,
                posts: Vec::new(),
            })
        };
        let mut user = fields().map_err(|err| under(err, at))?;
        user.posts = nested(at, "posts", input.posts, |post| {
            Ok(NewPostOfUser {
                title: Title::parse(&post.title)?,
                content: Content::parse(&post.content)?,
                published: post.published.unwrap_or(false),
            })
        })?;
        Ok(user)
    }

    fn rows(&self) -> usize {
        1 + self.posts.len()
    }
}

/// Changes to a user; omitted fields stay as they are (none of them can be null).
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// 2–50 characters after trimming.
    name: MaybeUndefined<String>,
    /// Same rules as on creation.
    email: MaybeUndefined<String>,
    /// 0–150.
    age: MaybeUndefined<i32>,
    /// At most 50 characters.
    city: MaybeUndefined<String>,
    /// Activate or deactivate the account.
    is_active: MaybeUndefined<bool>,
}

impl TryFrom<UpdateUserInput> for UserPatch {
    type Error = AppError;

    fn try_from(input: UpdateUserInput) -> Result<Self, AppError> {
        Ok(Self {
            name: required("name", input.name)?
                .as_deref()
                .map(UserName::parse)
                .transpose()?,
            email: required("email", input.email)?
                .as_deref()
                .map(Email::parse)
                .transpose()?,
            age: required("age", input.age)?.map(Age::parse).transpose()?,
            city: required("city", input.city)?
                .as_deref()
                .map(City::parse)
                .transpose()?,
            is_active: required("isActive", input.is_active)?,
        })
    }
}

/// Queries about users: its lists, the queries every entity has, then its search.
#[derive(MergedObject, Default)]
pub struct UserQuery(UserLists, UserShared, UserSearch);

/// The lists of users.
#[derive(Default)]
pub struct UserLists;

#[Object]
impl UserLists {
    /// Users, one page at a time (`limit` 1–100), by id unless `orderBy` says otherwise.
    #[graphql(complexity = "list_cost(limit, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] skip: Option<i32>,
        #[graphql(default = 10)] limit: Option<i32>,
        #[graphql(name = "where")] filter: Option<UserWhere>,
        order_by: Option<Vec<OrderBy<UserField>>>,
    ) -> Result<Vec<User>> {
        let page = Page::parse(skip, limit).extend()?;
        let (filter, order_by) = (filter.as_ref(), order_by.as_deref());
        listing::list(ctx, filter, Condition::all(), order_by, Some(page)).await
    }
}

listing::shared_queries! {
    UserShared for User;
    /// Users as a Relay connection: cursors follow `orderBy`; `first`/`last` at most 100.
    connection user_connection;
    /// Statistics of the users that match `where`, per group of `groupBy` (one group without).
    aggregate user_aggregate;
    /// The user with this id, or null.
    lookup user;
}

/// Searching users.
#[derive(Default)]
pub struct UserSearch;

#[Object]
impl UserSearch {
    /// Users whose name and/or city contain the given text, ignoring case; `%`, `_` and `\` are
    /// plain characters. By id, one page at a time (`limit` 1–100).
    #[graphql(complexity = "list_cost(limit, child_complexity)")]
    async fn search_users(
        &self,
        ctx: &Context<'_>,
        name: Option<String>,
        city: Option<String>,
        #[graphql(default = 0)] skip: Option<i32>,
        #[graphql(default = 10)] limit: Option<i32>,
    ) -> Result<Vec<User>> {
        let page = Page::parse(skip, limit).extend()?;
        let users = store::user::search(&db(ctx)?, name.as_deref(), city.as_deref(), page)
            .await
            .extend()?;
        Ok(users.into_iter().map(User::of).collect())
    }
}

super::mutation::mutations! {
    /// Changes to users.
    UserMutation for User, store::user;
    /// Registers a user, with its first `posts` when given (one transaction). Errors:
    /// `BAD_USER_INPUT`, `CONFLICT` (`Email already registered`).
    create create_user(CreateUserInput => NewUser);
    /// Registers 1–100 users (with their posts), all or none, and returns them in the order
    /// given. Errors name the item: `BAD_USER_INPUT` or `CONFLICT` on `inputs.3.email`.
    create_many create_users;
    /// Changes a user. Errors: `BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT`.
    update update_user(UpdateUserInput => UserPatch);
    others {
        /// Registers the user, or, when the (normalised) e-mail is registered, updates its
        /// name and age, and its city and `isActive` when given: one atomic statement, safe
        /// under concurrent calls. `posts` is not taken here. Errors: `BAD_USER_INPUT`.
        async fn upsert_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
            if input.posts.is_some() {
                let message = "upsertUser does not create posts; use createUser or createPost";
                return Err(async_graphql::ErrorExtensions::extend(&AppError::bad_input("input.posts", message)));
            }
            let new = NewUser::from_input(input, None).extend()?;
            let user = store::user::upsert(&db(ctx)?, new).await.extend()?;
            Ok(User::of(user))
        }
    }
    /// Deletes a user and all their posts; returns the user as it was. Errors: `NOT_FOUND`.
    delete delete_user;
}
