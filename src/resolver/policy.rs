//! Which candidate the solver tries first (Composer's `DefaultPolicy`).
//!
//! Candidates are grouped by name; within a name the best version wins (highest, or lowest
//! with `prefer-lowest`; with `prefer-stable` a more stable version beats a higher one), equal
//! versions all stay. The survivors are ordered by: a package replacing another goes after it,
//! a package of the required name's vendor goes first, then pool id (repository order, then
//! order in the repository).

use std::cmp::Ordering;

use super::pool::{Pool, PoolPackage};
use crate::semver::version_compare_op;

#[derive(Debug, Clone, Copy, Default)]
pub struct Policy {
    pub prefer_stable: bool,
    pub prefer_lowest: bool,
}

impl Policy {
    /// `DefaultPolicy::versionCompare($a, $b, $op)` with branch comparison on.
    pub fn version_compare(&self, a: &PoolPackage, b: &PoolPackage, op: &str) -> bool {
        if self.prefer_stable && a.stability != b.stability {
            return a.stability.rank() < b.stability.rank();
        }
        compare_with_branches(&a.version, &b.version, op)
    }

    /// `selectPreferredPackages`: the literals to try, best first.
    pub fn select_preferred(
        &self,
        pool: &Pool,
        literals: &[i32],
        required: Option<&str>,
    ) -> Vec<i32> {
        let mut sorted = literals.to_vec();
        sorted.sort_unstable();
        let mut groups: Vec<(String, Vec<i32>)> = Vec::new();
        for lit in sorted {
            let name = &pool.literal(lit).name;
            match groups.iter_mut().find(|(n, _)| n == name) {
                Some((_, g)) => g.push(lit),
                None => groups.push((name.clone(), vec![lit])),
            }
        }
        let mut selected = Vec::new();
        for (_, mut group) in groups {
            group.sort_by(|a, b| {
                self.compare(pool, pool.literal(*a), pool.literal(*b), required, true)
            });
            let best = self.prune_to_best_version(pool, &group);
            selected.extend(prune_remote_aliases(pool, best));
        }
        selected.sort_by(|a, b| {
            self.compare(pool, pool.literal(*a), pool.literal(*b), required, false)
        });
        selected
    }

    /// `compareByPriority`.
    pub fn compare(
        &self,
        _pool: &Pool,
        a: &PoolPackage,
        b: &PoolPackage,
        required: Option<&str>,
        ignore_replace: bool,
    ) -> Ordering {
        if a.name == b.name {
            match (a.is_alias(), b.is_alias()) {
                (true, false) => return Ordering::Less,
                (false, true) => return Ordering::Greater,
                _ => {}
            }
        }
        if !ignore_replace {
            if replaces(a, b) {
                return Ordering::Greater;
            }
            if replaces(b, a) {
                return Ordering::Less;
            }
            if let Some(pos) = required.and_then(|r| r.find('/').map(|p| (r, p))) {
                let vendor = &pos.0[..pos.1];
                let a_same = a.name.starts_with(vendor);
                let b_same = b.name.starts_with(vendor);
                if a_same != b_same {
                    return if a_same {
                        Ordering::Less
                    } else {
                        Ordering::Greater
                    };
                }
            }
        }
        a.id.cmp(&b.id)
    }

    fn prune_to_best_version(&self, pool: &Pool, literals: &[i32]) -> Vec<i32> {
        let op = if self.prefer_lowest { "<" } else { ">" };
        let mut best = vec![literals[0]];
        let mut best_pkg = pool.literal(literals[0]);
        for &lit in &literals[1..] {
            let p = pool.literal(lit);
            if self.version_compare(p, best_pkg, op) {
                best_pkg = p;
                best = vec![lit];
            } else if self.version_compare(p, best_pkg, "==") {
                best.push(lit);
            }
        }
        best
    }
}

fn prune_remote_aliases(pool: &Pool, literals: Vec<i32>) -> Vec<i32> {
    if !literals.iter().any(|l| pool.literal(*l).root_alias) {
        return literals;
    }
    literals
        .into_iter()
        .filter(|l| pool.literal(*l).root_alias)
        .collect()
}

fn replaces(source: &PoolPackage, target: &PoolPackage) -> bool {
    source.replaces.iter().any(|l| l.target == target.name)
}

