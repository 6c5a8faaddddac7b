//! Composer repositories in every `packages.json` form, read through `magefetch show` (and the
//! library for concurrency) against the test server: versions, conditional requests and the
//! metadata cache, offline use, priorities, and clear errors for broken repositories.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{json, Value};
use support::project::{run, run_ok, Project, World, PRIVATE_KEY, PUBLIC_KEY};
use support::repos::{
    self, find_path, layout, packages_with_branches, serve, url_path, Form, ALL_FORMS,
};
use support::{build_repo, Fault, LoggedRequest, Server, LAST_MODIFIED};

/// A test server serving one fixture repository in `form` under `prefix`.
struct Repo {
    server: Server,
    files: Vec<(String, Vec<u8>)>,
    tmp: tempfile::TempDir,
}

impl Repo {
    fn new(form: Form, prefix: &str) -> Repo {
        Self::with(Server::builder(), form, prefix)
    }

    fn with(builder: support::ServerBuilder, form: Form, prefix: &str) -> Repo {
        let server = builder.start();
        let built = build_repo(&server.url());
        let files = layout(form, prefix, &packages_with_branches(&built));
        serve(&server, &files);
        Repo {
            server,
            files,
            tmp: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn url(&self, prefix: &str) -> String {
        format!("{}{prefix}", self.server.url())
    }

    /// A project whose composer.json lists `repositories` (packagist.org disabled).
    fn project(&self, name: &str, repositories: Value, extra: Value) -> Project {
        project_in(
            self.tmp.path(),
            name,
            repositories,
            extra,
            &self.server.url(),
        )
    }

    fn requests(&self) -> Vec<LoggedRequest> {
        self.server.requests()
    }
}

fn project_in(
    base: &Path,
    name: &str,
    repositories: Value,
    extra: Value,
    server_url: &str,
) -> Project {
    let dir = base.join(name);
    let home = base.join(format!("{name}-home"));
    std::fs::create_dir_all(&dir).expect("project dir");
    std::fs::create_dir_all(&home).expect("home dir");
    let mut repos = repositories.as_array().cloned().unwrap_or_default();
    repos.push(json!({"packagist.org": false}));
    let mut manifest = json!({
        "name": "acme/project",
        "repositories": repos,
        "require": {},
        "config": {"secure-http": false}
    });
    if let Value::Object(extra) = extra {
        for (k, v) in extra {
            manifest[k] = v;
        }
    }
    std::fs::write(
        dir.join("composer.json"),
        serde_json::to_vec_pretty(&manifest).unwrap(),
    )
    .expect("composer.json");
    Project {
        dir,
        cache: home.join("cache"),
        home,
        server_url: server_url.to_string(),
    }
}

fn composer_repo(url: &str) -> Value {
    json!([{"type": "composer", "url": url}])
}

fn show_json(project: &Project, args: &[&str]) -> Value {
    let out = run_ok(
        project
            .magefetch()
            .arg("show")
            .args(args)
            .args(["--format", "json"]),
    );
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", out.stdout))
}

fn versions(shown: &Value) -> Vec<&str> {
    shown["versions"]
        .as_array()
        .expect("versions")
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect()
}

fn auth_json(project: &Project, server: &Server) {
    let origin = format!("127.0.0.1:{}", server.port());
    std::fs::write(
        project.dir.join("auth.json"),
        json!({"http-basic": {origin: {"username": PUBLIC_KEY, "password": PRIVATE_KEY}}})
            .to_string(),
    )
    .unwrap();
}

fn repo_cache_dir(project: &Project, server: &Server) -> PathBuf {
    project
        .cache
        .join("repo")
        .join(format!("http---127.0.0.1-{}", server.port()))
}

#[test]
fn show_reads_every_form() {
    for form in ALL_FORMS {
        let repo = Repo::new(form, "");
        let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
        let shown = show_json(&project, &["acme/module-catalog"]);
        assert_eq!(shown["name"], "acme/module-catalog", "{form:?}");
        assert_eq!(shown["version"], "104.0.7", "{form:?}");
        assert_eq!(shown["type"], "magento2-module", "{form:?}");
        assert_eq!(shown["description"], "Acme Catalog module", "{form:?}");
        assert_eq!(shown["requires"]["acme/framework"], "103.0.*", "{form:?}");
        assert_eq!(
            versions(&shown),
            ["104.0.7"],
            "{form:?}: stable only by default"
        );
        let all = show_json(&project, &["acme/module-catalog", "--all"]);
        assert_eq!(versions(&all), ["104.0.7", "dev-main"], "{form:?}");
        let logger = show_json(&project, &["logkit/logger"]);
        assert_eq!(
            versions(&logger),
            ["2.3.1", "2.2.0"],
            "{form:?}: newest first"
        );
        assert_eq!(logger["license"], json!(["MIT"]));

        let missing = run(project.magefetch().args(["show", "acme/not-there"]));
        assert_eq!(missing.code, 5, "{form:?}: {}", missing.stderr);
        assert!(
            missing.stderr.contains("was not found in any repository"),
            "{form:?}"
        );

        let text = run_ok(project.magefetch().args(["show", "acme/module-catalog"]));
        for line in [
            "name     : acme/module-catalog",
            "versions : 104.0.7",
            "type     : magento2-module",
            "license  : OSL-3.0, AFL-3.0",
            "requires\n",
            "acme/module-core 103.0.*",
        ] {
            assert!(
                text.stdout.contains(line),
                "{form:?}: {line:?} in\n{}",
                text.stdout
            );
        }
    }
}

#[test]
fn v2_reads_minified_files_and_the_dev_file_only_when_dev_is_wanted() {
    let repo = Repo::new(Form::V2, "");
    let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
    show_json(&project, &["logkit/logger"]);
    let paths: Vec<String> = repo.requests().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/packages.json", "/p2/logkit/logger.json"]);

    repo.server.clear_log();
    let all = show_json(&project, &["logkit/logger", "--all"]);
    assert_eq!(versions(&all), ["2.3.1", "2.2.0", "dev-main"]);
    let dev_requests = repo
        .requests()
        .iter()
        .filter(|r| r.path == "/p2/logkit/logger~dev.json")
        .count();
    assert_eq!(dev_requests, 1);

    // minimum-stability dev, or a @dev flag on the package, wants the dev file too.
    for (name, extra) in [
        ("min-dev", json!({"minimum-stability": "dev"})),
        (
            "flag-dev",
            json!({"require": {"logkit/logger": "dev-main@dev"}}),
        ),
    ] {
        let project = repo.project(name, composer_repo(&repo.server.url()), extra);
        repo.server.clear_log();
        let shown = show_json(&project, &["logkit/logger"]);
        assert_eq!(versions(&shown), ["2.3.1", "2.2.0", "dev-main"], "{name}");
        assert!(
            repo.requests()
                .iter()
                .any(|r| r.path.ends_with("logger~dev.json")),
            "{name}"
        );
    }
    // Names outside available-packages are never requested.
    repo.server.clear_log();
    let out = run(project.magefetch().args(["show", "acme/not-there"]));
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("`acme/not-there` was not found in any repository"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains(&repo.server.url()), "{}", out.stderr);
    assert!(repo.requests().iter().all(|r| !r.path.starts_with("/p2/")));
}

#[test]
fn urls_resolve_against_the_base_and_the_host() {
    // The repository lives under /mirror: includes are relative to it, and the absolute
    // templates (`/mirror/p2/…`) are resolved against the host only.
    for form in [Form::Includes, Form::Providers, Form::V2] {
        let repo = Repo::new(form, "/mirror");
        for url in [repo.url("/mirror"), repo.url("/mirror/packages.json")] {
            let project = repo.project("p", composer_repo(&url), json!({}));
            let shown = show_json(&project, &["logkit/logger"]);
            assert_eq!(shown["version"], "2.3.1", "{form:?} {url}");
        }
        assert!(
            repo.requests()
                .iter()
                .all(|r| r.status == 200 || r.status == 304),
            "{form:?}: {:?}",
            repo.requests()
        );
    }
}

#[test]
fn magento_shaped_repository_with_auth_gzip_and_provider_hashes() {
    let repo = Repo::with(
        Server::builder()
            .basic_auth(PUBLIC_KEY, PRIVATE_KEY)
            .gzip_json_always(true),
        Form::Magento,
        "",
    );
    // A repo.magento.com-style URL with a trailing slash.
    let project = repo.project(
        "shop",
        composer_repo(&format!("{}/", repo.server.url())),
        json!({}),
    );
    auth_json(&project, &repo.server);
    let shown = show_json(&project, &["acme/module-catalog"]);
    assert_eq!(shown["version"], "104.0.7");
    let requests = repo.requests();
    assert!(requests.iter().all(|r| r.authorized), "{requests:?}");
    let listing = find_path(&repo.files, "/p/provider-ce$");
    let package = find_path(&repo.files, "/p/acme/module-catalog$");
    let paths: Vec<&str> = requests.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/packages.json",
            url_path(&listing).as_str(),
            url_path(&package).as_str()
        ]
    );
    assert!(paths[1].contains("%24") && paths[2].contains("%24"));

