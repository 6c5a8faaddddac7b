//! Reading composer.lock.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::content_hash::{content_hash, legacy_hash};
use super::package::Package;
use super::project::RootManifest;
use super::{read_json, FileError};

/// The packages of a composer.lock.
#[derive(Debug, Clone)]
pub struct LockFile {
    pub path: PathBuf,
    pub packages: Vec<Package>,
    pub packages_dev: Vec<Package>,
    content_hash: Option<String>,
    legacy_hash: Option<String>,
    /// `aliases` (root inline aliases): (lower-cased package name, alias version).
    aliases: Vec<(String, String)>,
}

impl LockFile {
    pub fn read(path: &Path) -> Result<LockFile, FileError> {
        let json = read_json(path)?;
        let invalid = |message: String| FileError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let Value::Object(mut root) = json else {
            return Err(invalid("the top level must be a JSON object".to_string()));
        };
        let mut list = |key: &str| -> Result<Vec<Package>, FileError> {
            match root.remove(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .into_iter()
                    .enumerate()
                    .map(|(i, item)| {
                        Package::from_value(item).map_err(|m| invalid(format!("`{key}[{i}]`: {m}")))
                    })
                    .collect(),
                Some(_) => Err(invalid(format!("`{key}` must be a list"))),
            }
        };
        let packages = list("packages")?;
        let packages_dev = list("packages-dev")?;
        let text = |key: &str| root.get(key).and_then(Value::as_str).map(str::to_string);
        Ok(LockFile {
            path: path.to_path_buf(),
            packages,
            packages_dev,
            content_hash: text("content-hash"),
            legacy_hash: text("hash"),
            aliases: root_aliases(root.get("aliases")),
        })
    }

    /// The root inline aliases: (lower-cased package name, alias version).
    pub fn aliases(&self) -> &[(String, String)] {
        &self.aliases
    }

    /// The lock's `content-hash`, if it has one.
    pub fn content_hash(&self) -> Option<&str> {
        self.content_hash.as_deref()
    }

    /// Whether the lock was made from this composer.json, as Composer checks it before an
    /// install (a mismatch is a warning, not an error).
    pub fn is_fresh(&self, manifest: &RootManifest) -> bool {
        if let Some(expected) = &self.content_hash {
            return *expected == content_hash(&manifest.json);
        }
        match &self.legacy_hash {
            Some(expected) => *expected == legacy_hash(&manifest.raw),
            None => true,
        }
    }
}

fn root_aliases(aliases: Option<&Value>) -> Vec<(String, String)> {
    aliases
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|a| {
                    Some((
                        a.get("package")?.as_str()?.to_lowercase(),
                        a.get("alias")?.as_str()?.to_string(),
                    ))
                })
                .collect()
        })
        .unwrap_or_default()
}
