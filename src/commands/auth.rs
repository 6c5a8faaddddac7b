//! `magefetch auth set | set-token | remove | list | check`: credentials in Composer's
//! auth.json. Secrets are read from options, standard input, or a prompt without echo, and are
//! never printed: `list` masks them and errors only describe what is wrong with a value.

use std::io::{BufRead, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use serde_json::json;

use super::context::Context;
use super::install::fs_hint;
use super::{CommandError, ExitCode};
use crate::auth::file::{AuthFile, AuthFileError};
use crate::auth::keys::{
    check_marketplace_key, check_secret, check_user, looks_like_mage_id, KeyError, MARKETPLACE_HOST,
};
use crate::auth::{origin_of, Credential};
use crate::cli::{
    AuthCheckArgs, AuthCommand, AuthRemoveArgs, AuthSetArgs, AuthSetTokenArgs, Format, GlobalArgs,
};
use crate::http::FetchError;
use crate::redact::SafeUrl;
use crate::release::api::endpoint_of;

pub async fn run(global: &GlobalArgs, command: &AuthCommand) -> Result<(), CommandError> {
    match command {
        AuthCommand::Set(args) => set(global, args),
        AuthCommand::SetToken(args) => set_token(global, args),
        AuthCommand::Remove(args) => remove(global, args),
        AuthCommand::List => list(global),
        AuthCommand::Check(args) => check(global, args).await,
    }
}

fn set(global: &GlobalArgs, args: &AuthSetArgs) -> Result<(), CommandError> {
    let ctx = Context::open(global)?;
    let host = normalize_host(&args.host)?;
    let mut input = Input::new(global.no_interaction);
    let public = input.value(args.public_key.as_deref(), "Public key (user name)", true)?;
    let private = input.value(args.private_key.as_deref(), "Private key (password)", false)?;
    let key_error = |e: KeyError| CommandError::new(e, ExitCode::Input);
    check_user("public key", &public).map_err(key_error)?;
    check_secret("private key", &private).map_err(key_error)?;
    if host == MARKETPLACE_HOST && !args.force {
        for (which, key) in [("public key", &public), ("private key", &private)] {
            check_marketplace_key(which, key).map_err(|e| {
                key_error(e).hint("copy the keys from Commerce Marketplace → My Profile → Access Keys (pass --force to store them anyway)")
            })?;
        }
    }
    let path = auth_path(&ctx, args.project);
    store(
        &path,
        &host,
        json!({"username": public, "password": private}),
    )?;
    println!(
        "Stored http-basic credentials for `{host}` in {}",
        path.display()
    );
    Ok(())
}

fn set_token(global: &GlobalArgs, args: &AuthSetTokenArgs) -> Result<(), CommandError> {
    let ctx = Context::open(global)?;
    let host = origin_of(&args.api_url).ok_or_else(|| {
        CommandError::new(
            anyhow::anyhow!("`{}` is not a URL", SafeUrl::new(args.api_url.clone())),
            ExitCode::Input,
        )
    })?;
    let mut input = Input::new(global.no_interaction);
    let mage_id = input.value(args.mage_id.as_deref(), "MAGEID", true)?;
    let token = input.value(args.token.as_deref(), "Downloads Access Token", false)?;
    let key_error = |e: KeyError| CommandError::new(e, ExitCode::Input);
    check_user("MAGEID", &mage_id).map_err(key_error)?;
    check_secret("token", &token).map_err(key_error)?;
    if !looks_like_mage_id(&mage_id) {
        eprintln!(
            "warning: the MAGEID does not look like `MAG` followed by digits; storing it anyway"
        );
    }
    let path = auth_path(&ctx, args.project);
    store(
        &path,
        &host,
        json!({"username": mage_id, "password": token}),
    )?;
    println!(
        "Stored the MAGEID and token for `{host}` (http-basic) in {}",
        path.display()
    );
    Ok(())
}

fn remove(global: &GlobalArgs, args: &AuthRemoveArgs) -> Result<(), CommandError> {
    let ctx = Context::open(global)?;
    let host = normalize_host(&args.host)?;
    let path = auth_path(&ctx, args.project);
    let mut file = AuthFile::load(&path).map_err(file_error)?;
    let removed = file.remove(&host).map_err(file_error)?;
    if removed.is_empty() {
        println!("No credentials for `{host}` in {}", path.display());
        return Ok(());
    }
    file.save().map_err(file_error)?;
    println!(
        "Removed {} for `{host}` from {}",
        removed.join(", "),
        path.display()
    );
    Ok(())
}

fn list(global: &GlobalArgs) -> Result<(), CommandError> {
    let ctx = Context::open(global)?;
    let store = ctx.auth_store()?;
    let entries = store.entries();
    if global.format == Format::Json {
        let rows: Vec<_> = entries
            .iter()
            .map(|(host, cred, source)| {
                json!({"host": host, "kind": cred.kind(), "masked": mask(cred), "source": source.to_string()})
            })
            .collect();
        println!("{}", json!(rows));
        return Ok(());
    }
    if entries.is_empty() {
        println!(
            "No credentials found (looked in: {})",
            store.searched.join(", ")
        );
        return Ok(());
    }
    for (host, cred, source) in entries {
        println!("{host}  {}  {}  (from {source})", cred.kind(), mask(&cred));
    }
    Ok(())
}

/// A credential with its secrets replaced by their length; a user name keeps its first
/// characters when it is long enough to stay unguessable.
fn mask(cred: &Credential) -> String {
    match cred {
        Credential::Basic { username, password } => format!(
            "user {}, password {}",
            mask_user(username),
            hidden(password)
        ),
        Credential::Bearer { token } => format!("token {}", hidden(token)),
    }
}

fn mask_user(user: &str) -> String {
    let n = user.chars().count();
    if n >= 12 {
        let head: String = user.chars().take(3).collect();
        format!("{head}… ({n} chars)")
    } else {
        hidden(user)
    }
}

fn hidden(secret: &str) -> String {
    format!("*** ({} chars)", secret.chars().count())
}

/// Result of trying one host's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Valid,
    Unreachable,
    NotEntitled,
    Invalid,
    NoCredentials,
}

