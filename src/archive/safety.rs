//! Path safety for archive entries.

use std::path::PathBuf;

use super::ArchiveError;

/// The relative path an entry may be written to, or an error for names that would leave the
/// extraction directory (`..` components, absolute paths, NUL bytes). `.` and empty components
/// are dropped; `None` means the entry names the root itself.
pub fn safe_entry_path(name: &str) -> Result<Option<PathBuf>, ArchiveError> {
    let unsafe_entry = |reason: &str| ArchiveError::Unsafe {
        entry: name.to_string(),
        reason: reason.to_string(),
    };
    if name.contains('\0') {
        return Err(unsafe_entry("the name contains a NUL byte"));
    }
    if name.starts_with('/') || looks_like_drive(name) {
        return Err(unsafe_entry("absolute paths are not allowed"));
    }
    let mut out = PathBuf::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => return Err(unsafe_entry("`..` would leave the package directory")),
            other => out.push(other),
        }
    }
    Ok((!out.as_os_str().is_empty()).then_some(out))
}

fn looks_like_drive(name: &str) -> bool {
    let b = name.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Checks that a symlink at `link` (relative to the package root) pointing at `target` stays
/// inside the package.
pub fn safe_link_target(link: &std::path::Path, target: &str) -> Result<(), ArchiveError> {
    let unsafe_link = |reason: &str| ArchiveError::Unsafe {
        entry: format!("{} -> {}", link.display(), target),
        reason: reason.to_string(),
    };
    if target.is_empty() || target.contains('\0') {
        return Err(unsafe_link("empty or invalid symlink target"));
    }
    if target.starts_with('/') {
        return Err(unsafe_link("symlinks to absolute paths are not allowed"));
    }
    // `..` may only lead the target: after a normal component it could climb out of a
    // directory reached through another symlink.
    let mut depth: i64 = link.components().count() as i64 - 1;
    let mut descended = false;
    for part in target.split('/') {
        match part {
            "" | "." => {}
            ".." if descended => {
                return Err(unsafe_link(
                    "`..` after a directory name is not allowed in symlinks",
                ))
            }
            ".." => {
                depth -= 1;
                if depth < 0 {
                    return Err(unsafe_link("the symlink points outside the package"));
                }
            }
            _ => descended = true,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    #[test]
    fn entry_names() {
        assert_eq!(
            safe_entry_path("a/b.php").unwrap(),
            Some(PathBuf::from("a/b.php"))
        );
        assert_eq!(
            safe_entry_path("./a//b/").unwrap(),
            Some(PathBuf::from("a/b"))
        );
        assert_eq!(safe_entry_path("./").unwrap(), None);
        for bad in ["../x", "a/../../x", "/etc/passwd", "a/..", "C:/x", "a\0b"] {
            assert!(safe_entry_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn link_targets() {
        assert!(safe_link_target(Path::new("a/link"), "target").is_ok());
        assert!(safe_link_target(Path::new("a/link"), "../b/c").is_ok());
        assert!(safe_link_target(Path::new("a/link"), "../../x").is_err());
        assert!(safe_link_target(Path::new("link"), "../x").is_err());
        assert!(safe_link_target(Path::new("link"), "/etc/passwd").is_err());
        assert!(safe_link_target(Path::new("a/b/link"), "../../c").is_ok());
        assert!(safe_link_target(Path::new("a/link"), "x/../../..").is_err());
    }
}
