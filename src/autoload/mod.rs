//! A native, Composer-compatible autoloader: `vendor/autoload.php` and `vendor/composer/*`.
//!
//! Like Composer, the generator reads the packages from `vendor/composer/installed.json` (not
//! from the lock) and the root package from composer.json, works out the rules in Composer's
//! order and precedence ([`spec`]), builds the class map ([`classmap`], parsing PHP with
//! [`scan`]), and writes:
//!
//! - `vendor/autoload.php` and `vendor/composer/autoload_real.php`: the entry point, which
//!   returns a registered `Composer\Autoload\ClassLoader` and includes the `files` autoloads;
//! - `autoload_static.php`: the rules as static arrays the loader takes in one step;
//! - `autoload_psr4.php`, `autoload_namespaces.php`, `autoload_classmap.php`,
//!   `autoload_files.php`, `include_paths.php`: the same rules as plain arrays;
//! - `ClassLoader.php` and `InstalledVersions.php`: magefetch's own implementations of
//!   Composer's runtime classes (`runtime/`).
//!
//! Without `--optimize` the class map holds the `classmap` rules only; with it every PSR-4 and
//! PSR-0 directory is scanned as well, keeping only classes whose file matches the standard;
//! `--classmap-authoritative` implies it and stops the loader from looking further. The suffix
//! of the generated class names is kept from an existing `vendor/autoload.php` (Composer does
//! the same), so regenerating never changes it. Files whose content is unchanged are not
//! rewritten.
//!
//! - `platform_check.php` ([`platform`]), required first by autoload_real.php, when the
//!   packages require a PHP version (or, with `"platform-check": true`, extensions).
//!
//! Not generated: the APCu prefix option and the legacy loader for a root package with
//! `target-dir`.

pub mod classmap;
pub mod paths;
pub mod platform;
pub mod render;
pub mod scan;
pub mod sort;
pub mod spec;

use std::path::{Path, PathBuf};

use serde_json::{Map, Value};
use thiserror::Error;

use crate::composer::installed::InstalledRepo;
use crate::composer::FileError;
use crate::fsutil::write_atomic;

const CLASS_LOADER: &str = include_str!("runtime/ClassLoader.php");
const INSTALLED_VERSIONS: &str = include_str!("runtime/InstalledVersions.php");

/// What to generate.
#[derive(Debug, Clone)]
pub struct DumpOptions {
    /// The directory of composer.json.
    pub project_dir: PathBuf,
    pub vendor_dir: PathBuf,
    /// The root composer.json.
    pub manifest: Value,
    /// Scan PSR-4/PSR-0 directories into the class map (`-o`, or `config.optimize-autoloader`).
    pub optimize: bool,
    /// Only the class map is consulted (`-a`, or `config.classmap-authoritative`).
    pub authoritative: bool,
    /// Dev autoloads included; `None` follows `dev` of installed.json, as Composer does.
    pub dev: Option<bool>,
    /// Threads that parse PHP files.
    pub jobs: usize,
    /// The suffix of the generated class names when there is no autoload.php to keep it from
    /// and no `config.autoloader-suffix`: the lock's content-hash (as newer Composer versions
    /// do), so that the same lock gives the same files. Random when `None`.
    pub default_suffix: Option<String>,
    /// The installed repository when the caller has just written installed.json from it;
    /// `None` reads `vendor/composer/installed.json`.
    pub installed: Option<InstalledRepo>,
    /// `--ignore-platform-req(s)`: left out of platform_check.php (all of them: no file).
    pub platform_filter: crate::resolver::PlatformFilter,
}

/// What a dump produced.
#[derive(Debug, Clone, Default)]
pub struct DumpSummary {
    /// Entries of the class map (including `Composer\InstalledVersions`).
    pub classes: usize,
    pub optimized: bool,
    pub authoritative: bool,
    /// Composer's warnings: ambiguous classes and PSR violations.
    pub warnings: Vec<String>,
}

