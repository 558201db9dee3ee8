variable "site" {
  type = string
}

resource "azurerm_resource_group" "dr" {
  name     = "rg-er-${var.site}-dr"
  location = "uksouth"
}

resource "azurerm_express_route_circuit" "dr" {
  name                  = "er-${var.site}-dr"
  resource_group_name   = azurerm_resource_group.dr.name
  location              = azurerm_resource_group.dr.location
  service_provider_name = "Equinix"
  peering_location      = "London2"
  bandwidth_in_mbps     = 500

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}

output "circuit_name" {
  value = azurerm_express_route_circuit.dr.name
}
