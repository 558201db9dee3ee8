# allow_classic_operations is a bool; "no" is not one of true, false, "true", "false".
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "primary" {
  name                     = "er-ams-primary"
  resource_group_name      = azurerm_resource_group.er.name
  location                 = azurerm_resource_group.er.location
  service_provider_name    = "Equinix"
  peering_location         = "Amsterdam"
  bandwidth_in_mbps        = 1000
  allow_classic_operations = "no" # ERROR: Incorrect attribute value type

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
