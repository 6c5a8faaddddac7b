//! `magefetch create-project <package> [<dir>] [<version>]`: a new project from a package.
//!
//! What `composer create-project` does, without plugins or scripts:
//!
//! 1. The package's best version is chosen from `--repository-url` (repeatable; else the
//!    default repositories): versions of at least `--stability` (else the stability the
//!    version constraint asks for, else stable), preferring the most stable ones at or above
//!    it, then the highest — Composer's `VersionSelector::findBestCandidate`.
//! 2. Its archive is downloaded (Composer's files cache, SHA-1 check, resume) and unpacked into
//!    the directory (default: the package's name without its vendor), which must be absent or
//!    empty. If that fails, the directory is left as it was found.
//! 3. Unless `--no-install`, the new project is resolved, locked and installed, as
//!    `magefetch update` does in it (or installed from its composer.lock when the archive
//!    ships one), with `COMPOSER_ROOT_VERSION` set to the chosen version.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{json, Value};

use super::context::Context as EnvContext;
use super::select::{best_candidate, PlatformCheck};
use super::{chain_text, reporters, CommandError, ExitCode};
use crate::cache::{FilesCache, VerifiedIndex};
use crate::cli::{CreateProjectArgs, GlobalArgs};
use crate::composer::package::{is_valid_name, Package};
use crate::composer::project::RootManifest;
use crate::config::{ProcessEnv, Settings};
use crate::http::HttpClient;
use crate::install::pipeline;
use crate::install::plan::Operation;
use crate::install::PackageError;
use crate::progress::Reporter;
use crate::repository::{RepositoryDefinitions, RepositorySet};
use crate::resolver::platform::{Detected, Platform};
use crate::resolver::PlatformFilter;
use crate::semver::{parse_constraints, parse_stability, Stability};

const DEFAULT_CONCURRENCY: usize = 24;

pub async fn run(global: &GlobalArgs, args: &CreateProjectArgs) -> Result<(), CommandError> {
    let reporter: Arc<dyn Reporter> = Arc::from(reporters::for_args(global));
    let created = install_root_package(global, args, reporter.clone()).await?;
    drop(reporter);
    let text = global.format == crate::cli::Format::Text && !global.quiet;
    if text {
        eprintln!("Created project in {}", created.directory.display());
    }
    if args.no_install {
        if global.format == crate::cli::Format::Json {
            println!(
                "{}",
                json!({"result": "ok", "package": created.name, "version": created.pretty_version,
                    "directory": created.directory})
            );
        }
        return Ok(());
    }
    // Composer runs the project's own install with the chosen version as the root version.
    std::env::set_var("COMPOSER_ROOT_VERSION", &created.pretty_version);
    let mut inner = global.clone();
    inner.working_dir = Some(created.directory.clone());
    let lock = super::manifest_path(&inner).map(|m| crate::composer::project::lock_path_for(&m))?;
    let result = if lock.is_file() {
        let install = crate::cli::InstallArgs {
            no_dev: args.no_dev,
            concurrency: None,
            no_autoloader: args.no_autoloader,
            autoloader: Default::default(),
            ignore_platform_reqs: args.ignore_platform_reqs,
            ignore_platform_req: args.ignore_platform_req.clone(),
            ..Default::default()
        };
        super::install::run(&inner, &install).await
    } else {
        let update = crate::cli::UpdateArgs {
            no_dev: args.no_dev,
            ignore_platform_reqs: args.ignore_platform_reqs,
            ignore_platform_req: args.ignore_platform_req.clone(),
            no_autoloader: args.no_autoloader,
            ..Default::default()
        };
        super::update::run(&inner, &update).await
    };
    result.map_err(|e| {
        e.hint(format!(
            "the project was created in `{}`; fix the problem above there and run `magefetch update` (or `magefetch install`) in it",
            created.directory.display()
        ))
    })
}

/// The root package chosen and unpacked.
pub struct CreatedProject {
    pub directory: PathBuf,
    pub name: String,
    pub pretty_version: String,
}

