//! Which autoload rules apply, in which order: Composer's `parseAutoloads`.
//!
//! The package map is the root package followed by every installed package (installed.json
//! order) at its install path. Without dev mode the packages of `dev-package-names` are left
//! out (or, when that list is empty, every package the root does not reach through `require`
//! and `replace`). Then:
//!
//! - `psr-0` and `psr-4`: root first, then installed.json order; each namespace's directories in
//!   that order; namespaces sorted in reverse byte order (so `Foo\Bar\` comes before `Foo\`).
//! - `files` and `exclude-from-classmap`: packages sorted so that dependencies come before their
//!   users ([`super::sort`]), the root last. A `files` entry is keyed by
//!   `md5("<name>:<path>")`, the identifier `autoload_real.php` uses to include it once.
//! - `classmap`: the reverse of that order (root first).
//! - The root package's `autoload-dev` is merged into its `autoload` in dev mode only.
//! - A package with `target-dir` has it stripped from its install path; `files`, `classmap`
//!   and exclusion paths that do not exist there get it prepended again.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::md5::Md5;
use serde_json::{Map, Value};

use super::paths::normalize;
use super::sort::{sort_packages, SortItem};

/// One package of the map: the root (install path = project directory) or an installed one.
pub struct Unit {
    /// Lower-cased name.
    pub name: String,
    /// Absolute, normalised install path (for the root, the project directory).
    pub install_path: String,
    pub is_root: bool,
    pub target_dir: Option<String>,
    pub autoload: Map<String, Value>,
    /// The root's `autoload-dev` (empty for installed packages).
    pub autoload_dev: Map<String, Value>,
    pub requires: Vec<String>,
    pub replaces: Vec<String>,
    pub include_paths: Vec<String>,
}

/// The rules that end up in the generated files; all paths absolute and normalised.
#[derive(Debug, Default)]
pub struct Autoloads {
    pub psr0: Vec<(String, Vec<String>)>,
    pub psr4: Vec<(String, Vec<String>)>,
    pub classmap: Vec<String>,
    /// (identifier, path), in inclusion order.
    pub files: Vec<(String, String)>,
    pub exclude: Vec<super::classmap::Exclude>,
    pub include_paths: Vec<String>,
}

/// A package whose autoload rules Composer refuses.
#[derive(Debug)]
pub struct InvalidRule {
    pub package: String,
    pub message: String,
}

/// Builds the rules from the root and the installed packages (installed.json order).
pub fn parse_autoloads(
    root: &Unit,
    packages: Vec<Unit>,
    dev_mode: bool,
    dev_package_names: &[String],
) -> Result<Autoloads, InvalidRule> {
    for p in &packages {
        validate(p)?;
    }
    let packages: Vec<Unit> = if dev_mode {
        packages
    } else if !dev_package_names.is_empty() {
        packages
            .into_iter()
            .filter(|p| !dev_package_names.contains(&p.name))
            .collect()
    } else {
        reachable_from_root(root, packages)
    };
    let items: Vec<SortItem> = packages
        .iter()
        .map(|p| SortItem {
            name: p.name.clone(),
            requires: p.requires.clone(),
        })
        .collect();
    let sorted: Vec<&Unit> = sort_packages(&items)
        .into_iter()
        .map(|i| &packages[i])
        .chain(std::iter::once(root))
        .collect();
    let declared: Vec<&Unit> = std::iter::once(root).chain(packages.iter()).collect();
    let reversed: Vec<&Unit> = sorted.iter().rev().copied().collect();

    let mut out = Autoloads {
        psr0: namespaces(&declared, "psr-0", dev_mode),
        psr4: namespaces(&declared, "psr-4", dev_mode),
        ..Autoloads::default()
    };
    for unit in &reversed {
        for (_, path) in entries(unit, "classmap", dev_mode) {
            out.classmap.push(resolve(unit, &file_path(unit, &path)));
        }
    }
    let mut file_index: HashMap<String, usize> = HashMap::new();
    for unit in &sorted {
        for (_, path) in entries(unit, "files", dev_mode) {
            let path = file_path(unit, &path);
            let id = Md5::hex(format!("{}:{}", unit.name, path).as_bytes());
            let resolved = resolve(unit, &path);
            match file_index.get(&id) {
                Some(&i) => out.files[i].1 = resolved,
                None => {
                    file_index.insert(id.clone(), out.files.len());
                    out.files.push((id, resolved));
                }
            }
        }
        for (_, path) in entries(unit, "exclude-from-classmap", dev_mode) {
            let path = file_path(unit, &path);
            if let Some(rule) = super::classmap::Exclude::new(&base_path(unit), &path) {
                out.exclude.push(rule);
            }
        }
    }
    for unit in &declared {
        let base = base_path(unit);
        for p in &unit.include_paths {
            let p = p.trim_matches('/');
            out.include_paths.push(normalize(&format!("{base}/{p}")));
        }
    }
    Ok(out)
}

