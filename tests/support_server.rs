//! Self-check of the test HTTP server, compiled exactly as an integration test would use it.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use support::{Fault, Server, LAST_MODIFIED, MAGENTO_AUTH_WARNING};

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    timed_out: bool,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn content_length(&self) -> Option<usize> {
        self.header("content-length").and_then(|v| v.parse().ok())
    }
}

/// Minimal HTTP/1.1 client: one request per connection (`Connection: close`), reads until
/// EOF, error or timeout.
fn raw_request(port: u16, raw: &[u8], timeout: Duration) -> Resp {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(timeout)).unwrap();
    s.write_all(raw).expect("write request");
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let mut timed_out = false;
    loop {
        match s.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut =>
            {
                timed_out = true;
                break;
            }
            Err(_) => break,
        }
    }
    let Some(split) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Resp {
            status: 0,
            headers: vec![],
            body: buf,
            timed_out,
        };
    };
    let head = String::from_utf8_lossy(&buf[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Resp {
        status,
        headers,
        body: buf[split + 4..].to_vec(),
        timed_out,
    }
}

fn request(server: &Server, method: &str, path: &str, headers: &[(&str, &str)]) -> Resp {
    request_timeout(server, method, path, headers, Duration::from_secs(10))
}

fn request_timeout(
    server: &Server,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    timeout: Duration,
) -> Resp {
    let mut raw = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nUser-Agent: selfcheck/1.0\r\n",
        server.port()
    );
    for (n, v) in headers {
        raw.push_str(&format!("{n}: {v}\r\n"));
    }
    raw.push_str("\r\n");
    raw_request(server.port(), raw.as_bytes(), timeout)
}

fn get(server: &Server, path: &str, headers: &[(&str, &str)]) -> Resp {
    request(server, "GET", path, headers)
}

fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 % 251) as u8).collect()
}

const AUTH_OK: &str = "Basic dXNlcjpwYXNz"; // user:pass

#[test]
fn auth_is_required_and_answers_like_repo_magento_com() {
    let server = Server::builder()
        .basic_auth("user", "pass")
        .file("/packages.json", b"{\"packages\":{}}".to_vec())
        .start();
    assert!(server.url().starts_with("http://127.0.0.1:"));
    assert!(!server.url().ends_with('/'));

    let r = get(&server, "/packages.json", &[]);
    assert_eq!(r.status, 401);
    assert_eq!(r.body, MAGENTO_AUTH_WARNING.as_bytes());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.header("www-authenticate").is_none());

    let r = get(
        &server,
        "/packages.json",
        &[("Authorization", "Basic dXNlcjp3cm9uZw==")],
    );
    assert_eq!(r.status, 401);

    let r = get(&server, "/packages.json", &[("Authorization", AUTH_OK)]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, b"{\"packages\":{}}");
    // Unknown path with auth: 404; without auth: 401 first.
    assert_eq!(
        get(&server, "/nope", &[("Authorization", AUTH_OK)]).status,
        404
    );
    assert_eq!(get(&server, "/nope", &[]).status, 401);

    let log = server.requests();
    assert_eq!(log.len(), 5);
    assert_eq!(
        log.iter().map(|r| r.status).collect::<Vec<_>>(),
        vec![401, 401, 200, 404, 401]
    );
    assert!(!log[0].authorized && log[0].authorization_header.is_none());
    assert!(!log[1].authorized);
    assert!(log[2].authorized);
    assert_eq!(log[2].authorization_header.as_deref(), Some(AUTH_OK));
    assert_eq!(log[2].user_agent.as_deref(), Some("selfcheck/1.0"));
    assert_eq!(log[2].body_bytes, 15);
    assert_eq!(log[0].body_bytes, 0, "error bodies are not counted");
    server.clear_log();
    assert!(server.requests().is_empty());
}

#[test]
fn auth_prefix_restricts_auth() {
    let server = Server::builder()
        .basic_auth("user", "pass")
        .auth_prefix("/archives/")
        .file("/packages.json", b"{}".to_vec())
        .file("/archives/a/b/x.zip", b"zipdata".to_vec())
        .start();
    assert_eq!(get(&server, "/packages.json", &[]).status, 200);
    assert_eq!(get(&server, "/archives/a/b/x.zip", &[]).status, 401);
    let r = get(
        &server,
        "/archives/a/b/x.zip",
        &[("Authorization", AUTH_OK)],
    );
    assert_eq!((r.status, r.body.as_slice()), (200, &b"zipdata"[..]));
}

