# A new authorization on an existing circuit: its id and key are known only after apply, and so are
# the outputs built from them.

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
  name     = "rg-er-ams"
  location = "westeurope"
  tags = {
    owner = "network-team"
  }
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

  tags = azurerm_resource_group.er.tags
}

resource "azurerm_express_route_circuit_peering" "private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = 65010
  primary_peer_address_prefix   = "192.168.100.0/30"
  secondary_peer_address_prefix = "192.168.100.4/30"
  vlan_id                       = 100
}

resource "azurerm_express_route_circuit_authorization" "new" {
  name                       = "auth-new"
  express_route_circuit_name = azurerm_express_route_circuit.primary.name
  resource_group_name        = azurerm_resource_group.er.name
}

output "authorization_id" {
  value = azurerm_express_route_circuit_authorization.new.id
}

output "authorization_key" {
  value     = azurerm_express_route_circuit_authorization.new.authorization_key
  sensitive = true
}

output "circuit_id" {
  value = azurerm_express_route_circuit.primary.id
}
