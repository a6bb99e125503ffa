//! A Rust model of `where`, and random filters and orders checked against it.

use super::*;
use crate::dataset::OwnedRow;
use crate::live::socket::Socket;
use agora::live::Cursor;
use agora::store::events::Position;

on_every_backend!(
    random_filters_and_orders_match_the_reference,
    random_subscription_filters_match_the_reference,
);

// ---- A Rust model of `where` ----

/// The operators of an `IntFilter`, `FloatFilter`, `BooleanFilter` or `DateTimeFilter`.
#[derive(Debug, Clone, Default)]
struct Ops {
    eq: Option<Val>,
    ne: Option<Val>,
    gt: Option<Val>,
    gte: Option<Val>,
    lt: Option<Val>,
    lte: Option<Val>,
    in_: Option<Vec<Val>>,
    not_in: Option<Vec<Val>>,
    is_null: Option<bool>,
}

impl Ops {
    fn holds(&self, value: &Val) -> bool {
        let null = *value == Val::Null;
        let same = |other: &Val| !null && value.order(other).is_eq();
        let compared = |operand: &Option<Val>, want: fn(Ordering) -> bool| {
            operand
                .as_ref()
                .is_none_or(|other| !null && want(value.order(other)))
        };
        compared(&self.eq, Ordering::is_eq)
            && self.ne.as_ref().is_none_or(|other| !same(other))
            && compared(&self.gt, Ordering::is_gt)
            && compared(&self.gte, Ordering::is_ge)
            && compared(&self.lt, Ordering::is_lt)
            && compared(&self.lte, Ordering::is_le)
            && self.in_.as_ref().is_none_or(|list| list.iter().any(same))
            && self
                .not_in
                .as_ref()
                .is_none_or(|list| !list.iter().any(same))
            && self.is_null.is_none_or(|is_null| is_null == null)
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        let scalars = [
            ("eq", &self.eq),
            ("ne", &self.ne),
            ("gt", &self.gt),
            ("gte", &self.gte),
            ("lt", &self.lt),
            ("lte", &self.lte),
        ];
        for (name, operand) in scalars {
            if let Some(operand) = operand {
                out.insert(name.into(), operand.to_json());
            }
        }
        for (name, list) in [("in", &self.in_), ("notIn", &self.not_in)] {
            if let Some(list) = list {
                out.insert(name.into(), list.iter().map(Val::to_json).collect());
            }
        }
        if let Some(is_null) = self.is_null {
            out.insert("isNull".into(), json!(is_null));
        }
        Value::Object(out)
    }
}

/// The operators of a `StringFilter`; `insensitive` is the mode (`None`: omitted).
#[derive(Debug, Clone, Default)]
struct TextOps {
    eq: Option<String>,
    ne: Option<String>,
    in_: Option<Vec<String>>,
    not_in: Option<Vec<String>>,
    contains: Option<String>,
    starts_with: Option<String>,
    ends_with: Option<String>,
    insensitive: Option<bool>,
}

impl TextOps {
    fn holds(&self, value: &Val) -> bool {
        let Val::Text(value) = value else {
            panic!("not text: {value:?}");
        };
        let fold = |text: &str| {
            if self.insensitive == Some(true) {
                text.to_lowercase()
            } else {
                text.to_owned()
            }
        };
        let value = fold(value);
        let among = |list: &Vec<String>| list.iter().any(|item| fold(item) == value);
        self.eq.as_ref().is_none_or(|x| value == fold(x))
            && self.ne.as_ref().is_none_or(|x| value != fold(x))
            && self.in_.as_ref().is_none_or(among)
            && self.not_in.as_ref().is_none_or(|list| !among(list))
            && self
                .contains
                .as_ref()
                .is_none_or(|x| value.contains(&fold(x)))
            && self
                .starts_with
                .as_ref()
                .is_none_or(|x| value.starts_with(&fold(x)))
            && self
                .ends_with
                .as_ref()
                .is_none_or(|x| value.ends_with(&fold(x)))
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        let scalars = [
            ("eq", &self.eq),
            ("ne", &self.ne),
            ("contains", &self.contains),
            ("startsWith", &self.starts_with),
            ("endsWith", &self.ends_with),
        ];
        for (name, operand) in scalars {
            if let Some(operand) = operand {
                out.insert(name.into(), json!(operand));
            }
        }
        for (name, list) in [("in", &self.in_), ("notIn", &self.not_in)] {
            if let Some(list) = list {
                out.insert(name.into(), json!(list));
            }
        }
        if let Some(insensitive) = self.insensitive {
            let mode = if insensitive {
                "INSENSITIVE"
            } else {
                "DEFAULT"
            };
            out.insert("mode".into(), json!(mode));
        }
        Value::Object(out)
    }
}

