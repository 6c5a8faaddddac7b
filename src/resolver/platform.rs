//! Platform packages (Composer's `PlatformRepository`): `php` and its variants, `ext-*`,
//! `lib-*`, and Composer's own `composer`, `composer-plugin-api`, `composer-runtime-api`.
//!
//! Versions come from `config.platform` first; the rest from the local `php` binary, asked
//! once with `php -r` (extensions without a version of their own report PHP's version, a
//! version Composer cannot parse is cut to its leading `x.y.z` or becomes `0`). Without a
//! `php` on `PATH`, only `config.platform` and Composer's own packages exist, so a requirement
//! on `php` or an extension fails with an explanation that suggests `config.platform` or
//! `--ignore-platform-req`.

use std::process::Command;

use serde_json::{Map, Value};

use super::pool::{Link, Origin, PoolPackage};
use crate::semver::{normalize, parse_stability, Constraint};

/// The Composer version magefetch stands in for (2.5.5).
pub const COMPOSER_VERSION: &str = "2.5.5";
pub const PLUGIN_API_VERSION: &str = "2.3.0";
pub const RUNTIME_API_VERSION: &str = "2.2.2";

/// What the local php reports.
#[derive(Debug, Clone, Default)]
pub struct Detected {
    pub php: String,
    pub debug: bool,
    pub zts: bool,
    pub int_size: u32,
    pub ipv6: bool,
    /// (extension name, version) in `get_loaded_extensions()` order.
    pub extensions: Vec<(String, String)>,
    /// (library name without `lib-`, version).
    pub libraries: Vec<(String, String)>,
}

const PROBE: &str = r#"$e=[];foreach(get_loaded_extensions() as $n){$v=phpversion($n);$e[]=[$n,$v===false?'0':(string)$v];}
$l=[];if(defined('PCRE_VERSION')){$l[]=['pcre',preg_replace('{^(\S+).*}','$1',PCRE_VERSION)];}
if(defined('LIBXML_DOTTED_VERSION')){$l[]=['libxml',LIBXML_DOTTED_VERSION];}
if(defined('ZLIB_VERSION')){$l[]=['zlib',ZLIB_VERSION];}
if(defined('INTL_ICU_VERSION')){$l[]=['icu',INTL_ICU_VERSION];}
if(function_exists('curl_version')){$c=curl_version();$l[]=['curl',$c['version']];}
if(defined('OPENSSL_VERSION_TEXT')&&preg_match('{^OpenSSL ([0-9.]+)}',OPENSSL_VERSION_TEXT,$m)){$l[]=['openssl',$m[1]];}
echo json_encode(['php'=>PHP_VERSION,'debug'=>(bool)PHP_DEBUG,'zts'=>defined('PHP_ZTS')&&PHP_ZTS,'int'=>PHP_INT_SIZE,'ipv6'=>defined('AF_INET6')||@inet_pton('::')!==false,'ext'=>$e,'lib'=>$l]);"#;

