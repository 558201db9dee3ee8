# Names start with a letter or underscore.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "1-er-ams" { # ERROR: Invalid resource name
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
