# azurerm_local_network_gateway, as in the azurerm documentation example: the on-premises VPN
# device in the Amsterdam data centre, with BGP.

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

resource "azurerm_resource_group" "hub" {
  name     = "rg-er-hub-weu"
  location = "westeurope"
}

resource "azurerm_local_network_gateway" "ams_dc" {
  name                = "lgw-ams-dc1"
  resource_group_name = azurerm_resource_group.hub.name
  location            = azurerm_resource_group.hub.location
  gateway_address     = "198.51.100.23"
  address_space       = ["10.200.0.0/16", "10.201.0.0/16"]

  bgp_settings {
    asn                 = 65010
    bgp_peering_address = "10.200.255.254"
  }
}
