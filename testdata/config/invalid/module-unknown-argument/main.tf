# The module's variable is bandwidth_in_mbps; "bandwidth" is not one of them.
provider "azurerm" {
  features {}
}

module "ams" {
  source = "./modules/site"

  name             = "ams"
  location         = "westeurope"
  peering_location = "Amsterdam"
  bandwidth        = 2000 # ERROR: Unsupported argument
}
