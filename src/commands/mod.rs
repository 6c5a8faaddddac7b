//! Commands: read settings, call the library, print results. Errors come back as
//! [`CommandError`], which carries the exit code and the hints to print.

pub mod auth;
mod context;
pub mod install;
pub mod project;
pub mod release;
pub mod reporters;
pub mod show;

use std::fmt::Write as _;

use crate::cli::{Cli, Command};

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
