//! `magefetch show`: what the repositories offer for a package, or what is installed.

use std::sync::Arc;

use serde_json::{json, Map, Value};

use super::project::{auth_hint, input_error, ProjectContext};
use super::{CommandError, ExitCode};
use crate::auth::AuthStore;
use crate::cli::{Format, GlobalArgs, ShowArgs};
use crate::composer::installed::InstalledRepo;
use crate::config::Settings;
use crate::http::FetchError;
use crate::redact::SafeUrl;
use crate::repository::{Offer, RepositoryDefinitions, RepositoryError, RepositorySet};
use crate::semver::{compare_for_sort, compare_normalized, root_stability_flag, Stability};

const DEFAULT_CONCURRENCY: usize = 12;

pub async fn run(global: &GlobalArgs, args: &ShowArgs) -> Result<(), CommandError> {
    let project = ProjectContext::open(global)?;
    match &args.package {
        None => list_installed(global, &project.settings),
        Some(name) => show_package(global, args, project, name).await,
    }
}

/// `magefetch show`: name, version and description of every installed package.
fn list_installed(global: &GlobalArgs, settings: &Settings) -> Result<(), CommandError> {
    let path = settings.vendor_dir.join("composer/installed.json");
    let installed = InstalledRepo::read(&path).map_err(input_error)?;
    let mut rows: Vec<(String, String, String)> = installed
        .packages
        .iter()
        .map(|p| {
            let description = p
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            (
                p.pretty_name().to_string(),
                p.pretty_version().to_string(),
                description,
            )
        })
        .collect();
    rows.sort_by_key(|r| r.0.to_lowercase());
    if global.format == Format::Json {
        let list: Vec<Value> = rows
            .iter()
            .map(|(n, v, d)| json!({"name": n, "version": v, "description": d}))
            .collect();
        println!("{}", json!({ "installed": list }));
        return Ok(());
    }
    if rows.is_empty() {
        if !global.quiet {
            eprintln!(
                "warning: no packages installed in `{}`",
                settings.vendor_dir.display()
            );
        }
        return Ok(());
    }
    let name_width = rows.iter().map(|r| r.0.chars().count()).max().unwrap_or(0);
    let version_width = rows.iter().map(|r| r.1.chars().count()).max().unwrap_or(0);
    for (name, version, description) in rows {
        let line = format!("{name:name_width$} {version:version_width$} {description}");
        println!("{}", line.trim_end());
    }
    Ok(())
}

/// `magefetch show <package>`.
async fn show_package(
    global: &GlobalArgs,
    args: &ShowArgs,
    project: ProjectContext,
    name: &str,
) -> Result<(), CommandError> {
    let ProjectContext {
        manifest,
        settings,
        auth,
    } = project;
    let defs = RepositoryDefinitions::from_manifest(&manifest.json, &manifest.path)
        .map_err(|e| CommandError::new(e, ExitCode::Input))?;
    if !global.quiet {
        for note in &defs.skipped {
            eprintln!("warning: {note}");
        }
    }
    let offline = settings.offline || args.offline;
    let auth = Arc::new(auth);
    let ctx = super::project::repo_context(&settings, auth.clone(), offline)?;
    let concurrency = settings.max_parallel_http.unwrap_or(DEFAULT_CONCURRENCY);
    let set = RepositorySet::new(&defs, ctx, concurrency);

    let allowed = allowed_stability(&manifest.json, name);
    let want_dev = args.all || allowed == Stability::Dev;
    let result = set.find(name, want_dev).await;
    if !global.quiet {
        for warning in set.take_warnings() {
            eprintln!("warning: {warning}");
        }
    }
    let offers = result.map_err(|e| repository_error(e, &auth))?;
    let mut shown: Vec<&Offer> = offers
        .iter()
        .filter(|o| args.all || o.version.stability.is_at_least(allowed))
        .collect();
    if shown.is_empty() {
        return Err(not_found(name, &offers, allowed, &set.repositories()));
    }
    shown.sort_by(|a, b| compare_for_sort(&b.version.normalized, &a.version.normalized));

    let installed = InstalledRepo::read(&settings.vendor_dir.join("composer/installed.json"))
        .map_err(input_error)?;
    let installed_version = installed
        .packages
        .iter()
        .find(|p| p.name() == name.to_lowercase())
        .map(|p| p.pretty_version().to_string());
    let chosen = installed_version
        .as_deref()
        .and_then(|v| {
            shown
                .iter()
                .find(|o| o.version.package.pretty_version() == v)
        })
        .or_else(|| {
            shown
                .iter()
                .max_by(|a, b| compare_normalized(&a.version.normalized, &b.version.normalized))
        })
        .copied()
        .ok_or_else(|| not_found(name, &offers, allowed, &set.repositories()))?;

    let versions: Vec<&str> = shown
        .iter()
        .map(|o| o.version.package.pretty_version())
        .collect();
    if global.format == Format::Json {
        println!(
            "{}",
            package_json(chosen, &versions, installed_version.as_deref())
        );
    } else {
        print_package(chosen, &versions, installed_version.as_deref());
    }
    Ok(())
}

