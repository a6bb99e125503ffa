//! Live data (SPEC section 8): subscriptions over real sockets on real databases.

mod changes;
mod instances;
mod protocol;
mod resume;
mod slow;
pub mod socket;
mod sse;
