//! The resumable, hashed download of one file.
//!
//! Bytes stream from the socket through a set of hashers (SHA-1 for Composer dists, MD5 and
//! SHA-256 for Magento release archives; see [`HashKinds`]) into a `.part` file; memory use does
//! not depend on the file size. When a transfer breaks, the next attempt asks for the rest with
//! `Range: bytes=<have>-` and `If-Range: <validator>`; a 206 continues the file and the running
//! hash, a 200 (server ignores ranges, or the file changed) starts over cleanly. A `.part` left
//! by a killed run is re-hashed from disk and continued the same way, provided the earlier
//! response carried a validator (ETag or Last-Modified) or an expected digest is known to catch
//! a mixed file. The caller renames the `.part` into place only after the digests matched.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::md5::Md5;
use bytes::Bytes;
use futures::StreamExt;
use reqwest::header::{self, HeaderMap};
use reqwest::{StatusCode, Url};
use sha1::{Digest, Sha1};
use sha2::Sha256;

use super::retry::is_retryable_status;
use super::{FetchError, HttpClient};
use crate::cache::PartInfo;
use crate::progress::Reporter;
use crate::redact::SafeUrl;

/// One file to download.
pub struct FetchRequest<'a> {
    pub url: &'a SafeUrl,
    /// Where the bytes go while they arrive.
    pub part: PathBuf,
    /// The sidecar describing `part` (validators, source URL hash).
    pub part_info: PathBuf,
    /// Digests the file must have, when known (each one given is also computed).
    pub expected: Expected<'a>,
    /// Digests to compute (in addition to the expected ones) and report in the outcome.
    pub compute: HashKinds,
    /// Progress id and name for the reporter.
    pub id: usize,
    pub name: &'a str,
    pub reporter: &'a dyn Reporter,
}

/// Which digests a transfer computes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HashKinds {
    pub sha1: bool,
    pub md5: bool,
    pub sha256: bool,
}

impl HashKinds {
    pub const SHA1: HashKinds = HashKinds {
        sha1: true,
        md5: false,
        sha256: false,
    };
    pub const MD5_SHA256: HashKinds = HashKinds {
        sha1: false,
        md5: true,
        sha256: true,
    };
}

/// Lower-case hex digests a file must have.
#[derive(Debug, Clone, Copy, Default)]
pub struct Expected<'a> {
    pub sha1: Option<&'a str>,
    pub md5: Option<&'a str>,
    pub sha256: Option<&'a str>,
}

impl Expected<'_> {
    pub fn any(&self) -> bool {
        self.sha1.is_some() || self.md5.is_some() || self.sha256.is_some()
    }
}

/// Lower-case hex digests of a file (those that were computed).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Digests {
    pub sha1: Option<String>,
    pub md5: Option<String>,
    pub sha256: Option<String>,
}

impl Digests {
    /// The first digest that differs from `expected`: (algorithm, expected, actual).
    pub(super) fn mismatch<'e>(
        &self,
        expected: &Expected<'e>,
    ) -> Option<(&'static str, &'e str, String)> {
        let pairs = [
            ("sha1", expected.sha1, &self.sha1),
            ("md5", expected.md5, &self.md5),
            ("sha256", expected.sha256, &self.sha256),
        ];
        pairs.into_iter().find_map(|(alg, want, got)| {
            let want = want?;
            let got = got.clone().unwrap_or_default();
            (!got.eq_ignore_ascii_case(want.trim())).then_some((alg, want, got))
        })
    }
}

/// The running hashers of a transfer. SHA-1 and SHA-256 run inline; MD5 (the slowest, and
/// only wanted next to SHA-256 for release archives) runs on its own thread when another
/// digest is computed too, so that verifying costs little throughput.
pub struct Hashers {
    sha1: Option<Sha1>,
    md5: Option<Md5Hasher>,
    sha256: Option<Sha256>,
}

enum Md5Hasher {
    Inline(Md5),
    Thread(Md5Thread),
}

/// MD5 on a helper thread, fed through a bounded channel (the bound is the back-pressure).
struct Md5Thread {
    tx: Option<std::sync::mpsc::SyncSender<Bytes>>,
    handle: Option<std::thread::JoinHandle<String>>,
}