impl Verdict {
    fn code(self) -> ExitCode {
        match self {
            Verdict::Valid => ExitCode::Success,
            Verdict::Unreachable => ExitCode::Network,
            Verdict::NotEntitled => ExitCode::NotAvailable,
            Verdict::Invalid | Verdict::NoCredentials => ExitCode::Auth,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Verdict::Valid => "valid",
            Verdict::Unreachable => "unreachable",
            Verdict::NotEntitled => "not-entitled",
            Verdict::Invalid => "invalid",
            Verdict::NoCredentials => "no-credentials",
        }
    }
}

async fn check(global: &GlobalArgs, args: &AuthCheckArgs) -> Result<(), CommandError> {
    let ctx = Context::open(global)?;
    let store = Arc::new(ctx.auth_store()?);
    let client = ctx.http_client(store.clone())?;
    let api_host = origin_of(&args.api_url);
    let targets: Vec<(String, SafeUrl)> = match (&args.url, &args.host) {
        (Some(url), _) => {
            let origin = origin_of(url).ok_or_else(|| {
                CommandError::new(
                    anyhow::anyhow!("`{}` is not a URL", SafeUrl::new(url.clone())),
                    ExitCode::Input,
                )
            })?;
            vec![(origin, SafeUrl::new(url.clone()))]
        }
        (None, Some(host)) => {
            let host = normalize_host(host)?;
            let url = default_check_url(&host, api_host.as_deref(), &args.api_url);
            vec![(host, url)]
        }
        (None, None) => store
            .entries()
            .into_iter()
            .map(|(host, _, _)| {
                let url = default_check_url(&host, api_host.as_deref(), &args.api_url);
                (host, url)
            })
            .collect(),
    };
    if targets.is_empty() {
        return Err(CommandError::new(
            anyhow::anyhow!("no credentials are stored"),
            ExitCode::Auth,
        )
        .hint(format!(
            "add some with `magefetch auth set HOST` or `magefetch auth set-token`. magefetch looked in: {}",
            store.searched.join(", ")
        )));
    }
    let mut worst = Verdict::Valid;
    for (host, url) in targets {
        let source = store.for_origin(&host).map(|(_, s)| s.to_string());
        let (verdict, detail) = match &source {
            None => (
                Verdict::NoCredentials,
                "no credentials are stored for this host".to_string(),
            ),
            Some(_) => probe(&client, &url).await?,
        };
        worst = worst.max(verdict);
        if global.format == Format::Json {
            println!(
                "{}",
                json!({"host": host, "result": verdict.word(), "url": url.to_string(),
                    "detail": detail, "source": source})
            );
        } else {
            let from = source
                .map(|s| format!("; credentials from {s}"))
                .unwrap_or_default();
            println!("{host}: {detail} ({url}{from})");
        }
    }
    if worst == Verdict::Valid {
        return Ok(());
    }
    Err(CommandError::new(
        anyhow::anyhow!("credentials check failed: {}", worst.word()),
        worst.code(),
    ))
}

async fn probe(
    client: &crate::http::HttpClient,
    url: &SafeUrl,
) -> Result<(Verdict, String), CommandError> {
    match client.get_bytes(url, 256 * 1024 * 1024).await {
        Ok(_) => Ok((Verdict::Valid, "valid".to_string())),
        Err(e @ FetchError::Unauthorized { .. }) => {
            let server = match &e {
                FetchError::Unauthorized {
                    server_message: Some(m),
                    ..
                } => format!(": the server says \"{m}\""),
                _ => String::new(),
            };
            Ok((
                Verdict::Invalid,
                format!("invalid or disabled (HTTP 401){server}"),
            ))
        }
        Err(FetchError::Forbidden { .. }) => Ok((
            Verdict::NotEntitled,
            "not entitled (HTTP 403): the credentials work but may not access this".to_string(),
        )),
        Err(FetchError::NotFound { .. }) => Ok((
            Verdict::NotEntitled,
            "not entitled or not there (HTTP 404)".to_string(),
        )),
        Err(e @ (FetchError::Insecure { .. } | FetchError::BadUrl { .. })) => {
            Err(CommandError::new(e, ExitCode::Input))
        }
        Err(e) => Ok((
            Verdict::Unreachable,
            format!("server unreachable: {}", super::chain_text(&e)),
        )),
    }
}

