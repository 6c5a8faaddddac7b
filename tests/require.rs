//! `require`, `remove` and `create-project` side by side with real Composer on the fixture
//! repository: the same command in two copies of one project must leave the same
//! composer.json (byte for byte) and the same composer.lock; a failed resolution leaves both
//! files untouched; and a project made by `create-project` from a repo.magento.com-shaped
//! repository (basic auth, v1 providers) is one `composer install` treats as installed.

mod support;

use std::path::Path;

use serde_json::{json, Value};
use support::project::{run, run_ok, Project, World, PRIVATE_KEY, PUBLIC_KEY};
use support::repos;

/// The latest version of each of these fixture packages.
fn latest(world: &World, names: &[&str]) -> Vec<Value> {
    world
        .repo
        .latest()
        .into_iter()
        .filter(|p| names.contains(&p["name"].as_str().unwrap()))
        .cloned()
        .collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// A project whose lock Composer itself wrote, plus an identical copy.
fn twin_projects(world: &World, name: &str, packages: &[&str]) -> Option<(Project, Project)> {
    let base = world.project_with(name, &latest(world, packages), &[]);
    // Constraints people write, not exact pins.
    let mut manifest: Value = serde_json::from_str(&read(&base.dir.join("composer.json"))).unwrap();
    for (_, c) in manifest["require"].as_object_mut().unwrap() {
        let v = c.as_str().unwrap().to_string();
        *c = json!(format!("^{v}"));
    }
    std::fs::write(
        base.dir.join("composer.json"),
        serde_json::to_string_pretty(&manifest).unwrap() + "\n",
    )
    .unwrap();
    let mut cmd = base.composer()?;
    run_ok(cmd.args([
        "update",
        "--no-install",
        "--no-plugins",
        "--no-scripts",
        "-n",
    ]));
    let copy = base.clone_to(&world.tmp.path().join(format!("{name}-copy")), false);
    Some((base, copy))
}

fn composer_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = extra.to_vec();
    args.extend(["--no-plugins", "--no-scripts", "-n", "--no-progress"]);
    args
}

#[test]
fn require_writes_what_composer_writes() {
    let world = World::new();
    let Some((ours, theirs)) = twin_projects(&world, "req", &["logkit/logger", "httpkit/message"])
    else {
        return;
    };
    // One package without a constraint (guessed from the version locked), one with.
    run_ok(ours.magefetch().args([
        "require",
        "helpers/format",
        "timekit/chronos:^2.1",
        "--no-install",
    ]));
    let mut cmd = theirs.composer().unwrap();
    run_ok(cmd.args(composer_args(&[
        "require",
        "helpers/format",
        "timekit/chronos:^2.1",
        "--no-install",
    ])));
    let manifest = read(&ours.dir.join("composer.json"));
    assert!(
        manifest.contains("\"helpers/format\": \"^1.0\""),
        "{manifest}"
    );
    assert_eq!(
        manifest,
        read(&theirs.dir.join("composer.json")),
        "composer.json"
    );
    assert_eq!(
        read(&ours.dir.join("composer.lock")),
        read(&theirs.dir.join("composer.lock")),
        "composer.lock"
    );
    // The lock is fresh for the edited composer.json, and installs.
    run_ok(ours.magefetch().arg("install"));
    assert!(ours.vendor().join("helpers/strings").is_dir());
    let mut cmd = ours.composer().unwrap();
    let out = run_ok(cmd.args(composer_args(&["install", "--dry-run"])));
    assert!(
        out.all_output()
            .contains("Nothing to install, update or remove")
            && !out.all_output().contains("not up to date"),
        "{}",
        out.all_output()
    );
}

#[test]
fn require_dev_and_sort_packages() {
    let world = World::new();
    let Some((ours, theirs)) = twin_projects(&world, "dev", &["logkit/logger"]) else {
        return;
    };
    for p in [&ours, &theirs] {
        let path = p.dir.join("composer.json");
        let mut m: Value = serde_json::from_str(&read(&path)).unwrap();
        m["config"]["sort-packages"] = json!(true);
        std::fs::write(&path, serde_json::to_string_pretty(&m).unwrap()).unwrap();
    }
    // The lock is now stale for both copies alike; that is part of the scenario.
    run_ok(ours.magefetch().args([
        "require",
        "--dev",
        "idkit/uuid",
        "collectionz/collections:^1.8",
        "--no-install",
    ]));
    let mut cmd = theirs.composer().unwrap();
    run_ok(cmd.args(composer_args(&[
        "require",
        "--dev",
        "idkit/uuid",
        "collectionz/collections:^1.8",
        "--no-install",
    ])));
    assert_eq!(
        read(&ours.dir.join("composer.json")),
        read(&theirs.dir.join("composer.json"))
    );
    assert_eq!(
        read(&ours.dir.join("composer.lock")),
        read(&theirs.dir.join("composer.lock"))
    );
}

