//! User inputs: name, email, age, city, and the e-mail normalisation.

use sea_orm::ActiveValue::Set;

use super::{fold, int_in_range, trimmed_text};
use crate::entity::user;
use crate::error::AppError;

/// An e-mail address, trimmed and lower-cased, with one `@`, a non-empty local part and a
/// domain that contains a dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Normalises, then checks, an e-mail address.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on `email`.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let email = raw.trim().to_lowercase();
        let invalid = |message: &str| Err(AppError::bad_input("email", message));
        if email.chars().count() > 100 {
            return invalid("email must be at most 100 characters long");
        }
        let Some((local, domain)) = email.split_once('@') else {
            return invalid("email must contain an @");
        };
        let well_formed = !local.is_empty()
            && !domain.contains('@')
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !email.chars().any(|c| c.is_whitespace() || c == '\0');
        if !well_formed {
            return invalid("email is not a valid address");
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn name(raw: &str) -> Result<String, AppError> {
    trimmed_text("name", raw, 2, Some(50))
}

fn age(raw: i32) -> Result<i32, AppError> {
    int_in_range("age", raw, 0, 150)
}

fn city(raw: &str) -> Result<String, AppError> {
    trimmed_text("city", raw, 0, Some(50))
}

/// A user that may be inserted.
#[derive(Debug, Clone)]
pub struct NewUser {
    name: String,
    email: Email,
    age: i32,
    city: String,
}

impl NewUser {
    /// Validates a new user; `city` defaults to `Unknown`.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on the first field that breaks a rule.
    pub fn parse(name: &str, email: &str, age: i32, city: Option<&str>) -> Result<Self, AppError> {
        Ok(Self {
            name: self::name(name)?,
            email: Email::parse(email)?,
            age: self::age(age)?,
            city: city.map_or_else(|| Ok("Unknown".to_owned()), self::city)?,
        })
    }
}

impl From<NewUser> for user::ActiveModel {
    fn from(new: NewUser) -> Self {
        Self {
            name_folded: Set(fold(&new.name)),
            name: Set(new.name),
            email: Set(new.email.0),
            age: Set(new.age),
            city_folded: Set(fold(&new.city)),
            city: Set(new.city),
            ..Default::default()
        }
    }
}

/// The changes of a user update; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    name: Option<String>,
    email: Option<Email>,
    age: Option<i32>,
    city: Option<String>,
    is_active: Option<bool>,
}

impl UserPatch {
    /// Validates every field the update carries.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on the first field that breaks a rule.
    pub fn parse(
        name: Option<&str>,
        email: Option<&str>,
        age: Option<i32>,
        city: Option<&str>,
        is_active: Option<bool>,
    ) -> Result<Self, AppError> {
        Ok(Self {
            name: name.map(self::name).transpose()?,
            email: email.map(Email::parse).transpose()?,
            age: age.map(self::age).transpose()?,
            city: city.map(self::city).transpose()?,
            is_active,
        })
    }
}

impl From<UserPatch> for user::ActiveModel {
    fn from(patch: UserPatch) -> Self {
        let mut model = Self::default();
        if let Some(name) = patch.name {
            model.name_folded = Set(fold(&name));
            model.name = Set(name);
        }
        if let Some(email) = patch.email {
            model.email = Set(email.0);
        }
        if let Some(age) = patch.age {
            model.age = Set(age);
        }
        if let Some(city) = patch.city {
            model.city_folded = Set(fold(&city));
            model.city = Set(city);
        }
        if let Some(is_active) = patch.is_active {
            model.is_active = Set(is_active);
        }
        model
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// Whatever comes in, `parse` either refuses it or returns a user that meets every rule.
        #[test]
        fn parsed_users_meet_every_rule(
            name in "\\PC{0,60}",
            email in prop_oneof!["\\PC{0,110}", "[ a-zA-Z]{0,60}@[a-zA-Z.]{0,50}"],
            age in any::<i32>(),
            city in proptest::option::of("\\PC{0,60}"),
        ) {
            if let Ok(user) = NewUser::parse(&name, &email, age, city.as_deref()) {
                prop_assert!((2..=50).contains(&user.name.chars().count()));
                prop_assert_eq!(user.name.trim(), user.name.as_str());
                let email = user.email.as_str();
                prop_assert!(email.chars().count() <= 100);
                prop_assert_eq!(email.to_lowercase(), email);
                prop_assert_eq!(email.matches('@').count(), 1);
                prop_assert!((0..=150).contains(&user.age));
                prop_assert!(user.city.chars().count() <= 50);
            }
        }
    }

    #[test]
    fn email_is_trimmed_and_lower_cased_first() {
        let email = Email::parse("  Ada@Example.COM ").ok();
        assert_eq!(email.as_ref().map(Email::as_str), Some("ada@example.com"));
    }

    #[test]
    fn email_shape_is_checked() {
        for bad in [
            "",
            "ada",
            "@example.com",
            "ada@",
            "ada@example",
            "a@b@c.d",
            "a b@c.d",
            "a@.c",
            "a@c.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be rejected");
        }
        assert!(Email::parse("a@b.c").is_ok());
    }

    #[test]
    fn email_length_counts_after_trimming() {
        let local = "a".repeat(94);
        assert!(Email::parse(&format!("  {local}@b.com  ")).is_ok());
        assert!(Email::parse(&format!("{local}a@b.com")).is_err());
    }

    #[test]
    fn city_defaults_to_unknown() {
        let user = NewUser::parse("Ada", "ada@example.com", 36, None).ok();
        assert_eq!(user.map(|u| u.city), Some("Unknown".to_owned()));
    }
}
