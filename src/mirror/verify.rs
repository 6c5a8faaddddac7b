//! `mirror verify`: the stored archives against the state file, and the published metadata
//! against the stored archives. Nothing is changed; the report lists every problem.

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use serde_json::Value;

use super::layout::{self, Layout};
use super::publish::root_generation;
use super::state::State;
use super::MirrorError;

/// What is wrong with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProblemKind {
    /// Recorded or referenced, but not there.
    Missing,
    /// There, but not with the recorded content (or not parseable, for metadata).
    Corrupt,
    /// There, but neither recorded nor referenced.
    Extra,
    /// Metadata that disagrees with what is stored (wrong shasum, URL outside the mirror).
    Inconsistent,
}

impl ProblemKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            ProblemKind::Missing => "missing",
            ProblemKind::Corrupt => "corrupt",
            ProblemKind::Extra => "extra",
            ProblemKind::Inconsistent => "inconsistent",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: ProblemKind,
    /// Path relative to the mirror directory.
    pub path: String,
    pub detail: String,
}

#[derive(Debug, Default)]
pub struct VerifyReport {
    pub archives: usize,
    pub archive_bytes: u64,
    pub metadata_files: usize,
    pub packages: usize,
    pub versions: usize,
    pub generation: u64,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    fn problem(&mut self, kind: ProblemKind, path: impl Into<String>, detail: impl Into<String>) {
        self.problems.push(Problem {
            kind,
            path: path.into(),
            detail: detail.into(),
        });
    }
}

/// Checks the mirror in `dir`, hashing archives on `jobs` threads.
pub fn verify(dir: &Path, jobs: usize) -> Result<VerifyReport, MirrorError> {
    let layout = Layout::new(dir);
    let root_path = layout.root_file();
    if !layout.state_file().is_file() && !root_path.is_file() {
        return Err(MirrorError::NotAMirror {
            dir: dir.to_path_buf(),
        });
    }
    let state = State::load(&layout)?;
    let mut report = VerifyReport::default();
    check_archives(&layout, &state, jobs.max(1), &mut report);
    check_metadata(&layout, &state, &mut report);
    report
        .problems
        .sort_by(|a, b| (a.kind.as_str(), &a.path).cmp(&(b.kind.as_str(), &b.path)));
    Ok(report)
}

/// Size and SHA-1 of a file, or why it could not be read.
type HashResult = Result<(u64, String), std::io::ErrorKind>;

fn check_archives(layout: &Layout, state: &State, jobs: usize, report: &mut VerifyReport) {
    let records: Vec<(&String, &super::state::Archive)> = state.archives.iter().collect();
    let chunk = records.len().div_ceil(jobs).max(1);
    let results: Vec<(String, HashResult)> = std::thread::scope(|scope| {
        let handles: Vec<_> = records
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(path, _)| {
                            let file = layout.archive(path);
                            let result = std::fs::metadata(&file)
                                .and_then(|m| {
                                    crate::install::pipeline::sha1_file(&file).map(|s| (m.len(), s))
                                })
                                .map_err(|e| e.kind());
                            ((*path).clone(), result)
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_default())
            .collect()
    });
    for (path, result) in results {
        let record = &state.archives[&path];
        report.archives += 1;
        match result {
            Err(std::io::ErrorKind::NotFound) => {
                report.problem(ProblemKind::Missing, path, "recorded archive is not there")
            }
            Err(kind) => report.problem(
                ProblemKind::Corrupt,
                path,
                format!("cannot be read: {kind}"),
            ),
            Ok((size, sha1)) => {
                report.archive_bytes += size;
                if size != record.size || sha1 != record.sha1 {
                    report.problem(
                        ProblemKind::Corrupt,
                        path,
                        format!(
                            "expected sha1 {} ({} bytes), found sha1 {sha1} ({size} bytes)",
                            record.sha1, record.size
                        ),
                    );
                }
            }
        }
    }
    for rel in super::walk_files(&layout.dist_dir(), layout::DIST_DIR) {
        if !state.archives.contains_key(&rel) {
            report.problem(
                ProblemKind::Extra,
                rel,
                "not recorded in the mirror's state",
            );
        }
    }
}