#[test]
fn file_headers_and_head() {
    let server = Server::builder().start();
    server.add_file("/archives/a/b/x.zip", pattern(1000));
    let r = get(&server, "/archives/a/b/x.zip", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body, pattern(1000));
    assert_eq!(r.content_length(), Some(1000));
    assert_eq!(r.header("accept-ranges"), Some("bytes"));
    assert_eq!(r.header("last-modified"), Some(LAST_MODIFIED));
    let etag = r.header("etag").unwrap();
    assert!(etag.starts_with('"') && etag.ends_with('"') && etag.len() == 42);

    let h = request(&server, "HEAD", "/archives/a/b/x.zip", &[]);
    assert_eq!(h.status, 200);
    assert_eq!(h.content_length(), Some(1000));
    assert!(h.body.is_empty());
    assert_eq!(h.header("etag"), Some(etag));

    assert_eq!(
        request(&server, "POST", "/archives/a/b/x.zip", &[]).status,
        405
    );
    server.remove_file("/archives/a/b/x.zip");
    assert_eq!(get(&server, "/archives/a/b/x.zip", &[]).status, 404);
    // Query strings are ignored for matching and logging.
    server.add_file("/p.json", b"{}".to_vec());
    assert_eq!(get(&server, "/p.json?x=1", &[]).status, 200);
    assert_eq!(server.requests().last().unwrap().path, "/p.json");
}

#[test]
fn ranges() {
    let data = pattern(1000);
    let server = Server::builder().file("/f.bin", data.clone()).start();

    let r = get(&server, "/f.bin", &[("Range", "bytes=100-199")]);
    assert_eq!(r.status, 206);
    assert_eq!(r.header("content-range"), Some("bytes 100-199/1000"));
    assert_eq!(r.body, &data[100..200]);
    assert_eq!(r.content_length(), Some(100));

    let r = get(&server, "/f.bin", &[("Range", "bytes=900-")]);
    assert_eq!((r.status, r.body.as_slice()), (206, &data[900..]));
    assert_eq!(r.header("content-range"), Some("bytes 900-999/1000"));

    let r = get(&server, "/f.bin", &[("Range", "bytes=-10")]);
    assert_eq!((r.status, r.body.as_slice()), (206, &data[990..]));
    assert_eq!(r.header("content-range"), Some("bytes 990-999/1000"));

    let r = get(&server, "/f.bin", &[("Range", "bytes=990-5000")]);
    assert_eq!((r.status, r.body.as_slice()), (206, &data[990..]));

    for bad in ["bytes=1000-", "bytes=5000-6000", "bytes=-0"] {
        let r = get(&server, "/f.bin", &[("Range", bad)]);
        assert_eq!(r.status, 416, "{bad}");
        assert_eq!(r.header("content-range"), Some("bytes */1000"));
        assert!(r.body.is_empty());
    }
    // Ignored (full body): inverted, multiple, garbage.
    for ignored in ["bytes=5-3", "bytes=0-1,5-6", "items=0-1", "bytes=x-"] {
        let r = get(&server, "/f.bin", &[("Range", ignored)]);
        assert_eq!((r.status, r.body.len()), (200, 1000), "{ignored}");
    }

    // If-Range.
    let etag = get(&server, "/f.bin", &[])
        .header("etag")
        .unwrap()
        .to_string();
    let r = get(
        &server,
        "/f.bin",
        &[("Range", "bytes=10-"), ("If-Range", etag.as_str())],
    );
    assert_eq!((r.status, r.body.as_slice()), (206, &data[10..]));
    let r = get(
        &server,
        "/f.bin",
        &[("Range", "bytes=10-"), ("If-Range", LAST_MODIFIED)],
    );
    assert_eq!(r.status, 206);
    let r = get(
        &server,
        "/f.bin",
        &[("Range", "bytes=10-"), ("If-Range", "\"deadbeef\"")],
    );
    assert_eq!((r.status, r.body.len()), (200, 1000));

    let log = server.requests();
    assert_eq!(log[0].range.as_deref(), Some("bytes=100-199"));
    assert_eq!(log[0].body_bytes, 100);
    assert_eq!(
        log.last().unwrap().if_range.as_deref(),
        Some("\"deadbeef\"")
    );
}

