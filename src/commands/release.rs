//! `magefetch release list | versions | download`: the Magento downloads API.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use serde_json::json;

use super::context::Context;
use super::install::fs_hint;
use super::{reporters, CommandError, ExitCode};
use crate::archive::ArchiveError;
use crate::auth::keys::{check_secret, check_user};
use crate::auth::{origin_of, AuthStore, Credential, Source};
use crate::cli::{
    ApiArgs, ArchiveArg, Format, GlobalArgs, ReleaseCommand, ReleaseDownloadArgs, ReleaseListArgs,
    ReleaseTypeArg,
};
use crate::config::{Env, ProcessEnv};
use crate::http::FetchError;
use crate::progress::Reporter;
use crate::release::{
    extract_release, select, ArchiveFormat, DownloadRequest, DownloadsApi, ReleaseError,
    ReleaseFile, ReleaseType, Selected, Wanted,
};

/// Environment variables for the downloads API credentials. Named after what the Magento
/// account pages call them (MAGEID, Downloads Access Token), with the MAGENTO_ prefix of other
/// Magento tooling; COMPOSER_AUTH keeps working as for every other host.
pub const MAGEID_ENV: &str = "MAGENTO_MAGEID";
pub const TOKEN_ENV: &str = "MAGENTO_TOKEN";

pub async fn run(global: &GlobalArgs, command: &ReleaseCommand) -> Result<(), CommandError> {
    match command {
        ReleaseCommand::List(args) => list(global, args).await,
        ReleaseCommand::Versions(api) => versions(global, api).await,
        ReleaseCommand::Download(args) => download(global, args).await,
    }
}

/// The API client with its credentials in place.
struct Session {
    api: DownloadsApi,
    auth: Arc<AuthStore>,
}

impl Session {
    fn open(global: &GlobalArgs, args: &ApiArgs) -> Result<Session, CommandError> {
        let ctx = Context::open(global)?;
        let auth = Arc::new(ctx.auth_store()?);
        let Some(origin) = origin_of(&args.api_url) else {
            return Err(CommandError::new(
                ReleaseError::BadApiUrl {
                    url: crate::redact::SafeUrl::new(args.api_url.clone()),
                },
                ExitCode::Input,
            ));
        };
        let mage_id = args.mage_id.clone().map(|v| (v, Source::Flag)).or_else(|| {
            ProcessEnv
                .var(MAGEID_ENV)
                .map(|v| (v, Source::Env(MAGEID_ENV)))
        });
        let token = args.token.clone().map(|v| (v, Source::Flag)).or_else(|| {
            ProcessEnv
                .var(TOKEN_ENV)
                .map(|v| (v, Source::Env(TOKEN_ENV)))
        });
        match (mage_id, token) {
            (Some((user, _)), Some((password, source))) => {
                let user = user.trim().to_string();
                let password = password.trim().to_string();
                check_user("MAGEID", &user)
                    .and_then(|()| check_secret("token", &password))
                    .map_err(|e| CommandError::new(e, ExitCode::Input))?;
                auth.insert(
                    &origin,
                    Credential::Basic {
                        username: user,
                        password,
                    },
                    source,
                );
            }
            (Some(_), None) | (None, Some(_)) => {
                return Err(CommandError::new(
                    anyhow::anyhow!("only one of the MAGEID and the token was given"),
                    ExitCode::Input,
                )
                .hint(format!(
                    "give both: --mage-id and --token, or {MAGEID_ENV} and {TOKEN_ENV}"
                )))
            }
            (None, None) if auth.for_origin(&origin).is_none() && !has_userinfo(&args.api_url) => {
                return Err(CommandError::new(
                    anyhow::anyhow!("no credentials for the downloads API host `{origin}`"),
                    ExitCode::Auth,
                )
                .hint(format!(
                    "store them with `magefetch auth set-token`, or set {MAGEID_ENV} and {TOKEN_ENV}, or pass --mage-id and --token. magefetch looked in: {}",
                    auth.searched.join(", ")
                )))
            }
            (None, None) => {}
        }
        let client = ctx.http_client(auth.clone())?;
        let api = DownloadsApi::new(&args.api_url, client)
            .map_err(|e| CommandError::new(e, ExitCode::Input))?;
        Ok(Session { api, auth })
    }

