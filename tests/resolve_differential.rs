//! Differential test of `magefetch update --no-install` against real Composer 2.5.5.
//!
//! A seeded generator writes small `composer` repositories (inline `packages.json`, or v2
//! `metadata-url` files in the minified `composer/2.0` form) and root composer.json files:
//! chains, diamonds, conflicts that need backtracking, stability flags, replace / provide /
//! conflict, platform requirements through `config.platform`, require-dev, unsatisfiable sets,
//! branch and inline aliases, `-pN` versions, and partial updates from an existing lock
//! (`update acme/x`, `-w`, `-W`). Hand-written cases cover each point of
//! `resolution-traps.md`, and one case is shaped like Magento (a metapackage pinning hundreds
//! of exact versions, from `fixtures/bench/magento-2.4.7-p1-packages.json`).
//!
//! Each case runs `composer update --no-install` and `magefetch update --no-install` in two
//! copies of the project. Both must fail with exit code 2, or both succeed with byte-identical
//! composer.lock files. A failure prints the case's name (with its seed) and a diff.
//!
//! `MAGEFETCH_DIFF_CASES=N` changes the number of generated cases (default 240),
//! `MAGEFETCH_DIFF_SEED=S` replays one seed.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value};

const BIN: &str = env!("CARGO_BIN_EXE_magefetch");

fn composer_available() -> bool {
    Command::new("composer")
        .arg("--version")
        .env("COMPOSER_ALLOW_SUPERUSER", "1")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

fn have_composer() -> bool {
    if composer_available() {
        return true;
    }
    assert!(
        std::env::var_os("MAGEFETCH_REQUIRE_COMPOSER").is_none(),
        "composer and php are required (MAGEFETCH_REQUIRE_COMPOSER is set)"
    );
    eprintln!("composer not installed: skipping");
    false
}

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

/// How the repository is written.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Layout {
    Inline,
    MetadataUrl,
}

/// One step of a case: a composer.json and the update arguments.
#[derive(Clone, Debug)]
struct Step {
    root: Value,
    args: Vec<String>,
}

#[derive(Clone, Debug)]
struct Case {
    name: String,
    /// name → list of version entries, in repository order.
    packages: Vec<(String, Vec<Value>)>,
    layout: Layout,
    /// Run with Composer first to produce the lock both tools start from.
    prior: Option<Step>,
    step: Step,
}

fn entry(name: &str, version: &str, extra: Value) -> Value {
    let mut m = Map::new();
    m.insert("name".into(), json!(name));
    m.insert("version".into(), json!(version));
    if let Value::Object(e) = extra {
        for (k, v) in e {
            m.insert(k, v);
        }
    }
    m.entry("dist").or_insert_with(|| {
        json!({"type": "zip", "url": format!("https://example.invalid/{name}/{version}.zip"), "reference": format!("ref-{version}"), "shasum": ""})
    });
    Value::Object(m)
}

const VERSIONS: &[&str] = &[
    "1.0.0",
    "1.0.1",
    "1.1.0",
    "1.2.0",
    "2.0.0",
    "2.1.0",
    "2.0.0-beta1",
    "2.0.0-RC1",
    "1.5.0-alpha1",
    "3.0.0",
    "0.9.0",
    "2.4.7",
    "2.4.7-p1",
    "2.4.7-p2",
    "v1.3.0",
    "1.0",
    "dev-master",
    "1.x-dev",
    "dev-main",
];

const CONSTRAINTS: &[&str] = &[
    "^1.0",
    "^2.0",
    "~1.1",
    "1.*",
    ">=1.0 <2.0",
    "*",
    "^1.0 || ^2.0",
    ">=2.0",
    "<2.0",
    "1.0.0",
    "^2.4.7",
    "2.4.7-p1",
    ">=1.0-beta",
    "^1.1",
    "^3.0",
    "~2.4.7",
    "<=2.0",
    ">1.0",
    "^0.9",
];

/// Constraints most versions satisfy, so that most generated cases are solvable.
const FRIENDLY: &[&str] = &[
    "^1.0",
    "*",
    "^1.0 || ^2.0",
    ">=1.0",
    "^2.0",
    "~1.1",
    "1.*",
    "<2.0",
    ">=1.0-beta",
    "^1.0 || ^2.0 || ^3.0",
];

const ROOT_CONSTRAINTS: &[&str] = &[
    "^1.0",
    "^2.0",
    "*",
    "~1.1",
    "^1.0 || ^2.0",
    "@dev",
    "^2.0@beta",
    "dev-master",
    ">=1.0",
    "^2.4.7",
    "2.4.7-p1",
    "1.x-dev",
    "^1.0@stable",
    "2.0.0-RC1",
    ">=2.0-beta",
    "dev-master as 1.9.0",
];