impl Md5Thread {
    fn spawn() -> Option<Md5Thread> {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Bytes>(256);
        let handle = std::thread::Builder::new()
            .name("magefetch-md5".into())
            .spawn(move || {
                let mut h = Md5::new();
                for chunk in rx {
                    h.update(&chunk);
                }
                hex::encode(h.finalize())
            })
            .ok()?;
        Some(Md5Thread {
            tx: Some(tx),
            handle: Some(handle),
        })
    }

    fn finish(mut self) -> Option<String> {
        drop(self.tx.take());
        self.handle.take()?.join().ok()
    }
}

impl Hashers {
    pub fn new(kinds: HashKinds) -> Hashers {
        let offload = kinds.md5 && (kinds.sha1 || kinds.sha256);
        let md5 = kinds.md5.then(|| {
            offload
                .then(Md5Thread::spawn)
                .flatten()
                .map(Md5Hasher::Thread)
                .unwrap_or_else(|| Md5Hasher::Inline(Md5::new()))
        });
        Hashers {
            sha1: kinds.sha1.then(Sha1::new),
            md5,
            sha256: kinds.sha256.then(Sha256::new),
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        self.feed(bytes, || Bytes::copy_from_slice(bytes));
    }

    /// [`Hashers::update`] for a received body chunk: the MD5 thread gets the chunk itself
    /// (a reference count, no copy).
    pub fn update_shared(&mut self, bytes: &Bytes) {
        self.feed(bytes, || bytes.clone());
    }

    fn feed(&mut self, bytes: &[u8], shared: impl FnOnce() -> Bytes) {
        match &mut self.md5 {
            Some(Md5Hasher::Inline(h)) => h.update(bytes),
            Some(Md5Hasher::Thread(t)) => {
                if let Some(tx) = &t.tx {
                    // A closed channel means the thread died; `finish` then reports no digest,
                    // which fails the comparison rather than passing it.
                    let _ = tx.send(shared());
                }
            }
            None => {}
        }
        if let Some(h) = &mut self.sha1 {
            h.update(bytes);
        }
        if let Some(h) = &mut self.sha256 {
            h.update(bytes);
        }
    }

    pub fn finish(self) -> Digests {
        Digests {
            sha1: self.sha1.map(|h| hex::encode(h.finalize())),
            md5: self.md5.and_then(|m| match m {
                Md5Hasher::Inline(h) => Some(hex::encode(h.finalize())),
                Md5Hasher::Thread(t) => t.finish(),
            }),
            sha256: self.sha256.map(|h| hex::encode(h.finalize())),
        }
    }

    /// Hashes a whole file; returns its length.
    pub fn update_from_file(&mut self, path: &Path) -> std::io::Result<u64> {
        let mut file = File::open(path)?;
        hash_reader(&mut file, self)
    }
}

/// The digest kinds a request needs: what it asked for plus what it expects.
pub(super) fn kinds_for(req: &FetchRequest<'_>) -> HashKinds {
    HashKinds {
        sha1: req.compute.sha1 || req.expected.sha1.is_some(),
        md5: req.compute.md5 || req.expected.md5.is_some(),
        sha256: req.compute.sha256 || req.expected.sha256.is_some(),
    }
}

/// A downloaded, verified file (still at `part`).
#[derive(Debug, Clone)]
pub struct FetchOutcome {
    pub digests: Digests,
    pub size: u64,
    /// Bytes that crossed the network in this call (less than `size` after a resume).
    pub transferred: u64,
}

/// Running state of a transfer: the bytes on disk and their hash.
struct Progress {
    /// Written without a user-space buffer: each network chunk goes straight to the file, so
    /// a killed process loses nothing it had received.
    file: File,
    hasher: Hashers,
    kinds: HashKinds,
    have: u64,
    validator: Option<String>,
    total: Option<u64>,
}

impl HttpClient {
    /// Downloads `req.url` into `req.part`, verifying the expected digests.
    pub async fn fetch_to_file(&self, req: &FetchRequest<'_>) -> Result<FetchOutcome, FetchError> {
        if req.url.expose().starts_with("file://") {
            return self.fetch_local(req);
        }
        let url = parse_url(req.url)?;
        self.check_allowed(req.url, &url)?;
        let url_sha1 = hex::encode(Sha1::digest(req.url.expose().as_bytes()));
        let mut state = self.open_part(req, &url_sha1)?;
        let start_have = state.have;
        let policy = &self.settings.retry;
        let mut failures_without_progress = 0u32;
        let mut total_attempts = 0u32;
        loop {
            total_attempts += 1;
            let before = state.have;
            match self.attempt(req, &url, &url_sha1, &mut state).await {
                Ok(()) => break,
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry { reason, wait }) => {
                    if state.have > before {
                        failures_without_progress = 0;
                    } else {
                        failures_without_progress += 1;
                    }
                    if failures_without_progress >= policy.max_attempts
                        || total_attempts >= policy.max_total_attempts
                    {
                        return Err(reason.into_error(req.url, total_attempts));
                    }
                    req.reporter.on_retry(
                        req.id,
                        req.name,
                        req.url,
                        total_attempts,
                        &reason.describe(),
                    );
                    let wait =
                        wait.unwrap_or_else(|| policy.delay(failures_without_progress.max(1)));
                    tokio::time::sleep(wait).await;
                }
            }
        }
        flush(&mut state, &req.part)?;
        let digests =
            std::mem::replace(&mut state.hasher, Hashers::new(HashKinds::default())).finish();
        if let Some((algorithm, expected, actual)) = digests.mismatch(&req.expected) {
            discard_part(req);
            return Err(FetchError::ChecksumMismatch {
                url: req.url.clone(),
                algorithm,
                expected: expected.to_string(),
                actual,
                bytes: state.have,
            });
        }
        Ok(FetchOutcome {
            digests,
            size: state.have,
            transferred: state.have.saturating_sub(start_have),
        })
    }