#[test]
fn remove_writes_what_composer_writes() {
    let world = World::new();
    let Some((ours, theirs)) = twin_projects(
        &world,
        "rm",
        &["logkit/logger", "httpkit/client", "helpers/format"],
    ) else {
        return;
    };
    run_ok(
        ours.magefetch()
            .args(["remove", "httpkit/client", "--no-install"]),
    );
    let mut cmd = theirs.composer().unwrap();
    run_ok(cmd.args(composer_args(&["remove", "httpkit/client", "--no-install"])));
    let manifest = read(&ours.dir.join("composer.json"));
    assert!(!manifest.contains("httpkit/client"), "{manifest}");
    assert_eq!(manifest, read(&theirs.dir.join("composer.json")));
    let lock = read(&ours.dir.join("composer.lock"));
    assert!(!lock.contains("httpkit/message"), "dependency removed too");
    assert_eq!(lock, read(&theirs.dir.join("composer.lock")));
}

#[test]
fn failed_require_leaves_composer_json_and_lock_alone() {
    let world = World::new();
    let Some((ours, _)) = twin_projects(&world, "fail", &["logkit/logger"]) else {
        return;
    };
    let manifest = read(&ours.dir.join("composer.json"));
    let lock = read(&ours.dir.join("composer.lock"));
    let out = run(ours.magefetch().args(["require", "helpers/format:^9.0"]));
    assert_eq!(out.code, 2, "{}", out.all_output());
    assert!(out.stderr.contains("helpers/format"), "{}", out.stderr);
    assert_eq!(read(&ours.dir.join("composer.json")), manifest);
    assert_eq!(read(&ours.dir.join("composer.lock")), lock);
    // A package that does not exist at all is refused before anything is written.
    let out = run(ours.magefetch().args(["require", "nobody/nothing"]));
    assert_eq!(out.code, 5, "{}", out.all_output());
    assert!(out.stderr.contains("nobody/nothing"), "{}", out.stderr);
    assert_eq!(read(&ours.dir.join("composer.json")), manifest);
    // Secrets never show.
    assert!(!out.all_output().contains(PRIVATE_KEY));
}

#[test]
fn create_project_from_a_magento_shaped_repository() {
    let world = World::new();
    let url = repos::serve_magento_shaped(&world.server, &world.repo);

    let home = world.tmp.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("auth.json"),
        serde_json::to_vec_pretty(&json!({"http-basic": {world.origin(): {
            "username": PUBLIC_KEY, "password": PRIVATE_KEY}}}))
        .unwrap(),
    )
    .unwrap();
    let base = Project {
        dir: world.tmp.path().to_path_buf(),
        home: home.clone(),
        cache: home.join("cache"),
        server_url: world.server.url(),
    };
    let out = run_ok(base.magefetch().args([
        "create-project",
        "acme/project-community-edition",
        "shop",
        "--repository-url",
        &url,
        "--no-secure-http",
    ]));
    assert!(!out.all_output().contains(PRIVATE_KEY));
    let shop = world.tmp.path().join("shop");
    assert!(shop.join("README.md").is_file(), "{}", out.all_output());
    assert!(shop.join("composer.lock").is_file());
    assert!(shop.join("vendor/acme/module-catalog").is_dir());
    assert!(shop.join("vendor/autoload.php").is_file());

    // Composer treats it as installed.
    let project = Project {
        dir: shop.clone(),
        ..base.clone()
    };
    let Some(mut cmd) = project.composer() else {
        return;
    };
    let out = run_ok(cmd.args(composer_args(&["install"])));
    assert!(
        out.all_output()
            .contains("Nothing to install, update or remove"),
        "{}",
        out.all_output()
    );

    // Composer's own create-project chooses the same versions and writes the same lock.
    let mut cmd = base.composer().unwrap();
    run_ok(cmd.args(composer_args(&[
        "create-project",
        "acme/project-community-edition",
        "shop-composer",
        "--repository-url",
        &url,
        "--no-secure-http",
        "--no-install",
    ])));
    let theirs = Project {
        dir: world.tmp.path().join("shop-composer"),
        ..base.clone()
    };
    let mut cmd = theirs.composer().unwrap();
    run_ok(cmd.args(composer_args(&["update", "--no-install"])));
    assert_eq!(
        read(&shop.join("composer.lock")),
        read(&theirs.dir.join("composer.lock"))
    );
}

#[test]
fn create_project_refuses_a_non_empty_directory_and_unknown_packages() {
    let world = World::new();
    let url = world.server.url();
    let home = world.tmp.path().join("home");
    let base = Project {
        dir: world.tmp.path().to_path_buf(),
        home: home.clone(),
        cache: home.join("cache"),
        server_url: url.clone(),
    };
    std::fs::create_dir_all(world.tmp.path().join("busy")).unwrap();
    std::fs::write(world.tmp.path().join("busy/keep.txt"), "mine").unwrap();
    let out = run(base.magefetch().args([
        "create-project",
        "logkit/logger",
        "busy",
        "--repository-url",
        &url,
        "--no-secure-http",
    ]));
    assert_eq!(out.code, 3, "{}", out.all_output());
    assert!(out.stderr.contains("not empty"), "{}", out.stderr);
    assert_eq!(read(&world.tmp.path().join("busy/keep.txt")), "mine");

    // Without credentials the server answers 401: nothing is left behind.
    let out = run(base.magefetch().args([
        "create-project",
        "logkit/logger",
        "fresh",
        "--repository-url",
        &url,
        "--no-secure-http",
    ]));
    assert_eq!(out.code, 4, "{}", out.all_output());
    assert!(!world.tmp.path().join("fresh").exists());
}
