//! User inputs: name, email, age, city, and the e-mail normalisation.

use crate::error::AppError;

/// An e-mail address, trimmed, lower-cased and in NFC (two addresses that look the same are
/// one address), with one `@`, a non-empty local part and a domain that contains a dot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    /// Normalises, then checks, an e-mail address.
    ///
    /// # Errors
    /// `BAD_USER_INPUT` on `email`.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let email = super::nfc(&super::nfc(raw.trim()).to_lowercase());
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

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

super::text!(
    /// A user's display name: 2–50 characters after trimming.
    UserName,
    "name",
    2,
    Some(50)
);

super::text!(
    /// A city: at most 50 characters after trimming.
    City,
    "city",
    0,
    Some(50)
);

impl City {
    /// The city of a user who did not say: `Unknown`.
    pub fn unknown() -> Self {
        Self("Unknown".to_owned())
    }
}

super::bounded_int!(
    /// An age in years: 0–150.
    Age,
    "age",
    0,
    150
);

/// A user that may be inserted.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// The display name.
    pub name: UserName,
    /// The e-mail address (unique; the database checks).
    pub email: Email,
    /// The age.
    pub age: Age,
    /// The city, if given (a new user's is then `City::unknown()`; an upsert keeps the
    /// existing one).
    pub city: Option<City>,
    /// Whether the account is active, if given (a new user's is then active; an upsert keeps
    /// the existing one).
    pub is_active: Option<bool>,
    /// Posts created with the user.
    pub posts: Vec<super::post::NewPostOfUser>,
}

/// The changes of a user update; `None` leaves a column as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    /// A new display name.
    pub name: Option<UserName>,
    /// A new e-mail address.
    pub email: Option<Email>,
    /// A new age.
    pub age: Option<Age>,
    /// A new city.
    pub city: Option<City>,
    /// Activate or deactivate the account.
    pub is_active: Option<bool>,
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A new user from raw values, as the API builds it; `city` defaults to `Unknown`.
    fn parse(name: &str, email: &str, age: i32, city: Option<&str>) -> Result<NewUser, AppError> {
        Ok(NewUser {
            name: UserName::parse(name)?,
            email: Email::parse(email)?,
            age: Age::parse(age)?,
            city: city.map(City::parse).transpose()?,
            is_active: None,
            posts: Vec::new(),
        })
    }

    proptest! {
        /// Whatever comes in, `parse` either refuses it or returns a user that meets every rule.
        #[test]
        fn parsed_users_meet_every_rule(
            name in "\\PC{0,60}",
            email in prop_oneof!["\\PC{0,110}", "[ a-zA-Z]{0,60}@[a-zA-Z.]{0,50}"],
            age in any::<i32>(),
            city in proptest::option::of("\\PC{0,60}"),
        ) {
            if let Ok(user) = parse(&name, &email, age, city.as_deref()) {
                let name = user.name.as_str();
                prop_assert!((2..=50).contains(&name.chars().count()));
                prop_assert_eq!(name.trim(), name);
                let email = user.email.as_str();
                prop_assert!(email.chars().count() <= 100);
                prop_assert_eq!(email.to_lowercase(), email);
                prop_assert_eq!(email.matches('@').count(), 1);
                prop_assert!((0..=150).contains(&user.age.get()));
                prop_assert!(user.city.is_none_or(|city| city.as_str().chars().count() <= 50));
            }
        }
    }

    #[test]
    fn email_is_trimmed_and_lower_cased_first() {
        let email = Email::parse("  Ada@Example.COM ").ok();
        assert_eq!(email.as_ref().map(Email::as_str), Some("ada@example.com"));
    }

    #[test]
    fn emails_that_look_the_same_are_the_same() {
        let decomposed = Email::parse("Jose\u{301}@Example.com").ok();
        let precomposed = Email::parse("jos\u{e9}@example.com").ok();
        assert!(decomposed.is_some());
        assert_eq!(decomposed, precomposed);
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
    fn the_unknown_city_is_called_unknown() {
        let user = parse("Ada", "ada@example.com", 36, None).ok();
        assert_eq!(user.map(|u| u.city), Some(None));
        assert_eq!(City::unknown().as_str(), "Unknown");
    }
}
