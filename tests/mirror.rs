//! `magefetch mirror sync / verify` and `install --mirror` against the loopback server, and
//! real Composer installing from the mirror (over `file://` and over http).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};
use support::project::{run, run_ok, snapshot, Project, Run, World, PRIVATE_KEY, PUBLIC_KEY};
use support::{Fault, Server};

/// What magefetch and Composer generate themselves (not compared between trees).
const GENERATED: &[&str] = &["composer", "autoload.php", "bin"];

/// A mirror directory, and a COMPOSER_HOME holding the upstream credentials.
struct Mirror {
    dir: PathBuf,
    home: PathBuf,
    work: PathBuf,
}

impl Mirror {
    fn new(world: &World, name: &str) -> Mirror {
        let root = world.tmp.path().join(name);
        let home = root.join("home");
        let work = root.join("work");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        std::fs::write(
            home.join("auth.json"),
            json!({"http-basic": {world.origin(): {"username": PUBLIC_KEY, "password": PRIVATE_KEY}}})
                .to_string(),
        )
        .unwrap();
        std::fs::write(
            home.join("config.json"),
            json!({"config": {"secure-http": false}}).to_string(),
        )
        .unwrap();
        Mirror {
            dir: root.join("mirror"),
            home,
            work,
        }
    }

    fn magefetch(&self) -> Command {
        let mut cmd = Command::new(support::project::magefetch_bin());
        cmd.current_dir(&self.work)
            .env("HOME", &self.home)
            .env("COMPOSER_HOME", &self.home)
            .env("COMPOSER_CACHE_DIR", self.home.join("cache"))
            .env("MAGEFETCH_RETRY_DELAY_MS", "20")
            .env_remove("COMPOSER_AUTH")
            .env_remove("COMPOSER")
            .env_remove("MAGEFETCH_MIRROR")
            .env_remove("COMPOSER_MAX_PARALLEL_HTTP")
            .env_remove("COMPOSER_DISABLE_NETWORK");
        cmd
    }

    fn sync(&self, args: &[&str]) -> Command {
        let mut cmd = self.magefetch();
        cmd.args(["mirror", "sync"]).arg(&self.dir).args(args);
        cmd
    }

    fn verify(&self) -> Run {
        let mut cmd = self.magefetch();
        run(cmd
            .args(["--format", "json", "mirror", "verify"])
            .arg(&self.dir))
    }

