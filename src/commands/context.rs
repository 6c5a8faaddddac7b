//! What the `release` and `auth` commands need from the environment: Composer's home, the
//! project directory (composer.json is optional for them), the merged `config`, credentials
//! and an HTTP client.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::{Map, Value};

use super::{input_error, CommandError, ExitCode};
use crate::auth::{AuthSources, AuthStore};
use crate::cli::GlobalArgs;
use crate::composer::project::RootManifest;
use crate::config::{composer_home, global_config, Env, ProcessEnv};
use crate::http::{HttpClient, HttpSettings};

pub struct Context {
    pub home: PathBuf,
    /// The directory of the composer.json in use (it need not exist).
    pub project_dir: PathBuf,
    pub manifest: Option<RootManifest>,
    /// Global config.json `config`, overridden by the project's.
    pub config: Map<String, Value>,
}

impl Context {
    pub fn open(global: &GlobalArgs) -> Result<Context, CommandError> {
        let manifest_path = super::manifest_path(global)?;
        let project_dir = manifest_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let manifest = if manifest_path.is_file() {
            Some(RootManifest::read(&manifest_path).map_err(input_error)?)
        } else {
            None
        };
        let home = composer_home(&ProcessEnv).dir;
        let mut config = global_config(&home).map_err(input_error)?;
        if let Some(Value::Object(project)) = manifest.as_ref().and_then(|m| m.json.get("config")) {
            for (k, v) in project {
                config.insert(k.clone(), v.clone());
            }
        }
        Ok(Context {
            home,
            project_dir,
            manifest,
            config,
        })
    }

    pub fn global_auth_path(&self) -> PathBuf {
        self.home.join("auth.json")
    }

    pub fn project_auth_path(&self) -> PathBuf {
        self.project_dir.join("auth.json")
    }

    /// Credentials from every source Composer reads.
    pub fn auth_store(&self) -> Result<AuthStore, CommandError> {
        AuthStore::load(&AuthSources {
            home: &self.home,
            project_dir: &self.project_dir,
            manifest: self.manifest.as_ref().map(|m| (m.path.as_path(), &m.json)),
            composer_auth_env: ProcessEnv.var("COMPOSER_AUTH"),
        })
        .map_err(|e| {
            CommandError::new(e, ExitCode::Input).hint(
                "fix the credentials file named above; it must have the shape of Composer's auth.json",
            )
        })
    }

    pub fn http_client(&self, auth: Arc<AuthStore>) -> Result<HttpClient, CommandError> {
        let flag = |key: &str| self.config.get(key).and_then(Value::as_bool);
        let mut settings = HttpSettings::from_env();
        settings.secure_http =
            flag("secure-http").unwrap_or(true) && !flag("disable-tls").unwrap_or(false);
        settings.offline = ProcessEnv
            .var("COMPOSER_DISABLE_NETWORK")
            .is_some_and(|v| v != "0");
        HttpClient::new(settings, auth).map_err(|e| CommandError::new(e, ExitCode::Failure))
    }
}
