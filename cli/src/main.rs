//! `tincan`, the desktop shell: invite, join, accept and chat from a terminal.
//!
//! All behaviour lives in `tincan-core`; this crate parses arguments, reads codes from
//! wherever a person has them, prints codes and QR codes, and runs the chat screen.

mod chat;
mod cli;
mod codes_io;
mod files;
mod introductions;
mod known;
mod log;
mod online;
mod progress;
mod rooms;
mod secret_store;
mod setup;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    log::init_from_env();
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tincan: {e:#}");
            ExitCode::FAILURE
        }
    }
}
