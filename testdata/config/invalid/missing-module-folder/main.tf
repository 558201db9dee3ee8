# The module folder is modules/site, not modules/sites.
provider "azurerm" {
  features {}
}

module "ams" { # ERROR: Unreadable module directory
  source = "./modules/sites"

  name             = "ams"
  location         = "westeurope"
  peering_location = "Amsterdam"
}
