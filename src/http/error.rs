use std::path::PathBuf;

use thiserror::Error;

use crate::redact::SafeUrl;

/// A download that could not be completed. URLs are [`SafeUrl`]s: no credentials in messages.
#[derive(Debug, Error)]
pub enum FetchError {
    #[error("could not set up the HTTP client: {0}")]
    Client(String),
    #[error("`{url}` is not a valid URL")]
    BadUrl { url: SafeUrl },
    #[error("`{url}` uses plain http, which `secure-http` forbids")]
    Insecure { url: SafeUrl },
    #[error("network access is disabled (COMPOSER_DISABLE_NETWORK) and `{url}` is not cached")]
    Offline { url: SafeUrl },
    #[error("`{url}` requires authentication (HTTP 401){}", server_suffix(.server_message))]
    Unauthorized {
        url: SafeUrl,
        had_credentials: bool,
        server_message: Option<String>,
    },
    #[error("access to `{url}` is forbidden (HTTP 403){}", server_suffix(.server_message))]
    Forbidden {
        url: SafeUrl,
        server_message: Option<String>,
    },
    #[error("`{url}` was not found (HTTP 404)")]
    NotFound { url: SafeUrl },
    #[error("`{url}` answered HTTP {status} after {attempts} attempt(s)")]
    Status {
        url: SafeUrl,
        status: u16,
        attempts: u32,
    },
    #[error("`{url}` answered with more than {limit} bytes, which is not what was expected")]
    TooLarge { url: SafeUrl, limit: u64 },
    #[error("`{url}` redirected too many times")]
    TooManyRedirects { url: SafeUrl },
    #[error("could not download `{url}` after {attempts} attempt(s): {detail}")]
    Network {
        url: SafeUrl,
        attempts: u32,
        detail: String,
    },
    #[error(
        "checksum mismatch for `{url}`: expected {algorithm} {expected}, got {actual} ({bytes} bytes received)"
    )]
    ChecksumMismatch {
        url: SafeUrl,
        algorithm: &'static str,
        expected: String,
        actual: String,
        bytes: u64,
    },
    #[error("could not write `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn server_suffix(message: &Option<String>) -> String {
    match message {
        Some(m) => format!(": the server says \"{m}\""),
        None => String::new(),
    }
}
