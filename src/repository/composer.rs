//! One `composer` repository: its root file, and the versions of one package in whichever
//! layout the root file announces (see the module documentation of [`super`]).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use tokio::sync::OnceCell;

use super::cache::{self, RepoCache};
use super::minified;
use super::url::{encode_first_dollar, RepoUrl};
use super::{glob_match, PackageVersion, RepositoryError};
use crate::http::{gunzip_if_compressed, FetchError, HttpClient, Metadata};
use crate::redact::SafeUrl;

/// Attempts at a file whose sha256 does not match, as in Composer.
const SIGNATURE_ATTEMPTS: u32 = 3;

/// What every repository of a run shares.
#[derive(Clone)]
pub struct RepoContext {
    pub client: HttpClient,
    /// `cache-repo-dir`; `None` disables the metadata cache.
    pub cache_repo_dir: Option<PathBuf>,
    pub cache_read_only: bool,
    /// Answer from the cache only (`COMPOSER_DISABLE_NETWORK`).
    pub offline: bool,
}

/// A `composer` repository.
pub struct ComposerRepository {
    url: RepoUrl,
    ctx: RepoContext,
    cache: RepoCache,
    root: OnceCell<Root>,
    warnings: Mutex<Vec<String>>,
}

/// What the root file (with its includes or provider listings) says.
struct Root {
    /// Versions found in the root file and its `includes`, by lower-cased name.
    inline: HashMap<String, Vec<PackageVersion>>,
    mode: Mode,
    /// `notify-batch` (else `notify`), canonicalised: Composer adds it to every package as
    /// `notification-url`.
    notify_url: Option<String>,
}

/// How per-package metadata is found beyond the inline versions.
enum Mode {
    /// Everything is inline.
    Static,
    /// v2 `metadata-url` template.
    V2 {
        template: String,
        available: Option<Availability>,
    },
    /// v1 `providers-url` template and the merged listing (name → sha256).
    Providers {
        template: String,
        listing: HashMap<String, String>,
    },
    /// Composer 1 `providers-lazy-url` template.
    Lazy { template: String },
}

/// `available-packages` and `available-package-patterns`.
struct Availability {
    names: HashSet<String>,
    patterns: Vec<String>,
}

impl Availability {
    fn allows(&self, name: &str) -> bool {
        self.names.contains(name) || self.patterns.iter().any(|p| glob_match(p, name))
    }
}

impl ComposerRepository {
    pub fn new(url: RepoUrl, ctx: RepoContext) -> ComposerRepository {
        let cache = if url.is_file() {
            RepoCache::disabled()
        } else {
            RepoCache::new(ctx.cache_repo_dir.as_deref(), &url, ctx.cache_read_only)
        };
        ComposerRepository {
            url,
            ctx,
            cache,
            root: OnceCell::new(),
            warnings: Mutex::new(Vec::new()),
        }
    }

    pub fn url(&self) -> &RepoUrl {
        &self.url
    }