    fn error(&self, e: ReleaseError) -> CommandError {
        release_error(e, &self.api.origin(), &self.auth)
    }
}

/// Whether a URL carries `user:password@` (then the request uses those).
fn has_userinfo(url: &str) -> bool {
    reqwest::Url::parse(url).is_ok_and(|u| !u.username().is_empty() && u.password().is_some())
}

fn release_type(arg: ReleaseTypeArg) -> ReleaseType {
    match arg {
        ReleaseTypeArg::CeFull => ReleaseType::CeFull,
        ReleaseTypeArg::EeFull => ReleaseType::EeFull,
        ReleaseTypeArg::CePatch => ReleaseType::CePatch,
        ReleaseTypeArg::EePatch => ReleaseType::EePatch,
        ReleaseTypeArg::Other => ReleaseType::Other,
    }
}

fn archive_format(arg: ArchiveArg) -> ArchiveFormat {
    match arg {
        ArchiveArg::TarGz => ArchiveFormat::TarGz,
        ArchiveArg::Zip => ArchiveFormat::Zip,
        ArchiveArg::TarBz2 => ArchiveFormat::TarBz2,
    }
}

async fn list(global: &GlobalArgs, args: &ReleaseListArgs) -> Result<(), CommandError> {
    let session = Session::open(global, &args.api)?;
    let files = session
        .api
        .list(args.version.as_deref(), args.kind.map(release_type))
        .await
        .map_err(|e| session.error(e))?;
    if global.format == Format::Json {
        println!("{}", json!(files));
        return Ok(());
    }
    if files.is_empty() {
        println!("No files match.");
        return Ok(());
    }
    print!("{}", table(&files));
    Ok(())
}

