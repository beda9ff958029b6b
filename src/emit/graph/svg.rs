//! A standalone SVG drawn by flyx itself: the grid layout scaled to pixels,
//! boxes that never overlap, orthogonal edges styled by kind, and a legend.

use std::fmt::Write as _;

use super::diagram::{Diagram, NodeKind};
use super::layout::{Head, layout};
use crate::topology::Traffic;

/// Pixels per grid column and row.
const COLUMN: f64 = 8.0;
const ROW: f64 = 18.0;
/// Space around the drawing.
const MARGIN: f64 = 16.0;
/// Height of the legend under the drawing.
const LEGEND: f64 = 6.0 * 18.0;

/// The style of each kind of edge: colour, dash pattern, width, legend text.
fn style(traffic: Traffic, orders_deploy: bool) -> (&'static str, &'static str, f64) {
    match (traffic, orders_deploy) {
        (Traffic::Public, _) => ("#c05621", "2 4", 1.5),
        (Traffic::Flycast, true) => ("#2b6cb0", "6 3", 1.5),
        (Traffic::Internal, true) => ("#27272a", "", 1.5),
        (Traffic::Attached, _) => ("#b7791f", "", 1.5),
        (Traffic::Step | Traffic::After, _) => ("#71717a", "1 3", 1.2),
        (_, false) => ("#52525b", "4 4", 1.2),
    }
}

/// The SVG document of the diagram.
pub fn render(diagram: &Diagram, title: &str, header: &str) -> String {
    let layout = layout(diagram);
    let width = layout.width as f64 * COLUMN + 2.0 * MARGIN;
    let width = width.max(560.0);
    let height = layout.height as f64 * ROW + 2.0 * MARGIN + LEGEND;
    let x = |column: usize| MARGIN + column as f64 * COLUMN + COLUMN / 2.0;
    let y = |row: usize| MARGIN + row as f64 * ROW + ROW / 2.0;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" font-family=\"ui-monospace, SFMono-Regular, Menlo, monospace\" font-size=\"12\">"
    );
    let _ = writeln!(out, "<!-- {} -->", escape(header.trim_start_matches("# ")));
    let _ = writeln!(out, "<title>{}</title>", escape(title));
    out.push_str("<defs>\n");
    for (id, color) in [
        ("arrow-dark", "#27272a"),
        ("arrow-blue", "#2b6cb0"),
        ("arrow-orange", "#c05621"),
        ("arrow-amber", "#b7791f"),
        ("arrow-gray", "#52525b"),
    ] {
        let _ = writeln!(
            out,
            "<marker id=\"{id}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"{color}\"/></marker>"
        );
    }
    out.push_str("</defs>\n");
    let _ = writeln!(
        out,
        "<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>"
    );
    out.push_str("<g class=\"edges\" fill=\"none\">\n");
    for route in &layout.routes {
        let edge = &diagram.edges[route.edge];
        let (color, dash, stroke) = style(edge.traffic, edge.orders_deploy);
        let marker = match color {
            "#2b6cb0" => "arrow-blue",
            "#c05621" => "arrow-orange",
            "#b7791f" => "arrow-amber",
            "#27272a" => "arrow-dark",
            _ => "arrow-gray",
        };
        let mut points: Vec<(f64, f64)> =
            route.points.iter().map(|(c, r)| (x(*c), y(*r))).collect();
        // End on the target's border, not in the middle of the cell before it.
        if let Some(last) = points.last_mut() {
            last.1 += match route.head {
                Head::Down => ROW / 2.0,
                Head::Up => -ROW / 2.0,
            };
        }
        let list: Vec<String> = points
            .iter()
            .map(|(px, py)| format!("{px:.1},{py:.1}"))
            .collect();
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        let _ = writeln!(
            out,
            "<polyline class=\"edge {}\" points=\"{}\" stroke=\"{color}\" stroke-width=\"{stroke}\"{dash} marker-end=\"url(#{marker})\"><title>{} → {} ({})</title></polyline>",
            edge.traffic.describe(),
            list.join(" "),
            escape(&diagram.nodes[edge.from].name),
            escape(&diagram.nodes[edge.to].name),
            edge.traffic.describe()
        );
    }
    out.push_str("</g>\n<g class=\"nodes\">\n");
    for placed in &layout.boxes {
        let node = &diagram.nodes[placed.node];
        let (fill, stroke, radius) = match node.kind {
            NodeKind::Public => ("#e8f1fb", "#2b6cb0", 4.0),
            NodeKind::Private => ("#f4f4f5", "#52525b", 4.0),
            NodeKind::Store => ("#fdf6e3", "#b7791f", 14.0),
        };
        let bx = MARGIN + placed.x as f64 * COLUMN + COLUMN / 2.0;
        let by = MARGIN + placed.y as f64 * ROW + ROW / 2.0;
        let bw = (placed.width - 1) as f64 * COLUMN;
        let bh = (placed.height - 1) as f64 * ROW;
        let _ = writeln!(
            out,
            "<g class=\"node {}\"><rect class=\"box\" x=\"{bx:.1}\" y=\"{by:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" rx=\"{radius}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>",
            match node.kind {
                NodeKind::Public => "public",
                NodeKind::Private => "private",
                NodeKind::Store => "store",
            }
        );
        let tx = bx + COLUMN * 1.5;
        let _ = writeln!(
            out,
            "<text x=\"{tx:.1}\" y=\"{:.1}\" font-weight=\"bold\">{}</text>",
            by + ROW * 1.0 + 4.0,
            escape(&node.name)
        );
        for (i, line) in node.lines.iter().enumerate() {
            let _ = writeln!(
                out,
                "<text x=\"{tx:.1}\" y=\"{:.1}\" fill=\"#3f3f46\">{}</text>",
                by + ROW * (2.0 + i as f64) + 4.0,
                escape(line)
            );
        }
        out.push_str("</g>\n");
    }
    out.push_str("</g>\n");
    legend(&mut out, MARGIN, MARGIN + layout.height as f64 * ROW + ROW);
    out.push_str("</svg>\n");
    out
}

fn legend(out: &mut String, left: f64, top: f64) {
    let _ = writeln!(out, "<g class=\"legend\" font-size=\"11\">");
    let entries = [
        (
            Traffic::Internal,
            true,
            "private link over .internal: calls it, deploys after it",
        ),
        (
            Traffic::Flycast,
            true,
            "private link over .flycast: through the proxy, wakes stopped machines",
        ),
        (
            Traffic::Public,
            true,
            "public address: calls it over the internet, no deploy order",
        ),
        (
            Traffic::Attached,
            true,
            "data store, its URL attached as a secret",
        ),
        (
            Traffic::Internal,
            false,
            "link with deploy_order = false, or a post-deploy step",
        ),
    ];
    for (i, (traffic, ordered, text)) in entries.iter().enumerate() {
        let (color, dash, stroke) = style(*traffic, *ordered);
        let y = top + i as f64 * ROW;
        let dash = if dash.is_empty() {
            String::new()
        } else {
            format!(" stroke-dasharray=\"{dash}\"")
        };
        let _ = writeln!(
            out,
            "<line x1=\"{left:.1}\" y1=\"{y:.1}\" x2=\"{:.1}\" y2=\"{y:.1}\" stroke=\"{color}\" stroke-width=\"{stroke}\"{dash}/><text x=\"{:.1}\" y=\"{:.1}\" fill=\"#3f3f46\">{}</text>",
            left + 36.0,
            left + 44.0,
            y + 4.0,
            escape(text)
        );
    }
    out.push_str("</g>\n");
}

/// Text safe in XML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
