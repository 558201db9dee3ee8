# A misspelt required argument is unknown, and the real one is then missing.
provider "azurerm" {
  features {}
}

resource "azurerm_resource_group" "er" { # ERROR: Missing required argument
  name    = "rg-er-ams-prod"
  locaton = "westeurope" # ERROR: Unsupported argument
}