fn validate(p: &Unit) -> Result<(), InvalidRule> {
    let Some(Value::Object(psr4)) = p.autoload.get("psr-4") else {
        return Ok(());
    };
    if psr4.is_empty() {
        return Ok(());
    }
    if p.target_dir.is_some() {
        return Err(InvalidRule {
            package: p.name.clone(),
            message: "PSR-4 autoloading is incompatible with the target-dir property".to_string(),
        });
    }
    for ns in psr4.keys() {
        if !ns.is_empty() && !ns.ends_with('\\') {
            return Err(InvalidRule {
                package: p.name.clone(),
                message: format!(
                    "psr-4 namespaces must end with a namespace separator, `{ns}` does not, use `{ns}\\`"
                ),
            });
        }
    }
    Ok(())
}

/// The install path without `target-dir` (for the root, the project directory).
fn base_path(unit: &Unit) -> String {
    match (&unit.target_dir, unit.is_root) {
        (Some(t), false) => {
            let suffix = format!("/{t}");
            unit.install_path
                .strip_suffix(&suffix)
                .unwrap_or(&unit.install_path)
                .to_string()
        }
        _ => unit.install_path.clone(),
    }
}

/// A `files`/`classmap`/exclusion path, with `target-dir` added back when the path does not
/// exist without it (or removed from a root path that starts with it).
fn file_path(unit: &Unit, path: &str) -> String {
    let Some(target) = &unit.target_dir else {
        return path.to_string();
    };
    if Path::new(&format!("{}/{}", base_path(unit), path)).exists() {
        return path.to_string();
    }
    if unit.is_root {
        let trimmed = path.trim_start_matches(['/', '\\']);
        trimmed
            .strip_prefix(target.as_str())
            .unwrap_or(trimmed)
            .trim_start_matches(['/', '\\'])
            .to_string()
    } else {
        format!("{target}/{path}")
    }
}

fn resolve(unit: &Unit, path: &str) -> String {
    let base = base_path(unit);
    if path.is_empty() {
        normalize(&base)
    } else {
        normalize(&format!("{base}/{path}"))
    }
}

/// `(key, path)` pairs of one autoload type, the root's `autoload-dev` merged in dev mode.
fn entries(unit: &Unit, kind: &str, dev_mode: bool) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut add = |value: Option<&Value>| match value {
        Some(Value::Object(map)) => {
            for (key, paths) in map {
                for path in as_paths(paths) {
                    out.push((key.clone(), path));
                }
            }
        }
        Some(Value::Array(list)) => {
            for (i, paths) in list.iter().enumerate() {
                for path in as_paths(paths) {
                    out.push((i.to_string(), path));
                }
            }
        }
        _ => {}
    };
    add(unit.autoload.get(kind));
    if unit.is_root && dev_mode {
        add(unit.autoload_dev.get(kind));
    }
    out
}

