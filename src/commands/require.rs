//! `magefetch require <pkg>[:<constraint>]…` and `magefetch remove <pkg>…`.
//!
//! Both edit composer.json in place with Composer's formatting rules
//! ([`crate::composer::manipulator`]) and then run a partial `update` of the named packages
//! (all of them when there is no lock yet), exactly as `composer require` / `composer remove`
//! do:
//!
//! * `require` without a constraint first checks that some version is installable (minimum
//!   stability, platform), writes `*`, resolves, and then writes the constraint Composer would
//!   recommend for the version that was locked (`2.4.7-p1` → `^2.4`), refreshing the lock's
//!   `content-hash`. With `--no-update` the recommendation comes from the best candidate.
//! * `remove` drops the names from `require` (or `require-dev` with `--dev`), deleting a
//!   section left empty, and updates the removed packages with their dependencies
//!   (`--no-update-with-dependencies` to keep those).
//! * If resolution fails, composer.json is restored byte for byte (a composer.json the command
//!   created is deleted) and the lock is untouched.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::context::Context as EnvContext;
use super::select::{best_candidate, PlatformCheck};
use super::{CommandError, ExitCode};
use crate::cli::{GlobalArgs, RemoveArgs, RequireArgs, UpdateArgs};
use crate::composer::content_hash::content_hash;
use crate::composer::installed::is_platform_package;
use crate::composer::manipulator::JsonEditor;
use crate::composer::package::is_valid_name;
use crate::composer::project::lock_path_for;
use crate::composer::require_version::recommended_require_version;
use crate::config::{ProcessEnv, Settings};
use crate::repository::{RepositoryDefinitions, RepositorySet};
use crate::resolver::platform::{Detected, Platform};
use crate::semver::{parse_constraints, Stability};

const DEFAULT_CONCURRENCY: usize = 24;

/// One `name[:constraint]` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub name: String,
    pub constraint: Option<String>,
}

/// Composer's `VersionParser::parseNameVersionPairs`: `a/b:^1`, `a/b=^1`, `"a/b ^1"`, or a
/// name followed by a separate argument that is a constraint (no `/`, not a platform name).
pub fn parse_requirements(args: &[String]) -> Vec<Requirement> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].trim();
        let split = arg
            .find([':', '=', ' '])
            .filter(|&p| p > 0)
            .map(|p| (arg[..p].to_string(), arg[p + 1..].to_string()));
        let (name, constraint) = match split {
            Some((name, constraint)) => (name, Some(constraint)),
            None => {
                let next = args.get(i + 1).map(|s| s.trim());
                match next {
                    Some(n) if !n.contains('/') && !is_platform_package(n) && !wildcard_name(n) => {
                        i += 1;
                        (arg.to_string(), Some(n.to_string()))
                    }
                    _ => (arg.to_string(), None),
                }
            }
        };
        out.push(Requirement {
            name,
            constraint: constraint.filter(|c| !c.trim().is_empty()),
        });
        i += 1;
    }
    out
}

/// `(?<=[a-z0-9_/-])\*|\*(?=[a-z0-9_/-])`: a `*` glued to a name character.
fn wildcard_name(s: &str) -> bool {
    let b = s.as_bytes();
    let name_char = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'/' | b'-');
    b.iter().enumerate().any(|(i, &c)| {
        c == b'*' && ((i > 0 && name_char(b[i - 1])) || b.get(i + 1).is_some_and(|&n| name_char(n)))
    })
}

/// composer.json as it was before the command, to put back on failure.
struct Backup {
    path: PathBuf,
    original: Option<Vec<u8>>,
    lock_path: PathBuf,
    lock_before: Option<Vec<u8>>,
}

impl Backup {
    fn take(path: &Path) -> Backup {
        let lock_path = lock_path_for(path);
        Backup {
            path: path.to_path_buf(),
            original: std::fs::read(path).ok(),
            lock_before: std::fs::read(&lock_path).ok(),
            lock_path,
        }
    }

