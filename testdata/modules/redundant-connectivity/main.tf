# Caller of modules/redundant-connectivity: one hub built directly, and two more from a for_each
# map, each with its own virtual network and GatewaySubnet.

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

locals {
  hubs = {
    weu = {
      location      = "westeurope"
      address_space = "10.10.0.0/16"
      primary = {
        service_provider_name = "Equinix"
        peering_location      = "Amsterdam"
        peer_asn              = 65010
        vlan_id               = 100
        link_prefix           = "192.168.10.0/29"
      }
      secondary = {
        service_provider_name = "Megaport"
        peering_location      = "London"
        bandwidth_in_mbps     = 500
        peer_asn              = 65010
        vlan_id               = 101
        link_prefix           = "192.168.10.8/29"
      }
    }
    uks = {
      location      = "uksouth"
      address_space = "10.20.0.0/16"
      primary = {
        service_provider_name = "Equinix"
        peering_location      = "London"
        peer_asn              = 65020
        vlan_id               = 200
        link_prefix           = "192.168.20.0/29"
      }
      secondary = {
        service_provider_name = "Equinix"
        peering_location      = "London2"
        peer_asn              = 65020
        vlan_id               = 201
        link_prefix           = "192.168.20.8/29"
      }
    }
  }
}

resource "azurerm_resource_group" "hub" {
  for_each = local.hubs

  name     = "rg-er-${each.key}"
  location = each.value.location
}

resource "azurerm_virtual_network" "hub" {
  for_each = local.hubs

  name                = "vnet-hub-${each.key}"
  resource_group_name = azurerm_resource_group.hub[each.key].name
  location            = each.value.location
  address_space       = [each.value.address_space]
}

resource "azurerm_subnet" "gateway" {
  for_each = local.hubs

  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.hub[each.key].name
  virtual_network_name = azurerm_virtual_network.hub[each.key].name
  address_prefixes     = [cidrsubnet(each.value.address_space, 11, 2047)]
}

module "hub" {
  source   = "../../../modules/redundant-connectivity"
  for_each = local.hubs

  name                = each.key
  resource_group_name = azurerm_resource_group.hub[each.key].name
  location            = each.value.location
  gateway_subnet_id   = azurerm_subnet.gateway[each.key].id

  circuits = {
    primary   = each.value.primary
    secondary = each.value.secondary
  }
}

# A single instance with FastPath on an ErGw3AZ gateway and custom weights.
resource "azurerm_resource_group" "ne" {
  name     = "rg-er-neu"
  location = "northeurope"
}

resource "azurerm_virtual_network" "ne" {
  name                = "vnet-hub-neu"
  resource_group_name = azurerm_resource_group.ne.name
  location            = azurerm_resource_group.ne.location
  address_space       = ["10.30.0.0/16"]
}

resource "azurerm_subnet" "ne_gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.ne.name
  virtual_network_name = azurerm_virtual_network.ne.name
  address_prefixes     = ["10.30.255.0/26"]
}

module "neu" {
  source = "../../../modules/redundant-connectivity"

  name                = "neu"
  resource_group_name = azurerm_resource_group.ne.name
  location            = azurerm_resource_group.ne.location
  gateway_subnet_id   = azurerm_subnet.ne_gateway.id
  gateway_sku         = "ErGw3AZ"
  fast_path           = true

  circuits = {
    primary = {
      service_provider_name = "Equinix"
      peering_location      = "Dublin"
      bandwidth_in_mbps     = 10000
      sku                   = { tier = "Premium", family = "UnlimitedData" }
      peer_asn              = 65030
      vlan_id               = 300
      link_prefix           = "192.168.30.0/29"
    }
    secondary = {
      service_provider_name = "Megaport"
      peering_location      = "Dublin2"
      bandwidth_in_mbps     = 10000
      sku                   = { tier = "Premium", family = "UnlimitedData" }
      peer_asn              = 65030
      vlan_id               = 301
      link_prefix           = "192.168.30.8/29"
    }
  }

  routing_weights = {
    primary   = 200
    secondary = 50
  }
}

output "preferred_circuits" {
  value = merge(
    { for key, hub in module.hub : key => hub.preferred_circuit },
    { neu = module.neu.preferred_circuit },
  )
}

output "neu_primary_service_key" {
  value     = module.neu.service_keys["primary"]
  sensitive = true
}