    // Composer's cache layout.
    let cache = repo_cache_dir(&project, &repo.server);
    for file in [
        "packages.json",
        "p-provider-ce.json",
        "provider-acme$module-catalog.json",
    ] {
        assert!(cache.join(file).is_file(), "{}", cache.join(file).display());
    }
    let root: Value =
        serde_json::from_slice(&std::fs::read(cache.join("packages.json")).unwrap()).unwrap();
    assert_eq!(root["last-modified"], LAST_MODIFIED);

    // Warm: the root is revalidated (304), hash-addressed files come from the cache.
    repo.server.clear_log();
    let again = show_json(&project, &["acme/module-catalog"]);
    assert_eq!(again, shown);
    let requests = repo.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].path, "/packages.json");
    assert_eq!(
        requests[0].if_modified_since.as_deref(),
        Some(LAST_MODIFIED)
    );
    assert_eq!(requests[0].status, 304);
}

#[test]
fn a_second_show_makes_only_conditional_requests() {
    for form in [Form::V2, Form::Inline, Form::Includes, Form::Lazy] {
        let repo = Repo::new(form, "");
        let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
        let first = show_json(&project, &["logkit/logger", "--all"]);
        repo.server.clear_log();
        let second = show_json(&project, &["logkit/logger", "--all"]);
        assert_eq!(first, second);
        let requests = repo.requests();
        assert!(!requests.is_empty());
        for r in &requests {
            assert_eq!(r.status, 304, "{form:?}: {r:?}");
            assert_eq!(
                r.if_modified_since.as_deref(),
                Some(LAST_MODIFIED),
                "{form:?}: {r:?}"
            );
        }
        let expected = match form {
            Form::V2 => 3,
            Form::Lazy => 2,
            _ => 1,
        };
        assert_eq!(requests.len(), expected, "{form:?}: {requests:?}");
    }
    let repo = Repo::new(Form::V2, "");
    let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
    show_json(&project, &["acme/module-catalog", "--all"]);
    let cache = repo_cache_dir(&project, &repo.server);
    for file in [
        "packages.json",
        "provider-acme~module-catalog.json",
        "provider-acme~module-catalog~dev.json",
    ] {
        let cached: Value =
            serde_json::from_slice(&std::fs::read(cache.join(file)).unwrap()).unwrap();
        assert_eq!(cached["last-modified"], LAST_MODIFIED, "{file}");
    }
}

