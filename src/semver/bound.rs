//! The lower bound of a constraint, as composer/semver's `getLowerBound()` works it out (used for
//! the PHP version check of `platform_check.php`).

use super::compare::php_version_compare;
use super::constraint::{ConstraintNode, Op};

/// A version bound: the version and whether it is included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bound {
    pub version: String,
    pub inclusive: bool,
}

impl Bound {
    /// `>= 0.0.0.0-dev`: no lower bound.
    pub fn zero() -> Bound {
        Bound {
            version: "0.0.0.0-dev".to_string(),
            inclusive: true,
        }
    }

    pub fn positive_infinity() -> Bound {
        Bound {
            version: format!("{}.0.0.0", i64::MAX),
            inclusive: false,
        }
    }

    pub fn is_zero(&self) -> bool {
        self.version == "0.0.0.0-dev" && self.inclusive
    }

    pub fn is_positive_infinity(&self) -> bool {
        self.version == format!("{}.0.0.0", i64::MAX) && !self.inclusive
    }

    /// `compareTo($other, '>')`: whether this bound is above `other`.
    pub fn is_above(&self, other: &Bound) -> bool {
        self.compare(other, true)
    }

    /// `compareTo($other, '<')`.
    pub fn is_below(&self, other: &Bound) -> bool {
        self.compare(other, false)
    }

    fn compare(&self, other: &Bound, above: bool) -> bool {
        if self == other {
            return false;
        }
        match php_version_compare(&self.version, &other.version) {
            0 => {
                if above {
                    other.inclusive
                } else {
                    !other.inclusive
                }
            }
            c => c == if above { 1 } else { -1 },
        }
    }
}

/// The lowest version `node` lets through.
pub fn lower_bound(node: &ConstraintNode) -> Bound {
    match node {
        ConstraintNode::MatchAll => Bound::zero(),
        ConstraintNode::Single { version, .. } if version.starts_with("dev-") => Bound::zero(),
        ConstraintNode::Single { op, version } => match op {
            Op::Eq | Op::Ge => Bound {
                version: version.clone(),
                inclusive: true,
            },
            Op::Gt => Bound {
                version: version.clone(),
                inclusive: false,
            },
            Op::Lt | Op::Le | Op::Ne => Bound::zero(),
        },
        ConstraintNode::Multi { conjunctive, items } => {
            let mut bound: Option<Bound> = None;
            for item in items {
                let lower = lower_bound(item);
                bound = Some(match bound {
                    None => lower,
                    Some(current) => {
                        let replace = if *conjunctive {
                            lower.is_above(&current)
                        } else {
                            lower.is_below(&current)
                        };
                        if replace {
                            lower
                        } else {
                            current
                        }
                    }
                });
            }
            // An empty list does not come out of the parser; Composer's MultiConstraint would
            // have no bound either way.
            bound.unwrap_or_else(Bound::zero)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::semver::constraint::Constraint;

    fn lower(constraint: &str) -> (String, bool) {
        let b = lower_bound(Constraint::parse(constraint).unwrap().node());
        (b.version, b.inclusive)
    }

    /// Vectors computed by composer/semver (`parseConstraints($c)->getLowerBound()`).
    #[test]
    fn lower_bounds_as_composer_semver() {
        let vectors = [
            (">=7.4", "7.4.0.0-dev", true),
            ("^8.1", "8.1.0.0-dev", true),
            ("~8.1.0||~8.2.0||~8.3.0", "8.1.0.0-dev", true),
            (">7.2 <9", "7.2.0.0", false),
            (">=7.2 >7.2", "7.2.0.0", false),
            ("<8", "0.0.0.0-dev", true),
            ("*", "0.0.0.0-dev", true),
            ("8.2.1", "8.2.1.0", true),
            ("^7.4 || ^8.0", "7.4.0.0-dev", true),
            (">=7.2.5", "7.2.5.0-dev", true),
            (">7.4.0", "7.4.0.0", false),
            ("7.4.*", "7.4.0.0-dev", true),
            ("~7.1.3", "7.1.3.0-dev", true),
            (">=5.3.2 <8.0 || ^8.1.0-beta", "5.3.2.0-dev", true),
            ("dev-master", "0.0.0.0-dev", true),
            (">=8.1.0-RC1", "8.1.0.0-RC1-dev", true),
        ];
        for (constraint, version, inclusive) in vectors {
            assert_eq!(
                lower(constraint),
                (version.to_string(), inclusive),
                "lower bound of {constraint}"
            );
        }
        assert!(lower_bound(Constraint::parse("<8").unwrap().node()).is_zero());
        assert!(Bound::positive_infinity().is_positive_infinity());
    }
}
