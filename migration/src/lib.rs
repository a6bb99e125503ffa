//! agora's schema migrations: the only place tables are created or changed.

pub use sea_orm_migration::prelude::*;

mod m20261125_000001_create_tables;
mod m20261201_000001_search_indexes;
mod m20261202_000001_events;
mod m20261203_000001_updated_at;
mod m20261204_000001_search_pending_list;

/// Every migration of agora, oldest first.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_tables::Migration),
            Box::new(m20261201_000001_search_indexes::Migration),
            Box::new(m20261202_000001_events::Migration),
            Box::new(m20261203_000001_updated_at::Migration),
            Box::new(m20261204_000001_search_pending_list::Migration),
        ]
    }
}
