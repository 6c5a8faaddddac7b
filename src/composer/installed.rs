//! `vendor/composer/installed.json` and `installed.php` in Composer 2's format.
//!
//! installed.json is what `composer install` compares the lock against (by lower-cased name:
//! `version_normalized`, dist and source references) and what Composer's autoload generator
//! reads, so every entry carries the complete package data in the key order of Composer's
//! `ArrayDumper`. installed.php feeds `Composer\InstalledVersions`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value};

use super::json::to_pretty;
use super::package::Package;
use super::{read_json, FileError};

/// Keys of an installed.json entry, in the order Composer's `ArrayDumper` writes them.
const DUMP_ORDER: [&str; 35] = [
    "name",
    "version",
    "version_normalized",
    "target-dir",
    "source",
    "dist",
    "require",
    "conflict",
    "provide",
    "replace",
    "require-dev",
    "suggest",
    "time",
    "default-branch",
    "bin",
    "type",
    "extra",
    "installation-source",
    "autoload",
    "autoload-dev",
    "notification-url",
    "include-path",
    "archive",
    "scripts",
    "license",
    "authors",
    "description",
    "homepage",
    "keywords",
    "repositories",
    "support",
    "funding",
    "abandoned",
    "transport-options",
    "php-ext",
];

const SORTED_MAPS: [&str; 6] = [
    "require",
    "conflict",
    "provide",
    "replace",
    "require-dev",
    "suggest",
];

/// What vendor/composer/installed.json says is installed.
#[derive(Debug, Clone, Default)]
pub struct InstalledRepo {
    pub packages: Vec<Package>,
    pub dev: bool,
    pub dev_package_names: Vec<String>,
}

impl InstalledRepo {
    /// Reads installed.json; a missing file is an empty repository. Composer 1's format (a bare
    /// list) is accepted.
    pub fn read(path: &Path) -> Result<InstalledRepo, FileError> {
        if !path.exists() {
            return Ok(InstalledRepo::default());
        }
        let json = read_json(path)?;
        let invalid = |message: String| FileError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let (list, dev, dev_names) = match json {
            Value::Array(items) => (items, true, Vec::new()),
            Value::Object(mut root) => {
                let list = match root.remove("packages") {
                    Some(Value::Array(items)) => items,
                    _ => return Err(invalid("`packages` must be a list".to_string())),
                };
                let dev = root.get("dev").and_then(Value::as_bool).unwrap_or(true);
                let names = root
                    .get("dev-package-names")
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default();
                (list, dev, names)
            }
            _ => return Err(invalid("expected an object or a list".to_string())),
        };
        let packages = list
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                Package::from_value(v).map_err(|m| invalid(format!("`packages[{i}]`: {m}")))
            })
            .collect::<Result<_, _>>()?;
        Ok(InstalledRepo {
            packages,
            dev,
            dev_package_names: dev_names,
        })
    }
}

/// One installed package with what the writers need besides its lock entry.
pub struct InstalledEntry<'a> {
    pub package: &'a Package,
    pub version_normalized: String,
    /// Path relative to vendor/composer (`../acme/lib`), or `None` for metapackages.
    pub install_path: Option<String>,
    pub dev: bool,
    /// Pretty alias versions (branch aliases, root inline aliases).
    pub aliases: Vec<String>,
}

