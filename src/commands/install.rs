//! `magefetch install`: composer.lock → vendor/.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;

use super::project::{auth_hint, input_error, ProjectContext};
use super::{chain_text, reporters, CommandError, ExitCode};
use crate::archive::ArchiveError;
use crate::auth::AuthStore;
use crate::cache::FilesCache;
use crate::cli::{Format, GlobalArgs, InstallArgs};
use crate::composer::lock::LockFile;
use crate::composer::project::{lock_path_for, RootManifest};
use crate::config::Settings;
use crate::http::{FetchError, HttpClient, HttpSettings};
use crate::install::{install, AutoloaderMode, InstallError, InstallOptions, PackageError};
use crate::magento::DeployError;
use crate::progress::Reporter;

const DEFAULT_CONCURRENCY: usize = 24;

pub async fn run(global: &GlobalArgs, args: &InstallArgs) -> Result<(), CommandError> {
    let started = Instant::now();
    let project = Project::open(global)?;
    let reporter: Arc<dyn Reporter> = Arc::from(reporters::for_args(global));
    if !project.lock.is_fresh(&project.manifest) {
        reporter.on_warning(
            "The lock file is not up to date with the latest changes in composer.json. You may be getting outdated dependencies. It is recommended that you run `magefetch update` or `composer update`.",
        );
    }
    let settings = &project.settings;
    let auth = Arc::new(project.auth);
    let mut http = HttpSettings::from_env();
    http.secure_http = settings.secure_http;
    http.offline = settings.offline;
    let client =
        HttpClient::new(http, auth.clone()).map_err(|e| CommandError::new(e, ExitCode::Failure))?;
    let cache = FilesCache::new(settings.cache_files_dir.clone(), settings.cache_read_only);
    let concurrency = args
        .concurrency
        .map(usize::from)
        .or(settings.max_parallel_http)
        .unwrap_or(DEFAULT_CONCURRENCY);
    let extract_jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let dist_overrides = match mirror_location(args, settings) {
        Some(mirror) => {
            let packages: Vec<&crate::composer::package::Package> = project
                .lock
                .packages
                .iter()
                .chain(project.lock.packages_dev.iter().filter(|_| !args.no_dev))
                .collect();
            crate::mirror::locate(&mirror, &packages, client.clone(), concurrency)
                .await
                .map_err(|e| super::mirror::mirror_error(e, &auth))?
        }
        None => Default::default(),
    };
    let options = InstallOptions {
        manifest: project.manifest.clone(),
        lock: project.lock.clone(),
        vendor_dir: settings.vendor_dir.clone(),
        bin_dir: settings.bin_dir.clone(),
        dev: !args.no_dev,
        concurrency,
        extract_jobs,
        autoloader: (!args.no_autoloader).then_some(AutoloaderMode {
            optimize: args.autoloader.optimize,
            authoritative: args.autoloader.classmap_authoritative,
        }),
        dist_overrides,
        platform_filter: crate::resolver::PlatformFilter::from_flags(
            args.ignore_platform_reqs,
            &args.ignore_platform_req,
        ),
    };
    let result = install(options, client, cache, reporter.clone()).await;
    drop(reporter);
    match result {
        Ok(summary) => {
            let seconds = started.elapsed().as_secs_f64();
            if global.format == Format::Json {
                println!(
                    "{}",
                    json!({"result": "ok", "installed": summary.installed, "updated": summary.updated,
                        "removed": summary.removed, "unchanged": summary.unchanged,
                        "from_cache": summary.from_cache, "downloaded_bytes": summary.downloaded_bytes,
                        "autoload_classes": summary.autoload.as_ref().map(|a| a.classes),
                        "seconds": seconds})
                );
            } else if !global.quiet {
                if summary.installed + summary.updated + summary.removed == 0 {
                    println!(
                        "Nothing to install, update or remove ({} packages up to date)",
                        summary.unchanged
                    );
                } else {
                    println!(
                        "Installed {}, updated {}, removed {} package(s); {} from cache, {:.1} MiB downloaded, in {:.1}s",
                        summary.installed,
                        summary.updated,
                        summary.removed,
                        summary.from_cache,
                        summary.downloaded_bytes as f64 / (1024.0 * 1024.0),
                        seconds
                    );
                }
                if let Some(autoload) = &summary.autoload {
                    println!("{}", super::dump_autoload::summary_line(autoload));
                }
            }
            Ok(())
        }
        Err(e) => Err(install_error(e, &auth)),
    }
}

