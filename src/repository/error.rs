use std::path::PathBuf;

use thiserror::Error;

use crate::http::FetchError;
use crate::redact::SafeUrl;

/// A repository that could not be read. Every variant names the repository (credentials
/// masked) and, where there is one, the file that failed.
#[derive(Debug, Error)]
pub enum RepositoryError {
    #[error("could not load the metadata of repository `{repo}`")]
    Fetch {
        repo: SafeUrl,
        #[source]
        source: FetchError,
    },
    #[error(
        "repository `{repo}`: the contents of `{url}` do not match its signature (expected sha256 {expected}, got {actual}; {attempts} attempts). This could mean a man-in-the-middle attack, or a proxy or antivirus software corrupting files"
    )]
    Signature {
        repo: SafeUrl,
        url: SafeUrl,
        expected: String,
        actual: String,
        attempts: u32,
    },
    #[error(
        "repository `{repo}`: `{url}` is not valid JSON: {message} at line {line}, column {column}"
    )]
    Json {
        repo: SafeUrl,
        url: SafeUrl,
        message: String,
        line: usize,
        column: usize,
    },
    #[error("repository `{repo}`: `{url}` is not a valid Composer repository file: {message}")]
    Invalid {
        repo: SafeUrl,
        url: SafeUrl,
        message: String,
    },
    #[error(
        "repository `{repo}` lists `{package}`, but its metadata file `{url}` was not found (HTTP 404)"
    )]
    ProviderMissing {
        repo: SafeUrl,
        url: SafeUrl,
        package: String,
    },
    #[error(
        "repository `{repo}`: network access is disabled (COMPOSER_DISABLE_NETWORK or --offline) and `{url}` is not in the metadata cache"
    )]
    Offline { repo: SafeUrl, url: SafeUrl },
    #[error("repository `{repo}`: could not read `{}`", path.display())]
    Read {
        repo: SafeUrl,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}`: repository {location} is invalid: {message}", path.display())]
    Config {
        path: PathBuf,
        location: String,
        message: String,
    },
}
