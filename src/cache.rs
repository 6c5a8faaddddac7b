//! Composer's files cache, shared with Composer both ways.
//!
//! A dist archive is cached at `<cache-files-dir>/<name>/<sha1(url)>.<dist type>` (reference
//! §5.4), the key passed through Composer's sanitiser (anything outside `a-z0-9_./` becomes
//! `-`). magefetch keeps in-progress downloads next to the entry as `<entry>.part` with a small
//! `<entry>.part.json` describing the response they came from, so a killed run can be continued
//! with an HTTP Range request. Only verified files are renamed to the entry name.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha1::{Digest, Sha1};

/// The files cache, or no cache at all.
#[derive(Debug, Clone)]
pub struct FilesCache {
    root: Option<PathBuf>,
    read_only: bool,
}

impl FilesCache {
    pub fn new(root: Option<PathBuf>, read_only: bool) -> FilesCache {
        FilesCache { root, read_only }
    }

    pub fn disabled() -> FilesCache {
        FilesCache {
            root: None,
            read_only: true,
        }
    }

    pub fn root(&self) -> Option<&Path> {
        self.root.as_deref()
    }

    /// Whether finished downloads may be stored.
    pub fn writable(&self) -> bool {
        self.root.is_some() && !self.read_only
    }

    /// The cache entry for a package's dist URL.
    pub fn entry_path(&self, package_name: &str, url: &str, dist_type: &str) -> Option<PathBuf> {
        let root = self.root.as_ref()?;
        Some(root.join(entry_key(package_name, url, dist_type)))
    }
}

/// `<name>/<sha1(url)>.<type>`, sanitised like Composer's `Cache::getFileName`.
pub fn entry_key(package_name: &str, url: &str, dist_type: &str) -> String {
    let raw = format!(
        "{}/{}.{}",
        package_name.to_lowercase(),
        hex::encode(Sha1::digest(url.as_bytes())),
        dist_type
    );
    raw.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/') {
                c
            } else {
                '-'
            }
        })
        .collect()
}

/// What a `.part` file holds, so a later run can ask the server for the rest of the same bytes.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartInfo {
    /// sha1 of the URL the bytes came from (never the URL itself: it may hold credentials).
    pub url_sha1: String,
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub total_len: Option<u64>,
}

pub fn part_path(entry: &Path) -> PathBuf {
    let mut s = entry.as_os_str().to_owned();
    s.push(".part");
    PathBuf::from(s)
}

pub fn part_info_path(entry: &Path) -> PathBuf {
    let mut s = entry.as_os_str().to_owned();
    s.push(".part.json");
    PathBuf::from(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_matches_composer() {
        // Reference §5.4: sha1 of the URL string.
        assert_eq!(
            entry_key(
                "acme/lib",
                "http://127.0.0.1:8765/archives/acme-lib-1.1.0.zip",
                "zip"
            ),
            "acme/lib/c4115f6e8fbda38f6c0e2e1d7904eacbc70d37bb.zip"
        );
        assert_eq!(
            entry_key("Acme/Mixed_Case+x", "u", "tar"),
            format!("acme/mixed_case-x/{}.tar", hex::encode(Sha1::digest(b"u")))
        );
    }
}
