//! Build a Composer repository (archives + packages.json) from the source trees under
//! `fixtures/repo/`, plus helpers to build arbitrary (hostile) zip / tar archives.
//!
//! Archives are deterministic: entries sorted by path, directory entries included, every
//! mtime 2024-01-01T00:00:00Z, explicit unix modes (default 0644 files / 0755 dirs; the
//! exec bit of the checked-out fixture files is ignored).

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};

use super::server::Server;

/// 2024-01-01T00:00:00Z
pub const FIXED_MTIME: u64 = 1_704_067_200;

/// `<crate>/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `<crate>/fixtures/repo`.
pub fn repo_dir() -> PathBuf {
    fixtures_dir().join("repo")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum ArchiveKind {
    #[serde(rename = "zip")]
    Zip,
    #[serde(rename = "tar")]
    Tar,
    #[serde(rename = "tar.gz")]
    TarGz,
    #[serde(rename = "tar.bz2")]
    TarBz2,
    #[serde(rename = "tar.xz")]
    TarXz,
}

impl ArchiveKind {
    /// File extension without the leading dot: "zip", "tar", "tar.gz", "tar.bz2", "tar.xz".
    pub fn extension(self) -> &'static str {
        match self {
            ArchiveKind::Zip => "zip",
            ArchiveKind::Tar => "tar",
            ArchiveKind::TarGz => "tar.gz",
            ArchiveKind::TarBz2 => "tar.bz2",
            ArchiveKind::TarXz => "tar.xz",
        }
    }

    /// `dist.type` as Composer expects it.
    pub fn dist_type(self) -> &'static str {
        match self {
            ArchiveKind::Zip => "zip",
            ArchiveKind::Tar | ArchiveKind::TarGz | ArchiveKind::TarBz2 => "tar",
            // Composer's TarDownloader uses PharData, which cannot read xz; Composer's
            // XzDownloader (`tar -xJf`) handles dist type "xz".
            ArchiveKind::TarXz => "xz",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// Package files at the archive root (Magento / repo.magento.com style).
    #[default]
    Flat,
    /// Everything inside one top directory `<vendor>-<name>-<shortref>/` (GitHub zipball).
    Github,
}

/// One entry of `fixtures/repo/index.json`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexEntry {
    /// Pretty name, exactly as in the package's composer.json.
    pub name: String,
    pub version: String,
    /// Source tree, relative to `fixtures/repo/`.
    pub dir: String,
    /// None: metapackage, no dist.
    #[serde(default)]
    pub archive: Option<ArchiveKind>,
    #[serde(default)]
    pub layout: Layout,
    /// false → `"shasum": ""` in the metadata.
    #[serde(default)]
    pub shasum: bool,
    #[serde(default)]
    pub reference: Option<String>,
    /// Relative path (inside the package, without the GitHub top dir) → octal mode.
    #[serde(default)]
    pub modes: BTreeMap<String, String>,
    /// Extra symlink entries: relative link path → target (relative to the link's dir).
    #[serde(default)]
    pub symlinks: BTreeMap<String, String>,
    /// Paths (files or dirs) of the source tree left out of the archive, e.g. composer.json
    /// for packages whose archive must not contain it.
    #[serde(default)]
    pub exclude: Vec<String>,
}

impl IndexEntry {
    /// Lowercased name (Composer's package identity).
    pub fn lower_name(&self) -> String {
        self.name.to_lowercase()
    }

    /// Absolute source directory.
    pub fn src_dir(&self) -> PathBuf {
        repo_dir().join(&self.dir)
    }

    /// The GitHub-style top directory (`<vendor>-<name>-<7 chars of reference>`), if any.
    pub fn top_dir(&self) -> Option<String> {
        if self.layout != Layout::Github {
            return None;
        }
        let short = match &self.reference {
            Some(r) => r.chars().take(7).collect::<String>(),
            None => self.version.clone(),
        };
        Some(format!("{}-{}", self.name.replace('/', "-"), short))
    }

    /// URL path of the archive: `/archives/<vendor>/<name>/<vendor>-<name>-<version>.<ext>`
    /// (lowercased name).
    pub fn archive_url_path(&self) -> Option<String> {
        let kind = self.archive?;
        let lower = self.lower_name();
        let (vendor, name) = lower.split_once('/').unwrap_or(("", lower.as_str()));
        Some(format!(
            "/archives/{vendor}/{name}/{vendor}-{name}-{}.{}",
            self.version,
            kind.extension()
        ))
    }

