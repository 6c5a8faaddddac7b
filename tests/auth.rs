//! `magefetch auth`: in-place edits of Composer's auth.json, masked listings, credential checks
//! against a server on 127.0.0.1, and no secret in any output.

mod support;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, Stdio};

use serde_json::{json, Value};
use support::downloads::{Api, MAGE_ID, PREFIX, TOKEN};
use support::project::{run, run_ok, Run};
use support::Fault;

/// Made-up Marketplace keys (32 characters each).
const PUBLIC: &str = "a1b2c3d4e5f60718293a4b5c6d7e8f90";
const PRIVATE: &str = "0f9e8d7c6b5a49382716a5b4c3d2e1f0";

/// A global auth.json as a user may have it: other kinds, other hosts, Composer's layout, an
/// escaped character, a key order that is not alphabetical.
const EXISTING: &str = r#"{
    "github-oauth": {
        "github.com": "ghp_exampleexampleexample"
    },
    "http-basic": {
        "repo.example.com": {
            "username": "alice",
            "password": "p\u00e4ss\/word"
        }
    },
    "gitlab-token": {
        "gitlab.example.com": "glpat-example"
    },
    "bearer": {"api.example.net": "tok"}
}
"#;

fn auth_json(api: &Api) -> std::path::PathBuf {
    api.home().join("auth.json")
}

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn with_stdin(cmd: &mut Command, input: &str) -> Run {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn set_and_remove_keep_every_other_entry_and_its_formatting() {
    let api = Api::new();
    let path = auth_json(&api);
    std::fs::write(&path, EXISTING).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();

    let out = run_ok(api.magefetch().args([
        "auth",
        "set",
        "repo.magento.com",
        "--public-key",
        PUBLIC,
        "--private-key",
        PRIVATE,
    ]));
    assert!(out.stdout.contains("repo.magento.com"), "{}", out.stdout);
    let text = std::fs::read_to_string(&path).unwrap();
    let expected = EXISTING.replace(
        "            \"password\": \"p\\u00e4ss\\/word\"\n        }\n    },",
        &format!(
            "            \"password\": \"p\\u00e4ss\\/word\"\n        }},\n        \"repo.magento.com\": {{\n            \"username\": \"{PUBLIC}\",\n            \"password\": \"{PRIVATE}\"\n        }}\n    }},"
        ),
    );
    assert_ne!(expected, EXISTING);
    assert_eq!(text, expected);
    assert_eq!(mode(&path), 0o600);

    // Replacing the keys edits the entry in place.
    run_ok(api.magefetch().args([
        "auth",
        "set",
        "repo.magento.com",
        "--public-key",
        &PUBLIC.replace('a', "b"),
        "--private-key",
        PRIVATE,
    ]));
    let replaced = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        replaced,
        expected.replace(PUBLIC, &PUBLIC.replace('a', "b"))
    );

    let out = run_ok(api.magefetch().args(["auth", "remove", "repo.magento.com"]));
    assert!(out.stdout.contains("Removed http-basic"), "{}", out.stdout);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), EXISTING);
    assert_eq!(mode(&path), 0o600);

    // Removing a host in several kinds; removing nothing changes nothing.
    run_ok(
        api.magefetch()
            .args(["auth", "remove", "gitlab.example.com"]),
    );
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(v.get("gitlab-token").is_none());
    assert_eq!(v["github-oauth"]["github.com"], "ghp_exampleexampleexample");
    let before = std::fs::read(&path).unwrap();
    let out = run_ok(api.magefetch().args(["auth", "remove", "nothing.example"]));
    assert!(out.stdout.contains("No credentials"));
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn new_files_are_composer_shaped_and_0600_global_and_project() {
    let api = Api::new();
    run_ok(
        api.magefetch()
            .args(["auth", "set-token", "--mage-id", MAGE_ID, "--token", TOKEN]),
    );
    let global = auth_json(&api);
    assert_eq!(
        std::fs::read_to_string(&global).unwrap(),
        format!(
            "{{\n    \"http-basic\": {{\n        \"www.magentocommerce.com\": {{\n            \"username\": \"{MAGE_ID}\",\n            \"password\": \"{TOKEN}\"\n        }}\n    }}\n}}\n"
        )
    );
    assert_eq!(mode(&global), 0o600);

    let project = api.work().join("project");
    std::fs::create_dir_all(&project).unwrap();
    run_ok(api.magefetch().args([
        "-d",
        project.to_str().unwrap(),
        "auth",
        "set",
        "repo.example.com:8443",
        "--public-key",
        "user",
        "--private-key",
        "secret-password",
        "--project",
    ]));
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(project.join("auth.json")).unwrap()).unwrap();
    assert_eq!(
        v,
        json!({"http-basic": {"repo.example.com:8443": {"username": "user", "password": "secret-password"}}})
    );
    assert_eq!(mode(&project.join("auth.json")), 0o600);
}

