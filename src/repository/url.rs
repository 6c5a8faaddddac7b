//! From a configured repository `url` to the URLs of its files (reference §1.1, §1.2) and the
//! name of its metadata cache directory (§5.3).

use std::path::Path;

use crate::redact::SafeUrl;

/// The `url` of a `composer` repository after Composer's normalisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoUrl {
    url: String,
}

impl RepoUrl {
    /// Normalises a configured URL: no scheme → `file://<realpath>` for an existing directory,
    /// else `http://`; trailing `/` stripped; `https?://` → `https://`; `packagist.org` →
    /// `repo.packagist.org`.
    pub fn from_config(raw: &str) -> Result<RepoUrl, String> {
        let mut url = if has_scheme(raw) {
            raw.to_string()
        } else if Path::new(raw).is_dir() {
            let real = fs_err::canonicalize(raw).map_err(|e| e.to_string())?;
            format!("file://{}", real.display())
        } else {
            format!("http://{raw}")
        };
        while url.ends_with('/') {
            url.pop();
        }
        if !url.contains("://") || url.ends_with("://") {
            return Err(format!("`{raw}` is not a repository URL"));
        }
        if let Some(rest) = url.strip_prefix("https?") {
            url = format!("https{rest}");
        }
        if let Some(scheme) = packagist_scheme(&url) {
            url = format!("{scheme}://repo.packagist.org");
        }
        Ok(RepoUrl { url })
    }

    pub fn as_str(&self) -> &str {
        &self.url
    }

    /// The URL for messages (credentials masked).
    pub fn safe(&self) -> SafeUrl {
        SafeUrl::new(self.url.clone())
    }

    pub fn is_file(&self) -> bool {
        self.url.starts_with("file://")
    }

    /// The root file: the URL itself when its path names a `.json` file, else
    /// `<url>/packages.json`.
    pub fn root_file(&self) -> String {
        if url_path(&self.url).contains(".json") {
            self.url.clone()
        } else {
            format!("{}/packages.json", self.url)
        }
    }

    /// The base URL that `includes` and `provider-includes` paths are relative to: the URL
    /// without a final `/<file>.json`, query and fragment.
    pub fn base(&self) -> String {
        let head = match self.url.find(['?', '#']) {
            Some(i) => &self.url[..i],
            None => &self.url,
        };
        let mut base = head;
        if let Some(slash) = head.rfind('/') {
            let last = &head[slash + 1..];
            let after_scheme = head.find("://").map_or(0, |i| i + 3);
            if slash >= after_scheme
                && last.len() > ".json".len()
                && last.ends_with(".json")
                && !last.contains('\\')
            {
                base = &head[..slash];
            }
        }
        base.trim_end_matches('/').to_string()
    }

    /// A file of the repository named by `path` relative to the base URL (`includes`,
    /// `provider-includes`).
    pub fn relative(&self, path: &str) -> String {
        format!("{}/{}", self.base(), path)
    }

    /// Composer's `canonicalizeUrl`: a value starting with `/` gets the repository's
    /// `scheme://[userinfo@]host[:port]` prefix (its path is dropped); anything else is used
    /// verbatim.
    pub fn canonicalize(&self, value: &str) -> String {
        if !value.starts_with('/') {
            return value.to_string();
        }
        match scheme_and_authority(&self.url) {
            Some(prefix) => format!("{prefix}{value}"),
            None => self.url.clone(),
        }
    }

    /// Directory name of this repository inside `cache-repo-dir`: `Url::sanitize` of the URL
    /// with every character outside `[a-z0-9.]` replaced by `-`.
    pub fn cache_dir_name(&self) -> String {
        sanitize_url(&self.url)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '.' {
                    c
                } else {
                    '-'
                }
            })
            .collect()
    }
}

/// `^[\w.]+\??://`.
fn has_scheme(raw: &str) -> bool {
    let b = raw.as_bytes();
    let word = b
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_' || **c == b'.')
        .count();
    if word == 0 {
        return false;
    }
    let rest = &raw[word..];
    rest.starts_with("://") || rest.starts_with("?://")
}