    /// Warnings collected so far (e.g. "loaded from the local cache"), emptied.
    pub fn take_warnings(&self) -> Vec<String> {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The `notification-url` Composer gives this repository's packages (`notify-batch`).
    pub async fn notification_url(&self) -> Result<Option<String>, RepositoryError> {
        let root = self.root.get_or_try_init(|| self.load_root()).await?;
        Ok(root.notify_url.clone())
    }

    /// Every version of `name` this repository offers; empty when it does not have it.
    /// `want_dev` adds the `~dev` file of a v2 repository (branches).
    pub async fn packages(
        &self,
        name: &str,
        want_dev: bool,
    ) -> Result<Vec<PackageVersion>, RepositoryError> {
        let name = name.to_lowercase();
        let root = self.root.get_or_try_init(|| self.load_root()).await?;
        let mut out = root.inline.get(&name).cloned().unwrap_or_default();
        if !name.contains('/') {
            // Platform packages (php, ext-*, …) are never requested from repositories.
            return Ok(out);
        }
        match &root.mode {
            Mode::Static => {}
            Mode::V2 {
                template,
                available,
            } => {
                if !out.is_empty() || available.as_ref().is_some_and(|a| !a.allows(&name)) {
                    return Ok(out);
                }
                if want_dev {
                    let dev_name = format!("{name}~dev");
                    let (stable, dev) = futures::join!(
                        self.load_v2(template, &name, &name),
                        self.load_v2(template, &dev_name, &name)
                    );
                    out.extend(stable?);
                    out.extend(dev?);
                } else {
                    out.extend(self.load_v2(template, &name, &name).await?);
                }
            }
            Mode::Providers { template, listing } => {
                if let Some(hash) = listing.get(&name) {
                    out.extend(self.load_provider(template, &name, hash).await?);
                }
            }
            Mode::Lazy { template } => {
                let url = template.replace("%package%", &name);
                if let Some(data) = self
                    .fetch_revalidated(&url, &cache::provider_key(&name))
                    .await?
                {
                    let mut found = HashMap::new();
                    self.add_packages(&data, &mut found);
                    out.extend(found.remove(&name).unwrap_or_default());
                }
            }
        }
        Ok(out)
    }

    async fn load_root(&self) -> Result<Root, RepositoryError> {
        let root_url = self.url.root_file();
        let data = self
            .fetch_revalidated(&root_url, "packages.json")
            .await?
            .ok_or_else(|| {
                self.fetch_error(FetchError::NotFound {
                    url: SafeUrl::new(root_url.clone()),
                })
            })?;
        let Some(obj) = data.as_object() else {
            return Err(self.invalid(&root_url, "the top level must be a JSON object"));
        };
        let text = |key: &str| {
            obj.get(key)
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .map(|s| self.url.canonicalize(s))
        };
        let notify_url = text("notify-batch").or_else(|| text("notify"));
        let mut inline = HashMap::new();
        if let Some(template) = text("metadata-url") {
            if let Some(packages) = obj.get("packages") {
                self.add_packages_field(packages, &mut inline);
            }
            return Ok(Root {
                inline,
                mode: Mode::V2 {
                    template,
                    available: availability(obj),
                },
                notify_url,
            });
        }
        self.load_includes(&data, &mut inline).await?;
        let has_listing = obj.contains_key("provider-includes") || obj.contains_key("providers");
        let mode = match (text("providers-url"), text("providers-lazy-url")) {
            (Some(template), _) if has_listing => Mode::Providers {
                template,
                listing: self.load_provider_listing(obj).await?,
            },
            (_, Some(template)) => Mode::Lazy { template },
            _ => Mode::Static,
        };
        Ok(Root {
            inline,
            mode,
            notify_url,
        })
    }

    /// The root's inline packages and its `includes`, recursively.
    async fn load_includes(
        &self,
        root: &Value,
        out: &mut HashMap<String, Vec<PackageVersion>>,
    ) -> Result<(), RepositoryError> {
        let mut queue = vec![root.clone()];
        let mut seen = HashSet::new();
        while let Some(data) = queue.pop() {
            self.add_packages(&data, out);
            let Some(includes) = data.get("includes").and_then(Value::as_object) else {
                continue;
            };
            for (path, meta) in includes {
                if !seen.insert(path.clone()) {
                    continue;
                }
                let sha1 = meta.get("sha1").and_then(Value::as_str);
                queue.push(self.fetch_include(path, sha1).await?);
            }
        }
        Ok(())
    }

    /// The merged provider listing: the root's `providers` and every `provider-includes`
    /// file, recursively.
    async fn load_provider_listing(
        &self,
        root: &Map<String, Value>,
    ) -> Result<HashMap<String, String>, RepositoryError> {
        let mut listing = HashMap::new();
        let mut queue = vec![Value::Object(root.clone())];
        let mut seen = HashSet::new();
        while let Some(data) = queue.pop() {
            if let Some(providers) = data.get("providers").and_then(Value::as_object) {
                for (name, meta) in providers {
                    if let Some(hash) = meta.get("sha256").and_then(Value::as_str) {
                        listing.insert(name.to_lowercase(), hash.to_string());
                    }
                }
            }
            let Some(includes) = data.get("provider-includes").and_then(Value::as_object) else {
                continue;
            };
            for (template, meta) in includes {
                let Some(hash) = meta.get("sha256").and_then(Value::as_str) else {
                    return Err(self.invalid(
                        &self.url.root_file(),
                        &format!("provider-includes `{template}` has no sha256"),
                    ));
                };
                if !seen.insert(template.clone()) {
                    continue;
                }
                let url =
                    encode_first_dollar(&self.url.relative(&template.replace("%hash%", hash)));
                let key = cache::provider_include_key(template);
                match self.fetch_hashed(&url, &key, hash).await? {
                    Some(data) => queue.push(data),
                    None => {
                        return Err(self.fetch_error(FetchError::NotFound {
                            url: SafeUrl::new(url),
                        }))
                    }
                }
            }
        }
        Ok(listing)
    }

    async fn load_provider(
        &self,
        template: &str,
        name: &str,
        hash: &str,
    ) -> Result<Vec<PackageVersion>, RepositoryError> {
        let url = encode_first_dollar(&template.replace("%package%", name).replace("%hash%", hash));
        let Some(data) = self
            .fetch_hashed(&url, &cache::provider_key(name), hash)
            .await?
        else {
            return Err(RepositoryError::ProviderMissing {
                repo: self.url.safe(),
                url: SafeUrl::new(url),
                package: name.to_string(),
            });
        };
        let mut found = HashMap::new();
        self.add_packages(&data, &mut found);
        Ok(found.remove(name).unwrap_or_default())
    }

    /// One v2 file (`file_name` is `vendor/name` or `vendor/name~dev`); 404 is empty.
    async fn load_v2(
        &self,
        template: &str,
        file_name: &str,
        name: &str,
    ) -> Result<Vec<PackageVersion>, RepositoryError> {
        let url = template.replace("%package%", file_name);
        let Some(data) = self
            .fetch_revalidated(&url, &cache::v2_key(file_name))
            .await?
        else {
            return Ok(Vec::new());
        };
        let entries: Vec<Value> = match data.get("packages").and_then(|p| p.get(name)) {
            Some(Value::Array(list)) => list.clone(),
            Some(Value::Object(map)) => map.values().cloned().collect(),
            _ => Vec::new(),
        };
        let entries = if data.get("minified").and_then(Value::as_str) == Some("composer/2.0") {
            minified::expand(&entries)
        } else {
            entries
        };
        Ok(entries
            .into_iter()
            .filter_map(PackageVersion::from_entry)
            .filter(|v| v.name() == name)
            .collect())
    }

    /// Adds the versions of a root-shaped file: `packages`, or the legacy layout when it has
    /// neither `packages` nor `includes`.
    fn add_packages(&self, data: &Value, out: &mut HashMap<String, Vec<PackageVersion>>) {
        let Some(obj) = data.as_object() else { return };
        if let Some(packages) = obj.get("packages") {
            self.add_packages_field(packages, out);
        } else if !obj.contains_key("includes") {
            for pkg in obj.values() {
                if let Some(versions) = pkg.get("versions") {
                    add_versions(versions, out);
                }
            }
        }
    }

    fn add_packages_field(&self, packages: &Value, out: &mut HashMap<String, Vec<PackageVersion>>) {
        match packages {
            Value::Object(map) => map.values().for_each(|v| add_versions(v, out)),
            Value::Array(list) => list.iter().for_each(|v| add_versions(v, out)),
            _ => {}
        }
    }

    /// A file revalidated with `If-Modified-Since` (root, v2, lazy provider). `None` on 404.
    async fn fetch_revalidated(
        &self,
        url: &str,
        key: &str,
    ) -> Result<Option<Value>, RepositoryError> {
        if is_file_url(url) {
            return self.read_local(url);
        }
        let cached: Option<Value> = self
            .cache
            .read(key)
            .and_then(|b| serde_json::from_slice(&b).ok());
        if self.ctx.offline {
            return match cached {
                Some(v) => Ok(Some(v)),
                None => Err(self.offline_error(url)),
            };
        }
        let since = cached
            .as_ref()
            .and_then(|c| c.get("last-modified"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let safe = SafeUrl::new(url);
        match self.ctx.client.get_metadata(&safe, since.as_deref()).await {
            Ok(Metadata::NotModified) => match cached {
                Some(v) => Ok(Some(v)),
                None => Err(self.invalid(
                    url,
                    "the server answered 304 Not Modified to an unconditional request",
                )),
            },
            Ok(Metadata::Body {
                bytes,
                last_modified,
            }) => {
                let mut value = self.parse(url, &bytes)?;
                match (last_modified, value.as_object_mut()) {
                    (Some(lm), Some(obj)) => {
                        obj.insert("last-modified".to_string(), Value::String(lm));
                        let encoded = crate::composer::json::to_php_compact(&value);
                        self.cache.write(key, encoded.as_bytes());
                    }
                    _ => self.cache.write(key, &bytes),
                }
                Ok(Some(value))
            }
            Err(FetchError::NotFound { .. }) => Ok(None),
            Err(e) => match cached {
                Some(v) if is_transient(&e) => {
                    self.degraded(&e);
                    Ok(Some(v))
                }
                _ => Err(self.fetch_error(e)),
            },
        }
    }

    /// A file addressed by its sha256 (provider listings and files): a cached copy with that
    /// hash is used as is; a download must have it (three attempts). `None` on 404.
    async fn fetch_hashed(
        &self,
        url: &str,
        key: &str,
        sha256: &str,
    ) -> Result<Option<Value>, RepositoryError> {
        if let Some(bytes) = self.cache.read_if_sha256(key, sha256) {
            return self.parse(url, &bytes).map(Some);
        }
        if !is_file_url(url) && self.ctx.offline {
            return Err(self.offline_error(url));
        }
        let safe = SafeUrl::new(url);
        let mut attempts = 0;
        loop {
            attempts += 1;
            let bytes = if is_file_url(url) {
                match self.read_local_bytes(url)? {
                    Some(b) => b,
                    None => return Ok(None),
                }
            } else {
                match self.ctx.client.get_metadata(&safe, None).await {
                    Ok(Metadata::Body { bytes, .. }) => bytes,
                    Ok(Metadata::NotModified) => {
                        return Err(self.invalid(
                            url,
                            "the server answered 304 Not Modified to an unconditional request",
                        ))
                    }
                    Err(FetchError::NotFound { .. }) => return Ok(None),
                    Err(e) => return Err(self.fetch_error(e)),
                }
            };
            let actual = hex::encode(Sha256::digest(&bytes));
            if actual.eq_ignore_ascii_case(sha256) {
                self.cache.write(key, &bytes);
                return self.parse(url, &bytes).map(Some);
            }
            if attempts >= SIGNATURE_ATTEMPTS || is_file_url(url) {
                return Err(RepositoryError::Signature {
                    repo: self.url.safe(),
                    url: safe,
                    expected: sha256.to_lowercase(),
                    actual,
                    attempts,
                });
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// An `includes` file: the cached copy when its sha1 is the listed one, else downloaded
    /// (not verified, as in Composer).
    async fn fetch_include(
        &self,
        path: &str,
        sha1: Option<&str>,
    ) -> Result<Value, RepositoryError> {
        let url = encode_first_dollar(&self.url.relative(path));
        if let Some(bytes) = sha1.and_then(|s| self.cache.read_if_sha1(path, s)) {
            return self.parse(&url, &bytes);
        }
        let not_found = || {
            self.fetch_error(FetchError::NotFound {
                url: SafeUrl::new(url.clone()),
            })
        };
        if is_file_url(&url) {
            return self.read_local(&url)?.ok_or_else(not_found);
        }
        let cached = self.cache.read(path);
        if self.ctx.offline {
            return match cached {
                Some(bytes) => self.parse(&url, &bytes),
                None => Err(self.offline_error(&url)),
            };
        }
        match self
            .ctx
            .client
            .get_metadata(&SafeUrl::new(url.clone()), None)
            .await
        {
            Ok(Metadata::Body { bytes, .. }) => {
                let value = self.parse(&url, &bytes)?;
                self.cache.write(path, &bytes);
                Ok(value)
            }
            Ok(Metadata::NotModified) => Err(self.invalid(
                &url,
                "the server answered 304 Not Modified to an unconditional request",
            )),
            Err(FetchError::NotFound { .. }) => Err(not_found()),
            Err(e) => match cached {
                Some(bytes) if is_transient(&e) => {
                    self.degraded(&e);
                    self.parse(&url, &bytes)
                }
                _ => Err(self.fetch_error(e)),
            },
        }
    }

    fn read_local(&self, url: &str) -> Result<Option<Value>, RepositoryError> {
        match self.read_local_bytes(url)? {
            Some(bytes) => self.parse(url, &bytes).map(Some),
            None => Ok(None),
        }
    }

    fn read_local_bytes(&self, url: &str) -> Result<Option<Vec<u8>>, RepositoryError> {
        let path = reqwest::Url::parse(url)
            .ok()
            .and_then(|u| u.to_file_path().ok())
            .ok_or_else(|| self.invalid(url, "not a usable file:// URL"))?;
        match fs_err::read(&path) {
            Ok(bytes) => gunzip_if_compressed(&bytes)
                .map(Some)
                .map_err(|message| self.invalid(url, &message)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(source) => Err(RepositoryError::Read {
                repo: self.url.safe(),
                path,
                source,
            }),
        }
    }

    fn parse(&self, url: &str, bytes: &[u8]) -> Result<Value, RepositoryError> {
        serde_json::from_slice(bytes).map_err(|e| {
            let text = e.to_string();
            let message = match text.rfind(" at line ") {
                Some(i) => text[..i].to_string(),
                None => text,
            };
            RepositoryError::Json {
                repo: self.url.safe(),
                url: SafeUrl::new(url),
                message,
                line: e.line(),
                column: e.column(),
            }
        })
    }

    fn degraded(&self, e: &FetchError) {
        let mut warnings = self.warnings.lock().unwrap_or_else(|e| e.into_inner());
        if warnings.is_empty() {
            warnings.push(format!(
                "repository `{}` could not be fully loaded ({e}); package information was loaded from the local cache and may be out of date",
                self.url.safe()
            ));
        }
    }

    fn fetch_error(&self, source: FetchError) -> RepositoryError {
        RepositoryError::Fetch {
            repo: self.url.safe(),
            source,
        }
    }

    fn invalid(&self, url: &str, message: &str) -> RepositoryError {
        RepositoryError::Invalid {
            repo: self.url.safe(),
            url: SafeUrl::new(url),
            message: message.to_string(),
        }
    }

    fn offline_error(&self, url: &str) -> RepositoryError {
        RepositoryError::Offline {
            repo: self.url.safe(),
            url: SafeUrl::new(url),
        }
    }
}

/// The versions of one name: an object keyed by version or a list.
fn add_versions(versions: &Value, out: &mut HashMap<String, Vec<PackageVersion>>) {
    let entries: Box<dyn Iterator<Item = &Value>> = match versions {
        Value::Object(map) => Box::new(map.values()),
        Value::Array(list) => Box::new(list.iter()),
        _ => return,
    };
    for entry in entries {
        if let Some(mut version) = PackageVersion::from_entry(entry.clone()) {
            version.mark_inline();
            out.entry(version.name()).or_default().push(version);
        }
    }
}

fn availability(root: &Map<String, Value>) -> Option<Availability> {
    let strings = |key: &str| -> Option<Vec<String>> {
        Some(
            root.get(key)?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_lowercase)
                .collect(),
        )
    };
    let names = strings("available-packages");
    let patterns = strings("available-package-patterns");
    if names.is_none() && patterns.is_none() {
        return None;
    }
    Some(Availability {
        names: names.unwrap_or_default().into_iter().collect(),
        patterns: patterns.unwrap_or_default(),
    })
}

fn is_file_url(url: &str) -> bool {
    url.starts_with("file://")
}

/// Failures that a cached copy may stand in for (not 401/403/404, not local errors).
fn is_transient(e: &FetchError) -> bool {
    matches!(e, FetchError::Network { .. } | FetchError::Status { .. })
}
