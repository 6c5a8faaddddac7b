//! Settings as Composer resolves them: `COMPOSER_*` environment variables, the global
//! `$COMPOSER_HOME/config.json`, and the project composer.json `config` section (environment
//! beats project, project beats global).
//!
//! Directories follow Composer's Linux rules (reference §4.6): COMPOSER_HOME, else
//! `$XDG_CONFIG_HOME/composer` in XDG mode or `~/.composer`; the cache in `COMPOSER_CACHE_DIR`,
//! `config.cache-dir`, `$COMPOSER_HOME/cache`, `~/.composer/cache` when it exists, or
//! `$XDG_CACHE_HOME/composer`.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::composer::project::RootManifest;
use crate::composer::{read_json, FileError};

/// The environment as a lookup function, so that tests can inject one.
pub trait Env {
    fn var(&self, name: &str) -> Option<String>;
    fn has_xdg_vars(&self) -> bool;
}

/// The real process environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|v| !v.is_empty())
    }
    fn has_xdg_vars(&self) -> bool {
        std::env::vars_os().any(|(k, _)| k.to_string_lossy().starts_with("XDG_"))
    }
}

/// Where Composer keeps its global files.
#[derive(Debug, Clone)]
pub struct Home {
    pub dir: PathBuf,
    pub explicit: bool,
}

pub fn composer_home(env: &dyn Env) -> Home {
    if let Some(home) = env.var("COMPOSER_HOME") {
        return Home {
            dir: PathBuf::from(home),
            explicit: true,
        };
    }
    let user_home = PathBuf::from(env.var("HOME").unwrap_or_else(|| "/".to_string()));
    let legacy = user_home.join(".composer");
    let mut candidates = Vec::new();
    if xdg_mode(env) {
        let config = env
            .var("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| user_home.join(".config"));
        candidates.push(config.join("composer"));
    }
    candidates.push(legacy);
    let dir = candidates
        .iter()
        .find(|c| c.is_dir())
        .cloned()
        .unwrap_or_else(|| candidates[0].clone());
    Home {
        dir,
        explicit: false,
    }
}

fn xdg_mode(env: &dyn Env) -> bool {
    env.has_xdg_vars() || Path::new("/etc/xdg").exists()
}

/// Resolved settings for one project.
#[derive(Debug, Clone)]
pub struct Settings {
    pub project_dir: PathBuf,
    pub manifest_path: PathBuf,
    pub home: PathBuf,
    pub vendor_dir: PathBuf,
    pub bin_dir: PathBuf,
    pub cache_dir: PathBuf,
    /// `None` when the files cache is disabled (`cache-files-ttl: 0`, `/dev/null`, …).
    pub cache_files_dir: Option<PathBuf>,
    /// Repository metadata cache (`cache-repo-dir`); `None` when disabled.
    pub cache_repo_dir: Option<PathBuf>,
    pub cache_read_only: bool,
    pub secure_http: bool,
    pub max_parallel_http: Option<usize>,
    pub offline: bool,
    /// Merged `config` of the global config.json and composer.json (project wins).
    pub config: Map<String, Value>,
}

impl Settings {
    /// Resolves settings for the project whose composer.json is `manifest` (already read).
    pub fn resolve(env: &dyn Env, manifest: &RootManifest) -> Result<Settings, FileError> {
        let project_dir = manifest.dir().to_path_buf();
        let home = composer_home(env);
        let mut config = global_config(&home.dir)?;
        if let Some(Value::Object(project)) = manifest.json.get("config") {
            for (k, v) in project {
                config.insert(k.clone(), v.clone());
            }
        }
        let lookup = ConfigLookup {
            env,
            config: &config,
            home: &home.dir,
        };
        let vendor_dir = lookup.dir("vendor-dir", "vendor", &project_dir);
        let bin_default = format!("{}/bin", vendor_dir.display());
        let bin_dir = lookup.dir_with("bin-dir", &bin_default, &project_dir, &vendor_dir);
        let cache_dir = match lookup.env_or_config("cache-dir") {
            Some(v) => absolutize(&expand(&v, env, &home.dir), &project_dir),
            None => default_cache_dir(env, &home),
        };
        let files_default = format!("{}/files", cache_dir.display());
        let files_dir = match lookup.env_or_config("cache-files-dir") {
            Some(v) => absolutize(
                &expand(&v, env, &home.dir).replace("{$cache-dir}", &cache_dir.to_string_lossy()),
                &project_dir,
            ),
            None => PathBuf::from(files_default),
        };
        let repo_dir = match lookup.env_or_config("cache-repo-dir") {
            Some(v) => absolutize(
                &expand(&v, env, &home.dir).replace("{$cache-dir}", &cache_dir.to_string_lossy()),
                &project_dir,
            ),
            None => cache_dir.join("repo"),
        };
        let cache_repo_dir = (!is_null_device(&repo_dir)).then_some(repo_dir);
        let ttl_zero = matches!(config.get("cache-files-ttl"), Some(v) if v.as_i64() == Some(0) || v.as_str() == Some("0"));
        let cache_files_dir = (!ttl_zero && !is_null_device(&files_dir)).then_some(files_dir);
        let cache_read_only = match env.var("COMPOSER_CACHE_READ_ONLY") {
            Some(v) => v != "false" && v != "0",
            None => config
                .get("cache-read-only")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };
        let secure_http = config
            .get("secure-http")
            .and_then(Value::as_bool)
            .unwrap_or(true)
            && !config
                .get("disable-tls")
                .and_then(Value::as_bool)
                .unwrap_or(false);
        let max_parallel_http = env
            .var("COMPOSER_MAX_PARALLEL_HTTP")
            .and_then(|v| v.trim().parse::<usize>().ok())
            .map(|n| n.clamp(1, 50));
        let offline = env
            .var("COMPOSER_DISABLE_NETWORK")
            .is_some_and(|v| v != "0");
        Ok(Settings {
            manifest_path: manifest.path.clone(),
            project_dir,
            home: home.dir,
            vendor_dir,
            bin_dir,
            cache_dir,
            cache_files_dir,
            cache_repo_dir,
            cache_read_only,
            secure_http,
            max_parallel_http,
            offline,
            config,
        })
    }
}

struct ConfigLookup<'a> {
    env: &'a dyn Env,
    config: &'a Map<String, Value>,
    home: &'a Path,
}

