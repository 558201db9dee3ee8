# A provider circuit needs service_provider_name, peering_location and bandwidth_in_mbps together.
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
  service_provider_name = "Equinix" # ERROR: Missing required argument
  bandwidth_in_mbps     = 1000      # ERROR: Missing required argument

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