/// The filter of one column.
#[derive(Debug, Clone)]
enum Cond {
    Ordered(Ops),
    Text(TextOps),
}

impl Cond {
    fn holds(&self, value: &Val) -> bool {
        match self {
            Self::Ordered(ops) => ops.holds(value),
            Self::Text(ops) => ops.holds(value),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Self::Ordered(ops) => ops.to_json(),
            Self::Text(ops) => ops.to_json(),
        }
    }
}

/// A relation filter: `posts`/`products` (`some`, `none`) or `author`/`category`.
#[derive(Debug, Clone)]
enum Relation {
    Many {
        field: &'static str,
        some: Option<Box<Where>>,
        none: Option<Box<Where>>,
    },
    One {
        field: &'static str,
        filter: Box<Where>,
    },
}

/// An `XWhere` input.
#[derive(Debug, Clone, Default)]
struct Where {
    columns: Vec<(&'static str, Cond)>,
    relation: Option<Relation>,
    and: Option<Vec<Where>>,
    or: Option<Vec<Where>>,
    not: Option<Box<Where>>,
}

impl Where {
    fn holds(&self, ds: &Dataset, row: Row<'_>) -> bool {
        let relation = |relation: &Relation| match relation {
            Relation::Many { field, some, none } => {
                let related = ds.related(row, field);
                let any = |filter: &Where| related.iter().any(|r| filter.holds(ds, *r));
                some.as_deref().is_none_or(any) && none.as_deref().is_none_or(|f| !any(f))
            }
            Relation::One { field, filter } => {
                ds.related(row, field).iter().any(|r| filter.holds(ds, *r))
            }
        };
        self.columns
            .iter()
            .all(|(field, cond)| cond.holds(&row.get(field)))
            && self.relation.as_ref().is_none_or(relation)
            && self
                .and
                .as_ref()
                .is_none_or(|all| all.iter().all(|w| w.holds(ds, row)))
            && self
                .or
                .as_ref()
                .is_none_or(|any| any.iter().any(|w| w.holds(ds, row)))
            && self.not.as_ref().is_none_or(|w| !w.holds(ds, row))
    }

    fn to_json(&self) -> Value {
        let mut out = Map::new();
        for (field, cond) in &self.columns {
            out.insert((*field).into(), cond.to_json());
        }
        match &self.relation {
            Some(Relation::Many { field, some, none }) => {
                let mut relation = Map::new();
                if let Some(some) = some {
                    relation.insert("some".into(), some.to_json());
                }
                if let Some(none) = none {
                    relation.insert("none".into(), none.to_json());
                }
                out.insert((*field).into(), Value::Object(relation));
            }
            Some(Relation::One { field, filter }) => {
                out.insert((*field).into(), filter.to_json());
            }
            None => {}
        }
        for (name, list) in [("and", &self.and), ("or", &self.or)] {
            if let Some(list) = list {
                out.insert(name.into(), list.iter().map(Where::to_json).collect());
            }
        }
        if let Some(not) = &self.not {
            out.insert("not".into(), not.to_json());
        }
        Value::Object(out)
    }
}

// ---- Random filters ----

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int,
    Float,
    Text,
    Bool,
    Time,
}

