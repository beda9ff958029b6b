//! The graph of the stack (petgraph): nodes are services and stores, edges are
//! how one uses another. Deploy order comes from the edges that order deploys:
//! levels by longest path, ties broken by name, so it never changes between runs.

use std::collections::BTreeSet;

use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};

use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::model::Stack;
use crate::span::Span;
use crate::topology::{Edge, Node, ServiceId, StoreId, Traffic};

/// The graph with the node index of every service and store.
pub struct Built {
    /// The graph.
    pub graph: DiGraph<Node, Edge>,
    /// Node of each service, by service index.
    pub service_nodes: Vec<NodeIndex>,
    /// Node of each store, by store index.
    pub store_nodes: Vec<NodeIndex>,
}

/// One edge to add: from a service to a node.
pub struct PendingEdge {
    /// The service that uses.
    pub from: ServiceId,
    /// What it uses.
    pub to: Node,
    /// The edge.
    pub edge: Edge,
}

/// Builds the graph, inserting nodes in name order so indices are stable.
pub fn build(stack: &Stack, mut edges: Vec<PendingEdge>) -> Built {
    let mut graph = DiGraph::new();
    let mut service_nodes = vec![NodeIndex::end(); stack.services.len()];
    let mut store_nodes = vec![NodeIndex::end(); stack.stores.len()];
    let mut services: Vec<usize> = (0..stack.services.len()).collect();
    services.sort_by(|a, b| {
        stack.services[*a]
            .name
            .value
            .cmp(&stack.services[*b].name.value)
    });
    for i in services {
        service_nodes[i] = graph.add_node(Node::Service(ServiceId(i)));
    }
    let mut stores: Vec<usize> = (0..stack.stores.len()).collect();
    stores.sort_by(|a, b| {
        stack.stores[*a]
            .name
            .value
            .cmp(&stack.stores[*b].name.value)
    });
    for i in stores {
        store_nodes[i] = graph.add_node(Node::Store(StoreId(i)));
    }
    edges.sort_by(|a, b| {
        let name = |id: ServiceId| stack.services[id.0].name.value.as_str();
        name(a.from)
            .cmp(name(b.from))
            .then(a.edge.span.cmp(&b.edge.span))
    });
    for pending in edges {
        let to = match pending.to {
            Node::Service(id) => service_nodes[id.0],
            Node::Store(id) => store_nodes[id.0],
        };
        graph.add_edge(service_nodes[pending.from.0], to, pending.edge);
    }
    Built {
        graph,
        service_nodes,
        store_nodes,
    }
}

/// The services each service deploys after (targets of its ordering edges).
pub fn dependencies(built: &Built, stack: &Stack) -> Vec<Vec<(ServiceId, Span)>> {
    let mut deps: Vec<Vec<(ServiceId, Span)>> = vec![Vec::new(); stack.services.len()];
    for edge in built.graph.edge_indices() {
        let Some((from, to)) = built.graph.edge_endpoints(edge) else {
            continue;
        };
        let weight = built.graph[edge];
        if let (Node::Service(from), Node::Service(to), true) =
            (built.graph[from], built.graph[to], weight.orders_deploy)
            && from != to
            && !deps[from.0].iter().any(|(d, _)| *d == to)
        {
            deps[from.0].push((to, weight.span));
        }
    }
    deps
}

/// Deploy levels, or an E0302 diagnostic for every cycle.
pub fn levels(
    stack: &Stack,
    deps: &[Vec<(ServiceId, Span)>],
    diagnostics: &mut Diagnostics,
) -> Option<Vec<Vec<ServiceId>>> {
    let n = stack.services.len();
    let mut dependents: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut waiting: Vec<usize> = deps.iter().map(Vec::len).collect();
    for (from, targets) in deps.iter().enumerate() {
        for (to, _) in targets {
            dependents[to.0].push(from);
        }
    }
    let mut level = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).filter(|i| waiting[*i] == 0).collect();
    let mut done = 0;
    while let Some(i) = ready.pop() {
        done += 1;
        for &dependent in &dependents[i] {
            level[dependent] = level[dependent].max(level[i] + 1);
            waiting[dependent] -= 1;
            if waiting[dependent] == 0 {
                ready.push(dependent);
            }
        }
    }
    if done < n {
        report_cycles(stack, deps, diagnostics);
        return None;
    }
    let depth = level.iter().max().map_or(0, |m| m + 1);
    let mut levels: Vec<Vec<ServiceId>> = vec![Vec::new(); depth];
    for (i, l) in level.iter().enumerate() {
        levels[*l].push(ServiceId(i));
    }
    for services in &mut levels {
        services.sort_by(|a, b| {
            stack.services[a.0]
                .name
                .value
                .cmp(&stack.services[b.0].name.value)
        });
    }
    Some(levels)
}

