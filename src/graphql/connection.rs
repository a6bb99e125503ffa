//! Relay cursor connections over any table: opaque keyset cursors that follow the requested
//! order, `offset`, `pageInfo` and a `totalCount` counted only when selected.

use async_graphql::connection::{Connection, Edge};
use async_graphql::{Object, OutputType, Result, ResultExt};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use sea_orm::{ColumnTrait, ColumnType, Condition, EntityTrait, ModelTrait, Value};
use serde_json::json;

use crate::db::RequestDb;
use crate::domain::page::{DEFAULT_LIMIT, MAX_LIMIT};
use crate::error::AppError;
use crate::store::rows::ByPosition;
use crate::store::sql::{CountQuery, Direction, Sort, key_values, keyset_page};

/// The arguments every `xConnection` field takes.
pub struct PageArgs {
    /// Up to this many rows after `after` (at most 100; 10 when neither `first` nor `last`).
    pub first: Option<i32>,
    /// Start after this cursor.
    pub after: Option<String>,
    /// Up to this many rows before `before` (at most 100).
    pub last: Option<i32>,
    /// End before this cursor.
    pub before: Option<String>,
    /// Skip this many rows first, in the direction of paging.
    pub offset: Option<i32>,
}

/// The `totalCount` of a connection: the rows that match `where`, whatever the page. The
/// statement runs only when the field is selected.
pub struct TotalCount {
    db: RequestDb,
    count: CountQuery,
}

#[Object]
impl TotalCount {
    /// How many rows match `where`, on every page.
    async fn total_count(&self) -> Result<i32> {
        let count = self
            .count
            .run(&self.db.executor())
            .await
            .map_err(AppError::from)
            .extend()?;
        Ok(super::aggregate::count_int(count))
    }
}

/// A connection whose nodes are `N`.
pub type Paged<N> = Connection<String, N, TotalCount>;

/// What a cursor is bound to: the table and the whole order, so a cursor from another list or
/// order is refused.
fn fingerprint<C: ColumnTrait>(keys: &[Sort<C>]) -> String {
    let table = keys
        .first()
        .map(|key| key.column.entity_name().to_string())
        .unwrap_or_default();
    let order: Vec<String> = keys
        .iter()
        .map(|key| {
            let direction = match key.direction {
                Direction::Asc => "asc",
                Direction::Desc => "desc",
            };
            format!("{}.{direction}", key.column.as_str())
        })
        .collect();
    format!("{table}:{}", order.join(","))
}

fn value_to_json(value: &Value) -> serde_json::Value {
    match value {
        Value::Bool(v) => json!(v),
        Value::Int(v) => json!(v),
        Value::BigInt(v) => json!(v),
        Value::Double(v) => json!(v),
        Value::String(v) => json!(v),
        Value::ChronoDateTimeUtc(v) => {
            json!(v.map(|at| at.to_rfc3339_opts(SecondsFormat::Millis, true)))
        }
        _ => serde_json::Value::Null,
    }
}

fn value_from_json<C: ColumnTrait>(column: C, json: &serde_json::Value) -> Option<Value> {
    let null = json.is_null();
    Some(match column.def().get_column_type() {
        ColumnType::Integer => Value::Int(if null {
            None
        } else {
            Some(i32::try_from(json.as_i64()?).ok()?)
        }),
        ColumnType::Double => Value::Double(if null { None } else { Some(json.as_f64()?) }),
        ColumnType::Boolean => Value::Bool(if null { None } else { Some(json.as_bool()?) }),
        ColumnType::String(_) | ColumnType::Text => Value::String(if null {
            None
        } else {
            Some(json.as_str()?.to_owned())
        }),
        ColumnType::TimestampWithTimeZone => Value::ChronoDateTimeUtc(if null {
            None
        } else {
            Some(
                DateTime::parse_from_rfc3339(json.as_str()?)
                    .ok()?
                    .with_timezone(&Utc),
            )
        }),
        _ => return None,
    })
}

/// The opaque cursor of a row.
fn encode(fingerprint: &str, values: &[Value]) -> String {
    let values: Vec<serde_json::Value> = values.iter().map(value_to_json).collect();
    URL_SAFE_NO_PAD.encode(json!({ "o": fingerprint, "v": values }).to_string())
}

