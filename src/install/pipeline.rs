//! The download → verify → extract pipeline.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::stream::{self, StreamExt};
use sha1::{Digest, Sha1};
use tokio::sync::Semaphore;

use super::paths::{dist_urls, install_path};
use super::plan::Operation;
use super::PackageError;
use crate::archive::{self, ArchiveKind};
use crate::cache::{part_info_path, part_path, FilesCache, VerifiedIndex};
use crate::http::{Expected, FetchError, FetchRequest, HashKinds, HttpClient};
use crate::progress::{Origin, Reporter};
use crate::redact::SafeUrl;

/// Shared state of one run.
pub struct Context {
    pub client: HttpClient,
    pub cache: FilesCache,
    pub verified: VerifiedIndex,
    pub vendor_dir: PathBuf,
    pub composer_dir: PathBuf,
    pub concurrency: usize,
    pub extract_jobs: usize,
    pub reporter: Arc<dyn Reporter>,
    /// `install --mirror`: archive locations replacing the lock's dist URLs.
    pub dist_overrides: std::collections::HashMap<String, super::DistOverride>,
}

/// A package put in place.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    pub from_cache: bool,
    pub transferred: u64,
}

const TMP_PREFIX: &str = ".magefetch-tmp-";

/// Removes temporary directories a killed run left in vendor/composer.
pub fn clean_leftovers(composer_dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(composer_dir) {
        for entry in entries.flatten() {
            if entry.file_name().to_string_lossy().starts_with(TMP_PREFIX) {
                let _ = crate::fsutil::remove_path(&entry.path());
            }
        }
    }
}

/// Runs every operation; results come back in the order of `ops`. A failure of one package
/// does not stop the others (the next run then has less to do), except failures that would
/// repeat for every package — rejected credentials, a full disk — after which no new package
/// is started.
pub async fn run(ops: &[Operation], ctx: &Context) -> Vec<Result<Done, PackageError>> {
    let extract_slots = Arc::new(Semaphore::new(ctx.extract_jobs));
    let abort = AtomicBool::new(false);
    let mut results: Vec<(usize, Result<Done, PackageError>)> =
        stream::iter(ops.iter().enumerate())
            .map(|(id, op)| {
                let slots = extract_slots.clone();
                let abort = &abort;
                async move {
                    if abort.load(Ordering::Relaxed) {
                        return (id, Err(PackageError::NotAttempted));
                    }
                    let result = install_one(id, op, ctx, slots).await;
                    if result.as_ref().is_err_and(PackageError::stops_the_run) {
                        abort.store(true, Ordering::Relaxed);
                    }
                    (id, result)
                }
            })
            .buffer_unordered(ctx.concurrency)
            .collect()
            .await;
    results.sort_by_key(|(id, _)| *id);
    results.into_iter().map(|(_, r)| r).collect()
}

async fn install_one(
    id: usize,
    op: &Operation,
    ctx: &Context,
    extract_slots: Arc<Semaphore>,
) -> Result<Done, PackageError> {
    let package = &op.package;
    let target = match install_path(&ctx.vendor_dir, package) {
        Ok(Some(path)) => path,
        Ok(None) => {
            // A metapackage: nothing to download; "installed" means recorded.
            ctx.reporter
                .on_installed(id, package.pretty_name(), package.pretty_version());
            return Ok(Done {
                from_cache: false,
                transferred: 0,
            });
        }
        Err(message) => {
            return Err(PackageError::Io {
                path: ctx.vendor_dir.clone(),
                source: std::io::Error::new(std::io::ErrorKind::InvalidInput, message),
            })
        }
    };
    let dist = package.dist().ok_or(PackageError::NoDist)?;
    let kind = ArchiveKind::from_dist_type(&dist.kind)
        .ok_or_else(|| PackageError::UnsupportedDist(dist.kind.clone()))?;
    let shasum = dist
        .shasum
        .as_deref()
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let (urls, shasum) = match ctx.dist_overrides.get(&package.name()) {
        Some(o) => (vec![o.url.clone()], shasum.or_else(|| o.sha1.clone())),
        None => (dist_urls(package, &op.version_normalized), shasum),
    };

    let mut archive = obtain_archive(id, op, ctx, &urls, shasum.as_deref(), &dist.kind).await?;
    let extracted = {
        let _slot = extract_slots.acquire().await;
        extract_and_place(ctx, &archive.path, kind, &target).await
    };
    if let Err(error) = extracted {
        archive.discard();
        ctx.verified.forget(&archive.path);
        if !archive.from_cache {
            return Err(error);
        }
        // A cached archive that does not extract (damaged after it was stored, or never
        // verifiable): it is gone from the cache now; fetch it again once.
        archive = fetch_from_network(id, op, ctx, &urls, shasum.as_deref(), &dist.kind).await?;
        let _slot = extract_slots.acquire().await;
        if let Err(error) = extract_and_place(ctx, &archive.path, kind, &target).await {
            archive.discard();
            return Err(error);
        }
    }
    archive.finish();
    ctx.reporter
        .on_installed(id, package.pretty_name(), package.pretty_version());
    Ok(Done {
        from_cache: archive.from_cache,
        transferred: archive.transferred,
    })
}

/// An archive on disk, in the cache or in a private temporary place.
struct LocalArchive {
    path: PathBuf,
    from_cache: bool,
    /// A private copy to delete after extraction (no cache, or a read-only cache).
    temporary: bool,
    in_cache: bool,
    transferred: u64,
}

