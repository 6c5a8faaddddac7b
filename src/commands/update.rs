//! `magefetch update [packages…]`: composer.json → composer.lock with Composer 2.5.5's
//! choices (see [`crate::resolver`]), then `install` unless `--no-install` / `--dry-run`.
//!
//! Other commands build on [`run`]: `require` edits composer.json and calls it with
//! `packages = [the new names]` and `with_dependencies`, `create-project` calls it in the new
//! directory (`GlobalArgs::working_dir`) with no packages (a full update).

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::project::{input_error, ProjectContext};
use super::show::repository_error;
use super::{CommandError, ExitCode};
use crate::cli::{GlobalArgs, InstallArgs, UpdateArgs};
use crate::composer::content_hash::content_hash;
use crate::composer::project::lock_path_for;
use crate::repository::RepositoryDefinitions;
use crate::resolver::platform::{Detected, Platform};
use crate::resolver::{
    lock, resolve, PlatformFilter, RepositorySource, Resolution, ResolveError, ResolveOptions,
    RootConfig, UpdateAllow,
};
use crate::semver::compare_normalized;

const DEFAULT_CONCURRENCY: usize = 24;

/// What changed in the lock, for the report.
#[derive(Debug, Default)]
pub struct LockChanges {
    pub installs: Vec<(String, String)>,
    /// (name, from, to, is upgrade)
    pub updates: Vec<(String, String, String, bool)>,
    pub removals: Vec<(String, String)>,
}

pub async fn run(global: &GlobalArgs, args: &UpdateArgs) -> Result<(), CommandError> {
    let project = ProjectContext::open(global)?;
    // Composer stops with exit code 1 on an invalid root package.
    let root = RootConfig::from_json(&project.manifest.json).map_err(|e| {
        CommandError::new(
            anyhow::anyhow!("{}: {e}", project.manifest.path.display()),
            ExitCode::Failure,
        )
    })?;
    let lock_path = lock_path_for(&project.manifest.path);
    let old_lock_text = std::fs::read_to_string(&lock_path).ok();
    let old_lock: Option<Value> = match &old_lock_text {
        Some(text) => Some(crate::composer::parse_json(&lock_path, text).map_err(input_error)?),
        None => None,
    };
    let allow = if args.packages.is_empty() {
        None
    } else {
        if old_lock.is_none() {
            return Err(CommandError::new(
                anyhow::anyhow!(
                    "cannot update only a partial set of packages without a lock file present"
                ),
                ExitCode::Input,
            )
            .hint("run `magefetch update` without package names to create composer.lock"));
        }
        Some(UpdateAllow {
            patterns: args.packages.iter().map(|p| p.to_lowercase()).collect(),
            with_dependencies: args.with_dependencies,
            with_all_dependencies: args.with_all_dependencies,
        })
    };
    let locked = old_lock.as_ref().map(locked_entries).unwrap_or_default();
    let platform_filter =
        PlatformFilter::from_flags(args.ignore_platform_reqs, &args.ignore_platform_req);
    let options = ResolveOptions {
        prefer_stable: args.prefer_stable,
        prefer_lowest: args.prefer_lowest,
        platform_filter,
        allow,
        locked: locked.clone(),
    };
    let platform = Platform::new(Detected::probe(), root.config_platform());
    let defs = RepositoryDefinitions::from_manifest(&project.manifest.json, &project.manifest.path)
        .map_err(|e| CommandError::new(e, ExitCode::Input))?;
    if !global.quiet {
        for note in &defs.skipped {
            eprintln!("warning: {note}");
        }
        eprintln!("Loading composer repositories with package information");
    }
    let settings = &project.settings;
    let auth = std::sync::Arc::new(project.auth);
    let ctx = super::project::repo_context(settings, auth.clone(), settings.offline)?;
    let concurrency = settings.max_parallel_http.unwrap_or(DEFAULT_CONCURRENCY);
    let source = RepositorySource::new(&defs, ctx, concurrency);
    if !global.quiet {
        eprintln!("Updating dependencies");
    }
    let result = resolve(&root, &platform, &options, &source).await;
    if !global.quiet {
        for warning in source.take_warnings() {
            eprintln!("warning: {warning}");
        }
    }
    let resolution = result.map_err(|e| resolve_error(e, &auth))?;
    if !global.quiet {
        for note in &resolution.notes {
            eprintln!("warning: {note}");
        }
    }
    let text = lock::render(&resolution, &content_hash(&project.manifest.json));
    let changes = lock_changes(&locked, &resolution);
    report_changes(global, &changes);
    if args.dry_run {
        return Ok(());
    }
    if old_lock_text.as_deref() != Some(text.as_str()) {
        if !global.quiet {
            eprintln!("Writing lock file");
        }
        crate::fsutil::write_atomic(&lock_path, text.as_bytes()).map_err(|e| {
            CommandError::new(
                anyhow::anyhow!("could not write `{}`: {e}", lock_path.display()),
                ExitCode::LocalFs,
            )
        })?;
    }
    if args.no_install {
        return Ok(());
    }
    let install_args = InstallArgs {
        no_dev: args.no_dev,
        concurrency: None,
        no_autoloader: args.no_autoloader,
        autoloader: args.autoloader,
        ignore_platform_reqs: args.ignore_platform_reqs,
        ignore_platform_req: args.ignore_platform_req.clone(),
        ..Default::default()
    };
    super::install::run(global, &install_args).await
}