    /// Puts composer.json back unless the lock was already rewritten (resolution succeeded
    /// and only the install failed: then composer.json and the lock belong together).
    fn restore_if_unresolved(&self) -> bool {
        if std::fs::read(&self.lock_path).ok() != self.lock_before {
            return false;
        }
        match &self.original {
            Some(bytes) => {
                let _ = crate::fsutil::write_atomic(&self.path, bytes);
            }
            None => {
                let _ = std::fs::remove_file(&self.path);
            }
        }
        true
    }
}

fn write_manifest(path: &Path, text: &str) -> Result<(), CommandError> {
    crate::fsutil::write_atomic(path, text.as_bytes()).map_err(|e| {
        CommandError::new(
            anyhow::anyhow!("could not write `{}`: {e}", path.display()),
            ExitCode::LocalFs,
        )
    })
}

fn edit_error(path: &Path, e: crate::composer::manipulator::EditError) -> CommandError {
    CommandError::new(
        anyhow::anyhow!("cannot edit `{}`: {e}", path.display()),
        ExitCode::Input,
    )
    .hint("fix composer.json (it must be a JSON object whose require sections are objects), then run the command again")
}

/// Stability names as composer.json writes them.
fn stability_of(json: &Value) -> Stability {
    json.get("minimum-stability")
        .and_then(Value::as_str)
        .and_then(|s| s.parse().ok())
        .unwrap_or(Stability::Stable)
}

