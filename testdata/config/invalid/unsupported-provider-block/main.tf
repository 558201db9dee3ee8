# Only the azurerm provider can be configured.
provider "azurerm" {
  features {}
}

provider "azapi" { # ERROR: Unsupported provider
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
