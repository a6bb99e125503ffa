//! Reads and writes of `users`.

use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait as _, Order, PostgresQueryBuilder, Query, QueryBuilder as _,
};
use sea_orm::{ColumnTrait as _, DbErr, QuerySelect as _, TransactionTrait};
use sea_orm::{
    Condition, ConnectionTrait, DatabaseBackend, EntityTrait, IdenStatic as _, QueryFilter,
    QueryOrder, Statement,
};

use super::write;
use super::{sql, with_folded};
use crate::domain::fold;
use crate::domain::page::Page;
use crate::domain::post::NewPostOfUser;
use crate::domain::user::{City, NewUser, UserPatch};
use crate::entity::post;
use crate::entity::user::{ActiveModel, Column, Entity, Model};
use crate::error::{AppError, on_constraint, violates_unique};
use chrono::{DateTime, Utc};

const NOT_FOUND: AppError = AppError::NotFound("User not found");
const EMAIL_TAKEN: AppError = AppError::Conflict("Email already registered");

/// One page of the users whose name and city contain the given parts (ignoring case), by id.
///
/// An index serves it on both backends (see the `search_indexes` migration): on PostgreSQL the
/// trigram GIN indexes through `LIKE`, on SQLite the FTS5 trigram table `users_search`, whose
/// match finds the candidate rows for the exact comparison (needles of three characters or
/// more: a trigram index knows nothing shorter).
///
/// # Errors
/// `Internal` when the database fails.
pub async fn search(
    db: &impl ConnectionTrait,
    name: Option<&str>,
    city: Option<&str>,
    page: Page,
) -> Result<Vec<Model>, AppError> {
    // Stored text never holds a NUL character, so such a needle matches nobody.
    if name
        .into_iter()
        .chain(city)
        .any(|needle| needle.contains('\0'))
    {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let needles: Vec<(Column, String)> = [(Column::NameFolded, name), (Column::CityFolded, city)]
        .into_iter()
        .filter_map(|(column, needle)| Some((column, fold(needle?))))
        .collect();
    let mut condition = Condition::all();
    for (column, needle) in &needles {
        condition = condition.add(match backend {
            DatabaseBackend::Postgres => postgres_contains(*column, needle),
            _ => sql::contains(backend, Expr::col((Entity, *column)), needle),
        });
    }
    let indexed: Vec<String> = needles
        .iter()
        .filter(|(_, needle)| needle.chars().count() >= 3)
        .map(|(column, needle)| fts_phrase(*column, needle))
        .collect();
    if backend == DatabaseBackend::Sqlite && !indexed.is_empty() {
        // The FTS5 table drives the query, in rowid (= id) order, so a page stops reading the
        // index after its last row; `users` is joined for the exact comparison.
        let search = Alias::new("users_search");
        let mut query = Query::select();
        query
            .column((Entity, Asterisk))
            .from(search.clone())
            .inner_join(
                Entity,
                Expr::col((Entity, Column::Id)).equals((search.clone(), Alias::new("rowid"))),
            )
            .and_where(Expr::cust_with_values(
                "users_search MATCH ?",
                [indexed.join(" AND ")],
            ))
            .cond_where(condition)
            .order_by((search, Alias::new("rowid")), Order::Asc);
        let statement = backend.build(&query);
        let page_statement = Statement::from_sql_and_values(
            backend,
            format!(
                "{} LIMIT {} OFFSET {}",
                statement.sql,
                page.limit(),
                page.skip()
            ),
            statement.values.map(|values| values.0).unwrap_or_default(),
        );
        return Ok(Entity::find().from_raw_sql(page_statement).all(db).await?);
    }
    let select = Entity::find().filter(condition).order_by_asc(Column::Id);
    Ok(sql::fetch_page(db, select, page.skip(), page.limit()).await?)
}

/// `column LIKE '%needle%'` with the pattern written into the SQL, not bound: with a bound
/// pattern PostgreSQL soon switches the prepared statement to a generic plan, which cannot know
/// that a needle is rare and walks the id index through every row (a search for a name nobody
/// has took 200 ms on 100,000 users); with the text it plans each needle, using the trigram
/// index for the rare ones. sea-query writes the literal, escaped.
fn postgres_contains(column: Column, needle: &str) -> Expr {
    let pattern = PostgresQueryBuilder.value_to_string(&like_substring(needle).into());
    Expr::cust(format!(
        "\"users\".\"{}\" LIKE {pattern} ESCAPE E'\\\\'",
        column.as_str()
    ))
}

/// A `LIKE` pattern for "contains `needle`": `%`, `_` and the escape `\` taken literally.
fn like_substring(needle: &str) -> String {
    let mut pattern = String::with_capacity(needle.len() + 2);
    pattern.push('%');
    for c in needle.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    pattern
}

/// An FTS5 query for "`column` contains `needle`": one quoted phrase (a quote doubled), so no
/// character of the needle is FTS5 syntax.
fn fts_phrase(column: Column, needle: &str) -> String {
    let column = match column {
        Column::CityFolded => "city_folded",
        _ => "name_folded",
    };
    format!("{column} : \"{}\"", needle.replace('"', "\"\""))
}

/// The row of a new user, and the posts to create with it.
pub fn inserted(new: NewUser) -> (ActiveModel, Vec<NewPostOfUser>) {
    let mut model = ActiveModel {
        email: Set(new.email.into()),
        age: Set(new.age.get()),
        is_active: Set(new.is_active.unwrap_or(true)),
        ..Default::default()
    };
    (model.name, model.name_folded) = with_folded(new.name);
    (model.city, model.city_folded) = with_folded(new.city.unwrap_or_else(City::unknown));
    (model, new.posts)
}

/// The changes `patch` makes to a user's row.
fn changes(patch: UserPatch) -> ActiveModel {
    let mut model = ActiveModel {
        ..Default::default()
    };
    if let Some(name) = patch.name {
        (model.name, model.name_folded) = with_folded(name);
    }
    if let Some(email) = patch.email {
        model.email = Set(email.into());
    }
    if let Some(age) = patch.age {
        model.age = Set(age.get());
    }
    if let Some(city) = patch.city {
        (model.city, model.city_folded) = with_folded(city);
    }
    if let Some(is_active) = patch.is_active {
        model.is_active = Set(is_active);
    }
    model
}

/// Inserts users with their posts (one transaction, a statement per table) and returns them in
/// the order given.
async fn insert_with_posts(
    db: &(impl ConnectionTrait + TransactionTrait),
    news: Vec<NewUser>,
) -> Result<Vec<Model>, DbErr> {
    let users = news.into_iter().map(inserted).collect();
    write::insert_with_children::<Entity, post::Entity, _>(db, users, super::post::inserted_of)
        .await
}

/// Inserts a user (with its posts) and returns it as stored.
///
/// # Errors
/// `Conflict` when the e-mail is already registered.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    new: NewUser,
) -> Result<Model, AppError> {
    let inserted = if new.posts.is_empty() {
        write::insert_one::<Entity>(db, inserted(new).0).await
    } else {
        insert_with_posts(db, vec![new])
            .await
            .and_then(|mut users| users.pop().ok_or(DbErr::RecordNotInserted))
    };
    inserted.map_err(|e| on_constraint(e, Some(EMAIL_TAKEN), None))
}