    /// GETs a small document (a listing, a repository root) into memory, with the same
    /// retries, redirects and per-origin credentials as [`HttpClient::fetch_to_file`]. Bodies
    /// larger than `max_bytes` fail.
    pub async fn get_bytes(&self, safe: &SafeUrl, max_bytes: usize) -> Result<Vec<u8>, FetchError> {
        let url = parse_url(safe)?;
        self.check_allowed(safe, &url)?;
        let policy = &self.settings.retry;
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            let reason = match self.get_once(safe, &url, max_bytes).await {
                Ok(body) => return Ok(body),
                Err(Attempt::Fatal(e)) => return Err(e),
                Err(Attempt::Retry { reason, wait }) => (reason, wait),
            };
            if attempts >= policy.max_attempts {
                return Err(reason.0.into_error(safe, attempts));
            }
            tokio::time::sleep(reason.1.unwrap_or_else(|| policy.delay(attempts))).await;
        }
    }

    async fn get_once(
        &self,
        safe: &SafeUrl,
        url: &Url,
        max_bytes: usize,
    ) -> Result<Vec<u8>, Attempt> {
        let (response, sent_auth) = self
            .send_following_redirects(safe, url, &|request| request)
            .await?;
        let status = response.status();
        if status != StatusCode::OK {
            let headers = response.headers().clone();
            return Err(classify_status(safe, status, &headers, response, sent_auth).await);
        }
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let bytes = chunk.map_err(|e| Attempt::Retry {
                reason: Reason::Transport(describe_reqwest(&e)),
                wait: None,
            })?;
            if body.len() + bytes.len() > max_bytes {
                return Err(Attempt::Fatal(FetchError::TooLarge {
                    url: safe.clone(),
                    limit: max_bytes as u64,
                }));
            }
            body.extend_from_slice(&bytes);
        }
        Ok(body)
    }

    pub(super) fn check_allowed(&self, safe: &SafeUrl, url: &Url) -> Result<(), FetchError> {
        if self.settings.offline {
            return Err(FetchError::Offline { url: safe.clone() });
        }
        match url.scheme() {
            "https" => Ok(()),
            "http" if !self.settings.secure_http => Ok(()),
            "http" => Err(FetchError::Insecure { url: safe.clone() }),
            _ => Err(FetchError::BadUrl { url: safe.clone() }),
        }
    }

    /// Opens the `.part` file, continuing a previous one when it is safe to.
    fn open_part(&self, req: &FetchRequest<'_>, url_sha1: &str) -> Result<Progress, FetchError> {
        if let Some(parent) = req.part.parent() {
            fs_err::create_dir_all(parent).map_err(|e| io_error(parent, e))?;
        }
        let info: Option<PartInfo> = std::fs::read(&req.part_info)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        // Continue only bytes of the same URL, and only when a mixed file would be caught:
        // by the validator (If-Range) or by the expected SHA-1.
        let resumable = info.filter(|i| {
            i.url_sha1 == url_sha1
                && (i.etag.is_some() || i.last_modified.is_some() || req.expected.any())
        });
        let kinds = kinds_for(req);
        if let Some(info) = resumable {
            if let Ok(mut existing) = File::open(&req.part) {
                let mut hasher = Hashers::new(kinds);
                let have =
                    hash_reader(&mut existing, &mut hasher).map_err(|e| io_error(&req.part, e))?;
                let file = OpenOptions::new()
                    .append(true)
                    .open(&req.part)
                    .map_err(|e| io_error(&req.part, e))?;
                return Ok(Progress {
                    file,
                    hasher,
                    kinds,
                    have,
                    validator: info
                        .etag
                        .filter(|e| !e.starts_with("W/"))
                        .or(info.last_modified),
                    total: info.total_len,
                });
            }
        }
        let file = File::create(&req.part).map_err(|e| io_error(&req.part, e))?;
        let _ = std::fs::remove_file(&req.part_info);
        Ok(Progress {
            file,
            hasher: Hashers::new(kinds),
            kinds,
            have: 0,
            validator: None,
            total: None,
        })
    }

    /// One request (with its redirects) and its body.
    async fn attempt(
        &self,
        req: &FetchRequest<'_>,
        url: &Url,
        url_sha1: &str,
        state: &mut Progress,
    ) -> Result<(), Attempt> {
        let resume_from = state.have;
        let have = state.have;
        let validator = state.validator.clone();
        let prepare = move |request: reqwest::RequestBuilder| {
            let mut request = request.header(header::ACCEPT_ENCODING, "identity");
            if have > 0 {
                request = request.header(header::RANGE, format!("bytes={have}-"));
                if let Some(v) = &validator {
                    request = request.header(header::IF_RANGE, v.as_str());
                }
            }
            request
        };
        let (response, sent_auth) = self
            .send_following_redirects(req.url, url, &prepare)
            .await?;
        let status = response.status();
        let headers = response.headers().clone();
        // The sidecar that lets a later run continue this body, written only once the transfer
        // has lasted SIDECAR_DELAY (or fails): a body that arrives faster costs no extra file.
        let mut sidecar: Option<PartInfo> = None;
        match status {
            StatusCode::OK => {
                if state.have > 0 {
                    restart(state, &req.part)?;
                }
                let info = PartInfo {
                    url_sha1: url_sha1.to_string(),
                    etag: header_text(&headers, header::ETAG),
                    last_modified: header_text(&headers, header::LAST_MODIFIED),
                    total_len: response.content_length(),
                };
                let encoded = headers.contains_key(header::CONTENT_ENCODING);
                state.validator = if encoded {
                    None
                } else {
                    info.etag
                        .clone()
                        .filter(|e| !e.starts_with("W/"))
                        .or(info.last_modified.clone())
                };
                state.total = if encoded { None } else { info.total_len };
                if !encoded {
                    sidecar = Some(info);
                }
            }
            StatusCode::PARTIAL_CONTENT => match content_range(&headers) {
                Some((start, total)) if start == state.have => {
                    if total.is_some() {
                        state.total = total;
                    }
                }
                _ => {
                    restart(state, &req.part)?;
                    return Err(Attempt::Retry {
                        reason: Reason::Message(
                            "the server answered a range we did not ask for".into(),
                        ),
                        wait: Some(std::time::Duration::ZERO),
                    });
                }
            },
            StatusCode::RANGE_NOT_SATISFIABLE => {
                let complete = unsatisfied_total(&headers) == Some(state.have) && state.have > 0;
                if complete {
                    return Ok(());
                }
                restart(state, &req.part)?;
                return Err(Attempt::Retry {
                    reason: Reason::Message(
                        "the server refused to continue the partial file".into(),
                    ),
                    wait: Some(std::time::Duration::ZERO),
                });
            }
            other => {
                return Err(classify_status(req.url, other, &headers, response, sent_auth).await)
            }
        }
        req.reporter
            .on_download_start(req.id, req.name, state.total, resume_from);
        let mut body = response.bytes_stream();
        let sidecar_due = tokio::time::Instant::now() + SIDECAR_DELAY;
        loop {
            let next = if sidecar.is_some() {
                tokio::select! {
                    chunk = body.next() => chunk,
                    () = tokio::time::sleep_until(sidecar_due) => {
                        write_pending_part_info(&mut sidecar, &req.part_info);
                        continue;
                    }
                }
            } else {
                body.next().await
            };
            let Some(chunk) = next else {
                break;
            };
            match chunk {
                Ok(bytes) => {
                    state
                        .file
                        .write_all(&bytes)
                        .map_err(|e| Attempt::Fatal(io_error(&req.part, e)))?;
                    state.hasher.update_shared(&bytes);
                    state.have += bytes.len() as u64;
                    req.reporter
                        .on_download_progress(req.id, bytes.len() as u64);
                }
                Err(e) => {
                    flush(state, &req.part).map_err(Attempt::Fatal)?;
                    write_pending_part_info(&mut sidecar, &req.part_info);
                    return Err(Attempt::Retry {
                        reason: Reason::Transport(describe_reqwest(&e)),
                        wait: None,
                    });
                }
            }
        }
        if let Some(total) = state.total {
            if state.have < total {
                flush(state, &req.part).map_err(Attempt::Fatal)?;
                write_pending_part_info(&mut sidecar, &req.part_info);
                return Err(Attempt::Retry {
                    reason: Reason::Message(format!(
                        "the connection closed after {} of {} bytes",
                        state.have, total
                    )),
                    wait: None,
                });
            }
        }
        Ok(())
    }

    /// Sends one GET, following redirects by hand so that each hop carries the credentials of
    /// its own origin only. `prepare` adds the request's own headers (Range, If-Modified-Since).
    pub(super) async fn send_following_redirects(
        &self,
        safe: &SafeUrl,
        first: &Url,
        prepare: &(dyn Fn(reqwest::RequestBuilder) -> reqwest::RequestBuilder + Sync),
    ) -> Result<(reqwest::Response, bool), Attempt> {
        let mut current = first.clone();
        let mut current_raw = safe.expose().to_string();
        for _ in 0..=20 {
            let client = self.reqwest().map_err(Attempt::Fatal)?;
            let mut request = prepare(client.get(strip_userinfo(&current)));
            let credential = self.auth.for_url(&current_raw);
            if let Some((cred, _)) = &credential {
                request = request.header(header::AUTHORIZATION, cred.header_value());
            }
            let response = request.send().await.map_err(|e| Attempt::Retry {
                reason: Reason::Transport(describe_reqwest(&e)),
                wait: None,
            })?;
            let sent_auth = credential.is_some();
            if !response.status().is_redirection() || response.status() == StatusCode::NOT_MODIFIED
            {
                return Ok((response, sent_auth));
            }
            let Some(location) = header_text(response.headers(), header::LOCATION) else {
                return Ok((response, sent_auth));
            };
            let next = current.join(&location).map_err(|_| {
                Attempt::Fatal(FetchError::BadUrl {
                    url: SafeUrl::new(location.clone()),
                })
            })?;
            self.check_allowed(&SafeUrl::new(next.as_str()), &next)
                .map_err(Attempt::Fatal)?;
            current_raw = if location.contains("://") {
                location
            } else {
                next.to_string()
            };
            current = next;
        }
        Err(Attempt::Fatal(FetchError::TooManyRedirects {
            url: safe.clone(),
        }))
    }
}

