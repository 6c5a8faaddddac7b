//! Credentials, found where Composer finds them.
//!
//! Sources, later ones winning per origin: `$COMPOSER_HOME/config.json` (`config` section),
//! `$COMPOSER_HOME/auth.json`, the project composer.json `config` section, the project
//! auth.json (next to the composer.json in use), then the `COMPOSER_AUTH` environment variable
//! (highest, as in Composer 2.7.8 and later). Kinds: `http-basic` (a repo.magento.com key pair is
//! one: public key = username, private key = password) and `bearer`.
//!
//! Credentials are keyed by *origin*: the host, plus `:port` only when the URL spells a port.
//! Matching is exact (reference §4.3): `127.0.0.1` does not match `http://127.0.0.1:8080/`.
//! Credentials embedded in a URL (`https://user:pass@host/`) are used for that request and
//! remembered for the origin.

pub mod file;
pub mod keys;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::RwLock;

use base64::Engine;
use serde_json::Value;
use thiserror::Error;

use crate::composer::{read_json, FileError};

/// One set of credentials. `Debug` never shows the secret.
#[derive(Clone, PartialEq, Eq)]
pub enum Credential {
    Basic { username: String, password: String },
    Bearer { token: String },
}

impl std::fmt::Debug for Credential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credential::Basic { .. } => f.write_str("Credential::Basic(***)"),
            Credential::Bearer { .. } => f.write_str("Credential::Bearer(***)"),
        }
    }
}

impl Credential {
    /// The `Authorization` header value.
    pub fn header_value(&self) -> String {
        match self {
            Credential::Basic { username, password } => {
                let raw = format!("{username}:{password}");
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(raw)
                )
            }
            Credential::Bearer { token } => format!("Bearer {token}"),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Credential::Basic { .. } => "http-basic",
            Credential::Bearer { .. } => "bearer",
        }
    }
}

#[derive(Debug, Error)]
pub enum AuthError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("the COMPOSER_AUTH environment variable is not valid JSON: {0}")]
    EnvJson(String),
    #[error("`{location}`: `{kind}.{origin}` must be {expected}")]
    Shape {
        location: String,
        kind: String,
        origin: String,
        expected: &'static str,
    },
}

/// Where a credential came from, for messages ("found in ~/.composer/auth.json").
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    EnvComposerAuth,
    Url,
    /// A command-line option (`--mage-id`/`--token`).
    Flag,
    /// A dedicated environment variable (e.g. `MAGENTO_TOKEN`).
    Env(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(p) => write!(f, "{}", p.display()),
            Source::EnvComposerAuth => f.write_str("the COMPOSER_AUTH environment variable"),
            Source::Url => f.write_str("the URL"),
            Source::Flag => f.write_str("the command line"),
            Source::Env(name) => write!(f, "the {name} environment variable"),
        }
    }
}

/// All credentials known to this run.
#[derive(Debug, Default)]
pub struct AuthStore {
    entries: RwLock<HashMap<String, (Credential, Source)>>,
    /// Every place that was consulted, in order, for "where did we look" messages.
    pub searched: Vec<String>,
}

/// The places to read credentials from.
pub struct AuthSources<'a> {
    pub home: &'a Path,
    pub project_dir: &'a Path,
    /// The project composer.json, already decoded.
    pub manifest: Option<(&'a Path, &'a Value)>,
    pub composer_auth_env: Option<String>,
}

impl AuthStore {
    pub fn load(sources: &AuthSources<'_>) -> Result<AuthStore, AuthError> {
        let mut store = AuthStore::default();
        let global_config = sources.home.join("config.json");
        store.searched.push(global_config.display().to_string());
        if global_config.is_file() {
            let json = read_json(&global_config)?;
            if let Some(config) = json.get("config") {
                store.merge(config, Source::File(global_config.clone()))?;
            }
        }
        let global_auth = sources.home.join("auth.json");
        store.read_auth_file(&global_auth)?;
        if let Some((path, json)) = sources.manifest {
            store
                .searched
                .push(format!("{} (config section)", path.display()));
            if let Some(config) = json.get("config") {
                store.merge(config, Source::File(path.to_path_buf()))?;
            }
        }
        store.read_auth_file(&sources.project_dir.join("auth.json"))?;
        store
            .searched
            .push("the COMPOSER_AUTH environment variable".to_string());
        if let Some(text) = &sources.composer_auth_env {
            let json: Value =
                serde_json::from_str(text).map_err(|e| AuthError::EnvJson(e.to_string()))?;
            store.merge(&json, Source::EnvComposerAuth)?;
        }
        Ok(store)
    }

