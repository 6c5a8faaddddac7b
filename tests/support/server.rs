//! A real HTTP/1.1 test server on 127.0.0.1:<ephemeral port>, with its own thread and
//! tokio runtime, serving in-memory files with Range / conditional request support,
//! optional basic auth and injectable faults.
//!
//! Nothing a client sends can panic the server: all header values are parsed leniently,
//! locks recover from poisoning, and hyper answers malformed requests itself.

use std::collections::HashMap;
use std::convert::Infallible;
use std::io;
use std::io::Write as _;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{HeaderName, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use sha1::{Digest, Sha1};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// The fixed `Last-Modified` value of every file.
pub const LAST_MODIFIED: &str = "Mon, 01 Jan 2024 00:00:00 GMT";

/// The exact body repo.magento.com sends with its 401 answers.
pub const MAGENTO_AUTH_WARNING: &str = r#"{"warning":"Your Magento authentication keys are invalid. Please double-check your keys in your Marketplace account. For instructions, visit https://devdocs.magento.com/guides/v2.3/install-gde/prereq/connect-auth.html"}"#;

/// Size of the data frames a file body is streamed in (Trickle uses its own chunk size).
const FRAME_SIZE: usize = 16 * 1024;

type BoxError = Box<dyn std::error::Error + Send + Sync>;
type RespBody = UnsyncBoxBody<Bytes, BoxError>;

/// An injected misbehaviour for one path. `times` counts down once per request it affects;
/// at 0 the fault is inert (it stays registered until replaced or cleared).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Headers with the full Content-Length, then exactly `bytes` body bytes, then the
    /// connection is aborted (the client sees a truncated body). If `bytes` is not smaller
    /// than the served length the body is served whole (the count still goes down).
    DropAfter { bytes: u64, times: u32 },
    /// Answer `code` (500, 503, ...) with a small text body.
    Status { code: u16, times: u32 },
    /// 429 with `Retry-After: <retry_after_secs>`.
    TooManyRequests { retry_after_secs: u64, times: u32 },
    /// Every GET: `chunk` bytes, sleep `delay_ms`, next chunk, ... (never expires).
    Trickle { chunk: usize, delay_ms: u64 },
    /// Send `after_bytes` body bytes then nothing more, keeping the connection open.
    Stall { after_bytes: u64, times: u32 },
    /// Same length, a few bytes in the middle of the served slice inverted.
    Corrupt { times: u32 },
    /// Always 200 with the whole body, even when Range is sent (never expires).
    IgnoreRange,
    /// 401 with the repo.magento.com JSON warning (even with valid credentials).
    Unauthorized { times: u32 },
    /// 403.
    Forbidden { times: u32 },
}

/// One request as seen by the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoggedRequest {
    pub method: String,
    /// URI path without the query string.
    pub path: String,
    pub range: Option<String>,
    pub if_range: Option<String>,
    pub status: u16,
    /// File body bytes handed to the connection for this request (error bodies such as the
    /// 401 JSON or an injected 503 text are not counted). For a drop this is exactly the
    /// number of bytes the client received before the abort.
    pub body_bytes: u64,
    /// True when the request carried the configured basic-auth credentials (always false
    /// when the server has no `basic_auth`).
    pub authorized: bool,
    pub authorization_header: Option<String>,
    pub user_agent: Option<String>,
    pub accept_encoding: Option<String>,
    pub if_modified_since: Option<String>,
}

/// A file the server holds, with its ETag computed once (hashing a large body on every
/// request would add its hashing time to every download measured against this server).
#[derive(Clone)]
struct Served {
    body: Bytes,
    etag: String,
}

impl Served {
    fn new(body: Vec<u8>) -> Served {
        let etag = format!("\"{}\"", hex::encode(Sha1::digest(&body)));
        Served {
            body: Bytes::from(body),
            etag,
        }
    }
}

struct LogRecord {
    req: LoggedRequest,
    body_bytes: Arc<AtomicU64>,
}

impl LogRecord {
    fn snapshot(&self) -> LoggedRequest {
        let mut r = self.req.clone();
        r.body_bytes = self.body_bytes.load(Ordering::SeqCst);
        r
    }
}

