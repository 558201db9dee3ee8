# One site: a resource group, a hub network with its GatewaySubnet, an ExpressRoute gateway, a
# circuit with private peering and an authorization (the expressroute-circuit module), and the
# connection that links the gateway to the circuit.

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

variable "location" {
  description = "Azure region of the site."
  type        = string
  default     = "westeurope"
}

variable "peering_location" {
  description = "ExpressRoute peering location of the circuit."
  type        = string
  default     = "Amsterdam"
}

locals {
  name = "ams"
  tags = {
    owner = "network-team"
    site  = local.name
  }
}

resource "azurerm_resource_group" "er" {
  name     = "rg-er-${local.name}"
  location = var.location
  tags     = local.tags
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub-${local.name}"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  address_space       = ["10.10.0.0/16"]
}

# A /27: room for a VPN gateway beside the ExpressRoute gateway later.
resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.er.name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = [cidrsubnet("10.10.0.0/16", 11, 0)]
}

resource "azurerm_virtual_network_gateway" "er" {
  name                = "ergw-${local.name}"
  resource_group_name = azurerm_resource_group.er.name
  location            = azurerm_resource_group.er.location
  type                = "ExpressRoute"
  sku                 = "ErGw1AZ"

  ip_configuration {
    name                          = "default"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway.id
  }
}

module "circuit" {
  source = "../../modules/expressroute-circuit"

  name                  = "er-${local.name}-primary"
  resource_group_name   = azurerm_resource_group.er.name
  location              = azurerm_resource_group.er.location
  service_provider_name = "Equinix"
  peering_location      = var.peering_location
  bandwidth_in_mbps     = 1000

  # The first /30 of the /29 is the primary link, the second the secondary link.
  private_peering = {
    peer_asn    = 65010
    vlan_id     = 100
    link_prefix = "192.168.100.0/29"
  }

  authorizations = ["hub"]
  tags           = local.tags
}

resource "azurerm_virtual_network_gateway_connection" "hub" {
  name                       = "cn-${local.name}-primary"
  resource_group_name        = azurerm_resource_group.er.name
  location                   = azurerm_resource_group.er.location
  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.er.id
  express_route_circuit_id   = module.circuit.id
  authorization_key          = module.circuit.authorization_keys["hub"]
  routing_weight             = 10
}

output "circuit_id" {
  value = module.circuit.id
}

output "service_key" {
  value     = module.circuit.service_key
  sensitive = true
}
