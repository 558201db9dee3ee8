# Caller of modules/er-vpn-coexistence: two hubs from a for_each map, one with static routing to
# its data centre, one with BGP over an active-active tunnel and two circuits; and a hub built as a
# single instance with no circuit connected yet.

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

variable "ipsec_shared_key" {
  description = "Pre-shared key of the tunnels."
  type        = string
  sensitive   = true
  default     = "Xq7vR2mK9pL4wN8sT3zB"
}

locals {
  hubs = {
    weu = {
      location      = "westeurope"
      address_space = "10.10.0.0/16"
      vpn_sku       = "VpnGw1AZ"
      active_active = false
      on_premises = {
        name            = "ams-dc1"
        gateway_address = "198.51.100.23"
        address_space   = ["10.200.0.0/16", "10.201.0.0/16"]
      }
      circuits = {
        ams = { provider = "Equinix", peering_location = "Amsterdam", asn = 65010, vlan = 100, link = "192.168.10.0/29", weight = 100 }
      }
    }
    uks = {
      location      = "uksouth"
      address_space = "10.20.0.0/16"
      vpn_sku       = "VpnGw2AZ"
      active_active = true
      on_premises = {
        name            = "lon-dc1"
        gateway_address = "203.0.113.40"
        bgp = {
          asn             = 65020
          peering_address = "10.210.255.254"
        }
      }
      circuits = {
        lon  = { provider = "Megaport", peering_location = "London", asn = 65020, vlan = 200, link = "192.168.20.0/29", weight = 100 }
        lon2 = { provider = "Equinix", peering_location = "London2", asn = 65020, vlan = 201, link = "192.168.20.8/29", weight = 10 }
      }
    }
  }

  circuits = merge([
    for hub_key, hub in local.hubs : {
      for key, circuit in hub.circuits : key => merge(circuit, { hub = hub_key, location = hub.location })
    }
  ]...)
}

resource "azurerm_resource_group" "hub" {
  for_each = local.hubs

  name     = "rg-er-${each.key}"
  location = each.value.location
}

resource "azurerm_virtual_network" "hub" {
  for_each = local.hubs

  name                = "vnet-hub-${each.key}"
  resource_group_name = azurerm_resource_group.hub[each.key].name
  location            = each.value.location
  address_space       = [each.value.address_space]
}

module "circuit" {
  source   = "../../../modules/expressroute-circuit"
  for_each = local.circuits

  name                  = "er-${each.key}"
  resource_group_name   = azurerm_resource_group.hub[each.value.hub].name
  location              = each.value.location
  service_provider_name = each.value.provider
  peering_location      = each.value.peering_location

  private_peering = {
    peer_asn    = each.value.asn
    vlan_id     = each.value.vlan
    link_prefix = each.value.link
  }
}

module "hub" {
  source   = "../../../modules/er-vpn-coexistence"
  for_each = local.hubs

  name                  = each.key
  resource_group_name   = azurerm_resource_group.hub[each.key].name
  location              = each.value.location
  virtual_network_name  = azurerm_virtual_network.hub[each.key].name
  gateway_subnet_prefix = cidrsubnet(each.value.address_space, 11, 2047)
  vpn_gateway_sku       = each.value.vpn_sku
  vpn_active_active     = each.value.active_active
  on_premises           = each.value.on_premises
  ipsec_shared_key      = var.ipsec_shared_key

  express_route_circuits = {
    for key, circuit in each.value.circuits : key => {
      circuit_id     = module.circuit[key].id
      routing_weight = circuit.weight
    }
  }
}

resource "azurerm_resource_group" "neu" {
  name     = "rg-er-neu"
  location = "northeurope"
}

resource "azurerm_virtual_network" "neu" {
  name                = "vnet-hub-neu"
  resource_group_name = azurerm_resource_group.neu.name
  location            = azurerm_resource_group.neu.location
  address_space       = ["10.30.0.0/16"]
}

module "neu" {
  source = "../../../modules/er-vpn-coexistence"

  name                  = "neu"
  resource_group_name   = azurerm_resource_group.neu.name
  location              = azurerm_resource_group.neu.location
  virtual_network_name  = azurerm_virtual_network.neu.name
  gateway_subnet_prefix = "10.30.255.0/26"
  vpn_gateway_sku       = "VpnGw3"
  ipsec_shared_key      = var.ipsec_shared_key

  on_premises = {
    name            = "dub-dc1"
    gateway_address = "192.0.2.10"
    address_space   = ["10.230.0.0/16"]
  }

  ipsec_policy = {
    dh_group  = "ECP384"
    pfs_group = "ECP384"
  }
}

output "vpn_public_ip_addresses" {
  value = { for key, hub in module.hub : key => hub.vpn_public_ip_addresses }
}

output "expressroute_connection_ids" {
  value = { for key, hub in module.hub : key => hub.expressroute_connection_ids }
}
