# A resource type azurerm does not have (it is azurerm_express_route_circuit).
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_expressroute_circuit" "primary" { # ERROR: Invalid resource type
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
