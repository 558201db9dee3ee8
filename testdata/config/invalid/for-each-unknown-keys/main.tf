# The map's keys are circuit ids, which Azure assigns at apply: the instances cannot be known.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "ams" {
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

resource "azurerm_express_route_circuit" "ams2" {
  name                  = "er-ams-secondary"
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

resource "azurerm_express_route_circuit_authorization" "per_circuit" {
  for_each = { for c in [azurerm_express_route_circuit.ams, azurerm_express_route_circuit.ams2] : c.id => c.name } # ERROR: Invalid for_each argument

  name                       = "auth-app-team"
  express_route_circuit_name = each.value
  resource_group_name        = azurerm_resource_group.er.name
}
