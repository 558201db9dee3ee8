# azurerm_route_filter with its rule, as in the azurerm documentation example: admits the Azure
# West Europe regional community on Microsoft peering.

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

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_route_filter" "weu" {
  name                = "rf-er-ams-weu"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location

  rule {
    name        = "allow-azure-west-europe"
    access      = "Allow"
    rule_type   = "Community"
    communities = ["12076:52006"]
  }

  tags = {
    environment = "production"
  }
}