struct Shared {
    files: Mutex<HashMap<String, Served>>,
    faults: Mutex<HashMap<String, Fault>>,
    log: Mutex<Vec<LogRecord>>,
    auth: Option<(String, String)>,
    auth_prefixes: Vec<String>,
    gzip_json: bool,
    gzip_json_always: bool,
    in_flight: Arc<AtomicU64>,
    max_in_flight: Arc<AtomicU64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A running server. Dropping it stops the server and aborts open connections.
pub struct Server {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

#[derive(Default)]
pub struct ServerBuilder {
    auth: Option<(String, String)>,
    auth_prefixes: Vec<String>,
    files: Vec<(String, Vec<u8>)>,
    gzip_json: bool,
    gzip_json_always: bool,
}

impl ServerBuilder {
    /// Require these basic-auth credentials on every path (or only on `auth_prefix` paths).
    pub fn basic_auth(mut self, user: &str, password: &str) -> Self {
        self.auth = Some((user.to_string(), password.to_string()));
        self
    }

    /// Restrict auth to paths starting with `prefix` (repeatable; no effect without basic_auth).
    pub fn auth_prefix(mut self, prefix: &str) -> Self {
        self.auth_prefixes.push(prefix.to_string());
        self
    }

    pub fn file(mut self, path: &str, body: Vec<u8>) -> Self {
        self.files.push((path.to_string(), body));
        self
    }

    /// Gzip-encode `.json` bodies for requests whose Accept-Encoding mentions gzip.
    pub fn gzip_json(mut self, on: bool) -> Self {
        self.gzip_json = on;
        self
    }

    /// Gzip-encode `.json` bodies whatever the request's Accept-Encoding says, as
    /// repo.magento.com does with its per-package files.
    pub fn gzip_json_always(mut self, on: bool) -> Self {
        self.gzip_json_always = on;
        self
    }

    /// Bind 127.0.0.1:0 and serve from a dedicated thread; returns once listening.
    pub fn start(self) -> Server {
        let listener =
            std::net::TcpListener::bind("127.0.0.1:0").expect("test server: bind 127.0.0.1:0");
        listener
            .set_nonblocking(true)
            .expect("test server: set_nonblocking");
        let addr = listener.local_addr().expect("test server: local_addr");
        let files = self
            .files
            .into_iter()
            .map(|(p, b)| (p, Served::new(b)))
            .collect();
        let shared = Arc::new(Shared {
            files: Mutex::new(files),
            faults: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            auth: self.auth,
            auth_prefixes: self.auth_prefixes,
            gzip_json: self.gzip_json,
            gzip_json_always: self.gzip_json_always,
            in_flight: Arc::new(AtomicU64::new(0)),
            max_in_flight: Arc::new(AtomicU64::new(0)),
        });
        let (shutdown_tx, shutdown_rx) = tokio::sync::oneshot::channel::<()>();
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<()>();
        let thread_shared = shared.clone();
        let thread = std::thread::Builder::new()
            .name(format!("test-http-{}", addr.port()))
            .spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .expect("test server: tokio runtime");
                rt.block_on(async move {
                    let listener = tokio::net::TcpListener::from_std(listener)
                        .expect("test server: tokio listener");
                    let _ = ready_tx.send(());
                    accept_loop(listener, thread_shared, shutdown_rx).await;
                });
                // Dropping the runtime cancels every connection task (stalled ones too).
                drop(rt);
            })
            .expect("test server: spawn thread");
        ready_rx
            .recv()
            .expect("test server: thread died before listening");
        Server {
            shared,
            addr,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        }
    }
}

impl Server {
    pub fn builder() -> ServerBuilder {
        ServerBuilder::default()
    }

    /// "http://127.0.0.1:PORT" (no trailing slash).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.addr.port())
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn add_file(&self, path: &str, body: Vec<u8>) {
        lock(&self.shared.files).insert(path.to_string(), Served::new(body));
    }

    pub fn remove_file(&self, path: &str) {
        lock(&self.shared.files).remove(path);
    }

