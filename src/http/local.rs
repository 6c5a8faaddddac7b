//! `file://` dist URLs: a local mirror (`magefetch install --mirror DIR`), a lock written
//! against a `file://` repository, or a mirror seeded from another mirror. Composer reads
//! these through PHP's file stream wrapper; here the file is copied into the `.part` through
//! the same hashers as a download, so the caller verifies and renames it the same way. No
//! network, no credentials, and allowed when network access is disabled.

use std::fs::File;
use std::io::{Read, Write};
use std::path::PathBuf;

use super::fetch::{FetchOutcome, FetchRequest, Hashers};
use super::{FetchError, HttpClient};
use crate::redact::SafeUrl;

const CHUNK: usize = 256 * 1024;

/// The local path of a `file://` URL, or `None` when `url` is not one.
pub fn file_url_path(url: &str) -> Option<PathBuf> {
    if !url.starts_with("file://") {
        return None;
    }
    reqwest::Url::parse(url).ok()?.to_file_path().ok()
}

impl HttpClient {
    /// Copies the file behind a `file://` URL into `req.part`, hashing it on the way.
    pub(super) fn fetch_local(&self, req: &FetchRequest<'_>) -> Result<FetchOutcome, FetchError> {
        let source = file_url_path(req.url.expose()).ok_or_else(|| FetchError::BadUrl {
            url: req.url.clone(),
        })?;
        let mut input = match File::open(&source) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(FetchError::NotFound {
                    url: SafeUrl::new(req.url.expose()),
                })
            }
            Err(e) => return Err(io_error(&source, e)),
        };
        if let Some(parent) = req.part.parent() {
            fs_err::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
        }
        let _ = std::fs::remove_file(&req.part_info);
        let mut output = File::create(&req.part).map_err(|e| io_error(&req.part, e))?;
        let mut hasher = Hashers::new(super::fetch::kinds_for(req));
        let total = input.metadata().ok().map(|m| m.len());
        req.reporter.on_download_start(req.id, req.name, total, 0);
        let mut buf = vec![0u8; CHUNK];
        let mut size = 0u64;
        loop {
            let n = input.read(&mut buf).map_err(|e| io_error(&source, e))?;
            if n == 0 {
                break;
            }
            output
                .write_all(&buf[..n])
                .map_err(|e| io_error(&req.part, e))?;
            hasher.update(&buf[..n]);
            size += n as u64;
            req.reporter.on_download_progress(req.id, n as u64);
        }
        output.flush().map_err(|e| io_error(&req.part, e))?;
        let digests = hasher.finish();
        if let Some((algorithm, expected, actual)) = digests.mismatch(&req.expected) {
            let _ = std::fs::remove_file(&req.part);
            return Err(FetchError::ChecksumMismatch {
                url: req.url.clone(),
                algorithm,
                expected: expected.to_string(),
                actual,
                bytes: size,
            });
        }
        Ok(FetchOutcome {
            digests,
            size,
            transferred: size,
        })
    }
}

fn io_error(path: &std::path::Path, source: std::io::Error) -> FetchError {
    FetchError::Io {
        path: path.to_path_buf(),
        source,
    }
}
