resource "azurerm_express_route_circuit" "primary" {
  name                  = "er-ams-primary"
  resource_group_name   = azurerm_resource_group.net.name
  location              = "westeurope"
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000
}
