//! Writes that applications need (SPEC section 7): `updatedAt`, optimistic concurrency, bulk
//! creates, upserts, nested creates and `@atomic` operations, on real databases.

mod expected;
mod stamps;
