//! Magento's file deploy: what `magento/magento-composer-installer` (0.4.x, copy strategy) does
//! for packages that carry an `extra.map` — in Magento 2.4 only `magento/magento2-base`, whose
//! map puts `app/`, `bin/magento`, `pub/`, `setup/`, `lib/`, `.htaccess` and friends into the
//! project root.
//!
//! Rules (reference: magento.md §3.3):
//!
//! - `extra.map` is a list of `[source, target]` pairs: the source relative to the package
//!   directory, the target relative to the Magento root (root `extra.magento-root-dir`, default
//!   the project directory) under the prefix of the package type (`magento2-module` →
//!   `app/code/`, `magento2-theme` → `app/design/`, `magento2-library` → `lib/internal/`,
//!   `magento2-language` → `app/i18n/`, anything else → the root itself).
//! - A directory source is copied recursively and merged into the target directory. A missing
//!   source is skipped (the installer silently skips it too).
//! - A target file that exists is kept unless root `extra.magento-force` is true in PHP's sense
//!   (`"override"` is true, `""`, `"0"`, `0`, `false`, `null` are false) — except files this
//!   deploy wrote for an earlier version of the same package, which are replaced, as the
//!   installer replaces them by deleting the old version's files first.
//! - `extra.magento-deploy-ignore` (`{"*": [...], "<package>": [...]}`): the target, written
//!   with a leading `/` and `/./` and `//` collapsed, is skipped when an ignore entry *starts
//!   with* it — so an entry deeper than a mapped directory suppresses the whole directory.
//! - Files an earlier version deployed that the new version no longer maps are removed (and
//!   directories left empty by that). What was deployed is recorded per package in
//!   `vendor/composer/magefetch-deployed.json`.
//! - `extra.chmod` (`[{"mask": "0755", "path": "bin/magento"}]`) is applied; a deployed
//!   `bin/magento` is made executable in any case.
//! - After a deploy `app/etc/vendor_path.php` (the vendor directory relative to the root) is
//!   written and `var/.regenerate` touched.
//!
//! Nothing is written outside the project directory: a map entry whose source or target is
//! absolute or contains `..` is refused (naming the package and the entry) before anything of
//! that package is copied, and no write goes through a symlinked directory that leads out.
//! Only the `copy` strategy exists; `magento-deploystrategy: none` turns the deploy off.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Component, Path, PathBuf};

use serde_json::{json, Map, Value};
use thiserror::Error;

use crate::composer::package::Package;
use crate::fsutil::{set_mode, write_atomic};

/// File recording what each package deployed.
pub const RECORD_FILE: &str = "magefetch-deployed.json";

#[derive(Debug, Error)]
pub enum DeployError {
    #[error("package `{package}`: the map entry [\"{from}\", \"{target}\"] {reason}; nothing of this package was deployed")]
    UnsafeEntry {
        package: String,
        from: String,
        target: String,
        reason: String,
    },
    #[error("package `{package}`: `extra.map` {message}")]
    BadMap { package: String, message: String },
    #[error("`extra.magento-root-dir` (`{0}`) must be a relative path inside the project")]
    BadRootDir(String),
    #[error("package `{package}`: refusing to write `{}`, which leads outside the project through a symlink", path.display())]
    OutsideRoot { package: String, path: PathBuf },
    #[error("could not deploy `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Root `extra` settings that steer the deploy.
#[derive(Debug, Clone)]
pub struct DeploySettings {
    /// The project directory (where composer.json is).
    pub project_dir: PathBuf,
    /// The Magento root: the project directory or `magento-root-dir` under it.
    pub root: PathBuf,
    pub vendor_dir: PathBuf,
    pub force: bool,
    pub enabled: bool,
    ignore: Map<String, Value>,
}

impl DeploySettings {
    pub fn from_manifest(
        manifest: &Value,
        project_dir: &Path,
        vendor_dir: &Path,
    ) -> Result<DeploySettings, DeployError> {
        let extra = manifest.get("extra").and_then(Value::as_object);
        let get = |k: &str| extra.and_then(|e| e.get(k));
        let root_dir = get("magento-root-dir")
            .and_then(Value::as_str)
            .unwrap_or("./");
        let rel =
            safe_relative(root_dir).ok_or_else(|| DeployError::BadRootDir(root_dir.to_string()))?;
        let strategy = get("magento-deploystrategy")
            .and_then(Value::as_str)
            .unwrap_or("copy");
        Ok(DeploySettings {
            project_dir: project_dir.to_path_buf(),
            root: project_dir.join(rel),
            vendor_dir: vendor_dir.to_path_buf(),
            force: get("magento-force").is_some_and(php_truthy),
            enabled: strategy != "none",
            ignore: get("magento-deploy-ignore")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default(),
        })
    }