fn as_paths(value: &Value) -> Vec<String> {
    match value {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// psr-0/psr-4 namespace → directories, in declaration order, then sorted in reverse.
fn namespaces(units: &[&Unit], kind: &str, dev_mode: bool) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for unit in units {
        // The root merges autoload and autoload-dev per namespace (array_merge_recursive).
        for (ns, path) in entries(unit, kind, dev_mode) {
            let dir = resolve(unit, &path);
            match index.get(&ns) {
                Some(&i) => out[i].1.push(dir),
                None => {
                    index.insert(ns.clone(), out.len());
                    out.push((ns, vec![dir]));
                }
            }
        }
    }
    out.sort_by(|a, b| b.0.cmp(&a.0));
    out
}

/// Composer's legacy no-dev filter: packages reachable from the root's `require`, following
/// `require` links and `replace`d names.
fn reachable_from_root(root: &Unit, packages: Vec<Unit>) -> Vec<Unit> {
    let by_name: HashMap<&str, &Unit> = packages.iter().map(|p| (p.name.as_str(), p)).collect();
    let mut replaced_by: HashMap<&str, &str> = HashMap::new();
    for p in &packages {
        for r in &p.replaces {
            replaced_by.insert(r.as_str(), p.name.as_str());
        }
    }
    let mut include: HashSet<String> = HashSet::new();
    let mut stack: Vec<&Unit> = vec![root];
    while let Some(unit) = stack.pop() {
        for target in &unit.requires {
            let target = replaced_by
                .get(target.as_str())
                .copied()
                .unwrap_or(target.as_str());
            if include.insert(target.to_string()) {
                if let Some(p) = by_name.get(target) {
                    stack.push(p);
                }
            }
        }
    }
    let keep: Vec<bool> = packages
        .iter()
        .map(|p| include.contains(&p.name) || p.replaces.iter().any(|r| include.contains(r)))
        .collect();
    packages
        .into_iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(p))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn unit(name: &str, autoload: Value, requires: &[&str]) -> Unit {
        Unit {
            name: name.to_string(),
            install_path: format!("/p/vendor/{name}"),
            is_root: false,
            target_dir: None,
            autoload: autoload.as_object().cloned().unwrap_or_default(),
            autoload_dev: Map::new(),
            requires: requires.iter().map(|s| s.to_string()).collect(),
            replaces: Vec::new(),
            include_paths: Vec::new(),
        }
    }

    fn root(requires: &[&str]) -> Unit {
        Unit {
            name: "acme/root".into(),
            install_path: "/p".into(),
            is_root: true,
            autoload:
                json!({"psr-4": {"Lib\\": "src/"}, "files": ["boot.php"], "classmap": ["classes/"]})
                    .as_object()
                    .cloned()
                    .unwrap_or_default(),
            autoload_dev: json!({"psr-4": {"Lib\\": "tests/"}})
                .as_object()
                .cloned()
                .unwrap_or_default(),
            ..unit("acme/root", json!({}), requires)
        }
    }

    fn packages() -> Vec<Unit> {
        vec![
            unit(
                "a/app",
                json!({"files": ["a.php"], "classmap": ["cm"], "psr-4": {"Lib\\": "a/", "Lib\\Sub\\": "s/"}}),
                &["z/base"],
            ),
            unit("m/dev-tool", json!({"files": ["dev.php"]}), &[]),
            unit(
                "z/base",
                json!({"files": ["z.php"], "classmap": ["cm"], "psr-0": {"Z_": "lib/"}}),
                &[],
            ),
        ]
    }

    #[test]
    fn order_and_precedence() {
        let rules = parse_autoloads(&root(&["a/app"]), packages(), true, &[]).unwrap();
        // PSR: namespaces reverse-sorted; for one namespace the root (with autoload-dev) first.
        assert_eq!(
            rules.psr4,
            vec![
                (
                    "Lib\\Sub\\".to_string(),
                    vec!["/p/vendor/a/app/s".to_string()]
                ),
                (
                    "Lib\\".to_string(),
                    vec![
                        "/p/src".into(),
                        "/p/tests".into(),
                        "/p/vendor/a/app/a".into()
                    ]
                ),
            ]
        );
        // files: dependencies first, the root last; identifiers are md5("name:path").
        let files: Vec<&str> = rules.files.iter().map(|(_, p)| p.as_str()).collect();
        assert_eq!(
            files,
            [
                "/p/vendor/z/base/z.php",
                "/p/vendor/a/app/a.php",
                "/p/vendor/m/dev-tool/dev.php",
                "/p/boot.php"
            ]
        );
        assert_eq!(rules.files[0].0, Md5::hex(b"z/base:z.php"));
        // classmap: the reverse (root first).
        assert_eq!(
            rules.classmap,
            ["/p/classes", "/p/vendor/a/app/cm", "/p/vendor/z/base/cm"]
        );
    }

    #[test]
    fn no_dev_filters() {
        // By dev-package-names, and without autoload-dev.
        let rules = parse_autoloads(
            &root(&["a/app"]),
            packages(),
            false,
            &["m/dev-tool".to_string()],
        )
        .unwrap();
        assert!(rules.files.iter().all(|(_, p)| !p.contains("dev-tool")));
        assert!(!rules
            .psr4
            .iter()
            .any(|(_, dirs)| dirs.contains(&"/p/tests".to_string())));
        // Without the list: only what the root's require reaches.
        let rules = parse_autoloads(&root(&["a/app"]), packages(), false, &[]).unwrap();
        assert_eq!(rules.files.len(), 3);
        assert!(rules.files.iter().all(|(_, p)| !p.contains("dev-tool")));
    }

    #[test]
    fn target_dir_and_invalid_rules() {
        let mut legacy = unit(
            "l/old",
            json!({"psr-0": {"Old_": ""}, "classmap": ["Old.php"]}),
            &[],
        );
        legacy.target_dir = Some("Old/Lib".into());
        legacy.install_path = "/p/vendor/l/old/Old/Lib".into();
        let rules = parse_autoloads(&root(&[]), vec![legacy], true, &[]).unwrap();
        assert_eq!(
            rules.psr0,
            vec![("Old_".to_string(), vec!["/p/vendor/l/old".to_string()])]
        );
        assert_eq!(rules.classmap[1], "/p/vendor/l/old/Old/Lib/Old.php");
        let bad = unit("b/bad", json!({"psr-4": {"NoSlash": "src/"}}), &[]);
        let err = parse_autoloads(&root(&[]), vec![bad], true, &[]).unwrap_err();
        assert!(
            err.message.contains("must end with a namespace separator"),
            "{}",
            err.message
        );
    }
}
