//! `flyx graph [FILE] [--format ascii|mermaid|dot|svg] [-o OUT]`: draw the stack.

use std::path::{Path, PathBuf};

use super::report::{CliError, Format, Reporter};
use super::{EXIT_OK, GlobalArgs, input};
use crate::diagnostic::Code;
use crate::emit::EmitOptions;
use crate::emit::graph::{self, Charset};

/// The drawing formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DrawingFormat {
    /// Box drawing for a terminal.
    Ascii,
    /// A Mermaid flowchart, for READMEs and GitHub.
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// A standalone SVG.
    Svg,
}

/// Which characters the terminal drawing uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CharsetArg {
    /// Unicode box drawing.
    Unicode,
    /// Plain ASCII, for terminals without Unicode.
    Ascii,
}

/// Draw the architecture of a stack.
#[derive(Debug, clap::Args)]
pub struct GraphArgs {
    /// The .flyx file; by default the only one in the current folder.
    pub file: Option<PathBuf>,
    /// The drawing format; by default taken from `-o`'s extension, else ascii.
    #[arg(long, value_enum)]
    pub format: Option<DrawingFormat>,
    /// Characters for the ascii format.
    #[arg(long, value_enum, default_value_t = CharsetArg::Unicode)]
    pub charset: CharsetArg,
    /// Write the drawing to this file instead of stdout.
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,
    /// Draw this environment instead of the base stack.
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
}

impl GraphArgs {
    /// Runs `flyx graph` and returns the exit code.
    pub fn run(self, global: &GlobalArgs) -> u8 {
        let mut reporter = Reporter::new(global, Format::Text);
        let code = self.draw(&mut reporter);
        reporter.finish();
        code
    }

    fn draw(&self, reporter: &mut Reporter) -> u8 {
        let (loaded, topology) =
            match input::checked_topology(self.file.as_deref(), self.env.as_deref(), reporter) {
                Ok(both) => both,
                Err(code) => return code,
            };
        let source = loaded
            .path
            .file_name()
            .map_or_else(|| loaded.name.clone(), |n| n.to_string_lossy().into_owned());
        let header = EmitOptions::beside_for(source, self.env.as_deref()).header();
        let drawing = graph::render(&topology, self.format(), &header);
        match &self.output {
            None => {
                super::console::out(&drawing);
                EXIT_OK
            }
            Some(path) => match super::atomic::write(path, &drawing) {
                Ok(()) => EXIT_OK,
                Err(e) => reporter.error(
                    &CliError::io(
                        Code::E0405,
                        format!("cannot write `{}`: {e}", input::display_name(path)),
                    )
                    .help("choose a writable path with `-o`"),
                    Some(&loaded.name),
                ),
            },
        }
    }

    fn format(&self) -> graph::Format {
        let chosen = self
            .format
            .or_else(|| self.output.as_deref().and_then(format_of_extension));
        match chosen.unwrap_or(DrawingFormat::Ascii) {
            DrawingFormat::Ascii => graph::Format::Ascii(match self.charset {
                CharsetArg::Unicode => Charset::Unicode,
                CharsetArg::Ascii => Charset::Ascii,
            }),
            DrawingFormat::Mermaid => graph::Format::Mermaid,
            DrawingFormat::Dot => graph::Format::Dot,
            DrawingFormat::Svg => graph::Format::Svg,
        }
    }
}

fn format_of_extension(path: &Path) -> Option<DrawingFormat> {
    match path.extension()?.to_str()? {
        "svg" => Some(DrawingFormat::Svg),
        "dot" | "gv" => Some(DrawingFormat::Dot),
        "mmd" | "mermaid" => Some(DrawingFormat::Mermaid),
        "txt" => Some(DrawingFormat::Ascii),
        _ => None,
    }
}
