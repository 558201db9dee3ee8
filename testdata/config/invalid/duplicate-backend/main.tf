# One backend per configuration.
terraform {
  backend "local" {
    path = "expressroute.tfstate"
  }

  backend "azurerm" { # ERROR: Duplicate backend configuration
    resource_group_name  = "rg-tfstate"
    storage_account_name = "stcontosotfstate"
    container_name       = "tfstate"
    key                  = "expressroute.tfstate"
  }
}
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
