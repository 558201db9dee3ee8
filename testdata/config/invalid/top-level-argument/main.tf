# An argument outside any block: it belongs in a locals block (or a variable).
provider "azurerm" {
  features {}
}

location = "westeurope" # ERROR: Unsupported argument

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
