//! `mirror sync`: choose the versions, store their archives, publish the metadata.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use futures::stream::{self, StreamExt};
use serde_json::{json, Map, Value};
use sha1::{Digest, Sha1};

use super::layout::{self, Layout};
use super::publish::{self, Published};
use super::select::{self, Chosen, Request};
use super::state::{mtime_ns, Archive, Journal, State};
use super::{ArchiveFailure, MirrorError};
use crate::composer::lock::LockFile;
use crate::http::{Expected, FetchError, FetchRequest, HashKinds, HttpClient};
use crate::install::paths::dist_urls;
use crate::progress::{Origin, Reporter};
use crate::redact::SafeUrl;
use crate::repository::{RepoContext, RepositoryDefinitions, RepositorySet};
use crate::semver::{Constraint, Stability};

/// What to mirror, from where, and how.
pub struct SyncOptions {
    pub dir: PathBuf,
    pub repositories: RepositoryDefinitions,
    pub locks: Vec<LockFile>,
    /// `--require`: lower-cased name and constraint.
    pub requires: Vec<(String, Constraint)>,
    pub with_dependencies: bool,
    pub minimum_stability: Stability,
    /// `--base-url`; `None` keeps an earlier explicit one, else `file://<dir>`.
    pub base_url: Option<String>,
    pub prune: bool,
    /// Archives fetched at once.
    pub concurrency: usize,
    /// Hash every stored archive instead of trusting an unchanged size and mtime.
    pub check_archives: bool,
}

/// What a sync did.
#[derive(Debug, Default)]
pub struct SyncSummary {
    /// Package names and versions published.
    pub packages: usize,
    pub versions: usize,
    /// Archives fetched from upstream in this run, and their bytes.
    pub downloaded: usize,
    pub downloaded_bytes: u64,
    /// Archives already stored and still good.
    pub reused: usize,
    /// Stored archives that were missing or damaged and were fetched again.
    pub repaired: usize,
    /// Archives removed by `--prune`.
    pub pruned: usize,
    /// Whether new metadata was published (false: nothing changed).
    pub published: bool,
    pub generation: u64,
    pub base_url: String,
    pub failures: Vec<ArchiveFailure>,
    pub warnings: Vec<String>,
}

/// One archive to store.
struct Job {
    name: String,
    pretty_name: String,
    version: String,
    urls: Vec<String>,
    dist_type: String,
    /// Upstream `shasum` (lower-case), when it has one.
    upstream_sha1: Option<String>,
}

/// Where a stored archive is.
#[derive(Debug, Clone)]
pub(super) struct Stored {
    pub path: String,
    pub sha1: String,
}

/// A job's package name, normalized version, the job, and what became of it.
type JobResult = (String, String, Arc<Job>, Result<Outcome, MirrorError>);

enum Outcome {
    Reused(Stored),
    Downloaded {
        stored: Stored,
        bytes: u64,
        repaired: bool,
    },
}

/// What every archive task needs. The tasks run on the runtime's worker threads, so that
/// hashing and writing of many transfers use every core rather than the one that drives
/// the stream.
struct Shared {
    layout: Layout,
    client: HttpClient,
    reporter: Arc<dyn Reporter>,
    state: Mutex<State>,
    journal: Mutex<Journal>,
    check_archives: bool,
}

