//! An emulation of the Magento downloads API on the test server: `info/help`, `info/files`,
//! `info/versions`, `info/filter/version/<v>`, `info/filter/type/<t>`, `info/json` and
//! `file/<name>`, behind basic auth with a made-up MAGEID and token. Listings are written the
//! way the real API writes them (columns separated by runs of spaces), with irregular spacing
//! and rows without an MD5.

use std::path::{Path, PathBuf};
use std::process::Command;

use md5_crate::{Digest, Md5};
use serde_json::json;

use super::fixtures::{bzip2_bytes, gzip_bytes, tar_from_entries, zip_from_entries, ArchiveEntry};
use super::project::magefetch_bin;
use super::server::Server;

/// Made-up credentials.
pub const MAGE_ID: &str = "MAG987654321";
pub const TOKEN: &str = "5f1e0c9a7b3d2e4f6a8c0b1d3e5f7a9c2b4d6e8f";

pub const PREFIX: &str = "/products/downloads/";

/// One file the API offers.
#[derive(Clone, Debug)]
pub struct ReleaseFixture {
    pub name: String,
    pub version: String,
    pub type_label: &'static str,
    pub type_key: &'static str,
    /// The MD5 the listing shows (None: the cell is empty).
    pub listed_md5: Option<String>,
    pub bytes: Vec<u8>,
}

impl ReleaseFixture {
    pub fn md5(&self) -> String {
        hex::encode(Md5::digest(&self.bytes))
    }

    pub fn sha256(&self) -> String {
        use sha2::Sha256;
        hex::encode(Sha256::digest(&self.bytes))
    }

    /// The server path of the file (name percent-encoded as the client sends it).
    pub fn path(&self) -> String {
        format!("{PREFIX}file/{}", self.name.replace('+', "%2B"))
    }
}

/// Files of a small Magento project tree; `big` adds an incompressible file of that size.
pub fn project_entries(big: usize) -> Vec<ArchiveEntry> {
    let mut entries = vec![
        ArchiveEntry::dir("app"),
        ArchiveEntry::dir("app/etc"),
        ArchiveEntry::file("app/etc/di.xml", "<config/>\n"),
        ArchiveEntry::dir("bin"),
        ArchiveEntry::File {
            path: "bin/magento".into(),
            data: b"#!/usr/bin/env php\n<?php echo 'magento';\n".to_vec(),
            mode: 0o755,
        },
        ArchiveEntry::file(
            "composer.json",
            "{\"name\": \"magento/project-community-edition\"}\n",
        ),
        ArchiveEntry::dir("pub"),
        ArchiveEntry::file("pub/index.php", "<?php\n"),
        ArchiveEntry::dir("vendor"),
        ArchiveEntry::dir("vendor/magento"),
        ArchiveEntry::dir("vendor/magento/framework"),
        ArchiveEntry::file("vendor/magento/framework/registration.php", "<?php\n"),
    ];
    if big > 0 {
        entries.push(ArchiveEntry::file("var/big.bin", noise(big)));
    }
    entries
}

/// Deterministic, incompressible bytes.
pub fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn fixture(
    name: &str,
    version: &str,
    type_key: &'static str,
    bytes: Vec<u8>,
    listed_md5: ListedMd5,
) -> ReleaseFixture {
    let type_label = match type_key {
        "ce-full" => "Community Edition - Full",
        "ee-full" => "Enterprise Edition - Full",
        "ce-patch" => "Community Edition - Patch",
        "ee-patch" => "Enterprise Edition - Patch",
        _ => "Other",
    };
    let real = hex::encode(Md5::digest(&bytes));
    ReleaseFixture {
        name: name.to_string(),
        version: version.to_string(),
        type_label,
        type_key,
        listed_md5: match listed_md5 {
            ListedMd5::Real => Some(real),
            ListedMd5::None => None,
            ListedMd5::Wrong => Some("0".repeat(32)),
        },
        bytes,
    }
}

#[derive(Clone, Copy)]
enum ListedMd5 {
    Real,
    None,
    Wrong,
}

/// Size of the incompressible file in the big archive (a few MB: enough to cut in half).
pub const BIG: usize = 3 * 1024 * 1024;