    /// Mode of a regular file at `rel` (index override or 0644).
    pub fn file_mode(&self, rel: &str) -> u32 {
        self.mode_override(rel).unwrap_or(0o644)
    }

    /// Mode of a directory at `rel` (index override or 0755).
    pub fn dir_mode(&self, rel: &str) -> u32 {
        self.mode_override(rel).unwrap_or(0o755)
    }

    fn mode_override(&self, rel: &str) -> Option<u32> {
        self.modes.get(rel).map(|m| {
            u32::from_str_radix(m.trim_start_matches("0o"), 8)
                .unwrap_or_else(|_| panic!("{}: bad mode {m:?} for {rel}", self.name))
        })
    }
}

/// Read and parse `fixtures/repo/index.json`.
pub fn load_index() -> Vec<IndexEntry> {
    let path = repo_dir().join("index.json");
    let text = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_json::from_slice(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}

/// One archive member. Paths are used verbatim (no sanitising), so hostile archives can
/// be built: "../evil", "/abs", "a/../../b", "C:\\x", ...
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArchiveEntry {
    File {
        path: String,
        data: Vec<u8>,
        mode: u32,
    },
    Dir {
        path: String,
        mode: u32,
    },
    Symlink {
        path: String,
        target: String,
    },
}

impl ArchiveEntry {
    pub fn path(&self) -> &str {
        match self {
            ArchiveEntry::File { path, .. }
            | ArchiveEntry::Dir { path, .. }
            | ArchiveEntry::Symlink { path, .. } => path,
        }
    }

    /// Regular file with mode 0644.
    pub fn file(path: &str, data: impl Into<Vec<u8>>) -> Self {
        ArchiveEntry::File {
            path: path.to_string(),
            data: data.into(),
            mode: 0o644,
        }
    }

    /// Directory with mode 0755.
    pub fn dir(path: &str) -> Self {
        ArchiveEntry::Dir {
            path: path.to_string(),
            mode: 0o755,
        }
    }

    pub fn symlink(path: &str, target: &str) -> Self {
        ArchiveEntry::Symlink {
            path: path.to_string(),
            target: target.to_string(),
        }
    }
}

/// The entries (sorted, with directory entries) that `build_archive` packs for `entry`.
pub fn archive_entries(src_dir: &Path, entry: &IndexEntry) -> Vec<ArchiveEntry> {
    let mut out = Vec::new();
    walk(src_dir, "", entry, &mut out);
    for (link, target) in &entry.symlinks {
        out.push(ArchiveEntry::symlink(link, target));
    }
    for key in entry.modes.keys() {
        assert!(
            out.iter().any(|e| e.path() == key),
            "{}: index.json sets a mode for {key}, which is not in the package",
            entry.name
        );
    }
    if let Some(top) = entry.top_dir() {
        for e in &mut out {
            match e {
                ArchiveEntry::File { path, .. }
                | ArchiveEntry::Dir { path, .. }
                | ArchiveEntry::Symlink { path, .. } => *path = format!("{top}/{path}"),
            }
        }
        out.push(ArchiveEntry::dir(&top));
    }
    out.sort_by(|a, b| a.path().cmp(b.path()));
    out
}

fn walk(dir: &Path, rel: &str, entry: &IndexEntry, out: &mut Vec<ArchiveEntry>) {
    let mut children: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read_dir {}: {e}", dir.display()))
        .map(|d| d.expect("read_dir entry"))
        .collect();
    children.sort_by_key(|d| d.file_name());
    for child in children {
        let name = child.file_name().to_string_lossy().into_owned();
        let child_rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if entry
            .exclude
            .iter()
            .any(|x| x.trim_end_matches('/') == child_rel)
        {
            continue;
        }
        let path = child.path();
        let ft = child.file_type().expect("file_type");
        if ft.is_symlink() {
            let target = std::fs::read_link(&path).expect("read_link");
            out.push(ArchiveEntry::symlink(&child_rel, &target.to_string_lossy()));
        } else if ft.is_dir() {
            out.push(ArchiveEntry::Dir {
                mode: entry.dir_mode(&child_rel),
                path: child_rel.clone(),
            });
            walk(&path, &child_rel, entry, out);
        } else {
            let data =
                std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
            out.push(ArchiveEntry::File {
                mode: entry.file_mode(&child_rel),
                path: child_rel,
                data,
            });
        }
    }
}

/// Build the archive for one index entry from its source tree. Panics for metapackages.
pub fn build_archive(src_dir: &Path, entry: &IndexEntry) -> Vec<u8> {
    let kind = entry
        .archive
        .unwrap_or_else(|| panic!("{} has no archive (metapackage)", entry.name));
    let entries = archive_entries(src_dir, entry);
    match kind {
        ArchiveKind::Zip => zip_from_entries(&entries),
        ArchiveKind::Tar => tar_from_entries(&entries),
        ArchiveKind::TarGz => gzip_bytes(&tar_from_entries(&entries)),
        ArchiveKind::TarBz2 => bzip2_bytes(&tar_from_entries(&entries)),
        ArchiveKind::TarXz => xz_bytes(&tar_from_entries(&entries)),
    }
}

/// Deterministic gzip (mtime 0).
pub fn gzip_bytes(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    enc.write_all(data).expect("gzip");
    enc.finish().expect("gzip")
}

pub fn bzip2_bytes(data: &[u8]) -> Vec<u8> {
    let mut enc = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::default());
    enc.write_all(data).expect("bzip2");
    enc.finish().expect("bzip2")
}

