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
    /// Show what the repositories offer for a package, or list the installed packages
    Show(ShowArgs),
    /// List and download Magento release archives from the downloads API (MAGEID + token)
    #[command(subcommand)]
    Release(ReleaseCommand),
    /// Store, show (masked), remove and check credentials in Composer's auth.json
    #[command(subcommand)]
    Auth(AuthCommand),
    /// Write vendor/autoload.php and the autoloader files under vendor/composer/
    #[command(name = "dump-autoload", visible_alias = "dumpautoload")]
    DumpAutoload(DumpAutoloadArgs),
    /// Resolve composer.json like Composer 2, write composer.lock, then install
    #[command(visible_alias = "upgrade")]
    Update(UpdateArgs),
    /// Add packages to composer.json (guessing the constraint like Composer), then update them
    Require(RequireArgs),
    /// Remove packages from composer.json, then update the lock without them
    Remove(RemoveArgs),
    /// Create a new project from a package (e.g. magento/project-community-edition)
    #[command(name = "create-project")]
    CreateProject(CreateProjectArgs),
    /// Seed, refresh and verify a static Composer repository for air-gapped sites
    #[command(subcommand)]
    Mirror(MirrorCommand),
}

#[derive(Debug, Subcommand)]
pub enum MirrorCommand {
    /// Fetch the package set into DIR (archives kept byte for byte) and publish its metadata;
    /// a second run fetches only what is new
    Sync(MirrorSyncArgs),
    /// Check every stored archive against its recorded SHA-1 and size, and the metadata
    /// against the archives; non-zero exit when anything is missing, extra or corrupt
    Verify(MirrorVerifyArgs),
}

#[derive(Debug, Args)]
pub struct MirrorSyncArgs {
    /// The mirror directory (created when missing)
    pub dir: PathBuf,
    /// Mirror the exact versions of this composer.lock (repeatable)
    #[arg(long = "lock", value_name = "FILE")]
    pub locks: Vec<PathBuf>,
    /// Mirror every version of a package matching a constraint, e.g. 'magento/product-community-edition:2.4.7-p3' (repeatable)
    #[arg(long = "require", value_name = "PKG[:CONSTRAINT]")]
    pub requires: Vec<String>,
    /// Follow the requirements of every mirrored version, transitively (every matching version)
    #[arg(long)]
    pub with_dependencies: bool,
    /// Upstream composer repository (repeatable, in priority order); default: the
    /// repositories of composer.json
    #[arg(long = "repository", value_name = "URL")]
    pub repositories: Vec<String>,
    /// URL the mirror directory is served at (default: file:// and its absolute path; kept
    /// for later runs once given)
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Delete archives that are no longer in the package set
    #[arg(long)]
    pub prune: bool,
    /// Least stable versions mirrored for --require and dependencies (stable, RC, beta, alpha, dev)
    #[arg(long, value_name = "STABILITY", default_value = "stable")]
    pub minimum_stability: String,
    /// Archives downloaded at once (default 24, or COMPOSER_MAX_PARALLEL_HTTP)
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: Option<u16>,
    /// Hash every stored archive, not only those whose size or modification time changed
    #[arg(long)]
    pub check_archives: bool,
}

#[derive(Debug, Args)]
pub struct MirrorVerifyArgs {
    /// The mirror directory
    pub dir: PathBuf,
}

use crate::release::DEFAULT_API_URL;

/// Where the downloads API is and who is asking.
#[derive(Debug, Args, Clone)]
pub struct ApiArgs {
    /// Base URL of the downloads API
    #[arg(long, value_name = "URL", default_value = DEFAULT_API_URL)]
    pub api_url: String,
    /// MAGEID (else MAGENTO_MAGEID, else auth.json http-basic for the API host)
    #[arg(long, value_name = "MAGEID")]
    pub mage_id: Option<String>,
    /// Downloads Access Token (else MAGENTO_TOKEN, else auth.json); prefer those two, a
    /// command-line value is visible to other local users in the process list
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
}

/// File categories of the downloads API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReleaseTypeArg {
    CeFull,
    EeFull,
    CePatch,
    EePatch,
    Other,
}

