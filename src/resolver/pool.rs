//! The packages the solver chooses from (Composer's `Pool`), with integer ids.
//!
//! Ids start at 1 and follow the order in which the pool builder loaded the packages: the
//! fixed root package, the platform packages, then repository packages batch by batch in
//! repository order. The policy breaks ties by id, so this order is part of the result.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::semver::{
    parse_constraints, parse_stability, Constraint, ConstraintNode, Op, Stability,
};

/// Where a pool package comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// The project's own composer.json (fixed).
    Root,
    /// `php`, `ext-*`, `lib-*`, `composer-*` (fixed).
    Platform,
    /// A repository, by its index in priority order.
    Repository(usize),
    /// composer.lock (partial updates keep these).
    Locked,
}

/// A link (`require`, `conflict`, `provide`, `replace`) of a package.
#[derive(Debug, Clone)]
pub struct Link {
    /// Lower-cased target name.
    pub target: String,
    pub constraint: Constraint,
    /// The constraint as written (`self.version` stays `self.version`).
    pub pretty: String,
}

impl Link {
    pub fn new(target: &str, constraint: Constraint, pretty: &str) -> Link {
        Link {
            target: target.to_string(),
            constraint,
            pretty: pretty.to_string(),
        }
    }
}

/// One package version in the pool (a real package or an alias of one).
#[derive(Debug, Clone)]
pub struct PoolPackage {
    pub id: u32,
    /// Lower-cased name.
    pub name: String,
    pub pretty_name: String,
    /// Normalized version.
    pub version: String,
    pub pretty_version: String,
    pub stability: Stability,
    pub requires: Vec<Link>,
    pub conflicts: Vec<Link>,
    pub provides: Vec<Link>,
    pub replaces: Vec<Link>,
    /// For an alias: the id of the aliased package.
    pub alias_of: Option<u32>,
    /// An alias from the root's `"x": "a as b"` requirement.
    pub root_alias: bool,
    /// An alias whose requires used `self.version`.
    pub self_version_requires: bool,
    pub origin: Origin,
    /// The repository entry (for composer.lock), when there is one.
    pub data: Option<Arc<Map<String, Value>>>,
    /// Position of the entry in its repository (ties between names follow it).
    pub seq: usize,
}

impl PoolPackage {
    pub fn is_alias(&self) -> bool {
        self.alias_of.is_some()
    }

    /// `getNames()`: the name, provided names (when `provides`) and replaced names.
    pub fn names(&self, provides: bool) -> Vec<&str> {
        let mut out = vec![self.name.as_str()];
        if provides {
            for l in &self.provides {
                if !out.contains(&l.target.as_str()) {
                    out.push(&l.target);
                }
            }
        }
        for l in &self.replaces {
            if !out.contains(&l.target.as_str()) {
                out.push(&l.target);
            }
        }
        out
    }

    /// `name version` as Composer prints it (`acme/a 1.0.0`).
    pub fn pretty_string(&self) -> String {
        format!("{} {}", self.pretty_name, self.pretty_version)
    }

