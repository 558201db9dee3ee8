# L6 trigger: Eleven virtual networks linked to a Standard circuit (limit 10).

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-hub"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
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

resource "azurerm_virtual_network" "spoke" {
  count               = 11
  name                = "vnet-spoke-${count.index}"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  address_space       = [cidrsubnet("10.0.0.0/8", 8, count.index + 10)]
}

resource "azurerm_subnet" "spoke_gateway" {
  count                = 11
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.er.name
  virtual_network_name = azurerm_virtual_network.spoke[count.index].name
  address_prefixes     = [cidrsubnet(cidrsubnet("10.0.0.0/8", 8, count.index + 10), 11, 0)]
}

resource "azurerm_virtual_network_gateway" "spoke" {
  count               = 11
  name                = "ergw-spoke-${count.index}"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  type                = "ExpressRoute"
  sku                 = "ErGw1AZ"

  ip_configuration {
    name                          = "default"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.spoke_gateway[count.index].id
  }
}

resource "azurerm_virtual_network_gateway_connection" "spoke" {
  count                      = 11
  name                       = "cn-spoke-${count.index}"
  resource_group_name        = azurerm_resource_group.er.name
  location                   = azurerm_resource_group.er.location
  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.spoke[count.index].id
  express_route_circuit_id   = azurerm_express_route_circuit.primary.id

  depends_on = [azurerm_express_route_circuit_peering.private]
}
