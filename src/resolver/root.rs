//! The root package as Composer's `RootPackageLoader` reads composer.json: requirements in
//! file order, stability flags, inline aliases, `minimum-stability`, `prefer-stable`, and the
//! root's own `conflict` / `provide` / `replace` links.

use serde_json::{Map, Value};

use super::pool::{parse_links, Origin, PoolPackage};
use super::stability::StabilitySettings;
use super::RootAlias;
use crate::composer::installed::is_platform_package;
use crate::semver::{normalize, parse_constraints, parse_stability, Constraint, Stability};

/// composer.json, read for resolution.
#[derive(Debug, Clone)]
pub struct RootConfig {
    /// Lower-cased name (`__root__` when there is none).
    pub name: String,
    pub pretty_name: String,
    pub version: String,
    pub pretty_version: String,
    /// `require` as written: (lower-cased name, constraint string).
    pub require: Vec<(String, String)>,
    pub require_dev: Vec<(String, String)>,
    parsed_require: Vec<(String, Constraint)>,
    parsed_require_dev: Vec<(String, Constraint)>,
    pub minimum_stability: Stability,
    /// As the lock writes it (`stable`, `dev`, `RC`, …).
    pub minimum_stability_name: String,
    pub prefer_stable: bool,
    pub aliases: Vec<RootAlias>,
    /// Whether the root's own name has a flag from its requirements (it is always in the
    /// solver's flags, but only a flag from a requirement goes into the lock).
    pub flags_include_root: bool,
    data: Map<String, Value>,
}

fn input(message: String) -> super::ResolveError {
    super::ResolveError::Input(message)
}

