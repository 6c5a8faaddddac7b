//! Publishing metadata so that readers never see a mix of two syncs.
//!
//! Each publish writes a complete new *generation* of per-package files into a temporary
//! directory, renames it to `meta/<generation>/`, and only then replaces `packages.json`
//! (temporary file + rename), whose `metadata-url` names that generation. A client that read
//! the old `packages.json` keeps reading the old generation's files, which stay until the
//! publish after next; a client that reads the new one finds every file already in place.
//! Archives are content-addressed and written before the metadata that references them, so
//! they never change under a reader either. When the metadata is the same as the published
//! one (same digest), nothing is written at all.

use std::path::Path;

use serde_json::json;
use sha1::{Digest, Sha1};

use super::layout::{self, Layout};
use super::state::State;
use super::sync::Metadata;
use super::MirrorError;

const TMP_PREFIX: &str = ".tmp-";

/// A per-package file that lists no versions. Such files are hard links of one written file
/// (one per writer thread, see [`write_files`]), not one inode each.
pub(super) const EMPTY_METADATA: &[u8] = br#"{"packages":{},"minified":"composer/2.0"}"#;

pub(super) struct Published {
    pub generation: u64,
    pub published: bool,
}

/// Publishes `metadata` unless it is what is already published.
pub(super) fn publish(
    layout: &Layout,
    state: &mut State,
    metadata: &Metadata,
    base_url: &str,
) -> Result<Published, MirrorError> {
    let digest = digest(metadata, base_url);
    let current = state.generation;
    if state.metadata_digest.as_deref() == Some(digest.as_str())
        && current > 0
        && layout.generation_dir(current).is_dir()
        && root_points_at(layout, current)
    {
        return Ok(Published {
            generation: current,
            published: false,
        });
    }
    let generation = next_generation(layout, current);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MirrorError::Io { path, source }
    };
    let meta = layout.meta_dir();
    let tmp = meta.join(format!("{TMP_PREFIX}{generation}"));
    if tmp.exists() {
        crate::fsutil::remove_path(&tmp).map_err(io(&tmp))?;
    }
    // Creating files is most of a publish (a mirror has one or two per package): several
    // threads write contiguous runs of the sorted list, so each mostly has vendors of its own.
    let files: Vec<(&String, &Vec<u8>)> = metadata.files.iter().collect();
    let threads = if files.len() < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get().min(MAX_WRITERS))
    };
    let run = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let writers: Vec<_> = files
            .chunks(run)
            .map(|part| scope.spawn(|| write_files(&tmp, part)))
            .collect();
        writers.into_iter().try_for_each(|w| {
            w.join().unwrap_or_else(|_| {
                Err(MirrorError::Io {
                    path: tmp.clone(),
                    source: std::io::Error::other("a metadata writer thread stopped"),
                })
            })
        })
    })?;
    fs_err::create_dir_all(&tmp).map_err(io(&tmp))?;
    let target = layout.generation_dir(generation);
    if target.exists() {
        crate::fsutil::remove_path(&target).map_err(io(&target))?;
    }
    fs_err::rename(&tmp, &target).map_err(io(&target))?;
    sync_dir(&meta);

    let root = json!({
        "packages": [],
        "metadata-url": layout::url_of(base_url, &format!("{}/{generation}/p2/%package%.json", layout::META_DIR)),
        "available-packages": metadata.names,
    });
    let root_path = layout.root_file();
    let mut bytes = serde_json::to_vec_pretty(&root).unwrap_or_default();
    bytes.push(b'\n');
    crate::fsutil::write_atomic(&root_path, &bytes).map_err(io(&root_path))?;

    // Keep the generation readers of the previous packages.json may still be using.
    remove_generations_except(layout, &[generation, current]);
    state.generation = generation;
    state.metadata_digest = Some(digest);
    Ok(Published {
        generation,
        published: true,
    })
}

/// Fewer files than this are written by one thread.
const PARALLEL_FROM: usize = 256;
const MAX_WRITERS: usize = 4;

/// Writes `files` (sorted by path) under `dir`. Empty ones are hard links of the first empty
/// one this call wrote; when a link fails (too many links, a file system without them) the
/// file is written and becomes the one later empty files link to.
fn write_files(dir: &Path, files: &[(&String, &Vec<u8>)]) -> Result<(), MirrorError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MirrorError::Io { path, source }
    };
    let mut empty: Option<std::path::PathBuf> = None;
    let mut made: Option<std::path::PathBuf> = None;
    for (relative, bytes) in files {
        let path = dir.join(relative);
        if let Some(parent) = path.parent() {
            if made.as_deref() != Some(parent) {
                fs_err::create_dir_all(parent).map_err(io(parent))?;
                made = Some(parent.to_path_buf());
            }
        }
        if bytes.as_slice() == EMPTY_METADATA {
            if let Some(first) = &empty {
                if std::fs::hard_link(first, &path).is_ok() {
                    continue;
                }
            }
            empty = Some(path.clone());
        }
        fs_err::write(&path, bytes).map_err(io(&path))?;
    }
    Ok(())
}

/// Removes temporary generation directories left by a killed sync.
pub(super) fn clean_temporaries(layout: &Layout) {
    if let Ok(entries) = std::fs::read_dir(layout.meta_dir()) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                let _ = crate::fsutil::remove_path(&entry.path());
            }
        }
    }
}

/// The generation `packages.json` names, read from its `metadata-url`.
pub fn root_generation(root: &serde_json::Value) -> Option<u64> {
    let url = root.get("metadata-url")?.as_str()?;
    let marker = format!("/{}/", layout::META_DIR);
    let at = url.rfind(&marker)?;
    let rest = &url[at + marker.len()..];
    rest.split('/').next()?.parse().ok()
}

fn root_points_at(layout: &Layout, generation: u64) -> bool {
    std::fs::read(layout.root_file())
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| root_generation(&v))
        == Some(generation)
}

/// Higher than anything on disk or recorded, so a generation that is (or was) live is never
/// rewritten, even after a sync was killed between publishing and saving its state.
fn next_generation(layout: &Layout, recorded: u64) -> u64 {
    let mut highest = recorded;
    if let Ok(entries) = std::fs::read_dir(layout.meta_dir()) {
        for entry in entries.flatten() {
            if let Ok(n) = entry.file_name().to_string_lossy().parse::<u64>() {
                highest = highest.max(n);
            }
        }
    }
    if let Some(n) = std::fs::read(layout.root_file())
        .ok()
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| root_generation(&v))
    {
        highest = highest.max(n);
    }
    highest + 1
}

fn remove_generations_except(layout: &Layout, keep: &[u64]) {
    let Ok(entries) = std::fs::read_dir(layout.meta_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        let keep_it = name.parse::<u64>().is_ok_and(|n| keep.contains(&n));
        if !keep_it {
            let _ = crate::fsutil::remove_path(&entry.path());
        }
    }
}

fn digest(metadata: &Metadata, base_url: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(base_url.as_bytes());
    hasher.update([0]);
    for name in &metadata.names {
        hasher.update(name.as_bytes());
        hasher.update([0]);
    }
    for (path, bytes) in &metadata.files {
        hasher.update(path.as_bytes());
        hasher.update([0]);
        hasher.update((bytes.len() as u64).to_le_bytes());
        hasher.update(bytes);
    }
    hex::encode(hasher.finalize())
}

fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generation_from_root() {
        let root = json!({"metadata-url": "file:///srv/m/meta/12/p2/%package%.json"});
        assert_eq!(root_generation(&root), Some(12));
        assert_eq!(root_generation(&json!({})), None);
    }
}
