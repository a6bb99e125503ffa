//! Validated inputs (SPEC section 2): raw GraphQL values go in, values that cannot break a rule
//! come out. Every write goes through a `parse` here before it reaches the store. Plain Rust:
//! nothing here knows of GraphQL or of the database.

pub mod category;
pub mod page;
pub mod post;
pub mod product;
pub mod user;

use unicode_normalization::UnicodeNormalization as _;

use crate::error::AppError;

/// `text` in Unicode normalisation form C: `e` + combining acute accent becomes `é`, so two
/// texts that look the same are the same.
pub fn nfc(text: &str) -> String {
    text.nfc().collect()
}

/// The case-folded form of `text` that case-insensitive matching compares: Unicode lower case
/// of its NFC form (itself in NFC), so a search typed with combining accents finds the
/// precomposed text and the other way round.
pub fn fold(text: &str) -> String {
    nfc(&nfc(text).to_lowercase())
}

/// Declares a text newtype: trimmed, `$min..=$max` characters long, built only by its `parse`.
macro_rules! text {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:literal, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name(String);

        impl $name {
            /// Trims, then checks, the text.
            ///
            /// # Errors
            #[doc = concat!("`BAD_USER_INPUT` on `", $field, "`.")]
            pub fn parse(raw: &str) -> Result<Self, AppError> {
                crate::domain::trimmed_text($field, raw, $min, $max).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl From<$name> for String {
            fn from(text: $name) -> Self {
                text.0
            }
        }
    };
}
pub(crate) use text;

/// Declares an integer newtype that lies in `$min..=$max`, built only by its `parse`.
macro_rules! bounded_int {
    ($(#[$doc:meta])* $name:ident, $field:literal, $min:expr, $max:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub struct $name(i32);

        impl $name {
            /// Checks the number.
            ///
            /// # Errors
            #[doc = concat!("`BAD_USER_INPUT` on `", $field, "`.")]
            pub fn parse(raw: i32) -> Result<Self, AppError> {
                crate::domain::int_in_range($field, raw, $min, $max).map(Self)
            }

            /// The number.
            pub fn get(self) -> i32 {
                self.0
            }
        }
    };
}
pub(crate) use bounded_int;

/// Trims `value`, brings it to NFC, and checks that it has `min..=max` characters (no upper
/// bound when `max` is `None`).
///
/// # Errors
/// `BAD_USER_INPUT` on `field` when the length is out of bounds.
fn trimmed_text(
    field: &'static str,
    value: &str,
    min: usize,
    max: Option<usize>,
) -> Result<String, AppError> {
    let value = nfc(value.trim());
    check_length(field, &value, min, max)?;
    Ok(value)
}

/// Checks that `value` holds no NUL character and has `min..=max` characters once trimmed (no
/// upper bound when `max` is `None`).
///
/// # Errors
/// `BAD_USER_INPUT` on `field` when it does not.
fn check_length(
    field: &'static str,
    value: &str,
    min: usize,
    max: Option<usize>,
) -> Result<(), AppError> {
    if value.contains('\0') {
        return Err(AppError::bad_input(
            field,
            format!("{field} must not contain NUL characters"),
        ));
    }
    let len = value.trim().chars().count();
    let message = match max {
        Some(max) if len < min || len > max => {
            format!("{field} must be between {min} and {max} characters long")
        }
        None if len < min => format!("{field} must be at least {min} characters long"),
        _ => return Ok(()),
    };
    Err(AppError::bad_input(field, message))
}

/// Checks that an integer lies in `min..=max`.
///
/// # Errors
/// `BAD_USER_INPUT` on `field` when it does not.
fn int_in_range(field: &'static str, value: i32, min: i32, max: i32) -> Result<i32, AppError> {
    if (min..=max).contains(&value) {
        Ok(value)
    } else if max == i32::MAX {
        Err(AppError::bad_input(
            field,
            format!("{field} must be at least {min}"),
        ))
    } else {
        Err(AppError::bad_input(
            field,
            format!("{field} must be between {min} and {max}"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimmed_text_counts_characters_not_bytes() {
        assert_eq!(
            trimmed_text("name", " Éé ", 2, Some(2)).ok(),
            Some("Éé".into())
        );
        assert!(trimmed_text("name", "É", 2, Some(50)).is_err());
    }

    #[test]
    fn trimmed_text_names_the_field() {
        let err = trimmed_text("title", "abc", 5, Some(100)).err();
        assert_eq!(err.as_ref().and_then(AppError::field), Some("title"));
        assert_eq!(err.map(|err| err.code()), Some("BAD_USER_INPUT"));
    }

    #[test]
    fn trimmed_text_is_nfc_and_counts_its_characters() {
        let decomposed = "Jose\u{301}";
        assert_eq!(
            trimmed_text("name", decomposed, 4, Some(4)).ok(),
            Some("Jos\u{e9}".into())
        );
    }

    #[test]
    fn folding_makes_both_forms_of_a_letter_one() {
        assert_eq!(fold("JOSE\u{301}"), fold("jos\u{e9}"));
        assert_eq!(fold("JOSE\u{301}"), "jos\u{e9}");
    }

    #[test]
    fn trimmed_text_refuses_nul_characters() {
        assert!(trimmed_text("name", "Ad\0a", 2, Some(50)).is_err());
    }

    #[test]
    fn int_in_range_is_inclusive() {
        assert!(int_in_range("age", 0, 0, 150).is_ok());
        assert!(int_in_range("age", 150, 0, 150).is_ok());
        assert!(int_in_range("age", -1, 0, 150).is_err());
        assert!(int_in_range("age", 151, 0, 150).is_err());
    }
}