/// The key values in a cursor made for this very list and order.
///
/// # Errors
/// `BAD_USER_INPUT` on `field` when the cursor is malformed or from another list or order.
fn decode<C: ColumnTrait>(
    field: &'static str,
    cursor: &str,
    fingerprint: &str,
    keys: &[Sort<C>],
) -> Result<Vec<Value>, AppError> {
    let invalid = || {
        AppError::bad_input(
            field,
            format!("{field} is not a cursor of this list and order"),
        )
    };
    let bytes = URL_SAFE_NO_PAD.decode(cursor).map_err(|_| invalid())?;
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| invalid())?;
    if json["o"].as_str() != Some(fingerprint) {
        return Err(invalid());
    }
    let values = json["v"].as_array().ok_or_else(invalid)?;
    if values.len() != keys.len() {
        return Err(invalid());
    }
    keys.iter()
        .zip(values)
        .map(|(key, value)| value_from_json(key.column, value).ok_or_else(invalid))
        .collect()
}

/// A validated page size or offset.
fn bounded(field: &'static str, value: Option<i32>, max: i32) -> Result<Option<u64>, AppError> {
    value
        .map(|value| {
            if (0..=max).contains(&value) {
                Ok(value.unsigned_abs().into())
            } else {
                Err(AppError::bad_input(
                    field,
                    format!("{field} must be between 0 and {max}"),
                ))
            }
        })
        .transpose()
}

/// One page of the rows of `E` that meet `condition`, in the total order `keys`, as a Relay
/// connection of `node(row)`. One statement, plus one for `totalCount` when selected.
///
/// # Errors
/// `BAD_USER_INPUT` for bad page arguments or cursors; `Internal` when the database fails.
pub async fn connection<E, N>(
    db: &RequestDb,
    condition: Condition,
    keys: Vec<Sort<E::Column>>,
    args: PageArgs,
    node: impl Fn(E::Model) -> N,
) -> Result<Paged<N>, AppError>
where
    E: EntityTrait<Model: ByPosition>,
    E::Model: ModelTrait<Entity = E>,
    N: OutputType,
{
    if args.first.is_some() && args.last.is_some() {
        return Err(AppError::bad_input(
            "last",
            "first and last cannot be used together",
        ));
    }
    let first = bounded("first", args.first, MAX_LIMIT)?;
    let last = bounded("last", args.last, MAX_LIMIT)?;
    let offset = bounded("offset", args.offset, i32::MAX)?.unwrap_or(0);
    let print = fingerprint(&keys);
    let after = args
        .after
        .map(|cursor| decode("after", &cursor, &print, &keys))
        .transpose()?;
    let before = args
        .before
        .map(|cursor| decode("before", &cursor, &print, &keys))
        .transpose()?;

    let backward = last.is_some();
    let size = last
        .or(first)
        .unwrap_or(DEFAULT_LIMIT.unsigned_abs().into());
    let mut rows = keyset_page::<E>(
        &db.reads(),
        condition.clone(),
        &keys,
        after.as_deref(),
        before.as_deref(),
        backward,
        offset,
        size + 1,
    )
    .await?;
    let more = rows.len() as u64 > size;
    rows.truncate(usize::try_from(size).unwrap_or(usize::MAX));
    if backward {
        rows.reverse();
    }
    // Relay lets a server report the side it did not page towards loosely: a cursor or an
    // offset on that side means rows were there.
    let (has_previous, has_next) = if backward {
        (more, before.is_some() || offset > 0)
    } else {
        (after.is_some() || offset > 0, more)
    };

    let count = CountQuery::new::<E>(condition);
    let mut connection = Connection::with_additional_fields(
        has_previous,
        has_next,
        TotalCount {
            db: db.clone(),
            count,
        },
    );
    connection.edges = rows
        .into_iter()
        .map(|row| {
            let cursor = encode(&print, &key_values::<E>(&row, &keys));
            Edge::new(cursor, node(row))
        })
        .collect();
    Ok(connection)
}