/// A random repository and root for `seed`.
fn generate(seed: u64) -> Case {
    let mut rng = Rng(seed);
    let friendly = rng.chance(85);
    let vendors = ["acme", "beta", "corp"];
    let count = 3 + rng.below(6);
    let names: Vec<String> = (0..count)
        .map(|i| format!("{}/p{i}", rng.pick(&vendors)))
        .collect();
    let mut packages = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let mut versions: Vec<&str> = Vec::new();
        for _ in 0..(2 + rng.below(5)) {
            let v = *rng.pick(VERSIONS);
            if !versions.contains(&v) {
                versions.push(v);
            }
        }
        if rng.chance(70) {
            versions.sort_by_key(|v| (v.starts_with("dev-"), *v));
        } else {
            rng.shuffle(&mut versions);
        }
        let mut entries = Vec::new();
        for v in versions {
            let mut extra = Map::new();
            let mut require = Map::new();
            let deps = if friendly { rng.below(3) } else { rng.below(4) };
            for _ in 0..deps {
                let target = rng.pick(&names).clone();
                if target == *name {
                    continue;
                }
                let c = if rng.chance(5) {
                    "self.version"
                } else if friendly {
                    *rng.pick(FRIENDLY)
                } else {
                    *rng.pick(CONSTRAINTS)
                };
                require.insert(target, json!(c));
            }
            if rng.chance(if friendly { 6 } else { 15 }) {
                let (p, c) = *rng.pick(&[
                    ("php", ">=7.4"),
                    ("php", "^8.0"),
                    ("php", "<7.0"),
                    ("ext-json", "*"),
                    ("ext-nonexistent-xyz", "*"),
                    ("php-64bit", "*"),
                    ("composer-plugin-api", "^2.0"),
                    ("lib-fantasy", "^1"),
                ]);
                require.insert(p.to_string(), json!(c));
            }
            if rng.chance(if friendly { 4 } else { 10 }) {
                require.insert("virt/log-impl".into(), json!("^1.0"));
            }
            if !require.is_empty() {
                extra.insert("require".into(), Value::Object(require));
            }
            if rng.chance(12) {
                let target = rng.pick(&names).clone();
                if target != *name {
                    extra.insert(
                        "conflict".into(),
                        json!({ target: *rng.pick(&["<1.1", ">=2.0", "*", "1.0.0"]) }),
                    );
                }
            }
            if rng.chance(8) {
                let target = rng.pick(&names).clone();
                if target != *name {
                    extra.insert(
                        "replace".into(),
                        json!({ target: *rng.pick(&["self.version", "^1.0", "*", "2.0.0"]) }),
                    );
                }
            }
            if rng.chance(12) {
                extra.insert(
                    "provide".into(),
                    json!({"virt/log-impl": *rng.pick(&["1.0.0", "2.0.0", "1.5.0"])}),
                );
            }
            if v.starts_with("dev-") && rng.chance(60) {
                if rng.chance(50) {
                    extra.insert(
                        "extra".into(),
                        json!({"branch-alias": {v: *rng.pick(&["1.x-dev", "2.1.x-dev", "1.0.x-dev"])}}),
                    );
                } else {
                    extra.insert("default-branch".into(), json!(true));
                }
            }
            if rng.chance(30) {
                extra.insert(
                    "time".into(),
                    json!(format!("2024-0{}-1{} 10:00:00", 1 + i % 9, rng.below(10))),
                );
            }
            if rng.chance(20) {
                extra.insert(
                    "type".into(),
                    json!(*rng.pick(&[
                        "library",
                        "Metapackage",
                        "magento2-module",
                        "composer-plugin"
                    ])),
                );
            }
            if rng.chance(20) {
                extra.insert(
                    "autoload".into(),
                    json!({"psr-4": {"Acme\\P\\": "src/"}, "classmap": []}),
                );
            }
            if rng.chance(10) {
                extra.insert("require-dev".into(), json!({"phpunit/phpunit": "^9"}));
            }
            if rng.chance(10) {
                extra.insert(
                    "suggest".into(),
                    json!({"z/z": "for z", "a/a": "self.version"}),
                );
            }
            entries.push(entry(name, v, Value::Object(extra)));
        }
        packages.push((name.clone(), entries));
    }
    rng.shuffle(&mut packages);
    let layout = if rng.chance(35) {
        Layout::MetadataUrl
    } else {
        Layout::Inline
    };
    let mut root = Map::new();
    let mut require = Map::new();
    for _ in 0..(1 + rng.below(3)) {
        let n = rng.pick(&names).clone();
        let c = if friendly && rng.chance(80) {
            *rng.pick(FRIENDLY)
        } else {
            *rng.pick(ROOT_CONSTRAINTS)
        };
        require.insert(n, json!(c));
    }
    if rng.chance(10) {
        require.insert("virt/log-impl".into(), json!("^1.0"));
    }
    if rng.chance(10) {
        require.insert(
            "php".into(),
            json!(*rng.pick(&[">=7.4", "^8.0", "^7.4 || ^8.0"])),
        );
    }
    root.insert("require".into(), Value::Object(require));
    if rng.chance(30) {
        let n = rng.pick(&names).clone();
        root.insert(
            "require-dev".into(),
            json!({ n: *rng.pick(ROOT_CONSTRAINTS) }),
        );
    }
    if rng.chance(40) {
        root.insert(
            "minimum-stability".into(),
            json!(*rng.pick(&["dev", "beta", "RC", "alpha", "stable"])),
        );
    }
    if rng.chance(35) {
        root.insert("prefer-stable".into(), json!(rng.chance(70)));
    }
    if rng.chance(35) {
        let mut platform = Map::new();
        platform.insert(
            "php".into(),
            json!(*rng.pick(&["7.4.33", "8.1.0", "8.3.1"])),
        );
        if rng.chance(30) {
            platform.insert("ext-json".into(), json!(false));
        }
        if rng.chance(30) {
            platform.insert("ext-nonexistent-xyz".into(), json!("1.2.3"));
        }
        root.insert("config".into(), json!({ "platform": platform }));
    }
    if rng.chance(8) {
        let n = rng.pick(&names).clone();
        root.insert("conflict".into(), json!({ n: "<1.1" }));
    }
    let mut args = Vec::new();
    if rng.chance(8) {
        args.push("--prefer-lowest".to_string());
    }
    let step = Step {
        root: Value::Object(root.clone()),
        args,
    };
    // Partial updates: lock with pinned requirements first, then loosen one and update it.
    let prior = if rng.chance(25) {
        let mut pinned = root.clone();
        if let Some(Value::Object(req)) = pinned.get_mut("require") {
            for v in req.values_mut() {
                *v = json!(*rng.pick(&["^1.0", "1.0.0", "~1.1", "*", "^1.0 || ^2.0"]));
            }
        }
        Some(Step {
            root: Value::Object(pinned),
            args: Vec::new(),
        })
    } else {
        None
    };
    let mut case = Case {
        name: format!("generated seed {seed}"),
        packages,
        layout,
        prior,
        step,
    };
    if case.prior.is_some() {
        let target = case
            .step
            .root
            .get("require")
            .and_then(Value::as_object)
            .and_then(|r| r.keys().find(|k| k.contains('/')).cloned());
        if let Some(t) = target {
            case.step.args.push(t);
            match rng.below(3) {
                0 => case.step.args.push("-w".into()),
                1 => case.step.args.push("-W".into()),
                _ => {}
            }
        }
    }
    case
}

