mod anki;
mod backup;
mod backups;
mod bank;
mod builtin;
mod cli;
mod clock;
mod cmd;
mod config;
mod mock;
mod names;
mod plan;
mod points;
mod screen;
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
            // serde_json wraps the io::Error it met, so ask it for the kind.
            let broken_pipe = |e: &(dyn std::error::Error + 'static)| {
                let kind = e
                    .downcast_ref::<std::io::Error>()
                    .map(|e| e.kind())
                    .or_else(|| {
                        e.downcast_ref::<serde_json::Error>()
                            .and_then(|e| e.io_error_kind())
                    });
                kind == Some(std::io::ErrorKind::BrokenPipe)
            };
            if err.chain().any(broken_pipe) {
                return ExitCode::SUCCESS;
            }
            let _ = std::io::stdout().flush();
            // One line, whatever the error carries (an SQL text is several).
            let line = format!("{err:#}")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            eprintln!("rehearse: {line}");
            ExitCode::FAILURE
        }
    }
}
