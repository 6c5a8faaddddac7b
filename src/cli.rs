//! Command-line types (clap only; no behaviour here).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "magefetch",
    version,
    about = "Fast, resumable, verified, Composer-compatible installs of Magento 2 and any Composer project",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes, before or after its name.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// Use this directory as the project directory (where composer.json lives)
    #[arg(short = 'd', long = "working-dir", global = true, value_name = "DIR")]
    pub working_dir: Option<PathBuf>,
    /// Do not show progress bars or periodic progress lines
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Print nothing but errors
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More detail (each retry, each package); repeat for more
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// Never ask anything (magefetch does not prompt during installs; accepted for Composer compatibility)
    #[arg(short = 'n', long = "no-interaction", global = true)]
    pub no_interaction: bool,
    /// Output format for progress and results
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install the packages of composer.lock into vendor/
    Install(InstallArgs),
    /// Write vendor/autoload.php and the autoloader files under vendor/composer/
    #[command(name = "dump-autoload", visible_alias = "dumpautoload")]
    DumpAutoload(DumpAutoloadArgs),
}

/// How the autoloader is generated (shared by install and dump-autoload).
#[derive(Debug, Args, Clone, Copy)]
pub struct AutoloaderArgs {
    /// Scan PSR-4/PSR-0 directories into the class map (faster loading in production)
    #[arg(short = 'o', long = "optimize", visible_alias = "optimize-autoloader")]
    pub optimize: bool,
    /// Load classes from the class map only (implies --optimize)
    #[arg(short = 'a', long = "classmap-authoritative")]
    pub classmap_authoritative: bool,
}

#[derive(Debug, Args)]
pub struct DumpAutoloadArgs {
    #[command(flatten)]
    pub autoloader: AutoloaderArgs,
    /// Leave out the autoload rules of dev packages and the root's autoload-dev
    #[arg(long, conflicts_with = "dev")]
    pub no_dev: bool,
    /// Include dev autoload rules even if installed.json says the install was --no-dev
    #[arg(long)]
    pub dev: bool,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Skip the packages of `packages-dev`
    #[arg(long, env = "COMPOSER_NO_DEV", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_dev: bool,
    /// Packages downloaded at once (default 24, or COMPOSER_MAX_PARALLEL_HTTP)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: Option<u16>,
    /// Do not write the autoloader (vendor/autoload.php, vendor/composer/autoload_*)
    #[arg(long)]
    pub no_autoloader: bool,
    #[command(flatten)]
    pub autoloader: AutoloaderArgs,
}
