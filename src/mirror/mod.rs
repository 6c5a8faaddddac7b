//! Mirrors for air-gapped sites: seed a static Composer repository from upstream once,
//! refresh it cheaply, prove it intact, install from it.
//!
//! # What a mirror is
//!
//! A directory that any web server or `file://` can serve as a `composer` repository
//! (reference §1–§3). Its `packages.json` is a v2 root:
//!
//! ```json
//! {"packages": [], "metadata-url": "<base>/meta/7/p2/%package%.json",
//!  "available-packages": ["acme/module-a", "…"]}
//! ```
//!
//! `metadata-url` is absolute (`--base-url`, default `file://<dir>`): Composer resolves a
//! value starting with `/` against the host only, dropping any path the mirror is served
//! under, so an absolute URL is the one form that works under every prefix. The per-package
//! files are in the `composer/2.0` minified form, one for tagged versions and one `~dev` file
//! for branches. Their entries are upstream's, field for field, except the dist: its `url`
//! points at the stored archive and its `shasum` is upstream's SHA-1 — the download was checked
//! against it — or, when upstream published none, the SHA-1 of the stored file. Dist
//! `mirrors` and `transport-options` are dropped (they point at upstream or carry its
//! headers), and credentials are removed from `source` URLs. `source` itself is kept: Composer
//! uses it only when the dist fails, and a lock made from the mirror then matches a lock made
//! upstream in everything but the dist URL.
//!
//! Archives are stored with the bytes upstream served, never re-packed, so a composer.lock
//! made upstream installs from the mirror with its shasums intact. See [`layout`] for where
//! everything lives and how names from upstream are kept inside the directory.
//!
//! # Sync
//!
//! [`sync`](sync::sync) chooses versions ([`select`]), then for each one with a dist reuses the
//! stored archive (trusted while its size and mtime are the recorded ones; re-hashed
//! otherwise, and fetched again when damaged or gone) or downloads it: many at once, streamed
//! through SHA-1 into `.magefetch/parts/`, resumed with `Range` after an interruption, then
//! renamed into `dist/`. Upstream metadata is read through the repository layer with its
//! cache inside the mirror, so a refresh asks with `If-Modified-Since` and mostly gets `304`.
//! The metadata is published as a new generation ([`publish`]) only when it changed; readers
//! see the old mirror or the new one, never a mix. `--prune` then removes archives the new
//! metadata no longer references (a client still installing from the previous generation
//! can miss those: prune when nobody installs, or keep the default, which never deletes).
//! A lock file keeps two syncs of one directory apart. A killed sync leaves finished archives
//! recorded in the journal ([`state`]) and partial downloads in `parts/`; the next run
//! continues from there.
//!
//! # Verify
//!
//! [`verify`](verify::verify) re-hashes every recorded archive, looks for files nobody recorded,
//! and checks that every published metadata entry points at a stored archive with the same
//! SHA-1. It changes nothing.

pub mod layout;
pub mod lookup;
mod publish;
pub mod select;
pub mod state;
pub mod sync;
pub mod verify;

use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::http::FetchError;
use crate::redact::SafeUrl;
use crate::repository::RepositoryError;

pub use lookup::locate;
pub use sync::{sync, SyncOptions, SyncSummary};
pub use verify::{verify, Problem, ProblemKind, VerifyReport};

#[derive(Debug, Error)]
pub enum MirrorError {
    #[error(transparent)]
    Repository(Box<RepositoryError>),
    #[error(transparent)]
    Fetch(FetchError),
    #[error("could not read or write `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("the mirror state `{}` is damaged: {message}", path.display())]
    State { path: PathBuf, message: String },
    #[error("another `magefetch mirror sync` is running on `{}`", dir.display())]
    Busy { dir: PathBuf },
    #[error("`{}` is not a mirror (no packages.json and no .magefetch/state.json)", dir.display())]
    NotAMirror { dir: PathBuf },
    #[error("`{mirror}` is not a usable mirror location: {message}")]
    BadMirror { mirror: SafeUrl, message: String },
    #[error("{} locked package(s) are not in the mirror `{mirror}`: {}", packages.len(), packages.join(", "))]
    NotInMirror {
        mirror: SafeUrl,
        packages: Vec<String>,
    },
    #[error("the mirror `{mirror}` has other archives than the lock: {}", packages.join("; "))]
    ShasumConflict {
        mirror: SafeUrl,
        packages: Vec<String>,
    },
}

impl From<RepositoryError> for MirrorError {
    fn from(e: RepositoryError) -> Self {
        MirrorError::Repository(Box::new(e))
    }
}

/// An archive that could not be stored.
#[derive(Debug, Error)]
#[error("{name} ({version})")]
pub struct ArchiveFailure {
    pub name: String,
    pub version: String,
    #[source]
    pub error: MirrorError,
}

/// The exclusive lock of a mirror directory, released when dropped (or when the process
/// dies: it is an `flock`).
pub struct DirLock {
    _file: std::fs::File,
}

fn lock_exclusive(layout: &layout::Layout) -> Result<DirLock, MirrorError> {
    use std::os::fd::AsRawFd;
    let path = layout.lock_file();
    let file = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|source| MirrorError::Io {
            path: path.clone(),
            source,
        })?;
    // SAFETY: flock on a file descriptor we own; no memory is involved.
    let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    if rc != 0 {
        return Err(MirrorError::Busy {
            dir: layout.dir.clone(),
        });
    }
    Ok(DirLock { _file: file })
}

/// Every regular file under `dir`, as `prefix/…` relative paths (symlinks are reported as
/// files and never followed).
pub(crate) fn walk_files(dir: &Path, prefix: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![(dir.to_path_buf(), prefix.to_string())];
    while let Some((path, rel)) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            let child = format!("{rel}/{name}");
            match entry.file_type() {
                Ok(t) if t.is_dir() => stack.push((entry.path(), child)),
                Ok(_) => out.push(child),
                Err(_) => {}
            }
        }
    }
    out.sort();
    out
}

/// Removes empty directories under `dir` (not `dir` itself).
pub(crate) fn remove_empty_dirs(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            remove_empty_dirs(&entry.path());
            let _ = std::fs::remove_dir(entry.path());
        }
    }
}
