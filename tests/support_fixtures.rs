//! Self-check of the fixture repository builder, compiled as an integration test would.

mod support;

use std::collections::BTreeSet;
use std::io::Read;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use serde_json::Value;
use sha1::{Digest, Sha1};
use support::fixtures::{archive_entries, load_index};
use support::{
    build_archive, build_repo, fixtures_dir, tar_from_entries, zip_from_entries, ArchiveEntry,
    ArchiveKind, Layout,
};

const BASE: &str = "http://127.0.0.1:1";

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("spawn");
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn write_tmp(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

#[test]
fn index_covers_the_required_cases() {
    let index = load_index();
    assert!(index.len() >= 34, "{} packages", index.len());
    let types: Vec<String> = index
        .iter()
        .map(|e| {
            let cj: Value =
                serde_json::from_slice(&std::fs::read(e.src_dir().join("composer.json")).unwrap())
                    .unwrap();
            assert!(
                cj.get("version").is_none(),
                "{}: composer.json has a version",
                e.name
            );
            cj["type"].as_str().unwrap_or("library").to_string()
        })
        .collect();
    let count = |t: &str| types.iter().filter(|x| *x == t).count();
    assert!(count("magento2-module") >= 16);
    assert!(count("magento2-theme") >= 1);
    assert!(count("magento2-language") >= 1);
    assert!(count("magento2-library") >= 1);
    assert_eq!(count("metapackage"), 2);
    assert_eq!(count("composer-plugin"), 1);
    let github = index.iter().filter(|e| e.layout == Layout::Github).count();
    assert!(github >= 10, "{github} github-style");
    for kind in [
        ArchiveKind::Tar,
        ArchiveKind::TarGz,
        ArchiveKind::TarBz2,
        ArchiveKind::TarXz,
    ] {
        assert!(index.iter().any(|e| e.archive == Some(kind)), "{kind:?}");
    }
    let mixed: Vec<_> = index
        .iter()
        .filter(|e| e.name != e.name.to_lowercase())
        .collect();
    assert_eq!(mixed.len(), 1);
    assert!(fixtures_dir().join("repo/index.json").is_file());
}

#[test]
fn every_requirement_is_satisfiable_by_a_present_version() {
    // Cheap check of the constraint forms used by the fixtures: "X.Y.*", "^X.Y", exact.
    let repo = build_repo(BASE);
    let versions = |name: &str| -> Vec<String> {
        repo.packages
            .iter()
            .filter(|p| p["name"].as_str().unwrap().eq_ignore_ascii_case(name))
            .map(|p| p["version"].as_str().unwrap().to_string())
            .collect()
    };
    let satisfies = |c: &str, v: &str| -> bool {
        let vp: Vec<u64> = v.split('.').map(|x| x.parse().unwrap()).collect();
        if let Some(prefix) = c.strip_suffix(".*") {
            return v.starts_with(&format!("{prefix}."));
        }
        if let Some(rest) = c.strip_prefix('^') {
            let cp: Vec<u64> = rest.split('.').map(|x| x.parse().unwrap()).collect();
            let mut cpad = cp.clone();
            cpad.resize(3, 0);
            return vp[0] == cp[0] && vp >= cpad;
        }
        c == v
    };
    for p in &repo.packages {
        let Some(req) = p.get("require").and_then(Value::as_object) else {
            continue;
        };
        for (dep, c) in req {
            if dep == "php" || dep.starts_with("ext-") || dep == "composer-plugin-api" {
                continue;
            }
            let c = c.as_str().unwrap();
            assert!(
                versions(dep).iter().any(|v| satisfies(c, v)),
                "{} requires {dep} {c}: not satisfiable by {:?}",
                p["name"],
                versions(dep)
            );
        }
    }
}

#[test]
fn build_repo_metadata_and_archives() {
    let repo = build_repo(&format!("{BASE}/"));
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(repo.packages.len(), repo.index.len());
    let mut paths = BTreeSet::new();
    for (pkg, entry) in repo.packages.iter().zip(&repo.index) {
        let obj = pkg.as_object().unwrap();
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(&keys[..2], &["name", "version"]);
        assert_eq!(pkg["name"].as_str(), Some(entry.name.as_str()));
        let Some(kind) = entry.archive else {
            assert!(pkg.get("dist").is_none());
            assert_eq!(pkg["type"], "metapackage");
            continue;
        };
        assert_eq!(*keys.last().unwrap(), "dist");
        let dist = &pkg["dist"];
        let url = dist["url"].as_str().unwrap();
        let path = url.strip_prefix(BASE).unwrap();
        assert!(path.starts_with("/archives/"), "{path}");
        assert!(path.ends_with(&format!("-{}.{}", entry.version, kind.extension())));
        assert!(paths.insert(path.to_string()), "duplicate {path}");
        let bytes = repo.file(path).unwrap();
        let sha = hex::encode(Sha1::digest(bytes));
        if entry.shasum {
            assert_eq!(
                dist["shasum"].as_str(),
                Some(sha.as_str()),
                "{}",
                entry.name
            );
        } else {
            assert_eq!(dist["shasum"], "");
        }
        assert_eq!(
            dist.get("reference").and_then(Value::as_str),
            entry.reference.as_deref()
        );
        let expected_type = match kind {
            ArchiveKind::Zip => "zip",
            ArchiveKind::Tar | ArchiveKind::TarGz | ArchiveKind::TarBz2 => "tar",
            ArchiveKind::TarXz => "xz",
        };
        assert_eq!(dist["type"], expected_type);

        let file = write_tmp(dir.path(), &format!("a.{}", kind.extension()), bytes);
        let listing = if kind == ArchiveKind::Zip {
            run(Command::new("unzip").arg("-Z1").arg(&file))
        } else {
            run(Command::new("tar").arg("-tf").arg(&file))
        };
        let listed: Vec<&str> = listing.lines().collect();
        let expected: Vec<String> = archive_entries(&entry.src_dir(), entry)
            .iter()
            .map(|e| match e {
                ArchiveEntry::Dir { path, .. } => format!("{path}/"),
                other => other.path().to_string(),
            })
            .collect();
        assert_eq!(listed, expected, "{}", entry.name);
        if let Some(top) = entry.top_dir() {
            assert!(listed.iter().all(|l| l.starts_with(&format!("{top}/"))));
        } else if !entry.exclude.iter().any(|x| x == "composer.json") {
            assert!(listed.contains(&"composer.json"), "{}", entry.name);
        }
        // Archives are deterministic.
        assert_eq!(build_archive(&entry.src_dir(), entry), bytes);
    }
    // packages.json (v1 inline).
    let pj: Value = serde_json::from_slice(repo.file("/packages.json").unwrap()).unwrap();
    let map = pj["packages"].as_object().unwrap();
    for p in &repo.packages {
        let name = p["name"].as_str().unwrap().to_lowercase();
        let v = p["version"].as_str().unwrap();
        assert_eq!(&map[&name][v], p);
    }
    assert_eq!(
        repo.files.len(),
        repo.index.iter().filter(|e| e.archive.is_some()).count() + 1
    );
}

#[test]
fn unzip_restores_modes_and_symlinks() {
    let repo = build_repo(BASE);
    let dir = tempfile::tempdir().unwrap();
    let extract = |name: &str| {
        let p = repo
            .latest()
            .into_iter()
            .find(|p| p["name"] == name)
            .unwrap();
        let path = p["dist"]["url"]
            .as_str()
            .unwrap()
            .strip_prefix(BASE)
            .unwrap();
        let out = dir.path().join(name.replace('/', "_"));
        let zip = write_tmp(dir.path(), "x.zip", repo.file(path).unwrap());
        run(Command::new("unzip")
            .arg("-q")
            .arg(&zip)
            .arg("-d")
            .arg(&out));
        out
    };
    let mode = |p: &Path| std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o7777;

    let tools = extract("acme/tools");
    let top = repo
        .entry("acme/tools", "1.0.0")
        .unwrap()
        .top_dir()
        .unwrap();
    let bin = tools.join(&top).join("bin/acme-tool");
    assert_eq!(mode(&bin), 0o755);
    assert_eq!(mode(&tools.join(&top).join("bin/acme-sh")), 0o755);
    assert_eq!(mode(&tools.join(&top).join("composer.json")), 0o644);
    assert_eq!(mode(&tools.join(&top).join("src")), 0o755);
    assert!(std::fs::read_to_string(&bin)
        .unwrap()
        .starts_with("#!/usr/bin/env php\n"));
    assert!(!tools.join(&top).join(".gitattributes").exists());

    let tax = extract("acme/module-tax");
    let link = tax.join("etc/tax-rates-current.csv");
    let meta = std::fs::symlink_metadata(&link).unwrap();
    assert!(meta.file_type().is_symlink());
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("tax-rates.csv")
    );
    assert_eq!(
        std::fs::read(&link).unwrap(),
        std::fs::read(tax.join("etc/tax-rates.csv")).unwrap()
    );

    let payment = extract("acme/module-payment");
    assert_eq!(mode(&payment.join("secret.txt")), 0o600);

    let inventory = extract("acme/module-inventory");
    assert!(inventory.join("view/frontend/web/.hidden").is_file());

    let strut = extract("textkit/inflector");
    let top = repo
        .entry("textkit/inflector", "2.0.0")
        .unwrap()
        .top_dir()
        .unwrap();
    assert!(strut.join(&top).join(".gitattributes").is_file());

    let fr = extract("acme/translations-fr");
    let top: Vec<_> = std::fs::read_dir(&fr)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(top, vec![std::ffi::OsString::from("i18n")]);

    let dotted = extract("dotted/config-loader");
    let mut top: Vec<_> = std::fs::read_dir(&dotted)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(top, vec![".editorconfig", "config-loader"]);
}

