//! A project on disk wired to a test server: composer.json, composer.lock, auth.json, a
//! private COMPOSER_HOME and cache, and helpers to run magefetch and Composer in it.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use super::fixtures::{build_repo, BuiltRepo};
use super::server::{Server, ServerBuilder};

/// Made-up credentials (32 hex characters, shaped like a Marketplace key pair).
pub const PUBLIC_KEY: &str = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
pub const PRIVATE_KEY: &str = "f9e8d7c6b5a4938271605f4e3d2c1b0a";

/// A served fixture repository and one or more projects using it.
pub struct World {
    pub server: Server,
    pub repo: BuiltRepo,
    pub tmp: tempfile::TempDir,
}

impl World {
    /// A server requiring the made-up key pair, serving the fixture repository.
    pub fn new() -> World {
        Self::with_builder(Server::builder().basic_auth(PUBLIC_KEY, PRIVATE_KEY))
    }

    pub fn with_builder(builder: ServerBuilder) -> World {
        let server = builder.start();
        let repo = build_repo(&server.url());
        repo.add_to(&server);
        World {
            server,
            repo,
            tmp: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// The origin key for auth.json (`127.0.0.1:PORT`).
    pub fn origin(&self) -> String {
        format!("127.0.0.1:{}", self.server.port())
    }

    /// A project requiring the latest version of every fixture package.
    pub fn project(&self, name: &str) -> Project {
        let latest: Vec<Value> = self.repo.latest().into_iter().cloned().collect();
        self.project_with(name, &latest, &[])
    }

    /// A project locking exactly `packages` (and `dev_packages` as require-dev).
    pub fn project_with(&self, name: &str, packages: &[Value], dev_packages: &[Value]) -> Project {
        let dir = self.tmp.path().join(name);
        let home = self.tmp.path().join(format!("{name}-home"));
        std::fs::create_dir_all(&home).expect("home dir");
        write_project(&dir, &self.server, packages, dev_packages);
        Project {
            dir,
            cache: home.join("cache"),
            home,
            server_url: self.server.url(),
        }
    }
}

/// Writes composer.json, composer.lock and auth.json for a project that uses `server` and
/// locks exactly these packages.
pub fn write_project(dir: &Path, server: &Server, packages: &[Value], dev_packages: &[Value]) {
    std::fs::create_dir_all(dir).expect("project dir");
    let requirements = |list: &[Value]| -> BTreeMap<String, String> {
        list.iter()
            .map(|p| (name_of(p).to_lowercase(), version_of(p)))
            .collect()
    };
    let mut manifest = json!({
        "name": "acme/project",
        "description": "test project",
        "type": "project",
        "repositories": [
            {"type": "composer", "url": server.url()},
            {"packagist.org": false}
        ],
        "require": requirements(packages),
        "config": {"secure-http": false, "allow-plugins": false, "notify-on-install": false},
        "minimum-stability": "stable"
    });
    if !dev_packages.is_empty() {
        manifest["require-dev"] = json!(requirements(dev_packages));
    }
    let text = serde_json::to_string_pretty(&manifest).expect("json");
    std::fs::write(dir.join("composer.json"), &text).expect("write composer.json");
    let lock = lock_for(&manifest, packages, dev_packages);
    std::fs::write(
        dir.join("composer.lock"),
        magefetch::composer::json::to_pretty(&lock),
    )
    .expect("write composer.lock");
    let origin = format!("127.0.0.1:{}", server.port());
    std::fs::write(
        dir.join("auth.json"),
        serde_json::to_string_pretty(&json!({
            "http-basic": {origin: {"username": PUBLIC_KEY, "password": PRIVATE_KEY}}
        }))
        .expect("json"),
    )
    .expect("write auth.json");
}

impl Default for World {
    fn default() -> Self {
        World::new()
    }
}

fn name_of(p: &Value) -> String {
    p["name"].as_str().unwrap_or_default().to_string()
}

fn version_of(p: &Value) -> String {
    p["version"].as_str().unwrap_or_default().to_string()
}

/// A composer.lock for `manifest` locking these packages, in Composer 2.5's shape.
pub fn lock_for(manifest: &Value, packages: &[Value], dev_packages: &[Value]) -> Value {
    let sorted = |list: &[Value]| {
        let mut v: Vec<Value> = list.to_vec();
        v.sort_by_key(|p| name_of(p).to_lowercase());
        v
    };
    json!({
        "_readme": [
            "This file locks the dependencies of your project to a known state",
            "Read more about it at https://getcomposer.org/doc/01-basic-usage.md#installing-dependencies",
            "This file is @generated automatically"
        ],
        "content-hash": magefetch::composer::content_hash::content_hash(manifest),
        "packages": sorted(packages),
        "packages-dev": sorted(dev_packages),
        "aliases": [],
        "minimum-stability": "stable",
        "stability-flags": [],
        "prefer-stable": false,
        "prefer-lowest": false,
        "platform": [],
        "platform-dev": [],
        "plugin-api-version": "2.3.0"
    })
}

/// One project directory with its own COMPOSER_HOME and cache.
#[derive(Clone)]
pub struct Project {
    pub dir: PathBuf,
    pub home: PathBuf,
    pub cache: PathBuf,
    pub server_url: String,
}

impl Project {
    pub fn vendor(&self) -> PathBuf {
        self.dir.join("vendor")
    }

    /// Environment shared by magefetch and Composer runs: private home and cache, no
    /// inherited credentials, no interaction.
    fn apply_env(&self, cmd: &mut Command) {
        cmd.current_dir(&self.dir)
            .env("HOME", &self.home)
            .env("COMPOSER_HOME", &self.home)
            .env("COMPOSER_CACHE_DIR", &self.cache)
            .env("COMPOSER_NO_INTERACTION", "1")
            .env_remove("COMPOSER_AUTH")
            .env_remove("COMPOSER")
            .env_remove("COMPOSER_VENDOR_DIR")
            .env_remove("COMPOSER_MAX_PARALLEL_HTTP")
            .env_remove("COMPOSER_DISABLE_NETWORK")
            .env_remove("http_proxy")
            .env_remove("https_proxy")
            .env_remove("HTTP_PROXY")
            .env_remove("HTTPS_PROXY");
    }

    /// `magefetch` with fast retries for tests.
    pub fn magefetch(&self) -> Command {
        let mut cmd = Command::new(magefetch_bin());
        self.apply_env(&mut cmd);
        cmd.env("MAGEFETCH_RETRY_DELAY_MS", "20");
        cmd
    }

    /// Real Composer, or `None` when it is not installed (tests then skip, unless
    /// MAGEFETCH_REQUIRE_COMPOSER is set, as scripts/test does).
    pub fn composer(&self) -> Option<Command> {
        if !composer_available() {
            assert!(
                std::env::var_os("MAGEFETCH_REQUIRE_COMPOSER").is_none(),
                "composer is required (MAGEFETCH_REQUIRE_COMPOSER is set) but not installed"
            );
            eprintln!("composer not installed: skipping the Composer part of this test");
            return None;
        }
        let mut cmd = Command::new("composer");
        self.apply_env(&mut cmd);
        cmd.env("COMPOSER_ALLOW_SUPERUSER", "1");
        Some(cmd)
    }

    /// Copies composer.json, composer.lock and auth.json into a new project directory.
    pub fn clone_to(&self, dir: &Path, share_cache: bool) -> Project {
        std::fs::create_dir_all(dir).expect("dir");
        for f in ["composer.json", "composer.lock", "auth.json"] {
            std::fs::copy(self.dir.join(f), dir.join(f)).expect("copy project file");
        }
        let home = dir.with_extension("home");
        std::fs::create_dir_all(&home).expect("home");
        Project {
            dir: dir.to_path_buf(),
            cache: if share_cache {
                self.cache.clone()
            } else {
                home.join("cache")
            },
            home,
            server_url: self.server_url.clone(),
        }
    }
}

/// The magefetch binary under test (Cargo tells integration tests where it is).
pub fn magefetch_bin() -> PathBuf {
    match option_env!("CARGO_BIN_EXE_magefetch") {
        Some(path) => PathBuf::from(path),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("target/release/magefetch"),
    }
}

pub fn composer_available() -> bool {
    Command::new("composer")
        .arg("--version")
        .env("COMPOSER_ALLOW_SUPERUSER", "1")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// What a file in a tree is: content and mode, or a symlink target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    File { mode: u32, sha1: String },
    Dir { mode: u32 },
    Link { target: String },
}

/// Every path under `root` (relative), skipping the top-level names in `skip`.
pub fn snapshot(root: &Path, skip: &[&str]) -> BTreeMap<String, Node> {
    let mut out = BTreeMap::new();
    walk(root, root, skip, &mut out);
    out
}

fn walk(root: &Path, dir: &Path, skip: &[&str], out: &mut BTreeMap<String, Node>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = path
            .strip_prefix(root)
            .expect("under root")
            .to_string_lossy()
            .into_owned();
        if skip
            .iter()
            .any(|s| rel == *s || rel.starts_with(&format!("{s}/")))
        {
            continue;
        }
        let meta = std::fs::symlink_metadata(&path).expect("metadata");
        if meta.file_type().is_symlink() {
            let target = std::fs::read_link(&path).expect("readlink");
            out.insert(
                rel,
                Node::Link {
                    target: target.to_string_lossy().into_owned(),
                },
            );
        } else if meta.is_dir() {
            out.insert(
                rel,
                Node::Dir {
                    mode: meta.permissions().mode() & 0o7777,
                },
            );
            walk(root, &path, skip, out);
        } else {
            use sha1::{Digest, Sha1};
            let bytes = std::fs::read(&path).expect("read");
            out.insert(
                rel,
                Node::File {
                    mode: meta.permissions().mode() & 0o7777,
                    sha1: hex::encode(Sha1::digest(&bytes)),
                },
            );
        }
    }
}

/// Output of a finished command, with a readable failure message.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all_output(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("spawn");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs and asserts success, printing both streams on failure.
pub fn run_ok(cmd: &mut Command) -> Run {
    let r = run(cmd);
    assert_eq!(
        r.code, 0,
        "command failed: {cmd:?}\nstdout:\n{}\nstderr:\n{}",
        r.stdout, r.stderr
    );
    r
}
