# Only a new output: no resource changes, but the plan is applyable.

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

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams"
  location = "westeurope"
  tags = {
    owner = "network-team"
  }
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-ams-primary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }

  tags = azurerm_resource_group.er.tags
}

output "circuit_id" {
  value = azurerm_express_route_circuit.primary.id
}

output "circuit_name" {
  value = azurerm_express_route_circuit.primary.name
}
