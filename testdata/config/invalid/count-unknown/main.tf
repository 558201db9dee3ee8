# How many peerings an existing circuit has is read from Azure: unknown while planning.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

data "azurerm_express_route_circuit" "existing" {
  name                = "er-ams-primary"
  resource_group_name = azurerm_resource_group.er.name
}

resource "azurerm_express_route_circuit_authorization" "per_peering" {
  count = length(data.azurerm_express_route_circuit.existing.peerings) # ERROR: Invalid count argument

  name                       = "auth-peering-${count.index}"
  express_route_circuit_name = data.azurerm_express_route_circuit.existing.name
  resource_group_name        = azurerm_resource_group.er.name
}
