//! Zip extraction with `unzip`'s results.
//!
//! Most entries of a PHP package are small deflated files. For those the compressed bytes are
//! read whole and inflated in one call by libdeflate into a buffer reused from entry to entry
//! (and from archive to archive on the same thread), then checked against the entry's CRC-32:
//! no decompressor state is allocated and initialised per entry. Larger entries, and the other
//! methods (deflate64, bzip2), stream through the `zip` crate's readers, which check the CRC
//! themselves.

use std::cell::RefCell;
use std::fs::File;
use std::io::Read;
use std::path::Path;

use zip::CompressionMethod;

use super::positioned::PositionedReader;
use super::safety::safe_entry_path;
use super::unpack::Unpacker;
use super::{check_bomb, io_err, ArchiveError, ExtractStats};

const S_IFMT: u32 = 0o170000;
const S_IFLNK: u32 = 0o120000;
const S_IFDIR: u32 = 0o040000;

/// Entries up to this size (compressed and uncompressed) are inflated in memory; the two
/// buffers of a thread never exceed twice this.
const IN_MEMORY_MAX: u64 = 1024 * 1024;

/// A thread's reusable inflater and buffers.
struct Inflater {
    decompressor: libdeflater::Decompressor,
    compressed: Vec<u8>,
    output: Vec<u8>,
}

thread_local! {
    static INFLATER: RefCell<Option<Inflater>> = const { RefCell::new(None) };
}

pub fn extract(archive: &Path, dest: &Path) -> Result<ExtractStats, ArchiveError> {
    INFLATER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let inflater = slot.get_or_insert_with(|| Inflater {
            decompressor: libdeflater::Decompressor::new(),
            compressed: Vec::new(),
            output: Vec::new(),
        });
        extract_with(archive, dest, inflater)
    })
}

fn extract_with(
    archive: &Path,
    dest: &Path,
    inflater: &mut Inflater,
) -> Result<ExtractStats, ArchiveError> {
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
        let mut raw = zip.by_index_raw(i).map_err(|e| corrupt(e.to_string()))?;
        let name = String::from_utf8_lossy(raw.name_raw()).into_owned();
        let Some(rel) = safe_entry_path(&name)? else {
            continue;
        };
        let mode = raw.unix_mode();
        let kind = mode.map(|m| m & S_IFMT);
        let is_dir = raw.is_dir() || kind == Some(S_IFDIR);
        let in_memory = !is_dir
            && !raw.encrypted()
            && matches!(
                raw.compression(),
                CompressionMethod::Deflated | CompressionMethod::Stored
            )
            && raw.size() <= IN_MEMORY_MAX
            && raw.compressed_size() <= IN_MEMORY_MAX;
        if in_memory {
            let bytes = inflate_entry(&mut raw, inflater)
                .map_err(|detail| corrupt(format!("`{name}`: {detail}")))?;
            if kind == Some(S_IFLNK) {
                out.symlink(&rel, String::from_utf8_lossy(bytes).into_owned())?;
            } else {
                out.file_from_bytes(&rel, mode.map(|m| m & 0o777), bytes)?;
            }
            continue;
        }
        drop(raw);
        let mut entry = zip.by_index(i).map_err(|e| corrupt(e.to_string()))?;
        if kind == Some(S_IFLNK) {
            let mut target = Vec::new();
            entry
                .read_to_end(&mut target)
                .map_err(|e| corrupt(format!("`{name}`: {e}")))?;
            out.symlink(&rel, String::from_utf8_lossy(&target).into_owned())?;
        } else if is_dir {
            out.dir(&rel, mode.map(|m| m & 0o777))?;
        } else {
            let size = entry.size();
            out.file(&rel, mode.map(|m| m & 0o777), size, &mut entry)?;
        }
    }
    out.finish()
}

