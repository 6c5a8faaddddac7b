//! Serves an emulation of the Magento downloads API on 127.0.0.1 (made-up MAGEID and token,
//! the listings of tests/support/downloads.rs) plus one large release archive, for the
//! benchmark (`scripts/bench-release`).
//!
//! Usage: `downloads_server SIZE_MB [TRICKLE_MS]` — prints the API base URL, then serves until
//! killed. `Magento-CE-9.9.9.tar.gz` is SIZE_MB of incompressible bytes wrapped in a tar.gz;
//! with TRICKLE_MS every 64 KiB frame of it is delayed that long (for kill-and-resume runs).

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;

use support::downloads::{catalogue, serve, table, ReleaseFixture, MAGE_ID, PREFIX, TOKEN};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(size_mb) = args.next().and_then(|a| a.parse::<usize>().ok()) else {
        eprintln!("usage: downloads_server SIZE_MB [TRICKLE_MS]");
        std::process::exit(2);
    };
    let trickle = args.next().and_then(|a| a.parse::<u64>().ok());
    let server = support::Server::builder()
        .basic_auth(MAGE_ID, TOKEN)
        .start();
    let big = support::downloads::noise(size_mb * 1024 * 1024);
    let tar = support::tar_from_entries(&[support::ArchiveEntry::file("var/big.bin", big)]);
    let bytes = support::fixtures::gzip_bytes(&tar);
    let md5 = {
        use md5_crate::Digest;
        hex::encode(md5_crate::Md5::digest(&bytes))
    };
    let release = ReleaseFixture {
        name: "Magento-CE-9.9.9.tar.gz".into(),
        version: "9.9.9".into(),
        type_label: "Community Edition - Full",
        type_key: "ce-full",
        listed_md5: Some(md5),
        bytes,
    };
    let mut files = catalogue();
    files.push(release.clone());
    serve(&server, &files);
    server.add_file(
        &format!("{PREFIX}info/filter/version/9.9.9"),
        table(&[&release]).into_bytes(),
    );
    if let Some(ms) = trickle {
        server.set_fault(
            &release.path(),
            support::Fault::Trickle {
                chunk: 64 * 1024,
                delay_ms: ms,
            },
        );
    }
    println!("{}{PREFIX}", server.url());
    let _ = std::io::stdout().flush();
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
