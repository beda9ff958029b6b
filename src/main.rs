//! The `flyx` command: parse the arguments, run the subcommand, exit with its code.

use clap::Parser;

fn main() -> std::process::ExitCode {
    let cli = flyx::cli::Cli::parse();
    std::process::ExitCode::from(cli.run())
}
