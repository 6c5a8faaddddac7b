//! The fixture packages laid out as a Composer repository in each `packages.json` form that
//! Composer 2 reads: inline (map and list), legacy, `includes`, v1 providers (with real sha256
//! values; a repo.magento.com-shaped variant), and v2 `metadata-url` with minified files and
//! `~dev` files.
//!
//! Paths are logical (`p/acme/x$<sha256>.json`); [`serve`] registers them under the URL path
//! an http client requests (the first `$` sent as `%24`), [`write_dir`] writes them for
//! `file://` / directory repositories.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{json, Map, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use super::fixtures::BuiltRepo;
use super::server::Server;

/// The layouts a repository can have.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `{"packages": {name: {version: entry}}}`
    Inline,
    /// `{"packages": {name: [entry, …]}}`
    InlineList,
    /// `{name: {"versions": {version: entry}}}`
    Legacy,
    /// Root with `includes` → one file with every package.
    Includes,
    /// v1 `provider-includes` + `providers-url`, sha256-addressed files.
    Providers,
    /// As [`Form::Providers`], with repo.magento.com's names (`p/provider-ce$%hash%.json`).
    Magento,
    /// v2 `metadata-url`, minified files, `~dev` files for branches.
    V2,
    /// Composer 1 `providers-lazy-url`: one v1-format file per package, no hashes.
    Lazy,
}

pub const ALL_FORMS: [Form; 8] = [
    Form::Inline,
    Form::InlineList,
    Form::Legacy,
    Form::Includes,
    Form::Providers,
    Form::Magento,
    Form::V2,
    Form::Lazy,
];