#[derive(Debug, Error)]
pub enum AutoloadError {
    #[error(transparent)]
    File(#[from] FileError),
    #[error("could not read or write `{}`", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("could not scan for classes inside `{}`, which is neither a file nor a directory (check the classmap rules)", path.display())]
    ClassmapPath { path: PathBuf },
    #[error("package `{package}`: {message}")]
    InvalidRule { package: String, message: String },
}

/// Generates the autoloader for a project.
pub fn dump(opts: &DumpOptions) -> Result<DumpSummary, AutoloadError> {
    let config = |key: &str| opts.manifest.get("config").and_then(|c| c.get(key));
    let authoritative = opts.authoritative
        || config("classmap-authoritative").and_then(Value::as_bool) == Some(true);
    let optimize = opts.optimize
        || authoritative
        || config("optimize-autoloader").and_then(Value::as_bool) == Some(true);

    let composer_dir = opts.vendor_dir.join("composer");
    fs_err::create_dir_all(&composer_dir).map_err(|e| io_error(&composer_dir, e))?;
    let base = real_string(&opts.project_dir)?;
    let vendor = real_string(&opts.vendor_dir)?;

    let read;
    let installed = match &opts.installed {
        Some(repo) => repo,
        None => {
            read = InstalledRepo::read(&composer_dir.join("installed.json"))?;
            &read
        }
    };
    let dev_mode = opts.dev.unwrap_or(installed.dev);
    let root = root_unit(&opts.manifest, &base);
    let mut units = Vec::with_capacity(installed.packages.len());
    for p in &installed.packages {
        let install = match crate::composer::package::install_path(Path::new(&vendor), p) {
            Ok(Some(path)) => paths::normalize(&path.to_string_lossy()),
            Ok(None) => base.clone(),
            Err(message) => {
                return Err(AutoloadError::InvalidRule {
                    package: p.pretty_name().to_string(),
                    message,
                })
            }
        };
        units.push(package_unit(p, install));
    }
    let rules = spec::parse_autoloads(&root, units, dev_mode, &installed.dev_package_names)
        .map_err(|e| AutoloadError::InvalidRule {
            package: e.package,
            message: e.message,
        })?;

    let mut scans: Vec<classmap::ScanUnit> = rules
        .classmap
        .iter()
        .map(|p| classmap::ScanUnit {
            path: p.clone(),
            kind: classmap::ScanKind::Classmap,
        })
        .collect();
    if optimize {
        scans.extend(psr_scan_units(&rules));
    }
    let mut map = classmap::build(&scans, &rules.exclude, opts.jobs.max(1), &base)?;
    map.map.insert(
        "Composer\\InstalledVersions".to_string(),
        format!("{vendor}/composer/InstalledVersions.php"),
    );

    let suffix = suffix(
        &opts.vendor_dir,
        config("autoloader-suffix"),
        opts.default_suffix.as_deref(),
    );
    let layout = render::Layout {
        base: &base,
        vendor: &vendor,
        suffix: &suffix,
        authoritative,
        prepend: config("prepend-autoloader").and_then(Value::as_bool) != Some(false),
        use_include_path: config("use-include-path").and_then(Value::as_bool) == Some(true),
        static_codes: Default::default(),
    };
    let platform_check = {
        let mut links = vec![platform::Links {
            name: "__root__",
            require: opts.manifest.get("require"),
            replace: opts.manifest.get("replace"),
            provide: opts.manifest.get("provide"),
        }];
        let names: Vec<String> = installed.packages.iter().map(|p| p.name()).collect();
        for (p, name) in installed.packages.iter().zip(&names) {
            links.push(platform::Links {
                name,
                require: p.get("require"),
                replace: p.get("replace"),
                provide: p.get("provide"),
            });
        }
        platform::check_file(
            &links,
            platform::Mode::from_config(config("platform-check")),
            &installed.dev_package_names,
            &opts.platform_filter,
        )
    };
    let has_files = !rules.files.is_empty();
    let has_include_paths = !rules.include_paths.is_empty();
    // The two class maps are most of the text: rendered side by side.
    let (classmap_php, static_php) = std::thread::scope(|scope| {
        let classmap_php = scope.spawn(|| render::autoload_classmap(&layout, &map));
        let static_php = render::autoload_static(&layout, &rules, &map);
        let classmap_php = classmap_php
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (classmap_php, static_php)
    });
    let outputs = [
        (
            "autoload_namespaces.php",
            Some(render::autoload_namespaces(&layout, &rules)),
        ),
        (
            "autoload_psr4.php",
            Some(render::autoload_psr4(&layout, &rules)),
        ),
        ("autoload_classmap.php", Some(classmap_php)),
        (
            "autoload_files.php",
            has_files.then(|| render::autoload_files(&layout, &rules)),
        ),
        (
            "include_paths.php",
            has_include_paths.then(|| render::include_paths(&layout, &rules)),
        ),
        ("autoload_static.php", Some(static_php)),
        (
            "autoload_real.php",
            Some(render::autoload_real(
                &layout,
                has_files,
                has_include_paths,
                platform_check.is_some(),
            )),
        ),
        ("platform_check.php", platform_check),
        ("ClassLoader.php", Some(CLASS_LOADER.to_string())),
        (
            "InstalledVersions.php",
            Some(INSTALLED_VERSIONS.to_string()),
        ),
    ];
    for (name, text) in outputs {
        let path = composer_dir.join(name);
        match text {
            Some(text) => write_if_changed(&path, text.as_bytes())?,
            None => remove_if_present(&path)?,
        }
    }
    write_if_changed(
        &opts.vendor_dir.join("autoload.php"),
        render::autoload_php(&layout).as_bytes(),
    )?;

    let mut warnings = Vec::new();
    for (class, first, others) in &map.ambiguous {
        warnings.push(format!(
            "Ambiguous class resolution, \"{class}\" was found in both \"{first}\" and \"{}\", the first will be used.",
            others.join("\", \"")
        ));
    }
    warnings.extend(map.violations.iter().cloned());
    let classes = map.map.len();
    // Freeing the class map (two strings per class) and the rules is tens of thousands of
    // frees: done on the side, not before the caller gets the summary.
    let _ = std::thread::Builder::new().spawn(move || drop((map, rules)));
    Ok(DumpSummary {
        classes,
        optimized: optimize,
        authoritative,
        warnings,
    })
}

fn real_string(path: &Path) -> Result<String, AutoloadError> {
    let real = fs_err::canonicalize(path).map_err(|e| io_error(path, e))?;
    Ok(paths::normalize(&real.to_string_lossy()))
}

fn object(value: Option<&Value>) -> Map<String, Value> {
    match value {
        Some(Value::Object(m)) => m.clone(),
        _ => Map::new(),
    }
}

fn link_names(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Object(m)) => m.keys().map(|k| k.to_lowercase()).collect(),
        _ => Vec::new(),
    }
}

