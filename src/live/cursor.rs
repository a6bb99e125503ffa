//! The opaque cursor of a change, which `xChanges(after:)` resumes from.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};

use crate::store::events::Position;

/// Where a change stands in the event record, and when it was written (a cursor expires with
/// its event).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    /// Its place in the record.
    pub position: Position,
    /// When its event was written.
    pub at: DateTime<Utc>,
}

/// The version tag at the start of every cursor, so that a later format can tell old ones.
const VERSION: &str = "e1";

impl Cursor {
    /// The text a client gets and sends back.
    pub fn encode(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!(
            "{VERSION}:{}:{}:{}",
            self.position.order,
            self.position.id,
            self.at.timestamp_millis()
        ))
    }

    /// The cursor `text` encodes, or `None` when it is not one of agora's.
    pub fn decode(text: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        let mut parts = text.split(':');
        if parts.next()? != VERSION {
            return None;
        }
        let order = parts.next()?.parse().ok()?;
        let id = parts.next()?.parse().ok()?;
        let at = DateTime::from_timestamp_millis(parts.next()?.parse().ok()?)?;
        if parts.next().is_some() || order < 0 || id < 0 {
            return None;
        }
        Some(Self {
            position: Position { order, id },
            at,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_reads_back_as_itself_and_nothing_else_reads_as_one() {
        let cursor = Cursor {
            position: Position { order: 812, id: 77 },
            at: DateTime::from_timestamp_millis(1_764_590_000_123).expect("a time"),
        };
        assert_eq!(Cursor::decode(&cursor.encode()), Some(cursor));
        for text in ["", "abc", "ZTE6MTox", &URL_SAFE_NO_PAD.encode("e1:1:2:3:4")] {
            assert_eq!(Cursor::decode(text), None, "{text}");
        }
        assert_eq!(Cursor::decode(&URL_SAFE_NO_PAD.encode("e1:-1:2:3")), None);
    }
}