    /// Install `fault` on `path`, replacing any previous fault there.
    pub fn set_fault(&self, path: &str, fault: Fault) {
        lock(&self.shared.faults).insert(path.to_string(), fault);
    }

    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Every request since start (or the last `clear_log`), in arrival order.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log)
            .iter()
            .map(LogRecord::snapshot)
            .collect()
    }

    /// The most requests that were being answered at the same time (a request counts from
    /// its arrival until its body has been sent).
    pub fn max_in_flight(&self) -> u64 {
        self.shared.max_in_flight.load(Ordering::SeqCst)
    }

    pub fn clear_log(&self) {
        lock(&self.shared.log).clear();
    }

    /// Sum of `body_bytes` over the logged requests for `path` (reset by `clear_log`).
    pub fn body_bytes_served(&self, path: &str) -> u64 {
        lock(&self.shared.log)
            .iter()
            .filter(|r| r.req.path == path)
            .map(|r| r.body_bytes.load(Ordering::SeqCst))
            .sum()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    shared: Arc<Shared>,
    mut shutdown: tokio::sync::oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    spawn_connection(stream, shared.clone());
                }
                // e.g. EMFILE: back off instead of spinning or dying.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
        }
    }
}

fn spawn_connection(stream: tokio::net::TcpStream, shared: Arc<Shared>) {
    let flushes = Arc::new(AtomicU64::new(0));
    let io = TokioIo::new(FlushCountingStream {
        inner: stream,
        flushes: flushes.clone(),
    });
    let service = hyper::service::service_fn(move |req: Request<Incoming>| {
        let resp = handle(&shared, &flushes, &req);
        async move { Ok::<_, Infallible>(resp) }
    });
    tokio::spawn(async move {
        let _ = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .serve_connection(io, service)
            .await;
    });
}

/// TcpStream wrapper counting `poll_flush` calls. hyper only flushes the IO once its own
/// write buffer is empty, so a flush seen after the last body frame was buffered proves
/// that every yielded byte reached the socket: an injected drop waits for that before
/// aborting the connection (otherwise hyper would discard buffered bytes).
struct FlushCountingStream {
    inner: tokio::net::TcpStream,
    flushes: Arc<AtomicU64>,
}

impl AsyncRead for FlushCountingStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for FlushCountingStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let res = Pin::new(&mut self.inner).poll_flush(cx);
        if let Poll::Ready(Ok(())) = res {
            self.flushes.fetch_add(1, Ordering::SeqCst);
        }
        res
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

// ---------------------------------------------------------------------------------------
// Request handling
// ---------------------------------------------------------------------------------------

enum Tail {
    /// Clean end of body.
    End,
    /// Abort the connection (after letting hyper flush what was yielded).
    Abort,
    /// Never finish, never close.
    Stall,
}

enum Plan {
    Empty,
    Small(Bytes),
    Stream {
        data: Bytes,
        limit: usize,
        chunk: usize,
        delay: Option<Duration>,
        tail: Tail,
    },
}