/// Steps 1 and 2: choose the package, unpack it into its directory.
pub async fn install_root_package(
    global: &GlobalArgs,
    args: &CreateProjectArgs,
    reporter: Arc<dyn Reporter>,
) -> Result<CreatedProject, CommandError> {
    let (name, inline_version) = split_name_version(&args.package);
    if !is_valid_name(&name) {
        return Err(CommandError::new(
            anyhow::anyhow!("`{}` is not a valid package name", args.package),
            ExitCode::Usage,
        )
        .hint("give the package as vendor/name, optionally with a version: vendor/name:^2.4"));
    }
    let version = args.version.clone().or(inline_version);
    let stability = choose_stability(args.stability.as_deref(), version.as_deref())?;
    let constraint = match &version {
        Some(v) => Some(parse_constraints(v).map_err(|e| {
            CommandError::new(
                anyhow::anyhow!("the version constraint `{v}` is not valid: {e}"),
                ExitCode::Usage,
            )
        })?),
        None => None,
    };

    let env = EnvContext::open(global)?;
    let base = global
        .working_dir
        .clone()
        .map(|d| crate::fsutil::absolutize(&std::env::current_dir().unwrap_or_default(), &d))
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
    let directory = match &args.directory {
        Some(d) => crate::fsutil::absolutize(&base, d),
        None => base.join(name.rsplit('/').next().unwrap_or(&name)),
    };
    check_directory(&directory)?;

    // Settings and credentials of the user (the project does not exist yet).
    let placeholder = RootManifest {
        path: directory.join("composer.json"),
        raw: b"{}".to_vec(),
        json: json!({}),
    };
    let settings = Settings::resolve(&ProcessEnv, &placeholder).map_err(super::input_error)?;
    let auth = Arc::new(env.auth_store()?);
    let mut settings = settings;
    settings.secure_http = settings.secure_http && !args.no_secure_http;
    let repo_ctx = super::project::repo_context(&settings, auth.clone(), settings.offline)?;
    let client = repo_ctx.client.clone();

    let repositories = repository_manifest(&args.repository)?;
    let defs = RepositoryDefinitions::from_manifest(&repositories, Path::new("--repository"))
        .map_err(|e| CommandError::new(e, ExitCode::Usage))?;
    let set = RepositorySet::new(
        &defs,
        repo_ctx,
        settings.max_parallel_http.unwrap_or(DEFAULT_CONCURRENCY),
    );
    let found = set.find(&name, stability == Stability::Dev).await;
    for warning in set.take_warnings() {
        reporter.on_warning(&warning);
    }
    let offers = found.map_err(|e| super::show::repository_error(e, &auth))?;
    let platform = Platform::new(Detected::probe(), None);
    let filter = PlatformFilter::from_flags(args.ignore_platform_reqs, &args.ignore_platform_req);
    let check = PlatformCheck {
        platform: &platform,
        filter: &filter,
    };
    let chosen = match best_candidate(
        offers,
        constraint.as_ref(),
        stability,
        stability,
        Some(&check),
    ) {
        Ok(chosen) => chosen,
        Err(mismatch) => {
            let what = match &version {
                Some(v) => format!("version {v}"),
                None => format!("stability {stability}"),
            };
            let repos: Vec<String> = set.repositories().iter().map(|u| u.to_string()).collect();
            let mut e = CommandError::new(
                anyhow::anyhow!(
                    "could not find package {name} with {what} in {}",
                    repos.join(", ")
                ),
                ExitCode::NotAvailable,
            );
            e = match mismatch {
                Some(m) => e.hint(format!(
                    "no version is installable with your PHP version, PHP extensions and Composer version: {}; use --ignore-platform-req={} to install anyway",
                    m.describe(),
                    m.requirement
                )),
                None => e.hint("check the package name, the version constraint and --stability; `magefetch show <package> --all` in a project using that repository lists what it offers"),
            };
            return Err(e);
        }
    };
    let package = chosen.version.package.clone();
    let pretty_version = package.pretty_version().to_string();
    if !global.quiet && global.format == crate::cli::Format::Text {
        eprintln!("Installing {} ({})", package.pretty_name(), pretty_version);
    }

    let created_dir = !directory.exists();
    let result = unpack_into(
        &directory,
        &package,
        &chosen.version.normalized,
        &settings,
        client,
        reporter,
    )
    .await;
    if let Err(error) = result {
        if created_dir {
            let _ = crate::fsutil::remove_path(&directory);
        } else {
            empty_directory(&directory);
        }
        return Err(package_error(error, &name, &pretty_version, &auth));
    }
    Ok(CreatedProject {
        directory,
        name: package.pretty_name().to_string(),
        pretty_version,
    })
}

