use std::process::ExitCode;

use clap::Parser;

use magefetch::cli::{Cli, Command};
use magefetch::commands::{self, CommandError};

fn main() -> ExitCode {
    // Read the umask while the process is still single-threaded.
    magefetch::fsutil::umask();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    // dump-autoload is all parsing threads allocating small strings: there one arena would be
    // one lock they all wait for (measured 5-10% of its wall time). Its peak is a few tens of
    // MB whatever the arenas.
    if !matches!(cli.command, Command::DumpAutoload(_)) {
        limit_malloc_arenas();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: could not start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(commands::run(cli));
    runtime.shutdown_background();
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => report(e),
    }
}

/// One malloc arena for all threads. glibc gives each thread that allocates its own arena,
/// and memory freed in one cannot serve another: with network tasks, extraction threads and
/// the main thread each peaking at different times, a cold install's peak RSS was the sum of
/// the per-arena peaks (41 MB against a 15 MB heap peak; 29 MB with one arena). The threads
/// keep their small per-thread caches, so contention stays low. Must run before any thread
/// is started (clap parses the command line on this thread alone).
fn limit_malloc_arenas() {
    // SAFETY: mallopt only changes allocator parameters; called while single-threaded.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
}

fn report(e: CommandError) -> ExitCode {
    eprint!("{}", e.render());
    ExitCode::from(e.code.status())
}
