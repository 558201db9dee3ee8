# azurerm_virtual_network_gateway of type Vpn (route-based), as in the azurerm documentation
# example: active-standby, one IP configuration with a Standard public IP, point-to-site clients
# with a root and a revoked certificate.

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

resource "azurerm_virtual_network" "hub" {
  name                = "vnet-er-hub-weu"
  location            = azurerm_resource_group.hub.location
  resource_group_name = azurerm_resource_group.hub.name
  address_space       = ["10.10.0.0/16"]
}

resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = azurerm_resource_group.hub.name
  virtual_network_name = azurerm_virtual_network.hub.name
  address_prefixes     = ["10.10.255.0/27"]
}

resource "azurerm_public_ip" "vpngw" {
  name                = "pip-vpngw-hub-weu"
  location            = azurerm_resource_group.hub.location
  resource_group_name = azurerm_resource_group.hub.name
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = ["1", "2", "3"]
}

resource "azurerm_virtual_network_gateway" "vpngw" {
  name                = "vpngw-hub-weu"
  location            = azurerm_resource_group.hub.location
  resource_group_name = azurerm_resource_group.hub.name

  type     = "Vpn"
  vpn_type = "RouteBased"

  active_active = false
  bgp_enabled   = true
  sku           = "VpnGw2AZ"
  generation    = "Generation2"

  ip_configuration {
    name                          = "vnetGatewayConfig"
    public_ip_address_id          = azurerm_public_ip.vpngw.id
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway.id
  }

  bgp_settings {
    asn = 65515
  }

  vpn_client_configuration {
    address_space        = ["172.16.200.0/24"]
    vpn_client_protocols = ["OpenVPN", "IkeV2"]

    root_certificate {
      name = "Contoso-Network-Root-CA"

      public_cert_data = <<EOF
MIIC5zCCAc+gAwIBAgIQGxd3lUtD9pNIkyDkkzbYkzANBgkqhkiG9w0BAQsFADAW
MRQwEgYDVQQDDAtQMlNSb290Q2VydDAeFw0yNDAxMTUxMDAwMDBaFw0yOTAxMTUx
MDEwMDBaMBYxFDASBgNVBAMMC1AyU1Jvb3RDZXJ0MIIBIjANBgkqhkiG9w0BAQEF
EOF
    }

    revoked_certificate {
      name       = "laptop-ams-0042"
      thumbprint = "912198EEF23DCAC40939312FDD3D3F3FE6C2B8F"
    }
  }
}
