# count and for_each are mutually exclusive.
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

resource "azurerm_express_route_circuit_authorization" "team" {
  count    = 2
  for_each = toset(["app-team", "data-team"]) # ERROR: Invalid combination of "count" and "for_each"

  name                       = "auth-${each.key}"
  express_route_circuit_name = azurerm_express_route_circuit.primary.name
  resource_group_name        = azurerm_resource_group.er.name
}
