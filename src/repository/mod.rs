//! Composer repositories: reading every form of `packages.json` that Composer 2 reads.
//!
//! # What's a Composer repository?
//!
//! A `composer`-type repository is a static tree of JSON files behind one URL (`http(s)://`,
//! `file://`, or a plain directory). Everything starts at the **root file**: the URL itself
//! when its path names a `.json` file, otherwise `<url>/packages.json`. Which other files a
//! client reads — and when — depends on the keys of that root file. Over the years Composer
//! grew four layouts, and a client must understand all of them because all of them are still
//! served: Packagist speaks v2, repo.magento.com speaks v1 providers, Satis-built mirrors often
//! use `includes`, and hand-written repositories put everything inline.
//!
//! ## Inline `packages` (and the legacy layout)
//!
//! ```json
//! {"packages": {"acme/lib": {"1.0.0": {"name": "acme/lib", "version": "1.0.0", "dist": {…}}}}}
//! ```
//!
//! `packages` maps a name to its versions, either as an object keyed by version or as a list.
//! The entries themselves are authoritative (their own `name` is what counts). A root with
//! neither `packages` nor `includes` is read in the pre-2012 legacy layout,
//! `{"acme/lib": {"versions": {…}}}`.
//!
//! ## `includes`
//!
//! ```json
//! {"includes": {"include/all$3f2a….json": {"sha1": "3f2a…"}}}
//! ```
//!
//! Each path, relative to the repository's *base URL* (the URL without a final `/<file>.json`),
//! is another file of the same shape (its own `packages` and `includes`, recursively). The
//! `sha1` only tells whether the cached copy is still current; a fresh download is not checked.
//!
//! ## v1 providers: `provider-includes` + `providers-url`
//!
//! ```json
//! {"providers-url": "/p/%package%$%hash%.json",
//!  "provider-includes": {"p/provider-ce$%hash%.json": {"sha256": "6f1e…"}}}
//! ```
//!
//! This is what repo.magento.com serves. A provider listing (`%hash%` replaced by its sha256,
//! relative to the base URL) maps every package name to the sha256 of that package's file;
//! listings may nest further `provider-includes`, and the root may carry a `providers` map
//! itself. The package file is `providers-url` with `%package%` and `%hash%` filled in; it holds
//! `{"packages": {name: {version: entry}}}`. Every listing and package file is verified against
//! its sha256 (three attempts, then a hard error: a mismatch can be an attack), which also makes
//! a cached copy with the right hash usable without asking the server anything. A name absent
//! from the listings is not in the repository; a listed file that answers 404 is an error. In
//! an http(s) file name the first `$` is sent as `%24`. repo.magento.com sends these files
//! gzip-compressed whatever the request says; bodies are decompressed by header and by magic.
//!
//! `providers-lazy-url` (Composer 1's lazy providers) is the same per-package file without the
//! hash: fetched on demand, revalidated like a v2 file, 404 meaning "not here".
//!
//! ## v2: `metadata-url`
//!
//! ```json
//! {"packages": [], "metadata-url": "/p2/%package%.json",
//!  "available-packages": ["acme/module-a"], "available-package-patterns": ["acme/*"]}
//! ```
//!
//! One file per package name, `%package%` → `vendor/name` for tagged versions and
//! `vendor/name~dev` for branches; the `~dev` file is only requested when dev stability is
//! wanted for that package. A 404 means "not in this repository". Files are usually
//! `"minified": "composer/2.0"`: a list where each version only holds the keys that changed
//! against the previous one (see [`minified`]). When `available-packages` or
//! `available-package-patterns` is given, names outside them are never requested. Names in a
//! non-empty inline `packages` are served from the root only. `metadata-url` wins over all v1
//! keys.
//!
//! ## URLs, caching and offline use
//!
//! `metadata-url`, `providers-url` and the other URL keys are *canonicalised*: a value starting
//! with `/` is appended to the repository's `scheme://[userinfo@]host[:port]` — the path of the
//! repository URL is dropped — and anything else is used as written ([`url`]).
//!
//! Files are cached in Composer's own repo-cache layout ([`cache`]). The root file and v2/lazy
//! files are revalidated on every run with `If-Modified-Since` (the server's `Last-Modified`
//! is stored inside the cached JSON as `last-modified`); a `304` means the cached copy is used.
//! Hash-addressed v1 files are used from the cache without a request. So a warm run costs at
//! most one round trip per package it needs. Offline (`COMPOSER_DISABLE_NETWORK`), cached
//! copies answer and a missing one is an error; when the server fails (not 404) and a cached
//! copy exists, it is used and a warning says so.
//!
//! ## Repository sets
//!
//! A project's repositories come from composer.json `repositories` (a list or a keyed object),
//! followed by packagist.org unless `{"packagist.org": false}` disables it ([`set`]). The first
//! repository that has a package wins for it: lower ones are not asked (`canonical: false`
//! lets them add versions), and `only` / `exclude` name patterns restrict what a repository
//! may answer for.

