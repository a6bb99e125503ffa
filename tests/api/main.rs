//! agora's integration tests: the real router over real sockets, each test on its own fresh
//! database. Tests written with `on_every_backend!` run once on SQLite and once on PostgreSQL
//! (see `helpers::POSTGRES_URL_VAR`).

/// Runs each named `async fn(&TestApp)` of the calling module once per backend, each run on its
/// own fresh database: `sqlite::<name>` and `postgres::<name>`.
macro_rules! on_every_backend {
    ($($test:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let app = $crate::helpers::TestApp::spawn($crate::helpers::Backend::Sqlite)
                        .await
                        .expect("SQLite is always available");
                    super::$test(&app).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    let Some(app) =
                        $crate::helpers::TestApp::spawn($crate::helpers::Backend::Postgres).await
                    else {
                        return;
                    };
                    super::$test(&app).await;
                }
            )+
        }
    };
}

mod helpers;

mod aggregates;
mod as_sent;
mod categories;
mod cli;
mod concurrency;
mod connections;
mod crashes;
mod dataset;
mod faults;
mod fuzz;
mod group_commit;
mod guarding;
mod hostile;
mod http;
mod in_place;
mod inline_reads;
mod live;
mod loaders;
mod lookups;
mod persisted;
mod posts;
mod products;
mod querying;
mod relay;
mod selections;
mod serving;
mod sqlite;
mod users;
mod writes;
