//! Differential test of `magefetch::semver` against Composer itself.
//!
//! Tens of thousands of version and constraint strings — valid and invalid, Magento `-pN`
//! patch releases, branches, wildcards, ranges, stability flags, aliases, odd spacing — are
//! generated deterministically here, sent as JSON lines to ONE `php` process running
//! `tests/php/semver_oracle.php` (Composer's own composer/semver classes), and every answer is
//! compared with magefetch's: normalisation (value or error message), the string form of
//! parsed constraints (or the error message), constraint matching (both of Composer's
//! matchers), PHP `version_compare`, and `Semver::rsort`. There must be no difference.

#[path = "support/php.rs"]
mod php;

use magefetch::semver::{
    compare_for_sort, normalize, parse_constraints, php_version_compare, sort_versions, Constraint,
};
use serde_json::{json, Value};

const AUTOLOAD: &str = "/usr/share/php/Composer/Semver/autoload.php";

#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

fn number(r: &mut Rng) -> String {
    r.pick_str(&[
        "0",
        "1",
        "2",
        "3",
        "4",
        "7",
        "9",
        "10",
        "00",
        "01",
        "007",
        "100",
        "103",
        "104",
        "2024",
        "20240131",
        "99999",
        "9999999",
        "99999999999999999999",
        "9223372036854775807",
    ])
    .to_string()
}

/// A version string: mostly plausible, sometimes broken.
fn version(r: &mut Rng) -> String {
    let mut s = r.pick_str(&["", "", "", "", "v", "V", " "]).to_string();
    if r.chance(6) {
        return format!(
            "dev-{}",
            r.pick_str(&[
                "master",
                "main",
                "2.4-develop",
                "feature/x",
                "Foo_bar",
                "1.0",
                ""
            ])
        );
    }
    if r.chance(4) {
        return r
            .pick_str(&[
                "master",
                "main",
                "trunk",
                "default",
                "feature",
                "2.4.x-dev",
                "dev",
                "x",
            ])
            .to_string();
    }
    s.push_str(&number(r));
    let dots = [0, 1, 2, 2, 3, 3, 4][r.below(7)];
    for _ in 0..dots {
        s.push_str(r.pick_str(&[".", ".", ".", ".", "-", "_", ":"]));
        s.push_str(&if r.chance(12) {
            r.pick_str(&["x", "X", "*"]).to_string()
        } else {
            number(r)
        });
    }
    let parts = r.below(4);
    for _ in 0..parts {
        if r.chance(45) {
            s.push_str(r.pick_str(&["", "-", "-", ".", "_", "+"]));
            s.push_str(r.pick_str(&[
                "p", "p", "patch", "pl", "beta", "b", "RC", "rc", "alpha", "a", "stable", "STABLE",
                "dev", "foo", "Beta",
            ]));
            if r.chance(60) {
                s.push_str(r.pick_str(&["", "", ".", "-"]));
                s.push_str(&number(r));
            }
        }
    }
    if r.chance(15) {
        s.push_str(r.pick_str(&["-dev", ".x-dev", ".dev", "dev", "-DEV", ".*"]));
    }
    if r.chance(6) {
        s.push_str(r.pick_str(&[
            "+build",
            "+b.1",
            "+",
            "#abc123",
            "@dev",
            "@beta",
            " as 1.0.x-dev",
        ]));
    }
    if r.chance(4) {
        s.push_str(r.pick_str(&[" ", "  ", "\t", "\n", "é", "\u{0}"]));
    }
    s
}

/// One constraint term.
fn term(r: &mut Rng) -> String {
    match r.below(20) {
        0 => r
            .pick_str(&[
                "*", "x", "X", "v*", "*.*", "1.*", "2.x", "2.4.*", "@dev", "@stable", "*@beta", "",
            ])
            .to_string(),
        1 | 2 => format!(
            "{}{}{}",
            version(r),
            r.pick_str(&[" - ", " - ", "  -  ", " -", "- "]),
            version(r)
        ),
        _ => {
            let op = r.pick_str(&[
                "", "", "", "^", "^", "~", "~", ">=", ">= ", "<", "< ", "<=", ">", "!=", "<>",
                "==", "=", "~>", "> =",
            ]);
            let mut t = format!("{op}{}", version(r));
            if r.chance(8) {
                t.push_str(
                    r.pick_str(&["@dev", "@beta", "@alpha", "@RC", "@stable", "@DEV", "@foo"]),
                );
            }
            t
        }
    }
}

fn constraint(r: &mut Rng) -> String {
    let mut s = term(r);
    for _ in 0..r.pick_str(&["", "", "", "a", "a", "aa", "aaa"]).len() {
        s.push_str(r.pick_str(&[" ", ",", ", ", " || ", "||", "|", " | ", "  ", " ,", " ,  "]));
        s.push_str(&term(r));
    }
    s
}

/// Requests for the oracle, and what magefetch answers to each.
struct Case {
    request: Value,
    ours: Value,
}

fn ok_or_err<T: Into<Value>, E>(r: Result<T, E>, message: impl Fn(&E) -> String) -> Value {
    match r {
        Ok(v) => json!(["ok", v.into()]),
        Err(e) => json!(["err", message(&e)]),
    }
}

