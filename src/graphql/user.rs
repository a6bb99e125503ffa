//! `User`: the type, its inputs, queries and mutations.

use async_graphql::{Context, Enum, InputObject, Object, Result, ResultExt, SimpleObject};
use chrono::{DateTime, Utc};
use sea_orm::{ColumnTrait, Condition, DatabaseBackend};

use super::connection::{PageArgs, Paged};
use super::filter::{
    BooleanFilter, DateTimeFilter, IntFilter, OrderBy, RelationFilter, StringFilter, WhereInput,
    condition_of, exists_related, sort_keys,
};
use super::listing;
use super::loader::PostsByAuthor;
use super::post::{Post, PostField, PostWhere};
use super::{aggregate_int, count_int, db, list_cost, loader};
use crate::domain::page::{ChildPage, Page};
use crate::domain::user::{NewUser, UserPatch};
use crate::entity::{post, user};
use crate::store;
use crate::store::query::{Aggregate, Group};

/// A registered user.
pub struct User(pub(super) user::Model);

#[Object]
impl User {
    /// The row id.
    async fn id(&self) -> i32 {
        self.0.id
    }

    /// Display name, 2–50 characters.
    async fn name(&self) -> &str {
        &self.0.name
    }

    /// E-mail address, unique, stored trimmed and lower-case.
    async fn email(&self) -> &str {
        &self.0.email
    }

    /// Age in years, 0–150.
    async fn age(&self) -> i32 {
        self.0.age
    }

    /// City, `Unknown` when not given.
    async fn city(&self) -> &str {
        &self.0.city
    }

    /// Whether the account is active.
    async fn is_active(&self) -> bool {
        self.0.is_active
    }

    /// When the user was created (UTC).
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
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
        let backend = db(ctx)?.get_database_backend();
        let identity = format!("{published:?}|{filter:?}|{order_by:?}|{page:?}");
        let condition = condition_of(filter.as_ref(), backend)
            .add_option(published.map(|published| post::Column::Published.eq(published)));
        let keys = sort_keys(order_by.as_deref(), post::Column::Id);
        let key = PostsByAuthor::new(self.0.id, identity, condition, keys, page);
        let posts = loader(ctx)?.load_one(key).await.extend()?;
        Ok(posts.unwrap_or_default().into_iter().map(Post).collect())
    }
}

/// A column of users, for ordering and grouping.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserField {
    Id,
    Name,
    Email,
    Age,
    City,
    IsActive,
    CreatedAt,
}

impl From<UserField> for user::Column {
    fn from(field: UserField) -> Self {
        match field {
            UserField::Id => Self::Id,
            UserField::Name => Self::Name,
            UserField::Email => Self::Email,
            UserField::Age => Self::Age,
            UserField::City => Self::City,
            UserField::IsActive => Self::IsActive,
            UserField::CreatedAt => Self::CreatedAt,
        }
    }
}

/// Conditions on users; all given ones must hold.
#[derive(InputObject, Clone, Debug, Default)]
pub struct UserWhere {
    id: Option<IntFilter>,
    name: Option<StringFilter>,
    email: Option<StringFilter>,
    age: Option<IntFilter>,
    city: Option<StringFilter>,
    is_active: Option<BooleanFilter>,
    created_at: Option<DateTimeFilter>,
    /// Conditions on the user's posts.
    posts: Option<RelationFilter<PostWhere>>,
    /// Every one of these holds.
    and: Option<Vec<UserWhere>>,
    /// At least one of these holds.
    or: Option<Vec<UserWhere>>,
    /// This does not hold.
    not: Option<Box<UserWhere>>,
}

