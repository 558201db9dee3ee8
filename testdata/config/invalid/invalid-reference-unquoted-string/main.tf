# An unquoted word is read as a reference; locations are strings.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = westeurope # ERROR: Invalid reference
}
