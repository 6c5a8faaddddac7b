//! Which package versions go into the pool (Composer's `PoolBuilder`).
//!
//! Starting from the fixed packages (root, platform) and the locked packages of a partial
//! update, every required name is loaded from the repositories, batch by batch: the first
//! repository that has a name answers for it (lower ones are not asked), only versions that
//! match a constraint seen so far and the stability settings are taken, and each loaded
//! package's requirements mark further names. A package that only provides or replaces a name
//! is never loaded for that name: it must be required by its own name. For partial updates the
//! locked packages outside the allow list stay locked unless `-w` / `-W` unlocks their
//! dependencies.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use futures::future::BoxFuture;
use indexmap::IndexMap;

use super::pool::{Origin, PoolPackage};
use super::stability::StabilitySettings;
use super::{branch_alias, RootAlias};
use crate::repository::PackageVersion;
use crate::semver::{Constraint, Stability};

/// What the pool builder loads packages from.
pub trait PackageSource: Sync {
    /// Number of repositories, in priority order.
    fn repository_count(&self) -> usize;
    /// Every version of each name (`want_dev` asks for branches too) in one repository.
    fn fetch<'a>(
        &'a self,
        repository: usize,
        names: &'a [(String, bool)],
    ) -> BoxFuture<'a, Result<Vec<Arc<Vec<PackageVersion>>>, super::ResolveError>>;
}

/// Which locked packages a partial update may change.
#[derive(Debug, Clone, Default)]
pub struct UpdateAllow {
    /// Name patterns (`*` wildcards), lower-cased.
    pub patterns: Vec<String>,
    /// `-w`: dependencies of listed packages may change too.
    pub with_dependencies: bool,
    /// `-W`: also dependencies that are root requirements.
    pub with_all_dependencies: bool,
}

/// A request as the solver sees it.
pub struct PoolRequest {
    pub fixed: Vec<usize>,
    pub locked: Vec<usize>,
    pub requires: Vec<(String, Constraint)>,
}

/// Constraints seen for a name: the union is what gets loaded.
#[derive(Clone, Debug)]
enum Seen {
    All,
    Some(Vec<Constraint>),
}

impl Seen {
    fn covers(&self, c: &Constraint) -> bool {
        match self {
            Seen::All => true,
            Seen::Some(list) => {
                let key = c.to_string();
                list.iter().any(|x| x.to_string() == key)
            }
        }
    }

    fn with(&self, c: &Constraint) -> Seen {
        match self {
            Seen::All => Seen::All,
            Seen::Some(list) => {
                if c.is_match_all() {
                    return Seen::All;
                }
                let mut l = list.clone();
                l.push(c.clone());
                Seen::Some(l)
            }
        }
    }

    fn matches(&self, version: &str) -> bool {
        match self {
            Seen::All => true,
            Seen::Some(list) => list.iter().any(|c| c.matches_version(version)),
        }
    }
}

/// The pool builder's working state.
pub struct PoolBuilder<'a> {
    stability: &'a StabilitySettings,
    root_aliases: &'a [RootAlias],
    source: &'a dyn PackageSource,
    allow: Option<&'a UpdateAllow>,
    /// Loaded packages by insertion index (`None` once removed).
    packages: Vec<Option<PoolPackage>>,
    /// index → indexes of its aliases.
    alias_map: HashMap<usize, Vec<usize>>,
    to_load: IndexMap<String, Seen>,
    loaded: HashMap<String, Seen>,
    loaded_per_repo: HashMap<(usize, String, String), ()>,
    max_extended: HashSet<String>,
    skipped_load: HashMap<String, Vec<usize>>,
    fixed: Vec<usize>,
    locked: Vec<usize>,
    requires: Vec<(String, Constraint)>,
    cache: HashMap<(usize, String), Arc<Vec<Cached>>>,
    notes: Vec<String>,
    warned: HashSet<String>,
}