/// The content of a stored or deflated entry, read whole, inflated and checked against the
/// size and CRC-32 the archive declares.
fn inflate_entry<'i>(
    raw: &mut zip::read::ZipFile<'_, PositionedReader>,
    inflater: &'i mut Inflater,
) -> Result<&'i [u8], String> {
    let size = raw.size() as usize;
    let stored = raw.compression() == CompressionMethod::Stored;
    let crc = raw.crc32();
    let buf = &mut inflater.compressed;
    buf.clear();
    buf.resize(raw.compressed_size() as usize, 0);
    raw.read_exact(buf)
        .map_err(|e| format!("reading the compressed data: {e}"))?;
    // Some writers record an empty file as a "deflated" entry without any data: like the
    // streaming reader, take it as empty.
    let data: &[u8] = if stored || (size == 0 && buf.is_empty()) {
        if buf.len() != size {
            return Err(format!(
                "stored entry of {} bytes declares {size}",
                buf.len()
            ));
        }
        &inflater.compressed
    } else {
        inflater.output.clear();
        inflater.output.resize(size, 0);
        let n = inflater
            .decompressor
            .deflate_decompress(&inflater.compressed, &mut inflater.output)
            .map_err(|e| format!("invalid deflate data ({e:?})"))?;
        if n != size {
            return Err(format!(
                "inflated to {n} bytes, the archive declares {size}"
            ));
        }
        &inflater.output
    };
    if crc32fast::hash(data) != crc {
        return Err("CRC-32 mismatch".into());
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Write};
    use zip::write::SimpleFileOptions;

    fn build(entries: &[(&str, CompressionMethod, &[u8])]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        for (name, method, data) in entries {
            let opts = SimpleFileOptions::default()
                .compression_method(*method)
                .unix_permissions(0o640);
            w.start_file(*name, opts).unwrap();
            w.write_all(data).unwrap();
        }
        w.finish().unwrap().into_inner()
    }

    fn extract_bytes(bytes: &[u8]) -> (tempfile::TempDir, Result<ExtractStats, ArchiveError>) {
        let d = tempfile::tempdir().unwrap();
        let archive = d.path().join("a.zip");
        std::fs::write(&archive, bytes).unwrap();
        std::fs::create_dir(d.path().join("out")).unwrap();
        let result = extract(&archive, &d.path().join("out"));
        (d, result)
    }

    /// Pseudo-random bytes (deflate cannot shrink them) of `n` bytes.
    fn noise(n: usize) -> Vec<u8> {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    #[test]
    fn small_large_stored_and_empty_entries_come_out_whole() {
        let text = b"<?php\nclass Foo {}\n".repeat(200);
        let large = noise(IN_MEMORY_MAX as usize + 12_345);
        let bytes = build(&[
            ("src/Foo.php", CompressionMethod::Deflated, &text),
            ("src/empty.txt", CompressionMethod::Deflated, b""),
            ("stored.bin", CompressionMethod::Stored, b"stored bytes"),
            ("big/large.bin", CompressionMethod::Deflated, &large),
        ]);
        let (d, result) = extract_bytes(&bytes);
        let stats = result.unwrap();
        assert_eq!(stats.files, 4);
        let out = d.path().join("out");
        assert_eq!(std::fs::read(out.join("src/Foo.php")).unwrap(), text);
        assert_eq!(std::fs::read(out.join("src/empty.txt")).unwrap(), b"");
        assert_eq!(
            std::fs::read(out.join("stored.bin")).unwrap(),
            b"stored bytes"
        );
        assert_eq!(std::fs::read(out.join("big/large.bin")).unwrap(), large);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(out.join("src/Foo.php"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[test]
    fn a_deflated_entry_without_data_is_an_empty_file() {
        let mut bytes = build(&[("empty.txt", CompressionMethod::Stored, b"")]);
        // Turn the method of both headers into deflate (8), keeping sizes at zero.
        let local = bytes.windows(4).position(|w| w == b"PK\x03\x04").unwrap();
        bytes[local + 8] = 8;
        let central = bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
        bytes[central + 10] = 8;
        let (d, result) = extract_bytes(&bytes);
        assert_eq!(result.unwrap().files, 1);
        assert_eq!(std::fs::read(d.path().join("out/empty.txt")).unwrap(), b"");
    }

    #[test]
    fn damaged_small_entries_are_reported_as_corrupt() {
        // A stored entry whose bytes changed: only the CRC can tell.
        let mut stored = build(&[("a.txt", CompressionMethod::Stored, b"0123456789abcdef")]);
        let at = stored
            .windows(16)
            .position(|w| w == b"0123456789abcdef")
            .unwrap();
        stored[at + 3] ^= 0x20;
        let (_d, result) = extract_bytes(&stored);
        match result {
            Err(ArchiveError::Corrupt { detail, .. }) => {
                assert!(
                    detail.contains("a.txt") && detail.contains("CRC"),
                    "{detail}"
                )
            }
            other => panic!("expected a corrupt archive, got {other:?}"),
        }

        // A deflated entry with its compressed data damaged.
        let data = noise(4096);
        let mut deflated = build(&[("b.bin", CompressionMethod::Deflated, &data)]);
        let start = deflated.windows(5).position(|w| w == b"b.bin").unwrap() + 5;
        for b in &mut deflated[start + 100..start + 140] {
            *b ^= 0xff;
        }
        let (_d, result) = extract_bytes(&deflated);
        assert!(
            matches!(result, Err(ArchiveError::Corrupt { .. })),
            "{result:?}"
        );
    }
}
