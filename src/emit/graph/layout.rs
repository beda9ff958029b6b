//! A layered layout on a character grid, shared by the terminal drawing and the
//! SVG: boxes in rows by layer, ordered to keep crossings few (barycenters), and
//! every edge routed orthogonally through the channels between rows and the
//! gaps between boxes, so no line runs through a box.

use super::diagram::Diagram;

/// Columns between boxes of a row: room for lines passing through.
const GAP: usize = 5;

/// The widest a row of boxes may be before it wraps onto a second row, so a
/// drawing with its side lanes fits a 100-column terminal.
const MAX_ROW_WIDTH: usize = 88;

/// A placed box, in grid cells.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placed {
    /// Index into the diagram's nodes.
    pub node: usize,
    /// Left column.
    pub x: usize,
    /// Top row.
    pub y: usize,
    /// Width, borders included.
    pub width: usize,
    /// Height, borders included.
    pub height: usize,
}

/// Where an arrow ends: at the top or at the bottom of its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Head {
    /// Pointing down, onto the target's top border.
    Down,
    /// Pointing up, onto the target's bottom border.
    Up,
}

/// A routed edge: a polyline of grid points, from the source's border to the
/// cell next to the target's border.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Index into the diagram's edges.
    pub edge: usize,
    /// The corners of the path, first on the source's border.
    pub points: Vec<(usize, usize)>,
    /// Which way the arrowhead points.
    pub head: Head,
}

/// The whole layout.
#[derive(Clone, Debug)]
pub struct Layout {
    /// Every box.
    pub boxes: Vec<Placed>,
    /// Every edge.
    pub routes: Vec<Route>,
    /// Columns used.
    pub width: usize,
    /// Rows used.
    pub height: usize,
}

/// The width and height of a node's box.
pub fn box_size(diagram: &Diagram, node: usize) -> (usize, usize) {
    let n = &diagram.nodes[node];
    let widest = n
        .lines
        .iter()
        .map(|l| l.chars().count())
        .chain(std::iter::once(n.name.chars().count()))
        .max()
        .unwrap_or(0);
    (widest + 4, n.lines.len() + 3)
}

/// Lays out a diagram.
pub fn layout(diagram: &Diagram) -> Layout {
    let sizes: Vec<(usize, usize)> = (0..diagram.nodes.len())
        .map(|i| box_size(diagram, i))
        .collect();
    let rows: Vec<Vec<usize>> = order_rows(diagram)
        .into_iter()
        .flat_map(|row| wrap_row(row, &sizes))
        .collect();
    let row_widths: Vec<usize> = rows.iter().map(|row| row_width(row, &sizes)).collect();
    let widest = row_widths.iter().copied().max().unwrap_or(0);
    // Columns: boxes of each row centred under the widest row.
    let mut x_of = vec![0usize; diagram.nodes.len()];
    for (row, nodes) in rows.iter().enumerate() {
        let mut x = (widest - row_widths[row]) / 2;
        for n in nodes {
            x_of[*n] = x;
            x += sizes[*n].0 + GAP;
        }
    }
    let plan = plan_routes(diagram, &rows, &x_of, &sizes, widest);
    // Rows: channel 0, row 0, channel 1, row 1, ..., channel L.
    let mut y = 0;
    let mut channel_top = Vec::with_capacity(rows.len() + 1);
    let mut row_top = Vec::with_capacity(rows.len());
    for (row, nodes) in rows.iter().enumerate() {
        channel_top.push(y);
        y += channel_height(plan.tracks[row], row == 0);
        row_top.push(y);
        y += nodes.iter().map(|n| sizes[*n].1).max().unwrap_or(0);
    }
    channel_top.push(y);
    y += channel_height(plan.tracks[rows.len()], true);
    let boxes: Vec<Placed> = rows
        .iter()
        .enumerate()
        .flat_map(|(row, nodes)| {
            let sizes = &sizes;
            let x_of = &x_of;
            let row_top = &row_top;
            nodes.iter().map(move |n| Placed {
                node: *n,
                x: x_of[*n],
                y: row_top[row],
                width: sizes[*n].0,
                height: sizes[*n].1,
            })
        })
        .collect();
    let routes = plan
        .paths
        .iter()
        .map(|p| p.points(&channel_top, &boxes))
        .collect();
    let width = widest.max(plan.lane_limit);
    Layout {
        boxes,
        routes,
        width,
        height: y,
    }
}

