//! The terminal drawing: boxes and orthogonal arrows in Unicode box drawing,
//! or plain ASCII for terminals without it.

use super::diagram::{Diagram, NodeKind};
use super::layout::{Head, Layout, layout};
use crate::topology::Traffic;

/// Which characters to draw with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Charset {
    /// Box drawing and arrows.
    Unicode,
    /// `+`, `-`, `|`, `v`, `^` only.
    Ascii,
}

const UP: u8 = 1;
const DOWN: u8 = 2;
const LEFT: u8 = 4;
const RIGHT: u8 = 8;

#[derive(Clone, Copy, Default)]
struct Cell {
    /// Line directions meeting here.
    lines: u8,
    /// A fixed character (text, arrowheads, store corners).
    fixed: Option<char>,
    /// Whether every line here is a dotted (non-ordering) one.
    dotted: bool,
    /// Whether any line here is solid.
    solid: bool,
}

struct Grid {
    cells: Vec<Vec<Cell>>,
}

impl Grid {
    fn new(width: usize, height: usize) -> Grid {
        Grid {
            cells: vec![vec![Cell::default(); width]; height],
        }
    }

    fn cell(&mut self, x: usize, y: usize) -> Option<&mut Cell> {
        self.cells.get_mut(y).and_then(|row| row.get_mut(x))
    }

    fn line(&mut self, (x1, y1): (usize, usize), (x2, y2): (usize, usize), dotted: bool) {
        let mark = |cell: &mut Cell, bits: u8| {
            cell.lines |= bits;
            if dotted {
                cell.dotted = true;
            } else {
                cell.solid = true;
            }
        };
        if y1 == y2 {
            let (a, b) = (x1.min(x2), x1.max(x2));
            for x in a..=b {
                let mut bits = 0;
                if x > a {
                    bits |= LEFT;
                }
                if x < b {
                    bits |= RIGHT;
                }
                if let Some(cell) = self.cell(x, y1) {
                    mark(cell, bits);
                }
            }
        } else {
            let (a, b) = (y1.min(y2), y1.max(y2));
            for y in a..=b {
                let mut bits = 0;
                if y > a {
                    bits |= UP;
                }
                if y < b {
                    bits |= DOWN;
                }
                if let Some(cell) = self.cell(x1, y) {
                    mark(cell, bits);
                }
            }
        }
    }

    fn text(&mut self, x: usize, y: usize, text: &str) {
        for (i, c) in text.chars().enumerate() {
            if let Some(cell) = self.cell(x + i, y) {
                cell.fixed = Some(c);
            }
        }
    }

    fn render(&self, charset: Charset) -> String {
        let mut out = String::new();
        for row in &self.cells {
            let line: String = row.iter().map(|cell| glyph(cell, charset)).collect();
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}

fn glyph(cell: &Cell, charset: Charset) -> char {
    if let Some(c) = cell.fixed {
        return c;
    }
    let dotted = cell.dotted && !cell.solid;
    let l = cell.lines;
    match charset {
        Charset::Unicode => match l {
            0 => ' ',
            _ if l == LEFT | RIGHT || l == LEFT || l == RIGHT => {
                if dotted {
                    '┄'
                } else {
                    '─'
                }
            }
            _ if l == UP | DOWN || l == UP || l == DOWN => {
                if dotted {
                    '┆'
                } else {
                    '│'
                }
            }
            _ if l == RIGHT | DOWN => '┌',
            _ if l == LEFT | DOWN => '┐',
            _ if l == RIGHT | UP => '└',
            _ if l == LEFT | UP => '┘',
            _ if l == LEFT | RIGHT | DOWN => '┬',
            _ if l == LEFT | RIGHT | UP => '┴',
            _ if l == UP | DOWN | RIGHT => '├',
            _ if l == UP | DOWN | LEFT => '┤',
            _ => '┼',
        },
        Charset::Ascii => match l {
            0 => ' ',
            _ if l == LEFT | RIGHT || l == LEFT || l == RIGHT => {
                if dotted {
                    '.'
                } else {
                    '-'
                }
            }
            _ if l == UP | DOWN || l == UP || l == DOWN => {
                if dotted {
                    ':'
                } else {
                    '|'
                }
            }
            _ => '+',
        },
    }
}

/// Draws the diagram. Public references are left out: they are addresses on
/// the internet, not links, and the other formats show them.
pub fn render(diagram: &Diagram, charset: Charset) -> String {
    let mut diagram = diagram.clone();
    diagram.edges.retain(|e| e.traffic != Traffic::Public);
    let diagram = &diagram;
    let layout = layout(diagram);
    let mut grid = Grid::new(layout.width + 1, layout.height);
    draw_boxes(&mut grid, diagram, &layout, charset);
    draw_routes(&mut grid, diagram, &layout, charset);
    let mut out = grid.render(charset);
    out.push_str(&legend(charset));
    out
}

fn draw_boxes(grid: &mut Grid, diagram: &Diagram, layout: &Layout, charset: Charset) {
    for placed in &layout.boxes {
        let (x, y, w, h) = (placed.x, placed.y, placed.width, placed.height);
        let right = x + w - 1;
        let bottom = y + h - 1;
        grid.line((x, y), (right, y), false);
        grid.line((x, bottom), (right, bottom), false);
        grid.line((x, y), (x, bottom), false);
        grid.line((right, y), (right, bottom), false);
        let node = &diagram.nodes[placed.node];
        if node.kind == NodeKind::Store {
            let corners = match charset {
                Charset::Unicode => ['╭', '╮', '╰', '╯'],
                Charset::Ascii => ['(', ')', '(', ')'],
            };
            grid.text(x, y, &corners[0].to_string());
            grid.text(right, y, &corners[1].to_string());
            grid.text(x, bottom, &corners[2].to_string());
            grid.text(right, bottom, &corners[3].to_string());
        }
        grid.text(x + 2, y + 1, &node.name);
        for (i, line) in node.lines.iter().enumerate() {
            let line = match charset {
                Charset::Unicode => line.clone(),
                Charset::Ascii => line.replace('×', "x"),
            };
            grid.text(x + 2, y + 2 + i, &line);
        }
    }
}

fn draw_routes(grid: &mut Grid, diagram: &Diagram, layout: &Layout, charset: Charset) {
    for route in &layout.routes {
        let edge = &diagram.edges[route.edge];
        let dotted = !edge.orders_deploy || edge.traffic == Traffic::Public;
        for pair in route.points.windows(2) {
            grid.line(pair[0], pair[1], dotted);
        }
        if let Some(&(x, y)) = route.points.last() {
            let head = match (route.head, charset) {
                (Head::Down, Charset::Unicode) => '▼',
                (Head::Up, Charset::Unicode) => '▲',
                (Head::Down, Charset::Ascii) => 'v',
                (Head::Up, Charset::Ascii) => '^',
            };
            grid.text(x, y, &head.to_string());
        }
    }
}

fn legend(charset: Charset) -> String {
    let (solid, dotted, store) = match charset {
        Charset::Unicode => ("──▶", "┄┄▶", "╭╮"),
        Charset::Ascii => ("-->", "..>", "()"),
    };
    format!(
        "\n{solid} link: calls it, and deploys after it\n{dotted} link with deploy_order = false: calls it only\n{store} managed data store\nRows from the top: the last deploy level first (wide levels wrap); stores are created first.\n"
    )
}
