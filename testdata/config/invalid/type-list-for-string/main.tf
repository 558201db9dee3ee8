# location is a single string, not a list.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = ["westeurope", "northeurope"] # ERROR: Incorrect attribute value type
}
