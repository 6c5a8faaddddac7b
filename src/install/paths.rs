//! Where a package goes, and the URLs its archive may be fetched from.
//!
//! Without plugins every package type except `metapackage` is installed like a library, at
//! `<vendor-dir>/<pretty name>[/<target-dir>]` (reference §8.2); Magento's types included.

use crate::md5::Md5;

use crate::composer::package::Package;

pub use crate::composer::package::{install_path, is_valid_name};

/// The dist URLs to try, in order (Composer's `getDistUrls`): the package's own URL, then its
/// mirrors, preferred mirrors first.
pub fn dist_urls(package: &Package, version_normalized: &str) -> Vec<String> {
    let Some(dist) = package.dist() else {
        return Vec::new();
    };
    let fill = |template: &str| {
        substitute(
            template,
            &package.name(),
            version_normalized,
            package.pretty_version(),
            dist.reference.as_deref(),
            &dist.kind,
        )
    };
    let mut urls = vec![if dist.url.contains('%') {
        fill(&dist.url)
    } else {
        dist.url.clone()
    }];
    for mirror in &dist.mirrors {
        let url = fill(&mirror.url);
        if urls.contains(&url) {
            continue;
        }
        if mirror.preferred {
            urls.insert(0, url);
        } else {
            urls.push(url);
        }
    }
    urls
}

fn substitute(
    template: &str,
    name: &str,
    version: &str,
    pretty_version: &str,
    reference: Option<&str>,
    kind: &str,
) -> String {
    let version = if version.contains('/') {
        Md5::hex(version.as_bytes())
    } else {
        version.to_string()
    };
    let reference = match reference {
        None => String::new(),
        Some(r)
            if r.chars()
                .all(|c| c.is_ascii_digit() || ('a'..='f').contains(&c)) =>
        {
            r.to_string()
        }
        Some(r) => Md5::hex(r.as_bytes()),
    };
    template
        .replace("%package%", name)
        .replace("%version%", &version)
        .replace("%prettyVersion%", pretty_version)
        .replace("%reference%", &reference)
        .replace("%type%", kind)
}

/// Pretty alias versions of a package: its branch alias (a dev version mapped in
/// `extra.branch-alias`), the default-branch alias, and root inline aliases from the lock.
pub fn aliases(package: &Package, root_aliases: &[(String, String)]) -> Vec<String> {
    let mut out = Vec::new();
    let version = package.pretty_version();
    let is_dev = version.starts_with("dev-") || version.ends_with("-dev");
    if is_dev {
        let branch_alias = package
            .get("extra")
            .and_then(|e| e.get("branch-alias"))
            .and_then(|b| b.as_object())
            .and_then(|map| {
                map.iter()
                    .find(|(k, v)| {
                        k.eq_ignore_ascii_case(version)
                            && v.as_str().is_some_and(|t| t.ends_with("-dev"))
                    })
                    .and_then(|(_, v)| v.as_str().map(str::to_string))
            });
        if let Some(alias) = branch_alias {
            out.push(alias);
        } else if package.get("default-branch").and_then(|v| v.as_bool()) == Some(true) {
            out.push("9999999-dev".to_string());
        }
    }
    for (name, alias) in root_aliases {
        if *name == package.name() && !out.contains(alias) {
            out.push(alias.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::path::{Path, PathBuf};

    #[test]
    fn names() {
        assert!(is_valid_name("magento/module-catalog"));
        assert!(is_valid_name("Acme/MixedCase"));
        for bad in ["../x", "a/../b", "a", "a/b/c", "/a", "a/.b", "a/b c", ""] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn paths_by_type() {
        let meta =
            Package::from_value(json!({"name": "a/m", "version": "1", "type": "metapackage"}))
                .unwrap();
        assert_eq!(install_path(Path::new("/v"), &meta).unwrap(), None);
        let module = Package::from_value(
            json!({"name": "Magento/Module-X", "version": "1", "type": "magento2-module"}),
        )
        .unwrap();
        assert_eq!(
            install_path(Path::new("/v"), &module).unwrap(),
            Some(PathBuf::from("/v/Magento/Module-X"))
        );
    }

    #[test]
    fn mirror_order_and_placeholders() {
        let p = Package::from_value(json!({"name": "Acme/Single", "version": "1.0.0",
            "dist": {"type": "zip", "url": "https://r/a.zip", "mirrors": [
                {"url": "https://m1/%package%/%version%/r-%reference%.%type%", "preferred": true},
                {"url": "https://m2/%prettyVersion%.zip", "preferred": false}]}}))
        .unwrap();
        assert_eq!(
            dist_urls(&p, "1.0.0.0"),
            vec![
                "https://m1/acme/single/1.0.0.0/r-.zip",
                "https://r/a.zip",
                "https://m2/1.0.0.zip"
            ]
        );
    }

    #[test]
    fn branch_aliases() {
        let p = Package::from_value(json!({"name": "a/b", "version": "dev-main",
            "extra": {"branch-alias": {"dev-main": "2.4.x-dev"}}}))
        .unwrap();
        assert_eq!(
            aliases(&p, &[("a/b".into(), "3.0.0".into())]),
            vec!["2.4.x-dev", "3.0.0"]
        );
    }
}
