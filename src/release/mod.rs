//! The Magento downloads API (`https://www.magentocommerce.com/products/downloads/`): list the
//! release archives an account may download, download one with resume and checksum checks, and
//! unpack it into a project directory.
//!
//! The API (reference magento.md §2) authenticates with HTTP basic auth, user = MAGEID, password
//! = the account's Downloads Access Token. Its endpoints, relative to the base URL:
//!
//! | path | answer |
//! |---|---|
//! | `info/help` | usage text |
//! | `info/files` | a text table of every file |
//! | `info/versions` | blocks of versions, one block per edition |
//! | `info/filter/version/<v>` | the table for one version (`*` wildcards allowed) |
//! | `info/filter/type/<t>` | the table for `ce-full`, `ee-full`, `ce-patch`, `ee-patch`, `other` |
//! | `info/json` | a JSON feed keyed by those types |
//! | `file/<name>` | the file (the name URL-encoded: names hold `+`) |
//!
//! Tables have a header line, a line of dashes, then one row per file with the columns
//! `File Description`, `File Type`, `Md5 Hash`, `Publication Date`, `Version`, `File Name`
//! separated by two or more spaces. MD5 is the only checksum published, and some rows have
//! none; [`listing`] copes with missing cells and irregular spacing. Downloads always report
//! the SHA-256 of what was saved so that it can be pinned (`--sha256`) in later runs.

pub mod api;
pub mod extract;
pub mod listing;

use std::path::PathBuf;

use serde::Serialize;
use thiserror::Error;

use crate::archive::ArchiveError;
use crate::http::FetchError;
use crate::redact::SafeUrl;

pub use api::{DownloadRequest, Downloaded, DownloadsApi, DEFAULT_API_URL};
pub use extract::extract_release;
pub use listing::{parse_listing, parse_versions, VersionGroup};

/// The API's file categories.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ReleaseType {
    #[serde(rename = "ce-full")]
    CeFull,
    #[serde(rename = "ee-full")]
    EeFull,
    #[serde(rename = "ce-patch")]
    CePatch,
    #[serde(rename = "ee-patch")]
    EePatch,
    #[serde(rename = "other")]
    Other,
}

impl ReleaseType {
    pub const ALL: [ReleaseType; 5] = [
        ReleaseType::CeFull,
        ReleaseType::EeFull,
        ReleaseType::CePatch,
        ReleaseType::EePatch,
        ReleaseType::Other,
    ];

    /// The API's name (`ce-full`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            ReleaseType::CeFull => "ce-full",
            ReleaseType::EeFull => "ee-full",
            ReleaseType::CePatch => "ce-patch",
            ReleaseType::EePatch => "ee-patch",
            ReleaseType::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<ReleaseType> {
        ReleaseType::ALL
            .into_iter()
            .find(|t| t.as_str().eq_ignore_ascii_case(key.trim()))
    }

    /// The type of a table's `File Type` text ("Community Edition - Full", "Enterprise
    /// Edition - Patch", …, or the API's own key).
    pub fn from_label(label: &str) -> ReleaseType {
        if let Some(t) = ReleaseType::from_key(label) {
            return t;
        }
        let l = label.to_ascii_lowercase();
        let ce = l.contains("community") || l.contains("open source") || l.contains("ce ");
        let ee = !ce && (l.contains("enterprise") || l.contains("commerce"));
        let patch = l.contains("patch");
        let full = l.contains("full") || l.contains("release");
        match (ce, ee, patch, full) {
            (true, _, true, _) => ReleaseType::CePatch,
            (true, _, false, true) => ReleaseType::CeFull,
            (_, true, true, _) => ReleaseType::EePatch,
            (_, true, false, true) => ReleaseType::EeFull,
            _ => ReleaseType::Other,
        }
    }
}

impl std::fmt::Display for ReleaseType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One downloadable file of a listing.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseFile {
    pub description: String,
    #[serde(rename = "type")]
    pub kind: ReleaseType,
    /// The type as the API wrote it.
    pub type_label: String,
    pub version: String,
    pub file: String,
    /// Lower-case hex MD5, when the API published one.
    pub md5: Option<String>,
    pub date: Option<String>,
}

