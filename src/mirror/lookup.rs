//! `install --mirror`: where each locked package's archive is in a mirror.
//!
//! The mirror is read like any `composer` repository (a directory, `file://` or http(s)
//! URL), so it can be one made by `mirror sync` or any other static Composer repository that
//! keeps upstream archives. Each locked package is looked up by name and normalized version;
//! its archive is then fetched from the mirror's dist URL and checked against the lock's
//! `shasum` (the mirror's own when the lock has none). Every locked package with a dist must
//! be in the mirror: an air-gapped install should fail before it starts, naming what is
//! missing, rather than time out on upstream URLs.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use super::MirrorError;
use crate::composer::package::Package;
use crate::http::HttpClient;
use crate::install::paths::dist_urls;
use crate::install::DistOverride;
use crate::redact::SafeUrl;
use crate::repository::{
    RepoContext, RepoUrl, RepositoryDefinition, RepositoryDefinitions, RepositorySet,
};
use crate::semver::{normalize, parse_stability, Stability};

/// The mirror location of every package of `packages` that has a dist, by lower-cased name.
pub async fn locate(
    mirror: &str,
    packages: &[&Package],
    client: HttpClient,
    concurrency: usize,
) -> Result<HashMap<String, DistOverride>, MirrorError> {
    let url = RepoUrl::from_config(mirror).map_err(|message| MirrorError::BadMirror {
        mirror: SafeUrl::new(mirror),
        message,
    })?;
    let safe = url.safe();
    let defs = RepositoryDefinitions {
        repositories: vec![RepositoryDefinition {
            url,
            canonical: true,
            only: Vec::new(),
            exclude: Vec::new(),
        }],
        skipped: Vec::new(),
    };
    let ctx = RepoContext {
        client,
        cache_repo_dir: None,
        cache_read_only: true,
        offline: false,
    };
    let set = RepositorySet::new(&defs, ctx, concurrency.max(1));
    let wanted: Vec<(&Package, String)> = packages
        .iter()
        .filter(|p| p.dist().is_some())
        .map(|p| {
            let normalized = p
                .get("version_normalized")
                .and_then(Value::as_str)
                .map(str::to_string)
                .or_else(|| normalize(p.pretty_version()).ok())
                .unwrap_or_else(|| p.pretty_version().to_string());
            (*p, normalized)
        })
        .collect();
    let dev: HashSet<String> = wanted
        .iter()
        .filter(|(_, n)| parse_stability(n) == Stability::Dev)
        .map(|(p, _)| p.name())
        .collect();
    let names: Vec<String> = wanted.iter().map(|(p, _)| p.name()).collect();
    let offers = set.find_many(&names, &|n: &str| dev.contains(n)).await?;

    let mut out = HashMap::new();
    let mut missing = Vec::new();
    let mut conflicts = Vec::new();
    for (package, normalized) in wanted {
        let name = package.name();
        let reference = package.dist_reference();
        let candidates: Vec<_> = offers
            .get(&name)
            .into_iter()
            .flatten()
            .filter(|o| o.version.normalized == normalized)
            .collect();
        let offer = candidates
            .iter()
            .find(|o| o.version.package.dist_reference() == reference)
            .or(candidates.first());
        let Some(offer) = offer else {
            missing.push(format!(
                "{} ({})",
                package.pretty_name(),
                package.pretty_version()
            ));
            continue;
        };
        let mirrored = &offer.version.package;
        let Some(url) = dist_urls(mirrored, &offer.version.normalized)
            .into_iter()
            .next()
        else {
            missing.push(format!(
                "{} ({})",
                package.pretty_name(),
                package.pretty_version()
            ));
            continue;
        };
        let non_empty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        let mirror_sha1 = non_empty(mirrored.dist().and_then(|d| d.shasum));
        let lock_sha1 = non_empty(package.dist().and_then(|d| d.shasum));
        if let (Some(m), Some(l)) = (&mirror_sha1, &lock_sha1) {
            if !m.eq_ignore_ascii_case(l) {
                conflicts.push(format!(
                    "{} ({}): the lock says shasum {l}, the mirror {m}",
                    package.pretty_name(),
                    package.pretty_version()
                ));
                continue;
            }
        }
        out.insert(
            name,
            DistOverride {
                url,
                sha1: lock_sha1.or(mirror_sha1),
            },
        );
    }
    if !conflicts.is_empty() {
        return Err(MirrorError::ShasumConflict {
            mirror: safe,
            packages: conflicts,
        });
    }
    if !missing.is_empty() {
        return Err(MirrorError::NotInMirror {
            mirror: safe,
            packages: missing,
        });
    }
    Ok(out)
}
