# A gateway without its ip_configuration block has no subnet to live in.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_virtual_network_gateway" "ergw" { # ERROR: Insufficient ip_configuration blocks
  name                = "ergw-hub-weu"
  location            = azurerm_resource_group.er.location
  resource_group_name = azurerm_resource_group.er.name
  type                = "ExpressRoute"
  sku                 = "ErGw1AZ"
}