impl ConfigLookup<'_> {
    /// `COMPOSER_<KEY>` beats the config key.
    fn env_or_config(&self, key: &str) -> Option<String> {
        let env_name = format!("COMPOSER_{}", key.to_uppercase().replace('-', "_"));
        self.env.var(&env_name).or_else(|| {
            self.config
                .get(key)
                .and_then(Value::as_str)
                .map(str::to_string)
        })
    }

    fn dir(&self, key: &str, default: &str, base: &Path) -> PathBuf {
        let raw = self
            .env_or_config(key)
            .unwrap_or_else(|| default.to_string());
        absolutize(&expand(&raw, self.env, self.home), base)
    }

    fn dir_with(&self, key: &str, default: &str, base: &Path, vendor: &Path) -> PathBuf {
        let raw = self
            .env_or_config(key)
            .unwrap_or_else(|| default.to_string());
        let raw = raw.replace("{$vendor-dir}", &vendor.to_string_lossy());
        absolutize(&expand(&raw, self.env, self.home), base)
    }
}

fn default_cache_dir(env: &dyn Env, home: &Home) -> PathBuf {
    if home.explicit {
        return home.dir.join("cache");
    }
    let user_home = PathBuf::from(env.var("HOME").unwrap_or_else(|| "/".to_string()));
    let legacy_cache = user_home.join(".composer/cache");
    if home.dir == user_home.join(".composer") && legacy_cache.is_dir() {
        return legacy_cache;
    }
    if xdg_mode(env) {
        return env
            .var("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| user_home.join(".cache"))
            .join("composer");
    }
    home.dir.join("cache")
}

/// The `config` section of `$COMPOSER_HOME/config.json` (empty when the file is missing).
pub fn global_config(home: &Path) -> Result<Map<String, Value>, FileError> {
    let path = home.join("config.json");
    if !path.is_file() {
        return Ok(Map::new());
    }
    match read_json(&path)? {
        Value::Object(mut root) => match root.remove("config") {
            Some(Value::Object(c)) => Ok(c),
            _ => Ok(Map::new()),
        },
        _ => Ok(Map::new()),
    }
}

/// `~/`, `$HOME`-style variables and `{$home}` in config values.
fn expand(raw: &str, env: &dyn Env, home: &Path) -> String {
    let mut s = raw.replace("{$home}", &home.to_string_lossy());
    if let Some(rest) = s.strip_prefix("~/") {
        s = format!("{}/{}", env.var("HOME").unwrap_or_default(), rest);
    }
    if let Some(rest) = s.strip_prefix('$') {
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        let value = env.var(&rest[..end]).unwrap_or_default();
        s = format!("{value}{}", &rest[end..]);
    }
    s
}

fn absolutize(raw: &str, base: &Path) -> PathBuf {
    crate::fsutil::absolutize(base, Path::new(raw))
}

fn is_null_device(path: &Path) -> bool {
    path.components().any(|c| {
        let s = c.as_os_str().to_string_lossy();
        s == "$null" || s.eq_ignore_ascii_case("nul")
    }) || path.starts_with("/dev/null")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    struct FakeEnv(HashMap<&'static str, String>);
    impl Env for FakeEnv {
        fn var(&self, name: &str) -> Option<String> {
            self.0.get(name).cloned()
        }
        fn has_xdg_vars(&self) -> bool {
            self.0.keys().any(|k| k.starts_with("XDG_"))
        }
    }

    fn manifest(dir: &Path, json: &str) -> RootManifest {
        let path = dir.join("composer.json");
        std::fs::write(&path, json).unwrap();
        RootManifest::read(&path).unwrap()
    }

    #[test]
    fn env_beats_project_config() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(
            dir.path(),
            r#"{"config": {"vendor-dir": "lib", "cache-dir": "/c1"}}"#,
        );
        let env = FakeEnv(HashMap::from([
            (
                "COMPOSER_HOME",
                dir.path().join("home").display().to_string(),
            ),
            ("COMPOSER_CACHE_DIR", "/c2".to_string()),
        ]));
        let s = Settings::resolve(&env, &m).unwrap();
        assert_eq!(s.vendor_dir, dir.path().join("lib"));
        assert_eq!(s.bin_dir, dir.path().join("lib/bin"));
        assert_eq!(s.cache_dir, PathBuf::from("/c2"));
        assert_eq!(s.cache_files_dir, Some(PathBuf::from("/c2/files")));
        assert_eq!(s.cache_repo_dir, Some(PathBuf::from("/c2/repo")));
    }

    #[test]
    fn repo_cache_dir_can_move_or_be_disabled() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(
            dir.path(),
            r#"{"config": {"cache-repo-dir": "{$cache-dir}/meta"}}"#,
        );
        let env = FakeEnv(HashMap::from([("COMPOSER_CACHE_DIR", "/c".to_string())]));
        let s = Settings::resolve(&env, &m).unwrap();
        assert_eq!(s.cache_repo_dir, Some(PathBuf::from("/c/meta")));
        let env = FakeEnv(HashMap::from([
            ("COMPOSER_CACHE_DIR", "/c".to_string()),
            ("COMPOSER_CACHE_REPO_DIR", "/dev/null".to_string()),
        ]));
        assert_eq!(Settings::resolve(&env, &m).unwrap().cache_repo_dir, None);
    }

    #[test]
    fn composer_home_implies_cache() {
        let dir = tempfile::tempdir().unwrap();
        let m = manifest(dir.path(), r#"{"config": {"cache-files-ttl": 0}}"#);
        let env = FakeEnv(HashMap::from([("COMPOSER_HOME", "/h".to_string())]));
        let s = Settings::resolve(&env, &m).unwrap();
        assert_eq!(s.cache_dir, PathBuf::from("/h/cache"));
        assert_eq!(s.cache_files_dir, None);
        assert!(s.secure_http);
    }
}
