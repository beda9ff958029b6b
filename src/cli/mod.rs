//! The command line: `flyx check`, `flyx build`, `flyx graph`, `flyx fmt`,
//! `flyx import`, `flyx cost`. The only part of flyx that reads or writes files.

mod atomic;
mod build;
mod check;
mod console;
mod cost;
mod fmt;
mod graph;
mod import;
mod input;
mod project;
mod report;
mod write;

use clap::{Parser, Subcommand, ValueEnum};

/// Exit code: success.
pub const EXIT_OK: u8 = 0;
/// Exit code: the input has errors.
pub const EXIT_INPUT: u8 = 1;
/// Exit code: usage or I/O errors.
pub const EXIT_USAGE: u8 = 2;

/// Compile .flyx stacks into Fly.io apps: fly.toml files, Dockerfiles and one deploy script.
#[derive(Debug, Parser)]
#[command(name = "flyx", version, about, long_about = None)]
pub struct Cli {
    /// Options every subcommand takes.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, clap::Args)]
pub struct GlobalArgs {
    /// When to colour diagnostics: on a terminal (auto), always, or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
}

/// When to use colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when stderr is a terminal and `NO_COLOR` is not set.
    Auto,
    /// Always colour, unless `NO_COLOR` is set.
    Always,
    /// Never colour.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a stack and report every problem
    Check(check::CheckArgs),
    /// Write fly.toml, Dockerfiles and deploy.sh for every app
    Build(build::BuildArgs),
    /// Draw the architecture: terminal boxes, Mermaid, DOT or SVG
    Graph(graph::GraphArgs),
    /// Rewrite .flyx files in the canonical layout, or check that they are
    Fmt(fmt::FmtArgs),
    /// Import fly.toml files into one .flyx stack
    Import(import::ImportArgs),
    /// Estimate the monthly cost on Fly.io from its published prices
    Cost(cost::CostArgs),
}

impl Cli {
    /// Runs the subcommand and returns the process exit code.
    pub fn run(self) -> u8 {
        match self.command {
            Command::Check(args) => args.run(&self.global),
            Command::Build(args) => args.run(&self.global),
            Command::Graph(args) => args.run(&self.global),
            Command::Fmt(args) => args.run(&self.global),
            Command::Import(args) => args.run(&self.global),
            Command::Cost(args) => args.run(&self.global),
        }
    }
}