#[test]
fn offline_answers_from_the_cache_and_fails_clearly_without_it() {
    let repo = Repo::new(Form::V2, "");
    let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
    let online = show_json(&project, &["logkit/logger"]);
    repo.server.clear_log();
    let offline: Value = {
        let out = run_ok(
            project
                .magefetch()
                .env("COMPOSER_DISABLE_NETWORK", "1")
                .args(["show", "logkit/logger", "--format", "json"]),
        );
        serde_json::from_str(&out.stdout).unwrap()
    };
    assert_eq!(offline, online);
    let flag = show_json(&project, &["logkit/logger", "--offline"]);
    assert_eq!(flag, online);
    assert!(repo.requests().is_empty(), "{:?}", repo.requests());

    let out = run(project
        .magefetch()
        .args(["show", "acme/module-cms", "--offline"]));
    assert_eq!(out.code, 7, "{}", out.stderr);
    assert!(
        out.stderr.contains("not in the metadata cache"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains(&format!("{}/p2/acme/module-cms.json", repo.server.url())),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("hint: run the same command once with network access"),
        "{}",
        out.stderr
    );
    assert!(repo.requests().is_empty());
}

#[test]
fn a_failing_server_falls_back_to_the_cache_with_a_warning() {
    let repo = Repo::new(Form::Inline, "");
    let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
    let online = show_json(&project, &["logkit/logger"]);
    repo.server.set_fault(
        "/packages.json",
        Fault::Status {
            code: 503,
            times: 100,
        },
    );
    let out = run_ok(
        project
            .magefetch()
            .args(["show", "logkit/logger", "--format", "json"]),
    );
    assert_eq!(serde_json::from_str::<Value>(&out.stdout).unwrap(), online);
    assert!(
        out.stderr.contains("loaded from the local cache"),
        "{}",
        out.stderr
    );
}

#[test]
fn provider_file_with_a_wrong_sha256_is_refused_after_three_attempts() {
    let repo = Repo::new(Form::Providers, "");
    let package = find_path(&repo.files, "/p/acme/module-catalog$");
    repo.server
        .add_file(&url_path(&package), b"{\"packages\": {}}".to_vec());
    let url = format!("http://user:s3cret@127.0.0.1:{}", repo.server.port());
    let project = repo.project("p", composer_repo(&url), json!({}));
    let out = run(project.magefetch().args(["show", "acme/module-catalog"]));
    assert_eq!(out.code, 6, "{}", out.stderr);
    assert!(
        out.stderr.contains("do not match its signature"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains(&format!(
            "repository `http://user:***@127.0.0.1:{}`",
            repo.server.port()
        )),
        "{}",
        out.stderr
    );
    assert!(!out.all_output().contains("s3cret"));
    let attempts = repo
        .requests()
        .iter()
        .filter(|r| r.path == url_path(&package))
        .count();
    assert_eq!(attempts, 3);
    // The credentials of the URL were sent (and the server accepted the request).
    assert!(repo
        .requests()
        .iter()
        .all(|r| r.authorization_header.is_some()));
}

#[test]
fn malformed_json_names_the_file_line_and_column() {
    let repo = Repo::new(Form::Inline, "");
    repo.server.add_file(
        "/packages.json",
        b"{\n  \"packages\": {\n    \"a/b\": [,]\n  }\n}\n".to_vec(),
    );
    let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
    let out = run(project.magefetch().args(["show", "a/b"]));
    assert_eq!(out.code, 6, "{}", out.stderr);
    let expected = format!(
        "error: repository `{0}`: `{0}/packages.json` is not valid JSON: expected value at line 3, column 13",
        repo.server.url()
    );
    assert!(out.stderr.contains(&expected), "{}", out.stderr);
}

#[test]
fn a_listed_provider_file_that_is_missing_is_an_error() {
    let repo = Repo::new(Form::Providers, "");
    let package = find_path(&repo.files, "/p/acme/module-catalog$");
    repo.server.remove_file(&url_path(&package));
    let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
    let out = run(project.magefetch().args(["show", "acme/module-catalog"]));
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "repository `{}` lists `acme/module-catalog`, but its metadata file",
            repo.server.url()
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("was not found (HTTP 404)"),
        "{}",
        out.stderr
    );
}

#[test]
fn unauthorized_shows_the_server_warning_and_where_credentials_were_looked_for() {
    let repo = Repo::with(
        Server::builder().basic_auth(PUBLIC_KEY, PRIVATE_KEY),
        Form::Magento,
        "",
    );
    let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
    let out = run(project.magefetch().args(["show", "acme/module-catalog"]));
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        out.stderr.contains(&format!(
            "could not load the metadata of repository `{}`",
            repo.server.url()
        )),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("requires authentication (HTTP 401)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("Your Magento authentication keys are invalid"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hint: no credentials were found"),
        "{}",
        out.stderr
    );

    // Wrong keys: rejected, and they are never printed.
    let origin = format!("127.0.0.1:{}", repo.server.port());
    std::fs::write(
        project.dir.join("auth.json"),
        json!({"http-basic": {origin: {"username": "wrongpublickey", "password": "wrongprivatekey"}}}).to_string(),
    )
    .unwrap();
    let out = run(project.magefetch().args(["show", "acme/module-catalog"]));
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(out.stderr.contains("were rejected"), "{}", out.stderr);
    assert!(!out.all_output().contains("wrongprivatekey"));
}