pub fn xz_bytes(data: &[u8]) -> Vec<u8> {
    let mut enc = liblzma::write::XzEncoder::new(Vec::new(), 6);
    enc.write_all(data).expect("xz");
    enc.finish().expect("xz")
}

/// Build a zip from entries, in the given order, with unix modes in the external
/// attributes (files/dirs deflated/stored, symlinks as S_IFLNK|0777 with the target as
/// content). Paths are not sanitised; duplicate paths are rejected by the zip crate.
pub fn zip_from_entries(entries: &[ArchiveEntry]) -> Vec<u8> {
    use zip::write::SimpleFileOptions;
    let mtime = zip::DateTime::from_date_and_time(2024, 1, 1, 0, 0, 0).expect("zip date");
    let base = SimpleFileOptions::default().last_modified_time(mtime);
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for e in entries {
        match e {
            ArchiveEntry::File { path, data, mode } => {
                let opts = base
                    .compression_method(zip::CompressionMethod::Deflated)
                    .unix_permissions(*mode);
                w.start_file(path.as_str(), opts)
                    .unwrap_or_else(|err| panic!("zip start_file {path:?}: {err}"));
                w.write_all(data).expect("zip write");
            }
            ArchiveEntry::Dir { path, mode } => {
                let opts = base
                    .compression_method(zip::CompressionMethod::Stored)
                    .unix_permissions(*mode);
                w.add_directory(path.as_str(), opts)
                    .unwrap_or_else(|err| panic!("zip add_directory {path:?}: {err}"));
            }
            ArchiveEntry::Symlink { path, target } => {
                let opts = base
                    .compression_method(zip::CompressionMethod::Stored)
                    .unix_permissions(0o777);
                w.add_symlink(path.as_str(), target.as_str(), opts)
                    .unwrap_or_else(|err| panic!("zip add_symlink {path:?}: {err}"));
            }
        }
    }
    w.finish().expect("zip finish").into_inner()
}

/// Build a GNU tar from entries, in the given order. Names are written raw into the
/// header (GNU `././@LongLink` records for names/targets over 100 bytes), so nothing is
/// validated or normalised. Directory names get a trailing '/'. uid/gid 0, mtime fixed.
pub fn tar_from_entries(entries: &[ArchiveEntry]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for e in entries {
        match e {
            ArchiveEntry::File { path, data, mode } => {
                tar_append(&mut b, path, tar::EntryType::Regular, *mode, None, data);
            }
            ArchiveEntry::Dir { path, mode } => {
                let p = if path.ends_with('/') {
                    path.clone()
                } else {
                    format!("{path}/")
                };
                tar_append(&mut b, &p, tar::EntryType::Directory, *mode, None, &[]);
            }
            ArchiveEntry::Symlink { path, target } => {
                tar_append(
                    &mut b,
                    path,
                    tar::EntryType::Symlink,
                    0o777,
                    Some(target),
                    &[],
                );
            }
        }
    }
    b.into_inner().expect("tar finish")
}

