# A for_each key is added (par) and one removed (lon): ams is not touched.

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

variable "circuits" {
  type = map(object({
    peering_location = string
    bandwidth        = number
  }))
  default = {
    ams = {
      peering_location = "Amsterdam"
      bandwidth        = 1000
    }
    par = {
      peering_location = "Paris"
      bandwidth        = 1000
    }
  }
}

resource "azurerm_express_route_circuit" "site" {
  for_each              = var.circuits
  name                  = "er-${each.key}"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = each.value.peering_location
  bandwidth_in_mbps     = each.value.bandwidth

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