#[test]
fn drop_after_truncates_and_logs_bytes() {
    let data = pattern(300_000);
    let server = Server::builder().file("/big.zip", data.clone()).start();
    server.set_fault(
        "/big.zip",
        Fault::DropAfter {
            bytes: 123_457,
            times: 2,
        },
    );

    let r = get(&server, "/big.zip", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.content_length(),
        Some(300_000),
        "full Content-Length is announced"
    );
    assert_eq!(r.body.len(), 123_457);
    assert_eq!(r.body, &data[..123_457]);

    // Second drop applies to the served slice of a range request.
    let r = get(&server, "/big.zip", &[("Range", "bytes=123457-")]);
    assert_eq!(r.status, 206);
    assert_eq!(r.content_length(), Some(300_000 - 123_457));
    assert_eq!(r.body, &data[123_457..2 * 123_457]);

    // Exhausted: served completely.
    let r = get(&server, "/big.zip", &[("Range", "bytes=246914-")]);
    assert_eq!((r.status, r.body.as_slice()), (206, &data[246_914..]));

    let log = server.requests();
    assert_eq!(
        log.iter().map(|r| r.body_bytes).collect::<Vec<_>>(),
        vec![123_457, 123_457, 300_000 - 246_914]
    );
    assert_eq!(server.body_bytes_served("/big.zip"), 300_000);

    // Drop with 0 bytes: headers only.
    server.set_fault("/big.zip", Fault::DropAfter { bytes: 0, times: 1 });
    let r = get(&server, "/big.zip", &[]);
    assert_eq!((r.status, r.body.len()), (200, 0));
    // The server survives drops.
    assert_eq!(get(&server, "/big.zip", &[]).body.len(), 300_000);
}

#[test]
fn status_faults_count_down() {
    let server = Server::builder().file("/f", b"hello".to_vec()).start();
    server.set_fault(
        "/f",
        Fault::Status {
            code: 503,
            times: 2,
        },
    );
    assert_eq!(get(&server, "/f", &[]).status, 503);
    assert_eq!(request(&server, "HEAD", "/f", &[]).status, 503);
    let r = get(&server, "/f", &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"hello"[..]));

    server.set_fault(
        "/f",
        Fault::TooManyRequests {
            retry_after_secs: 7,
            times: 1,
        },
    );
    let r = get(&server, "/f", &[]);
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("7"));
    assert_eq!(get(&server, "/f", &[]).status, 200);

    server.set_fault("/f", Fault::Unauthorized { times: 1 });
    let r = get(&server, "/f", &[]);
    assert_eq!(r.status, 401);
    assert_eq!(r.body, MAGENTO_AUTH_WARNING.as_bytes());
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(get(&server, "/f", &[]).status, 200);

    server.set_fault("/f", Fault::Forbidden { times: 1 });
    assert_eq!(get(&server, "/f", &[]).status, 403);
    assert_eq!(get(&server, "/f", &[]).status, 200);

    // Status faults apply to missing files too.
    server.set_fault(
        "/missing",
        Fault::Status {
            code: 500,
            times: 1,
        },
    );
    assert_eq!(get(&server, "/missing", &[]).status, 500);
    assert_eq!(get(&server, "/missing", &[]).status, 404);

    server.set_fault(
        "/f",
        Fault::Status {
            code: 502,
            times: 5,
        },
    );
    server.clear_faults();
    assert_eq!(get(&server, "/f", &[]).status, 200);
}

#[test]
fn ignore_range_corrupt_trickle_stall() {
    let data = pattern(5000);
    let server = Server::builder().file("/f", data.clone()).start();

    server.set_fault("/f", Fault::IgnoreRange);
    let r = get(&server, "/f", &[("Range", "bytes=100-")]);
    assert_eq!((r.status, r.body.as_slice()), (200, data.as_slice()));
    assert!(r.header("content-range").is_none());

    server.set_fault("/f", Fault::Corrupt { times: 1 });
    let r = get(&server, "/f", &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.body.len(), data.len());
    assert_ne!(r.body, data);
    assert_eq!(r.body[..2000], data[..2000]);
    let r = get(&server, "/f", &[]);
    assert_eq!(r.body, data);
    server.set_fault("/f", Fault::Corrupt { times: 1 });
    let r = get(&server, "/f", &[("Range", "bytes=4000-")]);
    assert_eq!(r.body.len(), 1000);
    assert_ne!(r.body, &data[4000..]);

    server.set_fault(
        "/f",
        Fault::Trickle {
            chunk: 1000,
            delay_ms: 40,
        },
    );
    let t = Instant::now();
    let r = get(&server, "/f", &[]);
    assert_eq!(r.body, data);
    assert!(
        t.elapsed() >= Duration::from_millis(160),
        "{:?}",
        t.elapsed()
    );

    server.set_fault(
        "/f",
        Fault::Stall {
            after_bytes: 1234,
            times: 1,
        },
    );
    let t = Instant::now();
    let r = request_timeout(&server, "GET", "/f", &[], Duration::from_millis(600));
    assert!(r.timed_out);
    assert!(t.elapsed() >= Duration::from_millis(500));
    assert_eq!(r.status, 200);
    assert_eq!(r.body, &data[..1234]);
    // Next request is normal.
    assert_eq!(get(&server, "/f", &[]).body, data);
    let log = server.requests();
    assert_eq!(log[log.len() - 2].body_bytes, 1234);
}