impl RootConfig {
    /// Reads a decoded composer.json; `Err` names the key and what is wrong.
    pub fn from_json(json: &Value) -> Result<RootConfig, super::ResolveError> {
        let Some(data) = json.as_object() else {
            return Err(input("composer.json must contain a JSON object".into()));
        };
        let pretty_name = data
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("__root__")
            .to_string();
        let (pretty_version, version) = root_version(data)?;
        let require = requirement_list(data, "require")?;
        let require_dev = requirement_list(data, "require-dev")?;
        let minimum_stability_name = match data.get("minimum-stability").and_then(Value::as_str) {
            Some(s) => s
                .parse::<Stability>()
                .map_err(|_| {
                    input(format!(
                        "composer.json: `minimum-stability` \"{s}\" is not one of stable, RC, beta, alpha, dev"
                    ))
                })?
                .as_str()
                .to_string(),
            None => "stable".to_string(),
        };
        let minimum_stability = minimum_stability_name.parse().unwrap_or(Stability::Stable);
        let parse = |list: &[(String, String)], key: &str| {
            list.iter()
                .map(|(n, c)| {
                    parse_constraints(c).map(|pc| (n.clone(), pc)).map_err(|e| {
                        input(format!(
                            "composer.json: {key}.{n}: {}",
                            e.composer_message()
                        ))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let parsed_require = parse(&require, "require")?;
        let parsed_require_dev = parse(&require_dev, "require-dev")?;
        let mut aliases = Vec::new();
        for list in [&require, &require_dev] {
            for (name, constraint) in list {
                if let Some(alias) = inline_alias(name, constraint)? {
                    aliases.push(alias);
                }
            }
        }
        let name = pretty_name.to_lowercase();
        if require.iter().chain(&require_dev).any(|(n, _)| *n == name) {
            return Err(input(format!(
                "Root package '{name}' cannot require itself in its composer.json"
            )));
        }
        let prefer_stable = match data.get("prefer-stable") {
            Some(Value::Bool(b)) => *b,
            Some(Value::Null) | None => false,
            Some(Value::String(s)) => !s.is_empty() && s != "0",
            Some(Value::Number(n)) => n.as_f64() != Some(0.0),
            Some(_) => true,
        };
        let mut cfg = RootConfig {
            name,
            pretty_name,
            version,
            pretty_version,
            require,
            require_dev,
            parsed_require,
            parsed_require_dev,
            minimum_stability,
            minimum_stability_name,
            prefer_stable,
            aliases,
            flags_include_root: false,
            data: data.clone(),
        };
        let base = StabilitySettings::from_root(minimum_stability, &cfg.require, &cfg.require_dev);
        cfg.flags_include_root = base.flags.contains_key(&cfg.name);
        Ok(cfg)
    }

    /// Stability settings for the pool (the root's own name gets its version's stability).
    pub fn stability_settings(&self) -> StabilitySettings {
        let mut s =
            StabilitySettings::from_root(self.minimum_stability, &self.require, &self.require_dev);
        s.flags
            .insert(self.name.clone(), parse_stability(&self.version));
        s
    }

    /// The root as a fixed pool package: no requirements, its conflict/provide/replace links.
    pub fn fixed_package(&self) -> PoolPackage {
        let links = |key: &str| parse_links(&self.data, key, &self.name, &self.pretty_version);
        PoolPackage {
            id: 0,
            name: self.name.clone(),
            pretty_name: self.pretty_name.clone(),
            version: self.version.clone(),
            pretty_version: self.pretty_version.clone(),
            stability: parse_stability(&self.version),
            requires: Vec::new(),
            conflicts: links("conflict"),
            provides: links("provide"),
            replaces: links("replace"),
            alias_of: None,
            root_alias: false,
            self_version_requires: false,
            origin: Origin::Root,
            data: None,
            seq: 0,
        }
    }

    /// The request's requirements: `require` then `require-dev`, one per name (a name in
    /// both takes the require-dev constraint at the require position).
    pub fn request_requires(&self) -> Vec<(String, Constraint)> {
        let mut out: Vec<(String, Constraint)> = Vec::new();
        for (name, c) in self.parsed_require.iter().chain(&self.parsed_require_dev) {
            match out.iter_mut().find(|(n, _)| n == name) {
                Some(e) => e.1 = c.clone(),
                None => out.push((name.clone(), c.clone())),
            }
        }
        out
    }

    /// `require` only (the second solve that separates dev packages).
    pub fn request_requires_non_dev(&self) -> Vec<(String, Constraint)> {
        self.parsed_require.clone()
    }

    /// The lock's `platform` / `platform-dev`: platform requirements as written.
    pub fn platform_requires(&self, dev: bool) -> Vec<(String, String)> {
        let list = if dev {
            &self.require_dev
        } else {
            &self.require
        };
        let mut out: Vec<(String, String)> = Vec::new();
        for (name, c) in list {
            if !is_platform_package(name) {
                continue;
            }
            match out.iter_mut().find(|(n, _)| n == name) {
                Some(e) => e.1 = c.clone(),
                None => out.push((name.clone(), c.clone())),
            }
        }
        out
    }

    /// `config.platform` of composer.json.
    pub fn config_platform(&self) -> Option<&Map<String, Value>> {
        self.data
            .get("config")
            .and_then(|c| c.get("platform"))
            .and_then(Value::as_object)
    }
}

/// The root version: `version`, else `COMPOSER_ROOT_VERSION`, else `1.0.0+no-version-set`.
fn root_version(data: &Map<String, Value>) -> Result<(String, String), super::ResolveError> {
    let given = data
        .get("version")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            std::env::var("COMPOSER_ROOT_VERSION")
                .ok()
                .filter(|v| !v.is_empty())
        });
    match given {
        Some(v) => {
            let n = normalize(&v)
                .map_err(|e| input(format!("composer.json: version: {}", e.composer_message())))?;
            Ok((v, n))
        }
        None => Ok(("1.0.0+no-version-set".into(), "1.0.0.0".into())),
    }
}

/// A link map of composer.json as (name, constraint) in file order; names must be lower case
/// like Composer demands of root requirements.
fn requirement_list(
    data: &Map<String, Value>,
    key: &str,
) -> Result<Vec<(String, String)>, super::ResolveError> {
    let Some(value) = data.get(key) else {
        return Ok(Vec::new());
    };
    let Value::Object(map) = value else {
        if value.as_array().is_some_and(|a| a.is_empty()) {
            return Ok(Vec::new());
        }
        return Err(input(format!("composer.json: `{key}` must be an object")));
    };
    let mut out = Vec::new();
    for (name, c) in map {
        let Some(c) = c.as_str() else {
            return Err(input(format!(
                "composer.json: {key}.{name}: the constraint must be a string"
            )));
        };
        if name.to_lowercase() != *name {
            return Err(input(format!(
                "{key}.{name} is invalid, it should not contain uppercase characters. Please use {} instead.",
                name.to_lowercase()
            )));
        }
        out.push((name.clone(), c.to_string()));
    }
    Ok(out)
}

/// `RootPackageLoader::extractAliases` for one requirement.
fn inline_alias(name: &str, constraint: &str) -> Result<Option<RootAlias>, super::ResolveError> {
    // `(?:^|\| *|, *)([^,\s#|]+)(?:#[^ ]+)? +as +([^,\s|]+)(?:$| *\|| *,)`
    for part in constraint.split(['|', ',']) {
        let part = part.trim_start();
        let Some(pos) = part.find(" as ") else {
            continue;
        };
        let source = part[..pos].trim_end();
        let target = part[pos + 4..].trim();
        let source = source.split('#').next().unwrap_or(source);
        if source.is_empty() || target.is_empty() || source.contains(char::is_whitespace) {
            continue;
        }
        let version = normalize(source).map_err(|e| input(e.composer_message().to_string()))?;
        let alias_normalized =
            normalize(target).map_err(|e| input(e.composer_message().to_string()))?;
        return Ok(Some(RootAlias {
            package: name.to_lowercase(),
            version,
            alias: target.to_string(),
            alias_normalized,
        }));
    }
    if constraint.contains(" as ") {
        return Err(input(format!(
            "Invalid alias definition in \"{name}\": \"{constraint}\". Aliases should be in the form \"exact-version as other-exact-version\"."
        )));
    }
    Ok(None)
}
