//! `magefetch release` against an emulation of the Magento downloads API on 127.0.0.1
//! (tests/support/downloads.rs): listings, verified and resumable downloads, extraction.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;
use support::downloads::{has_file_ending, Api, MAGE_ID, PREFIX, TOKEN};
use support::project::{run, run_ok};
use support::{tar_from_entries, zip_from_entries, ArchiveEntry, Fault};

fn file_requests(api: &Api, path: &str) -> Vec<support::LoggedRequest> {
    api.server
        .requests()
        .into_iter()
        .filter(|r| r.path == path)
        .collect()
}

#[test]
fn list_parses_the_table_including_missing_md5_and_odd_spacing() {
    let api = Api::new();
    let out = run_ok(api.release("list").args(["--format", "json"]));
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).expect("JSON array");
    assert_eq!(rows.len(), api.files.len());
    for f in &api.files {
        let row = rows
            .iter()
            .find(|r| r["file"] == f.name.as_str())
            .unwrap_or_else(|| panic!("{} listed", f.name));
        assert_eq!(row["version"], f.version.as_str());
        assert_eq!(row["type"], f.type_key);
        assert_eq!(row["type_label"], f.type_label);
        assert_eq!(row["date"], "2016-01-28 06:33:00");
        match &f.listed_md5 {
            Some(m) => assert_eq!(row["md5"], m.as_str()),
            None => assert_eq!(row["md5"], Value::Null, "{}", f.name),
        }
    }
    let text = run_ok(&mut api.release("list"));
    assert!(text.stdout.starts_with("TYPE"), "{}", text.stdout);
    assert!(text.stdout.contains("Magento-CE-2.0.2+sample_data.zip"));
    let no_md5_line = text
        .stdout
        .lines()
        .find(|l| l.contains("Magento-CE-2.0.7.zip"))
        .unwrap();
    assert!(no_md5_line.contains("(none)"), "{no_md5_line}");
    assert_eq!(file_requests(&api, &format!("{PREFIX}info/files")).len(), 2);
}

#[test]
fn list_filters_by_version_and_type() {
    let api = Api::new();
    let out = run_ok(api.release("list").args([
        "--version",
        "2.4.4",
        "--type",
        "ce-full",
        "--format",
        "json",
    ]));
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["file"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        vec![
            "Magento-CE-2.4.4.tar.gz",
            "Magento-CE-2.4.4.zip",
            "Magento-CE-2.4.4_sample_data.tar.bz2"
        ]
    );
    assert_eq!(
        file_requests(&api, &format!("{PREFIX}info/filter/version/2.4.4")).len(),
        1
    );
    let out = run_ok(
        api.release("list")
            .args(["--type", "ce-patch", "--format", "json"]),
    );
    let rows: Vec<Value> = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["file"], "PATCH_SUPEE-11086_CE_2.2.0.sh");
    assert_eq!(
        file_requests(&api, &format!("{PREFIX}info/filter/type/ce-patch")).len(),
        1
    );
}