    fn ignores(&self, package: &str, target: &str) -> bool {
        let normalized = ignore_form(target);
        ["*", package].iter().any(|key| {
            self.ignore
                .get(*key)
                .and_then(Value::as_array)
                .is_some_and(|list| {
                    list.iter()
                        .filter_map(Value::as_str)
                        .any(|entry| entry.starts_with(&normalized))
                })
        })
    }
}

/// PHP's `(bool)` cast of a JSON value.
pub fn php_truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !(s.is_empty() || s == "0"),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// `/` + target with `/./` and `//` collapsed, as the installer compares it.
fn ignore_form(target: &str) -> String {
    let mut s = format!("/{target}");
    loop {
        let next = s.replace("/./", "/").replace("//", "/");
        if next == s {
            return s;
        }
        s = next;
    }
}

/// A relative path with no `..`, no root and no prefix; `None` otherwise.
fn safe_relative(path: &str) -> Option<PathBuf> {
    let p = Path::new(path);
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(out)
}

/// The target prefix of a package type.
fn type_prefix(package_type: &str) -> &'static str {
    match package_type {
        "magento2-module" => "app/code",
        "magento2-theme" => "app/design",
        "magento2-library" => "lib/internal",
        "magento2-language" => "app/i18n",
        _ => "",
    }
}

/// A package's `extra.map`, or `None` when it has none.
pub fn file_map(package: &Package) -> Option<&Vec<Value>> {
    package
        .get("extra")
        .and_then(|e| e.get("map"))
        .and_then(Value::as_array)
        .filter(|m| !m.is_empty())
}

/// What the deploy record says about one package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deployed {
    pub version: String,
    pub reference: Option<String>,
    /// Paths relative to the project directory.
    pub files: BTreeSet<String>,
}

/// `vendor/composer/magefetch-deployed.json`, by lower-cased package name.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub packages: BTreeMap<String, Deployed>,
}

