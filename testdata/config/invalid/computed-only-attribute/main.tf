# The service key is issued by Azure; it cannot be chosen.
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
  service_key           = "0b7c1a52-6a2e-4c41-9f0f-3c3a8f6e2d11" # ERROR: Value for unconfigurable attribute

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
