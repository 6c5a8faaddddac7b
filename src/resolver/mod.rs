//! Dependency resolution with Composer 2.5's semantics, and composer.lock writing.
//!
//! The goal is not "a" solution but the one Composer picks, so this module is a port of
//! Composer's own algorithm on integer ids and vectors:
//!
//! 1. [`root`] reads composer.json like `RootPackageLoader` (requirements, stability flags,
//!    inline aliases, `minimum-stability`, `prefer-stable`), [`platform`] builds the platform
//!    packages (`config.platform`, else the local `php`).
//! 2. [`builder`] loads the pool like `PoolBuilder` (only names required by name, repository
//!    priority, stability filtering, branch aliases, partial-update locking).
//! 3. [`rules`] generates clauses like `RuleSetGenerator`, [`solver`] runs Composer's CDCL
//!    solver with [`policy`] (`DefaultPolicy`) choosing among candidates.
//! 4. When require-dev exists, a second solve without it splits `packages` from
//!    `packages-dev` (`Installer::extractDevPackages`).
//! 5. [`lock`] writes composer.lock as Composer's `Locker` + `ArrayDumper` do, byte for byte;
//!    [`problem`] explains unsolvable requests in user terms.
//!
//! # API
//!
//! ```ignore
//! let request = ResolveRequest::from_manifest(&manifest_json, platform, options)?;
//! let resolution = resolve(&request, &source).await?;        // source: impl PackageSource
//! let text = lock::render(&resolution, &content_hash(&manifest_json));
//! ```
//!
//! A partial update (`update acme/a`, what `require` does after editing composer.json) sets
//! [`ResolveOptions::allow`] and passes the current lock in [`ResolveOptions::locked`].
//! [`RepositorySource`] adapts a [`crate::repository::RepositorySet`]-like list of
//! repositories to [`PackageSource`].

pub mod builder;
pub mod lock;
pub mod platform;
pub mod policy;
pub mod pool;
pub mod problem;
pub mod root;
pub mod rules;
pub mod solver;
pub mod source;
pub mod stability;

use std::sync::Arc;

use serde_json::{Map, Value};

pub use builder::{PackageSource, UpdateAllow};
pub use policy::Policy;
pub use pool::{Origin, Pool, PoolPackage};
pub use root::RootConfig;
pub use source::RepositorySource;
pub use stability::StabilitySettings;

use crate::semver::{normalize_branch, Constraint};

/// An inline alias of the root (`"acme/a": "dev-main as 1.2.x-dev"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RootAlias {
    pub package: String,
    /// Normalized aliased version.
    pub version: String,
    pub alias: String,
    pub alias_normalized: String,
}

/// Which platform requirements are ignored (`--ignore-platform-reqs`,
/// `--ignore-platform-req NAME`).
#[derive(Debug, Clone, Default)]
pub enum PlatformFilter {
    #[default]
    None,
    All,
    List(Vec<String>),
}

impl PlatformFilter {
    /// `--ignore-platform-reqs` / `--ignore-platform-req NAME…` as a filter.
    pub fn from_flags(all: bool, names: &[String]) -> PlatformFilter {
        if all {
            PlatformFilter::All
        } else if names.is_empty() {
            PlatformFilter::None
        } else {
            PlatformFilter::List(names.iter().map(|n| n.to_lowercase()).collect())
        }
    }

    pub fn is_ignored(&self, name: &str) -> bool {
        match self {
            PlatformFilter::None => false,
            PlatformFilter::All => crate::composer::installed::is_platform_package(name),
            PlatformFilter::List(patterns) => {
                crate::composer::installed::is_platform_package(name)
                    && patterns
                        .iter()
                        .any(|p| crate::repository::glob_match(p.trim_end_matches('+'), name))
            }
        }
    }
}

/// What to resolve, besides composer.json.
#[derive(Debug, Clone, Default)]
pub struct ResolveOptions {
    /// `--prefer-stable` (or-ed with composer.json's `prefer-stable`).
    pub prefer_stable: bool,
    pub prefer_lowest: bool,
    pub platform_filter: PlatformFilter,
    /// Partial update: the packages that may change. `None` updates everything.
    pub allow: Option<UpdateAllow>,
    /// The current composer.lock entries (`packages` then `packages-dev`), for partial updates.
    pub locked: Vec<Map<String, Value>>,
}

/// A resolved lock: what composer.lock will hold.
#[derive(Debug, Clone)]
pub struct Resolution {
    pub packages: Vec<Arc<Map<String, Value>>>,
    pub packages_dev: Vec<Arc<Map<String, Value>>>,
    pub aliases: Vec<RootAlias>,
    pub minimum_stability: String,
    pub stability_flags: Vec<(String, u8)>,
    pub prefer_stable: bool,
    pub prefer_lowest: bool,
    pub platform: Vec<(String, String)>,
    pub platform_dev: Vec<(String, String)>,
    pub platform_overrides: Option<Value>,
    /// Warnings Composer would print (e.g. a root dependency kept locked).
    pub notes: Vec<String>,
}