/// Why an attempt failed.
pub(super) enum Attempt {
    Fatal(FetchError),
    Retry {
        reason: Reason,
        wait: Option<std::time::Duration>,
    },
}

pub(super) enum Reason {
    Status(u16),
    Transport(String),
    Message(String),
}

impl Reason {
    pub(super) fn describe(&self) -> String {
        match self {
            Reason::Status(s) => format!("HTTP {s}"),
            Reason::Transport(m) | Reason::Message(m) => m.clone(),
        }
    }

    pub(super) fn into_error(self, url: &SafeUrl, attempts: u32) -> FetchError {
        match self {
            Reason::Status(status) => FetchError::Status {
                url: url.clone(),
                status,
                attempts,
            },
            Reason::Transport(detail) | Reason::Message(detail) => FetchError::Network {
                url: url.clone(),
                attempts,
                detail,
            },
        }
    }
}

pub(super) async fn classify_status(
    url: &SafeUrl,
    status: StatusCode,
    headers: &HeaderMap,
    response: reqwest::Response,
    sent_auth: bool,
) -> Attempt {
    let code = status.as_u16();
    if is_retryable_status(code) {
        let wait = (code == 429).then(|| {
            let value = header_text(headers, header::RETRY_AFTER);
            super::RetryPolicy::default().retry_after(value.as_deref())
        });
        return Attempt::Retry {
            reason: Reason::Status(code),
            wait,
        };
    }
    let message = server_message(headers, response).await;
    Attempt::Fatal(match code {
        401 => FetchError::Unauthorized {
            url: url.clone(),
            had_credentials: sent_auth,
            server_message: message,
        },
        403 => FetchError::Forbidden {
            url: url.clone(),
            server_message: message,
        },
        404 | 410 => FetchError::NotFound { url: url.clone() },
        _ => FetchError::Status {
            url: url.clone(),
            status: code,
            attempts: 1,
        },
    })
}

