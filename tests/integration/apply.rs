//! `apply`, `destroy`, refresh, `import` and `output` end to end on the in-process emulator, each test
//! in its own temporary folder: the quick-start example through update, replacement, site removal and
//! destroy; apply-then-plan over generated estates (proptest); SIGKILL at random moments and
//! convergence; two applies at once; drift and `--refresh-only`; `import` and `import` blocks; data
//! sources; and the manual provisioning flow of the provider gate. The binary is run as a user would;
//! the emulator's database is opened directly only to change or inspect the cloud behind its back.

use peerform::arm::ResourceId;
use peerform::emulator::{Emulator, EmulatorConfig};
use peerform::lang::Value;
use peerform::provider::{ArmClient, ClientOptions, Provider};
use proptest::prelude::*;
use serde_json::json;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

/// The subscription the in-process emulator uses when none is configured.
const SUB: &str = "00000000-0000-0000-0000-000000000000";

// ---------------------------------------------------------------------------------------------
// Running the binary.

use super::support::binary;

fn command(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(binary());
    command
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("PEERFORM_CLOUD")
        .env_remove("ARM_SUBSCRIPTION_ID")
        .stdin(Stdio::null());
    command
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn describe(&self) -> String {
        format!(
            "exit code {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let output = command(dir, args).output().expect("run peerform");
    Run {
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Run and require exit code 0.
fn ok(dir: &Path, args: &[&str]) -> Run {
    let r = run(dir, args);
    assert_eq!(r.code, Some(0), "peerform {args:?}\n{}", r.describe());
    r
}

/// `plan --detailed-exitcode` must say there is nothing to do.
fn assert_plans_clean(dir: &Path) {
    let r = run(dir, &["plan", "--detailed-exitcode"]);
    assert_eq!(
        r.code,
        Some(0),
        "plan after apply is not clean\n{}",
        r.describe()
    );
    assert!(r.stdout.contains("No changes."), "{}", r.describe());
}

/// Line index of the first stderr line containing `text`.
fn line_of(run: &Run, text: &str) -> usize {
    run.stderr
        .lines()
        .position(|l| l.contains(text))
        .unwrap_or_else(|| panic!("no line with {text:?}\n{}", run.describe()))
}

// ---------------------------------------------------------------------------------------------
// Looking at the cloud and the state.

fn provider(dir: &Path) -> Provider {
    let emulator = Emulator::open(dir, EmulatorConfig::default()).expect("open the emulator");
    Provider::new(ArmClient::new(
        Arc::new(emulator),
        None,
        ClientOptions::for_emulator(SUB),
    ))
}

/// Every object the emulator holds (by lower-cased ARM id), except the read-only mirrors and the
/// route filter rules azurerm manages inside their route filter.
fn emulator_ids(dir: &Path) -> BTreeSet<String> {
    fn collect(value: &serde_json::Value, out: &mut BTreeSet<String>) {
        match value {
            serde_json::Value::Object(map) => {
                if let (Some(id), Some(kind)) = (
                    map.get("id").and_then(|v| v.as_str()),
                    map.get("type").and_then(|v| v.as_str()),
                ) && !kind.ends_with("peerConnections")
                    && !kind.ends_with("routeFilterRules")
                {
                    out.insert(id.to_ascii_lowercase());
                }
                map.values().for_each(|v| collect(v, out));
            }
            serde_json::Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let provider = provider(dir);
    let client = provider.client();
    let mut out = BTreeSet::new();
    let mut urls = vec![format!(
        "/subscriptions/{SUB}/resourcegroups?api-version=2024-03-01"
    )];
    for kind in [
        "virtualNetworks",
        "publicIPAddresses",
        "virtualNetworkGateways",
        "localNetworkGateways",
        "connections",
        "expressRouteCircuits",
        "routeFilters",
    ] {
        urls.push(format!(
            "/subscriptions/{SUB}/providers/Microsoft.Network/{kind}?api-version=2025-09-01"
        ));
    }
    for url in urls {
        for item in client.list(&url).expect("list the emulator") {
            collect(&item, &mut out);
        }
    }
    out
}

fn state_json(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("peerform.tfstate")).expect("read the state");
    serde_json::from_str(&text).expect("the state is JSON")
}

/// The ARM ids of the managed objects in the state, lower-cased.
fn state_ids(dir: &Path) -> BTreeSet<String> {
    let state = state_json(dir);
    state["resources"]
        .as_object()
        .map(|m| {
            m.iter()
                .filter(|(a, _)| !a.starts_with("data."))
                .map(|(_, r)| r["id"].as_str().unwrap_or("").to_ascii_lowercase())
                .collect()
        })
        .unwrap_or_default()
}

/// The state names exactly the objects the emulator holds: no orphan, nothing missing, no intent
/// left behind and nothing tainted.
fn assert_state_matches_emulator(dir: &Path) {
    let in_state = state_ids(dir);
    let in_cloud = emulator_ids(dir);
    let orphans: Vec<_> = in_cloud.difference(&in_state).collect();
    let missing: Vec<_> = in_state.difference(&in_cloud).collect();
    assert!(
        orphans.is_empty() && missing.is_empty(),
        "state and emulator differ\nin the emulator only: {orphans:#?}\nin the state only: {missing:#?}"
    );
    let state = state_json(dir);
    assert_eq!(
        state["intents"].as_object().map(|m| m.len()),
        Some(0),
        "create intents left in the state"
    );
    for (address, r) in state["resources"].as_object().into_iter().flatten() {
        assert_eq!(r["status"], "ready", "{address} is not ready");
    }
}

fn circuit_id(rg: &str, name: &str) -> String {
    format!(
        "/subscriptions/{SUB}/resourceGroups/{rg}/providers/Microsoft.Network/expressRouteCircuits/{name}"
    )
}

fn get(dir: &Path, id: &str) -> Option<serde_json::Value> {
    let id = ResourceId::parse(id).expect("an ARM id");
    provider(dir)
        .client()
        .get(&id)
        .expect("GET from the emulator")
}

// ---------------------------------------------------------------------------------------------
// Configurations.

fn temp_dir() -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix("peerform-apply-")
        .tempdir()
        .expect("a temporary folder")
}

/// The quick-start example as users have it: `examples/quickstart` in a folder beside a link to the
/// repository's `modules/`, so its module source resolves. Returns the folder and `main.tf`'s text.
fn quickstart_example() -> (tempfile::TempDir, PathBuf, String) {
    let root = temp_dir();
    let dir = root.path().join("examples/quickstart");
    std::fs::create_dir_all(&dir).expect("create the example folder");
    std::os::unix::fs::symlink(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("modules"),
        root.path().join("modules"),
    )
    .expect("link modules/");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart/main.tf"),
    )
    .expect("read the quick-start example");
    std::fs::write(dir.join("main.tf"), &text).expect("write main.tf");
    (root, dir, text)
}

/// One site in one file, with fixed addresses (the quick start as it was before it used a module):
/// the tests of drift, outputs, locking and the provider gate use it.
const ONE_SITE_TF: &str = r#"
variable "location" {
  type    = string
  default = "westeurope"
}

variable "peering_location" {
  type    = string
  default = "Amsterdam"
}

locals {
  name = "ams"
  tags = {
    owner = "network-team"
    site  = local.name
  }
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-${local.name}"
  location = var.location
  tags     = local.tags
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub-${local.name}"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  address_space       = ["10.10.0.0/16"]
}

resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.er.name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = [cidrsubnet("10.10.0.0/16", 11, 0)]
}

resource "azurerm_virtual_network_gateway" "er" {
  name                = "ergw-${local.name}"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  type                = "ExpressRoute"
  sku                 = "ErGw1AZ"

  ip_configuration {
    name                          = "default"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway.id
  }
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-${local.name}-primary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = var.peering_location
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }

  tags = local.tags
}

resource "azurerm_express_route_circuit_peering" "private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = 65010
  primary_peer_address_prefix   = "192.168.100.0/30"
  secondary_peer_address_prefix = "192.168.100.4/30"
  vlan_id                       = 100
}

