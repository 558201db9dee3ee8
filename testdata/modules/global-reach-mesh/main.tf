# Caller of modules/global-reach-mesh: five circuits (built with the expressroute-circuit module),
# a mesh per continent from a for_each map, and one transatlantic link between two Premium
# circuits as a single instance.

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

locals {
  circuits = {
    ams = { location = "westeurope", provider = "Equinix", peering_location = "Amsterdam", tier = "Premium", asn = 65010, vlan = 100, link = "192.168.10.0/29" }
    lon = { location = "uksouth", provider = "Megaport", peering_location = "London", tier = "Standard", asn = 65011, vlan = 110, link = "192.168.11.0/29" }
    fra = { location = "germanywestcentral", provider = "Equinix", peering_location = "Frankfurt", tier = "Standard", asn = 65012, vlan = 120, link = "192.168.12.0/29" }
    nyc = { location = "eastus", provider = "Equinix", peering_location = "New York", tier = "Premium", asn = 65013, vlan = 130, link = "192.168.13.0/29" }
    chi = { location = "northcentralus", provider = "Megaport", peering_location = "Chicago", tier = "Standard", asn = 65014, vlan = 140, link = "192.168.14.0/29" }
  }

  meshes = {
    eu = {
      members       = { ams = 0, lon = 1, fra = 2 }
      address_space = "192.168.250.0/26"
      ipv6          = null
    }
    us = {
      members       = { nyc = 0, chi = 1 }
      address_space = "192.168.251.0/29"
      ipv6          = "fd00:251::/125"
    }
  }
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-global"
  location = "westeurope"
}

module "circuit" {
  source   = "../../../modules/expressroute-circuit"
  for_each = local.circuits

  name                  = "er-${each.key}"
  resource_group_name   = azurerm_resource_group.er.name
  location              = each.value.location
  service_provider_name = each.value.provider
  peering_location      = each.value.peering_location
  sku                   = { tier = each.value.tier, family = "MeteredData" }

  private_peering = {
    peer_asn    = each.value.asn
    vlan_id     = each.value.vlan
    link_prefix = each.value.link
  }
}

module "mesh" {
  source   = "../../../modules/global-reach-mesh"
  for_each = local.meshes

  name_prefix        = "gr-${each.key}"
  address_space      = each.value.address_space
  ipv6_address_space = each.value.ipv6

  circuits = {
    for key, slot in each.value.members : key => {
      private_peering_id = module.circuit[key].private_peering_id
      peering_location   = module.circuit[key].peering_location
      sku_tier           = module.circuit[key].sku_tier
      slot               = slot
    }
  }
}

module "transatlantic" {
  source = "../../../modules/global-reach-mesh"

  name_prefix   = "gr-atlantic"
  address_space = "192.168.252.0/29"

  circuits = {
    ams = {
      private_peering_id = module.circuit["ams"].private_peering_id
      peering_location   = "Amsterdam"
      sku_tier           = "Premium"
      slot               = 0
    }
    nyc = {
      private_peering_id = module.circuit["nyc"].private_peering_id
      peering_location   = "New York"
      sku_tier           = "Premium"
      slot               = 1
    }
  }
}

output "global_reach_prefixes" {
  value = merge(
    { for mesh, links in module.mesh : mesh => links.address_prefixes },
    { atlantic = module.transatlantic.address_prefixes },
  )
}

output "pairs" {
  value = { for mesh, links in module.mesh : mesh => links.pairs }
}
