//! The repositories of a project, as Composer builds them from composer.json, and the
//! lookup of packages across them by priority.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use futures::StreamExt;
use serde_json::Value;

use super::composer::{ComposerRepository, RepoContext};
use super::url::RepoUrl;
use super::{glob_match, PackageVersion, RepositoryError};
use crate::redact::SafeUrl;

/// The default repository, added last unless disabled.
pub const PACKAGIST_URL: &str = "https://repo.packagist.org";

/// One `composer` repository of composer.json.
#[derive(Debug, Clone)]
pub struct RepositoryDefinition {
    pub url: RepoUrl,
    /// `canonical` (default true): when this repository has a package, lower ones are not
    /// asked for it.
    pub canonical: bool,
    /// `only`: name patterns this repository may answer for (empty: all).
    pub only: Vec<String>,
    /// `exclude`: name patterns this repository is never asked for.
    pub exclude: Vec<String>,
}

/// The repositories of a project, in priority order, plus notes about entries that were
/// skipped (types magefetch does not read).
#[derive(Debug, Clone, Default)]
pub struct RepositoryDefinitions {
    pub repositories: Vec<RepositoryDefinition>,
    pub skipped: Vec<String>,
}

impl RepositoryDefinitions {
    /// Reads the `repositories` of a composer.json (`path` is for messages): a list or an
    /// object keyed by name; `false` / `{"name": false}` disables a named repository
    /// (`packagist.org` or `packagist`), and so does defining a repository on packagist.org.
    pub fn from_manifest(
        json: &Value,
        path: &Path,
    ) -> Result<RepositoryDefinitions, RepositoryError> {
        let entries: Vec<(String, Option<&str>, &Value)> = match json.get("repositories") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("#{i}"), None, v))
                .collect(),
            Some(Value::Object(map)) => map
                .iter()
                .map(|(k, v)| (format!("`{k}`"), Some(k.as_str()), v))
                .collect(),
            Some(_) => {
                return Err(config_error(
                    path,
                    "list",
                    "`repositories` must be a list or an object",
                ))
            }
        };
        let mut defs = RepositoryDefinitions::default();
        let mut packagist = true;
        for (label, name, value) in entries {
            match value {
                Value::Bool(false) => {
                    if name.is_some_and(is_packagist_name) {
                        packagist = false;
                    }
                }
                Value::Object(obj)
                    if obj.len() == 1 && obj.values().all(|v| v == &Value::Bool(false)) =>
                {
                    if obj.keys().any(|k| is_packagist_name(k)) {
                        packagist = false;
                    }
                }
                Value::Object(obj) => {
                    let kind = obj
                        .get("type")
                        .and_then(Value::as_str)
                        .ok_or_else(|| config_error(path, &label, "it has no `type`"))?;
                    if kind != "composer" {
                        let what = obj
                            .get("url")
                            .and_then(Value::as_str)
                            .map(|u| format!(" ({})", SafeUrl::new(u)))
                            .unwrap_or_default();
                        defs.skipped.push(format!(
                            "repository {label}{what}: unsupported repository type `{kind}` (magefetch reads `composer` repositories only); skipped"
                        ));
                        continue;
                    }
                    let raw = obj.get("url").and_then(Value::as_str).ok_or_else(|| {
                        config_error(path, &label, "a `composer` repository needs a `url`")
                    })?;
                    let url =
                        RepoUrl::from_config(raw).map_err(|m| config_error(path, &label, &m))?;
                    if is_on_packagist(raw) {
                        packagist = false;
                    }
                    defs.repositories.push(RepositoryDefinition {
                        url,
                        canonical: obj
                            .get("canonical")
                            .and_then(Value::as_bool)
                            .unwrap_or(true),
                        only: strings(obj.get("only")),
                        exclude: strings(obj.get("exclude")),
                    });
                }
                _ => {
                    return Err(config_error(
                        path,
                        &label,
                        "it must be an object or `false`",
                    ));
                }
            }
        }
        if packagist {
            defs.repositories.push(RepositoryDefinition {
                url: RepoUrl::from_config(PACKAGIST_URL)
                    .map_err(|m| config_error(path, "packagist.org", &m))?,
                canonical: true,
                only: Vec::new(),
                exclude: Vec::new(),
            });
        }
        Ok(defs)
    }
}

fn config_error(path: &Path, location: &str, message: &str) -> RepositoryError {
    RepositoryError::Config {
        path: path.to_path_buf(),
        location: location.to_string(),
        message: message.to_string(),
    }
}

fn strings(value: Option<&Value>) -> Vec<String> {
    value
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn is_packagist_name(name: &str) -> bool {
    name == "packagist.org" || name == "packagist"
}

/// `^https?://(?:[a-z0-9-.]+\.)?packagist.org(/|$)`.
fn is_on_packagist(url: &str) -> bool {
    let Some(rest) = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
    else {
        return false;
    };
    let host = rest.split('/').next().unwrap_or("");
    let valid = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-' || c == b'.')
    };
    host == "packagist.org"
        || host
            .strip_suffix(".packagist.org")
            .is_some_and(|sub| !sub.is_empty() && valid(sub))
}

/// A version and the repository it comes from.
#[derive(Debug, Clone)]
pub struct Offer {
    pub repository: SafeUrl,
    pub version: PackageVersion,
}

struct Entry {
    repo: ComposerRepository,
    canonical: bool,
    only: Vec<String>,
    exclude: Vec<String>,
}

impl Entry {
    fn may_answer(&self, name: &str) -> bool {
        (self.only.is_empty() || self.only.iter().any(|p| glob_match(p, name)))
            && !self.exclude.iter().any(|p| glob_match(p, name))
    }
}