resource "azurerm_express_route_circuit_authorization" "hub" {
  name                       = "auth-hub"
  express_route_circuit_name = azurerm_express_route_circuit.primary.name
  resource_group_name        = azurerm_resource_group.er.name
}

resource "azurerm_virtual_network_gateway_connection" "hub" {
  name                       = "cn-${local.name}-primary"
  resource_group_name        = azurerm_resource_group.er.name
  location                   = azurerm_resource_group.er.location
  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.er.id
  express_route_circuit_id   = azurerm_express_route_circuit.primary.id
  authorization_key          = azurerm_express_route_circuit_authorization.hub.authorization_key
  routing_weight             = 10

  depends_on = [azurerm_express_route_circuit_peering.private]
}

output "circuit_id" {
  value = azurerm_express_route_circuit.primary.id
}

output "service_key" {
  value     = azurerm_express_route_circuit.primary.service_key
  sensitive = true
}
"#;

fn one_site(dir: &Path) -> String {
    std::fs::write(dir.join("main.tf"), ONE_SITE_TF).expect("write main.tf");
    ONE_SITE_TF.to_string()
}

/// One site of a generated estate.
#[derive(Clone, Debug)]
struct Site {
    index: usize,
    bandwidth: u32,
    /// A route filter and Microsoft peering.
    microsoft: bool,
    /// A VPN path beside ExpressRoute: public IP, VPN gateway, local network gateway, IPsec.
    vpn: bool,
}

/// Every supported type across the sites: each site a resource group, VNet, GatewaySubnet,
/// ExpressRoute gateway, circuit, private peering, authorization and connection, optionally a
/// Microsoft peering with its route filter and a VPN path; Global Reach links each site to the next.
fn estate_tf(sites: &[Site]) -> String {
    let mut out = String::from(
        "terraform {\n  required_providers {\n    azurerm = {\n      source = \"hashicorp/azurerm\"\n    }\n  }\n}\n\nprovider \"azurerm\" {\n  features {}\n}\n",
    );
    for site in sites {
        let i = site.index;
        let s = format!("s{i}");
        let _ = write!(
            out,
            r#"
resource "azurerm_resource_group" "{s}" {{
  name     = "rg-er-{s}"
  location = "West Europe"
  tags     = {{ site = "{s}" }}
}}

resource "azurerm_virtual_network" "{s}" {{
  name                = "vnet-{s}"
  resource_group_name = azurerm_resource_group.{s}.name
  location            = azurerm_resource_group.{s}.location
  address_space       = ["10.{i}.0.0/16"]
}}

resource "azurerm_subnet" "{s}_gateway" {{
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.{s}.name
  virtual_network_name = azurerm_virtual_network.{s}.name
  address_prefixes     = ["10.{i}.255.0/27"]
}}

resource "azurerm_virtual_network_gateway" "{s}" {{
  name                = "ergw-{s}"
  resource_group_name = azurerm_resource_group.{s}.name
  location            = azurerm_resource_group.{s}.location
  type                = "ExpressRoute"
  sku                 = "ErGw1AZ"

  ip_configuration {{
    name                          = "default"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.{s}_gateway.id
  }}
}}

resource "azurerm_express_route_circuit" "{s}" {{
  name                  = "er-{s}"
  resource_group_name   = azurerm_resource_group.{s}.name
  location              = azurerm_resource_group.{s}.location
  service_provider_name = "Equinix"
  peering_location      = "{location}"
  bandwidth_in_mbps     = {bandwidth}

  sku {{
    tier   = "Premium"
    family = "MeteredData"
  }}
}}

resource "azurerm_express_route_circuit_peering" "{s}_private" {{
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.{s}.name
  resource_group_name           = azurerm_resource_group.{s}.name
  peer_asn                      = {asn}
  primary_peer_address_prefix   = "192.168.{i}.0/30"
  secondary_peer_address_prefix = "192.168.{i}.4/30"
  vlan_id                       = {vlan}
}}

resource "azurerm_express_route_circuit_authorization" "{s}" {{
  name                       = "auth-{s}"
  express_route_circuit_name = azurerm_express_route_circuit.{s}.name
  resource_group_name        = azurerm_resource_group.{s}.name
}}

resource "azurerm_virtual_network_gateway_connection" "{s}" {{
  name                       = "cn-{s}"
  resource_group_name        = azurerm_resource_group.{s}.name
  location                   = azurerm_resource_group.{s}.location
  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.{s}.id
  express_route_circuit_id   = azurerm_express_route_circuit.{s}.id
  authorization_key          = azurerm_express_route_circuit_authorization.{s}.authorization_key
  routing_weight             = 10

  depends_on = [azurerm_express_route_circuit_peering.{s}_private]
}}
"#,
            bandwidth = site.bandwidth,
            asn = 65000 + i,
            vlan = 100 + i,
            // Global Reach links circuits at different peering locations (rule G5).
            location = ["Amsterdam", "London", "Frankfurt", "Paris", "Dublin"][i % 5],
        );
        if site.microsoft {
            let _ = write!(
                out,
                r#"
resource "azurerm_route_filter" "{s}" {{
  name                = "rf-{s}"
  resource_group_name = azurerm_resource_group.{s}.name
  location            = azurerm_resource_group.{s}.location

  rule {{
    name        = "allow-exchange"
    access      = "Allow"
    rule_type   = "Community"
    communities = ["12076:5010"]
  }}
}}

resource "azurerm_express_route_circuit_peering" "{s}_microsoft" {{
  peering_type                  = "MicrosoftPeering"
  express_route_circuit_name    = azurerm_express_route_circuit.{s}.name
  resource_group_name           = azurerm_resource_group.{s}.name
  peer_asn                      = {asn}
  primary_peer_address_prefix   = "203.0.113.{p}/30"
  secondary_peer_address_prefix = "198.51.100.{p}/30"
  vlan_id                       = {vlan}
  route_filter_id               = azurerm_route_filter.{s}.id

  microsoft_peering_config {{
    advertised_public_prefixes = ["203.0.113.{p}/30"]
  }}
}}
"#,
                asn = 65000 + i,
                vlan = 200 + i,
                p = (i % 60) * 4,
            );
        }
        if site.vpn {
            let _ = write!(
                out,
                r#"
resource "azurerm_virtual_network" "{s}_vpn" {{
  name                = "vnet-{s}-vpn"
  resource_group_name = azurerm_resource_group.{s}.name
  location            = azurerm_resource_group.{s}.location
  address_space       = ["10.{j}.0.0/16"]
}}

resource "azurerm_subnet" "{s}_vpn_gateway" {{
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.{s}.name
  virtual_network_name = azurerm_virtual_network.{s}_vpn.name
  address_prefixes     = ["10.{j}.255.0/27"]
}}

resource "azurerm_public_ip" "{s}_vpn" {{
  name                = "pip-{s}-vpn"
  resource_group_name = azurerm_resource_group.{s}.name
  location            = azurerm_resource_group.{s}.location
  allocation_method   = "Static"
  sku                 = "Standard"
}}

resource "azurerm_virtual_network_gateway" "{s}_vpn" {{
  name                = "vpngw-{s}"
  resource_group_name = azurerm_resource_group.{s}.name
  location            = azurerm_resource_group.{s}.location
  type                = "Vpn"
  vpn_type            = "RouteBased"
  sku                 = "VpnGw1"

  ip_configuration {{
    name                          = "vnetGatewayConfig"
    public_ip_address_id          = azurerm_public_ip.{s}_vpn.id
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.{s}_vpn_gateway.id
  }}
}}

resource "azurerm_local_network_gateway" "{s}" {{
  name                = "lgw-{s}"
  resource_group_name = azurerm_resource_group.{s}.name
  location            = azurerm_resource_group.{s}.location
  gateway_address     = "198.51.100.{k}"
  address_space       = ["172.20.{i}.0/24"]
}}

resource "azurerm_virtual_network_gateway_connection" "{s}_vpn" {{
  name                       = "cn-{s}-vpn"
  resource_group_name        = azurerm_resource_group.{s}.name
  location                   = azurerm_resource_group.{s}.location
  type                       = "IPsec"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.{s}_vpn.id
  local_network_gateway_id   = azurerm_local_network_gateway.{s}.id
  shared_key                 = "vpnkey{i}"
}}
"#,
                j = 100 + i,
                k = 10 + i,
            );
        }
    }
    // Global Reach: each site to the next one in the list.
    for pair in sites.windows(2) {
        let (a, b) = (pair[0].index, pair[1].index);
        let _ = write!(
            out,
            r#"
resource "azurerm_express_route_circuit_connection" "s{a}_to_s{b}" {{
  name                = "gr-s{a}-s{b}"
  peering_id          = azurerm_express_route_circuit_peering.s{a}_private.id
  peer_peering_id     = azurerm_express_route_circuit_peering.s{b}_private.id
  address_prefix_ipv4 = "192.168.250.{p}/29"
}}
"#,
            p = (a % 32) * 8,
        );
    }
    out
}

