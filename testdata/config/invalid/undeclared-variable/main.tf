# var.circuit_bandwidth is used but never declared (the variable is bandwidth_in_mbps).
provider "azurerm" {
  features {}
}

variable "bandwidth_in_mbps" {
  type    = number
  default = 1000
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
  bandwidth_in_mbps     = var.circuit_bandwidth # ERROR: Reference to undeclared input variable

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
