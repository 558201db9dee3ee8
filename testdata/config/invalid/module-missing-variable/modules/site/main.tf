variable "name" {
  description = "Short site name (ams, lon)."
  type        = string
}

variable "location" {
  type = string
}

variable "peering_location" {
  type = string
}

variable "bandwidth_in_mbps" {
  type    = number
  default = 1000
}

resource "azurerm_resource_group" "site" {
  name     = "rg-er-${var.name}"
  location = var.location
}

resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-${var.name}-primary"
  resource_group_name   = azurerm_resource_group.site.name
  location              = azurerm_resource_group.site.location
  service_provider_name = "Equinix"
  peering_location      = var.peering_location
  bandwidth_in_mbps     = var.bandwidth_in_mbps

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}

output "circuit_name" {
  value = azurerm_express_route_circuit.primary.name
}