    fn read_auth_file(&mut self, path: &Path) -> Result<(), AuthError> {
        self.searched.push(path.display().to_string());
        if path.is_file() {
            let json = read_json(path)?;
            self.merge(&json, Source::File(path.to_path_buf()))?;
        }
        Ok(())
    }

    /// Merges the auth keys of an auth.json-shaped object. Within one source `bearer` is read
    /// after `http-basic`, so it wins for the same origin, as in Composer.
    fn merge(&mut self, json: &Value, source: Source) -> Result<(), AuthError> {
        let location = source.to_string();
        let entries = self.entries.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(Value::Object(basic)) = json.get("http-basic") {
            for (origin, v) in basic {
                let user = v.get("username").and_then(Value::as_str);
                let pass = v.get("password").and_then(Value::as_str);
                match (user, pass) {
                    (Some(u), Some(p)) => {
                        entries.insert(
                            origin.clone(),
                            (
                                Credential::Basic {
                                    username: u.to_string(),
                                    password: p.to_string(),
                                },
                                source.clone(),
                            ),
                        );
                    }
                    _ => {
                        return Err(AuthError::Shape {
                            location,
                            kind: "http-basic".into(),
                            origin: origin.clone(),
                            expected: "an object with string `username` and `password`",
                        })
                    }
                }
            }
        }
        if let Some(Value::Object(bearer)) = json.get("bearer") {
            for (origin, v) in bearer {
                let Some(token) = v.as_str() else {
                    return Err(AuthError::Shape {
                        location,
                        kind: "bearer".into(),
                        origin: origin.clone(),
                        expected: "a string token",
                    });
                };
                entries.insert(
                    origin.clone(),
                    (
                        Credential::Bearer {
                            token: token.to_string(),
                        },
                        source.clone(),
                    ),
                );
            }
        }
        Ok(())
    }

    /// Credentials for a URL: userinfo in the URL first (and remembered for its origin), then
    /// the configured entry for the URL's origin.
    pub fn for_url(&self, raw_url: &str) -> Option<(Credential, Source)> {
        let url = reqwest::Url::parse(raw_url).ok()?;
        let origin = origin_of(raw_url)?;
        if !url.username().is_empty() {
            if let Some(password) = url.password() {
                let cred = Credential::Basic {
                    username: percent_decode(url.username()),
                    password: percent_decode(password),
                };
                let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
                entries.insert(origin, (cred.clone(), Source::Url));
                return Some((cred, Source::Url));
            }
        }
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries.get(&origin).cloned()
    }

    /// Sets the credentials of `origin` for this run (they win over every file).
    pub fn insert(&self, origin: &str, credential: Credential, source: Source) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.insert(origin.to_string(), (credential, source));
    }

    /// The credentials in effect for `origin`, if any.
    pub fn for_origin(&self, origin: &str) -> Option<(Credential, Source)> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries.get(origin).cloned()
    }

    /// Every origin with the credentials in effect for it, sorted by origin.
    pub fn entries(&self) -> Vec<(String, Credential, Source)> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<_> = entries
            .iter()
            .map(|(o, (c, s))| (o.clone(), c.clone(), s.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }

    /// Origins that have credentials, with their kind and source (for `auth list` and hints).
    pub fn origins(&self) -> Vec<(String, &'static str, Source)> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        let mut out: Vec<_> = entries
            .iter()
            .map(|(o, (c, s))| (o.clone(), c.kind(), s.clone()))
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        out
    }
}

