# The mistake is in the module; both sites report it once, at the module's line.
provider "azurerm" {
  features {}
}

module "site" {
  source   = "./modules/site"
  for_each = { ams = "Amsterdam", lon = "London" }

  name             = each.key
  peering_location = each.value
}
