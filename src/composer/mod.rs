//! Composer's data model: composer.json, composer.lock, package entries, the installed files
//! under `vendor/composer/`, and the lock's `content-hash`.

pub mod content_hash;
pub mod installed;
pub mod json;
pub mod lock;
pub mod manipulator;
pub mod package;
pub mod project;
pub mod require_version;

use std::path::{Path, PathBuf};

use thiserror::Error;

/// A JSON file that could not be read or understood. The message names the file and, for
/// syntax errors, the line and column, so the user can open it and fix it.
#[derive(Debug, Error)]
pub enum FileError {
    #[error("could not read `{}`", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("`{}` is not valid JSON: {message} at line {line}, column {column}", path.display())]
    Syntax {
        path: PathBuf,
        message: String,
        line: usize,
        column: usize,
    },
    #[error("`{}` is invalid: {message}", path.display())]
    Invalid { path: PathBuf, message: String },
}

impl FileError {
    pub fn path(&self) -> &Path {
        match self {
            FileError::Read { path, .. }
            | FileError::Syntax { path, .. }
            | FileError::Invalid { path, .. } => path,
        }
    }
}

/// Reads a JSON file into an order-preserving value.
pub fn read_json(path: &Path) -> Result<serde_json::Value, FileError> {
    let text = std::fs::read_to_string(path).map_err(|source| FileError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_json(path, &text)
}

pub fn parse_json(path: &Path, text: &str) -> Result<serde_json::Value, FileError> {
    serde_json::from_str(text).map_err(|e| FileError::Syntax {
        path: path.to_path_buf(),
        message: syntax_message(&e),
        line: e.line(),
        column: e.column(),
    })
}

fn syntax_message(e: &serde_json::Error) -> String {
    // serde_json appends " at line L column C"; the caller prints its own position.
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}
