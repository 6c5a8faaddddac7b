//! magefetch: fast, resumable, verified, Composer-compatible installs of Magento 2 and of any
//! Composer project.
//!
//! The crate is layered; a module only uses modules listed below it:
//!
//! - [`commands`]: one module per command; the only place (with `main.rs`) that prints.
//! - [`release`]: the Magento downloads API (MAGEID + token): listings, verified downloads,
//!   unpacking into a project directory.
//! - [`install`]: lock vs installed plan, the download → verify → extract pipeline, paths by
//!   package type, bin proxies, `installed.json` / `installed.php`.
//! - [`repository`]: Composer repositories in every `packages.json` form, the metadata cache,
//!   and repository sets with Composer's priority rules.
//! - [`magento`]: Magento's `extra.map` file deploy (magento2-base into the project root).
//! - [`autoload`]: the native autoloader generator (vendor/autoload.php, vendor/composer/*).
//! - [`http`]: one client builder, the retry policy and the resumable, hashed fetch.
//! - [`composer`]: the data model (composer.json, composer.lock, installed files, content-hash).
//! - [`auth`], [`cache`], [`config`]: credentials (and in-place auth.json edits), the
//!   Composer-compatible cache, settings.
//! - [`semver`]: Composer versions and constraints.
//! - [`archive`]: zip and tar extraction with path safety and the single-top-directory rule.
//! - [`progress`], [`redact`], [`fsutil`]: reporting events, URLs safe to show, file helpers.

pub mod archive;
pub mod auth;
pub mod autoload;
pub mod cache;
pub mod cli;
pub mod commands;
pub mod composer;
pub mod config;
pub mod fsutil;
pub mod http;
pub mod install;
pub mod magento;
pub mod md5;
pub mod mirror;
pub mod progress;
pub mod redact;
pub mod release;
pub mod repository;
pub mod resolver;
pub mod semver;
