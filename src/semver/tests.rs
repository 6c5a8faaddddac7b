// Transcribed from the reference vectors (produced by running Composer 2.5.5 / semver 3.3.2).

/// `normalize` cases: (input, Ok(normalized) or Err(Composer's message), stability of the
/// normalized form).
pub(super) const NORMALIZE: &[(&str, Result<&str, &str>, Option<&str>)] = &[
    ("1", Ok("1.0.0.0"), Some("stable")),
    ("1.2", Ok("1.2.0.0"), Some("stable")),
    ("1.2.3", Ok("1.2.3.0"), Some("stable")),
    ("1.2.3.4", Ok("1.2.3.4"), Some("stable")),
    ("v1.2.3", Ok("1.2.3.0"), Some("stable")),
    ("V1.2.3", Ok("1.2.3.0"), Some("stable")),
    (
        "1.2.3.4.5",
        Err("Invalid version string \"1.2.3.4.5\""),
        None,
    ),
    ("2.4.7-p3", Ok("2.4.7.0-patch3"), Some("stable")),
    ("2.4.7-p", Ok("2.4.7.0-patch"), Some("stable")),
    ("2.4.7p3", Ok("2.4.7.0-patch3"), Some("stable")),
    ("2.4.7-patch3", Ok("2.4.7.0-patch3"), Some("stable")),
    ("2.4.7-pl3", Ok("2.4.7.0-patch3"), Some("stable")),
    ("2.4.7-p3.1", Ok("2.4.7.0-patch3.1"), Some("stable")),
    ("2.4.7.1-p1", Ok("2.4.7.1-patch1"), Some("stable")),
    ("104.0.7-p3", Ok("104.0.7.0-patch3"), Some("stable")),
    ("100.4.7-p3", Ok("100.4.7.0-patch3"), Some("stable")),
    ("2.4.7-beta1", Ok("2.4.7.0-beta1"), Some("beta")),
    ("2.4.7-beta.1", Ok("2.4.7.0-beta1"), Some("beta")),
    ("2.4.7b2", Ok("2.4.7.0-beta2"), Some("beta")),
    ("2.4.7-alpha", Ok("2.4.7.0-alpha"), Some("alpha")),
    ("2.4.7-a1", Ok("2.4.7.0-alpha1"), Some("alpha")),
    ("2.4.7-RC1", Ok("2.4.7.0-RC1"), Some("RC")),
    ("2.4.7-rc.2", Ok("2.4.7.0-RC2"), Some("RC")),
    ("2.4.7RC3", Ok("2.4.7.0-RC3"), Some("RC")),
    ("2.4.7-rc-3", Ok("2.4.7.0-RC3"), Some("RC")),
    ("2.4.7_rc3", Ok("2.4.7.0-RC3"), Some("RC")),
    ("2.4.7-stable", Ok("2.4.7.0"), Some("stable")),
    ("2.4.7-dev", Ok("2.4.7.0-dev"), Some("dev")),
    ("2.4.7-p3-dev", Ok("2.4.7.0-patch3-dev"), Some("dev")),
    ("2.4.7-beta1-dev", Ok("2.4.7.0-beta1-dev"), Some("dev")),
    ("2.4.7.dev", Ok("2.4.7.0-dev"), Some("dev")),
    ("1.0.0+build.5", Ok("1.0.0.0"), Some("stable")),
    ("1.0.0-beta1+build", Ok("1.0.0.0-beta1"), Some("beta")),
    ("2.4.x-dev", Ok("2.4.9999999.9999999-dev"), Some("dev")),
    ("2.4.X-dev", Ok("2.4.9999999.9999999-dev"), Some("dev")),
    ("2.4-dev", Ok("2.4.0.0-dev"), Some("dev")),
    ("2.x-dev", Ok("2.9999999.9999999.9999999-dev"), Some("dev")),
    ("2.4.*-dev", Ok("2.4.9999999.9999999-dev"), Some("dev")),
    ("v2.4.x-dev", Ok("2.4.9999999.9999999-dev"), Some("dev")),
    ("dev-master", Ok("dev-master"), Some("dev")),
    ("master", Ok("dev-master"), Some("dev")),
    ("trunk", Ok("dev-trunk"), Some("dev")),
    ("default", Ok("dev-default"), Some("dev")),
    ("dev-2.4-develop", Ok("dev-2.4-develop"), Some("dev")),
    ("dev-feature/foo", Ok("dev-feature/foo"), Some("dev")),
    ("DEV-Foo", Ok("dev-Foo"), Some("dev")),
    (
        "feature-dev",
        Err("Invalid version string \"feature-dev\""),
        None,
    ),
    ("1.0.0@dev", Ok("1.0.0.0"), Some("stable")),
    ("1.0.0@beta", Ok("1.0.0.0"), Some("stable")),
    ("1.0.0 as 2.0.0", Ok("1.0.0.0"), Some("stable")),
    ("20240131", Ok("20240131"), Some("stable")),
    ("2024.01.31", Ok("2024.01.31.0"), Some("stable")),
    ("2024-01-31", Ok("2024.01.31"), Some("stable")),
    ("2024.01.31.1200", Ok("2024.01.31.1200"), Some("stable")),
    ("20240131120000", Ok("20240131120000"), Some("stable")),
    ("99999", Ok("99999.0.0.0"), Some("stable")),
    ("100000", Ok("100000"), Some("stable")),
    (
        "1.0.0-foo",
        Err("Invalid version string \"1.0.0-foo\""),
        None,
    ),
    (
        "1.0.0-SNAPSHOT",
        Err("Invalid version string \"1.0.0-SNAPSHOT\""),
        None,
    ),
    (" 1.0 ", Ok("1.0.0.0"), Some("stable")),
    ("1.0.0-RC", Ok("1.0.0.0-RC"), Some("RC")),
    ("0.0.0", Ok("0.0.0.0"), Some("stable")),
    ("01.02.03", Ok("01.02.03.0"), Some("stable")),
    ("1.0.0.0-patch3", Ok("1.0.0.0-patch3"), Some("stable")),
    ("1.0.0-p1.2.3", Ok("1.0.0.0-patch1.2.3"), Some("stable")),
    ("1.0.0-alpha1-dev", Ok("1.0.0.0-alpha1-dev"), Some("dev")),
    ("1.0-b", Ok("1.0.0.0-beta"), Some("beta")),
    ("1.0.0beta", Ok("1.0.0.0-beta"), Some("beta")),
    ("1.0.0.beta", Ok("1.0.0.0-beta"), Some("beta")),
    ("1.0.0-beta-1", Ok("1.0.0.0-beta1"), Some("beta")),
];

