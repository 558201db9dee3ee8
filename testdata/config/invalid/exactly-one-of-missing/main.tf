# A local network gateway needs gateway_address or gateway_fqdn.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_local_network_gateway" "ams_dc" { # ERROR: Invalid combination of arguments
  name                = "lgw-ams-dc1"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  address_space       = ["10.200.0.0/16"]
}
