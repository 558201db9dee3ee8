# module.site_lon is not declared: the call is module.site with for_each.
provider "azurerm" {
  features {}
}

locals {
  sites = {
    ams = "westeurope"
  }
}

module "site" {
  source   = "./modules/site"
  for_each = local.sites

  name     = each.key
  location = each.value
}

output "london_circuit" {
  value = module.site_lon.circuit_name # ERROR: Reference to undeclared module
}