/// Reports one cycle per strongly connected component, as the whole cycle.
fn report_cycles(stack: &Stack, deps: &[Vec<(ServiceId, Span)>], diagnostics: &mut Diagnostics) {
    let mut graph: DiGraph<usize, Span> = DiGraph::new();
    let nodes: Vec<NodeIndex> = (0..stack.services.len())
        .map(|i| graph.add_node(i))
        .collect();
    for (from, targets) in deps.iter().enumerate() {
        for (to, span) in targets {
            graph.add_edge(nodes[from], nodes[to.0], *span);
        }
    }
    let name = |i: usize| stack.services[i].name.value.as_str();
    let mut components: Vec<Vec<usize>> = tarjan_scc(&graph)
        .into_iter()
        .filter(|c| c.len() > 1)
        .map(|c| {
            let mut members: Vec<usize> = c.into_iter().map(|n| graph[n]).collect();
            members.sort_by(|a, b| name(*a).cmp(name(*b)));
            members
        })
        .collect();
    components.sort_by(|a, b| name(a[0]).cmp(name(b[0])));
    for component in components {
        let cycle = find_cycle(&component, deps, stack);
        diagnostics.push(cycle_diagnostic(&cycle, stack));
    }
}

/// A shortest cycle through the first member of a strongly connected component,
/// as `(service, span of its edge to the next)` pairs.
fn find_cycle(
    component: &[usize],
    deps: &[Vec<(ServiceId, Span)>],
    stack: &Stack,
) -> Vec<(usize, Span)> {
    let members: BTreeSet<usize> = component.iter().copied().collect();
    let start = component[0];
    let mut previous: Vec<Option<(usize, Span)>> = vec![None; stack.services.len()];
    let mut queue = std::collections::VecDeque::from([start]);
    let mut seen: BTreeSet<usize> = BTreeSet::new();
    let mut closing: Option<(usize, Span)> = None;
    while let Some(current) = queue.pop_front() {
        let mut targets: Vec<(ServiceId, Span)> = deps[current].clone();
        targets.sort_by(|a, b| {
            stack.services[a.0.0]
                .name
                .value
                .cmp(&stack.services[b.0.0].name.value)
        });
        for (next, span) in targets {
            if !members.contains(&next.0) {
                continue;
            }
            if next.0 == start {
                closing = Some((current, span));
                break;
            }
            if seen.insert(next.0) {
                previous[next.0] = Some((current, span));
                queue.push_back(next.0);
            }
        }
        if closing.is_some() {
            break;
        }
    }
    let Some((last, last_span)) = closing else {
        return vec![(start, stack.services[start].span)];
    };
    let mut path = vec![(last, last_span)];
    let mut current = last;
    while current != start {
        let Some((before, span)) = previous[current] else {
            break;
        };
        path.push((before, span));
        current = before;
    }
    path.reverse();
    path
}

fn cycle_diagnostic(cycle: &[(usize, Span)], stack: &Stack) -> Diagnostic {
    let name = |i: usize| stack.services[i].name.value.as_str();
    let mut names: Vec<&str> = cycle.iter().map(|(i, _)| name(*i)).collect();
    names.push(name(cycle[0].0));
    let path = names.join(" -> ");
    let mut diagnostic = Diagnostic::new(
        Code::E0302,
        cycle[0].1,
        format!(
            "service `{}` has a circular deploy dependency `{path}`",
            name(cycle[0].0)
        ),
    )
    .label(format!("`{}` deploys after `{}` here", names[0], names[1]));
    for (k, (_, span)) in cycle.iter().enumerate().skip(1) {
        diagnostic = diagnostic.also(
            *span,
            format!("`{}` deploys after `{}` here", names[k], names[k + 1]),
        );
    }
    diagnostic.help(format!(
        "no order deploys them all; if `{}` only calls `{}` at run time, write `link {} {{ deploy_order = false }}`, or take `{}` out of its `after`",
        names[names.len() - 2],
        names[names.len() - 1],
        names[names.len() - 1],
        names[names.len() - 1]
    ))
}

/// Edges for traffic that is not a link: public references and post-deploy steps.
pub fn traffic_edge(traffic: Traffic, orders_deploy: bool, span: Span) -> Edge {
    Edge {
        traffic,
        orders_deploy,
        span,
    }
}
