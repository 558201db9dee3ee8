# The module requires peering_location, which the call leaves out.
provider "azurerm" {
  features {}
}

module "lon" { # ERROR: Missing required argument
  source = "./modules/site"

  name     = "lon"
  location = "uksouth"
}
