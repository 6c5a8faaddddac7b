//! File-system helpers shared by the cache, the installer and the writers of generated files.
//! Every error names the path it concerns (through `fs-err`).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use fs_err as fs;

/// Writes `contents` to `path` atomically: a temporary sibling is written, synced and renamed
/// over the target, so a reader sees the old or the new file, never a mix.
pub fn write_atomic(path: &Path, contents: &[u8]) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".magefetch-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| with_path(e, dir))?;
    tmp.write_all(contents).map_err(|e| with_path(e, path))?;
    tmp.as_file().sync_data().map_err(|e| with_path(e, path))?;
    set_mode(tmp.path(), 0o666 & !umask())?;
    tmp.persist(path).map_err(|e| with_path(e.error, path))?;
    Ok(())
}

/// [`write_atomic`] with an exact mode (e.g. 0600 for files holding secrets); the temporary
/// file has that mode before any byte is written.
pub fn write_atomic_mode(path: &Path, contents: &[u8], mode: u32) -> io::Result<()> {
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = tempfile::Builder::new()
        .prefix(".magefetch-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| with_path(e, dir))?;
    set_mode(tmp.path(), mode)?;
    let mut tmp = tmp;
    tmp.write_all(contents).map_err(|e| with_path(e, path))?;
    tmp.as_file().sync_data().map_err(|e| with_path(e, path))?;
    tmp.persist(path).map_err(|e| with_path(e.error, path))?;
    Ok(())
}

/// Adds the path to an `io::Error` that lacks it.
pub fn with_path(err: io::Error, path: &Path) -> io::Error {
    io::Error::new(err.kind(), format!("{err} (path: {})", path.display()))
}

pub fn set_mode(path: &Path, mode: u32) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
}

/// The process umask, read once.
pub fn umask() -> u32 {
    static UMASK: OnceLock<u32> = OnceLock::new();
    *UMASK.get_or_init(|| {
        // SAFETY: umask(2) only swaps a per-process integer; it is read and immediately restored.
        // The first call happens while the process is still single-threaded (see `main`).
        unsafe {
            let old = libc::umask(0o022);
            libc::umask(old);
            old as u32
        }
    })
}

/// Removes a file or a directory tree; a missing path is not an error.
pub fn remove_path(path: &Path) -> io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => make_writable_and_remove(path),
        Ok(_) => fs::remove_file(path),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(with_path(e, path)),
    }
}

fn make_writable_and_remove(path: &Path) -> io::Result<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            // Archives may carry read-only directories (mode 0500); open them up and retry.
            chmod_dirs_writable(path)?;
            fs::remove_dir_all(path)
        }
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(with_path(e, path)),
    }
}

fn chmod_dirs_writable(path: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(path)?;
    if meta.is_dir() {
        set_mode(path, 0o700)?;
        for entry in fs::read_dir(path)? {
            chmod_dirs_writable(&entry?.path())?;
        }
    }
    Ok(())
}

/// Relative path from directory `from` to `to` (both absolute or both relative to the same
/// base), as Composer's `findShortestPath` computes it for directories.
pub fn relative_path(from: &Path, to: &Path) -> PathBuf {
    let from: Vec<_> = from.components().collect();
    let to_c: Vec<_> = to.components().collect();
    let common = from
        .iter()
        .zip(to_c.iter())
        .take_while(|(a, b)| a == b)
        .count();
    let mut out = PathBuf::new();
    for _ in common..from.len() {
        out.push("..");
    }
    for c in &to_c[common..] {
        out.push(c.as_os_str());
    }
    out
}

/// Resolves `path` against `base` unless it is absolute; `.` and `..` are folded lexically.
pub fn absolutize(base: &Path, path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_path(
                Path::new("/p/vendor/composer"),
                Path::new("/p/vendor/acme/lib")
            ),
            PathBuf::from("../acme/lib")
        );
        assert_eq!(
            relative_path(Path::new("/p/vendor/composer"), Path::new("/p")),
            PathBuf::from("../..")
        );
    }

    #[test]
    fn atomic_write_replaces() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a/b.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(std::fs::read(&p).unwrap(), b"two");
        assert_eq!(std::fs::read_dir(p.parent().unwrap()).unwrap().count(), 1);
    }

    #[test]
    fn absolutize_folds_dots() {
        assert_eq!(
            absolutize(Path::new("/a/b"), Path::new("../c/./d")),
            PathBuf::from("/a/c/d")
        );
    }
}
