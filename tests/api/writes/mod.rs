//! Writes that applications need (SPEC section 7): `updatedAt`, optimistic concurrency, bulk
//! creates, upserts, nested creates and `@atomic` operations, on real databases.

mod atomic;
mod bulk;
mod events;
mod expected;
mod nested;
mod stamps;
mod upsert;