impl WhereInput for UserWhere {
    fn fields(&self, backend: DatabaseBackend) -> Condition {
        use user::Column as C;
        let posts = self.posts.as_ref().map(|posts| {
            posts.condition(backend, |filter| {
                exists_related::<post::Entity, _>(post::Column::AuthorId, C::Id, filter)
            })
        });
        Condition::all()
            .add_option(self.id.as_ref().map(|f| f.condition(backend, C::Id)))
            .add_option(
                self.name
                    .as_ref()
                    .map(|f| f.condition(backend, C::Name, C::NameFolded)),
            )
            .add_option(
                self.email
                    .as_ref()
                    .map(|f| f.condition(backend, C::Email, C::Email)),
            )
            .add_option(self.age.as_ref().map(|f| f.condition(backend, C::Age)))
            .add_option(
                self.city
                    .as_ref()
                    .map(|f| f.condition(backend, C::City, C::CityFolded)),
            )
            .add_option(
                self.is_active
                    .as_ref()
                    .map(|f| f.condition(backend, C::IsActive)),
            )
            .add_option(
                self.created_at
                    .as_ref()
                    .map(|f| f.condition(backend, C::CreatedAt)),
            )
            .add_option(posts)
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

/// The grouped fields of a group of users (null when not grouped by that field).
#[derive(SimpleObject)]
pub struct UserGroupKey {
    id: Option<i32>,
    name: Option<String>,
    email: Option<String>,
    age: Option<i32>,
    city: Option<String>,
    is_active: Option<bool>,
    created_at: Option<DateTime<Utc>>,
}

/// Sums over a group of users.
#[derive(SimpleObject)]
pub struct UserSum {
    age: Option<i32>,
}

/// Averages over a group of users.
#[derive(SimpleObject)]
pub struct UserAvg {
    age: Option<f64>,
}

/// Minima or maxima over a group of users.
#[derive(SimpleObject)]
pub struct UserMinMax {
    age: Option<i32>,
    created_at: Option<DateTime<Utc>>,
}

/// Statistics of one group of users.
pub struct UserAggregate(Group);

impl UserAggregate {
    fn min_max(&self, aggregate: Aggregate) -> UserMinMax {
        UserMinMax {
            age: self.0.value(aggregate, user::Column::Age),
            created_at: self.0.value(aggregate, user::Column::CreatedAt),
        }
    }
}

#[Object]
impl UserAggregate {
    /// The values of the grouped fields.
    async fn key(&self) -> UserGroupKey {
        use user::Column as C;
        let group = &self.0;
        UserGroupKey {
            id: group.key(C::Id),
            name: group.key(C::Name),
            email: group.key(C::Email),
            age: group.key(C::Age),
            city: group.key(C::City),
            is_active: group.key(C::IsActive),
            created_at: group.key(C::CreatedAt),
        }
    }

    /// How many users are in the group.
    async fn count(&self) -> i32 {
        count_int(self.0.count)
    }

    /// Sums (null for an empty group).
    async fn sum(&self) -> Result<UserSum> {
        Ok(UserSum {
            age: aggregate_int(self.0.value(Aggregate::Sum, user::Column::Age))?,
        })
    }

    /// Averages (null for an empty group).
    async fn avg(&self) -> UserAvg {
        UserAvg {
            age: self.0.value(Aggregate::Avg, user::Column::Age),
        }
    }

    /// Minima (null for an empty group).
    async fn min(&self) -> UserMinMax {
        self.min_max(Aggregate::Min)
    }

    /// Maxima (null for an empty group).
    async fn max(&self) -> UserMinMax {
        self.min_max(Aggregate::Max)
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
    /// At most 50 characters; `Unknown` when omitted.
    city: Option<String>,
}

/// Changes to a user; omitted or null fields stay as they are.
#[derive(InputObject)]
pub struct UpdateUserInput {
    /// 2–50 characters after trimming.
    name: Option<String>,
    /// Same rules as on creation.
    email: Option<String>,
    /// 0–150.
    age: Option<i32>,
    /// At most 50 characters.
    city: Option<String>,
    /// Activate or deactivate the account.
    is_active: Option<bool>,
}

/// Queries about users.
#[derive(Default)]
pub struct UserQuery;

#[Object]
impl UserQuery {
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
        let id = user::Column::Id;
        let users = listing::list::<user::Entity, _, _>(
            ctx,
            filter,
            Condition::all(),
            order_by,
            id,
            Some(page),
        )
        .await?;
        Ok(users.into_iter().map(User).collect())
    }

    /// Users as a Relay connection: cursors follow `orderBy`; `first`/`last` at most 100.
    #[allow(clippy::too_many_arguments)]
    #[graphql(complexity = "list_cost(first.or(last), child_complexity)")]
    async fn user_connection(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        last: Option<i32>,
        before: Option<String>,
        offset: Option<i32>,
        #[graphql(name = "where")] filter: Option<UserWhere>,
        order_by: Option<Vec<OrderBy<UserField>>>,
    ) -> Result<Paged<User>> {
        let args = PageArgs::new(first, after, last, before, offset);
        let (filter, order_by) = (filter.as_ref(), order_by.as_deref());
        listing::connection_of::<user::Entity, _, _, _>(
            ctx,
            filter,
            order_by,
            user::Column::Id,
            args,
            User,
        )
        .await
    }

    /// Statistics of the users that match `where`, per group of `groupBy` (one group without).
    #[graphql(complexity = "list_cost(None, child_complexity)")]
    async fn user_aggregate(
        &self,
        ctx: &Context<'_>,
        #[graphql(name = "where")] filter: Option<UserWhere>,
        group_by: Option<Vec<UserField>>,
    ) -> Result<Vec<UserAggregate>> {
        use user::Column as C;
        let aggregates = [
            (Aggregate::Sum, C::Age),
            (Aggregate::Avg, C::Age),
            (Aggregate::Min, C::Age),
            (Aggregate::Max, C::Age),
            (Aggregate::Min, C::CreatedAt),
            (Aggregate::Max, C::CreatedAt),
        ];
        let groups =
            listing::groups::<user::Entity, _, _>(ctx, filter.as_ref(), group_by, &aggregates)
                .await?;
        Ok(groups.into_iter().map(UserAggregate).collect())
    }

    /// The user with this id, or null.
    async fn user(&self, ctx: &Context<'_>, id: i32) -> Result<Option<User>> {
        let user = store::user::find(db(ctx)?, id).await.extend()?;
        Ok(user.map(User))
    }

    /// Users whose name and/or city contain the given text, ignoring case; `%`, `_` and `\` are
    /// plain characters. Ordered by id.
    #[graphql(complexity = "list_cost(None, child_complexity)")]
    async fn search_users(
        &self,
        ctx: &Context<'_>,
        name: Option<String>,
        city: Option<String>,
    ) -> Result<Vec<User>> {
        let users = store::user::search(db(ctx)?, name.as_deref(), city.as_deref())
            .await
            .extend()?;
        Ok(users.into_iter().map(User).collect())
    }
}

/// Changes to users.
#[derive(Default)]
pub struct UserMutation;

#[Object]
impl UserMutation {
    /// Registers a user. Errors: `BAD_USER_INPUT`, `CONFLICT` (`Email already registered`).
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<User> {
        let new =
            NewUser::parse(&input.name, &input.email, input.age, input.city.as_deref()).extend()?;
        let user = store::user::create(db(ctx)?, new).await.extend()?;
        Ok(User(user))
    }

    /// Changes a user. Errors: `BAD_USER_INPUT`, `NOT_FOUND`, `CONFLICT`.
    async fn update_user(
        &self,
        ctx: &Context<'_>,
        id: i32,
        input: UpdateUserInput,
    ) -> Result<User> {
        let patch = UserPatch::parse(
            input.name.as_deref(),
            input.email.as_deref(),
            input.age,
            input.city.as_deref(),
            input.is_active,
        )
        .extend()?;
        let user = store::user::update(db(ctx)?, id, patch).await.extend()?;
        Ok(User(user))
    }

    /// Deletes a user and all their posts; returns the user as it was. Errors: `NOT_FOUND`.
    async fn delete_user(&self, ctx: &Context<'_>, id: i32) -> Result<User> {
        let user = store::user::delete(db(ctx)?, id).await.extend()?;
        Ok(User(user))
    }
}
