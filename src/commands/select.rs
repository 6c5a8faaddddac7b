//! Choosing one version of a package outside the solver: the version `create-project`
//! unpacks and the version `require` starts from when no constraint is given. This is
//! Composer's `VersionSelector::findBestCandidate`:
//!
//! * only versions at least as stable as the minimum stability are candidates;
//! * versions at least as stable as the *preferred* stability come first, then the highest;
//! * a candidate whose platform requirements (`php`, `ext-*`, …) the platform does not
//!   satisfy is skipped, unless those requirements are ignored.

use crate::repository::Offer;
use crate::resolver::platform::Platform;
use crate::resolver::PlatformFilter;
use crate::semver::{parse_constraints, php_version_compare, Constraint, Stability};

/// The platform a candidate must fit, and what to ignore of it.
pub struct PlatformCheck<'a> {
    pub platform: &'a Platform,
    pub filter: &'a PlatformFilter,
}

/// Why the best candidate was refused, for the error message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlatformMismatch {
    pub version: String,
    pub requirement: String,
    pub constraint: String,
    pub missing: bool,
}

/// The best offer, or `Err` with the reason the best one did not fit the platform (`None` when
/// there was no candidate at all).
pub fn best_candidate(
    offers: Vec<Offer>,
    constraint: Option<&Constraint>,
    minimum: Stability,
    preferred: Stability,
    platform: Option<&PlatformCheck<'_>>,
) -> Result<Offer, Option<PlatformMismatch>> {
    let mut candidates: Vec<Offer> = offers
        .into_iter()
        .filter(|o| o.version.stability.is_at_least(minimum))
        .filter(|o| constraint.is_none_or(|c| c.matches_version(&o.version.normalized)))
        .collect();
    let min = preferred.rank();
    candidates.sort_by(|a, b| {
        use std::cmp::Ordering;
        let (ap, bp) = (a.version.stability.rank(), b.version.stability.rank());
        if min < ap && bp < ap {
            return Ordering::Greater;
        }
        if min < ap && ap < bp {
            return Ordering::Less;
        }
        if min >= ap && min < bp {
            return Ordering::Less;
        }
        php_version_compare(&b.version.normalized, &a.version.normalized).cmp(&0)
    });
    let Some(check) = platform else {
        return candidates.into_iter().next().ok_or(None);
    };
    if matches!(check.filter, PlatformFilter::All) {
        return candidates.into_iter().next().ok_or(None);
    }
    let provided: Vec<(String, String)> = check
        .platform
        .packages()
        .into_iter()
        .map(|p| (p.name, p.version))
        .collect();
    let mut first_mismatch = None;
    for candidate in candidates {
        match platform_mismatch(&candidate, &provided, check.filter) {
            None => return Ok(candidate),
            Some(m) => {
                first_mismatch.get_or_insert(m);
            }
        }
    }
    Err(first_mismatch)
}

fn platform_mismatch(
    offer: &Offer,
    provided: &[(String, String)],
    filter: &PlatformFilter,
) -> Option<PlatformMismatch> {
    let requires = offer.version.package.get("require")?.as_object()?;
    for (name, constraint) in requires {
        let lower = name.to_lowercase();
        if !crate::composer::installed::is_platform_package(&lower) || filter.is_ignored(&lower) {
            continue;
        }
        let text = constraint.as_str().unwrap_or("*");
        let Ok(parsed) = parse_constraints(text) else {
            continue;
        };
        let versions: Vec<&String> = provided
            .iter()
            .filter(|(n, _)| *n == lower)
            .map(|(_, v)| v)
            .collect();
        if versions.iter().any(|v| parsed.matches_version(v)) {
            continue;
        }
        return Some(PlatformMismatch {
            version: offer.version.package.pretty_version().to_string(),
            requirement: name.clone(),
            constraint: text.to_string(),
            missing: versions.is_empty(),
        });
    }
    None
}

impl PlatformMismatch {
    /// "2.4.7 requires php ~8.3.0, which your platform does not satisfy".
    pub fn describe(&self) -> String {
        format!(
            "{} requires {} {}, which {}",
            self.version,
            self.requirement,
            self.constraint,
            if self.missing {
                "is missing from your platform"
            } else {
                "your platform does not satisfy"
            }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::repository::PackageVersion;
    use crate::resolver::platform::Platform;
    use serde_json::{json, Map, Value};

    fn offer(version: &str, php: Option<&str>) -> Offer {
        let mut entry = json!({"name": "a/b", "version": version});
        if let Some(php) = php {
            entry["require"] = json!({ "php": php });
        }
        Offer {
            repository: crate::redact::SafeUrl::new("https://repo.example"),
            version: PackageVersion::from_entry(entry).unwrap(),
        }
    }

    fn pick(
        versions: &[&str],
        constraint: Option<&str>,
        minimum: Stability,
        preferred: Stability,
    ) -> Option<String> {
        let c = constraint.map(|c| parse_constraints(c).unwrap());
        best_candidate(
            versions.iter().map(|v| offer(v, None)).collect(),
            c.as_ref(),
            minimum,
            preferred,
            None,
        )
        .ok()
        .map(|o| o.version.package.pretty_version().to_string())
    }

    #[test]
    fn order_like_composer() {
        use Stability::*;
        let all = [
            "2.4.6",
            "2.4.7",
            "2.4.7-p1",
            "2.4.8-beta1",
            "2.5.0-RC1",
            "dev-main",
        ];
        assert_eq!(
            pick(&all, None, Stable, Stable).as_deref(),
            Some("2.4.7-p1")
        );
        assert_eq!(pick(&all, None, RC, RC).as_deref(), Some("2.5.0-RC1"));
        assert_eq!(pick(&all, None, Dev, Stable).as_deref(), Some("2.4.7-p1"));
        assert_eq!(
            pick(&all, Some("~2.4.6"), Beta, Beta).as_deref(),
            Some("2.4.8-beta1")
        );
        assert_eq!(
            pick(&all, Some("2.4.6"), Stable, Stable).as_deref(),
            Some("2.4.6")
        );
        assert_eq!(pick(&all, Some("^3"), Dev, Dev), None);
    }

    #[test]
    fn platform_requirements_skip_candidates() {
        let mut overrides = Map::new();
        overrides.insert("php".into(), Value::String("8.1.2".into()));
        let platform = Platform::new(None, Some(&overrides));
        let offers = vec![
            offer("2.0.0", Some("^8.2")),
            offer("1.5.0", Some("^8.1")),
            offer("1.0.0", None),
        ];
        let filter = PlatformFilter::None;
        let check = PlatformCheck {
            platform: &platform,
            filter: &filter,
        };
        let best = best_candidate(
            offers.clone(),
            None,
            Stability::Stable,
            Stability::Stable,
            Some(&check),
        );
        assert_eq!(best.unwrap().version.package.pretty_version(), "1.5.0");
        let only_new = vec![offer("2.0.0", Some("^8.2"))];
        let err = best_candidate(
            only_new,
            None,
            Stability::Stable,
            Stability::Stable,
            Some(&check),
        )
        .unwrap_err()
        .unwrap();
        assert_eq!(
            err.describe(),
            "2.0.0 requires php ^8.2, which your platform does not satisfy"
        );
        let all = PlatformFilter::All;
        let ignoring = PlatformCheck {
            platform: &platform,
            filter: &all,
        };
        let best = best_candidate(
            offers,
            None,
            Stability::Stable,
            Stability::Stable,
            Some(&ignoring),
        );
        assert_eq!(best.unwrap().version.package.pretty_version(), "2.0.0");
    }
}