/// What `auth check HOST` requests: repo.magento.com's root, a listing of the downloads API,
/// or the root of a Composer repository on HOST.
fn default_check_url(host: &str, api_host: Option<&str>, api_url: &str) -> SafeUrl {
    if host == MARKETPLACE_HOST {
        return SafeUrl::new("https://repo.magento.com/packages.json");
    }
    if Some(host) == api_host {
        if let Ok(url) = endpoint_of(api_url, "info/versions") {
            return url;
        }
    }
    SafeUrl::new(format!("https://{host}/packages.json"))
}

/// A host as auth.json keys it; a URL is reduced to its origin.
fn normalize_host(raw: &str) -> Result<String, CommandError> {
    let trimmed = raw.trim();
    let host = if trimmed.contains("://") {
        origin_of(trimmed)
    } else {
        Some(trimmed.to_string())
    };
    match host {
        Some(h) if !h.is_empty() && !h.contains(['/', ' ', '@']) => Ok(h),
        _ => Err(CommandError::new(
            anyhow::anyhow!("`{}` is not a host name", SafeUrl::new(trimmed)),
            ExitCode::Input,
        )
        .hint(
            "give the host as auth.json keys it, e.g. repo.magento.com or repo.example.com:8443",
        )),
    }
}

fn auth_path(ctx: &Context, project: bool) -> std::path::PathBuf {
    if project {
        ctx.project_auth_path()
    } else {
        ctx.global_auth_path()
    }
}

fn store(path: &Path, host: &str, value: serde_json::Value) -> Result<(), CommandError> {
    let mut file = AuthFile::load(path).map_err(file_error)?;
    file.set("http-basic", host, &value).map_err(file_error)?;
    file.save().map_err(file_error)
}

fn file_error(e: AuthFileError) -> CommandError {
    match &e {
        AuthFileError::Write { path, source } => {
            let hint = fs_hint(path, source);
            CommandError::new(e, ExitCode::LocalFs).hint(hint)
        }
        _ => CommandError::new(e, ExitCode::Input)
            .hint("fix the file by hand: it must be a JSON object like Composer's auth.json"),
    }
}

/// Values not given as options: a prompt on a terminal (without echo for secrets), else one
/// line of standard input per value, in order.
struct Input {
    no_interaction: bool,
}

impl Input {
    fn new(no_interaction: bool) -> Input {
        Input { no_interaction }
    }

    fn value(
        &mut self,
        given: Option<&str>,
        what: &str,
        echo: bool,
    ) -> Result<String, CommandError> {
        if let Some(v) = given {
            return Ok(v.trim().to_string());
        }
        let stdin = std::io::stdin();
        let line = if stdin.is_terminal() {
            if self.no_interaction {
                return Err(CommandError::new(
                    anyhow::anyhow!("the {what} is missing and --no-interaction forbids asking"),
                    ExitCode::Input,
                ));
            }
            let prompt = format!("{what}: ");
            let read = if echo {
                eprint!("{prompt}");
                let _ = std::io::stderr().flush();
                read_line()
            } else {
                read_line_without_echo(&prompt)
            };
            read.map_err(|e| CommandError::new(e, ExitCode::Input))?
        } else {
            read_line().map_err(|e| CommandError::new(e, ExitCode::Input))?
        };
        let value = line.trim().to_string();
        if value.is_empty() {
            return Err(CommandError::new(
                anyhow::anyhow!("no {what} was given (expected it as an option, on standard input, or at the prompt)"),
                ExitCode::Input,
            ));
        }
        Ok(value)
    }
}

fn read_line() -> std::io::Result<String> {
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(line)
}

/// Shows `prompt` and reads a line from the terminal with echo off (termios; turned off before
/// the prompt appears), restoring the terminal after.
fn read_line_without_echo(prompt: &str) -> std::io::Result<String> {
    use std::os::fd::AsRawFd;
    let fd = std::io::stdin().as_raw_fd();
    // SAFETY: termios is a plain C struct; tcgetattr fills it for a valid descriptor and we
    // check its result before using it.
    let mut term: libc::termios = unsafe { std::mem::zeroed() };
    if unsafe { libc::tcgetattr(fd, &mut term) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let original = term;
    term.c_lflag &= !libc::ECHO;
    term.c_lflag |= libc::ECHONL;
    // SAFETY: `term` is a valid termios obtained from tcgetattr on the same descriptor.
    if unsafe { libc::tcsetattr(fd, libc::TCSANOW, &term) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let line = read_line();
    // SAFETY: restores the settings read above.
    unsafe { libc::tcsetattr(fd, libc::TCSANOW, &original) };
    line
}