/// The filterable columns of an entity.
fn columns(entity: Entity) -> &'static [(&'static str, Kind)] {
    match entity {
        Entity::User => &[
            ("id", Kind::Int),
            ("name", Kind::Text),
            ("email", Kind::Text),
            ("age", Kind::Int),
            ("city", Kind::Text),
            ("isActive", Kind::Bool),
            ("createdAt", Kind::Time),
        ],
        Entity::Post => &[
            ("id", Kind::Int),
            ("title", Kind::Text),
            ("content", Kind::Text),
            ("published", Kind::Bool),
            ("authorId", Kind::Int),
            ("createdAt", Kind::Time),
        ],
        Entity::Category => &[("id", Kind::Int), ("name", Kind::Text)],
        Entity::Product => &[
            ("id", Kind::Int),
            ("name", Kind::Text),
            ("price", Kind::Float),
            ("stock", Kind::Int),
            ("categoryId", Kind::Int),
        ],
    }
}

/// The relation filter of an entity: its field, the related entity, and whether it is a list.
fn relation_of(entity: Entity) -> (&'static str, Entity, bool) {
    match entity {
        Entity::User => ("posts", Entity::Post, true),
        Entity::Post => ("author", Entity::User, false),
        Entity::Category => ("products", Entity::Product, true),
        Entity::Product => ("category", Entity::Category, false),
    }
}

/// Operands for a non-text column: its values and their neighbours.
fn ordered_pool(ds: &Dataset, entity: Entity, field: &str, kind: Kind) -> Vec<Val> {
    let mut pool: Vec<Val> = Vec::new();
    let mut push = |value: Val| {
        if value != Val::Null && !pool.contains(&value) {
            pool.push(value);
        }
    };
    for row in ds.rows(entity) {
        match row.get(field) {
            Val::Int(v) => [v - 1, v, v + 1]
                .into_iter()
                .for_each(|v| push(Val::Int(v))),
            Val::Float(v) => [v - 0.5, v, v + 0.25]
                .into_iter()
                .for_each(|v| push(Val::Float(v))),
            Val::Time(at) => {
                let ms = Duration::milliseconds(1);
                [at - ms, at, at + ms]
                    .into_iter()
                    .for_each(|at| push(Val::Time(at)));
            }
            other => push(other),
        }
    }
    assert!(kind != Kind::Text && !pool.is_empty());
    pool
}

