# Instance keys are shown everywhere, so they may not come from a sensitive value.
provider "azurerm" {
  features {}
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

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}

variable "team_keys" {
  description = "Authorization keys already handed out, by team."
  type        = map(string)
  sensitive   = true
  default = {
    app-team  = "3f0c1d2e-8a9b-4c5d-9e0f-1a2b3c4d5e6f"
    data-team = "7b6a5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d"
  }
}

resource "azurerm_express_route_circuit_authorization" "team" {
  for_each = var.team_keys # ERROR: Invalid for_each argument

  name                       = "auth-${each.key}"
  express_route_circuit_name = azurerm_express_route_circuit.primary.name
  resource_group_name        = azurerm_resource_group.er.name
}