fn resolve_error(e: ResolveError, auth: &crate::auth::AuthStore) -> CommandError {
    match e {
        ResolveError::Unsolvable { explanation }
        | ResolveError::NonDevUnsolvable { explanation } => {
            let mut err = CommandError::new(
                anyhow::anyhow!("your requirements could not be resolved to an installable set of packages"),
                ExitCode::Unsolvable,
            )
            .hint("change the constraints named above in composer.json (or the packages they come from), then run the update again");
            err.details = explanation.lines().map(str::to_string).collect();
            err
        }
        ResolveError::Repository(e) => repository_error(e, auth),
        ResolveError::Input(m) => CommandError::new(anyhow::anyhow!(m), ExitCode::Input),
        ResolveError::Bug(b) => CommandError::new(b, ExitCode::Failure),
    }
}

/// `packages` then `packages-dev` of a decoded lock.
fn locked_entries(lock: &Value) -> Vec<Map<String, Value>> {
    ["packages", "packages-dev"]
        .iter()
        .filter_map(|k| lock.get(*k).and_then(Value::as_array))
        .flatten()
        .filter_map(|e| e.as_object().cloned())
        .collect()
}

fn entry_key(e: &Map<String, Value>) -> Option<(String, String, String)> {
    let name = e.get("name")?.as_str()?.to_string();
    let version = e.get("version")?.as_str()?.to_string();
    let reference = e
        .get("dist")
        .and_then(|d| d.get("reference"))
        .or_else(|| e.get("source").and_then(|s| s.get("reference")))
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Some((name, version, reference))
}

/// Installs, updates and removals between the old lock and the resolution.
pub fn lock_changes(old: &[Map<String, Value>], new: &Resolution) -> LockChanges {
    let before: BTreeMap<String, (String, String)> = old
        .iter()
        .filter_map(entry_key)
        .map(|(n, v, r)| (n.to_lowercase(), (v, r)))
        .collect();
    let mut after: BTreeMap<String, (String, String, String)> = BTreeMap::new();
    for e in new.packages.iter().chain(&new.packages_dev) {
        if let Some((n, v, r)) = entry_key(e) {
            after.insert(n.to_lowercase(), (n, v, r));
        }
    }
    let mut changes = LockChanges::default();
    for (key, (pretty, version, reference)) in &after {
        match before.get(key) {
            None => changes.installs.push((pretty.clone(), version.clone())),
            Some((old_v, old_r)) if old_v != version || old_r != reference => {
                let up = match (
                    crate::semver::normalize(old_v),
                    crate::semver::normalize(version),
                ) {
                    (Ok(a), Ok(b)) => compare_normalized(&b, &a).is_ge(),
                    _ => true,
                };
                changes
                    .updates
                    .push((pretty.clone(), old_v.clone(), version.clone(), up));
            }
            Some(_) => {}
        }
    }
    for e in old {
        if let Some((n, v, _)) = entry_key(e) {
            if !after.contains_key(&n.to_lowercase()) {
                changes.removals.push((n, v));
            }
        }
    }
    changes.removals.sort();
    changes
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

fn report_changes(global: &GlobalArgs, c: &LockChanges) {
    if global.quiet {
        return;
    }
    if c.installs.is_empty() && c.updates.is_empty() && c.removals.is_empty() {
        eprintln!("Nothing to modify in lock file");
        return;
    }
    eprintln!(
        "Lock file operations: {}, {}, {}",
        plural(c.installs.len(), "install"),
        plural(c.updates.len(), "update"),
        plural(c.removals.len(), "removal")
    );
    for (n, v) in &c.removals {
        eprintln!("  - Removing {n} ({v})");
    }
    let mut lines: Vec<(String, String)> = Vec::new();
    for (n, v) in &c.installs {
        lines.push((n.to_lowercase(), format!("  - Locking {n} ({v})")));
    }
    for (n, from, to, up) in &c.updates {
        let verb = if *up { "Upgrading" } else { "Downgrading" };
        lines.push((n.to_lowercase(), format!("  - {verb} {n} ({from} => {to})")));
    }
    lines.sort();
    for (_, line) in lines {
        eprintln!("{line}");
    }
}