/// Inserts users (with their posts), all or none, and returns them in the order given.
///
/// # Errors
/// `Conflict` naming the first item (`3.email`) whose e-mail an earlier item or a registered
/// user has.
pub async fn create_many(
    db: &(impl ConnectionTrait + TransactionTrait),
    news: Vec<NewUser>,
) -> Result<Vec<Model>, AppError> {
    let emails: Vec<String> = news
        .iter()
        .map(|new| new.email.as_str().to_owned())
        .collect();
    if let Some(repeat) = super::first_repeat(emails.iter().map(String::as_str)) {
        return Err(EMAIL_TAKEN.at("email").at(repeat));
    }
    match insert_with_posts(db, news).await {
        Ok(users) => Ok(users),
        Err(err) if violates_unique(&err) => {
            let taken: Vec<String> = Entity::find()
                .select_only()
                .column(Column::Email)
                .filter(Column::Email.is_in(emails.iter().map(String::as_str)))
                .into_tuple()
                .all(db)
                .await?;
            let item = super::first_present(emails.iter().map(String::as_str), &taken);
            Err(item.map_or(EMAIL_TAKEN, |i| EMAIL_TAKEN.at("email").at(i)))
        }
        Err(err) => Err(err.into()),
    }
}

/// Creates the user, or, when the (normalised) e-mail is registered, updates its name and age,
/// and its city and `isActive` when given: one `INSERT … ON CONFLICT (email) DO UPDATE`,
/// atomic under concurrent calls. The stamp moves only when something changed.
///
/// # Errors
/// `Internal` when the database fails.
pub async fn upsert(db: &impl ConnectionTrait, new: NewUser) -> Result<Model, AppError> {
    let backend = db.get_database_backend();
    let mut updated = vec![Column::Name, Column::NameFolded, Column::Age];
    if new.city.is_some() {
        updated.extend([Column::City, Column::CityFolded]);
    }
    if new.is_active.is_some() {
        updated.push(Column::IsActive);
    }
    let (row, _) = inserted(new);
    let mut insert = write::insert_statement::<Entity>(backend, &[row])?;
    insert.on_conflict(write::on_conflict_update::<Entity>(
        backend,
        Column::Email,
        &updated,
    ));
    let user = write::run_insert::<Entity>(db, insert).await?.pop();
    Ok(user.ok_or(DbErr::RecordNotInserted)?)
}

