//! Tar extraction (plain, gzip, bzip2, xz; the compression is detected from the bytes).

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use super::safety::safe_entry_path;
use super::unpack::Unpacker;
use super::{io_err, ArchiveError, ExtractStats};

pub fn extract(archive: &Path, dest: &Path) -> Result<ExtractStats, ArchiveError> {
    let corrupt = |detail: String| ArchiveError::Corrupt {
        path: archive.to_path_buf(),
        kind: "tar",
        detail,
    };
    let mut file = File::open(archive).map_err(io_err(archive))?;
    let mut magic = [0u8; 6];
    let n = read_prefix(&mut file, &mut magic).map_err(io_err(archive))?;
    let file = File::open(archive).map_err(io_err(archive))?;
    let buffered = BufReader::with_capacity(128 * 1024, file);
    let reader: Box<dyn Read> = match &magic[..n] {
        [0x1f, 0x8b, ..] => Box::new(flate2::read::MultiGzDecoder::new(buffered)),
        [b'B', b'Z', b'h', ..] => Box::new(bzip2::read::MultiBzDecoder::new(buffered)),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00] => {
            Box::new(liblzma::read::XzDecoder::new_multi_decoder(buffered))
        }
        _ => Box::new(buffered),
    };
    let mut tar = tar::Archive::new(reader);
    let mut out = Unpacker::new(dest);
    let entries = tar.entries().map_err(|e| corrupt(e.to_string()))?;
    let mut saw_entry = false;
    for entry in entries {
        let mut entry = entry.map_err(|e| corrupt(e.to_string()))?;
        saw_entry = true;
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let kind = entry.header().entry_type();
        let Some(rel) = safe_entry_path(&name)? else {
            continue;
        };
        let mode = entry.header().mode().ok().map(|m| m & 0o777);
        match kind {
            tar::EntryType::Directory => out.dir(&rel, mode)?,
            tar::EntryType::Symlink => {
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                out.symlink(&rel, target)?;
            }
            tar::EntryType::Link => {
                // A hard link: a copy of an entry extracted earlier, inside the package.
                let target = entry
                    .link_name_bytes()
                    .map(|b| String::from_utf8_lossy(&b).into_owned())
                    .unwrap_or_default();
                let Some(source_rel) = safe_entry_path(&target)? else {
                    return Err(corrupt(format!("`{name}` is a hard link to nothing")));
                };
                let source = dest.join(&source_rel);
                let mut data = File::open(&source).map_err(|_| {
                    corrupt(format!(
                        "`{name}` links to `{target}`, which is not in the archive before it"
                    ))
                })?;
                let size = data.metadata().map(|m| m.len()).unwrap_or(0);
                out.file(&rel, mode, size, &mut data)?;
            }
            tar::EntryType::Regular | tar::EntryType::Continuous | tar::EntryType::GNUSparse => {
                let size = entry.header().size().unwrap_or(0);
                out.file(&rel, mode, size, &mut entry)?;
            }
            // Global headers, devices, fifos: nothing a PHP package needs.
            _ => {}
        }
    }
    if !saw_entry && n == 0 {
        return Err(corrupt("the file is empty".to_string()));
    }
    out.finish()
}

fn read_prefix(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}
