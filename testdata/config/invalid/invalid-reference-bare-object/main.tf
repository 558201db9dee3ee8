# "local" on its own is not a value: name one of the locals.
provider "azurerm" {
  features {}
}

locals {
  tags = {
    environment = "production"
  }
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
  tags     = local # ERROR: Invalid reference
}