/// Applies `patch` to user `id`, if it was last changed at `expected` (when given), and
/// returns the user as it is now.
///
/// # Errors
/// `NotFound` when there is no such user, `Conflict` when the new e-mail is taken, `Stale`
/// when the user changed since `expected`.
pub async fn update(
    db: &impl ConnectionTrait,
    id: i32,
    patch: UserPatch,
    expected: Option<DateTime<Utc>>,
) -> Result<Model, AppError> {
    super::write::update::<Entity>(db, id, changes(patch), expected)
        .await
        .map_err(|e| on_constraint(e, Some(EMAIL_TAKEN), None))?
        .or(NOT_FOUND)
}

/// Deletes user `id` (its posts go with it), if it was last changed at `expected` (when
/// given), and returns the user as it was.
///
/// # Errors
/// `NotFound` when there is no such user, `Stale` when it changed since `expected`.
pub async fn delete(
    db: &impl ConnectionTrait,
    id: i32,
    expected: Option<DateTime<Utc>>,
) -> Result<Model, AppError> {
    super::write::delete::<Entity>(db, id, expected)
        .await?
        .or(NOT_FOUND)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_postgres_pattern_is_written_in_escaped() {
        let condition = postgres_contains(Column::NameFolded, "o'brien \\ 50%");
        let sql = Query::select()
            .expr(condition)
            .to_string(PostgresQueryBuilder);
        assert!(
            sql.contains(r#""users"."name_folded" LIKE E'%o\'brien \\\\ 50\\%%' ESCAPE E'\\'"#),
            "{sql}"
        );
    }

    #[test]
    fn search_patterns_take_every_character_literally() {
        assert_eq!(like_substring(r"50%_a\b"), r"%50\%\_a\\b%");
        assert_eq!(
            fts_phrase(Column::NameFolded, r#"say "hi" NEAR(x*)"#),
            r#"name_folded : "say ""hi"" NEAR(x*)""#
        );
    }
    use crate::domain::user::{Age, Email, UserName};
    use crate::store::tests::assert_twins_set_together;

    #[test]
    fn every_text_is_stored_with_its_folded_twin() -> Result<(), AppError> {
        let new = NewUser {
            name: UserName::parse("Ada")?,
            email: Email::parse("ada@example.com")?,
            age: Age::parse(36)?,
            city: Some(City::parse("London")?),
            is_active: None,
            posts: Vec::new(),
        };
        assert_twins_set_together(&inserted(new.clone()).0);
        let patch = UserPatch {
            name: Some(new.name),
            email: Some(new.email),
            age: Some(new.age),
            city: new.city,
            is_active: Some(false),
        };
        assert_twins_set_together(&changes(patch));
        Ok(())
    }
}
