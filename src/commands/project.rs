//! The project a command works on: composer.json, the settings it implies, credentials.

use std::path::Path;

use super::{CommandError, ExitCode};
use crate::auth::{AuthSources, AuthStore};
use crate::cli::GlobalArgs;
use crate::composer::project::RootManifest;
use crate::composer::FileError;
use crate::config::{ProcessEnv, Settings};

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
        let cwd = std::env::current_dir().map_err(|e| CommandError::new(e, ExitCode::LocalFs))?;
        let dir = match &global.working_dir {
            Some(d) => crate::fsutil::absolutize(&cwd, d),
            None => cwd,
        };
        if !dir.is_dir() {
            return Err(CommandError::new(
                anyhow::anyhow!("the working directory `{}` does not exist", dir.display()),
                ExitCode::Input,
            ));
        }
        let manifest_name = std::env::var("COMPOSER")
            .ok()
            .filter(|v| !v.is_empty())
            .unwrap_or_else(|| "composer.json".to_string());
        let manifest_path = crate::fsutil::absolutize(&dir, Path::new(&manifest_name));
        if !manifest_path.is_file() {
            return Err(CommandError::new(
                anyhow::anyhow!("`{}` was not found", manifest_path.display()),
                ExitCode::Input,
            )
            .hint("run magefetch in the project directory, or pass it with `--working-dir DIR`"));
        }
        let manifest = RootManifest::read(&manifest_path).map_err(input_error)?;
        let settings = Settings::resolve(&ProcessEnv, &manifest).map_err(input_error)?;
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

/// A local JSON file that could not be used, with a hint that says where to look.
pub fn input_error(e: FileError) -> CommandError {
    let hint = match &e {
        FileError::Syntax { path, .. } => {
            format!(
                "fix the JSON syntax of `{}` at the position shown",
                path.display()
            )
        }
        FileError::Read { path, .. } => {
            format!("check that `{}` exists and is readable", path.display())
        }
        FileError::Invalid { path, .. } => {
            format!(
                "`{}` does not have the structure Composer writes",
                path.display()
            )
        }
    };
    CommandError::new(e, ExitCode::Input).hint(hint)
}

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
