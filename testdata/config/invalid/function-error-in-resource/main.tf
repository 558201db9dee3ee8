# The secondary link asks for subnet number 2 of a one-bit extension, which does not exist: the
# mistake is reported in the peering, where the call is.
provider "azurerm" {
  features {}
}

variable "link_prefix" {
  description = "Should be a /29 holding both /30 link networks."
  type        = string
  default     = "192.168.100.0/30"
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

resource "azurerm_express_route_circuit_peering" "private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.primary.name
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = 65010
  primary_peer_address_prefix   = cidrsubnet(var.link_prefix, 1, 0)
  secondary_peer_address_prefix = cidrsubnet(var.link_prefix, 1, 2) # ERROR: Error in function call
  vlan_id                       = 100
}
