//! What has to change in vendor/: the lock compared with installed.json, as Composer compares
//! them (reference §9.3) — by lower-cased name; a package is unchanged when its normalized
//! version, dist reference and source reference are all equal. An installed.json entry whose
//! directory is gone counts as not installed.

use std::collections::HashMap;
use std::path::Path;

use crate::composer::package::Package;

/// One package to put in place.
#[derive(Debug, Clone)]
pub struct Operation {
    pub package: Package,
    pub version_normalized: String,
    pub dev: bool,
    /// The installed version it replaces, for an update.
    pub replaces: Option<Package>,
}

#[derive(Debug, Default)]
pub struct Plan {
    /// Packages to install or update, in lock order.
    pub operations: Vec<Operation>,
    /// Installed packages that stay as they are.
    pub unchanged: Vec<(Package, String, bool)>,
    /// Installed packages no longer in the lock.
    pub removals: Vec<Package>,
}

impl Plan {
    pub fn installs(&self) -> usize {
        self.operations
            .iter()
            .filter(|o| o.replaces.is_none())
            .count()
    }

    pub fn updates(&self) -> usize {
        self.operations.len() - self.installs()
    }

    pub fn is_empty(&self) -> bool {
        self.operations.is_empty() && self.removals.is_empty()
    }
}

/// A locked package with its normalized version and whether it is a dev package.
pub struct Locked {
    pub package: Package,
    pub version_normalized: String,
    pub dev: bool,
}

/// Builds the plan. `is_present` tells whether an installed package's files are there.
pub fn plan(
    locked: Vec<Locked>,
    installed: &[Package],
    is_present: &dyn Fn(&Package) -> bool,
) -> Plan {
    let mut current: HashMap<String, &Package> = installed
        .iter()
        .filter(|p| p.is_metapackage() || is_present(p))
        .map(|p| (p.name(), p))
        .collect();
    let mut out = Plan::default();
    for l in locked {
        match current.remove(&l.package.name()) {
            Some(existing) if same_install(existing, &l) => {
                out.unchanged.push((l.package, l.version_normalized, l.dev));
            }
            Some(existing) => out.operations.push(Operation {
                package: l.package,
                version_normalized: l.version_normalized,
                dev: l.dev,
                replaces: Some(existing.clone()),
            }),
            None => out.operations.push(Operation {
                package: l.package,
                version_normalized: l.version_normalized,
                dev: l.dev,
                replaces: None,
            }),
        }
    }
    let mut removals: Vec<Package> = current.into_values().cloned().collect();
    removals.sort_by_key(|p| p.name());
    out.removals = removals;
    out
}

fn same_install(existing: &Package, locked: &Locked) -> bool {
    let existing_normalized = existing
        .get("version_normalized")
        .and_then(|v| v.as_str())
        .map(str::to_string)
        .or_else(|| crate::semver::normalize(existing.pretty_version()).ok());
    existing_normalized.as_deref() == Some(locked.version_normalized.as_str())
        && existing.dist_reference() == locked.package.dist_reference()
        && existing.source_reference() == locked.package.source_reference()
}

/// Whether a non-metapackage's install directory is readable (Composer's `is_readable`):
/// one `access(2)`, no directory handle.
pub fn directory_present(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let Ok(c_path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return false;
    };
    // SAFETY: `c_path` is a valid NUL-terminated string that outlives the call.
    unsafe { libc::access(c_path.as_ptr(), libc::R_OK) == 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn p(name: &str, version: &str, reference: Option<&str>) -> Package {
        let mut v = json!({"name": name, "version": version, "type": "library",
            "dist": {"type": "zip", "url": "https://x/y.zip"}});
        if let Some(r) = reference {
            v["dist"]["reference"] = json!(r);
        }
        Package::from_value(v).unwrap()
    }

    fn locked(pkg: Package, normalized: &str) -> Locked {
        Locked {
            package: pkg,
            version_normalized: normalized.into(),
            dev: false,
        }
    }

    #[test]
    fn compares_like_composer() {
        let mut installed_a = p("acme/a", "1.0.0", Some("r1"));
        installed_a = Package::from_value({
            let mut d = serde_json::Value::Object(installed_a.data().clone());
            d["version_normalized"] = json!("1.0.0.0");
            d
        })
        .unwrap();
        let installed = vec![
            installed_a,
            p("acme/b", "1.0.0", None),
            p("acme/gone", "1.0.0", None),
            p("acme/missing", "1.0.0", None),
        ];
        let plan = plan(
            vec![
                locked(p("acme/a", "1.0.0", Some("r1")), "1.0.0.0"),
                locked(p("Acme/B", "1.1.0", None), "1.1.0.0"),
                locked(p("acme/missing", "1.0.0", None), "1.0.0.0"),
                locked(p("acme/new", "2.0.0", None), "2.0.0.0"),
            ],
            &installed,
            &|pkg| pkg.name() != "acme/missing",
        );
        assert_eq!(plan.unchanged.len(), 1);
        let ops: Vec<(String, bool)> = plan
            .operations
            .iter()
            .map(|o| (o.package.name(), o.replaces.is_some()))
            .collect();
        assert_eq!(
            ops,
            vec![
                ("acme/b".into(), true),
                ("acme/missing".into(), false),
                ("acme/new".into(), false)
            ]
        );
        assert_eq!(
            plan.removals.iter().map(|p| p.name()).collect::<Vec<_>>(),
            vec!["acme/gone"]
        );
    }

    #[test]
    fn reference_change_is_an_update() {
        let installed = vec![p("acme/a", "dev-main", Some("r1"))];
        let plan = plan(
            vec![locked(p("acme/a", "dev-main", Some("r2")), "dev-main")],
            &installed,
            &|_| true,
        );
        assert_eq!(plan.updates(), 1);
    }
}