    /// Stored archives: relative path → bytes.
    fn archives(&self) -> BTreeMap<String, Vec<u8>> {
        files_under(&self.dir.join("dist"))
            .into_iter()
            .map(|p| {
                let rel = p
                    .strip_prefix(&self.dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                (rel, std::fs::read(&p).unwrap())
            })
            .collect()
    }

    fn root(&self) -> Value {
        serde_json::from_slice(&std::fs::read(self.dir.join("packages.json")).unwrap()).unwrap()
    }
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if entry.file_type().unwrap().is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

fn sha1_hex(bytes: &[u8]) -> String {
    hex::encode(Sha1::digest(bytes))
}

fn archive_requests(server: &Server) -> Vec<support::LoggedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/archives/"))
        .collect()
}

/// Every archive the fixture repository serves (URL path → bytes).
fn upstream_archives(world: &World) -> BTreeMap<String, Vec<u8>> {
    world
        .repo
        .files
        .iter()
        .filter(|(p, _)| p.starts_with("/archives/"))
        .cloned()
        .collect()
}

fn lock_packages(project: &Project) -> Vec<Value> {
    let lock: Value =
        serde_json::from_slice(&std::fs::read(project.dir.join("composer.lock")).unwrap()).unwrap();
    lock["packages"]
        .as_array()
        .unwrap()
        .iter()
        .chain(lock["packages-dev"].as_array().unwrap())
        .cloned()
        .collect()
}

/// A project that knows only the mirror (packagist disabled), requiring what `base` locks.
fn mirror_project(world: &World, base: &Project, name: &str, mirror_url: &str) -> Project {
    let dir = world.tmp.path().join(name);
    let home = world.tmp.path().join(format!("{name}-home"));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(base.dir.join("composer.json")).unwrap()).unwrap();
    let mut manifest = manifest;
    manifest["repositories"] = json!([
        {"type": "composer", "url": mirror_url},
        {"packagist.org": false}
    ]);
    std::fs::write(
        dir.join("composer.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    // No credentials: the mirror needs none.
    std::fs::write(dir.join("auth.json"), "{}").unwrap();
    Project {
        dir,
        cache: home.join("cache"),
        home,
        server_url: mirror_url.to_string(),
    }
}

fn composer(project: &Project, args: &[&str]) -> Option<Run> {
    let mut cmd = project.composer()?;
    Some(run_ok(cmd.args(args).args([
        "--no-plugins",
        "--no-scripts",
        "-n",
        "--no-progress",
    ])))
}

/// Seeds a mirror with the lock of `project` from the authenticated upstream.
fn seed(world: &World, project: &Project, name: &str, extra: &[&str]) -> Mirror {
    let mirror = Mirror::new(world, name);
    let lock = project.dir.join("composer.lock");
    let mut cmd = mirror.sync(&["--repository", &world.server.url()]);
    cmd.arg("--lock").arg(&lock).args(extra);
    run_ok(&mut cmd);
    mirror
}

/// Syncs `project`'s lock again (plus `extra` flags) and returns the JSON summary.
fn resync(world: &World, mirror: &Mirror, project: &Project, extra: &[&str]) -> Value {
    let lock = project.dir.join("composer.lock");
    let mut cmd = mirror.sync(&["--repository", &world.server.url(), "--format", "json"]);
    let out = run_ok(cmd.arg("--lock").arg(&lock).args(extra));
    serde_json::from_str(out.stdout.trim()).unwrap()
}

#[test]
fn seeds_from_an_authenticated_upstream_with_upstream_bytes() {
    let world = World::new();
    let project = world.project("p");
    let mirror = seed(&world, &project, "m", &[]);

    // Every locked archive is stored byte for byte, named by its SHA-1.
    let upstream = upstream_archives(&world);
    let stored = mirror.archives();
    let locked = lock_packages(&project);
    let with_dist = locked.iter().filter(|p| p.get("dist").is_some()).count();
    assert_eq!(stored.len(), with_dist, "{:?}", stored.keys());
    let upstream_hashes: Vec<String> = upstream.values().map(|b| sha1_hex(b)).collect();
    for (path, bytes) in &stored {
        let sha1 = sha1_hex(bytes);
        assert!(
            upstream_hashes.contains(&sha1),
            "{path} is not an upstream archive"
        );
        assert!(
            path.contains(&sha1[..12]),
            "{path} is not named by its sha1"
        );
    }

    // The root file is a v2 root Composer reads.
    let root = mirror.root();
    assert_eq!(root["packages"], json!([]));
    let metadata_url = root["metadata-url"].as_str().unwrap();
    assert!(
        metadata_url.starts_with("file://") && metadata_url.ends_with("/p2/%package%.json"),
        "{metadata_url}"
    );
    let names: Vec<&str> = root["available-packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(names.len(), locked.len());
    assert!(names.contains(&"acme/mixedcase"), "{names:?}");

    // Per-package files are minified; the expanded entries keep upstream's fields and its
    // shasum, or the stored file's SHA-1 where upstream had none, and point at the mirror.
    let p2 = metadata_url
        .strip_prefix("file://")
        .unwrap()
        .replace("%package%", "logkit/logger");
    let file: Value = serde_json::from_slice(&std::fs::read(&p2).unwrap()).unwrap();
    assert_eq!(file["minified"], "composer/2.0");
    let versions = file["packages"]["logkit/logger"].as_array().unwrap();
    assert_eq!(versions.len(), 1, "only the locked version: {versions:?}");
    let entry = &versions[0];
    let upstream_entry = world.repo.package("logkit/logger", "2.3.1").unwrap();
    assert_eq!(
        upstream_entry["dist"]["shasum"], "",
        "fixture has no shasum"
    );
    let dist_url = entry["dist"]["url"].as_str().unwrap();
    let stored_path = dist_url.strip_prefix("file://").unwrap();
    let stored_bytes = std::fs::read(stored_path).unwrap();
    assert_eq!(entry["dist"]["shasum"], sha1_hex(&stored_bytes));
    for key in ["name", "version", "type", "require", "autoload"] {
        assert_eq!(entry[key], upstream_entry[key], "{key}");
    }
    let catalog: Value = serde_json::from_slice(
        &std::fs::read(p2.replace("logkit/logger", "acme/module-catalog")).unwrap(),
    )
    .unwrap();
    let upstream_catalog = world
        .repo
        .package("acme/module-catalog", "104.0.7")
        .unwrap();
    assert_eq!(
        catalog["packages"]["acme/module-catalog"][0]["dist"]["shasum"],
        upstream_catalog["dist"]["shasum"]
    );

    let verified = mirror.verify();
    assert_eq!(verified.code, 0, "{}", verified.all_output());
    let report: Value = serde_json::from_str(&verified.stdout).unwrap();
    assert_eq!(report["result"], "ok");
    assert_eq!(report["archives"], with_dist);
}

#[test]
fn a_second_sync_downloads_no_archive_and_revalidates_metadata() {
    let world = World::new();
    let project = world.project("p");
    let mirror = seed(&world, &project, "m", &[]);
    let before = std::fs::read(mirror.dir.join("packages.json")).unwrap();
    world.server.clear_log();
    let summary = resync(&world, &mirror, &project, &[]);
    assert_eq!(summary["downloaded"], 0, "{summary}");
    assert_eq!(summary["published"], false, "{summary}");
    assert!(summary["reused"].as_u64().unwrap() > 30);
    assert_eq!(archive_requests(&world.server), vec![]);
    let log = world.server.requests();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].path, "/packages.json");
    assert!(log[0].if_modified_since.is_some(), "{log:?}");
    assert_eq!(log[0].status, 304);
    assert_eq!(
        std::fs::read(mirror.dir.join("packages.json")).unwrap(),
        before
    );
}

#[test]
fn empty_objects_upstream_do_not_make_a_refresh_publish_again() {
    // Upstream writes `"require": {}`; the repository cache keeps metadata as PHP re-encodes
    // it (`[]`). The seed read upstream fresh, the refresh reads the cache after a 304: both
    // must publish the same bytes, so the refresh publishes nothing.
    let world = World::new();
    let root_bytes = world.repo.file("/packages.json").unwrap().to_vec();
    let mut root: Value = serde_json::from_slice(&root_bytes).unwrap();
    let mut emptied = 0;
    for (name, versions) in root["packages"].as_object_mut().unwrap() {
        if name != "logkit/logger" {
            continue;
        }
        let entries: Vec<&mut Value> = match versions {
            Value::Object(map) => map.values_mut().collect(),
            Value::Array(list) => list.iter_mut().collect(),
            _ => Vec::new(),
        };
        for entry in entries {
            entry["require"] = json!({});
            entry["extra"] = json!({});
            emptied += 1;
        }
    }
    assert!(emptied > 0, "logkit/logger is in the fixture root");
    world
        .server
        .add_file("/packages.json", serde_json::to_vec(&root).unwrap());
    let project = world.project("p");
    let mirror = seed(&world, &project, "m", &[]);
    let generation = mirror.root()["metadata-url"].as_str().unwrap().to_string();
    world.server.clear_log();
    let summary = resync(&world, &mirror, &project, &[]);
    assert_eq!(summary["published"], false, "{summary}");
    assert_eq!(summary["downloaded"], 0, "{summary}");
    let log = world.server.requests();
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0].status, 304, "{log:?}");
    assert_eq!(mirror.root()["metadata-url"], generation);
    let p2 = generation
        .strip_prefix("file://")
        .unwrap()
        .replace("%package%", "logkit/logger");
    let file: Value = serde_json::from_slice(&std::fs::read(p2).unwrap()).unwrap();
    assert_eq!(file["packages"]["logkit/logger"][0]["require"], json!([]));
    assert_eq!(mirror.verify().code, 0);
}

