//! Unpacking a release archive into a project directory.
//!
//! The archive is unpacked with the same code and path-safety rules as `install` (no `..`, no
//! absolute paths, no symlink leaving the tree: any such entry fails the whole archive) into a
//! temporary directory next to the destination, then renamed into place, so the destination
//! either receives the complete tree or is left untouched. Tar archives (plain, gzip, bzip2) are
//! decompressed and unpacked as one stream; zip needs its central directory, at the end of the
//! file, and is read from the saved file. A single top-level directory in the archive is
//! stripped, as Composer does for packages.

use std::path::Path;

use super::ReleaseError;
use crate::archive::{self, ArchiveKind, ExtractStats};

/// Unpacks `archive` into `dest`, which must not exist or be an empty directory.
pub fn extract_release(archive: &Path, dest: &Path) -> Result<ExtractStats, ReleaseError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| ReleaseError::Io { path, source }
    };
    if dest.exists() {
        let empty_dir = dest.is_dir() && fs_err::read_dir(dest).map_err(io(dest))?.next().is_none();
        if !empty_dir {
            return Err(ReleaseError::DestinationNotEmpty {
                path: dest.to_path_buf(),
            });
        }
    }
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    fs_err::create_dir_all(parent).map_err(io(parent))?;
    let tmp = tempfile::Builder::new()
        .prefix(".magefetch-extract-")
        .tempdir_in(parent)
        .map_err(io(parent))?;
    let result = unpack_and_place(archive, tmp.path(), dest);
    if result.is_err() {
        // Read-only directories from the archive would make TempDir's own cleanup fail.
        let _ = crate::fsutil::remove_path(tmp.path());
    }
    result
}

fn unpack_and_place(archive: &Path, tmp: &Path, dest: &Path) -> Result<ExtractStats, ReleaseError> {
    let kind = archive_kind(archive).map_err(|source| ReleaseError::Io {
        path: archive.to_path_buf(),
        source,
    })?;
    let stats = archive::extract(archive, kind, tmp).map_err(|source| ReleaseError::Extract {
        archive: archive.to_path_buf(),
        source,
    })?;
    let root = archive::content_root(tmp).map_err(|source| ReleaseError::Extract {
        archive: archive.to_path_buf(),
        source,
    })?;
    if dest.exists() {
        fs_err::remove_dir(dest).map_err(|source| ReleaseError::Io {
            path: dest.to_path_buf(),
            source,
        })?;
    }
    fs_err::rename(&root, dest).map_err(|source| ReleaseError::Io {
        path: dest.to_path_buf(),
        source,
    })?;
    Ok(stats)
}

/// Zip or tar, by name, else by the first bytes (`PK` is zip; tar compression is detected
/// from the bytes by the tar reader).
fn archive_kind(path: &Path) -> std::io::Result<ArchiveKind> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if name.ends_with(".zip") {
        return Ok(ArchiveKind::Zip);
    }
    if [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz"]
        .iter()
        .any(|s| name.ends_with(s))
    {
        return Ok(ArchiveKind::Tar);
    }
    let mut magic = [0u8; 4];
    let mut file = fs_err::File::open(path)?;
    let n = std::io::Read::read(&mut file, &mut magic)?;
    Ok(if magic[..n].starts_with(b"PK") {
        ArchiveKind::Zip
    } else {
        ArchiveKind::Tar
    })
}