/// `parse_constraints` cases: (constraint, Ok(Composer string form) or Err(Composer's message)).
pub(super) const PARSE_CONSTRAINTS: &[(&str, Result<&str, &str>)] = &[
    ("^2.4", Ok("[>= 2.4.0.0-dev < 3.0.0.0-dev]")),
    ("^2.4.7", Ok("[>= 2.4.7.0-dev < 3.0.0.0-dev]")),
    ("^0.3", Ok("[>= 0.3.0.0-dev < 0.4.0.0-dev]")),
    ("^0.0.3", Ok("[>= 0.0.3.0-dev < 0.0.4.0-dev]")),
    ("^0", Ok("[>= 0.0.0.0-dev < 1.0.0.0-dev]")),
    ("^0.0", Ok("[>= 0.0.0.0-dev < 0.1.0.0-dev]")),
    ("^2.4.7-p1", Ok("[>= 2.4.7.0-patch1 < 3.0.0.0-dev]")),
    ("^2.4.7-beta1", Ok("[>= 2.4.7.0-beta1 < 3.0.0.0-dev]")),
    ("^1.2.3.4", Ok("[>= 1.2.3.4-dev < 2.0.0.0-dev]")),
    ("~2.4", Ok("[>= 2.4.0.0-dev < 3.0.0.0-dev]")),
    ("~2.4.7", Ok("[>= 2.4.7.0-dev < 2.5.0.0-dev]")),
    ("~2", Ok("[>= 2.0.0.0-dev < 3.0.0.0-dev]")),
    ("~2.4.7-p1", Ok("[>= 2.4.7.0-patch1 < 2.5.0.0-dev]")),
    ("~2.4.7.1", Ok("[>= 2.4.7.1-dev < 2.4.8.0-dev]")),
    ("~2.4.x-dev", Ok("[>= 2.4.9999999.9999999-dev < 2.5.0.0-dev]")),
    ("2.4.*", Ok("[>= 2.4.0.0-dev < 2.5.0.0-dev]")),
    ("2.*", Ok("[>= 2.0.0.0-dev < 3.0.0.0-dev]")),
    ("*", Ok("*")),
    ("x", Ok("*")),
    ("2.4.x", Ok("[>= 2.4.0.0-dev < 2.5.0.0-dev]")),
    ("v2.4.*", Ok("[>= 2.4.0.0-dev < 2.5.0.0-dev]")),
    ("2.4.7", Ok("== 2.4.7.0")),
    ("=2.4.7", Ok("== 2.4.7.0")),
    ("==2.4.7", Ok("== 2.4.7.0")),
    ("2.4.7-p3", Ok("== 2.4.7.0-patch3")),
    (">=2.4.6 <2.4.8", Ok("[>= 2.4.6.0-dev < 2.4.8.0-dev]")),
    (">=2.4.6,<2.4.8", Ok("[>= 2.4.6.0-dev < 2.4.8.0-dev]")),
    (">=2.4.6, <2.4.8", Ok("[>= 2.4.6.0-dev < 2.4.8.0-dev]")),
    (">= 2.4.6 < 2.4.8", Ok("[>= 2.4.6.0-dev < 2.4.8.0-dev]")),
    ("2.4.6 - 2.4.8", Ok("[>= 2.4.6.0-dev <= 2.4.8.0]")),
    ("2.4 - 2.5", Ok("[>= 2.4.0.0-dev < 2.6.0.0-dev]")),
    ("2.4.7-p1 - 2.4.7-p3", Ok("[>= 2.4.7.0-patch1 <= 2.4.7.0-patch3]")),
    ("1.0.0 - 2.0.0-beta1", Ok("[>= 1.0.0.0-dev <= 2.0.0.0-beta1]")),
    ("!=2.4.7", Ok("!= 2.4.7.0")),
    ("<>2.4.7", Ok("!= 2.4.7.0")),
    (">2.4.7", Ok("> 2.4.7.0")),
    ("<=2.4.7", Ok("<= 2.4.7.0")),
    ("<2.4.7", Ok("< 2.4.7.0-dev")),
    ("<2.4.7-p2", Ok("< 2.4.7.0-patch2")),
    (">=2.4.7-beta1", Ok(">= 2.4.7.0-beta1")),
    ("2.4.7 || 2.4.8", Ok("[== 2.4.7.0 || == 2.4.8.0]")),
    ("2.4.7 | 2.4.8", Ok("[== 2.4.7.0 || == 2.4.8.0]")),
    ("^1.0 || ^2.0", Ok("[>= 1.0.0.0-dev < 3.0.0.0-dev]")),
    ("^1.0 || ^3.0", Ok("[[>= 1.0.0.0-dev < 2.0.0.0-dev] || [>= 3.0.0.0-dev < 4.0.0.0-dev]]")),
    ("~1.0 ~1.1", Ok("[>= 1.0.0.0-dev < 2.0.0.0-dev >= 1.1.0.0-dev < 2.0.0.0-dev]")),
    ("^2.4@dev", Ok("[>= 2.4.0.0-dev < 3.0.0.0-dev]")),
    ("^2.4@beta", Ok("[>= 2.4.0.0-dev < 3.0.0.0-dev]")),
    ("@dev", Ok("*")),
    ("@stable", Ok("*")),
    (">=1.0@beta", Ok(">= 1.0.0.0-beta")),
    ("2.4.x-dev", Ok("== 2.4.9999999.9999999-dev")),
    ("dev-2.4-develop", Ok("== dev-2.4-develop")),
    ("dev-master", Ok("== dev-master")),
    ("dev-master#abc123", Ok("== dev-master")),
    ("2.4.x-dev#abc123", Ok("== 2.4.9999999.9999999-dev")),
    ("2.4.7 as 2.4.8", Ok("== 2.4.7.0")),
    ("dev-foo as 1.0.x-dev", Ok("== dev-foo")),
    ("v2.4.7", Ok("== 2.4.7.0")),
    (">= 2.4", Ok(">= 2.4.0.0-dev")),
    ("foo-dev", Ok("== dev-foo")),
    (">=1.0 <1.1 || >=1.2", Ok("[[>= 1.0.0.0-dev < 1.1.0.0-dev] || >= 1.2.0.0-dev]")),
    ("~>1.0", Err("Could not parse version constraint ~>1.0: Invalid operator \"~>\", you probably meant to use the \"~\" operator")),
    ("^", Err("Could not parse version constraint ^: Invalid version string \"^\"")),
    ("1.0.0 -2.0.0", Err("Could not parse version constraint 1.0.0 -2.0.0: Invalid version string \"1.0.0 -2.0.0\"")),
    ("^1.2.3+build", Ok("[>= 1.2.3.0 < 2.0.0.0-dev]")),
];

