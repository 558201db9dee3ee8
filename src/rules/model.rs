//! The rules' view of the desired graph: instances indexed by type and by ARM name, and the
//! relations between them resolved once (peering → circuit, connection → gateway and circuit,
//! gateway → GatewaySubnet → virtual network, Global Reach link → both peerings, …), with their
//! inverses. A reference is resolved from a known id or name when there is one, otherwise from the
//! instance's dependency edges (a computed `id` is unknown until apply, but referencing it made
//! an edge); what cannot be resolved stays [`Link::Unknown`] and the rules stay silent about it.
//! Building is linear in instances plus edges. It reports nothing.

use super::RuleSettings;
use super::armid::{ArmId, resource_key};
use crate::config::addr::{Mode, ResourceInstanceAddr};
use crate::desired::Desired;
use crate::diag::{FileId, Span};
use crate::lang::Value;
use std::collections::{BTreeMap, HashMap};

pub(crate) const CIRCUIT: &str = "azurerm_express_route_circuit";
pub(crate) const PEERING: &str = "azurerm_express_route_circuit_peering";
pub(crate) const AUTHORIZATION: &str = "azurerm_express_route_circuit_authorization";
pub(crate) const GLOBAL_REACH: &str = "azurerm_express_route_circuit_connection";
pub(crate) const ROUTE_FILTER: &str = "azurerm_route_filter";
pub(crate) const VNET: &str = "azurerm_virtual_network";
pub(crate) const SUBNET: &str = "azurerm_subnet";
pub(crate) const GATEWAY: &str = "azurerm_virtual_network_gateway";
pub(crate) const CONNECTION: &str = "azurerm_virtual_network_gateway_connection";
pub(crate) const LOCAL_GATEWAY: &str = "azurerm_local_network_gateway";
pub(crate) const PUBLIC_IP: &str = "azurerm_public_ip";

/// ARM resource type of a top-level azurerm type, for building keys.
fn arm_type(type_name: &str) -> Option<&'static str> {
    Some(match type_name {
        CIRCUIT => "expressRouteCircuits",
        ROUTE_FILTER => "routeFilters",
        VNET => "virtualNetworks",
        GATEWAY => "virtualNetworkGateways",
        CONNECTION => "connections",
        LOCAL_GATEWAY => "localNetworkGateways",
        PUBLIC_IP => "publicIPAddresses",
        _ => return None,
    })
}

/// One resource instance (or data source) as the rules see it.
pub(crate) struct Node<'a> {
    pub addr: &'a ResourceInstanceAddr,
    pub type_name: &'a str,
    pub value: &'a Value,
    pub span: Option<Span>,
    pub attr_spans: Option<&'a BTreeMap<String, Span>>,
    /// A managed resource (checks apply), not a data source (only read for context).
    pub managed: bool,
    pub provider_alias: Option<&'a str>,
    /// `name` and `resource_group_name`, looked up once (every rule and index needs them).
    name: Option<&'a str>,
    resource_group: Option<&'a str>,
}

