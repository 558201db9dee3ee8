# A /24 cannot be split into /36 subnets.
provider "azurerm" {
  features {}
}

variable "hub_address_space" {
  type    = string
  default = "10.10.0.0/24"
}

locals {
  gateway_subnet = cidrsubnet(var.hub_address_space, 12, 1) # ERROR: Error in function call
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-er-hub-weu"
  location            = azurerm_resource_group.er.location
  resource_group_name = azurerm_resource_group.er.name
  address_space       = [var.hub_address_space]
}