#[test]
fn a_seed_leaves_no_sidecars_and_shares_one_inode_for_empty_dev_files() {
    use std::os::unix::fs::MetadataExt;
    let world = World::new();
    let project = world.project("p");
    let mirror = seed(&world, &project, "m", &[]);
    // Fast transfers finish before their resume sidecar is due.
    let parts = mirror.dir.join(".magefetch/parts");
    assert_eq!(files_under(&parts), Vec::<PathBuf>::new());
    let generation = mirror.root()["metadata-url"].as_str().unwrap().to_string();
    let template = generation.strip_prefix("file://").unwrap().to_string();
    let dev_file =
        |name: &str| PathBuf::from(template.replace("%package%", &format!("{name}~dev")));
    let names: Vec<String> = mirror.root()["available-packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    // The lock has tagged versions only: every `~dev` file is empty.
    let empty: Vec<&String> = names.iter().collect();
    assert!(empty.len() > 2, "{names:?}");
    let first = std::fs::metadata(dev_file(empty[0])).unwrap();
    for name in &empty {
        let meta = std::fs::metadata(dev_file(name)).unwrap();
        assert_eq!(meta.ino(), first.ino(), "{name}");
        let body: Value = serde_json::from_slice(&std::fs::read(dev_file(name)).unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"packages": {}, "minified": "composer/2.0"}),
            "{name}"
        );
    }
    assert_eq!(first.nlink() as usize, empty.len());
    let verified = mirror.verify();
    assert_eq!(verified.code, 0, "{}", verified.all_output());
}