fn repo_packages_json(case: &Case, repo_dir: &Path) -> Value {
    match case.layout {
        Layout::Inline => {
            let mut packages = Map::new();
            for (name, versions) in &case.packages {
                let mut by_version = Map::new();
                for v in versions {
                    let key = v["version"].as_str().unwrap_or_default().to_string();
                    by_version.insert(key, v.clone());
                }
                packages.insert(name.clone(), Value::Object(by_version));
            }
            json!({ "packages": packages })
        }
        Layout::MetadataUrl => {
            let url = format!("file://{}/p2/%package%.json", repo_dir.display());
            let names: Vec<&String> = case.packages.iter().map(|(n, _)| n).collect();
            json!({"packages": [], "metadata-url": url, "available-packages": names})
        }
    }
}

/// `MetadataMinifier::minify`.
fn minify(versions: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut last: Option<&Map<String, Value>> = None;
    for v in versions {
        let m = v.as_object().expect("object");
        match last {
            None => out.push(v.clone()),
            Some(prev) => {
                let mut diff = Map::new();
                for (k, val) in m {
                    if prev.get(k) != Some(val) {
                        diff.insert(k.clone(), val.clone());
                    }
                }
                for k in prev.keys() {
                    if !m.contains_key(k) {
                        diff.insert(k.clone(), json!("__unset"));
                    }
                }
                out.push(Value::Object(diff));
            }
        }
        last = Some(m);
    }
    out
}

fn write_repo(case: &Case, dir: &Path) {
    std::fs::create_dir_all(dir.join("p2")).unwrap();
    let root = repo_packages_json(case, dir);
    std::fs::write(
        dir.join("packages.json"),
        serde_json::to_vec_pretty(&root).unwrap(),
    )
    .unwrap();
    if case.layout == Layout::MetadataUrl {
        for (name, versions) in &case.packages {
            let is_dev = |v: &Value| {
                let s = v["version"].as_str().unwrap_or_default();
                s.starts_with("dev-") || s.ends_with("-dev")
            };
            let tagged: Vec<Value> = versions.iter().filter(|v| !is_dev(v)).cloned().collect();
            let dev: Vec<Value> = versions.iter().filter(|v| is_dev(v)).cloned().collect();
            let path = dir.join("p2").join(format!("{name}.json"));
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            for (file, list) in [
                (path.clone(), tagged),
                (dir.join("p2").join(format!("{name}~dev.json")), dev),
            ] {
                let body = json!({"minified": "composer/2.0", "packages": { name.clone(): minify(&list) }});
                std::fs::write(file, serde_json::to_vec(&body).unwrap()).unwrap();
            }
        }
    }
}

fn with_repo(root: &Value, repo_dir: &Path) -> Value {
    let mut m = root.as_object().cloned().unwrap_or_default();
    m.insert(
        "repositories".into(),
        json!([{"type": "composer", "url": format!("file://{}", repo_dir.display())}, {"packagist.org": false}]),
    );
    Value::Object(m)
}

struct Run {
    code: i32,
    lock: Option<String>,
    output: String,
}

