# A gateway must sit in the subnet named GatewaySubnet; this id names another subnet.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_virtual_network_gateway" "ergw" {
  name                = "ergw-hub-weu"
  location            = azurerm_resource_group.er.location
  resource_group_name = azurerm_resource_group.er.name
  type                = "ExpressRoute"
  sku                 = "ErGw1AZ"

  ip_configuration {
    subnet_id = "/subscriptions/6a1d2f0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b/resourceGroups/rg-er-ams-prod/providers/Microsoft.Network/virtualNetworks/vnet-er-hub-weu/subnets/snet-gateway" # ERROR: Invalid value for argument
  }
}