/// The API's catalogue.
pub fn catalogue() -> Vec<ReleaseFixture> {
    let tree = project_entries(0);
    let tar = tar_from_entries(&tree);
    vec![
        fixture(
            "Magento-CE-2.4.4.tar.gz",
            "2.4.4",
            "ce-full",
            gzip_bytes(&tar),
            ListedMd5::Real,
        ),
        fixture(
            "Magento-CE-2.4.4.zip",
            "2.4.4",
            "ce-full",
            zip_from_entries(&tree),
            ListedMd5::Real,
        ),
        fixture(
            "Magento-CE-2.4.4_sample_data.tar.bz2",
            "2.4.4",
            "ce-full",
            bzip2_bytes(&tar),
            ListedMd5::Real,
        ),
        fixture(
            "Magento-EE-2.4.4.zip",
            "2.4.4",
            "ee-full",
            zip_from_entries(&tree),
            ListedMd5::Real,
        ),
        fixture(
            "Magento-CE-2.3.7.tar.gz",
            "2.3.7",
            "ce-full",
            gzip_bytes(&tar_from_entries(&project_entries(BIG))),
            ListedMd5::Real,
        ),
        fixture(
            "Magento-CE-2.0.7.zip",
            "2.0.7",
            "ce-full",
            zip_from_entries(&tree),
            ListedMd5::None,
        ),
        fixture(
            "Magento-CE-2.0.2+sample_data.zip",
            "2.0.2",
            "ce-full",
            zip_from_entries(&tree),
            ListedMd5::Real,
        ),
        fixture(
            "Magento-CE-2.2.0.zip",
            "2.2.0",
            "ce-full",
            zip_from_entries(&tree),
            ListedMd5::Wrong,
        ),
        fixture(
            "PATCH_SUPEE-11086_CE_2.2.0.sh",
            "2.2.0",
            "ce-patch",
            b"#!/bin/sh\necho patch\n".to_vec(),
            ListedMd5::Real,
        ),
    ]
}

/// A table as the API writes it: leading spaces, columns padded with runs of spaces (two at
/// least, more on most rows), the MD5 cell left blank when there is none.
pub fn table(files: &[&ReleaseFixture]) -> String {
    let mut out = String::from(
        "  File Description                              File Type                    Md5 Hash                          Publication Date      Version  File Name\n",
    );
    out.push_str(&format!("  {}\n", "-".repeat(150)));
    for (i, f) in files.iter().enumerate() {
        let gap = if i % 2 == 0 { "  " } else { "      " };
        let md5 = f.listed_md5.clone().unwrap_or_default();
        let description = format!("Magento {} {}", f.type_label, f.version);
        out.push_str(&format!(
            "  {description:<46}{gap}{:<28}{gap}{md5:<32}{gap}2016-01-28 06:33:00{gap}{:<7}{gap}{}\n",
            f.type_label, f.version, f.name
        ));
    }
    out
}

fn versions_text(files: &[ReleaseFixture]) -> String {
    let mut out = String::new();
    for (edition, key) in [
        ("Community Edition", "ce-full"),
        ("Enterprise Edition", "ee-full"),
    ] {
        let mut versions: Vec<&str> = files
            .iter()
            .filter(|f| f.type_key == key)
            .map(|f| f.version.as_str())
            .collect();
        versions.dedup();
        out.push_str(&format!("{edition}\n{}\n", "-".repeat(edition.len())));
        for v in versions {
            out.push_str(&format!("{v}\n"));
        }
        out.push('\n');
    }
    out
}

fn json_feed(files: &[ReleaseFixture]) -> String {
    let mut feed = serde_json::Map::new();
    for f in files {
        let entry = json!({"file_name": f.name, "name": format!("Magento {}", f.version),
            "md5": f.listed_md5.clone().unwrap_or_default()});
        let category = feed
            .entry(f.type_key.to_string())
            .or_insert_with(|| json!({}));
        let list = category
            .as_object_mut()
            .expect("object")
            .entry(f.version.clone())
            .or_insert_with(|| json!([]));
        list.as_array_mut().expect("array").push(entry);
    }
    serde_json::Value::Object(feed).to_string()
}

