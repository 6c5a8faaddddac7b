//! `magefetch update` end to end against the fixture repository on the loopback server:
//! the lock it writes is the one Composer writes, the tree it installs is one Composer calls
//! installed, and an unsolvable request exits with 2 and names what is in the way.

mod support;

use serde_json::Value;
use support::project::{run, run_ok, Project, World};

fn manifest(project: &Project) -> Value {
    serde_json::from_str(&std::fs::read_to_string(project.dir.join("composer.json")).unwrap())
        .unwrap()
}

fn write_manifest(project: &Project, v: &Value) {
    std::fs::write(
        project.dir.join("composer.json"),
        serde_json::to_string_pretty(v).unwrap(),
    )
    .unwrap();
}

/// Loosens every requirement to `*` so that the solver has to choose.
fn loosen(project: &Project) {
    let mut m = manifest(project);
    if let Some(req) = m["require"].as_object_mut() {
        for v in req.values_mut() {
            *v = Value::String("*".into());
        }
    }
    write_manifest(project, &m);
}

#[test]
fn update_writes_composers_lock_and_installs_a_tree_composer_accepts() {
    let world = World::new();
    let ours = world.project("ours");
    loosen(&ours);
    let theirs = ours.clone_to(&world.tmp.path().join("theirs"), false);
    std::fs::remove_file(ours.dir.join("composer.lock")).unwrap();
    std::fs::remove_file(theirs.dir.join("composer.lock")).unwrap();
    let out = run_ok(ours.magefetch().arg("update"));
    assert!(
        out.stderr.contains("Lock file operations:"),
        "{}",
        out.all_output()
    );
    assert!(ours.vendor().join("composer/installed.json").is_file());
    let Some(mut composer) = theirs.composer() else {
        return;
    };
    run_ok(composer.args([
        "update",
        "--no-install",
        "--no-plugins",
        "--no-scripts",
        "-n",
    ]));
    let our_lock = std::fs::read_to_string(ours.dir.join("composer.lock")).unwrap();
    let their_lock = std::fs::read_to_string(theirs.dir.join("composer.lock")).unwrap();
    assert_eq!(
        our_lock, their_lock,
        "composer.lock differs from Composer's"
    );
    let mut install = ours.composer().unwrap();
    let out = run_ok(install.args(["install", "--no-plugins", "--no-scripts", "-n"]));
    assert!(
        out.all_output()
            .contains("Nothing to install, update or remove"),
        "Composer wanted to change the tree:\n{}",
        out.all_output()
    );
    // A second update changes nothing and says so.
    let again = run_ok(ours.magefetch().args(["update", "--no-install"]));
    assert!(
        again.stderr.contains("Nothing to modify in lock file"),
        "{}",
        again.all_output()
    );
    assert_eq!(
        std::fs::read_to_string(ours.dir.join("composer.lock")).unwrap(),
        our_lock
    );
}

#[test]
fn dry_run_writes_nothing() {
    let world = World::new();
    let project = world.project("dry");
    loosen(&project);
    let before = std::fs::read_to_string(project.dir.join("composer.lock")).unwrap();
    run_ok(project.magefetch().args(["update", "--dry-run"]));
    assert_eq!(
        std::fs::read_to_string(project.dir.join("composer.lock")).unwrap(),
        before
    );
    assert!(!project.vendor().exists());
}

#[test]
fn unsolvable_request_exits_2_and_names_the_requirement() {
    let world = World::new();
    let project = world.project("unsolvable");
    let mut m = manifest(&project);
    let name = m["require"]
        .as_object()
        .unwrap()
        .keys()
        .find(|k| k.contains('/'))
        .unwrap()
        .clone();
    m["require"][&name] = Value::String("^99.0".into());
    write_manifest(&project, &m);
    let out = run(project.magefetch().args(["update", "--no-install"]));
    assert_eq!(out.code, 2, "{}", out.all_output());
    assert!(
        out.stderr.contains(&name) && out.stderr.contains("^99.0"),
        "the explanation must name {name} ^99.0:\n{}",
        out.stderr
    );
}

#[test]
fn partial_update_without_a_lock_is_refused() {
    let world = World::new();
    let project = world.project("nolock");
    std::fs::remove_file(project.dir.join("composer.lock")).unwrap();
    let out = run(project
        .magefetch()
        .args(["update", "acme/x", "--no-install"]));
    assert_ne!(out.code, 0);
    assert!(out.stderr.contains("lock file"), "{}", out.stderr);
}