/// Archive formats of release files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ArchiveArg {
    #[value(name = "tar.gz")]
    TarGz,
    Zip,
    #[value(name = "tar.bz2")]
    TarBz2,
}

#[derive(Debug, Subcommand)]
pub enum ReleaseCommand {
    /// List the files of the downloads API (description, type, version, file, MD5, date)
    List(ReleaseListArgs),
    /// List the versions the downloads API knows, per edition
    Versions(ApiArgs),
    /// Download a release file (by file name, or by version) with resume and MD5 check
    Download(ReleaseDownloadArgs),
}

#[derive(Debug, Args)]
pub struct ReleaseListArgs {
    #[command(flatten)]
    pub api: ApiArgs,
    /// Only this version (`*` wildcards allowed, e.g. `2.4.*`)
    #[arg(long, value_name = "V")]
    pub version: Option<String>,
    /// Only this type of file
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub kind: Option<ReleaseTypeArg>,
}

#[derive(Debug, Args)]
pub struct ReleaseDownloadArgs {
    #[command(flatten)]
    pub api: ApiArgs,
    /// A file name from `release list`, or a version (then --type, --sample-data and
    /// --archive choose the file)
    #[arg(value_name = "FILE-OR-VERSION")]
    pub spec: String,
    /// Type of file when a version is given (default ce-full)
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub kind: Option<ReleaseTypeArg>,
    /// The archive with sample data, when a version is given
    #[arg(long)]
    pub sample_data: bool,
    /// Archive format when a version is published in several (default: tar.gz, then zip, then tar.bz2)
    #[arg(long, value_enum, value_name = "FORMAT")]
    pub archive: Option<ArchiveArg>,
    /// Directory to save the file in (default: the current directory)
    #[arg(short = 'o', long = "output-dir", value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// Unpack the verified archive into DIR (which must not exist or be empty)
    #[arg(long, value_name = "DIR")]
    pub extract: Option<PathBuf>,
    /// Also require this SHA-256 (hex) of the file, e.g. the one printed by an earlier download
    #[arg(long, value_name = "HEX")]
    pub sha256: Option<String>,
    /// Save a file for which no MD5 is published (and no --sha256 given); it is reported as
    /// not verified
    #[arg(long)]
    pub allow_unverified: bool,
}

#[derive(Debug, Subcommand)]
pub enum AuthCommand {
    /// Store http-basic credentials for a host (for repo.magento.com: the Marketplace key pair)
    Set(AuthSetArgs),
    /// Store the MAGEID and Downloads Access Token for the downloads API host
    SetToken(AuthSetTokenArgs),
    /// Remove every credential stored for a host
    Remove(AuthRemoveArgs),
    /// Show the hosts that have credentials, their kind and where they come from (masked)
    List,
    /// Try the credentials against the server: valid, invalid (401), not entitled (403/404), unreachable
    Check(AuthCheckArgs),
}

#[derive(Debug, Args)]
pub struct AuthSetArgs {
    /// The host (auth.json key), e.g. repo.magento.com or repo.example.com:8443
    pub host: String,
    /// Public key / user name (asked for, or read from stdin, when missing)
    #[arg(long, value_name = "KEY")]
    pub public_key: Option<String>,
    /// Private key / password (asked for without echo, or read from stdin, when missing)
    #[arg(long, value_name = "KEY")]
    pub private_key: Option<String>,
    /// Write the project auth.json instead of the global one
    #[arg(long)]
    pub project: bool,
    /// Store keys that do not look like Marketplace keys
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct AuthSetTokenArgs {
    /// MAGEID (asked for, or read from stdin, when missing)
    #[arg(long, value_name = "MAGEID")]
    pub mage_id: Option<String>,
    /// Downloads Access Token (asked for without echo, or read from stdin, when missing)
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The downloads API whose host the credentials are stored for
    #[arg(long, value_name = "URL", default_value = DEFAULT_API_URL)]
    pub api_url: String,
    /// Write the project auth.json instead of the global one
    #[arg(long)]
    pub project: bool,
}

#[derive(Debug, Args)]
pub struct AuthRemoveArgs {
    pub host: String,
    /// Edit the project auth.json instead of the global one
    #[arg(long)]
    pub project: bool,
}

#[derive(Debug, Args)]
pub struct AuthCheckArgs {
    /// Only this host (default: every host with credentials)
    pub host: Option<String>,
    /// Try this URL instead of the default for the host (repo.magento.com: /packages.json;
    /// the downloads API host: info/versions; others: https://HOST/packages.json)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// The downloads API (its host is checked with a listing)
    #[arg(long, value_name = "URL", default_value = DEFAULT_API_URL)]
    pub api_url: String,
}

/// How the autoloader is generated (shared by install and dump-autoload).
#[derive(Debug, Args, Clone, Copy, Default)]
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
    /// Leave every platform requirement out of vendor/composer/platform_check.php (php, ext-*, …)
    #[arg(long)]
    pub ignore_platform_reqs: bool,
    /// Leave one platform requirement out of platform_check.php (repeatable; `*` wildcards)
    #[arg(long, value_name = "NAME")]
    pub ignore_platform_req: Vec<String>,
}

