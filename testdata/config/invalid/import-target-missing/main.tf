# An import needs a resource block to import into.
provider "azurerm" {
  features {}
}

import {
  to = azurerm_resource_group.er # ERROR: Configuration for import target does not exist
  id = "/subscriptions/6a1d2f0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b/resourceGroups/rg-er-ams-prod"
}

resource "azurerm_resource_group" "ams" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