fn tar_header(name: &[u8], kind: tar::EntryType, mode: u32, size: u64, link: &[u8]) -> tar::Header {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(mode);
    h.set_size(size);
    h.set_mtime(FIXED_MTIME);
    h.set_uid(0);
    h.set_gid(0);
    {
        let old = h.as_old_mut();
        let n = name.len().min(old.name.len());
        old.name[..n].copy_from_slice(&name[..n]);
        let l = link.len().min(old.linkname.len());
        old.linkname[..l].copy_from_slice(&link[..l]);
    }
    h.set_cksum();
    h
}

fn tar_long_record(b: &mut tar::Builder<Vec<u8>>, kind: tar::EntryType, value: &[u8]) {
    let mut data = value.to_vec();
    data.push(0);
    let h = tar_header(b"././@LongLink", kind, 0o644, data.len() as u64, &[]);
    b.append(&h, data.as_slice()).expect("tar append");
}

fn tar_append(
    b: &mut tar::Builder<Vec<u8>>,
    path: &str,
    kind: tar::EntryType,
    mode: u32,
    link: Option<&str>,
    data: &[u8],
) {
    let name = path.as_bytes();
    let link = link.unwrap_or("").as_bytes();
    if name.len() > 100 {
        tar_long_record(b, tar::EntryType::GNULongName, name);
    }
    if link.len() > 100 {
        tar_long_record(b, tar::EntryType::GNULongLink, link);
    }
    let h = tar_header(name, kind, mode, data.len() as u64, link);
    b.append(&h, data).expect("tar append");
}

/// A Composer repository built from the fixtures.
#[derive(Clone, Debug)]
pub struct BuiltRepo {
    /// One full package version entry per index entry, in index order.
    pub packages: Vec<Value>,
    /// URL path → bytes: every archive plus "/packages.json".
    pub files: Vec<(String, Vec<u8>)>,
    /// The parsed index.json, same order as `packages`.
    pub index: Vec<IndexEntry>,
}

/// Archives do not depend on the base URL: build them once per test binary.
fn cached_archives() -> &'static Vec<(IndexEntry, Option<Vec<u8>>)> {
    static CACHE: OnceLock<Vec<(IndexEntry, Option<Vec<u8>>)>> = OnceLock::new();
    CACHE.get_or_init(|| {
        load_index()
            .into_iter()
            .map(|e| {
                let bytes = e.archive.map(|_| build_archive(&e.src_dir(), &e));
                (e, bytes)
            })
            .collect()
    })
}

/// Build the repository whose dist URLs start with `base_url` (e.g. `server.url()`).
pub fn build_repo(base_url: &str) -> BuiltRepo {
    let base = base_url.trim_end_matches('/');
    let mut packages = Vec::new();
    let mut files = Vec::new();
    let mut index = Vec::new();
    let mut by_name: Map<String, Value> = Map::new();
    for (entry, archive) in cached_archives() {
        let cj_path = entry.src_dir().join("composer.json");
        let cj: Map<String, Value> = serde_json::from_slice(
            &std::fs::read(&cj_path).unwrap_or_else(|e| panic!("read {}: {e}", cj_path.display())),
        )
        .unwrap_or_else(|e| panic!("parse {}: {e}", cj_path.display()));
        assert_eq!(
            cj.get("name").and_then(Value::as_str),
            Some(entry.name.as_str()),
            "{}: composer.json name differs from index.json",
            cj_path.display()
        );
        let mut pkg = Map::new();
        pkg.insert("name".into(), json!(entry.name));
        pkg.insert("version".into(), json!(entry.version));
        for (k, v) in cj {
            if k != "name" && k != "version" {
                pkg.insert(k, v);
            }
        }
        if let (Some(kind), Some(bytes)) = (entry.archive, archive) {
            let path = entry.archive_url_path().expect("archive path");
            let mut dist = Map::new();
            dist.insert("type".into(), json!(kind.dist_type()));
            dist.insert("url".into(), json!(format!("{base}{path}")));
            if let Some(r) = &entry.reference {
                dist.insert("reference".into(), json!(r));
            }
            let shasum = if entry.shasum {
                hex::encode(Sha1::digest(bytes))
            } else {
                String::new()
            };
            dist.insert("shasum".into(), json!(shasum));
            pkg.insert("dist".into(), Value::Object(dist));
            files.push((path, bytes.clone()));
        }
        let pkg = Value::Object(pkg);
        let versions = by_name
            .entry(entry.lower_name())
            .or_insert_with(|| json!({}));
        versions
            .as_object_mut()
            .expect("versions map")
            .insert(entry.version.clone(), pkg.clone());
        packages.push(pkg);
        index.push(entry.clone());
    }
    let packages_json = json!({ "packages": by_name });
    files.push((
        "/packages.json".to_string(),
        serde_json::to_vec_pretty(&packages_json).expect("packages.json"),
    ));
    BuiltRepo {
        packages,
        files,
        index,
    }
}