pub mod cache;
mod composer;
mod error;
pub mod minified;
pub mod set;
pub mod url;

pub use composer::{ComposerRepository, RepoContext};
pub use error::RepositoryError;
pub use set::{Offer, RepositoryDefinition, RepositoryDefinitions, RepositorySet};
pub use url::RepoUrl;

use serde_json::Value;

use crate::composer::package::Package;
use crate::semver::{normalize, parse_stability, Stability};

/// One version of a package as a repository offers it.
#[derive(Debug, Clone)]
pub struct PackageVersion {
    pub package: Package,
    /// `version_normalized`, recomputed when missing or `9999999-dev`.
    pub normalized: String,
    pub stability: Stability,
    /// Position of an entry inlined in a repository's root file (or its `includes`), counted
    /// across the whole process so that it orders entries of different names the way the
    /// file lists them; `0` for entries of per-package files.
    pub seq: usize,
}

static INLINE_SEQ: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

impl PackageVersion {
    /// Reads one version entry; `None` when it is not a usable package (no name, no version,
    /// or a version string Composer would reject).
    pub fn from_entry(entry: Value) -> Option<PackageVersion> {
        let package = Package::from_value(entry).ok()?;
        let given = package
            .get("version_normalized")
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty() && *v != "9999999-dev")
            .map(str::to_string);
        let normalized = match given {
            Some(v) => v,
            None => normalize(package.pretty_version()).ok()?,
        };
        let stability = parse_stability(&normalized);
        Some(PackageVersion {
            package,
            normalized,
            stability,
            seq: 0,
        })
    }

    /// Marks this entry as inlined in a root file, after every entry marked before it.
    pub(crate) fn mark_inline(&mut self) {
        self.seq = INLINE_SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }

    /// Lower-cased name.
    pub fn name(&self) -> String {
        self.package.name()
    }
}

/// Composer's package-name patterns (`available-package-patterns`, `only`, `exclude`): `*`
/// matches any run of characters, the rest literally, case-insensitively, anchored.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    let p = pattern.to_lowercase();
    let n = name.to_lowercase();
    let parts: Vec<&str> = p.split('*').collect();
    if parts.len() == 1 {
        return p == n;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !n.starts_with(first) || n.len() < first.len() + last.len() || !n.ends_with(last) {
        return false;
    }
    let mut rest = &n[first.len()..n.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patterns() {
        assert!(glob_match("acme/*", "Acme/Module-A"));
        assert!(glob_match("*/module-*", "acme/module-a"));
        assert!(glob_match("a*b*c", "abc"));
        assert!(!glob_match("a*b*c", "acb"));
        assert!(!glob_match("acme/*", "other/x"));
        assert!(glob_match("acme/x", "ACME/X"));
        assert!(!glob_match("acme/x", "acme/xy"));
    }

    #[test]
    fn versions_are_normalised_when_needed() {
        let v = PackageVersion::from_entry(json!({"name": "A/B", "version": "2.4.7-p3"})).unwrap();
        assert_eq!(v.normalized, "2.4.7.0-patch3");
        assert_eq!(v.name(), "a/b");
        let v = PackageVersion::from_entry(
            json!({"name": "a/b", "version": "dev-main", "version_normalized": "9999999-dev"}),
        )
        .unwrap();
        assert_eq!(v.normalized, "dev-main");
        assert_eq!(v.stability, Stability::Dev);
        assert!(PackageVersion::from_entry(json!({"name": "a/b", "version": "nope!"})).is_none());
        assert!(PackageVersion::from_entry(json!({"version": "1.0"})).is_none());
    }
}