/// The fixture packages plus a `dev-main` branch of `logkit/logger` and
/// `acme/module-catalog`, so that dev files and stability filtering have something to show.
pub fn packages_with_branches(repo: &BuiltRepo) -> Vec<Value> {
    let mut out = repo.packages.clone();
    for name in ["logkit/logger", "acme/module-catalog"] {
        let latest = repo
            .latest()
            .into_iter()
            .find(|p| p["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("fixture {name}"));
        let mut branch = latest;
        branch["version"] = json!("dev-main");
        branch["dist"]["reference"] = json!("0123456789abcdef0123456789abcdef01234567");
        out.push(branch);
    }
    out
}

/// Package entries by lower-cased name, in their order.
fn by_name(packages: &[Value]) -> BTreeMap<String, Vec<Value>> {
    let mut out: BTreeMap<String, Vec<Value>> = BTreeMap::new();
    for p in packages {
        let name = p["name"].as_str().expect("name").to_lowercase();
        out.entry(name).or_default().push(p.clone());
    }
    out
}

fn version_map(entries: &[Value]) -> Value {
    let map: Map<String, Value> = entries
        .iter()
        .map(|e| {
            (
                e["version"].as_str().expect("version").to_string(),
                e.clone(),
            )
        })
        .collect();
    Value::Object(map)
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec_pretty(v).expect("json")
}

fn sha256(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

/// Lays out `packages` in `form`. `prefix` is the URL path the repository lives under (`""`
/// or e.g. `/mirror`); the root file is `<prefix>/packages.json`. URL templates use absolute
/// paths (`/mirror/p2/%package%.json`), as Composer's canonicalisation requires.
pub fn layout(form: Form, prefix: &str, packages: &[Value]) -> Vec<(String, Vec<u8>)> {
    let groups = by_name(packages);
    let at = |p: &str| format!("{prefix}/{p}");
    let mut files = Vec::new();
    let root = match form {
        Form::Inline => {
            let map: Map<String, Value> = groups
                .iter()
                .map(|(n, e)| (n.clone(), version_map(e)))
                .collect();
            json!({ "packages": map })
        }
        Form::InlineList => json!({ "packages": groups }),
        Form::Legacy => {
            let map: Map<String, Value> = groups
                .iter()
                .map(|(n, e)| (n.clone(), json!({ "versions": version_map(e) })))
                .collect();
            Value::Object(map)
        }
        Form::Includes => {
            let map: Map<String, Value> = groups
                .iter()
                .map(|(n, e)| (n.clone(), version_map(e)))
                .collect();
            let include = bytes(&json!({ "packages": map }));
            let sha1 = hex::encode(Sha1::digest(&include));
            let path = format!("include/all${sha1}.json");
            files.push((at(&path), include));
            json!({"packages": [], "includes": {path: {"sha1": sha1}}})
        }
        Form::Providers | Form::Magento => {
            let mut listing = Map::new();
            let mut uid = 1000;
            for (name, entries) in &groups {
                let with_uid: Vec<Value> = entries
                    .iter()
                    .map(|e| {
                        uid += 1;
                        let mut e = e.clone();
                        e["uid"] = json!(uid);
                        e
                    })
                    .collect();
                let file = bytes(&json!({"packages": {name.clone(): version_map(&with_uid)}}));
                let hash = sha256(&file);
                files.push((at(&format!("p/{name}${hash}.json")), file));
                listing.insert(name.clone(), json!({ "sha256": hash }));
            }
            let listing_name = if form == Form::Magento {
                "provider-ce"
            } else {
                "provider-all"
            };
            let listing = bytes(&json!({ "providers": listing }));
            let hash = sha256(&listing);
            files.push((at(&format!("p/{listing_name}${hash}.json")), listing));
            json!({
                "packages": [],
                "providers-url": at("p/%package%$%hash%.json"),
                "provider-includes": {format!("p/{listing_name}$%hash%.json"): {"sha256": hash}}
            })
        }
        Form::Lazy => {
            for (name, entries) in &groups {
                let file = json!({"packages": {name.clone(): version_map(entries)}});
                files.push((at(&format!("lazy/{name}.json")), bytes(&file)));
            }
            json!({"packages": [], "providers-lazy-url": at("lazy/%package%.json")})
        }
        Form::V2 => {
            for (name, entries) in &groups {
                let (dev, mut stable): (Vec<Value>, Vec<Value>) = entries
                    .iter()
                    .cloned()
                    .partition(|e| e["version"].as_str().is_some_and(|v| v.starts_with("dev-")));
                stable.reverse();
                let file = json!({"minified": "composer/2.0", "packages": {name.clone(): minify(&stable)}});
                files.push((at(&format!("p2/{name}.json")), bytes(&file)));
                if !dev.is_empty() {
                    let file = json!({"minified": "composer/2.0", "packages": {name.clone(): minify(&dev)}});
                    files.push((at(&format!("p2/{name}~dev.json")), bytes(&file)));
                }
            }
            json!({
                "packages": [],
                "metadata-url": at("p2/%package%.json"),
                "available-packages": groups.keys().collect::<Vec<_>>()
            })
        }
    };
    files.push((at("packages.json"), bytes(&root)));
    files
}

/// Composer's `MetadataMinifier::minify`.
pub fn minify(versions: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    let mut last: Option<Map<String, Value>> = None;
    for version in versions {
        let current = version.as_object().expect("object").clone();
        let Some(state) = &mut last else {
            out.push(version.clone());
            last = Some(current);
            continue;
        };
        let mut diff = Map::new();
        for (k, v) in &current {
            if state.get(k).is_none_or(|old| old.is_null() || old != v) {
                diff.insert(k.clone(), v.clone());
                state.insert(k.clone(), v.clone());
            }
        }
        let gone: Vec<String> = state
            .keys()
            .filter(|k| current.get(*k).is_none_or(Value::is_null))
            .cloned()
            .collect();
        for k in gone {
            diff.insert(k.clone(), json!("__unset"));
            state.shift_remove(&k);
        }
        out.push(Value::Object(diff));
    }
    out
}

/// The URL path a client requests for a logical path: the first `$` as `%24`.
pub fn url_path(path: &str) -> String {
    path.replacen('$', "%24", 1)
}

/// Serves `files` from `server`.
pub fn serve(server: &Server, files: &[(String, Vec<u8>)]) {
    for (path, body) in files {
        server.add_file(&url_path(path), body.clone());
    }
}

/// Writes `files` under `dir` (for `file://` and directory repositories).
pub fn write_dir(dir: &Path, files: &[(String, Vec<u8>)]) {
    for (path, body) in files {
        let target = dir.join(path.trim_start_matches('/'));
        std::fs::create_dir_all(target.parent().expect("parent")).expect("mkdir");
        std::fs::write(&target, body).expect("write repository file");
    }
}

/// The logical path of the file among `files` whose path starts with `prefix`.
pub fn find_path(files: &[(String, Vec<u8>)], prefix: &str) -> String {
    files
        .iter()
        .map(|(p, _)| p)
        .find(|p| p.starts_with(prefix))
        .unwrap_or_else(|| panic!("no file starting with {prefix}"))
        .clone()
}

/// A `project` package (`acme/project-community-edition` 2.4.7), shaped like Magento's
/// project-community-edition: its composer.json points at the repository `repo_url` and
/// requires the fixture metapackage. Returns the package entry (dist URL under `server_url`)
/// and the zip served at [`PROJECT_ARCHIVE`].
pub fn project_package(server_url: &str, repo_url: &str) -> (Value, Vec<u8>) {
    use super::fixtures::{zip_from_entries, ArchiveEntry};
    let composer_json = json!({
        "name": "acme/project-community-edition",
        "description": "eCommerce platform project",
        "type": "project",
        "license": "OSL-3.0",
        "repositories": [{"type": "composer", "url": repo_url}, {"packagist.org": false}],
        "require": {"acme/product-community-edition": "2.4.7", "helpers/format": "^1.0"},
        "config": {"secure-http": false, "allow-plugins": false, "notify-on-install": false},
        "minimum-stability": "stable",
        "autoload": {"psr-4": {"App\\": "app/code/"}}
    });
    let entries = vec![
        ArchiveEntry::file(
            "composer.json",
            serde_json::to_vec_pretty(&composer_json).expect("json"),
        ),
        ArchiveEntry::dir("app/code/"),
        ArchiveEntry::file("app/code/.gitkeep", b"".to_vec()),
        ArchiveEntry::file("README.md", b"# Project\n".to_vec()),
    ];
    let zip = zip_from_entries(&entries);
    let mut entry = composer_json;
    entry["version"] = json!("2.4.7");
    entry["dist"] = json!({
        "type": "zip",
        "url": format!("{}{PROJECT_ARCHIVE}", server_url.trim_end_matches('/')),
        "shasum": hex::encode(Sha1::digest(&zip)),
    });
    (entry, zip)
}

/// Where [`project_package`]'s archive is served.
pub const PROJECT_ARCHIVE: &str = "/archives/acme/project-community-edition-2.4.7.zip";

/// Serves the fixture packages plus the project package as a repo.magento.com-shaped
/// repository (v1 providers) under `/repo`; returns the repository URL.
pub fn serve_magento_shaped(server: &Server, repo: &BuiltRepo) -> String {
    let url = format!("{}/repo", server.url());
    let (project, zip) = project_package(&server.url(), &url);
    server.add_file(PROJECT_ARCHIVE, zip);
    let mut packages = repo.packages.clone();
    packages.push(project);
    serve(server, &layout(Form::Magento, "/repo", &packages));
    url
}
