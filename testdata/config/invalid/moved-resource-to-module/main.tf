# A resource can move to a resource, a module to a module; not one to the other.
provider "azurerm" {
  features {}
}

module "site" {
  source = "./modules/site"
}

moved { # ERROR: Invalid "moved" addresses
  from = azurerm_express_route_circuit.primary
  to   = module.site
}