/// Matching cases: (constraint, pretty version, normalized version, matches).
pub(super) const MATCHES: &[(&str, &str, &str, bool)] = &[
    ("^2.4", "2.4.7", "2.4.7.0", true),
    ("^2.4", "2.4.7-p3", "2.4.7.0-patch3", true),
    ("^2.4", "3.0.0", "3.0.0.0", false),
    ("^2.4", "2.4.0-beta1", "2.4.0.0-beta1", true),
    ("^2.4", "2.4.0-dev", "2.4.0.0-dev", true),
    ("^2.4", "3.0.0-alpha1", "3.0.0.0-alpha1", false),
    ("^2.4", "2.3.9-p9", "2.3.9.0-patch9", false),
    ("^2.4.7-p1", "2.4.7", "2.4.7.0", false),
    ("^2.4.7-p1", "2.4.7-p1", "2.4.7.0-patch1", true),
    ("^2.4.7-p1", "2.4.8-beta1", "2.4.8.0-beta1", true),
    ("~2.4.0", "2.4.7-p3", "2.4.7.0-patch3", true),
    ("~2.4.0", "2.5.0", "2.5.0.0", false),
    ("~2.4.7", "2.4.7-p1", "2.4.7.0-patch1", true),
    ("~2.4.7", "2.4.8", "2.4.8.0", true),
    ("~2.4.7", "2.5.0-alpha1", "2.5.0.0-alpha1", false),
    ("~2.4", "2.9.9", "2.9.9.0", true),
    ("~2.4", "3.0.0", "3.0.0.0", false),
    ("2.4.7", "2.4.7-p1", "2.4.7.0-patch1", false),
    ("2.4.7", "2.4.7.0", "2.4.7.0", true),
    ("2.4.7", "v2.4.7", "2.4.7.0", true),
    ("2.4.7-p3", "2.4.7-p3", "2.4.7.0-patch3", true),
    ("2.4.7-p3", "2.4.7-p03", "2.4.7.0-patch03", true),
    ("2.4.7-p3", "2.4.7-patch3", "2.4.7.0-patch3", true),
    ("2.4.7-p3", "2.4.7-pl3", "2.4.7.0-patch3", true),
    (">=2.4.7", "2.4.7-p1", "2.4.7.0-patch1", true),
    (">=2.4.7", "2.4.7-beta1", "2.4.7.0-beta1", true),
    (">=2.4.7", "2.4.7-dev", "2.4.7.0-dev", true),
    (">=2.4.7-p1", "2.4.7", "2.4.7.0", false),
    (">2.4.7", "2.4.7-p1", "2.4.7.0-patch1", true),
    (">2.4.7", "2.4.7.1", "2.4.7.1", true),
    ("<2.4.8", "2.4.8-beta1", "2.4.8.0-beta1", false),
    ("<2.4.8", "2.4.8-dev", "2.4.8.0-dev", false),
    ("<2.4.8", "2.4.7-p4", "2.4.7.0-patch4", true),
    ("<=2.4.7", "2.4.7-p1", "2.4.7.0-patch1", false),
    ("<=2.4.7", "2.4.7-RC1", "2.4.7.0-RC1", true),
    ("<2.4.7-p2", "2.4.7-p1", "2.4.7.0-patch1", true),
    ("<2.4.7-p2", "2.4.7", "2.4.7.0", true),
    ("2.4.7-p1 - 2.4.7-p3", "2.4.7-p2", "2.4.7.0-patch2", true),
    ("2.4.7-p1 - 2.4.7-p3", "2.4.7-p4", "2.4.7.0-patch4", false),
    ("2.4.6 - 2.4.7", "2.4.7-p3", "2.4.7.0-patch3", false),
    ("2.4.6 - 2.4.7", "2.4.6-beta1", "2.4.6.0-beta1", true),
    ("2.4 - 2.5", "2.5.9", "2.5.9.0", true),
    ("2.4 - 2.5", "2.6.0", "2.6.0.0", false),
    ("2.4 - 2.5", "2.6.0-dev", "2.6.0.0-dev", false),
    ("!=2.4.7", "2.4.7-p1", "2.4.7.0-patch1", true),
    ("!=2.4.7", "2.4.7", "2.4.7.0", false),
    ("!=2.4.7", "dev-master", "dev-master", true),
    ("2.4.*", "2.4.7-p3", "2.4.7.0-patch3", true),
    ("2.4.*", "2.5.0-alpha1", "2.5.0.0-alpha1", false),
    ("2.4.*", "2.4.0-dev", "2.4.0.0-dev", true),
    ("*", "2.4.7-beta1", "2.4.7.0-beta1", true),
    ("*", "dev-master", "dev-master", true),
    ("x", "1.0.0", "1.0.0.0", true),
    ("2.4.7 || 2.4.8", "2.4.8", "2.4.8.0", true),
    ("2.4.7 | 2.4.8", "2.4.9", "2.4.9.0", false),
    (">=2.4.6 <2.4.8", "2.4.8", "2.4.8.0", false),
    (">=2.4.6 <2.4.8", "2.4.8-dev", "2.4.8.0-dev", false),
    (">=2.4.6 <2.4.8", "2.4.7.1", "2.4.7.1", true),
    (">=2.4.6,<2.4.8", "2.4.6", "2.4.6.0", true),
    ("^104.0", "104.0.7-p3", "104.0.7.0-patch3", true),
    ("^100.4.0", "100.4.7-p3", "100.4.7.0-patch3", true),
    ("~104.0.7", "104.1.0", "104.1.0.0", false),
    ("^103.0.7-p3", "103.0.7-p4", "103.0.7.0-patch4", true),
    (
        "dev-2.4-develop",
        "dev-2.4-develop",
        "dev-2.4-develop",
        true,
    ),
    (
        "dev-2.4-develop",
        "dev-2.4-Develop",
        "dev-2.4-Develop",
        false,
    ),
    ("2.4.x-dev", "2.4.x-dev", "2.4.9999999.9999999-dev", true),
    ("^2.4", "2.4.x-dev", "2.4.9999999.9999999-dev", true),
    ("^2.4", "dev-2.4-develop", "dev-2.4-develop", false),
    (">=2.0", "dev-master", "dev-master", false),
    ("dev-master", "dev-master", "dev-master", true),
    ("^1.2.3", "1.2.3.4", "1.2.3.4", true),
    ("^0.3", "0.3.9", "0.3.9.0", true),
    ("^0.3", "0.4.0", "0.4.0.0", false),
    ("^0.0.3", "0.0.4", "0.0.4.0", false),
    ("^0", "0.9.9", "0.9.9.0", true),
    ("^0", "1.0.0", "1.0.0.0", false),
    (">=1.0-beta", "1.0-alpha2", "1.0.0.0-alpha2", false),
    (">=1.0-beta", "1.0-RC1", "1.0.0.0-RC1", true),
    (">=1.0@beta", "1.0-beta1", "1.0.0.0-beta1", true),
    (">2.4.7-p9", "2.4.7-p10", "2.4.7.0-patch10", true),
    ("<2.4.7-p10", "2.4.7-p9", "2.4.7.0-patch9", true),
    ("2024.01.*", "2024.01.31", "2024.01.31.0", true),
    (">=20240101", "20240131", "20240131", true),
    ("1.0.0 as 2.0.0", "1.0.0", "1.0.0.0", true),
];