fn corpus() -> Vec<Case> {
    let mut r = Rng(0x6d61_6765_6665_7463);
    let mut cases = Vec::new();
    let mut valid_versions: Vec<(String, String)> = Vec::new();
    let mut versions: Vec<String> = [
        "2.4.7",
        "2.4.7-p3",
        "v2.4.7-p10",
        "2.4.7-p3-dev",
        "104.0.7-p1",
        "2.4.x-dev",
        "1.0.0-RC1",
        "1.0.0-rc.1",
        "2024.01.31",
        "1.0-stable",
        "dev-master",
        "1.0.0+build",
        "1.0.0-pl2",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    versions.extend((0..9000).map(|_| version(&mut r)));
    for v in &versions {
        let ours = normalize(v);
        if let Ok(n) = &ours {
            valid_versions.push((v.clone(), n.clone()));
        }
        cases.push(Case {
            request: json!(["n", v]),
            ours: ok_or_err(ours, |e| e.composer_message().to_string()),
        });
    }
    let mut valid_constraints: Vec<(String, Constraint)> = Vec::new();
    let mut constraints: Vec<String> = [
        "^2.4",
        "~2.4.7",
        "2.4.*",
        ">=2.4.6 <2.4.8",
        "2.4.7-p1 - 2.4.7-p4",
        "^1.0 || ^2.0",
        "^1.0 | ^2.0",
        ">=1.0,<2.0",
        "dev-main as 2.4.x-dev",
        "@dev",
        "*",
        "2.4.7-p3@beta",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    constraints.extend((0..9000).map(|_| constraint(&mut r)));
    for c in &constraints {
        let ours = parse_constraints(c);
        if let Ok(parsed) = &ours {
            valid_constraints.push((c.clone(), parsed.clone()));
        }
        cases.push(Case {
            request: json!(["c", c]),
            ours: ok_or_err(ours.map(|p| p.to_string()), |e| {
                e.composer_message().to_string()
            }),
        });
    }
    for (i, (c, parsed)) in valid_constraints.iter().enumerate() {
        for k in 0..4 {
            let (_, v) = &valid_versions[(i * 31 + k * 17 + r.below(7)) % valid_versions.len()];
            cases.push(Case {
                request: json!(["m", c, v]),
                ours: json!([
                    parsed.matches_version(v),
                    parsed.matches(&Constraint::exact(v))
                ]),
            });
        }
    }
    for _ in 0..4000 {
        let (a, b) = if r.chance(50) {
            (version(&mut r), version(&mut r))
        } else {
            let a = &valid_versions[r.below(valid_versions.len())].1;
            let b = &valid_versions[r.below(valid_versions.len())].1;
            (a.clone(), b.clone())
        };
        cases.push(Case {
            ours: json!(php_version_compare(&a, &b)),
            request: json!(["v", a, b]),
        });
    }
    for _ in 0..800 {
        let mut list: Vec<&(String, String)> = Vec::new();
        let want = 2 + r.below(7);
        for _ in 0..want * 3 {
            if list.len() == want {
                break;
            }
            let candidate = &valid_versions[r.below(valid_versions.len())];
            // Composer's comparator is not antisymmetric for distinct versions it cannot
            // order (two branches, or versions `version_compare` calls equal): their order is
            // up to PHP's sort algorithm, so such pairs are left out.
            let ties = list
                .iter()
                .any(|(_, n)| n != &candidate.1 && compare_for_sort(n, &candidate.1).is_eq());
            if !ties {
                list.push(candidate);
            }
        }
        let pretty: Vec<&str> = list.iter().map(|(p, _)| p.as_str()).collect();
        cases.push(Case {
            request: json!(["r", pretty]),
            ours: ok_or_err(sort_versions(&pretty, true), |e| {
                e.composer_message().to_string()
            }),
        });
    }
    cases
}

#[test]
fn semver_agrees_with_composer() {
    let cases = corpus();
    let requests: Vec<String> = cases.iter().map(|c| c.request.to_string()).collect();
    let Some(answers) = php::oracle("semver_oracle.php", AUTOLOAD, requests) else {
        return;
    };
    assert_eq!(answers.len(), cases.len(), "php answered every request");
    let differences: Vec<String> = cases
        .iter()
        .zip(&answers)
        .filter(|(case, theirs)| case.ours != **theirs)
        .map(|(case, theirs)| {
            format!(
                "{} → composer {theirs}, magefetch {}",
                case.request, case.ours
            )
        })
        .collect();
    let count = |op: &str| cases.iter().filter(|c| c.request[0] == op).count();
    println!(
        "compared {} cases with Composer: {} normalize, {} parse_constraints, {} matches, {} version_compare, {} rsort; {} differences",
        cases.len(),
        count("n"),
        count("c"),
        count("m"),
        count("v"),
        count("r"),
        differences.len()
    );
    assert!(
        differences.is_empty(),
        "{} differences, first ones:\n{}",
        differences.len(),
        differences
            .iter()
            .take(25)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(cases.len() >= 20_000, "only {} cases", cases.len());
}
