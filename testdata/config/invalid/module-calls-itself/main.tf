# A module that calls itself would load forever.
provider "azurerm" {
  features {}
}

module "site" {
  source = "./modules/site"

  name = "ams"
}
