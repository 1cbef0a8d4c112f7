mod backup;
mod bank;
mod builtin;
mod cli;
mod clock;
mod cmd;
mod config;
mod names;
mod points;
mod sm2;
mod stats;
mod store;

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = cli::parse();
    match cmd::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // A closed pipe (`rehearse export | head`) is not an error.
            if err.chain().any(|e| {
                e.downcast_ref::<std::io::Error>()
                    .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            }) {
                return ExitCode::SUCCESS;
            }
            let _ = std::io::stdout().flush();
            eprintln!("rehearse: {err:#}");
            ExitCode::FAILURE
        }
    }
}