fn composer(dir: &Path, home: &Path, args: &[String]) -> Run {
    let out = Command::new("composer")
        .arg("update")
        .args([
            "--no-install",
            "--no-plugins",
            "--no-scripts",
            "-n",
            "--no-audit",
        ])
        .args(args)
        .current_dir(dir)
        .env("COMPOSER_HOME", home)
        .env("COMPOSER_CACHE_DIR", home.join("cache"))
        .env("COMPOSER_ALLOW_SUPERUSER", "1")
        .env_remove("COMPOSER")
        .output()
        .expect("composer runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        lock: std::fs::read_to_string(dir.join("composer.lock")).ok(),
        output: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn magefetch(dir: &Path, home: &Path, args: &[String]) -> Run {
    let out = Command::new(BIN)
        .arg("update")
        .arg("--no-install")
        .args(args)
        .current_dir(dir)
        .env("COMPOSER_HOME", home)
        .env("COMPOSER_CACHE_DIR", home.join("cache"))
        .env_remove("COMPOSER")
        .output()
        .expect("magefetch runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        lock: std::fs::read_to_string(dir.join("composer.lock")).ok(),
        output: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// name → version of a lock.
fn locked_versions(lock: &str) -> Vec<(String, String, bool)> {
    let v: Value = serde_json::from_str(lock).unwrap_or(Value::Null);
    let mut out = Vec::new();
    for (key, dev) in [("packages", false), ("packages-dev", true)] {
        for p in v.get(key).and_then(Value::as_array).into_iter().flatten() {
            out.push((
                p["name"].as_str().unwrap_or_default().to_string(),
                p["version"].as_str().unwrap_or_default().to_string(),
                dev,
            ));
        }
    }
    out.sort();
    out
}

fn diff(a: &str, b: &str) -> String {
    let al: Vec<&str> = a.lines().collect();
    let bl: Vec<&str> = b.lines().collect();
    let mut out = String::new();
    let n = al.len().max(bl.len());
    let mut shown = 0;
    for i in 0..n {
        let x = al.get(i).copied();
        let y = bl.get(i).copied();
        if x != y {
            out.push_str(&format!(
                "@@ line {}\n- {}\n+ {}\n",
                i + 1,
                x.unwrap_or(""),
                y.unwrap_or("")
            ));
            shown += 1;
            if shown > 12 {
                out.push_str("…\n");
                break;
            }
        }
    }
    out
}

/// Runs one case; `Err` describes the disagreement.
fn run_case(case: &Case, base: &Path) -> Result<bool, String> {
    let repo = base.join("repo");
    write_repo(case, &repo);
    let home = base.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let (c_dir, m_dir) = (base.join("c"), base.join("m"));
    for d in [&c_dir, &m_dir] {
        std::fs::create_dir_all(d).unwrap();
    }
    if let Some(prior) = &case.prior {
        let p_dir = base.join("prior");
        std::fs::create_dir_all(&p_dir).unwrap();
        std::fs::write(
            p_dir.join("composer.json"),
            serde_json::to_vec_pretty(&with_repo(&prior.root, &repo)).unwrap(),
        )
        .unwrap();
        let r = composer(&p_dir, &home, &prior.args);
        let Some(lock) = r.lock else {
            // No starting lock: the case is a plain update.
            return run_step(case, &case.step, &repo, &home, &c_dir, &m_dir, false);
        };
        for d in [&c_dir, &m_dir] {
            std::fs::write(d.join("composer.lock"), &lock).unwrap();
        }
    }
    run_step(
        case,
        &case.step,
        &repo,
        &home,
        &c_dir,
        &m_dir,
        case.prior.is_some(),
    )
}

fn run_step(
    case: &Case,
    step: &Step,
    repo: &Path,
    home: &Path,
    c_dir: &Path,
    m_dir: &Path,
    partial: bool,
) -> Result<bool, String> {
    let manifest = serde_json::to_vec_pretty(&with_repo(&step.root, repo)).unwrap();
    for d in [c_dir, m_dir] {
        std::fs::write(d.join("composer.json"), &manifest).unwrap();
    }
    let args: Vec<String> = if partial {
        step.args.clone()
    } else {
        step.args
            .iter()
            .filter(|a| a.starts_with("--"))
            .cloned()
            .collect()
    };
    let c = composer(c_dir, home, &args);
    let m = magefetch(m_dir, home, &args);
    let context = || {
        format!(
            "case `{}` (args {:?})\ncomposer.json: {}\ncomposer said:\n{}\nmagefetch said:\n{}",
            case.name,
            args,
            serde_json::to_string(&step.root).unwrap(),
            c.output
                .lines()
                .rev()
                .take(25)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n"),
            m.output
                .lines()
                .rev()
                .take(25)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect::<Vec<_>>()
                .join("\n"),
        )
    };
    if c.code != 0 {
        if m.code == c.code {
            return Ok(false);
        }
        return Err(format!(
            "exit codes differ: composer {}, magefetch {}\n{}",
            c.code,
            m.code,
            context()
        ));
    }
    if m.code != 0 {
        return Err(format!(
            "composer succeeded, magefetch exited {}\n{}",
            m.code,
            context()
        ));
    }
    let (cl, ml) = (c.lock.unwrap_or_default(), m.lock.unwrap_or_default());
    if locked_versions(&cl) != locked_versions(&ml) {
        return Err(format!(
            "different choices:\n composer:  {:?}\n magefetch: {:?}\n{}",
            locked_versions(&cl),
            locked_versions(&ml),
            context()
        ));
    }
    if cl != ml {
        return Err(format!(
            "same choices, different composer.lock:\n{}\n{}",
            diff(&cl, &ml),
            context()
        ));
    }
    Ok(true)
}

/// Runs cases on two workers (two Composer processes at a time).
fn run_all(cases: Vec<Case>) -> (usize, usize, Vec<String>) {
    let cases = Arc::new(cases);
    let next = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(Mutex::new(Vec::new()));
    let solvable = Arc::new(AtomicUsize::new(0));
    let tmp = tempfile::tempdir().unwrap();
    let root: PathBuf = tmp.path().to_path_buf();
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (cases, next, failures, solvable, root) = (
                cases.clone(),
                next.clone(),
                failures.clone(),
                solvable.clone(),
                root.clone(),
            );
            std::thread::spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                let Some(case) = cases.get(i) else { break };
                let dir = root.join(format!("case{i}"));
                match run_case(case, &dir) {
                    Ok(true) => {
                        solvable.fetch_add(1, Ordering::SeqCst);
                    }
                    Ok(false) => {}
                    Err(e) => failures.lock().unwrap().push(e),
                }
                let _ = std::fs::remove_dir_all(&dir);
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let failures = std::mem::take(&mut *failures.lock().unwrap());
    (cases.len(), solvable.load(Ordering::SeqCst), failures)
}

fn report(label: &str, total: usize, solvable: usize, failures: &[String]) {
    eprintln!(
        "{label}: {total} cases ({solvable} solvable, {} unsolvable), {} agree with Composer, {} disagree",
        total - solvable - failures.len().min(total - solvable),
        total - failures.len(),
        failures.len()
    );
    for f in failures.iter().take(8) {
        eprintln!("----\n{f}");
    }
}

#[test]
fn generated_cases_match_composer() {
    if !have_composer() {
        return;
    }
    let seeds: Vec<u64> = match std::env::var("MAGEFETCH_DIFF_SEED") {
        Ok(s) => vec![s.parse().expect("MAGEFETCH_DIFF_SEED is a number")],
        Err(_) => {
            let n: u64 = std::env::var("MAGEFETCH_DIFF_CASES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(240);
            (1..=n).collect()
        }
    };
    let cases: Vec<Case> = seeds.into_iter().map(generate).collect();
    let (total, solvable, failures) = run_all(cases);
    report("generated", total, solvable, &failures);
    assert!(
        failures.is_empty(),
        "{} of {total} cases disagree with Composer",
        failures.len()
    );
}

/// A hand-written case: entries in repository order (grouped by name in first-seen order).
fn case(name: &str, entries: Vec<Value>, root: Value) -> Case {
    let mut packages: Vec<(String, Vec<Value>)> = Vec::new();
    for e in entries {
        let n = e["name"].as_str().unwrap_or_default().to_string();
        match packages
            .iter_mut()
            .find(|(p, _)| p.to_lowercase() == n.to_lowercase())
        {
            Some((_, list)) => list.push(e),
            None => packages.push((n, vec![e])),
        }
    }
    Case {
        name: name.to_string(),
        packages,
        layout: Layout::Inline,
        prior: None,
        step: Step {
            root,
            args: Vec::new(),
        },
    }
}

fn e(name: &str, version: &str, extra: Value) -> Value {
    entry(name, version, extra)
}

/// The points of resolution-traps.md, each as a case (some in several variants).
fn trap_cases() -> Vec<Case> {
    let mut out = Vec::new();
    // 1. Root requirement order decides diamonds; so does a dependency's own require order.
    let diamond = vec![
        e("acme/a", "1.0.0", json!({"require": {"acme/c": "^1.0"}})),
        e("acme/a", "2.0.0", json!({"require": {"acme/c": "^2.0"}})),
        e("acme/b", "1.0.0", json!({"require": {"acme/c": "^2.0"}})),
        e("acme/b", "2.0.0", json!({"require": {"acme/c": "^1.0"}})),
        e("acme/c", "1.0.0", json!({})),
        e("acme/c", "2.0.0", json!({})),
    ];
    out.push(case(
        "trap 1: diamond a first",
        diamond.clone(),
        json!({"require": {"acme/a": "*", "acme/b": "*"}}),
    ));
    out.push(case(
        "trap 1: diamond b first",
        diamond.clone(),
        json!({"require": {"acme/b": "*", "acme/a": "*"}}),
    ));
    let mut via = diamond.clone();
    via.push(e(
        "acme/top",
        "1.0.0",
        json!({"require": {"acme/b": "*", "acme/a": "*"}}),
    ));
    out.push(case(
        "trap 1: order inside a dependency",
        via,
        json!({"require": {"acme/top": "*"}}),
    ));
    // 2. Equal versions: the first listed wins and its spelling is locked; equal providers.
    out.push(case(
        "trap 2: 1.0 / 1.0.0 / v1.0.0",
        vec![
            e("acme/a", "v1.0.0", json!({})),
            e("acme/a", "1.0", json!({})),
            e("acme/a", "1.0.0", json!({})),
        ],
        json!({"require": {"acme/a": "^1.0"}}),
    ));
    out.push(case(
        "trap 2: 1.0.0 listed first",
        vec![
            e("acme/a", "1.0.0", json!({})),
            e("acme/a", "v1.0.0", json!({})),
            e("acme/a", "1.0", json!({})),
        ],
        json!({"require": {"acme/a": "^1.0"}}),
    ));
    let providers = vec![
        e(
            "zeta/logger",
            "1.0.0",
            json!({"provide": {"psr/log-implementation": "1.0.0"}}),
        ),
        e(
            "alpha/logger",
            "1.0.0",
            json!({"provide": {"psr/log-implementation": "1.0.0"}}),
        ),
        e(
            "psr/logger",
            "1.0.0",
            json!({"provide": {"psr/log-implementation": "1.0.0"}}),
        ),
        e(
            "acme/app",
            "1.0.0",
            json!({"require": {"psr/log-implementation": "^1.0"}}),
        ),
    ];
    out.push(case(
        "trap 2: first listed provider wins",
        providers.clone(),
        json!({"require": {"acme/app": "*", "alpha/logger": "*", "zeta/logger": "*"}}),
    ));
    out.push(case(
        "trap 2: same-vendor provider wins",
        providers.clone(),
        json!({"require": {"alpha/logger": "*", "zeta/logger": "*", "psr/logger": "*", "psr/log-implementation": "^1.0"}}),
    ));
    // 3. Providers and replacers count only when required by name.
    out.push(case(
        "trap 3: provider not required by name",
        providers.clone(),
        json!({"require": {"acme/app": "*"}}),
    ));
    out.push(case(
        "trap 3: replacer not required by name",
        vec![
            e(
                "acme/big",
                "1.0.0",
                json!({"replace": {"acme/small": "self.version"}}),
            ),
            e(
                "acme/app",
                "1.0.0",
                json!({"require": {"acme/small": "^1.0"}}),
            ),
        ],
        json!({"require": {"acme/app": "*"}}),
    ));
    // 4. conflict ignores provided names, applies to replaced names; package + replacer.
    out.push(case(
        "trap 4: conflict vs provide",
        vec![
            e("acme/p", "1.0.0", json!({"provide": {"acme/x": "1.0.0"}})),
            e("acme/q", "1.0.0", json!({"conflict": {"acme/x": "*"}})),
        ],
        json!({"require": {"acme/p": "*", "acme/q": "*"}}),
    ));
    out.push(case(
        "trap 4: conflict vs replace",
        vec![
            e("acme/p", "1.0.0", json!({"replace": {"acme/x": "1.0.0"}})),
            e("acme/q", "1.0.0", json!({"conflict": {"acme/x": "*"}})),
        ],
        json!({"require": {"acme/p": "*", "acme/q": "*"}}),
    ));
    out.push(case(
        "trap 4: package and its replacer",
        vec![
            e("acme/x", "1.0.0", json!({})),
            e("acme/x", "1.1.0", json!({})),
            e(
                "acme/bundle",
                "1.0.0",
                json!({"replace": {"acme/x": "self.version"}}),
            ),
        ],
        json!({"require": {"acme/x": "^1.0", "acme/bundle": "*"}}),
    ));
    // 5. prefer-stable takes the most stable; dev ordering.
    let stabilities = vec![
        e("acme/s", "1.0.0-RC1", json!({})),
        e("acme/s", "1.5.0-beta1", json!({})),
        e("acme/s", "2.0.0-alpha1", json!({})),
    ];
    out.push(case(
        "trap 5: prefer-stable RC over newer beta",
        stabilities.clone(),
        json!({"require": {"acme/s": "*"}, "minimum-stability": "alpha", "prefer-stable": true}),
    ));
    out.push(case(
        "trap 5: highest without prefer-stable",
        stabilities,
        json!({"require": {"acme/s": "*"}, "minimum-stability": "alpha"}),
    ));
    out.push(case(
        "trap 5: 1.0.x-dev beats 1.0.5 at dev",
        vec![
            e("acme/d", "1.0.5", json!({})),
            e("acme/d", "1.0.x-dev", json!({})),
        ],
        json!({"require": {"acme/d": "^1.0"}, "minimum-stability": "dev"}),
    ));
    out.push(case(
        "trap 5: dev-master below releases",
        vec![
            e("acme/d", "1.0.5", json!({})),
            e("acme/d", "dev-master", json!({})),
        ],
        json!({"require": {"acme/d": "*"}, "minimum-stability": "dev"}),
    ));
    out.push(case(
        "trap 5: default-branch dev-master",
        vec![
            e("acme/d", "1.0.5", json!({})),
            e("acme/d", "dev-master", json!({"default-branch": true})),
        ],
        json!({"require": {"acme/d": "*"}, "minimum-stability": "dev"}),
    ));
    // 6. Stability flags come from the root only.
    let betas = vec![
        e("acme/f", "1.0.0", json!({})),
        e(
            "acme/f",
            "2.0.0-beta1",
            json!({"require": {"acme/g": "^1.0"}}),
        ),
        e("acme/g", "1.0.0", json!({})),
        e("acme/g", "1.1.0-beta1", json!({})),
    ];
    out.push(case(
        "trap 6: >=2.0-beta implies beta",
        betas.clone(),
        json!({"require": {"acme/f": ">=2.0-beta"}}),
    ));
    out.push(case(
        "trap 6: >= 2.0-beta with a space",
        betas.clone(),
        json!({"require": {"acme/f": ">= 2.0-beta"}}),
    ));
    out.push(case(
        "trap 6: @stable at minimum-stability dev",
        betas.clone(),
        json!({"require": {"acme/f": "*@stable"}, "minimum-stability": "dev"}),
    ));
    out.push(case(
        "trap 6: flag only for that package",
        betas,
        json!({"require": {"acme/f": "^2.0@beta"}}),
    ));
    // 7. require-dev can change non-dev choices.
    out.push(case(
        "trap 7: dev replacer moves into packages",
        vec![
            e(
                "acme/lib",
                "1.0.0",
                json!({"require": {"acme/small": "^1.0"}}),
            ),
            e("acme/small", "1.0.0", json!({})),
            e(
                "acme/big",
                "1.0.0",
                json!({"replace": {"acme/small": "1.0.0"}}),
            ),
            e("acme/tool", "1.0.0", json!({"require": {"acme/big": "*"}})),
        ],
        json!({"require": {"acme/lib": "*"}, "require-dev": {"acme/tool": "*"}}),
    ));
    // 8. Version quirks.
    out.push(case(
        "trap 8: -pN ordering",
        vec![
            e("acme/m", "2.4.7", json!({})),
            e("acme/m", "2.4.7-p10", json!({})),
            e("acme/m", "2.4.7-p1", json!({})),
            e("acme/m", "2.4.7.1", json!({})),
            e("acme/m", "2.4.7-p2", json!({})),
        ],
        json!({"require": {"acme/m": "~2.4.7"}}),
    ));
    let edges = vec![
        e("acme/e", "1.0.0", json!({})),
        e("acme/e", "1.0.0-p1", json!({})),
        e("acme/e", "2.0.0-beta1", json!({})),
        e("acme/e", "1.0.0-RC1", json!({})),
    ];
    for c in [
        "<2.0",
        "<=2.0",
        ">1.0",
        ">=1.0.0-RC1",
        ">=master",
        "1.0.0-",
        "^1.9 || ^2.8 || !=2.2.16",
        "1.0 -  2.0",
        "main",
    ] {
        out.push(case(
            &format!("trap 8: constraint `{c}`"),
            edges.clone(),
            json!({"require": {"acme/e": c}, "minimum-stability": "dev"}),
        ));
    }
    out.push(case(
        "trap 8: dev-main is not special",
        vec![
            e("acme/n", "dev-main", json!({})),
            e("acme/n", "1.0.0", json!({})),
        ],
        json!({"require": {"acme/n": "*"}, "minimum-stability": "dev"}),
    ));
    // 9. Smaller ones.
    out.push(case(
        "trap 9: upper-case root requirement",
        vec![e("acme/u", "1.0.0", json!({}))],
        json!({"require": {"Acme/U": "*"}}),
    ));
    out.push(case(
        "trap 9: mixed-case dependency name kept",
        vec![
            e(
                "Acme/Mixed",
                "1.0.0",
                json!({"require": {"Acme/Other": "*"}}),
            ),
            e("Acme/Other", "1.0.0", json!({})),
        ],
        json!({"require": {"acme/mixed": "*"}}),
    ));
    out.push(case(
        "trap 9: self.version",
        vec![
            e("acme/core", "1.0.0", json!({})),
            e("acme/core", "1.1.0", json!({})),
            e(
                "acme/plugin",
                "1.0.0",
                json!({"require": {"acme/core": "self.version"}}),
            ),
        ],
        json!({"require": {"acme/plugin": "*", "acme/core": "*"}}),
    ));
    out.push(case(
        "trap 9: inline alias in the root",
        vec![
            e("acme/lib", "dev-main", json!({})),
            e(
                "acme/app",
                "1.0.0",
                json!({"require": {"acme/lib": "^1.2"}}),
            ),
        ],
        json!({"require": {"acme/lib": "dev-main as 1.2.0", "acme/app": "*"}}),
    ));
    out.push(case(
        "trap 9: inline alias in a dependency does nothing",
        vec![
            e("acme/lib", "dev-main", json!({})),
            e(
                "acme/app",
                "1.0.0",
                json!({"require": {"acme/lib": "dev-main as 1.2.0"}}),
            ),
        ],
        json!({"require": {"acme/app": "*"}, "minimum-stability": "dev"}),
    ));
    out.push(case(
        "trap 9: composer APIs",
        vec![e("acme/plugin", "1.0.0", json!({"type": "composer-plugin", "require": {"composer-plugin-api": "^2.3", "composer-runtime-api": "^2.2.2", "composer": "2.5.5"}})),
             e("acme/plugin", "1.1.0", json!({"type": "composer-plugin", "require": {"composer-plugin-api": "^2.4"}}))],
        json!({"require": {"acme/plugin": "*"}}),
    ));
    out.push(case(
        "trap 9: polyfill satisfies a disabled extension",
        vec![
            e("acme/poly", "1.0.0", json!({"provide": {"ext-mbstring": "*"}})),
            e("acme/app", "1.0.0", json!({"require": {"ext-mbstring": "*"}})),
        ],
        json!({"require": {"acme/app": "*", "acme/poly": "*"}, "config": {"platform": {"ext-mbstring": false}}}),
    ));
    out.push(case(
        "branch alias",
        vec![
            e(
                "acme/b",
                "dev-master",
                json!({"extra": {"branch-alias": {"dev-master": "2.1.x-dev"}}}),
            ),
            e("acme/b", "2.0.0", json!({})),
            e(
                "acme/user",
                "1.0.0",
                json!({"require": {"acme/b": "^2.1@dev"}}),
            ),
        ],
        json!({"require": {"acme/user": "*", "acme/b": "^2.1@dev"}}),
    ));
    out.push(case(
        "unsatisfiable: conflicting requirements",
        vec![
            e("acme/a", "1.0.0", json!({"require": {"acme/c": "^1.0"}})),
            e("acme/b", "1.0.0", json!({"require": {"acme/c": "^2.0"}})),
            e("acme/c", "1.0.0", json!({})),
            e("acme/c", "2.0.0", json!({})),
        ],
        json!({"require": {"acme/a": "*", "acme/b": "*"}}),
    ));
    out.push(case(
        "backtracking: newest a needs an older b",
        vec![
            e("acme/a", "1.0.0", json!({"require": {"acme/b": "^1.0"}})),
            e(
                "acme/a",
                "2.0.0",
                json!({"require": {"acme/b": "^1.0", "acme/c": "^2.0"}}),
            ),
            e(
                "acme/b",
                "1.0.0",
                json!({"require": {"acme/c": "^1.0 || ^2.0"}}),
            ),
            e("acme/b", "1.1.0", json!({"require": {"acme/c": "^1.0"}})),
            e("acme/c", "1.0.0", json!({})),
            e("acme/c", "2.0.0", json!({})),
        ],
        json!({"require": {"acme/a": "*", "acme/b": "*"}}),
    ));
    out
}

/// A Magento-shaped repository: every package of the Magento 2.4.7-p1 data set, plus an older
/// and a newer patch release of each, and a root requiring the product metapackage.
fn magento_case() -> Option<Case> {
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/bench/magento-2.4.7-p1-packages.json");
    let data: Vec<Value> = serde_json::from_slice(&std::fs::read(path).ok()?).ok()?;
    let known: Vec<&str> = data.iter().filter_map(|p| p["name"].as_str()).collect();
    let mut entries = Vec::new();
    for p in &data {
        let name = p["name"].as_str()?;
        let version = p["version"].as_str()?;
        // The data set has no replace/provide: requirements on names it does not hold
        // (satisfied by replacers in the real shop) are dropped.
        let require: Map<String, Value> = p
            .get("require")
            .and_then(Value::as_object)
            .map(|r| {
                r.iter()
                    .filter(|(k, _)| !k.contains('/') || known.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        let require = Value::Object(require);
        let extra = json!({"type": p["type"], "require": require, "time": "2024-06-01 00:00:00"});
        let normalized = p["version_normalized"].as_str()?;
        let parts: Vec<u64> = normalized
            .split(['.', '-'])
            .take(3)
            .filter_map(|x| x.parse().ok())
            .collect();
        if parts.len() == 3 && !version.starts_with("dev-") {
            let older = if parts[2] > 0 {
                format!("{}.{}.{}", parts[0], parts[1], parts[2] - 1)
            } else {
                format!("{}.{}.0-beta1", parts[0], parts[1])
            };
            entries.push(e(name, &older, extra.clone()));
        }
        entries.push(e(name, version, extra.clone()));
        if parts.len() == 3 && !version.starts_with("dev-") {
            entries.push(e(
                name,
                &format!("{}.{}.{}", parts[0], parts[1], parts[2] + 50),
                extra.clone(),
            ));
        }
    }
    let mut platform = Map::new();
    platform.insert("php".into(), json!("8.2.20"));
    for ext in [
        "ext-bcmath",
        "ext-ctype",
        "ext-curl",
        "ext-dom",
        "ext-fileinfo",
        "ext-filter",
        "ext-gd",
        "ext-hash",
        "ext-iconv",
        "ext-intl",
        "ext-json",
        "ext-libxml",
        "ext-mbstring",
        "ext-openssl",
        "ext-pcre",
        "ext-pdo_mysql",
        "ext-simplexml",
        "ext-soap",
        "ext-sockets",
        "ext-sodium",
        "ext-spl",
        "ext-xmlwriter",
        "ext-xsl",
        "ext-zip",
        "ext-zlib",
        "ext-xml",
        "ext-tokenizer",
        "ext-phar",
        "lib-libxml",
    ] {
        platform.insert(ext.into(), json!("8.2.20"));
    }
    let mut c = case(
        "magento-shaped: product-community-edition 2.4.7-p1",
        entries,
        json!({"require": {"magento/product-community-edition": "2.4.7-p1"}, "config": {"platform": platform}}),
    );
    c.layout = Layout::MetadataUrl;
    Some(c)
}

#[test]
fn hand_written_cases_match_composer() {
    if !have_composer() {
        return;
    }
    let mut cases = trap_cases();
    cases.extend(magento_case());
    // Partial updates on a hand-written repository: `update acme/a`, `-w`, `-W`.
    let repo = vec![
        e("acme/a", "1.0.0", json!({"require": {"acme/b": "^1.0"}})),
        e("acme/a", "1.1.0", json!({"require": {"acme/b": "^1.1"}})),
        e("acme/b", "1.0.0", json!({"require": {"acme/c": "^1.0"}})),
        e("acme/b", "1.1.0", json!({"require": {"acme/c": "^1.0"}})),
        e("acme/c", "1.0.0", json!({})),
        e("acme/c", "1.1.0", json!({})),
    ];
    for args in [
        vec!["acme/a"],
        vec!["acme/a", "-w"],
        vec!["acme/a", "-W"],
        vec!["acme/*"],
        vec!["acme/c"],
    ] {
        let mut c = case(
            &format!("partial update {args:?}"),
            repo.clone(),
            json!({"require": {"acme/a": "^1.0", "acme/c": "^1.0"}}),
        );
        c.prior = Some(Step {
            root: json!({"require": {"acme/a": "1.0.0", "acme/c": "1.0.0"}}),
            args: Vec::new(),
        });
        c.step.args = args.iter().map(|s| s.to_string()).collect();
        cases.push(c);
    }
    let (total, solvable, failures) = run_all(cases);
    report("hand-written", total, solvable, &failures);
    assert!(
        failures.is_empty(),
        "{} of {total} cases disagree with Composer",
        failures.len()
    );
}
