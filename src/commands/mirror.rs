//! `magefetch mirror sync` and `magefetch mirror verify`.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;

use super::context::Context;
use super::{chain_text, input_error, reporters, CommandError, ExitCode};
use crate::auth::AuthStore;
use crate::cli::{Format, GlobalArgs, MirrorCommand, MirrorSyncArgs, MirrorVerifyArgs};
use crate::composer::lock::LockFile;
use crate::mirror::{MirrorError, SyncOptions};
use crate::progress::Reporter;
use crate::repository::{RepoUrl, RepositoryDefinition, RepositoryDefinitions};
use crate::semver::{Constraint, Stability};

const DEFAULT_CONCURRENCY: usize = 24;

pub async fn run(global: &GlobalArgs, command: &MirrorCommand) -> Result<(), CommandError> {
    match command {
        MirrorCommand::Sync(args) => sync(global, args).await,
        MirrorCommand::Verify(args) => verify(global, args),
    }
}

fn absolute(path: &Path) -> Result<PathBuf, CommandError> {
    let cwd = std::env::current_dir().map_err(|e| CommandError::new(e, ExitCode::LocalFs))?;
    Ok(crate::fsutil::absolutize(&cwd, path))
}

async fn sync(global: &GlobalArgs, args: &MirrorSyncArgs) -> Result<(), CommandError> {
    let started = Instant::now();
    let ctx = Context::open(global)?;
    let dir = absolute(&args.dir)?;
    let repositories = repositories(args, &ctx)?;
    let mut locks = Vec::new();
    for path in &args.locks {
        locks.push(LockFile::read(&absolute(path)?).map_err(input_error)?);
    }
    let requires = args
        .requires
        .iter()
        .map(|spec| parse_require(spec))
        .collect::<Result<Vec<_>, _>>()?;
    if locks.is_empty() && requires.is_empty() {
        return Err(CommandError::new(
            anyhow::anyhow!("nothing to mirror: no --lock and no --require was given"),
            ExitCode::Usage,
        )
        .hint("name the packages with `--lock composer.lock` and/or `--require vendor/name[:constraint]` (add `--with-dependencies` to follow their requirements)"));
    }
    let minimum_stability: Stability = args.minimum_stability.parse().map_err(|_| {
        CommandError::new(
            anyhow::anyhow!(
                "`{}` is not a stability (stable, RC, beta, alpha, dev)",
                args.minimum_stability
            ),
            ExitCode::Usage,
        )
    })?;
    let base_url = match &args.base_url {
        Some(url) if !url.contains("://") => {
            return Err(CommandError::new(
                anyhow::anyhow!("--base-url `{url}` is not an absolute URL"),
                ExitCode::Usage,
            )
            .hint("give the URL the mirror directory is served at, e.g. `--base-url https://mirror.internal/magento`"))
        }
        other => other.clone(),
    };
    let auth = Arc::new(ctx.auth_store()?);
    let client = ctx.http_client(auth.clone())?;
    let concurrency = args
        .concurrency
        .map(usize::from)
        .or_else(|| {
            std::env::var("COMPOSER_MAX_PARALLEL_HTTP")
                .ok()
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(DEFAULT_CONCURRENCY);
    if !global.quiet && global.format == Format::Text {
        for note in &repositories.skipped {
            eprintln!("warning: {note}");
        }
    }
    let options = SyncOptions {
        dir: dir.clone(),
        repositories,
        locks,
        requires,
        with_dependencies: args.with_dependencies,
        minimum_stability,
        base_url,
        prune: args.prune,
        concurrency,
        check_archives: args.check_archives,
    };
    let reporter: Arc<dyn Reporter> = Arc::from(reporters::for_args(global));
    let result = crate::mirror::sync(options, client, reporter.clone()).await;
    let summary = match result {
        Ok(s) => s,
        Err(e) => return Err(mirror_error(e, &auth)),
    };
    for warning in &summary.warnings {
        reporter.on_warning(warning);
    }
    drop(reporter);
    let seconds = started.elapsed().as_secs_f64();
    if global.format == Format::Json {
        let failures: Vec<_> = summary
            .failures
            .iter()
            .map(
                |f| json!({"package": f.name, "version": f.version, "error": chain_text(&f.error)}),
            )
            .collect();
        println!(
            "{}",
            json!({"result": if summary.failures.is_empty() { "ok" } else { "partial" },
                "dir": dir.display().to_string(), "packages": summary.packages, "versions": summary.versions,
                "downloaded": summary.downloaded, "downloaded_bytes": summary.downloaded_bytes,
                "reused": summary.reused, "repaired": summary.repaired, "pruned": summary.pruned,
                "published": summary.published, "generation": summary.generation,
                "failures": failures, "seconds": seconds})
        );
    } else if !global.quiet {
        println!(
            "Mirror `{}`: {} package(s), {} version(s); {} archive(s) downloaded ({:.1} MiB), {} already stored, {} repaired, {} pruned; metadata generation {} {}, in {:.1}s",
            dir.display(),
            summary.packages,
            summary.versions,
            summary.downloaded,
            summary.downloaded_bytes as f64 / (1024.0 * 1024.0),
            summary.reused,
            summary.repaired,
            summary.pruned,
            summary.generation,
            if summary.published { "published" } else { "unchanged" },
            seconds
        );
    }
    if summary.failures.is_empty() {
        return Ok(());
    }
    let code = summary
        .failures
        .iter()
        .map(|f| mirror_exit_code(&f.error))
        .next()
        .unwrap_or(ExitCode::Failure);
    let mut details: Vec<String> = summary
        .failures
        .iter()
        .take(20)
        .map(|f| format!("  - {} ({}): {}", f.name, f.version, chain_text(&f.error)))
        .collect();
    if summary.failures.len() > 20 {
        details.push(format!("  … and {} more", summary.failures.len() - 20));
    }
    Err(CommandError {
        error: anyhow::anyhow!(
            "{} archive(s) could not be stored; the published metadata leaves those versions out",
            summary.failures.len()
        ),
        hints: vec!["run `magefetch mirror sync` again with the same arguments: stored archives are kept and partial downloads resume".to_string()],
        code,
        details,
    })
}

/// `--repository` URLs, else the `repositories` of composer.json (when there is one).
fn repositories(
    args: &MirrorSyncArgs,
    ctx: &Context,
) -> Result<RepositoryDefinitions, CommandError> {
    if !args.repositories.is_empty() {
        let mut defs = RepositoryDefinitions::default();
        for raw in &args.repositories {
            let url = RepoUrl::from_config(raw).map_err(|m| {
                CommandError::new(anyhow::anyhow!("--repository: {m}"), ExitCode::Usage)
            })?;
            defs.repositories.push(RepositoryDefinition {
                url,
                canonical: true,
                only: Vec::new(),
                exclude: Vec::new(),
            });
        }
        return Ok(defs);
    }
    match &ctx.manifest {
        Some(m) => RepositoryDefinitions::from_manifest(&m.json, &m.path)
            .map_err(|e| CommandError::new(e, ExitCode::Input)),
        None if args.locks.is_empty() => Err(CommandError::new(
            anyhow::anyhow!("no upstream repository: there is no --repository and no composer.json"),
            ExitCode::Usage,
        )
        .hint("pass `--repository https://repo.magento.com/` (repeatable), or run in a project whose composer.json lists its repositories")),
        None => Ok(RepositoryDefinitions::default()),
    }
}

/// `vendor/name` or `vendor/name:constraint` (`*` when none).
fn parse_require(spec: &str) -> Result<(String, Constraint), CommandError> {
    let (name, constraint) = match spec.split_once([':', '=', ' ']) {
        Some((n, c)) => (n.trim(), c.trim()),
        None => (spec.trim(), "*"),
    };
    let usage = |message: String| {
        CommandError::new(
            anyhow::anyhow!("--require `{spec}`: {message}"),
            ExitCode::Usage,
        )
        .hint("write `--require vendor/name` or `--require 'vendor/name:^2.4'`")
    };
    if !crate::composer::package::is_valid_name(name) {
        return Err(usage("not a package name (vendor/name)".to_string()));
    }
    let constraint = Constraint::parse(if constraint.is_empty() {
        "*"
    } else {
        constraint
    })
    .map_err(|e| usage(e.to_string()))?;
    Ok((name.to_lowercase(), constraint))
}

fn verify(global: &GlobalArgs, args: &MirrorVerifyArgs) -> Result<(), CommandError> {
    let dir = absolute(&args.dir)?;
    let jobs = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2);
    let report = crate::mirror::verify(&dir, jobs).map_err(|e| {
        let code = mirror_exit_code(&e);
        CommandError::new(e, code)
    })?;
    if global.format == Format::Json {
        let problems: Vec<_> = report
            .problems
            .iter()
            .map(|p| json!({"kind": p.kind.as_str(), "path": p.path, "detail": p.detail}))
            .collect();
        println!(
            "{}",
            json!({"result": if report.problems.is_empty() { "ok" } else { "problems" },
                "archives": report.archives, "archive_bytes": report.archive_bytes,
                "metadata_files": report.metadata_files, "packages": report.packages,
                "versions": report.versions, "generation": report.generation, "problems": problems})
        );
    } else {
        for p in &report.problems {
            println!("{:<12} {}: {}", p.kind.as_str(), p.path, p.detail);
        }
        if !global.quiet {
            println!(
                "Checked {} archive(s) ({:.1} MiB) and {} metadata file(s) of {} package(s), {} version(s), generation {}: {}",
                report.archives,
                report.archive_bytes as f64 / (1024.0 * 1024.0),
                report.metadata_files,
                report.packages,
                report.versions,
                report.generation,
                if report.problems.is_empty() {
                    "everything is intact".to_string()
                } else {
                    format!("{} problem(s)", report.problems.len())
                }
            );
        }
    }
    if report.problems.is_empty() {
        return Ok(());
    }
    Err(CommandError::new(
        anyhow::anyhow!(
            "the mirror `{}` has {} problem(s)",
            dir.display(),
            report.problems.len()
        ),
        ExitCode::Integrity,
    )
    .hint("run `magefetch mirror sync` with the same arguments to fetch missing and damaged archives again; `--prune` removes extra files"))
}

pub(super) fn mirror_exit_code(e: &MirrorError) -> ExitCode {
    match e {
        MirrorError::Fetch(f) => super::install::fetch_exit_code(f),
        MirrorError::Repository(_) => ExitCode::Network,
        MirrorError::Io { .. } => ExitCode::LocalFs,
        MirrorError::State { .. } | MirrorError::ShasumConflict { .. } => ExitCode::Integrity,
        MirrorError::Busy { .. } => ExitCode::Failure,
        MirrorError::NotAMirror { .. } | MirrorError::BadMirror { .. } => ExitCode::Input,
        MirrorError::NotInMirror { .. } => ExitCode::NotAvailable,
    }
}

/// A mirror error as a command error, with the hint that says what to do.
pub(super) fn mirror_error(e: MirrorError, auth: &AuthStore) -> CommandError {
    let code = mirror_exit_code(&e);
    match e {
        MirrorError::Repository(r) => super::show::repository_error(*r, auth),
        MirrorError::Busy { .. } => CommandError::new(e, code)
            .hint("wait for the other sync to finish; a killed sync releases its lock automatically"),
        MirrorError::NotInMirror { .. } => CommandError::new(e, code).hint(
            "seed the mirror with this lock: `magefetch mirror sync DIR --lock composer.lock` on a connected machine",
        ),
        MirrorError::ShasumConflict { .. } => CommandError::new(e, code).hint(
            "the mirror holds different archives than the ones this lock was made with; re-sync the mirror from the upstream the lock came from",
        ),
        MirrorError::State { .. } => CommandError::new(e, code).hint(
            "move `.magefetch/state.json` away and run `magefetch mirror sync` again: stored archives are re-hashed and adopted",
        ),
        MirrorError::Io { ref path, ref source } => {
            let hint = super::install::fs_hint(path, source);
            CommandError::new(e, code).hint(hint)
        }
        other => CommandError::new(other, code),
    }
}