/// `Constraint::versionCompare($a, $b, $op, true)`.
pub fn compare_with_branches(a: &str, b: &str, op: &str) -> bool {
    let a_branch = a.starts_with("dev-");
    let b_branch = b.starts_with("dev-");
    if op == "!=" && (a_branch || b_branch) {
        return a != b;
    }
    if a_branch && b_branch {
        return op == "==" && a == b;
    }
    version_compare_op(a, b, op).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use serde_json::{json, Value};

    use super::*;
    use crate::resolver::pool::Origin;

    fn pool(entries: &[Value]) -> Pool {
        let packages = entries
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let data = Arc::new(e.as_object().unwrap().clone());
                let pretty = e["version"].as_str().unwrap();
                let normalized = crate::semver::normalize(pretty).unwrap();
                let mut p = PoolPackage::from_entry(data, &normalized, Origin::Repository(0), 0);
                p.id = i as u32 + 1;
                p
            })
            .collect();
        Pool::new(packages)
    }

    fn versions(pool: &Pool, lits: &[i32]) -> Vec<String> {
        lits.iter()
            .map(|l| pool.literal(*l).pretty_string())
            .collect()
    }

    #[test]
    fn highest_version_then_first_listed() {
        let p = pool(&[
            json!({"name": "a/a", "version": "1.0.0"}),
            json!({"name": "a/a", "version": "2.0.0"}),
            json!({"name": "a/a", "version": "v2.0.0"}),
            json!({"name": "a/a", "version": "2.0.0-beta1"}),
        ]);
        let chosen = Policy::default().select_preferred(&p, &[4, 3, 2, 1], Some("a/a"));
        assert_eq!(versions(&p, &chosen), ["a/a 2.0.0", "a/a v2.0.0"]);
        let lowest = Policy {
            prefer_lowest: true,
            ..Policy::default()
        };
        assert_eq!(
            versions(&p, &lowest.select_preferred(&p, &[1, 2, 3, 4], None)),
            ["a/a 1.0.0"]
        );
    }

    #[test]
    fn prefer_stable_takes_the_most_stable() {
        let p = pool(&[
            json!({"name": "a/a", "version": "1.0.0-RC1"}),
            json!({"name": "a/a", "version": "1.5.0-beta1"}),
            json!({"name": "a/a", "version": "2.0.0-alpha1"}),
        ]);
        let stable = Policy {
            prefer_stable: true,
            ..Policy::default()
        };
        assert_eq!(
            versions(&p, &stable.select_preferred(&p, &[1, 2, 3], None)),
            ["a/a 1.0.0-RC1"]
        );
        assert_eq!(
            versions(
                &p,
                &Policy::default().select_preferred(&p, &[1, 2, 3], None)
            ),
            ["a/a 2.0.0-alpha1"]
        );
    }

    #[test]
    fn patch_versions_sort_above_the_release() {
        let p = pool(&[
            json!({"name": "a/a", "version": "2.4.7-p10"}),
            json!({"name": "a/a", "version": "2.4.7.1"}),
            json!({"name": "a/a", "version": "2.4.7-p2"}),
        ]);
        let chosen = Policy::default().select_preferred(&p, &[1, 3], None);
        assert_eq!(versions(&p, &chosen), ["a/a 2.4.7-p10"]);
        let chosen = Policy::default().select_preferred(&p, &[1, 2, 3], None);
        assert_eq!(versions(&p, &chosen), ["a/a 2.4.7.1"]);
    }

    #[test]
    fn providers_same_vendor_first_then_pool_order() {
        let p = pool(&[
            json!({"name": "zeta/log", "version": "1.0.0", "provide": {"psr/log-implementation": "1.0.0"}}),
            json!({"name": "alpha/log", "version": "1.0.0", "provide": {"psr/log-implementation": "1.0.0"}}),
            json!({"name": "psr/log", "version": "1.0.0", "provide": {"psr/log-implementation": "1.0.0"}}),
        ]);
        let chosen =
            Policy::default().select_preferred(&p, &[1, 2, 3], Some("psr/log-implementation"));
        assert_eq!(
            versions(&p, &chosen),
            ["psr/log 1.0.0", "zeta/log 1.0.0", "alpha/log 1.0.0"]
        );
        let chosen = Policy::default().select_preferred(&p, &[2, 1], Some("other/x"));
        assert_eq!(versions(&p, &chosen), ["zeta/log 1.0.0", "alpha/log 1.0.0"]);
    }

    #[test]
    fn a_replacer_goes_after_what_it_replaces() {
        let p = pool(&[
            json!({"name": "acme/big", "version": "1.0.0", "replace": {"acme/small": "1.0.0"}}),
            json!({"name": "acme/small", "version": "1.0.0"}),
        ]);
        let chosen = Policy::default().select_preferred(&p, &[1, 2], Some("acme/small"));
        assert_eq!(
            versions(&p, &chosen),
            ["acme/small 1.0.0", "acme/big 1.0.0"]
        );
    }
}
