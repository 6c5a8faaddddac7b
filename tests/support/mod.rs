#![allow(dead_code, unused_imports)]
//! Test support: a real HTTP/1.1 server (`server`) and a Composer repository built from
//! `fixtures/repo` (`fixtures`). Used from integration tests via `mod support;`.

pub mod downloads;
pub mod fixtures;
pub mod project;
pub mod repos;
pub mod server;

pub use fixtures::{
    build_archive, build_repo, fixtures_dir, tar_from_entries, zip_from_entries, ArchiveEntry,
    ArchiveKind, BuiltRepo, IndexEntry, Layout,
};
pub use server::{
    Fault, LoggedRequest, Server, ServerBuilder, LAST_MODIFIED, MAGENTO_AUTH_WARNING,
};

/// Start `builder`, build the fixture repository for its URL and serve it.
pub fn start_repo_server(builder: ServerBuilder) -> (Server, BuiltRepo) {
    let server = builder.start();
    let repo = build_repo(&server.url());
    repo.add_to(&server);
    (server, repo)
}
