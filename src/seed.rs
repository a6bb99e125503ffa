//! `agora seed`: fills the database with realistic, deterministic data in batched
//! transactions, fast enough for a million rows.

use std::io::IsTerminal as _;
use std::time::{Duration, Instant};

use anyhow::bail;
use indicatif::{ProgressBar, ProgressStyle};
use rand::seq::IndexedRandom as _;
use rand::{RngExt as _, SeedableRng as _};
use rand_chacha::ChaCha8Rng;
use sea_orm::DatabaseConnection;

use crate::domain::category::CategoryName;
use crate::domain::post::{Content, NewPost, Title};
use crate::domain::product::{NewProduct, Price, ProductName, Stock};
use crate::domain::user::{Age, City, Email, NewUser, UserName};
use crate::entity::{category, post, product, user};
use crate::error::AppError;
use crate::store;
use crate::store::bulk::{ids_after, insert_all, max_id};

/// How much to create.
#[derive(Clone, Debug, clap::Args)]
pub struct SeedPlan {
    /// Users to create.
    #[arg(long, default_value_t = 1_000)]
    pub users: u64,
    /// Posts per user.
    #[arg(long, default_value_t = 10)]
    pub posts_per_user: u64,
    /// Categories to create.
    #[arg(long, default_value_t = 20)]
    pub categories: u64,
    /// Products to create (spread over the categories; one in twenty has none).
    #[arg(long, default_value_t = 2_000)]
    pub products: u64,
    /// Seed of the random generator: the same seed gives the same data.
    #[arg(long, default_value_t = 42)]
    pub rng_seed: u64,
    /// Add to a database that already has rows (otherwise a non-empty database is refused).
    #[arg(long)]
    pub append: bool,
}

const FIRST_NAMES: &[&str] = &[
    "Ada", "Alan", "Grace", "Linus", "Margaret", "Dennis", "Barbara", "Ken", "Frances", "Edsger",
    "Radia", "Tim", "Hedy", "John", "Sophie", "Émile", "Zoë", "Chloé", "Björn", "Ana",
];
const LAST_NAMES: &[&str] = &[
    "Lovelace",
    "Turing",
    "Hopper",
    "Torvalds",
    "Hamilton",
    "Ritchie",
    "Liskov",
    "Thompson",
    "Allen",
    "Dijkstra",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "McCarthy",
    "Wilson",
    "Durand",
];
const CITIES: &[&str] = &[
    "London", "Paris", "Berlin", "Madrid", "Rome", "Lisbon", "Vienna", "Prague", "Oslo", "Dublin",
    "Zürich", "Kraków", "Unknown",
];
const TOPICS: &[&str] = &[
    "databases",
    "compilers",
    "GraphQL",
    "Rust",
    "caching",
    "indexes",
    "testing",
    "queues",
    "latency",
    "schemas",
    "migrations",
    "concurrency",
];
const CATEGORIES: &[&str] = &[
    "Books",
    "Games",
    "Music",
    "Garden",
    "Kitchen",
    "Toys",
    "Sports",
    "Office",
    "Outdoors",
    "Tools",
    "Health",
    "Beauty",
    "Electronics",
    "Cameras",
    "Bikes",
    "Pets",
    "Baby",
    "Crafts",
    "Travel",
    "Grocery",
];
const ADJECTIVES: &[&str] = &[
    "Small", "Large", "Red", "Blue", "Quiet", "Fast", "Classic", "Modern", "Wooden", "Steel",
];
const NOUNS: &[&str] = &[
    "Lamp", "Chair", "Notebook", "Kettle", "Drone", "Ball", "Guitar", "Tent", "Camera", "Pen",
];

/// What a seed run created.
#[derive(Debug, Default)]
pub struct SeedReport {
    /// Users created.
    pub users: u64,
    /// Posts created.
    pub posts: u64,
    /// Categories created.
    pub categories: u64,
    /// Products created.
    pub products: u64,
    /// How long it took.
    pub elapsed: Duration,
}

/// A progress bar on a terminal, a log line per tenth otherwise.
struct Progress {
    bar: Option<ProgressBar>,
    what: &'static str,
    total: u64,
    done: u64,
}

impl Progress {
    fn new(what: &'static str, total: u64) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(total).with_message(what);
            if let Ok(style) =
                ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} {per_sec} {eta}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar
        });
        Self {
            bar,
            what,
            total,
            done: 0,
        }
    }

    fn advance(&mut self, rows: u64) {
        let before = self.done * 10 / self.total.max(1);
        self.done += rows;
        match &self.bar {
            Some(bar) => bar.inc(rows),
            None if self.done * 10 / self.total.max(1) > before || self.done == self.total => {
                tracing::info!("seeding {}: {}/{}", self.what, self.done, self.total);
            }
            None => {}
        }
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish();
        }
    }
}

