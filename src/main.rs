use std::process::ExitCode;

use clap::Parser;

use magefetch::cli::Cli;
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

fn report(e: CommandError) -> ExitCode {
    eprint!("{}", e.render());
    ExitCode::from(e.code.status())
}