impl<'a> Node<'a> {
    pub fn new(
        addr: &'a ResourceInstanceAddr,
        value: &'a Value,
        span: Option<Span>,
        attr_spans: Option<&'a BTreeMap<String, Span>>,
        provider_alias: Option<&'a str>,
    ) -> Node<'a> {
        Node {
            addr,
            type_name: addr.resource.type_name.as_str(),
            value,
            span,
            attr_spans,
            managed: addr.resource.mode == Mode::Managed,
            provider_alias,
            name: value.get_attr("name").and_then(Value::as_str),
            resource_group: value
                .get_attr("resource_group_name")
                .and_then(Value::as_str),
        }
    }

    /// An attribute by path: `name`, `sku.tier` (first block), `ip_configuration[1].subnet_id`.
    pub fn get(&self, path: &str) -> Option<&Value> {
        get_path(self.value, path)
    }

    /// A known string attribute (sensitive marks removed).
    pub fn str(&self, path: &str) -> Option<&str> {
        self.get(path).and_then(Value::as_str)
    }

    pub fn int(&self, path: &str) -> Option<i64> {
        self.get(path).and_then(Value::as_i64)
    }

    pub fn bool(&self, path: &str) -> Option<bool> {
        self.get(path).and_then(Value::as_bool)
    }

    /// True when the attribute is null or absent (known not to be set).
    pub fn is_null(&self, path: &str) -> bool {
        match self.get(path) {
            None => true,
            Some(v) => v.is_null(),
        }
    }

    /// Elements of a list or set attribute, or of a repeated block.
    pub fn list(&self, path: &str) -> &[Value] {
        self.get(path).and_then(Value::as_list).unwrap_or(&[])
    }

    /// Known strings of a list attribute; `None` when the list or any element is unknown.
    pub fn strings(&self, path: &str) -> Option<Vec<&str>> {
        let value = self.get(path)?;
        if value.is_null() {
            return Some(Vec::new());
        }
        let items = value.as_list()?;
        items.iter().map(Value::as_str).collect()
    }

    /// The span of the first of these argument paths that is written in the configuration, else
    /// the resource block's header.
    pub fn span_of(&self, paths: &[&str]) -> Span {
        let fallback = self.span.unwrap_or(Span::new(FileId(u32::MAX), 0..0));
        let Some(spans) = self.attr_spans else {
            return fallback;
        };
        for path in paths {
            let mut candidate: &str = path;
            loop {
                if let Some(span) = spans.get(candidate) {
                    return *span;
                }
                // `sku.tier` not written (defaulted)? Point at `sku`.
                match candidate.rfind('.') {
                    Some(i) => candidate = &candidate[..i],
                    None => break,
                }
            }
        }
        fallback
    }

    pub fn name(&self) -> Option<&'a str> {
        self.name
    }

    pub fn resource_group(&self) -> Option<&'a str> {
        self.resource_group
    }
}

/// An attribute path into an object value: `a.b` takes the first element of a block list `a`;
/// `a[2].b` an explicit element.
pub(crate) fn get_path<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    // Most lookups are one plain attribute name.
    if !path.contains(['.', '[']) {
        return value.get_attr(path);
    }
    let mut current = value;
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        let (name, index) = match part.split_once('[') {
            Some((name, rest)) => (
                name,
                Some(rest.trim_end_matches(']').parse::<usize>().ok()?),
            ),
            None => (part, None),
        };
        let next = current.get_attr(name)?;
        current = match (next.unmark().0, index) {
            (Value::List(items) | Value::Set(items), Some(ix)) => items.get(ix)?,
            (Value::List(items) | Value::Set(items), None) if !last => items.first()?,
            _ => next,
        };
    }
    Some(current)
}

/// Where a reference leads.
#[derive(Clone, Debug)]
pub(crate) enum Link {
    /// Not set.
    None,
    /// An instance of the configuration (managed or data source).
    Instance(usize),
    /// A resource outside the configuration, named by a literal id.
    External(Box<ArmId>),
    /// Set, but which object it names is not known yet.
    Unknown,
}

impl Link {
    pub fn instance(&self) -> Option<usize> {
        match self {
            Link::Instance(i) => Some(*i),
            _ => None,
        }
    }
}

/// The relations of one instance, by its kind.
#[derive(Clone, Debug)]
pub(crate) enum Rel {
    None,
    Peering {
        circuit: Link,
        route_filter: Link,
    },
    Authorization {
        circuit: Link,
    },
    Subnet {
        vnet: Link,
    },
    Gateway {
        subnets: Vec<Link>,
    },
    Connection {
        gateway: Link,
        circuit: Link,
        local_gateway: Link,
        authorization: Link,
    },
    GlobalReach {
        ends: [Link; 2],
    },
}

/// The indexed graph.
pub(crate) struct Model<'a> {
    pub nodes: Vec<Node<'a>>,
    deps: Vec<&'a [usize]>,
    by_type: HashMap<&'a str, Vec<usize>>,
    keys: HashMap<String, usize>,
    pub rel: Vec<Rel>,
    /// Inverse relations (instance → instances pointing at it), each list in index order.
    pub peerings_of: HashMap<usize, Vec<usize>>,
    pub authorizations_of: HashMap<usize, Vec<usize>>,
    pub connections_of_circuit: HashMap<usize, Vec<usize>>,
    pub connections_of_gateway: HashMap<usize, Vec<usize>>,
    pub connections_of_authorization: HashMap<usize, Vec<usize>>,
    pub global_reach_of_peering: HashMap<usize, Vec<usize>>,
    pub subnets_of: HashMap<usize, Vec<usize>>,
    pub gateways_of_subnet: HashMap<usize, Vec<usize>>,
    pub peerings_of_route_filter: HashMap<usize, Vec<usize>>,
    pub subscriptions: &'a BTreeMap<String, String>,
}

