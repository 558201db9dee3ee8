# A provider circuit takes bandwidth_in_mbps; bandwidth_in_gbps is for ExpressRoute Direct ports
# and needs express_route_port_id.
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
  bandwidth_in_gbps     = 1 # ERROR: Conflicting configuration arguments # ERROR: Missing required argument

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}