#[test]
fn keys_are_validated_and_never_echoed() {
    let api = Api::new();
    let out = run(api.magefetch().args([
        "auth",
        "set",
        "repo.magento.com",
        "--public-key",
        "tooshortpublickey",
        "--private-key",
        PRIVATE,
    ]));
    assert_eq!(out.code, 3, "{}", out.all_output());
    assert!(
        out.stderr
            .contains("a Marketplace public key is 32 characters long; this one has 17"),
        "{}",
        out.stderr
    );
    assert!(!out.all_output().contains("tooshortpublickey"));
    assert!(!out.all_output().contains(PRIVATE));
    assert!(!auth_json(&api).exists());

    let out = run(api.magefetch().args([
        "auth",
        "set",
        "repo.example.com",
        "--public-key",
        "us:er",
        "--private-key",
        "x",
    ]));
    assert_eq!(out.code, 3);
    assert!(
        out.stderr.contains("must not contain `:`"),
        "{}",
        out.stderr
    );

    // --force stores a key of another length.
    run_ok(api.magefetch().args([
        "auth",
        "set",
        "repo.magento.com",
        "--public-key",
        "tooshortpublickey",
        "--private-key",
        PRIVATE,
        "--force",
    ]));
}

#[test]
fn keys_are_read_from_stdin_when_not_given() {
    let api = Api::new();
    let out = with_stdin(
        api.magefetch().args(["auth", "set", "repo.magento.com"]),
        &format!("{PUBLIC}\n{PRIVATE}\n"),
    );
    assert_eq!(out.code, 0, "{}", out.all_output());
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(auth_json(&api)).unwrap()).unwrap();
    assert_eq!(v["http-basic"]["repo.magento.com"]["username"], PUBLIC);
    assert_eq!(v["http-basic"]["repo.magento.com"]["password"], PRIVATE);
    assert!(!out.all_output().contains(PRIVATE));

    let out = with_stdin(
        api.magefetch().args(["auth", "set", "repo.magento.com"]),
        "",
    );
    assert_eq!(out.code, 3, "{}", out.all_output());
}

