import { # ERROR: Invalid import configuration
  to = azurerm_resource_group.site
  id = "/subscriptions/6a1d2f0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b/resourceGroups/rg-er-ams"
}

resource "azurerm_resource_group" "site" {
  name     = "rg-er-ams"
  location = "westeurope"
}