#[test]
fn the_first_repository_that_has_a_package_wins() {
    let server = Server::builder().start();
    let built = build_repo(&server.url());
    let mut packages = built.packages.clone();
    serve(&server, &layout(Form::V2, "/a", &packages));
    let mut newer = built
        .package("acme/module-catalog", "104.0.7")
        .unwrap()
        .clone();
    newer["version"] = json!("104.0.8");
    newer["description"] = json!("from b");
    packages.push(newer);
    serve(&server, &layout(Form::Inline, "/b", &packages));
    let tmp = tempfile::tempdir().unwrap();
    let a = format!("{}/a", server.url());
    let b = format!("{}/b", server.url());
    let repos = |a_extra: Value| {
        let mut first = json!({"type": "composer", "url": a});
        for (k, v) in a_extra.as_object().unwrap() {
            first[k] = v.clone();
        }
        json!([first, {"type": "composer", "url": b}])
    };

    let canonical = project_in(
        tmp.path(),
        "canonical",
        repos(json!({})),
        json!({}),
        &server.url(),
    );
    let shown = show_json(&canonical, &["acme/module-catalog"]);
    assert_eq!(versions(&shown), ["104.0.7"]);
    assert_eq!(shown["repository"], a);
    // A package only the second repository has still comes from it.
    let logger = show_json(&canonical, &["logkit/logger"]);
    assert_eq!(logger["repository"], a);

    let merged = project_in(
        tmp.path(),
        "merged",
        repos(json!({"canonical": false})),
        json!({}),
        &server.url(),
    );
    let shown = show_json(&merged, &["acme/module-catalog"]);
    assert_eq!(versions(&shown), ["104.0.8", "104.0.7"]);
    assert_eq!(shown["description"], "from b");
    assert_eq!(shown["repository"], b);

    let excluded = project_in(
        tmp.path(),
        "excluded",
        repos(json!({"exclude": ["acme/module-*"]})),
        json!({}),
        &server.url(),
    );
    server.clear_log();
    let shown = show_json(&excluded, &["acme/module-catalog"]);
    assert_eq!(versions(&shown), ["104.0.8", "104.0.7"]);
    assert_eq!(shown["repository"], b);
    assert!(server
        .requests()
        .iter()
        .all(|r| r.path != "/p2/acme/module-catalog.json"));

    let only = project_in(
        tmp.path(),
        "only",
        repos(json!({"only": ["logkit/*"]})),
        json!({}),
        &server.url(),
    );
    assert_eq!(show_json(&only, &["acme/module-catalog"])["repository"], b);
    assert_eq!(show_json(&only, &["logkit/logger"])["repository"], a);
}