#[test]
fn prompts_on_a_terminal_without_echoing_the_private_key() {
    use std::io::Read;
    use std::os::fd::FromRawFd;
    let api = Api::new();
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills two descriptors that are then owned by the two Files below.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty");
    let (mut master, slave) = unsafe {
        (
            std::fs::File::from_raw_fd(master),
            std::fs::File::from_raw_fd(slave),
        )
    };
    let mut child = api
        .magefetch()
        .args(["auth", "set", "repo.magento.com"])
        .stdin(Stdio::from(slave))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    master.write_all(format!("{PUBLIC}\n").as_bytes()).unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !String::from_utf8_lossy(&seen).contains("Private key (password): ") {
        assert_eq!(
            stderr.read(&mut byte).unwrap(),
            1,
            "prompt expected: {seen:?}"
        );
        seen.push(byte[0]);
    }
    master.write_all(format!("{PRIVATE}\n").as_bytes()).unwrap();
    let status = child.wait().unwrap();
    let mut rest = String::new();
    stderr.read_to_string(&mut rest).unwrap();
    assert!(status.success(), "{rest}");
    // What the terminal displayed: the public key was echoed, the private key was not.
    let mut echoed = Vec::new();
    let mut buf = [0u8; 4096];
    while let Ok(n) = master.read(&mut buf) {
        if n == 0 {
            break;
        }
        echoed.extend_from_slice(&buf[..n]);
    }
    let echoed = String::from_utf8_lossy(&echoed);
    assert!(echoed.contains(PUBLIC), "{echoed:?}");
    assert!(!echoed.contains(PRIVATE), "{echoed:?}");
    let v: Value =
        serde_json::from_str(&std::fs::read_to_string(auth_json(&api)).unwrap()).unwrap();
    assert_eq!(v["http-basic"]["repo.magento.com"]["password"], PRIVATE);

    // -n on a terminal refuses to ask.
    let (mut m2, mut s2) = (0, 0);
    let rc = unsafe {
        libc::openpty(
            &mut m2,
            &mut s2,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0);
    let (_m2, s2) = unsafe {
        (
            std::fs::File::from_raw_fd(m2),
            std::fs::File::from_raw_fd(s2),
        )
    };
    let out = api
        .magefetch()
        .args(["-n", "auth", "set", "repo.example.com"])
        .stdin(Stdio::from(s2))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--no-interaction"));
}

#[test]
fn set_token_then_release_uses_it_and_list_masks_it() {
    let api = Api::new();
    run_ok(api.magefetch().args([
        "auth",
        "set-token",
        "--api-url",
        &api.api_url(),
        "--mage-id",
        MAGE_ID,
        "--token",
        TOKEN,
    ]));
    run_ok(
        api.magefetch()
            .args(["release", "list", "--api-url", &api.api_url()]),
    );
    let out = run_ok(api.magefetch().args(["auth", "list"]));
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with(&api.origin()))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    assert!(line.contains("http-basic"), "{line}");
    assert!(line.contains("*** (40 chars)"), "{line}");
    assert!(line.contains("auth.json"), "{line}");
    assert!(!out.stdout.contains(TOKEN));
    assert!(!out.stdout.contains(MAGE_ID));
    let json_out = run_ok(api.magefetch().args(["auth", "list", "--format", "json"]));
    let rows: Vec<Value> = serde_json::from_str(&json_out.stdout).unwrap();
    assert_eq!(rows[0]["host"], api.origin());
    assert_eq!(rows[0]["kind"], "http-basic");
}

#[test]
fn check_says_valid_invalid_not_entitled_or_unreachable() {
    let api = Api::new();
    api.server
        .add_file("/packages.json", b"{\"packages\": {}}".to_vec());
    let packages = format!("{}/packages.json", api.server.url());
    let store = |token: &str| {
        run_ok(api.magefetch().args([
            "auth",
            "set",
            &api.origin(),
            "--public-key",
            MAGE_ID,
            "--private-key",
            token,
        ]));
    };
    store(TOKEN);
    let ok = run_ok(api.magefetch().args(["auth", "check", "--url", &packages]));
    assert!(ok.stdout.contains(": valid"), "{}", ok.stdout);

    // The downloads API host is checked with a listing.
    let listing =
        run_ok(
            api.magefetch()
                .args(["auth", "check", &api.origin(), "--api-url", &api.api_url()]),
        );
    assert!(
        listing.stdout.contains("info/versions"),
        "{}",
        listing.stdout
    );

    api.server
        .set_fault("/packages.json", Fault::Forbidden { times: 1 });
    let denied = run(api.magefetch().args(["auth", "check", "--url", &packages]));
    assert_eq!(denied.code, 5, "{}", denied.all_output());
    assert!(denied.stdout.contains("not entitled"), "{}", denied.stdout);

    store("wrong-token");
    let bad = run(api.magefetch().args(["auth", "check", "--url", &packages]));
    assert_eq!(bad.code, 4, "{}", bad.all_output());
    assert!(
        bad.stdout.contains("invalid or disabled (HTTP 401)"),
        "{}",
        bad.stdout
    );
    assert!(bad.stdout.contains("authentication keys are invalid"));

    // Port 1 on loopback: nothing listens there. (A port freed by a probe listener could be
    // taken by another test's server in the meantime.)
    let free_port = 1u16;
    run_ok(api.magefetch().args([
        "auth",
        "set",
        &format!("127.0.0.1:{free_port}"),
        "--public-key",
        "u",
        "--private-key",
        "p",
    ]));
    let down = run(api.magefetch().args([
        "auth",
        "check",
        "--url",
        &format!("http://127.0.0.1:{free_port}/packages.json"),
    ]));
    assert_eq!(down.code, 7, "{}", down.all_output());
    assert!(
        down.stdout.contains("server unreachable"),
        "{}",
        down.stdout
    );

    let missing = run(api.magefetch().args(["auth", "check", "nobody.example"]));
    assert_eq!(missing.code, 4);
    assert!(
        missing.stdout.contains("no credentials"),
        "{}",
        missing.stdout
    );
}