/// The width of a row of boxes, gaps included.
fn row_width(row: &[usize], sizes: &[(usize, usize)]) -> usize {
    row.iter().map(|n| sizes[*n].0).sum::<usize>() + GAP * row.len().saturating_sub(1)
}

/// Splits a row wider than [`MAX_ROW_WIDTH`] into the fewest rows of about
/// equal length that each fit, keeping the order. A single box wider than the
/// limit keeps a row to itself.
fn wrap_row(row: Vec<usize>, sizes: &[(usize, usize)]) -> Vec<Vec<usize>> {
    for pieces in 1..=row.len().max(1) {
        let per_piece = row.len().div_ceil(pieces).max(1);
        let chunks: Vec<Vec<usize>> = row.chunks(per_piece).map(<[usize]>::to_vec).collect();
        if chunks
            .iter()
            .all(|c| c.len() == 1 || row_width(c, sizes) <= MAX_ROW_WIDTH)
        {
            return chunks;
        }
    }
    vec![row]
}

/// A channel with no lines is one blank row between box rows, and nothing at
/// the very top or bottom.
fn channel_height(tracks: usize, outer: bool) -> usize {
    match (tracks, outer) {
        (0, true) => 0,
        (0, false) => 1,
        (n, _) => n * 2 + 1,
    }
}

/// The nodes of each row, ordered to reduce crossings: barycenter sweeps, ties
/// broken by name so the order never changes between runs.
fn order_rows(diagram: &Diagram) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); diagram.layers];
    for (i, node) in diagram.nodes.iter().enumerate() {
        rows[node.layer.min(diagram.layers - 1)].push(i);
    }
    let neighbours: Vec<Vec<usize>> = (0..diagram.nodes.len())
        .map(|i| {
            diagram
                .edges
                .iter()
                .filter_map(|e| match (e.from == i, e.to == i) {
                    (true, false) => Some(e.to),
                    (false, true) => Some(e.from),
                    _ => None,
                })
                .collect()
        })
        .collect();
    for _ in 0..4 {
        for row in 0..rows.len() {
            sort_by_barycenter(diagram, &mut rows, row, &neighbours);
        }
        for row in (0..rows.len()).rev() {
            sort_by_barycenter(diagram, &mut rows, row, &neighbours);
        }
    }
    rows
}

fn sort_by_barycenter(
    diagram: &Diagram,
    rows: &mut [Vec<usize>],
    row: usize,
    neighbours: &[Vec<usize>],
) {
    let mut position = vec![0.0f64; diagram.nodes.len()];
    for nodes in rows.iter() {
        let n = nodes.len().max(1) as f64;
        for (k, node) in nodes.iter().enumerate() {
            position[*node] = (k as f64 + 0.5) / n;
        }
    }
    let current: Vec<usize> = rows[row].clone();
    let mut keyed: Vec<(f64, String, usize)> = current
        .iter()
        .map(|node| {
            let others: Vec<f64> = neighbours[*node]
                .iter()
                .filter(|m| diagram.nodes[**m].layer != diagram.nodes[*node].layer)
                .map(|m| position[*m])
                .collect();
            let key = if others.is_empty() {
                position[*node]
            } else {
                others.iter().sum::<f64>() / others.len() as f64
            };
            (key, diagram.nodes[*node].name.clone(), *node)
        })
        .collect();
    keyed.sort_by(|a, b| a.0.total_cmp(&b.0).then_with(|| a.1.cmp(&b.1)));
    rows[row] = keyed.into_iter().map(|(_, _, n)| n).collect();
}

/// A route before rows have coordinates: which channels and columns it uses.
#[derive(Clone, Debug)]
struct Path {
    edge: usize,
    from: usize,
    to: usize,
    /// Column where it leaves the source.
    exit: usize,
    /// Column where it reaches the target.
    entry: usize,
    /// Whether it leaves from the source's bottom (else its top).
    exit_bottom: bool,
    /// Whether it reaches the target's bottom (else its top).
    entry_bottom: bool,
    /// The channel and track of the first horizontal run.
    first: (usize, usize),
    /// The column it passes other rows in, and the channel and track of the
    /// second horizontal run, when it spans more than one channel.
    lane: Option<(usize, usize, usize)>,
}

