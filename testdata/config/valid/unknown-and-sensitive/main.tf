# What unknown ("known after apply") and sensitive values may do without error: for_each over a
# map whose keys are static and whose values are computed ids, conditionals and functions over
# unknown values, and sensitive values exported only from outputs marked sensitive.

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

variable "bgp_md5_key" {
  type      = string
  sensitive = true
  default   = "amsMd52024"
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-weu"
  location = "westeurope"
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-er-hub-weu"
  location            = azurerm_resource_group.er.location
  resource_group_name = azurerm_resource_group.er.name
  address_space       = ["10.10.0.0/16"]
}

resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.er.name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.10.255.0/27"]
}

resource "azurerm_virtual_network_gateway" "ergw" {
  name                = "ergw-hub-weu"
  location            = azurerm_resource_group.er.location
  resource_group_name = azurerm_resource_group.er.name
  type                = "ExpressRoute"
  sku                 = "ErGw2AZ"

  ip_configuration {
    subnet_id = azurerm_subnet.gateway.id
  }
}

resource "azurerm_express_route_circuit" "ams" {
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

resource "azurerm_express_route_circuit" "ams2" {
  name                  = "er-ams-secondary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Interxion"
  peering_location      = "Amsterdam2"
  bandwidth_in_mbps     = 1000

  sku {
    tier   = "Standard"
    family = "MeteredData"
  }
}

resource "azurerm_express_route_circuit_peering" "private" {
  for_each = {
    ams  = { circuit = azurerm_express_route_circuit.ams.name, vlan_id = 100, prefix = "192.168.100.0/29" }
    ams2 = { circuit = azurerm_express_route_circuit.ams2.name, vlan_id = 200, prefix = "192.168.200.0/29" }
  }

  peering_type                  = "AzurePrivatePeering"
  express_route_circuit_name    = each.value.circuit
  resource_group_name           = azurerm_resource_group.er.name
  peer_asn                      = 65010
  primary_peer_address_prefix   = cidrsubnet(each.value.prefix, 1, 0)
  secondary_peer_address_prefix = cidrsubnet(each.value.prefix, 1, 1)
  vlan_id                       = each.value.vlan_id
  shared_key                    = var.bgp_md5_key
}

# Keys are static; the values are ids Azure assigns, unknown until apply.
resource "azurerm_virtual_network_gateway_connection" "er" {
  for_each = {
    ams  = azurerm_express_route_circuit.ams.id
    ams2 = azurerm_express_route_circuit.ams2.id
  }

  name                       = "cn-ergw-hub-weu-${each.key}"
  location                   = azurerm_resource_group.er.location
  resource_group_name        = azurerm_resource_group.er.name
  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.ergw.id
  express_route_circuit_id   = each.value
  # Prefer the primary circuit once the provider has provisioned it.
  routing_weight = each.key == "ams" && azurerm_express_route_circuit.ams.service_provider_provisioning_state == "Provisioned" ? 20 : 10

  depends_on = [azurerm_express_route_circuit_peering.private]

  tags = {
    circuit = element(split("/", each.value), 8)
  }
}

output "circuit_service_keys" {
  value = {
    ams  = azurerm_express_route_circuit.ams.service_key
    ams2 = azurerm_express_route_circuit.ams2.service_key
  }
  sensitive = true
}

output "bgp_md5_key" {
  value     = var.bgp_md5_key
  sensitive = true
}

output "bgp_md5_key_length" {
  value = nonsensitive(length(var.bgp_md5_key))
}

output "connection_ids" {
  value = { for key, connection in azurerm_virtual_network_gateway_connection.er : key => connection.id }
}
