//! Composer-compatible versions and version constraints.
//!
//! A faithful re-implementation of what Composer 2.5.5 with composer/semver 3.3.2 does:
//!
//! * [`normalize`] / [`normalize_branch`]: `VersionParser::normalize` and `normalizeBranch`
//!   (`2.4.7-p3` → `2.4.7.0-patch3`, `2.4.x-dev` → `2.4.9999999.9999999-dev`).
//! * [`parse_constraints`] → [`Constraint`]: `VersionParser::parseConstraints`, with
//!   Composer's string form as `Display` (`^2.4` → `[>= 2.4.0.0-dev < 3.0.0.0-dev]`) and
//!   [`Constraint::matches_version`] for the pool's version check.
//! * [`version_compare`]: PHP's `version_compare()`, byte for byte, and [`sort_versions`]:
//!   `Semver::sort` / `rsort`.
//! * [`Stability`], [`parse_stability`], [`root_stability_flag`]: stabilities and the root
//!   `@stability` flags.
//!
//! No regex engine is used: every pattern Composer relies on is matched by hand, following
//! PCRE's backtracking order wherever it decides what a group captures. Nothing here panics,
//! whatever the input.

mod bound;
mod compare;
mod constraint;
mod scan;
mod stability;
mod version;

#[cfg(test)]
mod tests;

pub use bound::{lower_bound, Bound};
pub use compare::{
    compare_for_sort, compare_normalized, compare_normalized_total, normalize_default_branch,
    php_version_compare, sort_versions, version_compare, version_compare_op,
};
pub use constraint::{parse_constraints, Constraint, ConstraintError, ConstraintNode, Op};
pub use stability::{parse_stability, root_stability_flag, Stability, StabilityParseError};
pub use version::{normalize, normalize_branch, VersionError};
