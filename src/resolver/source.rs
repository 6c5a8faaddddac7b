//! [`PackageSource`] over the `composer` repositories of a project.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use futures::StreamExt;

use super::builder::PackageSource;
use super::ResolveError;
use crate::repository::{
    glob_match, ComposerRepository, PackageVersion, RepoContext, RepositoryDefinitions,
};

/// One name's lookup: its position in the batch and the versions found.
type Fetch<'a> = BoxFuture<
    'a,
    (
        usize,
        Result<Vec<PackageVersion>, crate::repository::RepositoryError>,
    ),
>;

struct Entry {
    repo: ComposerRepository,
    only: Vec<String>,
    exclude: Vec<String>,
}

/// The repositories of composer.json in priority order (canonical ones hide lower ones, as the
/// pool builder asks them in turn).
pub struct RepositorySource {
    entries: Vec<Entry>,
    concurrency: usize,
    notify: Mutex<HashMap<usize, Option<String>>>,
}

impl RepositorySource {
    pub fn new(
        defs: &RepositoryDefinitions,
        ctx: RepoContext,
        concurrency: usize,
    ) -> RepositorySource {
        RepositorySource {
            entries: defs
                .repositories
                .iter()
                .map(|d| Entry {
                    repo: ComposerRepository::new(d.url.clone(), ctx.clone()),
                    only: d.only.clone(),
                    exclude: d.exclude.clone(),
                })
                .collect(),
            concurrency: concurrency.max(1),
            notify: Mutex::new(HashMap::new()),
        }
    }

    /// Warnings of every repository (degraded mode), emptied.
    pub fn take_warnings(&self) -> Vec<String> {
        self.entries
            .iter()
            .flat_map(|e| e.repo.take_warnings())
            .collect()
    }

    async fn fetch_all(
        &self,
        repository: usize,
        names: &[(String, bool)],
    ) -> Result<Vec<Arc<Vec<PackageVersion>>>, ResolveError> {
        let entry = &self.entries[repository];
        let known = self
            .notify
            .lock()
            .map(|m| m.contains_key(&repository))
            .unwrap_or(true);
        let notify = if known {
            None
        } else {
            Some(entry.repo.notification_url().await?)
        };
        let mut tasks: Vec<Fetch<'_>> = Vec::with_capacity(names.len());
        for (i, (name, dev)) in names.iter().enumerate() {
            let allowed = (entry.only.is_empty() || entry.only.iter().any(|p| glob_match(p, name)))
                && !entry.exclude.iter().any(|p| glob_match(p, name));
            let dev = *dev;
            tasks.push(Box::pin(async move {
                let r = if allowed {
                    entry.repo.packages(name, dev).await
                } else {
                    Ok(Vec::new())
                };
                (i, r)
            }));
        }
        let mut results = futures::stream::iter(tasks).buffer_unordered(self.concurrency);
        let mut out: Vec<Option<Arc<Vec<PackageVersion>>>> = vec![None; names.len()];
        let url = match notify {
            Some(n) => {
                if let Ok(mut m) = self.notify.lock() {
                    m.insert(repository, n.clone());
                }
                n
            }
            None => self
                .notify
                .lock()
                .ok()
                .and_then(|m| m.get(&repository).cloned().flatten()),
        };
        while let Some((i, r)) = results.next().await {
            let mut versions = r?;
            if let Some(u) = &url {
                for v in &mut versions {
                    v.package
                        .set_default("notification-url", serde_json::Value::String(u.clone()));
                }
            }
            out[i] = Some(Arc::new(versions));
        }
        Ok(out.into_iter().map(Option::unwrap_or_default).collect())
    }
}

impl PackageSource for RepositorySource {
    fn repository_count(&self) -> usize {
        self.entries.len()
    }

    fn fetch<'a>(
        &'a self,
        repository: usize,
        names: &'a [(String, bool)],
    ) -> BoxFuture<'a, Result<Vec<Arc<Vec<PackageVersion>>>, ResolveError>> {
        Box::pin(self.fetch_all(repository, names))
    }
}