fn check_metadata(layout: &Layout, state: &State, report: &mut VerifyReport) {
    let root: Value = match std::fs::read(layout.root_file()) {
        Ok(bytes) => match serde_json::from_slice(&bytes) {
            Ok(v) => v,
            Err(e) => {
                report.problem(ProblemKind::Corrupt, layout::ROOT_FILE, e.to_string());
                return;
            }
        },
        Err(_) => {
            report.problem(ProblemKind::Missing, layout::ROOT_FILE, "no packages.json");
            return;
        }
    };
    let Some(generation) = root_generation(&root) else {
        report.problem(
            ProblemKind::Corrupt,
            layout::ROOT_FILE,
            "its metadata-url does not name a generation under meta/",
        );
        return;
    };
    report.generation = generation;
    let base = state.base_url.clone().unwrap_or_default();
    let names: Vec<String> = root
        .get("available-packages")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let gen_rel = format!("{}/{generation}", layout::META_DIR);
    let gen_dir = layout.generation_dir(generation);
    let mut expected_files = BTreeSet::new();
    let by_path: HashMap<&str, &super::state::Archive> = state
        .archives
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    for name in &names {
        let Some(name) = layout::safe_name(name) else {
            report.problem(
                ProblemKind::Inconsistent,
                layout::ROOT_FILE,
                format!("available-packages lists `{name}`, not a valid package name"),
            );
            continue;
        };
        report.packages += 1;
        for dev in [false, true] {
            let rel = layout::metadata_path(&name, dev);
            expected_files.insert(format!("{gen_rel}/{rel}"));
            let shown = format!("{gen_rel}/{rel}");
            let data: Value = match std::fs::read(gen_dir.join(&rel)) {
                Ok(bytes) => match serde_json::from_slice(&bytes) {
                    Ok(v) => v,
                    Err(e) => {
                        report.problem(ProblemKind::Corrupt, shown, e.to_string());
                        continue;
                    }
                },
                Err(_) => {
                    report.problem(ProblemKind::Missing, shown, format!("metadata of `{name}`"));
                    continue;
                }
            };
            report.metadata_files += 1;
            let list = data
                .get("packages")
                .and_then(|p| p.get(&name))
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let entries = if data.get("minified").and_then(Value::as_str) == Some("composer/2.0") {
                crate::repository::minified::expand(&list)
            } else {
                list
            };
            for entry in entries {
                report.versions += 1;
                check_entry(&entry, &shown, &base, &by_path, report);
            }
        }
    }
    for rel in super::walk_files(&gen_dir, &gen_rel) {
        if !expected_files.contains(&rel) {
            report.problem(ProblemKind::Extra, rel, "not listed in available-packages");
        }
    }
}

fn check_entry(
    entry: &Value,
    file: &str,
    base: &str,
    archives: &HashMap<&str, &super::state::Archive>,
    report: &mut VerifyReport,
) {
    let version = entry.get("version").and_then(Value::as_str).unwrap_or("?");
    let Some(dist) = entry.get("dist") else {
        return;
    };
    let url = dist.get("url").and_then(Value::as_str).unwrap_or_default();
    let prefix = format!("{}/", base.trim_end_matches('/'));
    let Some(rel) = url
        .strip_prefix(&prefix)
        .filter(|r| layout::is_archive_path(r))
    else {
        report.problem(
            ProblemKind::Inconsistent,
            file,
            format!("version {version}: dist URL is not an archive of this mirror"),
        );
        return;
    };
    match archives.get(rel) {
        None => report.problem(
            ProblemKind::Missing,
            rel,
            format!("referenced by {file} (version {version}) but not stored"),
        ),
        Some(record) => {
            let shasum = dist.get("shasum").and_then(Value::as_str).unwrap_or("");
            if shasum != record.sha1 {
                report.problem(
                    ProblemKind::Inconsistent,
                    file,
                    format!(
                        "version {version}: shasum {shasum:?} differs from the stored archive's {}",
                        record.sha1
                    ),
                );
            }
        }
    }
}
