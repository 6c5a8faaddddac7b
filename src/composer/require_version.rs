//! The constraint `require` writes into composer.json for a version it chose.
//!
//! Composer's `VersionSelector::findRecommendedRequireVersion`, so a `magefetch require` leaves
//! the same line a `composer require` would:
//!
//! * a release `x.y.z` (any fourth part starting with `0`, which includes Magento's `-pN`
//!   patches) becomes `^x.y` — or `^0.y.z` below 1.0 — with `@stability` appended when it is
//!   not stable: `2.4.7-p1` → `^2.4`, `0.3.1` → `^0.3.1`, `2.0-beta.1` → `^2.0@beta`;
//!   a version that does not look like that (`2.4.7.1`, a date) is kept as written;
//! * a branch with a numeric `branch-alias` (`dev-master` aliased to `2.1.x-dev`) becomes
//!   `^2.1@dev`; any other branch is kept as written (`dev-feature`);
//! * `ext-*` platform packages versioned like the running PHP become `*`.

use serde_json::Value;

use crate::semver::{parse_stability, Stability};

/// Composer's `VersionParser::DEFAULT_BRANCH_ALIAS`.
pub const DEFAULT_BRANCH_ALIAS: &str = "9999999-dev";

/// The recommended constraint for `package` (a package entry: `name`, `version`,
/// `version_normalized`, `extra`, `default-branch`). `php_version` is the running PHP's
/// `major.minor.release`, when known, for the `ext-*` rule.
pub fn recommended_require_version(package: &Value, php_version: Option<&str>) -> String {
    let name = package.get("name").and_then(Value::as_str).unwrap_or("");
    let pretty = package.get("version").and_then(Value::as_str).unwrap_or("");
    let normalized = package
        .get("version_normalized")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| crate::semver::normalize(pretty).ok())
        .unwrap_or_else(|| pretty.to_string());
    if name.to_ascii_lowercase().starts_with("ext-") {
        let ext: Vec<&str> = normalized.split('.').take(3).collect();
        if php_version == Some(ext.join(".").as_str()) {
            return "*".to_string();
        }
    }
    let stability = parse_stability(&normalized);
    if stability != Stability::Dev {
        return transform(&normalized, pretty, stability);
    }
    let alias = package
        .as_object()
        .and_then(|data| crate::resolver::branch_alias(data, pretty));
    if let Some(alias) = alias {
        if alias != DEFAULT_BRANCH_ALIAS {
            if let Some(base) = alias.strip_suffix(".9999999-dev") {
                let parts: Vec<&str> = base.split('.').collect();
                if parts.len() == 3 && parts.iter().all(|p| is_digits(p)) {
                    let version = format!("{base}.0").replace(".9999999", ".0");
                    return transform(&version, &version, Stability::Dev);
                }
            }
        }
    }
    pretty.to_string()
}

fn transform(version: &str, pretty: &str, stability: Stability) -> String {
    let parts: Vec<&str> = version.split('.').collect();
    // Composer's test is `^0\D?` on the fourth part: it starts with `0`.
    let semverish = parts.len() == 4 && parts[3].starts_with('0');
    if !semverish {
        return pretty.to_string();
    }
    let kept = if parts[0] == "0" { 3 } else { 2 };
    let mut out = format!("^{}", parts[..kept].join("."));
    if stability != Stability::Stable {
        out.push('@');
        out.push_str(stability.as_str());
    }
    out
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rec(v: Value) -> String {
        recommended_require_version(&v, Some("8.2.7"))
    }

    #[test]
    fn releases() {
        let cases = [
            ("1.2.1", "1.2.1.0", "^1.2"),
            ("1.2", "1.2.0.0", "^1.2"),
            ("v3.2.1", "3.2.1.0", "^3.2"),
            ("0.3.1", "0.3.1.0", "^0.3.1"),
            ("2.4.7-p1", "2.4.7.0-patch1", "^2.4"),
            ("2.0-beta.1", "2.0.0.0-beta1", "^2.0@beta"),
            ("1.0.0-RC2", "1.0.0.0-RC2", "^1.0@RC"),
            ("2.4.7.1", "2.4.7.1", "2.4.7.1"),
            ("20240101", "20240101", "20240101"),
        ];
        for (pretty, normalized, want) in cases {
            let got =
                rec(json!({"name": "a/b", "version": pretty, "version_normalized": normalized}));
            assert_eq!(got, want, "{pretty}");
        }
    }

    #[test]
    fn branches() {
        let aliased = json!({"name": "a/b", "version": "dev-master", "version_normalized": "dev-master",
            "extra": {"branch-alias": {"dev-master": "2.1.x-dev"}}});
        assert_eq!(rec(aliased), "^2.1@dev");
        let plain =
            json!({"name": "a/b", "version": "dev-feature", "version_normalized": "dev-feature"});
        assert_eq!(rec(plain), "dev-feature");
        let default = json!({"name": "a/b", "version": "dev-main", "version_normalized": "dev-main",
            "default-branch": true});
        assert_eq!(rec(default), "dev-main");
        let numeric = json!({"name": "a/b", "version": "2.4.x-dev", "version_normalized": "2.4.9999999.9999999-dev"});
        assert_eq!(rec(numeric), "2.4.x-dev");
        // an alias that is not a -dev branch is ignored
        let bad = json!({"name": "a/b", "version": "dev-master", "extra": {"branch-alias": {"dev-master": "2.1"}}});
        assert_eq!(rec(bad), "dev-master");
    }

    fn branch_alias(p: &Value) -> Option<String> {
        crate::resolver::branch_alias(p.as_object().unwrap(), p["version"].as_str().unwrap())
    }

    #[test]
    fn branch_alias_rules() {
        let p = json!({"version": "1.x-dev", "extra": {"branch-alias": {"1.x-dev": "1.2.x-dev"}}});
        assert_eq!(branch_alias(&p).as_deref(), Some("1.2.9999999.9999999-dev"));
        // a numeric alias must extend the branch's own number
        let p = json!({"version": "1.x-dev", "extra": {"branch-alias": {"1.x-dev": "2.0.x-dev"}}});
        assert_eq!(branch_alias(&p), None);
        let p = json!({"version": "1.0.0", "extra": {"branch-alias": {"1.0.0": "1.0.x-dev"}}});
        assert_eq!(branch_alias(&p), None);
        let p = json!({"version": "dev-trunk", "default-branch": true});
        assert_eq!(branch_alias(&p).as_deref(), Some(DEFAULT_BRANCH_ALIAS));
    }

    #[test]
    fn extensions_versioned_like_php() {
        assert_eq!(
            rec(json!({"name": "ext-intl", "version": "8.2.7", "version_normalized": "8.2.7.0"})),
            "*"
        );
        assert_eq!(
            rec(json!({"name": "ext-apcu", "version": "5.1.22", "version_normalized": "5.1.22.0"})),
            "^5.1"
        );
    }
}