impl LocalArchive {
    /// After a failed extraction: a bad archive must not stay in the cache.
    fn discard(&self) {
        if self.temporary || self.in_cache {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    fn finish(&self) {
        if self.temporary {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

async fn obtain_archive(
    id: usize,
    op: &Operation,
    ctx: &Context,
    urls: &[String],
    shasum: Option<&str>,
    dist_type: &str,
) -> Result<LocalArchive, PackageError> {
    let name = op.package.name();
    for url in urls {
        let Some(entry) = ctx.cache.entry_path(&name, url, dist_type) else {
            break;
        };
        if cached_file_is_valid(&entry, shasum, &ctx.verified).await {
            let size = std::fs::metadata(&entry).map(|m| m.len()).unwrap_or(0);
            ctx.reporter
                .on_download_done(id, op.package.pretty_name(), Origin::Cache, size);
            return Ok(LocalArchive {
                path: entry,
                from_cache: true,
                temporary: false,
                in_cache: ctx.cache.writable(),
                transferred: 0,
            });
        }
    }
    fetch_from_network(id, op, ctx, urls, shasum, dist_type).await
}

/// A cache entry is used when it exists and, if the lock has a shasum, matches it (known
/// from the verified index, or hashed now).
async fn cached_file_is_valid(entry: &Path, shasum: Option<&str>, index: &VerifiedIndex) -> bool {
    if !entry.is_file() {
        return false;
    }
    let Some(expected) = shasum else {
        return true;
    };
    if let Some(known) = index.known_sha1(entry) {
        return known == expected;
    }
    let file = entry.to_path_buf();
    let actual = tokio::task::spawn_blocking(move || sha1_file(&file).ok())
        .await
        .ok()
        .flatten();
    match actual {
        Some(actual) => {
            index.record(entry, &actual);
            actual == expected
        }
        None => false,
    }
}

pub fn sha1_file(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha1::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Tries each URL in turn (mirrors after the main URL); a checksum mismatch is fetched once
/// more from scratch before it counts as a failure.
async fn fetch_from_network(
    id: usize,
    op: &Operation,
    ctx: &Context,
    urls: &[String],
    shasum: Option<&str>,
    dist_type: &str,
) -> Result<LocalArchive, PackageError> {
    let name = op.package.name();
    let mut last_error = None;
    for url in urls {
        let safe = SafeUrl::new(url.clone());
        let cache_entry = if ctx.cache.writable() {
            ctx.cache.entry_path(&name, url, dist_type)
        } else {
            None
        };
        let (part, final_path, in_cache) = match &cache_entry {
            Some(entry) => (part_path(entry), entry.clone(), true),
            None => {
                let dir = ctx
                    .composer_dir
                    .join(format!("{TMP_PREFIX}dl-{}", std::process::id()));
                let file = dir.join(crate::cache::entry_key(&name, url, dist_type));
                (part_path(&file), file, false)
            }
        };
        for attempt in 0..2 {
            let request = FetchRequest {
                url: &safe,
                part: part.clone(),
                part_info: part_info_path(&final_path),
                expected: Expected {
                    sha1: shasum,
                    ..Expected::default()
                },
                compute: HashKinds::SHA1,
                id,
                name: op.package.pretty_name(),
                reporter: ctx.reporter.as_ref(),
            };
            match ctx.client.fetch_to_file(&request).await {
                Ok(outcome) => {
                    fs_err::rename(&part, &final_path).map_err(|e| PackageError::Io {
                        path: final_path.clone(),
                        source: e,
                    })?;
                    let _ = std::fs::remove_file(part_info_path(&final_path));
                    if let (true, Some(sha1)) = (in_cache, &outcome.digests.sha1) {
                        ctx.verified.record(&final_path, sha1);
                    }
                    ctx.reporter.on_download_done(
                        id,
                        op.package.pretty_name(),
                        Origin::Network,
                        outcome.size,
                    );
                    return Ok(LocalArchive {
                        path: final_path,
                        from_cache: false,
                        temporary: !in_cache,
                        in_cache,
                        transferred: outcome.transferred,
                    });
                }
                Err(e @ FetchError::ChecksumMismatch { .. }) if attempt == 0 => {
                    ctx.reporter
                        .on_retry(id, op.package.pretty_name(), &safe, 1, &e.to_string());
                    last_error = Some(e);
                }
                Err(e) => {
                    last_error = Some(e);
                    break;
                }
            }
        }
        if matches!(
            last_error,
            Some(FetchError::Offline { .. } | FetchError::Insecure { .. } | FetchError::Io { .. })
        ) {
            break;
        }
    }
    Err(PackageError::Fetch(last_error.unwrap_or_else(|| {
        FetchError::Client("the package has no download URL".into())
    })))
}

async fn extract_and_place(
    ctx: &Context,
    archive_path: &Path,
    kind: ArchiveKind,
    target: &Path,
) -> Result<(), PackageError> {
    let composer_dir = ctx.composer_dir.clone();
    let archive_path = archive_path.to_path_buf();
    let target = target.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let work = tempfile::Builder::new()
            .prefix(TMP_PREFIX)
            .tempdir_in(&composer_dir)
            .map_err(|e| PackageError::Io {
                path: composer_dir.clone(),
                source: e,
            })?;
        let unpacked = work.path().join("x");
        fs_err::create_dir(&unpacked).map_err(|e| PackageError::Io {
            path: unpacked.clone(),
            source: e,
        })?;
        archive::extract(&archive_path, kind, &unpacked).map_err(PackageError::Archive)?;
        archive::move_into_place(&unpacked, &target, &work.path().join("old"))
            .map_err(PackageError::Archive)?;
        // The previous version, if any, went into the temporary directory.
        crate::fsutil::remove_path(work.path()).map_err(|e| PackageError::Io {
            path: work.path().to_path_buf(),
            source: e,
        })?;
        Ok(())
    })
    .await
    .unwrap_or_else(|e| {
        Err(PackageError::Io {
            path: ctx.composer_dir.clone(),
            source: std::io::Error::other(e.to_string()),
        })
    })
}