impl ReleaseFile {
    pub fn has_sample_data(&self) -> bool {
        let name = self.file.to_ascii_lowercase();
        name.contains("sample")
    }

    pub fn archive_format(&self) -> Option<ArchiveFormat> {
        ArchiveFormat::of_name(&self.file)
    }
}

/// Archive formats of release files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ArchiveFormat {
    TarGz,
    Zip,
    TarBz2,
}

impl ArchiveFormat {
    /// Preferred first when a release is published in several formats: tar.gz unpacks as a
    /// stream, zip needs its central directory.
    pub const PREFERENCE: [ArchiveFormat; 3] = [
        ArchiveFormat::TarGz,
        ArchiveFormat::Zip,
        ArchiveFormat::TarBz2,
    ];

    pub fn of_name(name: &str) -> Option<ArchiveFormat> {
        let n = name.to_ascii_lowercase();
        if n.ends_with(".tar.gz") || n.ends_with(".tgz") {
            Some(ArchiveFormat::TarGz)
        } else if n.ends_with(".zip") {
            Some(ArchiveFormat::Zip)
        } else if n.ends_with(".tar.bz2") || n.ends_with(".tbz2") {
            Some(ArchiveFormat::TarBz2)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ArchiveFormat::TarGz => "tar.gz",
            ArchiveFormat::Zip => "zip",
            ArchiveFormat::TarBz2 => "tar.bz2",
        }
    }
}

#[derive(Debug, Error)]
pub enum ReleaseError {
    #[error("`{url}` is not a usable downloads API URL (it must be an http(s) URL)")]
    BadApiUrl { url: SafeUrl },
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("the answer of `{url}` is not a downloads API listing: {detail}")]
    Listing { url: SafeUrl, detail: String },
    #[error("no file matches `{spec}` ({filter})")]
    NoMatch { spec: String, filter: String },
    #[error("`{spec}` matches several files: {}", files.join(", "))]
    Ambiguous { spec: String, files: Vec<String> },
    #[error("`{name}` is not a plain file name")]
    BadFileName { name: String },
    #[error("could not unpack `{}`", archive.display())]
    Extract {
        archive: PathBuf,
        #[source]
        source: ArchiveError,
    },
    #[error("`{}` exists and is not an empty directory; refusing to unpack over it", path.display())]
    DestinationNotEmpty { path: PathBuf },
    #[error("could not write `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// What `release download <spec>` asks for.
#[derive(Debug, Clone)]
pub struct Wanted<'a> {
    /// A file name, or a version.
    pub spec: &'a str,
    /// The file type when `spec` is a version (default `ce-full`).
    pub kind: Option<ReleaseType>,
    pub sample_data: bool,
    pub format: Option<ArchiveFormat>,
}

/// The file to download: from the listing (with its MD5, if any), or a file name the listing
/// does not show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selected {
    Listed(ReleaseFile),
    Unlisted(String),
}

impl Selected {
    pub fn file_name(&self) -> &str {
        match self {
            Selected::Listed(f) => &f.file,
            Selected::Unlisted(n) => n,
        }
    }

    pub fn md5(&self) -> Option<&str> {
        match self {
            Selected::Listed(f) => f.md5.as_deref(),
            Selected::Unlisted(_) => None,
        }
    }
}

/// Whether `spec` names a file rather than a version.
pub fn looks_like_file_name(spec: &str) -> bool {
    ArchiveFormat::of_name(spec).is_some()
}