struct Reply {
    status: StatusCode,
    headers: Vec<(&'static str, String)>,
    plan: Plan,
}

impl Reply {
    fn new(status: StatusCode) -> Self {
        Reply {
            status,
            headers: Vec::new(),
            plan: Plan::Empty,
        }
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn small(mut self, content_type: &'static str, body: impl Into<Bytes>) -> Self {
        self.headers
            .push(("content-type", content_type.to_string()));
        self.plan = Plan::Small(body.into());
        self
    }
}

struct ReqInfo<'a> {
    method: &'a Method,
    path: &'a str,
    range: Option<String>,
    if_range: Option<String>,
    if_modified_since: Option<String>,
    if_none_match: Option<String>,
    accept_encoding: Option<String>,
    authorized: bool,
}

fn header_string(req: &Request<Incoming>, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn handle(
    shared: &Arc<Shared>,
    flushes: &Arc<AtomicU64>,
    req: &Request<Incoming>,
) -> Response<RespBody> {
    let path = req.uri().path().to_string();
    let guard = InFlight::enter(&shared.in_flight, &shared.max_in_flight);
    let authorization_header = header_string(req, "authorization");
    let info = ReqInfo {
        method: req.method(),
        path: &path,
        range: header_string(req, "range"),
        if_range: header_string(req, "if-range"),
        if_modified_since: header_string(req, "if-modified-since"),
        if_none_match: header_string(req, "if-none-match"),
        accept_encoding: header_string(req, "accept-encoding"),
        authorized: shared.credentials_ok(authorization_header.as_deref()),
    };
    let reply = shared.decide(&info);

    let counter = Arc::new(AtomicU64::new(0));
    lock(&shared.log).push(LogRecord {
        req: LoggedRequest {
            method: req.method().as_str().to_string(),
            path: path.clone(),
            range: info.range.clone(),
            if_range: info.if_range.clone(),
            status: reply.status.as_u16(),
            body_bytes: 0,
            authorized: info.authorized,
            authorization_header,
            user_agent: header_string(req, "user-agent"),
            accept_encoding: info.accept_encoding.clone(),
            if_modified_since: info.if_modified_since.clone(),
        },
        body_bytes: counter.clone(),
    });

    let body: RespBody = match reply.plan {
        Plan::Empty => Empty::new().map_err(|e| match e {}).boxed_unsync(),
        Plan::Small(b) => Full::new(b).map_err(|e| match e {}).boxed_unsync(),
        Plan::Stream {
            data,
            limit,
            chunk,
            delay,
            tail,
        } => stream_body(StreamState {
            data,
            pos: 0,
            limit,
            chunk: chunk.max(1),
            delay,
            tail,
            counter,
            flushes: flushes.clone(),
            done: false,
            _in_flight: guard,
        }),
    };
    let mut resp = Response::new(body);
    *resp.status_mut() = reply.status;
    for (name, value) in reply.headers {
        if let Ok(v) = HeaderValue::from_str(&value) {
            resp.headers_mut().append(HeaderName::from_static(name), v);
        }
    }
    resp
}

enum RangeReq {
    Full,
    Partial(u64, u64),
    Unsatisfiable,
}

/// Single-range parser. Anything it does not understand (other units, several ranges,
/// garbage) is ignored, i.e. the full body is served, as RFC 9110 allows.
fn parse_range(header: &str, len: u64) -> RangeReq {
    let h = header.trim();
    let spec = match h.get(..6) {
        Some(unit) if unit.eq_ignore_ascii_case("bytes=") => &h[6..],
        _ => return RangeReq::Full,
    };
    if spec.contains(',') {
        return RangeReq::Full;
    }
    let Some((a, b)) = spec.trim().split_once('-') else {
        return RangeReq::Full;
    };
    let (a, b) = (a.trim(), b.trim());
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    if a.is_empty() {
        if !digits(b) {
            return RangeReq::Full;
        }
        let Ok(n) = b.parse::<u64>() else {
            return RangeReq::Full;
        };
        if n == 0 || len == 0 {
            return RangeReq::Unsatisfiable;
        }
        let n = n.min(len);
        return RangeReq::Partial(len - n, len - 1);
    }
    if !digits(a) || !(b.is_empty() || digits(b)) {
        return RangeReq::Full;
    }
    let Ok(start) = a.parse::<u64>() else {
        return RangeReq::Full;
    };
    let end = if b.is_empty() {
        None
    } else {
        match b.parse::<u64>() {
            Ok(e) => Some(e),
            // Absurdly large last-byte-pos: clamp to the end.
            Err(_) => Some(u64::MAX),
        }
    };
    if let Some(e) = end {
        if e < start {
            return RangeReq::Full;
        }
    }
    if start >= len {
        return RangeReq::Unsatisfiable;
    }
    let end = end.map_or(len - 1, |e| e.min(len - 1));
    RangeReq::Partial(start, end)
}

fn content_type_for(path: &str) -> &'static str {
    let p = path.to_ascii_lowercase();
    if p.ends_with(".json") {
        "application/json"
    } else if p.ends_with(".zip") {
        "application/zip"
    } else if p.ends_with(".tar") {
        "application/x-tar"
    } else if p.ends_with(".gz") || p.ends_with(".tgz") {
        "application/gzip"
    } else if p.ends_with(".bz2") {
        "application/x-bzip2"
    } else if p.ends_with(".xz") {
        "application/x-xz"
    } else {
        "application/octet-stream"
    }
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    let _ = enc.write_all(data);
    enc.finish().unwrap_or_default()
}

impl Shared {
    fn credentials_ok(&self, header: Option<&str>) -> bool {
        let (Some((user, password)), Some(h)) = (&self.auth, header) else {
            return false;
        };
        let Some((scheme, rest)) = h.trim().split_once(' ') else {
            return false;
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return false;
        }
        match base64::engine::general_purpose::STANDARD.decode(rest.trim()) {
            Ok(decoded) => decoded == format!("{user}:{password}").as_bytes(),
            Err(_) => false,
        }
    }

    fn is_protected(&self, path: &str) -> bool {
        self.auth.is_some()
            && (self.auth_prefixes.is_empty()
                || self
                    .auth_prefixes
                    .iter()
                    .any(|p| path.starts_with(p.as_str())))
    }

