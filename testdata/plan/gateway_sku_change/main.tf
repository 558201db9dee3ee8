# The gateway SKU changes within the AZ family (ErGw1AZ to ErGw2AZ).

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

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams"
  location = "westeurope"
  tags = {
    owner = "network-team"
  }
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
  address_prefixes     = ["10.10.0.0/27"]
}

resource "azurerm_virtual_network_gateway" "er" {
  name                = "ergw-ams"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  type                = "ExpressRoute"
  sku                 = "ErGw2AZ"

  ip_configuration {
    name                          = "default"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway.id
  }
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-ams-primary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }

  tags = azurerm_resource_group.er.tags
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
  name                       = "cn-ams-primary"
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