fn string_list(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn root_unit(manifest: &Value, base: &str) -> spec::Unit {
    let mut requires = link_names(manifest.get("require"));
    requires.extend(link_names(manifest.get("require-dev")));
    spec::Unit {
        name: manifest
            .get("name")
            .and_then(Value::as_str)
            .map(str::to_lowercase)
            .unwrap_or_else(|| "__root__".to_string()),
        install_path: base.to_string(),
        is_root: true,
        target_dir: manifest
            .get("target-dir")
            .and_then(Value::as_str)
            .filter(|t| !t.is_empty())
            .map(|t| t.trim_matches('/').to_string()),
        autoload: object(manifest.get("autoload")),
        autoload_dev: object(manifest.get("autoload-dev")),
        // The no-dev filter follows the root's `require` only.
        requires: link_names(manifest.get("require")),
        replaces: link_names(manifest.get("replace")),
        include_paths: string_list(manifest.get("include-path")),
    }
}

fn package_unit(p: &crate::composer::package::Package, install_path: String) -> spec::Unit {
    spec::Unit {
        name: p.name(),
        install_path,
        is_root: false,
        target_dir: p.target_dir(),
        autoload: object(p.get("autoload")),
        autoload_dev: Map::new(),
        requires: link_names(p.get("require")),
        replaces: link_names(p.get("replace")),
        include_paths: string_list(p.get("include-path")),
    }
}

/// PSR directories to scan with `--optimize`: namespaces in reverse order, PSR-4 before PSR-0
/// for the same namespace, directories in rule order.
fn psr_scan_units(rules: &spec::Autoloads) -> Vec<classmap::ScanUnit> {
    let mut groups: Vec<(&str, Vec<classmap::ScanUnit>)> = Vec::new();
    for (rules_of_kind, psr0) in [(&rules.psr4, false), (&rules.psr0, true)] {
        for (ns, dirs) in rules_of_kind {
            let units = dirs.iter().map(|d| classmap::ScanUnit {
                path: d.clone(),
                kind: if psr0 {
                    classmap::ScanKind::Psr0 {
                        namespace: ns.clone(),
                    }
                } else {
                    classmap::ScanKind::Psr4 {
                        namespace: ns.clone(),
                    }
                },
            });
            match groups.iter_mut().find(|(n, _)| *n == ns.as_str()) {
                Some((_, list)) => list.extend(units),
                None => groups.push((ns.as_str(), units.collect())),
            }
        }
    }
    groups.sort_by(|a, b| b.0.cmp(a.0));
    groups.into_iter().flat_map(|(_, units)| units).collect()
}

/// The suffix of an existing vendor/autoload.php, else `config.autoloader-suffix`, else the
/// default, else a new random one.
fn suffix(vendor_dir: &Path, configured: Option<&Value>, default: Option<&str>) -> String {
    if let Ok(text) = std::fs::read_to_string(vendor_dir.join("autoload.php")) {
        if let Some(found) = existing_suffix(&text) {
            return found;
        }
    }
    if let Some(s) = configured.and_then(Value::as_str).filter(|s| !s.is_empty()) {
        return s.to_string();
    }
    if let Some(d) =
        default.filter(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        return d.to_string();
    }
    use crate::md5::Md5;
    let seed = format!(
        "{:?}{}{}",
        std::time::SystemTime::now(),
        std::process::id(),
        vendor_dir.display()
    );
    Md5::hex(seed.as_bytes())
}

/// `ComposerAutoloaderInit([^:\s]+)::` in an autoload.php.
fn existing_suffix(text: &str) -> Option<String> {
    let start = text.find("ComposerAutoloaderInit")? + "ComposerAutoloaderInit".len();
    let rest = &text[start..];
    let end = rest.find(|c: char| c == ':' || c.is_whitespace())?;
    let found = &rest[..end];
    (rest[end..].starts_with("::") && !found.is_empty()).then(|| found.to_string())
}

fn write_if_changed(path: &Path, contents: &[u8]) -> Result<(), AutoloadError> {
    if std::fs::read(path).is_ok_and(|old| old == contents) {
        return Ok(());
    }
    write_atomic(path, contents).map_err(|e| io_error(path, e))
}

fn remove_if_present(path: &Path) -> Result<(), AutoloadError> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(io_error(path, e)),
    }
}

fn io_error(path: &Path, source: std::io::Error) -> AutoloadError {
    AutoloadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suffix_is_read_back() {
        assert_eq!(
            existing_suffix(
                "require_once x;\n\nreturn ComposerAutoloaderInitabc123::getLoader();\n"
            ),
            Some("abc123".to_string())
        );
        assert_eq!(existing_suffix("nothing here"), None);
    }
}
