//! HTTP: one client builder, the retry policy, the resumable, hashed download of a file, and
//! conditional GETs of repository metadata.
//!
//! Timeouts are a connect timeout and an idle (read) timeout; there is no cap on a whole
//! transfer, so a large archive on a slow link finishes as long as bytes keep arriving.
//! Redirects are followed here rather than by reqwest, so that each hop gets the credentials of
//! its own origin (and only those), as Composer does.

mod error;
mod fetch;
mod local;
mod metadata;
mod retry;

pub use error::FetchError;
pub use fetch::{Digests, Expected, FetchOutcome, FetchRequest, HashKinds, Hashers};
pub use local::file_url_path;
pub use metadata::{gunzip_if_compressed, Metadata};
pub use retry::RetryPolicy;

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use crate::auth::AuthStore;

/// Settings of the shared client.
#[derive(Debug, Clone)]
pub struct HttpSettings {
    pub connect_timeout: Duration,
    /// No byte for this long fails the attempt (and is retried).
    pub idle_timeout: Duration,
    pub retry: RetryPolicy,
    /// Refuse `http://` URLs, as Composer's `secure-http` (default on) does.
    pub secure_http: bool,
    /// `COMPOSER_DISABLE_NETWORK`: every request fails without touching the network.
    pub offline: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        HttpSettings {
            connect_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            retry: RetryPolicy::default(),
            secure_http: true,
            offline: false,
        }
    }
}

impl HttpSettings {
    /// Defaults, with the test knobs `MAGEFETCH_IDLE_TIMEOUT_MS` and `MAGEFETCH_RETRY_DELAY_MS`
    /// (so that tests need not sleep for seconds).
    pub fn from_env() -> Self {
        let mut s = HttpSettings::default();
        if let Some(ms) = env_ms("MAGEFETCH_IDLE_TIMEOUT_MS") {
            s.idle_timeout = ms;
        }
        if let Some(ms) = env_ms("MAGEFETCH_RETRY_DELAY_MS") {
            s.retry.base_delay = ms;
        }
        s
    }
}

fn env_ms(name: &str) -> Option<Duration> {
    std::env::var(name)
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_millis)
}

/// The client every command uses.
///
/// The reqwest client (and with it the TLS configuration, which reads the system's CA
/// store) is built on the first request, so a run that downloads nothing — an install with
/// nothing to do — does not pay for it. Clones share one client and its connection pool.
#[derive(Clone)]
pub struct HttpClient {
    inner: Arc<OnceLock<Result<reqwest::Client, String>>>,
    pub(crate) auth: Arc<AuthStore>,
    pub(crate) settings: HttpSettings,
}

impl HttpClient {
    /// A client with these settings; nothing is built until the first request.
    pub fn new(settings: HttpSettings, auth: Arc<AuthStore>) -> Result<HttpClient, FetchError> {
        Ok(HttpClient {
            inner: Arc::new(OnceLock::new()),
            auth,
            settings,
        })
    }

    /// The underlying reqwest client, built on first use.
    pub(crate) fn reqwest(&self) -> Result<&reqwest::Client, FetchError> {
        self.inner
            .get_or_init(|| build_client(&self.settings).map_err(|e| e.to_string()))
            .as_ref()
            .map_err(|e| FetchError::Client(e.clone()))
    }

    pub fn auth(&self) -> &AuthStore {
        &self.auth
    }
}

fn build_client(settings: &HttpSettings) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .connect_timeout(settings.connect_timeout)
        .read_timeout(settings.idle_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(user_agent())
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true)
        .build()
}

fn user_agent() -> String {
    let ci = if std::env::var_os("CI").is_some() {
        "; CI"
    } else {
        ""
    };
    format!(
        "magefetch/{} (Composer-compatible; {}{ci})",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS
    )
}
