
variable "name" {
  type = string
}

variable "peering_location" {
  type = string
}

variable "bandwidth" {
  type    = number
  default = 1000
}

resource "azurerm_resource_group" "this" {
  name     = "rg-er-${var.name}"
  location = "westeurope"
}

resource "azurerm_express_route_circuit" "this" {
  name                  = "er-${var.name}"
  resource_group_name   = azurerm_resource_group.this.name
  location              = azurerm_resource_group.this.location
  service_provider_name = "Equinix"
  peering_location      = var.peering_location
  bandwidth_in_mbps     = var.bandwidth

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}

resource "azurerm_express_route_circuit_peering" "private" {
  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = azurerm_express_route_circuit.this.name
  resource_group_name           = azurerm_resource_group.this.name
  peer_asn                      = 65010
  primary_peer_address_prefix   = "192.168.100.0/30"
  secondary_peer_address_prefix = "192.168.100.4/30"
  vlan_id                       = 100
}

output "circuit_id" {
  value = azurerm_express_route_circuit.this.id
}
