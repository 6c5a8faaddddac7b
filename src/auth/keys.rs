//! Checks of credentials typed or pasted by a user, before they are stored. Messages never
//! contain the value, only what is wrong with it.

use thiserror::Error;

/// The host whose keys are Marketplace access keys.
pub const MARKETPLACE_HOST: &str = "repo.magento.com";

/// Length of a Marketplace public or private key.
pub const MARKETPLACE_KEY_LEN: usize = 32;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error("the {which} is empty")]
    Empty { which: &'static str },
    #[error("the {which} contains spaces or control characters")]
    BadChars { which: &'static str },
    #[error(
        "the {which} must not contain `:` (HTTP basic auth uses it to separate user and password)"
    )]
    Colon { which: &'static str },
    #[error("a Marketplace {which} is {MARKETPLACE_KEY_LEN} characters long; this one has {len}")]
    MarketplaceLength { which: &'static str, len: usize },
}

/// A user name (public key, MAGEID): non-empty, printable, no spaces, no `:`.
pub fn check_user(which: &'static str, value: &str) -> Result<(), KeyError> {
    check_secret(which, value)?;
    if value.contains(':') {
        return Err(KeyError::Colon { which });
    }
    Ok(())
}

/// A password or token: non-empty, printable, no spaces.
pub fn check_secret(which: &'static str, value: &str) -> Result<(), KeyError> {
    if value.is_empty() {
        return Err(KeyError::Empty { which });
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(KeyError::BadChars { which });
    }
    Ok(())
}

/// A Marketplace access key: 32 characters.
pub fn check_marketplace_key(which: &'static str, value: &str) -> Result<(), KeyError> {
    let len = value.chars().count();
    if len != MARKETPLACE_KEY_LEN {
        return Err(KeyError::MarketplaceLength { which, len });
    }
    Ok(())
}

/// Whether a MAGEID has the shape seen in public examples (`MAG` and digits).
pub fn looks_like_mage_id(value: &str) -> bool {
    let upper = value.to_ascii_uppercase();
    upper.starts_with("MAG") && upper.len() > 3 && upper[3..].chars().all(|c| c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks() {
        assert!(check_user("public key", "abc").is_ok());
        assert_eq!(
            check_user("public key", "a:b"),
            Err(KeyError::Colon {
                which: "public key"
            })
        );
        assert!(check_secret("token", "a b").is_err());
        assert!(check_secret("token", "").is_err());
        let err = check_marketplace_key("private key", "short").unwrap_err();
        assert_eq!(
            err.to_string(),
            "a Marketplace private key is 32 characters long; this one has 5"
        );
        assert!(!err.to_string().contains("short"));
        assert!(check_marketplace_key("public key", &"a".repeat(32)).is_ok());
        assert!(looks_like_mage_id("MAG123456789"));
        assert!(!looks_like_mage_id("someone"));
    }
}
