//! Magento's `extra.map` deploy: a magento2-base-shaped fixture is copied into the project root
//! by the installer's rules (kept files, magento-force, magento-deploy-ignore, updates that drop
//! a path) and nothing is ever written outside the project.

mod support;

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use serde_json::{json, Value};
use support::project::{run, run_ok, snapshot, Node, Project, World};

const BASE: &str = "acme/magento2-base";

fn package(world: &World, name: &str, version: &str) -> Value {
    world
        .repo
        .package(name, version)
        .unwrap_or_else(|| panic!("fixture {name} {version}"))
        .clone()
}

/// A project locking the base package at `version` (plus the framework it requires), with
/// root `extra` set and the lock kept fresh.
fn project(world: &World, version: &str, extra: Value) -> Project {
    let framework = package(world, "acme/framework", "103.0.7");
    let logger = package(world, "logkit/logger", "2.3.1");
    let base = package(world, BASE, version);
    let p = world.project_with("p", &[base, framework, logger], &[]);
    set_extra(&p, extra);
    p
}

fn set_extra(p: &Project, extra: Value) {
    let path = p.dir.join("composer.json");
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    manifest["extra"] = extra;
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
    let lock_path = p.dir.join("composer.lock");
    let mut lock: Value =
        serde_json::from_str(&std::fs::read_to_string(&lock_path).unwrap()).unwrap();
    lock["content-hash"] = json!(magefetch::composer::content_hash::content_hash(&manifest));
    std::fs::write(&lock_path, magefetch::composer::json::to_pretty(&lock)).unwrap();
}

/// Files of the project root outside vendor/ and the project's own files: path → content.
fn deployed(p: &Project) -> BTreeMap<String, String> {
    snapshot(
        &p.dir,
        &["vendor", "composer.json", "composer.lock", "auth.json"],
    )
    .into_iter()
    .filter(|(_, n)| matches!(n, Node::File { .. }))
    .map(|(path, _)| {
        let text = std::fs::read_to_string(p.dir.join(&path)).unwrap();
        (path, text)
    })
    .collect()
}

