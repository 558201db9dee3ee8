# A local cannot extend itself.
provider "azurerm" {
  features {}
}

locals {
  tags = {
    environment = "production"
  }
}

locals {
  circuit_tags = merge(local.circuit_tags, { service = "expressroute" }) # ERROR: Self-referential block
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
  tags                  = local.circuit_tags

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
