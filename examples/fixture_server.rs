//! Serves the bundled fixture repository on 127.0.0.1 behind HTTP basic auth (made-up keys)
//! and writes a project that uses it, for the demo (`scripts/demo`).
//!
//! Usage: `fixture_server PROJECT_DIR` — prints the server URL and the URL of a
//! repo.magento.com-shaped repository (with `acme/project-community-edition`), then serves
//! until killed.

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::Write;

fn main() {
    let Some(dir) = std::env::args_os().nth(1) else {
        eprintln!("usage: fixture_server PROJECT_DIR");
        std::process::exit(2);
    };
    let server = support::Server::builder()
        .basic_auth(support::project::PUBLIC_KEY, support::project::PRIVATE_KEY)
        .start();
    let repo = support::build_repo(&server.url());
    repo.add_to(&server);
    let packages: Vec<serde_json::Value> = repo.latest().into_iter().cloned().collect();
    support::project::write_project(std::path::Path::new(&dir), &server, &packages, &[]);
    // The same packages as a repo.magento.com-shaped repository with a project package, for
    // `create-project`.
    let magento_shaped = support::repos::serve_magento_shaped(&server, &repo);
    println!("{} {magento_shaped}", server.url());
    let _ = std::io::stdout().flush();
    loop {
        std::thread::sleep(std::time::Duration::from_secs(3600));
    }
}
