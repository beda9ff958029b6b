//! Drawings of the stack for `flyx graph` and ARCHITECTURE.md: a terminal
//! drawing, Mermaid, Graphviz DOT and a self-rendered SVG, all from one
//! [`Diagram`] of the checked topology.

mod architecture;
mod ascii;
mod diagram;
mod dot;
mod layout;
mod mermaid;
mod svg;

pub use ascii::Charset;
pub use diagram::Diagram;

use crate::topology::Topology;

/// The drawing formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Box drawing for a terminal.
    Ascii(Charset),
    /// A Mermaid flowchart.
    Mermaid,
    /// Graphviz DOT.
    Dot,
    /// A standalone SVG.
    Svg,
}

/// Draws the stack in `format`; `header` is the generated-file line.
pub fn render(topology: &Topology, format: Format, header: &str) -> String {
    let diagram = Diagram::of(topology);
    let name = &topology.stack.project.name.value;
    match format {
        Format::Ascii(charset) => ascii::render(&diagram, charset),
        Format::Mermaid => mermaid::render(&diagram, header),
        Format::Dot => dot::render(&diagram, name, header),
        Format::Svg => svg::render(&diagram, &format!("{name}: architecture"), header),
    }
}

/// ARCHITECTURE.md, as `flyx build` writes it.
pub fn architecture(topology: &Topology, source: &str, header: &str) -> String {
    architecture::render(topology, source, header)
}