#[test]
fn conditional_requests() {
    let server = Server::builder()
        .file("/packages.json", b"{}".to_vec())
        .start();
    let r = get(
        &server,
        "/packages.json",
        &[("If-Modified-Since", LAST_MODIFIED)],
    );
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty());
    assert_eq!(r.header("last-modified"), Some(LAST_MODIFIED));
    let r = get(
        &server,
        "/packages.json",
        &[("If-Modified-Since", "Sun, 31 Dec 2023 00:00:00 GMT")],
    );
    assert_eq!(r.status, 200);
    let etag = r.header("etag").unwrap().to_string();
    let r = get(
        &server,
        "/packages.json",
        &[("If-None-Match", etag.as_str())],
    );
    assert_eq!(r.status, 304);
    let log = server.requests();
    assert_eq!(log[0].if_modified_since.as_deref(), Some(LAST_MODIFIED));
}

#[test]
fn gzip_json() {
    let json = br#"{"packages":{"acme/x":{"1.0.0":{"name":"acme/x"}}}}"#.repeat(20);
    let server = Server::builder()
        .gzip_json(true)
        .file("/packages.json", json.clone())
        .file("/a.zip", b"PK".to_vec())
        .start();
    let r = get(
        &server,
        "/packages.json",
        &[("Accept-Encoding", "gzip, deflate")],
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-encoding"), Some("gzip"));
    assert!(r.body.len() < json.len());
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(r.body.as_slice())
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, json);
    let r = get(&server, "/packages.json", &[]);
    assert!(r.header("content-encoding").is_none());
    assert_eq!(r.body, json);
    let r = get(&server, "/a.zip", &[("Accept-Encoding", "gzip")]);
    assert!(r.header("content-encoding").is_none());
    assert_eq!(
        server.requests()[0].accept_encoding.as_deref(),
        Some("gzip, deflate")
    );
}

#[test]
fn malformed_requests_do_not_kill_the_server() {
    let server = Server::builder().file("/ok", b"ok".to_vec()).start();
    let port = server.port();
    let garbage: Vec<Vec<u8>> = vec![
        b"\x00\x01\x02\xff\xfe\r\n\r\n".to_vec(),
        b"GET\r\n\r\n".to_vec(),
        b"GET /ok HTTP/9.9\r\n\r\n".to_vec(),
        b"GET /ok HTTP/1.1\r\nHost: x\r\nRange: bytes=\xff\xfe-\r\nAuthorization: Basic !!!!\r\nIf-Range: \x80\r\n\r\n".to_vec(),
        b"GET /ok HTTP/1.1\r\nHost: x\r\nRange: bytes=-99999999999999999999999999\r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /ok HTTP/1.1\r\nHost: x\r\nAuthorization: Basic\r\nAuthorization: \r\nConnection: close\r\n\r\n".to_vec(),
        b"GET /ok HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n".to_vec(),
        b"GET /ok HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        format!("GET /{} HTTP/1.1\r\nHost: x\r\n\r\n", "a".repeat(100_000)).into_bytes(),
        format!("GET /ok HTTP/1.1\r\nX: {}\r\n\r\n", "b".repeat(500_000)).into_bytes(),
        b"GET /ok HTTP/1.1\r\nHost: x\r\n".to_vec(), // never finished
    ];
    for g in &garbage {
        let _ = raw_request(port, g, Duration::from_millis(300));
    }
    // Connect and hang up immediately.
    drop(TcpStream::connect(("127.0.0.1", port)).unwrap());
    let r = get(&server, "/ok", &[]);
    assert_eq!((r.status, r.body.as_slice()), (200, &b"ok"[..]));
}