/// The mirror to install from: `--mirror`, else `MAGEFETCH_MIRROR`, else composer.json (or
/// global config.json) `config.magefetch-mirror`. A directory is taken relative to the
/// current directory (flag, variable) or to the project (config).
fn mirror_location(args: &InstallArgs, settings: &Settings) -> Option<String> {
    let cwd = std::env::current_dir().unwrap_or_default();
    let (value, base) = match (&args.mirror, std::env::var("MAGEFETCH_MIRROR")) {
        (Some(v), _) => (v.clone(), cwd),
        (None, Ok(v)) if !v.is_empty() => (v, cwd),
        _ => (
            settings
                .config
                .get("magefetch-mirror")
                .and_then(|v| v.as_str())
                .filter(|v| !v.is_empty())?
                .to_string(),
            settings.project_dir.clone(),
        ),
    };
    if value.contains("://") {
        return Some(value);
    }
    Some(
        crate::fsutil::absolutize(&base, Path::new(&value))
            .to_string_lossy()
            .into_owned(),
    )
}

/// The project as read from disk, with its lock.
struct Project {
    manifest: RootManifest,
    lock: LockFile,
    settings: Settings,
    auth: AuthStore,
}

impl Project {
    fn open(global: &GlobalArgs) -> Result<Project, CommandError> {
        let ProjectContext {
            manifest,
            settings,
            auth,
        } = ProjectContext::open(global)?;
        let lock_path = lock_path_for(&manifest.path);
        if !lock_path.is_file() {
            return Err(CommandError::new(
                anyhow::anyhow!("`{}` was not found: there is nothing to install from", lock_path.display()),
                ExitCode::Input,
            )
            .hint("create the lock with `magefetch update` (or `composer update`), then run `magefetch install`"));
        }
        let lock = LockFile::read(&lock_path).map_err(input_error)?;
        Ok(Project {
            manifest,
            lock,
            settings,
            auth,
        })
    }
}

fn install_error(e: InstallError, auth: &AuthStore) -> CommandError {
    match e {
        InstallError::Packages {
            failures,
            not_attempted,
            total,
        } => {
            let code = failures
                .first()
                .map(|f| package_exit_code(&f.error))
                .unwrap_or(ExitCode::Failure);
            let mut hints = Vec::new();
            let mut details = Vec::new();
            const SHOWN: usize = 20;
            for f in failures.iter().take(SHOWN) {
                details.push(format!(
                    "  - {} ({}): {}",
                    f.name,
                    f.version,
                    chain_text(&f.error)
                ));
            }
            if failures.len() > SHOWN {
                details.push(format!("  … and {} more", failures.len() - SHOWN));
            }
            if not_attempted > 0 {
                details.push(format!(
                    "  {not_attempted} more package(s) were not attempted: this failure would repeat for each of them"
                ));
            }
            for f in &failures {
                if let Some(h) = package_hint(&f.name, &f.error, auth) {
                    if !hints.contains(&h) {
                        hints.push(h);
                    }
                }
            }
            hints.push(
                "packages that were installed are recorded in vendor/composer/installed.json; run `magefetch install` again to finish (partial downloads are resumed)".to_string(),
            );
            CommandError {
                error: anyhow::anyhow!(
                    "{} of {total} package(s) could not be installed",
                    failures.len() + not_attempted
                ),
                hints,
                code,
                details,
            }
        }
        InstallError::File(f) => input_error(f),
        InstallError::Autoload(a) => super::dump_autoload::autoload_error(a),
        InstallError::Deploy(ref d) => {
            let code = match d {
                DeployError::Io { .. } => ExitCode::LocalFs,
                _ => ExitCode::Input,
            };
            CommandError::new(e, code).hint(
                "the package files are installed and recorded; fix the problem named above and run `magefetch install` again to deploy",
            )
        }
        InstallError::InvalidPackage { .. } => CommandError::new(e, ExitCode::Input).hint(
            "the lock file is damaged or was edited by hand; regenerate it with `composer update`",
        ),
        InstallError::Io {
            ref path,
            ref source,
        } => {
            let hint = fs_hint(path, source);
            CommandError::new(e, ExitCode::LocalFs).hint(hint)
        }
    }
}

