//! Progress events. The library reports through [`Reporter`]; the binary decides how to show
//! them (bars on a terminal, plain lines in a build log, JSON lines, or nothing).

use crate::redact::SafeUrl;

/// Where a package's archive came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Cache,
    Network,
}

/// Receives install events. Implementations must be cheap: they are called from the transfer
/// loop. Ids are indexes into the plan's package list.
pub trait Reporter: Send + Sync {
    /// The plan: how many packages will be installed, updated and removed.
    fn on_plan(&self, _installs: usize, _updates: usize, _removals: usize) {}
    /// A transfer starts (or resumes at `resumed_from` bytes); `total` when the server said.
    fn on_download_start(&self, _id: usize, _name: &str, _total: Option<u64>, _resumed_from: u64) {}
    /// `bytes` more bytes of package `id` arrived.
    fn on_download_progress(&self, _id: usize, _bytes: u64) {}
    /// The archive of package `id` is verified and ready.
    fn on_download_done(&self, _id: usize, _name: &str, _origin: Origin, _size: u64) {}
    /// A transfer failed and will be tried again.
    fn on_retry(&self, _id: usize, _name: &str, _url: &SafeUrl, _attempt: u32, _reason: &str) {}
    /// Package `id` is in place.
    fn on_installed(&self, _id: usize, _name: &str, _version: &str) {}
    /// A package was removed from vendor/.
    fn on_removed(&self, _name: &str) {}
    /// A warning the user should see.
    fn on_warning(&self, _message: &str) {}
}

/// A reporter that ignores everything.
pub struct Silent;

impl Reporter for Silent {}