    fn decide(&self, req: &ReqInfo<'_>) -> Reply {
        if req.method != Method::GET && req.method != Method::HEAD {
            return Reply::new(StatusCode::METHOD_NOT_ALLOWED)
                .header("allow", "GET, HEAD")
                .small("text/plain", "Method Not Allowed\n");
        }
        let head = req.method == Method::HEAD;
        if self.is_protected(req.path) && !req.authorized {
            return Reply::new(StatusCode::UNAUTHORIZED)
                .small("application/json", MAGENTO_AUTH_WARNING);
        }

        // Status-type faults (they apply whether or not the file exists).
        let mut body_fault = None;
        {
            let mut faults = lock(&self.faults);
            if let Some(fault) = faults.get_mut(req.path) {
                match fault {
                    Fault::Unauthorized { times } if *times > 0 => {
                        *times -= 1;
                        return Reply::new(StatusCode::UNAUTHORIZED)
                            .small("application/json", MAGENTO_AUTH_WARNING);
                    }
                    Fault::Forbidden { times } if *times > 0 => {
                        *times -= 1;
                        return Reply::new(StatusCode::FORBIDDEN)
                            .small("text/plain", "Forbidden\n");
                    }
                    Fault::Status { code, times } if *times > 0 => {
                        *times -= 1;
                        let status = StatusCode::from_u16(*code)
                            .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                        let text = format!(
                            "Injected fault: {} {}\n",
                            status.as_u16(),
                            status.canonical_reason().unwrap_or("")
                        );
                        return Reply::new(status).small("text/plain", text);
                    }
                    Fault::TooManyRequests {
                        retry_after_secs,
                        times,
                    } if *times > 0 => {
                        *times -= 1;
                        return Reply::new(StatusCode::TOO_MANY_REQUESTS)
                            .header("retry-after", retry_after_secs.to_string())
                            .small("text/plain", "Too Many Requests\n");
                    }
                    other => body_fault = Some(other.clone()),
                }
            }
        }

        let Some(Served { body: raw, etag }) = lock(&self.files).get(req.path).cloned() else {
            return Reply::new(StatusCode::NOT_FOUND).small("text/plain", "Not Found\n");
        };

        let is_json = req.path.to_ascii_lowercase().ends_with(".json");
        let asked_for_gzip = req
            .accept_encoding
            .as_deref()
            .is_some_and(|a| a.to_ascii_lowercase().contains("gzip"));
        let gzipped = is_json && (self.gzip_json_always || (self.gzip_json && asked_for_gzip));
        let (data, etag) = if gzipped {
            let zipped = Served::new(gzip(&raw));
            (zipped.body, zipped.etag)
        } else {
            (raw, etag)
        };
        let len = data.len() as u64;

        let mut reply = Reply::new(StatusCode::OK)
            .header("etag", etag.clone())
            .header("last-modified", LAST_MODIFIED)
            .header("accept-ranges", "bytes")
            .header("content-type", content_type_for(req.path));
        if gzipped {
            reply = reply.header("content-encoding", "gzip");
        }
        if self.gzip_json && is_json {
            reply = reply.header("vary", "Accept-Encoding");
        }

        // Conditional GET.
        let none_match = req.if_none_match.as_deref().is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t == etag || t.strip_prefix("W/") == Some(etag.as_str()))
        });
        let not_modified = match &req.if_none_match {
            Some(_) => none_match,
            None => req.if_modified_since.as_deref().map(str::trim) == Some(LAST_MODIFIED),
        };
        if not_modified {
            reply.status = StatusCode::NOT_MODIFIED;
            reply.headers.retain(|(n, _)| *n != "content-type");
            return reply;
        }

        // Range.
        let ignore_range = matches!(body_fault, Some(Fault::IgnoreRange));
        let if_range_ok = req
            .if_range
            .as_deref()
            .map(str::trim)
            .is_none_or(|v| v == etag || v == LAST_MODIFIED);
        let range = match &req.range {
            Some(r) if !ignore_range && if_range_ok => parse_range(r, len),
            _ => RangeReq::Full,
        };
        let (start, end_excl) = match range {
            RangeReq::Full => (0u64, len),
            RangeReq::Partial(s, e) => {
                reply.status = StatusCode::PARTIAL_CONTENT;
                reply = reply.header("content-range", format!("bytes {s}-{e}/{len}"));
                (s, e + 1)
            }
            RangeReq::Unsatisfiable => {
                reply.status = StatusCode::RANGE_NOT_SATISFIABLE;
                reply.headers.retain(|(n, _)| *n != "content-type");
                return reply
                    .header("content-range", format!("bytes */{len}"))
                    .header("content-length", "0");
            }
        };
        let mut slice = data.slice(start as usize..end_excl as usize);
        reply = reply.header("content-length", slice.len().to_string());
        if head {
            return reply;
        }

        // Body faults (GET with a 200/206 body only).
        let mut limit = slice.len();
        let mut chunk = FRAME_SIZE;
        let mut delay = None;
        let mut tail = Tail::End;
        if body_fault.is_some() {
            let mut faults = lock(&self.faults);
            match faults.get_mut(req.path) {
                Some(Fault::DropAfter { bytes, times }) if *times > 0 => {
                    *times -= 1;
                    if *bytes < slice.len() as u64 {
                        limit = *bytes as usize;
                        tail = Tail::Abort;
                    }
                }
                Some(Fault::Stall { after_bytes, times }) if *times > 0 => {
                    *times -= 1;
                    if *after_bytes < slice.len() as u64 {
                        limit = *after_bytes as usize;
                        tail = Tail::Stall;
                    }
                }
                Some(Fault::Corrupt { times }) if *times > 0 => {
                    *times -= 1;
                    let mut v = slice.to_vec();
                    let mid = v.len() / 2;
                    let stop = (mid + 4).min(v.len());
                    for b in &mut v[mid..stop] {
                        *b ^= 0xFF;
                    }
                    slice = Bytes::from(v);
                }
                Some(Fault::Trickle { chunk: c, delay_ms }) => {
                    chunk = (*c).max(1);
                    delay = Some(Duration::from_millis(*delay_ms));
                }
                _ => {}
            }
        }
        reply.plan = Plan::Stream {
            data: slice,
            limit,
            chunk,
            delay,
            tail,
        };
        reply
    }
}

