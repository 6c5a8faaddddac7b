//! One `php` process answering many requests: the oracles of the differential tests
//! (`tests/php/*_oracle.php`) read one JSON request per line and write one JSON answer per
//! line, so tens of thousands of cases cost one PHP start-up.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

/// Runs `tests/php/<script>` over `requests`; `None` when php or the Composer classes at
/// `autoload` are missing and that is allowed (MAGEFETCH_REQUIRE_COMPOSER unset).
pub fn oracle(script: &str, autoload: &str, requests: Vec<String>) -> Option<Vec<Value>> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/php")
        .join(script);
    let available = Path::new(autoload).is_file()
        && Command::new("php")
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("MAGEFETCH_REQUIRE_COMPOSER").is_none(),
            "php and Composer's classes ({autoload}) are required (MAGEFETCH_REQUIRE_COMPOSER is set)"
        );
        eprintln!("php or {autoload} missing: skipping the differential test");
        return None;
    }
    let mut child = Command::new("php")
        .arg(&script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start php");
    let mut stdin = child.stdin.take().expect("php stdin");
    let writer = std::thread::spawn(move || {
        for line in requests {
            stdin.write_all(line.as_bytes()).expect("write to php");
            stdin.write_all(b"\n").expect("write to php");
        }
    });
    let answers: Vec<Value> = BufReader::new(child.stdout.take().expect("php stdout"))
        .lines()
        .map(|l| serde_json::from_str(&l.expect("read from php")).expect("php answered JSON"))
        .collect();
    writer.join().expect("writer thread");
    assert!(child.wait().expect("php exit").success(), "php failed");
    Some(answers)
}
