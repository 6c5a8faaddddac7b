//! Commands: read settings, call the library, print results. Errors come back as
//! [`CommandError`], which carries the exit code and the hints to print.

pub mod auth;
mod context;
pub mod create_project;
pub mod dump_autoload;
pub mod install;
pub mod mirror;
pub mod project;
pub mod release;
pub mod reporters;
pub mod require;
pub mod select;
pub mod show;
pub mod update;

use std::fmt::Write as _;

use std::path::Path;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::composer::project::RootManifest;
use crate::config::{ProcessEnv, Settings};

/// Exit codes (documented in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Success = 0,
    Failure = 1,
    Usage = 2,
    Input = 3,
    Auth = 4,
    NotAvailable = 5,
    Integrity = 6,
    Network = 7,
    LocalFs = 8,
    /// The requirements cannot be satisfied (Composer also exits with 2).
    Unsolvable,
}

impl ExitCode {
    /// The process exit status.
    pub fn status(self) -> u8 {
        match self {
            ExitCode::Success => 0,
            ExitCode::Failure => 1,
            ExitCode::Usage | ExitCode::Unsolvable => 2,
            ExitCode::Input => 3,
            ExitCode::Auth => 4,
            ExitCode::NotAvailable => 5,
            ExitCode::Integrity => 6,
            ExitCode::Network => 7,
            ExitCode::LocalFs => 8,
        }
    }
}

/// A failed command: the error, the hints that say what to do, and the exit code.
#[derive(Debug)]
pub struct CommandError {
    pub error: anyhow::Error,
    pub hints: Vec<String>,
    pub code: ExitCode,
    /// Extra lines (e.g. one per failed package) printed after the error.
    pub details: Vec<String>,
}

impl CommandError {
    pub fn new(error: impl Into<anyhow::Error>, code: ExitCode) -> CommandError {
        CommandError {
            error: error.into(),
            hints: Vec::new(),
            code,
            details: Vec::new(),
        }
    }

    pub fn hint(mut self, hint: impl Into<String>) -> CommandError {
        self.hints.push(hint.into());
        self
    }

    /// The text printed on stderr.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "error: {}", self.error);
        for cause in self.error.chain().skip(1) {
            let _ = writeln!(out, "  caused by: {cause}");
        }
        for line in &self.details {
            let _ = writeln!(out, "{line}");
        }
        for hint in &self.hints {
            let _ = writeln!(out, "hint: {hint}");
        }
        out
    }
}

pub async fn run(cli: Cli) -> Result<(), CommandError> {
    match cli.command {
        Command::Install(args) => install::run(&cli.global, &args).await,
        Command::Show(args) => show::run(&cli.global, &args).await,
        Command::Release(command) => release::run(&cli.global, &command).await,
        Command::Auth(command) => auth::run(&cli.global, &command).await,
        Command::DumpAutoload(args) => dump_autoload::run(&cli.global, &args),
        Command::Update(args) => update::run(&cli.global, &args).await,
        Command::Require(args) => require::run_require(&cli.global, &args).await,
        Command::Remove(args) => require::run_remove(&cli.global, &args).await,
        Command::CreateProject(args) => create_project::run(&cli.global, &args).await,
        Command::Mirror(command) => mirror::run(&cli.global, &command).await,
    }
}

/// Joins an error and its causes on one line.
pub fn chain_text(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Finds and reads the project's composer.json (`--working-dir`, `COMPOSER`) and its settings.
pub fn open_manifest(global: &GlobalArgs) -> Result<(RootManifest, Settings), CommandError> {
    let manifest_path = manifest_path(global)?;
    if !manifest_path.is_file() {
        return Err(CommandError::new(
            anyhow::anyhow!("`{}` was not found", manifest_path.display()),
            ExitCode::Input,
        )
        .hint("run magefetch in the project directory, or pass it with `--working-dir DIR`"));
    }
    let manifest = RootManifest::read(&manifest_path).map_err(input_error)?;
    let settings = Settings::resolve(&ProcessEnv, &manifest).map_err(input_error)?;
    Ok((manifest, settings))
}

/// Where the project's composer.json is (it need not exist): `COMPOSER` (default
/// `composer.json`) in `--working-dir`, else in the current directory, which must exist.
pub fn manifest_path(global: &GlobalArgs) -> Result<std::path::PathBuf, CommandError> {
    let cwd = std::env::current_dir().map_err(|e| CommandError::new(e, ExitCode::LocalFs))?;
    let dir = match &global.working_dir {
        Some(d) => crate::fsutil::absolutize(&cwd, d),
        None => cwd,
    };
    if !dir.is_dir() {
        return Err(CommandError::new(
            anyhow::anyhow!("the working directory `{}` does not exist", dir.display()),
            ExitCode::Input,
        ));
    }
    let manifest_name = std::env::var("COMPOSER")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "composer.json".to_string());
    Ok(crate::fsutil::absolutize(&dir, Path::new(&manifest_name)))
}

/// A local JSON file that could not be used, with a hint that says where to look.
pub fn input_error(e: crate::composer::FileError) -> CommandError {
    let hint = match &e {
        crate::composer::FileError::Syntax { path, .. } => {
            format!(
                "fix the JSON syntax of `{}` at the position shown",
                path.display()
            )
        }
        crate::composer::FileError::Read { path, .. } => {
            format!("check that `{}` exists and is readable", path.display())
        }
        crate::composer::FileError::Invalid { path, .. } => {
            format!(
                "`{}` does not have the structure Composer writes",
                path.display()
            )
        }
    };
    CommandError::new(e, ExitCode::Input).hint(hint)
}