/// Columns: type, version, date, MD5, file, description.
fn table(files: &[ReleaseFile]) -> String {
    let rows: Vec<[String; 6]> = files
        .iter()
        .map(|f| {
            [
                f.kind.to_string(),
                f.version.clone(),
                f.date.clone().unwrap_or_else(|| "-".into()),
                f.md5.clone().unwrap_or_else(|| "(none)".into()),
                f.file.clone(),
                f.description.clone(),
            ]
        })
        .collect();
    let header = ["TYPE", "VERSION", "DATE", "MD5", "FILE", "DESCRIPTION"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(widths)
            .enumerate()
            .map(|(i, (c, w))| {
                if i + 1 == row.len() {
                    c.clone()
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

async fn versions(global: &GlobalArgs, api: &ApiArgs) -> Result<(), CommandError> {
    let session = Session::open(global, api)?;
    let groups = session.api.versions().await.map_err(|e| session.error(e))?;
    if global.format == Format::Json {
        println!("{}", json!(groups));
        return Ok(());
    }
    for g in groups {
        let name = if g.edition.is_empty() {
            "Versions"
        } else {
            &g.edition
        };
        println!("{name}: {}", g.versions.join(" "));
    }
    Ok(())
}

async fn download(global: &GlobalArgs, args: &ReleaseDownloadArgs) -> Result<(), CommandError> {
    let started = Instant::now();
    let session = Session::open(global, &args.api)?;
    let pinned = args
        .sha256
        .as_deref()
        .map(|s| s.trim().to_ascii_lowercase());
    if let Some(p) = &pinned {
        if p.len() != 64 || !p.chars().all(|c| c.is_ascii_hexdigit()) {
            return Err(CommandError::new(
                anyhow::anyhow!("--sha256 must be 64 hexadecimal characters"),
                ExitCode::Input,
            ));
        }
    }
    let selected = choose(&session, args).await?;
    let reporter: Arc<dyn Reporter> = Arc::from(reporters::for_args(global));
    if let Selected::Unlisted(name) = &selected {
        reporter.on_warning(&format!(
            "`{name}` is not in the listing of the downloads API; downloading it without a published MD5"
        ));
    }
    if selected.md5().is_none() && pinned.is_none() && !args.allow_unverified {
        return Err(CommandError::new(
            anyhow::anyhow!(
                "no MD5 is published for `{}`, so the download could not be verified",
                selected.file_name()
            ),
            ExitCode::Integrity,
        )
        .hint("pass --allow-unverified to take it anyway; its SHA-256 is printed, pin it with --sha256 in later runs"));
    }
    let dir = output_dir(global, args.output_dir.as_deref())?;
    let request = DownloadRequest {
        file: selected.file_name(),
        md5: selected.md5(),
        sha256: pinned.as_deref(),
        dir: &dir,
        reporter: reporter.as_ref(),
    };
    let result = session.api.download(&request).await;
    drop(reporter);
    let saved = result.map_err(|e| session.error(e))?;
    let extracted = match &args.extract {
        Some(dest) => {
            let dest = absolute(dest)?;
            let archive = saved.path.clone();
            let target = dest.clone();
            let stats = tokio::task::spawn_blocking(move || extract_release(&archive, &target))
                .await
                .map_err(|e| CommandError::new(e, ExitCode::Failure))?
                .map_err(|e| session.error(e))?;
            Some((dest, stats))
        }
        None => None,
    };
    let seconds = started.elapsed().as_secs_f64();
    let md5 = saved.digests.md5.clone().unwrap_or_default();
    let sha256 = saved.digests.sha256.clone().unwrap_or_default();
    if global.format == Format::Json {
        println!(
            "{}",
            json!({"result": "ok", "file": selected.file_name(), "path": saved.path,
                "size": saved.size, "md5": md5, "published_md5": selected.md5(),
                "verified": saved.verified, "sha256": sha256, "transferred": saved.transferred,
                "reused": saved.reused, "seconds": seconds,
                "extracted_to": extracted.as_ref().map(|(d, _)| d.clone()),
                "extracted_files": extracted.as_ref().map(|(_, s)| s.files)})
        );
        return Ok(());
    }
    if !global.quiet {
        let mib = saved.size as f64 / (1024.0 * 1024.0);
        if saved.reused {
            println!(
                "{} is already downloaded and matches ({mib:.1} MiB)",
                saved.path.display()
            );
        } else {
            let resumed = saved.size.saturating_sub(saved.transferred);
            let resumed_note = if resumed > 0 {
                format!(
                    ", resumed after {:.1} MiB already on disk",
                    resumed as f64 / (1024.0 * 1024.0)
                )
            } else {
                String::new()
            };
            println!(
                "Saved {} ({mib:.1} MiB in {seconds:.1}s{resumed_note})",
                saved.path.display()
            );
        }
        let md5_note = match (selected.md5(), &pinned) {
            (Some(_), _) => "matches the published MD5",
            (None, Some(_)) => "no MD5 published; the SHA-256 matches the one given",
            (None, None) => "no MD5 published: NOT verified",
        };
        println!("  md5     {md5}  ({md5_note})");
        println!("  sha256  {sha256}");
        if let Some((dest, stats)) = &extracted {
            println!(
                "Extracted {} files ({:.1} MiB) into {}",
                stats.files,
                stats.bytes as f64 / (1024.0 * 1024.0),
                dest.display()
            );
        }
    }
    Ok(())
}

/// The file to download: a file name as given, or the one a version, type, sample-data flag
/// and format select in the listing.
async fn choose(session: &Session, args: &ReleaseDownloadArgs) -> Result<Selected, CommandError> {
    let wanted = Wanted {
        spec: args.spec.trim(),
        kind: args.kind.map(release_type),
        sample_data: args.sample_data,
        format: args.archive.map(archive_format),
    };
    let version = (!crate::release::looks_like_file_name(wanted.spec)).then_some(wanted.spec);
    let files = session
        .api
        .list(version, None)
        .await
        .map_err(|e| session.error(e))?;
    select(&files, &wanted).map_err(|e| session.error(e))
}

fn absolute(path: &Path) -> Result<PathBuf, CommandError> {
    let cwd = std::env::current_dir().map_err(|e| CommandError::new(e, ExitCode::LocalFs))?;
    Ok(crate::fsutil::absolutize(&cwd, path))
}

fn output_dir(global: &GlobalArgs, dir: Option<&Path>) -> Result<PathBuf, CommandError> {
    let base = match &global.working_dir {
        Some(d) => absolute(d)?,
        None => absolute(Path::new("."))?,
    };
    let dir = match dir {
        Some(d) => crate::fsutil::absolutize(&base, d),
        None => base,
    };
    fs_err::create_dir_all(&dir).map_err(|e| {
        let hint = fs_hint(&dir, &e);
        CommandError::new(e, ExitCode::LocalFs).hint(hint)
    })?;
    Ok(dir)
}

fn release_error(e: ReleaseError, origin: &str, auth: &AuthStore) -> CommandError {
    let source = auth
        .for_origin(origin)
        .map(|(_, s)| s.to_string())
        .unwrap_or_else(|| "nowhere".to_string());
    match e {
        ReleaseError::Fetch(f) => fetch_error(f, origin, &source),
        ReleaseError::Listing { .. } => CommandError::new(e, ExitCode::Network)
            .hint("the server did not answer like the downloads API; check --api-url"),
        ReleaseError::NoMatch { ref spec, .. } => {
            let hint = format!(
                "see what is offered with `magefetch release list --version {spec}` (or without --version)"
            );
            CommandError::new(e, ExitCode::NotAvailable).hint(hint)
        }
        ReleaseError::Ambiguous { .. } => CommandError::new(e, ExitCode::Input)
            .hint("name the file, or choose with --type, --sample-data and --archive"),
        ReleaseError::BadFileName { .. }
        | ReleaseError::BadApiUrl { .. }
        | ReleaseError::DestinationNotEmpty { .. } => CommandError::new(e, ExitCode::Input),
        ReleaseError::Extract {
            source:
                ArchiveError::Io {
                    ref path,
                    ref source,
                },
            ..
        } => {
            let hint = fs_hint(path, source);
            CommandError::new(e, ExitCode::LocalFs).hint(hint)
        }
        ReleaseError::Extract { .. } => CommandError::new(e, ExitCode::Integrity)
            .hint("the archive is damaged or unsafe; nothing of it was placed in the destination"),
        ReleaseError::Io {
            ref path,
            ref source,
        } => {
            let hint = fs_hint(path, source);
            CommandError::new(e, ExitCode::LocalFs).hint(hint)
        }
    }
}

fn fetch_error(f: FetchError, origin: &str, source: &str) -> CommandError {
    match f {
        FetchError::Unauthorized { .. } => CommandError::new(f, ExitCode::Auth).hint(format!(
            "the downloads API rejected the MAGEID and token for `{origin}` (taken from {source}): check the MAGEID on your Magento account page and the token under Account Settings → Downloads Access Token (generating a new token disables the old one)"
        )),
        FetchError::Forbidden { .. } | FetchError::NotFound { .. } => {
            CommandError::new(f, ExitCode::NotAvailable).hint(
                "this account may not download that file, or it is no longer published (Adobe Commerce releases are only distributed through Composer now)",
            )
        }
        FetchError::ChecksumMismatch { .. } => CommandError::new(f, ExitCode::Integrity).hint(
            "the file did not match its published checksum, twice; nothing was saved under its name",
        ),
        FetchError::Io { ref path, ref source } => {
            let hint = fs_hint(path, source);
            CommandError::new(f, ExitCode::LocalFs).hint(hint)
        }
        FetchError::Insecure { .. } => CommandError::new(f, ExitCode::Input).hint(
            "plain http is refused as in Composer; set `\"secure-http\": false` in the `config` of $COMPOSER_HOME/config.json or composer.json to allow it",
        ),
        FetchError::BadUrl { .. } => CommandError::new(f, ExitCode::Input),
        _ => CommandError::new(f, ExitCode::Network).hint(
            "the server could not be reached reliably; run the same command again, it continues a partial download",
        ),
    }
}
