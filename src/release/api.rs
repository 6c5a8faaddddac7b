//! Requests to the downloads API: listings into memory, files through the resumable, hashed
//! transfer of [`crate::http`].

use std::path::{Path, PathBuf};

use super::listing::{parse_listing, parse_versions, VersionGroup};
use super::{ReleaseError, ReleaseFile, ReleaseType};
use crate::cache::{part_info_path, part_path};
use crate::http::{Digests, Expected, FetchError, FetchRequest, HashKinds, Hashers, HttpClient};
use crate::progress::{Origin, Reporter};
use crate::redact::SafeUrl;

pub const DEFAULT_API_URL: &str = "https://www.magentocommerce.com/products/downloads/";

/// Listings are text tables of a few hundred rows; anything much larger is not a listing.
const MAX_LISTING_BYTES: usize = 16 * 1024 * 1024;

/// The downloads API at one base URL.
#[derive(Clone)]
pub struct DownloadsApi {
    base: reqwest::Url,
    client: HttpClient,
}

/// A file to download into `dir`.
pub struct DownloadRequest<'a> {
    pub file: &'a str,
    pub md5: Option<&'a str>,
    /// A SHA-256 the caller pins (`--sha256`).
    pub sha256: Option<&'a str>,
    pub dir: &'a Path,
    pub reporter: &'a dyn Reporter,
}

/// A downloaded (or already present) and checked file.
#[derive(Debug, Clone)]
pub struct Downloaded {
    pub path: PathBuf,
    pub size: u64,
    pub digests: Digests,
    /// Whether a published MD5 (or a pinned SHA-256) was compared and matched.
    pub verified: bool,
    /// Bytes that crossed the network in this run.
    pub transferred: u64,
    /// The file was already there with the expected checksum; nothing was downloaded.
    pub reused: bool,
}

impl DownloadsApi {
    /// `base` is the API root (`…/products/downloads/`); a missing trailing slash is added.
    pub fn new(base: &str, client: HttpClient) -> Result<DownloadsApi, ReleaseError> {
        Ok(DownloadsApi {
            base: base_url(base)?,
            client,
        })
    }

    /// The URL of an endpoint below the base (`info/files`, `file/<name>`, …).
    pub fn endpoint(&self, path: &str) -> SafeUrl {
        SafeUrl::new(format!("{}{path}", self.base))
    }

    /// The auth origin of the API (`www.magentocommerce.com`).
    pub fn origin(&self) -> String {
        crate::auth::origin_of(self.base.as_str()).unwrap_or_default()
    }

    pub fn base(&self) -> SafeUrl {
        SafeUrl::new(self.base.as_str())
    }

    async fn text(&self, path: &str) -> Result<(SafeUrl, String), ReleaseError> {
        let url = self.endpoint(path);
        let body = self.client.get_bytes(&url, MAX_LISTING_BYTES).await?;
        Ok((url, String::from_utf8_lossy(&body).into_owned()))
    }

    /// `info/help`.
    pub async fn help(&self) -> Result<String, ReleaseError> {
        Ok(self.text("info/help").await?.1)
    }

    /// `info/versions`.
    pub async fn versions(&self) -> Result<Vec<VersionGroup>, ReleaseError> {
        let (_, text) = self.text("info/versions").await?;
        Ok(parse_versions(&text))
    }

    /// The files, filtered by the server when a version or a type is given (both: by version
    /// on the server, by type here).
    pub async fn list(
        &self,
        version: Option<&str>,
        kind: Option<ReleaseType>,
    ) -> Result<Vec<ReleaseFile>, ReleaseError> {
        let path = match (version, kind) {
            (Some(v), _) => format!("info/filter/version/{}", encode_segment(v)),
            (None, Some(k)) => format!("info/filter/type/{}", k.as_str()),
            (None, None) => "info/files".to_string(),
        };
        let (url, text) = match self.text(&path).await {
            // A filter the API does not know (a version it never had) matches nothing.
            Err(ReleaseError::Fetch(FetchError::NotFound { .. })) if path.contains("/filter/") => {
                return Ok(Vec::new())
            }
            other => other?,
        };
        let files = parse_listing(&text).map_err(|detail| ReleaseError::Listing { url, detail })?;
        Ok(files
            .into_iter()
            .filter(|f| kind.is_none_or(|k| f.kind == k))
            .collect())
    }

