# Caller of modules/expressroute-circuit: one circuit with Microsoft peering and authorizations,
# and two more from a for_each map (one of them given its link networks as two /30s).

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
  name     = "rg-er-weu"
  location = "westeurope"
}

module "ams" {
  source = "../../../modules/expressroute-circuit"

  name                  = "er-ams-primary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000
  sku = {
    tier   = "Premium"
    family = "UnlimitedData"
  }

  private_peering = {
    peer_asn    = 65010
    vlan_id     = 100
    link_prefix = "192.168.10.0/29"
  }
  private_peering_shared_key = "k8Wz3mQp7Rt2"

  microsoft_peering = {
    peer_asn                   = 64512
    vlan_id                    = 300
    link_prefix                = "203.0.113.0/29"
    advertised_public_prefixes = ["203.0.113.128/27"]
    routing_registry_name      = "RIPENCC"
    route_filter_communities   = ["12076:5010", "12076:5020"]
  }

  authorizations = ["hub-prod", "hub-dr"]

  tags = {
    site = "ams"
  }
}

module "circuit" {
  source   = "../../../modules/expressroute-circuit"
  for_each = local.circuits

  name                  = "er-${each.key}"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = each.value.provider
  peering_location      = each.value.peering_location
  bandwidth_in_mbps     = each.value.bandwidth_in_mbps
  private_peering       = each.value.private_peering
  authorizations        = each.value.authorizations
}

locals {
  circuits = {
    lon-primary = {
      provider          = "Megaport"
      peering_location  = "London"
      bandwidth_in_mbps = 500
      private_peering = {
        peer_asn    = 65020
        vlan_id     = 200
        link_prefix = "192.168.20.0/29"
      }
      authorizations = []
    }
    ams2-secondary = {
      provider          = "Equinix"
      peering_location  = "Amsterdam2"
      bandwidth_in_mbps = 1000
      private_peering = {
        peer_asn                      = 65011
        vlan_id                       = 110
        primary_peer_address_prefix   = "192.168.11.0/30"
        secondary_peer_address_prefix = "192.168.11.4/30"
      }
      authorizations = ["hub-prod"]
    }
  }
}

output "ams_circuit_id" {
  value = module.ams.id
}

output "ams_route_filter_id" {
  value = module.ams.route_filter_id
}

output "private_peering_ids" {
  value = { for key, circuit in module.circuit : key => circuit.private_peering_id }
}

output "link_prefixes" {
  value = { for key, circuit in module.circuit : key => circuit.private_peering_prefixes }
}

output "hub_prod_authorization_key" {
  value     = module.ams.authorization_keys["hub-prod"]
  sensitive = true
}
