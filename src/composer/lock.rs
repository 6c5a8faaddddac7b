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
}

impl LockFile {
    pub fn read(path: &Path) -> Result<LockFile, FileError> {
        let json = read_json(path)?;
        let invalid = |message: String| FileError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let Value::Object(root) = json else {
            return Err(invalid("the top level must be a JSON object".to_string()));
        };
        let list = |key: &str| -> Result<Vec<Package>, FileError> {
            match root.get(key) {
                None | Some(Value::Null) => Ok(Vec::new()),
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, item)| {
                        Package::from_value(item.clone())
                            .map_err(|m| invalid(format!("`{key}[{i}]`: {m}")))
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
        })
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
