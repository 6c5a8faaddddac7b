//! The root composer.json of a project and where its lock lives.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{parse_json, FileError};

/// A decoded root composer.json with the text it came from.
#[derive(Debug, Clone)]
pub struct RootManifest {
    pub path: PathBuf,
    pub raw: Vec<u8>,
    pub json: Value,
}

impl RootManifest {
    pub fn read(path: &Path) -> Result<RootManifest, FileError> {
        let raw = std::fs::read(path).map_err(|source| FileError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = String::from_utf8(raw.clone()).map_err(|_| FileError::Invalid {
            path: path.to_path_buf(),
            message: "the file is not UTF-8 text".to_string(),
        })?;
        let json = parse_json(path, &text)?;
        if !json.is_object() {
            return Err(FileError::Invalid {
                path: path.to_path_buf(),
                message: "the top level must be a JSON object".to_string(),
            });
        }
        Ok(RootManifest {
            path: path.to_path_buf(),
            raw,
            json,
        })
    }

    /// A value of the `config` section.
    pub fn config(&self, key: &str) -> Option<&Value> {
        self.json.get("config")?.get(key)
    }

    pub fn name(&self) -> Option<&str> {
        self.json.get("name")?.as_str()
    }

    /// The directory holding composer.json: the project root.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or_else(|| Path::new("."))
    }
}

/// The lock file that belongs to a composer.json: same path with `.json` replaced by `.lock`
/// (or `.lock` appended when the name does not end in `.json`).
pub fn lock_path_for(manifest: &Path) -> PathBuf {
    let name = manifest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "composer.json".to_string());
    let lock_name = match name.strip_suffix(".json") {
        Some(stem) => format!("{stem}.lock"),
        None => format!("{name}.lock"),
    };
    manifest.with_file_name(lock_name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_names() {
        assert_eq!(
            lock_path_for(Path::new("/p/composer.json")),
            PathBuf::from("/p/composer.lock")
        );
        assert_eq!(
            lock_path_for(Path::new("/p/other.json")),
            PathBuf::from("/p/other.lock")
        );
        assert_eq!(
            lock_path_for(Path::new("/p/manifest")),
            PathBuf::from("/p/manifest.lock")
        );
    }
}