/// Operands for a text column: its values, their case variants and pieces, and characters that
/// would be special to LIKE or to case folding.
fn text_pool(ds: &Dataset, entity: Entity, field: &str) -> Vec<String> {
    let mut pool: Vec<String> = [
        "%", "_", "\\", "É", "é", "Ë", "ë", "İ", "i", "ß", "SS", "", "0%", "a_m", "e", "zzz",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    for row in ds.rows(entity) {
        let Val::Text(value) = row.get(field) else {
            panic!("{field} is not text");
        };
        let chars: Vec<char> = value.chars().collect();
        let piece = |from: usize, to: usize| {
            chars[from.min(chars.len())..to.min(chars.len())]
                .iter()
                .collect::<String>()
        };
        let middle = chars.len() / 2;
        for candidate in [
            value.clone(),
            value.to_uppercase(),
            value.to_lowercase(),
            piece(0, 1),
            piece(0, 3),
            piece(chars.len().saturating_sub(2), chars.len()),
            piece(middle.saturating_sub(1), middle + 2),
        ] {
            if !pool.contains(&candidate) {
                pool.push(candidate);
            }
        }
    }
    pool
}

/// One operator of a non-text filter.
#[derive(Debug, Clone)]
enum Op {
    Eq(Val),
    Ne(Val),
    Gt(Val),
    Gte(Val),
    Lt(Val),
    Lte(Val),
    In(Vec<Val>),
    NotIn(Vec<Val>),
    IsNull(bool),
}

/// One operator, sometimes two (a repeated kind keeps the last), on a column of `kind`.
fn ordered_ops(pool: Vec<Val>, kind: Kind) -> BoxedStrategy<Ops> {
    let value = || select(pool.clone());
    let list = || vec(select(pool.clone()), 0..4);
    let op = match kind {
        Kind::Bool => prop_oneof![
            any::<bool>().prop_map(|b| Op::Eq(Val::Bool(b))),
            any::<bool>().prop_map(|b| Op::Ne(Val::Bool(b))),
        ]
        .boxed(),
        // DateTimeFilter has only eq, gt, gte, lt and lte.
        Kind::Time => prop_oneof![
            value().prop_map(Op::Eq),
            value().prop_map(Op::Gt),
            value().prop_map(Op::Gte),
            value().prop_map(Op::Lt),
            value().prop_map(Op::Lte),
        ]
        .boxed(),
        _ => prop_oneof![
            2 => value().prop_map(Op::Eq),
            2 => value().prop_map(Op::Ne),
            3 => value().prop_map(Op::Gt),
            2 => value().prop_map(Op::Gte),
            3 => value().prop_map(Op::Lt),
            2 => value().prop_map(Op::Lte),
            2 => list().prop_map(Op::In),
            2 => list().prop_map(Op::NotIn),
            1 => any::<bool>().prop_map(Op::IsNull),
        ]
        .boxed(),
    };
    prop_oneof![3 => vec(op.clone(), 1), 1 => vec(op, 2)]
        .prop_map(|ops| {
            let mut out = Ops::default();
            for op in ops {
                match op {
                    Op::Eq(v) => out.eq = Some(v),
                    Op::Ne(v) => out.ne = Some(v),
                    Op::Gt(v) => out.gt = Some(v),
                    Op::Gte(v) => out.gte = Some(v),
                    Op::Lt(v) => out.lt = Some(v),
                    Op::Lte(v) => out.lte = Some(v),
                    Op::In(v) => out.in_ = Some(v),
                    Op::NotIn(v) => out.not_in = Some(v),
                    Op::IsNull(v) => out.is_null = Some(v),
                }
            }
            out
        })
        .boxed()
}

/// One operator of a `StringFilter`, sometimes two, in a random mode.
fn text_ops(pool: Vec<String>) -> BoxedStrategy<TextOps> {
    let value = || select(pool.clone()).prop_map(Some);
    let list = || vec(select(pool.clone()), 0..4).prop_map(Some);
    let op = prop_oneof![
        1 => value().prop_map(|eq| TextOps { eq, ..TextOps::default() }),
        2 => value().prop_map(|ne| TextOps { ne, ..TextOps::default() }),
        1 => list().prop_map(|in_| TextOps { in_, ..TextOps::default() }),
        1 => list().prop_map(|not_in| TextOps { not_in, ..TextOps::default() }),
        4 => value().prop_map(|contains| TextOps { contains, ..TextOps::default() }),
        2 => value().prop_map(|starts_with| TextOps { starts_with, ..TextOps::default() }),
        2 => value().prop_map(|ends_with| TextOps { ends_with, ..TextOps::default() }),
    ];
    let mode = prop_oneof![
        1 => Just(None),
        1 => Just(Some(false)),
        2 => Just(Some(true)),
    ];
    (prop_oneof![3 => vec(op.clone(), 1), 1 => vec(op, 2)], mode)
        .prop_map(|(ops, insensitive)| {
            ops.into_iter().fold(
                TextOps {
                    insensitive,
                    ..TextOps::default()
                },
                |all, op| TextOps {
                    eq: op.eq.or(all.eq),
                    ne: op.ne.or(all.ne),
                    in_: op.in_.or(all.in_),
                    not_in: op.not_in.or(all.not_in),
                    contains: op.contains.or(all.contains),
                    starts_with: op.starts_with.or(all.starts_with),
                    ends_with: op.ends_with.or(all.ends_with),
                    insensitive: all.insensitive,
                },
            )
        })
        .boxed()
}

/// Filters on one of the entity's columns, sometimes two.
fn column_filters(ds: &Dataset, entity: Entity) -> BoxedStrategy<Vec<(&'static str, Cond)>> {
    let filters: Vec<BoxedStrategy<(&'static str, Cond)>> = columns(entity)
        .iter()
        .map(|&(field, kind)| {
            let cond = if kind == Kind::Text {
                text_ops(text_pool(ds, entity, field))
                    .prop_map(Cond::Text)
                    .boxed()
            } else {
                ordered_ops(ordered_pool(ds, entity, field, kind), kind)
                    .prop_map(Cond::Ordered)
                    .boxed()
            };
            cond.prop_map(move |cond| (field, cond)).boxed()
        })
        .collect();
    let indices: Vec<usize> = (0..filters.len()).collect();
    prop_oneof![3 => subsequence(indices.clone(), 1), 1 => subsequence(indices, 2)]
        .prop_flat_map(move |chosen| {
            chosen
                .iter()
                .map(|&i| filters[i].clone())
                .collect::<Vec<_>>()
        })
        .boxed()
}

/// A random `XWhere` of `depth` nested levels below this one at most, with relation filters
/// when `relations`.
fn where_tree(ds: &Dataset, entity: Entity, depth: u32, relations: bool) -> BoxedStrategy<Where> {
    let columns = column_filters(ds, entity);
    if depth == 0 {
        return columns
            .prop_map(|columns| Where {
                columns,
                ..Where::default()
            })
            .boxed();
    }
    let child = where_tree(ds, entity, depth - 1, relations);
    let (field, target, many) = relation_of(entity);
    let related = where_tree(ds, target, depth - 1, relations);
    let relation = if many {
        (
            option::weighted(0.5, related.clone()),
            option::weighted(0.4, related),
        )
            .prop_map(move |(some, none)| Relation::Many {
                field,
                some: some.map(Box::new),
                none: none.map(Box::new),
            })
            .boxed()
    } else {
        related
            .prop_map(move |filter| Relation::One {
                field,
                filter: Box::new(filter),
            })
            .boxed()
    };
    (
        option::weighted(0.6, columns),
        if relations {
            option::weighted(0.3, relation).boxed()
        } else {
            Just(None).boxed()
        },
        option::weighted(0.15, vec(child.clone(), 0..3)),
        option::weighted(
            0.3,
            prop_oneof![9 => vec(child.clone(), 1..4), 1 => Just(Vec::new())],
        ),
        option::weighted(0.2, child),
    )
        .prop_map(|(columns, relation, and, or, not)| Where {
            columns: columns.unwrap_or_default(),
            relation,
            and,
            or,
            not: not.map(Box::new),
        })
        .boxed()
}

/// A random `orderBy`: absent, or up to three keys (repeats allowed).
fn order_keys(entity: Entity) -> BoxedStrategy<Option<Vec<Key>>> {
    let key = (select(entity.fields()), option::of(any::<bool>()))
        .prop_map(|(field, descending)| Key { field, descending });
    option::weighted(0.85, vec(key, 0..=3)).boxed()
}

/// One entity's random query.
#[derive(Debug, Clone)]
struct Case {
    entity: Entity,
    filter: Where,
    order: Option<Vec<Key>>,
}

/// How many cases gave each entity a result that was neither empty nor everything.
#[derive(Default)]
struct Spread([AtomicUsize; 4]);

/// Runs one random query per entity through the list field, both connection directions and
/// the aggregate, and compares with the model.
async fn check(
    app: &TestApp,
    ds: &Dataset,
    cases: &[Case],
    spread: &Spread,
) -> Result<(), TestCaseError> {
    let mut declarations = Vec::new();
    let mut selections = Vec::new();
    let mut variables = Map::new();
    for case in cases {
        let (e, name) = (case.entity.list(), case.entity.name());
        declarations.push(format!("$w_{e}: {name}Where, $o_{e}: [{name}OrderBy!]"));
        let args = format!("where: $w_{e}, orderBy: $o_{e}");
        let connection = case.entity.connection();
        selections.push(format!(
            "{e}: {list} {{ id }} \
             {e}_first: {connection}(first: 3, {args}) {{ totalCount nodes {{ id }} pageInfo {{ hasNextPage hasPreviousPage }} }} \
             {e}_last: {connection}(last: 3, {args}) {{ totalCount nodes {{ id }} pageInfo {{ hasNextPage hasPreviousPage }} }} \
             {e}_count: {aggregate}(where: $w_{e}) {{ count }}",
            list = case.entity.list_call(&args),
            aggregate = case.entity.aggregate(),
        ));
        variables.insert(format!("w_{e}"), case.filter.to_json());
        variables.insert(
            format!("o_{e}"),
            case.order.as_deref().map_or(Value::Null, order_json),
        );
    }
    let document = format!(
        "query({}) {{ {} }}",
        declarations.join(", "),
        selections.join(" ")
    );
    let variables = Value::Object(variables);
    let response = app.graphql(&document, variables.clone()).await;
    if let Some(errors) = response.get("errors") {
        return Err(TestCaseError::fail(format!("{errors} for {variables:#}")));
    }
    let data = &response["data"];
    for (i, case) in cases.iter().enumerate() {
        let e = case.entity.list();
        let rows = ds.rows(case.entity);
        let total = rows.len();
        let matching: Vec<Row<'_>> = rows
            .into_iter()
            .filter(|row| case.filter.holds(ds, *row))
            .collect();
        let expected = sorted_ids(matching, case.order.as_deref().unwrap_or_default());
        let n = expected.len();
        if n > 0 && n < total {
            spread.0[i].fetch_add(1, Atomic::Relaxed);
        }
        let context = format!("{e} with {}", variables);
        prop_assert_eq!(ids(&data[e]), expected.clone(), "list of {}", context);
        let first = &data[format!("{e}_first")];
        prop_assert_eq!(
            ids(&first["nodes"]),
            expected[..n.min(3)].to_vec(),
            "first 3 of {}",
            context
        );
        prop_assert_eq!(&first["totalCount"], &json!(n), "totalCount of {}", context);
        prop_assert_eq!(
            &first["pageInfo"],
            &json!({ "hasNextPage": n > 3, "hasPreviousPage": false }),
            "first 3 of {}",
            context
        );
        let last = &data[format!("{e}_last")];
        prop_assert_eq!(
            ids(&last["nodes"]),
            expected[n.saturating_sub(3)..].to_vec(),
            "last 3 of {}",
            context
        );
        prop_assert_eq!(&last["totalCount"], &json!(n), "totalCount of {}", context);
        prop_assert_eq!(
            &last["pageInfo"],
            &json!({ "hasNextPage": false, "hasPreviousPage": n > 3 }),
            "last 3 of {}",
            context
        );
        prop_assert_eq!(
            &data[format!("{e}_count")],
            &json!([{ "count": n }]),
            "aggregate of {}",
            context
        );
    }
    Ok(())
}

async fn random_filters_and_orders_match_the_reference(app: &TestApp) {
    const CASES: u32 = 64;
    let ds = seed(app).await;
    let strategy: Vec<BoxedStrategy<Case>> = Entity::ALL
        .iter()
        .map(|&entity| {
            (where_tree(&ds, entity, 2, true), order_keys(entity))
                .prop_map(move |(filter, order)| Case {
                    entity,
                    filter,
                    order,
                })
                .boxed()
        })
        .collect();
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        max_shrink_iters: 300,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[42; 32]));
    let spread = Spread::default();
    let handle = tokio::runtime::Handle::current();
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |cases| {
            handle.block_on(check(app, &ds, &cases, &spread))
        })
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
    // The generator must keep producing filters that select some rows but not all.
    for (entity, partial) in Entity::ALL.iter().zip(&spread.0) {
        let partial = partial.load(Atomic::Relaxed);
        assert!(
            partial * 6 >= CASES as usize,
            "only {partial} of {CASES} {} filters selected some but not all rows",
            entity.list()
        );
    }
}

