//! Rules (clauses) over package literals, and their generation from the pool
//! (Composer's `Rule`, `RuleSet` and `RuleSetGenerator`).
//!
//! A literal is a package id, negative for "not installed". Rules are numbered in the order
//! they are generated and the solver walks them in that order, so the generation order below
//! follows Composer's exactly: fixed packages, then root requirements (each package's own
//! rules first, breadth first), root aliases, conflicts, then "only one of these" rules.

use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use indexmap::IndexMap;

use super::pool::Pool;
use super::PlatformFilter;
use crate::semver::Constraint;

/// The shape of a rule; rules of different shapes are never merged as duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RuleClass {
    Generic,
    TwoLiterals,
    MultiConflict,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleType {
    Package,
    Request,
    Learned,
}

/// Why a rule exists (for the solver's branching and for explanations).
#[derive(Debug, Clone)]
pub enum Reason {
    RootRequire {
        name: String,
        constraint: Constraint,
    },
    Fixed {
        package: u32,
    },
    /// The `link`-th requirement of package `source`.
    Requires {
        source: u32,
        link: u32,
    },
    Conflict {
        source: u32,
        target: String,
        pretty: String,
    },
    SameName(String),
    Alias(u32),
    InverseAlias(u32),
    Learned(usize),
}

#[derive(Debug, Clone)]
pub struct Rule {
    /// Sorted ascending, like Composer's.
    pub literals: Vec<i32>,
    pub class: RuleClass,
    pub rtype: RuleType,
    pub reason: Reason,
    pub disabled: bool,
}

impl Rule {
    pub fn is_assertion(&self) -> bool {
        self.class == RuleClass::Generic && self.literals.len() == 1
    }

    /// `Rule::getRequiredPackage`.
    pub fn required_package<'p>(&'p self, pool: &'p Pool) -> Option<&'p str> {
        match &self.reason {
            Reason::RootRequire { name, .. } => Some(name),
            Reason::Fixed { package } => Some(&pool.get(*package).name),
            Reason::Requires { source, link } => {
                Some(&pool.get(*source).requires[*link as usize].target)
            }
            _ => None,
        }
    }
}

/// All rules. `rules` stores every rule object; `by_id` lists the ones that are part of the
/// set (Composer's `ruleById`): a learned rule identical to an existing one is still used by
/// the solver but not added to the set.
#[derive(Default)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
    pub by_id: Vec<usize>,
    pub request: Vec<usize>,
    /// Hash of (shape, literals) → the first stored rule with that hash; further rules with
    /// the same hash (collisions) in `collisions`.
    seen: HashMap<u64, usize>,
    collisions: HashMap<u64, Vec<usize>>,
}

impl RuleSet {
    /// Adds a rule unless an identical one exists; returns its storage index when stored
    /// (learned rules are always stored).
    pub fn add(&mut self, mut rule: Rule, rtype: RuleType) -> Option<usize> {
        rule.literals.sort_unstable();
        rule.rtype = rtype;
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (rule.class, &rule.literals).hash(&mut hasher);
        let key = hasher.finish();
        let equal =
            |i: usize| self.rules[i].class == rule.class && self.rules[i].literals == rule.literals;
        let same = self.seen.get(&key).is_some_and(|&i| equal(i))
            || self
                .collisions
                .get(&key)
                .is_some_and(|list| list.iter().any(|&i| equal(i)));
        let fresh = !same;
        if !fresh && rtype != RuleType::Learned {
            return None;
        }
        let idx = self.rules.len();
        self.rules.push(rule);
        if fresh {
            match self.seen.entry(key) {
                std::collections::hash_map::Entry::Vacant(e) => {
                    e.insert(idx);
                }
                std::collections::hash_map::Entry::Occupied(_) => {
                    self.collisions.entry(key).or_default().push(idx);
                }
            }
            self.by_id.push(idx);
            if rtype == RuleType::Request {
                self.request.push(idx);
            }
        }
        Some(idx)
    }

    /// Number of rules in the set.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

fn rule(literals: Vec<i32>, class: RuleClass, reason: Reason) -> Rule {
    Rule {
        literals,
        class,
        rtype: RuleType::Package,
        reason,
        disabled: false,
    }
}

/// Builds the rules for a request.
pub struct Generator<'a> {
    pool: &'a Pool,
    filter: &'a PlatformFilter,
    rules: RuleSet,
    added: Vec<bool>,
    added_order: Vec<u32>,
    added_by_name: IndexMap<String, Vec<u32>>,
}

