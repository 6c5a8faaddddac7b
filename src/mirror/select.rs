//! Which package versions a mirror holds: exact versions from lock files, every version
//! matching `--require` constraints, and with `--with-dependencies` every version matching
//! each requirement of a chosen version, transitively (what Satis calls
//! `require-dependencies`). Versions come from the upstream repositories in priority order
//! (see [`crate::repository::set`]); a locked version no repository offers is taken from the
//! lock entry itself, so a lock alone can seed a mirror.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::Value;

use super::layout::safe_name;
use crate::composer::installed::is_platform_package;
use crate::composer::lock::LockFile;
use crate::repository::{PackageVersion, RepositoryError, RepositorySet};
use crate::semver::{normalize, Constraint, Stability};

/// What was asked for.
pub struct Request<'a> {
    pub locks: &'a [LockFile],
    /// `--require`: lower-cased name and constraint.
    pub requires: &'a [(String, Constraint)],
    pub with_dependencies: bool,
    pub minimum_stability: Stability,
}

/// One chosen version and whether upstream metadata may point its dist at `file://`.
#[derive(Debug, Clone)]
pub struct Chosen {
    pub version: PackageVersion,
    /// The version came from a `file://` repository or from a lock file the user named.
    pub local_dist_allowed: bool,
}

/// The chosen versions by lower-cased name, and notes for the user.
#[derive(Debug, Default)]
pub struct Selection {
    pub packages: BTreeMap<String, Vec<Chosen>>,
    pub warnings: Vec<String>,
}

impl Selection {
    fn add(&mut self, name: &str, chosen: Chosen) -> bool {
        let list = self.packages.entry(name.to_string()).or_default();
        if list
            .iter()
            .any(|c| c.version.normalized == chosen.version.normalized)
        {
            return false;
        }
        list.push(chosen);
        true
    }
}

/// Looks every requested name up (in waves, many at once) and chooses the versions.
pub async fn select(
    set: &RepositorySet,
    request: &Request<'_>,
) -> Result<Selection, RepositoryError> {
    let mut selection = Selection::default();
    let mut offers: HashMap<String, Vec<Chosen>> = HashMap::new();
    let want_dev_all = request.minimum_stability == Stability::Dev;
    let mut dev_names: HashSet<String> = HashSet::new();

    // Exact pins from the locks.
    let mut pins: Vec<(String, String, Value)> = Vec::new();
    for lock in request.locks {
        for package in lock.packages.iter().chain(&lock.packages_dev) {
            let name = package.name();
            let Some(normalized) = package
                .get("version_normalized")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| normalize(package.pretty_version()).ok())
            else {
                selection.warnings.push(format!(
                    "`{}` ({}) in `{}`: the version cannot be read; skipped",
                    package.pretty_name(),
                    package.pretty_version(),
                    lock.path.display()
                ));
                continue;
            };
            if crate::semver::parse_stability(&normalized) == Stability::Dev {
                dev_names.insert(name.clone());
            }
            pins.push((name, normalized, Value::Object(package.data().clone())));
        }
    }

    let mut wanted: Vec<(String, Constraint)> = request.requires.to_vec();
    let mut to_look_up: Vec<String> = pins
        .iter()
        .map(|p| p.0.clone())
        .chain(wanted.iter().map(|w| w.0.clone()))
        .collect();
    let mut done_constraints: HashSet<(String, String)> = HashSet::new();
    let mut first_wave = true;

    loop {
        to_look_up.retain(|n| !offers.contains_key(n));
        to_look_up.sort();
        to_look_up.dedup();
        let mut valid = Vec::new();
        for name in to_look_up.drain(..) {
            if safe_name(&name).is_some() {
                valid.push(name);
            } else {
                selection.warnings.push(format!(
                    "`{name}` is not a valid package name; it is not mirrored"
                ));
                offers.insert(name, Vec::new());
            }
        }
        if !valid.is_empty() {
            let want_dev = |n: &str| want_dev_all || dev_names.contains(n);
            let found = set.find_many(&valid, &want_dev).await?;
            for (name, list) in found {
                let chosen = list
                    .into_iter()
                    .map(|o| Chosen {
                        local_dist_allowed: o.repository.expose().starts_with("file://"),
                        version: o.version,
                    })
                    .collect();
                offers.insert(name, chosen);
            }
        }
        let mut added: Vec<PackageVersion> = Vec::new();
        if first_wave {
            first_wave = false;
            for (name, normalized, entry) in &pins {
                let offered = offers
                    .get(name)
                    .and_then(|l| l.iter().find(|c| &c.version.normalized == normalized))
                    .cloned();
                let chosen = match offered {
                    Some(c) => c,
                    None => match PackageVersion::from_entry(entry.clone()) {
                        Some(version) => Chosen {
                            version,
                            local_dist_allowed: true,
                        },
                        None => continue,
                    },
                };
                let version = chosen.version.clone();
                if selection.add(name, chosen) {
                    added.push(version);
                }
            }
        }
        for (name, constraint) in std::mem::take(&mut wanted) {
            if !done_constraints.insert((name.clone(), constraint.pretty().to_string())) {
                continue;
            }
            let allowed = constraint
                .stability_flag()
                .unwrap_or(request.minimum_stability);
            let candidates = offers.get(&name).cloned().unwrap_or_default();
            let mut matched = 0;
            for chosen in candidates {
                if constraint.matches_version(&chosen.version.normalized)
                    && chosen.version.stability.is_at_least(allowed)
                {
                    matched += 1;
                    let version = chosen.version.clone();
                    if selection.add(&name, chosen) {
                        added.push(version);
                    }
                }
            }
            if matched == 0 && safe_name(&name).is_some() {
                selection.warnings.push(format!(
                    "no version of `{name}` matches `{}` in the repositories",
                    constraint.pretty()
                ));
            }
        }
        if request.with_dependencies {
            for version in &added {
                for (dep, constraint) in requirements(version) {
                    to_look_up.push(dep.clone());
                    wanted.push((dep, constraint));
                }
            }
        }
        if wanted.is_empty() {
            break;
        }
        to_look_up.extend(wanted.iter().map(|w| w.0.clone()));
    }
    for list in selection.packages.values_mut() {
        list.sort_by(|a, b| {
            crate::semver::compare_for_sort(&b.version.normalized, &a.version.normalized)
        });
    }
    Ok(selection)
}

/// The `require` links of a version that name packages (not php, ext-*, …), with their
/// constraints; `self.version` means the version itself.
fn requirements(version: &PackageVersion) -> Vec<(String, Constraint)> {
    let Some(Value::Object(require)) = version.package.get("require") else {
        return Vec::new();
    };
    require
        .iter()
        .filter_map(|(name, constraint)| {
            let name = name.to_lowercase();
            if is_platform_package(&name) || name == version.name() {
                return None;
            }
            let text = constraint.as_str()?;
            let text = if text == "self.version" {
                version.package.pretty_version()
            } else {
                text
            };
            Some((name, Constraint::parse(text).ok()?))
        })
        .collect()
}
