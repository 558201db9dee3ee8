# Lifecycle flags are read before anything is evaluated: they must be literal true or false.
provider "azurerm" {
  features {}
}

variable "protect_circuits" {
  type    = bool
  default = true
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

  lifecycle {
    prevent_destroy = var.protect_circuits # ERROR: Invalid prevent_destroy value
  }

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