/// `^https?://packagist\.org/?$` (case-insensitive) → the scheme.
fn packagist_scheme(url: &str) -> Option<&str> {
    let (scheme, rest) = url.split_once("://")?;
    let is_http = scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https");
    let host = rest.strip_suffix('/').unwrap_or(rest);
    (is_http && host.eq_ignore_ascii_case("packagist.org")).then_some(scheme)
}

/// `^[^:]++://[^/]*+` of a URL.
fn scheme_and_authority(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    if !url[colon..].starts_with("://") {
        return None;
    }
    let authority_start = colon + 3;
    let end = url[authority_start..]
        .find('/')
        .map_or(url.len(), |i| authority_start + i);
    Some(&url[..end])
}

/// The path part of a URL (between the authority and `?`/`#`).
fn url_path(url: &str) -> &str {
    let Some(authority) = url.find("://").map(|i| i + 3) else {
        return url;
    };
    let rest = &url[authority..];
    let Some(start) = rest.find('/') else {
        return "";
    };
    let path = &rest[start..];
    match path.find(['?', '#']) {
        Some(i) => &path[..i],
        None => path,
    }
}

/// The first `$` of an http(s) URL sent as `%24`, as Composer does for v1 file names.
pub fn encode_first_dollar(url: &str) -> String {
    let is_http = url
        .get(..7)
        .is_some_and(|s| s.eq_ignore_ascii_case("http://"))
        || url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
    match url.find('$') {
        Some(pos) if pos > 0 && is_http => format!("{}%24{}", &url[..pos], &url[pos + 1..]),
        _ => url.to_string(),
    }
}

/// Composer's `Url::sanitize`: an `access_token` query value and the password of the
/// userinfo become `***` (the user too when it looks like a key or a GitHub token).
pub fn sanitize_url(url: &str) -> String {
    let url = mask_access_token(url);
    let b = url.as_bytes();
    let prefix_len = {
        let alnum = b.iter().take_while(|c| c.is_ascii_alphanumeric()).count();
        if alnum > 0 && url[alnum..].starts_with("://") {
            alnum + 3
        } else {
            0
        }
    };
    let user_end = prefix_len
        + b[prefix_len..]
            .iter()
            .take_while(|c| !matches!(c, b':' | b'/' | b'@') && !c.is_ascii_whitespace())
            .count();
    if user_end == prefix_len || b.get(user_end) != Some(&b':') {
        return url;
    }
    let pass_start = user_end + 1;
    let pass_end = pass_start
        + b[pass_start..]
            .iter()
            .take_while(|c| !matches!(c, b'@' | b'/') && !c.is_ascii_whitespace())
            .count();
    if pass_end == pass_start || b.get(pass_end) != Some(&b'@') {
        return url;
    }
    let user = &url[prefix_len..user_end];
    let shown = if looks_like_token(user) { "***" } else { user };
    format!("{}{shown}:***@{}", &url[..prefix_len], &url[pass_end + 1..])
}

/// `^([a-f0-9]{12,}|gh[a-z]_[a-zA-Z0-9_]+)$`.
fn looks_like_token(user: &str) -> bool {
    let hex = user.len() >= 12 && user.bytes().all(|c| matches!(c, b'a'..=b'f' | b'0'..=b'9'));
    let b = user.as_bytes();
    let github = b.len() > 4
        && b.starts_with(b"gh")
        && b[2].is_ascii_lowercase()
        && b[3] == b'_'
        && b[4..]
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_');
    hex || github
}