// ---- Subscriptions filter in memory as queries do in SQL ----

/// Every change of `entity` in the record, replayed through `xChanges(where:)` from the start
/// up to the change of row `last` (included): kinds and rows.
async fn replayed(
    socket: &mut Socket,
    entity: Entity,
    filter: Value,
    last: i64,
) -> Vec<(String, OwnedRow)> {
    let field = format!("{}Changes", entity.name().to_lowercase());
    let name = entity.name();
    let query = format!(
        "subscription($w: {name}Where, $after: String) {{ {field}(where: $w, after: $after) \
         {{ kind node {{ {} }} }} }}",
        entity.selection()
    );
    let start = Cursor {
        position: Position::default(),
        at: chrono::Utc::now(),
    };
    let variables = json!({ "w": filter, "after": start.encode() });
    socket.subscribe("replay", &query, variables).await;
    let mut changes = Vec::new();
    loop {
        let data = socket.data("replay").await;
        let change = &data[&field];
        let row = OwnedRow::from_output(entity, &change["node"]);
        let id = row.row().id();
        changes.push((change["kind"].as_str().expect("a kind").to_owned(), row));
        if id == last {
            socket
                .send(json!({ "id": "replay", "type": "complete" }))
                .await;
            return changes;
        }
    }
}

/// Rows created after the dataset, one per table: the last change of each table.
async fn sentinels(app: &TestApp) -> [i64; 4] {
    let user = app
        .create_user("Sentinel", "sentinel@example.com", 99)
        .await;
    let post = app.create_post(user, "The sentinel post").await;
    let category = app.create_category("Sentinel").await;
    let product = app.create_product("Sentinel", 1.0, 1, None).await;
    [user, post, category, product]
}

