# azurerm_express_route_circuit_peering, private peering, as in the azurerm documentation example:
# two /30 link networks, a customer ASN, a VLAN, an MD5 key and IPv6.

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
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-ams-primary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000

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
  primary_peer_address_prefix   = "192.168.100.0/30"
  secondary_peer_address_prefix = "192.168.100.4/30"
  ipv4_enabled                  = true
  vlan_id                       = 100
  shared_key                    = "amsMd52024"

  ipv6 {
    primary_peer_address_prefix   = "2001:db8:100::/126"
    secondary_peer_address_prefix = "2001:db8:100::4/126"
    enabled                       = true
  }
}
