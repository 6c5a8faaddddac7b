//! How progress is shown: a live bar on a terminal, plain periodic lines in a build log, JSON
//! lines for machines, or nothing. Always on stderr.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::json;

use crate::cli::{Format, GlobalArgs};
use crate::progress::{Origin, Reporter};
use crate::redact::SafeUrl;

/// Picks the reporter for the global flags and the terminal.
pub fn for_args(args: &GlobalArgs) -> Box<dyn Reporter> {
    if args.format == Format::Json {
        return Box::new(JsonLines);
    }
    if args.quiet {
        return Box::new(QuietWarnings);
    }
    let progress = !args.no_progress;
    if progress && std::io::stderr().is_terminal() {
        Box::new(Bar::new(args.verbose))
    } else {
        Box::new(Lines::new(args.verbose, progress))
    }
}

/// `-q`: nothing at all (errors are printed by main).
struct QuietWarnings;

impl Reporter for QuietWarnings {}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Counters shared by the text reporters.
#[derive(Default)]
struct Counters {
    planned: AtomicUsize,
    done: AtomicUsize,
    bytes: AtomicU64,
    active: AtomicUsize,
}

/// A live bar for terminals.
struct Bar {
    bar: ProgressBar,
    counters: Counters,
    verbose: u8,
}

impl Bar {
    fn new(verbose: u8) -> Bar {
        let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr_with_hz(10));
        let style = ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30.cyan/blue} {pos}/{len} packages  {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.enable_steady_tick(Duration::from_millis(120));
        Bar {
            bar,
            counters: Counters::default(),
            verbose,
        }
    }

    fn refresh(&self) {
        self.bar.set_message(format!(
            "{} downloaded, {} active",
            mib(self.counters.bytes.load(Ordering::Relaxed)),
            self.counters.active.load(Ordering::Relaxed)
        ));
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

impl Reporter for Bar {
    fn on_plan(&self, installs: usize, updates: usize, _removals: usize) {
        self.counters
            .planned
            .store(installs + updates, Ordering::Relaxed);
        self.bar.set_length((installs + updates) as u64);
    }
    fn on_download_start(&self, _id: usize, _name: &str, _total: Option<u64>, _resumed: u64) {
        self.counters.active.fetch_add(1, Ordering::Relaxed);
        self.refresh();
    }
    fn on_download_progress(&self, _id: usize, bytes: u64) {
        self.counters.bytes.fetch_add(bytes, Ordering::Relaxed);
    }
    fn on_download_done(&self, _id: usize, _name: &str, origin: Origin, _size: u64) {
        if origin == Origin::Network {
            let _ = self
                .counters
                .active
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        }
        self.refresh();
    }
    fn on_retry(&self, _id: usize, name: &str, url: &SafeUrl, attempt: u32, reason: &str) {
        let _ = self
            .counters
            .active
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |n| n.checked_sub(1));
        self.bar.println(format!(
            "warning: {name}: retrying {url} (attempt {}): {reason}",
            attempt + 1
        ));
    }
    fn on_installed(&self, _id: usize, name: &str, version: &str) {
        self.bar.inc(1);
        if self.verbose > 0 {
            self.bar
                .println(format!("  - Installed {name} ({version})"));
        }
        self.refresh();
    }
    fn on_removed(&self, name: &str) {
        self.bar.println(format!("  - Removed {name}"));
    }
    fn on_warning(&self, message: &str) {
        self.bar.println(format!("warning: {message}"));
    }
}

/// Plain lines for build logs: a progress line at most every few seconds, retries and warnings
/// as they happen, one line per package with `-v`.
struct Lines {
    counters: Counters,
    verbose: u8,
    periodic: bool,
    last: Mutex<Instant>,
    started: Instant,
}

impl Lines {
    fn new(verbose: u8, periodic: bool) -> Lines {
        Lines {
            counters: Counters::default(),
            verbose,
            periodic,
            last: Mutex::new(Instant::now()),
            started: Instant::now(),
        }
    }

    fn line(&self, text: &str) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{text}");
    }

    fn maybe_progress(&self) {
        if !self.periodic {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if last.elapsed() < Duration::from_secs(2) {
            return;
        }
        *last = Instant::now();
        drop(last);
        self.line(&format!(
            "Progress: {}/{} packages, {} downloaded, {:.0}s",
            self.counters.done.load(Ordering::Relaxed),
            self.counters.planned.load(Ordering::Relaxed),
            mib(self.counters.bytes.load(Ordering::Relaxed)),
            self.started.elapsed().as_secs_f64()
        ));
    }
}

impl Reporter for Lines {
    fn on_plan(&self, installs: usize, updates: usize, removals: usize) {
        self.counters
            .planned
            .store(installs + updates, Ordering::Relaxed);
        self.line(&format!(
            "Package operations: {installs} install(s), {updates} update(s), {removals} removal(s)"
        ));
    }
    fn on_download_progress(&self, _id: usize, bytes: u64) {
        self.counters.bytes.fetch_add(bytes, Ordering::Relaxed);
        self.maybe_progress();
    }
    fn on_retry(&self, _id: usize, name: &str, url: &SafeUrl, attempt: u32, reason: &str) {
        self.line(&format!(
            "warning: {name}: retrying {url} (attempt {}): {reason}",
            attempt + 1
        ));
    }
    fn on_installed(&self, _id: usize, name: &str, version: &str) {
        self.counters.done.fetch_add(1, Ordering::Relaxed);
        if self.verbose > 0 {
            self.line(&format!("  - Installed {name} ({version})"));
        }
        self.maybe_progress();
    }
    fn on_removed(&self, name: &str) {
        self.line(&format!("  - Removed {name}"));
    }
    fn on_warning(&self, message: &str) {
        self.line(&format!("warning: {message}"));
    }
}

/// `--format json`: one JSON object per line on stderr.
struct JsonLines;

impl JsonLines {
    fn emit(&self, value: serde_json::Value) {
        let mut err = std::io::stderr().lock();
        let _ = writeln!(err, "{value}");
    }
}

impl Reporter for JsonLines {
    fn on_plan(&self, installs: usize, updates: usize, removals: usize) {
        self.emit(json!({"event": "plan", "installs": installs, "updates": updates, "removals": removals}));
    }
    fn on_download_start(&self, _id: usize, name: &str, total: Option<u64>, resumed_from: u64) {
        self.emit(json!({"event": "download-start", "package": name, "total": total, "resumed_from": resumed_from}));
    }
    fn on_download_done(&self, _id: usize, name: &str, origin: Origin, size: u64) {
        let origin = match origin {
            Origin::Cache => "cache",
            Origin::Network => "network",
        };
        self.emit(json!({"event": "downloaded", "package": name, "origin": origin, "bytes": size}));
    }
    fn on_retry(&self, _id: usize, name: &str, url: &SafeUrl, attempt: u32, reason: &str) {
        self.emit(json!({"event": "retry", "package": name, "url": url.to_string(), "attempt": attempt, "reason": reason}));
    }
    fn on_installed(&self, _id: usize, name: &str, version: &str) {
        self.emit(json!({"event": "installed", "package": name, "version": version}));
    }
    fn on_removed(&self, name: &str) {
        self.emit(json!({"event": "removed", "package": name}));
    }
    fn on_warning(&self, message: &str) {
        self.emit(json!({"event": "warning", "message": message}));
    }
}