/// Runs a sync. Archive failures do not stop the others; the versions whose archive could
/// not be stored are left out of the published metadata and listed in the summary.
pub async fn sync(
    opts: SyncOptions,
    client: HttpClient,
    reporter: Arc<dyn Reporter>,
) -> Result<SyncSummary, MirrorError> {
    let layout = Layout::new(&opts.dir);
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| MirrorError::Io { path, source }
    };
    fs_err::create_dir_all(layout.state_dir()).map_err(io(&layout.state_dir()))?;
    let _lock = super::lock_exclusive(&layout)?;
    let mut state = State::load(&layout)?;
    let mut summary = SyncSummary::default();

    let (base_url, explicit) = match (&opts.base_url, state.base_url_explicit) {
        (Some(url), _) => (url.trim_end_matches('/').to_string(), true),
        (None, true) => (state.base_url.clone().unwrap_or_default(), true),
        (None, false) => (
            layout::file_base_url(&opts.dir).ok_or_else(|| MirrorError::Io {
                path: opts.dir.clone(),
                source: std::io::Error::other("not an absolute path"),
            })?,
            false,
        ),
    };
    summary.base_url = base_url.clone();

    let ctx = RepoContext {
        client: client.clone(),
        cache_repo_dir: Some(layout.repo_cache()),
        cache_read_only: false,
        offline: false,
    };
    let set = RepositorySet::new(&opts.repositories, ctx, opts.concurrency.max(1));
    let request = Request {
        locks: &opts.locks,
        requires: &opts.requires,
        with_dependencies: opts.with_dependencies,
        minimum_stability: opts.minimum_stability,
    };
    let selection = select::select(&set, &request).await?;
    summary.warnings.extend(selection.warnings.iter().cloned());
    summary.warnings.extend(set.take_warnings());

    // Every chosen version with a dist becomes a job; keyed by (name, normalized version).
    let mut jobs: Vec<(String, String, Job)> = Vec::new();
    for (name, list) in &selection.packages {
        let Some(safe) = layout::safe_name(name) else {
            continue;
        };
        for chosen in list {
            if let Some(job) = job_for(&safe, chosen, &mut summary.warnings) {
                jobs.push((safe.clone(), chosen.version.normalized.clone(), job));
            }
        }
    }
    reporter.on_plan(jobs.len(), 0, 0);

    // Stale temporary metadata directories of a killed run.
    publish::clean_temporaries(&layout);
    let shared = Arc::new(Shared {
        layout: layout.clone(),
        client: client.clone(),
        reporter: Arc::clone(&reporter),
        state: Mutex::new(std::mem::take(&mut state)),
        journal: Mutex::new(Journal::open(&layout)?),
        check_archives: opts.check_archives,
    });
    let results: Vec<JobResult> = stream::iter(jobs.into_iter().enumerate())
        .map(|(id, (name, normalized, job))| {
            let shared = Arc::clone(&shared);
            let job = Arc::new(job);
            let task_job = Arc::clone(&job);
            async move {
                let task = tokio::spawn(async move { store(id, &task_job, &shared).await });
                let result = task.await.unwrap_or_else(|e| {
                    Err(MirrorError::Fetch(FetchError::Client(format!(
                        "the download task stopped: {e}"
                    ))))
                });
                (name, normalized, job, result)
            }
        })
        .buffer_unordered(opts.concurrency.max(1))
        .collect()
        .await;
    let mut state = std::mem::take(&mut *shared.state.lock().unwrap_or_else(|e| e.into_inner()));

    let mut stored: HashMap<(String, String), Stored> = HashMap::new();
    for (name, normalized, job, result) in results {
        match result {
            Ok(Outcome::Reused(s)) => {
                summary.reused += 1;
                stored.insert((name, normalized), s);
            }
            Ok(Outcome::Downloaded {
                stored: s,
                bytes,
                repaired,
            }) => {
                summary.downloaded += 1;
                summary.downloaded_bytes += bytes;
                if repaired {
                    summary.repaired += 1;
                }
                stored.insert((name, normalized), s);
            }
            Err(error) => summary.failures.push(ArchiveFailure {
                name: job.pretty_name.clone(),
                version: job.version.clone(),
                error,
            }),
        }
    }

    let metadata = build_metadata(&selection.packages, &stored, &base_url, &mut summary);
    let Published {
        generation,
        published,
    } = publish::publish(&layout, &mut state, &metadata, &base_url)?;
    state.base_url = Some(base_url);
    state.base_url_explicit = explicit;
    summary.generation = generation;
    summary.published = published;

    if opts.prune {
        let referenced: BTreeSet<String> = stored.values().map(|s| s.path.clone()).collect();
        summary.pruned = prune(&layout, &mut state, &referenced)?;
    }
    state.save(&layout)?;
    Ok(summary)
}

/// The job for one chosen version, or `None` (with a warning when that loses something).
fn job_for(name: &str, chosen: &Chosen, warnings: &mut Vec<String>) -> Option<Job> {
    let package = &chosen.version.package;
    let dist = package.dist()?;
    let urls: Vec<String> = dist_urls(package, &chosen.version.normalized)
        .into_iter()
        .filter(|u| {
            u.starts_with("https://")
                || u.starts_with("http://")
                || (chosen.local_dist_allowed && u.starts_with("file://"))
        })
        .collect();
    if urls.is_empty() {
        warnings.push(format!(
            "`{}` ({}): the dist URL `{}` is neither http(s) nor a file of a local repository; not mirrored",
            package.pretty_name(),
            package.pretty_version(),
            SafeUrl::new(dist.url.clone())
        ));
        return None;
    }
    let upstream_sha1 = dist
        .shasum
        .as_deref()
        .map(str::trim)
        .filter(|s| s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit()))
        .map(str::to_lowercase);
    Some(Job {
        name: name.to_string(),
        pretty_name: package.pretty_name().to_string(),
        version: package.pretty_version().to_string(),
        urls,
        dist_type: dist.kind.clone(),
        upstream_sha1,
    })
}