impl<'a> PoolBuilder<'a> {
    pub fn new(
        stability: &'a StabilitySettings,
        root_aliases: &'a [RootAlias],
        source: &'a dyn PackageSource,
        allow: Option<&'a UpdateAllow>,
    ) -> PoolBuilder<'a> {
        PoolBuilder {
            stability,
            root_aliases,
            source,
            allow,
            packages: Vec::new(),
            alias_map: HashMap::new(),
            to_load: IndexMap::new(),
            loaded: HashMap::new(),
            loaded_per_repo: HashMap::new(),
            max_extended: HashSet::new(),
            skipped_load: HashMap::new(),
            fixed: Vec::new(),
            locked: Vec::new(),
            requires: Vec::new(),
            cache: HashMap::new(),
            notes: Vec::new(),
            warned: HashSet::new(),
        }
    }

    /// Builds the pool. `fixed` are the root and platform packages, `locked` the packages of
    /// composer.lock (only used with an allow list), `requires` the root requirements.
    /// Returns the packages in pool order, the request (indexes into that list) and notes
    /// (warnings Composer would print).
    pub async fn build(
        mut self,
        fixed: Vec<PoolPackage>,
        locked: Vec<PoolPackage>,
        requires: Vec<(String, Constraint)>,
    ) -> Result<(Vec<PoolPackage>, PoolRequest, Vec<String>), super::ResolveError> {
        self.requires = requires;
        let mut fixed_or_locked: Vec<(PoolPackage, bool)> =
            fixed.into_iter().map(|p| (p, true)).collect();
        if let Some(allow) = self.allow {
            let mut lock_list = Vec::new();
            for p in locked {
                if !is_allowed(&allow.patterns, &p.name) {
                    lock_list.push(p);
                }
            }
            fixed_or_locked.extend(lock_list.into_iter().map(|p| (p, false)));
        }
        // Locked packages outside the allow list are recorded as skipped before anything is
        // loaded (their positions in the pool are known: fixed and locked packages are loaded
        // in order, without root aliases).
        let mut next = self.packages.len();
        for (p, is_fixed) in &fixed_or_locked {
            let acceptable = matches!(p.origin, Origin::Root | Origin::Platform)
                || self.stability.accepts(&p.names(true), p.stability);
            if !acceptable {
                continue;
            }
            if !is_fixed {
                self.skipped_load
                    .entry(p.name.clone())
                    .or_default()
                    .push(next);
                for l in &p.replaces {
                    self.skipped_load
                        .entry(l.target.clone())
                        .or_default()
                        .push(next);
                }
            }
            next += 1;
        }
        for (mut p, is_fixed) in fixed_or_locked {
            if p.alias_of.is_some() {
                // Locked branch aliases come right before their base.
                p.alias_of = Some(self.packages.len() as u32 + 1);
            }
            self.loaded.insert(p.name.clone(), Seen::All);
            for l in &p.replaces {
                self.loaded.insert(l.target.clone(), Seen::All);
            }
            let acceptable = matches!(p.origin, Origin::Root | Origin::Platform)
                || self.stability.accepts(&p.names(true), p.stability);
            if !acceptable {
                continue;
            }
            let idx = self.load_package(p, false);
            if is_fixed {
                self.fixed.push(idx);
            } else {
                self.locked.push(idx);
            }
        }
        let requires = self.requires.clone();
        for (name, c) in &requires {
            if self.loaded.contains_key(name) {
                continue;
            }
            self.to_load
                .insert(name.clone(), Seen::Some(vec![c.clone()]));
            self.max_extended.insert(name.clone());
        }
        while !self.to_load.is_empty() {
            self.load_marked().await?;
        }
        let mut order = Vec::new();
        let mut index_of = HashMap::new();
        for (i, p) in self.packages.iter().enumerate() {
            if p.is_some() {
                index_of.insert(i, order.len());
                order.push(i);
            }
        }
        let mut out = Vec::with_capacity(order.len());
        for (pos, &i) in order.iter().enumerate() {
            let mut p = self.packages[i].take().expect("present");
            p.alias_of = p
                .alias_of
                .and_then(|a| index_of.get(&(a as usize)).map(|x| *x as u32 + 1));
            p.id = pos as u32 + 1;
            out.push(p);
        }
        let map = |v: &[usize]| v.iter().filter_map(|i| index_of.get(i).copied()).collect();
        let request = PoolRequest {
            fixed: map(&self.fixed),
            locked: map(&self.locked),
            requires: self.requires,
        };
        Ok((out, request, self.notes))
    }

    fn load_package(&mut self, mut p: PoolPackage, propagate: bool) -> usize {
        let idx = self.packages.len();
        p.id = idx as u32;
        if let Some(base) = p.alias_of {
            self.alias_map.entry(base as usize).or_default().push(idx);
        }
        let name = p.name.clone();
        let version = p.version.clone();
        let requires = p.requires.clone();
        let replaces = p.replaces.clone();
        let base_idx = p.alias_of.map(|b| b as usize).unwrap_or(idx);
        self.packages.push(Some(p));
        if propagate {
            if let Some(alias) = self
                .root_aliases
                .iter()
                .find(|a| a.package == name && a.version == version)
            {
                let base = self.packages.get(base_idx).and_then(Option::as_ref);
                if let Some(mut ap) =
                    base.map(|b| PoolPackage::alias(b, &alias.alias_normalized, &alias.alias, true))
                {
                    ap.alias_of = Some(base_idx as u32);
                    let new_idx = self.packages.len();
                    ap.id = new_idx as u32;
                    self.packages.push(Some(ap));
                    self.alias_map.entry(base_idx).or_default().push(new_idx);
                }
            }
        }
        let transitive = self
            .allow
            .is_some_and(|a| a.with_dependencies || a.with_all_dependencies);
        let transitive_root = self.allow.is_some_and(|a| a.with_all_dependencies);
        for link in &requires {
            if self.skipped_load.contains_key(&link.target) {
                if propagate && transitive {
                    let skipped_roots = self.skipped_root_requires(&link.target);
                    if transitive_root || skipped_roots.is_empty() {
                        self.unlock(&link.target);
                        self.mark(&link.target, &link.constraint);
                    } else {
                        self.warn_root(skipped_roots);
                    }
                }
            } else {
                self.mark(&link.target, &link.constraint);
            }
        }
        if propagate && transitive {
            for link in &replaces {
                if self.loaded.contains_key(&link.target)
                    && self.skipped_load.contains_key(&link.target)
                {
                    let skipped_roots = self.skipped_root_requires(&link.target);
                    if transitive_root || skipped_roots.is_empty() {
                        self.unlock(&link.target);
                        self.mark(&link.target, &link.constraint);
                    } else {
                        self.warn_root(skipped_roots);
                    }
                }
            }
        }
        idx
    }

    fn warn_root(&mut self, names: Vec<String>) {
        for n in names {
            if self.warned.insert(n.clone()) {
                self.notes.push(format!(
                    "Dependency {n} is also a root requirement. Package has not been listed as an update argument, so keeping locked at old version. Use --with-all-dependencies (-W) to include root dependencies."
                ));
            }
        }
    }

    fn is_root_require(&self, name: &str) -> bool {
        self.requires.iter().any(|(n, _)| n == name)
    }

    fn skipped_root_requires(&self, name: &str) -> Vec<String> {
        let Some(skipped) = self.skipped_load.get(name) else {
            return Vec::new();
        };
        let pkg = |i: &usize| self.packages[*i].as_ref();
        if self.is_root_require(name) {
            return skipped
                .iter()
                .filter_map(pkg)
                .map(|p| {
                    if p.name != name {
                        format!("{} (via replace of {name})", p.name)
                    } else {
                        p.name.clone()
                    }
                })
                .collect();
        }
        let mut out = Vec::new();
        for p in skipped.iter().filter_map(pkg) {
            if self.is_root_require(&p.name) {
                out.push(p.name.clone());
            }
            if p.replaces.iter().any(|l| self.is_root_require(&l.target)) {
                if name != p.name {
                    out.push(format!("{} (via replace of {name})", p.name));
                } else {
                    out.push(p.name.clone());
                }
            }
        }
        out
    }

    fn unlock(&mut self, name: &str) {
        let transitive_root = self.allow.is_some_and(|a| a.with_all_dependencies);
        let skipped = self.skipped_load.get(name).cloned().unwrap_or_default();
        for i in skipped {
            let Some(p) = self.packages[i].as_ref() else {
                continue;
            };
            let replacer = p.name.clone();
            let unlock_replacer = replacer != name
                && self.skipped_load.contains_key(&replacer)
                && (transitive_root
                    || (!self.is_root_require(name) && !self.is_root_require(&replacer)));
            if unlock_replacer {
                self.unlock(&replacer);
                if self.is_root_require(&replacer) {
                    self.mark(&replacer, &Constraint::match_all());
                } else {
                    let constraints: Vec<Constraint> = self
                        .packages
                        .iter()
                        .flatten()
                        .filter_map(|lp| {
                            lp.requires
                                .iter()
                                .find(|l| l.target == replacer)
                                .map(|l| l.constraint.clone())
                        })
                        .collect();
                    for c in constraints {
                        self.mark(&replacer, &c);
                    }
                }
            }
        }
        self.skipped_load.remove(name);
        self.loaded.remove(name);
        self.max_extended.remove(name);
        let locked: Vec<usize> = self
            .locked
            .iter()
            .copied()
            .filter(|i| {
                self.packages[*i]
                    .as_ref()
                    .is_some_and(|p| !p.is_alias() && p.name == name)
            })
            .collect();
        for i in locked {
            self.locked.retain(|x| *x != i);
            self.packages[i] = None;
            if let Some(aliases) = self.alias_map.remove(&i) {
                for a in aliases {
                    self.packages[a] = None;
                    self.locked.retain(|x| *x != a);
                }
            }
            let others: Vec<usize> = self
                .fixed
                .iter()
                .chain(self.locked.iter())
                .copied()
                .collect();
            for o in others {
                let Some(op) = self.packages[o].as_ref() else {
                    continue;
                };
                if !self.skipped_load.contains_key(&op.name) {
                    continue;
                }
                if let Some(l) = op.requires.iter().find(|l| l.target == name) {
                    let c = l.constraint.clone();
                    self.mark(name, &c);
                }
            }
        }
    }

    fn mark(&mut self, name: &str, constraint: &Constraint) {
        if crate::composer::installed::is_platform_package(name) {
            return;
        }
        if self.max_extended.contains(name) {
            return;
        }
        let mut c = constraint.clone();
        if let Some((_, root_c)) = self.requires.iter().find(|(n, _)| n == name) {
            // Composer keeps the narrower link constraint when it is a subset of the root's
            // (`Intervals::isSubsetOf`); "subset" is recognised here when the root constraint
            // matches everything or both are the same constraint.
            let subset = root_c.is_match_all() || root_c.to_string() == c.to_string();
            if !subset {
                c = root_c.clone();
            }
        }
        match self.loaded.get(name) {
            None => {
                if let Some(existing) = self.to_load.get(name) {
                    if existing.covers(&c) {
                        return;
                    }
                    let merged = existing.with(&c);
                    self.to_load.insert(name.to_string(), merged);
                } else {
                    self.to_load.insert(name.to_string(), Seen::Some(vec![c]));
                }
            }
            Some(seen) => {
                if seen.covers(&c) {
                    return;
                }
                let merged = seen.with(&c);
                self.loaded.remove(name);
                self.to_load.insert(name.to_string(), merged);
            }
        }
    }

    async fn load_marked(&mut self) -> Result<(), super::ResolveError> {
        for (name, c) in &self.to_load {
            self.loaded.insert(name.clone(), c.clone());
        }
        let mut batch: IndexMap<String, Seen> = std::mem::take(&mut self.to_load);
        for repo in 0..self.source.repository_count() {
            if batch.is_empty() {
                break;
            }
            let wanted: Vec<(String, bool)> = batch
                .keys()
                .filter(|n| !self.cache.contains_key(&(repo, (*n).clone())))
                .map(|n| (n.clone(), self.stability.accepts_name(n, Stability::Dev)))
                .collect();
            if !wanted.is_empty() {
                let fetched = self.source.fetch(repo, &wanted).await?;
                for ((name, _), versions) in wanted.into_iter().zip(fetched) {
                    let owned =
                        Arc::try_unwrap(versions).unwrap_or_else(|shared| (*shared).clone());
                    let cached = owned.into_iter().map(Cached::from).collect();
                    self.cache.insert((repo, name), Arc::new(cached));
                }
            }
            let (found, selected) = self.select(repo, &batch);
            for name in found {
                batch.shift_remove(&name);
            }
            let mut positions: Vec<usize> = Vec::with_capacity(selected.len());
            let mut items = selected.into_iter().peekable();
            while let Some(sel) = items.next() {
                let package = match sel {
                    Sel::Base(p) => Some(*p),
                    Sel::AliasNext(v) => match items.peek() {
                        Some(Sel::Base(base)) => {
                            let mut a = PoolPackage::alias(base, &v, &pretty_alias(&v), false);
                            a.alias_of = Some(self.packages.len() as u32 + 1);
                            Some(a)
                        }
                        _ => None,
                    },
                    Sel::AliasOf(pos, v) => {
                        let base_idx = positions.get(pos).copied().unwrap_or(usize::MAX);
                        self.packages
                            .get(base_idx)
                            .and_then(Option::as_ref)
                            .map(|base| {
                                let mut a = PoolPackage::alias(base, &v, &pretty_alias(&v), false);
                                a.alias_of = Some(base_idx as u32);
                                a
                            })
                    }
                };
                match package {
                    Some(p) => {
                        self.loaded_per_repo
                            .insert((repo, p.name.clone(), p.version.clone()), ());
                        positions.push(self.load_package(p, true));
                    }
                    None => positions.push(usize::MAX),
                }
            }
        }
        Ok(())
    }

    /// `loadPackages` of one repository for a batch: the names it has, and the matching
    /// versions (with their branch aliases) in Composer's order.
    fn select(&self, repo: usize, batch: &IndexMap<String, Seen>) -> (Vec<String>, Vec<Sel>) {
        struct Item<'v> {
            entry: &'v Cached,
            alias: Option<String>,
        }
        let mut found = Vec::new();
        let mut inline: Vec<(usize, Item<'_>)> = Vec::new();
        let mut files: Vec<Item<'_>> = Vec::new();
        for name in batch.keys() {
            let Some(versions) = self.cache.get(&(repo, name.clone())) else {
                continue;
            };
            if versions.is_empty() {
                continue;
            }
            found.push(name.clone());
            for v in versions.iter() {
                let item = Item {
                    entry: v,
                    alias: branch_alias(&v.data, &v.pretty_version),
                };
                if v.seq > 0 {
                    inline.push((v.seq, item));
                } else {
                    files.push(item);
                }
            }
        }
        inline.sort_by_key(|(s, _)| *s);
        let mut out: Vec<Sel> = Vec::new();
        let origin = Origin::Repository(repo);
        let make_base =
            |v: &Cached| PoolPackage::from_entry(v.data.clone(), &v.normalized, origin, v.seq);
        let already = |name: &str, version: &str| {
            self.loaded_per_repo
                .contains_key(&(repo, name.to_string(), version.to_string()))
        };
        // Inline entries: an alias and its base are separate packages of the repository
        // (alias first); aliases of selected bases that did not match come last.
        let mut late_aliases: Vec<Sel> = Vec::new();
        for (_, item) in &inline {
            let v = item.entry;
            let name = v.name.clone();
            let Some(seen) = batch.get(&name) else {
                continue;
            };
            let base = make_base(v);
            let base_ok = seen.matches(&v.normalized)
                && self.stability.accepts(&base.names(true), base.stability)
                && !already(&name, &v.normalized);
            if let Some(alias_v) = &item.alias {
                let alias_stab = crate::semver::parse_stability(alias_v);
                let alias_ok = seen.matches(alias_v)
                    && self.stability.accepts(&base.names(true), alias_stab)
                    && !already(&name, alias_v);
                if alias_ok {
                    out.push(Sel::AliasNext(alias_v.clone()));
                    out.push(Sel::Base(Box::new(base)));
                    continue;
                }
                if base_ok {
                    late_aliases.push(Sel::AliasOf(out.len(), alias_v.clone()));
                }
            }
            if base_ok {
                out.push(Sel::Base(Box::new(base)));
            }
        }
        out.extend(late_aliases);
        // Per-package files: base or alias matching selects both, alias first.
        for item in &files {
            let v = item.entry;
            let name = v.name.clone();
            let Some(seen) = batch.get(&name) else {
                continue;
            };
            if already(&name, &v.normalized) {
                continue;
            }
            let ok = |version: &str| {
                self.stability
                    .accepts(&[name.as_str()], crate::semver::parse_stability(version))
                    && seen.matches(version)
            };
            let base_ok = ok(&v.normalized);
            let alias_ok = item.alias.as_deref().is_some_and(ok);
            if !(base_ok || alias_ok) {
                continue;
            }
            if let Some(alias_v) = &item.alias {
                out.push(Sel::AliasNext(alias_v.clone()));
            }
            out.push(Sel::Base(Box::new(make_base(v))));
        }
        (found, out)
    }
}