#[test]
fn archives_stored_in_the_earlier_per_package_directories_are_reused() {
    // Earlier versions stored `dist/<vendor>/<name>/<version>-…`; such a mirror is refreshed
    // without fetching its archives again.
    let world = World::new();
    let project = world.project("p");
    let mirror = seed(&world, &project, "m", &[]);
    let state_path = mirror.dir.join(".magefetch/state.json");
    let mut state: Value = serde_json::from_slice(&std::fs::read(&state_path).unwrap()).unwrap();
    let archives = state["archives"].as_object().unwrap().clone();
    let mut moved = serde_json::Map::new();
    for (path, record) in archives {
        let (dir, file) = path.split_once('~').unwrap();
        let legacy = format!("{dir}/{file}");
        std::fs::create_dir_all(mirror.dir.join(dir)).unwrap();
        std::fs::rename(mirror.dir.join(&path), mirror.dir.join(&legacy)).unwrap();
        // A rename keeps size and mtime: the record stays trusted.
        moved.insert(legacy, record);
    }
    assert!(moved.len() > 30);
    state["archives"] = Value::Object(moved.clone());
    std::fs::write(&state_path, serde_json::to_vec(&state).unwrap()).unwrap();
    world.server.clear_log();
    let summary = resync(&world, &mirror, &project, &[]);
    assert_eq!(summary["downloaded"], 0, "{summary}");
    assert_eq!(summary["reused"].as_u64().unwrap() as usize, moved.len());
    assert_eq!(archive_requests(&world.server), vec![]);
    let verified = mirror.verify();
    assert_eq!(verified.code, 0, "{}", verified.all_output());
    let stored: Vec<String> = mirror.archives().into_keys().collect();
    let mut legacy: Vec<String> = moved.keys().cloned().collect();
    legacy.sort();
    assert_eq!(stored, legacy);
}

#[test]
fn prune_removes_what_left_the_set() {
    let world = World::new();
    let project = world.project("p");
    let mirror = seed(&world, &project, "m", &[]);
    let all = mirror.archives().len();
    let url = world.server.url();
    // A smaller set without --prune: metadata shrinks, archives stay.
    run_ok(&mut mirror.sync(&["--repository", &url, "--require", "logkit/logger:^2.3"]));
    assert_eq!(mirror.archives().len(), all);
    assert_eq!(
        mirror.root()["available-packages"],
        json!(["logkit/logger"])
    );
    let verified = mirror.verify();
    assert_eq!(verified.code, 0, "{}", verified.all_output());
    // With --prune they go.
    let out = run_ok(&mut mirror.sync(&[
        "--repository",
        &url,
        "--require",
        "logkit/logger:^2.3",
        "--prune",
        "--format",
        "json",
    ]));
    let summary: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(summary["pruned"], all - 1, "{summary}");
    let left: Vec<String> = mirror.archives().into_keys().collect();
    assert_eq!(left.len(), 1);
    assert!(left[0].starts_with("dist/logkit/logger~2.3.1-"), "{left:?}");
    let verified = mirror.verify();
    assert_eq!(verified.code, 0, "{}", verified.all_output());
}

#[test]
fn verify_finds_damage_and_the_next_sync_repairs_it() {
    let world = World::new();
    let project = world.project("p");
    let mirror = seed(&world, &project, "m", &[]);
    let archives: Vec<String> = mirror.archives().into_keys().collect();
    let corrupt = &archives[0];
    let missing = &archives[1];
    // Same size, a few bytes changed in the middle.
    let path = mirror.dir.join(corrupt);
    let mut bytes = std::fs::read(&path).unwrap();
    let mid = bytes.len() / 2;
    for b in &mut bytes[mid..mid + 4] {
        *b = !*b;
    }
    std::fs::write(&path, &bytes).unwrap();
    std::fs::remove_file(mirror.dir.join(missing)).unwrap();
    std::fs::write(mirror.dir.join("dist/acme/stray.zip"), b"not ours").unwrap();

    let out = mirror.verify();
    assert_eq!(out.code, 6, "{}", out.all_output());
    let report: Value = serde_json::from_str(&out.stdout).unwrap();
    let problems: Vec<(String, String)> = report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["kind"].as_str().unwrap().into(),
                p["path"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        problems.contains(&("corrupt".into(), corrupt.clone())),
        "{problems:?}"
    );
    assert!(
        problems.contains(&("missing".into(), missing.clone())),
        "{problems:?}"
    );
    assert!(
        problems.contains(&("extra".into(), "dist/acme/stray.zip".into())),
        "{problems:?}"
    );
    // The text form lists the same and exits non-zero.
    let text = run(mirror
        .magefetch()
        .args(["mirror", "verify"])
        .arg(&mirror.dir));
    assert_eq!(text.code, 6);
    assert!(
        text.stdout.contains(&format!("corrupt      {corrupt}")),
        "{}",
        text.stdout
    );

    world.server.clear_log();
    let summary = resync(&world, &mirror, &project, &["--prune"]);
    assert_eq!(summary["repaired"], 2, "{summary}");
    assert_eq!(summary["downloaded"], 2, "{summary}");
    assert_eq!(archive_requests(&world.server).len(), 2);
    let out = mirror.verify();
    assert_eq!(out.code, 0, "{}", out.all_output());
    assert_eq!(std::fs::read(&path).unwrap().len(), bytes.len());
    assert!(!mirror.dir.join("dist/acme/stray.zip").exists());
}

