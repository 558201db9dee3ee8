# A failing check assertion is a warning, not an error (as in Terraform): the configuration is
# still valid.

terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

provider "azurerm" {
  features {}
}

variable "bandwidth_in_mbps" {
  type    = number
  default = 500
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

check "bandwidth_headroom" {
  assert {
    condition     = var.bandwidth_in_mbps >= 1000 # WARNING: Check block assertion failed
    error_message = "The Amsterdam links peak at 600 Mbps; order at least 1 Gbps before the migration."
  }
}
