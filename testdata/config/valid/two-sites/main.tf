# Two ExpressRoute sites, Amsterdam and London, each built by the same local module from one
# entry of the `sites` map in terraform.tfvars, and joined by Global Reach. Uses for_each over a
# map with a module per site, locals, outputs, cidrsubnet, lookup, try and merge.

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
  common_tags = {
    environment = var.environment
    service     = "expressroute"
    managed_by  = "peerform"
  }

  # The connectivity provider at each peering location; Equinix where nothing else is agreed.
  providers_by_location = {
    Amsterdam = "Equinix"
    London    = "Equinix"
    Frankfurt = "Interxion"
  }

  sites = {
    for key, site in var.sites : key => merge(site, {
      service_provider = lookup(local.providers_by_location, site.peering_location, "Equinix")
      sku_tier         = try(site.sku_tier, null) == null ? "Premium" : site.sku_tier
      tags             = merge(local.common_tags, site.tags, { site = key })
    })
  }
}

module "site" {
  source   = "./modules/site"
  for_each = local.sites

  name                  = each.key
  location              = each.value.location
  address_space         = each.value.address_space
  service_provider_name = each.value.service_provider
  peering_location      = each.value.peering_location
  bandwidth_in_mbps     = each.value.bandwidth_mbps
  sku_tier              = each.value.sku_tier
  peer_asn              = each.value.peer_asn
  vlan_id               = each.value.vlan_id
  link_prefix           = each.value.link_prefix
  tags                  = each.value.tags
}

resource "azurerm_express_route_circuit_connection" "ams_lon" {
  name                = "gr-ams-lon"
  peering_id          = module.site["ams"].private_peering_id
  peer_peering_id     = module.site["lon"].private_peering_id
  address_prefix_ipv4 = var.global_reach_prefix
}