#[test]
fn tar_variants_extract_with_system_tar() {
    let repo = build_repo(BASE);
    let dir = tempfile::tempdir().unwrap();
    for entry in repo.index.iter().filter(|e| {
        matches!(
            e.archive,
            Some(ArchiveKind::Tar | ArchiveKind::TarGz | ArchiveKind::TarBz2 | ArchiveKind::TarXz)
        )
    }) {
        let path = entry.archive_url_path().unwrap();
        let file = write_tmp(
            dir.path(),
            &format!("t.{}", entry.archive.unwrap().extension()),
            repo.file(&path).unwrap(),
        );
        let out = dir.path().join(entry.name.replace('/', "_"));
        std::fs::create_dir(&out).unwrap();
        run(Command::new("tar")
            .arg("-xf")
            .arg(&file)
            .arg("-C")
            .arg(&out));
        let root = match entry.top_dir() {
            Some(t) => out.join(t),
            None => out.clone(),
        };
        let cj: Value =
            serde_json::from_slice(&std::fs::read(root.join("composer.json")).unwrap()).unwrap();
        assert_eq!(cj["name"].as_str(), Some(entry.name.as_str()));
        let verbose = run(Command::new("tar").arg("-tvf").arg(&file));
        assert!(verbose.contains("2024-01-01"), "{verbose}");
    }
}