// ---------------------------------------------------------------------------------------
// Streaming body
// ---------------------------------------------------------------------------------------

struct StreamState {
    data: Bytes,
    pos: usize,
    limit: usize,
    chunk: usize,
    delay: Option<Duration>,
    tail: Tail,
    counter: Arc<AtomicU64>,
    flushes: Arc<AtomicU64>,
    done: bool,
    _in_flight: InFlight,
}

/// Counts a request as in flight until dropped (with the response body, for streamed ones).
struct InFlight(Arc<AtomicU64>);

impl InFlight {
    fn enter(current: &Arc<AtomicU64>, max: &Arc<AtomicU64>) -> InFlight {
        let now = current.fetch_add(1, Ordering::SeqCst) + 1;
        max.fetch_max(now, Ordering::SeqCst);
        InFlight(current.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn stream_body(state: StreamState) -> RespBody {
    let stream = futures::stream::unfold(state, |mut st| async move {
        if st.done {
            return None;
        }
        if st.pos < st.limit {
            if st.pos > 0 {
                if let Some(d) = st.delay {
                    tokio::time::sleep(d).await;
                }
            }
            let end = (st.pos + st.chunk).min(st.limit);
            let frame = st.data.slice(st.pos..end);
            st.counter
                .fetch_add((end - st.pos) as u64, Ordering::SeqCst);
            st.pos = end;
            return Some((Ok::<_, BoxError>(Frame::data(frame)), st));
        }
        match st.tail {
            Tail::End => None,
            Tail::Abort => {
                wait_for_flush(&st.flushes).await;
                st.done = true;
                let err: BoxError = Box::new(io::Error::new(
                    io::ErrorKind::ConnectionAborted,
                    "test server: injected connection drop",
                ));
                Some((Err(err), st))
            }
            Tail::Stall => {
                futures::future::pending::<()>().await;
                None
            }
        }
    });
    StreamBody::new(stream).boxed_unsync()
}

/// Called when the body is polled after its last frame (so that frame is in hyper's write
/// buffer or already written): wait for the next IO flush, which hyper only issues once its
/// buffer is empty. Gives up after 5 s (peer not reading at all).
async fn wait_for_flush(flushes: &AtomicU64) {
    let before = flushes.load(Ordering::SeqCst);
    for _ in 0..5000 {
        tokio::time::sleep(Duration::from_millis(1)).await;
        if flushes.load(Ordering::SeqCst) > before {
            return;
        }
    }
}