fn fixture_file(version: &str, rel: &str) -> String {
    let path = support::fixtures_dir()
        .join("repo/packages")
        .join(BASE)
        .join(version)
        .join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[test]
fn deploys_the_map_keeps_existing_files_and_honours_ignore() {
    let world = World::new();
    let p = project(
        &world,
        "2.4.7",
        json!({"magento-deploy-ignore": {"*": ["/dev/tests/static"]}}),
    );
    std::fs::create_dir_all(p.dir.join("pub")).unwrap();
    std::fs::write(p.dir.join("pub/index.php"), "<?php // mine\n").unwrap();
    run_ok(p.magefetch().arg("install"));

    let mut expected: BTreeMap<String, String> = [
        ".htaccess",
        "app/bootstrap.php",
        "app/etc/NonComposerComponentRegistration.php",
        "app/etc/di.xml",
        "bin/magento",
        "lib/web/old-widget/widget.css",
        "lib/web/old-widget/widget.js",
        "pub/errors/default/page.phtml",
        "pub/static/.htaccess",
        "setup/src/Magento/Setup/Application.php",
        "var/.htaccess",
    ]
    .iter()
    .map(|f| (f.to_string(), fixture_file("2.4.7", f)))
    .collect();
    // Kept: it existed before and magento-force is not set.
    expected.insert("pub/index.php".into(), "<?php // mine\n".into());
    expected.insert(
        "app/etc/vendor_path.php".into(),
        "<?php\n/**\n * Path to Composer vendor directory\n */\nreturn './vendor';\n".into(),
    );
    expected.insert("var/.regenerate".into(), String::new());
    // dev/tests/static is ignored; app/design/frontend/Magento is mapped but not shipped.
    assert_eq!(deployed(&p), expected);
    assert_eq!(
        mode(&p.dir.join("bin/magento")),
        0o755,
        "bin/magento is executable"
    );
    assert_eq!(
        mode(&p.vendor().join("acme/magento2-base/bin/magento")),
        0o644
    );
    let out = run_ok(std::process::Command::new("php").arg(p.dir.join("bin/magento")));
    assert_eq!(out.stdout, "Magento CLI 2.4.7\n");

    // A second run deploys nothing again.
    let before = snapshot(&p.dir, &["vendor"]);
    std::thread::sleep(std::time::Duration::from_millis(20));
    let out = run_ok(p.magefetch().arg("install"));
    assert!(out.stdout.contains("Nothing to install"), "{}", out.stdout);
    assert_eq!(snapshot(&p.dir, &["vendor"]), before);
}

#[test]
fn magento_force_overwrites_existing_files() {
    let world = World::new();
    let p = project(&world, "2.4.7", json!({"magento-force": "override"}));
    std::fs::create_dir_all(p.dir.join("pub")).unwrap();
    std::fs::write(p.dir.join("pub/index.php"), "<?php // mine\n").unwrap();
    std::fs::write(p.dir.join(".htaccess"), "mine\n").unwrap();
    run_ok(p.magefetch().arg("install"));
    let tree = deployed(&p);
    assert_eq!(
        tree["pub/index.php"],
        fixture_file("2.4.7", "pub/index.php")
    );
    assert_eq!(tree[".htaccess"], fixture_file("2.4.7", ".htaccess"));
    assert_eq!(
        tree["dev/tests/static/config.json"],
        fixture_file("2.4.7", "dev/tests/static/config.json")
    );
}

#[test]
fn update_replaces_deployed_files_and_removes_dropped_ones() {
    let world = World::new();
    let p = project(&world, "2.4.7", json!({}));
    std::fs::create_dir_all(p.dir.join("pub")).unwrap();
    std::fs::write(p.dir.join("pub/index.php"), "<?php // mine\n").unwrap();
    run_ok(p.magefetch().arg("install"));
    assert!(p.dir.join("lib/web/old-widget/widget.js").is_file());
    // A file of the user's inside a deployed directory survives the removal of that mapping.
    std::fs::write(p.dir.join("lib/web/old-widget/notes.txt"), "mine\n").unwrap();

    let p = project(&world, "2.4.8", json!({}));
    let out = run_ok(p.magefetch().arg("install"));
    assert!(out.stdout.contains("updated 1"), "{}", out.stdout);
    let tree = deployed(&p);
    // Dropped by 2.4.8: removed.
    assert!(!tree.contains_key("lib/web/old-widget/widget.js"));
    assert!(!tree.contains_key("lib/web/old-widget/widget.css"));
    assert_eq!(tree["lib/web/old-widget/notes.txt"], "mine\n");
    // New in 2.4.8: added.
    assert_eq!(
        tree["lib/web/new-widget/widget.js"],
        fixture_file("2.4.8", "lib/web/new-widget/widget.js")
    );
    // Deployed by 2.4.7: replaced by the 2.4.8 file.
    for f in [
        "app/bootstrap.php",
        "bin/magento",
        "setup/src/Magento/Setup/Application.php",
    ] {
        assert_eq!(tree[f], fixture_file("2.4.8", f), "{f}");
    }
    // Never deployed by magefetch: still the user's.
    assert_eq!(tree["pub/index.php"], "<?php // mine\n");
    assert_eq!(mode(&p.dir.join("bin/magento")), 0o755);

    // Back to 2.4.7: the dropped directory comes back, the new one goes, empty dirs pruned.
    std::fs::remove_file(p.dir.join("lib/web/old-widget/notes.txt")).unwrap();
    let p = project(&world, "2.4.7", json!({}));
    run_ok(p.magefetch().arg("install"));
    assert!(p.dir.join("lib/web/old-widget/widget.js").is_file());
    assert!(!p.dir.join("lib/web/new-widget").exists());
}

#[test]
fn a_map_entry_leaving_the_project_is_refused() {
    let world = World::new();
    for (target, shown) in [
        ("../outside.php", "../outside.php"),
        ("/tmp/magefetch-outside.php", "/tmp/magefetch-outside.php"),
    ] {
        let mut evil = package(&world, BASE, "2.4.7");
        evil["extra"]["map"]
            .as_array_mut()
            .unwrap()
            .push(json!(["bin/magento", target]));
        let framework = package(&world, "acme/framework", "103.0.7");
        let logger = package(&world, "logkit/logger", "2.3.1");
        let p = world.project_with("evil", &[evil, framework, logger], &[]);
        let out = run(p.magefetch().arg("install"));
        assert_eq!(out.code, 3, "{}", out.all_output());
        assert!(
            out.stderr.contains(&format!(
                "package `acme/magento2-base`: the map entry [\"bin/magento\", \"{shown}\"]"
            )),
            "{}",
            out.stderr
        );
        assert!(!world.tmp.path().join("outside.php").exists());
        assert!(!Path::new("/tmp/magefetch-outside.php").exists());
        // Nothing of the package was deployed; the package itself is installed and recorded.
        assert!(deployed(&p).is_empty(), "{:?}", deployed(&p));
        assert!(p.vendor().join("acme/magento2-base/bin/magento").is_file());
        std::fs::remove_dir_all(&p.dir).unwrap();
    }
}

#[test]
fn a_symlinked_directory_leading_out_is_not_written_through() {
    let world = World::new();
    let p = project(&world, "2.4.7", json!({}));
    let outside = world.tmp.path().join("elsewhere");
    std::fs::create_dir_all(&outside).unwrap();
    std::os::unix::fs::symlink(&outside, p.dir.join("setup")).unwrap();
    let out = run(p.magefetch().arg("install"));
    assert_ne!(out.code, 0, "{}", out.all_output());
    assert!(
        out.stderr
            .contains("leads outside the project through a symlink"),
        "{}",
        out.stderr
    );
    assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 0);
}