impl<'a> Model<'a> {
    pub fn from_desired(desired: &'a Desired, settings: &'a RuleSettings) -> Model<'a> {
        let nodes = desired
            .instances
            .iter()
            .map(|i| {
                Node::new(
                    &i.addr,
                    &i.value,
                    Some(i.span),
                    Some(&*i.attr_spans),
                    i.provider_alias.as_deref(),
                )
            })
            .collect::<Vec<_>>();
        let deps = (0..nodes.len())
            .map(|i| {
                if i < desired.graph.len() {
                    desired.graph.dependencies(i)
                } else {
                    &[][..]
                }
            })
            .collect();
        Model::build(nodes, deps, &settings.subscriptions)
    }

    pub fn build(
        nodes: Vec<Node<'a>>,
        deps: Vec<&'a [usize]>,
        subscriptions: &'a BTreeMap<String, String>,
    ) -> Model<'a> {
        let mut model = Model {
            rel: vec![Rel::None; nodes.len()],
            nodes,
            deps,
            by_type: HashMap::new(),
            keys: HashMap::new(),
            peerings_of: HashMap::new(),
            authorizations_of: HashMap::new(),
            connections_of_circuit: HashMap::new(),
            connections_of_gateway: HashMap::new(),
            connections_of_authorization: HashMap::new(),
            global_reach_of_peering: HashMap::new(),
            subnets_of: HashMap::new(),
            gateways_of_subnet: HashMap::new(),
            peerings_of_route_filter: HashMap::new(),
            subscriptions,
        };
        model.deps.resize(model.nodes.len(), &[]);
        for (i, node) in model.nodes.iter().enumerate() {
            model.by_type.entry(node.type_name).or_default().push(i);
            if let Some(key) = node_key(node) {
                // The first managed resource wins a name; a data source only when none is managed.
                let slot = model.keys.entry(key).or_insert(i);
                if !model.nodes[*slot].managed && node.managed {
                    *slot = i;
                }
            }
        }
        for i in 0..model.nodes.len() {
            model.rel[i] = model.resolve_relations(i);
        }
        model.index_inverses();
        model
    }

    /// Managed instances of a type, in evaluation order.
    pub fn managed(&self, type_name: &str) -> impl Iterator<Item = usize> + '_ {
        self.by_type
            .get(type_name)
            .map(|v| v.as_slice())
            .unwrap_or(&[])
            .iter()
            .copied()
            .filter(|&i| self.nodes[i].managed)
    }

    pub fn node(&self, i: usize) -> &Node<'a> {
        &self.nodes[i]
    }

    /// A printable address.
    pub fn addr(&self, i: usize) -> String {
        self.nodes[i].addr.to_string()
    }

    /// True when `from` already depends on `to` through a reference or `depends_on`.
    pub fn depends_directly(&self, from: usize, to: usize) -> bool {
        self.deps.get(from).is_some_and(|d| d.contains(&to))
    }

    fn dep_of_type(&self, from: usize, target: &str, exclude: &[usize]) -> Link {
        let mut found = None;
        for &d in self.deps[from] {
            if d < self.nodes.len() && self.nodes[d].type_name == target && !exclude.contains(&d) {
                if found.is_some_and(|f| f != d) {
                    return Link::Unknown;
                }
                found = Some(d);
            }
        }
        found.map(Link::Instance).unwrap_or(Link::Unknown)
    }

    /// Resolve an id-valued attribute that should name a `target` resource.
    fn link_id(&self, from: usize, value: Option<&Value>, target: &str, exclude: &[usize]) -> Link {
        let Some(value) = value else {
            return Link::None;
        };
        let (value, _) = value.unmark();
        match value {
            Value::Null => Link::None,
            Value::String(text) => match ArmId::parse(text) {
                Some(id) => match self.keys.get(&id.key()) {
                    Some(&i) if self.nodes[i].type_name == target => Link::Instance(i),
                    _ => Link::External(Box::new(id)),
                },
                None => Link::Unknown,
            },
            _ => self.dep_of_type(from, target, exclude),
        }
    }

    /// Resolve a parent named by `name` plus `resource_group_name` (peerings, authorizations,
    /// subnets), falling back to dependency edges.
    fn link_parent(&self, from: usize, name_attr: &str, arm: &str, target: &str) -> Link {
        let node = &self.nodes[from];
        if let (Some(rg), Some(name)) = (node.resource_group(), node.str(name_attr)) {
            let key = resource_key(rg, &[(arm, name)]);
            if let Some(&i) = self.keys.get(&key)
                && self.nodes[i].type_name == target
            {
                return Link::Instance(i);
            }
            // A name no configured resource has: the parent the instance depends on, if one,
            // else a resource outside the configuration.
            if let Link::Instance(i) = self.dep_of_type(from, target, &[]) {
                return Link::Instance(i);
            }
            return Link::External(Box::new(ArmId {
                subscription: String::new(),
                resource_group: rg.to_string(),
                segments: vec![(arm.to_string(), name.to_string())],
            }));
        }
        self.dep_of_type(from, target, &[])
    }

    fn resolve_relations(&self, i: usize) -> Rel {
        let node = &self.nodes[i];
        match node.type_name {
            PEERING => Rel::Peering {
                circuit: self.link_parent(
                    i,
                    "express_route_circuit_name",
                    "expressRouteCircuits",
                    CIRCUIT,
                ),
                route_filter: self.link_id(i, node.get("route_filter_id"), ROUTE_FILTER, &[]),
            },
            AUTHORIZATION => Rel::Authorization {
                circuit: self.link_parent(
                    i,
                    "express_route_circuit_name",
                    "expressRouteCircuits",
                    CIRCUIT,
                ),
            },
            SUBNET => Rel::Subnet {
                vnet: self.link_parent(i, "virtual_network_name", "virtualNetworks", VNET),
            },
            GATEWAY => {
                let configs = node.list("ip_configuration");
                let mut subnets: Vec<Link> = configs
                    .iter()
                    .map(|c| match c.get_attr("subnet_id") {
                        Some(v) if v.is_unknown() => Link::Unknown,
                        other => self.link_id(i, other, SUBNET, &[]),
                    })
                    .collect();
                // Unknown subnet ids: the gateway's subnet dependency, when there is just one.
                let known: Vec<usize> = subnets.iter().filter_map(Link::instance).collect();
                for link in subnets.iter_mut() {
                    if matches!(link, Link::Unknown) {
                        *link = self.dep_of_type(i, SUBNET, &known);
                    }
                }
                Rel::Gateway { subnets }
            }
            CONNECTION => {
                let authorization = if node.is_null("authorization_key") {
                    Link::None
                } else {
                    self.dep_of_type(i, AUTHORIZATION, &[])
                };
                Rel::Connection {
                    gateway: self.link_id(i, node.get("virtual_network_gateway_id"), GATEWAY, &[]),
                    circuit: self.link_id(i, node.get("express_route_circuit_id"), CIRCUIT, &[]),
                    local_gateway: self.link_id(
                        i,
                        node.get("local_network_gateway_id"),
                        LOCAL_GATEWAY,
                        &[],
                    ),
                    authorization,
                }
            }
            GLOBAL_REACH => {
                let first = node.get("peering_id");
                let second = node.get("peer_peering_id");
                let known = |v: Option<&Value>| match v.map(|v| v.unmark().0) {
                    Some(Value::String(_)) => self.link_id(i, v, PEERING, &[]).instance(),
                    _ => None,
                };
                let claimed: Vec<usize> = [known(first), known(second)]
                    .into_iter()
                    .flatten()
                    .collect();
                let a = self.link_id(i, first, PEERING, &claimed);
                let b = self.link_id(i, second, PEERING, &claimed);
                // Two unknown ids and two peering dependencies: which is which does not matter to
                // the symmetric rules, so take them in index order.
                let (a, b) = match (&a, &b) {
                    (Link::Unknown, Link::Unknown) => {
                        let peerings: Vec<usize> = self.deps[i]
                            .iter()
                            .copied()
                            .filter(|&d| d < self.nodes.len() && self.nodes[d].type_name == PEERING)
                            .collect();
                        if peerings.len() == 2 {
                            (Link::Instance(peerings[0]), Link::Instance(peerings[1]))
                        } else {
                            (a, b)
                        }
                    }
                    (Link::Unknown, Link::Instance(known))
                    | (Link::Instance(known), Link::Unknown) => {
                        let other = self.dep_of_type(i, PEERING, &[*known]);
                        if matches!(a, Link::Unknown) {
                            (other, b)
                        } else {
                            (a, other)
                        }
                    }
                    _ => (a, b),
                };
                Rel::GlobalReach { ends: [a, b] }
            }
            _ => Rel::None,
        }
    }

    fn index_inverses(&mut self) {
        for i in 0..self.nodes.len() {
            match &self.rel[i] {
                Rel::Peering {
                    circuit,
                    route_filter,
                } => {
                    if let Some(c) = circuit.instance() {
                        self.peerings_of.entry(c).or_default().push(i);
                    }
                    if let Some(f) = route_filter.instance() {
                        self.peerings_of_route_filter.entry(f).or_default().push(i);
                    }
                }
                Rel::Authorization { circuit } => {
                    if let Some(c) = circuit.instance() {
                        self.authorizations_of.entry(c).or_default().push(i);
                    }
                }
                Rel::Subnet { vnet } => {
                    if let Some(v) = vnet.instance() {
                        self.subnets_of.entry(v).or_default().push(i);
                    }
                }
                Rel::Gateway { subnets } => {
                    let mut seen = Vec::new();
                    for s in subnets.iter().filter_map(Link::instance) {
                        if !seen.contains(&s) {
                            seen.push(s);
                            self.gateways_of_subnet.entry(s).or_default().push(i);
                        }
                    }
                }
                Rel::Connection {
                    gateway,
                    circuit,
                    authorization,
                    ..
                } => {
                    if let Some(g) = gateway.instance() {
                        self.connections_of_gateway.entry(g).or_default().push(i);
                    }
                    if let Some(c) = circuit.instance() {
                        self.connections_of_circuit.entry(c).or_default().push(i);
                    }
                    if let Some(a) = authorization.instance() {
                        self.connections_of_authorization
                            .entry(a)
                            .or_default()
                            .push(i);
                    }
                }
                Rel::GlobalReach { ends } => {
                    let mut seen = Vec::new();
                    for p in ends.iter().filter_map(Link::instance) {
                        if !seen.contains(&p) {
                            seen.push(p);
                            self.global_reach_of_peering.entry(p).or_default().push(i);
                        }
                    }
                }
                Rel::None => {}
            }
        }
    }

    // ----- derived relations used by several rules -----

    pub fn circuit_of_peering(&self, peering: usize) -> Option<usize> {
        match &self.rel[peering] {
            Rel::Peering { circuit, .. } => circuit.instance(),
            _ => None,
        }
    }

    pub fn route_filter_of_peering(&self, peering: usize) -> &Link {
        match &self.rel[peering] {
            Rel::Peering { route_filter, .. } => route_filter,
            _ => &Link::None,
        }
    }

    pub fn circuit_of_authorization(&self, authorization: usize) -> Option<usize> {
        match &self.rel[authorization] {
            Rel::Authorization { circuit } => circuit.instance(),
            _ => None,
        }
    }

    pub fn vnet_of_subnet(&self, subnet: usize) -> Option<usize> {
        match &self.rel[subnet] {
            Rel::Subnet { vnet } => vnet.instance(),
            _ => None,
        }
    }

    /// The subnets a gateway's ip configurations name (resolved ones only).
    pub fn subnets_of_gateway(&self, gateway: usize) -> Vec<usize> {
        match &self.rel[gateway] {
            Rel::Gateway { subnets } => {
                let mut out: Vec<usize> = subnets.iter().filter_map(Link::instance).collect();
                out.dedup();
                out
            }
            _ => Vec::new(),
        }
    }

    /// The virtual network a gateway sits in (through its subnet).
    pub fn vnet_of_gateway(&self, gateway: usize) -> Option<usize> {
        self.subnets_of_gateway(gateway)
            .into_iter()
            .find_map(|s| self.vnet_of_subnet(s))
    }

    pub fn connection(&self, connection: usize) -> Option<(&Link, &Link, &Link, &Link)> {
        match &self.rel[connection] {
            Rel::Connection {
                gateway,
                circuit,
                local_gateway,
                authorization,
            } => Some((gateway, circuit, local_gateway, authorization)),
            _ => None,
        }
    }

    pub fn gateway_of_connection(&self, connection: usize) -> Option<usize> {
        self.connection(connection).and_then(|(g, ..)| g.instance())
    }

    pub fn circuit_of_connection(&self, connection: usize) -> Option<usize> {
        self.connection(connection)
            .and_then(|(_, c, ..)| c.instance())
    }

    /// The two peering ends of a Global Reach link.
    pub fn global_reach_ends(&self, link: usize) -> Option<&[Link; 2]> {
        match &self.rel[link] {
            Rel::GlobalReach { ends } => Some(ends),
            _ => None,
        }
    }

    /// ExpressRoute connections of a circuit (connections whose type is not known count too:
    /// only a circuit id makes a connection point at a circuit).
    pub fn connections_of(&self, circuit: usize) -> &[usize] {
        edges(&self.connections_of_circuit, circuit)
    }

    /// Global Reach links on any peering of the circuit.
    pub fn global_reach_of_circuit(&self, circuit: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for &p in edges(&self.peerings_of, circuit) {
            for &g in edges(&self.global_reach_of_peering, p) {
                if !out.contains(&g) {
                    out.push(g);
                }
            }
        }
        out
    }

    /// Virtual networks linked to a circuit: `(connection, vnet)` for each connection whose
    /// gateway's virtual network is resolved.
    pub fn linked_vnets(&self, circuit: usize) -> Vec<(usize, usize)> {
        self.connections_of(circuit)
            .iter()
            .filter_map(|&c| {
                let g = self.gateway_of_connection(c)?;
                Some((c, self.vnet_of_gateway(g)?))
            })
            .collect()
    }

    /// Circuits linked to a virtual network: `(connection, circuit)` through its gateways.
    pub fn linked_circuits(&self, vnet: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        for g in self.gateways_of_vnet(vnet) {
            for &c in edges(&self.connections_of_gateway, g) {
                if let Some(circuit) = self.circuit_of_connection(c)
                    && !out.iter().any(|&(_, k)| k == circuit)
                {
                    out.push((c, circuit));
                }
            }
        }
        out
    }

    /// Gateways in a virtual network.
    pub fn gateways_of_vnet(&self, vnet: usize) -> Vec<usize> {
        let mut out = Vec::new();
        for &s in edges(&self.subnets_of, vnet) {
            for &g in edges(&self.gateways_of_subnet, s) {
                if !out.contains(&g) {
                    out.push(g);
                }
            }
        }
        out
    }

    /// The subscription an instance lives in, when the configuration says so literally.
    pub fn subscription_of(&self, i: usize) -> Option<&str> {
        let alias = self.nodes[i].provider_alias.unwrap_or("");
        self.subscriptions.get(alias).map(String::as_str)
    }
}

/// The instances one index maps `from` to (none when it has no entry).
fn edges(index: &HashMap<usize, Vec<usize>>, from: usize) -> &[usize] {
    index.get(&from).map(Vec::as_slice).unwrap_or(&[])
}

/// The key of an instance for matching literal ids (`rg/expressroutecircuits/er1/peerings/…`).
fn node_key(node: &Node<'_>) -> Option<String> {
    let rg = node.resource_group()?;
    let name = || node.name();
    match node.type_name {
        PEERING => Some(resource_key(
            rg,
            &[
                (
                    "expressRouteCircuits",
                    node.str("express_route_circuit_name")?,
                ),
                ("peerings", node.str("peering_type")?),
            ],
        )),
        AUTHORIZATION => Some(resource_key(
            rg,
            &[
                (
                    "expressRouteCircuits",
                    node.str("express_route_circuit_name")?,
                ),
                ("authorizations", name()?),
            ],
        )),
        SUBNET => Some(resource_key(
            rg,
            &[
                ("virtualNetworks", node.str("virtual_network_name")?),
                ("subnets", name()?),
            ],
        )),
        other => Some(resource_key(rg, &[(arm_type(other)?, name()?)])),
    }
}