/// `vendor/name:version`, `vendor/name=version` or `vendor/name version` → its two parts.
fn split_name_version(arg: &str) -> (String, Option<String>) {
    let arg = arg.trim();
    match arg.find([':', '=', ' ']) {
        Some(i) => {
            let version = arg[i + 1..].trim();
            (
                arg[..i].to_lowercase(),
                (!version.is_empty()).then(|| version.to_string()),
            )
        }
        None => (arg.to_lowercase(), None),
    }
}

/// `--stability`, else the `@flag` of the constraint, else the stability the constraint's
/// version has, else stable.
fn choose_stability(given: Option<&str>, version: Option<&str>) -> Result<Stability, CommandError> {
    let raw = match (given, version) {
        (Some(s), _) => s.to_string(),
        (None, None) => "stable".to_string(),
        (None, Some(v)) => match v.rsplit_once('@') {
            Some((head, flag))
                if !head.contains([',', ' ', '\t']) && flag.parse::<Stability>().is_ok() =>
            {
                flag.to_string()
            }
            _ => parse_stability(v).as_str().to_string(),
        },
    };
    raw.parse::<Stability>().map_err(|_| {
        CommandError::new(
            anyhow::anyhow!("invalid stability `{raw}`"),
            ExitCode::Usage,
        )
        .hint("use one of: stable, RC, beta, alpha, dev")
    })
}

/// The repositories to look in: each `--repository-url` value is a URL or a JSON repository
/// definition; none means the defaults (packagist.org).
fn repository_manifest(given: &[String]) -> Result<Value, CommandError> {
    if given.is_empty() {
        return Ok(json!({}));
    }
    let mut list = Vec::new();
    for raw in given {
        let trimmed = raw.trim();
        if trimmed.starts_with('{') {
            let value: Value = serde_json::from_str(trimmed).map_err(|e| {
                CommandError::new(
                    anyhow::anyhow!("--repository `{trimmed}` is not valid JSON: {e}"),
                    ExitCode::Usage,
                )
            })?;
            list.push(value);
        } else {
            list.push(json!({"type": "composer", "url": trimmed}));
        }
    }
    list.push(json!({"packagist.org": false}));
    Ok(json!({ "repositories": list }))
}

/// The directory must not exist, or be an empty directory.
fn check_directory(dir: &Path) -> Result<(), CommandError> {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => {
            if entries.next().is_some() {
                return Err(CommandError::new(
                    anyhow::anyhow!("project directory `{}` is not empty", dir.display()),
                    ExitCode::Input,
                )
                .hint("choose a new directory (the third argument), or empty this one"));
            }
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotADirectory || dir.is_file() => {
            Err(CommandError::new(
                anyhow::anyhow!(
                    "cannot create the project directory `{}`: it exists as a file",
                    dir.display()
                ),
                ExitCode::Input,
            ))
        }
        Err(e) => Err(CommandError::new(
            anyhow::Error::new(e).context(format!("cannot read `{}`", dir.display())),
            ExitCode::LocalFs,
        )),
    }
}

