# Two sites, two geopolitical regions: Amsterdam (Europe) and Singapore (Asia).
# Amsterdam: ExpressRoute circuit with private and Microsoft peering (route filter), an ExpressRoute
# gateway and a VPN gateway as backup, both in one GatewaySubnet. Singapore: circuit with private
# peering and an ExpressRoute gateway. Global Reach joins the two circuits.

terraform {
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

variable "vpn_shared_key" {
  type      = string
  sensitive = true
  default   = "change-me-in-tfvars"
}

locals {
  tags = {
    owner = "network-team"
  }
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams"
  location = "westeurope"
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub-ams"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  address_space       = ["10.10.0.0/16"]
}

resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.er.name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.10.255.0/27"]
}

resource "azurerm_virtual_network_gateway" "er" {
  name                = "ergw-ams"
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

resource "azurerm_public_ip" "vpn" {
  name                = "pip-vpngw-ams"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_virtual_network_gateway" "vpn" {
  name                = "vpngw-ams"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  type                = "Vpn"
  vpn_type            = "RouteBased"
  sku                 = "VpnGw1AZ"
  bgp_enabled         = true

  ip_configuration {
    name                          = "default"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway.id
    public_ip_address_id          = azurerm_public_ip.vpn.id
  }
}

resource "azurerm_local_network_gateway" "onprem" {
  name                = "lng-ams-dc"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  gateway_address     = "198.51.100.10"
  address_space       = ["172.16.0.1/32"]

  bgp_settings {
    asn                 = 65050
    bgp_peering_address = "172.16.0.1"
  }
}

resource "azurerm_virtual_network_gateway_connection" "vpn" {
  name                       = "cn-ams-vpn"
  resource_group_name        = azurerm_resource_group.er.name
  location                   = azurerm_resource_group.er.location
  type                       = "IPsec"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.vpn.id
  local_network_gateway_id   = azurerm_local_network_gateway.onprem.id
  shared_key                 = var.vpn_shared_key
  bgp_enabled                = true
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-ams"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000

  tags = local.tags

  sku {
    tier   = "Premium"
    family = "MeteredData"
  }
}

resource "azurerm_express_route_circuit_peering" "private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = 65010
  primary_peer_address_prefix   = "192.168.10.0/30"
  secondary_peer_address_prefix = "192.168.10.4/30"
  vlan_id                       = 100
}

resource "azurerm_route_filter" "microsoft" {
  name                = "rf-ams"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location

  rule {
    name        = "allow-west-europe"
    access      = "Allow"
    rule_type   = "Community"
    communities = ["12076:51002", "12076:5010"]
  }
}

resource "azurerm_express_route_circuit_peering" "microsoft" {
  peering_type                  = "MicrosoftPeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = 64496
  primary_peer_address_prefix   = "203.0.113.0/30"
  secondary_peer_address_prefix = "203.0.113.4/30"
  vlan_id                       = 200
  route_filter_id               = azurerm_route_filter.microsoft.id

  microsoft_peering_config {
    advertised_public_prefixes = ["198.51.100.0/24"]
    routing_registry_name      = "RIPENCC"
  }
}

resource "azurerm_express_route_circuit_authorization" "hub" {
  name                       = "auth-ams-hub"
  express_route_circuit_name = azurerm_express_route_circuit.primary.name
  resource_group_name        = azurerm_resource_group.er.name
}

resource "azurerm_virtual_network_gateway_connection" "hub" {
  name                       = "cn-ams-er"
  resource_group_name        = azurerm_resource_group.er.name
  location                   = azurerm_resource_group.er.location
  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.er.id
  express_route_circuit_id   = azurerm_express_route_circuit.primary.id
  authorization_key          = azurerm_express_route_circuit_authorization.hub.authorization_key
  routing_weight             = 10

  depends_on = [azurerm_express_route_circuit_peering.private]
}

resource "azurerm_resource_group" "sin" {
  name     = "rg-er-sin"
  location = "southeastasia"
}

resource "azurerm_virtual_network" "sin_hub" {
  name                = "vnet-sin"
  resource_group_name = azurerm_resource_group.sin.name
  location            = azurerm_resource_group.sin.location
  address_space       = ["10.20.0.0/16"]
}

resource "azurerm_subnet" "sin_gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.sin.name
  virtual_network_name = azurerm_virtual_network.sin_hub.name
  address_prefixes     = ["10.20.255.0/27"]
}

resource "azurerm_virtual_network_gateway" "sin_er" {
  name                = "ergw-sin"
  resource_group_name = azurerm_resource_group.sin.name
  location            = azurerm_resource_group.sin.location
  type                = "ExpressRoute"
  sku                 = "ErGw1AZ"

  ip_configuration {
    name                          = "default"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.sin_gateway.id
  }
}

resource "azurerm_express_route_circuit" "sin_circuit" {
  name                  = "er-sin"
  resource_group_name   = azurerm_resource_group.sin.name
  location              = azurerm_resource_group.sin.location
  service_provider_name = "Equinix"
  peering_location      = "Singapore"
  bandwidth_in_mbps     = 500

  sku {
    tier   = "Premium"
    family = "MeteredData"
  }
}

resource "azurerm_express_route_circuit_peering" "sin_private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.sin_circuit.name
  resource_group_name           = azurerm_resource_group.sin.name
  peer_asn                      = 65010
  primary_peer_address_prefix   = "192.168.20.0/30"
  secondary_peer_address_prefix = "192.168.20.4/30"
  vlan_id                       = 100
}

resource "azurerm_express_route_circuit_authorization" "sin" {
  name                       = "auth-sin"
  express_route_circuit_name = azurerm_express_route_circuit.sin_circuit.name
  resource_group_name        = azurerm_resource_group.sin.name
}

resource "azurerm_virtual_network_gateway_connection" "sin" {
  name                       = "cn-sin"
  resource_group_name        = azurerm_resource_group.sin.name
  location                   = azurerm_resource_group.sin.location
  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.sin_er.id
  express_route_circuit_id   = azurerm_express_route_circuit.sin_circuit.id
  authorization_key          = azurerm_express_route_circuit_authorization.sin.authorization_key
  routing_weight             = 10

  depends_on = [azurerm_express_route_circuit_peering.sin_private]
}

resource "azurerm_express_route_circuit_connection" "ams_sin" {
  name                = "gr-ams-sin"
  peering_id          = azurerm_express_route_circuit_peering.private.id
  peer_peering_id     = azurerm_express_route_circuit_peering.sin_private.id
  address_prefix_ipv4 = "192.168.255.0/29"
}
