# azurerm's argument is subscription_id.
provider "azurerm" {
  features {}
  subscription = "6a1d2f0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b" # ERROR: Unsupported argument
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