struct Plan {
    paths: Vec<Path>,
    /// Tracks used in each channel (0 = above the first row).
    tracks: Vec<usize>,
    /// Columns used by lanes beyond the boxes.
    lane_limit: usize,
}

fn plan_routes(
    diagram: &Diagram,
    rows: &[Vec<usize>],
    x_of: &[usize],
    sizes: &[(usize, usize)],
    widest: usize,
) -> Plan {
    let mut row_of = vec![0usize; diagram.nodes.len()];
    for (row, nodes) in rows.iter().enumerate() {
        for node in nodes {
            row_of[*node] = row;
        }
    }
    let layer = |n: usize| row_of[n];
    // Which side of which box each edge attaches to, to spread attach points.
    let mut attachments: Vec<Vec<(usize, bool, usize, usize)>> =
        vec![Vec::new(); diagram.nodes.len()];
    let mut sides = Vec::new();
    for (i, edge) in diagram.edges.iter().enumerate() {
        if edge.from == edge.to {
            continue;
        }
        let (a, b) = (layer(edge.from), layer(edge.to));
        let exit_bottom = a <= b;
        let entry_bottom = a >= b;
        sides.push((i, exit_bottom, entry_bottom));
        attachments[edge.from].push((i, exit_bottom, x_of[edge.to], 0));
        attachments[edge.to].push((i, entry_bottom, x_of[edge.from], 1));
    }
    // Attach points: spread along each side, each in a column no other line
    // uses in that channel (with a column of air between lines).
    let mut exit_x = vec![0usize; diagram.edges.len()];
    let mut entry_x = vec![0usize; diagram.edges.len()];
    let mut taken: Vec<Vec<usize>> = vec![Vec::new(); rows.len() + 1];
    let mut order: Vec<usize> = (0..diagram.nodes.len()).collect();
    order.sort_by_key(|n| (layer(*n), x_of[*n]));
    for node in order {
        let list = &mut attachments[node];
        for bottom in [false, true] {
            let channel = if bottom { layer(node) + 1 } else { layer(node) };
            let mut on_side: Vec<&(usize, bool, usize, usize)> =
                list.iter().filter(|a| a.1 == bottom).collect();
            on_side.sort_by_key(|a| (a.2, a.0, a.3));
            let (lo, hi) = (x_of[node] + 2, x_of[node] + sizes[node].0 - 3);
            let count = on_side.len();
            for (k, (edge, _, _, end)) in on_side.into_iter().enumerate() {
                let ideal = lo + ((k * 2 + 1) * (hi - lo + 1)) / (count * 2).max(1);
                let x = (lo..=hi)
                    .filter(|x| !taken[channel].iter().any(|t| t.abs_diff(*x) < 2))
                    .min_by_key(|x| (x.abs_diff(ideal), *x))
                    .unwrap_or(ideal.min(hi));
                taken[channel].push(x);
                if *end == 0 {
                    exit_x[*edge] = x;
                } else {
                    entry_x[*edge] = x;
                }
            }
        }
    }
    // Lanes: a column free of boxes in every row an edge passes, and of other
    // lanes in the channels it crosses.
    let mut lanes_used: Vec<(usize, usize, usize)> = Vec::new();
    let mut lane_limit = widest;
    let mut paths = Vec::new();
    let mut runs: Vec<Vec<(usize, usize, usize, usize)>> = vec![Vec::new(); rows.len() + 1];
    for (i, exit_bottom, entry_bottom) in sides {
        let edge = &diagram.edges[i];
        let (a, b) = (layer(edge.from), layer(edge.to));
        let first_channel = if exit_bottom { a + 1 } else { a };
        let last_channel = if entry_bottom { b + 1 } else { b };
        let passes: Vec<usize> = if first_channel < last_channel {
            (first_channel..last_channel).collect()
        } else {
            (last_channel..first_channel).collect()
        };
        let (ex, en) = (exit_x[i], entry_x[i]);
        if passes.is_empty() {
            runs[first_channel].push((ex.min(en), ex.max(en), i, 0));
            paths.push(Path {
                edge: i,
                from: edge.from,
                to: edge.to,
                exit: ex,
                entry: en,
                exit_bottom,
                entry_bottom,
                first: (first_channel, 0),
                lane: None,
            });
            continue;
        }
        let span = (
            first_channel.min(last_channel),
            first_channel.max(last_channel),
        );
        let lane = free_lane(
            rows,
            x_of,
            sizes,
            &passes,
            span,
            &lanes_used,
            (ex + en) / 2,
            &mut lane_limit,
        );
        lanes_used.push((lane, span.0, span.1));
        runs[first_channel].push((ex.min(lane), ex.max(lane), i, 0));
        runs[last_channel].push((lane.min(en), lane.max(en), i, 1));
        paths.push(Path {
            edge: i,
            from: edge.from,
            to: edge.to,
            exit: ex,
            entry: en,
            exit_bottom,
            entry_bottom,
            first: (first_channel, 0),
            lane: Some((lane, last_channel, 0)),
        });
    }
    // Tracks: runs that overlap in a channel get different rows.
    let mut tracks = vec![0usize; rows.len() + 1];
    let mut track_of: std::collections::BTreeMap<(usize, usize), usize> =
        std::collections::BTreeMap::new();
    for (channel, list) in runs.iter_mut().enumerate() {
        list.sort();
        let mut ends: Vec<usize> = Vec::new();
        for (left, right, edge, part) in list.iter() {
            let track = match ends.iter().position(|end| *end + 1 < *left) {
                Some(t) => t,
                None => {
                    ends.push(0);
                    ends.len() - 1
                }
            };
            ends[track] = *right;
            track_of.insert((*edge, *part), track);
        }
        tracks[channel] = ends.len();
    }
    for path in &mut paths {
        path.first.1 = track_of.get(&(path.edge, 0)).copied().unwrap_or(0);
        if let Some((lane, channel, _)) = path.lane {
            path.lane = Some((
                lane,
                channel,
                track_of.get(&(path.edge, 1)).copied().unwrap_or(0),
            ));
        }
    }
    Plan {
        paths,
        tracks,
        lane_limit,
    }
}