/// A repository entry as the pool builder keeps it: the JSON shared with the pool packages
/// made from it (composer.lock is written from it).
struct Cached {
    data: Arc<serde_json::Map<String, serde_json::Value>>,
    name: String,
    pretty_version: String,
    normalized: String,
    seq: usize,
}

impl From<PackageVersion> for Cached {
    fn from(v: PackageVersion) -> Cached {
        Cached {
            name: v.package.name(),
            pretty_version: v.package.pretty_version().to_string(),
            normalized: v.normalized,
            seq: v.seq,
            data: Arc::new(v.package.into_data()),
        }
    }
}

/// One package selected from a repository.
enum Sel {
    Base(Box<PoolPackage>),
    /// A branch alias of the base that comes next.
    AliasNext(String),
    /// A branch alias of the base at this position of the selection.
    AliasOf(usize, String),
}

/// `preg_replace('{(\.9{7})+}', '.x', $alias)`.
pub fn pretty_alias(normalized: &str) -> String {
    let mut out = String::new();
    let mut rest = normalized;
    while let Some(pos) = rest.find(".9999999") {
        out.push_str(&rest[..pos]);
        let mut after = &rest[pos..];
        while after.starts_with(".9999999") {
            after = &after[8..];
        }
        out.push_str(".x");
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Composer's `BasePackage::packageNameToRegexp` match: `*` is a wildcard, case-insensitive.
pub fn is_allowed(patterns: &[String], name: &str) -> bool {
    patterns
        .iter()
        .any(|p| crate::repository::glob_match(p, name))
}