/// Reuses the stored archive when it is still good, else downloads it.
async fn store(id: usize, job: &Job, shared: &Shared) -> Result<Outcome, MirrorError> {
    let candidate = {
        let state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        match &job.upstream_sha1 {
            Some(sha1) => {
                let path = layout::archive_path(&job.name, &job.version, sha1, &job.dist_type);
                match state.archives.get(&path) {
                    Some(record) => Some((path, sha1.clone(), Some(record.clone()))),
                    // Stored by an earlier version under its layout: the same bytes serve.
                    None => state
                        .archives
                        .iter()
                        .find(|(_, a)| {
                            a.package == job.name && a.version == job.version && &a.sha1 == sha1
                        })
                        .map(|(p, a)| (p.clone(), sha1.clone(), Some(a.clone())))
                        .or_else(|| Some((path, sha1.clone(), None))),
                }
            }
            None => {
                let sources: Vec<String> = job.urls.iter().map(|u| sha1_hex(u)).collect();
                state
                    .archives
                    .iter()
                    .find(|(_, a)| {
                        a.package == job.name
                            && a.version == job.version
                            && sources.contains(&a.source)
                    })
                    .map(|(p, a)| (p.clone(), a.sha1.clone(), Some(a.clone())))
            }
        }
    };
    let mut repaired = false;
    if let Some((path, sha1, record)) = candidate {
        let file = shared.layout.archive(&path);
        let trusted = !shared.check_archives
            && record
                .as_ref()
                .is_some_and(|r| r.sha1 == sha1 && r.stamp_matches(&file));
        if trusted {
            report_reused(id, job, shared, &file);
            return Ok(Outcome::Reused(Stored { path, sha1 }));
        }
        if file.is_file() {
            let actual = hash_file(file.clone()).await;
            if actual.as_deref() == Some(sha1.as_str()) {
                let source = record
                    .map(|r| r.source)
                    .unwrap_or_else(|| sha1_hex(&job.urls[0]));
                shared.record(&path, &file, &sha1, &source, job)?;
                report_reused(id, job, shared, &file);
                return Ok(Outcome::Reused(Stored { path, sha1 }));
            }
            // Damaged: it goes, and is fetched again.
            let _ = std::fs::remove_file(&file);
            repaired = true;
        } else if record.is_some() {
            repaired = true;
        }
    }
    let (stored, bytes) = download(id, job, shared).await?;
    Ok(Outcome::Downloaded {
        stored,
        bytes,
        repaired,
    })
}

fn report_reused(id: usize, job: &Job, shared: &Shared, file: &Path) {
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    shared
        .reporter
        .on_download_done(id, &job.pretty_name, Origin::Cache, size);
    shared
        .reporter
        .on_installed(id, &job.pretty_name, &job.version);
}

/// Fetches the archive (each URL in turn; a checksum mismatch is fetched once more from
/// scratch) into `.magefetch/parts/`, then renames it to its content-addressed place.
async fn download(id: usize, job: &Job, shared: &Shared) -> Result<(Stored, u64), MirrorError> {
    let mut last_error: Option<FetchError> = None;
    for url in &job.urls {
        let source = sha1_hex(url);
        // Per version and URL: two versions may share a URL, and must not share a `.part`.
        let key = sha1_hex(&format!("{}\0{}\0{url}", job.name, job.version));
        let part = shared.layout.parts_dir().join(format!("{key}.part"));
        let part_info = shared.layout.parts_dir().join(format!("{key}.part.json"));
        let safe = SafeUrl::new(url.clone());
        for attempt in 0..2 {
            let request = FetchRequest {
                url: &safe,
                part: part.clone(),
                part_info: part_info.clone(),
                expected: Expected {
                    sha1: job.upstream_sha1.as_deref(),
                    ..Expected::default()
                },
                compute: HashKinds::SHA1,
                id,
                name: &job.pretty_name,
                reporter: shared.reporter.as_ref(),
            };
            match shared.client.fetch_to_file(&request).await {
                Ok(outcome) => {
                    let sha1 = outcome.digests.sha1.clone().unwrap_or_default();
                    let path = layout::archive_path(&job.name, &job.version, &sha1, &job.dist_type);
                    let file = shared.layout.archive(&path);
                    if let Some(parent) = file.parent() {
                        fs_err::create_dir_all(parent).map_err(|source| MirrorError::Io {
                            path: parent.to_path_buf(),
                            source,
                        })?;
                    }
                    fs_err::rename(&part, &file).map_err(|source| MirrorError::Io {
                        path: file.clone(),
                        source,
                    })?;
                    let _ = std::fs::remove_file(&part_info);
                    shared.record(&path, &file, &sha1, &source, job)?;
                    shared.reporter.on_download_done(
                        id,
                        &job.pretty_name,
                        Origin::Network,
                        outcome.size,
                    );
                    shared
                        .reporter
                        .on_installed(id, &job.pretty_name, &job.version);
                    return Ok((Stored { path, sha1 }, outcome.transferred));
                }
                Err(e @ FetchError::ChecksumMismatch { .. }) if attempt == 0 => {
                    shared
                        .reporter
                        .on_retry(id, &job.pretty_name, &safe, 1, &e.to_string());
                    last_error = Some(e);
                }
                Err(e) => {
                    last_error = Some(e);
                    break;
                }
            }
        }
    }
    Err(MirrorError::Fetch(last_error.unwrap_or_else(|| {
        FetchError::Client("the package has no download URL".into())
    })))
}