/// The `warning`/`info` text of a JSON error body, as repo.magento.com sends with a 401.
async fn server_message(headers: &HeaderMap, response: reqwest::Response) -> Option<String> {
    let is_json = header_text(headers, header::CONTENT_TYPE).is_some_and(|t| t.contains("json"));
    if !is_json {
        return None;
    }
    let body = response.bytes().await.ok()?;
    let body = &body[..body.len().min(64 * 1024)];
    let json: serde_json::Value = serde_json::from_slice(body).ok()?;
    ["warning", "message", "info", "error"]
        .iter()
        .find_map(|k| json.get(*k).and_then(|v| v.as_str()).map(sanitize_message))
}

fn sanitize_message(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(500).collect()
}

pub(super) fn header_text(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers.get(name)?.to_str().ok().map(str::to_string)
}

/// `Content-Range: bytes START-END/TOTAL` → (START, TOTAL).
fn content_range(headers: &HeaderMap) -> Option<(u64, Option<u64>)> {
    let value = header_text(headers, header::CONTENT_RANGE)?;
    let rest = value.trim().strip_prefix("bytes ")?;
    let (range, total) = rest.split_once('/')?;
    let start = range.split_once('-')?.0.trim().parse().ok()?;
    Some((start, total.trim().parse().ok()))
}

