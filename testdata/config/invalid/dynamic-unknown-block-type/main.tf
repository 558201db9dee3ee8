# The inline block of a virtual network is "subnet".
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

locals {
  hub_subnets = {
    "snet-shared-services" = "10.10.1.0/24"
    "snet-management"      = "10.10.2.0/24"
  }
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-er-hub-weu"
  location            = azurerm_resource_group.er.location
  resource_group_name = azurerm_resource_group.er.name
  address_space       = ["10.10.0.0/16"]

  dynamic "subnets" { # ERROR: Unsupported block type
    for_each = local.hub_subnets
    content {
      name             = subnets.key
      address_prefixes = [subnets.value]
    }
  }
}
