//! Archive extraction: zip, tar, tar.gz, tar.bz2 and tar.xz, with Composer's results.
//!
//! - Modes are applied as `unzip` applies them: the archive's permission bits verbatim (no
//!   umask), `0666`/`0777` minus the umask for entries without Unix attributes; symlinks are
//!   recreated; directory modes are set last so read-only directories still get their files.
//! - Safety: an entry named with `..`, an absolute path, or a symlink whose target leaves the
//!   package fails the whole package; nothing of it is moved into vendor/.
//! - Placement ([`move_into_place`]) follows Composer's single-top-level-directory rule
//!   (reference §7.3): if the archive holds exactly one entry (ignoring `.DS_Store`) and it is a
//!   directory, that directory's content is the package; otherwise the archive root is.

mod positioned;
mod safety;
mod tar;
mod unpack;
mod zip;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use safety::{safe_entry_path, safe_link_target};

/// What an archive is, from the package's `dist.type` (tar compression is detected from the
/// bytes, as Composer does).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveKind {
    Zip,
    Tar,
}

impl ArchiveKind {
    pub fn from_dist_type(dist_type: &str) -> Option<ArchiveKind> {
        match dist_type.to_ascii_lowercase().as_str() {
            "zip" => Some(ArchiveKind::Zip),
            "tar" | "xz" | "tgz" | "tar.gz" | "tar.bz2" | "tar.xz" => Some(ArchiveKind::Tar),
            _ => None,
        }
    }
}

#[derive(Debug, Error)]
pub enum ArchiveError {
    #[error("`{}` is not a valid {kind} archive: {detail}", path.display())]
    Corrupt {
        path: PathBuf,
        kind: &'static str,
        detail: String,
    },
    #[error("unsafe entry `{entry}`: {reason}")]
    Unsafe { entry: String, reason: String },
    #[error("the archive would unpack to {declared} bytes from {compressed} bytes, which looks like a zip bomb")]
    Bomb { declared: u64, compressed: u64 },
    #[error("could not write `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` would overwrite the directory `{}` with a file", from.display(), to.display())]
    Conflict { from: PathBuf, to: PathBuf },
}

pub(crate) fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ArchiveError + '_ {
    move |source| ArchiveError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Counts of what an extraction wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct ExtractStats {
    pub files: u64,
    pub bytes: u64,
}

/// Extracts `archive` into the existing, empty directory `dest`.
pub fn extract(
    archive: &Path,
    kind: ArchiveKind,
    dest: &Path,
) -> Result<ExtractStats, ArchiveError> {
    match kind {
        ArchiveKind::Zip => zip::extract(archive, dest),
        ArchiveKind::Tar => tar::extract(archive, dest),
    }
}

/// Moves extracted content into `target` following the single-top-level-directory rule. An
/// existing `target` is moved into `trash` (a directory on the same file system that the
/// caller deletes) so the swap is two renames.
pub fn move_into_place(extracted: &Path, target: &Path, trash: &Path) -> Result<(), ArchiveError> {
    let source = content_root(extracted)?;
    if let Some(parent) = target.parent() {
        fs_err::create_dir_all(parent).map_err(io_err(parent))?;
    }
    if std::fs::symlink_metadata(target).is_ok() {
        fs_err::create_dir_all(trash).map_err(io_err(trash))?;
        let old = trash.join("previous");
        fs_err::rename(target, &old).map_err(io_err(target))?;
    }
    fs_err::rename(&source, target).map_err(io_err(target))?;
    Ok(())
}

/// The directory whose content becomes the package.
pub fn content_root(extracted: &Path) -> Result<PathBuf, ArchiveError> {
    let mut entries = Vec::new();
    for entry in fs_err::read_dir(extracted).map_err(io_err(extracted))? {
        let entry = entry.map_err(io_err(extracted))?;
        if entry.file_name() != ".DS_Store" {
            entries.push(entry.path());
        } else {
            crate::fsutil::remove_path(&entry.path()).map_err(io_err(extracted))?;
        }
    }
    if entries.len() == 1 && entries[0].is_dir() {
        Ok(entries.remove(0))
    } else {
        Ok(extracted.to_path_buf())
    }
}

/// Directory modes are applied after all files were written, deepest first, so that a
/// read-only directory still receives its files.
pub(crate) fn apply_dir_modes(mut dirs: Vec<(PathBuf, u32)>) -> Result<(), ArchiveError> {
    dirs.sort_by_key(|(p, _)| std::cmp::Reverse(p.components().count()));
    for (path, mode) in dirs {
        crate::fsutil::set_mode(&path, mode).map_err(io_err(&path))?;
    }
    Ok(())
}

/// A limit on the unpacked size, against archives built to fill the disk: more than 100 times
/// the archive size and more than 1 GiB in total.
pub(crate) fn check_bomb(declared: u64, compressed: u64) -> Result<(), ArchiveError> {
    if declared > 1 << 30 && declared / compressed.max(1) > 100 {
        return Err(ArchiveError::Bomb {
            declared,
            compressed,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_top_dir_rule() {
        let d = tempfile::tempdir().unwrap();
        let one = d.path().join("one");
        std::fs::create_dir_all(one.join("pkg-1.0/src")).unwrap();
        std::fs::write(one.join(".DS_Store"), b"x").unwrap();
        assert_eq!(content_root(&one).unwrap(), one.join("pkg-1.0"));

        let dot = d.path().join("dot");
        std::fs::create_dir_all(dot.join("inner")).unwrap();
        std::fs::write(dot.join(".gitattributes"), b"x").unwrap();
        assert_eq!(content_root(&dot).unwrap(), dot);

        let file = d.path().join("file");
        std::fs::create_dir_all(&file).unwrap();
        std::fs::write(file.join("only.txt"), b"x").unwrap();
        assert_eq!(content_root(&file).unwrap(), file);
    }

    #[test]
    fn replaces_existing_target() {
        let d = tempfile::tempdir().unwrap();
        let ex = d.path().join("ex");
        std::fs::create_dir_all(ex.join("top")).unwrap();
        std::fs::write(ex.join("top/new.txt"), b"new").unwrap();
        let target = d.path().join("vendor/a/b");
        std::fs::create_dir_all(&target).unwrap();
        std::fs::write(target.join("old.txt"), b"old").unwrap();
        move_into_place(&ex, &target, &d.path().join("trash")).unwrap();
        assert!(target.join("new.txt").exists());
        assert!(!target.join("old.txt").exists());
        assert!(d.path().join("trash/previous/old.txt").exists());
    }
}