impl Shared {
    fn record(
        &self,
        path: &str,
        file: &Path,
        sha1: &str,
        source: &str,
        job: &Job,
    ) -> Result<(), MirrorError> {
        let meta = std::fs::metadata(file).map_err(|source| MirrorError::Io {
            path: file.to_path_buf(),
            source,
        })?;
        let archive = Archive {
            sha1: sha1.to_string(),
            size: meta.len(),
            mtime_ns: mtime_ns(&meta),
            source: source.to_string(),
            package: job.name.clone(),
            version: job.version.clone(),
        };
        self.journal
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .record(path, &archive)?;
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .archives
            .insert(path.to_string(), archive);
        Ok(())
    }
}

/// The per-package metadata files (path inside a generation → bytes) and the names served.
pub(super) struct Metadata {
    pub files: BTreeMap<String, Vec<u8>>,
    pub names: Vec<String>,
}

fn build_metadata(
    packages: &BTreeMap<String, Vec<Chosen>>,
    stored: &HashMap<(String, String), Stored>,
    base_url: &str,
    summary: &mut SyncSummary,
) -> Metadata {
    let mut files = BTreeMap::new();
    let mut names = Vec::new();
    for (name, list) in packages {
        let Some(name) = layout::safe_name(name) else {
            continue;
        };
        let mut tagged = Vec::new();
        let mut dev = Vec::new();
        for chosen in list {
            let package = &chosen.version.package;
            let entry = if package.dist().is_some() {
                match stored.get(&(name.clone(), chosen.version.normalized.clone())) {
                    Some(s) => mirror_entry(
                        package.data(),
                        Some((&layout::url_of(base_url, &s.path), &s.sha1)),
                    ),
                    None => continue,
                }
            } else if package.is_metapackage() {
                mirror_entry(package.data(), None)
            } else {
                summary.warnings.push(format!(
                    "`{}` ({}) has no dist archive (source-only); not mirrored",
                    package.pretty_name(),
                    package.pretty_version()
                ));
                continue;
            };
            if chosen.version.stability == Stability::Dev {
                dev.push(entry);
            } else {
                tagged.push(entry);
            }
        }
        if tagged.is_empty() && dev.is_empty() {
            continue;
        }
        summary.versions += tagged.len() + dev.len();
        // A `~dev` file with nothing in it is the one shared empty body (published as hard
        // links of one file): the tagged file already names the package, for Composer and for
        // magefetch alike. A package with only branches keeps its name in both files.
        let empty_dev = dev.is_empty();
        for (entries, is_dev) in [(tagged, false), (dev, true)] {
            let bytes = if is_dev && empty_dev {
                publish::EMPTY_METADATA.to_vec()
            } else {
                let body = json!({
                    "packages": {name.clone(): crate::repository::minified::minify(&entries)},
                    "minified": "composer/2.0",
                });
                serde_json::to_vec(&body).unwrap_or_default()
            };
            files.insert(layout::metadata_path(&name, is_dev), bytes);
        }
        names.push(name);
    }
    summary.packages = names.len();
    Metadata { files, names }
}

