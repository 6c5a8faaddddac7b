//! URLs that are safe to show.
//!
//! Dist URLs come from lock files and repository metadata and may carry credentials as userinfo
//! (`https://MAGEID:TOKEN@host/...`). Every URL that can reach an error message, a log line or a
//! progress line is a [`SafeUrl`]: its `Display` and `Debug` mask the userinfo, so nothing has to
//! remember to redact.

use std::fmt;

/// A URL whose `Display`/`Debug` never show credentials.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SafeUrl(String);

impl SafeUrl {
    pub fn new(url: impl Into<String>) -> Self {
        SafeUrl(url.into())
    }

    /// The real URL, credentials included: for making requests only, never for display.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact_url(&self.0))
    }
}

impl fmt::Debug for SafeUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SafeUrl({})", redact_url(&self.0))
    }
}

/// Masks the userinfo of a URL: `user:***@` for a plain user name, `***:***@` for a user name
/// that looks like a key or token (a Marketplace public key is 32 hex characters).
pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    let user = userinfo.split(':').next().unwrap_or("");
    let shown_user = if looks_like_secret(user) { "***" } else { user };
    format!(
        "{}://{}:***@{}",
        &url[..scheme_end],
        shown_user,
        &rest[at + 1..]
    )
}

fn looks_like_secret(user: &str) -> bool {
    let hexish = user.len() >= 12 && user.chars().all(|c| c.is_ascii_hexdigit());
    hexish
        || user.starts_with("gh")
        || user.starts_with("github_pat_")
        || user.len() >= 20
        || user.to_ascii_uppercase().starts_with("MAG")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_password_and_token_like_users() {
        assert_eq!(
            redact_url("https://user:pass@repo.example.com/p/x.json"),
            "https://user:***@repo.example.com/p/x.json"
        );
        assert_eq!(
            redact_url(
                "https://0123456789abcdef0123456789abcdef:fedcba@repo.magento.com/archives/a.zip"
            ),
            "https://***:***@repo.magento.com/archives/a.zip"
        );
        assert_eq!(
            redact_url("https://MAG123456789:tok@www.example.com/"),
            "https://***:***@www.example.com/"
        );
        assert_eq!(
            redact_url("http://127.0.0.1:8080/a@b"),
            "http://127.0.0.1:8080/a@b"
        );
        assert_eq!(redact_url("not a url"), "not a url");
    }

    #[test]
    fn display_and_debug_are_redacted() {
        let u = SafeUrl::new("https://pub:secretvalue@host/x");
        assert!(!format!("{u}").contains("secretvalue"));
        assert!(!format!("{u:?}").contains("secretvalue"));
        assert!(u.expose().contains("secretvalue"));
    }
}