/// A column no box of the passed rows covers and no other lane uses in the
/// same channels, near `near`.
#[allow(clippy::too_many_arguments)]
fn free_lane(
    rows: &[Vec<usize>],
    x_of: &[usize],
    sizes: &[(usize, usize)],
    passes: &[usize],
    span: (usize, usize),
    used: &[(usize, usize, usize)],
    near: usize,
    limit: &mut usize,
) -> usize {
    let blocked = |x: usize| {
        used.iter()
            .any(|(u, lo, hi)| u.abs_diff(x) < 2 && *lo <= span.1 && span.0 <= *hi)
            || passes.iter().any(|row| {
                rows[*row]
                    .iter()
                    .any(|n| x + 1 >= x_of[*n] && x <= x_of[*n] + sizes[*n].0)
            })
    };
    let candidates = (0..*limit).filter(|x| !blocked(*x));
    if let Some(best) = candidates.min_by_key(|x| (x.abs_diff(near), *x)) {
        return best;
    }
    let lane = *limit + 1;
    *limit = lane + 1;
    lane
}

impl Path {
    /// The corners of the path once rows have coordinates.
    fn points(&self, channel_top: &[usize], boxes: &[Placed]) -> Route {
        let placed = |n: usize| boxes.iter().find(|b| b.node == n);
        let (Some(from), Some(to)) = (placed(self.from), placed(self.to)) else {
            return Route {
                edge: self.edge,
                points: Vec::new(),
                head: Head::Down,
            };
        };
        let track_y = |channel: usize, track: usize| channel_top[channel] + 1 + track * 2;
        let start = (
            self.exit,
            if self.exit_bottom {
                from.y + from.height - 1
            } else {
                from.y
            },
        );
        let end = (
            self.entry,
            if self.entry_bottom {
                to.y + to.height
            } else {
                to.y - 1
            },
        );
        let first_y = track_y(self.first.0, self.first.1);
        let mut points = vec![start, (start.0, first_y)];
        match self.lane {
            None => {
                points.push((end.0, first_y));
            }
            Some((lane, channel, track)) => {
                let second_y = track_y(channel, track);
                points.push((lane, first_y));
                points.push((lane, second_y));
                points.push((end.0, second_y));
            }
        }
        points.push(end);
        points.dedup();
        Route {
            edge: self.edge,
            points,
            head: if self.entry_bottom {
                Head::Up
            } else {
                Head::Down
            },
        }
    }
}
