//! Offset pagination: `skip` and `limit` with their bounds.

use super::int_in_range;
use crate::error::AppError;

/// The largest page a client can ask for.
pub const MAX_LIMIT: i32 = 100;
/// The page size when a client does not say.
pub const DEFAULT_LIMIT: i32 = 10;

/// A validated page request: `skip >= 0`, `1 <= limit <= 100`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    skip: u64,
    limit: u64,
}

impl Page {
    /// Parses `skip` (default 0) and `limit` (default 10); `null` means the default.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on `skip` or `limit` when out of bounds.
    pub fn parse(skip: Option<i32>, limit: Option<i32>) -> Result<Self, AppError> {
        let skip = int_in_range("skip", skip.unwrap_or(0), 0, i32::MAX)?;
        let limit = int_in_range("limit", limit.unwrap_or(DEFAULT_LIMIT), 1, MAX_LIMIT)?;
        Ok(Self {
            skip: skip.unsigned_abs().into(),
            limit: limit.unsigned_abs().into(),
        })
    }

    /// How many rows to skip.
    pub fn skip(&self) -> u64 {
        self.skip
    }

    /// How many rows at most.
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

/// A validated per-parent page of a nested list: `skip >= 0`, and `1 <= limit <= 100` when
/// given (no limit: every child).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChildPage {
    skip: u64,
    limit: Option<u64>,
}

impl ChildPage {
    /// Parses `skip` (default 0) and `limit` (default: none).
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on `skip` or `limit` when out of bounds.
    pub fn parse(skip: Option<i32>, limit: Option<i32>) -> Result<Self, AppError> {
        let skip = int_in_range("skip", skip.unwrap_or(0), 0, i32::MAX)?;
        let limit = limit
            .map(|limit| int_in_range("limit", limit, 1, MAX_LIMIT))
            .transpose()?;
        Ok(Self {
            skip: skip.unsigned_abs().into(),
            limit: limit.map(|limit| limit.unsigned_abs().into()),
        })
    }

    /// How many children of each parent to skip.
    pub fn skip(&self) -> u64 {
        self.skip
    }

    /// How many children of each parent at most, if bounded.
    pub fn limit(&self) -> Option<u64> {
        self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_to_null() {
        let page = Page::parse(None, None).ok();
        assert_eq!(page.map(|p| (p.skip(), p.limit())), Some((0, 10)));
    }

    #[test]
    fn bounds_are_inclusive() {
        assert!(Page::parse(Some(0), Some(1)).is_ok());
        assert!(Page::parse(Some(0), Some(100)).is_ok());
        assert!(Page::parse(Some(0), Some(0)).is_err());
        assert!(Page::parse(Some(0), Some(101)).is_err());
        assert!(Page::parse(Some(-1), Some(10)).is_err());
    }
}