/// Random `where` inputs (without relation filters) on subscriptions: each delivers exactly
/// the changes whose row the reference model says meets it.
async fn random_subscription_filters_match_the_reference(app: &TestApp) {
    const CASES: u32 = 32;
    let ds = seed(app).await;
    let last = sentinels(app).await;
    let mut socket = Socket::ready(&app.address).await;
    let mut everything = Vec::new();
    for (entity, last) in Entity::ALL.into_iter().zip(last) {
        everything.push(replayed(&mut socket, entity, json!({}), last).await);
    }
    let strategy: Vec<BoxedStrategy<Where>> = Entity::ALL
        .iter()
        .map(|&entity| where_tree(&ds, entity, 2, false))
        .collect();
    let config = Config {
        cases: CASES,
        failure_persistence: None,
        max_shrink_iters: 100,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]));
    let handle = tokio::runtime::Handle::current();
    let socket = std::sync::Mutex::new(socket);
    let result = tokio::task::block_in_place(|| {
        runner.run(&strategy, |filters| {
            let mut socket = socket.lock().expect("the socket");
            for (i, filter) in filters.iter().enumerate() {
                let entity = Entity::ALL[i];
                // The sentinel ends every replay.
                let input = json!({ "or": [filter.to_json(), { "id": { "eq": last[i] } }] });
                let got = handle.block_on(replayed(&mut socket, entity, input.clone(), last[i]));
                let got: Vec<(String, i64)> = got
                    .iter()
                    .map(|(kind, row)| (kind.clone(), row.row().id()))
                    .collect();
                let expected: Vec<(String, i64)> = everything[i]
                    .iter()
                    .filter(|(_, row)| row.row().id() == last[i] || filter.holds(&ds, row.row()))
                    .map(|(kind, row)| (kind.clone(), row.row().id()))
                    .collect();
                prop_assert_eq!(got, expected, "{} with {}", entity.list(), input);
            }
            Ok(())
        })
    });
    if let Err(failure) = result {
        panic!("{failure}");
    }
}