#[derive(Debug, Args, Default)]
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
    /// Fetch every archive from this mirror (a directory or URL made by `mirror sync`)
    /// instead of the lock's URLs, checked against the lock's shasum (else MAGEFETCH_MIRROR,
    /// else composer.json config `magefetch-mirror`)
    #[arg(long, value_name = "URL-OR-DIR")]
    pub mirror: Option<String>,
    /// Leave every platform requirement out of vendor/composer/platform_check.php (php, ext-*, …)
    #[arg(long)]
    pub ignore_platform_reqs: bool,
    /// Leave one platform requirement out of platform_check.php (repeatable; `*` wildcards)
    #[arg(long, value_name = "NAME")]
    pub ignore_platform_req: Vec<String>,
    #[command(flatten)]
    pub autoloader: AutoloaderArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Package to look up in the repositories; without it, the installed packages are listed
    pub package: Option<String>,
    /// Every version, whatever minimum-stability says (dev branches included)
    #[arg(long)]
    pub all: bool,
    /// Answer from the metadata cache only, as with COMPOSER_DISABLE_NETWORK=1
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct CreateProjectArgs {
    /// The package to create the project from, optionally with a version: vendor/name:^2.4
    #[arg(value_name = "PACKAGE")]
    pub package: String,
    /// Directory of the new project (default: the package name without its vendor)
    #[arg(value_name = "DIRECTORY")]
    pub directory: Option<PathBuf>,
    /// Version constraint (instead of PACKAGE:VERSION)
    #[arg(value_name = "VERSION")]
    pub version: Option<String>,
    /// Repository to find the package in (a URL or a JSON repository definition); repeatable.
    /// Without it, packagist.org is used
    #[arg(
        long = "repository-url",
        visible_alias = "repository",
        value_name = "URL"
    )]
    pub repository: Vec<String>,
    /// Minimum stability of the package version (default: that of VERSION, else stable)
    #[arg(short = 's', long, value_name = "STABILITY")]
    pub stability: Option<String>,
    /// Only unpack the package: no dependency resolution or install
    #[arg(long)]
    pub no_install: bool,
    /// Do not install require-dev packages
    #[arg(long)]
    pub no_dev: bool,
    /// Allow plain http repositories for this command
    #[arg(long)]
    pub no_secure_http: bool,
    /// Ignore all platform requirements (php, ext-*, lib-*, composer-*-api)
    #[arg(long)]
    pub ignore_platform_reqs: bool,
    /// Ignore one platform requirement (repeatable; `*` wildcards allowed)
    #[arg(long, value_name = "NAME")]
    pub ignore_platform_req: Vec<String>,
    /// Do not write the autoloader
    #[arg(long)]
    pub no_autoloader: bool,
}