/// PHP `version_compare(a, b)` cases.
pub(super) const PHP_VERSION_COMPARE: &[(&str, &str, i32)] = &[
    ("1.0.0.0", "1.0.0.0", 0),
    ("1.0.0.0", "1.0.0.1", -1),
    ("1.0.0.0-patch3", "1.0.0.0", 1),
    ("1.0.0.0-patch3", "1.0.0.1", -1),
    ("1.0.0.0-patch10", "1.0.0.0-patch9", 1),
    ("1.0.0.0-patch3.1", "1.0.0.0-patch3", 1),
    ("1.0.0.0-RC1", "1.0.0.0", -1),
    ("1.0.0.0-beta2", "1.0.0.0-RC1", -1),
    ("1.0.0.0-alpha9", "1.0.0.0-beta1", -1),
    ("1.0.0.0-dev", "1.0.0.0-alpha1", -1),
    ("1.0.0.0-dev", "1.0.0.0", -1),
    ("1.0.0.0-patch3-dev", "1.0.0.0-patch3", -1),
    ("1.0.0.0-patch3-dev", "1.0.0.0", 1),
    ("1.0.0.0-beta1-dev", "1.0.0.0-beta1", -1),
    ("1.0.0.0-beta1-dev", "1.0.0.0-alpha1", 1),
    ("2.4.9999999.9999999-dev", "2.4.8.0", 1),
    ("2.4.9999999.9999999-dev", "2.5.0.0-dev", -1),
    ("01.02.03.0", "1.2.3.0", 0),
    ("1.0.0.0-RC", "1.0.0.0-RC1", -1),
    ("1.0.0.0-patch", "1.0.0.0", 1),
    ("1.0", "1.0.0", -1),
    ("1.0.0.0", "1.0.0.0-p1", -1),
    ("1.0.0.0-rc1", "1.0.0.0-RC1", 0),
    ("2024.01.31", "2024.01.31.0", -1),
    ("1.0.0.0-stable", "1.0.0.0", -1),
];

use super::*;
use std::cmp::Ordering;

#[test]
fn normalize_vectors() {
    assert_eq!(NORMALIZE.len(), 70);
    for (input, expected, stability) in NORMALIZE {
        match (normalize(input), expected) {
            (Ok(got), Ok(want)) => {
                assert_eq!(&got, want, "normalize({input:?})");
                let st = stability.unwrap_or("?");
                assert_eq!(parse_stability(&got).as_str(), st, "stability of {got:?}");
            }
            (Err(e), Err(want)) => {
                assert_eq!(e.composer_message(), *want, "error for {input:?}");
                assert!(e.to_string().contains(&format!("\"{input}\"")), "{e}");
            }
            (got, want) => panic!("normalize({input:?}) = {got:?}, expected {want:?}"),
        }
    }
}

#[test]
fn parse_constraint_vectors() {
    assert_eq!(PARSE_CONSTRAINTS.len(), 65);
    for (input, expected) in PARSE_CONSTRAINTS {
        match (parse_constraints(input), expected) {
            (Ok(c), Ok(want)) => {
                assert_eq!(&c.to_string(), want, "parse_constraints({input:?})");
                assert_eq!(c.pretty(), *input);
            }
            (Err(e), Err(want)) => {
                assert_eq!(e.composer_message(), *want, "error for {input:?}");
                assert_eq!(e.input, *input);
            }
            (got, want) => panic!("parse_constraints({input:?}) = {got:?}, expected {want:?}"),
        }
    }
}

#[test]
fn match_vectors() {
    assert_eq!(MATCHES.len(), 84);
    for (constraint, version, normalized, expected) in MATCHES {
        let n = normalize(version).expect("vector version normalizes");
        assert_eq!(&n, normalized, "normalize({version:?})");
        let c = parse_constraints(constraint).expect("vector constraint parses");
        assert_eq!(
            c.matches_version(&n),
            *expected,
            "{constraint:?} vs {version:?} ({c})"
        );
        // Composer's generic (non-compiled) path must agree.
        assert_eq!(
            c.matches(&Constraint::exact(&n)),
            *expected,
            "matchSpecific path: {constraint:?} vs {version:?}"
        );
    }
}