impl Detected {
    /// Asks the `php` on `PATH`; `None` when there is none or it fails.
    pub fn probe() -> Option<Detected> {
        let out = Command::new("php").arg("-r").arg(PROBE).output().ok()?;
        if !out.status.success() {
            return None;
        }
        let v: Value = serde_json::from_slice(&out.stdout).ok()?;
        let pairs = |key: &str| -> Vec<(String, String)> {
            v.get(key)
                .and_then(Value::as_array)
                .map(|a| {
                    a.iter()
                        .filter_map(|p| {
                            Some((
                                p.get(0)?.as_str()?.to_string(),
                                p.get(1)?.as_str()?.to_string(),
                            ))
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        Some(Detected {
            php: v.get("php")?.as_str()?.to_string(),
            debug: v.get("debug").and_then(Value::as_bool).unwrap_or(false),
            zts: v.get("zts").and_then(Value::as_bool).unwrap_or(false),
            int_size: v.get("int").and_then(Value::as_u64).unwrap_or(8) as u32,
            ipv6: v.get("ipv6").and_then(Value::as_bool).unwrap_or(false),
            extensions: pairs("ext"),
            libraries: pairs("lib"),
        })
    }
}

/// The platform of a run.
#[derive(Debug, Clone, Default)]
pub struct Platform {
    pub detected: Option<Detected>,
    /// `config.platform` as written (name → version string or `false`).
    pub overrides: Vec<(String, Value)>,
}

impl Platform {
    pub fn new(
        detected: Option<Detected>,
        config_platform: Option<&Map<String, Value>>,
    ) -> Platform {
        let overrides = config_platform
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        Platform {
            detected,
            overrides,
        }
    }

    /// `platform-overrides` of the lock (only when `config.platform` is not empty).
    pub fn overrides_value(&self) -> Option<Value> {
        if self.overrides.is_empty() {
            return None;
        }
        Some(Value::Object(self.overrides.iter().cloned().collect()))
    }

    fn override_of(&self, name: &str) -> Option<&Value> {
        self.overrides
            .iter()
            .find(|(n, _)| n.to_lowercase() == name)
            .map(|(_, v)| v)
    }

    /// The platform packages, in the order Composer's platform repository lists them.
    pub fn packages(&self) -> Vec<PoolPackage> {
        let mut out: Vec<PoolPackage> = Vec::new();
        for (name, version) in &self.overrides {
            if let Some(v) = version_string(version) {
                push(&mut out, &name.to_lowercase(), name, &v);
            }
        }
        let add = |out: &mut Vec<PoolPackage>, name: &str, pretty: &str| {
            if self.override_of(name).is_some() {
                return;
            }
            if name.starts_with("php-") {
                if let Some(php) = self.override_of("php").and_then(version_string) {
                    push(out, name, name, &php);
                    return;
                }
            }
            push(out, name, name, pretty);
        };
        add(&mut out, "composer", COMPOSER_VERSION);
        add(&mut out, "composer-plugin-api", PLUGIN_API_VERSION);
        add(&mut out, "composer-runtime-api", RUNTIME_API_VERSION);
        let Some(d) = &self.detected else {
            return out;
        };
        let php = if normalize(&d.php).is_ok() {
            d.php.clone()
        } else {
            d.php
                .split(['~', '+', '-'])
                .next()
                .unwrap_or(&d.php)
                .to_string()
        };
        add(&mut out, "php", &php);
        if d.debug {
            add(&mut out, "php-debug", &php);
        }
        if d.zts {
            add(&mut out, "php-zts", &php);
        }
        if d.int_size == 8 {
            add(&mut out, "php-64bit", &php);
        }
        if d.ipv6 {
            add(&mut out, "php-ipv6", &php);
        }
        for (name, version) in &d.extensions {
            if name == "standard" || name == "Core" {
                continue;
            }
            let pretty = if normalize(version).is_ok() {
                version.clone()
            } else {
                leading_version(version).unwrap_or_else(|| "0".into())
            };
            let pkg = format!("ext-{}", name.to_lowercase().replace(' ', "-"));
            add(&mut out, &pkg, &pretty);
        }
        for (name, version) in &d.libraries {
            if normalize(version).is_ok() {
                add(&mut out, &format!("lib-{name}"), version);
            }
        }
        out
    }
}

fn version_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `^(\d+\.\d+\.\d+(?:\.\d+)?)`.
fn leading_version(v: &str) -> Option<String> {
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() < 3 {
        return None;
    }
    let mut out = Vec::new();
    for p in parts.iter().take(4) {
        let digits: String = p.chars().take_while(|c| c.is_ascii_digit()).collect();
        if digits.is_empty() {
            break;
        }
        out.push(digits.clone());
        if digits.len() != p.len() {
            break;
        }
    }
    (out.len() >= 3).then(|| out.join("."))
}

fn push(out: &mut Vec<PoolPackage>, name: &str, pretty_name: &str, pretty: &str) {
    let Ok(version) = normalize(pretty) else {
        return;
    };
    if out.iter().any(|p| p.name == name) {
        return;
    }
    let replaces = if name == "ext-uuid" {
        vec![Link::new("lib-uuid", Constraint::exact(&version), pretty)]
    } else {
        Vec::new()
    };
    out.push(PoolPackage {
        id: out.len() as u32,
        name: name.to_string(),
        pretty_name: pretty_name.to_string(),
        stability: parse_stability(&version),
        version,
        pretty_version: pretty.to_string(),
        requires: Vec::new(),
        conflicts: Vec::new(),
        provides: Vec::new(),
        replaces,
        alias_of: None,
        root_alias: false,
        self_version_requires: false,
        origin: Origin::Platform,
        data: None,
        seq: 0,
    });
}