/// The repositories of a project, asked in priority order.
pub struct RepositorySet {
    entries: Vec<Entry>,
    concurrency: usize,
}

impl RepositorySet {
    /// `concurrency` bounds how many packages are looked up at once.
    pub fn new(
        defs: &RepositoryDefinitions,
        ctx: RepoContext,
        concurrency: usize,
    ) -> RepositorySet {
        let entries = defs
            .repositories
            .iter()
            .map(|d| Entry {
                repo: ComposerRepository::new(d.url.clone(), ctx.clone()),
                canonical: d.canonical,
                only: d.only.clone(),
                exclude: d.exclude.clone(),
            })
            .collect();
        RepositorySet {
            entries,
            concurrency: concurrency.max(1),
        }
    }

    /// The repository URLs, in priority order (credentials masked on display).
    pub fn repositories(&self) -> Vec<SafeUrl> {
        self.entries.iter().map(|e| e.repo.url().safe()).collect()
    }

    /// Every version of `name` the repositories offer: those of the first repository that
    /// has it, plus those of later ones while the finding repository is not canonical. A
    /// version already offered by a higher repository is not repeated.
    pub async fn find(&self, name: &str, want_dev: bool) -> Result<Vec<Offer>, RepositoryError> {
        let name = name.to_lowercase();
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for entry in &self.entries {
            if !entry.may_answer(&name) {
                continue;
            }
            let versions = entry.repo.packages(&name, want_dev).await?;
            let found = !versions.is_empty();
            for version in versions {
                if seen.insert(version.normalized.clone()) {
                    out.push(Offer {
                        repository: entry.repo.url().safe(),
                        version,
                    });
                }
            }
            if found && entry.canonical {
                break;
            }
        }
        Ok(out)
    }

    /// [`find`](Self::find) for many names at once, at most `concurrency` lookups in flight.
    /// `want_dev` says, per name, whether dev versions (v2 `~dev` files) are wanted.
    pub async fn find_many(
        &self,
        names: &[String],
        want_dev: &(dyn Fn(&str) -> bool + Sync),
    ) -> Result<BTreeMap<String, Vec<Offer>>, RepositoryError> {
        let mut results = futures::stream::iter(names.iter().map(|name| async move {
            let offers = self.find(name, want_dev(name)).await;
            (name.to_lowercase(), offers)
        }))
        .buffer_unordered(self.concurrency);
        let mut out = BTreeMap::new();
        while let Some((name, offers)) = results.next().await {
            out.insert(name, offers?);
        }
        Ok(out)
    }

    /// Warnings of every repository (degraded mode), emptied.
    pub fn take_warnings(&self) -> Vec<String> {
        self.entries
            .iter()
            .flat_map(|e| e.repo.take_warnings())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn defs(json: Value) -> Result<RepositoryDefinitions, RepositoryError> {
        RepositoryDefinitions::from_manifest(&json, Path::new("composer.json"))
    }

    fn urls(d: &RepositoryDefinitions) -> Vec<&str> {
        d.repositories.iter().map(|r| r.url.as_str()).collect()
    }

    #[test]
    fn list_form_with_packagist_disabled() {
        let d = defs(json!({"repositories": [
            {"type": "composer", "url": "https://repo.magento.com/", "canonical": false,
             "only": ["magento/*"], "exclude": ["magento/x"]},
            {"type": "vcs", "url": "https://git.example/x.git"},
            {"packagist.org": false}
        ]}))
        .unwrap();
        assert_eq!(urls(&d), ["https://repo.magento.com"]);
        let r = &d.repositories[0];
        assert!(!r.canonical);
        assert_eq!(r.only, ["magento/*"]);
        assert_eq!(r.exclude, ["magento/x"]);
        assert_eq!(d.skipped.len(), 1);
        assert!(
            d.skipped[0].contains("unsupported repository type `vcs`"),
            "{:?}",
            d.skipped
        );
    }

    #[test]
    fn object_form_and_default_packagist() {
        let d = defs(json!({"repositories": {
            "mirror": {"type": "composer", "url": "https://mirror.example/"},
            "packagist": false
        }}))
        .unwrap();
        assert_eq!(urls(&d), ["https://mirror.example"]);
        let d = defs(json!({"repositories": [{"type": "composer", "url": "https://a.example"}]}))
            .unwrap();
        assert_eq!(urls(&d), ["https://a.example", PACKAGIST_URL]);
        let d = defs(json!({})).unwrap();
        assert_eq!(urls(&d), [PACKAGIST_URL]);
        // A repository on packagist.org replaces the default one.
        let d = defs(
            json!({"repositories": [{"type": "composer", "url": "https://repo.packagist.org"}]}),
        )
        .unwrap();
        assert_eq!(urls(&d), [PACKAGIST_URL]);
    }

    #[test]
    fn bad_definitions_are_errors_naming_the_entry() {
        let e = defs(json!({"repositories": [{"url": "https://x.example"}]})).unwrap_err();
        assert!(
            e.to_string().contains("#0") && e.to_string().contains("no `type`"),
            "{e}"
        );
        let e = defs(json!({"repositories": {"m": {"type": "composer"}}})).unwrap_err();
        assert!(
            e.to_string().contains("`m`") && e.to_string().contains("needs a `url`"),
            "{e}"
        );
        assert!(defs(json!({"repositories": "x"})).is_err());
        assert!(defs(json!({"repositories": [1]})).is_err());
    }

    #[test]
    fn packagist_hosts() {
        assert!(is_on_packagist("https://packagist.org"));
        assert!(is_on_packagist("https://repo.packagist.org/"));
        assert!(!is_on_packagist("https://packagist.org.evil.example"));
        assert!(!is_on_packagist("https://notpackagist.org"));
    }
}