#[test]
fn a_killed_sync_resumes_its_partial_archive() {
    let world = World::new();
    let project = world.project("p");
    let mirror = Mirror::new(&world, "m");
    // The biggest archive trickles, so the sync is certainly in the middle of it.
    let (big_path, big) = upstream_archives(&world)
        .into_iter()
        .max_by_key(|(_, b)| b.len())
        .unwrap();
    assert!(big.len() > 4096, "{}", big.len());
    world.server.set_fault(
        &big_path,
        Fault::Trickle {
            chunk: 1024,
            delay_ms: 200,
        },
    );
    let lock = project.dir.join("composer.lock");
    let mut cmd = mirror.sync(&["--repository", &world.server.url()]);
    let mut child = cmd
        .arg("--lock")
        .arg(&lock)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let parts = mirror.dir.join(".magefetch/parts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let others = lock_packages(&project)
        .iter()
        .filter(|p| p.get("dist").is_some())
        .count()
        - 1;
    // Every other archive is stored, and the trickling one is well under way.
    let partial = loop {
        let found = files_under(&parts)
            .into_iter()
            .find(|p| p.extension().is_some_and(|e| e == "part"))
            .filter(|p| std::fs::metadata(p).map(|m| m.len()).unwrap_or(0) >= 2048);
        if let (Some(p), true) = (found, files_under(&mirror.dir.join("dist")).len() == others) {
            break p;
        }
        assert!(Instant::now() < deadline, "no partial download appeared");
        assert!(child.try_wait().unwrap().is_none(), "the sync ended early");
        std::thread::sleep(Duration::from_millis(50));
    };
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let had = std::fs::metadata(&partial).unwrap().len();
    assert!(
        !mirror.dir.join("packages.json").exists(),
        "nothing was published yet"
    );

    world.server.clear_faults();
    world.server.clear_log();
    let summary = resync(&world, &mirror, &project, &[]);
    let big_requests: Vec<_> = world
        .server
        .requests()
        .into_iter()
        .filter(|r| r.path == big_path)
        .collect();
    assert_eq!(big_requests.len(), 1, "{big_requests:?}");
    assert_eq!(big_requests[0].status, 206, "{big_requests:?}");
    let range = big_requests[0].range.clone().unwrap_or_default();
    assert!(range.starts_with("bytes="), "{range}");
    let from: u64 = range["bytes=".len()..]
        .trim_end_matches('-')
        .parse()
        .unwrap();
    assert!(from >= 2048 && from <= had, "resumed at {from}, had {had}");
    assert_eq!(
        world.server.body_bytes_served(&big_path),
        big.len() as u64 - from
    );
    // Archives finished before the kill were not fetched again.
    let fetched = archive_requests(&world.server).len() as u64;
    assert_eq!(
        summary["downloaded"].as_u64().unwrap(),
        fetched,
        "{summary}"
    );
    assert!(summary["reused"].as_u64().unwrap() > 0, "{summary}");
    let stored = mirror.archives();
    assert!(stored.values().any(|b| *b == big));
    let out = mirror.verify();
    assert_eq!(out.code, 0, "{}", out.all_output());
}

#[test]
fn install_from_the_mirror_with_upstream_stopped_equals_a_direct_install() {
    let world = World::new();
    let direct = world.project("direct");
    run_ok(direct.magefetch().arg("install"));
    let mirror = seed(&world, &direct, "m", &[]);
    let via_flag = direct.clone_to(&world.tmp.path().join("via-flag"), false);
    let via_env = direct.clone_to(&world.tmp.path().join("via-env"), false);
    let via_config = direct.clone_to(&world.tmp.path().join("via-config"), false);
    let mut manifest: Value =
        serde_json::from_slice(&std::fs::read(via_config.dir.join("composer.json")).unwrap())
            .unwrap();
    manifest["config"]["magefetch-mirror"] = json!("../m/mirror");
    std::fs::write(
        via_config.dir.join("composer.json"),
        serde_json::to_string_pretty(&manifest).unwrap(),
    )
    .unwrap();
    let World { server, tmp, .. } = world;
    drop(server);

    let expected = snapshot(&direct.vendor(), &[]);
    run_ok(
        via_flag
            .magefetch()
            .arg("install")
            .arg("--mirror")
            .arg(&mirror.dir),
    );
    assert_eq!(snapshot(&via_flag.vendor(), &[]), expected);
    run_ok(
        via_env
            .magefetch()
            .env("MAGEFETCH_MIRROR", &mirror.dir)
            .arg("install"),
    );
    assert_eq!(snapshot(&via_env.vendor(), &[]), expected);
    run_ok(via_config.magefetch().arg("install"));
    assert_eq!(snapshot(&via_config.vendor(), &[]), expected);

    // A package the mirror lacks is named before anything is installed.
    let lacking = direct.clone_to(&tmp.path().join("lacking"), false);
    let small = Mirror {
        dir: tmp.path().join("empty-mirror"),
        home: mirror.home.clone(),
        work: mirror.work.clone(),
    };
    std::fs::create_dir_all(small.dir.join("meta/1/p2")).unwrap();
    std::fs::write(
        small.dir.join("packages.json"),
        json!({"packages": [], "metadata-url": format!("file://{}/meta/1/p2/%package%.json", small.dir.display()), "available-packages": []}).to_string(),
    )
    .unwrap();
    let out = run(lacking
        .magefetch()
        .arg("install")
        .arg("--mirror")
        .arg(&small.dir));
    assert_eq!(out.code, 5, "{}", out.all_output());
    assert!(out.stderr.contains("not in the mirror"), "{}", out.stderr);
    assert!(
        out.stderr.contains("acme/module-catalog (104.0.7)"),
        "{}",
        out.stderr
    );
    assert!(!lacking.vendor().join("acme").exists());
}

#[test]
fn composer_installs_and_updates_from_a_file_mirror() {
    let world = World::new();
    let upstream = world.project("upstream");
    let mirror = seed(&world, &upstream, "m", &[]);
    let project = mirror_project(
        &world,
        &upstream,
        "from-mirror",
        &format!("file://{}", mirror.dir.display()),
    );
    world.server.clear_log();
    let Some(_) = composer(&project, &["update"]) else {
        return;
    };
    assert_eq!(
        world.server.requests(),
        vec![],
        "Composer talked to upstream"
    );
    compare_with_upstream(&world, &upstream, &project);
    // `composer install` from that lock in a fresh project and cache.
    world.server.clear_log();
    let fresh = project.clone_to(&world.tmp.path().join("fresh"), false);
    composer(&fresh, &["install"]).unwrap();
    assert_eq!(
        snapshot(&fresh.vendor(), GENERATED),
        snapshot(&project.vendor(), GENERATED)
    );
    assert_eq!(
        world.server.requests(),
        vec![],
        "Composer talked to upstream"
    );
}

#[test]
fn composer_installs_and_updates_from_a_mirror_over_http() {
    let world = World::new();
    let upstream = world.project("upstream");
    let web = Server::builder().start();
    let base = format!("{}/magento", web.url());
    let mirror = seed(&world, &upstream, "m", &["--base-url", &base]);
    for file in files_under(&mirror.dir) {
        let rel = file
            .strip_prefix(&mirror.dir)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if !rel.starts_with(".magefetch") {
            web.add_file(&format!("/magento/{rel}"), std::fs::read(&file).unwrap());
        }
    }
    let project = mirror_project(&world, &upstream, "from-http", &base);
    world.server.clear_log();
    let Some(_) = composer(&project, &["update"]) else {
        return;
    };
    assert_eq!(
        world.server.requests(),
        vec![],
        "Composer talked to upstream"
    );
    assert!(web
        .requests()
        .iter()
        .any(|r| r.path.starts_with("/magento/dist/") && r.status == 200));
    compare_with_upstream(&world, &upstream, &project);
    let fresh = project.clone_to(&world.tmp.path().join("fresh"), false);
    composer(&fresh, &["install"]).unwrap();
    assert_eq!(
        snapshot(&fresh.vendor(), GENERATED),
        snapshot(&project.vendor(), GENERATED)
    );
}

/// The mirror project's lock picked the upstream lock's versions and shasums, and its package
/// files equal an upstream install's.
fn compare_with_upstream(world: &World, upstream: &Project, project: &Project) {
    let key = |p: &Value| {
        (
            p["name"].as_str().unwrap().to_lowercase(),
            p["version"].as_str().unwrap().to_string(),
            p["dist"]["shasum"].as_str().unwrap_or("").to_string(),
        )
    };
    let mut ours: Vec<_> = lock_packages(project).iter().map(key).collect();
    let mut theirs: Vec<_> = lock_packages(upstream).iter().map(key).collect();
    ours.sort();
    theirs.sort();
    // Where upstream had no shasum, the mirror publishes the stored file's.
    for (a, b) in ours.iter().zip(&theirs) {
        assert_eq!((&a.0, &a.1), (&b.0, &b.1));
        if !b.2.is_empty() {
            assert_eq!(a.2, b.2, "{}", a.0);
        }
    }
    assert_eq!(ours.len(), theirs.len());
    let direct = upstream.clone_to(
        &world.tmp.path().join(format!(
            "direct-{}",
            project.dir.file_name().unwrap().to_string_lossy()
        )),
        false,
    );
    run_ok(direct.magefetch().arg("install"));
    assert_eq!(
        snapshot(&project.vendor(), GENERATED),
        snapshot(&direct.vendor(), GENERATED),
        "package files differ from an upstream install"
    );
}

#[test]
fn with_dependencies_follows_requirements_from_a_mirror_of_a_mirror() {
    let world = World::new();
    let project = world.project("p");
    let first = seed(&world, &project, "first", &[]);
    // A second mirror, seeded from the first one (v2, minified, file:// archives).
    let second = Mirror::new(&world, "second");
    let out = run_ok(&mut second.sync(&[
        "--repository",
        &format!("file://{}", first.dir.display()),
        "--require",
        "acme/product-community-edition",
        "--with-dependencies",
        "--format",
        "json",
    ]));
    let summary: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    let names: Vec<String> = second.root()["available-packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for name in [
        "acme/product-community-edition",
        "acme/magento-bundle",
        "acme/module-catalog",
        "acme/framework",
        "logkit/logger",
        "eventkit/event-dispatcher",
        "acme/theme-frontend-nova",
    ] {
        assert!(names.iter().any(|n| n == name), "{name} missing: {names:?}");
    }
    for unrelated in ["legacy/classmap-lib", "tarball/plain", "helpers/strings"] {
        assert!(
            !names.iter().any(|n| n == unrelated),
            "{unrelated}: {names:?}"
        );
    }
    assert_eq!(summary["failures"], json!([]));
    // Same bytes as the first mirror holds.
    let first_archives: Vec<Vec<u8>> = first.archives().into_values().collect();
    for (path, bytes) in second.archives() {
        assert!(first_archives.contains(&bytes), "{path} differs");
    }
    let out = second.verify();
    assert_eq!(out.code, 0, "{}", out.all_output());
}

#[test]
fn hostile_upstream_metadata_stays_inside_the_mirror() {
    let secret_file = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret_file.path(), b"local secret").unwrap();
    let zip = support::zip_from_entries(&[support::ArchiveEntry::file("a.txt", "a")]);
    let server = Server::builder().start();
    let base = server.url();
    let entry = |name: &str, version: &str, dist: Value, require: Value| json!({"name": name, "version": version, "type": "library", "dist": dist, "require": require});
    let good_dist =
        |t: &str| json!({"type": t, "url": format!("{base}/a.zip"), "shasum": sha1_hex(&zip)});
    let huge = format!("1.0.0-p{}", "9".repeat(300));
    let packages = json!({"packages": {
        "../escape": {"1.0.0": entry("../escape", "1.0.0", good_dist("zip"), json!({}))},
        "acme/ok": {
            "1.0.0": entry("acme/ok", "1.0.0", good_dist("../../../zip"),
                json!({"../../etc": "*", "acme/local": "*", "/abs/x": "*"})),
            huge.clone(): entry("acme/ok", &huge, good_dist("zip"), json!({})),
            "dev-x/../../../../../etc/cron.d/evil": entry("acme/ok", "dev-x/../../../../../etc/cron.d/evil", good_dist("zip"), json!({}))
        },
        "acme/local": {"1.0.0": entry("acme/local", "1.0.0",
            json!({"type": "zip", "url": format!("file://{}", secret_file.path().display()), "shasum": ""}), json!({}))}
    }});
    server.add_file("/packages.json", serde_json::to_vec(&packages).unwrap());
    server.add_file("/a.zip", zip.clone());
    let tmp = tempfile::tempdir().unwrap();
    let sandbox = tmp.path().join("sandbox");
    let home = tmp.path().join("home");
    std::fs::create_dir_all(&sandbox).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("config.json"),
        r#"{"config": {"secure-http": false}}"#,
    )
    .unwrap();
    let dir = sandbox.join("mirror");
    let out = run(Command::new(support::project::magefetch_bin())
        .current_dir(tmp.path())
        .env("HOME", &home)
        .env("COMPOSER_HOME", &home)
        .args(["mirror", "sync"])
        .arg(&dir)
        .args([
            "--repository",
            &base,
            "--require",
            "acme/ok",
            "--with-dependencies",
        ])
        .args(["--minimum-stability", "dev"]));
    assert_eq!(out.code, 0, "{}", out.all_output());
    assert!(
        out.stderr
            .contains("`../../etc` is not a valid package name"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("neither http(s) nor a file of a local repository"),
        "{}",
        out.stderr
    );
    // Nothing outside the mirror directory.
    let entries: Vec<String> = std::fs::read_dir(&sandbox)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(entries, ["mirror"]);
    let all = files_under(&dir);
    for f in &all {
        let rel = f.strip_prefix(&dir).unwrap().to_string_lossy().into_owned();
        assert!(!rel.contains(".."), "{rel}");
        assert!(rel.len() < 300, "{rel}");
        assert!(
            !std::fs::read(f)
                .unwrap()
                .windows(12)
                .any(|w| w == b"local secret"),
            "{rel} holds the local file"
        );
    }
    let stored: Vec<String> = all
        .iter()
        .map(|f| f.strip_prefix(&dir).unwrap().to_string_lossy().into_owned())
        .filter(|r| r.starts_with("dist/"))
        .collect();
    assert_eq!(stored.len(), 3, "{stored:?}");
    assert!(
        stored.iter().all(|p| p.starts_with("dist/acme/ok~")),
        "{stored:?}"
    );
    assert!(stored.iter().any(|p| p.ends_with(".bin")), "{stored:?}");
    let root: Value =
        serde_json::from_slice(&std::fs::read(dir.join("packages.json")).unwrap()).unwrap();
    assert_eq!(root["available-packages"], json!(["acme/ok"]));
    let verify = run(Command::new(support::project::magefetch_bin())
        .args(["mirror", "verify"])
        .arg(&dir));
    assert_eq!(verify.code, 0, "{}", verify.all_output());
}

