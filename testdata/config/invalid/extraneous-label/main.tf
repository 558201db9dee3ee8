# A resource block has two labels, type and name.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" "ams" { # ERROR: Extraneous label for resource
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
