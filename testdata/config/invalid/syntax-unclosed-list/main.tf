# A list that is never closed: the next argument is read as if it were inside it.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-er-hub-weu"
  resource_group_name = azurerm_resource_group.er.name
  address_space       = ["10.10.0.0/16", "10.11.0.0/16"
  location            = azurerm_resource_group.er.location # ERROR: Invalid HCL syntax
}