#[test]
fn secrets_never_reach_the_mirror_or_the_output() {
    let world = World::new();
    let project = world.project("p");
    let mirror = Mirror::new(&world, "m");
    let lock = project.dir.join("composer.lock");
    let url = world.server.url();
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{PUBLIC_KEY}:{PRIVATE_KEY}"));
    let mut outputs = Vec::new();
    for args in [
        vec!["-vv"],
        vec!["--format", "json"],
        vec!["--prune", "--check-archives", "-v"],
    ] {
        let mut cmd = mirror.sync(&["--repository", &url]);
        outputs.push(run_ok(cmd.arg("--lock").arg(&lock).args(args)).all_output());
    }
    outputs.push(mirror.verify().all_output());
    // Credentials written into the repository URL itself, and a failing run.
    let with_userinfo = url.replace("http://", &format!("http://{PUBLIC_KEY}:{PRIVATE_KEY}@"));
    let mut cmd = mirror.sync(&["--repository", &with_userinfo, "--format", "json"]);
    outputs.push(run_ok(cmd.arg("--lock").arg(&lock)).all_output());
    world
        .server
        .set_fault("/packages.json", Fault::Unauthorized { times: 10 });
    let mut cmd = mirror.sync(&["--repository", &with_userinfo, "-v"]);
    let failed = run(cmd.arg("--lock").arg(&lock));
    assert_eq!(failed.code, 4, "{}", failed.all_output());
    outputs.push(failed.all_output());
    for (i, out) in outputs.iter().enumerate() {
        for secret in [PUBLIC_KEY, PRIVATE_KEY, basic.as_str()] {
            assert!(
                !out.contains(secret),
                "output {i} shows a credential:\n{out}"
            );
        }
    }
    for file in files_under(&mirror.dir) {
        let bytes = std::fs::read(&file).unwrap();
        let name = file.to_string_lossy();
        for secret in [PUBLIC_KEY, PRIVATE_KEY, basic.as_str()] {
            assert!(!name.contains(secret), "{name}");
            assert!(
                !bytes.windows(secret.len()).any(|w| w == secret.as_bytes()),
                "{name} holds a credential"
            );
        }
    }
}