    /// Builds a package from a repository or lock entry (Composer's `ArrayLoader`):
    /// lower-cased link targets, self-links dropped, `self.version` resolved.
    pub fn from_entry(
        data: Arc<Map<String, Value>>,
        normalized: &str,
        origin: Origin,
        seq: usize,
    ) -> PoolPackage {
        let pretty_name = data
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let pretty_version = match data.get("version") {
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        let name = pretty_name.to_lowercase();
        let links = |key: &str| parse_links(&data, key, &name, &pretty_version);
        PoolPackage {
            id: 0,
            stability: parse_stability(normalized),
            version: normalized.to_string(),
            requires: links("require"),
            conflicts: links("conflict"),
            provides: links("provide"),
            replaces: links("replace"),
            name,
            pretty_name,
            pretty_version,
            alias_of: None,
            root_alias: false,
            self_version_requires: false,
            origin,
            data: Some(data),
            seq,
        }
    }

    /// An alias of `base` (`AliasPackage`): `self.version` links point at the alias version;
    /// for conflict/provide/replace the aliased link is kept and the alias one added.
    pub fn alias(
        base: &PoolPackage,
        version: &str,
        pretty_version: &str,
        root: bool,
    ) -> PoolPackage {
        let self_pretty = if pretty_version == "9999999-dev" {
            base.pretty_version.clone()
        } else {
            pretty_version.to_string()
        };
        let exact = |target: &str| {
            let c = Constraint::from_node(ConstraintNode::Single {
                op: Op::Eq,
                version: version.to_string(),
            });
            Link::new(target, c, &self_pretty)
        };
        let mut has_self = false;
        let requires = base
            .requires
            .iter()
            .map(|l| {
                if l.pretty == "self.version" {
                    has_self = true;
                    exact(&l.target)
                } else {
                    l.clone()
                }
            })
            .collect();
        let extend = |links: &[Link]| {
            let mut out = links.to_vec();
            for l in links {
                if l.pretty == "self.version" {
                    out.push(exact(&l.target));
                }
            }
            out
        };
        PoolPackage {
            id: 0,
            name: base.name.clone(),
            pretty_name: base.pretty_name.clone(),
            version: version.to_string(),
            pretty_version: pretty_version.to_string(),
            stability: parse_stability(version),
            requires,
            conflicts: extend(&base.conflicts),
            provides: extend(&base.provides),
            replaces: extend(&base.replaces),
            alias_of: Some(base.id),
            root_alias: root,
            self_version_requires: has_self,
            origin: base.origin,
            data: base.data.clone(),
            seq: base.seq,
        }
    }
}

/// Reads one link map (`require`, …) of an entry.
pub fn parse_links(
    data: &Map<String, Value>,
    key: &str,
    own_name: &str,
    pretty_version: &str,
) -> Vec<Link> {
    let Some(Value::Object(map)) = data.get(key) else {
        return Vec::new();
    };
    let mut out: Vec<Link> = Vec::new();
    for (target, value) in map {
        let target = target.to_lowercase();
        if target == own_name {
            continue;
        }
        let Some(pretty) = value.as_str() else {
            continue;
        };
        let parsed = if pretty == "self.version" {
            parse_constraints(pretty_version)
        } else {
            parse_constraints(pretty)
        };
        let Ok(constraint) = parsed else { continue };
        let link = Link::new(&target, constraint, pretty);
        match out.iter_mut().find(|l| l.target == target) {
            Some(existing) => *existing = link,
            None => out.push(link),
        }
    }
    out
}

/// `whatProvides` results by (name, constraint string).
type ProviderCache = HashMap<(String, String), Arc<Vec<u32>>>;

/// The pool: packages by id and the names each one answers to.
pub struct Pool {
    packages: Vec<PoolPackage>,
    by_name: HashMap<String, Vec<u32>>,
    provider_cache: std::cell::RefCell<ProviderCache>,
    /// Versions that were left out because of their stability, by name (for explanations).
    pub unacceptable: HashMap<String, Vec<String>>,
}

impl Pool {
    pub fn new(mut packages: Vec<PoolPackage>) -> Pool {
        let mut by_name: HashMap<String, Vec<u32>> = HashMap::new();
        let mut remap = HashMap::new();
        for (i, p) in packages.iter_mut().enumerate() {
            let new_id = i as u32 + 1;
            remap.insert(p.id, new_id);
            p.id = new_id;
        }
        for p in packages.iter_mut() {
            if let Some(a) = p.alias_of {
                p.alias_of = remap.get(&a).copied();
            }
        }
        for p in &packages {
            for n in p.names(true) {
                by_name.entry(n.to_string()).or_default().push(p.id);
            }
        }
        Pool {
            packages,
            by_name,
            provider_cache: Default::default(),
            unacceptable: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.packages.len()
    }

    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }

    pub fn get(&self, id: u32) -> &PoolPackage {
        &self.packages[id as usize - 1]
    }

    pub fn literal(&self, literal: i32) -> &PoolPackage {
        self.get(literal.unsigned_abs())
    }

    pub fn packages(&self) -> &[PoolPackage] {
        &self.packages
    }

    /// `Pool::whatProvides`: packages named `name` matching the constraint, and packages that
    /// provide or replace `name` with an intersecting constraint; in id order.
    pub fn what_provides(&self, name: &str, constraint: Option<&Constraint>) -> Arc<Vec<u32>> {
        let key = (
            name.to_string(),
            constraint.map(|c| c.to_string()).unwrap_or_default(),
        );
        if let Some(hit) = self.provider_cache.borrow().get(&key) {
            return hit.clone();
        }
        let mut out = Vec::new();
        if let Some(ids) = self.by_name.get(name) {
            for &id in ids {
                if self.matches(self.get(id), name, constraint) {
                    out.push(id);
                }
            }
        }
        let out = Arc::new(out);
        self.provider_cache.borrow_mut().insert(key, out.clone());
        out
    }

    fn matches(&self, p: &PoolPackage, name: &str, constraint: Option<&Constraint>) -> bool {
        if p.name == name {
            return constraint.is_none_or(|c| c.matches_version(&p.version));
        }
        let hit = |links: &[Link]| {
            links
                .iter()
                .any(|l| l.target == name && constraint.is_none_or(|c| c.matches(&l.constraint)))
        };
        hit(&p.provides) || hit(&p.replaces)
    }
}
