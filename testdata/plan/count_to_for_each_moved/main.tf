# count becomes for_each; moved blocks re-key the instances, so nothing is destroyed.

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

locals {
  sites = {
    ams = { index = 0, location = "Amsterdam" }
    lon = { index = 1, location = "London" }
  }
}

resource "azurerm_express_route_circuit" "site" {
  for_each              = local.sites
  name                  = "er-${each.value.index}"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = each.value.location
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}

moved {
  from = azurerm_express_route_circuit.site[0]
  to   = azurerm_express_route_circuit.site["ams"]
}

moved {
  from = azurerm_express_route_circuit.site[1]
  to   = azurerm_express_route_circuit.site["lon"]
}
