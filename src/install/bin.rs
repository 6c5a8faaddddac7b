//! Proxies in the bin directory for packages' `bin` entries (reference §8.4).
//!
//! A proxy is a PHP script when the target is PHP (it sets `$GLOBALS['_composer_bin_dir']` and
//! `$GLOBALS['_composer_autoload_path']` and includes the target), a shell script otherwise.
//! An existing file of the same name is left alone, as Composer does. Proxy and target are made
//! executable (`0777` minus the umask).

use std::path::Path;

use crate::composer::package::Package;
use crate::fsutil::{relative_path, set_mode, umask, with_path};

/// A bin entry that could not be linked, for a warning.
pub struct Skipped {
    pub package: String,
    pub bin: String,
    pub reason: String,
}

/// Creates missing proxies for a package installed at `install_path`. `fresh` says the
/// package was just put in place: its bin targets are made executable even where the proxy
/// exists already. For a package left as it was, a bin whose proxy exists is not touched (as
/// Composer, which handles binaries only when it installs or updates a package).
pub fn install_proxies(
    package: &Package,
    install_path: &Path,
    bin_dir: &Path,
    vendor_dir: &Path,
    fresh: bool,
) -> std::io::Result<Vec<Skipped>> {
    let mut skipped = Vec::new();
    for bin in package.binaries() {
        let skip = |reason: &str| Skipped {
            package: package.pretty_name().to_string(),
            bin: bin.clone(),
            reason: reason.to_string(),
        };
        let rel = match crate::archive::safe_entry_path(bin.trim_start_matches('/')) {
            Ok(Some(rel)) => rel,
            _ => {
                skipped.push(skip("the path leaves the package directory"));
                continue;
            }
        };
        let Some(file_name) = rel.file_name() else {
            continue;
        };
        let link = bin_dir.join(file_name);
        let link_exists = std::fs::symlink_metadata(&link).is_ok();
        if link_exists && !fresh {
            continue;
        }
        let target = install_path.join(&rel);
        if !target.is_file() {
            skipped.push(skip("the file does not exist in the package"));
            continue;
        }
        let executable = 0o777 & !umask();
        set_mode(&target, executable)?;
        if link_exists {
            continue;
        }
        fs_err::create_dir_all(bin_dir)?;
        let proxy = proxy_code(&target, bin_dir, vendor_dir, package.pretty_name())?;
        fs_err::write(&link, proxy)?;
        set_mode(&link, executable)?;
    }
    Ok(skipped)
}

/// Removes the proxies of a package that is being removed.
pub fn remove_proxies(package: &Package, bin_dir: &Path) -> std::io::Result<()> {
    for bin in package.binaries() {
        if let Some(name) = Path::new(&bin).file_name() {
            let link = bin_dir.join(name);
            if let Ok(text) = std::fs::read_to_string(&link) {
                if text.contains(&proxy_marker(package.pretty_name())) {
                    fs_err::remove_file(&link)?;
                }
            }
        }
    }
    Ok(())
}

fn proxy_marker(package: &str) -> String {
    format!("magefetch proxy for {package}")
}

fn proxy_code(
    target: &Path,
    bin_dir: &Path,
    vendor_dir: &Path,
    package: &str,
) -> std::io::Result<String> {
    let head = read_head(target)?;
    let rel_target = path_text(&relative_path(bin_dir, target));
    let marker = proxy_marker(package);
    if let Some(shebang) = php_shebang(&head) {
        let rel_autoload = path_text(&relative_path(bin_dir, &vendor_dir.join("autoload.php")));
        Ok(format!(
            "{shebang}\n<?php\n\n/**\n * {marker}: runs {rel_target}.\n */\n\n\
$GLOBALS['_composer_bin_dir'] = __DIR__;\n\
$GLOBALS['_composer_autoload_path'] = __DIR__ . {autoload};\n\n\
if (PHP_VERSION_ID < 80000) {{\n    \
// PHP 7 would print the target's shebang line on include: run it as a script instead.\n    \
$args = array_map('escapeshellarg', array_slice($argv, 1));\n    \
passthru(escapeshellarg(PHP_BINARY) . ' ' . escapeshellarg(__DIR__ . {target}) . ' ' . implode(' ', $args), $code);\n    \
exit($code);\n}}\n\n\
return include __DIR__ . {target};\n",
            autoload = php_quote(&format!("/{rel_autoload}")),
            target = php_quote(&format!("/{rel_target}")),
        ))
    } else {
        Ok(format!(
            "#!/usr/bin/env sh\n\n# {marker}: runs {rel_target}.\n\n\
self_dir=$(cd \"$(dirname \"$0\")\" > /dev/null 2>&1 && pwd)\n\
COMPOSER_RUNTIME_BIN_DIR=\"$self_dir\"\n\
export COMPOSER_RUNTIME_BIN_DIR\n\n\
exec \"$self_dir/{rel_target}\" \"$@\"\n"
        ))
    }
}

/// For a PHP target: the shebang line to keep (or a default one).
fn php_shebang(head: &str) -> Option<String> {
    let (shebang, rest) = match head.strip_prefix("#!") {
        Some(_) => {
            let end = head.find('\n').unwrap_or(head.len());
            (
                head[..end].trim_end().to_string(),
                &head[(end + 1).min(head.len())..],
            )
        }
        None => ("#!/usr/bin/env php".to_string(), head),
    };
    rest.trim_start_matches([' ', '\t', '\r', '\n'])
        .starts_with("<?php")
        .then_some(shebang)
}

fn read_head(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut buf = vec![0u8; 4096];
    let mut file = std::fs::File::open(path).map_err(|e| with_path(e, path))?;
    let n = file.read(&mut buf).map_err(|e| with_path(e, path))?;
    Ok(String::from_utf8_lossy(&buf[..n]).into_owned())
}

fn path_text(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

fn php_quote(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shebang_detection() {
        assert_eq!(
            php_shebang("#!/usr/bin/php\n<?php echo 1;").as_deref(),
            Some("#!/usr/bin/php")
        );
        assert_eq!(
            php_shebang("\n  <?php").as_deref(),
            Some("#!/usr/bin/env php")
        );
        assert_eq!(php_shebang("#!/bin/sh\necho hi"), None);
    }
}
