//! What a drawing of the stack shows, whatever the format: a node per service
//! and store with the lines its box holds, its layer (deploy order, stores at
//! the bottom), and an edge per link.

use crate::model::{Service, StoreKind};
use crate::topology::{Node, ServiceId, StoreId, Topology, Traffic};

/// How a node is drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A service with public IPs.
    Public,
    /// A service with none.
    Private,
    /// A managed data store.
    Store,
}

/// One box.
#[derive(Clone, Debug)]
pub struct DiagramNode {
    /// Which service or store.
    pub node: Node,
    /// The name in the `.flyx` file.
    pub name: String,
    /// The lines under the name: exposure and ports, volumes, placement.
    pub lines: Vec<String>,
    /// How it is drawn.
    pub kind: NodeKind,
    /// Layer from the top: the last deploy level first, stores last.
    pub layer: usize,
    /// The primary region.
    pub region: String,
}

/// One arrow: the source uses the target.
#[derive(Clone, Debug)]
pub struct DiagramEdge {
    /// Index of the source node.
    pub from: usize,
    /// Index of the target node.
    pub to: usize,
    /// How traffic flows.
    pub traffic: Traffic,
    /// Whether the source deploys after the target.
    pub orders_deploy: bool,
}

/// A drawing's content.
#[derive(Clone, Debug)]
pub struct Diagram {
    /// Boxes, services in name order, then stores in name order.
    pub nodes: Vec<DiagramNode>,
    /// Arrows, in graph order.
    pub edges: Vec<DiagramEdge>,
    /// Number of layers.
    pub layers: usize,
}

impl Diagram {
    /// The diagram of a checked topology.
    pub fn of(topology: &Topology) -> Diagram {
        let top = topology.levels.len();
        let mut nodes = Vec::new();
        let mut index_of = std::collections::BTreeMap::new();
        for id in topology.services_by_name() {
            let level = topology
                .levels
                .iter()
                .position(|l| l.contains(&id))
                .unwrap_or(0);
            index_of.insert(Node::Service(id), nodes.len());
            nodes.push(service_node(
                topology,
                id,
                top.saturating_sub(1) - level.min(top.saturating_sub(1)),
            ));
        }
        let mut stores: Vec<usize> = (0..topology.stack.stores.len()).collect();
        stores.sort_by(|a, b| {
            topology.stack.stores[*a]
                .name
                .value
                .cmp(&topology.stack.stores[*b].name.value)
        });
        for i in stores {
            index_of.insert(Node::Store(StoreId(i)), nodes.len());
            nodes.push(store_node(topology, StoreId(i), top));
        }
        let mut edges = Vec::new();
        for edge in topology.graph.edge_indices() {
            let Some((a, b)) = topology.graph.edge_endpoints(edge) else {
                continue;
            };
            let weight = topology.graph[edge];
            let (Some(from), Some(to)) = (
                index_of.get(&topology.graph[a]),
                index_of.get(&topology.graph[b]),
            ) else {
                continue;
            };
            edges.push(DiagramEdge {
                from: *from,
                to: *to,
                traffic: weight.traffic,
                orders_deploy: weight.orders_deploy,
            });
        }
        let layers = if topology.stack.stores.is_empty() {
            top
        } else {
            top + 1
        };
        Diagram {
            nodes,
            edges,
            layers: layers.max(1),
        }
    }

    /// Whether the stack runs in more than one primary region.
    pub fn regions(&self) -> Vec<String> {
        let mut regions: Vec<String> = self.nodes.iter().map(|n| n.region.clone()).collect();
        regions.sort();
        regions.dedup();
        regions
    }
}

fn service_node(topology: &Topology, id: ServiceId, layer: usize) -> DiagramNode {
    let service = topology.service(id);
    let resolved = topology.resolved(id);
    let mut lines = vec![exposure(service, resolved.public, resolved.flycast)];
    for placement in &resolved.volume_placements {
        let volume = &service.volumes[placement.volume];
        let line = format!(
            "vol {} {}GB",
            volume.name.value,
            volume.size_gb.map_or(1, |s| s.value)
        );
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    let machines: Vec<String> = resolved
        .placements
        .iter()
        .map(|(region, n)| format!("{region}×{n}"))
        .collect();
    lines.push(machines.join(" "));
    DiagramNode {
        node: Node::Service(id),
        name: service.name.value.clone(),
        lines,
        kind: if resolved.public {
            NodeKind::Public
        } else {
            NodeKind::Private
        },
        layer,
        region: resolved.primary_region.code().to_string(),
    }
}

/// `public :8080` or `private :4222 :8222`, with `flycast` when reached so.
fn exposure(service: &Service, public: bool, flycast: bool) -> String {
    let mut ports: Vec<u16> = service
        .http
        .iter()
        .map(|h| h.port.value)
        .chain(service.ports.iter().map(|p| p.internal.value))
        .collect();
    ports.sort_unstable();
    ports.dedup();
    let mut text = String::from(if public { "public" } else { "private" });
    if flycast {
        text.push_str(" flycast");
    }
    for port in ports {
        text.push_str(&format!(" :{port}"));
    }
    text
}

fn store_node(topology: &Topology, id: StoreId, layer: usize) -> DiagramNode {
    let store = topology.store(id);
    let kind = match &store.kind {
        StoreKind::Postgres(crate::model::Postgres::Managed(_)) => "Managed Postgres",
        StoreKind::Postgres(crate::model::Postgres::Legacy(_)) => "Fly Postgres",
        StoreKind::Redis(_) => "Upstash Redis",
    };
    let region = store
        .region
        .map_or(String::new(), |r| r.value.code().to_string());
    DiagramNode {
        node: Node::Store(id),
        name: store.name.value.clone(),
        lines: vec![kind.to_string(), store.app.value.clone()],
        kind: NodeKind::Store,
        layer,
        region,
    }
}
