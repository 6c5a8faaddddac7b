//! Paths as Composer's `Filesystem` writes them into generated PHP: normalised with `/`, and
//! expressed relative to `__DIR__`, `$vendorDir` or `$baseDir` where possible so a project
//! directory can be moved.

/// `normalizePath` for Unix paths: `\` → `/`, `.` and empty segments dropped, `..` folded
/// where possible, no trailing slash.
pub fn normalize(path: &str) -> String {
    if is_normal(path) {
        return path.to_string();
    }
    fold(path)
}

fn fold(path: &str) -> String {
    let path = path.replace('\\', "/");
    let absolute = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    let mut up = false;
    for chunk in path.split('/') {
        if chunk == ".." && (absolute || up) {
            parts.pop();
            up = !(parts.is_empty() || parts.last() == Some(&".."));
        } else if chunk != "." && !chunk.is_empty() {
            parts.push(chunk);
            up = chunk != "..";
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Whether `normalize` would return `path` unchanged: no `\`, no empty, `.` or `..`
/// segment, no trailing `/` (a lone `/` is normal).
fn is_normal(path: &str) -> bool {
    if path == "/" {
        return true;
    }
    if path.is_empty() || path.ends_with('/') || path.contains('\\') {
        return false;
    }
    let body = path.strip_prefix('/').unwrap_or(path);
    body.split('/')
        .all(|seg| !seg.is_empty() && seg != "." && seg != "..")
}

pub use crate::composer::installed::{php_string, push_php_string};

fn dirname(path: &str) -> &str {
    match path.rfind('/') {
        Some(0) => "/",
        Some(i) => &path[..i],
        None => ".",
    }
}

/// PHP code, evaluated in directory `from`, for directory `to` (`findShortestPathCode`).
/// `static_code` uses `__DIR__ . '/..'` instead of `dirname(__DIR__)`.
pub fn dir_code(from: &str, to: &str, static_code: bool) -> String {
    let (from, to) = (normalize(from), normalize(to));
    if from == to {
        return "__DIR__".to_string();
    }
    let mut common = to.clone();
    while !format!("{from}/").starts_with(&format!("{common}/")) && common != "/" && common != "." {
        common = dirname(&common).to_string();
    }
    if !from.starts_with(&common) || common == "." {
        return php_string(&to);
    }
    let common = format!("{}/", common.trim_end_matches('/'));
    if let Some(rest) = to.strip_prefix(&format!("{from}/")) {
        return format!("__DIR__ . {}", php_string(&format!("/{rest}")));
    }
    let depth = from[common.len().min(from.len())..].matches('/').count() + 1;
    if common == "/" && depth > 1 {
        return php_string(&to);
    }
    let code = if static_code {
        format!("__DIR__ . '{}'", "/..".repeat(depth))
    } else {
        format!("{}__DIR__{}", "dirname(".repeat(depth), ")".repeat(depth))
    };
    let rel = &to[common.len().min(to.len())..];
    if rel.is_empty() {
        code
    } else {
        format!("{code} . {}", php_string(&format!("/{rel}")))
    }
}

/// Where a generated path points: under the vendor directory, under the project, or elsewhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Anchor {
    /// Relative to the vendor directory: `""` or `/acme/lib/src`.
    Vendor(String),
    /// Relative to the project directory: `/` or `/src` or `/../shared`.
    Base(String),
    Absolute(String),
}

/// Composer's `getPathCode` decision for an absolute, normalised path.
pub fn anchor(base: &str, vendor: &str, path: &str) -> Anchor {
    if format!("{path}/").starts_with(&format!("{vendor}/")) {
        return Anchor::Vendor(path[vendor.len()..].to_string());
    }
    match relative_from(base, path) {
        Some(rel) => Anchor::Base(format!("/{}", normalize(&rel))),
        None => Anchor::Absolute(path.to_string()),
    }
}

/// `findShortestPath($base, $path, true)` when it gives a relative path.
fn relative_from(base: &str, to: &str) -> Option<String> {
    let from = format!("{}/dummy_file", base.trim_end_matches('/'));
    if dirname(&from) == dirname(to) {
        return Some(format!("./{}", &to[to.rfind('/').map_or(0, |i| i + 1)..]));
    }
    let mut common = to.to_string();
    while !format!("{from}/").starts_with(&format!("{common}/")) && common != "/" {
        common = dirname(&common).to_string();
    }
    if !from.starts_with(&common) {
        return None;
    }
    let common = format!("{}/", common.trim_end_matches('/'));
    let depth = from[common.len()..].matches('/').count();
    if common == "/" && depth > 1 {
        return None;
    }
    Some(format!(
        "{}{}",
        "../".repeat(depth),
        &to[common.len().min(to.len())..]
    ))
}

/// The PHP expression for a path, given the expressions for the vendor and project directories.
pub fn path_code(anchor: &Anchor, vendor_code: &str, base_code: &str) -> String {
    let (prefix, code) = match anchor {
        Anchor::Vendor(rest) => (format!("{vendor_code} . "), php_string(rest)),
        Anchor::Base(rest) => (format!("{base_code} . "), php_string(rest)),
        Anchor::Absolute(path) => (String::new(), php_string(path)),
    };
    let phar = match anchor {
        Anchor::Vendor(p) | Anchor::Base(p) | Anchor::Absolute(p) => p.contains(".phar"),
    };
    if phar {
        format!("'phar://' . {prefix}{code}")
    } else {
        format!("{prefix}{code}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes() {
        assert_eq!(normalize("/a/./b//c/../d/"), "/a/b/d");
        assert_eq!(normalize("a/../../b"), "../b");
        assert_eq!(normalize("src/"), "src");
        for p in [
            "/",
            "/a",
            "/a/b.c",
            "a/b",
            "a",
            "/srv/shop/vendor/acme/lib",
            "../b",
        ] {
            assert_eq!(normalize(p), fold(p), "{p}");
        }
        for p in ["", "a/", "/a/./b", "a//b", "a\\b", "/..", "./a"] {
            assert!(!is_normal(p), "{p}");
        }
    }

    #[test]
    fn dir_codes() {
        assert_eq!(
            dir_code("/p/vendor/composer", "/p/vendor", false),
            "dirname(__DIR__)"
        );
        assert_eq!(dir_code("/p/vendor", "/p", false), "dirname(__DIR__)");
        assert_eq!(
            dir_code("/p/vendor/composer", "/p", true),
            "__DIR__ . '/../..'"
        );
        assert_eq!(
            dir_code("/p/vendor", "/p/vendor/composer", false),
            "__DIR__ . '/composer'"
        );
        assert_eq!(dir_code("/p/vendor", "/p/vendor", false), "__DIR__");
        assert_eq!(dir_code("/a/b/c", "/x/y", false), "'/x/y'");
    }

    #[test]
    fn anchors() {
        assert_eq!(
            anchor("/p", "/p/vendor", "/p/vendor/a/b/src"),
            Anchor::Vendor("/a/b/src".into())
        );
        assert_eq!(
            anchor("/p", "/p/vendor", "/p/src"),
            Anchor::Base("/src".into())
        );
        assert_eq!(anchor("/p", "/p/vendor", "/p"), Anchor::Base("/".into()));
        assert_eq!(
            anchor("/p/q", "/p/q/vendor", "/p/lib/x"),
            Anchor::Base("/../lib/x".into())
        );
        assert_eq!(
            anchor("/a/b", "/a/b/vendor", "/x/y"),
            Anchor::Absolute("/x/y".into())
        );
        assert_eq!(
            path_code(&Anchor::Base("/src".into()), "$vendorDir", "$baseDir"),
            "$baseDir . '/src'"
        );
    }
}
