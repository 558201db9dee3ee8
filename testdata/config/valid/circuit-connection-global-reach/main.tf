# azurerm_express_route_circuit_connection (Global Reach), in the shape of the azurerm
# documentation example: the private peerings of the Amsterdam and London circuits are joined so
# the two data centres reach each other through the Microsoft backbone. The circuits are provider
# circuits here (the documentation example uses ExpressRoute Direct ports).

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
  name     = "rg-er-global-reach"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "ams" {
  name                  = "er-ams-primary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = "westeurope"
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Premium"
    family = "MeteredData"
  }
}

resource "azurerm_express_route_circuit" "lon" {
  name                  = "er-lon-primary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = "uksouth"
  service_provider_name = "Equinix"
  peering_location      = "London"
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Premium"
    family = "MeteredData"
  }
}

resource "azurerm_express_route_circuit_peering" "ams_private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.ams.name
  resource_group_name           = azurerm_resource_group.er.name
  shared_key                    = "ItsASecret"
  peer_asn                      = 65010
  primary_peer_address_prefix   = "192.168.100.0/30"
  secondary_peer_address_prefix = "192.168.100.4/30"
  vlan_id                       = 100
}

resource "azurerm_express_route_circuit_peering" "lon_private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.lon.name
  resource_group_name           = azurerm_resource_group.er.name
  shared_key                    = "ItsASecret"
  peer_asn                      = 65020
  primary_peer_address_prefix   = "192.168.110.0/30"
  secondary_peer_address_prefix = "192.168.110.4/30"
  vlan_id                       = 110
}

resource "azurerm_express_route_circuit_connection" "ams_lon" {
  name                = "gr-ams-lon"
  peering_id          = azurerm_express_route_circuit_peering.ams_private.id
  peer_peering_id     = azurerm_express_route_circuit_peering.lon_private.id
  address_prefix_ipv4 = "192.168.250.0/29"
  authorization_key   = "846a1918-b7a2-4917-b43c-8c4cdaee006a"
}
