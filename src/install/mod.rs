//! Installing a composer.lock into vendor/.
//!
//! 1. Plan: lock vs `vendor/composer/installed.json` ([`plan`]); only changed packages move.
//! 2. Pipeline ([`pipeline`]): a bounded number of packages in flight; each one's archive comes
//!    from Composer's files cache or is streamed from the network through SHA-1 into a `.part`
//!    file, verified, renamed into the cache, then extracted on a blocking thread into a
//!    temporary directory under `vendor/composer/` and renamed into place. Downloads of other
//!    packages continue while one is extracting.
//! 3. Removals, bin proxies, then installed.json and installed.php, written atomically.
//! 4. Magento's file deploy for packages with an `extra.map` ([`crate::magento`]).
//! 5. The autoloader ([`crate::autoload`]), generated from the installed.json just written.
//!
//! A package is either completely in place or not at all, and installed.json always describes
//! what is there: a run interrupted at any point leaves a tree the next run completes.

pub mod bin;
pub mod paths;
pub mod pipeline;
pub mod plan;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

use crate::archive::ArchiveError;
use crate::autoload::{AutoloadError, DumpOptions, DumpSummary};
use crate::cache::{FilesCache, VerifiedIndex};
use crate::composer::installed::{
    dump_installed, installed_php, InstalledEntry, InstalledRepo, RootInfo,
};
use crate::composer::lock::LockFile;
use crate::composer::package::Package;
use crate::composer::project::RootManifest;
use crate::composer::FileError;
use crate::fsutil::{relative_path, remove_path, write_atomic};
use crate::http::{FetchError, HttpClient};
use crate::magento::{DeployError, DeploySettings};
use crate::progress::Reporter;

/// What to install and how.
pub struct InstallOptions {
    pub manifest: RootManifest,
    pub lock: LockFile,
    pub vendor_dir: PathBuf,
    pub bin_dir: PathBuf,
    pub dev: bool,
    /// Packages in flight at once.
    pub concurrency: usize,
    /// Archives extracted at once (CPU bound); also the threads that parse PHP for `-o`.
    pub extract_jobs: usize,
    /// Write the autoloader at the end (not with `--no-autoloader`).
    pub autoloader: Option<AutoloaderMode>,
    /// Archives fetched from elsewhere than the lock's URLs (`install --mirror`), by
    /// lower-cased package name. installed.json still records the lock's entries.
    pub dist_overrides: HashMap<String, DistOverride>,
    /// `--ignore-platform-req(s)`, for platform_check.php.
    pub platform_filter: crate::resolver::PlatformFilter,
}

/// Where to fetch a package's archive instead of its dist URLs, and the SHA-1 it must have
/// when the lock gives none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistOverride {
    pub url: String,
    pub sha1: Option<String>,
}

/// How install writes the autoloader.
#[derive(Debug, Clone, Copy, Default)]
pub struct AutoloaderMode {
    pub optimize: bool,
    pub authoritative: bool,
}

/// What an install did.
#[derive(Debug, Default, Clone)]
pub struct InstallSummary {
    pub installed: usize,
    pub updated: usize,
    pub removed: usize,
    pub unchanged: usize,
    pub from_cache: usize,
    pub downloaded_bytes: u64,
    /// The autoloader written at the end, unless disabled.
    pub autoload: Option<DumpSummary>,
}

