# azurerm_express_route_circuit_peering, Microsoft peering, as in the azurerm documentation
# example: public /30 link networks, advertised public prefixes, and a route filter that admits
# the Exchange Online and SharePoint Online communities.

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
    family = "UnlimitedData"
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
    communities = ["12076:5010", "12076:5020"]
  }
}

resource "azurerm_express_route_circuit_peering" "microsoft" {
  peering_type                  = "MicrosoftPeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = 64512
  primary_peer_address_prefix   = "203.0.113.0/30"
  secondary_peer_address_prefix = "203.0.113.4/30"
  ipv4_enabled                  = true
  vlan_id                       = 300
  route_filter_id               = azurerm_route_filter.m365.id

  microsoft_peering_config {
    advertised_public_prefixes = ["203.0.113.128/27"]
    customer_asn               = 64512
    routing_registry_name      = "RIPENCC"
  }

  ipv6 {
    primary_peer_address_prefix   = "2001:db8:300::/126"
    secondary_peer_address_prefix = "2001:db8:300::4/126"
    enabled                       = true
    route_filter_id               = azurerm_route_filter.m365.id

    microsoft_peering {
      advertised_public_prefixes = ["2001:db8:3000::/48"]
    }
  }
}
