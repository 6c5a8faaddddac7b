//! The mirror's record of what it stores: per archive its SHA-1, size, modification stamp and
//! the sha1 of the upstream URL it came from (never the URL itself: it could carry
//! credentials). `mirror verify` checks files against it; `mirror sync` uses it to skip what
//! is already stored.
//!
//! `state.json` is rewritten (atomically) at the end of a sync. Archives stored during a sync
//! are appended to `journal`, one JSON line each, as soon as they are in place, so a killed
//! sync loses no finished download: the next run replays the journal over `state.json`.

use std::collections::BTreeMap;
use std::io::Write;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::layout::{is_archive_path, Layout};
use super::MirrorError;

const FORMAT: u32 = 1;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct State {
    pub format: u32,
    /// The published metadata generation (0: nothing published yet).
    pub generation: u64,
    /// The base URL the published metadata uses.
    pub base_url: Option<String>,
    /// Whether `base_url` was given by the user (then later runs keep it).
    #[serde(default)]
    pub base_url_explicit: bool,
    /// Digest of the published metadata, to skip publishing when nothing changed.
    pub metadata_digest: Option<String>,
    /// Stored archives by path relative to the mirror (`dist/…`).
    pub archives: BTreeMap<String, Archive>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Archive {
    pub sha1: String,
    pub size: u64,
    /// Modification time (ns) when recorded: a changed file is hashed again.
    pub mtime_ns: i128,
    /// sha1 of the upstream URL.
    pub source: String,
    pub package: String,
    pub version: String,
}

#[derive(Serialize, Deserialize)]
struct JournalLine {
    path: String,
    archive: Archive,
}

impl Archive {
    /// Whether the file still has the recorded size and modification time.
    pub fn stamp_matches(&self, path: &Path) -> bool {
        match std::fs::metadata(path) {
            Ok(meta) => meta.len() == self.size && mtime_ns(&meta) == self.mtime_ns,
            Err(_) => false,
        }
    }
}

pub fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec())
}

impl State {
    /// `state.json` plus the journal; a mirror without them is empty.
    pub fn load(layout: &Layout) -> Result<State, MirrorError> {
        let path = layout.state_file();
        let mut state = match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice::<State>(&bytes).map_err(|e| MirrorError::State {
                    path: path.clone(),
                    message: e.to_string(),
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => State::default(),
            Err(source) => return Err(MirrorError::Io { path, source }),
        };
        if state.format > FORMAT {
            return Err(MirrorError::State {
                path,
                message: format!(
                    "written by a newer magefetch (format {}, this one reads {FORMAT})",
                    state.format
                ),
            });
        }
        state.format = FORMAT;
        // A torn last line (killed mid-write) is ignored: that archive is re-hashed next time.
        if let Ok(text) = std::fs::read_to_string(layout.journal()) {
            for line in text.lines() {
                if let Ok(entry) = serde_json::from_str::<JournalLine>(line) {
                    state.archives.insert(entry.path, entry.archive);
                }
            }
        }
        state.archives.retain(|p, _| is_archive_path(p));
        Ok(state)
    }

    /// Writes `state.json` atomically and empties the journal.
    pub fn save(&self, layout: &Layout) -> Result<(), MirrorError> {
        let path = layout.state_file();
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| MirrorError::State {
            path: path.clone(),
            message: e.to_string(),
        })?;
        crate::fsutil::write_atomic(&path, &bytes).map_err(|source| MirrorError::Io {
            path: path.clone(),
            source,
        })?;
        match std::fs::remove_file(layout.journal()) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(MirrorError::Io {
                path: layout.journal(),
                source,
            }),
        }
    }
}

/// Appends stored archives to the journal.
pub struct Journal {
    path: PathBuf,
    file: std::fs::File,
}

impl Journal {
    pub fn open(layout: &Layout) -> Result<Journal, MirrorError> {
        let path = layout.journal();
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .map_err(|source| MirrorError::Io {
                path: path.clone(),
                source,
            })?;
        Ok(Journal { path, file })
    }

    pub fn record(&mut self, path: &str, archive: &Archive) -> Result<(), MirrorError> {
        let mut line = serde_json::to_vec(&JournalLine {
            path: path.to_string(),
            archive: archive.clone(),
        })
        .unwrap_or_default();
        line.push(b'\n');
        self.file
            .write_all(&line)
            .map_err(|source| MirrorError::Io {
                path: self.path.clone(),
                source,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_lines_survive_a_killed_run() {
        let dir = tempfile::tempdir().unwrap();
        let layout = Layout::new(dir.path());
        std::fs::create_dir_all(layout.state_dir()).unwrap();
        let archive = Archive {
            sha1: "ab".into(),
            size: 3,
            mtime_ns: 1,
            source: "cd".into(),
            package: "a/b".into(),
            version: "1.0".into(),
        };
        let mut journal = Journal::open(&layout).unwrap();
        journal.record("dist/a/b/1.0-ab.zip", &archive).unwrap();
        journal.record("dist/../../etc/x", &archive).unwrap();
        drop(journal);
        // A torn line at the end.
        std::fs::OpenOptions::new()
            .append(true)
            .open(layout.journal())
            .unwrap()
            .write_all(b"{\"path\": \"dist/a/b/2")
            .unwrap();
        let state = State::load(&layout).unwrap();
        assert_eq!(state.archives.len(), 1);
        assert_eq!(state.archives["dist/a/b/1.0-ab.zip"], archive);
        state.save(&layout).unwrap();
        assert!(!layout.journal().exists());
        assert_eq!(State::load(&layout).unwrap().archives.len(), 1);
    }
}