#[test]
fn file_urls_and_plain_directories_are_repositories() {
    let built = build_repo("https://dist.example");
    let packages = packages_with_branches(&built);
    let tmp = tempfile::tempdir().unwrap();
    for form in [
        Form::Inline,
        Form::Includes,
        Form::Providers,
        Form::Legacy,
        Form::V2,
    ] {
        // URL templates starting with `/` keep only `file://` of the repository URL, so the
        // repository's own path is part of them, as a mirror on disk would write them.
        let dir = tmp.path().join(format!("{form:?}"));
        repos::write_dir(
            Path::new("/"),
            &layout(form, &dir.display().to_string(), &packages),
        );
        for url in [
            dir.display().to_string(),
            format!("file://{}", dir.display()),
        ] {
            let project = project_in(tmp.path(), "p", composer_repo(&url), json!({}), "");
            let shown = show_json(&project, &["logkit/logger"]);
            assert_eq!(versions(&shown), ["2.3.1", "2.2.0"], "{form:?} {url}");
            assert!(shown["repository"]
                .as_str()
                .unwrap()
                .starts_with("file:///"));
        }
    }
}

#[test]
fn unsupported_repository_types_are_skipped_with_a_note() {
    let repo = Repo::new(Form::Inline, "");
    let repositories = json!([
        {"type": "vcs", "url": "https://git.example/acme/x.git"},
        {"type": "composer", "url": repo.server.url()}
    ]);
    let project = repo.project("p", repositories, json!({}));
    let out = run_ok(project.magefetch().args(["show", "logkit/logger"]));
    assert!(
        out.stderr.contains("warning: repository #0 (https://git.example/acme/x.git): unsupported repository type `vcs`"),
        "{}",
        out.stderr
    );
    let bad = repo.project("bad", json!([{"type": "composer"}]), json!({}));
    let out = run(bad.magefetch().args(["show", "logkit/logger"]));
    assert_eq!(out.code, 3, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("repository #0 is invalid: a `composer` repository needs a `url`"),
        "{}",
        out.stderr
    );
}

