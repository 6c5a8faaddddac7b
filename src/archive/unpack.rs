//! Writing entries into the extraction directory: files with their modes, directories (modes
//! applied at the end), and symlinks (created last, after their targets are checked).

use std::collections::HashSet;
use std::fs::{File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use super::safety::safe_link_target;
use super::{apply_dir_modes, io_err, ArchiveError, ExtractStats};
use crate::fsutil::{set_mode, umask};

pub struct Unpacker<'a> {
    root: &'a Path,
    made: HashSet<PathBuf>,
    dir_modes: Vec<(PathBuf, u32)>,
    symlinks: Vec<(PathBuf, String)>,
    umask: u32,
    stats: ExtractStats,
    buf: Vec<u8>,
    /// Reused for each small file: no allocation (and no allocator lock) per entry.
    small: Vec<u8>,
}

impl<'a> Unpacker<'a> {
    pub fn new(root: &'a Path) -> Self {
        Unpacker {
            root,
            made: HashSet::new(),
            dir_modes: Vec::new(),
            symlinks: Vec::new(),
            umask: umask(),
            stats: ExtractStats::default(),
            buf: vec![0u8; 64 * 1024],
            small: Vec::new(),
        }
    }

    fn ensure_dir(&mut self, rel: &Path) -> Result<(), ArchiveError> {
        if rel.as_os_str().is_empty() || self.made.contains(rel) {
            return Ok(());
        }
        let full = self.root.join(rel);
        fs_err::create_dir_all(&full).map_err(io_err(&full))?;
        let mut p = Some(rel);
        while let Some(dir) = p {
            if dir.as_os_str().is_empty() || !self.made.insert(dir.to_path_buf()) {
                break;
            }
            p = dir.parent();
        }
        Ok(())
    }

    /// A directory entry; its mode (if the archive has one) is applied at the end.
    pub fn dir(&mut self, rel: &Path, mode: Option<u32>) -> Result<(), ArchiveError> {
        self.ensure_dir(rel)?;
        let mode = mode.unwrap_or(0o777 & !self.umask);
        if mode != 0o777 & !self.umask {
            self.dir_modes.push((self.root.join(rel), mode));
        }
        Ok(())
    }

    /// A regular file; `mode` from the archive is applied verbatim, as `unzip` does.
    pub fn file(
        &mut self,
        rel: &Path,
        mode: Option<u32>,
        size_hint: u64,
        reader: &mut dyn Read,
    ) -> Result<(), ArchiveError> {
        let mut buf = std::mem::take(&mut self.buf);
        let mut small = std::mem::take(&mut self.small);
        let result = self.write_file(rel, mode, |file| {
            copy_entry(reader, file, &mut buf, &mut small, size_hint)
        });
        self.buf = buf;
        self.small = small;
        result
    }

    /// A regular file whose whole content is already in memory.
    pub fn file_from_bytes(
        &mut self,
        rel: &Path,
        mode: Option<u32>,
        content: &[u8],
    ) -> Result<(), ArchiveError> {
        self.write_file(rel, mode, |file| {
            file.write_all(content).map_err(CopyError::Write)?;
            Ok(content.len() as u64)
        })
    }

    fn write_file(
        &mut self,
        rel: &Path,
        mode: Option<u32>,
        fill: impl FnOnce(&mut File) -> Result<u64, CopyError>,
    ) -> Result<(), ArchiveError> {
        if let Some(parent) = rel.parent() {
            self.ensure_dir(parent)?;
        }
        let full = self.root.join(rel);
        let mode = mode.unwrap_or(0o666 & !self.umask);
        let mut file = open_new(&full, mode).map_err(io_err(&full))?;
        let written = fill(&mut file).map_err(|e| match e {
            CopyError::Read(source) => ArchiveError::Corrupt {
                path: full.clone(),
                kind: "archive entry",
                detail: source.to_string(),
            },
            CopyError::Write(source) => ArchiveError::Io {
                path: full.clone(),
                source,
            },
        })?;
        if mode & self.umask != 0 {
            // The open mode went through the umask; set the archive's bits exactly.
            set_mode(&full, mode).map_err(io_err(&full))?;
        }
        self.stats.files += 1;
        self.stats.bytes += written;
        Ok(())
    }

    pub fn symlink(&mut self, rel: &Path, target: String) -> Result<(), ArchiveError> {
        safe_link_target(rel, &target)?;
        self.symlinks.push((rel.to_path_buf(), target));
        Ok(())
    }

    /// Creates the symlinks and applies directory modes.
    pub fn finish(mut self) -> Result<ExtractStats, ArchiveError> {
        let links = std::mem::take(&mut self.symlinks);
        let root_real = if links.is_empty() {
            self.root.to_path_buf()
        } else {
            fs_err::canonicalize(self.root).map_err(io_err(self.root))?
        };
        for (rel, target) in links {
            if let Some(parent) = rel.parent() {
                self.ensure_dir(parent)?;
            }
            let full = self.root.join(&rel);
            let parent_real = full
                .parent()
                .map(fs_err::canonicalize)
                .transpose()
                .map_err(io_err(&full))?;
            if parent_real.is_some_and(|p| !p.starts_with(&root_real)) {
                return Err(ArchiveError::Unsafe {
                    entry: format!("{} -> {}", rel.display(), target),
                    reason: "the symlink would be created through another symlink".into(),
                });
            }
            std::os::unix::fs::symlink(&target, &full).map_err(io_err(&full))?;
            self.stats.files += 1;
        }
        apply_dir_modes(std::mem::take(&mut self.dir_modes))?;
        Ok(self.stats)
    }
}

fn open_new(path: &Path, mode: u32) -> io::Result<File> {
    match OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(path)
    {
        Ok(f) => Ok(f),
        Err(e) if e.kind() == io::ErrorKind::PermissionDenied => {
            // A duplicate entry for a file written read-only a moment ago: replace it.
            std::fs::remove_file(path)?;
            OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(mode)
                .open(path)
        }
        Err(e) => Err(e),
    }
}

enum CopyError {
    Read(io::Error),
    Write(io::Error),
}

fn copy_entry(
    reader: &mut dyn Read,
    file: &mut File,
    buf: &mut [u8],
    small: &mut Vec<u8>,
    size_hint: u64,
) -> Result<u64, CopyError> {
    let mut total = 0u64;
    if size_hint > 0 && size_hint <= buf.len() as u64 {
        // Small files (most of a PHP project): one read-to-end, one write.
        small.clear();
        small.reserve(size_hint as usize);
        reader.read_to_end(small).map_err(CopyError::Read)?;
        file.write_all(small).map_err(CopyError::Write)?;
        return Ok(small.len() as u64);
    }
    loop {
        let n = match reader.read(buf) {
            Ok(0) => return Ok(total),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CopyError::Read(e)),
        };
        file.write_all(&buf[..n]).map_err(CopyError::Write)?;
        total += n as u64;
    }
}