#[test]
fn php_version_compare_vectors() {
    assert_eq!(PHP_VERSION_COMPARE.len(), 25);
    for (a, b, expected) in PHP_VERSION_COMPARE {
        assert_eq!(
            php_version_compare(a, b),
            *expected,
            "version_compare({a:?}, {b:?})"
        );
        assert_eq!(version_compare(a, b), expected.cmp(&0));
    }
}

// ---------------------------------------------------------------------------------------
// Extra cases. Expected values follow the algorithm and the reference notes; each one was
// also checked against Composer 2.5.5 / composer/semver 3.3.2 running under PHP 8.2.

fn parsed(s: &str) -> String {
    match parse_constraints(s) {
        Ok(c) => c.to_string(),
        Err(e) => format!("ERROR: {}", e.composer_message()),
    }
}

fn matches(constraint: &str, version: &str) -> bool {
    let c = parse_constraints(constraint).expect("constraint parses");
    let v = normalize(version).expect("version normalizes");
    c.matches_version(&v)
}

#[test]
fn magento_patch_versions_sort_above_release() {
    let ordered = [
        "2.4.6-p9",
        "2.4.7-beta1",
        "2.4.7-RC1",
        "2.4.7",
        "2.4.7-p1",
        "2.4.7-p2",
        "2.4.7-p9",
        "2.4.7-p10",
        "2.4.7.1",
        "2.4.8-alpha1",
        "2.4.8",
    ];
    let normalized: Vec<String> = ordered.iter().map(|v| normalize(v).unwrap()).collect();
    for pair in normalized.windows(2) {
        assert_eq!(
            version_compare(&pair[0], &pair[1]),
            Ordering::Less,
            "{pair:?}"
        );
        assert_eq!(
            compare_normalized(&pair[1], &pair[0]),
            Ordering::Greater,
            "{pair:?}"
        );
    }
    let mut shuffled = normalized.clone();
    shuffled.reverse();
    shuffled.sort_by(|a, b| compare_normalized(a, b));
    assert_eq!(shuffled, normalized);
    assert!(matches(">2.4.7-p9", "2.4.7-p10"));
    assert!(!matches("<2.4.7-p9", "2.4.7-p10"));
    assert!(matches("^2.4.7-p1", "2.4.7-p10"));
    assert!(matches("~2.4.7-p3", "2.4.7.1"));
    assert_eq!(parse_stability("2.4.7.0-patch10"), Stability::Stable);
}

#[test]
fn patch_dev_versions_sit_between_release_and_patch() {
    // 2.4.7.0 < 2.4.7.0-patch3-dev < 2.4.7.0-patch3 < 2.4.7.0-patch4-dev < 2.4.7.0-patch4
    let ordered = [
        "2.4.7.0",
        "2.4.7.0-patch3-dev",
        "2.4.7.0-patch3",
        "2.4.7.0-patch4-dev",
        "2.4.7.0-patch4",
        "2.4.7.1-dev",
    ];
    for pair in ordered.windows(2) {
        assert_eq!(php_version_compare(pair[0], pair[1]), -1, "{pair:?}");
        assert_eq!(php_version_compare(pair[1], pair[0]), 1, "{pair:?}");
    }
    assert_eq!(normalize("2.4.7-p3-dev").unwrap(), "2.4.7.0-patch3-dev");
    assert_eq!(parse_stability("2.4.7.0-patch3-dev"), Stability::Dev);
    assert!(matches("^2.4.7", "2.4.7-p3-dev"));
    assert!(!matches("2.4.7-p3", "2.4.7-p3-dev"));
}

#[test]
fn dev_branches_sort_below_everything() {
    let mut versions = vec![
        "2.4.9999999.9999999-dev".to_string(),
        "dev-master".to_string(),
        "1.0.0.0".to_string(),
        "dev-2.4-develop".to_string(),
        "0.0.0.1-dev".to_string(),
    ];
    versions.sort_by(|a, b| compare_normalized(a, b));
    assert_eq!(
        versions,
        [
            "dev-master",
            "dev-2.4-develop",
            "0.0.0.1-dev",
            "1.0.0.0",
            "2.4.9999999.9999999-dev"
        ]
    );
    assert_eq!(
        compare_normalized_total("dev-a", "dev-b"),
        Ordering::Less,
        "total order breaks ties"
    );
    // Raw PHP comparison also puts a branch below a number.
    assert_eq!(php_version_compare("dev-master", "0.0.0.0"), -1);
}

#[test]
fn trap_strict_upper_bound_excludes_prereleases() {
    assert!(!matches("<2.0", "2.0.0-beta1"));
    assert!(matches("<=2.0", "2.0.0-beta1"));
    assert!(matches(">1.0", "1.0.0-p1"));
    assert_eq!(parsed("<2.0"), "< 2.0.0.0-dev");
    assert_eq!(parsed("<=2.0"), "<= 2.0.0.0");
}

#[test]
fn trap_uppercase_rc_in_lower_bound_gets_dev_suffix() {
    assert_eq!(parsed(">=1.0.0-RC1"), ">= 1.0.0.0-RC1-dev");
    assert_eq!(parsed(">=1.0.0-rc1"), ">= 1.0.0.0-RC1-dev");
    assert_eq!(parsed(">=1.0.0-beta1"), ">= 1.0.0.0-beta1");
    assert_eq!(parsed("<1.0.0-RC1"), "< 1.0.0.0-RC1-dev");
    assert!(matches(">=1.0.0-RC1", "1.0.0-RC1"));
    assert!(!matches(">=1.0.0-RC1", "1.0.0-beta9"));
}

#[test]
fn trap_master_main_and_branches() {
    assert_eq!(parsed(">=master"), ">= dev-master-dev");
    let c = parse_constraints(">=master").unwrap();
    for v in ["dev-master", "1.0.0.0", "9999999-dev", "dev-master-dev"] {
        assert!(
            !c.matches_version(v),
            ">=master must match nothing, matched {v}"
        );
    }
    assert_eq!(normalize("master").unwrap(), "dev-master");
    assert!(normalize("main").is_err(), "main is not special");
    assert_eq!(normalize("dev-main").unwrap(), "dev-main");
    assert!(parse_constraints("main").is_err());
    assert_eq!(parsed("master"), "== dev-master");
    assert_eq!(parsed("dev-main"), "== dev-main");
}