#[test]
fn keep_alive_connection_serves_several_requests() {
    let server = Server::builder().file("/a", b"AAAA".to_vec()).start();
    let mut s = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    s.write_all(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\nGET /a HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).unwrap();
    let text = String::from_utf8_lossy(&buf);
    assert_eq!(text.matches("HTTP/1.1 200 OK").count(), 2, "{text}");
    assert_eq!(server.body_bytes_served("/a"), 8);
}

#[test]
fn curl_interop() {
    let server = Server::builder()
        .basic_auth("user", "pass")
        .file("/archives/x.zip", pattern(4096))
        .start();
    let url = format!("{}/archives/x.zip", server.url());
    let out = Command::new("curl")
        .args(["-sS", "-o", "-", "-w", "\n%{http_code}", &url])
        .output()
        .expect("run curl");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.ends_with("\n401"), "{text}");
    assert!(text.starts_with(MAGENTO_AUTH_WARNING));

    let out = Command::new("curl")
        .args(["-sS", "--fail", "-u", "user:pass", "-r", "1000-1999", &url])
        .output()
        .expect("run curl");
    assert!(out.status.success());
    assert_eq!(out.stdout, &pattern(4096)[1000..2000]);

    // Resume a truncated download with curl -C -.
    server.set_fault(
        "/archives/x.zip",
        Fault::DropAfter {
            bytes: 1500,
            times: 1,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.zip");
    let first = Command::new("curl")
        .args(["-sS", "-u", "user:pass", "-o"])
        .arg(&file)
        .arg(&url)
        .output()
        .unwrap();
    assert!(!first.status.success(), "curl must notice the truncation");
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 1500);
    let second = Command::new("curl")
        .args(["-sS", "--fail", "-u", "user:pass", "-C", "-", "-o"])
        .arg(&file)
        .arg(&url)
        .output()
        .unwrap();
    assert!(second.status.success(), "{second:?}");
    assert_eq!(std::fs::read(&file).unwrap(), pattern(4096));
    let log = server.requests();
    assert_eq!(log.last().unwrap().range.as_deref(), Some("bytes=1500-"));
    assert_eq!(log.last().unwrap().status, 206);
    assert_eq!(
        server.body_bytes_served("/archives/x.zip"),
        1000 + 1500 + 2596
    );
}

#[test]
fn server_stops_on_drop() {
    let server = Server::builder().file("/a", b"x".to_vec()).start();
    server.set_fault(
        "/a",
        Fault::Stall {
            after_bytes: 0,
            times: 1,
        },
    );
    let port = server.port();
    // A stalled connection must not keep the server alive.
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.write_all(b"GET /a HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    let t = Instant::now();
    drop(server);
    assert!(t.elapsed() < Duration::from_secs(3));
    assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn drop_after_is_exact_with_a_large_body_and_a_slow_reader() {
    let data = pattern(6_000_000);
    let server = Server::builder().file("/big.tar", data.clone()).start();
    server.set_fault(
        "/big.tar",
        Fault::DropAfter {
            bytes: 5_000_003,
            times: 1,
        },
    );
    let mut s = TcpStream::connect(("127.0.0.1", server.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    s.write_all(b"GET /big.tar HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    // Let the socket buffers fill up before reading anything, then read slowly.
    std::thread::sleep(Duration::from_millis(300));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 65536];
    let mut reads = 0u32;
    loop {
        match s.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
        reads += 1;
        if reads == 8 {
            reads = 0;
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    let split = buf.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let body = &buf[split..];
    assert_eq!(body.len(), 5_000_003);
    assert_eq!(body, &data[..5_000_003]);
    assert_eq!(server.requests()[0].body_bytes, 5_000_003);
}

#[test]
fn server_can_be_shared_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Server>();
    assert_send_sync::<support::BuiltRepo>();
    let server = std::sync::Arc::new(Server::builder().file("/a", b"a".to_vec()).start());
    let s2 = server.clone();
    std::thread::spawn(move || {
        s2.set_fault(
            "/a",
            Fault::Status {
                code: 500,
                times: 1,
            },
        )
    })
    .join()
    .unwrap();
    assert_eq!(get(&server, "/a", &[]).status, 500);
}