/// Downloads and unpacks `package` into `directory` through the install pipeline: it is
/// installed into a staging "vendor" directory next to the target, then moved into place.
async fn unpack_into(
    directory: &Path,
    package: &Package,
    normalized: &str,
    settings: &Settings,
    client: HttpClient,
    reporter: Arc<dyn Reporter>,
) -> Result<(), PackageError> {
    let parent = directory.parent().unwrap_or(Path::new("."));
    let io = |path: &Path, source: std::io::Error| PackageError::Io {
        path: path.to_path_buf(),
        source,
    };
    fs_err::create_dir_all(parent).map_err(|e| io(parent, e))?;
    let staging = tempfile::Builder::new()
        .prefix(".magefetch-create-")
        .tempdir_in(parent)
        .map_err(|e| io(parent, e))?;
    let cache = FilesCache::new(settings.cache_files_dir.clone(), settings.cache_read_only);
    let verified = VerifiedIndex::load(&cache);
    let composer_dir = staging.path().join("composer");
    fs_err::create_dir_all(&composer_dir).map_err(|e| io(&composer_dir, e))?;
    let ctx = pipeline::Context {
        client,
        cache,
        verified,
        vendor_dir: staging.path().to_path_buf(),
        composer_dir,
        concurrency: 1,
        extract_jobs: 1,
        reporter,
        dist_overrides: Default::default(),
    };
    let op = Operation {
        package: package.clone(),
        version_normalized: normalized.to_string(),
        dev: false,
        replaces: None,
    };
    let result = pipeline::run(std::slice::from_ref(&op), &ctx)
        .await
        .pop()
        .unwrap_or(Err(PackageError::NotAttempted));
    ctx.verified.save();
    result?;
    let unpacked = match crate::composer::package::install_path(staging.path(), package) {
        Ok(Some(path)) => path,
        _ => return Err(PackageError::NoDist),
    };
    fs_err::create_dir_all(directory).map_err(|e| io(directory, e))?;
    for entry in fs_err::read_dir(&unpacked).map_err(|e| io(&unpacked, e))? {
        let entry = entry.map_err(|e| io(&unpacked, e))?;
        let to = directory.join(entry.file_name());
        fs_err::rename(entry.path(), &to).map_err(|e| io(&to, e))?;
    }
    Ok(())
}

/// Removes what an interrupted unpack left in a directory that was empty before.
fn empty_directory(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let _ = crate::fsutil::remove_path(&entry.path());
        }
    }
}

fn package_error(
    error: PackageError,
    name: &str,
    version: &str,
    auth: &crate::auth::AuthStore,
) -> CommandError {
    let mut e = CommandError::new(
        anyhow::anyhow!(
            "could not install {name} ({version}): {}",
            chain_text(&error)
        ),
        super::install::package_exit_code(&error),
    );
    if let Some(hint) = super::install::package_hint(name, &error, auth) {
        e = e.hint(hint);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stability_from_the_version() {
        assert_eq!(choose_stability(None, None).unwrap(), Stability::Stable);
        assert_eq!(
            choose_stability(None, Some("2.4.8-beta1")).unwrap(),
            Stability::Beta
        );
        assert_eq!(
            choose_stability(None, Some("^2.4@RC")).unwrap(),
            Stability::RC
        );
        assert_eq!(
            choose_stability(None, Some("2.4.7-p1")).unwrap(),
            Stability::Stable
        );
        assert_eq!(
            choose_stability(Some("dev"), Some("2.4.7")).unwrap(),
            Stability::Dev
        );
        assert!(choose_stability(Some("nightly"), None).is_err());
    }

    #[test]
    fn name_and_version() {
        assert_eq!(
            split_name_version("Magento/Project:2.4.7"),
            ("magento/project".into(), Some("2.4.7".into()))
        );
        assert_eq!(
            split_name_version("a/b=^1"),
            ("a/b".into(), Some("^1".into()))
        );
        assert_eq!(split_name_version("a/b"), ("a/b".into(), None));
    }
}
