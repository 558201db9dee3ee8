# local.circuit_tags is never defined (the local is called tags).
provider "azurerm" {
  features {}
}

locals {
  tags = {
    environment = "production"
    service     = "expressroute"
  }
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-ams-primary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000
  tags                  = local.circuit_tags # ERROR: Reference to undeclared local value

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
