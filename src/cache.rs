//! Composer's files cache, shared with Composer both ways.
//!
//! A dist archive is cached at `<cache-files-dir>/<name>/<sha1(url)>.<dist type>` (reference
//! §5.4), the key passed through Composer's sanitiser (anything outside `a-z0-9_./` becomes
//! `-`). magefetch keeps in-progress downloads next to the entry as `<entry>.part` with a small
//! `<entry>.part.json` describing the response they came from, so a killed run can be continued
//! with an HTTP Range request. Only verified files are renamed to the entry name.

use std::collections::HashMap;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

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

/// SHA-1s magefetch already computed for cache entries, keyed by the entry's path and
/// guarded by its size and modification time, so a warm run does not hash every archive
/// again. Any change to a file (Composer rewriting it, a truncation) changes size or mtime
/// and the file is hashed anew. Stored as `<cache-files-dir>/.magefetch-verified.json`;
/// Composer ignores it.
#[derive(Debug, Default)]
pub struct VerifiedIndex {
    path: Option<PathBuf>,
    entries: Mutex<HashMap<String, Stamp>>,
    dirty: std::sync::atomic::AtomicBool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Stamp {
    size: u64,
    mtime_ns: i128,
    sha1: String,
}

impl Stamp {
    fn of(meta: &std::fs::Metadata, sha1: &str) -> Stamp {
        Stamp {
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
            sha1: sha1.to_string(),
        }
    }
}

const INDEX_NAME: &str = ".magefetch-verified.json";

impl VerifiedIndex {
    /// Loads the index of a cache (an unreadable or missing index is an empty one).
    pub fn load(cache: &FilesCache) -> VerifiedIndex {
        let Some(root) = cache.root() else {
            return VerifiedIndex::default();
        };
        let path = root.join(INDEX_NAME);
        let entries = std::fs::read(&path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        VerifiedIndex {
            path: cache.writable().then_some(path),
            entries: Mutex::new(entries),
            dirty: Default::default(),
        }
    }

    /// The SHA-1 recorded for `file`, if the file has not changed since it was recorded.
    pub fn known_sha1(&self, file: &Path) -> Option<String> {
        let meta = std::fs::metadata(file).ok()?;
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let stamp = entries.get(&key_of(file))?;
        (Stamp::of(&meta, &stamp.sha1) == *stamp).then(|| stamp.sha1.clone())
    }

    /// Records the SHA-1 of `file` as it is now.
    pub fn record(&self, file: &Path, sha1: &str) {
        if let Ok(meta) = std::fs::metadata(file) {
            let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
            entries.insert(key_of(file), Stamp::of(&meta, sha1));
            self.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    pub fn forget(&self, file: &Path) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.remove(&key_of(file)).is_some() {
            self.dirty.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// Writes the index back (atomically), dropping entries whose files are gone. Best
    /// effort: a cache that cannot be written only costs hashing next time.
    pub fn save(&self) {
        let Some(path) = &self.path else { return };
        if !self.dirty.load(std::sync::atomic::Ordering::Relaxed) {
            return;
        }
        let mut entries = self
            .entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        entries.retain(|k, _| Path::new(k).is_file());
        if let Ok(bytes) = serde_json::to_vec(&entries) {
            let _ = crate::fsutil::write_atomic(path, &bytes);
        }
    }
}

fn key_of(file: &Path) -> String {
    file.to_string_lossy().into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verified_index_notices_changes() {
        let dir = tempfile::tempdir().unwrap();
        let cache = FilesCache::new(Some(dir.path().to_path_buf()), false);
        let file = dir.path().join("a/b/x.zip");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, b"one").unwrap();
        let index = VerifiedIndex::load(&cache);
        index.record(&file, "abc");
        assert_eq!(index.known_sha1(&file).as_deref(), Some("abc"));
        index.save();
        let again = VerifiedIndex::load(&cache);
        assert_eq!(again.known_sha1(&file).as_deref(), Some("abc"));
        std::fs::write(&file, b"other").unwrap();
        assert_eq!(again.known_sha1(&file), None);
    }

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
