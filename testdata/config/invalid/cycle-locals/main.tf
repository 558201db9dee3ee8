# Two locals defined in terms of each other.
provider "azurerm" {
  features {}
}

locals {
  circuit_name = "er-${local.site}-primary" # ERROR: Cycle: local.circuit_name, local.site
  site         = split("-", local.circuit_name)[1]
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = local.circuit_name
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