#[test]
fn stability_filters_what_is_shown_unless_all() {
    let repo = Repo::new(Form::Inline, "");
    let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
    let branch_only = {
        let built = build_repo(&repo.server.url());
        let mut only_dev = packages_with_branches(&built);
        only_dev.retain(|p| p["name"] != "logkit/logger" || p["version"] == "dev-main");
        layout(Form::Inline, "", &only_dev)
    };
    serve(&repo.server, &branch_only);
    let out = run(project.magefetch().args(["show", "logkit/logger"]));
    assert_eq!(out.code, 5, "{}", out.stderr);
    assert!(
        out.stderr.contains("none of them `stable` or more stable"),
        "{}",
        out.stderr
    );
    assert!(out.stderr.contains("hint: use `--all`"), "{}", out.stderr);
    let all = show_json(&project, &["logkit/logger", "--all"]);
    assert_eq!(versions(&all), ["dev-main"]);
}

#[test]
fn show_without_a_package_lists_what_is_installed() {
    let world = World::new();
    let project = world.project("p");
    run_ok(project.magefetch().arg("install"));
    let out = run_ok(project.magefetch().arg("show"));
    let line = out
        .stdout
        .lines()
        .find(|l| l.starts_with("acme/module-catalog "))
        .unwrap_or_else(|| panic!("{}", out.stdout));
    let fields: Vec<&str> = line.split_whitespace().collect();
    assert_eq!(fields[..2], ["acme/module-catalog", "104.0.7"]);
    assert!(line.ends_with("Acme Catalog module"), "{line}");
    assert_eq!(out.stdout.lines().count(), world.repo.latest().len());
    // Sorted by name, as Composer lists them.
    let names: Vec<String> = out
        .stdout
        .lines()
        .map(|l| l.split(' ').next().unwrap().to_lowercase())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);

    // Global options after the command, JSON output.
    let elsewhere = run_ok(
        support::project::Project {
            dir: world.tmp.path().to_path_buf(),
            ..project.clone()
        }
        .magefetch()
        .args(["show", "-d"])
        .arg(&project.dir)
        .args(["--format", "json"]),
    );
    let json: Value = serde_json::from_str(&elsewhere.stdout).unwrap();
    let installed = json["installed"].as_array().unwrap();
    assert_eq!(installed.len(), world.repo.latest().len());
    let catalog = installed
        .iter()
        .find(|p| p["name"] == "acme/module-catalog")
        .unwrap();
    assert_eq!(
        catalog,
        &json!({"name": "acme/module-catalog", "version": "104.0.7", "description": "Acme Catalog module"})
    );

    // The installed version is marked, and chosen for the details.
    let shown = run_ok(project.magefetch().args(["show", "logkit/logger"]));
    assert!(
        shown.stdout.contains("versions : * 2.3.1, 2.2.0"),
        "{}",
        shown.stdout
    );
}

