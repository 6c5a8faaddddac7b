//! Which stabilities the pool accepts (Composer's `StabilityFilter` with the root's
//! `minimum-stability` and stability flags).

use indexmap::IndexMap;

use crate::semver::{root_stability_flag, Stability};

/// `minimum-stability` and the per-package flags of the root.
#[derive(Debug, Clone)]
pub struct StabilitySettings {
    pub minimum: Stability,
    /// name → flag, in the order Composer records them (the lock's `stability-flags`).
    pub flags: IndexMap<String, Stability>,
}

impl StabilitySettings {
    /// Flags of the root requirements (`require` then `require-dev`, lower-cased names).
    pub fn from_root(
        minimum: Stability,
        require: &[(String, String)],
        require_dev: &[(String, String)],
    ) -> StabilitySettings {
        let mut flags: IndexMap<String, Stability> = IndexMap::new();
        for list in [require, require_dev] {
            // Composer keys each list by lower-cased name; a later duplicate wins.
            let mut merged: IndexMap<String, &str> = IndexMap::new();
            for (name, constraint) in list {
                merged.insert(name.to_lowercase(), constraint.as_str());
            }
            for (name, constraint) in merged {
                let existing = flags.get(&name).copied();
                if let Some(flag) = root_stability_flag(constraint, minimum, existing) {
                    flags.insert(name, flag);
                }
            }
        }
        StabilitySettings { minimum, flags }
    }

    /// `StabilityFilter::isPackageAcceptable` for a package answering to `names`.
    pub fn accepts(&self, names: &[&str], stability: Stability) -> bool {
        names.iter().any(|n| self.accepts_name(n, stability))
    }

    /// Is `stability` acceptable for the name `name`?
    pub fn accepts_name(&self, name: &str, stability: Stability) -> bool {
        match self.flags.get(name) {
            Some(flag) => stability.rank() <= flag.rank(),
            None => stability.rank() <= self.minimum.rank(),
        }
    }
}