/// The upstream entry as the mirror publishes it: dist pointing at the stored archive with
/// its SHA-1 (upstream's, which the download was checked against, or the stored file's when
/// upstream had none); dist mirrors and `transport-options` dropped (they point at, or carry
/// headers for, upstream); credentials removed from a `source` URL. Everything else, `source`
/// included, as upstream wrote it, so a lock made from the mirror matches one made upstream
/// in everything but the dist URL.
///
/// The entry is written as PHP sees it (`json_decode(…, true)` then `json_encode`: an empty
/// object is `[]`), which is also how the repository cache keeps upstream metadata. So a sync
/// that read upstream fresh and one that got `304` and read the cache publish the same bytes,
/// and a no-change refresh publishes nothing.
fn mirror_entry(data: &Map<String, Value>, dist: Option<(&str, &str)>) -> Value {
    let mut entry = data.clone();
    entry.shift_remove("transport-options");
    if let Some((url, sha1)) = dist {
        if let Some(Value::Object(d)) = entry.get_mut("dist") {
            d.insert("url".to_string(), Value::String(url.to_string()));
            d.insert("shasum".to_string(), Value::String(sha1.to_string()));
            d.shift_remove("mirrors");
        }
    }
    if let Some(Value::Object(s)) = entry.get_mut("source") {
        if let Some(Value::String(url)) = s.get_mut("url") {
            *url = strip_userinfo(url);
        }
        s.shift_remove("mirrors");
    }
    let entry = Value::Object(entry);
    serde_json::from_str(&crate::composer::json::to_php_compact(&entry)).unwrap_or(entry)
}

fn strip_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}{}", &url[..scheme_end + 3], &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// Removes stored archives the published metadata no longer references, files under `dist/`
/// the state does not know, and downloads in progress.
fn prune(
    layout: &Layout,
    state: &mut State,
    referenced: &BTreeSet<String>,
) -> Result<usize, MirrorError> {
    let mut removed = 0;
    let unreferenced: Vec<String> = state
        .archives
        .keys()
        .filter(|p| !referenced.contains(*p))
        .cloned()
        .collect();
    for path in unreferenced {
        state.archives.remove(&path);
        if remove_file(&layout.archive(&path))? {
            removed += 1;
        }
    }
    for rel in super::walk_files(&layout.dist_dir(), layout::DIST_DIR) {
        if !state.archives.contains_key(&rel) && remove_file(&layout.archive(&rel))? {
            removed += 1;
        }
    }
    super::remove_empty_dirs(&layout.dist_dir());
    let _ = crate::fsutil::remove_path(&layout.parts_dir());
    Ok(removed)
}

fn remove_file(path: &Path) -> Result<bool, MirrorError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(source) => Err(MirrorError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

pub(super) fn sha1_hex(text: &str) -> String {
    hex::encode(Sha1::digest(text.as_bytes()))
}

async fn hash_file(path: PathBuf) -> Option<String> {
    tokio::task::spawn_blocking(move || crate::install::pipeline::sha1_file(&path).ok())
        .await
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_published_as_php_reencodes_them() {
        let upstream = json!({
            "name": "acme/x", "version": "1.0.0", "require": {}, "extra": {"a": {}},
            "autoload": {"psr-4": {"Acme\\X\\": "src/"}}, "description": "café a/b"
        });
        let out = mirror_entry(upstream.as_object().unwrap(), None);
        assert_eq!(
            out,
            json!({
                "name": "acme/x", "version": "1.0.0", "require": [], "extra": {"a": []},
                "autoload": {"psr-4": {"Acme\\X\\": "src/"}}, "description": "café a/b"
            })
        );
    }

    #[test]
    fn entries_keep_upstream_fields_but_not_credentials() {
        let upstream = json!({
            "name": "Acme/X", "version": "1.0.0", "type": "library",
            "dist": {"type": "zip", "url": "https://up/x.zip", "reference": "r", "shasum": "",
                     "mirrors": [{"url": "https://cdn/%package%", "preferred": true}]},
            "source": {"type": "git", "url": "https://user:token@git.example/x.git", "reference": "r"},
            "transport-options": {"http": {"header": ["Authorization: Bearer t"]}},
            "extra": {"k": null}
        });
        let out = mirror_entry(
            upstream.as_object().unwrap(),
            Some(("file:///m/dist/acme/x/1.0.0-ab.zip", "ab")),
        );
        assert_eq!(
            out,
            json!({
                "name": "Acme/X", "version": "1.0.0", "type": "library",
                "dist": {"type": "zip", "url": "file:///m/dist/acme/x/1.0.0-ab.zip", "reference": "r", "shasum": "ab"},
                "source": {"type": "git", "url": "https://git.example/x.git", "reference": "r"},
                "extra": {"k": null}
            })
        );
    }
}
