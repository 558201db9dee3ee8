# A hub in West Europe reached from the Amsterdam data centre over ExpressRoute (an Equinix circuit
# at the Amsterdam peering location, the expressroute-circuit module), with a site-to-site VPN over
# the internet as the backup path (the er-vpn-coexistence module: both gateways in one /27
# GatewaySubnet, a local network gateway for the data centre's VPN device, and the IPsec tunnel).
# Azure prefers the ExpressRoute routes while the circuit is up and falls back to the tunnel.

terraform {
  required_version = ">= 1.5.0"

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

locals {
  tags = {
    environment = "production"
    service     = "hub-weu"
  }
}

resource "azurerm_resource_group" "hub" {
  name     = "rg-hub-weu"
  location = "westeurope"
  tags     = local.tags
}

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-hub-weu"
  resource_group_name = azurerm_resource_group.hub.name
  location            = azurerm_resource_group.hub.location
  address_space       = ["10.10.0.0/16"]
  tags                = local.tags
}

module "circuit" {
  source = "../../modules/expressroute-circuit"

  name                  = "er-ams-primary"
  resource_group_name   = azurerm_resource_group.hub.name
  location              = azurerm_resource_group.hub.location
  service_provider_name = "Equinix"
  peering_location      = "Amsterdam"
  bandwidth_in_mbps     = 1000

  private_peering = {
    peer_asn    = 65010
    vlan_id     = 100
    link_prefix = "192.168.10.0/29"
  }

  tags = local.tags
}

module "hub" {
  source = "../../modules/er-vpn-coexistence"

  name                  = "weu"
  resource_group_name   = azurerm_resource_group.hub.name
  location              = azurerm_resource_group.hub.location
  virtual_network_name  = azurerm_virtual_network.hub.name
  gateway_subnet_prefix = "10.10.255.224/27"

  # Both ends speak BGP over the tunnel, so a prefix added in the data centre reaches Azure on
  # both paths without a change here.
  on_premises = {
    name            = "ams-dc1"
    gateway_address = "198.51.100.23"
    bgp = {
      asn             = 65010
      peering_address = "10.200.255.254"
    }
  }
  ipsec_shared_key = var.ipsec_shared_key

  express_route_circuits = {
    ams = {
      circuit_id     = module.circuit.id
      routing_weight = 100
    }
  }

  tags = local.tags
}
