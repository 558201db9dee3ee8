# azurerm_virtual_network, as in the azurerm documentation example: a hub network with DNS servers
# and inline subnets.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "hub" {
  name     = "rg-er-hub-weu"
  location = "westeurope"
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-er-hub-weu"
  location            = azurerm_resource_group.hub.location
  resource_group_name = azurerm_resource_group.hub.name
  address_space       = ["10.10.0.0/16"]
  dns_servers         = ["10.10.1.4", "10.10.1.5"]

  subnet {
    name             = "snet-shared-services"
    address_prefixes = ["10.10.1.0/24"]
  }

  subnet {
    name             = "snet-management"
    address_prefixes = ["10.10.2.0/24"]
  }

  tags = {
    environment = "production"
  }
}
