//! The project a command works on: composer.json, the settings it implies, credentials.

use super::{CommandError, ExitCode};
use crate::auth::{AuthSources, AuthStore};
use crate::cli::GlobalArgs;
use crate::composer::project::RootManifest;
use crate::config::Settings;

/// composer.json, resolved settings and credentials of the working directory.
pub struct ProjectContext {
    pub manifest: RootManifest,
    pub settings: Settings,
    pub auth: AuthStore,
}

impl ProjectContext {
    /// Reads the project in `--working-dir` (or the current directory); `COMPOSER` names
    /// another composer.json.
    pub fn open(global: &GlobalArgs) -> Result<ProjectContext, CommandError> {
        let (manifest, settings) = super::open_manifest(global)?;
        let auth = AuthStore::load(&AuthSources {
            home: &settings.home,
            project_dir: &settings.project_dir,
            manifest: Some((&manifest.path, &manifest.json)),
            composer_auth_env: std::env::var("COMPOSER_AUTH").ok().filter(|v| !v.is_empty()),
        })
        .map_err(|e| {
            CommandError::new(e, ExitCode::Input)
                .hint("fix the credentials file named above; it must have the shape of Composer's auth.json")
        })?;
        Ok(ProjectContext {
            manifest,
            settings,
            auth,
        })
    }
}

pub use super::input_error;

/// What to do about a 401 for `url`.
pub fn auth_hint(url: &str, had_credentials: bool, auth: &AuthStore) -> String {
    let origin = crate::auth::origin_of(url).unwrap_or_else(|| "the host".to_string());
    let where_ = auth.searched.join(", ");
    if had_credentials {
        format!(
            "the credentials for `{origin}` were rejected: for repo.magento.com the key pair may be invalid or disabled (check Marketplace → My Profile → Access Keys). magefetch looked in: {where_}"
        )
    } else {
        format!(
            "no credentials were found for `{origin}`. magefetch looked in: {where_}. Add them, e.g. `composer config --global http-basic.{origin} <public-key> <private-key>`"
        )
    }
}

/// The repository context of a command: an HTTP client honouring the settings' `secure-http`
/// and offline mode with these credentials, and the metadata cache.
pub fn repo_context(
    settings: &crate::config::Settings,
    auth: std::sync::Arc<AuthStore>,
    offline: bool,
) -> Result<crate::repository::RepoContext, CommandError> {
    let mut http = crate::http::HttpSettings::from_env();
    http.secure_http = settings.secure_http;
    http.offline = offline;
    let client = crate::http::HttpClient::new(http, auth)
        .map_err(|e| CommandError::new(e, ExitCode::Failure))?;
    Ok(crate::repository::RepoContext {
        client,
        cache_repo_dir: settings.cache_repo_dir.clone(),
        cache_read_only: settings.cache_read_only,
        offline,
    })
}
