//! The benchmark estate of DESIGN §7, shared by every benchmark: N sites, each a resource group, VNet,
//! GatewaySubnet, ExpressRoute gateway, circuit, route filter, private and Microsoft peering,
//! authorization and gateway connection, plus a Global Reach link to the next site (11 resources per
//! site), written as plain `.tf` files (100 sites per file) and a `terraform.tfvars`.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::Path;

/// Sites per `.tf` file: files are parsed in parallel.
pub const SITES_PER_FILE: usize = 100;

/// Resources per site.
pub const RESOURCES_PER_SITE: usize = 11;

pub fn site_name(i: usize) -> String {
    format!("s{i:05}")
}

/// Write the estate for `sites` sites into `dir` (which must exist).
pub fn write_estate(dir: &Path, sites: usize) -> std::io::Result<()> {
    std::fs::write(dir.join("main.tf"), MAIN_TF)?;
    std::fs::write(
        dir.join("terraform.tfvars"),
        "location          = \"westeurope\"\nservice_provider  = \"Equinix\"\npeering_location  = \"Amsterdam\"\nbandwidth_in_mbps = 1000\ngateway_sku       = \"ErGw1AZ\"\ntags = {\n  owner = \"network-team\"\n  env   = \"bench\"\n}\n",
    )?;
    let mut file_index = 0;
    let mut start = 0;
    while start < sites {
        let end = (start + SITES_PER_FILE).min(sites);
        let mut text = String::with_capacity((end - start) * 4096);
        for i in start..end {
            write_site(&mut text, i, sites);
        }
        std::fs::write(dir.join(format!("sites_{file_index:04}.tf")), text)?;
        file_index += 1;
        start = end;
    }
    Ok(())
}

const MAIN_TF: &str = r#"terraform {
  required_version = ">= 1.5"
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

variable "location" {
  type = string
}

variable "service_provider" {
  type = string
}

variable "peering_location" {
  type = string
}

# Neighbouring sites alternate peering locations: Global Reach joins circuits at different
# locations (rule G5).
variable "peering_location_alt" {
  type    = string
  default = "Amsterdam2"
}

variable "bandwidth_in_mbps" {
  type = number
}

variable "gateway_sku" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}
"#;

fn write_site(out: &mut String, i: usize, sites: usize) {
    let s = site_name(i);
    let next = site_name((i + 1) % sites.max(1));
    let (a, b) = (10 + (i / 65536) % 200, i % 65536);
    let (b1, b2) = (b / 256, b % 256);
    let vlan = 100 + (i % 3000);
    let asn = 65000 + (i % 500);
    // Microsoft peering needs public prefixes; these are documentation-style placeholders.
    let (p1, p2) = ((i / 64) % 256, (i % 64) * 4);
    let _ = write!(
        out,
        r#"
resource "azurerm_resource_group" "{s}" {{
  name     = "rg-er-{s}"
  location = var.location
  tags     = var.tags
}}

resource "azurerm_virtual_network" "{s}" {{
  name                = "vnet-{s}"
  resource_group_name = azurerm_resource_group.{s}.name
  location            = azurerm_resource_group.{s}.location
  address_space       = ["{a}.{b1}.{b2}.0/24"]
}}

resource "azurerm_subnet" "{s}_gateway" {{
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.{s}.name
  virtual_network_name = azurerm_virtual_network.{s}.name
  address_prefixes     = ["{a}.{b1}.{b2}.0/27"]
}}

resource "azurerm_virtual_network_gateway" "{s}" {{
  name                = "ergw-{s}"
  resource_group_name = azurerm_resource_group.{s}.name
  location            = azurerm_resource_group.{s}.location
  type                = "ExpressRoute"
  sku                 = var.gateway_sku

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
  service_provider_name = var.service_provider
  peering_location      = {location}
  bandwidth_in_mbps     = var.bandwidth_in_mbps

  sku {{
    tier   = "Premium"
    family = "MeteredData"
  }}

  tags = var.tags
}}

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

resource "azurerm_express_route_circuit_peering" "{s}_private" {{
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.{s}.name
  resource_group_name           = azurerm_resource_group.{s}.name
  peer_asn                      = {asn}
  primary_peer_address_prefix   = "172.16.{b1}.{p2}/30"
  secondary_peer_address_prefix = "172.17.{b1}.{p2}/30"
  vlan_id                       = {vlan}
}}

resource "azurerm_express_route_circuit_peering" "{s}_microsoft" {{
  peering_type                  = "MicrosoftPeering"
  express_route_circuit_name    = azurerm_express_route_circuit.{s}.name
  resource_group_name           = azurerm_resource_group.{s}.name
  peer_asn                      = {asn}
  primary_peer_address_prefix   = "203.0.{p1}.{p2}/30"
  secondary_peer_address_prefix = "198.51.{p1}.{p2}/30"
  vlan_id                       = {vlan2}
  route_filter_id               = azurerm_route_filter.{s}.id

  microsoft_peering_config {{
    advertised_public_prefixes = ["203.0.{p1}.{p2}/30"]
  }}
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
}}

resource "azurerm_express_route_circuit_connection" "{s}_global_reach" {{
  name                = "gr-{s}-{next}"
  peering_id          = azurerm_express_route_circuit_peering.{s}_private.id
  peer_peering_id     = azurerm_express_route_circuit_peering.{next}_private.id
  address_prefix_ipv4 = "192.168.{b1}.{gr}/29"
}}
"#,
        vlan2 = vlan + 1,
        location = if i.is_multiple_of(2) {
            "var.peering_location"
        } else {
            "var.peering_location_alt"
        },
        gr = (b2 % 32) * 8,
    );
}
