# azurerm_resource_group, as in the azurerm documentation example: the resource group that holds
# the Amsterdam ExpressRoute estate.

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

resource "azurerm_resource_group" "er_ams" {
  name     = "rg-er-ams-prod"
  location = "West Europe"

  tags = {
    environment = "production"
    service     = "expressroute"
    costcenter  = "NET-4711"
  }
}
