//! `magefetch dump-autoload`: vendor/autoload.php and vendor/composer/* from installed.json.

use std::time::Instant;

use serde_json::json;

use super::{input_error, CommandError, ExitCode};
use crate::autoload::{dump, AutoloadError, DumpOptions, DumpSummary};
use crate::cli::{DumpAutoloadArgs, Format, GlobalArgs};
use crate::composer::lock::LockFile;
use crate::composer::project::lock_path_for;

pub fn run(global: &GlobalArgs, args: &DumpAutoloadArgs) -> Result<(), CommandError> {
    let started = Instant::now();
    let (manifest, settings) = super::open_manifest(global)?;
    let dev = if args.no_dev {
        Some(false)
    } else if args.dev {
        Some(true)
    } else {
        None
    };
    let options = DumpOptions {
        project_dir: manifest.dir().to_path_buf(),
        vendor_dir: settings.vendor_dir.clone(),
        manifest: manifest.json.clone(),
        optimize: args.autoloader.optimize,
        authoritative: args.autoloader.classmap_authoritative,
        dev,
        jobs: parse_jobs(),
        default_suffix: LockFile::read(&lock_path_for(&manifest.path))
            .ok()
            .and_then(|l| l.content_hash().map(str::to_string)),
        installed: None,
        platform_filter: crate::resolver::PlatformFilter::from_flags(
            args.ignore_platform_reqs,
            &args.ignore_platform_req,
        ),
    };
    let summary = dump(&options).map_err(autoload_error)?;
    print_summary(global, &summary, started.elapsed().as_secs_f64());
    Ok(())
}

/// Threads for parsing PHP: one per core.
pub fn parse_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(2)
}

/// Prints Composer's warnings (stderr) and the result line (stdout).
pub fn print_summary(global: &GlobalArgs, summary: &DumpSummary, seconds: f64) {
    if !global.quiet {
        for w in &summary.warnings {
            eprintln!("warning: {w}");
        }
    }
    if global.format == Format::Json {
        println!(
            "{}",
            json!({"result": "ok", "classes": summary.classes, "optimized": summary.optimized,
                "authoritative": summary.authoritative, "warnings": summary.warnings.len(),
                "seconds": seconds})
        );
    } else if !global.quiet {
        println!("{}", summary_line(summary));
    }
}

pub fn summary_line(summary: &DumpSummary) -> String {
    if summary.authoritative {
        format!(
            "Generated optimized autoload files (authoritative) containing {} classes",
            summary.classes
        )
    } else if summary.optimized {
        format!(
            "Generated optimized autoload files containing {} classes",
            summary.classes
        )
    } else {
        "Generated autoload files".to_string()
    }
}

pub fn autoload_error(e: AutoloadError) -> CommandError {
    match e {
        AutoloadError::File(f) => input_error(f),
        AutoloadError::Io { ref path, .. } => {
            let hint = format!("check `{}` and the permissions of its directory", path.display());
            CommandError::new(e, ExitCode::LocalFs).hint(hint)
        }
        AutoloadError::ClassmapPath { .. } => CommandError::new(e, ExitCode::Input)
            .hint("fix or remove the `classmap` entry in composer.json (or in the package named in installed.json)"),
        AutoloadError::InvalidRule { .. } => CommandError::new(e, ExitCode::Input)
            .hint("Composer refuses this autoload rule too; the package's composer.json must be fixed"),
    }
}
