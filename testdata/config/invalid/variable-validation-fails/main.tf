# 750 Mbps is not a bandwidth Equinix sells: the variable's validation rejects the tfvars value.
provider "azurerm" {
  features {}
}

variable "bandwidth_in_mbps" {
  description = "Circuit bandwidth."
  type        = number

  validation {
    condition     = contains([50, 100, 200, 500, 1000, 2000, 5000, 10000], var.bandwidth_in_mbps)
    error_message = "Choose one of the bandwidths Equinix offers: 50, 100, 200, 500, 1000, 2000, 5000 or 10000 Mbps."
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
  bandwidth_in_mbps     = var.bandwidth_in_mbps

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
