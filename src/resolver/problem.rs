//! Explanations of unsolvable requests in the user's terms: which requirement of which package
//! version could not be met, by which candidates, and which conflicts were in the way
//! (Composer's `Problem::getPrettyString`, shortened).

use std::collections::HashSet;
use std::fmt::Write as _;

use super::pool::{Origin, Pool, PoolPackage};
use super::root::RootConfig;
use super::rules::{Reason, RuleSet};
use crate::composer::installed::is_platform_package;
use crate::semver::Constraint;

/// The text for all problems, numbered like Composer's output.
pub fn explain(
    pool: &Pool,
    rules: &RuleSet,
    problems: &[Vec<usize>],
    missing: &[(String, Constraint)],
    root: &RootConfig,
) -> String {
    let mut out = String::new();
    let mut missing_iter = missing.iter();
    let mut n = 0;
    for problem in problems {
        n += 1;
        let _ = writeln!(out, "\n  Problem {n}");
        if problem.is_empty() {
            if let Some((name, c)) = missing_iter.next() {
                let _ = writeln!(out, "    - {}", missing_text(pool, name, c, root));
            }
            continue;
        }
        let mut seen = HashSet::new();
        let mut lines: Vec<String> = Vec::new();
        for &r in problem {
            let line = rule_text(pool, &rules.rules[r].reason, root);
            if let Some(line) = line {
                if seen.insert(line.clone()) {
                    lines.push(line);
                }
            }
        }
        lines.sort_by_key(|l| !l.starts_with("Root composer.json"));
        for line in lines {
            let _ = writeln!(out, "    - {line}");
        }
    }
    out
}

fn versions_of(pool: &Pool, ids: &[u32]) -> String {
    let mut by_name: Vec<(String, Vec<String>)> = Vec::new();
    for &id in ids {
        let p = pool.get(id);
        let label = p.pretty_name.clone();
        match by_name.iter_mut().find(|(n, _)| *n == label) {
            Some((_, v)) => v.push(p.pretty_version.clone()),
            None => by_name.push((label, vec![p.pretty_version.clone()])),
        }
    }
    by_name
        .into_iter()
        .map(|(n, v)| format!("{n}[{}]", v.join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

fn named(pool: &Pool, name: &str) -> Vec<u32> {
    pool.packages()
        .iter()
        .filter(|p| p.name == name)
        .map(|p| p.id)
        .collect()
}

fn platform_text(pool: &Pool, name: &str, pretty: &str, who: &str) -> String {
    match pool.packages().iter().find(|p| p.name == name && p.origin == Origin::Platform) {
        Some(p) => format!(
            "{who} requires {name} {pretty} but your {name} version ({}) does not satisfy that requirement.",
            p.pretty_version
        ),
        None => format!(
            "{who} requires {name} {pretty} but it is missing from your system. Install or enable it, declare it in config.platform, or use --ignore-platform-req={name}."
        ),
    }
}

fn missing_text(pool: &Pool, name: &str, c: &Constraint, root: &RootConfig) -> String {
    let pretty = c.pretty();
    if is_platform_package(name) {
        return platform_text(pool, name, pretty, "Root composer.json");
    }
    let others = named(pool, name);
    if !others.is_empty() {
        return format!(
            "Root composer.json requires {name} {pretty}, found {} but it does not match the constraint.",
            versions_of(pool, &others)
        );
    }
    if root.minimum_stability_name != "dev" {
        return format!(
            "Root composer.json requires {name} {pretty}, it could not be found in any version matching your minimum-stability ({}), there may be a typo in the package name or a stability flag is needed.",
            root.minimum_stability_name
        );
    }
    format!(
        "Root composer.json requires {name} {pretty}, it could not be found in any version, there may be a typo in the package name."
    )
}

fn source_label(p: &PoolPackage) -> String {
    if p.origin == Origin::Root {
        "Root composer.json".to_string()
    } else {
        p.pretty_string()
    }
}

fn rule_text(pool: &Pool, reason: &Reason, root: &RootConfig) -> Option<String> {
    Some(match reason {
        Reason::RootRequire { name, constraint } => {
            let ids = pool.what_provides(name, Some(constraint));
            format!(
                "Root composer.json requires {name} {} -> satisfiable by {}.",
                constraint.pretty(),
                versions_of(pool, &ids)
            )
        }
        Reason::Fixed { package } => {
            let p = pool.get(*package);
            match p.origin {
                Origin::Platform => format!("{} is present on your platform.", p.pretty_string()),
                Origin::Root => format!("{} is the root package.", p.pretty_string()),
                _ => format!("{} is locked.", p.pretty_string()),
            }
        }
        Reason::Requires { source, link } => {
            let src = pool.get(*source);
            let l = &src.requires[*link as usize];
            let (target, constraint, pretty) = (&l.target, &l.constraint, &l.pretty);
            let who = source_label(src);
            let ids = pool.what_provides(target, Some(constraint));
            if ids.is_empty() {
                if is_platform_package(target) {
                    platform_text(pool, target, pretty, &who)
                } else {
                    let others = named(pool, target);
                    if others.is_empty() {
                        format!(
                            "{who} requires {target} {pretty} -> it could not be found in any version{}.",
                            if root.minimum_stability_name == "dev" {
                                String::new()
                            } else {
                                format!(" matching your minimum-stability ({})", root.minimum_stability_name)
                            }
                        )
                    } else {
                        format!(
                            "{who} requires {target} {pretty} -> found {} but it does not match the constraint.",
                            versions_of(pool, &others)
                        )
                    }
                }
            } else {
                format!(
                    "{who} requires {target} {pretty} -> satisfiable by {}.",
                    versions_of(pool, &ids)
                )
            }
        }
        Reason::Conflict {
            source,
            target,
            pretty,
        } => {
            let src = pool.get(*source);
            format!("{} conflicts with {target} {pretty}.", source_label(src))
        }
        Reason::SameName(name) => {
            let ids: Vec<u32> = pool
                .packages()
                .iter()
                .filter(|p| !p.is_alias() && p.names(false).contains(&name.as_str()))
                .map(|p| p.id)
                .collect();
            format!(
                "Only one of these can be installed: {}.",
                versions_of(pool, &ids)
            )
        }
        Reason::Alias(_) | Reason::InverseAlias(_) | Reason::Learned(_) => return None,
    })
}