#[test]
fn trap_hyphen_spacing() {
    // Any doubled space around the dash lets the AND split cut the range apart.
    assert!(parse_constraints("1.0  -  2.0").is_err());
    assert!(parse_constraints("1.0 -  2.0").is_err());
    assert!(parse_constraints("1.0  - 2.0").is_err());
    assert_eq!(parsed("1.0 - 2.0"), "[>= 1.0.0.0-dev < 2.1.0.0-dev]");
    assert_eq!(normalize("1.0.0-").unwrap(), "1.0.0.0");
    assert_eq!(parsed("1.0.0-"), "== 1.0.0.0");
}

#[test]
fn trap_or_with_not_equal_matches_nearly_everything() {
    let c = parse_constraints("^1.9 || ^2.8 || !=2.2.16").unwrap();
    assert_eq!(
        c.to_string(),
        "[[>= 1.9.0.0-dev < 2.0.0.0-dev] || [>= 2.8.0.0-dev < 3.0.0.0-dev] || != 2.2.16.0]"
    );
    for v in [
        "0.1.0.0",
        "1.0.0.0",
        "2.2.15.0",
        "2.2.17.0",
        "3.5.0.0",
        "dev-master",
    ] {
        assert!(c.matches_version(v), "{v}");
    }
    assert!(!c.matches_version("2.2.16.0"));
}

#[test]
fn root_stability_flags() {
    use Stability::*;
    assert_eq!(root_stability_flag(">=2.0-beta", Stable, None), Some(Beta));
    assert_eq!(root_stability_flag(">= 2.0-beta", Stable, None), None);
    assert_eq!(root_stability_flag("^1.0@stable", Dev, None), Some(Stable));
    assert_eq!(root_stability_flag("^2.4.7@beta", Stable, None), Some(Beta));
    assert_eq!(root_stability_flag("@dev", Stable, None), Some(Dev));
    assert_eq!(root_stability_flag("1.0.0-beta2", Stable, None), Some(Beta));
    assert_eq!(root_stability_flag("1.0.0-beta2", Alpha, None), None);
    assert_eq!(root_stability_flag("dev-main", Stable, None), Some(Dev));
    assert_eq!(root_stability_flag("2.4.x-dev", Stable, None), Some(Dev));
    assert_eq!(
        root_stability_flag("dev-main as 2.4.x-dev", Stable, None),
        Some(Dev)
    );
    assert_eq!(
        root_stability_flag("^1.0@beta || ^2.0@alpha", Stable, None),
        Some(Alpha)
    );
    assert_eq!(
        root_stability_flag("^1.0@alpha || ^2.0@beta", Stable, None),
        Some(Alpha)
    );
    assert_eq!(root_stability_flag("^2.4", Stable, None), None);
    assert_eq!(root_stability_flag("2.4.7-p3", Stable, None), None);
    assert_eq!(
        root_stability_flag("^1.0@beta", Stable, Some(Dev)),
        Some(Dev)
    );
    assert_eq!(root_stability_flag("1.0.0-RC1", Stable, None), Some(RC));
    assert_eq!(
        parse_constraints("^2.4@beta").unwrap().stability_flag(),
        Some(Beta)
    );
    assert_eq!(parse_constraints("^2.4").unwrap().stability_flag(), None);
}

#[test]
fn stability_type() {
    use Stability::*;
    assert_eq!(
        Stability::ALL.map(Stability::rank),
        [0, 5, 10, 15, 20],
        "ranks of stable, RC, beta, alpha, dev"
    );
    assert_eq!("RC".parse::<Stability>().unwrap(), RC);
    assert_eq!("rc".parse::<Stability>().unwrap(), RC);
    assert_eq!("Beta".parse::<Stability>().unwrap(), Beta);
    assert_eq!("DEV".parse::<Stability>().unwrap(), Dev);
    assert!("patch".parse::<Stability>().is_err());
    assert_eq!(RC.as_str(), "RC");
    assert_eq!(Stability::from_rank(10), Some(Beta));
    assert!(Beta.is_at_least(Alpha));
    assert!(!Dev.is_at_least(Stable));
    assert_eq!(parse_stability("dev-master#abc123"), Dev);
    assert_eq!(parse_stability("1.0.0-beta1+build"), Beta);
    assert_eq!(parse_stability("1.0.0.0-pl2"), Stable);
    assert_eq!(parse_stability("1.0.0a1"), Alpha);
    assert_eq!(parse_stability("v1.0.0-RC2"), RC);
}

#[test]
fn more_constraint_forms() {
    let cases = [
        ("^1.0 || ^2.0 || ^3.0", "[>= 1.0.0.0-dev < 4.0.0.0-dev]"),
        ("^1.0 || ^2.0 || ^4.0", "[[>= 1.0.0.0-dev < 3.0.0.0-dev] || [>= 4.0.0.0-dev < 5.0.0.0-dev]]"),
        ("~1.2.x-dev", "[>= 1.2.9999999.9999999-dev < 1.3.0.0-dev]"),
        ("~2.x-dev", "[>= 2.9999999.9999999.9999999-dev < 3.0.0.0-dev]"),
        ("^2.x-dev", "[>= 2.9999999.9999999.9999999-dev < 3.0.0.0-dev]"),
        ("0.*", "< 1.0.0.0-dev"),
        ("v*", ">= 0.0.0.0-dev"),
        ("*.*", ">= 0.0.0.0-dev"),
        ("X", "*"),
        ("1.0.*@dev", "[>= 1.0.0.0-dev < 1.1.0.0-dev]"),
        ("!=1.0@beta", "!= 1.0.0.0-beta"),
        ("=1.0@beta", "== 1.0.0.0"),
        (">1.0@RC", "> 1.0.0.0-RC"),
        ("1.0 - 2", "[>= 1.0.0.0-dev < 3.0.0.0-dev]"),
        ("1.0 - 2.0.x-dev", "[>= 1.0.0.0-dev <= 2.0.9999999.9999999-dev]"),
        ("dev-feature/foo#abcdef", "== dev-feature/foo"),
        (">=1.0,<2.0,!=1.5", "[>= 1.0.0.0-dev < 2.0.0.0-dev != 1.5.0.0]"),
        ("1.0.0 as 1.0.x-dev", "== 1.0.0.0"),
        ("  ^1.0  ", "[>= 1.0.0.0-dev < 2.0.0.0-dev]"),
        ("^0.0.0", "[>= 0.0.0.0-dev < 0.0.1.0-dev]"),
        ("~1", "[>= 1.0.0.0-dev < 2.0.0.0-dev]"),
        ("~0.3.1.5", "[>= 0.3.1.5-dev < 0.3.2.0-dev]"),
        ("^01.02", "[>= 01.02.0.0-dev < 2.0.0.0-dev]"),
        ("2024.01.*", "[>= 2024.01.0.0-dev < 2024.2.0.0-dev]"),
        (">=2024-01-31", ">= 2024.01.31-dev"),
        ("<2.4.8 >2.4.6", "[< 2.4.8.0-dev > 2.4.6.0]"),
        ("1.0 ||| 2.0", "ERROR: Could not parse version constraint : Invalid version string \"\""),
        ("", "ERROR: Could not parse version constraint : Invalid version string \"\""),
        ("~>2", "ERROR: Could not parse version constraint ~>2: Invalid operator \"~>\", you probably meant to use the \"~\" operator"),
    ];
    for (input, want) in cases {
        assert_eq!(parsed(input), want, "{input:?}");
    }
}

