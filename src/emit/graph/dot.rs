//! Graphviz DOT, with public, flycast and internal links in distinct styles,
//! stores as cylinders, and regions as clusters when the stack spans several.

use std::fmt::Write as _;

use super::diagram::{Diagram, DiagramNode, NodeKind};
use crate::topology::Traffic;

/// The DOT graph of the diagram.
pub fn render(diagram: &Diagram, name: &str, header: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "// {}", header.trim_start_matches("# "));
    let _ = writeln!(out, "digraph {} {{", quote(name));
    out.push_str(
        "    graph [rankdir=TB, fontname=\"Helvetica\", nodesep=0.5, ranksep=0.8, newrank=true];\n",
    );
    out.push_str(
        "    node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\", fontsize=11];\n",
    );
    out.push_str("    edge [fontname=\"Helvetica\", fontsize=9];\n");
    let regions = diagram.regions();
    if regions.len() > 1 {
        for region in &regions {
            let _ = writeln!(
                out,
                "    subgraph {} {{",
                quote(&format!("cluster_{region}"))
            );
            let _ = writeln!(
                out,
                "        label={}; style=dashed; color=\"#a1a1aa\";",
                quote(region)
            );
            for node in diagram.nodes.iter().filter(|n| &n.region == region) {
                let _ = writeln!(out, "        {}", node_line(node));
            }
            out.push_str("    }\n");
        }
    } else {
        for node in &diagram.nodes {
            let _ = writeln!(out, "    {}", node_line(node));
        }
    }
    for layer in 0..diagram.layers {
        let members: Vec<String> = diagram
            .nodes
            .iter()
            .filter(|n| n.layer == layer)
            .map(|n| quote(&n.name))
            .collect();
        if members.len() > 1 {
            let _ = writeln!(out, "    {{ rank=same; {}; }}", members.join("; "));
        }
    }
    for edge in &diagram.edges {
        let (style, color) = match edge.traffic {
            Traffic::Public => ("bold", "#c05621"),
            Traffic::Flycast => ("dashed", "#2b6cb0"),
            Traffic::Internal => ("solid", "#27272a"),
            Traffic::Attached => ("solid", "#b7791f"),
            Traffic::Step | Traffic::After => ("dotted", "#71717a"),
        };
        let mut attributes = format!(
            "label={}, style={style}, color={}, fontcolor={}",
            quote(edge.traffic.describe()),
            quote(color),
            quote(color)
        );
        if !edge.orders_deploy {
            attributes.push_str(", constraint=false");
        }
        let _ = writeln!(
            out,
            "    {} -> {} [{attributes}];",
            quote(&diagram.nodes[edge.from].name),
            quote(&diagram.nodes[edge.to].name)
        );
    }
    out.push_str("}\n");
    out
}

fn node_line(node: &DiagramNode) -> String {
    let mut label = node.name.clone();
    for line in &node.lines {
        label.push('\n');
        label.push_str(line);
    }
    let (shape, fill) = match node.kind {
        NodeKind::Public => ("box", "#e8f1fb"),
        NodeKind::Private => ("box", "#f4f4f5"),
        NodeKind::Store => ("cylinder", "#fdf6e3"),
    };
    format!(
        "{} [shape={shape}, label={}, fillcolor={}];",
        quote(&node.name),
        quote(&label),
        quote(fill)
    )
}

/// A DOT string literal.
fn quote(text: &str) -> String {
    let escaped = text
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n");
    format!("\"{escaped}\"")
}
