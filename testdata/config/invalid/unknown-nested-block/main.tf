# microsoft_peering belongs inside ipv6; at the top of a peering the block is
# microsoft_peering_config.
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
    tier   = "Standard"
    family = "MeteredData"
  }
}

resource "azurerm_route_filter" "m365" {
  name                = "rf-er-ams-m365"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location

  rule {
    name        = "allow-m365"
    access      = "Allow"
    rule_type   = "Community"
    communities = ["12076:5010"]
  }
}

resource "azurerm_express_route_circuit_peering" "microsoft" {
  peering_type                  = "MicrosoftPeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = 64512
  primary_peer_address_prefix   = "203.0.113.0/30"
  secondary_peer_address_prefix = "203.0.113.4/30"
  vlan_id                       = 300
  route_filter_id               = azurerm_route_filter.m365.id

  microsoft_peering { # ERROR: Unsupported block type
    advertised_public_prefixes = ["203.0.113.128/27"]
  }
}