/// `Content-Range: bytes */TOTAL` of a 416.
fn unsatisfied_total(headers: &HeaderMap) -> Option<u64> {
    let value = header_text(headers, header::CONTENT_RANGE)?;
    value.trim().strip_prefix("bytes */")?.trim().parse().ok()
}

fn restart(state: &mut Progress, part: &Path) -> Result<(), Attempt> {
    let file = File::create(part).map_err(|e| Attempt::Fatal(io_error(part, e)))?;
    state.file = file;
    state.hasher = Hashers::new(state.kinds);
    state.have = 0;
    state.total = None;
    Ok(())
}

fn flush(state: &mut Progress, part: &Path) -> Result<(), FetchError> {
    state.file.flush().map_err(|e| io_error(part, e))
}

/// How long a body may take before its `.part.json` sidecar is written. A transfer killed
/// sooner starts over next time (it loses at most this much work); one that finishes sooner
/// never creates the sidecar, which saves a file creation and removal per download.
const SIDECAR_DELAY: std::time::Duration = std::time::Duration::from_millis(100);

fn write_part_info(path: &Path, info: &PartInfo) {
    // Best effort: without the sidecar a later run simply starts over.
    if let Ok(bytes) = serde_json::to_vec(info) {
        let _ = std::fs::write(path, bytes);
    }
}

