# Equinix sells no 750 Mbps circuit; the precondition says so.
provider "azurerm" {
  features {}
}

variable "bandwidth_in_mbps" {
  type    = number
  default = 750
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
  bandwidth_in_mbps     = var.bandwidth_in_mbps

  lifecycle {
    precondition {
      condition     = contains([50, 100, 200, 500, 1000, 2000, 5000, 10000], var.bandwidth_in_mbps) # ERROR: Resource precondition failed
      error_message = "Equinix offers 50, 100, 200, 500, 1000, 2000, 5000 or 10000 Mbps in Amsterdam."
    }
  }

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
