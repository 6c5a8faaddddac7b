//! One package version as composer.lock and installed.json hold it.
//!
//! The entry is kept as the ordered JSON object it was read from, so that fields magefetch does
//! not interpret (authors, support, funding, …) travel unchanged into installed.json; typed
//! accessors read the fields the installer needs.

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

/// A locked or installed package version.
#[derive(Debug, Clone)]
pub struct Package {
    data: Map<String, Value>,
    name: String,
    version: String,
}

/// The `dist` block of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dist {
    pub kind: String,
    pub url: String,
    pub reference: Option<String>,
    pub shasum: Option<String>,
    pub mirrors: Vec<DistMirror>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DistMirror {
    pub url: String,
    pub preferred: bool,
}

impl Package {
    /// Builds a package from an entry; `Err` carries a message naming what is missing.
    pub fn from_value(value: Value) -> Result<Package, String> {
        let Value::Object(data) = value else {
            return Err("a package entry is not a JSON object".to_string());
        };
        let name = match data.get("name") {
            Some(Value::String(n)) if !n.trim().is_empty() => n.clone(),
            _ => return Err("a package entry has no `name`".to_string()),
        };
        let version = match data.get("version") {
            Some(Value::String(v)) if !v.is_empty() => v.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return Err(format!("package `{name}` has no `version`")),
        };
        Ok(Package {
            data,
            name,
            version,
        })
    }

    /// The name as written (the "pretty name"): used for paths and output.
    pub fn pretty_name(&self) -> &str {
        &self.name
    }

    /// The lower-cased name: identity for comparisons and cache keys.
    pub fn name(&self) -> String {
        self.name.to_lowercase()
    }

    pub fn pretty_version(&self) -> &str {
        &self.version
    }

    pub fn package_type(&self) -> String {
        match self.data.get("type") {
            Some(Value::String(t)) if !t.is_empty() => t.to_lowercase(),
            _ => "library".to_string(),
        }
    }

    pub fn is_metapackage(&self) -> bool {
        self.package_type() == "metapackage"
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.data.get(key)
    }

    /// Sets `key` when the entry has no non-null value for it (Composer's `isset` check).
    pub fn set_default(&mut self, key: &str, value: Value) {
        if self.data.get(key).is_none_or(Value::is_null) {
            self.data.insert(key.to_string(), value);
        }
    }

    /// The entry itself.
    pub fn into_data(self) -> Map<String, Value> {
        self.data
    }

    pub fn data(&self) -> &Map<String, Value> {
        &self.data
    }

    pub fn dist(&self) -> Option<Dist> {
        let dist = self.data.get("dist")?.as_object()?;
        let kind = dist.get("type")?.as_str()?.to_lowercase();
        let url = dist.get("url")?.as_str()?.to_string();
        let text = |k: &str| match dist.get(k) {
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        let mirrors = dist
            .get("mirrors")
            .and_then(Value::as_array)
            .map(|list| {
                list.iter()
                    .filter_map(|m| {
                        Some(DistMirror {
                            url: m.get("url")?.as_str()?.to_string(),
                            preferred: m.get("preferred").and_then(Value::as_bool).unwrap_or(false),
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        Some(Dist {
            kind,
            url,
            reference: text("reference"),
            shasum: text("shasum"),
            mirrors,
        })
    }

    pub fn dist_reference(&self) -> Option<String> {
        self.reference_of("dist")
    }

    pub fn source_reference(&self) -> Option<String> {
        self.reference_of("source")
    }

    fn reference_of(&self, block: &str) -> Option<String> {
        match self.data.get(block)?.get("reference")? {
            Value::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// `target-dir`, appended to the install path (legacy PSR-0 packages).
    pub fn target_dir(&self) -> Option<String> {
        match self.data.get("target-dir") {
            Some(Value::String(s)) if !s.is_empty() => Some(s.trim_matches('/').to_string()),
            _ => None,
        }
    }

    /// `bin` entries, as a list whatever the JSON spelling.
    pub fn binaries(&self) -> Vec<String> {
        match self.data.get("bin") {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The install directory of a package, or `None` for a metapackage. Names that could leave
/// the vendor directory are refused.
pub fn install_path(vendor_dir: &Path, package: &Package) -> Result<Option<PathBuf>, String> {
    if package.is_metapackage() {
        return Ok(None);
    }
    let name = package.pretty_name();
    if !is_valid_name(name) {
        return Err(format!(
            "`{name}` is not a valid package name (expected `vendor/name` with letters, digits, `.`, `_` and `-`)"
        ));
    }
    let mut path = vendor_dir.join(name);
    if let Some(target) = package.target_dir() {
        match crate::archive::safe_entry_path(&target) {
            Ok(Some(rel)) => path.push(rel),
            Ok(None) => {}
            Err(_) => return Err(format!("`{name}` has an unsafe target-dir `{target}`")),
        }
    }
    Ok(Some(path))
}

/// `vendor/name`: two non-empty parts of `[A-Za-z0-9_.-]`, neither starting with `.`.
pub fn is_valid_name(name: &str) -> bool {
    let mut parts = name.split('/');
    let (Some(vendor), Some(project), None) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    [vendor, project].iter().all(|part| {
        !part.is_empty()
            && !part.starts_with('.')
            && part
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
    })
}
