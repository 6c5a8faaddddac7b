//! `magefetch install` against a real HTTP server on 127.0.0.1: every behaviour the install
//! issue lists, including faults injected by the server.

mod support;

use std::process::Stdio;
use std::time::Duration;

use serde_json::{json, Value};
use support::project::{run, run_ok, snapshot, World, PRIVATE_KEY, PUBLIC_KEY};
use support::{Fault, Server};

fn installed_json(project: &support::project::Project) -> Value {
    let text = std::fs::read_to_string(project.vendor().join("composer/installed.json"))
        .expect("installed.json");
    serde_json::from_str(&text).expect("installed.json is JSON")
}

fn archive_requests(server: &Server) -> Vec<support::LoggedRequest> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.path.starts_with("/archives/"))
        .collect()
}

fn package_value(world: &World, name: &str) -> Value {
    world
        .repo
        .latest()
        .into_iter()
        .find(|p| {
            p["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .cloned()
        .unwrap_or_else(|| panic!("fixture {name}"))
}

fn archive_path_of(world: &World, name: &str) -> String {
    let p = package_value(world, name);
    let url = p["dist"]["url"].as_str().expect("dist url").to_string();
    url.trim_start_matches(&world.server.url()).to_string()
}

#[test]
fn installs_every_package_and_records_it() {
    let world = World::new();
    let project = world.project("p");
    let out = run_ok(project.magefetch().arg("install"));
    assert!(out.stdout.contains("Installed"), "{}", out.stdout);

    let installed = installed_json(&project);
    let names: Vec<&str> = installed["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = world
        .repo
        .latest()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    assert_eq!(installed["dev"], json!(true));

    // Flat Magento-style archive: files at the root of the package directory.
    assert!(project
        .vendor()
        .join("acme/module-catalog/registration.php")
        .is_file());
    // GitHub-style archive: the single top-level directory is stripped.
    assert!(project
        .vendor()
        .join("logkit/logger/composer.json")
        .is_file());
    // Mixed-case pretty name keeps its spelling on disk.
    assert!(project
        .vendor()
        .join("Acme/MixedCase/composer.json")
        .is_file());
    // Metapackages have no directory but are recorded.
    assert!(!project
        .vendor()
        .join("acme/product-community-edition")
        .exists());
    let meta = installed["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "acme/product-community-edition")
        .unwrap();
    assert_eq!(meta["install-path"], Value::Null);
    // Every tar flavour.
    for pkg in [
        "tarball/plain",
        "tarball/gzipped",
        "tarball/bzipped",
        "tarball/xzipped",
    ] {
        assert!(
            project.vendor().join(pkg).join("composer.json").is_file(),
            "{pkg}"
        );
    }
    // Modes and symlinks as unzip keeps them.
    use std::os::unix::fs::PermissionsExt;
    let secret =
        std::fs::metadata(project.vendor().join("acme/module-payment/secret.txt")).unwrap();
    assert_eq!(secret.permissions().mode() & 0o777, 0o600);
    let link = project
        .vendor()
        .join("acme/module-tax/etc/tax-rates-current.csv");
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    // installed.php exists and is PHP.
    let php = std::fs::read_to_string(project.vendor().join("composer/installed.php")).unwrap();
    assert!(php.starts_with("<?php return array(\n"));
    assert!(php.contains("'acme/module-catalog' => array("));
}

#[test]
fn bin_proxies_are_created_and_run() {
    let world = World::new();
    let project = world.project("p");
    run_ok(project.magefetch().arg("install"));
    let proxy = project.vendor().join("bin/acme-tool");
    assert!(proxy.is_file());
    use std::os::unix::fs::PermissionsExt;
    assert_ne!(
        std::fs::metadata(&proxy).unwrap().permissions().mode() & 0o111,
        0
    );
    let sh = project.vendor().join("bin/acme-sh");
    assert!(sh.is_file());
    let out = run(&mut std::process::Command::new(&sh));
    assert_eq!(out.code, 0, "{}", out.all_output());
    if support::project::composer_available() {
        let out = run(&mut std::process::Command::new(&proxy));
        assert_eq!(out.code, 0, "{}", out.all_output());
        assert!(!out.stdout.contains("#!"), "shebang leaked: {}", out.stdout);
    }
}

#[test]
fn second_run_downloads_nothing_and_rewrites_nothing() {
    let world = World::new();
    let project = world.project("p");
    run_ok(project.magefetch().arg("install"));
    let installed = project.vendor().join("composer/installed.json");
    let before = std::fs::metadata(&installed).unwrap().modified().unwrap();
    let tree = snapshot(&project.vendor(), &[]);
    world.server.clear_log();
    std::thread::sleep(Duration::from_millis(20));
    let out = run_ok(project.magefetch().arg("install"));
    assert!(out.stdout.contains("Nothing to install"), "{}", out.stdout);
    assert!(
        world.server.requests().is_empty(),
        "{:?}",
        world.server.requests()
    );
    assert_eq!(
        std::fs::metadata(&installed).unwrap().modified().unwrap(),
        before
    );
    assert_eq!(snapshot(&project.vendor(), &[]), tree);
}

#[test]
fn warm_cache_install_makes_no_request() {
    let world = World::new();
    let project = world.project("p");
    run_ok(project.magefetch().arg("install"));
    std::fs::remove_dir_all(project.vendor()).unwrap();
    world.server.clear_log();
    let out = run_ok(project.magefetch().args(["install", "--format", "json"]));
    assert!(archive_requests(&world.server).is_empty());
    let result: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(result["downloaded_bytes"], json!(0));
    assert!(result["from_cache"].as_u64().unwrap() > 30);
    // JSON lines on stderr.
    for line in out.stderr.lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("not JSON: {line}"));
        assert!(v["event"].is_string());
    }
}

#[test]
fn changed_lock_updates_and_removes() {
    let world = World::new();
    let old = world
        .repo
        .package("logkit/logger", "2.2.0")
        .unwrap()
        .clone();
    let keep = package_value(&world, "acme/framework");
    let gone = package_value(&world, "idkit/uuid");
    let project = world.project_with("p", &[old, keep.clone(), gone], &[]);
    run_ok(project.magefetch().arg("install"));
    assert!(project.vendor().join("idkit/uuid").is_dir());

    let new = world
        .repo
        .package("logkit/logger", "2.3.1")
        .unwrap()
        .clone();
    let project2 = world.project_with("p", &[new, keep], &[]);
    let out = run_ok(project2.magefetch().args(["install", "-v"]));
    assert!(out.stderr.contains("Removed idkit/uuid"), "{}", out.stderr);
    assert!(!project.vendor().join("idkit/uuid").exists());
    let installed = installed_json(&project);
    let logger = installed["packages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "logkit/logger")
        .unwrap();
    assert_eq!(logger["version"], json!("2.3.1"));
    assert_eq!(logger["version_normalized"], json!("2.3.1.0"));
    assert_eq!(installed["packages"].as_array().unwrap().len(), 2);
}

#[test]
fn no_dev_skips_dev_packages() {
    let world = World::new();
    let prod = vec![package_value(&world, "acme/framework")];
    let dev = vec![package_value(&world, "timekit/chronos")];
    let project = world.project_with("p", &prod, &dev);
    run_ok(project.magefetch().args(["install", "--no-dev"]));
    assert!(!project.vendor().join("timekit/chronos").exists());
    assert_eq!(installed_json(&project)["dev"], json!(false));
    run_ok(project.magefetch().arg("install"));
    assert!(project.vendor().join("timekit/chronos").is_dir());
    let installed = installed_json(&project);
    assert_eq!(installed["dev-package-names"], json!(["timekit/chronos"]));
    // And back: dev packages are removed by a --no-dev install.
    run_ok(project.magefetch().args(["install", "--no-dev"]));
    assert!(!project.vendor().join("timekit/chronos").exists());
}

#[test]
fn dropped_transfer_resumes_with_range() {
    let world = World::new();
    let path = archive_path_of(&world, "acme/module-catalog");
    let size = world.repo.file(&path).unwrap().len() as u64;
    assert!(size > 2000, "fixture too small to cut: {size}");
    world.server.set_fault(
        &path,
        Fault::DropAfter {
            bytes: size / 2,
            times: 1,
        },
    );
    let project = world.project("p");
    let out = run_ok(project.magefetch().arg("install"));
    let reqs: Vec<_> = archive_requests(&world.server)
        .into_iter()
        .filter(|r| r.path == path)
        .collect();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(
        reqs[1].range.as_deref(),
        Some(format!("bytes={}-", size / 2).as_str())
    );
    assert_eq!(reqs[1].status, 206);
    let served = world.server.body_bytes_served(&path);
    assert_eq!(
        served, size,
        "bytes served in total should equal the archive size"
    );
    assert!(out.stderr.contains("retrying"), "{}", out.stderr);
    assert!(project
        .vendor()
        .join("acme/module-catalog/registration.php")
        .is_file());
}

#[test]
fn server_ignoring_range_restarts_cleanly() {
    let world = World::new();
    let path = archive_path_of(&world, "acme/module-sales");
    let size = world.repo.file(&path).unwrap().len() as u64;
    world.server.set_fault(
        &path,
        Fault::DropAfter {
            bytes: size / 3,
            times: 1,
        },
    );
    world.server.set_fault(&path, Fault::IgnoreRange);
    // IgnoreRange replaced the drop; drop first via a second path is not possible, so cut
    // the first response with a stall instead and let the client time out.
    world.server.set_fault(
        &path,
        Fault::Stall {
            after_bytes: size / 3,
            times: 1,
        },
    );
    let project = world.project("p");
    run_ok(
        project
            .magefetch()
            .env("MAGEFETCH_IDLE_TIMEOUT_MS", "2000")
            .arg("install"),
    );
    assert!(project
        .vendor()
        .join("acme/module-sales/registration.php")
        .is_file());
    let reqs: Vec<_> = archive_requests(&world.server)
        .into_iter()
        .filter(|r| r.path == path)
        .collect();
    assert!(reqs.len() >= 2);
    assert!(reqs[1].range.is_some(), "{reqs:?}");
}

/// Starts `magefetch install` and kills it (SIGKILL) once `bytes` of `path` were served.
fn kill_when_served(world: &World, project: &support::project::Project, path: &str, bytes: u64) {
    let mut child = project
        .magefetch()
        .arg("install")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while world.server.body_bytes_served(path) < bytes && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    // Let the writer flush what it received (it flushes at least every 250 ms).
    std::thread::sleep(Duration::from_millis(400));
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn ignored_range_is_handled_by_restarting() {
    // A server that ignores Range answers 200 to the resume request: the partial file must be
    // discarded and the whole body taken, not appended.
    let world = World::new();
    let path = archive_path_of(&world, "acme/module-customer");
    let size = world.repo.file(&path).unwrap().len() as u64;
    let project = world.project("p");
    world.server.set_fault(
        &path,
        Fault::Stall {
            after_bytes: size / 2,
            times: 1,
        },
    );
    kill_when_served(&world, &project, &path, size / 2);
    world.server.set_fault(&path, Fault::IgnoreRange);
    world.server.clear_log();
    run_ok(project.magefetch().arg("install"));
    let reqs: Vec<_> = archive_requests(&world.server)
        .into_iter()
        .filter(|r| r.path == path)
        .collect();
    assert_eq!(reqs.len(), 1);
    assert!(
        reqs[0].range.is_some(),
        "the leftover part should have been resumed: {reqs:?}"
    );
    assert_eq!(reqs[0].status, 200);
    assert_eq!(reqs[0].body_bytes, size);
    assert!(project
        .vendor()
        .join("acme/module-customer/registration.php")
        .is_file());
}

#[test]
fn transient_statuses_are_retried() {
    let world = World::new();
    let a = archive_path_of(&world, "acme/module-cms");
    let b = archive_path_of(&world, "acme/module-review");
    world.server.set_fault(
        &a,
        Fault::Status {
            code: 503,
            times: 2,
        },
    );
    world.server.set_fault(
        &b,
        Fault::TooManyRequests {
            retry_after_secs: 1,
            times: 1,
        },
    );
    let project = world.project("p");
    let out = run_ok(project.magefetch().arg("install"));
    assert!(out.stderr.contains("HTTP 503"), "{}", out.stderr);
    assert!(out.stderr.contains("HTTP 429"), "{}", out.stderr);
    let statuses: Vec<u16> = archive_requests(&world.server)
        .iter()
        .filter(|r| r.path == a)
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, vec![503, 503, 200]);
}

#[test]
fn persistent_server_error_fails_with_network_exit_code() {
    let world = World::new();
    let a = archive_path_of(&world, "acme/module-cms");
    world.server.set_fault(
        &a,
        Fault::Status {
            code: 500,
            times: 1000,
        },
    );
    let project = world.project("p");
    let out = run(project.magefetch().arg("install"));
    assert_eq!(out.code, 7, "{}", out.all_output());
    assert!(out.stderr.contains("acme/module-cms"), "{}", out.stderr);
    assert!(out.stderr.contains("HTTP 500"), "{}", out.stderr);
    assert!(!project.vendor().join("acme/module-cms").exists());
}

#[test]
fn checksum_mismatch_leaves_vendor_and_cache_clean() {
    let world = World::new();
    let path = archive_path_of(&world, "acme/module-catalog");
    world
        .server
        .set_fault(&path, Fault::Corrupt { times: 1000 });
    let only = vec![package_value(&world, "acme/module-catalog")];
    let project = world.project_with("p", &only, &[]);
    let out = run(project.magefetch().arg("install"));
    assert_eq!(out.code, 6, "{}", out.all_output());
    let expected = package_value(&world, "acme/module-catalog")["dist"]["shasum"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(out.stderr.contains(&expected), "{}", out.stderr);
    assert!(out.stderr.contains("bytes received"), "{}", out.stderr);
    assert!(!project.vendor().join("acme/module-catalog").exists());
    // The corrupted bytes are not in the cache, not even as a partial file.
    let cache_files: Vec<_> = walk_files(&project.cache.join("files"));
    assert!(cache_files.is_empty(), "{cache_files:?}");
    // Retried once from scratch before failing.
    assert_eq!(archive_requests(&world.server).len(), 2);
}

fn walk_files(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            if e.path().is_dir() {
                out.extend(walk_files(&e.path()));
            } else {
                out.push(e.path());
            }
        }
    }
    out
}

#[test]
fn unauthorized_names_the_problem_and_never_the_secret() {
    let world = World::new();
    let project = world.project("p");
    std::fs::remove_file(project.dir.join("auth.json")).unwrap();
    let out = run(project.magefetch().arg("install"));
    assert_eq!(out.code, 4, "{}", out.all_output());
    assert!(out.stderr.contains("HTTP 401"), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("Your Magento authentication keys are invalid"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("auth.json"),
        "should say where it looked: {}",
        out.stderr
    );
    assert!(out.stderr.contains(&world.origin()), "{}", out.stderr);
    // Rejected credentials would fail every package: the run stops starting new ones.
    assert!(out.stderr.contains("not attempted"), "{}", out.stderr);
    assert!(archive_requests(&world.server).len() < world.repo.latest().len() - 2);

    // Wrong credentials supplied through COMPOSER_AUTH and in the URL: masked everywhere.
    let bad = json!({"http-basic": {world.origin(): {"username": PUBLIC_KEY, "password": "wrong-secret-value"}}});
    let out = run(project
        .magefetch()
        .env("COMPOSER_AUTH", bad.to_string())
        .args(["install", "-vv"]));
    assert_eq!(out.code, 4, "{}", out.all_output());
    assert!(out.stderr.contains("rejected"), "{}", out.stderr);
    for secret in ["wrong-secret-value", PRIVATE_KEY] {
        assert!(
            !out.all_output().contains(secret),
            "secret leaked: {}",
            out.all_output()
        );
    }
}

#[test]
fn forbidden_and_missing_archives_name_the_package() {
    let world = World::new();
    let a = archive_path_of(&world, "acme/module-tax");
    world.server.set_fault(&a, Fault::Forbidden { times: 100 });
    let project = world.project_with(
        "p",
        &[
            package_value(&world, "acme/module-tax"),
            package_value(&world, "acme/framework"),
        ],
        &[],
    );
    let out = run(project.magefetch().arg("install"));
    assert_eq!(out.code, 5, "{}", out.all_output());
    assert!(out.stderr.contains("acme/module-tax"), "{}", out.stderr);
    assert!(out.stderr.contains("403"), "{}", out.stderr);
    // One unavailable package does not stop the others, and what was installed is recorded.
    assert!(project
        .vendor()
        .join("acme/framework/composer.json")
        .is_file());
    let names: Vec<String> = installed_json(&project)["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, vec!["acme/framework"]);

    world.server.clear_faults();
    world.server.remove_file(&a);
    let out = run(project.magefetch().arg("install"));
    assert_eq!(out.code, 5, "{}", out.all_output());
    assert!(out.stderr.contains("404"), "{}", out.stderr);
    assert!(out.stderr.contains("entitled"), "{}", out.stderr);
}

#[test]
fn stalled_transfer_times_out_and_resumes() {
    let world = World::new();
    let path = archive_path_of(&world, "acme/module-sales");
    let size = world.repo.file(&path).unwrap().len() as u64;
    world.server.set_fault(
        &path,
        Fault::Stall {
            after_bytes: size / 2,
            times: 1,
        },
    );
    let project = world.project("p");
    run_ok(
        project
            .magefetch()
            .env("MAGEFETCH_IDLE_TIMEOUT_MS", "2000")
            .arg("install"),
    );
    let reqs: Vec<_> = archive_requests(&world.server)
        .into_iter()
        .filter(|r| r.path == path)
        .collect();
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(
        reqs[1].range.as_deref(),
        Some(format!("bytes={}-", size / 2).as_str())
    );
}

#[test]
fn killed_run_is_completed_by_the_next_one_and_resumes_its_partial_file() {
    let world = World::new();
    let slow = archive_path_of(&world, "acme/module-catalog");
    let size = world.repo.file(&slow).unwrap().len() as u64;
    world.server.set_fault(
        &slow,
        Fault::Trickle {
            chunk: 256,
            delay_ms: 50,
        },
    );
    let project = world.project("p");
    kill_when_served(&world, &project, &slow, size / 2);
    let had = world.server.body_bytes_served(&slow);
    assert!(had > 0 && had < size, "had {had} of {size}");

    world.server.clear_faults();
    world.server.clear_log();
    run_ok(project.magefetch().arg("install"));
    let reqs: Vec<_> = archive_requests(&world.server)
        .into_iter()
        .filter(|r| r.path == slow)
        .collect();
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    let range = reqs[0]
        .range
        .clone()
        .expect("the partial file should be continued with Range");
    let start: u64 = range
        .trim_start_matches("bytes=")
        .trim_end_matches('-')
        .parse()
        .unwrap();
    assert!(start > 0);
    assert_eq!(reqs[0].body_bytes, size - start);

    // The tree equals a clean install.
    let clean = project.clone_to(&world.tmp.path().join("clean"), false);
    run_ok(clean.magefetch().arg("install"));
    assert_eq!(
        snapshot(&project.vendor(), &["composer"]),
        snapshot(&clean.vendor(), &["composer"])
    );
    let a = installed_json(&project);
    let b = installed_json(&clean);
    assert_eq!(a, b);
}

#[test]
fn missing_or_malformed_files_are_clear_errors() {
    let world = World::new();
    let project = world.project("p");
    std::fs::rename(
        project.dir.join("composer.lock"),
        project.dir.join("lock.bak"),
    )
    .unwrap();
    let out = run(project.magefetch().arg("install"));
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("composer.lock"), "{}", out.stderr);
    assert!(out.stderr.contains("magefetch update"), "{}", out.stderr);

    std::fs::write(
        project.dir.join("composer.lock"),
        "{\n  \"packages\": [\n    {,\n  ]\n}\n",
    )
    .unwrap();
    let out = run(project.magefetch().arg("install"));
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("line 3"), "{}", out.stderr);
    assert!(out.stderr.contains("composer.lock"), "{}", out.stderr);

    std::fs::rename(
        project.dir.join("lock.bak"),
        project.dir.join("composer.lock"),
    )
    .unwrap();
    std::fs::write(project.dir.join("composer.json"), "{\"require\": ").unwrap();
    let out = run(project.magefetch().arg("install"));
    assert_eq!(out.code, 3);
    assert!(out.stderr.contains("composer.json"), "{}", out.stderr);
    assert!(out.stderr.contains("line 1"), "{}", out.stderr);
    assert!(!out.stderr.contains("panicked"));
}

#[test]
fn stale_lock_warns_like_composer() {
    let world = World::new();
    let project = world.project_with("p", &[package_value(&world, "acme/framework")], &[]);
    let manifest = project.dir.join("composer.json");
    let mut json: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    json["require"]["acme/other"] = json!("^1.0");
    std::fs::write(&manifest, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let out = run_ok(project.magefetch().arg("install"));
    assert!(out.stderr.contains("not up to date"), "{}", out.stderr);
}

#[test]
fn global_flags_work_before_and_after_the_command() {
    let world = World::new();
    let project = world.project_with("p", &[package_value(&world, "acme/framework")], &[]);
    let elsewhere = world.tmp.path();
    let out = run_ok(
        project
            .magefetch()
            .current_dir(elsewhere)
            .args(["-q", "install", "--working-dir"])
            .arg(&project.dir),
    );
    assert!(
        out.stdout.is_empty() && out.stderr.is_empty(),
        "{}",
        out.all_output()
    );
    assert!(project.vendor().join("acme/framework").is_dir());
    let out = run_ok(
        project
            .magefetch()
            .current_dir(elsewhere)
            .arg("-d")
            .arg(&project.dir)
            .args(["install", "--no-progress", "-n"]),
    );
    assert!(out.stdout.contains("Nothing to install"));
}

#[test]
fn composer_env_and_vendor_dir_are_honoured() {
    let world = World::new();
    let project = world.project_with("p", &[package_value(&world, "acme/framework")], &[]);
    std::fs::rename(
        project.dir.join("composer.json"),
        project.dir.join("other.json"),
    )
    .unwrap();
    std::fs::rename(
        project.dir.join("composer.lock"),
        project.dir.join("other.lock"),
    )
    .unwrap();
    run_ok(
        project
            .magefetch()
            .env("COMPOSER", "other.json")
            .env("COMPOSER_VENDOR_DIR", "libs")
            .arg("install"),
    );
    assert!(project.dir.join("libs/acme/framework").is_dir());
    assert!(project.dir.join("libs/composer/installed.json").is_file());
}

#[test]
fn plain_http_is_refused_unless_secure_http_is_off() {
    let world = World::new();
    let project = world.project_with("p", &[package_value(&world, "acme/framework")], &[]);
    let manifest = project.dir.join("composer.json");
    let mut json: Value =
        serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    json["config"]["secure-http"] = json!(true);
    std::fs::write(&manifest, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    let out = run(project.magefetch().arg("install"));
    assert_eq!(out.code, 3, "{}", out.all_output());
    assert!(out.stderr.contains("secure-http"), "{}", out.stderr);
    assert!(world.server.requests().is_empty());
}

#[test]
fn cache_is_shared_between_projects() {
    let world = World::new();
    let project = world.project("p");
    run_ok(project.magefetch().arg("install"));
    let other = project.clone_to(&world.tmp.path().join("other"), true);
    world.server.clear_log();
    run_ok(other.magefetch().arg("install"));
    assert!(archive_requests(&world.server).is_empty());
    // Cache entries use Composer's key: <name>/<sha1(url)>.<type>.
    let p = package_value(&world, "acme/framework");
    let key =
        magefetch::cache::entry_key("acme/framework", p["dist"]["url"].as_str().unwrap(), "zip");
    assert!(project.cache.join("files").join(key).is_file());
}

#[test]
fn credentials_in_auth_json_of_composer_home_are_used() {
    let world = World::new();
    let project = world.project_with("p", &[package_value(&world, "acme/framework")], &[]);
    std::fs::rename(
        project.dir.join("auth.json"),
        project.home.join("auth.json"),
    )
    .unwrap();
    run_ok(project.magefetch().arg("install"));
    let reqs = archive_requests(&world.server);
    assert!(reqs.iter().all(|r| r.authorized));
}

#[test]
fn requests_without_credentials_for_other_ports() {
    // Exact origin matching: an entry for 127.0.0.1 (no port) must not be sent to 127.0.0.1:PORT.
    let world = World::new();
    let project = world.project_with("p", &[package_value(&world, "acme/framework")], &[]);
    std::fs::write(
        project.dir.join("auth.json"),
        json!({"http-basic": {"127.0.0.1": {"username": PUBLIC_KEY, "password": PRIVATE_KEY}}})
            .to_string(),
    )
    .unwrap();
    let out = run(project.magefetch().arg("install"));
    assert_eq!(out.code, 4, "{}", out.all_output());
    assert!(world
        .server
        .requests()
        .iter()
        .all(|r| r.authorization_header.is_none()));
}

#[test]
fn hostile_archives_are_refused_and_nothing_escapes() {
    use support::{tar_from_entries, zip_from_entries, ArchiveEntry};
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "evil/dotdot",
            zip_from_entries(&[ArchiveEntry::file("../../escaped.txt", "x")]),
            "zip",
        ),
        (
            "evil/absolute",
            zip_from_entries(&[ArchiveEntry::file("/tmp/magefetch-escaped-abs.txt", "x")]),
            "zip",
        ),
        (
            "evil/symlink",
            zip_from_entries(&[ArchiveEntry::symlink("link", "../../../../etc")]),
            "zip",
        ),
        (
            "evil/through-link",
            tar_from_entries(&[
                ArchiveEntry::symlink("d", "."),
                ArchiveEntry::symlink("e", "d/../.."),
            ]),
            "tar",
        ),
        (
            "evil/tar-dotdot",
            tar_from_entries(&[ArchiveEntry::file("a/../../escaped-tar.txt", "x")]),
            "tar",
        ),
        (
            "evil/garbage",
            b"this is not an archive at all".to_vec(),
            "zip",
        ),
    ];
    let world = World::new();
    let mut packages = Vec::new();
    for (name, bytes, kind) in &cases {
        let path = format!("/archives/{name}.{kind}");
        world.server.add_file(&path, bytes.clone());
        packages.push(json!({"name": name, "version": "1.0.0", "type": "library",
            "dist": {"type": kind, "url": format!("{}{path}", world.server.url()), "shasum": ""}}));
    }
    for (i, pkg) in packages.iter().enumerate() {
        let project = world.project_with(&format!("p{i}"), std::slice::from_ref(pkg), &[]);
        let out = run(project.magefetch().arg("install"));
        assert_eq!(out.code, 6, "{}: {}", cases[i].0, out.all_output());
        assert!(out.stderr.contains(cases[i].0), "{}", out.stderr);
        assert!(!project.vendor().join(cases[i].0).exists());
        assert!(!project.dir.join("escaped.txt").exists());
        assert!(!project.vendor().join("escaped.txt").exists());
        assert!(!project.vendor().join("escaped-tar.txt").exists());
        assert!(!std::path::Path::new("/tmp/magefetch-escaped-abs.txt").exists());
        assert!(!out.stderr.contains("panicked"));
    }
}

#[test]
fn damaged_cache_entries_are_replaced() {
    let world = World::new();
    let only = vec![
        package_value(&world, "acme/module-catalog"),
        package_value(&world, "logkit/logger"),
    ];
    let project = world.project_with("p", &only, &[]);
    run_ok(project.magefetch().arg("install"));
    let cached: Vec<_> = walk_files(&project.cache.join("files"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "zip"))
        .collect();
    assert_eq!(cached.len(), 2);
    // Flip bytes in the middle of each cached archive but keep size and mtime, so only the
    // archive itself (CRC, or the lock's sha1 once hashed) can tell.
    for file in &cached {
        let meta = std::fs::metadata(file).unwrap();
        let mut bytes = std::fs::read(file).unwrap();
        let mid = bytes.len() / 2;
        for b in &mut bytes[mid - 50..mid + 50] {
            *b = !*b;
        }
        std::fs::write(file, &bytes).unwrap();
        let f = std::fs::File::options().write(true).open(file).unwrap();
        f.set_modified(meta.modified().unwrap()).unwrap();
    }
    std::fs::remove_dir_all(project.vendor()).unwrap();
    world.server.clear_log();
    run_ok(project.magefetch().arg("install"));
    assert_eq!(
        archive_requests(&world.server).len(),
        2,
        "both damaged archives fetched again"
    );
    assert!(project
        .vendor()
        .join("acme/module-catalog/registration.php")
        .is_file());
    assert!(project
        .vendor()
        .join("logkit/logger/composer.json")
        .is_file());
    // And the cache holds good copies again.
    std::fs::remove_dir_all(project.vendor()).unwrap();
    world.server.clear_log();
    run_ok(project.magefetch().arg("install"));
    assert!(archive_requests(&world.server).is_empty());
}