/// Fills the database as `plan` says.
///
/// # Errors
/// When the database is not empty and `append` is off, or a statement fails.
pub async fn seed(db: &DatabaseConnection, plan: &SeedPlan) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    if !plan.append && store::bulk::has_rows(db).await? {
        bail!("the database already has rows; use --append to add to them");
    }
    let mut rng = ChaCha8Rng::seed_from_u64(plan.rng_seed);

    let first_user = max_id::<user::Entity>(db, user::Column::Id).await?;
    let mut progress = Progress::new("users", plan.users);
    let users = (0..plan.users).map(|i| {
        let n = u64::try_from(first_user).unwrap_or(0) + i + 1;
        let first = FIRST_NAMES.choose(&mut rng).copied().unwrap_or("Ada");
        let last = LAST_NAMES.choose(&mut rng).copied().unwrap_or("Lovelace");
        let email = format!(
            "{}.{}.{n}@example.com",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let city = CITIES.choose(&mut rng).copied();
        let age = rng.random_range(16..=90);
        let name = format!("{first} {last}");
        let new = NewUser {
            name: UserName::parse(&name)?,
            email: Email::parse(&email)?,
            age: Age::parse(age)?,
            city: city.map(City::parse).transpose()?,
            is_active: None,
            posts: Vec::new(),
        };
        Ok::<_, AppError>(store::user::inserted(new).0)
    });
    insert_all::<user::Entity>(db, users, |rows| progress.advance(rows)).await?;
    progress.finish();
    let author_ids = ids_after::<user::Entity>(db, user::Column::Id, first_user).await?;

    let total_posts = author_ids.len() as u64 * plan.posts_per_user;
    let mut progress = Progress::new("posts", total_posts);
    let mut post_number = 0_u64;
    let posts = author_ids
        .iter()
        .flat_map(|author| (0..plan.posts_per_user).map(move |_| *author));
    let posts = posts.map(|author| {
        post_number += 1;
        let topic = TOPICS.choose(&mut rng).copied().unwrap_or("Rust");
        let title = format!("Notes on {topic}, part {post_number}");
        let content = format!(
            "What I learned about {topic} this week, with examples and a few open questions ({post_number})."
        );
        let published = rng.random_bool(0.7);
        let new = NewPost {
            title: Title::parse(&title)?,
            content: Content::parse(&content)?,
            author_id: author,
        };
        Ok::<_, AppError>(store::post::inserted(new, published))
    });
    insert_all::<post::Entity>(db, posts, |rows| progress.advance(rows)).await?;
    progress.finish();

    let first_category = max_id::<category::Entity>(db, category::Column::Id).await?;
    let mut progress = Progress::new("categories", plan.categories);
    let categories = (0..plan.categories).map(|i| {
        let n = u64::try_from(first_category).unwrap_or(0) + i + 1;
        let base = CATEGORIES[usize::try_from(i).unwrap_or(0) % CATEGORIES.len()];
        let name = if first_category == 0 && i < CATEGORIES.len() as u64 {
            base.to_owned()
        } else {
            format!("{base} {n}")
        };
        CategoryName::parse(&name).map(store::category::named)
    });
    insert_all::<category::Entity>(db, categories, |rows| progress.advance(rows)).await?;
    progress.finish();
    let category_ids =
        ids_after::<category::Entity>(db, category::Column::Id, first_category).await?;

    let mut progress = Progress::new("products", plan.products);
    let products = (0..plan.products).map(|_| {
        let adjective = ADJECTIVES.choose(&mut rng).copied().unwrap_or("Small");
        let noun = NOUNS.choose(&mut rng).copied().unwrap_or("Lamp");
        let price = f64::from(rng.random_range(99..=49_999)) / 100.0;
        let stock = if rng.random_bool(0.1) {
            0
        } else {
            rng.random_range(1..=200)
        };
        let category = if rng.random_bool(0.05) {
            None
        } else {
            category_ids.choose(&mut rng).copied()
        };
        let new = NewProduct {
            name: ProductName::parse(&format!("{adjective} {noun}"))?,
            price: Price::parse(price)?,
            stock: Stock::parse(stock)?,
            category: None,
        };
        Ok::<_, AppError>(store::product::inserted(new, category))
    });
    insert_all::<product::Entity>(db, products, |rows| progress.advance(rows)).await?;
    progress.finish();
    store::bulk::tidy(db).await?;

    Ok(SeedReport {
        users: author_ids.len() as u64,
        posts: total_posts,
        categories: category_ids.len() as u64,
        products: plan.products,
        elapsed: started.elapsed(),
    })
}
