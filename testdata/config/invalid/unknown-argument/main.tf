# A misspelt optional argument: the detail suggests "allow_classic_operations".
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "primary" {
  name                    = "er-ams-primary"
  resource_group_name     = azurerm_resource_group.er.name
  location                = azurerm_resource_group.er.location
  service_provider_name   = "Equinix"
  peering_location        = "Amsterdam"
  bandwidth_in_mbps       = 1000
  allow_classic_operation = false # ERROR: Unsupported argument

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
