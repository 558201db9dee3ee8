# "resources" is not a block type; the hint names "resource".
provider "azurerm" {
  features {}
}

resources "azurerm_resource_group" "er" { # ERROR: Unsupported block type
  name     = "rg-er-ams-prod"
  location = "westeurope"
}