#[test]
fn many_packages_are_fetched_concurrently_within_the_limit() {
    let repo = Repo::new(Form::V2, "");
    let names: Vec<String> = repo
        .files
        .iter()
        .filter_map(|(p, _)| p.strip_prefix("/p2/")?.strip_suffix(".json"))
        .filter(|n| !n.ends_with("~dev"))
        .map(str::to_string)
        .collect();
    assert!(names.len() > 20);
    for name in &names {
        repo.server.set_fault(
            &format!("/p2/{name}.json"),
            Fault::Trickle {
                chunk: 256,
                delay_ms: 40,
            },
        );
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let found = runtime.block_on(async {
        let auth = std::sync::Arc::new(magefetch::auth::AuthStore::default());
        let http = magefetch::http::HttpSettings {
            secure_http: false,
            ..Default::default()
        };
        let client = magefetch::http::HttpClient::new(http, auth).unwrap();
        let defs = magefetch::repository::RepositoryDefinitions::from_manifest(
            &json!({"repositories": [{"type": "composer", "url": repo.server.url()}, {"packagist.org": false}]}),
            Path::new("composer.json"),
        )
        .unwrap();
        let ctx = magefetch::repository::RepoContext {
            client,
            cache_repo_dir: Some(repo.tmp.path().join("cache")),
            cache_read_only: false,
            offline: false,
        };
        let set = magefetch::repository::RepositorySet::new(&defs, ctx, 4);
        set.find_many(&names, &|_| false).await.unwrap()
    });
    assert_eq!(found.len(), names.len());
    assert!(found.values().all(|offers| !offers.is_empty()));
    let max = repo.server.max_in_flight();
    assert!(
        (2..=4).contains(&max),
        "at most 4 requests at once, and more than one: {max}"
    );
}

#[test]
fn the_metadata_cache_is_shared_with_composer_both_ways() {
    let repo = Repo::new(Form::V2, "");
    // magefetch fills the cache; Composer, offline, answers from it.
    let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
    let Some(mut composer) = project.composer() else {
        return;
    };
    show_json(&project, &["acme/module-catalog", "--all"]);
    repo.server.clear_log();
    let out = run_ok(composer.env("COMPOSER_DISABLE_NETWORK", "1").args([
        "show",
        "--all",
        "acme/module-catalog",
    ]));
    assert!(
        out.stdout.contains("versions : 104.0.7, dev-main"),
        "{}",
        out.all_output()
    );
    assert!(repo.requests().is_empty(), "{:?}", repo.requests());

    // Composer fills the cache; magefetch, offline, answers from it.
    let other = repo.project("q", composer_repo(&repo.server.url()), json!({}));
    let mut composer = other.composer().expect("composer");
    run_ok(composer.args(["show", "--all", "logkit/logger"]));
    repo.server.clear_log();
    let shown = show_json(&other, &["logkit/logger", "--offline"]);
    assert_eq!(versions(&shown), ["2.3.1", "2.2.0"]);
    assert!(repo.requests().is_empty(), "{:?}", repo.requests());
}

#[test]
fn gzip_bodies_are_decoded_even_without_a_content_encoding() {
    let repo = Repo::new(Form::Providers, "");
    let package = find_path(&repo.files, "/p/logkit/logger$");
    let plain = repo
        .files
        .iter()
        .find(|(p, _)| *p == package)
        .unwrap()
        .1
        .clone();
    // The sha256 in the listing is of the JSON; the bytes on the wire are a gzip stream.
    repo.server
        .add_file(&url_path(&package), support::fixtures::gzip_bytes(&plain));
    let project = repo.project("p", composer_repo(&repo.server.url()), json!({}));
    let shown = show_json(&project, &["logkit/logger"]);
    assert_eq!(versions(&shown), ["2.3.1", "2.2.0"]);
    let served = repo
        .requests()
        .into_iter()
        .find(|r| r.path == url_path(&package))
        .unwrap();
    assert_eq!(served.status, 200);
}
