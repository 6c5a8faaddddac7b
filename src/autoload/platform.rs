//! `vendor/composer/platform_check.php`: the check Composer's autoloader runs first, which stops
//! with a clear message when the running PHP is older than every installed package allows (and,
//! with `"platform-check": true`, when a required extension is missing).
//!
//! Composer's rules: the lowest PHP version is the highest lower bound of the `php`
//! requirements of the root and of every installed package that is not a dev package;
//! `--ignore-platform-req(s)` removes what it names, `"platform-check": false` (or ignoring
//! every platform requirement) writes no file, and so does a project without any PHP
//! requirement. The default, `"php-only"`, checks the version only.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::composer::installed::php_string;
use crate::resolver::PlatformFilter;
use crate::semver::{lower_bound, Bound, Constraint};

/// What `config.platform-check` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Off,
    PhpOnly,
    Full,
}

impl Mode {
    /// The config value (`false`, `"php-only"`, `true`); absent means `"php-only"`.
    pub fn from_config(value: Option<&Value>) -> Mode {
        match value {
            Some(Value::Bool(false)) => Mode::Off,
            Some(Value::Bool(true)) => Mode::Full,
            _ => Mode::PhpOnly,
        }
    }
}

/// One package's links, as the check reads them.
pub struct Links<'a> {
    pub name: &'a str,
    pub require: Option<&'a Value>,
    pub replace: Option<&'a Value>,
    pub provide: Option<&'a Value>,
}

