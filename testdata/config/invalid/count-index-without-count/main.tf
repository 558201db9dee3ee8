# count.index only exists in a block with count.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_express_route_circuit_authorization" "team" {
  name                       = "auth-team-${count.index}" # ERROR: Reference to "count" in non-counted context
  express_route_circuit_name = "er-ams-primary"
  resource_group_name        = azurerm_resource_group.er.name
}
