variable "name" {
  type = string
}

variable "peering_location" {
  type = string
}

resource "azurerm_resource_group" "site" {
  name     = "rg-er-${var.name}"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-${var.name}-primary"
  resource_group_name   = azurerm_resource_group.site.name
  location              = azurerm_resource_group.site.location
  service_provider_name = "Equinix"
  peering_location      = var.peering_location
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Standard"
    family = "Metered" # ERROR: Invalid value for argument
  }
}