/// The exit code of a failed download (shared with `mirror sync`).
pub(super) fn fetch_exit_code(f: &FetchError) -> ExitCode {
    match f {
        FetchError::Unauthorized { .. } => ExitCode::Auth,
        FetchError::Forbidden { .. } | FetchError::NotFound { .. } => ExitCode::NotAvailable,
        FetchError::ChecksumMismatch { .. } => ExitCode::Integrity,
        FetchError::Io { .. } => ExitCode::LocalFs,
        FetchError::Insecure { .. } | FetchError::BadUrl { .. } => ExitCode::Input,
        _ => ExitCode::Network,
    }
}

pub(crate) fn package_exit_code(e: &PackageError) -> ExitCode {
    match e {
        PackageError::Fetch(f) => fetch_exit_code(f),
        PackageError::Archive(ArchiveError::Io { .. }) | PackageError::Io { .. } => {
            ExitCode::LocalFs
        }
        PackageError::Archive(_) => ExitCode::Integrity,
        PackageError::NoDist | PackageError::UnsupportedDist(_) => ExitCode::Input,
        PackageError::NotAttempted => ExitCode::Failure,
    }
}

pub(crate) fn package_hint(name: &str, e: &PackageError, auth: &AuthStore) -> Option<String> {
    match e {
        PackageError::Fetch(FetchError::Unauthorized {
            url,
            had_credentials,
            ..
        }) => Some(auth_hint(url.expose(), *had_credentials, auth)),
        PackageError::Fetch(FetchError::Forbidden { .. }) | PackageError::Fetch(FetchError::NotFound { .. }) => Some(format!(
            "`{name}` is not available to these credentials: the keys may not be entitled to it (Adobe Commerce and Marketplace packages need a MAGEID that has them), or the archive was removed"
        )),
        PackageError::Fetch(FetchError::ChecksumMismatch { .. }) => Some(
            "the downloaded archive did not match the lock's shasum, twice; the bad file was deleted. The server may be serving a changed archive, or the lock is wrong".to_string(),
        ),
        PackageError::Fetch(FetchError::Insecure { .. }) => Some(
            "plain http URLs are refused as in Composer; set `\"secure-http\": false` in the `config` section of composer.json to allow them".to_string(),
        ),
        PackageError::Fetch(FetchError::Network { .. } | FetchError::Status { .. }) => Some(
            "the server could not be reached reliably; run `magefetch install` again, it resumes partial downloads".to_string(),
        ),
        PackageError::Fetch(FetchError::Io { path, source })
        | PackageError::Io { path, source }
        | PackageError::Archive(ArchiveError::Io { path, source }) => Some(fs_hint(path, source)),
        PackageError::Archive(_) => Some(format!(
            "the archive of `{name}` is damaged or unsafe; nothing of it was installed and it was removed from the cache"
        )),
        _ => None,
    }
}

pub(crate) fn fs_hint(path: &Path, source: &std::io::Error) -> String {
    match source.kind() {
        std::io::ErrorKind::PermissionDenied => {
            format!(
                "check the permissions of `{}` and of its directory",
                path.display()
            )
        }
        std::io::ErrorKind::StorageFull => {
            format!(
                "the disk holding `{}` is full: free some space and run again",
                path.display()
            )
        }
        _ if source.raw_os_error() == Some(libc::ENOSPC) => {
            format!(
                "the disk holding `{}` is full: free some space and run again",
                path.display()
            )
        }
        _ => format!("check `{}`", path.display()),
    }
}