/// The least stable stability the project accepts for `name`: its stability flag in
/// `require` / `require-dev`, else `minimum-stability`.
fn allowed_stability(manifest: &Value, name: &str) -> Stability {
    let minimum = manifest
        .get("minimum-stability")
        .and_then(Value::as_str)
        .and_then(|s| s.parse::<Stability>().ok())
        .unwrap_or(Stability::Stable);
    let mut flag = None;
    for section in ["require", "require-dev"] {
        let constraint = manifest
            .get(section)
            .and_then(Value::as_object)
            .and_then(|m| m.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)))
            .and_then(|(_, v)| v.as_str());
        if let Some(c) = constraint {
            flag = root_stability_flag(c, minimum, flag);
        }
    }
    flag.unwrap_or(minimum)
}

fn text<'a>(data: &'a Map<String, Value>, key: &str) -> &'a str {
    data.get(key).and_then(Value::as_str).unwrap_or_default()
}

fn licenses(data: &Map<String, Value>) -> Vec<String> {
    match data.get("license") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn links(data: &Map<String, Value>, key: &str) -> Vec<(String, String)> {
    data.get(key)
        .and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

/// `[type] url reference` of a `source` / `dist` block, URL credentials masked.
fn origin_line(data: &Map<String, Value>, key: &str) -> String {
    let Some(block) = data.get(key).and_then(Value::as_object) else {
        return String::new();
    };
    format!(
        "[{}] {} {}",
        text(block, "type"),
        SafeUrl::new(text(block, "url")),
        text(block, "reference")
    )
    .trim_end()
    .to_string()
}

fn print_package(offer: &Offer, versions: &[&str], installed: Option<&str>) {
    let data = offer.version.package.data();
    let marked: Vec<String> = versions
        .iter()
        .map(|v| {
            if Some(*v) == installed {
                format!("* {v}")
            } else {
                v.to_string()
            }
        })
        .collect();
    let keywords: Vec<&str> = data
        .get("keywords")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let lines = [
        ("name", offer.version.package.pretty_name().to_string()),
        ("descrip.", text(data, "description").to_string()),
        ("keywords", keywords.join(", ")),
        ("versions", marked.join(", ")),
        (
            "version",
            offer.version.package.pretty_version().to_string(),
        ),
        ("type", offer.version.package.package_type()),
        ("license", licenses(data).join(", ")),
        ("homepage", text(data, "homepage").to_string()),
        ("source", origin_line(data, "source")),
        ("dist", origin_line(data, "dist")),
        ("repo", offer.repository.to_string()),
    ];
    for (label, value) in lines {
        println!("{}", format!("{label:8} : {value}").trim_end());
    }
    for (key, title) in [
        ("require", "requires"),
        ("require-dev", "requires (dev)"),
        ("provide", "provides"),
        ("conflict", "conflicts"),
        ("replace", "replaces"),
    ] {
        let list = links(data, key);
        if list.is_empty() {
            continue;
        }
        println!("\n{title}");
        for (target, constraint) in list {
            println!("{target} {constraint}");
        }
    }
}

fn package_json(offer: &Offer, versions: &[&str], installed: Option<&str>) -> Value {
    let data = offer.version.package.data();
    let block = |key: &str| match data.get(key).and_then(Value::as_object) {
        Some(b) => json!({
            "type": text(b, "type"),
            "url": SafeUrl::new(text(b, "url")).to_string(),
            "reference": b.get("reference").cloned().unwrap_or(Value::Null),
        }),
        None => Value::Null,
    };
    let link_map = |key: &str| -> Map<String, Value> {
        links(data, key)
            .into_iter()
            .map(|(k, v)| (k, Value::String(v)))
            .collect()
    };
    json!({
        "name": offer.version.package.pretty_name(),
        "description": text(data, "description"),
        "keywords": data.get("keywords").cloned().unwrap_or_else(|| json!([])),
        "versions": versions,
        "version": offer.version.package.pretty_version(),
        "version_normalized": offer.version.normalized,
        "installed": installed,
        "type": offer.version.package.package_type(),
        "license": licenses(data),
        "homepage": text(data, "homepage"),
        "source": block("source"),
        "dist": block("dist"),
        "repository": offer.repository.to_string(),
        "requires": link_map("require"),
        "devRequires": link_map("require-dev"),
    })
}

fn not_found(name: &str, offers: &[Offer], allowed: Stability, repos: &[SafeUrl]) -> CommandError {
    let searched: Vec<String> = repos.iter().map(|r| format!("`{r}`")).collect();
    if offers.is_empty() {
        return CommandError::new(
            anyhow::anyhow!(
                "package `{name}` was not found in any repository (searched: {})",
                searched.join(", ")
            ),
            ExitCode::NotAvailable,
        )
        .hint("check the name, and that composer.json `repositories` lists the repository that has it (credentials may also limit what a repository shows)");
    }
    CommandError::new(
        anyhow::anyhow!(
            "package `{name}` has {} version(s), none of them `{allowed}` or more stable (minimum-stability)",
            offers.len()
        ),
        ExitCode::NotAvailable,
    )
    .hint("use `--all` to see every version, or allow less stable versions with `minimum-stability` or a stability flag such as `@dev`")
}

pub(crate) fn repository_error(e: RepositoryError, auth: &AuthStore) -> CommandError {
    let (code, hint) = match &e {
        RepositoryError::Fetch { source, .. } => match source {
            FetchError::Unauthorized {
                url,
                had_credentials,
                ..
            } => (
                ExitCode::Auth,
                Some(auth_hint(url.expose(), *had_credentials, auth)),
            ),
            FetchError::Forbidden { .. } | FetchError::NotFound { .. } => (
                ExitCode::NotAvailable,
                Some("check the repository URL in composer.json and that these credentials may read it".to_string()),
            ),
            FetchError::Insecure { .. } => (
                ExitCode::Input,
                Some("plain http URLs are refused as in Composer; set `\"secure-http\": false` in the `config` section of composer.json to allow them".to_string()),
            ),
            FetchError::BadUrl { .. } => (ExitCode::Input, None),
            FetchError::Io { .. } => (ExitCode::LocalFs, None),
            _ => (
                ExitCode::Network,
                Some("the repository could not be reached reliably; try again".to_string()),
            ),
        },
        RepositoryError::Signature { .. } => (
            ExitCode::Integrity,
            Some("run again; if it persists, something between you and the repository alters its files, or the repository is inconsistent".to_string()),
        ),
        RepositoryError::Json { .. } | RepositoryError::Invalid { .. } => (
            ExitCode::Integrity,
            Some("the repository serves a damaged metadata file; tell its maintainers".to_string()),
        ),
        RepositoryError::ProviderMissing { .. } => (
            ExitCode::NotAvailable,
            Some("the repository's listing and files disagree (it may be updating); try again later".to_string()),
        ),
        RepositoryError::Offline { .. } => (
            ExitCode::Network,
            Some("run the same command once with network access to fill the metadata cache".to_string()),
        ),
        RepositoryError::Read { .. } => (ExitCode::LocalFs, None),
        RepositoryError::Config { .. } => (ExitCode::Input, None),
    };
    let error = CommandError::new(e, code);
    match hint {
        Some(h) => error.hint(h),
        None => error,
    }
}