/// The installed.json document.
pub fn installed_json(entries: &[InstalledEntry<'_>], dev_mode: bool) -> String {
    dump_installed(entries, dev_mode).json
}

/// installed.json, as text and as the repository a later read of that text gives.
pub struct InstalledDump {
    pub json: String,
    pub repo: InstalledRepo,
}

/// Renders installed.json and keeps the parsed form, so that a caller that needs the
/// installed repository right after writing it (the autoloader) does not read it back.
pub fn dump_installed(entries: &[InstalledEntry<'_>], dev_mode: bool) -> InstalledDump {
    let mut sorted: Vec<&InstalledEntry<'_>> = entries.iter().collect();
    sorted.sort_by(|a, b| a.package.pretty_name().cmp(b.package.pretty_name()));
    let packages: Vec<Value> = sorted
        .iter()
        .map(|e| Value::Object(dump_entry(e)))
        .collect();
    let mut dev_names: Vec<String> = sorted
        .iter()
        .filter(|e| e.dev)
        .map(|e| e.package.name())
        .collect();
    dev_names.sort();
    let mut root = Map::new();
    root.insert("packages".into(), Value::Array(packages));
    root.insert("dev".into(), Value::Bool(dev_mode));
    root.insert(
        "dev-package-names".into(),
        Value::Array(dev_names.iter().cloned().map(Value::String).collect()),
    );
    let root = Value::Object(root);
    let json = to_pretty(&root);
    let packages = match root {
        Value::Object(mut root) => match root.remove("packages") {
            Some(Value::Array(items)) => items,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    };
    let packages = packages
        .into_iter()
        .filter_map(|v| Package::from_value(v).ok())
        .collect();
    InstalledDump {
        json,
        repo: InstalledRepo {
            packages,
            dev: dev_mode,
            dev_package_names: dev_names,
        },
    }
}

fn dump_entry(entry: &InstalledEntry<'_>) -> Map<String, Value> {
    let data = entry.package.data();
    let mut out = Map::new();
    for key in DUMP_ORDER {
        let value = match key {
            "version_normalized" => Some(Value::String(entry.version_normalized.clone())),
            "installation-source" => installation_source(entry.package).map(Value::String),
            "type" => Some(Value::String(entry.package.package_type())),
            _ => data.get(key).cloned(),
        };
        let Some(mut value) = value else { continue };
        if SORTED_MAPS.contains(&key) {
            value = sort_object(value);
        }
        out.insert(key.to_string(), value);
    }
    out.insert(
        "install-path".into(),
        entry
            .install_path
            .clone()
            .map(Value::String)
            .unwrap_or(Value::Null),
    );
    out
}

fn installation_source(package: &Package) -> Option<String> {
    if package.is_metapackage() {
        None
    } else if package.get("dist").is_some() {
        Some("dist".into())
    } else if package.get("source").is_some() {
        Some("source".into())
    } else {
        None
    }
}

fn sort_object(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut items: Vec<(String, Value)> = map.into_iter().collect();
            items.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(items.into_iter().collect())
        }
        other => other,
    }
}

/// The root package as installed.php describes it.
pub struct RootInfo {
    pub name: String,
    pub pretty_version: String,
    pub version: String,
    pub package_type: String,
    /// Path from vendor/composer to the project root, e.g. `../../`.
    pub install_path: String,
    pub replace: Vec<(String, String)>,
    pub provide: Vec<(String, String)>,
}

/// A PHP array value for installed.php.
enum Php {
    Str(String),
    Bool(bool),
    Null,
    InstallPath(Option<String>),
    List(Vec<String>),
    Map(Vec<(String, Php)>),
}

/// The installed.php document (`<?php return array(...);`).
pub fn installed_php(root: &RootInfo, entries: &[InstalledEntry<'_>], dev_mode: bool) -> String {
    let mut versions: BTreeMap<String, Vec<(String, Php)>> = BTreeMap::new();
    let root_fields = |dev_flag: (&str, Php)| {
        vec![
            (
                "pretty_version".to_string(),
                Php::Str(root.pretty_version.clone()),
            ),
            ("version".to_string(), Php::Str(root.version.clone())),
            ("reference".to_string(), Php::Null),
            ("type".to_string(), Php::Str(root.package_type.clone())),
            (
                "install_path".to_string(),
                Php::InstallPath(Some(root.install_path.clone())),
            ),
            ("aliases".to_string(), Php::List(Vec::new())),
            (dev_flag.0.to_string(), dev_flag.1),
        ]
    };
    versions.insert(
        root.name.clone(),
        root_fields(("dev_requirement", Php::Bool(false))),
    );
    for e in entries {
        let p = e.package;
        versions.insert(
            p.name(),
            vec![
                (
                    "pretty_version".into(),
                    Php::Str(p.pretty_version().to_string()),
                ),
                ("version".into(), Php::Str(e.version_normalized.clone())),
                (
                    "reference".into(),
                    reference_of(p).map(Php::Str).unwrap_or(Php::Null),
                ),
                ("type".into(), Php::Str(p.package_type())),
                (
                    "install_path".into(),
                    Php::InstallPath(e.install_path.clone()),
                ),
                ("aliases".into(), Php::List(e.aliases.clone())),
                ("dev_requirement".into(), Php::Bool(e.dev)),
            ],
        );
    }
    // Replaced and provided names, from every package and the root (platform names excluded).
    let mut links: Vec<(&str, String, String, String, bool)> = Vec::new();
    for (target, constraint) in &root.replace {
        links.push((
            "replaced",
            target.clone(),
            constraint.clone(),
            root.pretty_version.clone(),
            false,
        ));
    }
    for (target, constraint) in &root.provide {
        links.push((
            "provided",
            target.clone(),
            constraint.clone(),
            root.pretty_version.clone(),
            false,
        ));
    }
    for e in entries {
        for (kind, key) in [("replaced", "replace"), ("provided", "provide")] {
            if let Some(Value::Object(map)) = e.package.get(key) {
                for (target, constraint) in map {
                    let Some(constraint) = constraint.as_str() else {
                        continue;
                    };
                    links.push((
                        kind,
                        target.to_lowercase(),
                        constraint.to_string(),
                        e.package.pretty_version().to_string(),
                        e.dev,
                    ));
                }
            }
        }
    }
    for (kind, target, constraint, own_version, dev) in links {
        if is_platform_package(&target) {
            continue;
        }
        let constraint = if constraint == "self.version" {
            own_version
        } else {
            constraint
        };
        let fields = versions.entry(target).or_default();
        match fields.iter_mut().find(|(k, _)| k == "dev_requirement") {
            Some((_, Php::Bool(flag))) => {
                if !dev {
                    *flag = false;
                }
            }
            _ => fields.push(("dev_requirement".into(), Php::Bool(dev))),
        }
        match fields.iter_mut().find(|(k, _)| k == kind) {
            Some((_, Php::List(list))) => {
                if !list.contains(&constraint) {
                    list.push(constraint);
                }
            }
            _ => fields.push((kind.to_string(), Php::List(vec![constraint]))),
        }
    }
    let mut root_map = root_fields(("dev", Php::Bool(dev_mode)));
    root_map.insert(0, ("name".into(), Php::Str(root.name.clone())));
    let doc = Php::Map(vec![
        ("root".into(), Php::Map(root_map)),
        (
            "versions".into(),
            Php::Map(
                versions
                    .into_iter()
                    .map(|(k, v)| (k, Php::Map(v)))
                    .collect(),
            ),
        ),
    ]);
    let mut out = String::from("<?php return ");
    write_php(&mut out, &doc, 0);
    out.push_str(";\n");
    out
}

fn reference_of(p: &Package) -> Option<String> {
    let preferred = match installation_source(p).as_deref() {
        Some("source") => p.source_reference(),
        Some(_) => p.dist_reference(),
        None => None,
    };
    preferred
        .or_else(|| p.source_reference().filter(|s| !s.is_empty()))
        .or_else(|| p.dist_reference().filter(|s| !s.is_empty()))
}

fn write_php(out: &mut String, value: &Php, level: usize) {
    match value {
        Php::Map(items) if items.is_empty() => out.push_str("array()"),
        Php::List(items) if items.is_empty() => out.push_str("array()"),
        Php::Map(items) => {
            out.push_str("array(\n");
            for (key, item) in items {
                push_indent(out, level + 1);
                push_php_string(out, key);
                out.push_str(" => ");
                write_php(out, item, level + 1);
                out.push_str(",\n");
            }
            push_indent(out, level);
            out.push(')');
        }
        Php::List(items) => {
            out.push_str("array(\n");
            for (i, item) in items.iter().enumerate() {
                push_indent(out, level + 1);
                let _ = write!(out, "{i} => ");
                push_php_string(out, item);
                out.push_str(",\n");
            }
            push_indent(out, level);
            out.push(')');
        }
        Php::Str(s) => push_php_string(out, s),
        Php::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Php::Null | Php::InstallPath(None) => out.push_str("null"),
        Php::InstallPath(Some(path)) if path.starts_with('/') => push_php_string(out, path),
        Php::InstallPath(Some(path)) => {
            out.push_str("__DIR__ . ");
            out.push_str(&php_string(&format!("/{path}")));
        }
    }
}

fn push_indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("    ");
    }
}