/// `([&?]access_token=)[^&]+` → `$1***`.
fn mask_access_token(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    let mut rest = url;
    while let Some(i) = rest.find("access_token=") {
        let preceded = i > 0 && matches!(rest.as_bytes()[i - 1], b'&' | b'?');
        let value_start = i + "access_token=".len();
        let value_len = rest[value_start..]
            .find('&')
            .unwrap_or(rest.len() - value_start);
        out.push_str(&rest[..value_start]);
        if preceded && value_len > 0 {
            out.push_str("***");
        } else {
            out.push_str(&rest[value_start..value_start + value_len]);
        }
        rest = &rest[value_start + value_len..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(url: &str) -> RepoUrl {
        RepoUrl::from_config(url).unwrap()
    }

    #[test]
    fn root_and_base_urls() {
        let r = repo("https://repo.magento.com/");
        assert_eq!(r.as_str(), "https://repo.magento.com");
        assert_eq!(r.root_file(), "https://repo.magento.com/packages.json");
        assert_eq!(r.base(), "https://repo.magento.com");
        let r = repo("https://mirror.example.com/magento/packages.json");
        assert_eq!(
            r.root_file(),
            "https://mirror.example.com/magento/packages.json"
        );
        assert_eq!(r.base(), "https://mirror.example.com/magento");
        let r = repo("https://h.example/sub/root.json?x=1");
        assert_eq!(r.root_file(), "https://h.example/sub/root.json?x=1");
        assert_eq!(r.base(), "https://h.example/sub");
        assert_eq!(
            r.relative("p/provider-a$%hash%.json"),
            "https://h.example/sub/p/provider-a$%hash%.json"
        );
    }

    #[test]
    fn configured_urls_are_normalised() {
        assert_eq!(
            repo("repo.example.com/x/").as_str(),
            "http://repo.example.com/x"
        );
        assert_eq!(repo("https?://h.example").as_str(), "https://h.example");
        assert_eq!(
            repo("https://packagist.org/").as_str(),
            "https://repo.packagist.org"
        );
        assert_eq!(
            repo("http://PACKAGIST.org").as_str(),
            "http://repo.packagist.org"
        );
        assert_eq!(
            repo("https://packagist.org/x").as_str(),
            "https://packagist.org/x"
        );
        let dir = tempfile::tempdir().unwrap();
        let local = repo(&dir.path().display().to_string());
        let real = std::fs::canonicalize(dir.path()).unwrap();
        assert_eq!(local.as_str(), format!("file://{}", real.display()));
        assert!(local.is_file());
        assert!(RepoUrl::from_config("https:///").is_err());
    }

    #[test]
    fn canonicalisation_keeps_only_scheme_userinfo_host_port() {
        let r = repo("https://u:p@mirror.example.com:8443/magento");
        assert_eq!(
            r.canonicalize("/p2/%package%.json"),
            "https://u:p@mirror.example.com:8443/p2/%package%.json"
        );
        assert_eq!(
            r.canonicalize("https://cdn.example/p2/%package%.json"),
            "https://cdn.example/p2/%package%.json"
        );
        assert_eq!(r.canonicalize("p2/x.json"), "p2/x.json");
        let f = repo("file:///srv/repo");
        assert_eq!(f.canonicalize("/p2/x.json"), "file:///p2/x.json");
    }

    #[test]
    fn cache_directory_names() {
        let cases = [
            ("https://repo.magento.com/", "https---repo.magento.com"),
            ("https://repo.packagist.org", "https---repo.packagist.org"),
            ("https://user:pass@repo.magento.com", "https---user-----repo.magento.com"),
            (
                "https://0a1b2c3d4e5f60718293a4b5c6d7e8f9:f9e8d7c6b5a4938271605f4e3d2c1b0a@repo.magento.com",
                "https-----------repo.magento.com",
            ),
            (
                "https://mirror.example.com:8443/magento",
                "https---mirror.example.com-8443-magento",
            ),
        ];
        for (url, dir) in cases {
            assert_eq!(repo(url).cache_dir_name(), dir, "{url}");
        }
    }

    #[test]
    fn sanitize_matches_composer() {
        assert_eq!(
            sanitize_url("https://api.example/x?access_token=abc&b=1"),
            "https://api.example/x?access_token=***&b=1"
        );
        assert_eq!(
            sanitize_url("https://ghp_abcDEF123:x-oauth-basic@github.com/a"),
            "https://***:***@github.com/a"
        );
        assert_eq!(
            sanitize_url("https://h.example/a:b@c"),
            "https://h.example/a:b@c"
        );
    }

    #[test]
    fn first_dollar_is_encoded_for_http_only() {
        assert_eq!(
            encode_first_dollar("https://h/p/provider-ce$ab$cd.json"),
            "https://h/p/provider-ce%24ab$cd.json"
        );
        assert_eq!(
            encode_first_dollar("file:///p/a$b.json"),
            "file:///p/a$b.json"
        );
        assert_eq!(encode_first_dollar("hé$"), "hé$");
    }
}
