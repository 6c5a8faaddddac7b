//! Interop with real Composer (Debian's composer + php-cli) against the same test server:
//! Composer accepts magefetch's tree as installed, the package files are byte-identical to the
//! ones Composer writes, and the files cache is shared both ways.

mod support;

use std::collections::BTreeMap;

use serde_json::Value;
use support::project::{run_ok, snapshot, Node, Project, World};

/// What is compared between trees: every package file, but not what each tool generates
/// itself (vendor/composer, the autoloader, bin proxies).
const GENERATED: &[&str] = &["composer", "autoload.php", "bin"];

fn archive_requests(world: &World) -> usize {
    world
        .server
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/archives/"))
        .count()
}

fn composer_install(project: &Project) -> Option<String> {
    let mut cmd = project.composer()?;
    let out = run_ok(cmd.args([
        "install",
        "--no-plugins",
        "--no-scripts",
        "-n",
        "--no-progress",
    ]));
    Some(out.all_output())
}

fn locked_versions(project: &Project) -> BTreeMap<String, String> {
    let lock: Value =
        serde_json::from_str(&std::fs::read_to_string(project.dir.join("composer.lock")).unwrap())
            .unwrap();
    lock["packages"]
        .as_array()
        .unwrap()
        .iter()
        .chain(lock["packages-dev"].as_array().unwrap())
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_lowercase(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn composer_accepts_the_tree_as_installed() {
    let world = World::new();
    let project = world.project("p");
    assert!(locked_versions(&project).len() >= 30);
    run_ok(project.magefetch().arg("install"));
    let before = snapshot(&project.vendor(), GENERATED);
    world.server.clear_log();
    let Some(output) = composer_install(&project) else {
        return;
    };
    assert!(
        output.contains("Nothing to install, update or remove"),
        "Composer wanted to change the tree:\n{output}"
    );
    assert_eq!(archive_requests(&world), 0, "Composer downloaded something");
    assert_eq!(
        snapshot(&project.vendor(), GENERATED),
        before,
        "Composer changed package files"
    );

    // `composer show` lists every locked package at its locked version.
    let mut show = project.composer().unwrap();
    let out = run_ok(show.args(["show", "--format=json", "--no-plugins", "-n"]));
    let shown: Value = serde_json::from_str(&out.stdout).unwrap();
    let shown: BTreeMap<String, String> = shown["installed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["name"].as_str().unwrap().to_lowercase(),
                p["version"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(shown, locked_versions(&project));
}

#[test]
fn package_files_are_byte_identical_to_composers() {
    let world = World::new();
    let ours = world.project("ours");
    run_ok(ours.magefetch().arg("install"));
    let theirs = ours.clone_to(&world.tmp.path().join("theirs"), false);
    if composer_install(&theirs).is_none() {
        return;
    }
    let a = snapshot(&ours.vendor(), GENERATED);
    let b = snapshot(&theirs.vendor(), GENERATED);
    let only_ours: Vec<_> = a.keys().filter(|k| !b.contains_key(*k)).collect();
    let only_theirs: Vec<_> = b.keys().filter(|k| !a.contains_key(*k)).collect();
    assert!(
        only_ours.is_empty() && only_theirs.is_empty(),
        "ours only: {only_ours:?}\ncomposer only: {only_theirs:?}"
    );
    let differing: Vec<_> = a
        .iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), v.clone(), b[k].clone()))
        .collect();
    assert!(
        differing.is_empty(),
        "differences (path, ours, composer): {differing:#?}"
    );
    // The comparison covered real content: files, a symlink, and non-default modes.
    assert!(a.len() > 300, "{}", a.len());
    assert!(a.values().any(|n| matches!(n, Node::Link { .. })));
    assert!(a
        .values()
        .any(|n| matches!(n, Node::File { mode: 0o600, .. })));
}

#[test]
fn a_cache_filled_by_composer_is_used_by_magefetch() {
    let world = World::new();
    let filled = world.project("filled");
    if composer_install(&filled).is_none() {
        return;
    }
    let user = filled.clone_to(&world.tmp.path().join("user"), true);
    world.server.clear_log();
    run_ok(user.magefetch().arg("install"));
    assert_eq!(archive_requests(&world), 0);
    assert_eq!(
        snapshot(&user.vendor(), GENERATED),
        snapshot(&filled.vendor(), GENERATED)
    );
}

#[test]
fn a_cache_filled_by_magefetch_is_used_by_composer() {
    let world = World::new();
    let filled = world.project("filled");
    run_ok(filled.magefetch().arg("install"));
    let user = filled.clone_to(&world.tmp.path().join("user"), true);
    world.server.clear_log();
    let Some(output) = composer_install(&user) else {
        return;
    };
    assert_eq!(
        archive_requests(&world),
        0,
        "Composer downloaded instead of using the cache:\n{output}"
    );
    assert_eq!(
        snapshot(&user.vendor(), GENERATED),
        snapshot(&filled.vendor(), GENERATED)
    );
}
