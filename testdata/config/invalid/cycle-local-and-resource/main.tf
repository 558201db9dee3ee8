# The circuit's tags come from a local that reads the circuit's own name.
provider "azurerm" {
  features {}
}

locals {
  circuit_tags = { # ERROR: Cycle: azurerm_express_route_circuit.primary, local.circuit_tags
    circuit = azurerm_express_route_circuit.primary.name
    service = "expressroute"
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
  tags                  = local.circuit_tags

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