/// Registers every endpoint for `files` on `server`.
pub fn serve(server: &Server, files: &[ReleaseFixture]) {
    let all: Vec<&ReleaseFixture> = files.iter().collect();
    server.add_file(
        &format!("{PREFIX}info/help"),
        b"Usage: info/files, info/versions, info/filter/version/<v>, info/filter/type/<t>, info/json, file/<name>\n".to_vec(),
    );
    server.add_file(&format!("{PREFIX}info/files"), table(&all).into_bytes());
    server.add_file(
        &format!("{PREFIX}info/versions"),
        versions_text(files).into_bytes(),
    );
    server.add_file(&format!("{PREFIX}info/json"), json_feed(files).into_bytes());
    let mut versions: Vec<&str> = files.iter().map(|f| f.version.as_str()).collect();
    versions.sort();
    versions.dedup();
    for v in versions {
        let of: Vec<&ReleaseFixture> = files.iter().filter(|f| f.version == v).collect();
        server.add_file(
            &format!("{PREFIX}info/filter/version/{v}"),
            table(&of).into_bytes(),
        );
    }
    for t in ["ce-full", "ee-full", "ce-patch", "ee-patch", "other"] {
        let of: Vec<&ReleaseFixture> = files.iter().filter(|f| f.type_key == t).collect();
        server.add_file(
            &format!("{PREFIX}info/filter/type/{t}"),
            table(&of).into_bytes(),
        );
    }
    for f in files {
        server.add_file(&f.path(), f.bytes.clone());
    }
}

/// A downloads API server and a scratch area (COMPOSER_HOME, work directory).
pub struct Api {
    pub server: Server,
    pub files: Vec<ReleaseFixture>,
    pub tmp: tempfile::TempDir,
}

impl Api {
    pub fn new() -> Api {
        let server = Server::builder().basic_auth(MAGE_ID, TOKEN).start();
        let files = catalogue();
        serve(&server, &files);
        let tmp = tempfile::tempdir().expect("tempdir");
        let api = Api { server, files, tmp };
        std::fs::create_dir_all(api.home()).expect("home");
        std::fs::create_dir_all(api.work()).expect("work");
        // The server speaks plain http on loopback.
        std::fs::write(
            api.home().join("config.json"),
            "{\"config\": {\"secure-http\": false}}\n",
        )
        .expect("config.json");
        api
    }

    pub fn home(&self) -> PathBuf {
        self.tmp.path().join("home")
    }

    pub fn work(&self) -> PathBuf {
        self.tmp.path().join("work")
    }

    pub fn api_url(&self) -> String {
        format!("{}{PREFIX}", self.server.url())
    }

    /// `127.0.0.1:PORT`, the auth.json key of the API.
    pub fn origin(&self) -> String {
        format!("127.0.0.1:{}", self.server.port())
    }

    pub fn file(&self, name: &str) -> &ReleaseFixture {
        self.files
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("fixture {name}"))
    }

    /// magefetch in the work directory with a private COMPOSER_HOME, no inherited
    /// credentials and fast retries.
    pub fn magefetch(&self) -> Command {
        let mut cmd = Command::new(magefetch_bin());
        cmd.current_dir(self.work())
            .env("HOME", self.home())
            .env("COMPOSER_HOME", self.home())
            .env("COMPOSER_CACHE_DIR", self.home().join("cache"))
            .env("MAGEFETCH_RETRY_DELAY_MS", "20")
            .env_remove("COMPOSER_AUTH")
            .env_remove("COMPOSER")
            .env_remove("COMPOSER_DISABLE_NETWORK")
            .env_remove("MAGENTO_MAGEID")
            .env_remove("MAGENTO_TOKEN")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY");
        cmd
    }

    /// `magefetch release <sub> --api-url URL` with the made-up credentials in the
    /// environment.
    pub fn release(&self, sub: &str) -> Command {
        let mut cmd = self.magefetch();
        cmd.env("MAGENTO_MAGEID", MAGE_ID)
            .env("MAGENTO_TOKEN", TOKEN)
            .args(["release", sub, "--api-url", &self.api_url()]);
        cmd
    }

    pub fn out(&self) -> PathBuf {
        self.work().join("out")
    }
}

impl Default for Api {
    fn default() -> Self {
        Api::new()
    }
}

/// Whether `dir` holds a file whose name ends with `suffix`.
pub fn has_file_ending(dir: &Path, suffix: &str) -> bool {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .any(|e| e.file_name().to_string_lossy().ends_with(suffix))
        })
        .unwrap_or(false)
}