impl Record {
    pub fn read(vendor_dir: &Path) -> Record {
        let path = vendor_dir.join("composer").join(RECORD_FILE);
        let Ok(text) = std::fs::read(&path) else {
            return Record::default();
        };
        let Ok(Value::Object(root)) = serde_json::from_slice::<Value>(&text) else {
            return Record::default();
        };
        let packages = root
            .get("packages")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(name, v)| {
                        let files = v
                            .get("files")
                            .and_then(Value::as_array)
                            .map(|l| {
                                l.iter()
                                    .filter_map(Value::as_str)
                                    .map(str::to_string)
                                    .collect()
                            })
                            .unwrap_or_default();
                        (
                            name.clone(),
                            Deployed {
                                version: v
                                    .get("version")
                                    .and_then(Value::as_str)
                                    .unwrap_or("")
                                    .to_string(),
                                reference: v
                                    .get("reference")
                                    .and_then(Value::as_str)
                                    .map(str::to_string),
                                files,
                            },
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        Record { packages }
    }

    pub fn write(&self, vendor_dir: &Path) -> Result<(), DeployError> {
        let packages: Map<String, Value> = self
            .packages
            .iter()
            .map(|(name, d)| {
                (
                    name.clone(),
                    json!({"version": d.version, "reference": d.reference, "files": d.files}),
                )
            })
            .collect();
        let text = crate::composer::json::to_pretty(&json!({ "packages": packages }));
        let path = vendor_dir.join("composer").join(RECORD_FILE);
        if std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
            return Ok(());
        }
        write_atomic(&path, text.as_bytes()).map_err(|source| DeployError::Io { path, source })
    }

    /// Whether `package` needs a deploy: it has a map and was not deployed at this version.
    pub fn needs_deploy(&self, package: &Package) -> bool {
        file_map(package).is_some()
            && self.packages.get(&package.name()).is_none_or(|d| {
                d.version != package.pretty_version() || d.reference != package.dist_reference()
            })
    }
}

/// What one package's deploy did.
#[derive(Debug, Clone, Default)]
pub struct DeployReport {
    pub package: String,
    pub written: usize,
    pub kept: Vec<String>,
    pub removed: usize,
    pub ignored: Vec<String>,
    pub missing_sources: Vec<String>,
}

/// One file to place: source (absolute) → target (relative to the project directory).
struct Placement {
    source: PathBuf,
    target: String,
}

/// Deploys one package installed at `package_dir`, replacing what `previous` deployed.
pub fn deploy_package(
    settings: &DeploySettings,
    package: &Package,
    package_dir: &Path,
    previous: Option<&Deployed>,
) -> Result<(DeployReport, Deployed), DeployError> {
    let name = package.name();
    let mut report = DeployReport {
        package: package.pretty_name().to_string(),
        ..DeployReport::default()
    };
    let entries = parse_map(package)?;
    let prefix = type_prefix(&package.package_type());
    let root_rel = crate::fsutil::relative_path(&settings.project_dir, &settings.root);
    let mut placements = Vec::new();
    for (source, target) in &entries {
        let target_in_root = if prefix.is_empty() {
            target.clone()
        } else {
            format!("{prefix}/{target}")
        };
        if settings.ignores(&name, &target_in_root) {
            report.ignored.push(target_in_root);
            continue;
        }
        let (Some(src_rel), Some(dst_rel)) =
            (safe_relative(source), safe_relative(&target_in_root))
        else {
            continue; // refused in parse_map
        };
        let src = package_dir.join(&src_rel);
        let dst = root_rel.join(&dst_rel);
        collect(&src, &dst, &mut placements, &mut report)?;
    }

    let previous_files: BTreeSet<String> = previous.map(|d| d.files.clone()).unwrap_or_default();
    let mut written = BTreeSet::new();
    for p in &placements {
        let dest = settings.project_dir.join(&p.target);
        let exists = std::fs::symlink_metadata(&dest).is_ok();
        if exists && !settings.force && !previous_files.contains(&p.target) {
            report.kept.push(p.target.clone());
            continue;
        }
        ensure_inside(&settings.project_dir, &dest, &report.package)?;
        copy_file(&p.source, &dest)?;
        written.insert(p.target.clone());
        report.written += 1;
    }
    let still_mapped: BTreeSet<&str> = placements.iter().map(|p| p.target.as_str()).collect();
    for old in &previous_files {
        if still_mapped.contains(old.as_str()) {
            continue;
        }
        let Some(rel) = safe_relative(old) else {
            continue;
        };
        let path = settings.project_dir.join(rel);
        if std::fs::symlink_metadata(&path).is_ok_and(|m| !m.is_dir()) {
            ensure_inside(&settings.project_dir, &path, &report.package)?;
            fs_err::remove_file(&path).map_err(|source| DeployError::Io {
                path: path.clone(),
                source,
            })?;
            prune_empty_dirs(&path, &settings.project_dir);
            report.removed += 1;
        }
    }
    apply_chmod(settings, package, &written)?;
    Ok((
        report,
        Deployed {
            version: package.pretty_version().to_string(),
            reference: package.dist_reference(),
            files: written,
        },
    ))
}

/// Validates the whole map before anything is copied.
fn parse_map(package: &Package) -> Result<Vec<(String, String)>, DeployError> {
    let Some(map) = file_map(package) else {
        return Ok(Vec::new());
    };
    let bad = |message: String| DeployError::BadMap {
        package: package.pretty_name().to_string(),
        message,
    };
    let mut out = Vec::with_capacity(map.len());
    for (i, entry) in map.iter().enumerate() {
        let pair = entry
            .as_array()
            .filter(|a| a.len() == 2)
            .ok_or_else(|| bad(format!("entry {i} is not a [source, target] pair")))?;
        let (Some(source), Some(target)) = (pair[0].as_str(), pair[1].as_str()) else {
            return Err(bad(format!("entry {i} is not a pair of strings")));
        };
        for (what, path) in [("source", source), ("target", target)] {
            if safe_relative(path).is_none() {
                return Err(DeployError::UnsafeEntry {
                    package: package.pretty_name().to_string(),
                    from: source.to_string(),
                    target: target.to_string(),
                    reason: format!(
                        "has a {what} that is absolute or contains `..`, which could leave the {}",
                        if what == "source" {
                            "package directory"
                        } else {
                            "project"
                        }
                    ),
                });
            }
        }
        out.push((source.to_string(), target.to_string()));
    }
    Ok(out)
}

/// Files under `src` (a file or a directory) and where they go.
fn collect(
    src: &Path,
    dst: &Path,
    out: &mut Vec<Placement>,
    report: &mut DeployReport,
) -> Result<(), DeployError> {
    let Ok(meta) = std::fs::metadata(src) else {
        report
            .missing_sources
            .push(src.to_string_lossy().into_owned());
        return Ok(());
    };
    if meta.is_file() {
        out.push(Placement {
            source: src.to_path_buf(),
            target: dst.to_string_lossy().into_owned(),
        });
        return Ok(());
    }
    let mut entries: Vec<_> = fs_err::read_dir(src)
        .map_err(|source| DeployError::Io {
            path: src.to_path_buf(),
            source,
        })?
        .filter_map(Result::ok)
        .collect();
    entries.sort_by_key(|e| e.file_name());
    for e in entries {
        collect(&e.path(), &dst.join(e.file_name()), out, report)?;
    }
    Ok(())
}

/// Refuses a write whose nearest existing ancestor resolves outside the project.
fn ensure_inside(project: &Path, dest: &Path, package: &str) -> Result<(), DeployError> {
    let root = std::fs::canonicalize(project).map_err(|source| DeployError::Io {
        path: project.to_path_buf(),
        source,
    })?;
    let mut ancestor = dest.parent();
    while let Some(dir) = ancestor {
        if let Ok(real) = std::fs::canonicalize(dir) {
            if real.starts_with(&root) {
                return Ok(());
            }
            break;
        }
        ancestor = dir.parent();
    }
    Err(DeployError::OutsideRoot {
        package: package.to_string(),
        path: dest.to_path_buf(),
    })
}

fn copy_file(source: &Path, dest: &Path) -> Result<(), DeployError> {
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| DeployError::Io { path, source }
    };
    if let Some(parent) = dest.parent() {
        fs_err::create_dir_all(parent).map_err(io(parent))?;
    }
    if std::fs::symlink_metadata(dest).is_ok_and(|m| m.file_type().is_symlink() || m.is_dir()) {
        crate::fsutil::remove_path(dest).map_err(io(dest))?;
    }
    let bytes = fs_err::read(source).map_err(io(source))?;
    write_atomic(dest, &bytes).map_err(io(dest))?;
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(source)
        .map(|m| m.permissions().mode() & 0o777)
        .map_err(io(source))?;
    set_mode(dest, mode).map_err(io(dest))
}

