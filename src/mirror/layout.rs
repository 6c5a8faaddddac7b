//! Where things live in a mirror directory, and the rules that keep every path derived from
//! upstream metadata inside it.
//!
//! ```text
//! <dir>/packages.json                               root, replaced atomically (rename)
//! <dir>/meta/<generation>/p2/<vendor>/<name>.json   per-package metadata, one directory per
//! <dir>/meta/<generation>/p2/<vendor>/<name>~dev.json   published generation
//! <dir>/dist/<vendor>/<name>~<version>-<sha1:12>.<type> archives, upstream bytes, immutable
//! <dir>/.magefetch/state.json                       what is stored: sha1, size, source
//! <dir>/.magefetch/journal                          archives stored since the last state.json
//! <dir>/.magefetch/parts/<sha1(url)>.part           downloads in progress (resumable)
//! <dir>/.magefetch/repo-cache/                      upstream metadata, for conditional requests
//! <dir>/.magefetch/lock                             held while a sync runs
//! ```
//!
//! Names, versions and dist types come from upstream metadata, so none of them is trusted as
//! a path: a name must be `vendor/name` with Composer's characters (no `..`, no leading dot,
//! no separators) and at most [`MAX_PART`] bytes per part; a version is reduced to a safe
//! file-name fragment (anything unusual replaced, long ones cut, and then a hash of the real
//! version appended so two versions never share a name); a dist type outside `[a-z0-9.]` is
//! stored as `bin`.

use std::path::{Path, PathBuf};

use sha1::{Digest, Sha1};

use crate::composer::package::is_valid_name;

/// Longest vendor or project part accepted (bytes); longer names are skipped.
pub const MAX_PART: usize = 100;
/// Longest version fragment kept verbatim in a file name.
const MAX_VERSION: usize = 64;

pub const STATE_DIR: &str = ".magefetch";
pub const ROOT_FILE: &str = "packages.json";
pub const META_DIR: &str = "meta";
pub const DIST_DIR: &str = "dist";

/// The paths of one mirror directory.
#[derive(Debug, Clone)]
pub struct Layout {
    pub dir: PathBuf,
}

impl Layout {
    pub fn new(dir: &Path) -> Layout {
        Layout {
            dir: dir.to_path_buf(),
        }
    }

    pub fn state_dir(&self) -> PathBuf {
        self.dir.join(STATE_DIR)
    }
    pub fn state_file(&self) -> PathBuf {
        self.state_dir().join("state.json")
    }
    pub fn journal(&self) -> PathBuf {
        self.state_dir().join("journal")
    }
    pub fn parts_dir(&self) -> PathBuf {
        self.state_dir().join("parts")
    }
    pub fn repo_cache(&self) -> PathBuf {
        self.state_dir().join("repo-cache")
    }
    pub fn lock_file(&self) -> PathBuf {
        self.state_dir().join("lock")
    }
    pub fn root_file(&self) -> PathBuf {
        self.dir.join(ROOT_FILE)
    }
    pub fn meta_dir(&self) -> PathBuf {
        self.dir.join(META_DIR)
    }
    pub fn generation_dir(&self, generation: u64) -> PathBuf {
        self.meta_dir().join(generation.to_string())
    }
    pub fn dist_dir(&self) -> PathBuf {
        self.dir.join(DIST_DIR)
    }
    /// An archive, from its path relative to the mirror (always `dist/…`, checked).
    pub fn archive(&self, relative: &str) -> PathBuf {
        self.dir.join(relative)
    }
}

/// A package name usable as a path: valid Composer name, parts not too long. Lower-cased.
pub fn safe_name(name: &str) -> Option<String> {
    if !is_valid_name(name) || name.split('/').any(|p| p.len() > MAX_PART) {
        return None;
    }
    Some(name.to_lowercase())
}

/// `dist/<vendor>/<name>~<version>-<sha1:12>.<type>` for a name that passed [`safe_name`]:
/// one directory per vendor, no directory per package (creating one per archive cost as much
/// as the archive file itself). `~` is not allowed in package names, so the name ends where
/// it is. Mirrors written before kept `dist/<vendor>/<name>/<version>-…`; those paths stay
/// valid (see [`is_archive_path`]).
pub fn archive_path(name: &str, version: &str, sha1: &str, dist_type: &str) -> String {
    let prefix: String = sha1.chars().take(12).collect();
    format!(
        "{DIST_DIR}/{name}~{}-{prefix}.{}",
        version_fragment(version),
        extension(dist_type)
    )
}