pub async fn run_require(global: &GlobalArgs, args: &RequireArgs) -> Result<(), CommandError> {
    let path = super::manifest_path(global)?;
    let backup = Backup::take(&path);
    let newly_created = backup.original.is_none();
    let text = match &backup.original {
        Some(bytes) => String::from_utf8(bytes.clone()).map_err(|_| {
            CommandError::new(
                anyhow::anyhow!("`{}` is not UTF-8 text", path.display()),
                ExitCode::Input,
            )
        })?,
        None => "{\n}\n".to_string(),
    };
    let mut editor = JsonEditor::new(&text).map_err(|e| edit_error(&path, e))?;
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let root_name = json
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_lowercase);

    let requirements = parse_requirements(&args.packages);
    if requirements.is_empty() {
        return Err(
            CommandError::new(anyhow::anyhow!("no package to require"), ExitCode::Usage)
                .hint("name packages as vendor/name or vendor/name:constraint"),
        );
    }
    for r in &requirements {
        if !is_valid_name(&r.name) && !is_platform_package(&r.name) {
            return Err(CommandError::new(
                anyhow::anyhow!("`{}` is not a valid package name", r.name),
                ExitCode::Usage,
            )
            .hint("package names are vendor/name in lower case letters, digits and -_."));
        }
        if root_name.as_deref() == Some(r.name.to_lowercase().as_str()) {
            return Err(CommandError::new(
                anyhow::anyhow!(
                    "root package `{}` cannot require itself in its composer.json",
                    r.name
                ),
                ExitCode::Usage,
            ));
        }
        if let Some(c) = &r.constraint {
            if c != "self.version" {
                parse_constraints(c).map_err(|e| {
                    CommandError::new(
                        anyhow::anyhow!("the constraint `{c}` for {} is not valid: {e}", r.name),
                        ExitCode::Usage,
                    )
                })?;
            }
        }
    }

    // Packages without a constraint: make sure a version can be installed, and remember what
    // the best one recommends (used directly with --no-update).
    let mut chosen: Vec<(String, String, bool)> = Vec::new(); // (name, constraint, guessed)
    let needs_lookup: Vec<&Requirement> = requirements
        .iter()
        .filter(|r| r.constraint.is_none())
        .collect();
    let mut recommended = std::collections::HashMap::new();
    if !needs_lookup.is_empty() {
        let minimum = stability_of(&json);
        let preferred = if json.get("prefer-stable") == Some(&Value::Bool(true)) {
            Stability::Stable
        } else {
            minimum
        };
        let found = lookup_best(
            global,
            &path,
            &json,
            &needs_lookup,
            minimum,
            preferred,
            args,
        )
        .await?;
        recommended.extend(found);
    }
    for r in &requirements {
        match &r.constraint {
            Some(c) => chosen.push((r.name.clone(), c.clone(), false)),
            None => {
                let (pretty, rec) = recommended
                    .get(&r.name.to_lowercase())
                    .cloned()
                    .unwrap_or_else(|| (r.name.clone(), "*".to_string()));
                if args.no_update {
                    chosen.push((pretty, rec, false));
                } else {
                    chosen.push((pretty, "*".to_string(), true));
                }
            }
        }
    }

    let (require_key, remove_key) = if args.dev {
        ("require-dev", "require")
    } else {
        ("require", "require-dev")
    };
    let sort_packages = args.sort_packages
        || json
            .get("config")
            .and_then(|c| c.get("sort-packages"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
    let first_require = newly_created
        || ["require", "require-dev"].iter().all(|k| {
            json.get(*k)
                .and_then(Value::as_object)
                .is_none_or(|m| m.is_empty())
        });
    for (name, constraint, _) in &chosen {
        if json
            .get(remove_key)
            .and_then(Value::as_object)
            .is_some_and(|m| m.contains_key(name.as_str()))
            && !global.quiet
        {
            eprintln!(
                "warning: {name} is currently present in the {remove_key} key and you ran the command {} the --dev flag, which will move it to the {require_key} key.",
                if args.dev { "with" } else { "without" }
            );
        }
        editor
            .add_link(require_key, name, constraint, sort_packages)
            .map_err(|e| edit_error(&path, e))?;
        editor
            .remove_sub_node(remove_key, name)
            .map_err(|e| edit_error(&path, e))?;
    }
    editor.remove_main_key_if_empty(remove_key);
    write_manifest(&path, &editor.contents())?;
    if !global.quiet {
        eprintln!(
            "{} has been {}",
            path.display(),
            if newly_created { "created" } else { "updated" }
        );
        for (name, constraint, guessed) in &chosen {
            if args.no_update
                && !guessed
                && requirements
                    .iter()
                    .any(|r| r.constraint.is_none() && r.name.eq_ignore_ascii_case(name))
            {
                eprintln!("Using version {constraint} for {name}");
            }
        }
    }
    if args.no_update {
        return Ok(());
    }

    let names: Vec<String> = chosen.iter().map(|(n, _, _)| n.clone()).collect();
    let lock_exists = backup.lock_before.is_some();
    let update = UpdateArgs {
        packages: if lock_exists && !first_require {
            names.clone()
        } else {
            Vec::new()
        },
        with_dependencies: args.update_with_dependencies,
        with_all_dependencies: args.update_with_all_dependencies,
        no_install: args.no_install,
        no_dev: args.update_no_dev,
        prefer_stable: args.prefer_stable,
        prefer_lowest: args.prefer_lowest,
        ignore_platform_reqs: args.ignore_platform_reqs,
        ignore_platform_req: args.ignore_platform_req.clone(),
        no_autoloader: args.no_autoloader,
        ..Default::default()
    };
    if !global.quiet {
        let flags = if args.update_with_all_dependencies {
            " --with-all-dependencies"
        } else if args.update_with_dependencies {
            " --with-dependencies"
        } else {
            ""
        };
        eprintln!("Running update {}{flags}", names.join(" "));
    }
    if let Err(e) = super::update::run(global, &update).await {
        let e = if backup.restore_if_unresolved() {
            e.hint(format!(
                "`{}` was put back as it was; you can also try a constraint, e.g. `magefetch require {}:*` to see if any version is installable",
                path.display(),
                names.first().map(String::as_str).unwrap_or("vendor/name")
            ))
        } else {
            e
        };
        return Err(e);
    }

    // Write the recommended constraints for the versions that were locked.
    let guessed: Vec<&String> = chosen
        .iter()
        .filter(|(_, _, g)| *g)
        .map(|(n, _, _)| n)
        .collect();
    if guessed.is_empty() {
        return Ok(());
    }
    let lock_path = lock_path_for(&path);
    let lock_text = std::fs::read_to_string(&lock_path).map_err(|e| {
        CommandError::new(
            anyhow::anyhow!("could not read `{}`: {e}", lock_path.display()),
            ExitCode::LocalFs,
        )
    })?;
    let lock: Value = serde_json::from_str(&lock_text).map_err(|e| {
        CommandError::new(
            anyhow::anyhow!("`{}` is not valid JSON: {e}", lock_path.display()),
            ExitCode::Input,
        )
    })?;
    let php_version = Detected::probe().map(|d| d.php);
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    let mut editor = JsonEditor::new(&current).map_err(|e| edit_error(&path, e))?;
    for name in guessed {
        let Some(entry) = ["packages", "packages-dev"]
            .iter()
            .filter_map(|k| lock.get(*k).and_then(Value::as_array))
            .flatten()
            .find(|p| {
                p.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
        else {
            continue;
        };
        let constraint = recommended_require_version(entry, php_version.as_deref());
        if !global.quiet {
            eprintln!("Using version {constraint} for {name}");
        }
        editor
            .add_link(require_key, name, &constraint, sort_packages)
            .map_err(|e| edit_error(&path, e))?;
        editor
            .remove_sub_node(remove_key, name)
            .map_err(|e| edit_error(&path, e))?;
    }
    editor.remove_main_key_if_empty(remove_key);
    let new_text = editor.contents();
    write_manifest(&path, &new_text)?;
    let new_json: Value = serde_json::from_str(&new_text).unwrap_or(Value::Null);
    let updated_lock = replace_content_hash(&lock_text, &content_hash(&new_json));
    crate::fsutil::write_atomic(&lock_path, updated_lock.as_bytes()).map_err(|e| {
        CommandError::new(
            anyhow::anyhow!("could not write `{}`: {e}", lock_path.display()),
            ExitCode::LocalFs,
        )
    })
}

/// The lock text with its `content-hash` value replaced (nothing else changes).
fn replace_content_hash(lock: &str, hash: &str) -> String {
    const KEY: &str = "\"content-hash\": \"";
    match lock.find(KEY) {
        Some(start) => {
            let value_start = start + KEY.len();
            match lock[value_start..].find('"') {
                Some(len) => format!(
                    "{}{hash}{}",
                    &lock[..value_start],
                    &lock[value_start + len..]
                ),
                None => lock.to_string(),
            }
        }
        None => lock.to_string(),
    }
}

/// For each requirement without a constraint: its pretty name and recommended constraint,
/// keyed by lower-cased name; an error saying why when nothing can be installed.
async fn lookup_best(
    global: &GlobalArgs,
    path: &Path,
    json: &Value,
    requirements: &[&Requirement],
    minimum: Stability,
    preferred: Stability,
    args: &RequireArgs,
) -> Result<std::collections::HashMap<String, (String, String)>, CommandError> {
    let env = EnvContext::open(global)?;
    let manifest = crate::composer::project::RootManifest {
        path: path.to_path_buf(),
        raw: serde_json::to_vec(json).unwrap_or_default(),
        json: if json.is_object() {
            json.clone()
        } else {
            serde_json::json!({})
        },
    };
    let settings = Settings::resolve(&ProcessEnv, &manifest).map_err(super::input_error)?;
    let auth = std::sync::Arc::new(env.auth_store()?);
    let defs = RepositoryDefinitions::from_manifest(&manifest.json, path)
        .map_err(|e| CommandError::new(e, ExitCode::Input))?;
    let set = RepositorySet::new(
        &defs,
        super::project::repo_context(&settings, auth.clone(), settings.offline)?,
        settings.max_parallel_http.unwrap_or(DEFAULT_CONCURRENCY),
    );
    let config_platform = manifest
        .json
        .get("config")
        .and_then(|c| c.get("platform"))
        .and_then(Value::as_object);
    let platform = Platform::new(Detected::probe(), config_platform);
    let filter = crate::resolver::PlatformFilter::from_flags(
        args.ignore_platform_reqs,
        &args.ignore_platform_req,
    );
    let check = PlatformCheck {
        platform: &platform,
        filter: &filter,
    };
    let php_version = platform.detected.as_ref().map(|d| d.php.clone());
    let mut out = std::collections::HashMap::new();
    for r in requirements {
        let lower = r.name.to_lowercase();
        if is_platform_package(&lower) {
            let provided = platform.packages().into_iter().find(|p| p.name == lower);
            let Some(p) = provided else {
                return Err(CommandError::new(
                    anyhow::anyhow!(
                        "could not find platform package {lower}: it is missing from your platform"
                    ),
                    ExitCode::NotAvailable,
                )
                .hint(
                    "install the PHP extension, or declare it in composer.json `config.platform`",
                ));
            };
            let entry = serde_json::json!({"name": p.pretty_name, "version": p.pretty_version,
                "version_normalized": p.version});
            out.insert(
                lower,
                (
                    p.pretty_name.clone(),
                    recommended_require_version(&entry, php_version.as_deref()),
                ),
            );
            continue;
        }
        let found = set.find(&lower, minimum == Stability::Dev).await;
        for warning in set.take_warnings() {
            if !global.quiet {
                eprintln!("warning: {warning}");
            }
        }
        let offers = found.map_err(|e| super::show::repository_error(e, &auth))?;
        let any_offer = !offers.is_empty();
        match best_candidate(offers, None, minimum, preferred, Some(&check)) {
            Ok(best) => {
                let entry = Value::Object(best.version.package.data().clone());
                out.insert(
                    lower,
                    (
                        best.version.package.pretty_name().to_string(),
                        recommended_require_version(&entry, php_version.as_deref()),
                    ),
                );
            }
            Err(Some(mismatch)) => {
                return Err(CommandError::new(
                    anyhow::anyhow!(
                        "package {} has requirements incompatible with your PHP version, PHP extensions and Composer version: {}",
                        r.name,
                        mismatch.describe()
                    ),
                    ExitCode::NotAvailable,
                )
                .hint(format!(
                    "require an older version explicitly, e.g. `magefetch require {}:<constraint>`, or ignore the requirement with --ignore-platform-req={}",
                    r.name, mismatch.requirement
                )));
            }
            Err(None) if any_offer => {
                return Err(CommandError::new(
                    anyhow::anyhow!(
                        "could not find a version of package {} matching your minimum-stability ({})",
                        r.name,
                        minimum
                    ),
                    ExitCode::NotAvailable,
                )
                .hint(format!(
                    "require it with an explicit version constraint allowing its stability, e.g. `magefetch require {}:@dev`",
                    r.name
                )));
            }
            Err(None) => {
                let repos: Vec<String> = set.repositories().iter().map(|u| u.to_string()).collect();
                return Err(CommandError::new(
                    anyhow::anyhow!("could not find package {} in {}", r.name, repos.join(", ")),
                    ExitCode::NotAvailable,
                )
                .hint("check the package name and the repositories in composer.json"));
            }
        }
    }
    Ok(out)
}

pub async fn run_remove(global: &GlobalArgs, args: &RemoveArgs) -> Result<(), CommandError> {
    let path = super::manifest_path(global)?;
    let backup = Backup::take(&path);
    let Some(original) = &backup.original else {
        return Err(CommandError::new(
            anyhow::anyhow!("`{}` was not found", path.display()),
            ExitCode::Input,
        )
        .hint("run magefetch in the project directory, or pass it with `--working-dir DIR`"));
    };
    let text = String::from_utf8(original.clone()).map_err(|_| {
        CommandError::new(
            anyhow::anyhow!("`{}` is not UTF-8 text", path.display()),
            ExitCode::Input,
        )
    })?;
    let json: Value = serde_json::from_str(&text).map_err(|e| {
        CommandError::new(
            anyhow::anyhow!("`{}` is not valid JSON: {e}", path.display()),
            ExitCode::Input,
        )
    })?;
    let mut editor = JsonEditor::new(&text).map_err(|e| edit_error(&path, e))?;
    let (key, alt) = if args.dev {
        ("require-dev", "require")
    } else {
        ("require", "require-dev")
    };
    let names_in = |section: &str| -> Vec<String> {
        json.get(section)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (in_key, in_alt) = (names_in(key), names_in(alt));
    let mut removed_any = false;
    let mut removed_names = Vec::new();
    for package in &args.packages {
        let lower = package.to_lowercase();
        let exact = |names: &[String]| names.iter().find(|n| n.to_lowercase() == lower).cloned();
        let pattern = |names: &[String]| -> Vec<String> {
            names
                .iter()
                .filter(|n| crate::repository::glob_match(&lower, n))
                .cloned()
                .collect()
        };
        if let Some(name) = exact(&in_key) {
            editor
                .remove_sub_node(key, &name)
                .map_err(|e| edit_error(&path, e))?;
            removed_names.push(name.to_lowercase());
            removed_any = true;
        } else if let Some(name) = exact(&in_alt) {
            if !global.quiet {
                eprintln!("warning: {name} could not be found in {key} but it is present in {alt}");
            }
        } else if lower.contains('*') && !pattern(&in_key).is_empty() {
            for name in pattern(&in_key) {
                editor
                    .remove_sub_node(key, &name)
                    .map_err(|e| edit_error(&path, e))?;
                removed_names.push(name.to_lowercase());
                removed_any = true;
            }
        } else if !global.quiet {
            eprintln!(
                "warning: {package} is not required in your composer.json and has not been removed"
            );
        }
    }
    editor.remove_main_key_if_empty(key);
    if removed_any {
        write_manifest(&path, &editor.contents())?;
    }
    if !global.quiet {
        eprintln!("{} has been updated", path.display());
    }
    if args.no_update {
        return Ok(());
    }
    let lock_exists = backup.lock_before.is_some();
    let update = UpdateArgs {
        packages: if lock_exists {
            args.packages.iter().map(|p| p.to_lowercase()).collect()
        } else {
            Vec::new()
        },
        with_dependencies: !args.no_update_with_dependencies && !args.update_with_all_dependencies,
        with_all_dependencies: args.update_with_all_dependencies,
        no_install: args.no_install,
        no_dev: args.update_no_dev,
        ignore_platform_reqs: args.ignore_platform_reqs,
        ignore_platform_req: args.ignore_platform_req.clone(),
        no_autoloader: args.no_autoloader,
        ..Default::default()
    };
    if let Err(e) = super::update::run(global, &update).await {
        let e = if backup.restore_if_unresolved() {
            e.hint(format!(
                "removal failed: `{}` was put back as it was",
                path.display()
            ))
        } else {
            e
        };
        return Err(e);
    }
    // A removed package that is still locked is required by another one.
    let lock_path = lock_path_for(&path);
    let lock: Value = std::fs::read_to_string(&lock_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let still: Vec<String> = ["packages", "packages-dev"]
        .iter()
        .filter_map(|k| lock.get(*k).and_then(Value::as_array))
        .flatten()
        .filter_map(|p| p.get("name").and_then(Value::as_str))
        .filter(|n| removed_names.contains(&n.to_lowercase()))
        .map(str::to_string)
        .collect();
    if let Some(name) = still.first() {
        return Err(CommandError::new(
            anyhow::anyhow!(
                "removal failed, {name} is still present, it may be required by another package"
            ),
            ExitCode::Unsolvable,
        )
        .hint(format!(
            "find out which package requires it with `composer why {name}`"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(name: &str, c: Option<&str>) -> Requirement {
        Requirement {
            name: name.into(),
            constraint: c.map(str::to_string),
        }
    }

    #[test]
    fn name_version_pairs() {
        let args: Vec<String> = [
            "a/b:^1.0", "c/d=2.*", "e/f ~3", "g/h", "1.0.0", "i/j", "ext-intl", "k/l",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            parse_requirements(&args),
            vec![
                req("a/b", Some("^1.0")),
                req("c/d", Some("2.*")),
                req("e/f", Some("~3")),
                req("g/h", Some("1.0.0")),
                req("i/j", None),
                req("ext-intl", None),
                req("k/l", None),
            ]
        );
        let args: Vec<String> = vec!["a/b".into(), "vendor-*".into()];
        assert_eq!(
            parse_requirements(&args),
            vec![req("a/b", None), req("vendor-*", None)]
        );
    }

    #[test]
    fn content_hash_is_replaced_in_place() {
        let lock =
            "{\n    \"_readme\": [],\n    \"content-hash\": \"abc\",\n    \"packages\": []\n}\n";
        assert_eq!(
            replace_content_hash(lock, "def"),
            "{\n    \"_readme\": [],\n    \"content-hash\": \"def\",\n    \"packages\": []\n}\n"
        );
    }
}