/// The auth key of a URL: host, plus `:port` when the URL spells one (reference §4.3).
pub fn origin_of(raw_url: &str) -> Option<String> {
    let url = reqwest::Url::parse(raw_url).ok()?;
    let host = url.host_str()?.to_lowercase();
    let host = if host.ends_with(".github.com") {
        "github.com".to_string()
    } else if host == "repo.packagist.org" {
        "packagist.org".to_string()
    } else {
        host
    };
    // `Url::port()` is `None` for a scheme's default port even when it was written out; the
    // authority text tells whether a port was spelled.
    match explicit_port(raw_url) {
        Some(port) => Some(format!("{host}:{port}")),
        None => Some(host),
    }
}

fn explicit_port(url: &str) -> Option<String> {
    let rest = &url[url.find("://")? + 3..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let host_port = authority.rsplit('@').next()?;
    let after_bracket = match host_port.rfind(']') {
        Some(i) => &host_port[i + 1..],
        None => host_port,
    };
    let port = after_bracket.rsplit_once(':')?.1;
    (!port.is_empty()).then(|| port.to_string())
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = [bytes[i + 1], bytes[i + 2]];
            if let Some(b) = std::str::from_utf8(&hex)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_follow_composer() {
        assert_eq!(
            origin_of("https://repo.magento.com/packages.json").unwrap(),
            "repo.magento.com"
        );
        assert_eq!(
            origin_of("http://127.0.0.1:8765/x").unwrap(),
            "127.0.0.1:8765"
        );
        assert_eq!(
            origin_of("https://repo.magento.com:443/x").unwrap(),
            "repo.magento.com:443"
        );
        assert_eq!(
            origin_of("https://api.github.com/repos").unwrap(),
            "github.com"
        );
        assert_eq!(
            origin_of("https://u:p@h.example:81/x").unwrap(),
            "h.example:81"
        );
    }

    #[test]
    fn precedence_and_matching() {
        let dir = tempfile::tempdir().unwrap();
        let home = dir.path().join("home");
        let project = dir.path().join("project");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&project).unwrap();
        std::fs::write(
            home.join("auth.json"),
            r#"{"http-basic": {"repo.example.com": {"username": "g", "password": "gp"}, "127.0.0.1:9": {"username": "a", "password": "b"}}}"#,
        )
        .unwrap();
        std::fs::write(
            project.join("auth.json"),
            r#"{"http-basic": {"repo.example.com": {"username": "p", "password": "pp"}}}"#,
        )
        .unwrap();
        let store = AuthStore::load(&AuthSources {
            home: &home,
            project_dir: &project,
            manifest: None,
            composer_auth_env: Some(r#"{"bearer": {"other.example": "tok"}}"#.into()),
        })
        .unwrap();
        let (c, s) = store.for_url("https://repo.example.com/a.zip").unwrap();
        assert_eq!(
            c,
            Credential::Basic {
                username: "p".into(),
                password: "pp".into()
            }
        );
        assert_eq!(s, Source::File(project.join("auth.json")));
        assert!(store.for_url("http://127.0.0.1/x").is_none());
        assert!(store.for_url("http://127.0.0.1:9/x").is_some());
        let (c, _) = store.for_url("https://other.example/x").unwrap();
        assert_eq!(c.header_value(), "Bearer tok");
        assert!(!format!("{c:?}").contains("tok"));
    }

    #[test]
    fn url_credentials_are_remembered() {
        let store = AuthStore::default();
        store.for_url("https://us%40er:p%3Ass@h.example/x").unwrap();
        let (c, s) = store.for_url("https://h.example/other").unwrap();
        assert_eq!(
            c,
            Credential::Basic {
                username: "us@er".into(),
                password: "p:ss".into()
            }
        );
        assert_eq!(s, Source::Url);
    }

    #[test]
    fn bad_composer_auth_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = AuthStore::load(&AuthSources {
            home: dir.path(),
            project_dir: dir.path(),
            manifest: None,
            composer_auth_env: Some("{nope".into()),
        })
        .unwrap_err();
        assert!(err.to_string().contains("COMPOSER_AUTH"));
    }
}
