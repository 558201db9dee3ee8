# gateway_address and gateway_fqdn are alternatives: set one.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_local_network_gateway" "ams_dc" {
  name                = "lgw-ams-dc1"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  gateway_address     = "198.51.100.23"
  gateway_fqdn        = "vpn.ams.contoso.example" # ERROR: Invalid combination of arguments
  address_space       = ["10.200.0.0/16"]
}
