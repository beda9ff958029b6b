//! Mermaid flowcharts, for READMEs and GitHub.

use std::fmt::Write as _;

use super::diagram::{Diagram, NodeKind};
use crate::topology::Traffic;

/// The flowchart of the diagram, with `header` as a comment on its first line.
pub fn render(diagram: &Diagram, header: &str) -> String {
    let mut out = String::from("flowchart TD\n");
    let _ = writeln!(out, "    %% {}", header.trim_start_matches("# "));
    for node in &diagram.nodes {
        let mut label = format!("<b>{}</b>", escape(&node.name));
        for line in &node.lines {
            label.push_str("<br/>");
            label.push_str(&escape(line));
        }
        let id = id(&node.name);
        let (open, close) = match node.kind {
            NodeKind::Store => ("[(", ")]"),
            _ => ("[", "]"),
        };
        let _ = writeln!(out, "    {id}{open}\"{label}\"{close}");
    }
    for edge in &diagram.edges {
        let from = id(&diagram.nodes[edge.from].name);
        let to = id(&diagram.nodes[edge.to].name);
        let label = edge.traffic.describe();
        let arrow = match (edge.traffic, edge.orders_deploy) {
            (Traffic::Public, _) => "==>",
            (_, false) => "-.->",
            _ => "-->",
        };
        let _ = writeln!(out, "    {from} {arrow}|\"{label}\"| {to}");
    }
    out.push_str("    classDef public fill:#e8f1fb,stroke:#2b6cb0,color:#1a365d\n");
    out.push_str("    classDef private fill:#f4f4f5,stroke:#52525b,color:#18181b\n");
    out.push_str("    classDef store fill:#fdf6e3,stroke:#b7791f,color:#5f370e\n");
    for (class, kind) in [
        ("public", NodeKind::Public),
        ("private", NodeKind::Private),
        ("store", NodeKind::Store),
    ] {
        let members: Vec<String> = diagram
            .nodes
            .iter()
            .filter(|n| n.kind == kind)
            .map(|n| id(&n.name))
            .collect();
        if !members.is_empty() {
            let _ = writeln!(out, "    class {} {class}", members.join(","));
        }
    }
    out
}

/// A Mermaid node id: names may hold dashes, which Mermaid reads as edges.
fn id(name: &str) -> String {
    format!("n_{}", name.replace('-', "_"))
}

/// Text safe inside a quoted Mermaid label.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "#quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