#[test]
fn huge_numbers_follow_php() {
    // PHP semantics: strtol saturates at LONG_MAX, and `+= 1` past PHP_INT_MAX yields a float
    // printed with precision 14.
    assert_eq!(
        php_version_compare("1.99999999999999999999", "1.99999999999999999998"),
        0
    );
    assert_eq!(
        php_version_compare("1.9223372036854775807", "1.9223372036854775806"),
        1
    );
    assert_eq!(php_version_compare("00000000000000000000000001", "1"), 0);
    assert_eq!(
        parsed("^99999999999999999999"),
        "[>= 99999999999999999999.9999999.9999999.9999999-dev < 1.0E+20.0.0.0-dev]"
    );
    assert_eq!(
        parsed("~1.9223372036854775807.0"),
        "[>= 1.9223372036854775807.0.0-dev < 1.9.2233720368548E+18.0.0-dev]"
    );
}

#[test]
fn version_compare_edges() {
    assert_eq!(php_version_compare("", ""), 0);
    assert_eq!(php_version_compare("", "1"), -1);
    assert_eq!(php_version_compare("1", ""), 1);
    assert_eq!(php_version_compare("1.", "1"), -1);
    assert_eq!(php_version_compare("1", "1."), 1);
    assert_eq!(php_version_compare("1.0pl1", "1.0"), 1);
    assert_eq!(php_version_compare("1.0-dev", "1.0-alpha"), -1);
    assert_eq!(php_version_compare("1.0a", "1.0b"), -1);
    assert_eq!(php_version_compare("1.0#1", "1.0"), 1);
    assert_eq!(php_version_compare("1.0rc1", "1.0RC1"), 0);
    assert_eq!(php_version_compare("1.0-stable", "1.0-foo"), 0);
    assert_eq!(php_version_compare("5.2", "5.2.0\0trailing"), -1);
    assert_eq!(version_compare_op("1.0", "1.0.0", "<"), Some(true));
    assert_eq!(version_compare_op("1.0", "1.0.0", "ge"), Some(false));
    assert_eq!(version_compare_op("1.0", "1.0", "~"), None);
}

#[test]
fn normalize_extras() {
    let cases = [
        ("1.0.0-STABLE", Some("1.0.0.0-stable")),
        ("1.0-stable-dev", Some("1.0.0.0")),
        ("1.0.0.RC.1", Some("1.0.0.0-RC1")),
        ("1.0.0-pl", Some("1.0.0.0-patch")),
        ("dev-", Some("dev-")),
        ("1.0.0+", None),
        ("1.0.0+build+more", Some("1.0.0.0")),
        ("v2024.01.31-beta2", Some("2024.01.31.0-beta2")),
        ("2024-01-31-1", Some("2024.01.31.1")),
        ("2024:01:31", Some("2024.01.31")),
        ("20240131-dev", Some("20240131-dev")),
        ("10.x-dev", Some("10.9999999.9999999.9999999-dev")),
        ("1.2.3.4.x-dev", None),
        ("dev", None),
        ("1.0 @dev", None),
        ("foo as 1.0", None),
    ];
    for (input, want) in cases {
        assert_eq!(normalize(input).ok().as_deref(), want, "{input:?}");
    }
    let err = normalize("foo as 1.0").unwrap_err();
    assert_eq!(
        err.composer_message(),
        "Invalid version string \"foo as 1.0\" in \"foo as 1.0\", the alias source must be an \
         exact version, if it is a branch name you should prefix it with dev-"
    );
    let err = normalize("1.0.0-foo").unwrap_err();
    assert!(
        err.to_string()
            .starts_with("invalid version string \"1.0.0-foo\": "),
        "{err}"
    );
    assert_eq!(normalize_branch("2.4"), "2.4.9999999.9999999-dev");
    assert_eq!(normalize_branch(" v3.x "), "3.9999999.9999999.9999999-dev");
    assert_eq!(normalize_branch("feature/x"), "dev-feature/x");
    assert_eq!(normalize_branch("master"), "dev-master");
}

#[test]
fn constraint_intersection() {
    let c = |s: &str| parse_constraints(s).unwrap();
    assert!(c("^1.0").matches(&c("1.5.0")));
    assert!(c("^1.0").matches(&c(">=1.5 <3")));
    assert!(!c("^1.0").matches(&c("^2.0")));
    assert!(c("*").matches(&c("dev-master")));
    assert!(c("dev-master").matches(&c("dev-master")));
    assert!(!c("dev-master").matches(&c(">=1.0")));
    assert!(c("^1.0 || ^2.0").matches(&c("2.1")));
    assert!(!c(">1 <2").matches(&c("<1 || >2")));
    assert!(c("!=1.0").matches(&c("1.0 || 2.0")));
}