#[test]
fn versions_are_listed_per_edition() {
    let api = Api::new();
    let out = run_ok(&mut api.release("versions"));
    assert!(
        out.stdout
            .contains("Community Edition: 2.4.4 2.3.7 2.0.7 2.0.2 2.2.0"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("Enterprise Edition: 2.4.4"));
}

#[test]
fn download_by_version_verifies_md5_and_prints_sha256() {
    let api = Api::new();
    let out = run_ok(api.release("download").args(["2.4.4", "-o", "out"]));
    let f = api.file("Magento-CE-2.4.4.tar.gz");
    let saved = api.out().join(&f.name);
    assert_eq!(std::fs::read(&saved).unwrap(), f.bytes);
    assert!(out.stdout.contains(&f.sha256()), "{}", out.stdout);
    assert!(out.stdout.contains("matches the published MD5"));
    assert!(!has_file_ending(&api.out(), ".part"));
    assert!(!has_file_ending(&api.out(), ".part.json"));

    // --sample-data and --archive choose among the files of a version; --type another edition.
    run_ok(
        api.release("download")
            .args(["2.4.4", "--sample-data", "-o", "out"]),
    );
    assert!(api
        .out()
        .join("Magento-CE-2.4.4_sample_data.tar.bz2")
        .is_file());
    run_ok(
        api.release("download")
            .args(["2.4.4", "--archive", "zip", "-o", "out"]),
    );
    assert!(api.out().join("Magento-CE-2.4.4.zip").is_file());
    run_ok(
        api.release("download")
            .args(["2.4.4", "--type", "ee-full", "-o", "out"]),
    );
    assert!(api.out().join("Magento-EE-2.4.4.zip").is_file());

    // An unknown version is "not available".
    let missing = run(api.release("download").args(["9.9.9", "-o", "out"]));
    assert_eq!(missing.code, 5, "{}", missing.all_output());
    assert!(
        missing.stderr.contains("release list"),
        "{}",
        missing.stderr
    );
}

#[test]
fn download_by_file_name_encodes_it_and_reuses_a_verified_file() {
    let api = Api::new();
    let f = api.file("Magento-CE-2.0.2+sample_data.zip");
    let out = run_ok(
        api.release("download")
            .args([f.name.as_str(), "--format", "json"]),
    );
    let result: Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(result["verified"], true);
    assert_eq!(result["md5"], f.md5().as_str());
    assert_eq!(result["sha256"], f.sha256().as_str());
    assert_eq!(std::fs::read(api.work().join(&f.name)).unwrap(), f.bytes);
    assert_eq!(file_requests(&api, &f.path()).len(), 1);
    assert_eq!(
        f.path(),
        format!("{PREFIX}file/Magento-CE-2.0.2%2Bsample_data.zip")
    );

    // Second run: the file is there and matches: nothing is downloaded.
    let again = run_ok(api.release("download").arg(&f.name));
    assert!(
        again.stdout.contains("already downloaded"),
        "{}",
        again.stdout
    );
    assert_eq!(file_requests(&api, &f.path()).len(), 1);

    // A damaged file under the final name is replaced by a verified download.
    std::fs::write(api.work().join(&f.name), b"damaged").unwrap();
    let replaced = run_ok(api.release("download").arg(&f.name));
    assert!(
        replaced.stderr.contains("does not match"),
        "{}",
        replaced.stderr
    );
    assert_eq!(std::fs::read(api.work().join(&f.name)).unwrap(), f.bytes);
    assert_eq!(file_requests(&api, &f.path()).len(), 2);
}

#[test]
fn interrupted_download_resumes_with_range() {
    let api = Api::new();
    let f = api.file("Magento-CE-2.3.7.tar.gz");
    let size = f.bytes.len() as u64;
    api.server.set_fault(
        &f.path(),
        Fault::DropAfter {
            bytes: size / 2,
            times: 1,
        },
    );
    let out = run_ok(api.release("download").args(["2.3.7", "-o", "out"]));
    let reqs = file_requests(&api, &f.path());
    assert_eq!(reqs.len(), 2, "{reqs:?}");
    assert_eq!(reqs[0].range, None);
    assert_eq!(
        reqs[1].range.as_deref(),
        Some(format!("bytes={}-", size / 2).as_str())
    );
    assert_eq!(reqs[1].status, 206);
    assert_eq!(api.server.body_bytes_served(&f.path()), size);
    assert!(out.stderr.contains("retrying"), "{}", out.stderr);
    assert_eq!(std::fs::read(api.out().join(&f.name)).unwrap(), f.bytes);
    assert!(out.stdout.contains(&f.sha256()));
}

#[test]
fn download_killed_halfway_is_resumed_by_the_next_run() {
    let api = Api::new();
    let f = api.file("Magento-CE-2.3.7.tar.gz");
    let size = f.bytes.len() as u64;
    api.server.set_fault(
        &f.path(),
        Fault::Stall {
            after_bytes: size / 2,
            times: 1,
        },
    );
    let mut child = api
        .release("download")
        .args(["2.3.7", "-o", "out"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while api.server.body_bytes_served(&f.path()) < size / 2 && std::time::Instant::now() < deadline
    {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(400));
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let part = api.out().join(format!("{}.part", f.name));
    assert!(part.is_file(), "the partial file stays for the next run");
    assert!(!api.out().join(&f.name).exists());
    assert_eq!(std::fs::metadata(&part).unwrap().len(), size / 2);

    api.server.clear_log();
    let out = run_ok(api.release("download").args(["2.3.7", "-o", "out"]));
    let reqs = file_requests(&api, &f.path());
    assert_eq!(reqs.len(), 1, "{reqs:?}");
    assert_eq!(
        reqs[0].range.as_deref(),
        Some(format!("bytes={}-", size / 2).as_str())
    );
    assert!(reqs[0].if_range.is_some());
    assert_eq!(reqs[0].status, 206);
    let again = api.server.body_bytes_served(&f.path());
    assert!(again * 100 <= size * 55, "{again} of {size} sent again");
    assert!(out.stdout.contains("resumed"), "{}", out.stdout);
    assert_eq!(std::fs::read(api.out().join(&f.name)).unwrap(), f.bytes);
    assert!(!part.exists());
}

#[test]
fn md5_mismatch_leaves_no_file_and_exits_6() {
    let api = Api::new();
    let f = api.file("Magento-CE-2.2.0.zip");
    let out = run(api.release("download").args(["2.2.0", "-o", "out"]));
    assert_eq!(out.code, 6, "{}", out.all_output());
    assert!(out.stderr.contains("checksum mismatch"), "{}", out.stderr);
    assert!(out.stderr.contains("md5"), "{}", out.stderr);
    assert!(
        out.stderr.contains(&f.md5()),
        "actual hash named: {}",
        out.stderr
    );
    assert!(!api.out().join(&f.name).exists());
    assert!(!has_file_ending(&api.out(), ".part"));
    // Fetched twice from scratch, then given up.
    assert_eq!(file_requests(&api, &f.path()).len(), 2);

    // A corrupted transfer of a file with a correct MD5 is fetched once more and succeeds.
    let good = api.file("Magento-CE-2.4.4.zip");
    api.server
        .set_fault(&good.path(), Fault::Corrupt { times: 1 });
    run_ok(
        api.release("download")
            .args([good.name.as_str(), "-o", "out"]),
    );
    assert_eq!(
        std::fs::read(api.out().join(&good.name)).unwrap(),
        good.bytes
    );
    assert_eq!(file_requests(&api, &good.path()).len(), 2);
}

#[test]
fn file_without_md5_needs_allow_unverified_then_can_be_pinned() {
    let api = Api::new();
    let f = api.file("Magento-CE-2.0.7.zip");
    let refused = run(api.release("download").args(["2.0.7"]));
    assert_eq!(refused.code, 6, "{}", refused.all_output());
    assert!(refused.stderr.contains("--allow-unverified"));
    assert!(!api.work().join(&f.name).exists());
    assert!(file_requests(&api, &f.path()).is_empty());

    let out = run_ok(
        api.release("download")
            .args(["2.0.7", "--allow-unverified"]),
    );
    assert!(out.stdout.contains("NOT verified"), "{}", out.stdout);
    assert!(out.stdout.contains(&f.sha256()));

    let pinned = run_ok(
        api.release("download")
            .args(["2.0.7", "--sha256", &f.sha256()]),
    );
    assert!(
        pinned.stdout.contains("already downloaded"),
        "{}",
        pinned.stdout
    );
    let wrong = run(api.release("download").args([
        "Magento-CE-2.0.7.zip",
        "-o",
        "other",
        "--sha256",
        &"ab".repeat(32),
    ]));
    assert_eq!(wrong.code, 6, "{}", wrong.all_output());
    assert!(!api.work().join("other").join(&f.name).exists());
}

#[test]
fn wrong_or_missing_credentials_exit_4_with_a_clear_message() {
    let api = Api::new();
    let mut cmd = api.magefetch();
    cmd.env("MAGENTO_MAGEID", MAGE_ID)
        .env("MAGENTO_TOKEN", "ffffffffffffffffffffffffffffffffffffffff")
        .args(["release", "list", "--api-url", &api.api_url()]);
    let out = run(&mut cmd);
    assert_eq!(out.code, 4, "{}", out.all_output());
    assert!(out.stderr.contains("HTTP 401"), "{}", out.stderr);
    assert!(
        out.stderr.contains("Downloads Access Token"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("MAGENTO_TOKEN"),
        "names the source: {}",
        out.stderr
    );
    assert!(!out.all_output().contains("ffffffffffffffff"));

    let none = run(api
        .magefetch()
        .args(["release", "list", "--api-url", &api.api_url()]));
    assert_eq!(none.code, 4, "{}", none.all_output());
    assert!(none.stderr.contains("auth set-token"), "{}", none.stderr);
    assert!(
        api.server.requests().len() == 1,
        "no request without credentials"
    );

    let half = run(api.magefetch().env("MAGENTO_MAGEID", MAGE_ID).args([
        "release",
        "list",
        "--api-url",
        &api.api_url(),
    ]));
    assert_eq!(half.code, 3, "{}", half.all_output());
}

#[test]
fn credentials_come_from_flags_or_auth_json() {
    let api = Api::new();
    run_ok(api.magefetch().args([
        "release",
        "list",
        "--api-url",
        &api.api_url(),
        "--mage-id",
        MAGE_ID,
        "--token",
        TOKEN,
    ]));
    std::fs::write(
        api.home().join("auth.json"),
        serde_json::json!({"http-basic": {api.origin(): {"username": MAGE_ID, "password": TOKEN}}})
            .to_string(),
    )
    .unwrap();
    run_ok(
        api.magefetch()
            .args(["release", "list", "--api-url", &api.api_url()]),
    );
    // The flags win over auth.json.
    let out = run(api.magefetch().args([
        "release",
        "list",
        "--api-url",
        &api.api_url(),
        "--mage-id",
        MAGE_ID,
        "--token",
        "wrong",
    ]));
    assert_eq!(out.code, 4);
    assert!(out.stderr.contains("the command line"), "{}", out.stderr);
}

#[test]
fn forbidden_file_exits_5() {
    let api = Api::new();
    let f = api.file("Magento-EE-2.4.4.zip");
    api.server
        .set_fault(&f.path(), Fault::Forbidden { times: 5 });
    let out = run(api.release("download").arg(&f.name));
    assert_eq!(out.code, 5, "{}", out.all_output());
    assert!(out.stderr.contains("403"), "{}", out.stderr);
    assert!(!api.work().join(&f.name).exists());
}

#[test]
fn extract_unpacks_zip_tar_gz_and_tar_bz2_into_a_project() {
    let api = Api::new();
    for (i, name) in [
        "Magento-CE-2.4.4.zip",
        "Magento-CE-2.4.4.tar.gz",
        "Magento-CE-2.4.4_sample_data.tar.bz2",
    ]
    .into_iter()
    .enumerate()
    {
        let dest = api.work().join(format!("shop{i}"));
        let out = run_ok(api.release("download").args([
            name,
            "-o",
            "out",
            "--extract",
            dest.to_str().unwrap(),
        ]));
        assert!(out.stdout.contains("Extracted"), "{}", out.stdout);
        assert_eq!(
            std::fs::read_to_string(dest.join("app/etc/di.xml")).unwrap(),
            "<config/>\n"
        );
        assert!(dest
            .join("vendor/magento/framework/registration.php")
            .is_file());
        let mode = std::fs::metadata(dest.join("bin/magento"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755, "{name}");
        assert!(!has_file_ending(&api.work(), ".tmp"));
    }
    // An existing, non-empty destination is refused.
    let out = run(api.release("download").args([
        "Magento-CE-2.4.4.zip",
        "-o",
        "out",
        "--extract",
        api.work().join("shop0").to_str().unwrap(),
    ]));
    assert_eq!(out.code, 3, "{}", out.all_output());
    assert!(out.stderr.contains("not an empty directory"));
}

#[test]
fn extract_refuses_hostile_archives_and_writes_nothing() {
    use support::fixtures::{bzip2_bytes, gzip_bytes};
    let api = Api::new();
    let evil = |name: &str| {
        vec![
            ArchiveEntry::file("ok.txt", "fine"),
            ArchiveEntry::file(name, "x"),
        ]
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "Evil-1.0.zip",
            zip_from_entries(&evil("../../escaped-zip.txt")),
        ),
        (
            "Evil-1.0.tar.gz",
            gzip_bytes(&tar_from_entries(&evil("a/../../escaped-tgz.txt"))),
        ),
        (
            "Evil-1.0.tar.bz2",
            bzip2_bytes(&tar_from_entries(&[ArchiveEntry::symlink(
                "link",
                "../../../../etc",
            )])),
        ),
    ];
    for (name, bytes) in &cases {
        api.server
            .add_file(&format!("{PREFIX}file/{name}"), bytes.clone());
    }
    for (i, (name, _)) in cases.iter().enumerate() {
        let dest = api.work().join(format!("evil{i}"));
        let out = run(api.release("download").args([
            *name,
            "--allow-unverified",
            "-o",
            "out",
            "--extract",
            dest.to_str().unwrap(),
        ]));
        assert_eq!(out.code, 6, "{name}: {}", out.all_output());
        assert!(out.stderr.contains("unsafe"), "{name}: {}", out.stderr);
        assert!(!dest.exists(), "{name}: nothing placed");
        assert!(!api.work().join("escaped-zip.txt").exists());
        assert!(!api.tmp.path().join("escaped-zip.txt").exists());
        assert!(!api.work().join("escaped-tgz.txt").exists());
        assert!(!api.tmp.path().join("escaped-tgz.txt").exists());
        let leftovers: Vec<_> = std::fs::read_dir(api.work())
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".magefetch-extract")
            })
            .collect();
        assert!(leftovers.is_empty(), "temporary directory removed");
    }
}