/// The file's text, or `None` when there is nothing to check (the file is then removed).
pub fn check_file(
    packages: &[Links<'_>],
    mode: Mode,
    dev_names: &[String],
    filter: &PlatformFilter,
) -> Option<String> {
    if mode == Mode::Off || matches!(filter, PlatformFilter::All) {
        return None;
    }
    let links = |v: Option<&Value>| -> Vec<(String, Constraint)> {
        let Some(Value::Object(map)) = v else {
            return Vec::new();
        };
        map.iter()
            .filter_map(|(name, c)| {
                let c = Constraint::parse(c.as_str()?).ok()?;
                Some((name.to_lowercase(), c))
            })
            .collect()
    };
    let mut providers: BTreeMap<String, Vec<Constraint>> = BTreeMap::new();
    for p in packages {
        for (name, c) in links(p.replace).into_iter().chain(links(p.provide)) {
            if let Some(ext) = name.strip_prefix("ext-") {
                providers.entry(ext.to_string()).or_default().push(c);
            }
        }
    }
    let mut lowest = Bound::zero();
    let mut extensions: BTreeMap<String, String> = BTreeMap::new();
    for p in packages {
        if dev_names.iter().any(|d| d == p.name) {
            continue;
        }
        for (name, c) in links(p.require) {
            if filter.is_ignored(&name) {
                continue;
            }
            if name == "php" {
                let bound = lower_bound(c.node());
                if bound.is_above(&lowest) {
                    lowest = bound;
                }
            }
            let Some(ext) = name.strip_prefix("ext-") else {
                continue;
            };
            if mode != Mode::Full {
                continue;
            }
            if providers
                .get(ext)
                .is_some_and(|provided| provided.iter().any(|p| p.matches(&c)))
            {
                continue;
            }
            let ext = if ext == "zend-opcache" {
                "zend opcache"
            } else {
                ext
            };
            let quoted = php_string(ext);
            let line = if ext == "pcntl" || ext == "readline" {
                format!("PHP_SAPI !== 'cli' || extension_loaded({quoted}) || $missingExtensions[] = {quoted};\n")
            } else {
                format!("extension_loaded({quoted}) || $missingExtensions[] = {quoted};\n")
            };
            // Keyed by the quoted name, as Composer's ksort() orders them.
            extensions.insert(quoted, line);
        }
    }
    let mut php = String::new();
    if !lowest.is_zero() {
        let operator = if lowest.inclusive { ">=" } else { ">" };
        php = format!(
            "\nif (!(PHP_VERSION_ID {operator} {})) {{\n    $issues[] = 'Your Composer dependencies require a PHP version \"{operator} {}\". You are running ' . PHP_VERSION . '.';\n}}\n",
            version_id(&lowest),
            human(&lowest)
        );
    }
    let mut ext = String::new();
    if !extensions.is_empty() {
        ext = format!(
            "\n$missingExtensions = array();\n{}\nif ($missingExtensions) {{\n    $issues[] = 'Your Composer dependencies require the following PHP extensions to be installed: ' . implode(', ', $missingExtensions) . '.';\n}}\n",
            extensions.into_values().collect::<String>()
        );
    }
    if php.is_empty() && ext.is_empty() {
        return None;
    }
    Some(format!(
        "<?php\n\n// platform_check.php @generated by magefetch\n\n$issues = array();\n{php}{ext}\nif ($issues) {{\n    if (!headers_sent()) {{\n        header('HTTP/1.1 500 Internal Server Error');\n    }}\n    if (!ini_get('display_errors')) {{\n        if (PHP_SAPI === 'cli' || PHP_SAPI === 'phpdbg') {{\n            fwrite(STDERR, 'Composer detected issues in your platform:' . PHP_EOL.PHP_EOL . implode(PHP_EOL, $issues) . PHP_EOL.PHP_EOL);\n        }} elseif (!headers_sent()) {{\n            echo 'Composer detected issues in your platform:' . PHP_EOL.PHP_EOL . str_replace('You are running '.PHP_VERSION.'.', '', implode(PHP_EOL, $issues)) . PHP_EOL.PHP_EOL;\n        }}\n    }}\n    trigger_error(\n        'Composer detected issues in your platform: ' . implode(' ', $issues),\n        E_USER_ERROR\n    );\n}}\n"
    ))
}

/// `PHP_VERSION_ID` of a bound: `8.1.0.0-dev` → 80100.
fn version_id(bound: &Bound) -> u64 {
    if bound.is_positive_infinity() {
        return 99999;
    }
    let chunks: Vec<u64> = bound
        .version
        .replace('-', ".")
        .split('.')
        .map(php_intval)
        .collect();
    let at = |i: usize| chunks.get(i).copied().unwrap_or(0);
    at(0) * 10000 + at(1) * 100 + at(2)
}

/// The first three parts of the version: `8.1.0.0-dev` → `8.1.0`.
fn human(bound: &Bound) -> String {
    if bound.is_positive_infinity() {
        return "99999".to_string();
    }
    let version = bound.version.replace('-', ".");
    version.split('.').take(3).collect::<Vec<_>>().join(".")
}

/// PHP's `intval()` of a string: the leading digits, 0 when there are none.
fn php_intval(s: &str) -> u64 {
    let digits: String = s.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn highest_php_lower_bound_of_non_dev_packages() {
        let root = json!({"php": "~8.1.0||~8.2.0||~8.3.0", "ext-intl": "*"});
        let a = json!({"php": ">=7.4", "ext-pcntl": "*", "ext-zend-opcache": "*"});
        let dev = json!({"php": ">=8.3"});
        let provides = json!({"ext-intl": "*"});
        let packages = [
            Links {
                name: "__root__",
                require: Some(&root),
                replace: None,
                provide: None,
            },
            Links {
                name: "a/a",
                require: Some(&a),
                replace: None,
                provide: None,
            },
            Links {
                name: "d/dev",
                require: Some(&dev),
                replace: None,
                provide: Some(&provides),
            },
        ];
        let dev_names = vec!["d/dev".to_string()];
        let text = check_file(&packages, Mode::PhpOnly, &dev_names, &PlatformFilter::None).unwrap();
        assert!(text.contains("if (!(PHP_VERSION_ID >= 80100)) {"), "{text}");
        assert!(
            text.contains("require a PHP version \">= 8.1.0\"."),
            "{text}"
        );
        assert!(!text.contains("extension_loaded"));
        let full = check_file(&packages, Mode::Full, &dev_names, &PlatformFilter::None).unwrap();
        assert!(full.contains(
            "PHP_SAPI !== 'cli' || extension_loaded('pcntl') || $missingExtensions[] = 'pcntl';\n"
        ));
        assert!(full.contains("extension_loaded('zend opcache')"));
        // Provided by a (dev) package: not checked.
        assert!(!full.contains("'intl'"), "{full}");
        assert!(check_file(&packages, Mode::Off, &dev_names, &PlatformFilter::None).is_none());
        assert!(check_file(&packages, Mode::PhpOnly, &dev_names, &PlatformFilter::All).is_none());
        let no_php = PlatformFilter::List(vec!["php".into()]);
        assert!(check_file(&packages, Mode::PhpOnly, &dev_names, &no_php).is_none());
    }
}