/// Compare dotted numeric versions ("1.10.0" > "1.9.3"); non-numeric parts compare as 0.
pub fn compare_versions(a: &str, b: &str) -> std::cmp::Ordering {
    let parse = |s: &str| -> Vec<u64> {
        s.trim_start_matches('v')
            .split(['.', '-', '+'])
            .map(|p| p.parse().unwrap_or(0))
            .collect()
    };
    let (a, b) = (parse(a), parse(b));
    for i in 0..a.len().max(b.len()) {
        let o = a.get(i).unwrap_or(&0).cmp(b.get(i).unwrap_or(&0));
        if o.is_ne() {
            return o;
        }
    }
    std::cmp::Ordering::Equal
}

impl BuiltRepo {
    /// Serve every file of the repository from `server`.
    pub fn add_to(&self, server: &Server) {
        for (path, bytes) in &self.files {
            server.add_file(path, bytes.clone());
        }
    }

    /// Bytes of a served file.
    pub fn file(&self, path: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(p, _)| p == path)
            .map(|(_, b)| b.as_slice())
    }

    /// The package entry for `name` (case-insensitive) and exact `version`.
    pub fn package(&self, name: &str, version: &str) -> Option<&Value> {
        self.packages.iter().find(|p| {
            p["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
                && p["version"].as_str() == Some(version)
        })
    }

    /// The index entry for `name` (case-insensitive) and exact `version`.
    pub fn entry(&self, name: &str, version: &str) -> Option<&IndexEntry> {
        self.index
            .iter()
            .find(|e| e.name.eq_ignore_ascii_case(name) && e.version == version)
    }

    /// Highest version of every package name, in index order of first appearance.
    pub fn latest(&self) -> Vec<&Value> {
        let mut out: Vec<&Value> = Vec::new();
        for p in &self.packages {
            let name = p["name"].as_str().unwrap_or_default().to_lowercase();
            let version = p["version"].as_str().unwrap_or_default();
            match out
                .iter_mut()
                .find(|q| q["name"].as_str().unwrap_or_default().to_lowercase() == name)
            {
                Some(q) => {
                    if compare_versions(version, q["version"].as_str().unwrap_or_default()).is_gt()
                    {
                        *q = p;
                    }
                }
                None => out.push(p),
            }
        }
        out
    }

    /// A composer.lock (as JSON) locking exactly `packages` (sorted by name like Composer
    /// does). Entries get `"notification-url"` omitted and `"installation-source": "dist"`
    /// is not added; the content-hash is a fixed dummy. For byte-exact Composer locks,
    /// run real Composer against the server instead.
    pub fn composer_lock(&self, packages: &[&Value]) -> Value {
        let mut pkgs: Vec<Value> = packages.iter().map(|p| (*p).clone()).collect();
        pkgs.sort_by_key(|p| p["name"].as_str().unwrap_or_default().to_lowercase());
        json!({
            "_readme": [
                "This file locks the dependencies of your project to a known state",
                "Read more about it at https://getcomposer.org/doc/01-basic-usage.md#installing-dependencies",
                "This file is @generated automatically"
            ],
            "content-hash": "00000000000000000000000000000000",
            "packages": pkgs,
            "packages-dev": [],
            "aliases": [],
            "minimum-stability": "stable",
            "stability-flags": {},
            "prefer-stable": false,
            "prefer-lowest": false,
            "platform": {},
            "platform-dev": {},
            "plugin-api-version": "2.6.0"
        })
    }
}
