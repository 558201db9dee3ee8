# each.key only exists in a block with for_each.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_express_route_circuit_authorization" "team" {
  name                       = "auth-${each.key}" # ERROR: Reference to "each" in context without for_each
  express_route_circuit_name = "er-ams-primary"
  resource_group_name        = azurerm_resource_group.er.name
}