#[test]
fn secrets_never_appear_in_any_output() {
    let api = Api::new();
    api.server.add_file("/packages.json", b"{}".to_vec());
    let secrets = [PUBLIC, PRIVATE, MAGE_ID, TOKEN, "wr0ngT0kenValue1234"];
    let url = api.api_url();
    let packages = format!("{}/packages.json", api.server.url());
    let mut outputs: Vec<Run> = Vec::new();
    let mut go = |cmd: &mut Command| outputs.push(run(cmd));
    let big = api.file("Magento-CE-2.3.7.tar.gz");
    api.server.set_fault(
        &big.path(),
        Fault::DropAfter {
            bytes: 100_000,
            times: 1,
        },
    );
    go(api.magefetch().args([
        "-vv",
        "auth",
        "set",
        "repo.magento.com",
        "--public-key",
        PUBLIC,
        "--private-key",
        PRIVATE,
    ]));
    go(api.magefetch().args([
        "auth",
        "set",
        "repo.magento.com",
        "--public-key",
        &PUBLIC[1..],
        "--private-key",
        PRIVATE,
    ]));
    go(api.magefetch().args([
        "auth",
        "set",
        "repo.magento.com",
        "--public-key",
        PUBLIC,
        "--private-key",
        &PRIVATE[1..],
    ]));
    go(api.magefetch().args([
        "auth",
        "set-token",
        "--api-url",
        &url,
        "--mage-id",
        MAGE_ID,
        "--token",
        TOKEN,
    ]));
    go(api.magefetch().args([
        "auth",
        "set",
        &api.origin(),
        "--public-key",
        MAGE_ID,
        "--private-key",
        TOKEN,
    ]));
    go(api.magefetch().args(["auth", "list"]));
    go(api.magefetch().args(["auth", "list", "--format", "json"]));
    go(api.magefetch().args(["auth", "check", "--url", &packages]));
    go(api
        .magefetch()
        .args(["auth", "check", "--url", &packages, "--format", "json"]));
    go(api
        .magefetch()
        .args(["-v", "release", "list", "--api-url", &url]));
    go(api
        .magefetch()
        .args(["release", "versions", "--api-url", &url]));
    go(api.magefetch().args([
        "-vv",
        "release",
        "download",
        "2.3.7",
        "-o",
        "out",
        "--api-url",
        &url,
    ]));
    go(api.magefetch().args([
        "release",
        "download",
        "2.2.0",
        "--format",
        "json",
        "--api-url",
        &url,
    ]));
    go(api.magefetch().args([
        "release",
        "list",
        "--api-url",
        &url,
        "--mage-id",
        MAGE_ID,
        "--token",
        "wr0ngT0kenValue1234",
    ]));
    go(api
        .magefetch()
        .env("MAGENTO_MAGEID", MAGE_ID)
        .env("MAGENTO_TOKEN", "wr0ngT0kenValue1234")
        .args([
            "release",
            "download",
            "2.4.4",
            "--api-url",
            &url,
            "--format",
            "json",
        ]));
    go(api.magefetch().args([
        "release",
        "list",
        "--api-url",
        &format!(
            "http://{MAGE_ID}:{TOKEN}@127.0.0.1:{}{PREFIX}",
            api.server.port()
        ),
    ]));
    go(api.magefetch().args([
        "auth",
        "check",
        "--url",
        &format!(
            "http://{MAGE_ID}:{TOKEN}@127.0.0.1:{}/packages.json",
            api.server.port()
        ),
    ]));
    go(api.magefetch().args(["auth", "remove", "repo.magento.com"]));
    go(api.magefetch().args(["auth", "remove", &api.origin()]));
    go(api.magefetch().args(["auth", "check", "--url", &packages]));
    assert_eq!(outputs.len(), 20);
    let successes = outputs.iter().filter(|o| o.code == 0).count();
    assert!(successes >= 10, "most commands ran: {successes}");
    for (i, out) in outputs.iter().enumerate() {
        let all = out.all_output();
        assert!(!all.contains("panicked"), "command {i}: {all}");
        for secret in secrets {
            assert!(
                !all.contains(secret),
                "command {i} printed a secret ({secret}):\n{all}"
            );
        }
    }
}