/// `var_export` of a string: single quotes, with `\` and `'` escaped.
pub fn php_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_php_string(&mut out, s);
    out
}

/// Appends `var_export` of a string to `out`.
pub fn push_php_string(out: &mut String, s: &str) {
    out.push('\'');
    let mut rest = s;
    // Both bytes are ASCII, so `i` is a character boundary.
    while let Some(i) = memchr::memchr2(b'\\', b'\'', rest.as_bytes()) {
        out.push_str(&rest[..i]);
        out.push('\\');
        out.push_str(&rest[i..i + 1]);
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
    out.push('\'');
}

/// Composer's platform package names (`php`, `ext-*`, `lib-*`, `composer-*-api`, …).
pub fn is_platform_package(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    if matches!(
        n.as_str(),
        "php"
            | "php-64bit"
            | "php-ipv6"
            | "php-zts"
            | "php-debug"
            | "hhvm"
            | "composer"
            | "composer-plugin-api"
            | "composer-runtime-api"
    ) {
        return true;
    }
    let rest = n.strip_prefix("ext-").or_else(|| n.strip_prefix("lib-"));
    match rest {
        Some(rest) => is_platform_suffix(rest),
        None => false,
    }
}

/// `[a-z0-9](?:[_.-]?[a-z0-9]+)*`
fn is_platform_suffix(rest: &str) -> bool {
    let bytes = rest.as_bytes();
    if bytes.is_empty() || !bytes[0].is_ascii_alphanumeric() {
        return false;
    }
    let mut prev_sep = false;
    for &b in &bytes[1..] {
        if b.is_ascii_alphanumeric() {
            prev_sep = false;
        } else if matches!(b, b'_' | b'.' | b'-') && !prev_sep {
            prev_sep = true;
        } else {
            return false;
        }
    }
    !prev_sep
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn pkg(v: Value) -> Package {
        Package::from_value(v).unwrap()
    }

    #[test]
    fn platform_names() {
        for n in [
            "php",
            "ext-json",
            "lib-libxml",
            "composer-plugin-api",
            "ext-pdo_mysql",
        ] {
            assert!(is_platform_package(n), "{n}");
        }
        for n in ["acme/x", "ext-", "ext--a", "phpunit/phpunit", "ext-a-"] {
            assert!(!is_platform_package(n), "{n}");
        }
    }

    #[test]
    fn installed_json_shape() {
        let lib = pkg(json!({"name": "acme/lib", "version": "1.1.0",
            "dist": {"type": "zip", "url": "https://r/x.zip", "shasum": "ab"},
            "require": {"php": ">=7.0"}, "type": "library", "description": "lib",
            "time": "2024-02-01T00:00:00+00:00", "bin": ["bin/acme-tool"],
            "autoload": {"psr-4": {"Acme\\Lib\\": "src/"}}}));
        let meta = pkg(
            json!({"name": "acme/meta", "version": "1.0.0", "type": "metapackage",
            "require": {"acme/lib": "^1.0", "acme/dotpkg": "*"}}),
        );
        let entries = vec![
            InstalledEntry {
                package: &meta,
                version_normalized: "1.0.0.0".into(),
                install_path: None,
                dev: false,
                aliases: vec![],
            },
            InstalledEntry {
                package: &lib,
                version_normalized: "1.1.0.0".into(),
                install_path: Some("../acme/lib".into()),
                dev: true,
                aliases: vec![],
            },
        ];
        let text = installed_json(&entries, true);
        let expected = r#"{
    "packages": [
        {
            "name": "acme/lib",
            "version": "1.1.0",
            "version_normalized": "1.1.0.0",
            "dist": {
                "type": "zip",
                "url": "https://r/x.zip",
                "shasum": "ab"
            },
            "require": {
                "php": ">=7.0"
            },
            "time": "2024-02-01T00:00:00+00:00",
            "bin": [
                "bin/acme-tool"
            ],
            "type": "library",
            "installation-source": "dist",
            "autoload": {
                "psr-4": {
                    "Acme\\Lib\\": "src/"
                }
            },
            "description": "lib",
            "install-path": "../acme/lib"
        },
        {
            "name": "acme/meta",
            "version": "1.0.0",
            "version_normalized": "1.0.0.0",
            "require": {
                "acme/dotpkg": "*",
                "acme/lib": "^1.0"
            },
            "type": "metapackage",
            "install-path": null
        }
    ],
    "dev": true,
    "dev-package-names": [
        "acme/lib"
    ]
}
"#;
        assert_eq!(text, expected);
    }

    #[test]
    fn installed_php_shape() {
        let replacer = pkg(
            json!({"name": "acme/replacer", "version": "1.2.0", "type": "metapackage",
            "replace": {"acme/old": "self.version"}, "provide": {"psr/log-implementation": "1.0|2.0", "ext-foo": "*"}}),
        );
        let entries = vec![InstalledEntry {
            package: &replacer,
            version_normalized: "1.2.0.0".into(),
            install_path: None,
            dev: false,
            aliases: vec!["1.3.0".into()],
        }];
        let root = RootInfo {
            name: "acme/root".into(),
            pretty_version: "1.0.0+no-version-set".into(),
            version: "1.0.0.0".into(),
            package_type: "library".into(),
            install_path: "../../".into(),
            replace: vec![],
            provide: vec![],
        };
        let php = installed_php(&root, &entries, true);
        assert!(php.starts_with(
            "<?php return array(\n    'root' => array(\n        'name' => 'acme/root',\n"
        ));
        assert!(php.contains("        'install_path' => __DIR__ . '/../../',\n"));
        assert!(php.contains("        'acme/old' => array(\n            'dev_requirement' => false,\n            'replaced' => array(\n                0 => '1.2.0',\n            ),\n        ),\n"));
        assert!(php.contains(
            "            'aliases' => array(\n                0 => '1.3.0',\n            ),\n"
        ));
        assert!(php.contains("'psr/log-implementation' => array(\n            'dev_requirement' => false,\n            'provided' => array(\n                0 => '1.0|2.0',\n"));
        assert!(!php.contains("ext-foo"));
        assert!(php.ends_with("    ),\n);\n"));
    }
}