fn site(index: usize) -> Site {
    Site {
        index,
        bandwidth: 1000,
        microsoft: false,
        vpn: false,
    }
}

fn write_estate(dir: &Path, sites: &[Site]) {
    std::fs::write(dir.join("main.tf"), estate_tf(sites)).expect("write main.tf");
}

// ---------------------------------------------------------------------------------------------
// End to end.

#[test]
fn quickstart_apply_update_replace_and_destroy() {
    let (_root, dir, text) = quickstart_example();
    let dir = dir.as_path();
    let first = ok(dir, &["apply", "--auto-approve"]);
    assert!(
        first
            .stdout
            .contains("Apply complete! Resources: 8 added, 0 changed, 0 destroyed."),
        "{}",
        first.describe()
    );
    assert!(first.stderr.contains("Creation complete after"));
    assert_plans_clean(dir);
    assert_state_matches_emulator(dir);
    let circuit = circuit_id("rg-er-ams", "er-ams-primary");
    // The connection was given the authorization's real key, though the state keeps only digests.
    let key = get(dir, &format!("{circuit}/authorizations/hub")).unwrap()["properties"]
        ["authorizationKey"]
        .clone();
    let connection = format!(
        "/subscriptions/{SUB}/resourceGroups/rg-er-ams/providers/Microsoft.Network/connections/cn-ams-primary"
    );
    assert!(key.is_string());
    assert_eq!(
        get(dir, &connection).unwrap()["properties"]["authorizationKey"],
        key
    );

    // Raise the bandwidth: an update in place.
    std::fs::write(
        dir.join("main.tf"),
        text.replace(
            "bandwidth_in_mbps     = 1000",
            "bandwidth_in_mbps     = 2000",
        ),
    )
    .unwrap();
    let plan = ok(dir, &["plan"]);
    assert!(
        plan.stdout.contains("will be updated in-place")
            && plan.stdout.contains("bandwidth_in_mbps")
            && plan.stdout.contains("0 to add, 1 to change, 0 to destroy"),
        "{}",
        plan.describe()
    );
    let raised = ok(dir, &["apply", "--auto-approve"]);
    assert!(
        raised.stdout.contains("0 added, 1 changed, 0 destroyed"),
        "{}",
        raised.describe()
    );
    assert_eq!(
        get(dir, &circuit).unwrap()["properties"]["serviceProviderProperties"]["bandwidthInMbps"],
        2000
    );
    assert_plans_clean(dir);

    // Lower it: the rules module's bandwidth-decrease rule (C6) replaces the circuit. The order is
    // what matters: dependents go first, the old circuit before the new one, the peering after the
    // provider gate, the connection last.
    std::fs::write(
        dir.join("main.tf"),
        text.replace(
            "bandwidth_in_mbps     = 1000",
            "bandwidth_in_mbps     = 500",
        ),
    )
    .unwrap();
    let lowered = ok(dir, &["apply", "--auto-approve"]);
    assert!(
        lowered.stdout.contains("must be replaced") && lowered.stdout.contains("[C6]"),
        "{}",
        lowered.describe()
    );
    let circuit_addr = "module.circuit.azurerm_express_route_circuit.this";
    let peering_addr = "module.circuit.azurerm_express_route_circuit_peering.private";
    let connection_addr = "azurerm_virtual_network_gateway_connection.hub";
    let before = |a: &str, b: &str| {
        assert!(
            line_of(&lowered, a) < line_of(&lowered, b),
            "{a:?} should come before {b:?}\n{}",
            lowered.describe()
        )
    };
    before(
        &format!("{connection_addr}: Destruction complete"),
        &format!("{circuit_addr}: Destroying..."),
    );
    before(
        &format!("{peering_addr}: Destruction complete"),
        &format!("{circuit_addr}: Destroying..."),
    );
    before(
        &format!("{circuit_addr}: Destruction complete"),
        &format!("{circuit_addr}: Creating..."),
    );
    before(
        &format!("{circuit_addr}: Provisioned by the service provider"),
        &format!("{peering_addr}: Creating..."),
    );
    before(
        &format!("{peering_addr}: Creation complete"),
        &format!("{connection_addr}: Creating..."),
    );
    assert_eq!(
        get(dir, &circuit).unwrap()["properties"]["serviceProviderProperties"]["bandwidthInMbps"],
        500
    );
    assert_plans_clean(dir);
    assert_state_matches_emulator(dir);

    // A ForceNew change replaces it the same way (peering location).
    let moved = ok(
        dir,
        &[
            "apply",
            "--auto-approve",
            "--var",
            "peering_location=London",
        ],
    );
    assert!(
        moved.stdout.contains("forces replacement"),
        "{}",
        moved.describe()
    );
    assert_eq!(
        get(dir, &circuit).unwrap()["properties"]["serviceProviderProperties"]["peeringLocation"],
        "London"
    );
    let r = run(
        dir,
        &[
            "plan",
            "--detailed-exitcode",
            "--var",
            "peering_location=London",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.describe());

    // Destroy: an empty state and an empty emulator.
    let destroyed = ok(
        dir,
        &[
            "destroy",
            "--auto-approve",
            "--var",
            "peering_location=London",
        ],
    );
    assert!(
        destroyed
            .stdout
            .contains("Destroy complete! Resources: 8 destroyed."),
        "{}",
        destroyed.describe()
    );
    assert_eq!(state_json(dir)["resources"], json!({}));
    assert_eq!(state_json(dir)["outputs"], json!({}));
    assert!(emulator_ids(dir).is_empty(), "{:#?}", emulator_ids(dir));
}

#[test]
fn removing_a_site_deletes_it_in_reverse_dependency_order() {
    let dir = temp_dir();
    let dir = dir.path();
    let mut sites = vec![site(1), site(2)];
    sites[1].microsoft = true;
    write_estate(dir, &sites);
    ok(dir, &["apply", "--auto-approve"]);
    assert_plans_clean(dir);
    assert_state_matches_emulator(dir);

    write_estate(dir, &sites[..1]);
    let removed = ok(dir, &["apply", "--auto-approve"]);
    assert!(
        removed.stdout.contains("0 added, 0 changed, 11 destroyed."),
        "{}",
        removed.describe()
    );
    // Each object goes only after what depends on it is gone.
    let pairs = [
        (
            "azurerm_express_route_circuit_connection.s1_to_s2",
            "azurerm_express_route_circuit_peering.s2_private",
        ),
        (
            "azurerm_virtual_network_gateway_connection.s2",
            "azurerm_express_route_circuit_peering.s2_private",
        ),
        (
            "azurerm_virtual_network_gateway_connection.s2",
            "azurerm_virtual_network_gateway.s2",
        ),
        (
            "azurerm_virtual_network_gateway_connection.s2",
            "azurerm_express_route_circuit_authorization.s2",
        ),
        (
            "azurerm_express_route_circuit_peering.s2_microsoft",
            "azurerm_route_filter.s2",
        ),
        (
            "azurerm_express_route_circuit_peering.s2_private",
            "azurerm_express_route_circuit.s2",
        ),
        (
            "azurerm_express_route_circuit_authorization.s2",
            "azurerm_express_route_circuit.s2",
        ),
        (
            "azurerm_virtual_network_gateway.s2",
            "azurerm_subnet.s2_gateway",
        ),
        ("azurerm_subnet.s2_gateway", "azurerm_virtual_network.s2"),
        (
            "azurerm_express_route_circuit.s2",
            "azurerm_resource_group.s2",
        ),
        ("azurerm_virtual_network.s2", "azurerm_resource_group.s2"),
        ("azurerm_route_filter.s2", "azurerm_resource_group.s2"),
    ];
    for (dependent, dependency) in pairs {
        assert!(
            line_of(&removed, &format!("{dependent}: Destruction complete"))
                < line_of(&removed, &format!("{dependency}: Destroying...")),
            "{dependent} must be gone before {dependency} is destroyed\n{}",
            removed.describe()
        );
    }
    let left = emulator_ids(dir);
    assert!(
        !left
            .iter()
            .any(|id| id.contains("/resourcegroups/rg-er-s2")),
        "site 2 is still in the emulator: {left:#?}"
    );
    assert_plans_clean(dir);
    assert_state_matches_emulator(dir);
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 3,
        failure_persistence: None,
        .. ProptestConfig::default()
    })]

    /// Apply a generated estate, then another (sites added, removed, grown or shrunk, given
    /// Microsoft peering or a VPN path): after each apply, plan has nothing to do and the state names exactly
    /// what the emulator holds.
    #[test]
    fn apply_then_plan_is_clean_for_generated_estates(
        first in proptest::collection::vec((any::<bool>(), any::<bool>(), any::<bool>(), 0..2u8), 3),
        second in proptest::collection::vec((any::<bool>(), any::<bool>(), any::<bool>(), 0..2u8), 3),
    ) {
        let bandwidths = [1000, 2000];
        // A lower bandwidth replaces the circuit (rule C6), so sizes may go either way.
        let estate = |spec: &[(bool, bool, bool, u8)]| -> Vec<Site> {
            spec.iter()
                .enumerate()
                .filter(|(_, (present, ..))| *present)
                .map(|(i, (_, microsoft, vpn, b))| Site {
                    index: i + 1,
                    bandwidth: bandwidths[*b as usize],
                    microsoft: *microsoft,
                    vpn: *vpn,
                })
                .collect()
        };
        let a = estate(&first);
        let b = estate(&second);
        let dir = temp_dir();
        let dir = dir.path();
        for sites in [&a, &b] {
            write_estate(dir, sites);
            ok(dir, &["apply", "--auto-approve"]);
            assert_plans_clean(dir);
            assert_state_matches_emulator(dir);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Crash safety.

/// A small random number source (xorshift) seeded from the clock: the kill points differ per run,
/// and a failure prints its seed.
struct Dice(u64);

impl Dice {
    /// A seed from `PEERFORM_TEST_SEED` (to replay a failure) or the clock.
    fn new() -> Dice {
        if let Some(seed) = std::env::var("PEERFORM_TEST_SEED")
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
        {
            return Dice(seed | 1);
        }
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(7)
            | 1;
        Dice(seed)
    }

    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// Start `args` and SIGKILL it once it has printed `lines` progress lines. Returns whether the kill
/// landed before the process finished on its own.
fn kill_after(dir: &Path, args: &[&str], lines: usize) -> bool {
    let mut child: Child = command(dir, args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start peerform");
    let stderr = child.stderr.take().expect("stderr");
    let mut seen = 0;
    let mut killed = false;
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if line.contains("...") || line.contains("complete after") {
            seen += 1;
        }
        if seen >= lines {
            killed = child.kill().is_ok();
            break;
        }
    }
    let status = child.wait().expect("wait for peerform");
    killed && !status.success()
}

/// Remove the lock a killed run left behind, with `force-unlock` as a user would.
fn unlock_if_stale(dir: &Path) {
    let lock = dir.join(".peerform.tfstate.lock");
    let Ok(text) = std::fs::read_to_string(&lock) else {
        return;
    };
    let info: serde_json::Value = serde_json::from_str(&text).expect("the lock is JSON");
    let id = info["id"].as_str().expect("a lock id").to_string();
    ok(dir, &["force-unlock", &id]);
}

#[test]
fn sigkill_at_random_moments_then_apply_again_converges() {
    let dir = temp_dir();
    let dir = dir.path();
    let mut sites: Vec<Site> = (1..=4).map(site).collect();
    sites[0].microsoft = true;
    sites[2].vpn = true;
    write_estate(dir, &sites);
    let mut dice = Dice::new();
    let seed = dice.0;
    let mut kills = 0;
    let mut attempts = 0;
    // Kills that left the estate half built or half destroyed.
    let mut partial = 0;
    let mut full: Option<usize> = None;
    // Alternate: kill an apply from empty, converge; kill a destroy, converge.
    while kills < 10 {
        attempts += 1;
        assert!(
            attempts <= 40,
            "only {kills} of 40 kills landed mid-run (seed {seed})"
        );
        let empty = !dir.join("peerform.tfstate").exists() || state_ids(dir).is_empty();
        let verb = if empty { "apply" } else { "destroy" };
        let args = [verb, "--auto-approve", "--parallelism", "2"];
        let at = 1 + dice.below(90);
        if kill_after(dir, &args, at) {
            kills += 1;
            let held = emulator_ids(dir).len();
            if held > 0 && full.is_none_or(|f| held < f) {
                partial += 1;
            }
        }
        unlock_if_stale(dir);
        let again = run(dir, &args);
        assert_eq!(
            again.code,
            Some(0),
            "{verb} after a kill at line {at} (seed {seed})\n{}",
            again.describe()
        );
        if empty {
            assert_plans_clean(dir);
            assert_state_matches_emulator(dir);
            full = Some(emulator_ids(dir).len());
        } else {
            assert!(
                state_ids(dir).is_empty(),
                "seed {seed}: destroy after a kill at line {at} left {:#?}\n{}",
                state_ids(dir),
                again.describe()
            );
            assert!(
                emulator_ids(dir).is_empty(),
                "seed {seed}: {:#?}",
                emulator_ids(dir)
            );
        }
    }
    assert!(
        partial >= 5,
        "only {partial} of {kills} kills landed in the middle of a run (seed {seed})"
    );
}

// ---------------------------------------------------------------------------------------------
// Locking.

#[test]
fn two_applies_at_once_serialise_on_the_lock_or_name_the_holder() {
    let dir = temp_dir();
    let dir = dir.path();
    one_site(dir);
    // Both wait for the lock: one applies everything, the other then finds nothing to do.
    let start = |dir: &Path| {
        command(dir, &["apply", "--auto-approve", "--lock-timeout", "60s"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start peerform")
    };
    let (a, b) = (start(dir), start(dir));
    let outputs = [a, b].map(|c| c.wait_with_output().expect("wait"));
    let texts: Vec<String> = outputs
        .iter()
        .map(|o| {
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            String::from_utf8_lossy(&o.stdout).into_owned()
        })
        .collect();
    let full = texts.iter().filter(|t| t.contains("8 added")).count();
    let nothing = texts.iter().filter(|t| t.contains("0 added")).count();
    assert_eq!((full, nothing), (1, 1), "{texts:#?}");
    assert_state_matches_emulator(dir);

    // A held lock and no wait: the apply fails at once and names the holder.
    let mut holder = command(dir, &["state", "hold-lock"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the lock holder");
    let mut first_line = String::new();
    let mut holder_out = BufReader::new(holder.stdout.take().expect("stdout"));
    holder_out
        .read_line(&mut first_line)
        .expect("read the holder's output");
    assert!(first_line.starts_with("locked "), "{first_line}");
    let lock_id = first_line.trim().trim_start_matches("locked ").to_string();
    let refused = run(dir, &["apply", "--auto-approve", "--lock-timeout", "0s"]);
    assert_eq!(refused.code, Some(1), "{}", refused.describe());
    assert!(
        refused.stderr.contains("state hold-lock") && refused.stderr.contains(&lock_id),
        "{}",
        refused.describe()
    );
    drop(holder.stdin.take());
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut holder_out, &mut rest);
    assert!(holder.wait().expect("wait for the holder").success());
    assert!(rest.contains("unlocked"), "{rest}");
    assert_plans_clean(dir);
}

// ---------------------------------------------------------------------------------------------
// Drift and refresh.

#[test]
fn drift_shows_with_its_fix_and_refresh_only_records_it() {
    let dir = temp_dir();
    let dir = dir.path();
    one_site(dir);
    ok(dir, &["apply", "--auto-approve"]);
    // Someone changes the circuit's tags and deletes the authorization in the portal.
    let circuit = circuit_id("rg-er-ams", "er-ams-primary");
    let provider = provider(dir);
    provider
        .client()
        .patch_tags(
            &ResourceId::parse(&circuit).unwrap(),
            &json!({ "owner": "someone-else" }),
        )
        .unwrap();
    let authorization = format!("{circuit}/authorizations/auth-hub");
    provider
        .client()
        .delete(&ResourceId::parse(&authorization).unwrap())
        .unwrap();

    let plan = run(dir, &["plan", "--detailed-exitcode"]);
    assert_eq!(plan.code, Some(2), "{}", plan.describe());
    for text in [
        "Objects have changed outside of peerform",
        "azurerm_express_route_circuit.primary has changed outside peerform: tags",
        "azurerm_express_route_circuit_authorization.hub has been deleted outside peerform",
        "# azurerm_express_route_circuit.primary will be updated in-place",
        "# azurerm_express_route_circuit_authorization.hub will be created",
        "\"someone-else\"",
    ] {
        assert!(plan.stdout.contains(text), "{text:?}\n{}", plan.describe());
    }

    // --refresh-only: the drift is the whole plan, and apply records it without touching Azure.
    let refresh_plan = run(dir, &["plan", "--refresh-only", "--detailed-exitcode"]);
    assert_eq!(refresh_plan.code, Some(2), "{}", refresh_plan.describe());
    assert!(
        refresh_plan.stdout.contains("refresh-only plan"),
        "{}",
        refresh_plan.describe()
    );
    ok(dir, &["apply", "--refresh-only", "--auto-approve"]);
    let state = state_json(dir);
    assert_eq!(
        state["resources"]["azurerm_express_route_circuit.primary"]["attributes"]["tags"],
        json!({ "owner": "someone-else" })
    );
    assert!(state["resources"]["azurerm_express_route_circuit_authorization.hub"].is_null());
    assert!(
        get(dir, &authorization).is_none(),
        "refresh-only must not create"
    );

    // A normal apply puts the configuration back.
    ok(dir, &["apply", "--auto-approve"]);
    assert_eq!(
        get(dir, &circuit).unwrap()["tags"],
        json!({ "owner": "network-team", "site": "ams" })
    );
    assert!(get(dir, &authorization).is_some());
    assert_plans_clean(dir);
    assert_state_matches_emulator(dir);
}

// ---------------------------------------------------------------------------------------------
// Provider aliases.

/// The hub-and-spoke split most enterprises use: circuits in a connectivity subscription reached
/// through an aliased provider, the gateway and its connection in the default one.
const TWO_SUBSCRIPTIONS_TF: &str = r#"
variable "connectivity_subscription" {
  type    = string
  default = "11111111-1111-1111-1111-111111111111"
}

provider "azurerm" {
  features {}
}

provider "azurerm" {
  alias           = "connectivity"
  subscription_id = var.connectivity_subscription
  features {}
}

resource "azurerm_resource_group" "circuits" {
  provider = azurerm.connectivity
  name     = "rg-circuits"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "primary" {
  provider              = azurerm.connectivity
  name                  = "er-ams"
  resource_group_name   = azurerm_resource_group.circuits.name
  location              = azurerm_resource_group.circuits.location
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}

resource "azurerm_express_route_circuit_peering" "private" {
  provider                      = azurerm.connectivity
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.circuits.name
  peer_asn                      = 65010
  primary_peer_address_prefix   = "192.168.100.0/30"
  secondary_peer_address_prefix = "192.168.100.4/30"
  vlan_id                       = 100
}

resource "azurerm_express_route_circuit_authorization" "spoke" {
  provider                   = azurerm.connectivity
  name                       = "auth-spoke"
  express_route_circuit_name = azurerm_express_route_circuit.primary.name
  resource_group_name        = azurerm_resource_group.circuits.name
}

resource "azurerm_resource_group" "spoke" {
  name     = "rg-spoke"
  location = "westeurope"
}

resource "azurerm_virtual_network" "spoke" {
  name                = "vnet-spoke"
  resource_group_name = azurerm_resource_group.spoke.name
  location            = azurerm_resource_group.spoke.location
  address_space       = ["10.20.0.0/16"]
}

resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.spoke.name
  virtual_network_name = azurerm_virtual_network.spoke.name
  address_prefixes     = ["10.20.0.0/27"]
}

resource "azurerm_virtual_network_gateway" "er" {
  name                = "ergw-spoke"
  resource_group_name = azurerm_resource_group.spoke.name
  location            = azurerm_resource_group.spoke.location
  type                = "ExpressRoute"
  sku                 = "ErGw1AZ"

  ip_configuration {
    name                          = "default"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway.id
  }
}

resource "azurerm_virtual_network_gateway_connection" "spoke" {
  name                       = "cn-spoke"
  resource_group_name        = azurerm_resource_group.spoke.name
  location                   = azurerm_resource_group.spoke.location
  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.er.id
  express_route_circuit_id   = azurerm_express_route_circuit.primary.id
  authorization_key          = azurerm_express_route_circuit_authorization.spoke.authorization_key

  depends_on = [azurerm_express_route_circuit_peering.private]
}
"#;

#[test]
fn an_aliased_provider_reaches_its_own_subscription() {
    let dir = temp_dir();
    let dir = dir.path();
    std::fs::write(dir.join("main.tf"), TWO_SUBSCRIPTIONS_TF).unwrap();
    ok(dir, &["apply", "--auto-approve"]);
    let connectivity = "11111111-1111-1111-1111-111111111111";
    let circuit = |sub: &str| {
        format!(
            "/subscriptions/{sub}/resourceGroups/rg-circuits/providers/Microsoft.Network/expressRouteCircuits/er-ams"
        )
    };
    let connection = |sub: &str| {
        format!(
            "/subscriptions/{sub}/resourceGroups/rg-spoke/providers/Microsoft.Network/connections/cn-spoke"
        )
    };
    assert!(
        get(dir, &circuit(connectivity)).is_some(),
        "the circuit is in the connectivity subscription"
    );
    assert!(
        get(dir, &circuit(SUB)).is_none(),
        "and not in the default one"
    );
    let object = get(dir, &connection(SUB)).expect("the connection is in the default subscription");
    assert!(get(dir, &connection(connectivity)).is_none());
    assert_eq!(
        object["properties"]["peer"]["id"]
            .as_str()
            .map(str::to_ascii_lowercase),
        Some(circuit(connectivity).to_ascii_lowercase()),
        "the connection reaches the circuit across subscriptions"
    );
    let state = state_json(dir);
    assert_eq!(
        state["resources"]["azurerm_express_route_circuit_authorization.spoke"]["id"]
            .as_str()
            .map(|id| id.starts_with(&format!("/subscriptions/{connectivity}/"))),
        Some(true),
        "{state:#}"
    );
    assert_plans_clean(dir);

    // Data sources read through their provider's subscription: the spoke team looks the shared
    // circuit up where it lives.
    std::fs::write(
        dir.join("lookup.tf"),
        r#"
data "azurerm_express_route_circuit" "shared" {
  provider            = azurerm.connectivity
  name                = "er-ams"
  resource_group_name = "rg-circuits"
}

data "azurerm_client_config" "connectivity" {
  provider = azurerm.connectivity
}

output "shared_circuit" {
  value = data.azurerm_express_route_circuit.shared.id
}

output "connectivity_subscription" {
  value = data.azurerm_client_config.connectivity.subscription_id
}
"#,
    )
    .unwrap();
    let lookup = ok(dir, &["plan"]);
    for text in [
        format!(
            "+ shared_circuit            = \"{}\"",
            circuit(connectivity)
        ),
        format!("+ connectivity_subscription = \"{connectivity}\""),
    ] {
        assert!(
            lookup.stdout.contains(&text),
            "{text}\n{}",
            lookup.describe()
        );
    }
    std::fs::remove_file(dir.join("lookup.tf")).unwrap();

    // Refresh and delete follow each object's own subscription.
    let gone = ok(dir, &["destroy", "--auto-approve"]);
    assert!(
        gone.stdout.contains("Resources: 9 destroyed."),
        "{}",
        gone.describe()
    );
    assert!(get(dir, &circuit(connectivity)).is_none());
    assert!(get(dir, &connection(SUB)).is_none());
    assert!(state_ids(dir).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Saved plans.

#[test]
fn a_saved_plan_applies_exactly_or_is_refused() {
    let dir = temp_dir();
    let dir = dir.path();
    let text = one_site(dir);
    ok(dir, &["plan", "--out", "first.plan"]);
    // A saved plan applies without asking, as in Terraform, and does not print the plan again.
    let first = ok(dir, &["apply", "first.plan"]);
    assert!(
        !first.stdout.contains("Do you want") && !first.stdout.contains("will be created"),
        "{}",
        first.describe()
    );
    assert!(
        first.stdout.contains("Apply complete! Resources: 8 added"),
        "{}",
        first.describe()
    );
    assert_plans_clean(dir);
    assert_state_matches_emulator(dir);

    // The same plan again: the state moved on since it was made.
    let again = run(dir, &["apply", "first.plan"]);
    assert_eq!(again.code, Some(1), "{}", again.describe());
    assert!(
        again.stderr.contains("Saved plan is stale"),
        "{}",
        again.describe()
    );

    // A bandwidth increase, saved.
    let circuit = circuit_id("rg-er-ams", "er-ams-primary");
    std::fs::write(
        dir.join("main.tf"),
        text.replace(
            "bandwidth_in_mbps     = 1000",
            "bandwidth_in_mbps     = 2000",
        ),
    )
    .unwrap();
    ok(dir, &["plan", "--out", "up.plan"]);
    let before = std::fs::read(dir.join("peerform.tfstate")).unwrap();

    // Another value for a variable than the plan was made with.
    let other_var = run(
        dir,
        &["apply", "up.plan", "--var", "peering_location=London"],
    );
    assert_eq!(other_var.code, Some(1), "{}", other_var.describe());
    assert!(
        other_var.stderr.contains("variable values differ")
            && other_var.stderr.contains("var.peering_location"),
        "{}",
        other_var.describe()
    );

    // Another state (another lineage) is not the one the plan was made against.
    let mut other = state_json(dir);
    other["lineage"] = json!("0b3c7a52-6f4e-4c1a-9d2e-5a8f0e1b2c3d");
    std::fs::write(
        dir.join("peerform.tfstate"),
        format!("{}\n", serde_json::to_string_pretty(&other).unwrap()),
    )
    .unwrap();
    let other_state = run(dir, &["apply", "up.plan"]);
    assert_eq!(other_state.code, Some(1), "{}", other_state.describe());
    assert!(
        other_state
            .stderr
            .contains("Saved plan does not match the given state"),
        "{}",
        other_state.describe()
    );
    std::fs::write(dir.join("peerform.tfstate"), &before).unwrap();

    // An edited configuration is not the plan that was reviewed.
    let edited = std::fs::read_to_string(dir.join("main.tf")).unwrap();
    std::fs::write(dir.join("main.tf"), format!("{edited}\n# reviewed?\n")).unwrap();
    let changed = run(dir, &["apply", "up.plan"]);
    assert_eq!(changed.code, Some(1), "{}", changed.describe());
    assert!(
        changed
            .stderr
            .contains("the configuration has changed since the plan up.plan was saved"),
        "{}",
        changed.describe()
    );
    std::fs::write(dir.join("main.tf"), &edited).unwrap();

    // Someone changes the circuit's tags: the plan would now be different, so it is refused.
    provider(dir)
        .client()
        .patch_tags(
            &ResourceId::parse(&circuit).unwrap(),
            &json!({ "owner": "someone-else" }),
        )
        .unwrap();
    let drifted = run(dir, &["apply", "up.plan"]);
    assert_eq!(drifted.code, Some(1), "{}", drifted.describe());
    assert!(
        drifted.stderr.contains("Saved plan is stale")
            && drifted
                .stderr
                .contains("azurerm_express_route_circuit.primary: update with other values"),
        "{}",
        drifted.describe()
    );
    // Nothing refused touched the cloud or the state.
    assert_eq!(
        get(dir, &circuit).unwrap()["properties"]["serviceProviderProperties"]["bandwidthInMbps"],
        json!(1000)
    );
    assert_eq!(std::fs::read(dir.join("peerform.tfstate")).unwrap(), before);

    // Planned again, it applies: the bandwidth and the tags as configured.
    ok(dir, &["plan", "--out", "up.plan"]);
    ok(dir, &["apply", "up.plan"]);
    let object = get(dir, &circuit).unwrap();
    assert_eq!(
        object["properties"]["serviceProviderProperties"]["bandwidthInMbps"],
        json!(2000)
    );
    assert_eq!(
        object["tags"],
        json!({ "owner": "network-team", "site": "ams" })
    );
    assert_plans_clean(dir);

    // A saved destroy plan destroys when applied.
    ok(dir, &["plan", "--destroy", "--out", "gone.plan"]);
    let gone = ok(dir, &["apply", "gone.plan"]);
    assert!(
        gone.stdout
            .contains("Destroy complete! Resources: 8 destroyed."),
        "{}",
        gone.describe()
    );
    assert!(state_ids(dir).is_empty());
    assert!(emulator_ids(dir).is_empty(), "{:#?}", emulator_ids(dir));
}

// ---------------------------------------------------------------------------------------------
// Import.

const IMPORT_TF: &str = r#"
resource "azurerm_resource_group" "imported" {
  name     = "rg-imported"
  location = "westeurope"
  tags     = { owner = "network-team" }
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-imported"
  resource_group_name = azurerm_resource_group.imported.name
  location            = azurerm_resource_group.imported.location
  address_space       = ["10.50.0.0/16"]
}
"#;

fn create_group(dir: &Path, name: &str) -> String {
    let (id, _) = provider(dir)
        .create_or_update(
            "azurerm_resource_group",
            &Value::object([
                ("name", Value::string(name)),
                ("location", Value::string("westeurope")),
                (
                    "tags",
                    Value::object([("owner", Value::string("network-team"))]),
                ),
            ]),
        )
        .expect("create a resource group behind peerform's back");
    id.to_string()
}

#[test]
fn an_existing_object_must_be_imported_and_then_plans_clean() {
    let dir = temp_dir();
    let dir = dir.path();
    std::fs::write(dir.join("main.tf"), IMPORT_TF).unwrap();
    let id = create_group(dir, "rg-imported");

    // Without an import, apply stops at the object and says how to import it.
    let refused = run(dir, &["apply", "--auto-approve"]);
    assert_eq!(refused.code, Some(1), "{}", refused.describe());
    assert!(
        refused
            .stderr
            .contains("needs to be imported into the state")
            && refused.stderr.contains(&format!(
                "peerform import azurerm_resource_group.imported {id}"
            )),
        "{}",
        refused.describe()
    );
    assert!(!state_ids(dir).contains(&id.to_ascii_lowercase()));

    let imported = ok(dir, &["import", "azurerm_resource_group.imported", &id]);
    assert!(
        imported.stdout.contains("Import successful!"),
        "{}",
        imported.describe()
    );
    let plan = ok(dir, &["plan"]);
    assert!(
        plan.stdout.contains("1 to add, 0 to change, 0 to destroy")
            && !plan.stdout.contains("azurerm_resource_group.imported will"),
        "the imported group plans clean, only the VNet is new\n{}",
        plan.describe()
    );
    ok(dir, &["apply", "--auto-approve"]);
    assert_plans_clean(dir);
    assert_state_matches_emulator(dir);

    // A second import of the same address is refused; a missing object cannot be imported.
    let again = run(dir, &["import", "azurerm_resource_group.imported", &id]);
    assert!(
        again.stderr.contains("already managed"),
        "{}",
        again.describe()
    );
    let missing = run(
        dir,
        &[
            "import",
            "azurerm_resource_group.nowhere",
            &format!("/subscriptions/{SUB}/resourceGroups/rg-nowhere"),
        ],
    );
    assert_eq!(missing.code, Some(1), "{}", missing.describe());
}

#[test]
fn import_blocks_are_read_before_the_plan_and_recorded_by_apply() {
    let dir = temp_dir();
    let dir = dir.path();
    let id = create_group(dir, "rg-imported");
    std::fs::write(
        dir.join("main.tf"),
        format!(
            "{IMPORT_TF}\nimport {{\n  to = azurerm_resource_group.imported\n  id = \"{id}\"\n}}\n"
        ),
    )
    .unwrap();
    let plan = ok(dir, &["plan"]);
    assert!(
        plan.stdout.contains("will be imported")
            && plan
                .stdout
                .contains("Plan: 1 to import, 1 to add, 0 to change, 0 to destroy."),
        "{}",
        plan.describe()
    );
    let applied = ok(dir, &["apply", "--auto-approve"]);
    assert!(
        applied
            .stdout
            .contains("Resources: 1 imported, 1 added, 0 changed, 0 destroyed."),
        "{}",
        applied.describe()
    );
    assert!(state_ids(dir).contains(&id.to_ascii_lowercase()));
    assert_plans_clean(dir);
    assert_state_matches_emulator(dir);
}

// ---------------------------------------------------------------------------------------------
// Data sources and outputs.

#[test]
fn data_sources_are_read_before_the_plan() {
    let dir = temp_dir();
    let dir = dir.path();
    create_group(dir, "rg-shared");
    std::fs::write(
        dir.join("main.tf"),
        r#"
data "azurerm_client_config" "current" {}

data "azurerm_subscription" "current" {}

data "azurerm_resource_group" "shared" {
  name = "rg-shared"
}

resource "azurerm_resource_group" "new" {
  name     = "rg-new"
  location = data.azurerm_resource_group.shared.location
}

# Its object is created by this apply: read during apply, then before every later plan.
data "azurerm_resource_group" "late" {
  name = azurerm_resource_group.new.name
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-data"
  resource_group_name = data.azurerm_resource_group.shared.name
  location            = data.azurerm_resource_group.late.location
  address_space       = ["10.60.0.0/16"]
  tags = {
    subscription = data.azurerm_subscription.current.subscription_id
    tenant       = data.azurerm_client_config.current.tenant_id
    owner        = data.azurerm_resource_group.shared.tags["owner"]
  }
}

output "subscription" {
  value = data.azurerm_subscription.current.display_name
}
"#,
    )
    .unwrap();
    let plan = ok(dir, &["plan"]);
    for text in [
        "+ location = \"westeurope\"",
        &format!("\"subscription\" = \"{SUB}\""),
        "# data.azurerm_resource_group.late will be read during apply",
    ] {
        assert!(plan.stdout.contains(text), "{text:?}\n{}", plan.describe());
    }
    // The tags read from the existing group, one per line with aligned keys.
    assert!(
        plan.stdout
            .lines()
            .any(|l| l.trim_start().starts_with("+ \"owner\"")
                && l.trim_end().ends_with("= \"network-team\"")),
        "{}",
        plan.describe()
    );
    assert!(
        !plan
            .stdout
            .contains("data.azurerm_resource_group.shared will be read"),
        "{}",
        plan.describe()
    );
    ok(dir, &["apply", "--auto-approve"]);
    assert_plans_clean(dir);
    let output = ok(dir, &["output", "--raw", "subscription"]);
    assert_eq!(output.stdout, "peerform emulator");
}

#[test]
fn outputs_print_recorded_values_and_sensitive_ones_read_afresh() {
    let dir = temp_dir();
    let dir = dir.path();
    one_site(dir);
    ok(dir, &["apply", "--auto-approve"]);
    let all = ok(dir, &["output"]);
    let circuit = circuit_id("rg-er-ams", "er-ams-primary");
    assert!(
        all.stdout.contains(&format!("circuit_id = \"{circuit}\""))
            && all.stdout.contains("service_key = (sensitive value)"),
        "{}",
        all.describe()
    );
    let json_all: serde_json::Value = serde_json::from_str(&ok(dir, &["output", "--json"]).stdout)
        .expect("output --json is JSON");
    assert_eq!(json_all["circuit_id"]["value"], circuit.as_str());
    assert_eq!(json_all["service_key"]["sensitive"], true);
    assert!(json_all["service_key"].get("value").is_none());
    assert_eq!(ok(dir, &["output", "--raw", "circuit_id"]).stdout, circuit);
    assert!(run(dir, &["output", "--raw", "service_key"]).code == Some(1));
    let key = get(dir, &circuit).unwrap()["properties"]["serviceKey"]
        .as_str()
        .unwrap()
        .to_string();
    let shown = ok(dir, &["output", "--show-sensitive", "--raw", "service_key"]);
    assert_eq!(shown.stdout, key);
    assert!(
        !shown.stderr.contains("differs"),
        "the recorded digest matches the value read now\n{}",
        shown.describe()
    );
    assert!(run(dir, &["output", "nothing"]).code == Some(1));
}

// ---------------------------------------------------------------------------------------------
// The provider gate.

#[test]
fn manual_provisioning_stops_after_the_circuit_and_resumes() {
    let dir = temp_dir();
    let dir = dir.path();
    let text = one_site(dir);
    // The circuit's create timeout bounds the wait --wait-provisioning asks for.
    std::fs::write(
        dir.join("main.tf"),
        text.replace(
            "  tags = local.tags\n}\n\nresource \"azurerm_express_route_circuit_peering\"",
            "  tags = local.tags\n\n  timeouts {\n    create = \"200ms\"\n  }\n}\n\nresource \"azurerm_express_route_circuit_peering\"",
        ),
    )
    .unwrap();
    ok(dir, &["emulator", "mode", "manual"]);
    let circuit = circuit_id("rg-er-ams", "er-ams-primary");

    let stopped = run(
        dir,
        &["apply", "--auto-approve", "--wait-provisioning", "1h"],
    );
    assert_eq!(stopped.code, Some(1), "{}", stopped.describe());
    for text in [
        "has not provisioned it yet",
        "Give the circuit's service key to Equinix",
        "run apply again",
        "--wait-provisioning",
        "after waiting",
        &format!("peerform emulator provision {circuit} --state Provisioned"),
        "Apply incomplete",
    ] {
        assert!(
            stopped.stderr.contains(text),
            "{text:?}\n{}",
            stopped.describe()
        );
    }
    // Everything that does not wait for the provider was done and recorded.
    let in_state = state_ids(dir);
    assert!(in_state.contains(&circuit.to_ascii_lowercase()));
    assert!(
        in_state
            .iter()
            .any(|id| id.ends_with("virtualnetworkgateways/ergw-ams"))
    );
    assert!(get(dir, &format!("{circuit}/peerings/AzurePrivatePeering")).is_none());
    assert_state_matches_emulator(dir);
    // Without --wait-provisioning it stops at once, as on Azure.
    let again = run(dir, &["apply", "--auto-approve"]);
    assert_eq!(again.code, Some(1), "{}", again.describe());
    assert!(
        again
            .stderr
            .contains("exists, but its service provider has not provisioned it yet")
    );

    ok(
        dir,
        &["emulator", "provision", &circuit, "--state", "Provisioned"],
    );
    let resumed = ok(dir, &["apply", "--auto-approve"]);
    assert!(
        resumed.stdout.contains("2 added, 0 changed, 0 destroyed"),
        "{}",
        resumed.describe()
    );
    assert_plans_clean(dir);
    assert_state_matches_emulator(dir);

    // Destroy stops before the circuit the provider still has provisioned.
    let blocked = run(dir, &["destroy", "--auto-approve"]);
    assert_eq!(blocked.code, Some(1), "{}", blocked.describe());
    assert!(
        blocked
            .stderr
            .contains("Ask Equinix to deprovision the circuit")
            && blocked.stderr.contains("--state NotProvisioned"),
        "{}",
        blocked.describe()
    );
    assert!(get(dir, &circuit).is_some());
    ok(
        dir,
        &[
            "emulator",
            "provision",
            &circuit,
            "--state",
            "NotProvisioned",
        ],
    );
    ok(dir, &["destroy", "--auto-approve"]);
    assert!(emulator_ids(dir).is_empty(), "{:#?}", emulator_ids(dir));
    let mode = ok(dir, &["emulator", "mode"]);
    assert!(mode.stdout.contains("manual mode"), "{}", mode.describe());
    let _ = std::io::stdout().flush();
}

// ---------------------------------------------------------------------------------------------
// Timeouts, and plan leaving a fresh folder alone.

#[test]
fn a_create_timeout_bounds_the_operation_wait() {
    let dir = temp_dir();
    let dir = dir.path();
    std::fs::write(
        dir.join("main.tf"),
        r#"
resource "azurerm_resource_group" "slow" {
  name     = "rg-slow"
  location = "westeurope"
}

resource "azurerm_virtual_network" "slow" {
  name                = "vnet-slow"
  resource_group_name = azurerm_resource_group.slow.name
  location            = azurerm_resource_group.slow.location
  address_space       = ["10.70.0.0/16"]

  timeouts {
    create = "300ms"
  }
}
"#,
    )
    .unwrap();
    // An emulator whose operations never finish in time.
    let mut server = command(
        dir,
        &[
            "emulator",
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--operation-polls",
            "1000000",
        ],
    )
    .stdout(Stdio::piped())
    .spawn()
    .expect("start the emulator");
    let mut banner = String::new();
    BufReader::new(server.stdout.take().expect("stdout"))
        .read_line(&mut banner)
        .expect("read the emulator's address");
    let url = banner
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .expect("the emulator prints its URL")
        .to_string();
    let output = command(dir, &["apply", "--auto-approve", "--cloud", &url])
        .env("ARM_SUBSCRIPTION_ID", SUB)
        .output()
        .expect("run peerform");
    let _ = server.kill();
    let _ = server.wait();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("create azurerm_virtual_network.slow failed")
            && stderr.contains("timeouts { create = \"300ms\" } was reached"),
        "{stderr}"
    );
}

#[test]
fn plan_in_a_fresh_folder_creates_no_emulator() {
    let dir = temp_dir();
    let dir = dir.path();
    one_site(dir);
    let plan = ok(dir, &["plan"]);
    assert!(plan.stdout.contains("8 to add"), "{}", plan.describe());
    assert!(!dir.join(".peerform").exists());
}
