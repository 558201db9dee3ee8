# Import blocks belong in the root module.
provider "azurerm" {
  features {}
}

module "site" {
  source = "./modules/site"
}