#[derive(Debug, Args, Clone, Default)]
pub struct UpdateArgs {
    /// Packages to update (`*` wildcards allowed); the others keep their locked versions
    pub packages: Vec<String>,
    /// Also update the dependencies of the listed packages, except root requirements
    #[arg(short = 'w', long)]
    pub with_dependencies: bool,
    /// Also update the dependencies of the listed packages, root requirements included
    #[arg(short = 'W', long)]
    pub with_all_dependencies: bool,
    /// Write composer.lock only; do not touch vendor/
    #[arg(long)]
    pub no_install: bool,
    /// Install without the packages of `packages-dev` (the lock still has them)
    #[arg(long, env = "COMPOSER_NO_DEV", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_dev: bool,
    /// Prefer the lowest versions (for testing the bottom of your constraints)
    #[arg(long)]
    pub prefer_lowest: bool,
    /// Prefer stable versions over higher unstable ones
    #[arg(long)]
    pub prefer_stable: bool,
    /// Show what would change; write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Ignore every platform requirement (php, ext-*, lib-*)
    #[arg(long)]
    pub ignore_platform_reqs: bool,
    /// Ignore one platform requirement (`*` wildcards allowed); repeatable
    #[arg(long, value_name = "NAME")]
    pub ignore_platform_req: Vec<String>,
    /// Do not write the autoloader when installing
    #[arg(long)]
    pub no_autoloader: bool,
    #[command(flatten)]
    pub autoloader: AutoloaderArgs,
}

#[derive(Debug, Args)]
pub struct RequireArgs {
    /// Packages to require: vendor/name, vendor/name:constraint or vendor/name constraint
    #[arg(value_name = "PACKAGE", required = true)]
    pub packages: Vec<String>,
    /// Add them to require-dev
    #[arg(long)]
    pub dev: bool,
    /// Only edit composer.json (the constraint of a package given without one is the one
    /// recommended for its best version)
    #[arg(long)]
    pub no_update: bool,
    /// Write composer.lock but do not touch vendor/
    #[arg(long)]
    pub no_install: bool,
    /// Install without the packages of `packages-dev`
    #[arg(long)]
    pub update_no_dev: bool,
    /// Also update the dependencies of the new packages, except root requirements
    #[arg(short = 'w', long, visible_alias = "with-dependencies")]
    pub update_with_dependencies: bool,
    /// Also update the dependencies of the new packages, root requirements included
    #[arg(short = 'W', long, visible_alias = "with-all-dependencies")]
    pub update_with_all_dependencies: bool,
    /// Keep require sections sorted (also `config.sort-packages`)
    #[arg(long)]
    pub sort_packages: bool,
    /// Prefer stable versions over higher unstable ones
    #[arg(long)]
    pub prefer_stable: bool,
    /// Prefer the lowest versions
    #[arg(long)]
    pub prefer_lowest: bool,
    /// Ignore every platform requirement (php, ext-*, lib-*)
    #[arg(long)]
    pub ignore_platform_reqs: bool,
    /// Ignore one platform requirement (repeatable; `*` wildcards allowed)
    #[arg(long, value_name = "NAME")]
    pub ignore_platform_req: Vec<String>,
    /// Do not write the autoloader when installing
    #[arg(long)]
    pub no_autoloader: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Packages to remove (`*` wildcards allowed)
    #[arg(value_name = "PACKAGE", required = true)]
    pub packages: Vec<String>,
    /// Remove them from require-dev
    #[arg(long)]
    pub dev: bool,
    /// Only edit composer.json
    #[arg(long)]
    pub no_update: bool,
    /// Write composer.lock but do not touch vendor/
    #[arg(long)]
    pub no_install: bool,
    /// Install without the packages of `packages-dev`
    #[arg(long)]
    pub update_no_dev: bool,
    /// Keep the dependencies of the removed packages at their locked versions
    #[arg(long)]
    pub no_update_with_dependencies: bool,
    /// Also update root requirements that the removed packages depended on
    #[arg(short = 'W', long, visible_alias = "with-all-dependencies")]
    pub update_with_all_dependencies: bool,
    /// Ignore every platform requirement (php, ext-*, lib-*)
    #[arg(long)]
    pub ignore_platform_reqs: bool,
    /// Ignore one platform requirement (repeatable; `*` wildcards allowed)
    #[arg(long, value_name = "NAME")]
    pub ignore_platform_req: Vec<String>,
    /// Do not write the autoloader when installing
    #[arg(long)]
    pub no_autoloader: bool,
}
