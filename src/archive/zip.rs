//! Zip extraction with `unzip`'s results.

use std::fs::File;
use std::path::Path;

use super::positioned::PositionedReader;
use super::safety::safe_entry_path;
use super::unpack::Unpacker;
use super::{check_bomb, io_err, ArchiveError, ExtractStats};

const S_IFMT: u32 = 0o170000;
const S_IFLNK: u32 = 0o120000;
const S_IFDIR: u32 = 0o040000;

pub fn extract(archive: &Path, dest: &Path) -> Result<ExtractStats, ArchiveError> {
    let file = File::open(archive).map_err(io_err(archive))?;
    let compressed = file.metadata().map(|m| m.len()).unwrap_or(0);
    let corrupt = |detail: String| ArchiveError::Corrupt {
        path: archive.to_path_buf(),
        kind: "zip",
        detail,
    };
    let reader = PositionedReader::new(file, 128 * 1024).map_err(io_err(archive))?;
    let mut zip = zip::ZipArchive::new(reader).map_err(|e| corrupt(e.to_string()))?;
    let declared: u64 = (0..zip.len())
        .filter_map(|i| zip.by_index_raw(i).ok().map(|f| f.size()))
        .sum();
    check_bomb(declared, compressed)?;
    let mut out = Unpacker::new(dest);
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| corrupt(e.to_string()))?;
        let name = String::from_utf8_lossy(entry.name_raw()).into_owned();
        let Some(rel) = safe_entry_path(&name)? else {
            continue;
        };
        let mode = entry.unix_mode();
        let kind = mode.map(|m| m & S_IFMT);
        if kind == Some(S_IFLNK) {
            let mut target = Vec::new();
            std::io::Read::read_to_end(&mut entry, &mut target)
                .map_err(|e| corrupt(format!("`{name}`: {e}")))?;
            out.symlink(&rel, String::from_utf8_lossy(&target).into_owned())?;
        } else if entry.is_dir() || kind == Some(S_IFDIR) {
            out.dir(&rel, mode.map(|m| m & 0o777))?;
        } else {
            let size = entry.size();
            out.file(&rel, mode.map(|m| m & 0o777), size, &mut entry)?;
        }
    }
    out.finish()
}
