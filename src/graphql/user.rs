//! `User`: the type, its inputs, queries and mutations.

use async_graphql::{Context, InputObject, Object, Result, ResultExt};
use chrono::{DateTime, Utc};

use super::loader::PostsByAuthor;
use super::post::Post;
use super::{db, loader};
use crate::domain::page::Page;
use crate::domain::user::{NewUser, UserPatch};
use crate::entity::user;
use crate::store;

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

    /// The user's posts, ordered by id; `published` keeps only (un)published ones.
    async fn posts(&self, ctx: &Context<'_>, published: Option<bool>) -> Result<Vec<Post>> {
        let key = PostsByAuthor {
            author_id: self.0.id,
            published,
        };
        let posts = loader(ctx)?.load_one(key).await.extend()?;
        Ok(posts.unwrap_or_default().into_iter().map(Post).collect())
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
    /// Users ordered by id, one page at a time (`limit` 1–100).
    async fn users(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 0)] skip: Option<i32>,
        #[graphql(default = 10)] limit: Option<i32>,
    ) -> Result<Vec<User>> {
        let page = Page::parse(skip, limit).extend()?;
        let users = store::user::list(db(ctx)?, page).await.extend()?;
        Ok(users.into_iter().map(User).collect())
    }

    /// The user with this id, or null.
    async fn user(&self, ctx: &Context<'_>, id: i32) -> Result<Option<User>> {
        let user = store::user::find(db(ctx)?, id).await.extend()?;
        Ok(user.map(User))
    }

    /// Users whose name and/or city contain the given text, ignoring case; `%`, `_` and `\` are
    /// plain characters. Ordered by id.
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