impl<'a> Generator<'a> {
    pub fn new(pool: &'a Pool, filter: &'a PlatformFilter) -> Generator<'a> {
        Generator {
            pool,
            filter,
            rules: RuleSet::default(),
            added: vec![false; pool.len() + 1],
            added_order: Vec::new(),
            added_by_name: IndexMap::new(),
        }
    }

    /// `RuleSetGenerator::getRulesFor`.
    pub fn generate(mut self, fixed: &[u32], requires: &[(String, Constraint)]) -> RuleSet {
        for &id in fixed {
            self.add_package(id);
            self.rules.add(
                rule(
                    vec![id as i32],
                    RuleClass::Generic,
                    Reason::Fixed { package: id },
                ),
                RuleType::Request,
            );
        }
        for (name, constraint) in requires {
            if self.filter.is_ignored(name) {
                continue;
            }
            let providers = self.pool.what_provides(name, Some(constraint));
            if providers.is_empty() {
                continue;
            }
            for &p in providers.iter() {
                self.add_package(p);
            }
            self.rules.add(
                rule(
                    providers.iter().map(|p| *p as i32).collect(),
                    RuleClass::Generic,
                    Reason::RootRequire {
                        name: name.clone(),
                        constraint: constraint.clone(),
                    },
                ),
                RuleType::Request,
            );
        }
        for p in self.pool.packages() {
            if self.added[p.id as usize] {
                continue;
            }
            if let Some(base) = p.alias_of {
                if p.root_alias || self.added[base as usize] {
                    self.add_package(p.id);
                }
            }
        }
        self.add_conflicts();
        self.rules
    }

    fn add_package(&mut self, start: u32) {
        let mut queue = VecDeque::from([start]);
        while let Some(id) = queue.pop_front() {
            if self.added[id as usize] {
                continue;
            }
            self.added[id as usize] = true;
            self.added_order.push(id);
            let p = self.pool.get(id);
            if let Some(base) = p.alias_of {
                queue.push_back(base);
                self.rules.add(
                    rule(
                        vec![-(id as i32), base as i32],
                        RuleClass::Generic,
                        Reason::Alias(id),
                    ),
                    RuleType::Package,
                );
                self.rules.add(
                    rule(
                        vec![-(base as i32), id as i32],
                        RuleClass::Generic,
                        Reason::InverseAlias(base),
                    ),
                    RuleType::Package,
                );
                if !p.self_version_requires {
                    continue;
                }
            } else {
                for n in p.names(false) {
                    self.added_by_name
                        .entry(n.to_string())
                        .or_default()
                        .push(id);
                }
            }
            for (link_index, link) in p.requires.iter().enumerate() {
                if self.filter.is_ignored(&link.target) {
                    continue;
                }
                let providers = self
                    .pool
                    .what_provides(&link.target, Some(&link.constraint));
                if !providers.contains(&id) {
                    let mut literals = vec![-(id as i32)];
                    literals.extend(providers.iter().map(|p| *p as i32));
                    self.rules.add(
                        rule(
                            literals,
                            RuleClass::Generic,
                            Reason::Requires {
                                source: id,
                                link: link_index as u32,
                            },
                        ),
                        RuleType::Package,
                    );
                }
                queue.extend(providers.iter().copied());
            }
        }
    }

    fn add_conflicts(&mut self) {
        let order = std::mem::take(&mut self.added_order);
        for &id in &order {
            let p = self.pool.get(id);
            for link in &p.conflicts {
                if !self.added_by_name.contains_key(&link.target) {
                    continue;
                }
                if self.filter.is_ignored(&link.target) {
                    continue;
                }
                for &c in self
                    .pool
                    .what_provides(&link.target, Some(&link.constraint))
                    .iter()
                {
                    let cp = self.pool.get(c);
                    if (cp.alias_of.is_none() || cp.name == link.target) && c != id {
                        self.rules.add(
                            rule(
                                vec![-(id as i32), -(c as i32)],
                                RuleClass::TwoLiterals,
                                Reason::Conflict {
                                    source: id,
                                    target: link.target.clone(),
                                    pretty: link.pretty.clone(),
                                },
                            ),
                            RuleType::Package,
                        );
                    }
                }
            }
        }
        let groups: Vec<(String, Vec<u32>)> = self
            .added_by_name
            .iter()
            .filter(|(_, v)| v.len() > 1)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (name, ids) in groups {
            let literals: Vec<i32> = ids.iter().map(|i| -(*i as i32)).collect();
            let class = if literals.len() == 2 {
                RuleClass::TwoLiterals
            } else {
                RuleClass::MultiConflict
            };
            self.rules.add(
                rule(literals, class, Reason::SameName(name)),
                RuleType::Package,
            );
        }
    }
}
