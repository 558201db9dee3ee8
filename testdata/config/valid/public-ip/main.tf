# azurerm_public_ip, as in the azurerm documentation example, with the Standard SKU (Basic SKU
# public IPs can no longer be created).

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

resource "azurerm_public_ip" "vpngw" {
  name                = "pip-vpngw-hub-weu"
  resource_group_name = azurerm_resource_group.hub.name
  location            = azurerm_resource_group.hub.location
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = ["1", "2", "3"]

  tags = {
    environment = "production"
  }
}
