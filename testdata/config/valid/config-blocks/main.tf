# The configuration blocks around resources: terraform (required_version, required_providers,
# a local backend), moved, import, removed, check with a scoped data source, and preconditions
# and postconditions on a circuit and an output.

terraform {
  required_version = ">= 1.7.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.0, < 5.0"
    }
  }

  backend "local" {
    path = "state/expressroute-ams.tfstate"
  }
}

provider "azurerm" {
  features {}
}

variable "bandwidth_in_mbps" {
  type    = number
  default = 1000
}

# The resource group was created by hand in 2021; adopt it rather than recreate it.
import {
  to = azurerm_resource_group.er
  id = "/subscriptions/6a1d2f0e-3c4b-4e5f-8a9b-0c1d2e3f4a5b/resourceGroups/rg-er-ams-prod"
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-ams-prod"
  location = "westeurope"
}

# The circuit used to be called "ams"; it is the primary now that London exists.
moved {
  from = azurerm_express_route_circuit.ams
  to   = azurerm_express_route_circuit.primary
}

# The old authorization for the retired VPN concentrator is still in use by another team's
# subscription: stop managing it without deleting it.
removed {
  from = azurerm_express_route_circuit_authorization.legacy_vpn

  lifecycle {
    destroy = false
  }
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

  lifecycle {
    precondition {
      condition     = contains([50, 100, 200, 500, 1000, 2000, 5000, 10000], var.bandwidth_in_mbps)
      error_message = "Equinix offers 50, 100, 200, 500, 1000, 2000, 5000 or 10000 Mbps in Amsterdam."
    }

    postcondition {
      condition     = self.service_provider_provisioning_state != "Deprovisioning"
      error_message = "The provider is deprovisioning er-ams-primary; talk to Equinix before changing it."
    }
  }
}

check "circuit_provisioned" {
  data "azurerm_express_route_circuit" "primary" {
    name                = azurerm_express_route_circuit.primary.name
    resource_group_name = azurerm_resource_group.er.name
  }

  assert {
    condition     = data.azurerm_express_route_circuit.primary.service_provider_provisioning_state == "Provisioned"
    error_message = "er-ams-primary is not provisioned by Equinix yet: send them the service key."
  }
}

output "circuit_id" {
  value = azurerm_express_route_circuit.primary.id

  precondition {
    condition     = var.bandwidth_in_mbps >= 50
    error_message = "A circuit below 50 Mbps cannot be ordered."
  }
}
