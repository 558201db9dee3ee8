# Two sites, Amsterdam and London. Each has a hub network with an ExpressRoute gateway and a circuit
# at its own peering location (the expressroute-circuit module, once per site), connected to the
# gateway. Global Reach (the global-reach-mesh module) joins the two circuits, so the data centres
# reach each other over the Microsoft backbone instead of a leased line.

terraform {
  required_version = ">= 1.5.0"

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

locals {
  tags = {
    environment = var.environment
    service     = "expressroute"
  }
}

resource "azurerm_resource_group" "site" {
  for_each = var.sites

  name     = "rg-er-${each.key}"
  location = each.value.location
  tags     = merge(local.tags, { site = each.key })
}

resource "azurerm_virtual_network" "hub" {
  for_each = var.sites

  name                = "vnet-hub-${each.key}"
  resource_group_name = azurerm_resource_group.site[each.key].name
  location            = each.value.location
  address_space       = [each.value.address_space]
}

# The last /27 of each hub's address space.
resource "azurerm_subnet" "gateway" {
  for_each = var.sites

  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.site[each.key].name
  virtual_network_name = azurerm_virtual_network.hub[each.key].name
  address_prefixes     = [cidrsubnet(each.value.address_space, 11, 2047)]
}

resource "azurerm_virtual_network_gateway" "er" {
  for_each = var.sites

  name                = "ergw-${each.key}"
  resource_group_name = azurerm_resource_group.site[each.key].name
  location            = each.value.location
  type                = "ExpressRoute"
  sku                 = "ErGw1AZ"

  ip_configuration {
    name                          = "default"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway[each.key].id
  }
}

module "circuit" {
  source   = "../../modules/expressroute-circuit"
  for_each = var.sites

  name                  = "er-${each.key}"
  resource_group_name   = azurerm_resource_group.site[each.key].name
  location              = each.value.location
  service_provider_name = each.value.service_provider_name
  peering_location      = each.value.peering_location
  bandwidth_in_mbps     = each.value.bandwidth_in_mbps
  sku                   = { tier = each.value.sku_tier, family = "MeteredData" }

  private_peering = {
    peer_asn    = each.value.peer_asn
    vlan_id     = each.value.vlan_id
    link_prefix = each.value.link_prefix
  }

  tags = merge(local.tags, { site = each.key })
}

resource "azurerm_virtual_network_gateway_connection" "er" {
  for_each = var.sites

  name                       = "cn-ergw-${each.key}-er-${each.key}"
  resource_group_name        = azurerm_resource_group.site[each.key].name
  location                   = each.value.location
  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.er[each.key].id
  express_route_circuit_id   = module.circuit[each.key].id
  routing_weight             = 10
}

module "global_reach" {
  source = "../../modules/global-reach-mesh"

  address_space = var.global_reach_address_space

  circuits = {
    for key, site in var.sites : key => {
      private_peering_id = module.circuit[key].private_peering_id
      peering_location   = site.peering_location
      sku_tier           = site.sku_tier
      slot               = site.slot
    }
  }
}