/// Writes the sidecar still waiting for its delay, if any (once: it is taken).
fn write_pending_part_info(pending: &mut Option<PartInfo>, path: &Path) {
    if let Some(info) = pending.take() {
        write_part_info(path, &info);
    }
}

fn discard_part(req: &FetchRequest<'_>) {
    let _ = std::fs::remove_file(&req.part);
    let _ = std::fs::remove_file(&req.part_info);
}

fn hash_reader(reader: &mut File, hasher: &mut Hashers) -> std::io::Result<u64> {
    let mut buf = vec![0u8; 256 * 1024];
    let mut total = 0u64;
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            return Ok(total);
        }
        hasher.update(&buf[..n]);
        total += n as u64;
    }
}

pub(super) fn parse_url(url: &SafeUrl) -> Result<Url, FetchError> {
    Url::parse(url.expose()).map_err(|_| FetchError::BadUrl { url: url.clone() })
}

fn strip_userinfo(url: &Url) -> Url {
    let mut clean = url.clone();
    let _ = clean.set_username("");
    let _ = clean.set_password(None);
    clean
}

pub(super) fn describe_reqwest(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    if e.is_timeout() {
        parts.push("timed out waiting for data".to_string());
    } else if e.is_connect() {
        parts.push("could not connect".to_string());
    } else if e.is_body() || e.is_decode() {
        parts.push("the connection broke while receiving the body".to_string());
    }
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !text.is_empty() && !parts.contains(&text) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        parts.push("request failed".to_string());
    }
    parts.join(": ")
}

fn io_error(path: &Path, source: std::io::Error) -> FetchError {
    FetchError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_content_range() {
        let mut h = HeaderMap::new();
        h.insert(header::CONTENT_RANGE, "bytes 100-199/200".parse().unwrap());
        assert_eq!(content_range(&h), Some((100, Some(200))));
        h.insert(header::CONTENT_RANGE, "bytes 5-9/*".parse().unwrap());
        assert_eq!(content_range(&h), Some((5, None)));
        h.insert(header::CONTENT_RANGE, "bytes */300".parse().unwrap());
        assert_eq!(unsatisfied_total(&h), Some(300));
    }

    #[test]
    fn hashers_compute_each_digest_inline_or_threaded() {
        let data: Vec<u8> = (0..1_000_000u32).map(|i| (i % 251) as u8).collect();
        let expected = Digests {
            sha1: Some(hex::encode(Sha1::digest(&data))),
            md5: Some(hex::encode(<md5_crate::Md5 as Digest>::digest(&data))),
            sha256: Some(hex::encode(Sha256::digest(&data))),
        };
        let all = HashKinds {
            sha1: true,
            md5: true,
            sha256: true,
        };
        let md5_only = HashKinds {
            md5: true,
            ..HashKinds::default()
        };
        for kinds in [all, HashKinds::MD5_SHA256, HashKinds::SHA1, md5_only] {
            let mut h = Hashers::new(kinds);
            for chunk in data.chunks(7919) {
                h.update(chunk);
            }
            let d = h.finish();
            assert_eq!(d.sha1.is_some(), kinds.sha1);
            assert_eq!(d.md5.is_some(), kinds.md5);
            assert_eq!(d.sha256.is_some(), kinds.sha256);
            for (got, want) in [
                (&d.sha1, &expected.sha1),
                (&d.md5, &expected.md5),
                (&d.sha256, &expected.sha256),
            ] {
                if got.is_some() {
                    assert_eq!(got, want);
                }
            }
        }
        let wrong = Expected {
            md5: Some("00"),
            ..Expected::default()
        };
        assert_eq!(expected.mismatch(&wrong).map(|m| m.0), Some("md5"));
        let right = Expected {
            sha256: expected.sha256.as_deref(),
            ..Expected::default()
        };
        assert!(expected.mismatch(&right).is_none());
    }

    #[test]
    fn userinfo_is_never_sent_in_the_url() {
        let u = Url::parse("https://pub:priv@h.example/x").unwrap();
        assert_eq!(strip_userinfo(&u).as_str(), "https://h.example/x");
    }
}