#[test]
fn hostile_archives_keep_paths_verbatim() {
    let long = format!("deep/{}/file.txt", "d".repeat(120));
    let entries = vec![
        ArchiveEntry::file("../evil", b"evil".to_vec()),
        ArchiveEntry::file("/abs", b"abs".to_vec()),
        ArchiveEntry::file("a/../../b", b"b".to_vec()),
        ArchiveEntry::dir("../evildir"),
        ArchiveEntry::symlink("link", "../../../etc/passwd"),
        ArchiveEntry::symlink("abslink", "/etc/passwd"),
        ArchiveEntry::File {
            path: "x/run.sh".into(),
            data: b"#!/bin/sh\n".to_vec(),
            mode: 0o4755,
        },
        ArchiveEntry::file(&long, b"long".to_vec()),
    ];
    let zip = zip_from_entries(&entries);
    let mut za = zip::ZipArchive::new(std::io::Cursor::new(zip.clone())).unwrap();
    let names: Vec<String> = za.file_names().map(str::to_string).collect();
    for n in [
        "../evil",
        "/abs",
        "a/../../b",
        "../evildir/",
        "link",
        "abslink",
    ] {
        assert!(names.iter().any(|x| x == n), "{n} in {names:?}");
    }
    {
        let mut f = za.by_name("link").unwrap();
        assert!(f.is_symlink());
        assert_eq!(f.unix_mode().unwrap() & 0o170777, 0o120777);
        let mut target = String::new();
        f.read_to_string(&mut target).unwrap();
        assert_eq!(target, "../../../etc/passwd");
    }
    assert_eq!(
        za.by_name("../evildir/").unwrap().unix_mode().unwrap() & 0o777,
        0o755
    );
    assert_eq!(
        za.by_name("x/run.sh").unwrap().unix_mode().unwrap() & 0o777,
        0o755
    );

    let tar = tar_from_entries(&entries);
    let mut ta = tar::Archive::new(tar.as_slice());
    let got: Vec<(String, tar::EntryType, Option<String>)> = ta
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                String::from_utf8(e.path_bytes().into_owned()).unwrap(),
                e.header().entry_type(),
                e.link_name_bytes()
                    .map(|l| String::from_utf8(l.into_owned()).unwrap()),
            )
        })
        .collect();
    assert_eq!(got[0].0, "../evil");
    assert_eq!(got[1].0, "/abs");
    assert_eq!(got[2].0, "a/../../b");
    assert_eq!(
        (got[3].0.as_str(), got[3].1),
        ("../evildir/", tar::EntryType::Directory)
    );
    assert_eq!(got[4].2.as_deref(), Some("../../../etc/passwd"));
    assert_eq!(got[4].1, tar::EntryType::Symlink);
    assert_eq!(got[7].0, long);
    // GNU tar agrees on the long name.
    let dir = tempfile::tempdir().unwrap();
    let f = write_tmp(dir.path(), "h.tar", &tar);
    let listing = run(Command::new("tar").arg("-tf").arg(&f));
    assert!(listing.lines().any(|l| l == long), "{listing}");
}