#[test]
fn seeds_from_a_repo_magento_com_shaped_upstream_and_refreshes_from_its_cache() {
    let world = World::new();
    // v1 provider-includes with sha256-addressed files, as repo.magento.com serves them.
    let files = support::repos::layout(
        support::repos::Form::Magento,
        "/magento",
        &world.repo.packages,
    );
    support::repos::serve(&world.server, &files);
    let mirror = Mirror::new(&world, "m");
    let upstream = format!("{}/magento/", world.server.url());
    let args = [
        "--repository",
        upstream.as_str(),
        "--require",
        "acme/product-community-edition:2.4.7",
        "--with-dependencies",
        "--format",
        "json",
    ];
    let out = run_ok(&mut mirror.sync(&args));
    let summary: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(summary["failures"], json!([]), "{summary}");
    let names = mirror.root()["available-packages"].clone();
    for name in [
        "acme/product-community-edition",
        "acme/framework",
        "logkit/logger",
    ] {
        assert!(names.as_array().unwrap().contains(&json!(name)), "{names}");
    }
    // Both logkit/logger versions: acme/framework wants ^2.3, httpkit/client ^2.0. Packages
    // nothing requires stay out.
    let stored: Vec<String> = mirror.archives().into_keys().collect();
    for version in ["2.2.0", "2.3.1"] {
        let prefix = format!("dist/logkit/logger~{version}-");
        assert!(stored.iter().any(|p| p.starts_with(&prefix)), "{stored:?}");
    }
    assert!(
        !stored.iter().any(|p| p.starts_with("dist/legacy/")),
        "{stored:?}"
    );
    // A refresh: the root is revalidated, hash-addressed files come from the cache.
    world.server.clear_log();
    let out = run_ok(&mut mirror.sync(&args));
    let summary: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(summary["downloaded"], 0, "{summary}");
    let paths: Vec<String> = world
        .server
        .requests()
        .into_iter()
        .map(|r| r.path)
        .collect();
    assert_eq!(paths, ["/magento/packages.json"]);
    let out = mirror.verify();
    assert_eq!(out.code, 0, "{}", out.all_output());
}
