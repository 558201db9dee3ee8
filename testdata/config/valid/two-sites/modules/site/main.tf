# One ExpressRoute site: resource group, hub network with its GatewaySubnet, an ErGw1AZ gateway,
# a provider circuit with private peering, and the connection between gateway and circuit.

resource "azurerm_resource_group" "site" {
  name     = "rg-er-${var.name}"
  location = var.location
  tags     = var.tags
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-er-hub-${var.name}"
  location            = azurerm_resource_group.site.location
  resource_group_name = azurerm_resource_group.site.name
  address_space       = [var.address_space]
  tags                = var.tags
}

resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.site.name
  virtual_network_name = azurerm_virtual_network.hub.name
  # The last /27 of the hub's address space.
  address_prefixes = [local.gateway_subnet_prefix]
}

resource "azurerm_virtual_network_gateway" "ergw" {
  name                = "ergw-${var.name}"
  location            = azurerm_resource_group.site.location
  resource_group_name = azurerm_resource_group.site.name
  type                = "ExpressRoute"
  sku                 = "ErGw1AZ"

  ip_configuration {
    name      = "vnetGatewayConfig"
    subnet_id = azurerm_subnet.gateway.id
  }

  tags = var.tags
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-${var.name}-primary"
  resource_group_name   = azurerm_resource_group.site.name
  location              = azurerm_resource_group.site.location
  service_provider_name = var.service_provider_name
  peering_location      = var.peering_location
  bandwidth_in_mbps     = var.bandwidth_in_mbps

  sku {
    tier   = var.sku_tier
    family = "MeteredData"
  }

  tags = var.tags
}

resource "azurerm_express_route_circuit_peering" "private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.site.name
  peer_asn                      = var.peer_asn
  primary_peer_address_prefix   = cidrsubnet(var.link_prefix, 1, 0)
  secondary_peer_address_prefix = cidrsubnet(var.link_prefix, 1, 1)
  vlan_id                       = var.vlan_id
}

resource "azurerm_virtual_network_gateway_connection" "er" {
  name                = "cn-ergw-${var.name}-er-${var.name}-primary"
  location            = azurerm_resource_group.site.location
  resource_group_name = azurerm_resource_group.site.name

  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.ergw.id
  express_route_circuit_id   = azurerm_express_route_circuit.primary.id
  routing_weight             = 10

  depends_on = [azurerm_express_route_circuit_peering.private]
}

locals {
  gateway_subnet_prefix = cidrsubnet(var.address_space, 11, 2047)
}
