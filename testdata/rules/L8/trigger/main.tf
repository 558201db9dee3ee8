# L8 trigger: Five circuits on an ErGw1AZ gateway (limit 4).

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er"
  location = "westeurope"
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub"
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
  name                = "ergw-hub"
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

locals {
  peering_locations = ["Amsterdam", "Amsterdam2", "London", "Frankfurt", "Paris"]
}

resource "azurerm_express_route_circuit" "site" {
  count                 = length(local.peering_locations)
  name                  = "er-${count.index}"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = local.peering_locations[count.index]
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}

resource "azurerm_express_route_circuit_peering" "site" {
  count                         = length(local.peering_locations)
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.site[count.index].name
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = 65010
  primary_peer_address_prefix   = cidrsubnet("192.168.100.0/24", 6, count.index * 2)
  secondary_peer_address_prefix = cidrsubnet("192.168.100.0/24", 6, count.index * 2 + 1)
  vlan_id                       = 100
}

resource "azurerm_virtual_network_gateway_connection" "site" {
  count                      = length(local.peering_locations)
  name                       = "cn-${count.index}"
  resource_group_name        = azurerm_resource_group.er.name
  location                   = azurerm_resource_group.er.location
  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.er.id
  express_route_circuit_id   = azurerm_express_route_circuit.site[count.index].id

  depends_on = [azurerm_express_route_circuit_peering.site]
}