/// Why there is no lock.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    #[error(
        "your requirements could not be resolved to an installable set of packages\n{explanation}"
    )]
    Unsolvable { explanation: String },
    #[error("unable to find a compatible set of packages based on your non-dev requirements alone (they can be resolved when require-dev packages are present)\n{explanation}")]
    NonDevUnsolvable { explanation: String },
    #[error(transparent)]
    Repository(#[from] crate::repository::RepositoryError),
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Bug(#[from] solver::SolverBug),
}

impl ResolveError {
    /// Composer's exit code for this error (2 when the request cannot be satisfied).
    pub fn is_unsolvable(&self) -> bool {
        matches!(
            self,
            ResolveError::Unsolvable { .. } | ResolveError::NonDevUnsolvable { .. }
        )
    }
}

/// `ArrayLoader::getBranchAlias`: the normalized alias of a branch version, from
/// `extra.branch-alias` or `default-branch: true`.
pub fn branch_alias(data: &Map<String, Value>, pretty_version: &str) -> Option<String> {
    if !pretty_version.starts_with("dev-") && !pretty_version.ends_with("-dev") {
        return None;
    }
    if let Some(Value::Object(aliases)) = data.get("extra").and_then(|e| e.get("branch-alias")) {
        for (source, target) in aliases {
            let Some(target) = target.as_str() else {
                continue;
            };
            let Some(stem) = target.strip_suffix("-dev") else {
                continue;
            };
            let validated = if target == "9999999-dev" {
                target.to_string()
            } else {
                normalize_branch(stem)
            };
            if !validated.ends_with("-dev") {
                continue;
            }
            if pretty_version.to_lowercase() != source.to_lowercase() {
                continue;
            }
            if let (Some(sp), Some(tp)) =
                (numeric_alias_prefix(source), numeric_alias_prefix(target))
            {
                if !tp.to_lowercase().starts_with(&sp.to_lowercase()) {
                    continue;
                }
            }
            return Some(validated);
        }
    }
    if data.get("default-branch") == Some(&Value::Bool(true))
        && numeric_alias_prefix(pretty_version.strip_prefix('v').unwrap_or(pretty_version))
            .is_none()
    {
        return Some("9999999-dev".to_string());
    }
    None
}

/// `VersionParser::parseNumericAliasPrefix`: `^((\d+\.)*\d+)(?:\.x)?-dev$`i → `"1.2."`.
pub fn numeric_alias_prefix(branch: &str) -> Option<String> {
    let lower = branch.to_lowercase();
    let stem = lower.strip_suffix("-dev")?;
    let stem = stem.strip_suffix(".x").unwrap_or(stem);
    if stem.is_empty()
        || !stem
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    Some(format!("{}.", &branch[..stem.len()]))
}

/// Resolves composer.json (`root`) against the repositories of `source`.
pub async fn resolve(
    root: &RootConfig,
    platform: &platform::Platform,
    options: &ResolveOptions,
    source: &dyn PackageSource,
) -> Result<Resolution, ResolveError> {
    let stability = root.stability_settings();
    let policy = Policy {
        prefer_stable: options.prefer_stable || root.prefer_stable,
        prefer_lowest: options.prefer_lowest,
    };
    let root_package = root.fixed_package();
    let platform_packages = platform.packages();
    let fixed = fixed_packages(&root_package, &platform_packages);
    let locked = locked_packages(&options.locked);
    let requires = root.request_requires();
    let builder =
        builder::PoolBuilder::new(&stability, &root.aliases, source, options.allow.as_ref());
    let (packages, request, notes) = builder.build(fixed, locked, requires.clone()).await?;
    let pool = Pool::new(packages);
    let fixed_ids: Vec<u32> = request.fixed.iter().map(|i| *i as u32 + 1).collect();
    let installed = solve_pool(
        &pool,
        policy,
        &options.platform_filter,
        &fixed_ids,
        &requires,
        root,
    )
    .map_err(|explanation| ResolveError::Unsolvable { explanation })??;
    let result: Vec<&PoolPackage> = installed
        .iter()
        .map(|id| pool.get(*id))
        .filter(|p| !fixed_ids.contains(&p.id))
        .collect();
    let (non_dev, dev) = if root.require_dev.is_empty() {
        (result.clone(), Vec::new())
    } else {
        split_dev(root, platform, policy, &options.platform_filter, &result)?
    };
    let entries = |list: &[&PoolPackage]| -> Vec<Arc<Map<String, Value>>> {
        list.iter()
            .filter(|p| !p.is_alias())
            .filter_map(|p| p.data.clone())
            .collect()
    };
    let used_aliases = used_root_aliases(&root.aliases, &pool, &installed);
    Ok(Resolution {
        packages: entries(&non_dev),
        packages_dev: entries(&dev),
        aliases: used_aliases,
        minimum_stability: root.minimum_stability_name.clone(),
        stability_flags: stability
            .flags
            .iter()
            .filter(|(n, _)| **n != root.name || root.flags_include_root)
            .map(|(n, s)| (n.clone(), s.rank()))
            .collect(),
        prefer_stable: policy.prefer_stable,
        prefer_lowest: policy.prefer_lowest,
        platform: root.platform_requires(false),
        platform_dev: root.platform_requires(true),
        platform_overrides: platform.overrides_value(),
        notes,
    })
}

/// The root and platform packages that are fixed (platform packages the root provides are
/// left out, as in `Installer::createRequest`).
fn fixed_packages(root: &PoolPackage, platform: &[PoolPackage]) -> Vec<PoolPackage> {
    let mut out = vec![root.clone()];
    for p in platform {
        let provided = root
            .provides
            .iter()
            .any(|l| l.target == p.name && l.constraint.matches(&Constraint::exact(&p.version)));
        if !provided {
            out.push(p.clone());
        }
    }
    out
}

/// Lock entries as packages (branch aliases first, as Composer's repositories list them).
fn locked_packages(entries: &[Map<String, Value>]) -> Vec<PoolPackage> {
    let mut out = Vec::new();
    for entry in entries {
        let Some(pretty) = entry.get("version").and_then(Value::as_str) else {
            continue;
        };
        let normalized = match entry.get("version_normalized").and_then(Value::as_str) {
            Some(v) if v != "9999999-dev" => v.to_string(),
            _ => match crate::semver::normalize(pretty) {
                Ok(v) => v,
                Err(_) => continue,
            },
        };
        let data = Arc::new(lock::strip_for_reload(entry));
        let mut base = PoolPackage::from_entry(data.clone(), &normalized, Origin::Locked, 0);
        base.id = out.len() as u32 + 1;
        if let Some(alias) = branch_alias(&data, pretty) {
            let mut a = PoolPackage::alias(&base, &alias, &builder::pretty_alias(&alias), false);
            // The alias goes first and its base right after it.
            a.alias_of = Some(1);
            out.push((a, true));
        }
        out.push((base, false));
    }
    // Fix alias links: an alias is always immediately followed by its base.
    let mut fixed = Vec::with_capacity(out.len());
    for (i, (mut p, is_alias)) in out.into_iter().enumerate() {
        if is_alias {
            p.alias_of = Some(i as u32 + 1);
        }
        p.id = i as u32;
        fixed.push(p);
    }
    fixed
}

/// Generates rules and solves; `Err(explanation)` when unsolvable.
fn solve_pool(
    pool: &Pool,
    policy: Policy,
    filter: &PlatformFilter,
    fixed: &[u32],
    requires: &[(String, Constraint)],
    root: &RootConfig,
) -> Result<Result<Vec<u32>, ResolveError>, String> {
    let rules = rules::Generator::new(pool, filter).generate(fixed, requires);
    let mut root_problems = Vec::new();
    let mut missing = Vec::new();
    for (name, constraint) in requires {
        if filter.is_ignored(name) {
            continue;
        }
        if pool.what_provides(name, Some(constraint)).is_empty() {
            missing.push((name.clone(), constraint.clone()));
            root_problems.push(Vec::new());
        }
    }
    let solver = solver::Solver::new(pool, policy, rules, fixed);
    let (outcome, rules) = match solver.solve(root_problems) {
        Ok(r) => r,
        Err(bug) => return Ok(Err(bug.into())),
    };
    match outcome {
        solver::Outcome::Solved(ids) => Ok(Ok(ids)),
        solver::Outcome::Unsolvable(problems) => {
            Err(problem::explain(pool, &rules, &problems, &missing, root))
        }
    }
}

/// `extractDevPackages`: solve again with `require` only over the chosen packages; what that
/// needs is `packages`, the rest `packages-dev`.
fn split_dev<'p>(
    root: &RootConfig,
    platform: &platform::Platform,
    policy: Policy,
    filter: &PlatformFilter,
    result: &[&'p PoolPackage],
) -> Result<(Vec<&'p PoolPackage>, Vec<&'p PoolPackage>), ResolveError> {
    let root_package = root.fixed_package();
    let platform_packages = platform.packages();
    let fixed = fixed_packages(&root_package, &platform_packages);
    let mut all: Vec<PoolPackage> = Vec::new();
    for p in root_package_and_platform(&root_package, &platform_packages) {
        all.push(p);
    }
    for p in result.iter().filter(|p| !p.is_alias()) {
        let Some(data) = p.data.clone() else { continue };
        let mut base = PoolPackage::from_entry(data.clone(), &p.version, p.origin, p.seq);
        base.id = all.len() as u32;
        if let Some(alias) = branch_alias(&data, &p.pretty_version) {
            let mut a = PoolPackage::alias(&base, &alias, &builder::pretty_alias(&alias), false);
            a.alias_of = Some(all.len() as u32 + 1);
            a.id = all.len() as u32;
            all.push(a);
            base.id = all.len() as u32;
        }
        let base_id = base.id;
        let root_alias = root
            .aliases
            .iter()
            .find(|a| a.package == base.name && a.version == base.version)
            .cloned();
        all.push(base.clone());
        if let Some(ra) = root_alias {
            let mut a = PoolPackage::alias(&base, &ra.alias_normalized, &ra.alias, true);
            a.alias_of = Some(base_id);
            a.id = all.len() as u32;
            all.push(a);
        }
    }
    // Ids in `all` are 0-based positions; the pool renumbers from 1 and remaps alias links.
    let pool = Pool::new(all);
    let mut fixed_ids: Vec<u32> = vec![1];
    for (i, p) in platform_packages.iter().enumerate() {
        if fixed.iter().skip(1).any(|f| f.name == p.name) {
            fixed_ids.push(i as u32 + 2);
        }
    }
    let requires = root.request_requires_non_dev();
    let installed = solve_pool(&pool, policy, filter, &fixed_ids, &requires, root)
        .map_err(|explanation| ResolveError::NonDevUnsolvable { explanation })??;
    let names: Vec<&str> = installed
        .iter()
        .map(|id| pool.get(*id).name.as_str())
        .collect();
    let mut non_dev = Vec::new();
    let mut dev = Vec::new();
    for p in result {
        if names.contains(&p.name.as_str()) {
            non_dev.push(*p);
        } else {
            dev.push(*p);
        }
    }
    Ok((non_dev, dev))
}

fn root_package_and_platform(root: &PoolPackage, platform: &[PoolPackage]) -> Vec<PoolPackage> {
    let mut out = vec![root.clone()];
    out.extend(platform.iter().cloned());
    for (i, p) in out.iter_mut().enumerate() {
        p.id = i as u32;
    }
    out
}

/// `LockTransaction::getAliases`: root aliases of packages that were chosen, by package name.
fn used_root_aliases(aliases: &[RootAlias], pool: &Pool, installed: &[u32]) -> Vec<RootAlias> {
    let mut remaining: Vec<RootAlias> = aliases.to_vec();
    let mut used = Vec::new();
    for id in installed {
        let p = pool.get(*id);
        if !p.is_alias() {
            continue;
        }
        let (take, keep): (Vec<RootAlias>, Vec<RootAlias>) =
            remaining.into_iter().partition(|a| a.package == p.name);
        used.extend(take);
        remaining = keep;
    }
    used.sort_by(|a, b| a.package.cmp(&b.package));
    used
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn branch_aliases() {
        let data = json!({"extra": {"branch-alias": {"dev-master": "1.0.x-dev"}}});
        let m = data.as_object().unwrap();
        assert_eq!(
            branch_alias(m, "dev-master").as_deref(),
            Some("1.0.9999999.9999999-dev")
        );
        assert_eq!(branch_alias(m, "dev-other"), None);
        assert_eq!(branch_alias(m, "1.0.0"), None);
        let d = json!({"default-branch": true});
        assert_eq!(
            branch_alias(d.as_object().unwrap(), "dev-main").as_deref(),
            Some("9999999-dev")
        );
        assert_eq!(branch_alias(d.as_object().unwrap(), "1.0.x-dev"), None);
        assert_eq!(numeric_alias_prefix("1.2.x-dev").as_deref(), Some("1.2."));
        assert_eq!(numeric_alias_prefix("dev-master"), None);
        let bad = json!({"extra": {"branch-alias": {"2.0.x-dev": "1.0.x-dev"}}});
        assert_eq!(branch_alias(bad.as_object().unwrap(), "2.0.x-dev"), None);
    }

    #[test]
    fn platform_filter() {
        assert!(PlatformFilter::All.is_ignored("ext-intl"));
        assert!(!PlatformFilter::All.is_ignored("acme/a"));
        let l = PlatformFilter::List(vec!["ext-*".into()]);
        assert!(l.is_ignored("ext-intl"));
        assert!(!l.is_ignored("php"));
    }
}