/// A few hundred odd inputs: nothing may panic.
#[test]
fn odd_inputs_never_panic() {
    let mut inputs: Vec<String> = [
        "",
        " ",
        "\t",
        "\n",
        "\0",
        "\x0B",
        "\x0C",
        "|",
        "||",
        "|||",
        ",",
        ", ,",
        "-",
        " - ",
        "--",
        "^",
        "~",
        "~>",
        "*",
        "**",
        "x",
        "v",
        "V",
        "@",
        "@dev",
        "@@",
        "#",
        "##",
        "dev-",
        "dev",
        "-dev",
        ".dev",
        "as",
        " as ",
        "1 as",
        "as 1",
        "1 as 2 as 3",
        "<",
        ">",
        "<=",
        ">=",
        "=",
        "==",
        "!=",
        "<>",
        "<>=",
        ">>",
        "<<",
        "=>",
        "!",
        "!==",
        "^^1",
        "~~1",
        "^~1",
        "1.",
        ".1",
        "..",
        "1..2",
        "1.2.3.4.5.6.7",
        "v.1",
        "1-",
        "1_",
        "1+",
        "+1",
        "1++",
        "1.0+ ",
        "é",
        "1.0-é",
        "ü.ä",
        "日本語",
        "dev-日本",
        "1.0@日",
        "🦀",
        "1.0🦀",
        "\u{feff}1.0",
        "99999999999999999999999999999999999999",
        "1.99999999999999999999999999",
        "^99999999999999999999999999999999",
        "~1.99999999999999999999999999.1",
        "1.0 - 99999999999999999999999999",
        "2024.01.31.12.13.14.15",
        "20240131123456789012",
        "2024-",
        "2024-01-",
        "1.0.0-p",
        "1.0.0-p.",
        "1.0.0-p-",
        "1.0.0-beta.1.2.3-dev",
        "1.0.0-alpha-beta",
        "1.0-RC-dev",
        "1.0#abc",
        "dev-master#",
        "dev-master#\n",
        "1.x-dev#ref",
        "x-dev#ref",
        ".x-dev#",
        "1.0\n",
        "1.0\nfoo",
        "foo\n1.0-dev",
        "\n1.0",
        "1.0\r\n",
        "1.0 ,",
        ", 1.0",
        "1.0,,2.0",
        "1.0 , 2.0",
        "1.0 as",
        ">= ",
        "< 1.0 ||",
        "|| 1.0",
        "1.0 | | 2.0",
        "^1.0 || ^2.0 || ^3.0 || ^4.0 || ^5.0",
        "~1.0 - 2.0",
        "1.0.x - 2.0.x",
        "1.*.* - 2",
        "v1.x",
        "V1.x",
        "V2.4.*",
        "1.0.0.0.0-dev",
        "01",
        "0.0.0.0-dev",
        "9999999-dev",
        "2.4.7-p3 as 2.4.7",
        "dev-a as dev-b",
        "1.0@beta@dev",
        "1.0@",
        "1.0@foo",
        "*@dev",
        "*@stable",
        "@STABLE",
        ">=1.0@STABLE",
        "1.0-pl3-dev",
        "1.0 -",
        "- 1.0",
        "1.0 -2.0 - 3.0",
        "1 - 2 - 3",
        "a,b,c",
        "a b c",
        "a-dev",
        "a/b-dev",
        "a b-dev",
        ">=a-dev",
        "feature-dev",
        "1.0.0-SNAPSHOT",
        "#1.0",
        "#",
        "1#2#3#4",
        "1@2@3",
        "1.@.2.@.3",
        "-1",
        "_1",
        "+1.0",
        "1.0.0-beta+exp.sha.5114f85",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    // Combine a pool of fragments deterministically into many more strings.
    let fragments = [
        "1",
        "0",
        "2.4",
        ".",
        "-",
        "_",
        "+",
        "x",
        "*",
        "dev",
        "p",
        "patch",
        "RC",
        "beta",
        "b",
        "a",
        "alpha",
        "stable",
        "@",
        "#",
        " ",
        ",",
        "|",
        "^",
        "~",
        ">",
        "<",
        "=",
        "!",
        "as",
        "v",
        "é",
        "\n",
        "99999999999999999999",
        ":",
        "/",
    ];
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for _ in 0..600 {
        let mut s = String::new();
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let len = 1 + (state % 7) as usize;
        for _ in 0..len {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            s.push_str(fragments[(state % fragments.len() as u64) as usize]);
        }
        inputs.push(s);
    }
    let long = "1.".repeat(20_000) + "0";
    inputs.push(long);
    inputs.push("9".repeat(5000));
    inputs.push("dev-".to_string() + &"x".repeat(10_000));
    inputs.push("1#".repeat(5000));

    let mut normalized = Vec::new();
    for s in &inputs {
        if let Ok(n) = normalize(s) {
            let _ = parse_stability(&n);
            normalized.push(n);
        }
        let _ = normalize_branch(s);
        let _ = parse_stability(s);
        let _ = root_stability_flag(s, Stability::Stable, None);
        if let Ok(c) = parse_constraints(s) {
            let _ = c.to_string();
            for v in normalized.iter().rev().take(5) {
                let _ = c.matches_version(v);
            }
            let _ = c.matches(&Constraint::exact("1.0.0.0"));
        }
    }
    for (i, a) in inputs.iter().enumerate() {
        let b = &inputs[(i * 7 + 3) % inputs.len()];
        let _ = php_version_compare(a, b);
        let _ = php_version_compare(b, a);
        let _ = compare_normalized(a, b);
    }
    assert!(normalized.len() > 20);
}

#[test]
fn sorts_like_semver_rsort() {
    let sorted = sort_versions(
        &[
            "2.4.7",
            "2.4.7-p3",
            "dev-main",
            "2.4.7-beta1",
            "dev-master",
            "2.4.10",
            "2.4.x-dev",
        ],
        true,
    )
    .unwrap();
    assert_eq!(
        sorted,
        [
            "dev-master",
            "2.4.x-dev",
            "2.4.10",
            "2.4.7-p3",
            "2.4.7",
            "2.4.7-beta1",
            "dev-main"
        ]
    );
    let ascending = sort_versions(&["1.10", "1.9", "1.9.1"], false).unwrap();
    assert_eq!(ascending, ["1.9", "1.9.1", "1.10"]);
    let err = sort_versions(&["1.0", "not a version"], true).unwrap_err();
    assert!(err.composer_message().contains("not a version"));
    assert_eq!(normalize_default_branch("dev-trunk"), "9999999-dev");
    assert_eq!(normalize_default_branch("dev-main"), "dev-main");
}