    /// Downloads `req.file` into `req.dir`: resumable through `<file>.part`, checked against
    /// the published MD5 (and a pinned SHA-256), renamed to its final name only once checked.
    /// A mismatch is fetched once more from scratch before it fails.
    pub async fn download(&self, req: &DownloadRequest<'_>) -> Result<Downloaded, ReleaseError> {
        check_file_name(req.file)?;
        let final_path = req.dir.join(req.file);
        let expected = Expected {
            md5: req.md5,
            sha256: req.sha256,
            sha1: None,
        };
        if let Some(existing) = existing_match(&final_path, &expected)? {
            req.reporter
                .on_download_done(0, req.file, Origin::Cache, existing.size);
            return Ok(existing);
        }
        if expected.any() && final_path.is_file() {
            // A file under the final name that fails the check must not pass for verified.
            req.reporter.on_warning(&format!(
                "`{}` does not match the expected checksum; removing it and downloading it again",
                final_path.display()
            ));
            fs_err::remove_file(&final_path).map_err(|source| ReleaseError::Io {
                path: final_path.clone(),
                source,
            })?;
        }
        let url = self.endpoint(&format!("file/{}", encode_segment(req.file)));
        let part = part_path(&final_path);
        let mut last = None;
        for attempt in 0..2 {
            let request = FetchRequest {
                url: &url,
                part: part.clone(),
                part_info: part_info_path(&final_path),
                expected,
                compute: HashKinds::MD5_SHA256,
                id: 0,
                name: req.file,
                reporter: req.reporter,
            };
            match self.client.fetch_to_file(&request).await {
                Ok(outcome) => {
                    fs_err::rename(&part, &final_path).map_err(|source| ReleaseError::Io {
                        path: final_path.clone(),
                        source,
                    })?;
                    let _ = std::fs::remove_file(part_info_path(&final_path));
                    req.reporter
                        .on_download_done(0, req.file, Origin::Network, outcome.size);
                    return Ok(Downloaded {
                        path: final_path,
                        size: outcome.size,
                        digests: outcome.digests,
                        verified: expected.any(),
                        transferred: outcome.transferred,
                        reused: false,
                    });
                }
                Err(e @ FetchError::ChecksumMismatch { .. }) if attempt == 0 => {
                    req.reporter.on_retry(0, req.file, &url, 1, &e.to_string());
                    last = Some(e);
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(last
            .map(ReleaseError::from)
            .unwrap_or_else(|| ReleaseError::BadFileName {
                name: req.file.to_string(),
            }))
    }
}

fn base_url(base: &str) -> Result<reqwest::Url, ReleaseError> {
    let with_slash = if base.ends_with('/') {
        base.to_string()
    } else {
        format!("{base}/")
    };
    let bad = || ReleaseError::BadApiUrl {
        url: SafeUrl::new(base),
    };
    let url = reqwest::Url::parse(&with_slash).map_err(|_| bad())?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(bad());
    }
    Ok(url)
}

/// The URL of an endpoint (`info/versions`, …) of the API at `base`, without a client.
pub fn endpoint_of(base: &str, path: &str) -> Result<SafeUrl, ReleaseError> {
    Ok(SafeUrl::new(format!("{}{path}", base_url(base)?)))
}

/// A file already at its final name that has the expected checksum (only when one is known:
/// an unverifiable file is downloaded again and replaced).
fn existing_match(
    path: &Path,
    expected: &Expected<'_>,
) -> Result<Option<Downloaded>, ReleaseError> {
    if !expected.any() || !path.is_file() {
        return Ok(None);
    }
    let mut hashers = Hashers::new(HashKinds::MD5_SHA256);
    let size = hashers
        .update_from_file(path)
        .map_err(|source| ReleaseError::Io {
            path: path.to_path_buf(),
            source,
        })?;
    let digests = hashers.finish();
    let matches = |want: Option<&str>, got: &Option<String>| {
        want.is_none_or(|w| {
            got.as_deref()
                .is_some_and(|g| g.eq_ignore_ascii_case(w.trim()))
        })
    };
    if matches(expected.md5, &digests.md5) && matches(expected.sha256, &digests.sha256) {
        return Ok(Some(Downloaded {
            path: path.to_path_buf(),
            size,
            digests,
            verified: true,
            transferred: 0,
            reused: true,
        }));
    }
    Ok(None)
}

/// File names come from the listing or the command line and become a path: one plain
/// component only.
fn check_file_name(name: &str) -> Result<(), ReleaseError> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.contains(['/', '\\', '\0'])
        || name.chars().any(char::is_control);
    if bad {
        return Err(ReleaseError::BadFileName {
            name: name.to_string(),
        });
    }
    Ok(())
}

/// Percent-encodes a path segment (RFC 3986 unreserved characters and `*` stay; `+` does not,
/// release names contain it).
pub fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'*') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_encoded() {
        assert_eq!(
            encode_segment("Magento-CE-2.0.2+sample_data.zip"),
            "Magento-CE-2.0.2%2Bsample_data.zip"
        );
        assert_eq!(encode_segment("2.4.*"), "2.4.*");
        assert_eq!(encode_segment("a b/c"), "a%20b%2Fc");
    }

    #[test]
    fn file_names_are_one_component() {
        assert!(check_file_name("Magento-CE-2.4.4.zip").is_ok());
        for bad in ["", "..", "a/b.zip", "../x.zip", "a\0.zip", "a\n.zip"] {
            assert!(check_file_name(bad).is_err(), "{bad:?}");
        }
    }
}