/// The per-package metadata file inside a generation: `p2/<name>.json` or `p2/<name>~dev.json`.
pub fn metadata_path(name: &str, dev: bool) -> String {
    if dev {
        format!("p2/{name}~dev.json")
    } else {
        format!("p2/{name}.json")
    }
}

fn version_fragment(version: &str) -> String {
    let mut out: String = version
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '+') {
                c
            } else {
                '_'
            }
        })
        .take(MAX_VERSION)
        .collect();
    while out.contains("..") {
        out = out.replace("..", "_.");
    }
    if out.starts_with('.') || out.is_empty() {
        out.insert(0, 'v');
    }
    if out != version {
        let hash = hex::encode(Sha1::digest(version.as_bytes()));
        out.push('_');
        out.push_str(&hash[..10]);
    }
    out
}

fn extension(dist_type: &str) -> String {
    let t = dist_type.to_ascii_lowercase();
    let ok = !t.is_empty()
        && t.len() <= 10
        && !t.starts_with('.')
        && !t.contains("..")
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    if ok {
        t
    } else {
        "bin".to_string()
    }
}

/// A relative path recorded in the state file is acceptable only under `dist/` with plain
/// components (a damaged or edited state file must not make verify or prune touch anything
/// else): `dist/<vendor>/<file>`, or `dist/<vendor>/<name>/<file>` as earlier versions stored.
pub fn is_archive_path(relative: &str) -> bool {
    let mut parts = relative.split('/');
    parts.next() == Some(DIST_DIR)
        && matches!(relative.split('/').count(), 3 | 4)
        && relative
            .split('/')
            .all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains('\\'))
}

/// The URL of a file of the mirror: `base` + `/` + relative path (base without trailing `/`).
pub fn url_of(base: &str, relative: &str) -> String {
    format!("{}/{relative}", base.trim_end_matches('/'))
}

/// The default base URL: `file://` and the absolute path of the mirror directory.
pub fn file_base_url(dir: &Path) -> Option<String> {
    let url = reqwest::Url::from_directory_path(dir).ok()?;
    Some(url.as_str().trim_end_matches('/').to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_names_are_refused() {
        assert_eq!(safe_name("Acme/Module-A").as_deref(), Some("acme/module-a"));
        for bad in [
            "../x",
            "a/../../b",
            "a/b/c",
            "/etc/passwd",
            "a/.b",
            ".a/b",
            "a\\b/c",
            "a/",
            "",
        ] {
            assert!(safe_name(bad).is_none(), "{bad}");
        }
        assert!(safe_name(&format!("a/{}", "x".repeat(MAX_PART + 1))).is_none());
    }

    #[test]
    fn versions_and_types_become_safe_file_names() {
        assert_eq!(
            archive_path("acme/x", "1.0.0-p1", "0123456789abcdef0123", "zip"),
            "dist/acme/x~1.0.0-p1-0123456789ab.zip"
        );
        let odd = archive_path("acme/x", "dev-feature/../../x", "ab", "../zip");
        assert!(odd.starts_with("dist/acme/x~dev-feature_"), "{odd}");
        assert!(!odd.contains(".."), "{odd}");
        assert!(odd.ends_with("-ab.bin"), "{odd}");
        assert!(is_archive_path(&odd));
        let huge = archive_path("acme/x", &"9".repeat(5000), "ab", "tar.gz");
        assert!(huge.len() < 200, "{huge}");
        assert!(huge.ends_with(".tar.gz"));
        // Two versions that clean up to the same text still get different names.
        assert_ne!(
            archive_path("a/b", "1.0 x", "ab", "zip"),
            archive_path("a/b", "1.0/x", "ab", "zip")
        );
    }

    #[test]
    fn recorded_paths_are_checked() {
        assert!(is_archive_path("dist/a/b~1.0-ab.zip"));
        assert!(is_archive_path("dist/a/b/1.0-ab.zip"), "the earlier layout");
        for bad in [
            "dist/a",
            "dist/a/b/c/d.zip",
            "dist/../x",
            "dist/a/b/../../../etc",
            "meta/1/p2/a/b.json",
            "/dist/a/b/c",
        ] {
            assert!(!is_archive_path(bad), "{bad}");
        }
    }

    #[test]
    fn urls() {
        assert_eq!(url_of("http://m/x/", "dist/a"), "http://m/x/dist/a");
        assert_eq!(
            file_base_url(Path::new("/srv/my mirror")).unwrap(),
            "file:///srv/my%20mirror"
        );
    }
}