/// Picks the file `wanted` describes from a listing.
pub fn select(files: &[ReleaseFile], wanted: &Wanted<'_>) -> Result<Selected, ReleaseError> {
    if looks_like_file_name(wanted.spec) {
        return Ok(files
            .iter()
            .find(|f| f.file == wanted.spec)
            .or_else(|| {
                files
                    .iter()
                    .find(|f| f.file.eq_ignore_ascii_case(wanted.spec))
            })
            .map(|f| Selected::Listed(f.clone()))
            .unwrap_or_else(|| Selected::Unlisted(wanted.spec.to_string())));
    }
    let kind = wanted.kind.unwrap_or(ReleaseType::CeFull);
    let candidates: Vec<&ReleaseFile> = files
        .iter()
        .filter(|f| f.version == wanted.spec && f.kind == kind)
        .filter(|f| f.has_sample_data() == wanted.sample_data)
        .filter(|f| wanted.format.is_none_or(|w| f.archive_format() == Some(w)))
        .collect();
    let filter = format!(
        "type {kind}, {}{}",
        if wanted.sample_data {
            "with sample data"
        } else {
            "without sample data"
        },
        wanted
            .format
            .map(|f| format!(", {}", f.as_str()))
            .unwrap_or_default()
    );
    for format in ArchiveFormat::PREFERENCE {
        let of_format: Vec<&&ReleaseFile> = candidates
            .iter()
            .filter(|f| f.archive_format() == Some(format))
            .collect();
        match of_format.as_slice() {
            [] => continue,
            [one] => return Ok(Selected::Listed((**one).clone())),
            many => {
                return Err(ReleaseError::Ambiguous {
                    spec: wanted.spec.to_string(),
                    files: many.iter().map(|f| f.file.clone()).collect(),
                })
            }
        }
    }
    match candidates.as_slice() {
        [one] => Ok(Selected::Listed((*one).clone())),
        [] => Err(ReleaseError::NoMatch {
            spec: wanted.spec.to_string(),
            filter,
        }),
        many => Err(ReleaseError::Ambiguous {
            spec: wanted.spec.to_string(),
            files: many.iter().map(|f| f.file.clone()).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, version: &str, kind: ReleaseType) -> ReleaseFile {
        ReleaseFile {
            description: String::new(),
            kind,
            type_label: String::new(),
            version: version.into(),
            file: name.into(),
            md5: None,
            date: None,
        }
    }

    #[test]
    fn labels_map_to_types() {
        assert_eq!(
            ReleaseType::from_label("Community Edition - Full"),
            ReleaseType::CeFull
        );
        assert_eq!(
            ReleaseType::from_label("Enterprise Edition - Patch"),
            ReleaseType::EePatch
        );
        assert_eq!(
            ReleaseType::from_label("Community Edition - Patch"),
            ReleaseType::CePatch
        );
        assert_eq!(ReleaseType::from_label("ee-full"), ReleaseType::EeFull);
        assert_eq!(ReleaseType::from_label("Sample data"), ReleaseType::Other);
    }

    #[test]
    fn selects_by_version_type_sample_data_and_format() {
        let files = vec![
            file("Magento-CE-2.4.4.zip", "2.4.4", ReleaseType::CeFull),
            file("Magento-CE-2.4.4.tar.gz", "2.4.4", ReleaseType::CeFull),
            file(
                "Magento-CE-2.4.4_sample_data.zip",
                "2.4.4",
                ReleaseType::CeFull,
            ),
            file("Magento-EE-2.4.4.zip", "2.4.4", ReleaseType::EeFull),
        ];
        let want = |spec, kind, sample_data, format| Wanted {
            spec,
            kind,
            sample_data,
            format,
        };
        let pick = |w: Wanted<'_>| select(&files, &w).map(|s| s.file_name().to_string());
        assert_eq!(
            pick(want("2.4.4", None, false, None)).unwrap(),
            "Magento-CE-2.4.4.tar.gz"
        );
        assert_eq!(
            pick(want("2.4.4", None, false, Some(ArchiveFormat::Zip))).unwrap(),
            "Magento-CE-2.4.4.zip"
        );
        assert_eq!(
            pick(want("2.4.4", None, true, None)).unwrap(),
            "Magento-CE-2.4.4_sample_data.zip"
        );
        assert_eq!(
            pick(want("2.4.4", Some(ReleaseType::EeFull), false, None)).unwrap(),
            "Magento-EE-2.4.4.zip"
        );
        assert!(matches!(
            select(&files, &want("2.4.5", None, false, None)),
            Err(ReleaseError::NoMatch { .. })
        ));
        assert_eq!(
            select(&files, &want("Other-1.0.zip", None, false, None)).unwrap(),
            Selected::Unlisted("Other-1.0.zip".into())
        );
    }
}
