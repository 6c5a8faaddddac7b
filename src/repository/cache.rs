//! The repository metadata cache, in Composer's layout (reference §5.3), so that Composer
//! and magefetch share it both ways.
//!
//! One directory per repository, `<cache-repo-dir>/<sanitised repo url>/`, holding the root
//! file as `packages.json`, v2 files as `provider-<vendor>~<name>[~dev].json`, v1 provider
//! files as `provider-<vendor>$<name>.json`, provider listings and includes under their path
//! with `/` turned into `-`. Writes are atomic; failures to write are ignored (the cache is an
//! optimisation), as are unreadable entries.

use std::path::{Path, PathBuf};

use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::url::RepoUrl;

/// The cache directory of one repository, or no cache.
#[derive(Debug, Clone)]
pub struct RepoCache {
    dir: Option<PathBuf>,
    read_only: bool,
}

impl RepoCache {
    pub fn new(cache_repo_dir: Option<&Path>, repo: &RepoUrl, read_only: bool) -> RepoCache {
        RepoCache {
            dir: cache_repo_dir.map(|root| root.join(repo.cache_dir_name())),
            read_only,
        }
    }

    pub fn disabled() -> RepoCache {
        RepoCache {
            dir: None,
            read_only: true,
        }
    }

    /// Where the entry for `key` lives.
    pub fn path(&self, key: &str) -> Option<PathBuf> {
        Some(self.dir.as_ref()?.join(file_name(key)))
    }

    pub fn read(&self, key: &str) -> Option<Vec<u8>> {
        std::fs::read(self.path(key)?).ok()
    }

    /// Stores an entry (best effort).
    pub fn write(&self, key: &str, bytes: &[u8]) {
        if self.read_only {
            return;
        }
        if let Some(path) = self.path(key) {
            let _ = crate::fsutil::write_atomic(&path, bytes);
        }
    }

    /// The entry, if it exists and its sha256 is `expected`.
    pub fn read_if_sha256(&self, key: &str, expected: &str) -> Option<Vec<u8>> {
        self.read(key)
            .filter(|bytes| hex::encode(Sha256::digest(bytes)).eq_ignore_ascii_case(expected))
    }

    /// The entry, if it exists and its sha1 is `expected`.
    pub fn read_if_sha1(&self, key: &str, expected: &str) -> Option<Vec<u8>> {
        self.read(key)
            .filter(|bytes| hex::encode(Sha1::digest(bytes)).eq_ignore_ascii_case(expected))
    }
}

/// Composer's repo-cache file name: every character outside `a-z 0-9 . $ ~ _` becomes `-`.
pub fn file_name(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '$' | '~' | '_') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// Cache key of a v2 metadata file: `provider-<vendor>~<name>[~dev].json`.
pub fn v2_key(file_name_of_package: &str) -> String {
    format!("provider-{}.json", file_name_of_package.replace('/', "~"))
}

/// Cache key of a v1 provider file: `provider-<vendor>$<name>.json`.
pub fn provider_key(package: &str) -> String {
    format!("provider-{}.json", package.replace('/', "$"))
}

/// Cache key of a provider listing: its path template without `%hash%` and `$`.
pub fn provider_include_key(template: &str) -> String {
    template.replace("%hash%", "").replace('$', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_composer() {
        assert_eq!(
            file_name(&v2_key("acme/module-a")),
            "provider-acme~module-a.json"
        );
        assert_eq!(
            file_name(&v2_key("acme/module-a~dev")),
            "provider-acme~module-a~dev.json"
        );
        assert_eq!(
            file_name(&provider_key("acme/single")),
            "provider-acme$single.json"
        );
        assert_eq!(
            file_name(&provider_include_key("p/provider-2024$%hash%.json")),
            "p-provider-2024.json"
        );
        assert_eq!(file_name("include/all$ab12.json"), "include-all$ab12.json");
        assert_eq!(file_name("Pack ages.json"), "Pack-ages.json");
    }

    #[test]
    fn entries_round_trip_and_verify_hashes() {
        let dir = tempfile::tempdir().unwrap();
        let repo = RepoUrl::from_config("https://u:p@repo.example.com/").unwrap();
        let cache = RepoCache::new(Some(dir.path()), &repo, false);
        cache.write("p/provider-a.json", b"{}");
        let path = dir
            .path()
            .join("https---u-----repo.example.com/p-provider-a.json");
        assert_eq!(std::fs::read(&path).unwrap(), b"{}");
        let sha256 = hex::encode(Sha256::digest(b"{}"));
        assert!(cache.read_if_sha256("p/provider-a.json", &sha256).is_some());
        assert!(cache.read_if_sha256("p/provider-a.json", "00").is_none());
        let read_only = RepoCache::new(Some(dir.path()), &repo, true);
        read_only.write("other.json", b"{}");
        assert!(read_only.read("other.json").is_none());
    }
}
