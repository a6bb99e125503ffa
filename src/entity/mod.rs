//! SeaORM models of the four tables and their relations; no GraphQL here.

pub mod category;
pub mod post;
pub mod product;
pub mod user;
