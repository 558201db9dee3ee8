# each has key and value, nothing else.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_express_route_circuit_authorization" "team" {
  for_each = toset(["app-team", "data-team"])

  name                       = "auth-${each.name}" # ERROR: Unsupported attribute
  express_route_circuit_name = "er-ams-primary"
  resource_group_name        = azurerm_resource_group.er.name
}