fn prune_empty_dirs(file: &Path, stop: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == stop || !d.starts_with(stop) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn apply_chmod(
    settings: &DeploySettings,
    package: &Package,
    written: &BTreeSet<String>,
) -> Result<(), DeployError> {
    let rules = package
        .get("extra")
        .and_then(|e| e.get("chmod"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    for rule in rules {
        let (Some(mask), Some(path)) = (
            rule.get("mask").and_then(Value::as_str),
            rule.get("path").and_then(Value::as_str),
        ) else {
            continue;
        };
        let (Ok(mode), Some(rel)) = (
            u32::from_str_radix(mask.trim_start_matches("0o"), 8),
            safe_relative(path),
        ) else {
            continue;
        };
        let target = settings.root.join(rel);
        if target.is_file() {
            ensure_inside(&settings.project_dir, &target, package.pretty_name())?;
            set_mode(&target, mode & 0o7777).map_err(|source| DeployError::Io {
                path: target.clone(),
                source,
            })?;
        }
    }
    let root_rel = crate::fsutil::relative_path(&settings.project_dir, &settings.root);
    let magento = root_rel.join("bin/magento").to_string_lossy().into_owned();
    if written.contains(&magento) {
        let path = settings.project_dir.join(&magento);
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .map(|m| m.permissions().mode())
            .map_err(|source| DeployError::Io {
                path: path.clone(),
                source,
            })?;
        set_mode(&path, (mode | 0o111) & 0o7777)
            .map_err(|source| DeployError::Io { path, source })?;
    }
    Ok(())
}

/// After a deploy: `app/etc/vendor_path.php` and `var/.regenerate`.
pub fn finish(settings: &DeploySettings) -> Result<(), DeployError> {
    let vendor_rel = crate::fsutil::relative_path(&settings.root, &settings.vendor_dir);
    let text = format!(
        "<?php\n/**\n * Path to Composer vendor directory\n */\nreturn './{}';\n",
        vendor_rel.to_string_lossy().replace('\'', "\\'")
    );
    let path = settings.root.join("app/etc/vendor_path.php");
    ensure_inside(&settings.project_dir, &path, "magento")?;
    if !std::fs::read(&path).is_ok_and(|old| old == text.as_bytes()) {
        write_atomic(&path, text.as_bytes()).map_err(|source| DeployError::Io {
            path: path.clone(),
            source,
        })?;
    }
    let var = settings.root.join("var");
    if var.is_dir() {
        let flag = var.join(".regenerate");
        ensure_inside(&settings.project_dir, &flag, "magento")?;
        fs_err::write(&flag, b"").map_err(|source| DeployError::Io { path: flag, source })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truthiness_is_phps() {
        for v in [
            json!("override"),
            json!(true),
            json!(1),
            json!("false"),
            json!(["x"]),
        ] {
            assert!(php_truthy(&v), "{v}");
        }
        for v in [
            json!(""),
            json!("0"),
            json!(0),
            json!(false),
            json!(null),
            json!([]),
        ] {
            assert!(!php_truthy(&v), "{v}");
        }
    }

    #[test]
    fn ignore_rule_is_a_prefix_of_the_entry() {
        let manifest = json!({"extra": {"magento-deploy-ignore": {
            "*": ["/.gitignore", "/pub/media/custom"], "acme/base": ["/dev/tests/"]}}});
        let s = DeploySettings::from_manifest(&manifest, Path::new("/p"), Path::new("/p/vendor"))
            .unwrap();
        assert!(s.ignores("acme/base", ".gitignore"));
        assert!(s.ignores("acme/base", "./.gitignore"));
        // The entry is deeper than the mapped directory: the whole mapping is skipped.
        assert!(s.ignores("acme/base", "pub"));
        assert!(s.ignores("acme/base", "pub/media"));
        assert!(!s.ignores("acme/base", "pub/static"));
        assert!(s.ignores("acme/base", "dev/tests"));
        assert!(!s.ignores("other/pkg", "dev/tests"));
    }

    #[test]
    fn unsafe_paths() {
        assert!(safe_relative("../x").is_none());
        assert!(safe_relative("/etc/passwd").is_none());
        assert!(safe_relative("a/../../b").is_none());
        assert_eq!(safe_relative("./a/b").unwrap(), PathBuf::from("a/b"));
    }
}