#[derive(Debug, Error)]
pub enum InstallError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("could not write the autoloader")]
    Autoload(#[source] AutoloadError),
    #[error("could not deploy the Magento files")]
    Deploy(#[source] DeployError),
    #[error("{} of {total} package(s) could not be installed", failures.len() + not_attempted)]
    Packages {
        failures: Vec<PackageFailure>,
        not_attempted: usize,
        total: usize,
    },
    #[error("could not update `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("package `{name}` in `{}`: {message}", lock.display())]
    InvalidPackage {
        lock: PathBuf,
        name: String,
        message: String,
    },
}

/// One package that failed, with the reason.
#[derive(Debug, Error)]
#[error("{name} ({version})")]
pub struct PackageFailure {
    pub name: String,
    pub version: String,
    #[source]
    pub error: PackageError,
}

#[derive(Debug, Error)]
pub enum PackageError {
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error("could not extract the archive")]
    Archive(#[source] ArchiveError),
    #[error("the package has no dist archive (source-only installs are not supported)")]
    NoDist,
    #[error("dist type `{0}` is not supported (zip, tar, tar.gz, tar.bz2 and tar.xz are)")]
    UnsupportedDist(String),
    #[error("could not write `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("not attempted after an earlier failure")]
    NotAttempted,
}

impl PackageError {
    /// Failures that would repeat for every other package.
    pub fn stops_the_run(&self) -> bool {
        let disk_full = |e: &std::io::Error| {
            e.kind() == std::io::ErrorKind::StorageFull || e.raw_os_error() == Some(libc::ENOSPC)
        };
        match self {
            PackageError::Fetch(FetchError::Unauthorized { .. } | FetchError::Offline { .. }) => {
                true
            }
            PackageError::Fetch(FetchError::Io { source, .. })
            | PackageError::Io { source, .. }
            | PackageError::Archive(ArchiveError::Io { source, .. }) => disk_full(source),
            _ => false,
        }
    }
}

/// Installs the lock. `Err(Packages)` still leaves a consistent tree: every package that
/// succeeded is in place and recorded in installed.json.
pub async fn install(
    mut opts: InstallOptions,
    client: HttpClient,
    cache: FilesCache,
    reporter: Arc<dyn Reporter>,
) -> Result<InstallSummary, InstallError> {
    let composer_dir = opts.vendor_dir.join("composer");
    fs_err::create_dir_all(&composer_dir).map_err(|e| io_error(&composer_dir, e))?;
    pipeline::clean_leftovers(&composer_dir);
    let installed_path = composer_dir.join("installed.json");
    let installed = InstalledRepo::read(&installed_path)?;
    let locked = locked_packages(&mut opts)?;
    let vendor_dir = opts.vendor_dir.clone();
    let present = |p: &Package| match paths::install_path(&vendor_dir, p) {
        Ok(Some(path)) => plan::directory_present(&path),
        _ => false,
    };
    let mut plan = plan::plan(locked, &installed.packages, &present);
    reporter.on_plan(plan.installs(), plan.updates(), plan.removals.len());

    let root_aliases = opts.lock.aliases().to_vec();
    let mut state: BTreeMap<String, Record> = BTreeMap::new();
    let InstalledRepo {
        packages: installed_packages,
        dev_package_names,
        ..
    } = installed;
    let installed_dev: HashSet<String> = dev_package_names.into_iter().collect();
    for p in installed_packages {
        if let Some(normalized) = p
            .get("version_normalized")
            .and_then(|v| v.as_str())
            .map(str::to_string)
            .or_else(|| crate::semver::normalize(p.pretty_version()).ok())
        {
            let name = p.name();
            let dev = installed_dev.contains(&name);
            state.insert(name, Record::new(p, normalized, dev));
        }
    }
    let mut summary = InstallSummary {
        unchanged: plan.unchanged.len(),
        ..InstallSummary::default()
    };
    for (package, normalized, dev) in std::mem::take(&mut plan.unchanged) {
        state.insert(package.name(), Record::new(package, normalized, dev));
    }

    for package in &plan.removals {
        if let Some(path) = paths::install_path(&opts.vendor_dir, package)
            .ok()
            .flatten()
        {
            remove_path(&path).map_err(|e| io_error(&path, e))?;
            remove_empty_parent(&path, &opts.vendor_dir);
        }
        bin::remove_proxies(package, &opts.bin_dir).map_err(|e| io_error(&opts.bin_dir, e))?;
        state.remove(&package.name());
        reporter.on_removed(package.pretty_name());
        summary.removed += 1;
    }

    let total = plan.operations.len();
    // The index of verified archives matters only when something is to be put in place.
    let verified = if plan.operations.is_empty() {
        VerifiedIndex::default()
    } else {
        VerifiedIndex::load(&cache)
    };
    let context = pipeline::Context {
        client,
        cache,
        verified,
        vendor_dir: opts.vendor_dir.clone(),
        composer_dir: composer_dir.clone(),
        concurrency: opts.concurrency.max(1),
        extract_jobs: opts.extract_jobs.max(1),
        reporter: reporter.clone(),
        dist_overrides: opts.dist_overrides.clone(),
    };
    let results = pipeline::run(&plan.operations, &context).await;
    context.verified.save();

    let mut failures = Vec::new();
    let mut not_attempted = 0;
    let mut placed = HashSet::new();
    for (op, result) in plan.operations.iter().zip(results) {
        match result {
            Ok(done) => {
                if op.replaces.is_some() {
                    summary.updated += 1;
                } else {
                    summary.installed += 1;
                }
                if done.from_cache {
                    summary.from_cache += 1;
                }
                summary.downloaded_bytes += done.transferred;
                placed.insert(op.package.name());
                state.insert(
                    op.package.name(),
                    Record::new(op.package.clone(), op.version_normalized.clone(), op.dev),
                );
            }
            Err(PackageError::NotAttempted) => not_attempted += 1,
            Err(error) => failures.push(PackageFailure {
                name: op.package.pretty_name().to_string(),
                version: op.package.pretty_version().to_string(),
                error,
            }),
        }
    }

    for (name, record) in &state {
        if let Some(path) = paths::install_path(&opts.vendor_dir, &record.package)
            .ok()
            .flatten()
        {
            let skipped = bin::install_proxies(
                &record.package,
                &path,
                &opts.bin_dir,
                &opts.vendor_dir,
                placed.contains(name),
            )
            .map_err(|e| io_error(&opts.bin_dir, e))?;
            for s in skipped {
                reporter.on_warning(&format!(
                    "skipped the bin `{}` of {}: {}",
                    s.bin, s.package, s.reason
                ));
            }
        }
    }

    let installed_now = write_installed_files(&opts, &composer_dir, &state, &root_aliases)?;
    deploy_magento_files(&opts, &state)?;

    if !failures.is_empty() || not_attempted > 0 {
        return Err(InstallError::Packages {
            failures,
            not_attempted,
            total,
        });
    }
    if let Some(mode) = opts.autoloader {
        let dumped = crate::autoload::dump(&DumpOptions {
            project_dir: opts.manifest.dir().to_path_buf(),
            vendor_dir: opts.vendor_dir.clone(),
            manifest: opts.manifest.json.clone(),
            optimize: mode.optimize,
            authoritative: mode.authoritative,
            dev: Some(opts.dev),
            jobs: opts.extract_jobs.max(1),
            default_suffix: opts.lock.content_hash().map(str::to_string),
            installed: Some(installed_now),
            platform_filter: opts.platform_filter.clone(),
        })
        .map_err(InstallError::Autoload)?;
        for w in &dumped.warnings {
            reporter.on_warning(w);
        }
        summary.autoload = Some(dumped);
    }
    Ok(summary)
}

/// Runs Magento's deploy for every package with an `extra.map` that was not deployed at its
/// installed version yet (installed or updated now, or left undeployed by an earlier run).
fn deploy_magento_files(
    opts: &InstallOptions,
    state: &BTreeMap<String, Record>,
) -> Result<(), InstallError> {
    let settings =
        DeploySettings::from_manifest(&opts.manifest.json, opts.manifest.dir(), &opts.vendor_dir)
            .map_err(InstallError::Deploy)?;
    if !settings.enabled {
        return Ok(());
    }
    let mut record = crate::magento::Record::read(&opts.vendor_dir);
    let mut changed = false;
    for r in state.values() {
        if !record.needs_deploy(&r.package) {
            continue;
        }
        let Some(dir) = paths::install_path(&opts.vendor_dir, &r.package)
            .ok()
            .flatten()
        else {
            continue;
        };
        let name = r.package.name();
        let (_, deployed) =
            crate::magento::deploy_package(&settings, &r.package, &dir, record.packages.get(&name))
                .map_err(InstallError::Deploy)?;
        record.packages.insert(name, deployed);
        changed = true;
    }
    let before = record.packages.len();
    record.packages.retain(|name, _| state.contains_key(name));
    changed |= record.packages.len() != before;
    if changed {
        record
            .write(&opts.vendor_dir)
            .map_err(InstallError::Deploy)?;
        crate::magento::finish(&settings).map_err(InstallError::Deploy)?;
    }
    Ok(())
}

/// One package as it will be recorded in installed.json.
struct Record {
    package: Package,
    version_normalized: String,
    dev: bool,
}

impl Record {
    fn new(package: Package, version_normalized: String, dev: bool) -> Record {
        Record {
            package,
            version_normalized,
            dev,
        }
    }
}

/// The lock's packages (moved out of `opts.lock`) with their normalized versions.
fn locked_packages(opts: &mut InstallOptions) -> Result<Vec<plan::Locked>, InstallError> {
    let mut out = Vec::new();
    let packages = std::mem::take(&mut opts.lock.packages);
    let dev_list = if opts.dev {
        std::mem::take(&mut opts.lock.packages_dev)
    } else {
        Vec::new()
    };
    for (packages, dev) in [(packages, false), (dev_list, true)] {
        for p in packages {
            let normalized = {
                let invalid = |message: String| InstallError::InvalidPackage {
                    lock: opts.lock.path.clone(),
                    name: p.pretty_name().to_string(),
                    message,
                };
                paths::install_path(&opts.vendor_dir, &p).map_err(invalid)?;
                crate::semver::normalize(p.pretty_version()).map_err(|e| invalid(e.to_string()))?
            };
            out.push(plan::Locked {
                package: p,
                version_normalized: normalized,
                dev,
            });
        }
    }
    Ok(out)
}

fn write_installed_files(
    opts: &InstallOptions,
    composer_dir: &Path,
    state: &BTreeMap<String, Record>,
    root_aliases: &[(String, String)],
) -> Result<InstalledRepo, InstallError> {
    let entries: Vec<InstalledEntry<'_>> = state
        .values()
        .map(|r| InstalledEntry {
            package: &r.package,
            version_normalized: r.version_normalized.clone(),
            install_path: paths::install_path(&opts.vendor_dir, &r.package)
                .ok()
                .flatten()
                .map(|p| {
                    relative_path(composer_dir, &p)
                        .to_string_lossy()
                        .into_owned()
                }),
            dev: r.dev,
            aliases: paths::aliases(&r.package, root_aliases),
        })
        .collect();
    let json_path = composer_dir.join("installed.json");
    let dumped = dump_installed(&entries, opts.dev);
    write_if_changed(&json_path, dumped.json.as_bytes())?;
    let root = root_info(&opts.manifest, composer_dir);
    let php_path = composer_dir.join("installed.php");
    write_if_changed(
        &php_path,
        installed_php(&root, &entries, opts.dev).as_bytes(),
    )?;
    Ok(dumped.repo)
}

fn write_if_changed(path: &Path, contents: &[u8]) -> Result<(), InstallError> {
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    write_atomic(path, contents).map_err(|e| io_error(path, e))
}

fn root_info(manifest: &RootManifest, composer_dir: &Path) -> RootInfo {
    let json = &manifest.json;
    let name = json
        .get("name")
        .and_then(|v| v.as_str())
        .map(str::to_lowercase)
        .unwrap_or_else(|| "__root__".to_string());
    let declared = json
        .get("version")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| {
            std::env::var("COMPOSER_ROOT_VERSION")
                .ok()
                .filter(|v| !v.is_empty())
        });
    let (pretty_version, version) = match declared
        .as_deref()
        .and_then(|v| crate::semver::normalize(v).ok().map(|n| (v.to_string(), n)))
    {
        Some(pair) => pair,
        None => ("1.0.0+no-version-set".to_string(), "1.0.0.0".to_string()),
    };
    let links = |key: &str| -> Vec<(String, String)> {
        json.get(key)
            .and_then(|v| v.as_object())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.to_lowercase(), v.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut install_path = relative_path(composer_dir, manifest.dir())
        .to_string_lossy()
        .into_owned();
    if !install_path.ends_with('/') {
        install_path.push('/');
    }
    RootInfo {
        name,
        pretty_version,
        version,
        package_type: json
            .get("type")
            .and_then(|v| v.as_str())
            .unwrap_or("library")
            .to_lowercase(),
        install_path,
        replace: links("replace"),
        provide: links("provide"),
    }
}

fn remove_empty_parent(path: &Path, vendor_dir: &Path) {
    if let Some(parent) = path.parent() {
        if parent != vendor_dir && parent.starts_with(vendor_dir) {
            let _ = std::fs::remove_dir(parent);
        }
    }
}

fn io_error(path: &Path, source: std::io::Error) -> InstallError {
    InstallError::Io {
        path: path.to_path_buf(),
        source,
    }
}
