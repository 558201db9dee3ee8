# ExpressRoute and site-to-site VPN side by side in one virtual network: both gateways share a /27
# GatewaySubnet, the VPN gateway is route-based and keeps the default ASN 65515 (which ExpressRoute
# needs to interoperate with it), and an IPsec tunnel to the on-premises device is the backup path.
# Azure prefers ExpressRoute routes over VPN routes for the same prefix, so the tunnel carries traffic
# only when the circuits do not; on-premises, give the ExpressRoute routes the higher local
# preference so the return path follows.

terraform {
  required_version = ">= 1.5.0"

  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = "~> 4.0"
    }
  }
}

locals {
  vpn_zone_redundant = endswith(var.vpn_gateway_sku, "AZ")
  # Generation2 exists from VpnGw2 up; VpnGw1 is Generation1 only.
  vpn_generation  = startswith(var.vpn_gateway_sku, "VpnGw1") ? "Generation1" : "Generation2"
  vpn_public_ips  = var.vpn_active_active ? ["primary", "secondary"] : ["primary"]
  bgp             = var.on_premises.bgp != null
  on_prem_address = length(var.on_premises.address_space) > 0 ? var.on_premises.address_space : ["${var.on_premises.bgp.peering_address}/32"]
}

resource "azurerm_subnet" "gateway" {
  name                 = "GatewaySubnet"
  resource_group_name  = var.resource_group_name
  virtual_network_name = var.virtual_network_name
  address_prefixes     = [var.gateway_subnet_prefix]
}

resource "azurerm_public_ip" "vpn" {
  for_each = toset(local.vpn_public_ips)

  name                = "pip-vpngw-${var.name}-${each.key}"
  resource_group_name = var.resource_group_name
  location            = var.location
  allocation_method   = "Static"
  sku                 = "Standard"
  zones               = local.vpn_zone_redundant ? var.zones : null
  tags                = var.tags
}

resource "azurerm_virtual_network_gateway" "vpn" {
  name                = "vpngw-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location

  type          = "Vpn"
  vpn_type      = "RouteBased"
  sku           = var.vpn_gateway_sku
  generation    = local.vpn_generation
  active_active = var.vpn_active_active
  bgp_enabled   = local.bgp

  dynamic "ip_configuration" {
    for_each = local.vpn_public_ips

    content {
      name                          = "vnetGatewayConfig-${ip_configuration.value}"
      public_ip_address_id          = azurerm_public_ip.vpn[ip_configuration.value].id
      private_ip_address_allocation = "Dynamic"
      subnet_id                     = azurerm_subnet.gateway.id
    }
  }

  # No bgp_settings: the gateway keeps Azure's default ASN 65515, the only one with which
  # ExpressRoute and VPN gateways interoperate. The module deliberately offers no way to change it.

  tags = var.tags
}

# Azure manages the public address of an ExpressRoute gateway: no public IP is attached. It is
# created after the VPN gateway, in the order Microsoft's coexistence guide uses: two gateways
# must not be written into one GatewaySubnet at the same time.
resource "azurerm_virtual_network_gateway" "expressroute" {
  name                = "ergw-${var.name}"
  resource_group_name = var.resource_group_name
  location            = var.location
  type                = "ExpressRoute"
  sku                 = var.expressroute_gateway_sku

  ip_configuration {
    name                          = "vnetGatewayConfig"
    private_ip_address_allocation = "Dynamic"
    subnet_id                     = azurerm_subnet.gateway.id
  }

  tags = var.tags

  depends_on = [azurerm_virtual_network_gateway.vpn]
}

resource "azurerm_local_network_gateway" "on_premises" {
  name                = "lgw-${var.on_premises.name}"
  resource_group_name = var.resource_group_name
  location            = var.location
  gateway_address     = var.on_premises.gateway_address
  address_space       = local.on_prem_address

  dynamic "bgp_settings" {
    for_each = local.bgp ? [var.on_premises.bgp] : []

    content {
      asn                 = bgp_settings.value.asn
      bgp_peering_address = bgp_settings.value.peering_address
    }
  }

  tags = var.tags
}

resource "azurerm_virtual_network_gateway_connection" "vpn" {
  name                = "cn-vpngw-${var.name}-${var.on_premises.name}"
  resource_group_name = var.resource_group_name
  location            = var.location

  type                       = "IPsec"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.vpn.id
  local_network_gateway_id   = azurerm_local_network_gateway.on_premises.id
  shared_key                 = var.ipsec_shared_key
  bgp_enabled                = local.bgp

  ipsec_policy {
    dh_group         = var.ipsec_policy.dh_group
    ike_encryption   = var.ipsec_policy.ike_encryption
    ike_integrity    = var.ipsec_policy.ike_integrity
    ipsec_encryption = var.ipsec_policy.ipsec_encryption
    ipsec_integrity  = var.ipsec_policy.ipsec_integrity
    pfs_group        = var.ipsec_policy.pfs_group
    sa_lifetime      = var.ipsec_policy.sa_lifetime
    sa_datasize      = var.ipsec_policy.sa_datasize
  }

  tags = var.tags
}

resource "azurerm_virtual_network_gateway_connection" "expressroute" {
  for_each = var.express_route_circuits

  name                = "cn-ergw-${var.name}-${each.key}"
  resource_group_name = var.resource_group_name
  location            = var.location

  type                       = "ExpressRoute"
  virtual_network_gateway_id = azurerm_virtual_network_gateway.expressroute.id
  express_route_circuit_id   = each.value.circuit_id
  authorization_key          = lookup(var.express_route_authorization_keys, each.key, null)
  routing_weight             = each.value.routing_weight

  tags = var.tags
}
